//! Metrics on constructed series whose answers are known in closed form.

use hrdrift_analytics::gap::minetti_cost;
use hrdrift_analytics::{ActivityContext, SessionClass, Sex, analyze, compute, flag, reason};

use crate::fixtures::{Run, assert_close, settings};

const CTX: ActivityContext = ActivityContext {
    median_run_s_prev_28d: None,
};

/// 70 min: 10 min warm-up, then a 60 min steady portion split at 40 min of moving time.
const SECS: i64 = 4200;

#[test]
fn constant_hr_gives_zero_drift_and_zero_decoupling() {
    let a = Run::new(SECS, |_| Some(150.0), |_| Some(3.0)).activity();
    let m = compute(&a, &settings(), &CTX);
    assert_close(m.drift_bpm_per_h, 0.0, 1e-9);
    assert_close(m.drift_adj_bpm_per_h, 0.0, 1e-9);
    assert_close(m.decoupling_pct, 0.0, 1e-9);
    assert_close(m.drift_pct, 0.0, 1e-9);
    // EF = 180 m/min / 150 bpm.
    assert_close(m.ef, 1.2, 1e-12);
    assert_close(m.avg_hr, 150.0, 1e-12);
    assert_close(m.coverage, 1.0, 0.0);
    assert_eq!(m.moving_s, 4200.0);
    assert_eq!(m.steady_s, 3600.0);
    // Everything but the session type, which needs a threshold speed.
    let absent = crate::fixtures::absent_but_beats(&m);
    assert_eq!(absent.keys().collect::<Vec<_>>(), ["class"], "{absent:?}");
}

/// HR at moving second `k` of a ramp of 6 bpm/h from 140 bpm.
fn ramp(k: i64) -> f64 {
    140.0 + 6.0 * k as f64 / 3600.0
}

/// Means of the ramp over the two halves of the steady portion: grid seconds 600..2400 and
/// 2400..4200 (each second `k` stands for `[k, k+1)`, sampled at `k`).
fn ramp_halves() -> (f64, f64) {
    (
        ramp(0) + 6.0 * 1499.5 / 3600.0,
        ramp(0) + 6.0 * 3299.5 / 3600.0,
    )
}

#[test]
fn ramp_of_6_bpm_per_h_at_constant_speed() {
    let a = Run::new(SECS, |k| Some(ramp(k)), |_| Some(3.0)).activity();
    let m = compute(&a, &settings(), &CTX);
    assert_close(m.drift_bpm_per_h, 6.0, 1e-6);
    // Speed is constant: there is nothing to adjust for, the time coefficient is the slope.
    assert_close(m.drift_adj_bpm_per_h, 6.0, 1e-6);
    let (h1, h2) = ramp_halves();
    // EF_i = v / H_i, so (EF1 - EF2) / EF1 = 1 - H1 / H2.
    assert_close(m.decoupling_pct, (1.0 - h1 / h2) * 100.0, 1e-9);
    assert_close(m.drift_pct, (h2 - h1) / h1 * 100.0, 1e-9);
}

#[test]
fn speed_adjusted_drift_removes_the_speed_effect() {
    // HR = 100 + 15 bpm per m/s of speed + 6 bpm/h; speed alternates slowly (CV ~ 0.1).
    let speed = |k: i64| if (k / 300) % 2 == 0 { 2.7 } else { 3.3 };
    let a = Run::new(
        SECS,
        |k| Some(100.0 + 15.0 * speed(k) + 6.0 * k as f64 / 3600.0),
        |k| Some(speed(k)),
    )
    .activity();
    let m = compute(&a, &settings(), &CTX);
    // Median smoothing rounds the speed steps by at most a couple of seconds per step.
    assert_close(m.drift_adj_bpm_per_h, 6.0, 0.2);
    assert!(
        !m.flags.iter().any(|f| f == flag::UNSTEADY),
        "{:?}",
        m.flags
    );
}

#[test]
fn constant_grade_gives_the_minetti_ratio() {
    for grade in [0.1, -0.1, 0.05, -0.2] {
        let a = Run::new(SECS, |_| Some(150.0), |_| Some(3.0))
            .with_alt(|k| Some(3000.0 + grade * 3.0 * k as f64))
            .activity();
        let r = analyze(&a, &settings(), &CTX);
        let want = 3.0 * minetti_cost(grade) / minetti_cost(0.0);
        assert_close(r.metrics.gap_speed_m_s, want, 1e-9);
        for (g, v) in r.series.grade.iter().zip(&r.series.gap_speed_m_s) {
            assert_close(*g, grade, 1e-9);
            assert_close(*v, want, 1e-9);
        }
        // EF uses GAP speed.
        assert_close(r.metrics.ef, want * 60.0 / 150.0, 1e-9);
    }
}

#[test]
fn steeper_than_the_clamp_uses_the_clamp() {
    let a = Run::new(1200, |_| Some(150.0), |_| Some(1.0))
        .with_alt(|k| Some(0.7 * k as f64))
        .activity();
    let m = compute(&a, &settings(), &CTX);
    assert_close(m.gap_speed_m_s, minetti_cost(0.45) / 3.6, 1e-9);
}

#[test]
fn no_altitude_means_gap_equals_speed() {
    let a = Run::new(1200, |_| Some(150.0), |_| Some(3.5)).activity();
    let m = compute(&a, &settings(), &CTX);
    assert_close(m.gap_speed_m_s, 3.5, 1e-12);
    assert!(m.flags.iter().any(|f| f == flag::NO_ALTITUDE));
}

#[test]
fn trimp_of_60_min_at_constant_hr() {
    let a = Run::new(3600, |_| Some(150.0), |_| Some(3.0)).activity();
    let r: f64 = (150.0 - 50.0) / (190.0 - 50.0);
    let m = compute(&a, &settings(), &CTX);
    assert_close(m.trimp, 60.0 * r * 0.64 * (1.92 * r).exp(), 1e-9);
    let lthr_r: f64 = (170.0 - 50.0) / 140.0;
    assert_close(
        m.hrtss,
        100.0 * r * (1.92 * r).exp() / (lthr_r * (1.92 * lthr_r).exp()),
        1e-9,
    );

    let female = hrdrift_analytics::AthleteSettings {
        sex: Sex::Female,
        ..settings()
    };
    let m = compute(&a, &female, &CTX);
    assert_close(m.trimp, 60.0 * r * 0.86 * (1.67 * r).exp(), 1e-9);

    let unknown = hrdrift_analytics::AthleteSettings {
        sex: Sex::Unknown,
        ..settings()
    };
    let m = compute(&a, &unknown, &CTX);
    assert_close(m.trimp, 60.0 * r * 0.64 * (1.92 * r).exp(), 1e-9);
    assert!(m.flags.iter().any(|f| f == flag::SEX_UNKNOWN_MALE_TRIMP));
}

#[test]
fn an_hour_at_lthr_is_100_hrtss() {
    let a = Run::new(3600, |_| Some(170.0), |_| Some(4.0)).activity();
    assert_close(compute(&a, &settings(), &CTX).hrtss, 100.0, 1e-9);
}

#[test]
fn zones_sum_to_valid_hr_moving_time() {
    // A slow wave across all zones, with dropouts.
    let hr = |k: i64| {
        if k % 97 == 0 {
            None
        } else {
            Some(155.0 + 30.0 * (k as f64 / 300.0).sin())
        }
    };
    let a = Run::new(SECS, hr, |_| Some(3.0)).activity();
    for model in [
        hrdrift_analytics::ZoneModel::Lthr,
        hrdrift_analytics::ZoneModel::PctHrMax,
        hrdrift_analytics::ZoneModel::Karvonen,
    ] {
        let s = hrdrift_analytics::AthleteSettings {
            zone_model: model,
            ..settings()
        };
        let m = compute(&a, &s, &CTX);
        let z = m.zones_s.unwrap();
        let s3 = m.s_zones_s.unwrap();
        assert_eq!(z.iter().sum::<f64>(), m.valid_hr_s);
        assert_eq!(s3.iter().sum::<f64>(), m.valid_hr_s);
        // Coverage is measured between valid readings: a one-second dropout is covered, the
        // one at second 0 (before the first reading) is not.
        assert_close(m.coverage, 4199.0 / 4200.0, 1e-12);
        // The wave spans 125-185 bpm, below which %HRmax Z1 (< 114 bpm) lies.
        let from = usize::from(model == hrdrift_analytics::ZoneModel::PctHrMax);
        assert!(z[from..].iter().all(|v| *v > 0.0), "{model:?}: {z:?}");
        // 4200 grid seconds minus the dropouts at multiples of 97.
        assert_eq!(
            m.valid_hr_s,
            4200.0 - (0..4200).filter(|k| k % 97 == 0).count() as f64
        );
    }
}

#[test]
fn hr_classes() {
    let easy = Run::new(SECS, |_| Some(140.0), |_| Some(3.0)).activity();
    assert_eq!(
        compute(&easy, &settings(), &CTX).hr_class,
        Some(SessionClass::Easy)
    );
    // 10 min at or above LTHR.
    let hard = Run::new(
        SECS,
        |k| {
            Some(if (2000..2600).contains(&k) {
                175.0
            } else {
                140.0
            })
        },
        |_| Some(3.0),
    )
    .activity();
    assert_eq!(
        compute(&hard, &settings(), &CTX).hr_class,
        Some(SessionClass::Hard)
    );
    // 20 min in S2 (89-100 % LTHR): not hard, and S1 < 85 % of the steady portion.
    let moderate = Run::new(
        SECS,
        |k| {
            Some(if (2000..3200).contains(&k) {
                160.0
            } else {
                140.0
            })
        },
        |_| Some(3.0),
    )
    .activity();
    assert_eq!(
        compute(&moderate, &settings(), &CTX).hr_class,
        Some(SessionClass::Moderate)
    );
    let mut ride = Run::new(SECS, |_| Some(140.0), |_| Some(8.0));
    ride.sport = Some("cycling".to_owned());
    let m = compute(&ride.activity(), &settings(), &CTX);
    assert_eq!(m.class, None);
    // Every sport with HR has its HR class (METRICS.md 7: a ride without power has only that).
    assert_eq!(m.hr_class, Some(SessionClass::Easy));
    assert_eq!(
        m.absent.get("class").map(String::as_str),
        Some(reason::NOT_RUNNING)
    );
    // Speed on a bike says little about effort: no GAP or speed-based drift, and without power
    // no EF or decoupling, while heart rate and its drift stay (METRICS.md 7).
    for (field, why) in [
        ("gap_speed_m_s", reason::NOT_ON_FOOT),
        ("ef", reason::NO_POWER),
        ("decoupling_pct", reason::NO_POWER),
        ("drift_adj_bpm_per_h", reason::NOT_ON_FOOT),
    ] {
        assert_eq!(
            m.absent.get(field).map(String::as_str),
            Some(why),
            "{field}"
        );
    }
    assert_eq!(m.avg_hr, Some(140.0));
    // Walking keeps them.
    let mut walk = Run::new(SECS, |_| Some(110.0), |_| Some(1.4));
    walk.sport = Some("walking".to_owned());
    let w = compute(&walk.activity(), &settings(), &CTX);
    assert!(
        w.gap_speed_m_s.is_some() && w.ef.is_some(),
        "{:?}",
        w.absent
    );
}

fn with_threshold(pace: &str) -> hrdrift_analytics::AthleteSettings {
    hrdrift_analytics::AthleteSettings {
        threshold_pace: Some(hrdrift_analytics::Pace::parse(pace).unwrap()),
        ..settings()
    }
}

#[test]
fn session_types_come_from_pace_not_heart_rate() {
    // Threshold 4:10/km = 4.0 m/s.
    let s = with_threshold("4:10/km");
    // Easy pace (75 % of threshold) with a heart rate at 97 % of LTHR all along: easy effort,
    // high heart rate, which is what hrdrift exists to notice.
    let easy = Run::new(SECS, |_| Some(165.0), |_| Some(3.0)).activity();
    let m = compute(&easy, &s, &CTX);
    assert_eq!(m.class, Some(SessionClass::Easy));
    assert_eq!(m.hr_class, Some(SessionClass::Hard));
    assert_eq!(m.class_basis, Some(hrdrift_analytics::ClassBasis::Pace));
    assert!(
        m.flags.iter().any(|f| f == flag::EFFORT_MISMATCH),
        "{:?}",
        m.flags
    );
    assert_eq!(m.threshold_speed_m_s, Some(4.0));
    assert_eq!(m.p_zones_s.unwrap()[0], 4200.0);
    // 10 min above 0.97 of threshold: P3 >= 8 min, hard, whatever the heart did.
    let hard = Run::new(
        SECS,
        |_| Some(140.0),
        |k| Some(if (2000..2600).contains(&k) { 4.2 } else { 3.0 }),
    )
    .activity();
    let m = compute(&hard, &s, &CTX);
    assert_eq!(m.class, Some(SessionClass::Hard));
    assert_eq!(m.hr_class, Some(SessionClass::Easy));
    assert_eq!(m.fast_reps, Some(1));
    // 20 min at 90 % of threshold (P2): not hard, P1 < 85 % of the steady portion.
    let moderate = Run::new(
        SECS,
        |_| Some(150.0),
        |k| Some(if (2000..3200).contains(&k) { 3.6 } else { 3.0 }),
    )
    .activity();
    assert_eq!(
        compute(&moderate, &s, &CTX).class,
        Some(SessionClass::Moderate)
    );
    // Intervals, 5 x (2 min fast, 2 min jog): hard with fast repetitions, so decoupling and
    // drift are absent as unsteady (METRICS.md 3b).
    let intervals = Run::new(
        SECS,
        |_| Some(150.0),
        |k| {
            let rep = (k - 1200) / 240;
            Some(if k >= 1200 && rep < 5 && (k - 1200) % 240 < 120 {
                4.5
            } else {
                3.0
            })
        },
    )
    .activity();
    let m = compute(&intervals, &s, &CTX);
    assert_eq!(m.class, Some(SessionClass::Hard));
    assert_eq!(m.fast_reps, Some(5));
    assert_eq!(m.decoupling_pct, None);
    assert_eq!(
        m.absent.get("decoupling_pct").map(String::as_str),
        Some(reason::UNSTEADY)
    );
    // No speed at all (a treadmill without a foot pod): typed by heart rate, and says so.
    let treadmill = Run::new(SECS, |_| Some(140.0), |_| None).activity();
    let m = compute(&treadmill, &s, &CTX);
    assert_eq!(m.class, Some(SessionClass::Easy));
    assert_eq!(m.class_basis, Some(hrdrift_analytics::ClassBasis::Hr));
    // Speed but no threshold: untyped, with the reason.
    let m = compute(&easy, &settings(), &CTX);
    assert_eq!(m.class, None);
    assert_eq!(
        m.absent.get("class").map(String::as_str),
        Some(reason::NO_THRESHOLD)
    );
}

/// A run whose running parts hold 3.0 m/s with HR rising 6 bpm/h, with or without a 60 s walk
/// (1.4 m/s, cadence 110, HR falling to 120 and taking 60 s to come back) every 5 min.
fn run_walk(walks: bool) -> hrdrift_analytics::ActivityMetrics {
    let walking = move |k: i64| walks && k >= 300 && k % 300 < 60;
    let since_walk = move |k: i64| if walks && k >= 300 { k % 300 } else { 1000 };
    let mut r = Run::new(
        SECS,
        move |k| {
            let base = ramp(k) + 10.0;
            Some(if walking(k) {
                120.0
            } else if since_walk(k) < 120 {
                // Back from the walk within its first minute of running.
                120.0 + (base - 120.0) * ((since_walk(k) - 60) as f64 / 60.0).min(1.0)
            } else {
                base
            })
        },
        move |k| Some(if walking(k) { 1.4 } else { 3.0 }),
    );
    r.cad = Some(
        (0..=SECS)
            .map(|k| Some(if walking(k) { 110.0 } else { 170.0 }))
            .collect(),
    );
    compute(&r.activity(), &settings(), &CTX)
}

#[test]
fn a_run_walk_run_gets_the_metrics_of_its_running_parts() {
    let plain = run_walk(false);
    let rw = run_walk(true);
    assert!(
        rw.flags.iter().any(|f| f == flag::RUN_WALK),
        "{:?}",
        rw.flags
    );
    assert!(!plain.flags.iter().any(|f| f == flag::RUN_WALK));
    // 13 walks of 60 s in 4200 s.
    assert_close(rw.walk_share, 13.0 * 60.0 / 4200.0, 1e-9);
    let (ef0, ef1) = (plain.ef.unwrap(), rw.ef.unwrap());
    assert!((ef1 - ef0).abs() <= 0.01 * ef0, "EF {ef0} vs {ef1}");
    let (d0, d1) = (plain.decoupling_pct.unwrap(), rw.decoupling_pct.unwrap());
    assert!(d0 > 0.5, "{d0}");
    assert!(
        (d1 - d0).abs() <= 0.01 * d0.abs().max(1.0),
        "decoupling {d0} vs {d1}"
    );
    let (r0, r1) = (plain.drift_bpm_per_h.unwrap(), rw.drift_bpm_per_h.unwrap());
    assert!((r1 - r0).abs() <= 0.05 * r0, "drift {r0} vs {r1}");
    assert_eq!(
        rw.decoupling_quality,
        Some(hrdrift_analytics::DecouplingQuality::Steady)
    );
    // Without the running-parts rule the walks would make it unsteady: 30 s means of 1.4
    // and 3.0 m/s.
    assert_close(plain.walk_share, 0.0, 0.0);
}

#[test]
fn long_needs_75_min_and_1_5_times_the_median() {
    let a = Run::new(80 * 60, |_| Some(140.0), |_| Some(3.0)).activity();
    let s = settings();
    let m = compute(
        &a,
        &s,
        &ActivityContext {
            median_run_s_prev_28d: Some(3000.0),
        },
    );
    assert_eq!(m.long, Some(true));
    let m = compute(
        &a,
        &s,
        &ActivityContext {
            median_run_s_prev_28d: Some(3600.0),
        },
    );
    assert_eq!(m.long, Some(false));
    let m = compute(&a, &s, &CTX);
    assert_eq!(m.long, None);
    assert_eq!(
        m.absent.get("long").map(String::as_str),
        Some(reason::NO_HISTORY)
    );
    let short = Run::new(60 * 60, |_| Some(140.0), |_| Some(3.0)).activity();
    assert_eq!(compute(&short, &s, &CTX).long, Some(false));
}

#[test]
fn unsteady_run_has_no_decoupling() {
    // 1 min at 2 m/s, 1 min at 4 m/s: CV of GAP speed ~ 0.33.
    let a = Run::new(
        SECS,
        |_| Some(150.0),
        |k| Some(if (k / 60) % 2 == 0 { 2.0 } else { 4.0 }),
    )
    .activity();
    let m = compute(&a, &settings(), &CTX);
    assert!(m.flags.iter().any(|f| f == flag::UNSTEADY));
    assert_eq!(m.decoupling_pct, None);
    assert_eq!(
        m.absent.get("decoupling_pct").map(String::as_str),
        Some(reason::UNSTEADY)
    );
    assert_eq!(
        m.absent.get("drift_bpm_per_h").map(String::as_str),
        Some(reason::UNSTEADY)
    );
    assert!(m.ef.is_some());
}

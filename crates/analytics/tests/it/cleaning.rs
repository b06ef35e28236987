//! Cleaning: pauses, invalid HR, cadence lock, sample order.

use hrdrift_analytics::{ActivityContext, ActivityMetrics, compute, flag, reason};
use hrdrift_ingest::Pause;

use crate::fixtures::{Run, T0_MS, assert_close, close, settings};

const CTX: ActivityContext = ActivityContext {
    median_run_s_prev_28d: None,
};
const SECS: i64 = 4200;

fn ramp(k: i64) -> f64 {
    140.0 + 6.0 * k as f64 / 3600.0
}

/// A run with HR as a ramp in moving time and a 15 min stop inserted after moving second
/// `at`; `samples_in_pause` adds standing-still samples (speed 0, HR falling) during it.
fn with_stop(at: i64, timer: bool, samples_in_pause: bool) -> hrdrift_ingest::Activity {
    let stop = 900;
    let mut run = Run::new(SECS + stop, |_| None, |_| None);
    for k in 0..run.ts.len() as i64 {
        let i = k as usize;
        let (hr, v) = if k <= at {
            (Some(ramp(k)), Some(3.0))
        } else if k < at + stop {
            (Some(100.0), Some(0.0))
        } else {
            (Some(ramp(k - stop)), Some(3.0))
        };
        run.hr[i] = hr;
        run.speed[i] = v;
    }
    let keep: Vec<bool> = (0..run.ts.len() as i64)
        .map(|k| samples_in_pause || k <= at || k >= at + stop)
        .collect();
    let filter = |v: &mut Vec<Option<f64>>| {
        let mut it = keep.iter();
        v.retain(|_| *it.next().unwrap());
    };
    filter(&mut run.hr);
    filter(&mut run.speed);
    let mut it = keep.iter();
    run.ts.retain(|_| *it.next().unwrap());
    let mut a = run.activity();
    if timer {
        a.pauses = vec![Pause {
            start_ms: T0_MS + at * 1000,
            end_ms: T0_MS + (at + stop) * 1000,
        }];
    }
    a
}

fn same_steady_metrics(a: &ActivityMetrics, b: &ActivityMetrics, tol: f64) {
    assert!(
        close(a.moving_s, b.moving_s, tol * 100.0),
        "{} vs {}",
        a.moving_s,
        b.moving_s
    );
    for (x, y) in [
        (a.decoupling_pct, b.decoupling_pct),
        (a.drift_bpm_per_h, b.drift_bpm_per_h),
        (a.drift_pct, b.drift_pct),
        (a.ef, b.ef),
    ] {
        assert_close(x, y.unwrap(), tol);
    }
}

#[test]
fn a_pause_in_the_middle_does_not_move_the_halves() {
    let plain = compute(
        &Run::new(SECS, |k| Some(ramp(k)), |_| Some(3.0)).activity(),
        &settings(),
        &CTX,
    );
    // Timer pause with the samples recorded while stopped: they are left out.
    let timer = compute(&with_stop(2000, true, true), &settings(), &CTX);
    same_steady_metrics(&plain, &timer, 1e-9);
    assert_eq!(timer.moving_s, 4200.0);
    // Timer pause, no samples while stopped.
    same_steady_metrics(
        &plain,
        &compute(&with_stop(2000, true, false), &settings(), &CTX),
        1e-9,
    );
    // No timer events: the 15 min gap is a pause.
    same_steady_metrics(
        &plain,
        &compute(&with_stop(2000, false, false), &settings(), &CTX),
        1e-9,
    );
    // No timer events, standing still with samples: the slow span is a pause. Its edges
    // (the first slow second and the smoothing of the speed step) cost a few seconds.
    let slow = compute(&with_stop(2000, false, true), &settings(), &CTX);
    same_steady_metrics(&plain, &slow, 0.01);
    assert!((slow.moving_s - 4200.0).abs() <= 3.0, "{}", slow.moving_s);
}

#[test]
fn spikes_and_dropouts_are_excluded_not_invented() {
    // Constant 150 bpm; missing every 37th second, zero every 41st, 250 every 43rd (dropouts),
    // a 200 bpm spike every 50th.
    let hr = |k: i64| match k {
        k if k % 37 == 0 => None,
        k if k % 41 == 0 => Some(0.0),
        k if k % 43 == 0 => Some(250.0),
        k if k % 50 == 0 => Some(200.0),
        _ => Some(150.0),
    };
    let a = Run::new(SECS, hr, |_| Some(3.0)).activity();
    let m = compute(&a, &settings(), &CTX);
    let grid = 0..SECS;
    let dropouts = grid
        .clone()
        .filter(|k| k % 37 == 0 || k % 41 == 0 || k % 43 == 0)
        .count();
    let spikes = grid
        .filter(|k| k % 37 != 0 && k % 41 != 0 && k % 43 != 0 && k % 50 == 0)
        .count();
    assert_eq!(m.cleaning.hr_dropout_s, dropouts);
    assert_eq!(m.cleaning.hr_spike_s, spikes);
    assert_eq!(m.valid_hr_s, (SECS as usize - dropouts - spikes) as f64);
    // Coverage: isolated dropouts lie between valid readings 2 s apart and are covered; spike
    // seconds are not, nor is second 0 (a dropout before the first reading).
    assert_close(
        m.coverage,
        (SECS as usize - spikes - 1) as f64 / SECS as f64,
        1e-12,
    );
    assert_close(m.avg_hr, 150.0, 1e-12);
    assert_close(m.drift_bpm_per_h, 0.0, 1e-9);
    assert_close(m.decoupling_pct, 0.0, 1e-9);
}

/// Metrics of a run at 150 bpm and 172 steps/min whose HR reads 171 over the seconds `near`,
/// close enough to the step rate to be the sensor locked on to cadence.
fn near_the_step_rate(near: std::ops::Range<i64>) -> ActivityMetrics {
    let hr = |k: i64| Some(if near.contains(&k) { 171.0 } else { 150.0 });
    let a = Run::new(SECS, hr, |_| Some(3.0))
        .with_cad(|_| Some(172.0))
        .activity();
    compute(&a, &settings(), &CTX)
}

#[test]
fn cadence_lock_is_detected_and_removed() {
    // Steps 172/min throughout; for 120 s the sensor reads 171 instead of 150.
    let m = near_the_step_rate(1000..1120);
    assert!(
        m.flags.iter().any(|f| f == flag::HR_CADENCE_LOCK),
        "{:?}",
        m.flags
    );
    assert_eq!(m.cleaning.hr_cadence_lock_s, 120);
    assert_eq!(m.valid_hr_s, 4200.0 - 120.0);
    // The locked span stays uncovered although HR readings exist throughout.
    assert_close(m.coverage, (4200.0 - 120.0) / 4200.0, 1e-12);
    assert_close(m.avg_hr, 150.0, 1e-12);

    // 30 s near the step rate is not a lock.
    let m = near_the_step_rate(1000..1030);
    assert!(!m.flags.iter().any(|f| f == flag::HR_CADENCE_LOCK));
    assert_eq!(m.valid_hr_s, 4200.0);
}

#[test]
fn shuffled_and_duplicated_samples_give_the_same_metrics() {
    let run = Run::new(SECS, |k| Some(ramp(k)), |_| Some(3.0));
    let sorted = compute(&run.activity(), &settings(), &CTX);
    let mut run = Run::new(SECS, |k| Some(ramp(k)), |_| Some(3.0));
    // Reverse, then append a copy of every 10th sample with its HR missing.
    run.ts.reverse();
    run.hr.reverse();
    run.speed.reverse();
    for i in (0..run.ts.len()).step_by(10) {
        run.ts.push(run.ts[i]);
        run.hr.push(None);
        run.speed.push(run.speed[i]);
    }
    let a = run.activity();
    let m = compute(&a, &settings(), &CTX);
    assert!(m.flags.iter().any(|f| f == flag::SAMPLES_REORDERED));
    assert!(m.flags.iter().any(|f| f == flag::DUPLICATE_TIMESTAMPS));
    for (x, y) in [
        (m.decoupling_pct, sorted.decoupling_pct),
        (m.drift_bpm_per_h, sorted.drift_bpm_per_h),
        (m.ef, sorted.ef),
    ] {
        assert_eq!(x, y);
    }
}

#[test]
fn absent_metrics_say_why() {
    let no_hr = Run::new(SECS, |_| None, |_| Some(3.0)).activity();
    let m = compute(&no_hr, &settings(), &CTX);
    for key in [
        "avg_hr",
        "ef",
        "decoupling_pct",
        "drift_bpm_per_h",
        "trimp",
        "zones_s",
    ] {
        assert_eq!(
            m.absent.get(key).map(String::as_str),
            Some(reason::NO_HEART_RATE),
            "{key}"
        );
    }

    let short = Run::new(15 * 60, |_| Some(150.0), |_| Some(3.0)).activity();
    let m = compute(&short, &settings(), &CTX);
    assert!(m.ef.is_some());
    assert_eq!(
        m.absent.get("decoupling_pct").map(String::as_str),
        Some(reason::TOO_SHORT)
    );
    assert_eq!(
        m.absent.get("drift_bpm_per_h").map(String::as_str),
        Some(reason::TOO_SHORT)
    );

    // HR missing one minute in three: each 61 s gap between valid readings covers only 5 s.
    let patchy = Run::new(
        SECS,
        |k| ((k / 60) % 3 != 0).then_some(150.0),
        |_| Some(3.0),
    )
    .activity();
    let m = compute(&patchy, &settings(), &CTX);
    assert_eq!(
        m.absent.get("ef").map(String::as_str),
        Some(reason::LOW_COVERAGE)
    );
    assert!(m.zones_s.is_some());

    let no_speed = Run::new(SECS, |_| Some(150.0), |_| None).activity();
    let m = compute(&no_speed, &settings(), &CTX);
    assert_eq!(
        m.absent.get("ef").map(String::as_str),
        Some(reason::NO_SPEED)
    );
    assert!(m.drift_bpm_per_h.is_some());

    let anonymous = compute(
        &no_speed,
        &hrdrift_analytics::AthleteSettings::default(),
        &CTX,
    );
    assert_eq!(
        anonymous.absent.get("zones_s").map(String::as_str),
        Some(reason::NO_HR_SETTINGS)
    );
    assert_eq!(
        anonymous.absent.get("trimp").map(String::as_str),
        Some(reason::NO_HR_SETTINGS)
    );
}

#[test]
fn speed_falls_back_to_distance_then_positions() {
    let base = Run::new(SECS, |_| Some(150.0), |_| Some(3.0)).activity();
    let want = compute(&base, &settings(), &CTX).ef.unwrap();

    let mut by_distance = base.clone();
    by_distance.samples.distance_m = Some((0..=SECS).map(|k| Some(3.0 * k as f64)).collect());
    by_distance.samples.speed_m_s = None;
    assert_close(compute(&by_distance, &settings(), &CTX).ef, want, 1e-9);

    // Due north at 3 m/s.
    let mut by_position = base;
    by_position.samples.speed_m_s = None;
    let deg_per_m = 1.0 / 111_195.08;
    by_position.samples.lat = Some(
        (0..=SECS)
            .map(|k| Some(45.0 + 3.0 * k as f64 * deg_per_m))
            .collect(),
    );
    by_position.samples.lon = Some(vec![Some(7.0); SECS as usize + 1]);
    assert_close(compute(&by_position, &settings(), &CTX).ef, want, 1e-3);
}

#[test]
fn a_sensor_gap_while_the_timer_runs_is_moving_time_without_data() {
    // Timer events exist (one short stop at the end); 10 min of samples are missing mid-run.
    let mut run = Run::new(SECS, |_| Some(150.0), |_| Some(3.0));
    let keep: Vec<bool> = (0..=SECS).map(|k| !(2000..2600).contains(&k)).collect();
    let mut it = keep.iter();
    run.ts.retain(|_| *it.next().unwrap());
    let mut it = keep.iter();
    run.hr.retain(|_| *it.next().unwrap());
    let mut it = keep.iter();
    run.speed.retain(|_| *it.next().unwrap());
    let mut a = run.activity();
    a.pauses = vec![Pause {
        start_ms: T0_MS + (SECS - 10) * 1000,
        end_ms: T0_MS + SECS * 1000,
    }];
    let m = compute(&a, &settings(), &CTX);
    assert_eq!(m.moving_s, 4190.0);
    // The missing seconds 2000..2600 are not invented.
    assert_eq!(m.valid_hr_s, 4190.0 - 600.0);
    // Coverage: of the 601 s between the valid readings at 1999 and 2600 only the first
    // `resample_max_gap_s` (5 s) count.
    assert_close(m.coverage, (4190.0 - 601.0 + 5.0) / 4190.0, 1e-12);
    // Without timer events the whole 601 s between the samples at 1999 and 2600 is a pause.
    a.pauses.clear();
    let m = compute(&a, &settings(), &CTX);
    assert_eq!(m.moving_s, 4200.0 - 601.0);
    assert_close(m.coverage, 1.0, 0.0);
}

/// Keeps the samples of a 1 Hz run whose second satisfies `keep`.
fn thin(run: &mut Run, keep: impl Fn(i64) -> bool) {
    let keep: Vec<bool> = (0..run.ts.len() as i64).map(keep).collect();
    for v in [&mut run.hr, &mut run.speed] {
        let mut it = keep.iter();
        v.retain(|_| *it.next().unwrap());
    }
    let mut it = keep.iter();
    run.ts.retain(|_| *it.next().unwrap());
}

#[test]
fn coverage_counts_gaps_between_valid_readings_up_to_10_s() {
    // Smart recording: a sample every 8 s, valid HR on each. The strap worked throughout, and
    // the grid is interpolated across each 8 s recording gap, so every second holds HR.
    let mut run = Run::new(SECS, |_| Some(150.0), |_| Some(3.0));
    thin(&mut run, |k| k % 8 == 0);
    let m = compute(&run.activity(), &settings(), &CTX);
    assert_eq!(m.moving_s, 4200.0);
    assert_close(m.coverage, 1.0, 0.0);
    assert_eq!(m.valid_hr_s, 4200.0);
    assert_close(m.avg_hr, 150.0, 1e-12);
    assert!(m.ef.is_some(), "{:?}", m.absent);

    // A 1 Hz run of 600 s whose valid HR readings at 100 and 160 are 60 s apart (the samples
    // between carry none: a dropout, not a recording gap): of that gap only the first
    // `resample_max_gap_s` (5 s) counts.
    let a = Run::new(
        600,
        |k| (!(101..160).contains(&k)).then_some(150.0),
        |_| Some(3.0),
    );
    let m = compute(&a.activity(), &settings(), &CTX);
    assert_eq!(m.moving_s, 600.0);
    assert_close(m.coverage, (600.0 - 60.0 + 5.0) / 600.0, 1e-12);
    assert_eq!(m.valid_hr_s, 600.0 - 59.0);

    // The bound: 10 s between readings is covered, 11 s is not (5 of the 11 s count).
    for (hole, uncovered) in [(9, 0.0), (10, 6.0)] {
        let a = Run::new(
            600,
            |k| (!(101..101 + hole).contains(&k)).then_some(150.0),
            |_| Some(3.0),
        );
        let m = compute(&a.activity(), &settings(), &CTX);
        assert_close(m.coverage, (600.0 - uncovered) / 600.0, 1e-12);
    }

    // The settings: a recording gap is covered up to `recording_gap_max_s` whatever
    // `coverage_max_gap_s` says; with both at 0 a gap counts only up to `resample_max_gap_s`.
    for (cover, recording, want) in [
        (0.0, 60.0, 1.0),
        (0.0, 7.0, 5.0 / 8.0),
        (0.0, 0.0, 5.0 / 8.0),
    ] {
        let s = hrdrift_analytics::AthleteSettings {
            coverage_max_gap_s: cover,
            recording_gap_max_s: recording,
            ..settings()
        };
        let mut run = Run::new(SECS, |_| Some(150.0), |_| Some(3.0));
        thin(&mut run, |k| k % 8 == 0);
        let m = compute(&run.activity(), &s, &CTX);
        assert_close(m.coverage, want, 1e-12);
    }
}

#[test]
fn means_weigh_each_reading_by_the_time_it_holds() {
    // Smart recording: 1 Hz while HR is 160 (the first half), a sample every 12 s while it is
    // 120 (the second). Per sample the mean would be near 160; over time it is 140, as the
    // watch's own session average says.
    let mut run = Run::new(
        SECS,
        |k| Some(if k < SECS / 2 { 160.0 } else { 120.0 }),
        |_| Some(3.0),
    );
    thin(&mut run, |k| k < SECS / 2 || k % 12 == 0);
    let m = compute(&run.activity(), &settings(), &CTX);
    assert_eq!(m.moving_s, 4200.0);
    assert_close(m.coverage, 1.0, 0.0);
    assert_close(m.avg_hr, 140.0, 0.05);
}

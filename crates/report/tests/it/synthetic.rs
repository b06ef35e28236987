//! A synthetic athlete's report input with a known shape: 26 weeks of five runs a week (three
//! easy, one hard, one long), a block of fatigue in weeks 19-21 that makes easy runs elevated, a
//! lingering hard session, a warm day, weekly flags, one 95-minute long run as the focus
//! trace, and a pace-duration curve 3 % faster than the period before's, which lacks 60 min. Deterministic (a small LCG, no rand dependency); shared by the tests and the
//! `render_demo` example (`#[path]`-included there).

#![allow(dead_code)]

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use hrdrift_report::{
    ActivityRow, ActivityTrace, Alpha1Window, BaselineLine, CurvePoint, DayLoad, DriftLine,
    EasyRunPoint, HardMarker, LongRunPoint, MorningPoint, Readiness, Reason, ReportInput,
    SteadySpan, WeekBar,
};

/// Number of weeks in [`athlete`].
pub const WEEKS: usize = 26;

/// Deterministic noise in -1..1.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        #[expect(clippy::cast_precision_loss)]
        let u = (self.0 >> 11) as f64 / (1u64 << 53) as f64;
        2.0 * u - 1.0
    }
}

fn at(d: NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(hour, 0, 0).unwrap_or_default())
}

/// The full synthetic input: 26 weeks ending on Sunday 2026-03-01.
#[must_use]
pub fn athlete() -> ReportInput {
    let mut rng = Lcg(42);
    let first_monday = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap_or_default();
    let (a, b, sigma) = (98.0, 15.0, 2.6);
    let mut input = ReportInput::empty(at(
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
        6,
    ));
    input.athlete_note = "HRmax 188 bpm, LTHR 171 bpm, rest 48 bpm; last 26 weeks".to_owned();
    input.baseline = Some(BaselineLine {
        intercept_bpm: a,
        slope_bpm_per_m_s: b,
        sigma_bpm: sigma,
        speed_min_m_s: 2.55,
        speed_max_m_s: 3.25,
    });
    let mut loads: Vec<(NaiveDate, f64)> = Vec::new();
    for w in 0..WEEKS {
        let monday = first_monday + Duration::weeks(i64::try_from(w).unwrap_or(0));
        let tired = (18..=20).contains(&w);
        let mut hard = 0;
        let mut moving = 0.0;
        let mut distance = 0.0;
        for (day, kind) in [
            (0, "easy"),
            (1, "hard"),
            (3, "easy"),
            (5, "long"),
            (6, "easy"),
        ] {
            let date = monday + Duration::days(day);
            let start = at(date, 7);
            let id = format!("{}-{kind}", date.format("%Y%m%d"));
            let (speed, minutes) = match kind {
                "easy" => (2.9 + 0.2 * rng.next(), 45.0 + 10.0 * rng.next()),
                "hard" => (3.6 + 0.1 * rng.next(), 60.0 + 5.0 * rng.next()),
                _ => (
                    2.95 + 0.1 * rng.next(),
                    85.0 + 1.5 * f64::from(u32::try_from(w).unwrap_or(0)) + 5.0 * rng.next(),
                ),
            };
            let moving_s = minutes * 60.0;
            moving += moving_s;
            distance += speed * moving_s;
            let mut elevation = None;
            let mut flags = Vec::new();
            if kind == "easy" {
                let bump = if tired { 6.5 } else { 0.0 };
                let e = 1.8 * rng.next() + bump;
                let observed = a + b * speed + e;
                let elevated = e >= (2.0 * sigma).max(4.0);
                let warm = elevated && w == 12;
                if elevated {
                    flags.push("elevated".to_owned());
                }
                // The first six weeks have no baseline yet.
                let has_baseline = w >= 6;
                if has_baseline {
                    elevation = Some(e);
                }
                input.easy_runs.push(EasyRunPoint {
                    id: id.clone(),
                    start,
                    elevation_bpm: elevation,
                    sigma_bpm: has_baseline.then_some(sigma + 0.3 * rng.next()),
                    elevated: has_baseline && elevated,
                    warm_day: has_baseline && warm,
                    gap_speed_m_s: Some(speed),
                    observed_hr_bpm: Some(observed),
                });
            }
            let (decoupling, drift) = if kind == "long" {
                let d =
                    11.0 - 7.0 * f64::from(u32::try_from(w).unwrap_or(0)) / 25.0 + 1.5 * rng.next();
                let dr = d * 0.7 + rng.next();
                input.long_runs.push(LongRunPoint {
                    id: id.clone(),
                    start,
                    decoupling_pct: Some(d),
                    drift_bpm_per_h: Some(dr),
                });
                (Some(d), Some(dr))
            } else {
                (None, None)
            };
            if kind == "hard" {
                hard += 1;
                let verdict = if w == 17 {
                    "lingering"
                } else if w % 9 == 4 {
                    "unknown"
                } else {
                    "absorbed"
                };
                input.hard_sessions.push(HardMarker {
                    id: id.clone(),
                    start,
                    verdict: verdict.to_owned(),
                    recovery_h: (verdict == "absorbed").then_some(40.0 + 10.0 * rng.next()),
                });
            }
            let hrtss = minutes
                * match kind {
                    "easy" => 0.8,
                    "hard" => 1.4,
                    _ => 1.0,
                };
            loads.push((date, hrtss));
            let name = match (w, kind) {
                (25, "long") => "Sunday long run <b>& \"the hill\"</b> | 'x'".to_owned(),
                (25, "easy") if day == 6 => "<script>alert(1)</script>".to_owned(),
                (_, "hard") => "6 x 800 m".to_owned(),
                _ => format!("{} run", kind),
            };
            input.activities.push(ActivityRow {
                id,
                start,
                name: Some(name),
                sport: Some("running".to_owned()),
                class: Some(kind.to_owned()),
                moving_s,
                distance_m: Some(speed * moving_s),
                avg_hr: Some(a + b * speed + if kind == "hard" { 20.0 } else { 0.0 }),
                ef: Some(speed * 60.0 / (a + b * speed)),
                decoupling_pct: decoupling,
                drift_bpm_per_h: drift,
                hrtss: Some(hrtss),
                elevation_bpm: elevation,
                flags,
            });
        }
        // A second hard session in two weeks: too many hard, back to back.
        let mut flags = Vec::new();
        if w == 17 || w == 24 {
            hard += 2;
            flags.push("too_many_hard".to_owned());
            flags.push("hard_back_to_back".to_owned());
        }
        if w == 8 {
            flags.push("load_spike".to_owned());
        }
        if w == 25 {
            flags.push("too_much_moderate".to_owned());
        }
        let s3 = 0.06 + 0.02 * rng.next();
        let s2 = if w == 25 {
            0.27
        } else {
            0.1 + 0.04 * rng.next()
        };
        input.weeks.push(WeekBar {
            week: format!(
                "{}-W{:02}",
                monday.iso_week().year(),
                monday.iso_week().week()
            ),
            monday,
            runs: 5,
            moving_s: moving,
            distance_m: distance,
            s1_share: Some(1.0 - s2 - s3),
            s2_share: Some(s2),
            s3_share: Some(s3),
            hard_sessions: hard,
            flags,
        });
    }
    // Fitness and fatigue from the daily loads (METRICS.md 4), including rest days.
    let (mut ctl, mut atl) = (25.0, 25.0);
    let last =
        first_monday + Duration::weeks(i64::try_from(WEEKS).unwrap_or(0)) - Duration::days(1);
    let mut d = first_monday;
    // Its own stream: the other series stay as they were before the mornings were added.
    let mut mornings_rng = Lcg(7);
    while d <= last {
        let load: f64 = loads
            .iter()
            .filter(|(ld, _)| *ld == d)
            .map(|(_, l)| l)
            .sum();
        let tsb = ctl - atl;
        ctl += (load - ctl) / 42.0;
        atl += (load - atl) / 7.0;
        input.days.push(DayLoad {
            date: d,
            load,
            ctl,
            atl,
            tsb,
        });
        input
            .mornings
            .push(morning(d, first_monday, &mut mornings_rng));
        d += Duration::days(1);
    }
    input.morning = input.mornings.last().cloned();
    input.readiness = Readiness {
        verdict: "hold_back".to_owned(),
        reasons: vec![
            Reason {
                code: "hard_lingering".to_owned(),
                value: 1.0,
                threshold: None,
                text: "the hard session of 24 Feb has not been absorbed after 72 h".to_owned(),
            },
            Reason {
                code: "tsb".to_owned(),
                value: input.days.last().map_or(0.0, |d| d.tsb),
                threshold: Some(-30.0),
                text: "form (TSB) of today".to_owned(),
            },
        ],
    };
    let long_start = at(last - Duration::days(1), 7);
    input.focus = Some(long_run_trace(long_start, &mut rng));
    input.pace_curve = pace_curve(1.0, &input.hard_sessions[WEEKS - 1], 3600);
    input.pace_curve_previous = pace_curve(0.97, &input.hard_sessions[0], 1800);
    input
}

/// A morning of the fatigue block (weeks 19-21) has a lower HRV and a higher resting HR; the
/// normal range is a fixed band around the athlete's usual ln rMSSD (4.1) from day 60 on.
fn morning(d: NaiveDate, first_monday: NaiveDate, rng: &mut Lcg) -> MorningPoint {
    let day = (d - first_monday).num_days();
    let tired = (19 * 7..22 * 7).contains(&day);
    let ln = 4.1 + 0.06 * rng.next() - if tired { 0.3 } else { 0.0 };
    let mean = 4.1 - if tired { 0.25 } else { 0.0 };
    let rest = 48.0 + rng.next() + if tired { 7.0 } else { 0.0 };
    let mut flags = Vec::new();
    if tired && day >= 19 * 7 + 3 {
        flags.push("hrv_below_normal".to_owned());
        flags.push("resting_hr_elevated".to_owned());
    }
    let ranged = day >= 60;
    MorningPoint {
        date: d,
        resting_hr_bpm: Some(rest.round()),
        resting_hr_median_30d: Some(48.0),
        rmssd_ms: Some(ln.exp()),
        ln_rmssd: Some(ln),
        ln_rmssd_7d_mean: Some(mean),
        ln_rmssd_normal_low: ranged.then_some(4.02),
        ln_rmssd_normal_high: ranged.then_some(4.18),
        sleep_score: Some(80.0),
        flags,
    }
}

/// The durations of the pace-duration curve, seconds.
pub const CURVE_DURATIONS_S: [u32; 7] = [60, 180, 300, 600, 1200, 1800, 3600];

/// A Riegel-like curve, 5 m/s (3:20/km) for 1 min falling to 3.75 m/s (4:27/km) for 60 min,
/// scaled by `scale`, up to `longest_s`; every best held by `by`.
pub fn pace_curve(scale: f64, by: &HardMarker, longest_s: u32) -> Vec<CurvePoint> {
    CURVE_DURATIONS_S
        .iter()
        .filter(|d| **d <= longest_s)
        .map(|&d| CurvePoint {
            duration_s: d,
            speed_m_s: scale * 5.0 * (f64::from(d) / 60.0).powf(-0.07),
            id: by.id.clone(),
            start: by.start,
        })
        .collect()
}

/// A 95-minute long run at 1 Hz: warm-up, steady portion with HR drifting up ~6 bpm/h, a
/// 3-minute stop (a hole in the series), a faster finish.
fn long_run_trace(start: DateTime<Utc>, rng: &mut Lcg) -> ActivityTrace {
    let mut t = Vec::new();
    let mut hr = Vec::new();
    let mut speed = Vec::new();
    for s in 0..95 * 60 {
        let ts = f64::from(s);
        if (50 * 60..53 * 60).contains(&s) {
            continue;
        }
        let m = ts / 60.0;
        let warm = (m / 8.0).min(1.0);
        let v = if m < 8.0 {
            2.6 + 0.3 * warm
        } else if m > 85.0 {
            3.3
        } else {
            2.95
        } + 0.05 * rng.next();
        let h = 105.0
            + 35.0 * warm
            + 6.0 * (m / 60.0)
            + 1.2 * rng.next()
            + if m > 85.0 { 8.0 } else { 0.0 };
        t.push(ts);
        // Dropouts of the strap for a few seconds.
        hr.push(((s % 997) > 4).then_some(h));
        speed.push(Some(v));
    }
    ActivityTrace {
        id: "20260228-long".to_owned(),
        start: Some(start),
        name: Some("Sunday long run <b>& \"the hill\"</b>".to_owned()),
        t_s: t,
        hr_bpm: hr,
        speed_m_s: speed,
        steady: Some(SteadySpan {
            start_s: 10.0 * 60.0,
            end_s: 85.0 * 60.0,
        }),
        drift_line: Some(DriftLine {
            start_s: 10.0 * 60.0,
            end_s: 85.0 * 60.0,
            hr_start_bpm: 141.0,
            hr_end_bpm: 148.5,
            slope_bpm_per_h: 6.0,
        }),
        // Alpha1 every 20 s of the 90 min, falling as the run goes on, with a gap where a
        // strap lost contact.
        alpha1: (6..270)
            .map(|k| {
                let minute = f64::from(k) / 3.0;
                Alpha1Window {
                    minute,
                    alpha1: (!(100..110).contains(&k))
                        .then(|| 1.05 - 0.005 * minute + 0.06 * rng.next()),
                    hr_bpm: Some(138.0 + 0.1 * minute),
                }
            })
            .collect(),
    }
}

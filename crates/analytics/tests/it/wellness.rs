//! Morning readings (METRICS.md section 6) on generated runners whose mornings are known: where
//! resting HR and rMSSD sit, how much they scatter, days without a reading, and the days a
//! lingering hard session lowered HRV and raised resting HR.

use chrono::{Duration, NaiveDate};
use hrdrift_analytics::wellness::{Morning, StoredReading, WellnessDay, days, merge, morning_of};
use hrdrift_ingest::daily::{DailyReading, ReadingSource};

use crate::hrv::Normal;

struct Runner {
    rest_bpm: f64,
    rmssd_ms: f64,
    ln_sd: f64,
    rest_sd: f64,
    missing: f64,
}

/// 400 days of a runner's mornings; the days from which a 4-day dip starts.
fn mornings(seed: u64, r: &Runner, dips: &[i64]) -> (Vec<Morning>, Vec<bool>) {
    let mut g = Normal(seed);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let n = 400;
    let mut out = Vec::new();
    let dipped: Vec<bool> = (0..n)
        .map(|i| dips.iter().any(|d| (*d..d + 4).contains(&(i as i64))))
        .collect();
    for (i, &dip) in dipped.iter().enumerate() {
        let (drest, dln) = if dip { (8.0, -0.35) } else { (0.0, 0.0) };
        let rest = (r.rest_bpm + r.rest_sd * g.next() + drest).round();
        let ln = r.rmssd_ms.ln() + r.ln_sd * g.next() + dln;
        if g.uniform() < r.missing && !dip {
            continue;
        }
        out.push(Morning {
            date: start + Duration::days(i as i64),
            resting_hr_bpm: Some(rest),
            rmssd_ms: Some(ln.exp()),
            sleep_score: Some(80.0),
            feel: None,
            source: "csv".to_owned(),
        });
    }
    (out, dipped)
}

fn index(d: &WellnessDay) -> i64 {
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    (NaiveDate::parse_from_str(&d.date, "%Y-%m-%d").unwrap() - start).num_days()
}

#[test]
fn a_lingering_dip_flags_on_its_days_and_quiet_days_stay_quiet_across_runners() {
    let dips = [90, 150, 230, 320];
    let mut quiet_days = 0;
    let mut false_flags = 0;
    let mut checked = 0;
    let mut rest_flagged = 0;
    for seed in 0..16u64 {
        let mut g = Normal(1000 + seed);
        let r = Runner {
            rest_bpm: 40.0 + 25.0 * g.uniform(),
            rmssd_ms: 30.0 + 60.0 * g.uniform(),
            ln_sd: 0.04 + 0.04 * g.uniform(),
            rest_sd: 0.7 + 0.8 * g.uniform(),
            missing: 0.2 * g.uniform(),
        };
        let (m, dipped) = mornings(seed, &r, &dips);
        let w = days(&m);
        assert!(w.iter().all(WellnessDay::is_finite));
        for d in &w {
            let i = index(d);
            if i < 75 {
                continue;
            }
            if dipped[i as usize] {
                checked += 1;
                if d.has("resting_hr_elevated") {
                    rest_flagged += 1;
                }
                // The 7-day mean needs most of the dip to leave the normal range (a mean of
                // 4 of 7 days 0.35 lower: 0.2 below, about 2 SD of a scattered runner's days).
                let into = dips
                    .iter()
                    .map(|s| i - s)
                    .find(|k| (0..4).contains(k))
                    .unwrap();
                if into == 3 {
                    assert!(d.has("hrv_below_normal"), "seed {seed}, day {i}: {d:?}");
                }
            } else if dips.iter().all(|s| (i - s) > 12 || (i - s) < -1) {
                quiet_days += 1;
                if d.has("hrv_below_normal") || d.has("resting_hr_elevated") {
                    false_flags += 1;
                }
            }
        }
    }
    assert!(checked >= 16 * 4 * 3, "{checked}");
    // 8 bpm up against a threshold of 5 bpm (or 2 sigma) over the median: a noisy runner's
    // morning now and then reads under it.
    let share = f64::from(rest_flagged) / f64::from(checked);
    println!("resting HR elevated on {rest_flagged} of {checked} dipped days");
    assert!(share >= 0.9, "{rest_flagged} of {checked}");
    let rate = f64::from(false_flags) / f64::from(quiet_days);
    println!(
        "{false_flags} false flags on {quiet_days} quiet days ({:.2} %)",
        rate * 100.0
    );
    assert!(rate < 0.02, "{false_flags} of {quiet_days}");
}

#[test]
fn baselines_need_their_readings() {
    let r = Runner {
        rest_bpm: 50.0,
        rmssd_ms: 60.0,
        ln_sd: 0.05,
        rest_sd: 1.0,
        missing: 0.0,
    };
    let (m, _) = mornings(7, &r, &[]);
    let w = days(&m[..20]);
    // 13 readings before day 13: no normal range; 14 before day 14: one.
    assert!(w[13].ln_rmssd_normal_low.is_none());
    assert!(w[14].ln_rmssd_normal_low.is_some());
    assert!(w[6].resting_hr_threshold.is_none());
    assert!(w[7].resting_hr_threshold.is_some());
    assert!(w[1].ln_rmssd_7d_mean.is_none());
    assert!(w[2].ln_rmssd_7d_mean.is_some());
    // The threshold is at least 5 bpm over the median.
    for d in &w[7..] {
        let (t, med) = (
            d.resting_hr_threshold.unwrap(),
            d.resting_hr_median_30d.unwrap(),
        );
        assert!(t - med >= 5.0 - 1e-9, "{d:?}");
    }
}

fn reading(
    date: &str,
    source: ReadingSource,
    rest: Option<f64>,
    rmssd: Option<f64>,
) -> DailyReading {
    DailyReading {
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        source,
        resting_hr_bpm: rest,
        rmssd_ms: rmssd,
        sleep_score: None,
        feel: None,
    }
}

#[test]
fn a_later_import_wins_a_field_and_the_sources_are_named() {
    let rows = [
        StoredReading {
            reading: reading("2026-03-01", ReadingSource::FitMonitoring, Some(50.0), None),
            import_seq: 1,
        },
        StoredReading {
            reading: reading("2026-03-01", ReadingSource::FitHrvStatus, None, Some(55.0)),
            import_seq: 1,
        },
        StoredReading {
            reading: reading("2026-03-01", ReadingSource::Csv, Some(47.0), None),
            import_seq: 2,
        },
        // In one import the watch's file wins over the CSV.
        StoredReading {
            reading: reading("2026-03-02", ReadingSource::Csv, Some(60.0), Some(40.0)),
            import_seq: 3,
        },
        StoredReading {
            reading: reading("2026-03-02", ReadingSource::FitMonitoring, Some(52.0), None),
            import_seq: 3,
        },
    ];
    let m = merge(&rows);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].resting_hr_bpm, Some(47.0));
    assert_eq!(m[0].rmssd_ms, Some(55.0));
    assert_eq!(m[0].source, "fit_hrv_status+csv");
    assert_eq!(m[1].resting_hr_bpm, Some(52.0));
    assert_eq!(m[1].rmssd_ms, Some(40.0));
    assert_eq!(m[1].source, "fit_monitoring+csv");
}

#[test]
fn the_morning_of_today_is_today_or_yesterday() {
    let r = Runner {
        rest_bpm: 50.0,
        rmssd_ms: 60.0,
        ln_sd: 0.05,
        rest_sd: 1.0,
        missing: 0.0,
    };
    let (m, _) = mornings(3, &r, &[]);
    let w = days(&m[..10]);
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(morning_of(&w, d("2025-01-10")).unwrap().date, "2025-01-10");
    assert_eq!(morning_of(&w, d("2025-01-11")).unwrap().date, "2025-01-10");
    assert!(morning_of(&w, d("2025-01-12")).is_none());
    assert_eq!(morning_of(&w, d("2025-01-05")).unwrap().date, "2025-01-05");
    assert!(morning_of(&w, d("2024-12-31")).is_none());
}

/// How the runner felt (METRICS.md section 6) on a synthetic athlete's real rows: an easy run
/// rated hard while its heart rate sat on the baseline, and two steady runs felt weak, are named
/// beside the verdict and stop `push`; one weak run, or an easy rating, is not.
#[test]
fn felt_weak_and_rpe_high_at_easy_are_named_where_they_apply() {
    use hrdrift_analytics::analyze_history;
    use hrdrift_analytics::history::ReadinessVerdict;

    let athlete = hrdrift_synth::generate(&hrdrift_synth::AthleteConfig {
        seed: 7,
        weeks: 16,
        ..hrdrift_synth::AthleteConfig::default()
    });
    let settings = crate::history::settings_of(&athlete.truth);
    let case = crate::history::analysed(athlete, |_| settings.clone());
    let last_ms = case.rows.iter().map(|m| m.end_ms).max().unwrap();
    let h = &case.history;
    // The latest steady run that is easy by pace and on its baseline, with a steady run before.
    let k = h
        .easy_runs
        .iter()
        .rposition(|r| {
            r.elevated == Some(false)
                && r.session_type == Some(hrdrift_analytics::SessionClass::Easy)
        })
        .unwrap();
    assert!(k >= 1);
    let (last, before) = (&h.easy_runs[k], &h.easy_runs[k - 1]);
    let row = |id: &str| case.rows.iter().position(|m| m.id == *id).unwrap();
    let now = case.rows[row(&last.id)].end_ms + 60_000;
    assert!(now <= last_ms + 60_000);
    let codes = |rows: &[hrdrift_analytics::ActivityMetrics]| {
        let h = analyze_history(rows, &settings, now);
        let c: Vec<String> = h.readiness.reasons.iter().map(|r| r.code.clone()).collect();
        (h.readiness.verdict, c)
    };
    let (_, plain) = codes(&case.rows);
    assert!(
        !plain
            .iter()
            .any(|c| c == "felt_weak" || c == "rpe_high_at_easy"),
        "{plain:?}"
    );

    let mut rows = case.rows.clone();
    rows[row(&last.id)].rpe = Some(7.0);
    let (v, c) = codes(&rows);
    assert!(c.iter().any(|c| c == "rpe_high_at_easy"), "{c:?}");
    assert_ne!(v, ReadinessVerdict::Push);
    rows[row(&last.id)].rpe = Some(3.0);
    assert!(!codes(&rows).1.iter().any(|c| c == "rpe_high_at_easy"));

    rows[row(&last.id)].feel = Some(25.0);
    assert!(
        !codes(&rows).1.iter().any(|c| c == "felt_weak"),
        "one weak run is not"
    );
    rows[row(&before.id)].feel = Some(0.0);
    let (v, c) = codes(&rows);
    assert!(c.iter().any(|c| c == "felt_weak"), "{c:?}");
    assert_ne!(v, ReadinessVerdict::Push);
    rows[row(&before.id)].feel = Some(50.0);
    assert!(!codes(&rows).1.iter().any(|c| c == "felt_weak"));

    // Without a feel of their own, the runs take the readings CSV's `feel` (1-5) of their day.
    rows[row(&last.id)].feel = None;
    rows[row(&before.id)].feel = None;
    let day_of = |id: &str| {
        let m = &rows[row(id)];
        let local = m.start_ms + i64::from(m.utc_offset_s.unwrap_or(0)) * 1000;
        chrono::DateTime::from_timestamp_millis(local)
            .unwrap()
            .date_naive()
    };
    let felt = |feel: f64| -> Vec<WellnessDay> {
        let stored: Vec<StoredReading> = [day_of(&before.id), day_of(&last.id)]
            .into_iter()
            .map(|date| StoredReading {
                reading: DailyReading {
                    date,
                    source: ReadingSource::Csv,
                    resting_hr_bpm: None,
                    rmssd_ms: None,
                    sleep_score: None,
                    feel: Some(feel),
                },
                import_seq: 1,
            })
            .collect();
        days(&merge(&stored))
    };
    let with = |mornings: &[WellnessDay]| {
        hrdrift_analytics::analyze_history_with_mornings(&rows, mornings, &settings, now)
            .readiness
            .reasons
            .iter()
            .any(|r| r.code == "felt_weak")
    };
    assert!(with(&felt(2.0)), "2 of 5 is weak");
    assert!(!with(&felt(3.0)), "3 of 5 is not");
}

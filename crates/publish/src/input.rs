//! The report's input (`hrdrift_report::ReportInput`) from the analysis of a store as of a day:
//! what each chart and table shows, chosen and cut to the report's period.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use hrdrift_analytics::history::History;
use hrdrift_analytics::history::words::{self, Warning, num, verdict_words};
use hrdrift_analytics::time::{day_ms, ms_of};
use hrdrift_analytics::{ActivityMetrics, CurvePoint};
use hrdrift_cache::Derived;
use hrdrift_report as rep;
use hrdrift_store::Store;

use crate::Period;

fn utc(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

fn curve_points(points: &[CurvePoint]) -> Vec<rep::CurvePoint> {
    points
        .iter()
        .map(|p| rep::CurvePoint {
            duration_s: p.duration_s,
            speed_m_s: p.speed_m_s,
            id: p.id.clone(),
            start: utc(ms_of(&p.start)),
        })
        .collect()
}

/// One activity's 1 Hz series for the trace chart: the latest long run, else the latest run.
fn focus(store: &Store, d: &Derived, p: Period) -> Option<rep::ActivityTrace> {
    let runs: Vec<&ActivityMetrics> = d
        .metrics
        .iter()
        .filter(|m| p.contains(m.start_ms) && m.avg_hr.is_some())
        .collect();
    let pick = runs
        .iter()
        .rev()
        .find(|m| m.long == Some(true))
        .or_else(|| runs.last())?;
    let want: HashSet<&str> = std::iter::once(pick.id.as_str()).collect();
    let found = Mutex::new(None);
    let _ = store.for_each_activity(&want, |a| {
        let s = hrdrift_analytics::series(&a, &d.settings);
        if let Ok(mut f) = found.lock() {
            *f = Some(s);
        }
    });
    let s = found.into_inner().ok().flatten()?;
    Some(rep::ActivityTrace {
        id: pick.id.clone(),
        start: Some(utc(pick.start_ms)),
        name: Some(format!(
            "{}{}",
            pick.class.map_or("run", |c| c.name()),
            if pick.long == Some(true) {
                ", long"
            } else {
                ""
            }
        )),
        speed_m_s: display_speed(&s.t_s, &s.speed_m_s),
        alpha1: s
            .alpha1
            .iter()
            .map(|w| rep::Alpha1Window {
                minute: w.elapsed_s / 60.0,
                alpha1: w.alpha1,
                hr_bpm: w.hr_bpm,
            })
            .collect(),
        t_s: s.t_s,
        hr_bpm: s.hr_bpm,
        steady: s.steady.map(|st| rep::SteadySpan {
            start_s: st.start_s,
            end_s: st.end_s,
        }),
        drift_line: s.drift_line.map(|l| rep::DriftLine {
            start_s: l.start_s,
            end_s: l.end_s,
            hr_start_bpm: l.hr_start_bpm,
            hr_end_bpm: l.hr_end_bpm,
            slope_bpm_per_h: l.slope_bpm_per_h,
        }),
    })
}

/// Speed for the trace chart: a centred 31 s mean, so the pace line shows the run's shape rather
/// than second-to-second GPS noise (the metrics use the METRICS.md 5 s median, not this).
pub(crate) fn display_speed(t_s: &[f64], v: &[Option<f64>]) -> Vec<Option<f64>> {
    const HALF_S: f64 = 15.0;
    let (mut lo, mut hi) = (0, 0);
    let (mut sum, mut n) = (0.0, 0_u32);
    let mut out = Vec::with_capacity(v.len());
    for (i, &t) in t_s.iter().enumerate() {
        while hi < t_s.len() && t_s[hi] <= t + HALF_S {
            if let Some(x) = v[hi] {
                sum += x;
                n += 1;
            }
            hi += 1;
        }
        while t_s[lo] < t - HALF_S {
            if let Some(x) = v[lo] {
                sum -= x;
                n -= 1;
            }
            lo += 1;
        }
        out.push(v[i].and((n > 0).then(|| sum / f64::from(n))));
    }
    out
}

/// The line above the charts: the anchors in use, which were estimated, and the warnings.
fn athlete_note(d: &Derived, warns: &[Warning]) -> String {
    let u = &d.settings;
    let mut note = format!(
        "HRmax {} · LTHR {} · resting HR {}",
        num(u.hr_max, 0),
        num(u.lthr, 0),
        num(u.hr_rest, 0)
    );
    let est = u.estimated.names();
    if !est.is_empty() {
        note.push_str(&format!(" (estimated from the data: {})", est.join(", ")));
    }
    if !warns.is_empty() {
        let codes: BTreeSet<&str> = warns.iter().map(|w| w.code.as_str()).collect();
        note.push_str(&format!(
            " · warnings: {}",
            codes.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    note
}

fn week_bars(h: &History, p: Period) -> Vec<rep::WeekBar> {
    h.weeks
        .iter()
        .filter_map(|w| {
            let monday = NaiveDate::parse_from_str(&w.monday, "%Y-%m-%d").ok()?;
            p.overlaps(day_ms(&w.monday), 7).then(|| rep::WeekBar {
                week: w.week.clone(),
                monday,
                runs: u32::try_from(w.runs).unwrap_or(u32::MAX),
                moving_s: w.moving_s,
                distance_m: w.distance_m,
                s1_share: w.s1_share,
                s2_share: w.s2_share,
                s3_share: w.s3_share,
                hard_sessions: u32::try_from(w.hard_sessions).unwrap_or(u32::MAX),
                flags: w.flags.clone(),
            })
        })
        .collect()
}

fn day_loads(h: &History, p: Period) -> Vec<rep::DayLoad> {
    h.days
        .iter()
        .filter_map(|day| {
            let date = NaiveDate::parse_from_str(&day.date, "%Y-%m-%d").ok()?;
            p.overlaps(day_ms(&day.date), 1).then_some(rep::DayLoad {
                date,
                load: day.load,
                ctl: day.ctl,
                atl: day.atl,
                tsb: day.tsb,
            })
        })
        .collect()
}

fn activity_rows(store: &Store, d: &Derived, h: &History, p: Period) -> Vec<rep::ActivityRow> {
    // The name a GPX track or the export's index gives (the report shows the id without one).
    let names: HashMap<&str, &str> = store
        .activities()
        .iter()
        .filter_map(|r| Some((r.id.as_str(), r.name.as_deref()?)))
        .collect();
    let elevation: HashMap<&str, f64> = h
        .easy_runs
        .iter()
        .filter_map(|r| Some((r.id.as_str(), r.elevation_bpm?)))
        .collect();
    d.metrics
        .iter()
        .rev()
        .filter(|m| p.contains(m.start_ms))
        .map(|m| rep::ActivityRow {
            id: m.id.clone(),
            start: utc(m.start_ms),
            name: names.get(m.id.as_str()).map(|n| (*n).to_owned()),
            sport: m.sport.clone(),
            class: m.class.map(|c| {
                if m.long == Some(true) {
                    format!("{}, long", c.name())
                } else {
                    c.name().to_owned()
                }
            }),
            moving_s: m.moving_s,
            distance_m: m.distance_m,
            avg_hr: m.avg_hr,
            ef: m.ef,
            decoupling_pct: m.decoupling_pct,
            drift_bpm_per_h: m.drift_bpm_per_h,
            hrtss: m.hrtss,
            elevation_bpm: elevation.get(m.id.as_str()).copied(),
            flags: m.flags.clone(),
        })
        .collect()
}

/// Everything the report shows, as of `p.now_ms`, over starts from `p.since_ms`.
pub(crate) fn report_input(
    store: &Store,
    d: &Derived,
    h: &History,
    p: Period,
    warns: &[Warning],
    curves: (&[CurvePoint], &[CurvePoint]),
) -> rep::ReportInput {
    let (vname, _) = verdict_words(h.readiness.verdict);
    let s = &d.settings;
    rep::ReportInput {
        generated: utc(p.now_ms),
        units: match s.units {
            hrdrift_analytics::Units::Metric => rep::Units::Metric,
            hrdrift_analytics::Units::Imperial => rep::Units::Imperial,
        },
        athlete_note: athlete_note(d, warns),
        readiness: rep::Readiness {
            verdict: vname.to_owned(),
            reasons: h
                .readiness
                .reasons
                .iter()
                .map(|r| rep::Reason {
                    code: r.code.clone(),
                    value: r.value.unwrap_or(f64::NAN),
                    threshold: r.threshold,
                    text: r.text.clone(),
                })
                .collect(),
        },
        easy_runs: h
            .easy_runs
            .iter()
            .filter(|r| p.contains(ms_of(&r.start)))
            .map(|r| rep::EasyRunPoint {
                id: r.id.clone(),
                start: utc(ms_of(&r.start)),
                elevation_bpm: r.elevation_bpm,
                sigma_bpm: r.sigma_bpm,
                elevated: r.elevated == Some(true),
                warm_day: r.warm_day,
                gap_speed_m_s: r.gap_speed_m_s,
                observed_hr_bpm: r.observed_hr_bpm,
            })
            .collect(),
        baseline: words::current_baseline(h, s, p.now_ms).map(|b| rep::BaselineLine {
            intercept_bpm: b.intercept_bpm,
            slope_bpm_per_m_s: b.slope_bpm_per_m_s,
            sigma_bpm: b.sigma_bpm,
            speed_min_m_s: b.speed_min_m_s,
            speed_max_m_s: b.speed_max_m_s,
        }),
        hard_sessions: h
            .hard_sessions
            .iter()
            .filter(|hs| p.contains(ms_of(&hs.start)))
            .map(|hs| rep::HardMarker {
                id: hs.id.clone(),
                start: utc(ms_of(&hs.start)),
                verdict: hs.verdict.name().to_owned(),
                recovery_h: hs.recovery_h,
            })
            .collect(),
        long_runs: d
            .metrics
            .iter()
            .filter(|m| m.long == Some(true) && p.contains(m.start_ms))
            .map(|m| rep::LongRunPoint {
                id: m.id.clone(),
                start: utc(m.start_ms),
                decoupling_pct: m.decoupling_pct,
                drift_bpm_per_h: m.drift_bpm_per_h,
            })
            .collect(),
        weeks: week_bars(h, p),
        days: day_loads(h, p),
        activities: activity_rows(store, d, h, p),
        focus: focus(store, d, p),
        rules: rep::Rules {
            baseline_min_runs: s.baseline_min_runs,
            baseline_days: s.baseline_days,
            elevated_min_bpm: s.elevated_min_bpm,
            elevated_sigmas: s.elevated_sigmas,
            absorbed_within_h: s.absorbed_within_h,
            ctl_days: s.ctl_days,
            atl_days: s.atl_days,
        },
        pace_curve: curve_points(curves.0),
        pace_curve_previous: curve_points(curves.1),
        mornings: d
            .mornings
            .iter()
            .filter(|m| p.contains(hrdrift_analytics::time::day_ms(&m.date)))
            .filter_map(morning_point)
            .collect(),
        morning: chrono::DateTime::from_timestamp_millis(p.now_ms)
            .and_then(|t| hrdrift_analytics::wellness::morning_of(&d.mornings, t.date_naive()))
            .and_then(morning_point),
    }
}

/// A wellness day as the report draws it.
fn morning_point(m: &hrdrift_analytics::wellness::WellnessDay) -> Option<rep::MorningPoint> {
    Some(rep::MorningPoint {
        date: chrono::NaiveDate::parse_from_str(&m.date, "%Y-%m-%d").ok()?,
        resting_hr_bpm: m.resting_hr_bpm,
        resting_hr_median_30d: m.resting_hr_median_30d,
        rmssd_ms: m.hrv_rmssd_ms,
        ln_rmssd: m.ln_rmssd,
        ln_rmssd_7d_mean: m.ln_rmssd_7d_mean,
        ln_rmssd_normal_low: m.ln_rmssd_normal_low,
        ln_rmssd_normal_high: m.ln_rmssd_normal_high,
        sleep_score: m.sleep_score,
        flags: m.flags.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::display_speed;

    #[test]
    fn display_speed_is_a_centred_mean_that_keeps_holes() {
        let t: Vec<f64> = (0..100).map(f64::from).collect();
        let v: Vec<Option<f64>> = (0..100)
            .map(|i| (i != 50).then_some(if i % 2 == 0 { 2.0 } else { 4.0 }))
            .collect();
        let s = display_speed(&t, &v);
        assert_eq!(s[50], None);
        assert!(s[20].is_some_and(|x| (x - 3.0).abs() < 0.1), "{:?}", s[20]);
        assert_eq!(display_speed(&[], &[]), Vec::<Option<f64>>::new());
    }
}

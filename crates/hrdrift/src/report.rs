//! `hrdrift report` and `hrdrift nightly`: the analytics rendered for a person (charts, a page,
//! Markdown) and for a machine (`summary.json`, exit codes).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use hrdrift_analytics::history::History;
use hrdrift_analytics::{ActivityMetrics, CurvePoint, pace_curve};
use hrdrift_report as rep;
use hrdrift_store::import::{ImportOptions, import};
use hrdrift_store::{LockMode, Store};
use serde::Serialize;

use crate::Exit;
use crate::history::parse_since;
use crate::text::{class_name, ms_of, rfc3339, verdict_name};
use hrdrift_analytics::history::words::{self, Warning, verdict_words};
use hrdrift_cache::Derived;

/// Version of `summary.json`. 2: easy runs are steady runs and hard sessions session types
/// from pace (issue 16).
pub const SCHEMA_VERSION: u32 = 2;
pub const SUMMARY_JSON: &str = "summary.json";

/// Every warning `nightly --fail-on` can choose, in the order they are reported.
pub const WARNINGS: [&str; 9] = [
    "hold_back",
    "elevated",
    "lingering",
    "stride_unsteady",
    "too_many_hard",
    "hard_back_to_back",
    "too_much_moderate",
    "no_true_easy",
    "load_spike",
];

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

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Folder to write index.html, the charts, summary.json and summary.md into
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Period the charts and tables cover, before --as-of (`26w`, `1y`, `90d`, or a date)
    #[arg(long, default_value = "26w", value_name = "PERIOD")]
    since: String,
    /// Report as of this day (YYYY-MM-DD) instead of now
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct NightlyArgs {
    /// Folder(s) where new watch files arrive (searched recursively, .gz and .zip opened)
    #[arg(long, required = true, value_name = "DIR")]
    watch: Vec<PathBuf>,
    #[command(flatten)]
    report: ReportArgs,
    /// Warnings that make the run exit with status 5, comma-separated, or `none`
    /// [default: all: hold_back, elevated, lingering, stride_unsteady, too_many_hard,
    /// hard_back_to_back, too_much_moderate, no_true_easy, load_spike]
    #[arg(long, value_name = "LIST")]
    fail_on: Option<String>,
    /// Wait for another hrdrift process writing to the store instead of exiting with status 4
    #[arg(long)]
    wait: bool,
}

#[derive(Serialize)]
struct Summary<'a> {
    schema_version: u32,
    generated: String,
    as_of: String,
    since: String,
    settings: SettingsSummary,
    readiness: &'a hrdrift_analytics::history::Readiness,
    ctl: Option<f64>,
    atl: Option<f64>,
    tsb: Option<f64>,
    warnings: &'a [Warning],
    weeks: Vec<&'a hrdrift_analytics::history::Week>,
    easy_runs: Vec<&'a hrdrift_analytics::history::EasyRun>,
    hard_sessions: Vec<&'a hrdrift_analytics::history::HardSession>,
    activities: Vec<&'a ActivityMetrics>,
    /// Best GAP speed per duration over the report's period, as `curve --json`'s `points`.
    pace_curve: &'a [CurvePoint],
    /// The same over the period of equal length before it.
    pace_curve_previous: &'a [CurvePoint],
}

/// The pace-duration curves of the report's period (`since..=now_ms`, as every other list of the
/// report) and of the period of equal length before it, as `hrdrift curve` computes them.
fn pace_curves(d: &Derived, since: i64, now_ms: i64) -> (Vec<CurvePoint>, Vec<CurvePoint>) {
    let now = pace_curve(&d.metrics, since, now_ms.saturating_add(1));
    let before = pace_curve(
        &d.metrics,
        since.saturating_sub(now_ms.saturating_sub(since)),
        since,
    );
    (now, before)
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

#[derive(Serialize)]
struct SettingsSummary {
    hr_max: Option<f64>,
    hr_rest: Option<f64>,
    lthr: Option<f64>,
    sex: hrdrift_analytics::Sex,
    zone_model: hrdrift_analytics::ZoneModel,
    estimated: Vec<String>,
    fingerprint: String,
}

fn utc(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

/// One activity's 1 Hz series for chart 6: the latest long run, else the latest run.
fn focus(store: &Store, d: &Derived, since: i64, now_ms: i64) -> Option<rep::ActivityTrace> {
    let runs: Vec<&ActivityMetrics> = d
        .metrics
        .iter()
        .filter(|m| m.start_ms >= since && m.start_ms <= now_ms && m.avg_hr.is_some())
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
            pick.class.map_or("run", class_name),
            if pick.long == Some(true) {
                ", long"
            } else {
                ""
            }
        )),
        speed_m_s: display_speed(&s.t_s, &s.speed_m_s),
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
fn display_speed(t_s: &[f64], v: &[Option<f64>]) -> Vec<Option<f64>> {
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

/// Everything a report needs, as of `now_ms`, over starts from `since`.
fn build(
    store: &Store,
    d: &Derived,
    h: &History,
    since: i64,
    now_ms: i64,
    warns: &[Warning],
    curves: (&[CurvePoint], &[CurvePoint]),
) -> rep::ReportInput {
    let in_range = |t: i64| t >= since && t <= now_ms;
    let elevation: HashMap<&str, f64> = h
        .easy_runs
        .iter()
        .filter_map(|r| Some((r.id.as_str(), r.elevation_bpm?)))
        .collect();
    let u = &d.settings;
    let mut note = format!(
        "HRmax {} · LTHR {} · resting HR {}",
        crate::text::num(u.hr_max, 0),
        crate::text::num(u.lthr, 0),
        crate::text::num(u.hr_rest, 0)
    );
    let est = u.estimated.names();
    if !est.is_empty() {
        note.push_str(&format!(" (estimated from the data: {})", est.join(", ")));
    }
    if !warns.is_empty() {
        note.push_str(&format!(
            " · warnings: {}",
            warns
                .iter()
                .map(|w| w.code.as_str())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let (vname, _) = verdict_words(h.readiness.verdict);
    rep::ReportInput {
        generated: utc(now_ms),
        athlete_note: note,
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
            .filter(|r| in_range(ms_of(&r.start)))
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
        baseline: words::current_baseline(h, &d.settings, now_ms).map(|b| rep::BaselineLine {
            intercept_bpm: b.intercept_bpm,
            slope_bpm_per_m_s: b.slope_bpm_per_m_s,
            sigma_bpm: b.sigma_bpm,
            speed_min_m_s: b.speed_min_m_s,
            speed_max_m_s: b.speed_max_m_s,
        }),
        hard_sessions: h
            .hard_sessions
            .iter()
            .filter(|s| in_range(ms_of(&s.start)))
            .map(|s| rep::HardMarker {
                id: s.id.clone(),
                start: utc(ms_of(&s.start)),
                verdict: verdict_name(s.verdict).to_owned(),
                recovery_h: s.recovery_h,
            })
            .collect(),
        long_runs: d
            .metrics
            .iter()
            .filter(|m| m.long == Some(true) && in_range(m.start_ms))
            .map(|m| rep::LongRunPoint {
                id: m.id.clone(),
                start: utc(m.start_ms),
                decoupling_pct: m.decoupling_pct,
                drift_bpm_per_h: m.drift_bpm_per_h,
            })
            .collect(),
        weeks: h
            .weeks
            .iter()
            .filter_map(|w| {
                let monday = NaiveDate::parse_from_str(&w.monday, "%Y-%m-%d").ok()?;
                let t = ms_of(&format!("{}T00:00:00Z", w.monday));
                (t + 7 * 86_400_000 > since && t <= now_ms).then(|| rep::WeekBar {
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
            .collect(),
        days: h
            .days
            .iter()
            .filter_map(|day| {
                let date = NaiveDate::parse_from_str(&day.date, "%Y-%m-%d").ok()?;
                let t = ms_of(&format!("{}T00:00:00Z", day.date));
                (t + 86_400_000 > since && t <= now_ms).then_some(rep::DayLoad {
                    date,
                    load: day.load,
                    ctl: day.ctl,
                    atl: day.atl,
                    tsb: day.tsb,
                })
            })
            .collect(),
        activities: d
            .metrics
            .iter()
            .rev()
            .filter(|m| in_range(m.start_ms))
            .map(|m| rep::ActivityRow {
                id: m.id.clone(),
                start: utc(m.start_ms),
                name: None,
                sport: m.sport.clone(),
                class: m.class.map(|c| {
                    let c = class_name(c);
                    if m.long == Some(true) {
                        format!("{c}, long")
                    } else {
                        c.to_owned()
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
            .collect(),
        focus: focus(store, d, since, now_ms),
        rules: rep::Rules {
            baseline_min_runs: d.settings.baseline_min_runs,
            baseline_days: d.settings.baseline_days,
            elevated_min_bpm: d.settings.elevated_min_bpm,
            elevated_sigmas: d.settings.elevated_sigmas,
            absorbed_within_h: d.settings.absorbed_within_h,
            ctl_days: d.settings.ctl_days,
            atl_days: d.settings.atl_days,
        },
        pace_curve: curve_points(curves.0),
        pace_curve_previous: curve_points(curves.1),
    }
}

/// Writes the report of `store` into `out` and returns the warnings found.
fn write(
    store: &Store,
    d: &Derived,
    out: &Path,
    since_arg: &str,
    now_ms: i64,
) -> anyhow::Result<Vec<Warning>> {
    let since = parse_since(since_arg, now_ms)?;
    let h = hrdrift_analytics::history::analyze_history(&d.metrics, &d.settings, now_ms);
    let warns = words::warnings(&h, &d.settings, now_ms);
    let (curve, curve_before) = pace_curves(d, since, now_ms);
    let input = build(store, d, &h, since, now_ms, &warns, (&curve, &curve_before));
    let files = rep::write_report(&input, out)
        .with_context(|| format!("writing the report into {}", out.display()))?;
    let today = h
        .days
        .iter()
        .rev()
        .find(|day| ms_of(&format!("{}T00:00:00Z", day.date)) <= now_ms);
    let in_range = |t: i64| t >= since && t <= now_ms;
    let summary = Summary {
        schema_version: SCHEMA_VERSION,
        generated: rfc3339(Utc::now().timestamp_millis()),
        as_of: rfc3339(now_ms),
        since: rfc3339(since.max(0)),
        settings: SettingsSummary {
            hr_max: d.settings.hr_max,
            hr_rest: d.settings.hr_rest,
            lthr: d.settings.lthr,
            sex: d.settings.sex,
            zone_model: d.settings.zone_model,
            estimated: d.settings.estimated.names(),
            fingerprint: d.settings.fingerprint(),
        },
        readiness: &h.readiness,
        ctl: today.map(|t| t.ctl),
        atl: today.map(|t| t.atl),
        tsb: today.map(|t| t.tsb),
        warnings: &warns,
        weeks: h
            .weeks
            .iter()
            .filter(|w| {
                let t = ms_of(&format!("{}T00:00:00Z", w.monday));
                t + 7 * 86_400_000 > since && t <= now_ms
            })
            .collect(),
        easy_runs: h
            .easy_runs
            .iter()
            .filter(|r| in_range(ms_of(&r.start)))
            .collect(),
        hard_sessions: h
            .hard_sessions
            .iter()
            .filter(|s| in_range(ms_of(&s.start)))
            .collect(),
        activities: d.metrics.iter().filter(|m| in_range(m.start_ms)).collect(),
        pace_curve: &curve,
        pace_curve_previous: &curve_before,
    };
    let json = serde_json::to_vec_pretty(&summary)?;
    let path = out.join(SUMMARY_JSON);
    let tmp = out.join(format!(".{SUMMARY_JSON}.tmp"));
    std::fs::write(&tmp, &json).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    let (name, words) = verdict_words(h.readiness.verdict);
    println!(
        "report: {} ({} charts, summary.json, summary.md)",
        files.index_html.display(),
        files.charts.len()
    );
    println!("readiness: {} ({words})", name.replace('_', " "));
    for w in &warns {
        println!("warning: {}: {}", w.code, w.text);
    }
    Ok(warns)
}

pub fn report(store_dir: &Path, a: &ReportArgs) -> anyhow::Result<Exit> {
    let now = crate::text::as_of_ms(a.as_of);
    parse_since(&a.since, now)?;
    let (d, store) = hrdrift_cache::for_reading_with_store(store_dir)?;
    for p in &d.problems {
        eprintln!("hrdrift: warning: {p}");
    }
    write(&store, &d, &a.out, &a.since, now)?;
    Ok(Exit::Ok)
}

fn fail_set(list: Option<&str>) -> anyhow::Result<HashSet<String>> {
    let Some(list) = list else {
        return Ok(WARNINGS.iter().map(|s| (*s).to_owned()).collect());
    };
    let mut out = HashSet::new();
    for w in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        if w == "none" {
            continue;
        }
        if !WARNINGS.contains(&w) {
            bail!(
                "--fail-on {w}: not a warning; choose from {} (or none)",
                WARNINGS.join(", ")
            );
        }
        out.insert(w.to_owned());
    }
    Ok(out)
}

pub fn nightly(store_dir: &Path, a: &NightlyArgs) -> anyhow::Result<Exit> {
    let started = std::time::Instant::now();
    let fail_on = fail_set(a.fail_on.as_deref())?;
    let now = crate::text::as_of_ms(a.report.as_of);
    parse_since(&a.report.since, now)?;
    let mode = if a.wait {
        LockMode::Wait
    } else {
        LockMode::Fail
    };
    let mut store = Store::open_write(store_dir, mode)
        .with_context(|| format!("opening the store {}", store_dir.display()))?;
    let mut failed = Vec::new();
    let s = import(&mut store, &a.watch, &ImportOptions::default(), &mut |e| {
        if let hrdrift_store::import::Event::Item {
            name,
            outcome: hrdrift_store::import::Outcome::Failed(why),
            ..
        } = e
        {
            failed.push(format!("{name}: {why}"));
        }
    })
    .with_context(|| format!("importing into the store {}", store_dir.display()))?;
    for f in &failed {
        eprintln!("failed     {f}");
    }
    println!(
        "imported {} new activities ({} files already in the store, {} failed)",
        s.activities,
        s.known,
        s.failed.len()
    );
    let d = hrdrift_cache::update(&mut store)?;
    for p in &d.problems {
        eprintln!("hrdrift: warning: {p}");
    }
    let warns = write(&store, &d, &a.report.out, &a.report.since, now)?;
    let chosen: Vec<&Warning> = warns.iter().filter(|w| fail_on.contains(&w.code)).collect();
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    if chosen.is_empty() {
        Ok(Exit::Ok)
    } else {
        eprintln!(
            "hrdrift: {} warning sign(s) chosen with --fail-on: {}",
            chosen.len(),
            chosen
                .iter()
                .map(|w| w.code.as_str())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(Exit::Warnings)
    }
}

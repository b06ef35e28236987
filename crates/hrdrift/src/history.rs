//! `hrdrift trends`, `weeks` and `readiness`: METRICS.md section 4 over the whole store.

use std::path::Path;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use hrdrift_analytics::history::{
    EasyRun, HardSession, History, Week, analyze_history_with_mornings, words,
};
use serde::Serialize;

use crate::Exit;
use crate::text::{num, pace, rfc3339_secs, short_id};
use hrdrift_analytics::time::{Period, day_ms, ms_of};
use hrdrift_analytics::wellness::WellnessDay;

/// Version of the JSON `trends`, `weeks` and `readiness` print. 2: `easy_runs` lists every
/// steady run (session type easy, or moderate without fast repetitions) with its
/// `session_type`, `hr_class`, `threshold_speed_m_s` and `walk_share`; hard sessions are session
/// types; a week's `easy_runs` and `moderate_runs` count HR classes (issue 16). 3: readiness
/// has `morning`, the day of morning readings it judged (or null), and the reasons
/// `hrv_below_normal`, `resting_hr_elevated` and `hrv_unstable` (issue 19). 4: a day's `load`
/// is a ride's power TSS where it has one, else hrTSS, with `load_from_tss` (issue 20).
pub const SCHEMA_VERSION: u32 = 4;

#[derive(Debug, Clone, clap::Args)]
pub struct When {
    /// Only what started in this period before --as-of: `12w`, `90d`, `6m`, `1y`, or a date (YYYY-MM-DD)
    #[arg(long, value_name = "PERIOD")]
    pub since: Option<String>,
    /// Evaluate as of this day (YYYY-MM-DD, end of day UTC) instead of now
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Machine-readable JSON (versioned by `schema_version`)
    #[arg(long)]
    pub json: bool,
}

impl When {
    pub fn now_ms(&self) -> i64 {
        crate::text::as_of_ms(self.as_of)
    }

    /// The earliest start shown, from `--since` (or `default` when not given).
    pub fn since_ms(&self, default: Option<&str>) -> anyhow::Result<i64> {
        match self.since.as_deref().or(default) {
            None => Ok(i64::MIN),
            Some(s) => parse_since(s, self.now_ms()),
        }
    }
}

/// `12w`, `90d`, `6m` (30-day months), `1y` (365 days), or `YYYY-MM-DD`.
pub fn parse_since(s: &str, now_ms: i64) -> anyhow::Result<i64> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .map_or(i64::MIN, |t| t.and_utc().timestamp_millis()));
    }
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let days_per = match unit {
        "d" => 1,
        "w" => 7,
        "m" => 30,
        "y" => 365,
        _ => bail!("--since {s}: expected a number and d, w, m or y (12w), or a date (2025-01-31)"),
    };
    let n: i64 = n
        .parse()
        .ok()
        .filter(|n| (0..=100_000).contains(n))
        .with_context(|| format!("--since {s}: expected a number before the unit"))?;
    Ok(now_ms.saturating_sub(n * days_per * 86_400_000))
}

/// The analysis of the whole store as of `now_ms`.
pub fn load(store_dir: &Path, now_ms: i64) -> anyhow::Result<(hrdrift_cache::Derived, History)> {
    let d = hrdrift_cache::for_reading(store_dir)?;
    for p in &d.problems {
        eprintln!("hrdrift: warning: {p}");
    }
    let h = analyze_history_with_mornings(&d.metrics, &d.mornings, &d.settings, now_ms);
    Ok((d, h))
}

fn date_of(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

#[derive(Serialize)]
struct TrendsJson<'a> {
    schema_version: u32,
    as_of: String,
    since: Option<String>,
    easy_runs: Vec<&'a EasyRun>,
    hard_sessions: Vec<&'a HardSession>,
}

pub fn trends(store_dir: &Path, w: &When) -> anyhow::Result<Exit> {
    let now = w.now_ms();
    let since = w.since_ms(None)?;
    let (d, h) = load(store_dir, now)?;
    let period = Period {
        since_ms: since,
        now_ms: now,
    };
    let in_range = |start: &str| period.contains(ms_of(start));
    let easy: Vec<&EasyRun> = h.easy_runs.iter().filter(|r| in_range(&r.start)).collect();
    let hard: Vec<&HardSession> = h
        .hard_sessions
        .iter()
        .filter(|r| in_range(&r.start))
        .collect();
    if w.json {
        let out = TrendsJson {
            schema_version: SCHEMA_VERSION,
            as_of: rfc3339_secs(now),
            since: (since > i64::MIN).then(|| rfc3339_secs(since)),
            easy_runs: easy,
            hard_sessions: hard,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Exit::Ok);
    }
    if easy.is_empty() && hard.is_empty() {
        println!(
            "No easy runs or hard sessions in this period. Import runs with `hrdrift import PATH`."
        );
        return Ok(Exit::Ok);
    }
    println!(
        "Steady runs (easy, or moderate at an even pace): heart rate against your baseline at that pace (minutes 10-40)"
    );
    println!(
        "{:<10}  {:<12}  {:>10}  {:>5}  {:>8}  {:>7}  note",
        "date", "id", "GAP pace", "HR", "expected", "diff"
    );
    for r in &easy {
        println!(
            "{:<10}  {:<12}  {:>10}  {:>5}  {:>8}  {:>7}  {}",
            date_of(&r.start),
            short_id(&r.id),
            pace(r.gap_speed_m_s, d.settings.units),
            num(r.observed_hr_bpm, 0),
            num(r.predicted_hr_bpm, 1),
            r.elevation_bpm
                .map_or_else(|| "-".to_owned(), |e| format!("{e:+.1}")),
            words::easy_note(r, &d.settings)
        );
    }
    let aet = hrdrift_analytics::hrv::measured_aet(&d.metrics, now);
    if let Some(line) = hrdrift_analytics::hrv::easy_above_aet(&easy, aet) {
        println!("\nNote: {line}.");
    }
    if !hard.is_empty() {
        println!("\nHard sessions: did the steady runs after them return to baseline?");
        println!("{:<10}  {:<12}  {:<10}  note", "date", "id", "verdict");
        for s in &hard {
            println!(
                "{:<10}  {:<12}  {:<10}  {}",
                date_of(&s.start),
                short_id(&s.id),
                s.verdict.name(),
                words::hard_note(s, &d.settings)
            );
        }
    }
    Ok(Exit::Ok)
}

#[derive(Serialize)]
struct WeeksJson<'a> {
    schema_version: u32,
    as_of: String,
    weeks: Vec<&'a Week>,
    days: Vec<&'a hrdrift_analytics::history::Day>,
}

pub fn weeks(store_dir: &Path, w: &When) -> anyhow::Result<Exit> {
    let now = w.now_ms();
    let since = w.since_ms(Some("12w"))?;
    let (d, h) = load(store_dir, now)?;
    let period = Period {
        since_ms: since,
        now_ms: now,
    };
    let weeks: Vec<&Week> = h
        .weeks
        .iter()
        .filter(|wk| period.overlaps(day_ms(&wk.monday), 7))
        .collect();
    if w.json {
        let days = h
            .days
            .iter()
            .filter(|day| period.overlaps(day_ms(&day.date), 1))
            .collect();
        let out = WeeksJson {
            schema_version: SCHEMA_VERSION,
            as_of: rfc3339_secs(now),
            weeks,
            days,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Exit::Ok);
    }
    if weeks.is_empty() {
        println!("No runs in this period (try --since 1y).");
        return Ok(Exit::Ok);
    }
    println!(
        "{:<8}  {:>4}  {:>7}  {:>6}  {:>5}  {:>4}  {:>7}  {:>12}  {:>4}  {:>5}  warnings",
        "week",
        "runs",
        "hours",
        d.settings.units.distance_unit(),
        "load",
        "hard",
        "spacing",
        "S1/S2/S3 %",
        "PI",
        "cons."
    );
    for wk in &weeks {
        let shares = match (wk.s1_share, wk.s2_share, wk.s3_share) {
            (Some(a), Some(b), Some(c)) => {
                format!("{:.0}/{:.0}/{:.0}", a * 100.0, b * 100.0, c * 100.0)
            }
            _ => "-".to_owned(),
        };
        let flags: Vec<String> = wk
            .flags
            .iter()
            .map(|f| words::week_flag_text(f, wk, &d.settings))
            .collect();
        println!(
            "{:<8}  {:>4}  {:>7.1}  {:>6.1}  {:>5.0}  {:>4}  {:>7}  {:>12}  {:>4}  {:>5}  {}",
            wk.week,
            wk.runs,
            wk.moving_s / 3600.0,
            d.settings.units.distance(wk.distance_m),
            wk.load,
            wk.hard_sessions,
            wk.min_hard_spacing_h
                .map_or_else(|| "-".to_owned(), |h| format!("{h:.0} h")),
            shares,
            num(wk.polarization_index, 1),
            num(wk.consistency, 2),
            if flags.is_empty() {
                "-".to_owned()
            } else {
                flags.join("; ")
            }
        );
        // Other sports' hours under the week: the table's columns are the runs'.
        let others: Vec<String> = wk
            .sport_hours
            .iter()
            .filter(|(sport, h)| {
                sport.as_str() != "unknown"
                    && !hrdrift_analytics::is_running(Some(sport.as_str()))
                    && **h > 0.0
            })
            .map(|(sport, h)| format!("{sport} {h:.1} h"))
            .collect();
        if !others.is_empty() {
            println!("{:<8}  also {}", "", others.join(", "));
        }
    }
    if let Some(day) = h.days.iter().rev().find(|day| day_ms(&day.date) <= now) {
        println!(
            "\n{}: fitness (CTL) {:.0}, fatigue (ATL) {:.0}, form (TSB) {:+.0}{}",
            day.date,
            day.ctl,
            day.atl,
            day.tsb,
            load_basis(&h.days)
        );
    }
    Ok(Exit::Ok)
}

/// Which load CTL/ATL/TSB sum (METRICS.md 7): said only when power TSS is part of it.
fn load_basis(days: &[hrdrift_analytics::Day]) -> String {
    let total: f64 = days.iter().map(|d| d.load).sum();
    let tss: f64 = days.iter().map(|d| d.load_from_tss).sum();
    if tss <= 0.0 || total <= 0.0 {
        return String::new();
    }
    format!(
        " (load: TSS from power for rides with power, {:.0} % of it; hrTSS for the rest)",
        tss / total * 100.0
    )
}

#[derive(Serialize)]
struct ReadinessJson<'a> {
    schema_version: u32,
    as_of: String,
    readiness: &'a hrdrift_analytics::history::Readiness,
    ctl: Option<f64>,
    atl: Option<f64>,
    tsb: Option<f64>,
    morning: Option<&'a WellnessDay>,
}

/// The morning readiness judged: the latest day of readings, when it is of the day of `now`
/// (UTC) or the day before.
fn morning(days: &[WellnessDay], now_ms: i64) -> Option<&WellnessDay> {
    let today = chrono::DateTime::from_timestamp_millis(now_ms)?.date_naive();
    hrdrift_analytics::wellness::morning_of(days, today)
}

pub fn readiness(store_dir: &Path, w: &When) -> anyhow::Result<Exit> {
    let now = w.now_ms();
    let (d, h) = load(store_dir, now)?;
    let today = h.days.iter().rev().find(|day| day_ms(&day.date) <= now);
    let morning = morning(&d.mornings, now);
    if w.json {
        let out = ReadinessJson {
            schema_version: SCHEMA_VERSION,
            as_of: rfc3339_secs(now),
            readiness: &h.readiness,
            ctl: today.map(|d| d.ctl),
            atl: today.map(|d| d.atl),
            tsb: today.map(|d| d.tsb),
            morning,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Exit::Ok);
    }
    let (name, sentence) = words::verdict_words(h.readiness.verdict);
    println!(
        "Readiness {}: {} ({sentence})",
        rfc3339_secs(now).get(..10).unwrap_or_default(),
        name.to_uppercase().replace('_', " ")
    );
    for r in &h.readiness.reasons {
        println!("  - {}", r.text);
    }
    if let Some(d) = today {
        println!(
            "Fitness (CTL) {:.0}, fatigue (ATL) {:.0}, form (TSB) {:+.0} on {}{}",
            d.ctl,
            d.atl,
            d.tsb,
            d.date,
            load_basis(&h.days)
        );
    }
    if let Some(m) = morning {
        let mut parts = Vec::new();
        if let Some(r) = m.resting_hr_bpm {
            parts.push(match m.resting_hr_median_30d {
                Some(med) => format!("resting HR {r:.0} bpm (30-day median {med:.0})"),
                None => format!("resting HR {r:.0} bpm"),
            });
        }
        if let Some(v) = m.hrv_rmssd_ms {
            parts.push(
                match (m.ln_rmssd_7d_mean, m.ln_rmssd_normal_low, m.ln_rmssd_normal_high) {
                    (Some(mean), Some(lo), Some(hi)) => format!(
                        "overnight HRV {v:.0} ms (7-day ln rMSSD {mean:.2}, normal {lo:.2} to {hi:.2})"
                    ),
                    _ => format!("overnight HRV {v:.0} ms (no normal range yet)"),
                },
            );
        }
        if let Some(sl) = m.sleep_score {
            parts.push(format!("sleep score {sl:.0}"));
        }
        println!("Morning of {}: {}", m.date, parts.join(", "));
    } else if !d.mornings.is_empty() {
        println!("No morning readings of today or yesterday: the verdict is on the runs alone");
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn since_periods() {
        let now = 100 * 86_400_000;
        assert_eq!(parse_since("12w", now).unwrap(), now - 84 * 86_400_000);
        assert_eq!(parse_since("1d", now).unwrap(), now - 86_400_000);
        assert_eq!(parse_since("1970-01-02", now).unwrap(), 86_400_000);
        assert!(parse_since("12x", now).is_err());
        assert!(parse_since("w", now).is_err());
        assert!(parse_since("", now).is_err());
    }
}

//! `hrdrift wellness`: the morning readings per day (METRICS.md section 6), with the baselines
//! readiness judges them against.

use std::path::Path;

use anyhow::Context;
use hrdrift_analytics::wellness::WellnessDay;
use hrdrift_store::Store;
use serde::Serialize;

use crate::Exit;
use crate::history::When;
use crate::text::rfc3339_secs;

/// Version of the JSON `wellness` prints.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct WellnessJson<'a> {
    schema_version: u32,
    as_of: String,
    since: Option<String>,
    days: Vec<&'a WellnessDay>,
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.decimals$}"))
}

/// The days of `days` from `since_ms` up to `now_ms` (by their dates, UTC midnight).
fn in_period(days: &[WellnessDay], since_ms: i64, now_ms: i64) -> Vec<&WellnessDay> {
    let label = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.date_naive().format("%Y-%m-%d").to_string())
    };
    let to = label(now_ms).unwrap_or_else(|| "9999-12-31".to_owned());
    let from = if since_ms == i64::MIN {
        String::new()
    } else {
        label(since_ms).unwrap_or_default()
    };
    days.iter()
        .filter(|d| d.date >= from && d.date <= to)
        .collect()
}

pub fn run(store_dir: &Path, w: &When) -> anyhow::Result<Exit> {
    let now = w.now_ms();
    let since = w.since_ms(Some("12w"))?;
    let store = Store::open_read(store_dir)
        .with_context(|| format!("reading the store {}", store_dir.display()))?;
    let all = hrdrift_cache::mornings(&store);
    let days = in_period(&all, since, now);
    if w.json {
        let out = WellnessJson {
            schema_version: SCHEMA_VERSION,
            as_of: rfc3339_secs(now),
            since: (since > i64::MIN).then(|| rfc3339_secs(since)),
            days,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Exit::Ok);
    }
    if all.is_empty() {
        println!(
            "No morning readings in the store. Import your watch's daily files (its Monitor, \
             HRV status and Sleep folders, or a Garmin Connect export) or a CSV with the header \
             date,resting_hr_bpm,rmssd_ms,sleep_score: hrdrift import PATH"
        );
        return Ok(Exit::Ok);
    }
    if days.is_empty() {
        println!(
            "No morning readings in this period ({} days of readings in the store, the latest on {}).",
            all.len(),
            all.last().map_or("-", |d| d.date.as_str())
        );
        return Ok(Exit::Ok);
    }
    println!(
        "{:<10}  {:>7}  {:>9}  {:>9}  {:>5}  {:>4}  {:>7}  {:>13}  {:<28}  source",
        "date", "rest HR", "30d med", "rMSSD ms", "sleep", "feel", "ln 7d", "normal ln", "flags"
    );
    for d in &days {
        let normal = match (d.ln_rmssd_normal_low, d.ln_rmssd_normal_high) {
            (Some(lo), Some(hi)) => format!("{lo:.2}-{hi:.2}"),
            _ => "-".to_owned(),
        };
        println!(
            "{:<10}  {:>7}  {:>9}  {:>9}  {:>5}  {:>4}  {:>7}  {:>13}  {:<28}  {}",
            d.date,
            opt(d.resting_hr_bpm, 0),
            opt(d.resting_hr_median_30d, 0),
            opt(d.hrv_rmssd_ms, 1),
            opt(d.sleep_score, 0),
            opt(d.feel, 0),
            opt(d.ln_rmssd_7d_mean, 2),
            normal,
            if d.flags.is_empty() {
                "-".to_owned()
            } else {
                d.flags.join(",")
            },
            d.source
        );
    }
    let flagged = days.iter().filter(|d| !d.flags.is_empty()).count();
    println!(
        "{} days with readings, {flagged} flagged. The normal range is the mean +- 1 SD of ln \
         rMSSD over the 60 days before (14 readings needed); resting HR is elevated 5 bpm or 2 \
         sigma above the 30-day median.",
        days.len()
    );
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(date: &str) -> WellnessDay {
        WellnessDay {
            date: date.to_owned(),
            resting_hr_bpm: None,
            hrv_rmssd_ms: None,
            sleep_score: None,
            feel: None,
            source: "csv".to_owned(),
            ln_rmssd: None,
            ln_rmssd_7d_mean: None,
            ln_rmssd_normal_low: None,
            ln_rmssd_normal_high: None,
            ln_rmssd_cv_7d: None,
            ln_rmssd_cv_limit: None,
            resting_hr_median_30d: None,
            resting_hr_threshold: None,
            flags: Vec::new(),
        }
    }

    #[test]
    fn the_period_is_by_date_inclusive() {
        let days = [day("2026-01-01"), day("2026-01-02"), day("2026-01-03")];
        let ms = |d: &str| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
        };
        let got = in_period(&days, ms("2026-01-02"), ms("2026-01-03") + 3_600_000);
        let dates: Vec<&str> = got.iter().map(|d| d.date.as_str()).collect();
        assert_eq!(dates, ["2026-01-02", "2026-01-03"]);
        assert_eq!(in_period(&days, i64::MIN, ms("2026-01-01")).len(), 1);
    }
}

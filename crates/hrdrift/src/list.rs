//! `hrdrift activities`.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, FixedOffset, Utc};
use hrdrift_store::{ActivityRow, Store};
use serde::Serialize;

use crate::Exit;

/// Version of the JSON this command prints; bumped on any change a script could notice.
pub const SCHEMA_VERSION: u32 = 1;

/// RFC 3339 in UTC, the form every JSON time in hrdrift takes.
pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(String::new, |t| {
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    })
}

/// The local start time where the file told the offset, else UTC.
fn local_start(r: &ActivityRow) -> String {
    let utc = DateTime::<Utc>::from_timestamp_millis(r.start_ms).unwrap_or_default();
    match r.utc_offset_s.and_then(FixedOffset::east_opt) {
        Some(off) => utc.with_timezone(&off).format("%Y-%m-%d %H:%M").to_string(),
        None => utc.format("%Y-%m-%d %H:%MZ").to_string(),
    }
}

#[derive(Serialize)]
struct JsonActivity<'a> {
    id: &'a str,
    start: String,
    end: String,
    utc_offset_s: Option<i32>,
    sport: Option<&'a str>,
    sub_sport: Option<&'a str>,
    format: &'a str,
    source: &'a str,
    device: JsonDevice<'a>,
    duration_s: f64,
    distance_m: Option<f64>,
    samples: u64,
    hr_samples: u64,
    rr_intervals: u64,
    channels: Vec<&'a str>,
    laps: usize,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct JsonDevice<'a> {
    manufacturer: Option<&'a str>,
    product: Option<&'a str>,
    serial: Option<u64>,
}

fn to_json(r: &ActivityRow) -> JsonActivity<'_> {
    JsonActivity {
        id: &r.id,
        start: rfc3339(r.start_ms),
        end: rfc3339(r.end_ms),
        utc_offset_s: r.utc_offset_s,
        sport: r.sport.as_deref(),
        sub_sport: r.sub_sport.as_deref(),
        format: &r.format,
        source: &r.source,
        device: JsonDevice {
            manufacturer: r.manufacturer.as_deref(),
            product: r.product.as_deref(),
            serial: r.serial,
        },
        duration_s: r.duration_s(),
        distance_m: r.distance_m,
        samples: r.samples,
        hr_samples: r.hr_samples,
        rr_intervals: r.rr_count,
        channels: r.channels.split(',').filter(|c| !c.is_empty()).collect(),
        laps: r.laps.len(),
        warnings: r.warnings.iter().map(|w| w.code.clone()).collect(),
    }
}

fn hms(s: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let s = s.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

pub fn run(store_dir: &Path, json: bool) -> anyhow::Result<Exit> {
    let store = Store::open_read(store_dir)
        .with_context(|| format!("reading the store {}", store_dir.display()))?;
    let rows = store.activities();
    if json {
        let out = serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "store": store_dir.display().to_string(),
            "activities": rows.iter().map(to_json).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Exit::Ok);
    }
    if rows.is_empty() {
        println!(
            "The store {} holds no activities yet: run `hrdrift import PATH`.",
            store_dir.display()
        );
        return Ok(Exit::Ok);
    }
    println!(
        "{:<12} {:<17} {:<9} {:>8} {:>8} {:>6} {:>7}  {:<4} source",
        "id", "start (local)", "sport", "duration", "km", "HR %", "samples", "fmt"
    );
    for r in rows {
        #[allow(clippy::cast_precision_loss)]
        let hr_pct = if r.samples > 0 {
            100.0 * r.hr_samples as f64 / r.samples as f64
        } else {
            0.0
        };
        let source = r.source.rsplit(['/', '\\']).next().unwrap_or(&r.source);
        println!(
            "{:<12} {:<17} {:<9} {:>8} {:>8} {:>5.0}% {:>7}  {:<4} {}{}",
            &r.id[..r.id.len().min(12)],
            local_start(r),
            r.sport.as_deref().unwrap_or("-"),
            hms(r.duration_s()),
            r.distance_m
                .map_or_else(|| "-".to_owned(), |d| format!("{:.2}", d / 1000.0)),
            hr_pct,
            r.samples,
            r.format,
            source,
            if r.warnings.is_empty() {
                String::new()
            } else {
                format!("  [{} warnings]", r.warnings.len())
            }
        );
    }
    println!("{} activities in {}", rows.len(), store_dir.display());
    Ok(Exit::Ok)
}

//! `hrdrift activities`.

use std::path::Path;

use hrdrift_store::ActivityRow;
use serde::Serialize;

use crate::Exit;
use crate::text::{hms, local_time, num, rfc3339_secs, short_id};

/// Version of the JSON this command prints; bumped on any change a script could notice.
/// 2: each activity carries its metrics (the fields of `show --json`) beside its metadata.
/// 3: `class` is the session type from pace (METRICS.md 3a), beside `hr_class`, `class_basis`,
/// `threshold_speed_m_s`, `threshold_source`, `p_zones_s`, `fast_reps`, `walk_share`,
/// `decoupling_quality` and `effort`; `unsteady` follows the 30 s rule of 3b (issue 16).
/// 4: the HRV fields `rr_beats`, `rr_artifact_pct`, `rmssd_ms`, `dfa_a1_mean`, `a1_drift`,
/// `aet_hr_bpm`, each absent with its reason (issue 18).
/// 5: `feel` (0-100) and `rpe` (0-10), how the runner felt, where the watch asked (issue 19).
/// 6: power (issue 20): `np_w`, `avg_power_w`, `ef_power`, `pw_hr_decoupling_pct`, `power` (a
/// ride's summary), and for rides `ftp_w`, `ftp_source`, `if`, `tss`, `power_zones_s`, with
/// `class_basis` `power`; a ride's `ef` and `decoupling_pct` are the power-based ones.
/// 7: `name` (the file's or the export index's), `sport_source` (`index`, `guessed` or null: the
/// file's) and `sport_guessed` (issue 20, item 7).
pub const SCHEMA_VERSION: u32 = 7;

#[derive(Serialize)]
struct JsonActivity<'a> {
    id: &'a str,
    start: String,
    end: String,
    utc_offset_s: Option<i32>,
    name: Option<&'a str>,
    sport: Option<&'a str>,
    sport_source: Option<&'a str>,
    sport_guessed: bool,
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

/// A row's sport, with a `?` when it was told from speed and cadence rather than named.
fn sport_text(r: &ActivityRow) -> String {
    match (r.sport.as_deref(), r.sport_source.as_deref()) {
        (Some(s), Some(hrdrift_ingest::SPORT_GUESSED)) => format!("{s}?"),
        (Some(s), _) => s.to_owned(),
        (None, _) => "-".to_owned(),
    }
}

fn to_json(r: &ActivityRow) -> JsonActivity<'_> {
    JsonActivity {
        id: &r.id,
        start: rfc3339_secs(r.start_ms),
        end: rfc3339_secs(r.end_ms),
        utc_offset_s: r.utc_offset_s,
        name: r.name.as_deref(),
        sport: r.sport.as_deref(),
        sport_source: r.sport_source.as_deref(),
        sport_guessed: r.sport_source.as_deref() == Some(hrdrift_ingest::SPORT_GUESSED),
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

/// One activity's JSON: metadata, then the metrics under their stable names (a metrics field
/// of the same name, such as `distance_m`, is the metrics' value).
fn merged(r: &ActivityRow, m: Option<&hrdrift_analytics::ActivityMetrics>) -> serde_json::Value {
    let mut v = serde_json::to_value(to_json(r)).unwrap_or_default();
    if let (Some(obj), Some(m)) = (v.as_object_mut(), m)
        && let Ok(serde_json::Value::Object(extra)) = serde_json::to_value(m)
    {
        obj.extend(extra);
    }
    v
}

pub fn run(store_dir: &Path, json: bool) -> anyhow::Result<Exit> {
    let (d, store) = hrdrift_cache::for_reading_with_store(store_dir)?;
    let by_id: std::collections::HashMap<&str, &hrdrift_analytics::ActivityMetrics> =
        d.metrics.iter().map(|m| (m.id.as_str(), m)).collect();
    let rows = store.activities();
    if json {
        let out = serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "store": store_dir.display().to_string(),
            "settings": d.settings,
            "activities": rows
                .iter()
                .map(|r| merged(r, by_id.get(r.id.as_str()).copied()))
                .collect::<Vec<_>>(),
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
        "{:<12} {:<17} {:<9} {:>8} {:>7} {:>6} {:>5} {:>6} {:<9} source",
        "id",
        "start (local)",
        "sport",
        "moving",
        d.settings.units.distance_unit(),
        "avg HR",
        "EF",
        "dec %",
        "class"
    );
    for r in rows {
        let m = by_id.get(r.id.as_str()).copied();
        let source = r.source.rsplit(['/', '\\']).next().unwrap_or(&r.source);
        let class = m
            .and_then(|m| m.class)
            .map_or("-", hrdrift_analytics::SessionClass::name);
        let long = if m.and_then(|m| m.long) == Some(true) {
            "+long"
        } else {
            ""
        };
        println!(
            "{:<12} {:<17} {:<9} {:>8} {:>7} {:>6} {:>5} {:>6} {:<9} {}{}",
            short_id(&r.id),
            local_time(r.start_ms, r.utc_offset_s),
            sport_text(r),
            hms(m.map_or(r.duration_s(), |m| m.moving_s)),
            num(
                m.and_then(|m| m.distance_m)
                    .or(r.distance_m)
                    .map(|x| d.settings.units.distance(x)),
                2
            ),
            num(m.and_then(|m| m.avg_hr), 0),
            num(m.and_then(|m| m.ef), 2),
            num(m.and_then(|m| m.decoupling_pct), 1),
            format!("{class}{long}"),
            r.name
                .as_deref()
                .map_or_else(|| source.to_owned(), |n| format!("{source} \"{n}\"")),
            if r.warnings.is_empty() {
                String::new()
            } else {
                format!("  [{} warnings]", r.warnings.len())
            }
        );
    }
    println!("{} activities in {}", rows.len(), store_dir.display());
    for p in &d.problems {
        eprintln!("hrdrift: warning: {p}");
    }
    Ok(Exit::Ok)
}

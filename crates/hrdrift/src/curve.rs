//! `hrdrift curve`: the pace-duration curve, best GAP pace per duration over a period, each
//! with the run that holds it.

use std::path::Path;

use hrdrift_analytics::{CurvePoint, pace_curve};
use serde::Serialize;

use crate::Exit;
use crate::history::When;
use crate::text::rfc3339_secs;
use crate::text::short_id;
use hrdrift_analytics::time::Period;

/// Version of the JSON `curve --json` prints.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct CurveJson {
    schema_version: u32,
    as_of: String,
    since: String,
    /// The best GAP speed per duration in the period.
    points: Vec<CurvePoint>,
    /// The same over the period of equal length before it.
    previous: Vec<CurvePoint>,
}

/// `1 min`, `1 h`.
fn duration_words(s: u32) -> String {
    if s >= 3600 && s.is_multiple_of(3600) {
        format!("{} h", s / 3600)
    } else {
        format!("{} min", s / 60)
    }
}

pub fn run(store_dir: &Path, w: &When) -> anyhow::Result<Exit> {
    let now = w.now_ms();
    let since = w.since_ms(Some("90d"))?;
    let d = hrdrift_cache::for_reading(store_dir)?;
    for p in &d.problems {
        eprintln!("hrdrift: warning: {p}");
    }
    let points = pace_curve(&d.metrics, since, now.saturating_add(1));
    let (from, to) = Period {
        since_ms: since,
        now_ms: now,
    }
    .before();
    let previous = pace_curve(&d.metrics, from, to);
    if w.json {
        let out = CurveJson {
            schema_version: SCHEMA_VERSION,
            as_of: rfc3339_secs(now),
            since: rfc3339_secs(since),
            points,
            previous,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Exit::Ok);
    }
    if points.is_empty() {
        println!("No run with speed in the period.");
        return Ok(Exit::Ok);
    }
    println!(
        "Best GAP pace per duration, {} to {} (the period before in brackets)",
        &rfc3339_secs(since)[..10],
        &rfc3339_secs(now)[..10]
    );
    for p in &points {
        let before = previous
            .iter()
            .find(|q| q.duration_s == p.duration_s)
            .map_or_else(
                || "(-)".to_owned(),
                |q| format!("({})", d.settings.units.pace(q.speed_m_s)),
            );
        println!(
            "  {:>6}  {:>9}  {:>10}  {}  {}",
            duration_words(p.duration_s),
            d.settings.units.pace(p.speed_m_s),
            before,
            p.start.get(..10).unwrap_or(&p.start),
            short_id(&p.id)
        );
    }
    Ok(Exit::Ok)
}

//! The per-activity metrics cache (`metrics.parquet`) and reading activities back from the
//! sample parts.
//!
//! Metrics are derived data: they can always be recomputed from the samples, so the table is
//! written after the activities are committed, and a store whose metrics table is missing,
//! stale or unreadable is still whole (the next run recomputes what it lacks). An import stages
//! the rows its workers computed as metrics parts beside the samples; they are read over the
//! table (a later row of an activity wins) until the next write of the table folds them in. The
//! store does not know what a metrics row holds; it keeps opaque texts per activity, tagged with
//! the fingerprint of the settings they were computed with.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use hrdrift_ingest::{Activity, Device, Format, Samples};
use polars_core::prelude::*;
use rayon::prelude::*;

use crate::error::StoreError;
use crate::tables::{self, ActivityRow, SAMPLE_COLUMNS};

/// One row of `metrics.parquet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsRow {
    pub id: String,
    /// Fingerprint of the settings `pool` was computed with.
    pub pool_fingerprint: String,
    /// The activity's valid-HR histogram, serialized by the caller (pooled to estimate HRmax).
    pub pool: String,
    /// Fingerprint of the settings `metrics_json` was computed with.
    pub fingerprint: String,
    /// The metrics, serialized by the caller.
    pub metrics_json: String,
    /// What the caller needs to compute the settings-dependent part of the metrics again
    /// without the samples, serialized by the caller. Empty when there is none (tables written
    /// before this column), and in a store opened for reading, which has no use for it.
    pub hr_summary: String,
}

/// The columns of `metrics.parquet` but the summary: what a reader loads.
pub(crate) const COLUMNS_BUT_SUMMARY: [&str; 5] = [
    "activity_id",
    "pool_fingerprint",
    "hr_pool",
    "fingerprint",
    "metrics_json",
];

pub(crate) fn metrics_frame(rows: &[MetricsRow]) -> PolarsResult<DataFrame> {
    let col = |name: &str, f: &dyn Fn(&MetricsRow) -> &str| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    DataFrame::new_infer_height(vec![
        col("activity_id", &|r| &r.id),
        col("pool_fingerprint", &|r| &r.pool_fingerprint),
        col("hr_pool", &|r| &r.pool),
        col("fingerprint", &|r| &r.fingerprint),
        col("metrics_json", &|r| &r.metrics_json),
        col("hr_summary", &|r| &r.hr_summary),
    ])
}

pub(crate) fn metrics_from_frame(df: &DataFrame) -> PolarsResult<Vec<MetricsRow>> {
    let s = |name: &str| -> PolarsResult<Vec<String>> {
        Ok(df
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect())
    };
    let ids = s("activity_id")?;
    let pool_fp = s("pool_fingerprint")?;
    let pool = s("hr_pool")?;
    let fp = s("fingerprint")?;
    let json = s("metrics_json")?;
    let summary = if df.column("hr_summary").is_ok() {
        s("hr_summary")?
    } else {
        vec![String::new(); ids.len()]
    };
    Ok(ids
        .into_iter()
        .zip(pool_fp)
        .zip(pool)
        .zip(fp)
        .zip(json)
        .zip(summary)
        .map(
            |(((((id, pool_fingerprint), pool), fingerprint), metrics_json), hr_summary)| {
                MetricsRow {
                    id,
                    pool_fingerprint,
                    pool,
                    fingerprint,
                    metrics_json,
                    hr_summary,
                }
            },
        )
        .collect())
}

/// Reads the samples of the activities in `want` back into the ingest model and hands each to
/// `each`, in parallel. Parts are read one at a time, so memory is bounded by one part (the
/// importer caps a part at its commit size). Developer fields and RR intervals are not read:
/// nothing derived from the store needs them yet.
///
/// Returns the parts that could not be read; the activities in the others were all handed on.
pub(crate) fn for_each_activity<F>(
    dir: &Path,
    rows: &[ActivityRow],
    want: &HashSet<&str>,
    each: F,
) -> Vec<StoreError>
where
    F: Fn(Activity) + Sync,
{
    let mut by_part: HashMap<&str, Vec<&ActivityRow>> = HashMap::new();
    for r in rows.iter().filter(|r| want.contains(r.id.as_str())) {
        by_part.entry(r.part.as_str()).or_default().push(r);
    }
    let mut parts: Vec<_> = by_part.into_iter().collect();
    parts.sort_by(|a, b| a.0.cmp(b.0));
    let mut errors = Vec::new();
    for (part, members) in parts {
        let path = dir.join(part);
        match read_part(&path, &members, &each) {
            Ok(()) => {}
            Err(e) => errors.push(e),
        }
    }
    errors
}

fn read_part<F>(path: &Path, members: &[&ActivityRow], each: &F) -> Result<(), StoreError>
where
    F: Fn(Activity) + Sync,
{
    let df = tables::read_parquet(path)?;
    let err = StoreError::parquet(path);
    let ids = df.column("activity_id").and_then(|c| c.str().cloned());
    let ids = ids.map_err(err)?;
    // Samples of one activity are contiguous in a part: find each activity's range in one pass.
    let mut ranges: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        let id = id.unwrap_or_default();
        ranges
            .entry(id)
            .and_modify(|r| r.1 = i + 1)
            .or_insert((i, i + 1));
    }
    let ts = df
        .column("timestamp")
        .and_then(|c| c.cast(&DataType::Int64))
        .and_then(|c| c.i64().cloned())
        .map_err(StoreError::parquet(path))?;
    let mut cols = Vec::with_capacity(SAMPLE_COLUMNS.len());
    for name in SAMPLE_COLUMNS {
        let c = df
            .column(name)
            .and_then(|c| c.f64().cloned())
            .map_err(StoreError::parquet(path))?;
        cols.push(c);
    }
    let missing: Vec<&str> = members
        .iter()
        .filter(|r| r.samples > 0 && !ranges.contains_key(r.id.as_str()))
        .map(|r| r.id.as_str())
        .collect();
    members.par_iter().for_each(|row| {
        let (lo, hi) = ranges.get(row.id.as_str()).copied().unwrap_or((0, 0));
        let len = hi - lo;
        #[allow(clippy::cast_possible_wrap)]
        let slice = |c: &ChunkedArray<Float64Type>| -> Vec<Option<f64>> {
            c.slice(lo as i64, len).iter().collect()
        };
        let carried: HashSet<&str> = row.channels.split(',').collect();
        let mut samples = Samples {
            #[allow(clippy::cast_possible_wrap)]
            timestamp_ms: ts
                .slice(lo as i64, len)
                .iter()
                .map(|t| t.unwrap_or_default())
                .collect(),
            ..Samples::default()
        };
        for (name, c) in SAMPLE_COLUMNS.iter().zip(&cols) {
            if carried.contains(name)
                && let Some(slot) = samples.channel_mut(name)
            {
                *slot = Some(slice(c));
            }
        }
        each(activity_from_row(row, samples));
    });
    if missing.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Damaged {
            path: path.to_owned(),
            message: format!("no samples for activities {}", missing.join(", ")),
        })
    }
}

fn activity_from_row(r: &ActivityRow, samples: Samples) -> Activity {
    let format = match r.format.as_str() {
        "gpx" => Format::Gpx,
        "tcx" => Format::Tcx,
        _ => Format::Fit,
    };
    Activity {
        id: r.id.clone(),
        source: r.source.clone(),
        format,
        sport: r.sport.clone(),
        sub_sport: r.sub_sport.clone(),
        device: Device {
            manufacturer: r.manufacturer.clone(),
            product: r.product.clone(),
            serial: r.serial,
        },
        start_ms: r.start_ms,
        utc_offset_s: r.utc_offset_s,
        laps: r.laps.clone(),
        pauses: r.pauses.clone(),
        samples,
        rr_ms: Vec::new(),
        profile_hr_rest: r.profile_hr_rest,
        profile_hr_max: r.profile_hr_max,
    }
}

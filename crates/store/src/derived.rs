//! The per-activity metrics cache (`metrics.parquet`) and reading activities back from the
//! sample parts.
//!
//! Metrics are derived data: they can always be recomputed from the samples, so the table is
//! written after the activities are committed, and a store whose metrics table is missing,
//! stale or unreadable is still whole (the next run recomputes what it lacks; so does a table
//! written before the metrics had columns of their own). An import stages the rows its workers
//! computed as metrics parts beside the samples, as the JSON texts they came in; they are read
//! over the table (a later row of an activity wins) until the next write of the table (at the
//! end of that import) folds them in. The store does not know what a metrics row holds: the
//! table keeps the caller's JSON per activity as typed columns (one per field of the metrics,
//! lists and structs as the JSON nests), tagged with the fingerprint of the settings they were
//! computed with.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use hrdrift_ingest::{Activity, Device, Format, Samples};
use polars_core::prelude::*;
use rayon::prelude::*;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::StoreError;
use crate::tables::{self, ActivityRow, SAMPLE_COLUMNS};
use crate::typed::{self, Kind, Text};

/// One row of `metrics.parquet`. The caller's parts are JSON texts, kept as typed columns
/// ([`crate::typed`]); an empty text is a part the row does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsRow {
    pub id: String,
    /// Fingerprint of the settings `pool` was computed with.
    pub pool_fingerprint: String,
    /// The activity's valid-HR histogram, as JSON (pooled to estimate HRmax): column `hr_pool`.
    pub pool: String,
    /// Fingerprint of the settings `metrics_json` was computed with.
    pub fingerprint: String,
    /// The metrics, a JSON object: each of its fields is a column of its own.
    pub metrics_json: String,
    /// What the caller needs to compute the settings-dependent part of the metrics again
    /// without the samples, as JSON. Empty when there is none, and in a store opened for
    /// reading, which has no use for it.
    pub hr_summary: String,
}

/// The store's own columns; every other column is a field of the metrics.
const ID: &str = "activity_id";
const POOL_FINGERPRINT: &str = "pool_fingerprint";
const FINGERPRINT: &str = "fingerprint";
const POOL: &str = "hr_pool";
const SUMMARY: &str = "hr_summary";
const OWN: [&str; 5] = [ID, POOL_FINGERPRINT, FINGERPRINT, POOL, SUMMARY];
/// A metrics part's columns: the row's JSON texts as they came (see [`part_frame`]).
const PART_POOL: &str = "hr_pool_text";
const PART_SUMMARY: &str = "hr_summary_text";
const PART_METRICS: &str = "metrics_text";
/// The columns a reader without use for the HR summaries leaves unread (the table's, a part's).
pub(crate) const SUMMARIES: [&str; 2] = [SUMMARY, PART_SUMMARY];
/// The column of the tables before the metrics were typed (one JSON text per row).
const OLD_JSON: &str = "metrics_json";

/// Rows per row group of `metrics.parquet`: a group's rows are parsed to JSON values to be
/// typed, several times their text (4,096 rows at a time added 50 MB to an import's peak).
pub(crate) const GROUP_ROWS: usize = 512;

/// The types of a table's JSON columns, over all its rows: every row group of the file is
/// built with them, so the groups share one schema.
pub(crate) struct Layout {
    pool: Kind,
    summary: Kind,
    /// The metrics' fields, in the order first seen.
    metrics: Vec<(String, Kind)>,
}

/// Parses one of a row's JSON parts; an empty text is none, and so is one that is not JSON
/// (the row is kept without it, and its caller computes it again: one damaged row does not
/// cost the table).
fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

impl Layout {
    /// The types over `rows`, and over `shape` first (its fields come first too).
    pub(crate) fn of(rows: &[MetricsRow], shape: Option<&MetricsRow>) -> PolarsResult<Self> {
        let (mut pool, mut summary, mut metrics) = (Kind::Null, Kind::Null, Kind::Null);
        let widen = |k: &mut Kind, r: &MetricsRow, what: &str, text: &str| -> PolarsResult<()> {
            k.widen(&parse(text)).map_err(
                |e| polars_err!(ComputeError: "the {what} of activity {} mix types: {e}", r.id),
            )
        };
        // The fields the shape types whole are only scanned in the rows; what it leaves open
        // (a map, typed by its first keys, must still take the keys of the rows after) is parsed.
        let mut closed: HashSet<String> = HashSet::new();
        if let Some(s) = shape {
            widen(&mut pool, s, "pool", &s.pool)?;
            widen(&mut summary, s, "HR summary", &s.hr_summary)?;
            widen(&mut metrics, s, "metrics", &s.metrics_json)?;
            if let Kind::Struct(fields) = &metrics {
                closed = fields
                    .iter()
                    .filter(|(_, k)| k.is_closed())
                    .map(|(n, _)| n.clone())
                    .collect();
            }
        }
        // Parsed in parallel a group at a time (the values of a whole table at once are
        // several times its text), widened in order.
        for group in rows.chunks(GROUP_ROWS) {
            let parsed: Vec<(Value, Value, Value)> = group
                .par_iter()
                .map(|r| {
                    // The shape's pool and summary have every field their type has (they hold
                    // no maps): parsing every row's again, the longest texts of a row, only to
                    // find the same types cost an import of GPX files a tenth of its time.
                    let (pool, summary) = if shape.is_none() {
                        (parse(&r.pool), parse(&r.hr_summary))
                    } else {
                        (Value::Null, Value::Null)
                    };
                    (pool, summary, open_metrics(&r.metrics_json, &closed))
                })
                .collect();
            for (r, (p, s, m)) in group.iter().zip(parsed) {
                let err = |what: &str, e: String| polars_err!(ComputeError: "the {what} of activity {} mix types: {e}", r.id);
                pool.widen(&p).map_err(|e| err("pool", e))?;
                summary.widen(&s).map_err(|e| err("HR summary", e))?;
                metrics.widen(&m).map_err(|e| err("metrics", e))?;
            }
        }
        let metrics = match metrics {
            Kind::Null => Vec::new(),
            Kind::Struct(fields) => fields,
            other => polars_bail!(ComputeError: "metrics must be JSON objects, not {other:?}"),
        };
        if let Some((name, _)) = metrics.iter().find(|(n, _)| OWN.contains(&n.as_str())) {
            polars_bail!(ComputeError: "a metric may not be named {name}: the store's own column");
        }
        Ok(Layout {
            pool,
            summary,
            metrics,
        })
    }
}

/// The fields of one row's metrics that can still widen their kind: those not in `closed`
/// (the fields the shape typed whole, only scanned here: typing a table parsed every row twice,
/// which cost an import a tenth of its time). Metrics that are not an object are none (as a
/// damaged text is).
fn open_metrics(text: &str, closed: &HashSet<String>) -> Value {
    if !closed.is_empty()
        && let Ok(raw) = serde_json::from_str::<HashMap<&str, &RawValue>>(text)
    {
        let mut m = serde_json::Map::new();
        for (k, v) in raw.into_iter().filter(|(k, _)| !closed.contains(*k)) {
            m.insert(k.to_owned(), parse(v.get()));
        }
        return Value::Object(m);
    }
    let m = parse(text);
    if m.is_object() { m } else { Value::Null }
}

pub(crate) fn metrics_frame(rows: &[MetricsRow], layout: &Layout) -> PolarsResult<DataFrame> {
    let text = |name: &str, f: &dyn Fn(&MetricsRow) -> &str| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    // In parallel: the table is written by a store's writer between imports, never on the
    // import's committer thread (whose decode workers, on rayon's pool, wait for it; the
    // metrics parts it writes are texts, see `part_frame`).
    let parsed = |f: &(dyn Fn(&MetricsRow) -> &str + Sync)| -> Vec<Value> {
        rows.par_iter().map(|r| parse(f(r))).collect()
    };
    let json = |name: &str, vals: &[Value], kind: &Kind| -> PolarsResult<Column> {
        let refs: Vec<Option<&Value>> = vals.iter().map(Some).collect();
        Ok(typed::column(name, &refs, kind)?.into_column())
    };
    // The HR summaries, the longest lists, are typed beside the metrics' fields.
    let (own, fields) = rayon::join(
        || -> PolarsResult<Vec<Column>> {
            Ok(vec![
                text(ID, &|r| &r.id),
                text(POOL_FINGERPRINT, &|r| &r.pool_fingerprint),
                text(FINGERPRINT, &|r| &r.fingerprint),
                json(POOL, &parsed(&|r| &r.pool), &layout.pool)?,
                json(SUMMARY, &parsed(&|r| &r.hr_summary), &layout.summary)?,
            ])
        },
        || {
            let metrics = parsed(&|r| &r.metrics_json);
            layout
                .metrics
                .par_iter()
                .map(|(name, kind)| {
                    let vals: Vec<Option<&Value>> = metrics.iter().map(|m| m.get(name)).collect();
                    Ok(typed::column(name, &vals, kind)?.into_column())
                })
                .collect::<PolarsResult<Vec<_>>>()
        },
    );
    let mut cols = own?;
    cols.extend(fields?);
    DataFrame::new_infer_height(cols)
}

/// A metrics part: the rows an import's workers computed, their JSON texts kept as texts.
///
/// A part is a journal, not a table to query: the end of the import that wrote it folds it into
/// `metrics.parquet`, typed there (a crash before leaves it to the next writer's fold). Typing
/// the rows here as well cost the import's committer thread, which the decode workers wait on,
/// about 35 ms a part, and reading them back to text at the fold as much again: a GPX import
/// took 1.18 times as long as with the texts of hrdrift before typed columns.
pub(crate) fn part_frame(rows: &[MetricsRow]) -> PolarsResult<DataFrame> {
    let text = |name: &str, f: &dyn Fn(&MetricsRow) -> &str| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    DataFrame::new_infer_height(vec![
        text(ID, &|r| &r.id),
        text(POOL_FINGERPRINT, &|r| &r.pool_fingerprint),
        text(FINGERPRINT, &|r| &r.fingerprint),
        text(PART_POOL, &|r| &r.pool),
        text(PART_SUMMARY, &|r| &r.hr_summary),
        text(PART_METRICS, &|r| &r.metrics_json),
    ])
}

pub(crate) fn metrics_from_frame(df: &DataFrame) -> PolarsResult<Vec<MetricsRow>> {
    polars_ensure!(
        df.column(OLD_JSON).is_err(),
        ComputeError: "it holds the metrics as JSON text (hrdrift before typed metric columns)"
    );
    if df.column(PART_METRICS).is_ok() {
        return rows_of_part(df);
    }
    rows_of(df)
}

/// The rows of a metrics part ([`part_frame`]); a part read without its summaries has none.
fn rows_of_part(df: &DataFrame) -> PolarsResult<Vec<MetricsRow>> {
    let texts = |name: &str| -> PolarsResult<Vec<String>> {
        let Ok(c) = df.column(name) else {
            return Ok(vec![String::new(); df.height()]);
        };
        Ok(c.str()?
            .iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect())
    };
    let columns = [
        ID,
        POOL_FINGERPRINT,
        FINGERPRINT,
        PART_POOL,
        PART_SUMMARY,
        PART_METRICS,
    ];
    for name in [ID, POOL_FINGERPRINT, FINGERPRINT, PART_POOL, PART_METRICS] {
        df.column(name)?;
    }
    let [id, pool_fp, fp, pool, summary, metrics] = columns.map(texts);
    Ok(id?
        .into_iter()
        .zip(pool_fp?)
        .zip(fp?)
        .zip(pool?)
        .zip(summary?)
        .zip(metrics?)
        .map(
            |(((((id, pool_fingerprint), fingerprint), pool), hr_summary), metrics_json)| {
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

fn rows_of(df: &DataFrame) -> PolarsResult<Vec<MetricsRow>> {
    let texts = |name: &str| -> PolarsResult<Vec<String>> {
        Ok(df
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect())
    };
    let json = |name: &str| -> PolarsResult<Option<Text>> {
        df.column(name)
            .ok()
            .map(|c| Text::of(c.as_materialized_series()))
            .transpose()
    };
    let ids = texts(ID)?;
    let pool_fp = texts(POOL_FINGERPRINT)?;
    let fp = texts(FINGERPRINT)?;
    let pool = json(POOL)?;
    let summary = json(SUMMARY)?;
    let metrics = Text::object(
        df.columns()
            .iter()
            .filter(|c| !OWN.contains(&c.name().as_str()))
            .map(Column::as_materialized_series),
        df.height(),
    )?;
    // The text of row `i` of a column; empty when it is null (or the table has no such column).
    let text = |t: Option<&Text>, i: usize| -> String {
        let mut out = String::new();
        if t.is_some_and(|t| !t.write(i, &mut out)) {
            out.clear();
        }
        out
    };
    // Rows are written in parallel: the metrics' texts are most of a query command's reading.
    Ok(ids
        .into_par_iter()
        .zip(pool_fp)
        .zip(fp)
        .enumerate()
        .map(|(i, ((id, pool_fingerprint), fingerprint))| {
            let mut metrics_json = text(Some(&metrics), i);
            // A row without metrics has every metric column null.
            if metrics_json == "{}" {
                metrics_json.clear();
            }
            MetricsRow {
                id,
                pool_fingerprint,
                pool: text(pool.as_ref(), i),
                fingerprint,
                metrics_json,
                hr_summary: text(summary.as_ref(), i),
            }
        })
        .collect())
}

/// Reads the samples and beat-to-beat intervals of the activities in `want` back into the ingest
/// model and hands each to `each`, in parallel. Parts are read one at a time, so memory is
/// bounded by one part (the importer caps a part at its commit size). Developer fields are not
/// read: nothing derived from the store needs them yet.
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
        let rr = if members.iter().any(|r| r.rr_count > 0) {
            let rr_path = dir.join(part.replacen("samples/", "rr/", 1));
            read_rr(&rr_path).unwrap_or_else(|e| {
                // The activities are still read, without their beats: their metrics then say
                // `no_rr`, and this names the file that lost them.
                errors.push(StoreError::Damaged {
                    path: rr_path,
                    message: format!(
                        "its beat-to-beat intervals could not be read (the activities were read without them): {e}"
                    ),
                });
                HashMap::new()
            })
        } else {
            HashMap::new()
        };
        match read_part(&path, &members, &rr, &each) {
            Ok(()) => {}
            Err(e) => errors.push(e),
        }
    }
    errors
}

/// An activity's intervals and their anchors (empty when the part has none: a store written
/// before they were kept).
type Rr = (Vec<f64>, Vec<i64>);

/// The intervals of an RR part by activity, in their order.
fn read_rr(path: &Path) -> Result<HashMap<String, Rr>, StoreError> {
    let df = tables::read_parquet(path)?;
    let err = StoreError::parquet(path);
    let ids = df.column("activity_id").and_then(|c| c.str().cloned());
    let ids = ids.map_err(err)?;
    let rr = df.column("rr_ms").and_then(|c| c.f64().cloned());
    let rr = rr.map_err(StoreError::parquet(path))?;
    let seq = df.column("seq").and_then(|c| c.cast(&DataType::UInt32));
    let seq = seq
        .and_then(|c| c.u32().cloned())
        .map_err(StoreError::parquet(path))?;
    let ts = match df.column("timestamp") {
        Ok(c) => Some(
            c.cast(&DataType::Int64)
                .and_then(|c| c.i64().cloned())
                .map_err(StoreError::parquet(path))?,
        ),
        Err(_) => None,
    };
    let mut rows: Vec<(&str, u32, f64, Option<i64>)> = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let (Some(id), Some(v)) = (ids.get(i), rr.get(i)) else {
            continue;
        };
        let t = ts.as_ref().and_then(|t| t.get(i));
        rows.push((id, seq.get(i).unwrap_or(u32::MAX), v, t));
    }
    // Written in order; sorted all the same, as the order is what the metrics read.
    rows.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
    let mut out: HashMap<String, Rr> = HashMap::new();
    for (id, _, v, t) in rows {
        let e = out.entry(id.to_owned()).or_default();
        e.0.push(v);
        e.1.push(t.unwrap_or(i64::MIN));
    }
    // Anchors only where every interval has one.
    for (rr, anchors) in out.values_mut() {
        if anchors.len() != rr.len() || anchors.contains(&i64::MIN) {
            anchors.clear();
        }
    }
    Ok(out)
}

fn read_part<F>(
    path: &Path,
    members: &[&ActivityRow],
    rr: &HashMap<String, Rr>,
    each: &F,
) -> Result<(), StoreError>
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
        #[expect(clippy::cast_possible_wrap)]
        let slice = |c: &ChunkedArray<Float64Type>| -> Vec<Option<f64>> {
            c.slice(lo as i64, len).iter().collect()
        };
        let carried: HashSet<&str> = row.channels.split(',').collect();
        let mut samples = Samples {
            #[expect(clippy::cast_possible_wrap)]
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
        let mut a = activity_from_row(row, samples);
        if let Some((ms, anchors)) = rr.get(row.id.as_str()) {
            a.rr_ms.clone_from(ms);
            a.rr_anchor_ms.clone_from(anchors);
        }
        each(a);
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
    let mut a = Activity {
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
        rr_anchor_ms: Vec::new(),
        profile_hr_rest: r.profile_hr_rest,
        profile_hr_max: r.profile_hr_max,
        workout_feel: r.workout_feel,
        workout_rpe: r.workout_rpe,
        name: r.name.clone(),
        sport_source: r.sport_source.clone(),
    };
    // The samples' cadence counts what the stored sport counts: the sport the export index
    // gave since is adopted as the import would have (steps on foot, strides else).
    if let Some((sport, source)) = &r.stored_sport {
        let (now, now_source) = (a.sport.take(), a.sport_source.take());
        a.sport.clone_from(sport);
        a.sport_source.clone_from(source);
        if let (Some(s), Some(src)) = (now.as_deref(), now_source.as_deref()) {
            a.adopt_sport(s, src);
        }
    }
    a
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn row(id: &str, metrics: &str) -> MetricsRow {
        MetricsRow {
            id: id.to_owned(),
            pool_fingerprint: String::new(),
            pool: String::new(),
            fingerprint: String::new(),
            metrics_json: metrics.to_owned(),
            hr_summary: String::new(),
        }
    }

    /// A metrics part keeps each row's texts as they came, damaged or empty ones too (the
    /// fold types them, or drops a damaged one to be computed again), and a reader without use
    /// for the summaries reads it without them.
    #[test]
    fn a_part_keeps_the_rows_texts() {
        let mut rows = vec![
            row("a", r#"{"n":2,"absent":{"x":"why"}}"#),
            row("b", "{not json"),
            row("c", ""),
        ];
        rows[0].pool = r#"{"bpm":[140.5],"seconds":[3]}"#.to_owned();
        rows[0].hr_summary = r#"{"version":3}"#.to_owned();
        rows[1].fingerprint = "f".to_owned();
        let df = part_frame(&rows).unwrap();
        assert!(df.columns().iter().all(|c| c.dtype() == &DataType::String));
        assert_eq!(metrics_from_frame(&df).unwrap(), rows);
        let without = df.drop(PART_SUMMARY).unwrap();
        let back = metrics_from_frame(&without).unwrap();
        assert!(back.iter().all(|r| r.hr_summary.is_empty()));
        assert_eq!(back[0].pool, rows[0].pool);
        // A table is typed: the same rows folded read back as values (the damaged text none).
        let layout = Layout::of(&rows, None).unwrap();
        let typed = rows_of(&metrics_frame(&rows, &layout).unwrap()).unwrap();
        let json = |t: &str| serde_json::from_str::<Value>(t).unwrap();
        assert_eq!(json(&typed[0].metrics_json), json(&rows[0].metrics_json));
        assert_eq!(
            (
                typed[1].metrics_json.as_str(),
                typed[1].fingerprint.as_str()
            ),
            ("", "f")
        );
    }

    /// After a shape, a map it left empty takes every row's keys, though the first row's
    /// already typed it; a field the shape typed whole is not parsed again.
    #[test]
    fn a_map_the_shape_left_open_takes_the_keys_of_every_row() {
        let shape = row("", r#"{"n":1,"absent":{},"w":{"a":0.5}}"#);
        let rows = [
            row("a", r#"{"n":2,"absent":{"x":"why"},"w":{"a":1.5}}"#),
            row(
                "b",
                r#"{"n":3,"absent":{"y":"why not"},"w":null,"new":true}"#,
            ),
        ];
        let layout = Layout::of(&rows, Some(&shape)).unwrap();
        let names: Vec<&str> = layout.metrics.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["absent", "n", "w", "new"]);
        let absent = &layout.metrics[0].1;
        assert_eq!(
            absent,
            &Kind::Struct(vec![("x".into(), Kind::Str), ("y".into(), Kind::Str)])
        );
        // Without a shape every row is parsed whole: the map takes every row's keys too.
        let unshaped = Layout::of(&rows, None).unwrap();
        let absent_of = |l: &Layout| l.metrics.iter().find(|(n, _)| n == "absent").cloned();
        assert_eq!(absent_of(&unshaped), absent_of(&layout));
        let df = metrics_frame(&rows, &layout).unwrap();
        let back = rows_of(&df).unwrap();
        let json = |t: &str| serde_json::from_str::<Value>(t).unwrap();
        assert_eq!(
            json(&back[1].metrics_json),
            json(r#"{"n":3,"absent":{"y":"why not"},"new":true}"#)
        );
    }
}

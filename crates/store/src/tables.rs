//! The store's tables and their Parquet form.
//!
//! Column names carry units; times are `Datetime(ms, UTC)`; a value a file did not carry is null,
//! never 0. Laps, pauses and warnings are small and nested, so they are kept as JSON text in the
//! activities table, which every Parquet reader can open.

use std::fs::File;
use std::path::Path;

use hrdrift_ingest::{Activity, Lap, Pause, Samples, Warning};
use polars_core::prelude::*;
use polars_io::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// One row of `activities.parquet`: an activity's metadata and where its samples are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRow {
    pub id: String,
    /// Content hash of the source file (the id without a session suffix).
    pub source_hash: String,
    pub source: String,
    pub format: String,
    pub sport: Option<String>,
    pub sub_sport: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial: Option<u64>,
    pub start_ms: i64,
    pub end_ms: i64,
    pub utc_offset_s: Option<i32>,
    pub samples: u64,
    pub hr_samples: u64,
    pub distance_m: Option<f64>,
    pub rr_count: u64,
    /// Sample columns this activity carries, comma-separated (`heart_rate_bpm,speed_m_s,...`).
    pub channels: String,
    pub profile_hr_rest: Option<f64>,
    pub profile_hr_max: Option<f64>,
    pub laps: Vec<Lap>,
    pub pauses: Vec<Pause>,
    pub warnings: Vec<Warning>,
    /// The sample part (relative to the store) holding this activity's samples.
    pub part: String,
    pub imported_ms: i64,
}

impl ActivityRow {
    #[must_use]
    pub fn from_activity(
        a: &Activity,
        source_hash: &str,
        warnings: &[Warning],
        part: &str,
        now_ms: i64,
    ) -> Self {
        let s = &a.samples;
        let channels: Vec<&str> = s
            .channels()
            .iter()
            .filter(|(_, c)| c.is_some())
            .map(|(n, _)| *n)
            .collect();
        ActivityRow {
            id: a.id.clone(),
            source_hash: source_hash.to_owned(),
            source: a.source.clone(),
            format: a.format.as_str().to_owned(),
            sport: a.sport.clone(),
            sub_sport: a.sub_sport.clone(),
            manufacturer: a.device.manufacturer.clone(),
            product: a.device.product.clone(),
            serial: a.device.serial,
            start_ms: a.start_ms,
            end_ms: a.end_ms(),
            utc_offset_s: a.utc_offset_s,
            samples: s.len() as u64,
            hr_samples: Samples::present(s.heart_rate_bpm.as_ref()) as u64,
            distance_m: a.distance_m(),
            rr_count: a.rr_ms.len() as u64,
            channels: channels.join(","),
            profile_hr_rest: a.profile_hr_rest,
            profile_hr_max: a.profile_hr_max,
            laps: a.laps.clone(),
            pauses: a.pauses.clone(),
            warnings: warnings.to_vec(),
            part: part.to_owned(),
            imported_ms: now_ms,
        }
    }

    /// Seconds from start to the last sample.
    #[must_use]
    pub fn duration_s(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let d = (self.end_ms - self.start_ms) as f64 / 1000.0;
        d.max(0.0)
    }
}

/// One row of `sources.parquet`: a file (or archive member) already seen, so a re-import can skip
/// it by its content hash without decoding it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRow {
    pub hash: String,
    pub name: String,
    /// `imported`, `duplicate` (same run as another activity) or `not_activity`.
    pub outcome: String,
    pub detail: String,
}

fn utc_ms() -> DataType {
    DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
}

fn col_f64(name: &str, v: Vec<Option<f64>>) -> Column {
    Column::new(name.into(), v)
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// Builds the activities table.
pub fn activities_frame(rows: &[ActivityRow]) -> PolarsResult<DataFrame> {
    let s = |f: fn(&ActivityRow) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
    let start = Column::new(
        "start".into(),
        rows.iter().map(|r| r.start_ms).collect::<Vec<_>>(),
    )
    .cast(&utc_ms())?;
    let end = Column::new(
        "end".into(),
        rows.iter().map(|r| r.end_ms).collect::<Vec<_>>(),
    )
    .cast(&utc_ms())?;
    let imported = Column::new(
        "imported".into(),
        rows.iter().map(|r| r.imported_ms).collect::<Vec<_>>(),
    )
    .cast(&utc_ms())?;
    DataFrame::new_infer_height(vec![
        Column::new("id".into(), s(|r| Some(r.id.clone()))),
        Column::new("source_hash".into(), s(|r| Some(r.source_hash.clone()))),
        Column::new("source".into(), s(|r| Some(r.source.clone()))),
        Column::new("format".into(), s(|r| Some(r.format.clone()))),
        Column::new("sport".into(), s(|r| r.sport.clone())),
        Column::new("sub_sport".into(), s(|r| r.sub_sport.clone())),
        Column::new("manufacturer".into(), s(|r| r.manufacturer.clone())),
        Column::new("product".into(), s(|r| r.product.clone())),
        Column::new(
            "serial".into(),
            rows.iter().map(|r| r.serial).collect::<Vec<_>>(),
        ),
        start,
        end,
        Column::new(
            "utc_offset_s".into(),
            rows.iter().map(|r| r.utc_offset_s).collect::<Vec<_>>(),
        ),
        Column::new(
            "samples".into(),
            rows.iter().map(|r| r.samples).collect::<Vec<_>>(),
        ),
        Column::new(
            "hr_samples".into(),
            rows.iter().map(|r| r.hr_samples).collect::<Vec<_>>(),
        ),
        col_f64("distance_m", rows.iter().map(|r| r.distance_m).collect()),
        Column::new(
            "rr_count".into(),
            rows.iter().map(|r| r.rr_count).collect::<Vec<_>>(),
        ),
        Column::new("channels".into(), s(|r| Some(r.channels.clone()))),
        col_f64(
            "profile_hr_rest",
            rows.iter().map(|r| r.profile_hr_rest).collect(),
        ),
        col_f64(
            "profile_hr_max",
            rows.iter().map(|r| r.profile_hr_max).collect(),
        ),
        Column::new("laps_json".into(), s(|r| Some(json(&r.laps)))),
        Column::new("pauses_json".into(), s(|r| Some(json(&r.pauses)))),
        Column::new("warnings_json".into(), s(|r| Some(json(&r.warnings)))),
        Column::new("part".into(), s(|r| Some(r.part.clone()))),
        imported,
    ])
}

fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(df
        .column(name)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect())
}

fn f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}

fn i64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .collect())
}

fn u64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<u64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::UInt64)?
        .u64()?
        .iter()
        .collect())
}

fn parse_json<T: for<'de> Deserialize<'de> + Default>(s: Option<&String>) -> T {
    s.and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

/// Reads the activities table back into rows.
pub fn activities_from_frame(df: &DataFrame) -> PolarsResult<Vec<ActivityRow>> {
    let id = strs(df, "id")?;
    let hash = strs(df, "source_hash")?;
    let source = strs(df, "source")?;
    let format = strs(df, "format")?;
    let sport = strs(df, "sport")?;
    let sub = strs(df, "sub_sport")?;
    let man = strs(df, "manufacturer")?;
    let prod = strs(df, "product")?;
    let serial = u64s(df, "serial")?;
    let start = i64s(df, "start")?;
    let end = i64s(df, "end")?;
    let off = i64s(df, "utc_offset_s")?;
    let samples = u64s(df, "samples")?;
    let hr = u64s(df, "hr_samples")?;
    let dist = f64s(df, "distance_m")?;
    let rr = u64s(df, "rr_count")?;
    let channels = strs(df, "channels")?;
    let rest = f64s(df, "profile_hr_rest")?;
    let max = f64s(df, "profile_hr_max")?;
    let laps = strs(df, "laps_json")?;
    let pauses = strs(df, "pauses_json")?;
    let warnings = strs(df, "warnings_json")?;
    let part = strs(df, "part")?;
    let imported = i64s(df, "imported")?;
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        out.push(ActivityRow {
            id: id[i].clone().unwrap_or_default(),
            source_hash: hash[i].clone().unwrap_or_default(),
            source: source[i].clone().unwrap_or_default(),
            format: format[i].clone().unwrap_or_default(),
            sport: sport[i].clone(),
            sub_sport: sub[i].clone(),
            manufacturer: man[i].clone(),
            product: prod[i].clone(),
            serial: serial[i],
            start_ms: start[i].unwrap_or(0),
            end_ms: end[i].unwrap_or(0),
            utc_offset_s: off[i].and_then(|x| i32::try_from(x).ok()),
            samples: samples[i].unwrap_or(0),
            hr_samples: hr[i].unwrap_or(0),
            distance_m: dist[i],
            rr_count: rr[i].unwrap_or(0),
            channels: channels[i].clone().unwrap_or_default(),
            profile_hr_rest: rest[i],
            profile_hr_max: max[i],
            laps: parse_json(laps[i].as_ref()),
            pauses: parse_json(pauses[i].as_ref()),
            warnings: parse_json(warnings[i].as_ref()),
            part: part[i].clone().unwrap_or_default(),
            imported_ms: imported[i].unwrap_or(0),
        });
    }
    Ok(out)
}

/// Builds the sources table.
pub fn sources_frame(rows: &[SourceRow]) -> PolarsResult<DataFrame> {
    let col = |name: &str, f: fn(&SourceRow) -> &str| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    DataFrame::new_infer_height(vec![
        col("hash", |r| &r.hash),
        col("name", |r| &r.name),
        col("outcome", |r| &r.outcome),
        col("detail", |r| &r.detail),
    ])
}

/// Reads the sources table back.
pub fn sources_from_frame(df: &DataFrame) -> PolarsResult<Vec<SourceRow>> {
    let hash = strs(df, "hash")?;
    let name = strs(df, "name")?;
    let outcome = strs(df, "outcome")?;
    let detail = strs(df, "detail")?;
    Ok((0..df.height())
        .map(|i| SourceRow {
            hash: hash[i].clone().unwrap_or_default(),
            name: name[i].clone().unwrap_or_default(),
            outcome: outcome[i].clone().unwrap_or_default(),
            detail: detail[i].clone().unwrap_or_default(),
        })
        .collect())
}

/// The sample columns in store order (after `activity_id` and `timestamp`).
pub const SAMPLE_COLUMNS: [&str; 12] = [
    "lat",
    "lon",
    "distance_m",
    "speed_m_s",
    "altitude_m",
    "heart_rate_bpm",
    "cadence_spm",
    "power_w",
    "temperature_c",
    "stance_time_ms",
    "vertical_oscillation_mm",
    "step_length_mm",
];

/// A string column from (value, repeat count) runs: one string is kept per activity or developer
/// channel instead of one per sample.
fn runs(name: &str, runs: &[(String, usize)]) -> Column {
    let ca: StringChunked = runs
        .iter()
        .flat_map(|(v, n)| std::iter::repeat_n(Some(v.as_str()), *n))
        .collect();
    ca.with_name(name.into()).into_column()
}

/// Appends activities' samples, columns in [`SAMPLE_COLUMNS`] order, into column buffers.
#[derive(Default)]
pub struct SampleBuffer {
    /// Activity ids as runs (id, number of samples): one string per activity, not per sample.
    ids: Vec<(String, usize)>,
    ts: Vec<i64>,
    cols: [Vec<Option<f64>>; 12],
    dev_ids: Vec<(String, usize)>,
    dev_ts: Vec<i64>,
    dev_name: Vec<(String, usize)>,
    dev_units: Vec<(String, usize)>,
    dev_val: Vec<f64>,
    rr_ids: Vec<(String, usize)>,
    rr_seq: Vec<u32>,
    rr_ms: Vec<f64>,
}

impl SampleBuffer {
    #[must_use]
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty() && self.dev_ts.is_empty() && self.rr_ms.is_empty()
    }

    pub fn push(&mut self, a: &Activity) {
        let s = &a.samples;
        let n = s.len();
        self.ids.push((a.id.clone(), n));
        self.ts.extend_from_slice(&s.timestamp_ms);
        for (k, (_, c)) in s.channels().iter().enumerate() {
            match c {
                Some(v) => self.cols[k].extend_from_slice(v),
                None => self.cols[k].extend(std::iter::repeat_n(None, n)),
            }
        }
        for d in &s.developer {
            let before = self.dev_val.len();
            for (v, t) in d.values.iter().zip(&s.timestamp_ms) {
                if let Some(v) = v {
                    self.dev_ts.push(*t);
                    self.dev_val.push(*v);
                }
            }
            let added = self.dev_val.len() - before;
            self.dev_ids.push((a.id.clone(), added));
            self.dev_name.push((d.name.clone(), added));
            self.dev_units.push((d.units.clone(), added));
        }
        self.rr_ids.push((a.id.clone(), a.rr_ms.len()));
        self.rr_seq
            .extend((0..a.rr_ms.len()).map(|i| u32::try_from(i).unwrap_or(u32::MAX)));
        self.rr_ms.extend_from_slice(&a.rr_ms);
    }

    /// Takes the buffered samples as (samples, developer fields, RR intervals) frames.
    pub fn take_frames(&mut self) -> PolarsResult<(DataFrame, DataFrame, DataFrame)> {
        let b = std::mem::take(self);
        let mut cols = vec![
            runs("activity_id", &b.ids),
            Column::new("timestamp".into(), b.ts).cast(&utc_ms())?,
        ];
        for (name, v) in SAMPLE_COLUMNS.iter().zip(b.cols) {
            cols.push(col_f64(name, v));
        }
        let samples = DataFrame::new_infer_height(cols)?;
        let dev = DataFrame::new_infer_height(vec![
            runs("activity_id", &b.dev_ids),
            Column::new("timestamp".into(), b.dev_ts).cast(&utc_ms())?,
            runs("name", &b.dev_name),
            runs("units", &b.dev_units),
            Column::new("value".into(), b.dev_val),
        ])?;
        let rr = DataFrame::new_infer_height(vec![
            runs("activity_id", &b.rr_ids),
            Column::new("seq".into(), b.rr_seq),
            Column::new("rr_ms".into(), b.rr_ms),
        ])?;
        Ok((samples, dev, rr))
    }
}

/// Writes a frame as a Parquet file (zstd) and fsyncs it.
pub fn write_parquet(df: &mut DataFrame, path: &Path) -> Result<(), StoreError> {
    let file = File::create(path).map_err(StoreError::io(path))?;
    ParquetWriter::new(&file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::default())
        .finish(df)
        .map_err(StoreError::parquet(path))?;
    file.sync_all().map_err(StoreError::io(path))
}

/// Reads a whole Parquet file.
pub fn read_parquet(path: &Path) -> Result<DataFrame, StoreError> {
    let file = File::open(path).map_err(StoreError::io(path))?;
    ParquetReader::new(file)
        .finish()
        .map_err(StoreError::parquet(path))
}

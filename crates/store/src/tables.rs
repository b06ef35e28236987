//! The store's tables and their Parquet form.
//!
//! Column names carry units; times are `Datetime(ms, UTC)`; a value a file did not carry is null,
//! never 0. Laps, pauses and warnings are small and nested, so they are kept as JSON text in the
//! activities table, which every Parquet reader can open.

use std::fs::File;
use std::path::Path;

use hrdrift_ingest::export_index::IndexEntry;
use hrdrift_ingest::{Activity, Lap, Pause, Samples, Warning};
use polars_arrow::bitmap::MutableBitmap;
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
    /// FIT `session.workout_feel` (0-100) and `workout_rpe` / 10 (issue 19).
    pub workout_feel: Option<f64>,
    pub workout_rpe: Option<f64>,
    /// Its name: the file's (a GPX track's) or the export index's.
    pub name: Option<String>,
    /// Where `sport` came from when the file named none: `index` or `guessed`.
    pub sport_source: Option<String>,
    /// The sport and its source as the table holds them, where the stored export index changed
    /// them when the store was read (the samples' cadence was stored for that sport). Never
    /// written: the table is rewritten from its file's rows and new ones, not from memory.
    #[serde(skip)]
    pub stored_sport: Option<(Option<String>, Option<String>)>,
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
            workout_feel: a.workout_feel,
            workout_rpe: a.workout_rpe,
            name: a.name.clone(),
            sport_source: a.sport_source.clone(),
            stored_sport: None,
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
        #[expect(clippy::cast_precision_loss)]
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

/// One row of `wellness.parquet`: one local calendar day's morning readings from one source
/// (METRICS.md section 6). The day is kept as `YYYY-MM-DD` text: it sorts, DuckDB and polars
/// cast it to a date, and it needs no date type in the build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingRow {
    pub date: String,
    /// `fit_monitoring`, `fit_hrv_status`, `fit_sleep` or `csv`.
    pub source: String,
    pub resting_hr_bpm: Option<f64>,
    pub rmssd_ms: Option<f64>,
    pub sleep_score: Option<f64>,
    /// How the runner felt, 1 (very weak) to 5 (very strong).
    pub feel: Option<f64>,
    /// The file (or archive member) the reading came from.
    pub file: String,
    pub source_hash: String,
    /// Which import wrote it: where two sources give the same value for a day, the later
    /// import's wins.
    pub import_seq: u64,
}

impl ReadingRow {
    /// Takes a later reading of the same day and source: its values replace these, and a value
    /// it does not carry (an empty cell) leaves the one stored.
    pub fn update(&mut self, later: &ReadingRow) {
        for (mine, theirs) in [
            (&mut self.resting_hr_bpm, later.resting_hr_bpm),
            (&mut self.rmssd_ms, later.rmssd_ms),
            (&mut self.sleep_score, later.sleep_score),
            (&mut self.feel, later.feel),
        ] {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        self.file.clone_from(&later.file);
        self.source_hash.clone_from(&later.source_hash);
        self.import_seq = later.import_seq;
    }
}

/// The wellness table's frame.
pub fn readings_frame(rows: &[&ReadingRow]) -> PolarsResult<DataFrame> {
    let f = |name: &str, g: fn(&ReadingRow) -> Option<f64>| {
        col_f64(name, rows.iter().map(|r| g(r)).collect())
    };
    DataFrame::new_infer_height(vec![
        str_col("date", rows, |r| Some(r.date.as_str())),
        str_col("source", rows, |r| Some(r.source.as_str())),
        f("resting_hr_bpm", |r| r.resting_hr_bpm),
        f("rmssd_ms", |r| r.rmssd_ms),
        f("sleep_score", |r| r.sleep_score),
        f("feel", |r| r.feel),
        str_col("file", rows, |r| Some(r.file.as_str())),
        str_col("source_hash", rows, |r| Some(r.source_hash.as_str())),
        Column::new(
            "import_seq".into(),
            rows.iter().map(|r| r.import_seq).collect::<Vec<u64>>(),
        ),
    ])
}

/// Builds the export index table (`export_index.parquet`): one row per activity an export's
/// index names.
pub fn index_frame(entries: &[IndexEntry]) -> PolarsResult<DataFrame> {
    let rows: Vec<&IndexEntry> = entries.iter().collect();
    DataFrame::new_infer_height(vec![
        str_col("origin", &rows, |e| Some(e.origin.as_str())),
        str_col("activity_id", &rows, |e| e.activity_id.as_deref()),
        str_col("file", &rows, |e| e.file.as_deref()),
        Column::new(
            "start".into(),
            rows.iter().map(|e| e.start_ms).collect::<Vec<_>>(),
        )
        .cast(&utc_ms())?,
        str_col("sport", &rows, |e| e.sport.as_deref()),
        str_col("name", &rows, |e| e.name.as_deref()),
    ])
}

/// Reads the export index table back.
pub fn index_from_frame(df: &DataFrame) -> PolarsResult<Vec<IndexEntry>> {
    let origin = strs(df, "origin")?;
    let id = strs(df, "activity_id")?;
    let file = strs(df, "file")?;
    let start = i64s(df, "start")?;
    let sport = strs(df, "sport")?;
    let name = strs(df, "name")?;
    Ok((0..df.height())
        .map(|i| IndexEntry {
            origin: origin[i].clone().unwrap_or_default(),
            activity_id: id[i].clone(),
            file: file[i].clone(),
            start_ms: start[i],
            sport: sport[i].clone(),
            name: name[i].clone(),
        })
        .collect())
}

/// Reads the wellness table back.
pub fn readings_from_frame(df: &DataFrame) -> PolarsResult<Vec<ReadingRow>> {
    let date = strs(df, "date")?;
    let source = strs(df, "source")?;
    let rest = f64s(df, "resting_hr_bpm")?;
    let rmssd = f64s(df, "rmssd_ms")?;
    let sleep = f64s(df, "sleep_score")?;
    let feel = f64s(df, "feel")?;
    let file = strs(df, "file")?;
    let hash = strs(df, "source_hash")?;
    let seq = u64s(df, "import_seq")?;
    Ok((0..df.height())
        .map(|i| ReadingRow {
            date: date[i].clone().unwrap_or_default(),
            source: source[i].clone().unwrap_or_default(),
            resting_hr_bpm: rest[i],
            rmssd_ms: rmssd[i],
            sleep_score: sleep[i],
            feel: feel[i],
            file: file[i].clone().unwrap_or_default(),
            source_hash: hash[i].clone().unwrap_or_default(),
            import_seq: seq[i].unwrap_or(0),
        })
        .collect())
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

/// A string column borrowed from the rows (copied once, into the column).
fn str_col<'a, R: 'a>(name: &str, rows: &[&'a R], f: impl Fn(&'a R) -> Option<&'a str>) -> Column {
    let ca: StringChunked = rows.iter().map(|r| f(r)).collect();
    ca.with_name(name.into()).into_column()
}

/// A JSON text column, each text made and dropped in turn.
fn json_col<R, T: Serialize>(name: &str, rows: &[&R], f: impl Fn(&R) -> &T) -> Column {
    let ca: StringChunked = rows.iter().map(|r| Some(json(f(r)))).collect();
    ca.with_name(name.into()).into_column()
}

/// Builds the activities table. It is rewritten whole at every publish, so it is built from
/// borrowed rows: a store of 10,000 activities is not copied to make it.
pub fn activities_frame(rows: &[&ActivityRow]) -> PolarsResult<DataFrame> {
    let times = |name: &str, f: fn(&ActivityRow) -> i64| {
        Column::new(name.into(), rows.iter().map(|r| f(r)).collect::<Vec<_>>()).cast(&utc_ms())
    };
    DataFrame::new_infer_height(vec![
        str_col("id", rows, |r| Some(r.id.as_str())),
        str_col("source_hash", rows, |r| Some(r.source_hash.as_str())),
        str_col("source", rows, |r| Some(r.source.as_str())),
        str_col("format", rows, |r| Some(r.format.as_str())),
        str_col("sport", rows, |r| r.sport.as_deref()),
        str_col("sub_sport", rows, |r| r.sub_sport.as_deref()),
        str_col("manufacturer", rows, |r| r.manufacturer.as_deref()),
        str_col("product", rows, |r| r.product.as_deref()),
        Column::new(
            "serial".into(),
            rows.iter().map(|r| r.serial).collect::<Vec<_>>(),
        ),
        times("start", |r| r.start_ms)?,
        times("end", |r| r.end_ms)?,
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
        str_col("channels", rows, |r| Some(r.channels.as_str())),
        col_f64(
            "profile_hr_rest",
            rows.iter().map(|r| r.profile_hr_rest).collect(),
        ),
        col_f64(
            "profile_hr_max",
            rows.iter().map(|r| r.profile_hr_max).collect(),
        ),
        col_f64(
            "workout_feel",
            rows.iter().map(|r| r.workout_feel).collect(),
        ),
        col_f64("workout_rpe", rows.iter().map(|r| r.workout_rpe).collect()),
        str_col("name", rows, |r| r.name.as_deref()),
        str_col("sport_source", rows, |r| r.sport_source.as_deref()),
        json_col("laps_json", rows, |r| &r.laps),
        json_col("pauses_json", rows, |r| &r.pauses),
        json_col("warnings_json", rows, |r| &r.warnings),
        str_col("part", rows, |r| Some(r.part.as_str())),
        times("imported", |r| r.imported_ms)?,
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
    // A table written before issue 19 has neither column.
    let optional = |name: &str| -> PolarsResult<Vec<Option<f64>>> {
        if df.column(name).is_ok() {
            f64s(df, name)
        } else {
            Ok(vec![None; df.height()])
        }
    };
    let feel = optional("workout_feel")?;
    let rpe = optional("workout_rpe")?;
    // Nor these, before issue 20.
    let optional_str = |name: &str| -> PolarsResult<Vec<Option<String>>> {
        if df.column(name).is_ok() {
            strs(df, name)
        } else {
            Ok(vec![None; df.height()])
        }
    };
    let name = optional_str("name")?;
    let sport_source = optional_str("sport_source")?;
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
            workout_feel: feel[i],
            workout_rpe: rpe[i],
            name: name[i].clone(),
            sport_source: sport_source[i].clone(),
            stored_sport: None,
            laps: parse_json(laps[i].as_ref()),
            pauses: parse_json(pauses[i].as_ref()),
            warnings: parse_json(warnings[i].as_ref()),
            part: part[i].clone().unwrap_or_default(),
            imported_ms: imported[i].unwrap_or(0),
        });
    }
    Ok(out)
}

/// Builds the sources table (from borrowed rows, like [`activities_frame`]).
pub fn sources_frame(rows: &[&SourceRow]) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        str_col("hash", rows, |r| Some(r.hash.as_str())),
        str_col("name", rows, |r| Some(r.name.as_str())),
        str_col("outcome", rows, |r| Some(r.outcome.as_str())),
        str_col("detail", rows, |r| Some(r.detail.as_str())),
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
fn runs(name: &str, runs: &[(&str, usize)]) -> Column {
    let ca: StringChunked = runs
        .iter()
        .flat_map(|(v, n)| std::iter::repeat_n(Some(*v), *n))
        .collect();
    ca.with_name(name.into()).into_column()
}

/// A `Float64` column of `len` values from each activity's channel (`None`: the activity does not
/// carry it), with a validity bitmap: 8 bytes and a bit per value, where the activities' own
/// `Vec<Option<f64>>` take 16.
fn f64_column(name: &str, len: usize, channels: &[(usize, Option<Vec<Option<f64>>>)]) -> Column {
    let mut values = Vec::with_capacity(len);
    let mut valid = MutableBitmap::with_capacity(len);
    for (n, c) in channels {
        match c {
            Some(v) => {
                for x in v {
                    values.push(x.unwrap_or_default());
                    valid.push(x.is_some());
                }
            }
            None => {
                values.resize(values.len() + n, 0.0);
                valid.extend_constant(*n, false);
            }
        }
    }
    let validity = (valid.unset_bits() > 0).then(|| valid.into());
    Float64Chunked::from_vec_validity(name.into(), values, validity).into_column()
}

/// The samples, developer fields and RR intervals of `activities` as the three part frames.
///
/// Each channel's vectors are freed as soon as its column is built, so a batch's samples are
/// held about once (in the activities, then in the frame) rather than twice, which with two
/// batches in flight is most of an import's memory.
pub fn sample_frames(
    activities: &mut [&mut Activity],
) -> PolarsResult<(DataFrame, DataFrame, DataFrame)> {
    let total: usize = activities.iter().map(|a| a.samples.len()).sum();
    let ids: Vec<(&str, usize)> = activities
        .iter()
        .map(|a| (a.id.as_str(), a.samples.len()))
        .collect();
    let mut ts = Vec::with_capacity(total);
    for a in activities.iter() {
        ts.extend_from_slice(&a.samples.timestamp_ms);
    }
    let mut cols = vec![
        runs("activity_id", &ids),
        Column::new("timestamp".into(), ts).cast(&utc_ms())?,
    ];
    drop(ids);
    for name in SAMPLE_COLUMNS {
        let taken: Vec<(usize, Option<Vec<Option<f64>>>)> = activities
            .iter_mut()
            .map(|a| {
                let n = a.samples.len();
                (n, a.samples.channel_mut(name).and_then(Option::take))
            })
            .collect();
        cols.push(f64_column(name, total, &taken));
    }
    let samples = DataFrame::new_infer_height(cols)?;

    let mut dev_ids = Vec::new();
    let mut dev_name = Vec::new();
    let mut dev_units = Vec::new();
    let mut dev_ts = Vec::new();
    let mut dev_val = Vec::new();
    for a in activities.iter() {
        let s = &a.samples;
        for d in &s.developer {
            let before = dev_val.len();
            for (v, t) in d.values.iter().zip(&s.timestamp_ms) {
                if let Some(v) = v {
                    dev_ts.push(*t);
                    dev_val.push(*v);
                }
            }
            let added = dev_val.len() - before;
            dev_ids.push((a.id.as_str(), added));
            dev_name.push((d.name.as_str(), added));
            dev_units.push((d.units.as_str(), added));
        }
    }
    let dev = DataFrame::new_infer_height(vec![
        runs("activity_id", &dev_ids),
        Column::new("timestamp".into(), dev_ts).cast(&utc_ms())?,
        runs("name", &dev_name),
        runs("units", &dev_units),
        Column::new("value".into(), dev_val),
    ])?;

    let rr_ids: Vec<(&str, usize)> = activities
        .iter()
        .map(|a| (a.id.as_str(), a.rr_ms.len()))
        .collect();
    let rr_seq: Vec<u32> = activities
        .iter()
        .flat_map(|a| (0..a.rr_ms.len()).map(|i| u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    let rr_ms: Vec<f64> = activities
        .iter()
        .flat_map(|a| a.rr_ms.iter().copied())
        .collect();
    // Null where an activity's intervals have no anchors (see `Activity::rr_anchor_ms`).
    let rr_ts: Vec<Option<i64>> = activities
        .iter()
        .flat_map(|a| {
            let anchored = a.rr_anchor_ms.len() == a.rr_ms.len();
            (0..a.rr_ms.len()).map(move |i| anchored.then(|| a.rr_anchor_ms[i]))
        })
        .collect();
    let rr = DataFrame::new_infer_height(vec![
        runs("activity_id", &rr_ids),
        Column::new("seq".into(), rr_seq),
        Column::new("timestamp".into(), rr_ts).cast(&utc_ms())?,
        Column::new("rr_ms".into(), rr_ms),
    ])?;
    Ok((samples, dev, rr))
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

/// Rows per row group of the tables written with [`write_parquet_chunked`].
pub const CHUNK_ROWS: usize = 4096;

/// Writes a table of `rows` rows as a Parquet file (zstd) in row groups of [`CHUNK_ROWS`], making
/// each group's frame with `frame(range)` only when it is written, and fsyncs it.
///
/// The activities and metrics tables are rewritten whole, and built at once they were the
/// largest thing an import of 10,000 files held at its end; a group at a time they are not.
pub fn write_parquet_chunked(
    path: &Path,
    rows: usize,
    frame: impl Fn(std::ops::Range<usize>) -> PolarsResult<DataFrame> + Sync,
) -> Result<(), StoreError> {
    write_parquet_groups(path, rows, CHUNK_ROWS, frame)
}

/// [`write_parquet_chunked`] in groups of `group` rows. The next group's frame is made while
/// the last one is encoded: typing a large metrics table and encoding it took about as long
/// each, one after the other.
pub fn write_parquet_groups(
    path: &Path,
    rows: usize,
    group: usize,
    frame: impl Fn(std::ops::Range<usize>) -> PolarsResult<DataFrame> + Sync,
) -> Result<(), StoreError> {
    let group = group.max(1);
    // An empty table still gets its one (empty) group, for its schema.
    let starts: Vec<usize> = (0..rows.max(1)).step_by(group).collect();
    let (send, frames) = std::sync::mpsc::sync_channel(1);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for &lo in &starts {
                let df = frame(lo..(lo + group).min(rows));
                let failed = df.is_err();
                // The writer stopped (a failed write): nothing more to make.
                if send.send(df).is_err() || failed {
                    break;
                }
            }
            drop(send);
        });
        write_parquet_frames(path, frames)
    })
}

/// Writes `frames`, each as one or more row groups, as a Parquet file (zstd), and fsyncs it. The
/// first frame gives the schema, so there must be one, even if empty.
pub fn write_parquet_frames(
    path: &Path,
    frames: impl IntoIterator<Item = PolarsResult<DataFrame>>,
) -> Result<(), StoreError> {
    let mut frames = frames.into_iter();
    let first = frames
        .next()
        .unwrap_or_else(|| Err(PolarsError::NoData("no frame to write".into())))
        .map_err(StoreError::parquet(path))?;
    let file = File::create(path).map_err(StoreError::io(path))?;
    let mut writer = ParquetWriter::new(&file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::default())
        .batched(first.schema())
        .map_err(StoreError::parquet(path))?;
    writer
        .write_batch(&first)
        .map_err(StoreError::parquet(path))?;
    drop(first);
    for df in frames {
        let df = df.map_err(StoreError::parquet(path))?;
        if df.height() > 0 {
            writer.write_batch(&df).map_err(StoreError::parquet(path))?;
        }
    }
    writer.finish().map_err(StoreError::parquet(path))?;
    file.sync_all().map_err(StoreError::io(path))
}

/// Reads a whole Parquet file.
pub fn read_parquet(path: &Path) -> Result<DataFrame, StoreError> {
    let file = File::open(path).map_err(StoreError::io(path))?;
    ParquetReader::new(file)
        .finish()
        .map_err(StoreError::parquet(path))
}

/// Reads every column of a Parquet file but those in `skip`.
pub fn read_parquet_except(path: &Path, skip: &[&str]) -> Result<DataFrame, StoreError> {
    let file = File::open(path).map_err(StoreError::io(path))?;
    let mut reader = ParquetReader::new(file);
    let schema = reader.schema().map_err(StoreError::parquet(path))?;
    let keep = schema
        .iter_names()
        .filter(|n| !skip.contains(&n.as_str()))
        .map(|n| n.to_string())
        .collect();
    reader
        .with_columns(Some(keep))
        .finish()
        .map_err(StoreError::parquet(path))
}

/// Reads only `columns` of a Parquet file (each must be in it).
pub fn read_parquet_columns(path: &Path, columns: &[&str]) -> Result<DataFrame, StoreError> {
    let file = File::open(path).map_err(StoreError::io(path))?;
    ParquetReader::new(file)
        .with_columns(Some(columns.iter().map(|c| (*c).to_owned()).collect()))
        .finish()
        .map_err(StoreError::parquet(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(n: usize) -> Vec<SourceRow> {
        (0..n)
            .map(|i| SourceRow {
                hash: format!("{i:032x}"),
                name: format!("export/activity-{i}.fit"),
                outcome: if i % 7 == 0 { "duplicate" } else { "imported" }.to_owned(),
                detail: if i % 7 == 0 {
                    format!("same run as {}", i / 7)
                } else {
                    String::new()
                },
            })
            .collect()
    }

    #[test]
    fn a_table_written_a_row_group_at_a_time_reads_back_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Empty, less than one group, exactly one, and several with a partial last one.
        for n in [0, 5, CHUNK_ROWS, 2 * CHUNK_ROWS + 17] {
            let rows = sources(n);
            let refs: Vec<&SourceRow> = rows.iter().collect();
            let path = dir.path().join(format!("sources-{n}.parquet"));
            write_parquet_chunked(&path, refs.len(), |r| sources_frame(&refs[r])).expect("write");
            let df = read_parquet(&path).expect("read");
            assert_eq!(df.height(), n);
            assert_eq!(sources_from_frame(&df).expect("rows"), rows, "{n} rows");
        }
    }
}

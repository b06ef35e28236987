//! The hrdrift store: a directory of Parquet files that other tools can read as they are.
//!
//! ```text
//! store/
//!   store.json              manifest: schema version, generation, the files that belong to the store
//!   activities.parquet      one row per activity (metadata, source, sample part)
//!   sources.parquet         one row per file already seen (content hash, outcome) for skipping
//!   samples/part-N.parquet  samples of one staged batch (activity_id, timestamp, ...); part of the store once published
//!   developer/part-N.parquet  FIT developer fields, long form (activity_id, timestamp, name, units, value)
//!   rr/part-N.parquet       beat-to-beat intervals (activity_id, seq, timestamp of the last record before them, rr_ms)
//!   wellness.parquet        morning readings: one row per local day and source (resting HR,
//!                           overnight rMSSD, sleep score, feel), replaced by a later import
//!   metrics.parquet         per-activity metrics cache (derived; recomputed when missing or stale)
//!   metrics/part-N.parquet  metrics computed while importing part N; over metrics.parquet, until
//!                           the next write of the cache folds them into it
//!   .staging/               files being written; never read
//!   .lock                   locked (flock) by the one process writing
//! ```
//!
//! Invariants:
//! - `activities.parquet` is the commit point, `store.json` follows it. Everything they name was
//!   fsynced before they were renamed into place; a part that neither names (left by a killed
//!   run, or staged and never published) is deleted by the next writer.
//! - Only one process writes at a time, under an OS lock on `.lock` that dies with the process.
//! - Readers never take the lock: files are replaced by rename, so a reader sees one whole
//!   generation or the next. (A metrics part folded into `metrics.parquet` and deleted while a
//!   reader opens the store can cost that reader the part's rows; metrics are derived, and it
//!   recomputes them.)

mod commit;
pub mod derived;
pub mod error;
mod fsutil;
pub mod import;
mod index;
pub mod memory;
mod metrics_cache;
pub mod tables;
mod typed;

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use hrdrift_ingest::{Activity, Warning};
use polars_core::prelude::*;
use serde::{Deserialize, Serialize};

pub use commit::Staged;
pub use derived::MetricsRow;
pub use error::StoreError;
pub use index::IndexApplied;
pub use tables::{ActivityRow, ReadingRow, SourceRow};

/// The store layout this version writes and reads.
pub const SCHEMA_VERSION: u32 = 1;
const MANIFEST: &str = "store.json";
const ACTIVITIES: &str = "activities.parquet";
const SOURCES: &str = "sources.parquet";
const METRICS: &str = "metrics.parquet";
const WELLNESS: &str = "wellness.parquet";
const STAGING: &str = ".staging";
const LOCK: &str = ".lock";
const PART_DIRS: [&str; 4] = ["samples", "developer", "rr", METRICS_PARTS];
const METRICS_PARTS: &str = "metrics";

/// `store.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub generation: u64,
    /// Sample part files (relative paths), in all three part folders.
    pub parts: Vec<String>,
    pub written_by: String,
}

/// How to behave when another process holds the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    /// Fail at once with [`StoreError::Locked`].
    Fail,
    /// Block until the other process is done.
    Wait,
}

/// An open store. A `Store` opened for writing holds the lock until dropped.
pub struct Store {
    dir: PathBuf,
    manifest: Manifest,
    rows: Vec<ActivityRow>,
    sources: Vec<SourceRow>,
    metrics: Vec<MetricsRow>,
    /// The wellness table (small: a row per day and source; never released).
    readings: Vec<ReadingRow>,
    /// Readings the next [`Store::publish`] writes, replacing those of the same day and source.
    pending_readings: Vec<ReadingRow>,
    /// Activities in the store, whether or not `rows` holds them.
    count: usize,
    /// `rows`, `sources` and `metrics` were dropped by [`Store::release_rows`].
    released: bool,
    /// Why `metrics.parquet` was not read, when it exists but could not be.
    metrics_problem: Option<String>,
    /// Metrics parts were published since `metrics` was read (a publish does not hold their rows).
    metrics_behind: bool,
    /// The metrics rows carry their HR summaries. Only a writer loads them: it may recompute
    /// rows from them, and writes every row back; the queries of a reader never read them.
    summaries: bool,
    /// A row whose JSON parts have every field filled: the types of the metrics columns come
    /// from it as well as from the rows written ([`Store::set_metrics_shape`]).
    metrics_shape: Option<MetricsRow>,
    /// The last part number handed out by [`Store::stage`] (ahead of the manifest's generation
    /// while staged parts wait to be published).
    staged_generation: u64,
    /// The export index (see the `index` module).
    index: hrdrift_ingest::export_index::ExportIndex,
    _lock: Option<File>,
}

/// An activity and the warnings met decoding it, ready to be committed.
pub struct Pending {
    pub activity: Activity,
    pub source_hash: String,
    pub warnings: Vec<Warning>,
    /// Its metrics row when computed while decoding: staged with its samples, so an import
    /// need not hold every row to the end.
    pub metrics: Option<MetricsRow>,
}

/// What a stage or a publish did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CommitStats {
    pub activities: usize,
    pub samples: usize,
}

impl Store {
    /// The directory of the store.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Opens a store for reading. A directory without a manifest reads as an empty store.
    ///
    /// # Errors
    /// An unreadable manifest or table, or a store of another schema version.
    pub fn open_read(dir: &Path) -> Result<Store, StoreError> {
        Store::loaded(dir, None)
    }

    /// The store in `dir` as its files are; a writer, holding the `lock`, loads the rows' HR
    /// summaries too.
    fn loaded(dir: &Path, lock: Option<File>) -> Result<Store, StoreError> {
        let mut s = Store {
            dir: dir.to_owned(),
            manifest: Manifest::default(),
            rows: Vec::new(),
            sources: Vec::new(),
            metrics: Vec::new(),
            readings: Vec::new(),
            pending_readings: Vec::new(),
            count: 0,
            released: false,
            metrics_problem: None,
            metrics_behind: false,
            summaries: lock.is_some(),
            metrics_shape: None,
            staged_generation: 0,
            index: hrdrift_ingest::export_index::ExportIndex::default(),
            _lock: lock,
        };
        s.load()?;
        Ok(s)
    }

    /// Opens (creating if needed) a store for writing: takes the lock, then removes what an
    /// interrupted run left behind.
    ///
    /// # Errors
    /// The directory cannot be created or written (read-only, disk full), another process holds
    /// the lock (with [`LockMode::Fail`]), or the store is of another schema version.
    pub fn open_write(dir: &Path, mode: LockMode) -> Result<Store, StoreError> {
        fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        let lock_path = dir.join(LOCK);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(StoreError::io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) if mode == LockMode::Wait => {
                lock.lock().map_err(StoreError::io(&lock_path))?;
            }
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    path: dir.to_owned(),
                });
            }
            Err(TryLockError::Error(e)) => {
                return Err(StoreError::Io {
                    path: lock_path,
                    source: e,
                });
            }
        }
        let s = Store::loaded(dir, Some(lock))?;
        s.clean()?;
        Ok(s)
    }

    fn load(&mut self) -> Result<(), StoreError> {
        let mpath = self.dir.join(MANIFEST);
        let mut m: Manifest = match fs::read_to_string(&mpath) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| StoreError::Manifest {
                path: mpath.clone(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest {
                schema_version: SCHEMA_VERSION,
                ..Manifest::default()
            },
            Err(e) => {
                return Err(StoreError::Io {
                    path: mpath,
                    source: e,
                });
            }
        };
        if m.schema_version != SCHEMA_VERSION {
            let advice = if m.schema_version > SCHEMA_VERSION {
                "it was written by a newer hrdrift: upgrade hrdrift to read it".to_owned()
            } else {
                "re-import your files into a new store (hrdrift import PATH --store NEW_DIR)"
                    .to_owned()
            };
            return Err(StoreError::Version {
                path: self.dir.clone(),
                found: m.schema_version,
                supported: SCHEMA_VERSION,
                advice,
            });
        }
        let apath = self.dir.join(ACTIVITIES);
        self.rows = match read_table(&apath)? {
            Some(df) => tables::activities_from_frame(&df).map_err(StoreError::parquet(&apath))?,
            None => Vec::new(),
        };
        // Written in start order; sorted again in case another tool rewrote the table.
        self.rows.sort_by(row_order);
        self.count = self.rows.len();
        let spath = self.dir.join(SOURCES);
        self.sources = match read_table(&spath)? {
            Some(df) => tables::sources_from_frame(&df).map_err(StoreError::parquet(&spath))?,
            None => Vec::new(),
        };
        let wpath = self.dir.join(WELLNESS);
        self.readings = match read_table(&wpath)? {
            Some(df) => tables::readings_from_frame(&df).map_err(StoreError::parquet(&wpath))?,
            None => Vec::new(),
        };
        // A run killed after activities.parquet was renamed in (the commit point) but before the
        // manifest was rewritten: adopt the parts the activities reference.
        let referenced: HashSet<&str> = self.rows.iter().map(|r| r.part.as_str()).collect();
        for part in referenced {
            if !m.parts.iter().any(|p| p == part) {
                let generation = part_generation(part);
                for d in PART_DIRS {
                    let rel = format!("{d}/part-{generation:08}.parquet");
                    if self.dir.join(&rel).exists() && !m.parts.contains(&rel) {
                        m.parts.push(rel);
                    }
                }
                m.generation = m.generation.max(generation);
            }
            if !self.dir.join(part).exists() {
                return Err(StoreError::Damaged {
                    path: self.dir.clone(),
                    message: format!("activities refer to a missing sample file {part}"),
                });
            }
        }
        self.manifest = m;
        self.load_index()?;
        self.apply_index();
        self.load_metrics();
        self.released = false;
        Ok(())
    }

    /// Drops the activities, sources and metrics rows from memory: a publish rewrites the
    /// tables from their files, so an import need not hold a row per stored activity (about
    /// 2 KB with its laps, the largest part of what grew with the number of files, issue 7).
    /// [`Store::activities`], [`Store::sources`] and [`Store::metrics`] are empty until
    /// [`Store::reload`]; [`Store::activity_count`] stays right.
    pub fn release_rows(&mut self) {
        self.rows = Vec::new();
        self.sources = Vec::new();
        self.metrics = Vec::new();
        self.metrics_behind = true;
        self.released = true;
    }

    /// Reads the store's tables again, as opening it does (after [`Store::release_rows`]).
    ///
    /// # Errors
    /// An unreadable manifest or table.
    pub fn reload(&mut self) -> Result<(), StoreError> {
        self.load()
    }

    /// Whether [`Store::release_rows`] dropped the rows (and no [`Store::reload`] read them since).
    #[must_use]
    pub fn rows_released(&self) -> bool {
        self.released
    }

    /// The number of activities in the store, also while its rows are released.
    #[must_use]
    pub fn activity_count(&self) -> usize {
        self.count
    }

    /// Deletes staging leftovers and part files the manifest does not name.
    fn clean(&self) -> Result<(), StoreError> {
        let staging = self.dir.join(STAGING);
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(StoreError::io(&staging))?;
        }
        let named: HashSet<&str> = self.manifest.parts.iter().map(String::as_str).collect();
        for d in PART_DIRS {
            let dir = self.dir.join(d);
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let rel = format!("{d}/{}", e.file_name().to_string_lossy());
                if !named.contains(rel.as_str()) {
                    fs::remove_file(e.path()).map_err(StoreError::io(e.path()))?;
                }
            }
        }
        Ok(())
    }

    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// All activities, in start order (none while released: [`Store::release_rows`]).
    #[must_use]
    pub fn activities(&self) -> &[ActivityRow] {
        &self.rows
    }

    /// Files already seen (imported, duplicates, not activities).
    #[must_use]
    pub fn sources(&self) -> &[SourceRow] {
        &self.sources
    }

    /// The morning readings, one row per local day and source, by day then source.
    #[must_use]
    pub fn readings(&self) -> &[ReadingRow] {
        &self.readings
    }

    /// Readings for the next [`Store::publish`], which writes them with what it publishes (a
    /// reading of a day and source already stored replaces it). The import numbers them.
    pub fn add_readings(&mut self, rows: Vec<ReadingRow>) {
        self.pending_readings.extend(rows);
    }

    /// The number the next import's readings take: one more than any stored.
    #[must_use]
    pub fn next_import_seq(&self) -> u64 {
        self.readings
            .iter()
            .map(|r| r.import_seq)
            .max()
            .unwrap_or(0)
            + 1
    }

    /// Whether this handle holds the write lock.
    #[must_use]
    pub fn is_writable(&self) -> bool {
        self._lock.is_some()
    }

    fn write_manifest(&self, manifest: &Manifest) -> Result<(), StoreError> {
        let staging = self.dir.join(STAGING);
        fs::create_dir_all(&staging).map_err(StoreError::io(&staging))?;
        let mpath = self.dir.join(MANIFEST);
        let text = serde_json::to_vec_pretty(manifest).map_err(|e| StoreError::Manifest {
            path: mpath.clone(),
            message: e.to_string(),
        })?;
        fsutil::write_atomic(&mpath, &staging, &text).map_err(StoreError::io(&mpath))
    }

    /// Reads the activities whose ids are in `want` back from the sample parts and hands each
    /// to `each`, in parallel, one part at a time. Returns the parts that could not be read.
    pub fn for_each_activity<F>(&self, want: &HashSet<&str>, each: F) -> Vec<StoreError>
    where
        F: Fn(Activity) + Sync,
    {
        derived::for_each_activity(&self.dir, &self.rows, want, each)
    }

    /// Content hashes that a re-import may skip.
    #[must_use]
    pub fn known_hashes(&self) -> HashSet<String> {
        self.sources
            .iter()
            .map(|s| s.hash.clone())
            .chain(self.rows.iter().map(|r| r.source_hash.clone()))
            .collect()
    }

    /// Finds an activity by id or by a unique id prefix; `PREFIX-N` is leg N of a multi-sport
    /// file, and a prefix without a leg its first activity.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when nothing matches, [`StoreError::Ambiguous`] (listing them)
    /// when several activities start with the prefix.
    pub fn find(&self, id: &str) -> Result<&ActivityRow, StoreError> {
        let mut hits = self.rows.iter().filter(|r| r.id == id);
        if let Some(r) = hits.next() {
            return Ok(r);
        }
        // `HASHPREFIX-N` names leg N of a multi-sport file, as the text output prints it.
        let matches = |r: &ActivityRow| match (id.split_once('-'), r.id.split_once('-')) {
            (Some((p, leg)), Some((hash, rleg))) => {
                !p.is_empty() && hash.starts_with(p) && leg == rleg
            }
            (Some(_), None) => false,
            _ => r.id.starts_with(id),
        };
        let mut hits: Vec<&ActivityRow> = self
            .rows
            .iter()
            .filter(|r| !id.is_empty() && matches(r))
            .collect();
        // A prefix with no leg names the file's first activity (printed without one), not all
        // of its legs.
        if !id.contains('-') && hits.iter().any(|r| !r.id.contains('-')) {
            hits.retain(|r| !r.id.contains('-'));
        }
        match hits.as_slice() {
            [r] => Ok(r),
            [] => Err(StoreError::NotFound(id.to_owned())),
            many => Err(StoreError::Ambiguous {
                prefix: id.to_owned(),
                ids: many.iter().take(10).map(|r| r.id.clone()).collect(),
                total: many.len(),
            }),
        }
    }

    /// Reads one activity's samples back from its part, in time order.
    ///
    /// # Errors
    /// The part is missing or unreadable.
    pub fn samples(&self, id: &str) -> Result<DataFrame, StoreError> {
        let row = self.find(id)?;
        let path = self.dir.join(&row.part);
        let id = row.id.clone();
        let df = tables::read_parquet(&path)?;
        let mask = df
            .column("activity_id")
            .and_then(|c| c.str().map(|s| s.equal(id.as_str())))
            .map_err(StoreError::parquet(&path))?;
        df.filter(&mask).map_err(StoreError::parquet(&path))
    }
}

/// The store's order of activities: by start, then id (ids are unique, so the order is total).
fn row_order(a: &ActivityRow, b: &ActivityRow) -> std::cmp::Ordering {
    a.start_ms.cmp(&b.start_ms).then_with(|| a.id.cmp(&b.id))
}

/// A whole table, or `None` when its file does not exist yet.
fn read_table(path: &Path) -> Result<Option<DataFrame>, StoreError> {
    if path.exists() {
        tables::read_parquet(path).map(Some)
    } else {
        Ok(None)
    }
}

/// The frames of the new activities table, a row group at a time: the `old` table's rows (in
/// start order) without the `replaced` ones, with the `new` rows (sorted) merged in. Counts the
/// rows written in `count`. There is always one frame, if only an empty one, for the schema.
fn merge_activities<'a>(
    old: Option<&'a DataFrame>,
    new: &'a [ActivityRow],
    replaced: &'a HashSet<&str>,
    count: &'a mut usize,
) -> impl Iterator<Item = PolarsResult<DataFrame>> + 'a {
    let old_height = old.map_or(0, DataFrame::height);
    let mut fresh = new
        .iter()
        .filter(|r| !replaced.contains(r.id.as_str()))
        .peekable();
    let mut lo = 0;
    let mut first = true;
    std::iter::from_fn(move || {
        // Declared before `rows`, which borrows from it.
        let mut chunk: Vec<ActivityRow>;
        let mut rows: Vec<&ActivityRow> = Vec::new();
        if let Some(df) = old.filter(|_| lo < old_height) {
            chunk = match tables::activities_from_frame(
                &df.slice(i64::try_from(lo).unwrap_or(i64::MAX), tables::CHUNK_ROWS),
            ) {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            };
            lo += tables::CHUNK_ROWS;
            chunk.retain(|r| !replaced.contains(r.id.as_str()));
            // New rows that start before an old one go in front of it: the table stays in
            // start order. Those after the last old row follow in groups of their own.
            for r in &chunk {
                while let Some(n) = fresh.next_if(|n| row_order(n, r).is_lt()) {
                    rows.push(n);
                }
                rows.push(r);
            }
        } else {
            for n in fresh.by_ref().take(tables::CHUNK_ROWS) {
                rows.push(n);
            }
            if rows.is_empty() && !first {
                return None;
            }
        }
        first = false;
        *count += rows.len();
        Some(tables::activities_frame(&rows))
    })
}

fn is_metrics_part(rel: &str) -> bool {
    rel.strip_prefix(METRICS_PARTS)
        .is_some_and(|rest| rest.starts_with('/'))
}

fn part_generation(rel: &str) -> u64 {
    rel.rsplit('-')
        .next()
        .and_then(|s| s.strip_suffix(".parquet"))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Counts per outcome, for summaries.
#[must_use]
pub fn count_by<'a>(items: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for i in items {
        *m.entry(i.to_owned()).or_insert(0) += 1;
    }
    m
}

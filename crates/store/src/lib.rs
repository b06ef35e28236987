//! The hrdrift store: a directory of Parquet files that other tools can read as they are.
//!
//! ```text
//! store/
//!   store.json              manifest: schema version, generation, the files that belong to the store
//!   activities.parquet      one row per activity (metadata, source, sample part)
//!   sources.parquet         one row per file already seen (content hash, outcome) for skipping
//!   samples/part-N.parquet  samples of the activities committed in generation N (activity_id, timestamp, ...)
//!   developer/part-N.parquet  FIT developer fields, long form (activity_id, timestamp, name, units, value)
//!   rr/part-N.parquet       beat-to-beat intervals (activity_id, seq, rr_ms)
//!   metrics.parquet         per-activity metrics cache (derived; recomputed when missing or stale)
//!   .staging/               files being written; never read
//!   .lock                   locked (flock) by the one process writing
//! ```
//!
//! Invariants:
//! - `store.json` is the commit point. Everything it names was fsynced before it was renamed
//!   into place; a file it does not name (left by a killed run) is deleted by the next writer.
//! - Only one process writes at a time, under an OS lock on `.lock` that dies with the process.
//! - Readers never take the lock: files are replaced by rename, so a reader sees one whole
//!   generation or the next.

pub mod derived;
pub mod error;
mod fsutil;
pub mod import;
pub mod tables;

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use hrdrift_ingest::{Activity, Warning};
use polars_core::prelude::*;
use serde::{Deserialize, Serialize};

pub use derived::MetricsRow;
pub use error::StoreError;
pub use tables::{ActivityRow, SourceRow};

/// The store layout this version writes and reads.
pub const SCHEMA_VERSION: u32 = 1;
const MANIFEST: &str = "store.json";
const ACTIVITIES: &str = "activities.parquet";
const SOURCES: &str = "sources.parquet";
const METRICS: &str = "metrics.parquet";
const STAGING: &str = ".staging";
const LOCK: &str = ".lock";
const PART_DIRS: [&str; 3] = ["samples", "developer", "rr"];

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
    /// Why `metrics.parquet` was not read, when it exists but could not be.
    metrics_problem: Option<String>,
    _lock: Option<File>,
}

/// An activity and the warnings met decoding it, ready to be committed.
pub struct Pending {
    pub activity: Activity,
    pub source_hash: String,
    pub warnings: Vec<Warning>,
}

/// What a commit did.
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
        let mut s = Store {
            dir: dir.to_owned(),
            manifest: Manifest::default(),
            rows: Vec::new(),
            sources: Vec::new(),
            metrics: Vec::new(),
            metrics_problem: None,
            _lock: None,
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
        let mut s = Store {
            dir: dir.to_owned(),
            manifest: Manifest::default(),
            rows: Vec::new(),
            sources: Vec::new(),
            metrics: Vec::new(),
            metrics_problem: None,
            _lock: Some(lock),
        };
        s.load()?;
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
        if apath.exists() {
            self.rows = tables::activities_from_frame(&tables::read_parquet(&apath)?)
                .map_err(StoreError::parquet(&apath))?;
        }
        let spath = self.dir.join(SOURCES);
        if spath.exists() {
            self.sources = tables::sources_from_frame(&tables::read_parquet(&spath)?)
                .map_err(StoreError::parquet(&spath))?;
        }
        let mpath = self.dir.join(METRICS);
        if mpath.exists() {
            // Derived data: an unreadable cache is recomputed, never a reason to refuse the store.
            match tables::read_parquet(&mpath).and_then(|df| {
                derived::metrics_from_frame(&df).map_err(StoreError::parquet(&mpath))
            }) {
                Ok(m) => self.metrics = m,
                Err(e) => self.metrics_problem = Some(e.to_string()),
            }
        }
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
        Ok(())
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

    /// All activities, in start order.
    #[must_use]
    pub fn activities(&self) -> &[ActivityRow] {
        &self.rows
    }

    /// Files already seen (imported, duplicates, not activities).
    #[must_use]
    pub fn sources(&self) -> &[SourceRow] {
        &self.sources
    }

    /// The cached per-activity metrics (possibly stale or incomplete; see [`MetricsRow`]).
    #[must_use]
    pub fn metrics(&self) -> &[MetricsRow] {
        &self.metrics
    }

    /// Why the metrics cache could not be read, if it could not.
    #[must_use]
    pub fn metrics_problem(&self) -> Option<&str> {
        self.metrics_problem.as_deref()
    }

    /// Whether this handle holds the write lock.
    #[must_use]
    pub fn is_writable(&self) -> bool {
        self._lock.is_some()
    }

    /// Replaces the cached metrics of the activities in `rows` and drops those of activities no
    /// longer in the store, writing `metrics.parquet` atomically.
    ///
    /// # Errors
    /// The store was opened read-only, or the write failed (the old table then stays).
    pub fn put_metrics(&mut self, rows: Vec<MetricsRow>) -> Result<(), StoreError> {
        if self._lock.is_none() {
            return Err(StoreError::ReadOnly {
                path: self.dir.clone(),
            });
        }
        let ids: HashSet<&str> = self.rows.iter().map(|r| r.id.as_str()).collect();
        let mut by_id: HashMap<String, MetricsRow> = self
            .metrics
            .iter()
            .filter(|m| ids.contains(m.id.as_str()))
            .map(|m| (m.id.clone(), m.clone()))
            .collect();
        for r in rows {
            if ids.contains(r.id.as_str()) {
                by_id.insert(r.id.clone(), r);
            }
        }
        let order: HashMap<&str, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut merged: Vec<MetricsRow> = by_id.into_values().collect();
        merged.sort_by_key(|m| order.get(m.id.as_str()).copied().unwrap_or(usize::MAX));
        let staging = self.dir.join(STAGING);
        fs::create_dir_all(&staging).map_err(StoreError::io(&staging))?;
        let mut df = derived::metrics_frame(&merged).map_err(StoreError::parquet(&staging))?;
        let tmp = staging.join(METRICS);
        tables::write_parquet(&mut df, &tmp)?;
        let path = self.dir.join(METRICS);
        fsutil::rename_durable(&tmp, &path).map_err(StoreError::io(&path))?;
        self.metrics = merged;
        self.metrics_problem = None;
        Ok(())
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

    /// Finds an activity by id or by a unique id prefix.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when nothing or more than one activity matches.
    pub fn find(&self, id: &str) -> Result<&ActivityRow, StoreError> {
        let mut hits = self.rows.iter().filter(|r| r.id == id);
        if let Some(r) = hits.next() {
            return Ok(r);
        }
        let mut hits = self.rows.iter().filter(|r| r.id.starts_with(id));
        match (hits.next(), hits.next()) {
            (Some(r), None) => Ok(r),
            _ => Err(StoreError::NotFound(id.to_owned())),
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

    /// Commits activities and newly seen sources as one new generation. Either all of it is in
    /// the store afterwards, or (after a crash at any point) none of it.
    ///
    /// `replaced` lists ids of activities that a richer duplicate in `pending` replaces.
    ///
    /// # Errors
    /// Any write failure (disk full, read-only); the store is then as it was.
    pub fn commit(
        &mut self,
        pending: Vec<Pending>,
        new_sources: Vec<SourceRow>,
        replaced: &[String],
    ) -> Result<CommitStats, StoreError> {
        if pending.is_empty() && new_sources.is_empty() && replaced.is_empty() {
            return Ok(CommitStats::default());
        }
        let staging = self.dir.join(STAGING);
        fs::create_dir_all(&staging).map_err(StoreError::io(&staging))?;
        for d in PART_DIRS {
            fs::create_dir_all(self.dir.join(d)).map_err(StoreError::io(self.dir.join(d)))?;
        }
        let generation = self.manifest.generation + 1;
        let part_name = format!("part-{generation:08}.parquet");
        let samples_part = format!("samples/{part_name}");
        let now_ms = chrono::Utc::now().timestamp_millis();

        let mut rows = self.rows.clone();
        rows.retain(|r| !replaced.contains(&r.id));
        let mut buf = tables::SampleBuffer::default();
        let mut stats = CommitStats::default();
        for p in &pending {
            buf.push(&p.activity);
            stats.activities += 1;
            stats.samples += p.activity.samples.len();
            rows.push(ActivityRow::from_activity(
                &p.activity,
                &p.source_hash,
                &p.warnings,
                &samples_part,
                now_ms,
            ));
        }
        rows.sort_by(|a, b| a.start_ms.cmp(&b.start_ms).then_with(|| a.id.cmp(&b.id)));
        let mut sources = self.sources.clone();
        sources.extend(new_sources);

        let mut parts = self.manifest.parts.clone();
        if !buf.is_empty() {
            let (samples, dev, rr) = buf.take_frames().map_err(StoreError::parquet(&staging))?;
            for (dir, mut df) in PART_DIRS.into_iter().zip([samples, dev, rr]) {
                if df.height() == 0 && dir != "samples" {
                    continue;
                }
                let tmp = staging.join(format!("{dir}-{part_name}"));
                tables::write_parquet(&mut df, &tmp)?;
                let rel = format!("{dir}/{part_name}");
                fsutil::rename_durable(&tmp, &self.dir.join(&rel))
                    .map_err(StoreError::io(self.dir.join(&rel)))?;
                parts.push(rel);
            }
        }
        // activities.parquet is the commit point: once it is renamed in, the new parts are
        // referenced and kept. sources.parquet and the manifest follow; if a crash skips them,
        // `load` repairs the manifest from the parts the activities reference, and the files
        // whose sources row was lost are recognised by the activities' `source_hash`.
        let mut adf = tables::activities_frame(&rows).map_err(StoreError::parquet(&staging))?;
        let atmp = staging.join(ACTIVITIES);
        tables::write_parquet(&mut adf, &atmp)?;
        let apath = self.dir.join(ACTIVITIES);
        fsutil::rename_durable(&atmp, &apath).map_err(StoreError::io(&apath))?;

        let mut sdf = tables::sources_frame(&sources).map_err(StoreError::parquet(&staging))?;
        let stmp = staging.join(SOURCES);
        tables::write_parquet(&mut sdf, &stmp)?;
        let spath = self.dir.join(SOURCES);
        fsutil::rename_durable(&stmp, &spath).map_err(StoreError::io(&spath))?;

        let manifest = Manifest {
            schema_version: SCHEMA_VERSION,
            generation,
            parts,
            written_by: format!("hrdrift {}", env!("CARGO_PKG_VERSION")),
        };
        let mpath = self.dir.join(MANIFEST);
        let text = serde_json::to_vec_pretty(&manifest).map_err(|e| StoreError::Manifest {
            path: mpath.clone(),
            message: e.to_string(),
        })?;
        fsutil::write_atomic(&mpath, &staging, &text).map_err(StoreError::io(&mpath))?;

        self.rows = rows;
        self.sources = sources;
        self.manifest = manifest;
        Ok(stats)
    }
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

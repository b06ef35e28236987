//! The import pipeline: files in parallel (rayon) through the decoders, one writer deduplicating
//! and batching them as files finish, one committer writing the batches to the store.
//!
//! Decoding runs on rayon's pool; the calling thread receives decoded files over a bounded
//! channel and hands full batches to the committer thread, which owns the store. Memory holds at
//! most two batches of samples plus the channel's few files in flight, however many files there
//! are; the metrics computed while decoding are staged with their batch's samples. What grows
//! with the number of activities is the import's index of them (content hashes and time spans,
//! about 0.5 KB each): the store's rows stay on disk meanwhile, and each publish rewrites its
//! tables from their files.
//!
//! A file is skipped without decoding when its content hash is already in the store; an
//! activity that is the same run as one already stored (an export of the same session in another
//! format) is a duplicate: the richer of the two is kept.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use hrdrift_ingest::daily::DailyReading;
use hrdrift_ingest::source::{self, Found, Limits};
use hrdrift_ingest::{Activity, Contents, DecodeError, Decoded, FileError, Warning};
use rayon::prelude::*;

use crate::{ActivityRow, MetricsRow, Pending, ReadingRow, SourceRow, Staged, Store, StoreError};

/// Work done on each decoded activity in the decode workers, while its samples are still in
/// memory (the binary computes the valid-HR pool and the metrics there, so they need not be
/// read back from the store afterwards).
pub type Deriver = dyn Fn(&Activity) -> MetricsRow + Send + Sync;

/// Tuning of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub limits: Limits,
    /// Commit after this many activities are pending...
    pub commit_activities: usize,
    /// ...or this many samples, whichever comes first (bounds memory).
    pub commit_samples: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            commit_activities: 500,
            // Two batches are held while one commits: 250 k samples each keeps the peak of a
            // 10,000-activity import under 500 MB (benches/README.md).
            commit_samples: 250_000,
        }
    }
}

/// What happened to one file or archive member.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// New activities stored (more than one for a multisport FIT file).
    Imported {
        activities: usize,
    },
    /// The same bytes were imported before.
    Known,
    /// The same run is already in the store (or in this import) from another file.
    Duplicate {
        of: String,
        replaced: bool,
    },
    /// A watch's daily file or a CSV of daily readings: `days` local days of readings stored,
    /// `replaced` of which replaced a value an earlier import had for that day.
    Readings {
        days: usize,
        replaced: usize,
    },
    /// A valid file that holds no recorded activity (settings, a route, a workout).
    NotActivity(String),
    /// Passed over: plainly not an activity file (e.g. a `.json` inside an export).
    Ignored,
    Failed(String),
}

/// Progress reports, in the order things happen.
#[derive(Debug, Clone)]
pub enum Event {
    Started {
        files: usize,
    },
    Item {
        name: String,
        outcome: Outcome,
        warnings: Vec<Warning>,
    },
    FileDone,
    Committed {
        activities: usize,
    },
}

/// The totals of an import.
#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub imported_files: usize,
    pub activities: usize,
    pub known: usize,
    pub duplicates: usize,
    pub not_activity: usize,
    /// Files of daily readings (watch daily files, CSVs of readings) stored.
    pub reading_files: usize,
    /// Day readings stored (a day and source each)...
    pub reading_days: usize,
    /// ...of which replaced a value an earlier import (or an earlier file of this one) gave
    /// for the same day.
    pub readings_replaced: usize,
    /// Local days those readings are of (a watch writes three files a day).
    pub reading_dates: usize,
    pub ignored: usize,
    pub failed: Vec<FileError>,
    pub warnings: Vec<(String, Warning)>,
    /// Activities staged with metrics the [`Deriver`] computed while decoding (their rows are
    /// in the store's metrics parts: [`Store::reload_metrics`] reads them).
    pub metrics_while_decoding: usize,
    /// Activities an export's index (Strava's `activities.csv`, Garmin's summarized activities)
    /// names among the paths imported...
    pub index_files: usize,
    /// ...and activities decoded in this import whose sport came from it (their file named none).
    pub sport_from_index: usize,
    /// Activities decoded in this import that no file or index named a sport for, typed from
    /// their speed and cadence.
    pub sport_guessed: usize,
    /// Activities of earlier imports that took their sport or name from this import's index.
    pub stored_from_index: crate::IndexApplied,
}

enum Msg {
    Decoded {
        name: String,
        hash: String,
        result: Result<Contents, DecodeError>,
        /// One per decoded activity, in order, when there is a deriver.
        derived: Vec<MetricsRow>,
    },
    Known {
        name: String,
    },
    Ignored {
        name: String,
    },
    Failed(FileError),
    FileDone,
}

fn has_metrics(row: &MetricsRow) -> bool {
    !row.metrics_json.is_empty()
}

/// Sum of present values over all channels: more channels and more samples is richer.
fn richness(samples: u64, channels: usize, rr: u64) -> u64 {
    samples * channels as u64 + rr
}

fn row_richness(r: &ActivityRow) -> u64 {
    let channels = if r.channels.is_empty() {
        0
    } else {
        r.channels.split(',').count()
    };
    richness(r.samples, channels, r.rr_count)
}

fn activity_richness(a: &Activity) -> u64 {
    let channels = a
        .samples
        .channels()
        .iter()
        .filter(|(_, c)| c.is_some())
        .count();
    richness(a.samples.len() as u64, channels, a.rr_ms.len() as u64)
}

/// The time span and sport used to recognise the same run exported twice.
#[derive(Debug, Clone)]
struct Span {
    id: String,
    source_hash: String,
    start_ms: i64,
    end_ms: i64,
    sport: Option<String>,
    richness: u64,
}

/// Two recordings are the same run when they start within 2 minutes of each other, do not name
/// different sports, and at least 80 % of the shorter one lies within the longer (an export cut
/// short, or trimmed of its auto-paused tail, is still the same run).
fn same_run(a: &Span, b: &Span) -> bool {
    if (a.start_ms - b.start_ms).abs() > 120_000 {
        return false;
    }
    if let (Some(x), Some(y)) = (&a.sport, &b.sport)
        && x != y
    {
        return false;
    }
    let overlap = a.end_ms.min(b.end_ms) - a.start_ms.max(b.start_ms);
    let shorter = (a.end_ms - a.start_ms).min(b.end_ms - b.start_ms);
    #[expect(clippy::cast_precision_loss)]
    let ratio = if shorter <= 0 {
        1.0
    } else {
        overlap.max(0) as f64 / shorter as f64
    };
    ratio >= 0.8
}

/// A batch handed to the committer thread.
struct Batch {
    pending: Vec<Pending>,
    readings: Vec<ReadingRow>,
    sources: Vec<SourceRow>,
    replaced: Vec<String>,
}

/// The writer's state: what is stored, what is pending the next commit.
struct Writer {
    /// Batches go to the committer thread; sending blocks while it still writes the previous
    /// one, so decoding goes on during a commit but at most two batches are held.
    commits: Option<mpsc::SyncSender<Batch>>,
    /// What the committer did: activities committed, or the error that stopped it.
    committed: mpsc::Receiver<Result<usize, StoreError>>,
    spans: Vec<Span>,
    seen: HashSet<String>,
    pending: Vec<Pending>,
    pending_samples: usize,
    sources: Vec<SourceRow>,
    replaced: Vec<String>,
    /// Readings waiting for the next batch.
    readings: Vec<ReadingRow>,
    /// The fields each stored (or pending) day has, by source: a new reading of a field the
    /// day already has replaces it.
    reading_days: HashMap<String, Vec<(String, [bool; 4])>>,
    import_seq: u64,
    /// The days this import read readings of.
    dates_read: HashSet<String>,
    /// Ids this import stored (pending or committed) and has not replaced since.
    added: HashSet<String>,
    summary: Summary,
}

impl Writer {
    fn add(
        &mut self,
        name: &str,
        hash: &str,
        decoded: Decoded<Vec<Activity>>,
        derived: Vec<MetricsRow>,
        events: &mut dyn FnMut(&Event),
    ) {
        let Decoded {
            value: activities,
            warnings,
        } = decoded;
        let mut stored = 0;
        let mut dup = None;
        let mut derived = derived.into_iter();
        for a in activities {
            let row = derived.next();
            let span = Span {
                id: a.id.clone(),
                source_hash: hash.to_owned(),
                start_ms: a.start_ms,
                end_ms: a.end_ms(),
                sport: a.sport.clone(),
                richness: activity_richness(&a),
            };
            if let Some(k) = self.spans.iter().position(|s| same_run(s, &span)) {
                let other = self.spans[k].clone();
                // Between two files of this import that tell as much, the smaller id wins, so
                // which one is kept does not depend on which the decoders finished first.
                let richer = span.richness > other.richness
                    || (span.richness == other.richness
                        && self.added.contains(&other.id)
                        && span.id < other.id);
                if richer {
                    // The new file tells more (or as much, see above): it replaces the stored
                    // (or pending) activity.
                    if let Some(p) = self.pending.iter().position(|p| p.activity.id == other.id) {
                        let old = self.pending.swap_remove(p);
                        self.pending_samples -= old.activity.samples.len();
                        if old.metrics.as_ref().is_some_and(has_metrics) {
                            self.summary.metrics_while_decoding -= 1;
                        }
                    } else {
                        self.replaced.push(other.id.clone());
                    }
                    // An activity of this import replaced within it is not counted as imported,
                    // nor its file once none of its activities is left (its source row becomes
                    // a duplicate's below).
                    if self.added.remove(&other.id) {
                        if other.source_hash == hash {
                            // This very file's (not yet in the summary).
                            stored -= 1;
                        } else {
                            self.summary.activities = self.summary.activities.saturating_sub(1);
                            let file_left = self.spans.iter().enumerate().any(|(i, s)| {
                                i != k
                                    && s.source_hash == other.source_hash
                                    && self.added.contains(&s.id)
                            });
                            if !file_left {
                                self.summary.imported_files =
                                    self.summary.imported_files.saturating_sub(1);
                            }
                        }
                    }
                    self.sources
                        .retain(|s| s.hash != other.source_hash || s.outcome != "imported");
                    self.sources.push(SourceRow {
                        hash: other.source_hash.clone(),
                        name: other.id.clone(),
                        outcome: "duplicate".to_owned(),
                        detail: format!("replaced by the richer {}", span.id),
                    });
                    self.spans[k] = span;
                    dup = Some((other.id, true));
                } else {
                    dup = Some((other.id, false));
                    continue;
                }
            } else {
                self.spans.push(span);
            }
            self.pending_samples += a.samples.len();
            self.added.insert(a.id.clone());
            if row.as_ref().is_some_and(has_metrics) {
                self.summary.metrics_while_decoding += 1;
            }
            self.pending.push(Pending {
                activity: a,
                source_hash: hash.to_owned(),
                warnings: warnings.clone(),
                metrics: row,
            });
            stored += 1;
        }
        let outcome = match (stored, dup) {
            (0, Some((of, _))) => {
                self.summary.duplicates += 1;
                self.sources.push(SourceRow {
                    hash: hash.to_owned(),
                    name: name.to_owned(),
                    outcome: "duplicate".to_owned(),
                    detail: format!("same run as {of}"),
                });
                Outcome::Duplicate {
                    of,
                    replaced: false,
                }
            }
            (n, dup) => {
                self.summary.imported_files += 1;
                self.summary.activities += n;
                if let Some((of, true)) = &dup {
                    self.summary.duplicates += 1;
                    events(&Event::Item {
                        name: of.clone(),
                        outcome: Outcome::Duplicate {
                            of: name.to_owned(),
                            replaced: true,
                        },
                        warnings: Vec::new(),
                    });
                }
                self.sources.push(SourceRow {
                    hash: hash.to_owned(),
                    name: name.to_owned(),
                    outcome: "imported".to_owned(),
                    detail: String::new(),
                });
                Outcome::Imported { activities: n }
            }
        };
        for w in &warnings {
            self.summary.warnings.push((name.to_owned(), w.clone()));
        }
        events(&Event::Item {
            name: name.to_owned(),
            outcome,
            warnings,
        });
    }

    fn add_readings(
        &mut self,
        name: &str,
        hash: &str,
        decoded: Decoded<Vec<DailyReading>>,
        events: &mut dyn FnMut(&Event),
    ) {
        let Decoded {
            value: readings,
            warnings,
        } = decoded;
        let mut replaced = 0;
        let days = readings.len();
        for r in readings {
            let date = r.date.format("%Y-%m-%d").to_string();
            let source = r.source.as_str().to_owned();
            let fields = [
                r.resting_hr_bpm.is_some(),
                r.rmssd_ms.is_some(),
                r.sleep_score.is_some(),
                r.feel.is_some(),
            ];
            self.dates_read.insert(date.clone());
            let known = self.reading_days.entry(date.clone()).or_default();
            if known
                .iter()
                .any(|(_, f)| f.iter().zip(&fields).any(|(a, b)| *a && *b))
            {
                replaced += 1;
            }
            match known.iter_mut().find(|(s, _)| *s == source) {
                Some((_, f)) => {
                    for (a, b) in f.iter_mut().zip(fields) {
                        *a |= b;
                    }
                }
                None => known.push((source.clone(), fields)),
            }
            let row = ReadingRow {
                date,
                source,
                resting_hr_bpm: r.resting_hr_bpm,
                rmssd_ms: r.rmssd_ms,
                sleep_score: r.sleep_score,
                feel: r.feel,
                file: name.to_owned(),
                source_hash: hash.to_owned(),
                import_seq: self.import_seq,
            };
            // As the store merges a reading with the one it holds (`ReadingRow::update`).
            match self
                .readings
                .iter_mut()
                .find(|p| p.date == row.date && p.source == row.source)
            {
                Some(p) => p.update(&row),
                None => self.readings.push(row),
            }
        }
        self.summary.reading_dates = self.dates_read.len();
        self.summary.reading_files += 1;
        self.summary.reading_days += days;
        self.summary.readings_replaced += replaced;
        self.sources.push(SourceRow {
            hash: hash.to_owned(),
            name: name.to_owned(),
            outcome: "readings".to_owned(),
            detail: format!("{days} days of readings"),
        });
        for w in &warnings {
            self.summary.warnings.push((name.to_owned(), w.clone()));
        }
        events(&Event::Item {
            name: name.to_owned(),
            outcome: Outcome::Readings { days, replaced },
            warnings,
        });
    }

    fn commit_if_due(
        &mut self,
        opts: &ImportOptions,
        force: bool,
        events: &mut dyn FnMut(&Event),
    ) -> Result<(), StoreError> {
        self.report_commits(events)?;
        let due = self.pending.len() >= opts.commit_activities
            || self.pending_samples >= opts.commit_samples;
        if !(due || force) {
            return Ok(());
        }
        let batch = Batch {
            pending: std::mem::take(&mut self.pending),
            readings: std::mem::take(&mut self.readings),
            sources: std::mem::take(&mut self.sources),
            replaced: std::mem::take(&mut self.replaced),
        };
        self.pending_samples = 0;
        if batch.pending.is_empty()
            && batch.sources.is_empty()
            && batch.replaced.is_empty()
            && batch.readings.is_empty()
        {
            return Ok(());
        }
        if self.commits.as_ref().is_none_or(|c| c.send(batch).is_err()) {
            // The committer stopped on an error: it is waiting in the results.
            return self.report_commits(events);
        }
        Ok(())
    }

    /// Passes on what the committer finished; its error, if any.
    fn report_commits(&mut self, events: &mut dyn FnMut(&Event)) -> Result<(), StoreError> {
        while let Ok(r) = self.committed.try_recv() {
            let activities = r?;
            if activities > 0 {
                events(&Event::Committed { activities });
            }
        }
        Ok(())
    }
}

/// Publishing rewrites the whole activities table, so the committer publishes when the
/// activities waiting in staged parts are a quarter of those in the store (or after this long):
/// an import of n activities then rewrites the table O(log n) times instead of once per batch,
/// and a crash loses at most that much of the import (its files are imported again next time).
const PUBLISH_FRACTION: usize = 4;
const PUBLISH_EVERY: std::time::Duration = std::time::Duration::from_secs(20);

/// Stages batches in the order they come and publishes them (see [`PUBLISH_FRACTION`]), until
/// the writer hangs up or a write fails.
fn committer(
    store: &mut Store,
    batches: &mpsc::Receiver<Batch>,
    results: &mpsc::Sender<Result<usize, StoreError>>,
) {
    let mut staged: Vec<Staged> = Vec::new();
    let mut waiting = 0;
    let mut sources = Vec::new();
    let mut replaced = Vec::new();
    let mut published_at = std::time::Instant::now();
    let publish = |store: &mut Store,
                   staged: &mut Vec<Staged>,
                   sources: &mut Vec<SourceRow>,
                   replaced: &mut Vec<String>| {
        let r = store
            .publish(
                std::mem::take(staged),
                std::mem::take(sources),
                &std::mem::take(replaced),
            )
            .map(|s| s.activities);
        let failed = r.is_err();
        let _ = results.send(r);
        !failed
    };
    for b in batches {
        // From the first batch on, the import's index is the writer's hashes and spans: the
        // store's rows stay on disk until the import is done. An import that finds nothing new
        // keeps them, and need not read them again.
        if !store.rows_released() {
            store.release_rows();
        }
        if !b.pending.is_empty() {
            match store.stage(b.pending) {
                Ok(s) => {
                    waiting += s.activities();
                    staged.push(s);
                }
                Err(e) => {
                    // Keep what the earlier batches staged, then stop on the error.
                    publish(store, &mut staged, &mut sources, &mut replaced);
                    let _ = results.send(Err(e));
                    return;
                }
            }
        }
        store.add_readings(b.readings);
        sources.extend(b.sources);
        replaced.extend(b.replaced);
        if waiting > 0
            && (waiting >= store.activity_count() / PUBLISH_FRACTION
                || published_at.elapsed() >= PUBLISH_EVERY)
        {
            if !publish(store, &mut staged, &mut sources, &mut replaced) {
                return;
            }
            waiting = 0;
            published_at = std::time::Instant::now();
        }
    }
    // The writer hung up: the import is done.
    if !staged.is_empty() || !sources.is_empty() || !replaced.is_empty() {
        publish(store, &mut staged, &mut sources, &mut replaced);
    }
}

/// Imports every activity file below `paths` into `store`.
///
/// One bad file never stops the others: it is counted in [`Summary::failed`] with its reason.
///
/// # Errors
/// Only a store failure (disk full, read-only): what was committed before it stays.
pub fn import(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &ImportOptions,
    events: &mut dyn FnMut(&Event),
) -> Result<Summary, StoreError> {
    import_with(store, paths, opts, None, events)
}

/// [`import`], running `derive` on every decoded activity in the decode workers; its rows are
/// staged with the activities' samples (see [`Store::reload_metrics`]).
///
/// # Errors
/// Only a store failure (disk full, read-only): what was committed before it stays.
pub fn import_with(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &ImportOptions,
    derive: Option<&Deriver>,
    events: &mut dyn FnMut(&Event),
) -> Result<Summary, StoreError> {
    let (files, walk_errors) = source::list_files(paths);
    // Read before any file is decoded, so a file's sport is known whatever the order the
    // export lists them in.
    let (found, index_problems) = hrdrift_ingest::export_index::ExportIndex::from_files_reporting(
        &files,
        opts.limits.max_entry_bytes,
    );
    // The index an earlier import stored, with this one's over it: an index imported before its
    // files applies to them.
    let index = store.export_index().updated_by(&found);
    let from_index = std::sync::atomic::AtomicUsize::new(0);
    let guessed = std::sync::atomic::AtomicUsize::new(0);
    events(&Event::Started { files: files.len() });
    let known = store.known_hashes();
    let spans = store
        .activities()
        .iter()
        .map(|r| Span {
            id: r.id.clone(),
            source_hash: r.source_hash.clone(),
            start_ms: r.start_ms,
            end_ms: r.end_ms,
            sport: r.sport.clone(),
            richness: row_richness(r),
        })
        .collect();
    let mut reading_days: HashMap<String, Vec<(String, [bool; 4])>> = HashMap::new();
    for r in store.readings() {
        reading_days.entry(r.date.clone()).or_default().push((
            r.source.clone(),
            [
                r.resting_hr_bpm.is_some(),
                r.rmssd_ms.is_some(),
                r.sleep_score.is_some(),
                r.feel.is_some(),
            ],
        ));
    }
    let import_seq = store.next_import_seq();
    let (commits, batches) = mpsc::sync_channel::<Batch>(0);
    let (results, committed) = mpsc::channel();
    let mut w = Writer {
        commits: Some(commits),
        committed,
        spans,
        seen: HashSet::new(),
        pending: Vec::new(),
        pending_samples: 0,
        sources: Vec::new(),
        replaced: Vec::new(),
        readings: Vec::new(),
        reading_days,
        import_seq,
        dates_read: HashSet::new(),
        added: HashSet::new(),
        summary: Summary {
            files: files.len(),
            ..Summary::default()
        },
    };
    // An index that cannot be read stops nothing: its files are imported without it.
    for (name, why) in index_problems {
        let warning = Warning::new("export_index_unreadable", why);
        events(&Event::Item {
            name: name.clone(),
            outcome: Outcome::Ignored,
            warnings: vec![warning.clone()],
        });
        w.summary.warnings.push((name, warning));
    }
    for e in walk_errors {
        events(&Event::Item {
            name: e.source_name.clone(),
            outcome: Outcome::Failed(e.error.to_string()),
            warnings: Vec::new(),
        });
        w.summary.failed.push(e);
    }
    let cancel = AtomicBool::new(false);
    // A few files in flight is enough to keep both cores busy; more would only hold memory.
    let (tx, rx) = mpsc::sync_channel::<Msg>(rayon::current_num_threads() * 4);
    let limits = opts.limits;
    let result = std::thread::scope(|scope| {
        let cancel = &cancel;
        let known = &known;
        let index = &index;
        let from_index = &from_index;
        let guessed = &guessed;
        let files = &files;
        let store = &mut *store;
        let committing = scope.spawn(move || committer(store, &batches, &results));
        scope.spawn(move || {
            files.par_iter().for_each_with(tx, |tx, path| {
                if cancel.load(Ordering::Relaxed) {
                    return;
                }
                let tx = &*tx;
                let sink = |found: Found| {
                    let msg = match found {
                        Found::Input(input) => {
                            let hash = hrdrift_ingest::content_id(&input.bytes);
                            if known.contains(&hash) {
                                Msg::Known { name: input.name }
                            } else {
                                let mut result = hrdrift_ingest::decode_contents(
                                    &input.bytes,
                                    &input.name,
                                    &hash,
                                );
                                if let Ok(Contents::Activities(d)) = &mut result {
                                    for a in &mut d.value {
                                        let s = index.settle(a);
                                        if s.from_index {
                                            from_index.fetch_add(1, Ordering::Relaxed);
                                        }
                                        if s.guessed {
                                            guessed.fetch_add(1, Ordering::Relaxed);
                                        }
                                    }
                                }
                                let derived = match (&result, derive) {
                                    (Ok(Contents::Activities(d)), Some(f)) => {
                                        d.value.iter().map(f).collect()
                                    }
                                    _ => Vec::new(),
                                };
                                Msg::Decoded {
                                    name: input.name,
                                    hash,
                                    result,
                                    derived,
                                }
                            }
                        }
                        Found::Failed(e) => Msg::Failed(e),
                        Found::Ignored(name) => Msg::Ignored { name },
                    };
                    // The writer hung up after a store error: stop quietly.
                    if tx.send(msg).is_err() {
                        cancel.store(true, Ordering::Relaxed);
                    }
                };
                source::expand_file(path, &limits, &sink);
                let _ = tx.send(Msg::FileDone);
            });
        });
        for msg in rx {
            match msg {
                Msg::Decoded {
                    name,
                    hash,
                    result,
                    derived,
                } => {
                    if !w.seen.insert(hash.clone()) {
                        w.summary.known += 1;
                        events(&Event::Item {
                            name,
                            outcome: Outcome::Known,
                            warnings: Vec::new(),
                        });
                        continue;
                    }
                    match result {
                        Ok(Contents::Activities(d)) => w.add(&name, &hash, d, derived, events),
                        Ok(Contents::Readings(d)) => w.add_readings(&name, &hash, d, events),
                        Err(DecodeError::NotAnActivity(why)) => {
                            w.summary.not_activity += 1;
                            w.sources.push(SourceRow {
                                hash,
                                name: name.clone(),
                                outcome: "not_activity".to_owned(),
                                detail: why.clone(),
                            });
                            events(&Event::Item {
                                name,
                                outcome: Outcome::NotActivity(why),
                                warnings: Vec::new(),
                            });
                        }
                        Err(error) => {
                            events(&Event::Item {
                                name: name.clone(),
                                outcome: Outcome::Failed(error.to_string()),
                                warnings: Vec::new(),
                            });
                            w.summary.failed.push(FileError {
                                source_name: name,
                                error,
                            });
                        }
                    }
                }
                Msg::Known { name } => {
                    w.summary.known += 1;
                    events(&Event::Item {
                        name,
                        outcome: Outcome::Known,
                        warnings: Vec::new(),
                    });
                }
                Msg::Ignored { name } => {
                    w.summary.ignored += 1;
                    events(&Event::Item {
                        name,
                        outcome: Outcome::Ignored,
                        warnings: Vec::new(),
                    });
                }
                Msg::Failed(e) => {
                    events(&Event::Item {
                        name: e.source_name.clone(),
                        outcome: Outcome::Failed(e.error.to_string()),
                        warnings: Vec::new(),
                    });
                    w.summary.failed.push(e);
                }
                Msg::FileDone => events(&Event::FileDone),
            }
            if let Err(e) = w.commit_if_due(opts, false, events) {
                cancel.store(true, Ordering::Relaxed);
                return Err(e);
            }
        }
        w.commit_if_due(opts, true, events)?;
        // Hanging up lets the committer finish the last batch and stop.
        w.commits = None;
        let _ = committing.join();
        w.report_commits(events)
    });
    // The store reads its tables back with the memory of the pipeline and of this import's
    // index given back first: what follows an import (its metrics) starts from there. Only
    // here: trimming after every publish too cost 0.8 s of system time in an import of 3,000
    // files (each freed page is faulted in again by the next batch) and lowered no peak.
    drop(w.spans);
    drop(w.seen);
    drop(w.added);
    let reloaded = if store.rows_released() {
        crate::memory::release_free_memory();
        store.reload()
    } else {
        Ok(())
    };
    result?;
    reloaded?;
    // Stored last: the activities of earlier imports take their sports and names from it now
    // (this import's took them while decoding).
    let applied = store.put_index(&found)?;
    w.summary.index_files = found.len();
    w.summary.sport_from_index = from_index.into_inner();
    w.summary.sport_guessed = guessed.into_inner();
    w.summary.stored_from_index = applied;
    Ok(w.summary)
}

//! Per-activity metrics kept beside the activities: computed once per activity and settings,
//! recomputed when the settings (configured or estimated) change.
//!
//! Two passes, each reading only the activities that need it:
//! 1. When an anchor (HRmax, LTHR, resting HR) must be estimated, every activity needs its
//!    valid-HR pool; pools depend only on the cleaning thresholds, so a settings change rarely
//!    invalidates them.
//! 2. The settings are resolved (config, then estimates from the pooled data), and every
//!    activity whose metrics were computed with other settings is recomputed.
//!
//! The `long` flag and the session type depend on the runs before an activity, so they are
//! filled from the stored rows on every load rather than stored: a new `threshold_pace`, or an
//! estimate that moves, recomputes only the types (`hrdrift_analytics::fill_session_types`).

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use hrdrift_analytics::{
    ActivityContext, ActivityMetrics, AthleteSettings, EffortState, HrPool, HrSummary,
    estimate_from_pools, pool_fingerprint,
};
use hrdrift_store::{LockMode, MetricsRow, Store, StoreError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::config;

/// The metrics of every activity in the store, in the store's (start) order.
pub struct Derived {
    /// The settings used: the config file's, with estimated anchors filled in.
    pub settings: AthleteSettings,
    pub metrics: Vec<ActivityMetrics>,
    /// Activities recomputed by this call...
    pub recomputed: usize,
    /// ...of which read back from the store (the others were re-anchored from their summaries).
    pub read_back: usize,
    /// Problems that cost some activities their metrics (an unreadable sample part).
    pub problems: Vec<String>,
    /// The threshold speed and LTHR from efforts as of the latest run (empty when the metrics
    /// were not kept).
    pub effort: EffortState,
    /// Whether `settings.lthr` is the estimate from sustained efforts (METRICS.md 3a), rather
    /// than configured or 0.9 x HRmax (`low_confidence`).
    pub lthr_from_efforts: bool,
    /// The morning readings of the store, a day each with its baselines (METRICS.md 6).
    pub mornings: Vec<hrdrift_analytics::wellness::WellnessDay>,
    /// Rows computed by this call, not yet written to the store.
    pending: Vec<MetricsRow>,
}

impl Derived {
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&ActivityMetrics> {
        self.metrics.iter().find(|m| m.id == id)
    }
}

/// Reads the metrics for a read-only command. When some are missing or stale, takes the write
/// lock (without waiting) to compute and store them; when another process holds the lock or
/// the store cannot be written, computes them in memory for this call only.
///
/// # Errors
/// The store or the config file cannot be read.
pub fn for_reading(store_dir: &Path) -> anyhow::Result<Derived> {
    for_reading_with_store(store_dir).map(|(d, _)| d)
}

/// [`for_reading`], and the store opened for reading, for a command that reads samples too:
/// opening it again would read the metrics table a second time.
///
/// # Errors
/// The store or the config file cannot be read.
pub fn for_reading_with_store(store_dir: &Path) -> anyhow::Result<(Derived, Store)> {
    let store = Store::open_read(store_dir)
        .with_context(|| format!("reading the store {}", store_dir.display()))?;
    let base = config::load(store_dir)?;
    if is_fresh(&store, &base) || store.activities().is_empty() {
        return Ok((refresh(&store, &base, true)?, store));
    }
    match Store::open_write(store_dir, LockMode::Fail) {
        Ok(mut w) => {
            let mut d = refresh(&w, &base, true)?;
            persist(&mut w, &mut d, false);
            drop(w);
            // The store as written: the reader opened before holds the rows before.
            let store = Store::open_read(store_dir)
                .with_context(|| format!("reading the store {}", store_dir.display()))?;
            Ok((d, store))
        }
        Err(_) => Ok((refresh(&store, &base, true)?, store)),
    }
}

/// Brings the metrics of a store opened for writing up to date and stores them.
///
/// # Errors
/// The config file cannot be read.
pub fn update(store: &mut Store) -> anyhow::Result<Derived> {
    refresh_and_persist(store, true)
}

/// Stores the metrics after an import. The rows its decode workers computed ([`deriver`]) were
/// staged with the samples; their pools and metrics are used where their fingerprints match, so
/// those activities are not read back. Nothing is parsed for the caller: the returned
/// [`Derived::metrics`] is empty (the import reports only what was computed), which keeps the end
/// of a large import from holding every activity's metrics twice.
///
/// # Errors
/// The config file cannot be read.
pub fn store_after_import(store: &mut Store) -> anyhow::Result<Derived> {
    refresh_and_persist(store, false)
}

fn refresh_and_persist(store: &mut Store, keep: bool) -> anyhow::Result<Derived> {
    let base = config::load(store.dir())?;
    store.reload_metrics();
    let reanchored = reanchor_in_place(store, &base);
    let mut d = refresh(store, &base, keep)?;
    d.recomputed += reanchored;
    persist(store, &mut d, reanchored > 0);
    Ok(d)
}

/// The fingerprints a stored row is checked against.
#[derive(Clone)]
struct Prints {
    /// [`AthleteSettings::activity_fingerprint`] of the settings in use.
    activity: String,
    /// [`pool_fingerprint`] of the configured settings.
    pool: String,
    /// [`AthleteSettings::anchor_free_fingerprint`]: a row whose HR summary was made under it
    /// can be re-anchored instead of read back.
    anchor_free: String,
}

impl Prints {
    fn of(settings: &AthleteSettings, base: &AthleteSettings) -> Self {
        Prints {
            activity: settings.activity_fingerprint(),
            pool: pool_fingerprint(base),
            anchor_free: settings.sanitized().anchor_free_fingerprint(),
        }
    }

    /// Whether a stored HR summary was made under the same cleaning and warm-up settings (its
    /// fingerprint compared as a value, not found in the text).
    fn reanchorable(&self, hr_summary: &str) -> bool {
        HrSummary::fingerprint_of(hr_summary).as_deref() == Some(self.anchor_free.as_str())
    }

    /// The one place a metrics row is made: the metrics as stored JSON, under these prints.
    /// `None` only if the metrics cannot be serialized (not expected: they hold finite numbers).
    fn row(
        &self,
        id: &str,
        metrics: &ActivityMetrics,
        pool: String,
        hr_summary: String,
    ) -> Option<MetricsRow> {
        Some(MetricsRow {
            id: id.to_owned(),
            pool_fingerprint: self.pool.clone(),
            pool,
            fingerprint: self.activity.clone(),
            metrics_json: serde_json::to_string(metrics).ok()?,
            hr_summary,
        })
    }
}

/// Re-anchors the stored rows whose summaries allow it to the settings the stored pools give,
/// in place, before [`refresh`]: a writer then holds each row once, where `refresh` would make
/// a new row beside the stored one (at the end of a first import with estimated anchors, every
/// row of the store). `refresh` stays the authority: a row these settings miss (a pool it must
/// compute afresh moves the estimate) is stale to it, and re-anchored or read back there.
fn reanchor_in_place(store: &mut Store, base: &AthleteSettings) -> usize {
    let settings = resolve(store, base);
    let prints = Prints::of(&settings, base);
    store.update_metrics(|m| {
        if m.fingerprint == prints.activity || !prints.reanchorable(&m.hr_summary) {
            return false;
        }
        let Some(row) = reanchored(m, &settings)
            .and_then(|(metrics, pool)| prints.row(&m.id, &metrics, pool, m.hr_summary.clone()))
        else {
            return false;
        };
        *m = row;
        true
    })
}

/// A row's metrics re-anchored to `settings` from its HR summary, and the pool its summary
/// makes; `None` when the summary does not allow it (`analytics::reanchor`).
fn reanchored(m: &MetricsRow, settings: &AthleteSettings) -> Option<(ActivityMetrics, String)> {
    let summary = HrSummary::from_json(&m.hr_summary)?;
    let mut metrics = serde_json::from_str::<ActivityMetrics>(&m.metrics_json).ok()?;
    if !hrdrift_analytics::reanchor(&mut metrics, &summary, settings) {
        return None;
    }
    Some((metrics, HrPool::from_summary(&summary).to_json()))
}

/// What the import's decode workers compute for each new activity: its valid-HR pool, its
/// metrics, and the summary that lets [`refresh`] compute the anchor-dependent metrics again
/// without reading the activity back.
///
/// The settings are those the store resolves to before the import. With every anchor
/// configured they are final. With estimated anchors they are a guess that holds when the new
/// activities do not move the estimate (a nightly import into a long history); when they do,
/// the fingerprint differs and [`store_after_import`] re-anchors the metrics from their
/// summaries. An empty store with estimated anchors has nothing to estimate from: its metrics
/// are computed with what is configured, and re-anchored once the import is done.
///
/// # Errors
/// The config file cannot be read.
pub fn deriver(store: &mut Store) -> anyhow::Result<Box<hrdrift_store::import::Deriver>> {
    store.set_metrics_shape(shape());
    let base = config::load(store.dir())?;
    let settings = if !needs_estimate(&base) || !store.activities().is_empty() {
        resolve(store, &base)
    } else {
        base.clone()
    };
    let prints = Prints::of(&settings, &base);
    Ok(Box::new(move |a| {
        let an = hrdrift_analytics::analyze(a, &settings, &ActivityContext::default());
        // The analysis cleaned the activity with the same thresholds as a pool does.
        let pool = HrPool::from_summary(&an.summary).to_json();
        let summary = an.summary.to_json();
        prints
            .row(&a.id, &an.metrics, pool.clone(), summary.clone())
            // A row that cannot be stored as computed is stored stale, to be computed again.
            .unwrap_or_else(|| MetricsRow {
                id: a.id.clone(),
                pool_fingerprint: prints.pool.clone(),
                pool,
                fingerprint: String::new(),
                metrics_json: String::new(),
                hr_summary: summary,
            })
    }))
}

/// The row that types the store's metrics columns (see [`Store::set_metrics_shape`]).
fn shape() -> MetricsRow {
    let summary = HrSummary::type_example();
    MetricsRow {
        id: String::new(),
        pool_fingerprint: String::new(),
        pool: HrPool::from_summary(&summary).to_json(),
        fingerprint: String::new(),
        metrics_json: serde_json::to_string(&ActivityMetrics::type_example()).unwrap_or_default(),
        hr_summary: summary.to_json(),
    }
}

/// Writes what `refresh` computed. A failure here loses nothing (metrics are derived), so it is
/// a warning, not an error.
fn persist(store: &mut Store, d: &mut Derived, changed_in_place: bool) {
    store.set_metrics_shape(shape());
    let rows = std::mem::take(&mut d.pending);
    // Rows of activities no longer in the store are dropped by any write, and metrics parts
    // folded in; write when there is something new, to drop or to fold.
    if rows.is_empty()
        && !changed_in_place
        && store.metrics().len() == store.activities().len()
        && store.metrics_parts_count() == 0
    {
        return;
    }
    if let Err(e) = store.put_metrics(rows) {
        eprintln!(
            "hrdrift: warning: could not save the computed metrics (they will be computed again next time): {e}"
        );
    }
}

fn is_fresh(store: &Store, base: &AthleteSettings) -> bool {
    let settings = resolve(store, base);
    let fp = settings.activity_fingerprint();
    let have: HashMap<&str, &MetricsRow> =
        store.metrics().iter().map(|m| (m.id.as_str(), m)).collect();
    store.activities().iter().all(|a| {
        have.get(a.id.as_str())
            .is_some_and(|m| m.fingerprint == fp && !m.metrics_json.is_empty())
    })
}

fn needs_estimate(base: &AthleteSettings) -> bool {
    base.hr_max.is_none() || base.lthr.is_none() || base.hr_rest.is_none()
}

/// The settings to use, from the config and the stored pools.
fn resolve(store: &Store, base: &AthleteSettings) -> AthleteSettings {
    let stored: HashMap<&str, &MetricsRow> =
        store.metrics().iter().map(|m| (m.id.as_str(), m)).collect();
    resolve_with(store, base, &HashMap::new(), &stored)
}

/// The settings to use, from the config and the pools: `fresh` ones computed now, else the
/// `stored` ones of the same cleaning settings.
fn resolve_with(
    store: &Store,
    base: &AthleteSettings,
    fresh: &HashMap<String, HrPool>,
    stored: &HashMap<&str, &MetricsRow>,
) -> AthleteSettings {
    let pool_fp = pool_fingerprint(base);
    let profile_rest = store
        .activities()
        .iter()
        .rev()
        .find_map(|a| a.profile_hr_rest.filter(|v| v.is_finite() && *v > 0.0));
    // HRmax is the one anchor estimated from the pools: with it configured they are not
    // parsed (10,000 of them are 20 MB at the end of a large import).
    if base.sanitized().hr_max.is_some() {
        return estimate_from_pools::<HrPool>(base, [], profile_rest);
    }
    // Parsed and merged one at a time, never all held at once.
    let pools = store
        .activities()
        .iter()
        .filter_map(|a| match fresh.get(&a.id) {
            Some(p) => Some(p.clone()),
            None => stored
                .get(a.id.as_str())
                .filter(|m| m.pool_fingerprint == pool_fp)
                .and_then(|m| HrPool::from_json(&m.pool)),
        });
    estimate_from_pools(base, pools, profile_rest)
}

fn progress(len: usize, what: &str) -> Option<ProgressBar> {
    (len > 20 && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} activities eta {{eta}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    })
}

/// Computes what is missing or stale (see the module docs) without writing anything; the rows
/// to write are left for [`persist`]. Without `keep`, [`Derived::metrics`] is left empty.
fn refresh(store: &Store, base: &AthleteSettings, keep: bool) -> anyhow::Result<Derived> {
    let pool_fp = pool_fingerprint(base);
    let stored: HashMap<&str, &MetricsRow> =
        store.metrics().iter().map(|m| (m.id.as_str(), m)).collect();
    let mut problems: Vec<String> = store
        .metrics_problem()
        .map(|p| format!("the metrics cache was unreadable and is rebuilt: {p}"))
        .into_iter()
        .collect();

    // Pass 1: pools, only when something must be estimated.
    let fresh_pools: Mutex<HashMap<String, HrPool>> = Mutex::new(HashMap::new());
    if needs_estimate(base) {
        let want: HashSet<&str> = store
            .activities()
            .iter()
            .filter(|a| {
                stored.get(a.id.as_str()).is_none_or(|m| {
                    m.pool_fingerprint != pool_fp || HrPool::from_json(&m.pool).is_none()
                })
            })
            .map(|a| a.id.as_str())
            .collect();
        if !want.is_empty() {
            let bar = progress(want.len(), "pooling heart rate");
            let errors = store.for_each_activity(&want, |a| {
                let p = HrPool::of(&a, base);
                if let Ok(mut m) = fresh_pools.lock() {
                    m.insert(a.id, p);
                }
                if let Some(b) = &bar {
                    b.inc(1);
                }
            });
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            problems.extend(errors.iter().map(StoreError::to_string));
        }
    }
    let fresh_pools = fresh_pools.into_inner().unwrap_or_default();
    let settings = resolve_with(store, base, &fresh_pools, &stored);
    let prints = Prints::of(&settings, base);
    let fp = &prints.activity;

    // Pass 2: metrics computed with other settings, or that do not read back. Each stored row of
    // these settings is parsed once, in parallel (it was parsed twice, one row at a time: half
    // of a query command's time); kept when the caller wants the metrics.
    let fresh = store
        .metrics()
        .par_iter()
        .filter(|m| m.fingerprint == *fp)
        .filter_map(|m| {
            let parsed = serde_json::from_str::<ActivityMetrics>(&m.metrics_json).ok()?;
            Some((m.id.as_str(), keep.then_some(parsed)))
        });
    let mut parsed: HashMap<&str, Option<ActivityMetrics>> = fresh.collect();
    let mut want: HashSet<&str> = store
        .activities()
        .iter()
        .map(|a| a.id.as_str())
        .filter(|id| !parsed.contains_key(id))
        .collect();
    // Rows are serialized as they are computed, and the metrics kept only when the caller
    // wants them: an import recomputing 10,000 activities would otherwise hold each twice.
    let mut computed: Mutex<HashMap<String, (MetricsRow, Option<ActivityMetrics>)>> =
        Mutex::new(HashMap::new());
    // Where only what the anchor-dependent metrics use changed (an estimate that moved, the
    // first import into a store with estimated anchors), the rows are re-anchored from their
    // summaries, and only the others read back.
    let reanchorable: Vec<(&str, &MetricsRow)> = want
        .iter()
        .filter_map(|id| stored.get(id).map(|m| (*id, *m)))
        .filter(|(_, m)| prints.reanchorable(&m.hr_summary))
        .collect();
    let reanchored: Vec<(&str, MetricsRow, Option<ActivityMetrics>)> = reanchorable
        .into_par_iter()
        .filter_map(|(id, m)| {
            let (metrics, pool) = reanchored(m, &settings)?;
            let row = prints.row(&m.id, &metrics, pool, m.hr_summary.clone())?;
            Some((id, row, keep.then_some(metrics)))
        })
        .collect();
    let reanchored_count = reanchored.len();
    if let Ok(c) = computed.get_mut() {
        for (id, row, m) in reanchored {
            want.remove(id);
            c.insert(id.to_owned(), (row, m));
        }
    }
    if !want.is_empty() {
        let bar = progress(want.len(), "computing metrics");
        let errors = store.for_each_activity(&want, |a| {
            let an = hrdrift_analytics::analyze(&a, &settings, &ActivityContext::default());
            let m = an.metrics;
            let pool = match fresh_pools.get(&a.id) {
                Some(p) => p.to_json(),
                None => HrPool::from_summary(&an.summary).to_json(),
            };
            let Some(row) = prints.row(&a.id, &m, pool, an.summary.to_json()) else {
                return;
            };
            if let Ok(mut c) = computed.lock() {
                c.insert(a.id, (row, keep.then_some(m)));
            }
            if let Some(b) = &bar {
                b.inc(1);
            }
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        problems.extend(errors.iter().map(StoreError::to_string));
    }
    let mut computed = computed.into_inner().unwrap_or_default();
    let recomputed = computed.len();
    let read_back = recomputed.saturating_sub(reanchored_count);

    // The LTHR estimate from sustained efforts needs every row's session type first (it reads
    // the efforts at 0.95 of the threshold speed), so it re-anchors the rows here, in memory,
    // from their HR summaries: the stored rows keep the anchors the pools give.
    let want_summaries = keep && base.sanitized().lthr.is_none();
    let mut summaries: Vec<Option<HrSummary>> = Vec::new();
    let mut rows = Vec::with_capacity(computed.len());
    let mut metrics = Vec::with_capacity(if keep { store.activities().len() } else { 0 });
    for a in store.activities() {
        if let Some((row, m)) = computed.remove(&a.id) {
            if let Some(m) = m {
                if want_summaries {
                    summaries.push(HrSummary::from_json(&row.hr_summary));
                }
                metrics.push(m);
            }
            rows.push(row);
        } else if let Some(m) = parsed.remove(a.id.as_str()).flatten()
            && let Some(text) = stored.get(a.id.as_str()).map(|m| &m.hr_summary)
        {
            if want_summaries {
                summaries.push(HrSummary::from_json(text));
            }
            metrics.push(m);
        }
    }
    drop(stored);
    let mut effort = EffortState::default();
    let mut settings = settings;
    let mut lthr_from_efforts = false;
    if keep {
        hrdrift_analytics::fill_long_rows(&mut metrics, &settings);
        effort = hrdrift_analytics::fill_session_types(&mut metrics, &settings);
        if want_summaries
            && let Some(l) = effort
                .lthr_from_efforts
                .map(|l| settings.hr_max.map_or(l, |mx| l.min(mx)))
        {
            let mut with = settings.clone();
            with.lthr = Some(l);
            with.estimated.lthr = true;
            if with.validate().is_ok() {
                for (m, sum) in metrics.iter_mut().zip(&summaries) {
                    if let Some(sum) = sum {
                        hrdrift_analytics::reanchor(m, sum, &with);
                    }
                }
                settings = with;
                effort = hrdrift_analytics::fill_session_types(&mut metrics, &settings);
                lthr_from_efforts = true;
            }
        }
    }
    Ok(Derived {
        settings,
        metrics,
        recomputed,
        read_back,
        problems,
        effort,
        lthr_from_efforts,
        mornings: mornings(store),
        pending: rows,
    })
}

/// The store's readings merged into days and judged against their baselines. A row whose day
/// or source this build cannot read (another tool's edit) is left out.
#[must_use]
pub fn mornings(store: &Store) -> Vec<hrdrift_analytics::wellness::WellnessDay> {
    use hrdrift_analytics::wellness::{StoredReading, days, merge};
    use hrdrift_ingest::daily::{DailyReading, ReadingSource};
    let rows: Vec<StoredReading> = store
        .readings()
        .iter()
        .filter_map(|r| {
            Some(StoredReading {
                reading: DailyReading {
                    date: chrono::NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").ok()?,
                    source: ReadingSource::parse(&r.source)?,
                    resting_hr_bpm: r.resting_hr_bpm,
                    rmssd_ms: r.rmssd_ms,
                    sleep_score: r.sleep_score,
                    feel: r.feel,
                },
                import_seq: r.import_seq,
            })
        })
        .collect();
    days(&merge(&rows))
}

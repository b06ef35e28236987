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
//! The `long` flag depends on the runs before an activity, so it is filled from the stored rows
//! on every load rather than stored.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use hrdrift_analytics::{
    ActivityContext, ActivityMetrics, AthleteSettings, HrPool, estimate_from_pools,
    pool_fingerprint,
};
use hrdrift_store::{LockMode, MetricsRow, Store, StoreError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config;

/// The metrics of every activity in the store, in the store's (start) order.
pub struct Derived {
    /// The settings used: the config file's, with estimated anchors filled in.
    pub settings: AthleteSettings,
    pub metrics: Vec<ActivityMetrics>,
    /// Activities recomputed by this call.
    pub recomputed: usize,
    /// Problems that cost some activities their metrics (an unreadable sample part).
    pub problems: Vec<String>,
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
    let store = Store::open_read(store_dir)
        .with_context(|| format!("reading the store {}", store_dir.display()))?;
    let base = config::load(store_dir)?;
    if is_fresh(&store, &base) || store.activities().is_empty() {
        return refresh(&store, &base, Vec::new(), true);
    }
    match Store::open_write(store_dir, LockMode::Fail) {
        Ok(mut w) => {
            let mut d = refresh(&w, &base, Vec::new(), true)?;
            persist(&mut w, &mut d);
            Ok(d)
        }
        Err(_) => refresh(&store, &base, Vec::new(), true),
    }
}

/// Brings the metrics of a store opened for writing up to date and stores them.
///
/// # Errors
/// The config file cannot be read.
pub fn update(store: &mut Store) -> anyhow::Result<Derived> {
    refresh_and_persist(store, Vec::new(), true)
}

/// Stores the metrics after an import, given the rows its decode workers computed
/// ([`deriver`]): their pools and metrics are used where their fingerprints match, so those
/// activities are not read back. Nothing is parsed for the caller: the returned
/// [`Derived::metrics`] is empty (the import reports only what was computed), which keeps the end
/// of a large import from holding every activity's metrics twice.
///
/// # Errors
/// The config file cannot be read.
pub fn store_after_import(store: &mut Store, fresh: Vec<MetricsRow>) -> anyhow::Result<Derived> {
    refresh_and_persist(store, fresh, false)
}

fn refresh_and_persist(
    store: &mut Store,
    fresh: Vec<MetricsRow>,
    keep: bool,
) -> anyhow::Result<Derived> {
    let base = config::load(store.dir())?;
    let mut d = refresh(store, &base, fresh, keep)?;
    persist(store, &mut d);
    Ok(d)
}

/// What the import's decode workers compute for each new activity: its valid-HR pool and,
/// when the settings can be known before the import, its metrics.
///
/// The settings are those the store resolves to before the import. With every anchor
/// configured they are final. With estimated anchors they are a guess that holds when the new
/// activities do not move the estimate (a nightly import into a long history); when they do,
/// the fingerprint differs and [`store_after_import`] recomputes as before. An empty store with
/// estimated anchors has nothing to estimate from, so only the pools are computed.
///
/// # Errors
/// The config file cannot be read.
pub fn deriver(store: &Store) -> anyhow::Result<Box<hrdrift_store::import::Deriver>> {
    let base = config::load(store.dir())?;
    let pool_fp = pool_fingerprint(&base);
    let settings =
        (!needs_estimate(&base) || !store.activities().is_empty()).then(|| resolve(store, &base));
    let fp = settings
        .as_ref()
        .map(AthleteSettings::activity_fingerprint)
        .unwrap_or_default();
    Ok(Box::new(move |a| {
        let metrics_json = settings
            .as_ref()
            .and_then(|s| {
                let m = hrdrift_analytics::compute(a, s, &ActivityContext::default());
                serde_json::to_string(&m).ok()
            })
            .unwrap_or_default();
        MetricsRow {
            id: a.id.clone(),
            pool_fingerprint: pool_fp.clone(),
            pool: HrPool::of(a, &base).to_text(),
            fingerprint: if metrics_json.is_empty() {
                String::new()
            } else {
                fp.clone()
            },
            metrics_json,
        }
    }))
}

/// Writes what `refresh` computed. A failure here loses nothing (metrics are derived), so it is
/// a warning, not an error.
fn persist(store: &mut Store, d: &mut Derived) {
    let rows = std::mem::take(&mut d.pending);
    // Rows of activities no longer in the store are dropped by any write; write when there is
    // something new or something to drop.
    if rows.is_empty() && store.metrics().len() == store.activities().len() {
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
        return estimate_from_pools(base, &[], profile_rest);
    }
    let pools: Vec<HrPool> = store
        .activities()
        .iter()
        .filter_map(|a| match fresh.get(&a.id) {
            Some(p) => Some(p.clone()),
            None => stored
                .get(a.id.as_str())
                .filter(|m| m.pool_fingerprint == pool_fp)
                .and_then(|m| HrPool::from_text(&m.pool)),
        })
        .collect();
    estimate_from_pools(base, &pools, profile_rest)
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
/// to write are left for [`persist`]. `fresh` rows (from the import) stand before the stored
/// ones and are written too. Without `keep`, [`Derived::metrics`] is left empty.
fn refresh(
    store: &Store,
    base: &AthleteSettings,
    fresh: Vec<MetricsRow>,
    keep: bool,
) -> anyhow::Result<Derived> {
    let pool_fp = pool_fingerprint(base);
    let mut stored: HashMap<&str, &MetricsRow> =
        store.metrics().iter().map(|m| (m.id.as_str(), m)).collect();
    stored.extend(fresh.iter().map(|m| (m.id.as_str(), m)));
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
                    m.pool_fingerprint != pool_fp || HrPool::from_text(&m.pool).is_none()
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
    let fp = settings.activity_fingerprint();

    // Pass 2: metrics computed with other settings.
    let want: HashSet<&str> = store
        .activities()
        .iter()
        .filter(|a| {
            stored.get(a.id.as_str()).is_none_or(|m| {
                m.fingerprint != fp
                    || serde_json::from_str::<ActivityMetrics>(&m.metrics_json).is_err()
            })
        })
        .map(|a| a.id.as_str())
        .collect();
    // Rows are serialized as they are computed, and the metrics kept only when the caller
    // wants them: an import recomputing 10,000 activities would otherwise hold each twice.
    let computed: Mutex<HashMap<String, (MetricsRow, Option<ActivityMetrics>)>> =
        Mutex::new(HashMap::new());
    if !want.is_empty() {
        let bar = progress(want.len(), "computing metrics");
        let errors = store.for_each_activity(&want, |a| {
            let m = hrdrift_analytics::compute(&a, &settings, &ActivityContext::default());
            let pool = match fresh_pools.get(&a.id) {
                Some(p) => p.to_text(),
                None => match stored.get(a.id.as_str()).filter(|m| {
                    m.pool_fingerprint == pool_fp && HrPool::from_text(&m.pool).is_some()
                }) {
                    Some(m) => m.pool.clone(),
                    None => HrPool::of(&a, base).to_text(),
                },
            };
            let Ok(metrics_json) = serde_json::to_string(&m) else {
                return;
            };
            let row = MetricsRow {
                id: a.id.clone(),
                pool_fingerprint: pool_fp.clone(),
                pool,
                fingerprint: fp.clone(),
                metrics_json,
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

    let mut rows = Vec::with_capacity(computed.len());
    let mut metrics = Vec::with_capacity(if keep { store.activities().len() } else { 0 });
    for a in store.activities() {
        if let Some((row, m)) = computed.remove(&a.id) {
            rows.push(row);
            metrics.extend(m);
        } else if keep
            && let Some(m) = stored
                .get(a.id.as_str())
                .filter(|m| m.fingerprint == fp)
                .and_then(|m| serde_json::from_str::<ActivityMetrics>(&m.metrics_json).ok())
        {
            metrics.push(m);
        }
    }
    drop(stored);
    // An import's rows not recomputed are new to the store too (even one whose metrics were not
    // usable: its pool still is); moved, not copied, as they can be many.
    let recomputed_ids: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let fresh: Vec<MetricsRow> = fresh
        .into_iter()
        .filter(|r| !recomputed_ids.contains(r.id.as_str()))
        .collect();
    drop(recomputed_ids);
    rows.extend(fresh);
    if keep {
        hrdrift_analytics::fill_long_rows(&mut metrics, &settings);
    }
    Ok(Derived {
        settings,
        metrics,
        recomputed,
        problems,
        pending: rows,
    })
}

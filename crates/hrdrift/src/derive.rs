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
        return refresh(&store, &base);
    }
    match Store::open_write(store_dir, LockMode::Fail) {
        Ok(mut w) => {
            let mut d = refresh(&w, &base)?;
            persist(&mut w, &mut d);
            Ok(d)
        }
        Err(_) => refresh(&store, &base),
    }
}

/// Brings the metrics of a store opened for writing up to date and stores them.
///
/// # Errors
/// The config file cannot be read.
pub fn update(store: &mut Store) -> anyhow::Result<Derived> {
    let base = config::load(store.dir())?;
    let mut d = refresh(store, &base)?;
    persist(store, &mut d);
    Ok(d)
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
    let (settings, _) = resolve(store, base, &HashMap::new());
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

/// The settings to use, from the config and the pools (stored, or `fresh` ones computed now).
fn resolve(
    store: &Store,
    base: &AthleteSettings,
    fresh: &HashMap<String, HrPool>,
) -> (AthleteSettings, usize) {
    let pool_fp = pool_fingerprint(base);
    let stored: HashMap<&str, &MetricsRow> =
        store.metrics().iter().map(|m| (m.id.as_str(), m)).collect();
    let mut pools = Vec::with_capacity(store.activities().len());
    let mut missing = 0;
    for a in store.activities() {
        if let Some(p) = fresh.get(&a.id) {
            pools.push(p.clone());
        } else if let Some(p) = stored
            .get(a.id.as_str())
            .filter(|m| m.pool_fingerprint == pool_fp)
            .and_then(|m| HrPool::from_text(&m.pool))
        {
            pools.push(p);
        } else {
            missing += 1;
        }
    }
    let profile_rest = store
        .activities()
        .iter()
        .rev()
        .find_map(|a| a.profile_hr_rest.filter(|v| v.is_finite() && *v > 0.0));
    (estimate_from_pools(base, &pools, profile_rest), missing)
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
/// to write are left for [`persist`].
fn refresh(store: &Store, base: &AthleteSettings) -> anyhow::Result<Derived> {
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
    let (settings, _) = resolve(store, base, &fresh_pools);
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
    let computed: Mutex<HashMap<String, (ActivityMetrics, HrPool)>> = Mutex::new(HashMap::new());
    if !want.is_empty() {
        let bar = progress(want.len(), "computing metrics");
        let errors = store.for_each_activity(&want, |a| {
            let m = hrdrift_analytics::compute(&a, &settings, &ActivityContext::default());
            let pool = match fresh_pools.get(&a.id) {
                Some(p) => p.clone(),
                None => match stored
                    .get(a.id.as_str())
                    .filter(|m| m.pool_fingerprint == pool_fp)
                    .and_then(|m| HrPool::from_text(&m.pool))
                {
                    Some(p) => p,
                    None => HrPool::of(&a, base),
                },
            };
            if let Ok(mut c) = computed.lock() {
                c.insert(a.id, (m, pool));
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
    let computed = computed.into_inner().unwrap_or_default();

    let mut rows = Vec::with_capacity(computed.len());
    let mut metrics = Vec::with_capacity(store.activities().len());
    for a in store.activities() {
        if let Some((m, pool)) = computed.get(&a.id) {
            rows.push(MetricsRow {
                id: a.id.clone(),
                pool_fingerprint: pool_fp.clone(),
                pool: pool.to_text(),
                fingerprint: fp.clone(),
                metrics_json: serde_json::to_string(m)?,
            });
            metrics.push(m.clone());
        } else if let Some(m) = stored
            .get(a.id.as_str())
            .filter(|m| m.fingerprint == fp)
            .and_then(|m| serde_json::from_str::<ActivityMetrics>(&m.metrics_json).ok())
        {
            metrics.push(m);
        }
    }
    let recomputed = rows.len();
    hrdrift_analytics::fill_long_rows(&mut metrics, &settings);
    Ok(Derived {
        settings,
        metrics,
        recomputed,
        problems,
        pending: rows,
    })
}

//! Pooled valid heart rate across activities, for estimating HRmax without keeping (or
//! re-reading) every sample.
//!
//! Each activity contributes a histogram of its valid (cleaned) 1 Hz heart rate at 1 bpm
//! resolution; histograms add, so a store keeps one per activity and pools them on demand.
//! The percentile of a pool equals [`crate::stats`]' interpolated percentile of the values
//! rounded to whole bpm: exact for the whole-bpm values watches record, within 0.5 bpm where
//! cleaning interpolated across a gap.

use std::collections::BTreeMap;

use hrdrift_ingest::Activity;
use serde::{Deserialize, Serialize};

use crate::clean;
use crate::settings::{AthleteSettings, anchor};

/// A valid-HR histogram: whole bpm -> seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HrPool {
    pub counts: BTreeMap<u16, u64>,
}

impl HrPool {
    /// The valid heart rate of one activity, cleaned with `settings` (only the cleaning
    /// thresholds matter: see [`pool_fingerprint`]).
    #[must_use]
    pub fn of(activity: &Activity, settings: &AthleteSettings) -> Self {
        let s = settings.sanitized();
        let mut pool = HrPool::default();
        for v in clean::clean(activity, &s).hr.iter().flatten() {
            pool.add(*v, 1);
        }
        pool
    }

    /// The same pool from an activity's [`crate::HrSummary`] (made with the same cleaning
    /// settings), without cleaning it again.
    #[must_use]
    pub fn from_summary(summary: &crate::HrSummary) -> Self {
        let mut pool = HrPool::default();
        for (bpm, n) in summary.seconds() {
            pool.add(bpm, u64::from(n));
        }
        pool
    }

    fn add(&mut self, bpm: f64, n: u64) {
        if bpm.is_finite() && bpm >= 0.0 {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let b = bpm.round().min(f64::from(u16::MAX)) as u16;
            *self.counts.entry(b).or_insert(0) += n;
        }
    }

    /// Adds another pool into this one.
    pub fn merge(&mut self, other: &HrPool) {
        for (b, n) in &other.counts {
            *self.counts.entry(*b).or_insert(0) += n;
        }
    }

    #[must_use]
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// The `p`-th percentile (linear interpolation between closest ranks, as numpy's default).
    #[must_use]
    pub fn percentile(&self, p: f64) -> Option<f64> {
        let n = self.total();
        if n == 0 || !p.is_finite() {
            return None;
        }
        #[expect(clippy::cast_precision_loss)]
        let rank = (p.clamp(0.0, 100.0) / 100.0) * (n - 1) as f64;
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let lo = rank.floor() as u64;
        let hi = (lo + 1).min(n - 1);
        let (vlo, vhi) = (self.value_at(lo)?, self.value_at(hi)?);
        Some(vlo + (vhi - vlo) * (rank - rank.floor()))
    }

    /// The value of rank `k` (0-based) in the sorted pool.
    fn value_at(&self, k: u64) -> Option<f64> {
        let mut seen = 0;
        for (b, n) in &self.counts {
            seen += n;
            if k < seen {
                return Some(f64::from(*b));
            }
        }
        None
    }

    /// The form a store keeps: `{"bpm": [..], "seconds": [..]}`, ascending bpm (typed list
    /// columns in `metrics.parquet`).
    #[must_use]
    pub fn to_json(&self) -> String {
        let wire = PoolJson {
            bpm: self.counts.keys().copied().collect(),
            seconds: self.counts.values().copied().collect(),
        };
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// Parses [`HrPool::to_json`]; `None` when the text is not in that form.
    #[must_use]
    pub fn from_json(text: &str) -> Option<Self> {
        let wire: PoolJson = serde_json::from_str(text).ok()?;
        if wire.bpm.len() != wire.seconds.len() {
            return None;
        }
        let mut pool = HrPool::default();
        for (b, n) in wire.bpm.into_iter().zip(wire.seconds) {
            *pool.counts.entry(b).or_insert(0) += n;
        }
        Some(pool)
    }
}

/// [`HrPool`] as stored: two lists rather than a map, so the columns are typed the same
/// whichever heart rates an activity had.
#[derive(Serialize, Deserialize)]
struct PoolJson {
    bpm: Vec<u16>,
    seconds: Vec<u64>,
}

/// Fingerprint of the settings a pool depends on: the cleaning thresholds, not the anchors,
/// so setting `hr_max` or `sex` does not invalidate stored pools.
#[must_use]
pub fn pool_fingerprint(settings: &AthleteSettings) -> String {
    let s = AthleteSettings {
        hr_max: None,
        hr_rest: None,
        lthr: None,
        sex: crate::Sex::default(),
        zone_model: crate::ZoneModel::default(),
        estimated: crate::Estimated::default(),
        // Nor the settings applied when rows are read (a new `threshold_pace` must not make
        // every pool be read back from the samples).
        ..settings.sanitized().stored_view()
    };
    s.fingerprint()
}

/// Fills the anchors the config left out from pooled data, per METRICS.md section 3, and marks
/// them `estimated`; values already set are kept. `pools` has one entry per activity;
/// `profile_hr_rest` is the resting HR of the most recent FIT user profile that gives one.
///
/// - `hr_max`: the `estimate_hr_max_percentile` (99.5th) percentile of all valid HR, only when
///   at least `estimate_min_activities` (20) activities carry valid HR.
/// - `lthr`: `estimate_lthr_fraction` (0.9) x `hr_max` (given or estimated).
/// - `hr_rest`: the profile's resting HR, else `default_hr_rest` (50).
#[must_use]
pub fn estimate_from_pools<P: std::borrow::Borrow<HrPool>>(
    base: &AthleteSettings,
    pools: impl IntoIterator<Item = P>,
    profile_hr_rest: Option<f64>,
) -> AthleteSettings {
    let mut s = base.sanitized();
    if s.hr_max.is_none() {
        let mut all = HrPool::default();
        let mut with_hr = 0_usize;
        for p in pools {
            let p = p.borrow();
            if !p.is_empty() {
                with_hr += 1;
                all.merge(p);
            }
        }
        if with_hr >= s.estimate_min_activities.max(1) {
            s.hr_max = anchor(all.percentile(s.estimate_hr_max_percentile));
            s.estimated.hr_max = s.hr_max.is_some();
        }
    }
    if s.lthr.is_none()
        && let Some(hr_max) = s.hr_max
    {
        s.lthr = anchor(Some(hr_max * s.estimate_lthr_fraction));
        s.estimated.lthr = s.lthr.is_some();
    }
    if s.hr_rest.is_none() {
        s.hr_rest = Some(anchor(profile_hr_rest).unwrap_or(s.default_hr_rest));
        s.estimated.hr_rest = true;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_matches_sorted_values() {
        let values = [150.0, 151.0, 151.0, 160.0, 185.0, 190.0];
        let mut pool = HrPool::default();
        for v in values {
            pool.add(v, 1);
        }
        let mut v = values.to_vec();
        for p in [0.0, 25.0, 50.0, 87.5, 99.5, 100.0] {
            assert_eq!(
                pool.percentile(p),
                crate::stats::percentile(&mut v, p),
                "p{p}"
            );
        }
        assert_eq!(HrPool::default().percentile(50.0), None);
    }

    #[test]
    fn json_round_trip_and_merge() {
        let mut a = HrPool::default();
        a.add(150.2, 3);
        a.add(171.0, 2);
        let b = HrPool::from_json(&a.to_json()).unwrap();
        assert_eq!(a, b);
        a.merge(&b);
        assert_eq!(a.total(), 10);
        assert_eq!(a.to_json(), r#"{"bpm":[150,171],"seconds":[6,4]}"#);
        assert_eq!(HrPool::from_json(r#"{"bpm":[150],"seconds":[]}"#), None);
        assert_eq!(HrPool::from_json("150:6"), None);
        assert_eq!(
            HrPool::from_json(&HrPool::default().to_json()),
            Some(HrPool::default())
        );
    }
}

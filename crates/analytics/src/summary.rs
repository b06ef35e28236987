//! The HR summary of one activity: what the anchor-dependent metrics need of it (its valid
//! heart rate, one entry per distinct value), kept beside its metrics so that new anchors
//! recompute them without reading the samples again ([`crate::reanchor`]).

use serde::{Deserialize, Serialize};

use crate::clean::Clean;
use crate::metrics::{Outcome, reason};
use crate::settings::AthleteSettings;
use crate::zones::zone_index;

/// What the anchor-dependent metrics (zones, the Seiler view, TRIMP, hrTSS, the session class)
/// need of an activity: its valid heart rate, one entry per distinct value. [`crate::analyze`] computes
/// those metrics from it too, so [`crate::reanchor`] gives the same numbers, to the bit, for other
/// anchors (an estimate that moved after an import) without reading the samples again.
#[derive(Debug, Clone, PartialEq)]
pub struct HrSummary {
    /// [`AthleteSettings::anchor_free_fingerprint`] of the settings it was made with.
    pub fingerprint: String,
    /// Distinct valid HR values of the grid seconds, ascending, each with its seconds in the
    /// whole activity and in the steady portion.
    pub(crate) hr: Vec<(f64, u32, u32)>,
    /// The HR gate (coverage) and the any-HR gate of [`crate::analyze`].
    pub(crate) hr_gate: Outcome<()>,
    pub(crate) any_hr_gate: Outcome<()>,
    pub(crate) running: bool,
}

impl HrSummary {
    pub(crate) fn new(
        c: &Clean,
        s: &AthleteSettings,
        running: bool,
        hr_gate: Outcome<()>,
        any_hr_gate: Outcome<()>,
    ) -> Self {
        let mut seconds: Vec<(f64, bool)> = c
            .t_s
            .iter()
            .zip(&c.hr)
            .filter_map(|(t, h)| h.map(|h| (h, *t >= s.warmup_s)))
            .collect();
        seconds.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut hr: Vec<(f64, u32, u32)> = Vec::new();
        for (h, steady) in seconds {
            match hr.last_mut() {
                Some(last) if last.0.to_bits() == h.to_bits() => {
                    last.1 = last.1.saturating_add(1);
                    last.2 = last.2.saturating_add(u32::from(steady));
                }
                _ => hr.push((h, 1, u32::from(steady))),
            }
        }
        HrSummary {
            fingerprint: s.anchor_free_fingerprint(),
            hr,
            hr_gate,
            any_hr_gate,
            running,
        }
    }

    /// Valid HR values and their seconds in the whole activity.
    pub fn seconds(&self) -> impl Iterator<Item = (f64, u32)> + '_ {
        self.hr.iter().map(|(h, n, _)| (*h, *n))
    }

    pub(crate) fn zone_seconds<const N: usize>(&self, lower_bounds: &[f64]) -> [f64; N] {
        let mut z = [0.0; N];
        for (h, n, _) in &self.hr {
            z[zone_index(*h, lower_bounds).min(N - 1)] += f64::from(*n);
        }
        z
    }

    /// Valid-HR seconds of the steady portion: in zone 0 of `bounds`, and in all.
    pub(crate) fn steady_seconds(&self, bounds: &[f64]) -> (f64, f64) {
        let (mut low, mut all) = (0.0, 0.0);
        for (h, _, n) in &self.hr {
            all += f64::from(*n);
            if zone_index(*h, bounds) == 0 {
                low += f64::from(*n);
            }
        }
        (low, all)
    }

    /// A summary with every field filled (a gate that failed, one value): what a store types
    /// its summary columns from ([`crate::ActivityMetrics::type_example`]). Never stored.
    #[must_use]
    pub fn type_example() -> Self {
        HrSummary {
            fingerprint: String::from("x"),
            hr: vec![(0.5, 1, 1)],
            hr_gate: Err(reason::LOW_COVERAGE),
            any_hr_gate: Err(reason::NO_HEART_RATE),
            running: true,
        }
    }

    /// The form a store keeps (typed columns in `metrics.parquet`): a JSON object whose
    /// values read back to the same bits (`serde_json`'s `float_roundtrip`).
    #[must_use]
    pub fn to_json(&self) -> String {
        let gate = |g: &Outcome<()>| g.err().map(str::to_owned);
        let wire = SummaryJson {
            version: SUMMARY_VERSION,
            fingerprint: self.fingerprint.clone(),
            running: self.running,
            hr_gate: gate(&self.hr_gate),
            any_hr_gate: gate(&self.any_hr_gate),
            bpm: self.hr.iter().map(|e| e.0).collect(),
            seconds: self.hr.iter().map(|e| e.1).collect(),
            steady_seconds: self.hr.iter().map(|e| e.2).collect(),
        };
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// The fingerprint of a summary's stored form, without building the summary: what a cache
    /// compares with [`AthleteSettings::anchor_free_fingerprint`] before re-anchoring.
    #[must_use]
    pub fn fingerprint_of(json: &str) -> Option<String> {
        #[derive(Deserialize)]
        struct Fingerprint {
            version: u32,
            fingerprint: String,
        }
        let f: Fingerprint = serde_json::from_str(json).ok()?;
        (f.version == SUMMARY_VERSION).then_some(f.fingerprint)
    }

    /// Parses [`HrSummary::to_json`]; `None` when the text is not in that form.
    #[must_use]
    pub fn from_json(json: &str) -> Option<Self> {
        let w: SummaryJson = serde_json::from_str(json).ok()?;
        let gate = |g: Option<String>| -> Option<Outcome<()>> {
            match g.as_deref() {
                None => Some(Ok(())),
                Some(reason::NO_MOVING_TIME) => Some(Err(reason::NO_MOVING_TIME)),
                Some(reason::NO_HEART_RATE) => Some(Err(reason::NO_HEART_RATE)),
                Some(reason::LOW_COVERAGE) => Some(Err(reason::LOW_COVERAGE)),
                Some(_) => None,
            }
        };
        let n = w.bpm.len();
        if w.version != SUMMARY_VERSION || w.seconds.len() != n || w.steady_seconds.len() != n {
            return None;
        }
        let hr: Vec<(f64, u32, u32)> = w
            .bpm
            .into_iter()
            .zip(w.seconds)
            .zip(w.steady_seconds)
            .map(|((h, n), st)| (h, n, st))
            .collect();
        if hr.iter().any(|(h, n, st)| !h.is_finite() || st > n) {
            return None;
        }
        Some(HrSummary {
            fingerprint: w.fingerprint,
            hr,
            hr_gate: gate(w.hr_gate)?,
            any_hr_gate: gate(w.any_hr_gate)?,
            running: w.running,
        })
    }
}

/// The version of [`SummaryJson`]; a stored summary of another is not used (the metrics are
/// computed again from the samples).
const SUMMARY_VERSION: u32 = 2;

/// [`HrSummary`] as stored: the distinct values as three lists (typed list columns).
#[derive(Serialize, Deserialize)]
struct SummaryJson {
    version: u32,
    fingerprint: String,
    running: bool,
    /// Why the metrics behind the gate are absent; none when it passed.
    hr_gate: Option<String>,
    any_hr_gate: Option<String>,
    bpm: Vec<f64>,
    seconds: Vec<u32>,
    steady_seconds: Vec<u32>,
}

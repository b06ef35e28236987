//! The HR summary of one activity: what the anchor-dependent metrics need of it (its valid
//! heart rate, one entry per distinct value), kept beside its metrics so that new anchors
//! recompute them without reading the samples again ([`crate::reanchor`]).

use std::fmt::Write as _;

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

    /// A compact text form (`v1;fingerprint;running;gate;gate;hr:all:steady,...`), whose values
    /// read back to the same bits.
    #[must_use]
    pub fn to_text(&self) -> String {
        let gate = |g: &Outcome<()>| g.err().unwrap_or_default();
        let mut out = format!(
            "v1;{};{};{};{};",
            self.fingerprint,
            u8::from(self.running),
            gate(&self.hr_gate),
            gate(&self.any_hr_gate)
        );
        for (i, (h, n, st)) in self.hr.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // Display of an f64 is the shortest text that parses back to the same value.
            let _ = write!(out, "{h}:{n}:{st}");
        }
        out
    }

    /// The fingerprint field of a summary's text form, without parsing the rest: what a cache
    /// compares with [`AthleteSettings::anchor_free_fingerprint`] before re-anchoring.
    #[must_use]
    pub fn fingerprint_of(text: &str) -> Option<&str> {
        let mut f = text.split(';');
        (f.next()? == "v1").then(|| f.next()).flatten()
    }

    /// Parses [`HrSummary::to_text`]; `None` when the text is not in that form.
    #[must_use]
    pub fn from_text(text: &str) -> Option<Self> {
        let mut f = text.split(';');
        if f.next()? != "v1" {
            return None;
        }
        let fingerprint = f.next()?.to_owned();
        let running = match f.next()? {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        let gate = |g: &str| -> Option<Outcome<()>> {
            match g {
                "" => Some(Ok(())),
                reason::NO_MOVING_TIME => Some(Err(reason::NO_MOVING_TIME)),
                reason::NO_HEART_RATE => Some(Err(reason::NO_HEART_RATE)),
                reason::LOW_COVERAGE => Some(Err(reason::LOW_COVERAGE)),
                _ => None,
            }
        };
        let hr_gate = gate(f.next()?)?;
        let any_hr_gate = gate(f.next()?)?;
        let values = f.next()?;
        if f.next().is_some() {
            return None;
        }
        let mut hr = Vec::new();
        for v in values.split(',').filter(|v| !v.is_empty()) {
            let mut p = v.split(':');
            let h: f64 = p.next()?.parse().ok()?;
            let n: u32 = p.next()?.parse().ok()?;
            let st: u32 = p.next()?.parse().ok()?;
            if p.next().is_some() || !h.is_finite() || st > n {
                return None;
            }
            hr.push((h, n, st));
        }
        Some(HrSummary {
            fingerprint,
            hr,
            hr_gate,
            any_hr_gate,
            running,
        })
    }
}

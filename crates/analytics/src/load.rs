//! Training load (METRICS.md section 3): Banister TRIMP and hrTSS.

use crate::settings::{AthleteSettings, Sex};

/// Banister's TRIMP per minute at heart-rate-reserve fraction `r`: `r k1 e^(k2 r)`.
///
/// `r` below 0 (HR under resting) counts as 0: sitting still is no load, not negative load.
#[must_use]
pub fn trimp_per_min(r: f64, k1: f64, k2: f64) -> f64 {
    let r = r.max(0.0);
    r * k1 * (k2 * r).exp()
}

/// TRIMP constants `(k1, k2)` for the athlete, and whether the male constants stand in for an
/// unknown sex.
#[must_use]
pub fn trimp_constants(s: &AthleteSettings) -> (f64, f64, bool) {
    match s.sex {
        Sex::Female => (s.trimp_k1_female, s.trimp_k2_female, false),
        Sex::Male => (s.trimp_k1_male, s.trimp_k2_male, false),
        Sex::Unknown => (s.trimp_k1_male, s.trimp_k2_male, true),
    }
}

/// Heart-rate-reserve fraction of `hr`.
#[must_use]
pub fn hrr_fraction(hr: f64, hr_rest: f64, hr_max: f64) -> f64 {
    (hr - hr_rest) / (hr_max - hr_rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form() {
        let r: f64 = 0.75;
        assert!(
            (trimp_per_min(r, 0.64, 1.92) - 0.75 * 0.64 * (1.92_f64 * 0.75).exp()).abs() < 1e-12
        );
        assert_eq!(trimp_per_min(-0.2, 0.64, 1.92), 0.0);
        assert!((hrr_fraction(120.0, 50.0, 190.0) - 0.5).abs() < 1e-12);
    }
}

//! The synthetic runner's physiology: steady-state heart rate from grade-adjusted speed,
//! heart-rate kinetics, cardiac drift, heat, fatigue after hard sessions, and the load and
//! zone arithmetic of METRICS.md used to state the ground truth in the analytics' own terms.
//!
//! The model is deliberately simple and linear where METRICS.md fits a line: the analytics
//! regress easy-run heart rate on GAP speed, so a linear steady state lets a known additive
//! elevation be recovered exactly, up to the noise the generator adds on purpose.

use serde::{Deserialize, Serialize};

/// Heart-rate and fitness parameters of the athlete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Physiology {
    pub hr_rest: f64,
    pub hr_max: f64,
    pub lthr: f64,
    /// Speed (m/s) at which steady-state HR would reach `hr_max` on day 0 (a vVO2max proxy).
    pub vmax_start_m_s: f64,
    /// The value `vmax` approaches with months of training.
    pub vmax_ceiling_m_s: f64,
    /// Time constant (days) of that improvement.
    pub fitness_tau_days: f64,
    /// HR time constant when HR rises towards its target (s).
    pub tau_on_s: f64,
    /// HR time constant when HR falls (s); recovery is slower than the on-response.
    pub tau_off_s: f64,
    /// Drift of an ordinary easy run in bpm per hour of moving time.
    pub base_drift_bpm_per_h: f64,
    /// Extra drift on long runs (bpm/h).
    pub long_drift_extra_bpm_per_h: f64,
    /// Air temperature above which heat raises HR (degC).
    pub heat_threshold_c: f64,
    /// HR added per degC above the threshold (bpm/degC).
    pub heat_bpm_per_c: f64,
    /// Extra drift per degC above the threshold (bpm/h/degC).
    pub heat_drift_per_c: f64,
}

impl Default for Physiology {
    fn default() -> Self {
        Self {
            hr_rest: 48.0,
            hr_max: 190.0,
            lthr: 172.0,
            vmax_start_m_s: 4.6,
            vmax_ceiling_m_s: 4.9,
            fitness_tau_days: 365.0,
            tau_on_s: 40.0,
            tau_off_s: 60.0,
            base_drift_bpm_per_h: 2.5,
            long_drift_extra_bpm_per_h: 1.5,
            heat_threshold_c: 22.0,
            heat_bpm_per_c: 0.8,
            heat_drift_per_c: 0.3,
        }
    }
}

/// Fraction of heart-rate reserve at zero speed (standing, ready to run).
const HRR_AT_REST_SPEED: f64 = 0.1;

impl Physiology {
    /// vmax on `day` days after the start: a saturating improvement.
    #[must_use]
    pub fn vmax(&self, day: f64) -> f64 {
        let gain = 1.0 - (-day.max(0.0) / self.fitness_tau_days).exp();
        self.vmax_start_m_s + (self.vmax_ceiling_m_s - self.vmax_start_m_s) * gain
    }

    /// Steady-state HR at grade-adjusted speed `gap` (m/s), before offsets and drift:
    /// the fraction of HR reserve rises linearly from 0.1 at a standstill to 1 at `vmax`.
    #[must_use]
    pub fn hr_steady(&self, gap: f64, vmax: f64) -> f64 {
        let frac = HRR_AT_REST_SPEED + (1.0 - HRR_AT_REST_SPEED) * gap / vmax;
        self.hr_rest + (self.hr_max - self.hr_rest) * frac
    }

    /// The GAP speed whose steady-state HR is `hr` (the inverse of [`Self::hr_steady`]).
    #[must_use]
    pub fn speed_for_hr(&self, hr: f64, vmax: f64) -> f64 {
        let frac = (hr - self.hr_rest) / (self.hr_max - self.hr_rest);
        ((frac - HRR_AT_REST_SPEED) / (1.0 - HRR_AT_REST_SPEED) * vmax).max(0.5)
    }

    /// HR added by heat at air temperature `temp_c`.
    #[must_use]
    pub fn heat_bpm(&self, temp_c: f64) -> f64 {
        self.heat_bpm_per_c * (temp_c - self.heat_threshold_c).max(0.0)
    }

    /// Extra cardiac drift from heat (bpm/h).
    #[must_use]
    pub fn heat_drift(&self, temp_c: f64) -> f64 {
        self.heat_drift_per_c * (temp_c - self.heat_threshold_c).max(0.0)
    }

    /// One second of first-order HR kinetics towards `target`.
    #[must_use]
    pub fn step_hr(&self, hr: f64, target: f64, dt_s: f64) -> f64 {
        let tau = if target > hr {
            self.tau_on_s
        } else {
            self.tau_off_s
        };
        hr + (target - hr) * (1.0 - (-dt_s / tau).exp())
    }

    /// Banister TRIMP of `dt_s` seconds at `hr` (male constants, as METRICS.md).
    #[must_use]
    pub fn trimp(&self, hr: f64, dt_s: f64) -> f64 {
        let r = ((hr - self.hr_rest) / (self.hr_max - self.hr_rest)).max(0.0);
        dt_s / 60.0 * r * 0.64 * (1.92 * r).exp()
    }

    /// TRIMP of 60 minutes at LTHR: the hrTSS denominator.
    #[must_use]
    pub fn trimp_hour_at_lthr(&self) -> f64 {
        self.trimp(self.lthr, 3600.0)
    }

    /// Seiler zone (1, 2 or 3) of a heart rate, with the METRICS.md boundaries.
    #[must_use]
    pub fn seiler_zone(&self, hr: f64) -> usize {
        if hr >= self.lthr {
            3
        } else if hr >= 0.89 * self.lthr {
            2
        } else {
            1
        }
    }
}

/// Minetti et al. (2002) energy cost of running on grade `i` (J/kg/m), `i` clamped to +-0.45.
#[must_use]
pub fn minetti_cost(grade: f64) -> f64 {
    let i = grade.clamp(-0.45, 0.45);
    ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6
}

/// GAP speed / actual speed on grade `i`.
#[must_use]
pub fn gap_factor(grade: f64) -> f64 {
    minetti_cost(grade) / minetti_cost(0.0)
}

/// How a hard session's fatigue shows in the following runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryDesign {
    /// Elevation decays within a day.
    Absorbed,
    /// Elevation holds for days, then fades.
    Lingering,
}

/// HR elevation caused by one hard session, as a function of hours since it ended:
/// `amplitude` for `hold_h` hours, then exponential decay with `tau_h`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fatigue {
    pub amplitude_bpm: f64,
    pub hold_h: f64,
    pub tau_h: f64,
}

impl Fatigue {
    /// Elevation `hours` after the session ended (0 before it ended).
    #[must_use]
    pub fn at(&self, hours: f64) -> f64 {
        if hours <= 0.0 {
            0.0
        } else if hours <= self.hold_h {
            self.amplitude_bpm
        } else {
            self.amplitude_bpm * (-(hours - self.hold_h) / self.tau_h).exp()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_hr_rises_with_speed_and_inverts() {
        let p = Physiology::default();
        let v = p.vmax(0.0);
        let a = p.hr_steady(2.5, v);
        let b = p.hr_steady(3.5, v);
        assert!(b > a + 10.0, "{a} {b}");
        assert!((p.speed_for_hr(a, v) - 2.5).abs() < 1e-9);
        assert!((p.hr_steady(v, v) - p.hr_max).abs() < 1e-9);
    }

    #[test]
    fn fitness_lowers_hr_at_a_given_speed() {
        let p = Physiology::default();
        assert!(p.hr_steady(3.0, p.vmax(180.0)) < p.hr_steady(3.0, p.vmax(0.0)) - 1.0);
    }

    #[test]
    fn minetti_uphill_costs_more_gentle_downhill_less() {
        assert!((minetti_cost(0.0) - 3.6).abs() < 1e-12);
        assert!(gap_factor(0.1) > 1.4);
        // Gentle downhill is cheaper than flat, steep downhill is not.
        assert!(gap_factor(-0.1) < 1.0);
        assert!(gap_factor(-0.4) > gap_factor(-0.2));
    }

    #[test]
    fn kinetics_reach_63_percent_after_one_time_constant() {
        let p = Physiology::default();
        let mut hr = 100.0;
        for _ in 0..40 {
            hr = p.step_hr(hr, 150.0, 1.0);
        }
        assert!(
            (hr - (100.0 + 50.0 * (1.0 - (-1.0f64).exp()))).abs() < 0.01,
            "{hr}"
        );
    }

    #[test]
    fn fatigue_holds_then_decays() {
        let f = Fatigue {
            amplitude_bpm: 8.0,
            hold_h: 90.0,
            tau_h: 10.0,
        };
        assert!((f.at(0.0)).abs() < 1e-12);
        assert!((f.at(84.0) - 8.0).abs() < 1e-12);
        assert!(f.at(110.0) < 1.2);
    }
}

//! The synthetic runner's physiology: steady-state heart rate from grade-adjusted speed,
//! heart-rate kinetics, cardiac drift, heat, fatigue after hard sessions, and the load and
//! zone arithmetic of METRICS.md used to state the ground truth in the analytics' own terms.
//!
//! The model is deliberately simple and linear where METRICS.md fits a line: the analytics
//! regress easy-run heart rate on GAP speed, so a linear steady state lets a known additive
//! elevation be recovered exactly, up to the noise the generator adds on purpose.

use serde::{Deserialize, Serialize};

use crate::truth::Sex;

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
    /// Where this runner's easy heart rate sits, as a fraction of LTHR (0.70 to 0.95; values
    /// outside are clamped). `None`: the pace model's own curve ([`Self::hr_steady`]), on
    /// which easy pace gives 76 % LTHR. `Some(e)`: paces are planned exactly as for `None`,
    /// but the heart answers with [`Self::hr_at_speed`], a line through (q v_t, e LTHR) and
    /// (v_t, LTHR): runners differ in where easy running sits relative to their threshold
    /// heart rate, not in how fast easy is relative to their threshold speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub easy_hr_frac_lthr: Option<f64>,
    /// The aerobic threshold as a fraction of LTHR: the HR at which DFA alpha1 of the beats the
    /// runner's files carry falls through 0.75 ([`Self::alpha1_at`]).
    #[serde(default = "default_aet_frac_lthr")]
    pub aet_frac_lthr: f64,
}

/// Where the aerobic threshold sits by default (fraction of LTHR): first ventilatory thresholds
/// lie at about 85-90 % of the heart rate at the second.
pub const DEFAULT_AET_FRAC_LTHR: f64 = 0.88;

fn default_aet_frac_lthr() -> f64 {
    DEFAULT_AET_FRAC_LTHR
}

/// DFA alpha1 (boxes of 4 to 16 beats, as hrdrift reads it) of AR(1) beats with coefficient
/// phi, measured on 60 series of 300 beats each: the table [`Physiology::rr_phi`] inverts.
const ALPHA1_OF_PHI: [(f64, f64); 14] = [
    (0.263, -0.6),
    (0.316, -0.5),
    (0.362, -0.4),
    (0.421, -0.3),
    (0.457, -0.2),
    (0.519, -0.1),
    (0.571, 0.0),
    (0.644, 0.1),
    (0.692, 0.2),
    (0.783, 0.3),
    (0.849, 0.4),
    (0.930, 0.5),
    (1.038, 0.6),
    (1.124, 0.7),
];

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
            easy_hr_frac_lthr: None,
            aet_frac_lthr: DEFAULT_AET_FRAC_LTHR,
        }
    }
}

/// Fraction of heart-rate reserve at zero speed (standing, ready to run).
const HRR_AT_REST_SPEED: f64 = 0.1;
/// Easy-pace target of the plan (fraction of LTHR on the pace model's curve): low enough that
/// the worst case (fastest day, a 10 bpm tired day on top of the last session's fatigue,
/// drift) keeps the default athlete's easy run in Seiler zone 1 (below 89 % LTHR) for at
/// least 85 % of its steady portion.
pub(crate) const EASY_FRAC: f64 = 0.76;
/// Range of [`Physiology::easy_hr_frac_lthr`]: outside it the line through easy pace and
/// threshold would put walking below rest or make HR fall with speed.
const EASY_HR_FRAC_RANGE: (f64, f64) = (0.70, 0.95);

impl Physiology {
    /// The aerobic threshold HR (bpm): where alpha1 of the beats falls through 0.75.
    #[must_use]
    pub fn aet_hr(&self) -> f64 {
        self.aet_frac_lthr * self.lthr
    }

    /// DFA alpha1 of the beats at `hr` (METRICS.md 5: above 0.75 below the aerobic threshold,
    /// 0.5 at the second threshold): a line through 0.75 at [`Self::aet_hr`] and 0.5 at LTHR,
    /// kept within 0.3-1.1. A line over every HR a run reaches, repetitions above LTHR too:
    /// where real alpha1 flattens at high intensity, a line fitted across an interval session's
    /// easy and hard windows reads the threshold high, and this world does not (a generator
    /// flattening at 0.45 read the synthetic runners' thresholds 3-5 bpm high from their
    /// interval sessions, and right from their tempo runs).
    #[must_use]
    pub fn alpha1_at(&self, hr: f64) -> f64 {
        let aet = self.aet_hr();
        let span = (self.lthr - aet).max(1.0);
        (0.75 - 0.25 * (hr - aet) / span).clamp(0.3, 1.1)
    }

    /// The AR(1) coefficient of beats whose alpha1 is `alpha1` (linear between the measured
    /// points of `ALPHA1_OF_PHI`).
    #[must_use]
    pub fn rr_phi(alpha1: f64) -> f64 {
        let t = &ALPHA1_OF_PHI;
        if alpha1 <= t[0].0 {
            return t[0].1;
        }
        for w in t.windows(2) {
            let ((a0, p0), (a1, p1)) = (w[0], w[1]);
            if alpha1 <= a1 {
                return p0 + (p1 - p0) * (alpha1 - a0) / (a1 - a0);
            }
        }
        t[t.len() - 1].1
    }

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

    /// Threshold speed v_t (m/s): the GAP speed the pace model puts at LTHR for `vmax`.
    #[must_use]
    pub fn threshold_speed(&self, vmax: f64) -> f64 {
        self.speed_for_hr(self.lthr, vmax)
    }

    /// Easy pace as a share of threshold speed on the pace model (q): the same for every
    /// runner whose settings differ only in `easy_hr_frac_lthr`.
    #[must_use]
    pub fn easy_speed_ratio(&self, vmax: f64) -> f64 {
        self.speed_for_hr(EASY_FRAC * self.lthr, vmax) / self.threshold_speed(vmax)
    }

    /// The heart rate the body produces at GAP speed `gap` (m/s), before offsets and drift.
    /// Without `easy_hr_frac_lthr` this is [`Self::hr_steady`]; with `Some(e)` it is
    /// `LTHR (e + (1 - e)(gap / v_t - q) / (1 - q))`, capped at `hr_max` and floored at
    /// `hr_rest + 10`.
    #[must_use]
    pub fn hr_at_speed(&self, gap: f64, vmax: f64) -> f64 {
        let Some(e) = self.easy_hr_frac_lthr.filter(|e| e.is_finite()) else {
            return self.hr_steady(gap, vmax);
        };
        let e = e.clamp(EASY_HR_FRAC_RANGE.0, EASY_HR_FRAC_RANGE.1);
        let vt = self.threshold_speed(vmax);
        let q = self.easy_speed_ratio(vmax);
        // Settings where LTHR sits at or below the easy point leave no line to draw.
        if !(vt > 0.0 && q < 1.0 - 1e-6) {
            return self.hr_steady(gap, vmax);
        }
        let hr = self.lthr * (e + (1.0 - e) * (gap / vt - q) / (1.0 - q));
        hr.min(self.hr_max).max(self.hr_rest + 10.0)
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
        self.trimp_for(Sex::Male, hr, dt_s)
    }

    /// Banister TRIMP with METRICS.md's constants for `sex`.
    #[must_use]
    pub fn trimp_for(&self, sex: Sex, hr: f64, dt_s: f64) -> f64 {
        let (k1, k2) = match sex {
            Sex::Male => (0.64, 1.92),
            Sex::Female => (0.86, 1.67),
        };
        let r = ((hr - self.hr_rest) / (self.hr_max - self.hr_rest)).max(0.0);
        dt_s / 60.0 * r * k1 * (k2 * r).exp()
    }

    /// TRIMP of 60 minutes at LTHR: the hrTSS denominator (male constants).
    #[must_use]
    pub fn trimp_hour_at_lthr(&self) -> f64 {
        self.trimp(self.lthr, 3600.0)
    }

    /// TRIMP of 60 minutes at LTHR with the constants for `sex`.
    #[must_use]
    pub fn trimp_hour_at_lthr_for(&self, sex: Sex) -> f64 {
        self.trimp_for(sex, self.lthr, 3600.0)
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
    fn easy_hr_line_passes_through_easy_pace_and_threshold() {
        let base = Physiology::default();
        let v = base.vmax(30.0);
        let vt = base.threshold_speed(v);
        let q = base.easy_speed_ratio(v);
        assert!((base.hr_steady(vt, v) - base.lthr).abs() < 1e-9);
        assert!((base.hr_steady(q * vt, v) - 0.76 * base.lthr).abs() < 1e-9);
        for g in [1.4, 2.5, 3.3, 4.4] {
            assert_eq!(
                base.hr_at_speed(g, v).to_bits(),
                base.hr_steady(g, v).to_bits()
            );
        }
        let p = Physiology {
            easy_hr_frac_lthr: Some(0.88),
            ..base.clone()
        };
        assert!((p.hr_at_speed(q * vt, v) - 0.88 * p.lthr).abs() < 1e-9);
        assert!((p.hr_at_speed(vt, v) - p.lthr).abs() < 1e-9);
        assert!((p.hr_at_speed(3.0 * vt, v) - p.hr_max).abs() < 1e-9);
        // Paces do not move: threshold speed ignores where easy HR sits.
        assert_eq!(p.threshold_speed(v).to_bits(), vt.to_bits());
        let odd = Physiology {
            easy_hr_frac_lthr: Some(f64::NAN),
            lthr: 40.0,
            ..base
        };
        assert!(odd.hr_at_speed(3.0, v).is_finite());
    }

    #[test]
    fn female_trimp_constants() {
        let p = Physiology::default();
        let (m, f) = (
            p.trimp_for(Sex::Male, 150.0, 60.0),
            p.trimp_for(Sex::Female, 150.0, 60.0),
        );
        assert_eq!(m.to_bits(), p.trimp(150.0, 60.0).to_bits());
        let r: f64 = (150.0 - 48.0) / 142.0;
        assert!((f - r * 0.86 * (1.67 * r).exp()).abs() < 1e-12);
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

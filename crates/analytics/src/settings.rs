//! Athlete settings: the physiological anchors (HRmax, resting HR, LTHR, sex) and every
//! threshold of METRICS.md sections 1-3 as a named, documented field with its default.
//!
//! The struct deserializes from a TOML/JSON table with snake_case keys; every key is optional
//! (`#[serde(default)]`) and unknown keys are rejected, so a typo in a config file is an error
//! rather than a silently ignored threshold.
//!
//! Values that came from [`AthleteSettings::estimate`] rather than from the config file are
//! marked in [`AthleteSettings::estimated`], and the per-activity output repeats that marker.

use hrdrift_ingest::Activity;
use serde::{Deserialize, Serialize};

use crate::clean;

/// Sex, used only to choose the Banister TRIMP constants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
    /// Unknown sex uses the male constants, and the output says so (flag `sex_unknown_male_trimp`).
    #[default]
    Unknown,
}

/// Which reference the five HR zones are cut from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneModel {
    /// Friel's running zones as fractions of lactate-threshold HR (the default).
    #[default]
    Lthr,
    /// Fractions of maximum HR.
    PctHrMax,
    /// Karvonen: fractions of heart-rate reserve above resting HR.
    Karvonen,
}

/// Which anchors were estimated rather than given in the config file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Estimated {
    pub hr_max: bool,
    pub hr_rest: bool,
    pub lthr: bool,
}

impl Estimated {
    /// Names of the estimated values, for the output.
    #[must_use]
    pub fn names(self) -> Vec<String> {
        let mut out = Vec::new();
        if self.hr_max {
            out.push("hr_max".to_owned());
        }
        if self.hr_rest {
            out.push("hr_rest".to_owned());
        }
        if self.lthr {
            out.push("lthr".to_owned());
        }
        out
    }
}

/// Everything the per-activity metrics depend on besides the activity itself.
///
/// All thresholds default to the values in METRICS.md; the few that METRICS.md leaves open
/// (the %HRmax and Karvonen zone cuts, the minimum steady time for EF and drift) are documented
/// on their fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AthleteSettings {
    /// Maximum heart rate, bpm.
    pub hr_max: Option<f64>,
    /// Resting heart rate, bpm.
    pub hr_rest: Option<f64>,
    /// Lactate-threshold heart rate, bpm.
    pub lthr: Option<f64>,
    pub sex: Sex,
    pub zone_model: ZoneModel,
    /// Which of `hr_max`, `hr_rest`, `lthr` were estimated (set by [`AthleteSettings::estimate`]).
    pub estimated: Estimated,

    // --- 1. Samples and cleaning -------------------------------------------------------------
    /// Resampling to 1 Hz does not fill gaps between samples longer than this (s). At most 60,
    /// which bounds the grid to 61 points per sample whatever the timestamps.
    pub resample_max_gap_s: f64,
    /// Without timer events, a gap between samples longer than this is a pause (s).
    pub pause_gap_s: f64,
    /// Without timer events, speed under this ...
    pub pause_speed_m_s: f64,
    /// ... for at least this long is a pause (s).
    pub pause_min_s: f64,
    /// Width of the centred rolling median that smooths speed (s).
    pub speed_median_s: f64,
    /// Lowest valid heart rate (bpm); lower values (and zero) are dropouts.
    pub hr_valid_min_bpm: f64,
    /// Highest valid heart rate (bpm).
    pub hr_valid_max_bpm: f64,
    /// A sample further than this from the centred rolling median is a spike (bpm).
    pub spike_bpm: f64,
    /// Width of the centred rolling median used for spikes (s).
    pub spike_window_s: f64,
    /// HR within this of steps/min ...
    pub cadence_lock_bpm: f64,
    /// ... for at least this long in a row is a cadence lock (s).
    pub cadence_lock_min_s: f64,
    /// Minimum HR coverage (valid-HR moving time / moving time) for any HR metric.
    pub min_coverage: f64,

    // --- 2. GAP ------------------------------------------------------------------------------
    /// Grade is clamped to +- this fraction before the Minetti polynomial.
    pub grade_clamp: f64,
    /// Width of the centred rolling mean that smooths altitude (s).
    pub altitude_smooth_s: f64,

    // --- 3. Per activity ---------------------------------------------------------------------
    /// Warm-up excluded from the steady portion (s of moving time).
    pub warmup_s: f64,
    /// Minimum steady portion for decoupling (s).
    pub decoupling_min_steady_s: f64,
    /// Minimum steady portion for the drift slopes and `drift_pct` (s). METRICS.md does not
    /// say; a slope in bpm/h over less than the decoupling span is mostly noise, so the default
    /// is the same 20 min.
    pub drift_min_steady_s: f64,
    /// Minimum steady portion for EF (s). METRICS.md does not say; default 5 min.
    pub ef_min_steady_s: f64,
    /// Coefficient of variation of GAP speed over the steady portion above which the
    /// activity is `unsteady`.
    pub unsteady_cv: f64,
    /// Lower bounds of Z2..Z5 as fractions of LTHR (Friel, running).
    pub lthr_zone_bounds: [f64; 4],
    /// Lower bounds of Z2..Z5 as fractions of HRmax. METRICS.md names the model without cuts;
    /// the default is the common 60/70/80/90 %.
    pub hr_max_zone_bounds: [f64; 4],
    /// Lower bounds of Z2..Z5 as fractions of heart-rate reserve (Karvonen). Default 60/70/80/90 %.
    pub karvonen_zone_bounds: [f64; 4],
    /// Seiler S2 starts at this fraction of LTHR (aerobic threshold).
    pub seiler_s2_from_lthr: f64,
    /// Seiler S3 starts at this fraction of LTHR.
    pub seiler_s3_from_lthr: f64,
    /// `hard` when S3 time is at least this (s) ...
    pub hard_s3_s: f64,
    /// ... or S2 + S3 time is at least this (s).
    pub hard_s2_s3_s: f64,
    /// `easy` when not hard and S1 holds at least this share of the steady portion.
    pub easy_s1_share: f64,
    /// `long` needs at least this moving time (s) ...
    pub long_min_s: f64,
    /// ... and at least this multiple of the median run of the previous `long_history_days`.
    pub long_ratio: f64,
    /// History window for the `long` median (days), used by [`crate::compute_all`].
    pub long_history_days: f64,
    /// Banister TRIMP constants.
    pub trimp_k1_male: f64,
    pub trimp_k2_male: f64,
    pub trimp_k1_female: f64,
    pub trimp_k2_female: f64,

    // --- estimation ----------------------------------------------------------------------------
    /// HRmax is estimated only from at least this many activities with valid HR.
    pub estimate_min_activities: usize,
    /// Percentile of valid HR taken as HRmax.
    pub estimate_hr_max_percentile: f64,
    /// LTHR estimate as a fraction of HRmax.
    pub estimate_lthr_fraction: f64,
    /// Resting HR when neither the config nor a FIT user profile gives one (bpm).
    pub default_hr_rest: f64,
}

impl Default for AthleteSettings {
    fn default() -> Self {
        Self {
            hr_max: None,
            hr_rest: None,
            lthr: None,
            sex: Sex::Unknown,
            zone_model: ZoneModel::Lthr,
            estimated: Estimated::default(),
            resample_max_gap_s: 5.0,
            pause_gap_s: 10.0,
            pause_speed_m_s: 0.3,
            pause_min_s: 10.0,
            speed_median_s: 5.0,
            hr_valid_min_bpm: 30.0,
            hr_valid_max_bpm: 230.0,
            spike_bpm: 25.0,
            spike_window_s: 11.0,
            cadence_lock_bpm: 3.0,
            cadence_lock_min_s: 60.0,
            min_coverage: 0.8,
            grade_clamp: 0.45,
            altitude_smooth_s: 30.0,
            warmup_s: 600.0,
            decoupling_min_steady_s: 1200.0,
            drift_min_steady_s: 1200.0,
            ef_min_steady_s: 300.0,
            unsteady_cv: 0.15,
            lthr_zone_bounds: [0.85, 0.90, 0.95, 1.00],
            hr_max_zone_bounds: [0.60, 0.70, 0.80, 0.90],
            karvonen_zone_bounds: [0.60, 0.70, 0.80, 0.90],
            seiler_s2_from_lthr: 0.89,
            seiler_s3_from_lthr: 1.0,
            hard_s3_s: 8.0 * 60.0,
            hard_s2_s3_s: 25.0 * 60.0,
            easy_s1_share: 0.85,
            long_min_s: 75.0 * 60.0,
            long_ratio: 1.5,
            long_history_days: 28.0,
            trimp_k1_male: 0.64,
            trimp_k2_male: 1.92,
            trimp_k1_female: 0.86,
            trimp_k2_female: 1.67,
            estimate_min_activities: 20,
            estimate_hr_max_percentile: 99.5,
            estimate_lthr_fraction: 0.9,
            default_hr_rest: 50.0,
        }
    }
}

/// A setting that cannot be used as given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    #[error("setting `{name}` = {value} is outside {min}..={max}")]
    OutOfRange {
        name: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    #[error("`hr_rest` ({hr_rest}) must be below `hr_max` ({hr_max})")]
    RestNotBelowMax { hr_rest: f64, hr_max: f64 },
    #[error("zone bounds `{name}` must be increasing")]
    ZoneBoundsNotIncreasing { name: &'static str },
}

/// Number of numeric thresholds checked by [`AthleteSettings::validate`].
const NUMERIC: usize = 34;

impl AthleteSettings {
    /// Every numeric threshold with its plausible range. Out-of-range values are reported by
    /// [`AthleteSettings::validate`] and replaced by their default in
    /// [`AthleteSettings::sanitized`], so that no setting can make a metric NaN or a loop unbounded.
    fn numeric_mut(&mut self) -> [(&'static str, &mut f64, f64, f64); NUMERIC] {
        [
            (
                "resample_max_gap_s",
                &mut self.resample_max_gap_s,
                0.0,
                60.0,
            ),
            ("pause_gap_s", &mut self.pause_gap_s, 1.0, 86_400.0),
            ("pause_speed_m_s", &mut self.pause_speed_m_s, 0.0, 10.0),
            ("pause_min_s", &mut self.pause_min_s, 0.0, 86_400.0),
            ("speed_median_s", &mut self.speed_median_s, 0.0, 60.0),
            ("hr_valid_min_bpm", &mut self.hr_valid_min_bpm, 1.0, 300.0),
            ("hr_valid_max_bpm", &mut self.hr_valid_max_bpm, 1.0, 300.0),
            ("spike_bpm", &mut self.spike_bpm, 0.0, 300.0),
            ("spike_window_s", &mut self.spike_window_s, 1.0, 61.0),
            ("cadence_lock_bpm", &mut self.cadence_lock_bpm, 0.0, 50.0),
            (
                "cadence_lock_min_s",
                &mut self.cadence_lock_min_s,
                1.0,
                86_400.0,
            ),
            ("min_coverage", &mut self.min_coverage, 0.0, 1.0),
            ("grade_clamp", &mut self.grade_clamp, 0.0, 0.45),
            ("altitude_smooth_s", &mut self.altitude_smooth_s, 0.0, 600.0),
            ("warmup_s", &mut self.warmup_s, 0.0, 86_400.0),
            (
                "decoupling_min_steady_s",
                &mut self.decoupling_min_steady_s,
                0.0,
                86_400.0,
            ),
            (
                "drift_min_steady_s",
                &mut self.drift_min_steady_s,
                0.0,
                86_400.0,
            ),
            ("ef_min_steady_s", &mut self.ef_min_steady_s, 0.0, 86_400.0),
            ("unsteady_cv", &mut self.unsteady_cv, 0.0, 10.0),
            (
                "seiler_s2_from_lthr",
                &mut self.seiler_s2_from_lthr,
                0.0,
                2.0,
            ),
            (
                "seiler_s3_from_lthr",
                &mut self.seiler_s3_from_lthr,
                0.0,
                2.0,
            ),
            ("hard_s3_s", &mut self.hard_s3_s, 0.0, 86_400.0),
            ("hard_s2_s3_s", &mut self.hard_s2_s3_s, 0.0, 86_400.0),
            ("easy_s1_share", &mut self.easy_s1_share, 0.0, 1.0),
            ("long_min_s", &mut self.long_min_s, 0.0, 864_000.0),
            ("long_ratio", &mut self.long_ratio, 0.0, 100.0),
            (
                "long_history_days",
                &mut self.long_history_days,
                0.0,
                3650.0,
            ),
            (
                "estimate_hr_max_percentile",
                &mut self.estimate_hr_max_percentile,
                0.0,
                100.0,
            ),
            (
                "estimate_lthr_fraction",
                &mut self.estimate_lthr_fraction,
                0.1,
                1.0,
            ),
            ("default_hr_rest", &mut self.default_hr_rest, 20.0, 150.0),
            ("trimp_k1_male", &mut self.trimp_k1_male, 0.0, 10.0),
            ("trimp_k2_male", &mut self.trimp_k2_male, 0.0, 10.0),
            ("trimp_k1_female", &mut self.trimp_k1_female, 0.0, 10.0),
            ("trimp_k2_female", &mut self.trimp_k2_female, 0.0, 10.0),
        ]
    }
}

/// The plausible range of the physiological anchors (bpm).
const ANCHOR_MIN_BPM: f64 = 20.0;
const ANCHOR_MAX_BPM: f64 = 260.0;

fn in_range(v: f64, min: f64, max: f64) -> bool {
    v.is_finite() && v >= min && v <= max
}

fn increasing(b: &[f64; 4]) -> bool {
    b.iter().all(|v| in_range(*v, 0.0, 3.0)) && b.windows(2).all(|w| w[0] < w[1])
}

fn anchor(v: Option<f64>) -> Option<f64> {
    v.filter(|x| in_range(*x, ANCHOR_MIN_BPM, ANCHOR_MAX_BPM))
}

impl AthleteSettings {
    /// Reports the first setting that is out of its plausible range.
    ///
    /// # Errors
    /// [`SettingsError`] naming the setting.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let mut copy = self.clone();
        for (name, value, min, max) in copy.numeric_mut() {
            if !in_range(*value, min, max) {
                return Err(SettingsError::OutOfRange {
                    name,
                    value: *value,
                    min,
                    max,
                });
            }
        }
        for (name, value) in [
            ("hr_max", self.hr_max),
            ("hr_rest", self.hr_rest),
            ("lthr", self.lthr),
        ] {
            if let Some(value) = value
                && !in_range(value, ANCHOR_MIN_BPM, ANCHOR_MAX_BPM)
            {
                return Err(SettingsError::OutOfRange {
                    name,
                    value,
                    min: ANCHOR_MIN_BPM,
                    max: ANCHOR_MAX_BPM,
                });
            }
        }
        if let (Some(hr_rest), Some(hr_max)) = (self.hr_rest, self.hr_max)
            && hr_rest >= hr_max
        {
            return Err(SettingsError::RestNotBelowMax { hr_rest, hr_max });
        }
        for (name, b) in [
            ("lthr_zone_bounds", &self.lthr_zone_bounds),
            ("hr_max_zone_bounds", &self.hr_max_zone_bounds),
            ("karvonen_zone_bounds", &self.karvonen_zone_bounds),
        ] {
            if !increasing(b) {
                return Err(SettingsError::ZoneBoundsNotIncreasing { name });
            }
        }
        Ok(())
    }

    /// A copy in which every out-of-range value is replaced by its default (anchors by
    /// `None`), so that no setting can make a metric NaN or a loop unbounded.
    #[must_use]
    pub fn sanitized(&self) -> Self {
        let mut s = self.clone();
        let mut d = Self::default();
        for ((_, v, min, max), (_, dv, _, _)) in s.numeric_mut().into_iter().zip(d.numeric_mut()) {
            if !in_range(*v, min, max) {
                *v = *dv;
            }
        }
        if s.hr_valid_min_bpm >= s.hr_valid_max_bpm {
            s.hr_valid_min_bpm = d.hr_valid_min_bpm;
            s.hr_valid_max_bpm = d.hr_valid_max_bpm;
        }
        if s.seiler_s2_from_lthr >= s.seiler_s3_from_lthr {
            s.seiler_s2_from_lthr = d.seiler_s2_from_lthr;
            s.seiler_s3_from_lthr = d.seiler_s3_from_lthr;
        }
        for (b, db) in [
            (&mut s.lthr_zone_bounds, d.lthr_zone_bounds),
            (&mut s.hr_max_zone_bounds, d.hr_max_zone_bounds),
            (&mut s.karvonen_zone_bounds, d.karvonen_zone_bounds),
        ] {
            if !increasing(b) {
                *b = db;
            }
        }
        s.hr_max = anchor(s.hr_max);
        s.hr_rest = anchor(s.hr_rest);
        s.lthr = anchor(s.lthr);
        s
    }

    /// Fills the anchors the config file left out, per METRICS.md section 3, and marks them
    /// `estimated`; values already set are kept.
    ///
    /// - `hr_max`: the `estimate_hr_max_percentile` (99.5th) percentile of valid (cleaned) HR
    ///   over all `activities`, only when at least `estimate_min_activities` (20) of them carry
    ///   valid HR; otherwise it stays `None`.
    /// - `lthr`: `estimate_lthr_fraction` (0.9) x `hr_max` (given or estimated).
    /// - `hr_rest`: the FIT user profile's resting HR of the most recent activity that has one,
    ///   else `default_hr_rest` (50).
    #[must_use]
    pub fn estimate(&self, activities: &[Activity]) -> Self {
        let mut s = self.sanitized();
        if s.hr_max.is_none() {
            let mut values = Vec::new();
            let mut with_hr = 0_usize;
            for a in activities {
                let before = values.len();
                clean::valid_hr_values(a, &s, &mut values);
                if values.len() > before {
                    with_hr += 1;
                }
            }
            if with_hr >= s.estimate_min_activities.max(1) {
                s.hr_max = anchor(crate::stats::percentile(
                    &mut values,
                    s.estimate_hr_max_percentile,
                ));
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
            let profile = activities
                .iter()
                .filter(|a| anchor(a.profile_hr_rest).is_some())
                .max_by_key(|a| a.start_ms)
                .and_then(|a| anchor(a.profile_hr_rest));
            s.hr_rest = Some(profile.unwrap_or(s.default_hr_rest));
            s.estimated.hr_rest = true;
        }
        s
    }

    /// A short stable fingerprint of the settings (FNV-1a 64 of their JSON form), so an output
    /// row can name the settings it was computed with without repeating them.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in json.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        assert_eq!(AthleteSettings::default().validate(), Ok(()));
    }

    #[test]
    fn sanitized_replaces_nonsense() {
        let s = AthleteSettings {
            warmup_s: f64::NAN,
            min_coverage: 3.0,
            hr_max: Some(f64::INFINITY),
            lthr_zone_bounds: [1.0, 0.9, 0.8, 0.7],
            ..AthleteSettings::default()
        };
        assert!(s.validate().is_err());
        let t = s.sanitized();
        assert_eq!(t.warmup_s, 600.0);
        assert_eq!(t.min_coverage, 0.8);
        assert_eq!(t.hr_max, None);
        assert_eq!(t.lthr_zone_bounds, [0.85, 0.90, 0.95, 1.00]);
        assert_eq!(t.validate(), Ok(()));
    }

    #[test]
    fn json_round_trip_with_partial_keys() {
        let s: AthleteSettings =
            serde_json::from_str(r#"{"hr_max": 190, "sex": "female", "zone_model": "karvonen"}"#)
                .unwrap();
        assert_eq!(s.hr_max, Some(190.0));
        assert_eq!(s.sex, Sex::Female);
        assert_eq!(s.zone_model, ZoneModel::Karvonen);
        assert_eq!(s.warmup_s, 600.0);
        assert!(serde_json::from_str::<AthleteSettings>(r#"{"warmup": 5}"#).is_err());
    }
}

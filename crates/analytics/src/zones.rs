//! Heart-rate zones (METRICS.md section 3): five zones by LTHR (default), %HRmax or Karvonen,
//! and Seiler's three-zone view by LTHR.
//!
//! A zone's lower bound belongs to it: with LTHR 170, 85 % is 144.5 bpm, so 144.5 bpm is Z2.

use crate::settings::{AthleteSettings, ZoneModel};

/// Reason a zone view cannot be cut: the anchors it needs are missing.
pub const NO_HR_SETTINGS: &str = "no_hr_settings";

/// Lower bounds of Z2..Z5 in bpm for the configured zone model.
///
/// # Errors
/// [`NO_HR_SETTINGS`] when the model's anchors (LTHR; HRmax; HRmax and resting HR) are missing
/// or resting HR is not below HRmax.
pub fn zone_bounds_bpm(s: &AthleteSettings) -> Result<[f64; 4], &'static str> {
    let scale = |b: [f64; 4], base: f64, f: f64| b.map(|x| base + x * f);
    match s.zone_model {
        ZoneModel::Lthr => s
            .lthr
            .map(|l| scale(s.lthr_zone_bounds, 0.0, l))
            .ok_or(NO_HR_SETTINGS),
        ZoneModel::PctHrMax => s
            .hr_max
            .map(|m| scale(s.hr_max_zone_bounds, 0.0, m))
            .ok_or(NO_HR_SETTINGS),
        ZoneModel::Karvonen => match (s.hr_rest, s.hr_max) {
            (Some(r), Some(m)) if m > r => Ok(scale(s.karvonen_zone_bounds, r, m - r)),
            _ => Err(NO_HR_SETTINGS),
        },
    }
}

/// Lower bounds of S2 and S3 in bpm.
///
/// # Errors
/// [`NO_HR_SETTINGS`] without LTHR.
pub fn seiler_bounds_bpm(s: &AthleteSettings) -> Result<[f64; 2], &'static str> {
    s.lthr
        .map(|l| [s.seiler_s2_from_lthr * l, s.seiler_s3_from_lthr * l])
        .ok_or(NO_HR_SETTINGS)
}

/// Index (0-based) of the zone `hr` falls in, given ascending lower bounds of the upper zones.
#[must_use]
pub fn zone_index(hr: f64, lower_bounds: &[f64]) -> usize {
    lower_bounds.iter().filter(|b| hr >= **b).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friel_bounds() {
        let s = AthleteSettings {
            lthr: Some(170.0),
            ..AthleteSettings::default()
        };
        let b = zone_bounds_bpm(&s).unwrap();
        assert_eq!(zone_index(144.0, &b), 0);
        assert_eq!(zone_index(144.5, &b), 1);
        assert_eq!(zone_index(169.9, &b), 3);
        assert_eq!(zone_index(170.0, &b), 4);
        let sb = seiler_bounds_bpm(&s).unwrap();
        assert_eq!(zone_index(151.0, &sb), 0);
        assert_eq!(zone_index(151.3, &sb), 1);
        assert_eq!(zone_index(170.0, &sb), 2);
    }

    #[test]
    fn karvonen_needs_both_anchors() {
        let s = AthleteSettings {
            zone_model: ZoneModel::Karvonen,
            hr_max: Some(190.0),
            ..AthleteSettings::default()
        };
        assert_eq!(zone_bounds_bpm(&s), Err(NO_HR_SETTINGS));
        let s = AthleteSettings {
            hr_rest: Some(50.0),
            ..s
        };
        let b = zone_bounds_bpm(&s).unwrap();
        assert!((b[0] - 134.0).abs() < 1e-9 && (b[3] - 176.0).abs() < 1e-9);
    }
}

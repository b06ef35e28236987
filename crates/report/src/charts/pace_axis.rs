//! Pace as the charts show it: seconds per km (or mile) of a speed, "5:30" labels, and ticks on round
//! paces, for the three charts with a pace axis (HR against pace, one activity, the
//! pace-duration curve).

use crate::model::Units;

/// Pace in seconds per km (or mile) of a speed, for speeds a runner can hold (> 1 m/s).
pub(super) fn pace_of(speed_m_s: f64, u: Units) -> Option<f64> {
    (speed_m_s.is_finite() && speed_m_s > 1.0).then(|| u.metres() / speed_m_s)
}

/// The axis unit: `min/km` or `min/mi`.
pub(super) fn pace_unit(u: Units) -> &'static str {
    match u {
        Units::Metric => "min/km",
        Units::Imperial => "min/mi",
    }
}

/// "5:30" for 330 s.
pub(super) fn pace_label(s_per_km: f64) -> String {
    #[expect(clippy::cast_possible_truncation)]
    let total = s_per_km.round().clamp(0.0, 5999.0) as i64;
    format!("{}:{:02}", total / 60, total % 60)
}

/// Pace ticks every 10, 15, 30, 60 or 120 s across `lo..hi` (s/km), at most `max`.
pub(super) fn pace_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let (lo, hi) = (lo.min(hi), lo.max(hi));
    for step in [10.0, 15.0, 30.0, 60.0, 120.0, 300.0] {
        let first = (lo / step).ceil() * step;
        let ticks: Vec<f64> = (0..=max)
            .map(|i| first + step * f64::from(u32::try_from(i).unwrap_or(0)))
            .take_while(|t| *t <= hi)
            .collect();
        if ticks.len() <= max {
            return ticks;
        }
    }
    vec![lo, hi]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_labels_read_as_minutes_and_seconds() {
        assert_eq!(pace_label(330.0), "5:30");
        assert_eq!(pace_label(299.6), "5:00");
        assert_eq!(pace_of(0.5, Units::Metric), None);
        assert_eq!(pace_of(1609.344 / 480.0, Units::Imperial), Some(480.0));
        assert_eq!(pace_unit(Units::Imperial), "min/mi");
    }
}

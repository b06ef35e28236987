//! Number, duration and text formatting shared by the page and the Markdown summary.

use crate::model::Units;

/// The placeholder for a value that could not be computed (never shown as 0).
pub(crate) const ABSENT: &str = "–";

/// "1:05:30" or "45:12" for a duration in seconds.
pub(crate) fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return ABSENT.to_owned();
    }
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let s = seconds.round().min(1.0e9) as u64;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The unit an activity's EF needs beside it: none for a run (m/min per bpm, the table's), W per
/// bpm for a ride or any sport not on foot, whose EF is NP over HR (METRICS.md 7).
pub(crate) fn ef_unit(sport: Option<&str>) -> &'static str {
    let on_foot =
        sport.is_none_or(|s| s.contains("run") || s.contains("walk") || s.contains("hik"));
    if on_foot { "" } else { " W/bpm" }
}

/// `value` with `decimals` decimals and a unit suffix, or [`ABSENT`].
pub(crate) fn num(value: Option<f64>, decimals: usize, unit: &str) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!("{v:.decimals$}{unit}"),
        None => ABSENT.to_owned(),
    }
}

/// Like [`num`] with an explicit sign (elevations, drift).
pub(crate) fn signed(value: Option<f64>, decimals: usize, unit: &str) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!("{v:+.decimals$}{unit}"),
        None => ABSENT.to_owned(),
    }
}

/// "12.3 km" (or "7.6 mi").
pub(crate) fn km(distance_m: Option<f64>, u: Units) -> String {
    let unit = format!(" {}", u.name());
    num(distance_m.map(|d| d / u.metres()), 1, &unit)
}

/// A fraction 0..=1 as a whole percentage.
pub(crate) fn pct(share: Option<f64>) -> String {
    num(share.map(|s| s * 100.0), 0, " %")
}

/// The verdict as a person reads it.
pub(crate) fn verdict(verdict: &str) -> String {
    match verdict {
        "push" => "Push".to_owned(),
        "steady" => "Steady".to_owned(),
        "hold_back" => "Hold back".to_owned(),
        other => other.replace('_', " "),
    }
}

/// One line of advice under the verdict.
pub(crate) fn verdict_advice(verdict: &str) -> &'static str {
    match verdict {
        "push" => {
            "Easy runs look normal and you are fresh: a hard session or a longer run fits today."
        }
        "steady" => "Nothing alarming, nothing to push on: keep to the plan.",
        "hold_back" => "Your body is showing strain: keep today easy or rest.",
        _ => "Not enough data for a verdict yet.",
    }
}

/// The reason's numbers: "-34.2 (threshold -30)".
pub(crate) fn reason_numbers(value: f64, threshold: Option<f64>) -> String {
    let v = short(value);
    match threshold.filter(|t| t.is_finite()) {
        Some(t) => format!("{v} (threshold {})", short(t)),
        None => v,
    }
}

/// A number with at most one decimal, no trailing ".0".
fn short(v: f64) -> String {
    if !v.is_finite() {
        return ABSENT.to_owned();
    }
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
}

/// The durations of the pace-duration curve, seconds (the analytics' `BEST_DURATIONS_S`): the
/// rows of the summary's table and the ticks of chart 7, whichever of them the data has.
pub(crate) const CURVE_DURATIONS_S: [u32; 7] = [60, 180, 300, 600, 1200, 1800, 3600];

/// "20 min" for 1200 s; "90 s" under a minute or off the minute.
pub(crate) fn curve_duration(seconds: u32) -> String {
    if seconds >= 60 && seconds.is_multiple_of(60) {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

/// "4:21/km" (or "7:00/mi") for a speed in m/s, or [`ABSENT`] for one no runner holds (1 m/s
/// or less).
pub(crate) fn pace(speed_m_s: Option<f64>, u: Units) -> String {
    match speed_m_s.filter(|v| v.is_finite() && *v > 1.0) {
        Some(v) => {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let s = (u.metres() / v).round() as u64;
            format!("{}:{:02}/{}", s / 60, s % 60, u.name())
        }
        None => ABSENT.to_owned(),
    }
}

/// A flag code as words: `too_many_hard` -> "too many hard".
pub(crate) fn flag_words(flag: &str) -> String {
    flag.replace('_', " ")
}

/// The morning beside the verdict: "resting HR 48 bpm (30-day median 47), overnight HRV 62 ms
/// (7-day ln rMSSD 4.12, normal 4.02 to 4.30), sleep score 81".
#[must_use]
pub(crate) fn morning(m: &crate::model::MorningPoint) -> String {
    let mut parts = Vec::new();
    if let Some(r) = m.resting_hr_bpm.filter(|v| v.is_finite()) {
        parts.push(match m.resting_hr_median_30d.filter(|v| v.is_finite()) {
            Some(med) => format!("resting HR {r:.0} bpm (30-day median {med:.0})"),
            None => format!("resting HR {r:.0} bpm"),
        });
    }
    if let Some(v) = m.rmssd_ms.filter(|v| v.is_finite()) {
        parts.push(
            match (
                m.ln_rmssd_7d_mean,
                m.ln_rmssd_normal_low,
                m.ln_rmssd_normal_high,
            ) {
                (Some(mean), Some(lo), Some(hi)) => format!(
                    "overnight HRV {v:.0} ms (7-day ln rMSSD {mean:.2}, normal {lo:.2} to {hi:.2})"
                ),
                _ => format!("overnight HRV {v:.0} ms"),
            },
        );
    }
    if let Some(s) = m.sleep_score.filter(|v| v.is_finite()) {
        parts.push(format!("sleep score {s:.0}"));
    }
    if parts.is_empty() {
        "no reading".to_owned()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rides_ef_says_its_unit() {
        assert_eq!(num(Some(1.94), 2, ef_unit(Some("cycling"))), "1.94 W/bpm");
        assert_eq!(num(Some(1.55), 2, ef_unit(Some("running"))), "1.55");
        assert_eq!(ef_unit(None), "");
    }

    #[test]
    fn durations_and_absent_values() {
        assert_eq!(duration(3930.0), "1:05:30");
        assert_eq!(duration(2712.0), "45:12");
        assert_eq!(duration(f64::NAN), ABSENT);
        assert_eq!(num(None, 1, " bpm"), ABSENT);
        assert_eq!(num(Some(f64::INFINITY), 1, ""), ABSENT);
        assert_eq!(signed(Some(4.04), 1, " bpm"), "+4.0 bpm");
        assert_eq!(reason_numbers(-34.25, Some(-30.0)), "-34.2 (threshold -30)");
        assert_eq!(pace(Some(1000.0 / 261.0), Units::Metric), "4:21/km");
        assert_eq!(pace(Some(1000.0 / 299.6), Units::Metric), "5:00/km");
        assert_eq!(pace(Some(1609.344 / 420.0), Units::Imperial), "7:00/mi");
        assert_eq!(km(Some(16_093.44), Units::Imperial), "10.0 mi");
        assert_eq!(pace(Some(0.5), Units::Metric), ABSENT);
        assert_eq!(pace(None, Units::Imperial), ABSENT);
        assert_eq!(curve_duration(1200), "20 min");
        assert_eq!(curve_duration(90), "90 s");
    }
}

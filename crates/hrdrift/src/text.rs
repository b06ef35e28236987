//! Number formatting shared by the terminal tables.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use hrdrift_analytics::Units;
pub use hrdrift_analytics::history::words::num;
pub use hrdrift_analytics::time::rfc3339_secs;

/// An activity id as the text output prints it: the first 12 hex digits of its content hash,
/// and a leg's `-N` where a multi-sport file gave several activities, so the legs of one file
/// can be told apart and each one named to `show` (`Store::find` takes the same form).
#[must_use]
pub fn short_id(id: &str) -> String {
    let (hash, leg) = id.split_once('-').map_or((id, None), |(h, l)| (h, Some(l)));
    let head = hash.get(..12).unwrap_or(hash);
    match leg {
        Some(l) => format!("{head}-{l}"),
        None => head.to_owned(),
    }
}

/// `h:mm:ss`.
#[must_use]
pub fn hms(s: f64) -> String {
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let s = s.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A threshold pace to show in a hint, in the runner's units.
#[must_use]
pub const fn example_pace(u: Units) -> &'static str {
    match u {
        Units::Metric => "4:30/km",
        Units::Imperial => "7:15/mi",
    }
}

/// Pace `m:ss /km` (or `/mi`) from a speed in m/s.
#[must_use]
pub fn pace(speed_m_s: Option<f64>, u: Units) -> String {
    match speed_m_s.filter(|v| v.is_finite() && *v > 0.2) {
        // `5:00/km` with a space before the unit, as the tables print it.
        Some(v) => u.pace(v).replacen('/', " /", 1),
        None => "-".to_owned(),
    }
}

/// The local time where the file told the offset (`2024-05-01 06:30`), else UTC with a `Z`.
#[must_use]
pub fn local_time(ms: i64, utc_offset_s: Option<i32>) -> String {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    match utc_offset_s.and_then(FixedOffset::east_opt) {
        Some(off) => utc.with_timezone(&off).format("%Y-%m-%d %H:%M").to_string(),
        None => utc.format("%Y-%m-%d %H:%MZ").to_string(),
    }
}

/// The end of `--as-of` day (UTC ms), or now.
#[must_use]
pub fn as_of_ms(as_of: Option<NaiveDate>) -> i64 {
    as_of.and_then(|d| d.and_hms_opt(23, 59, 59)).map_or_else(
        || Utc::now().timestamp_millis(),
        |t| t.and_utc().timestamp_millis(),
    )
}

/// Where a threshold speed came from, in words.
#[must_use]
pub fn threshold_words(source: hrdrift_analytics::ThresholdSource) -> &'static str {
    match source {
        hrdrift_analytics::ThresholdSource::Configured => "your threshold pace",
        hrdrift_analytics::ThresholdSource::Estimated => {
            "the critical speed of your best efforts of the last 90 days"
        }
        hrdrift_analytics::ThresholdSource::EstimatedFromHabit => {
            "a threshold guessed from your everyday pace (no hard effort in 90 days)"
        }
    }
}

/// A run's session type in a runner's words: "easy pace (5:45/km, 75 % of your threshold)",
/// with what decided it and what the heart said.
#[must_use]
pub fn effort_words(m: &hrdrift_analytics::ActivityMetrics, u: Units) -> String {
    use hrdrift_analytics::{ClassBasis, flag};
    let Some(class) = m.class else {
        return match m.absent.get("class").map(String::as_str) {
            Some("no_threshold") => format!(
                "type unknown: no threshold pace yet (set one: hrdrift athlete set threshold_pace={})",
                example_pace(u)
            ),
            Some("not_running_speed") => {
                "type unknown: too fast for running (a ride saved as a run?)".to_owned()
            }
            Some("no_ftp") => {
                "type unknown: no FTP yet (set one: hrdrift athlete set ftp=250)".to_owned()
            }
            Some("not_running") if m.hr_class.is_some() => {
                format!("heart rate says {}", m.hr_class.map_or("", |c| c.name()))
            }
            Some(why) => format!("type unknown: {}", why.replace('_', " ")),
            None => "type unknown".to_owned(),
        };
    };
    let hr = m
        .hr_class
        .map_or_else(String::new, |h| format!("; heart rate says {}", h.name()));
    let mut out = match (m.class_basis, m.threshold_speed_m_s, m.gap_speed_m_s) {
        (Some(ClassBasis::Pace), Some(vt), Some(v)) if vt > 0.0 => format!(
            "{} by pace ({} GAP, {:.0} % of your threshold {}){hr}",
            class.name(),
            u.pace(v),
            v / vt * 100.0,
            u.pace(vt)
        ),
        (Some(ClassBasis::Hr), _, _) => {
            format!("{} by heart rate (no speed in the file)", class.name())
        }
        (Some(ClassBasis::Power), _, _) => match (m.np_w, m.ftp_w) {
            (Some(np), Some(ftp)) if ftp > 0.0 => format!(
                "{} by power (NP {np:.0} W, {:.0} % of your FTP {ftp:.0} W){hr}",
                class.name(),
                np / ftp * 100.0
            ),
            _ => format!("{} by power{hr}", class.name()),
        },
        _ => class.name().to_owned(),
    };
    if m.flags.iter().any(|f| f == flag::EFFORT_MISMATCH) {
        out.push_str(": easy effort, high heart rate");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(hms(3725.4), "1:02:05");
        assert_eq!(pace(Some(1000.0 / 300.0), Units::Metric), "5:00 /km");
        assert_eq!(pace(Some(1609.344 / 480.0), Units::Imperial), "8:00 /mi");
        assert_eq!(pace(Some(0.0), Units::Metric), "-");
        assert_eq!(num(Some(1.234), 1), "1.2");
        assert_eq!(num(None, 1), "-");
        assert_eq!(rfc3339_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(local_time(0, Some(3600)), "1970-01-01 01:00");
    }
}

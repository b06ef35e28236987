//! Number formatting shared by the terminal tables.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use hrdrift_analytics::SessionClass;
use hrdrift_analytics::history::Verdict;

/// `h:mm:ss`.
#[must_use]
pub fn hms(s: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let s = s.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Pace `m:ss /km` from a speed in m/s.
#[must_use]
pub fn pace(speed_m_s: Option<f64>) -> String {
    match speed_m_s.filter(|v| v.is_finite() && *v > 0.2) {
        Some(v) => {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let s = (1000.0 / v).round() as u64;
            format!("{}:{:02} /km", s / 60, s % 60)
        }
        None => "-".to_owned(),
    }
}

/// A value with `digits` decimals, or `-`.
#[must_use]
pub fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
}

/// RFC 3339 in UTC, the form every JSON time in hrdrift takes.
#[must_use]
pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(String::new, |t| {
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    })
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

/// UTC ms of an RFC 3339 time (`i64::MIN` when it does not parse, so it sorts first).
#[must_use]
pub fn ms_of(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).map_or(i64::MIN, |t| t.timestamp_millis())
}

/// The end of `--as-of` day (UTC ms), or now.
#[must_use]
pub fn as_of_ms(as_of: Option<NaiveDate>) -> i64 {
    as_of.and_then(|d| d.and_hms_opt(23, 59, 59)).map_or_else(
        || Utc::now().timestamp_millis(),
        |t| t.and_utc().timestamp_millis(),
    )
}

/// The JSON name of a session class.
#[must_use]
pub fn class_name(c: SessionClass) -> &'static str {
    match c {
        SessionClass::Easy => "easy",
        SessionClass::Moderate => "moderate",
        SessionClass::Hard => "hard",
    }
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
pub fn effort_words(m: &hrdrift_analytics::ActivityMetrics) -> String {
    use hrdrift_analytics::{ClassBasis, flag};
    let Some(class) = m.class else {
        return match m.absent.get("class").map(String::as_str) {
            Some("no_threshold") => {
                "type unknown: no threshold pace yet (set one: hrdrift athlete set threshold_pace=4:30/km)"
                    .to_owned()
            }
            Some("not_running_speed") => {
                "type unknown: too fast for running (a ride saved as a run?)".to_owned()
            }
            Some(why) => format!("type unknown: {}", why.replace('_', " ")),
            None => "type unknown".to_owned(),
        };
    };
    let hr = m.hr_class.map_or_else(String::new, |h| {
        format!("; heart rate says {}", class_name(h))
    });
    let mut out = match (m.class_basis, m.threshold_speed_m_s, m.gap_speed_m_s) {
        (Some(ClassBasis::Pace), Some(vt), Some(v)) if vt > 0.0 => format!(
            "{} by pace ({} GAP, {:.0} % of your threshold {}){hr}",
            class_name(class),
            hrdrift_analytics::pace::per_km(v),
            v / vt * 100.0,
            hrdrift_analytics::pace::per_km(vt)
        ),
        (Some(ClassBasis::Hr), _, _) => {
            format!("{} by heart rate (no speed in the file)", class_name(class))
        }
        _ => class_name(class).to_owned(),
    };
    if m.flags.iter().any(|f| f == flag::EFFORT_MISMATCH) {
        out.push_str(": easy effort, high heart rate");
    }
    out
}

/// The JSON name of a recovery verdict.
#[must_use]
pub fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Absorbed => "absorbed",
        Verdict::Lingering => "lingering",
        Verdict::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(hms(3725.4), "1:02:05");
        assert_eq!(pace(Some(1000.0 / 300.0)), "5:00 /km");
        assert_eq!(pace(Some(0.0)), "-");
        assert_eq!(num(Some(1.234), 1), "1.2");
        assert_eq!(num(None, 1), "-");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(local_time(0, Some(3600)), "1970-01-01 01:00");
    }
}

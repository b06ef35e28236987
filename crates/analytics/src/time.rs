//! Times as hrdrift's JSON writes them: RFC 3339 in UTC, parsed back to UTC milliseconds.

use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339 in UTC with milliseconds where there are any, as an activity's start and end are
/// written (files record sub-second starts; dropping them would move a start across a second).
#[must_use]
pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(String::new, |d| {
        d.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    })
}

/// RFC 3339 in UTC to the second, the form of a JSON document's own times (`generated`,
/// `as_of`), which are never finer.
#[must_use]
pub fn rfc3339_secs(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(String::new, |t| {
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
    })
}

/// UTC ms of an RFC 3339 time; `i64::MIN` when it is not one, so it sorts first.
#[must_use]
pub fn ms_of(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).map_or(i64::MIN, |t| t.timestamp_millis())
}

/// UTC ms of the start of a `YYYY-MM-DD` day (a week's Monday, a day of the load series).
#[must_use]
pub fn day_ms(date: &str) -> i64 {
    ms_of(&format!("{date}T00:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses() {
        for (written, ms) in [
            (rfc3339(1_500), "1970-01-01T00:00:01.500Z"),
            (rfc3339_secs(1_500), "1970-01-01T00:00:01Z"),
            (rfc3339(i64::MAX), ""),
        ] {
            assert_eq!(written, ms);
        }
        for (text, ms) in [
            ("2023-11-14T22:13:20.123Z", 1_700_000_000_123),
            ("2023-11-15T00:13:20.123+02:00", 1_700_000_000_123),
            ("yesterday", i64::MIN),
        ] {
            assert_eq!(ms_of(text), ms, "{text}");
            if ms != i64::MIN {
                assert_eq!(ms_of(&rfc3339(ms)), ms);
            }
        }
        assert_eq!(day_ms("1970-01-02"), 86_400_000);
    }
}

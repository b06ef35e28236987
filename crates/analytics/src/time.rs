//! Times as hrdrift's JSON writes them: RFC 3339 in UTC, parsed back to UTC milliseconds.

use chrono::{DateTime, SecondsFormat, Utc};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

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

/// A period of starts, `since_ms..=now_ms` (UTC ms, both included), as the commands' `--since`
/// and `--as-of` give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub since_ms: i64,
    pub now_ms: i64,
}

impl Period {
    /// Whether a moment lies in the period.
    #[must_use]
    pub const fn contains(self, t: i64) -> bool {
        t >= self.since_ms && t <= self.now_ms
    }

    /// Whether the `days` days from `start_ms` (a week, a day) reach into the period: a week is
    /// shown when any of it does.
    #[must_use]
    pub const fn overlaps(self, start_ms: i64, days: i64) -> bool {
        start_ms.saturating_add(days * DAY_MS) > self.since_ms && start_ms <= self.now_ms
    }

    /// The period of equal length just before, as `[since, end)` bounds that end where this one
    /// starts (what the pace curve compares against).
    #[must_use]
    pub const fn before(self) -> (i64, i64) {
        (
            self.since_ms
                .saturating_sub(self.now_ms.saturating_sub(self.since_ms)),
            self.since_ms,
        )
    }
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

    #[test]
    fn a_period_holds_its_ends_and_the_weeks_that_reach_into_it() {
        const DAY: i64 = 86_400_000;
        let p = Period {
            since_ms: 10 * DAY,
            now_ms: 20 * DAY,
        };
        assert!(p.contains(10 * DAY) && p.contains(20 * DAY));
        assert!(!p.contains(10 * DAY - 1) && !p.contains(20 * DAY + 1));
        assert!(p.overlaps(4 * DAY, 7) && !p.overlaps(3 * DAY, 7));
        assert!(p.overlaps(20 * DAY, 1) && !p.overlaps(20 * DAY + 1, 1));
        assert_eq!(p.before(), (0, 10 * DAY));
        let all = Period {
            since_ms: i64::MIN,
            now_ms: i64::MAX,
        };
        assert!(all.overlaps(i64::MAX, 7) && all.contains(0));
    }
}

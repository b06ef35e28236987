//! Daily readings: the morning's resting heart rate, overnight HRV and sleep score, and how the
//! runner felt (METRICS.md section 6), from a watch's daily FIT files or a CSV of readings.
//!
//! - FIT: `monitoring_hr_data` (`current_day_resting_heart_rate`, else `resting_heart_rate`,
//!   which Garmin keeps as a 7-day average), `hrv_status_summary.last_night_average`, and
//!   `sleep_assessment.overall_sleep_score`, whose day is `file_id.time_created`'s (it has no
//!   time of its own). Times are UTC; the local day takes the file's offset from
//!   `monitoring_info` (`local_timestamp` - `timestamp`) where the file has one, else UTC's day.
//!   Where a file holds several values of a day and source, the last is kept.
//! - CSV: a header `date,resting_hr_bpm,rmssd_ms,sleep_score` (any subset of the last three,
//!   any order, and an optional `feel`, 1-5). A bad line is skipped with a warning naming its
//!   line and column; the others are kept.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DecodeError;
use crate::model::{Decoded, Warning};

/// Where a reading came from; one row per local day and source in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingSource {
    /// FIT `monitoring_hr_data` (a Garmin watch's Monitor folder).
    FitMonitoring,
    /// FIT `hrv_status_summary` (the HRV status folder).
    FitHrvStatus,
    /// FIT `sleep_assessment` (the Sleep folder).
    FitSleep,
    /// A CSV of daily readings (`date,resting_hr_bpm,rmssd_ms,sleep_score[,feel]`).
    Csv,
}

impl ReadingSource {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ReadingSource::FitMonitoring => "fit_monitoring",
            ReadingSource::FitHrvStatus => "fit_hrv_status",
            ReadingSource::FitSleep => "fit_sleep",
            ReadingSource::Csv => "csv",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [
            ReadingSource::FitMonitoring,
            ReadingSource::FitHrvStatus,
            ReadingSource::FitSleep,
            ReadingSource::Csv,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One local calendar day's readings from one source; a value the source does not carry is
/// `None`, never 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyReading {
    /// The runner's local calendar day the reading belongs to (the morning it was taken).
    pub date: NaiveDate,
    pub source: ReadingSource,
    /// Resting heart rate of the day, bpm.
    pub resting_hr_bpm: Option<f64>,
    /// Overnight rMSSD, ms.
    pub rmssd_ms: Option<f64>,
    /// Sleep score, 0-100.
    pub sleep_score: Option<f64>,
    /// How the runner felt, 1 (very weak) to 5 (very strong), from the CSV's `feel` column.
    pub feel: Option<f64>,
}

/// The plausible range of each value: outside it a reading is an error (CSV) or the FIT
/// invalid marker (0, 255, 0xFFFF / 128), never a value.
const RESTING_HR_RANGE: (f64, f64) = (25.0, 220.0);
const RMSSD_RANGE: (f64, f64) = (0.0, 500.0);
const SLEEP_RANGE: (f64, f64) = (0.0, 100.0);
const FEEL_RANGE: (f64, f64) = (1.0, 5.0);

fn within(v: f64, (lo, hi): (f64, f64)) -> bool {
    v.is_finite() && v >= lo && v <= hi
}

fn empty(date: NaiveDate, source: ReadingSource) -> DailyReading {
    DailyReading {
        date,
        source,
        resting_hr_bpm: None,
        rmssd_ms: None,
        sleep_score: None,
        feel: None,
    }
}

/// The daily readings of a watch's FIT file.
///
/// # Errors
/// Not FIT or broken before any reading; [`DecodeError::NotAnActivity`] where the file holds
/// none of the daily messages (settings, a workout, a monitoring file without resting HR).
pub fn decode_fit(bytes: &[u8], name: &str) -> Result<Decoded<Vec<DailyReading>>, DecodeError> {
    let _ = name;
    let Decoded {
        value: m,
        mut warnings,
    } = crate::fit::decode_daily_messages(bytes)?;
    let offset_ms = m.utc_offset_s.unwrap_or(0) * 1000;
    let day = |t: i64| {
        chrono::DateTime::from_timestamp_millis(t.saturating_add(offset_ms)).map(|d| d.date_naive())
    };
    let mut out: BTreeMap<(NaiveDate, ReadingSource), DailyReading> = BTreeMap::new();
    let mut dropped = 0usize;
    for &(t, avg, today) in &m.resting {
        let v = today
            .filter(|v| within(*v, RESTING_HR_RANGE))
            .or(avg.filter(|v| within(*v, RESTING_HR_RANGE)));
        match (day(t), v) {
            (Some(d), Some(v)) => {
                out.entry((d, ReadingSource::FitMonitoring))
                    .or_insert_with(|| empty(d, ReadingSource::FitMonitoring))
                    .resting_hr_bpm = Some(v);
            }
            _ => dropped += 1,
        }
    }
    for &(t, v) in &m.hrv {
        match day(t) {
            Some(d) if within(v, RMSSD_RANGE) && v > 0.0 => {
                out.entry((d, ReadingSource::FitHrvStatus))
                    .or_insert_with(|| empty(d, ReadingSource::FitHrvStatus))
                    .rmssd_ms = Some(v);
            }
            _ => dropped += 1,
        }
    }
    if !m.sleep.is_empty() {
        match m.time_created_ms.and_then(day) {
            Some(d) => {
                for &v in &m.sleep {
                    if within(v, SLEEP_RANGE) {
                        out.entry((d, ReadingSource::FitSleep))
                            .or_insert_with(|| empty(d, ReadingSource::FitSleep))
                            .sleep_score = Some(v);
                    } else {
                        dropped += 1;
                    }
                }
            }
            None => warnings.push(Warning::new(
                "no_day",
                "a sleep score with no file_id.time_created: its day is unknown, it was left out",
            )),
        }
    }
    if dropped > 0 {
        warnings.push(Warning::new(
            "invalid_reading",
            format!("{dropped} readings were invalid (the device's no-value marker) and left out"),
        ));
    }
    if out.is_empty() {
        let why = if m.resting.is_empty() && m.hrv.is_empty() && m.sleep.is_empty() {
            "no activity and no daily readings (resting HR, HRV status, sleep)"
        } else {
            "daily messages without a valid value"
        };
        return Err(DecodeError::NotAnActivity(why.to_owned()));
    }
    Ok(Decoded {
        value: out.into_values().collect(),
        warnings,
    })
}

/// The columns a readings CSV may have beside `date`.
const COLUMNS: [&str; 4] = ["resting_hr_bpm", "rmssd_ms", "sleep_score", "feel"];

fn header_of(bytes: &[u8]) -> Option<Vec<String>> {
    let head = &bytes[..bytes.len().min(4096)];
    let text = std::str::from_utf8(head)
        .or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]))
        .ok()?;
    let line = text.trim_start_matches('\u{feff}').lines().next()?;
    Some(
        line.split(',')
            .map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase())
            .collect(),
    )
}

/// Whether the bytes are a CSV of daily readings: a first line `date,...` naming at least one
/// of the reading columns.
#[must_use]
pub fn looks_like_readings_csv(bytes: &[u8]) -> bool {
    header_of(bytes).is_some_and(|h| {
        h.first().is_some_and(|c| c == "date") && h.iter().any(|c| COLUMNS.contains(&c.as_str()))
    })
}

/// The readings of a CSV (see the module's documentation).
///
/// # Errors
/// Not UTF-8, no header naming `date` and a reading column, or no line that could be read.
pub fn decode_csv(bytes: &[u8], name: &str) -> Result<Decoded<Vec<DailyReading>>, DecodeError> {
    let _ = name;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        DecodeError::NotAnActivity(format!(
            "a readings CSV that is not UTF-8 text (at byte {})",
            e.valid_up_to()
        ))
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().enumerate();
    let header: Vec<String> = lines
        .next()
        .map(|(_, l)| {
            l.split(',')
                .map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let date_col = header.iter().position(|c| c == "date");
    let Some(date_col) = date_col else {
        return Err(DecodeError::NotAnActivity(
            "a CSV without a `date` column".to_owned(),
        ));
    };
    let mut warnings = Vec::new();
    let mut cols: Vec<(usize, &str)> = Vec::new();
    for (k, c) in header.iter().enumerate() {
        if k == date_col {
            continue;
        }
        match COLUMNS.iter().find(|n| **n == c.as_str()) {
            Some(n) => cols.push((k, n)),
            None => warnings.push(Warning::new(
                "unknown_column",
                format!(
                    "column {c:?} is not one hrdrift reads ({}); it was ignored",
                    COLUMNS.join(", ")
                ),
            )),
        }
    }
    if cols.is_empty() {
        return Err(DecodeError::NotAnActivity(format!(
            "a CSV with a `date` but none of the columns {}",
            COLUMNS.join(", ")
        )));
    }
    let mut by_day: BTreeMap<NaiveDate, DailyReading> = BTreeMap::new();
    let mut bad = 0usize;
    for (i, line) in lines {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line
            .split(',')
            .map(|c| c.trim().trim_matches('"').trim())
            .collect();
        let raw_date = cells.get(date_col).copied().unwrap_or("");
        let Ok(date) = NaiveDate::parse_from_str(raw_date, "%Y-%m-%d") else {
            bad += 1;
            warnings.push(Warning::new(
                "bad_reading",
                format!("line {line_no}, column date: {raw_date:?} is not a date (YYYY-MM-DD); line skipped"),
            ));
            continue;
        };
        let mut r = empty(date, ReadingSource::Csv);
        let mut ok = true;
        for &(k, col) in &cols {
            let cell = cells.get(k).copied().unwrap_or("");
            if cell.is_empty() {
                continue;
            }
            let (range, slot) = match col {
                "resting_hr_bpm" => (RESTING_HR_RANGE, &mut r.resting_hr_bpm),
                "rmssd_ms" => (RMSSD_RANGE, &mut r.rmssd_ms),
                "sleep_score" => (SLEEP_RANGE, &mut r.sleep_score),
                _ => (FEEL_RANGE, &mut r.feel),
            };
            match cell.parse::<f64>() {
                Ok(v) if within(v, range) && !(col == "rmssd_ms" && v <= 0.0) => *slot = Some(v),
                Ok(v) => {
                    ok = false;
                    let lo = if col == "rmssd_ms" { "above 0" } else { "" };
                    warnings.push(Warning::new(
                        "bad_reading",
                        format!(
                            "line {line_no}, column {col}: {v} is out of range {}-{}{}; line skipped",
                            range.0,
                            range.1,
                            if lo.is_empty() { String::new() } else { format!(", {lo}") }
                        ),
                    ));
                }
                Err(_) => {
                    ok = false;
                    warnings.push(Warning::new(
                        "bad_reading",
                        format!(
                            "line {line_no}, column {col}: {cell:?} is not a number; line skipped"
                        ),
                    ));
                }
            }
        }
        if !ok {
            bad += 1;
            continue;
        }
        if [r.resting_hr_bpm, r.rmssd_ms, r.sleep_score, r.feel]
            .iter()
            .all(Option::is_none)
        {
            continue;
        }
        by_day.insert(date, r);
    }
    if by_day.is_empty() {
        return Err(DecodeError::NotAnActivity(format!(
            "a readings CSV with no readable line ({bad} bad lines)"
        )));
    }
    Ok(Decoded {
        value: by_day.into_values().collect(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_good_csv_in_any_column_order_with_a_bom_and_crlf() {
        let text = "\u{feff}Date,sleep_score,resting_hr_bpm,rmssd_ms,feel\r\n2026-01-02,81,48,61.25,4\r\n2026-01-03,,50,,\r\n\r\n";
        assert!(looks_like_readings_csv(text.as_bytes()));
        let d = decode_csv(text.as_bytes(), "r.csv").unwrap();
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(d.value.len(), 2);
        let a = &d.value[0];
        assert_eq!(a.date, day("2026-01-02"));
        assert_eq!(a.source, ReadingSource::Csv);
        assert_eq!(
            (a.resting_hr_bpm, a.rmssd_ms, a.sleep_score, a.feel),
            (Some(48.0), Some(61.25), Some(81.0), Some(4.0))
        );
        assert_eq!(d.value[1].rmssd_ms, None);
        assert_eq!(d.value[1].resting_hr_bpm, Some(50.0));
    }

    #[test]
    fn bad_lines_are_named_and_the_good_ones_kept() {
        let text = "date,resting_hr_bpm,rmssd_ms,mood\n\
                    2026-01-01,48,60,good\n\
                    2026-13-01,48,60,\n\
                    2026-01-03,0,60,\n\
                    2026-01-04,300,60,\n\
                    2026-01-05,50,-3,\n\
                    2026-01-06,fifty,60,\n\
                    2026-01-07,51,55,\n";
        let d = decode_csv(text.as_bytes(), "r.csv").unwrap();
        let dates: Vec<String> = d.value.iter().map(|r| r.date.to_string()).collect();
        assert_eq!(dates, ["2026-01-01", "2026-01-07"]);
        let msgs: Vec<&str> = d.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(msgs[0].contains("\"mood\""), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.starts_with("line 3, column date")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("line 4, column resting_hr_bpm: 0")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("line 5, column resting_hr_bpm: 300")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("line 6, column rmssd_ms: -3")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("line 7, column resting_hr_bpm: \"fifty\"")),
            "{msgs:?}"
        );
        assert_eq!(d.warnings.len(), 6);
    }

    #[test]
    fn not_a_readings_csv() {
        assert!(!looks_like_readings_csv(
            b"Activity ID,Activity Date,Activity Name\n1,2,3\n"
        ));
        assert!(!looks_like_readings_csv(b"date,weight_kg\n2026-01-01,70\n"));
        assert!(!looks_like_readings_csv(b"\xff\xfe\x00"));
        assert!(decode_csv(b"date,rmssd_ms\nnope,1\n", "x.csv").is_err());
        assert!(decode_csv(b"date,rmssd_ms\n", "x.csv").is_err());
    }

    #[test]
    fn the_fit_sdk_monitoring_file_holds_no_daily_reading() {
        let p = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/fit/python-fitparse/MonitoringFile.fit"
        );
        let bytes = std::fs::read(p).unwrap();
        match decode_fit(&bytes, "MonitoringFile.fit") {
            Err(DecodeError::NotAnActivity(why)) => assert!(why.contains("daily"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}

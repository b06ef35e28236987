//! Daily readings: the morning's resting heart rate, overnight HRV and sleep score, and how the
//! runner felt (METRICS.md section 6), from a watch's daily FIT files or a CSV of readings.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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

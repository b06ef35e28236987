//! Morning readings (METRICS.md section 6): resting heart rate, overnight rMSSD and sleep score
//! per local day, their baselines, and the flags readiness takes from them.
//!
//! Choices where METRICS.md leaves room (written down in `docs/METRICS.md`):
//! - The normal range is the mean +- 1 SD of the *daily* ln rMSSD readings of the 60 days
//!   before the day (Altini's "normal values"; at least 14 readings), compared with the 7-day
//!   rolling mean of the day and the 6 before it (at least 3 readings).
//! - The 7-day CV is the sample SD over the mean of those ln rMSSD readings; its limit is the
//!   mean + 2 SD of the 7-day CVs of the 60 days before (at least 14 of them).
//! - Resting HR is judged against the median of the 30 days before (at least 7 readings).
//! - Where two sources give a value for the same day, the one imported later wins; between
//!   sources of one import, the watch's file wins over the CSV.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use hrdrift_ingest::daily::{DailyReading, ReadingSource};
use serde::{Deserialize, Serialize};

use crate::history::robust::median_and_spread;

/// Days of the rolling mean of ln rMSSD.
pub const HRV_MEAN_DAYS: i64 = 7;
/// Readings the rolling mean needs among those days.
pub const HRV_MEAN_MIN: usize = 3;
/// Days before the day that give the normal range.
pub const NORMAL_DAYS: i64 = 60;
/// Readings the normal range (and the CV limit) needs.
pub const NORMAL_MIN: usize = 14;
/// Days before the day whose median resting HR is the baseline.
pub const RESTING_DAYS: i64 = 30;
/// Readings the resting-HR baseline needs.
pub const RESTING_MIN: usize = 7;
/// `resting_hr_elevated` needs at least this many bpm above the median...
pub const RESTING_MIN_BPM: f64 = 5.0;
/// ...and this many robust sigmas.
pub const RESTING_SIGMAS: f64 = 2.0;
/// A morning counts for today's readiness when it is today's or yesterday's.
pub const MORNING_MAX_AGE_DAYS: i64 = 1;

/// A reading as stored: which import wrote it decides between sources.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReading {
    pub reading: DailyReading,
    pub import_seq: u64,
}

/// One local day's readings, merged over sources.
#[derive(Debug, Clone, PartialEq)]
pub struct Morning {
    pub date: NaiveDate,
    pub resting_hr_bpm: Option<f64>,
    pub rmssd_ms: Option<f64>,
    pub sleep_score: Option<f64>,
    pub feel: Option<f64>,
    /// The sources of the values kept, e.g. `fit_monitoring+fit_hrv_status`.
    pub source: String,
}

/// Merges the stored rows into one [`Morning`] per day, in date order.
#[must_use]
pub fn merge(rows: &[StoredReading]) -> Vec<Morning> {
    let mut by_day: BTreeMap<NaiveDate, Vec<&StoredReading>> = BTreeMap::new();
    for r in rows {
        by_day.entry(r.reading.date).or_default().push(r);
    }
    by_day
        .into_iter()
        .map(|(date, mut rs)| {
            // Latest import first; in one import a watch's file before the CSV.
            rs.sort_by(|a, b| {
                b.import_seq
                    .cmp(&a.import_seq)
                    .then_with(|| rank(a.reading.source).cmp(&rank(b.reading.source)))
            });
            let mut used: Vec<ReadingSource> = Vec::new();
            let mut pick = |f: fn(&DailyReading) -> Option<f64>| {
                let hit = rs
                    .iter()
                    .find_map(|r| f(&r.reading).map(|v| (v, r.reading.source)));
                if let Some((_, s)) = hit
                    && !used.contains(&s)
                {
                    used.push(s);
                }
                hit.map(|h| h.0)
            };
            let resting_hr_bpm = pick(|r| r.resting_hr_bpm);
            let rmssd_ms = pick(|r| r.rmssd_ms);
            let sleep_score = pick(|r| r.sleep_score);
            let feel = pick(|r| r.feel);
            used.sort();
            Morning {
                date,
                resting_hr_bpm,
                rmssd_ms,
                sleep_score,
                feel,
                source: used
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("+"),
            }
        })
        .collect()
}

fn rank(s: ReadingSource) -> u8 {
    match s {
        ReadingSource::FitMonitoring | ReadingSource::FitHrvStatus | ReadingSource::FitSleep => 0,
        ReadingSource::Csv => 1,
    }
}

/// One day of `hrdrift wellness`: the readings and what they are judged against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WellnessDay {
    /// `YYYY-MM-DD`, local.
    pub date: String,
    pub resting_hr_bpm: Option<f64>,
    pub hrv_rmssd_ms: Option<f64>,
    pub sleep_score: Option<f64>,
    pub feel: Option<f64>,
    pub source: String,
    /// ln of the day's rMSSD (ms).
    pub ln_rmssd: Option<f64>,
    /// Mean ln rMSSD of the day and the 6 before.
    pub ln_rmssd_7d_mean: Option<f64>,
    /// The normal range of ln rMSSD: mean -+ 1 SD of the 60 days before.
    pub ln_rmssd_normal_low: Option<f64>,
    pub ln_rmssd_normal_high: Option<f64>,
    /// Coefficient of variation of ln rMSSD over the 7 days...
    pub ln_rmssd_cv_7d: Option<f64>,
    /// ...and the limit above which it is unstable.
    pub ln_rmssd_cv_limit: Option<f64>,
    /// Median resting HR of the 30 days before...
    pub resting_hr_median_30d: Option<f64>,
    /// ...and the value from which the day's reading is elevated.
    pub resting_hr_threshold: Option<f64>,
    /// `hrv_below_normal`, `hrv_unstable`, `resting_hr_elevated`.
    pub flags: Vec<String>,
}

impl WellnessDay {
    #[must_use]
    pub fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// Whether every number is finite (the crate's invariant).
    #[must_use]
    pub fn is_finite(&self) -> bool {
        [
            self.resting_hr_bpm,
            self.hrv_rmssd_ms,
            self.sleep_score,
            self.feel,
            self.ln_rmssd,
            self.ln_rmssd_7d_mean,
            self.ln_rmssd_normal_low,
            self.ln_rmssd_normal_high,
            self.ln_rmssd_cv_7d,
            self.ln_rmssd_cv_limit,
            self.resting_hr_median_30d,
            self.resting_hr_threshold,
        ]
        .iter()
        .flatten()
        .all(|v| v.is_finite())
    }
}

fn mean_sd(v: &[f64]) -> Option<(f64, f64)> {
    if v.len() < 2 {
        return None;
    }
    #[expect(clippy::cast_precision_loss, reason = "a few hundred days")]
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    Some((m, var.sqrt()))
}

/// Values of the days in `[from, to]` (inclusive), from a date-sorted list.
fn window(days: &[(NaiveDate, f64)], from: NaiveDate, to: NaiveDate) -> Vec<f64> {
    let lo = days.partition_point(|d| d.0 < from);
    let hi = days.partition_point(|d| d.0 <= to);
    days[lo..hi].iter().map(|d| d.1).collect()
}

/// Every day with a reading, judged against its baselines, in date order.
#[must_use]
pub fn days(mornings: &[Morning]) -> Vec<WellnessDay> {
    let ln: Vec<(NaiveDate, f64)> = mornings
        .iter()
        .filter_map(|m| {
            m.rmssd_ms
                .filter(|v| v.is_finite() && *v > 0.0)
                .map(|v| (m.date, v.ln()))
        })
        .collect();
    let rest: Vec<(NaiveDate, f64)> = mornings
        .iter()
        .filter_map(|m| {
            m.resting_hr_bpm
                .filter(|v| v.is_finite())
                .map(|v| (m.date, v))
        })
        .collect();
    // The 7-day CV of every day with enough readings, for the limits of the days after.
    let cv_of = |d: NaiveDate| -> Option<f64> {
        let w = window(&ln, d - Duration::days(HRV_MEAN_DAYS - 1), d);
        if w.len() < HRV_MEAN_MIN {
            return None;
        }
        mean_sd(&w)
            .filter(|(m, _)| m.abs() > 1e-9)
            .map(|(m, sd)| sd / m)
    };
    let cvs: Vec<(NaiveDate, f64)> = mornings
        .iter()
        .filter_map(|m| cv_of(m.date).map(|c| (m.date, c)))
        .collect();
    mornings
        .iter()
        .map(|m| {
            let d = m.date;
            let before = |n: i64| (d - Duration::days(n), d - Duration::days(1));
            let ln_rmssd = m
                .rmssd_ms
                .filter(|v| v.is_finite() && *v > 0.0)
                .map(f64::ln);
            let recent = window(&ln, d - Duration::days(HRV_MEAN_DAYS - 1), d);
            #[expect(clippy::cast_precision_loss, reason = "7 days")]
            let mean_7d = (recent.len() >= HRV_MEAN_MIN)
                .then(|| recent.iter().sum::<f64>() / recent.len() as f64);
            let (lo, hi) = before(NORMAL_DAYS);
            let normal = Some(window(&ln, lo, hi))
                .filter(|w| w.len() >= NORMAL_MIN)
                .and_then(|w| mean_sd(&w));
            let cv_7d = cv_of(d);
            let cv_limit = Some(window(&cvs, lo, hi))
                .filter(|w| w.len() >= NORMAL_MIN)
                .and_then(|w| mean_sd(&w))
                .map(|(m, sd)| m + 2.0 * sd);
            let (rlo, rhi) = before(RESTING_DAYS);
            let past = window(&rest, rlo, rhi);
            let (median_30d, threshold) = match median_and_spread(&past) {
                Some((med, sigma)) if past.len() >= RESTING_MIN => (
                    Some(med),
                    Some(med + RESTING_MIN_BPM.max(RESTING_SIGMAS * sigma)),
                ),
                _ => (None, None),
            };
            let mut flags = Vec::new();
            if let (Some(m7), Some((m, sd))) = (mean_7d, normal)
                && m7 < m - sd
            {
                flags.push("hrv_below_normal".to_owned());
            }
            if let (Some(c), Some(l)) = (cv_7d, cv_limit)
                && c > l
            {
                flags.push("hrv_unstable".to_owned());
            }
            if let (Some(r), Some(t)) = (m.resting_hr_bpm, threshold)
                && r >= t
            {
                flags.push("resting_hr_elevated".to_owned());
            }
            WellnessDay {
                date: d.format("%Y-%m-%d").to_string(),
                resting_hr_bpm: m.resting_hr_bpm,
                hrv_rmssd_ms: m.rmssd_ms,
                sleep_score: m.sleep_score,
                feel: m.feel,
                source: m.source.clone(),
                ln_rmssd,
                ln_rmssd_7d_mean: mean_7d,
                ln_rmssd_normal_low: normal.map(|(m, sd)| m - sd),
                ln_rmssd_normal_high: normal.map(|(m, sd)| m + sd),
                ln_rmssd_cv_7d: cv_7d,
                ln_rmssd_cv_limit: cv_limit,
                resting_hr_median_30d: median_30d,
                resting_hr_threshold: threshold,
                flags,
            }
        })
        .collect()
}

/// The morning readiness judges today (`today`, local): the latest day with a reading, when
/// it is today's or yesterday's (an older one says nothing about today).
#[must_use]
pub fn morning_of(days: &[WellnessDay], today: NaiveDate) -> Option<&WellnessDay> {
    let today_label = today.format("%Y-%m-%d").to_string();
    let oldest = (today - Duration::days(MORNING_MAX_AGE_DAYS))
        .format("%Y-%m-%d")
        .to_string();
    days.iter()
        .rev()
        .find(|d| d.date <= today_label)
        .filter(|d| d.date >= oldest)
}

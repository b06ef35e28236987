//! The athlete's mornings (issue 19, METRICS.md section 6): resting heart rate, overnight
//! rMSSD and sleep score for every day of the plan, as a Garmin watch's daily FIT files and as
//! a CSV of readings.
//!
//! The model:
//! - **Usual mornings.** Resting HR = the physiology's `hr_rest` plus day-to-day noise (sd
//!   1 bpm), a whole bpm; ln rMSSD = ln(baseline) + noise (sd 0.06), the baseline drawn per
//!   athlete from 30-90 ms; sleep score 70-90.
//! - **A lingering hard session** (the plan's [`RecoveryDesign::Lingering`]) costs the
//!   [`LINGERING_MORNINGS`] mornings after it: resting HR [`LINGERING_REST_BPM`] up and ln
//!   rMSSD [`LINGERING_LN_DROP`] down, as the runs' HR stays up for 90 h.
//! - **An absorbed hard session** lowers ln rMSSD by [`ABSORBED_LN_DROP`] the morning after
//!   and leaves resting HR alone: a dip well inside the normal range.
//!
//! The mornings come from their own random stream, so the activity files and `truth.json`
//! are the same with or without them.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::athlete::Athlete;
use crate::fit_encode::{BaseType, FieldDef, FitWriter, fit_time};
use crate::physio::RecoveryDesign;
use crate::plan::utc_offset_s;
use crate::rng::Rng;

/// Mornings after a lingering session that it costs.
pub const LINGERING_MORNINGS: i64 = 4;
/// How much a lingering session raises resting HR on those mornings (bpm).
pub const LINGERING_REST_BPM: f64 = 9.0;
/// How much it lowers ln rMSSD on those mornings.
pub const LINGERING_LN_DROP: f64 = 0.4;
/// How much an absorbed session lowers ln rMSSD the morning after.
pub const ABSORBED_LN_DROP: f64 = 0.05;
/// The local time of a morning's readings.
const MORNING_LOCAL_S: i64 = 6 * 3600 + 30 * 60;

/// One morning as the model made it; every value round-trips exactly through the FIT files
/// (whole bpm, rMSSD in 1/128 ms, whole sleep score) and the CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorningTruth {
    pub date: NaiveDate,
    pub resting_hr_bpm: f64,
    pub rmssd_ms: f64,
    pub sleep_score: f64,
    /// A lingering session's cost is on this morning.
    pub perturbed: bool,
    /// The athlete's UTC offset that day (s): the files' times are written from it.
    pub utc_offset_s: i32,
}

/// The athlete's baseline rMSSD (ms), from its seed.
#[must_use]
pub fn baseline_rmssd_ms(seed: u64) -> f64 {
    Rng::new(seed, 0x4D4F_524E).range(30.0, 90.0)
}

/// Every morning from the day of the first run to the day after the last.
#[must_use]
pub fn mornings(a: &Athlete) -> Vec<MorningTruth> {
    let (Some(first), Some(last)) = (a.plans.first(), a.plans.last()) else {
        return Vec::new();
    };
    let mut rng = Rng::new(a.config.seed, 0x4D4F_524F);
    let base_ln = baseline_rmssd_ms(a.config.seed).ln();
    let rest = a.config.physiology.hr_rest.round();
    let lingering: Vec<NaiveDate> = a
        .plans
        .iter()
        .filter(|p| p.recovery_design == Some(RecoveryDesign::Lingering))
        .map(|p| p.local_date)
        .collect();
    let absorbed: Vec<NaiveDate> = a
        .plans
        .iter()
        .filter(|p| p.recovery_design == Some(RecoveryDesign::Absorbed))
        .map(|p| p.local_date)
        .collect();
    let mut out = Vec::new();
    let mut d = first.local_date;
    while d <= last.local_date + Duration::days(1) {
        let perturbed = lingering
            .iter()
            .any(|s| (1..=LINGERING_MORNINGS).contains(&(d - *s).num_days()));
        let after_absorbed = absorbed.iter().any(|s| (d - *s).num_days() == 1);
        let rest_noise = rng.normal();
        let ln_noise = rng.normal();
        let sleep = 70.0 + f64::from(rng.below(21));
        let mut ln = base_ln + 0.06 * ln_noise;
        let mut r = rest + rest_noise;
        if perturbed {
            ln -= LINGERING_LN_DROP;
            r += LINGERING_REST_BPM;
        } else if after_absorbed {
            ln -= ABSORBED_LN_DROP;
        }
        out.push(MorningTruth {
            date: d,
            resting_hr_bpm: r.round().clamp(30.0, 120.0),
            rmssd_ms: ((ln.exp() * 128.0).round() / 128.0).clamp(1.0, 400.0),
            sleep_score: sleep,
            perturbed,
            utc_offset_s: utc_offset_s(&a.config, d),
        });
        d += Duration::days(1);
    }
    out
}

/// The CSV of readings: `date,resting_hr_bpm,rmssd_ms,sleep_score`, one line a morning.
#[must_use]
pub fn readings_csv(mornings: &[MorningTruth]) -> String {
    let mut s = String::from("date,resting_hr_bpm,rmssd_ms,sleep_score\n");
    for m in mornings {
        // A multiple of 1/128 has at most 7 decimals: printed whole, it parses back exactly.
        let _ = writeln!(
            s,
            "{},{},{},{}",
            m.date, m.resting_hr_bpm, m.rmssd_ms, m.sleep_score
        );
    }
    s
}

const fn field(num: u8, base: BaseType) -> FieldDef {
    FieldDef {
        num,
        base,
        count: 1,
    }
}

/// `file_id`: type, manufacturer (Garmin), product, serial, time created.
const FILE_ID: [FieldDef; 5] = [
    field(0, BaseType::Enum),
    field(1, BaseType::UInt16),
    field(2, BaseType::UInt16),
    field(3, BaseType::UInt32z),
    field(4, BaseType::UInt32),
];
/// `monitoring_info` (103): timestamp, local_timestamp.
const MONITORING_INFO: [FieldDef; 2] = [field(253, BaseType::UInt32), field(0, BaseType::UInt32)];
/// `monitoring_hr_data` (211): timestamp, resting_heart_rate (7-day average),
/// current_day_resting_heart_rate.
const MONITORING_HR: [FieldDef; 3] = [
    field(253, BaseType::UInt32),
    field(0, BaseType::UInt8),
    field(1, BaseType::UInt8),
];
/// `hrv_status_summary` (370): timestamp, weekly_average and last_night_average (1/128 ms),
/// status.
const HRV_STATUS: [FieldDef; 4] = [
    field(253, BaseType::UInt32),
    field(0, BaseType::UInt16),
    field(1, BaseType::UInt16),
    field(6, BaseType::Enum),
];
/// `sleep_assessment` (346): overall_sleep_score (no timestamp of its own).
const SLEEP: [FieldDef; 1] = [field(6, BaseType::UInt8)];

const GARMIN: u16 = 1;
const FILE_MONITORING_B: u8 = 32;
/// The HRV status and sleep files are written as `monitoring_daily` (28), a daily summary in
/// the profile's file types (watches differ in what they use; readers go by the messages).
const FILE_MONITORING_DAILY: u8 = 28;
/// `hrv_status` enum: balanced.
const HRV_BALANCED: u8 = 3;

/// The three daily FIT files of a morning, with their names as a watch's folders hold them.
#[must_use]
pub fn fit_files(m: &MorningTruth, recent_rest: f64, weekly_rmssd: f64) -> [(String, Vec<u8>); 3] {
    let local = m
        .date
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
        + MORNING_LOCAL_S;
    let utc = local - i64::from(m.utc_offset_s);
    let file_id = |w: &mut FitWriter, kind: u8| {
        w.define(0, 0, &FILE_ID);
        w.begin(0);
        w.u8(kind);
        w.u16(GARMIN);
        w.u16(4242);
        w.u32(3_000_000_001);
        w.u32(fit_time(utc));
    };
    let bpm = |v: f64| {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to 30-120 bpm"
        )]
        let b = v.round().clamp(30.0, 120.0) as u8;
        b
    };
    let ms128 = |v: f64| {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to the field's range"
        )]
        let x = (v * 128.0).round().clamp(1.0, 65_534.0) as u16;
        x
    };
    let stem = m.date.format("%Y-%m-%d");

    let mut w = FitWriter::new(Vec::new());
    file_id(&mut w, FILE_MONITORING_B);
    w.define(1, 103, &MONITORING_INFO);
    w.begin(1);
    w.u32(fit_time(utc));
    w.u32(fit_time(local));
    w.define(2, 211, &MONITORING_HR);
    w.begin(2);
    w.u32(fit_time(utc));
    w.u8(bpm(recent_rest));
    w.u8(bpm(m.resting_hr_bpm));
    let monitoring = w.finish();

    let mut w = FitWriter::new(Vec::new());
    file_id(&mut w, FILE_MONITORING_DAILY);
    w.define(1, 103, &MONITORING_INFO);
    w.begin(1);
    w.u32(fit_time(utc));
    w.u32(fit_time(local));
    w.define(2, 370, &HRV_STATUS);
    w.begin(2);
    w.u32(fit_time(utc));
    w.u16(ms128(weekly_rmssd));
    w.u16(ms128(m.rmssd_ms));
    w.u8(HRV_BALANCED);
    let hrv = w.finish();

    let mut w = FitWriter::new(Vec::new());
    file_id(&mut w, FILE_MONITORING_DAILY);
    w.define(1, 103, &MONITORING_INFO);
    w.begin(1);
    w.u32(fit_time(utc));
    w.u32(fit_time(local));
    w.define(2, 346, &SLEEP);
    w.begin(2);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a sleep score is 0-100"
    )]
    w.u8(m.sleep_score.round().clamp(0.0, 100.0) as u8);
    let sleep = w.finish();

    [
        (format!("Monitor/{stem}-monitoring.fit"), monitoring),
        (format!("HRV/{stem}-hrv-status.fit"), hrv),
        (format!("Sleep/{stem}-sleep.fit"), sleep),
    ]
}

/// What [`write_mornings`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct MorningsWritten {
    pub dir: PathBuf,
    pub days: usize,
    pub fit_files: usize,
}

/// Writes the mornings into `dir`: the daily FIT files (`Monitor/`, `HRV/`, `Sleep/`) when
/// `fit`, `readings.csv` when `csv`, and `mornings.json` (the truth) always.
///
/// # Errors
/// Any I/O error.
pub fn write_mornings(
    mornings: &[MorningTruth],
    dir: &Path,
    fit: bool,
    csv: bool,
) -> io::Result<MorningsWritten> {
    std::fs::create_dir_all(dir)?;
    let mut written = 0;
    if fit {
        for sub in ["Monitor", "HRV", "Sleep"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        for (i, m) in mornings.iter().enumerate() {
            // The watch's 7-day averages, as it keeps them beside the day's own value.
            let week = &mornings[i.saturating_sub(6)..=i];
            #[expect(clippy::cast_precision_loss, reason = "at most 7 days")]
            let n = week.len() as f64;
            let rest = week.iter().map(|w| w.resting_hr_bpm).sum::<f64>() / n;
            let rmssd = week.iter().map(|w| w.rmssd_ms).sum::<f64>() / n;
            for (name, bytes) in fit_files(m, rest, rmssd) {
                std::fs::write(dir.join(name), bytes)?;
                written += 1;
            }
        }
    }
    if csv {
        std::fs::write(dir.join("readings.csv"), readings_csv(mornings))?;
    }
    let json = serde_json::to_string_pretty(mornings).map_err(io::Error::other)?;
    std::fs::write(dir.join("mornings.json"), json + "\n")?;
    Ok(MorningsWritten {
        dir: dir.to_owned(),
        days: mornings.len(),
        fit_files: written,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::AthleteConfig;

    fn athlete(seed: u64) -> Athlete {
        crate::generate(&AthleteConfig::with_activities(seed, 120))
    }

    #[test]
    fn the_lingering_sessions_cost_the_four_mornings_after_and_nothing_else_does() {
        for seed in [1, 7, 42] {
            let a = athlete(seed);
            let m = mornings(&a);
            assert!(m.len() > 100);
            let lingering: Vec<NaiveDate> = a
                .plans
                .iter()
                .filter(|p| p.recovery_design == Some(RecoveryDesign::Lingering))
                .map(|p| p.local_date)
                .collect();
            assert!(!lingering.is_empty(), "seed {seed}");
            for x in &m {
                let after = lingering
                    .iter()
                    .any(|s| (1..=4).contains(&(x.date - *s).num_days()));
                assert_eq!(x.perturbed, after, "{x:?}");
                assert!((x.rmssd_ms * 128.0).fract() == 0.0);
            }
        }
    }

    #[test]
    fn the_csv_and_the_fit_files_carry_the_values_exactly() {
        let a = athlete(3);
        let m = mornings(&a);
        let csv = readings_csv(&m);
        for (line, x) in csv.lines().skip(1).zip(&m) {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells[0], x.date.to_string());
            assert_eq!(cells[1].parse::<f64>().unwrap(), x.resting_hr_bpm);
            assert_eq!(cells[2].parse::<f64>().unwrap(), x.rmssd_ms);
            assert_eq!(cells[3].parse::<f64>().unwrap(), x.sleep_score);
        }
        let x = &m[10];
        let [(_, mon), (_, hrv), (_, sleep)] = fit_files(x, x.resting_hr_bpm, x.rmssd_ms);
        let value = |bytes: &[u8], msg: &str, field: &str| -> Option<f64> {
            fitparser::from_bytes(bytes)
                .unwrap()
                .iter()
                .filter(|r| r.kind().to_string() == msg)
                .flat_map(|r| r.fields().to_vec())
                .find(|f| f.name() == field)
                .and_then(|f| match f.value() {
                    fitparser::Value::UInt8(v) => Some(f64::from(*v)),
                    fitparser::Value::UInt16(v) => Some(f64::from(*v)),
                    fitparser::Value::Float64(v) => Some(*v),
                    _ => None,
                })
        };
        assert_eq!(
            value(&mon, "monitoring_hr_data", "current_day_resting_heart_rate"),
            Some(x.resting_hr_bpm)
        );
        assert_eq!(
            value(&hrv, "hrv_status_summary", "last_night_average"),
            Some(x.rmssd_ms)
        );
        assert_eq!(
            value(&sleep, "sleep_assessment", "overall_sleep_score"),
            Some(x.sleep_score)
        );
    }
}

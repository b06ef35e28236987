//! Integration tests of the synthetic athlete: FIT files decoded by an independent decoder
//! (`fitparser`), determinism, and the ground truth checked against its own definitions.

// Counts and indices of test data (thousands of samples at most) turned into floats and back:
// the casts the workspace's lints question cannot lose anything here.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

mod fit_roundtrip;
mod model;
mod population;
mod truth;

use std::sync::OnceLock;

use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};
use hrdrift_synth::{Athlete, AthleteConfig, generate};

/// The default half-year athlete, shared by the tests that only read it.
pub fn default_athlete() -> &'static Athlete {
    static A: OnceLock<Athlete> = OnceLock::new();
    A.get_or_init(|| generate(&AthleteConfig::default()))
}

/// The `record` messages of a FIT file, decoded by `fitparser`.
pub fn records(bytes: &[u8]) -> Vec<FitDataRecord> {
    let msgs = fitparser::from_bytes(bytes).expect("decodes");
    msgs.into_iter()
        .filter(|m| m.kind() == MesgNum::Record)
        .collect()
}

/// A record's number, as `fitparser` gives the fields the encoder writes: scaled ones as
/// `Float64`, bytes as `UInt8`.
pub fn record_value(m: &FitDataRecord, name: &str) -> Option<f64> {
    m.fields()
        .iter()
        .find(|f| f.name() == name)
        .and_then(|f| match f.value() {
            Value::Float64(x) => Some(*x),
            Value::UInt8(x) => Some(f64::from(*x)),
            _ => None,
        })
}

/// A record's steps per minute. METRICS.md: 2 x (cadence + fractional_cadence).
pub fn steps_per_min(m: &FitDataRecord) -> Option<f64> {
    Some(2.0 * (record_value(m, "cadence")? + record_value(m, "fractional_cadence").unwrap_or(0.0)))
}

/// The mean of heart rates without the spikes METRICS.md drops (over 25 bpm from the median).
pub fn mean_without_spikes(hrs: Vec<f64>) -> f64 {
    let mut sorted = hrs.clone();
    sorted.sort_by(f64::total_cmp);
    let med = sorted[sorted.len() / 2];
    let clean: Vec<f64> = hrs
        .into_iter()
        .filter(|h| (h - med).abs() <= 25.0)
        .collect();
    clean.iter().sum::<f64>() / clean.len() as f64
}

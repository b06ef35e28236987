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

use hrdrift_synth::{Athlete, AthleteConfig, generate};

/// The default half-year athlete, shared by the tests that only read it.
pub fn default_athlete() -> &'static Athlete {
    static A: OnceLock<Athlete> = OnceLock::new();
    A.get_or_init(|| generate(&AthleteConfig::default()))
}

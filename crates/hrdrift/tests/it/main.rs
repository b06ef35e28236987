//! The `hrdrift` binary end to end: what a user types, what they see, the exit codes.

// Counts and indices of test data (thousands of samples at most) turned into floats and back:
// the casts the workspace's lints question cannot lose anything here.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

mod analysis;
mod cli;
mod crash;
mod disk;
mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The real fixtures shipped in `tests/fixtures`.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Runs the binary on `store`, with `HRDRIFT_STORE` cleared so the flag alone decides.
pub fn hrdrift(store: &Path, args: &[&str]) -> Output {
    hrdrift_env(store, args, &[])
}

/// [`hrdrift`] with extra environment variables.
pub fn hrdrift_env(store: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hrdrift"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("HRDRIFT_STORE")
        .envs(env.iter().copied())
        .output()
        .expect("runs")
}

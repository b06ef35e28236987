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
mod mornings;
mod report;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

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

/// Asserts that a run succeeded, showing its stderr where not.
#[track_caller]
pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `demo-data`: a synthetic athlete from 2025-03-03 written to `data`.
pub fn demo_data(store: &Path, data: &Path, weeks: &str, seed: &str) {
    let out = hrdrift(
        store,
        &[
            "demo-data",
            data.to_str().expect("utf8"),
            "--weeks",
            weeks,
            "--seed",
            seed,
            "--start",
            "2025-03-03",
        ],
    );
    assert_ok(&out);
}

/// Waits for two runs started together on one store: one succeeds, and the other succeeds too
/// (after waiting) or exits 4 saying that another process holds the store.
pub fn assert_one_ran_and_the_other_waited_or_said_so(a: Child, b: Child) {
    let outs = [
        a.wait_with_output().expect("a"),
        b.wait_with_output().expect("b"),
    ];
    let codes = outs.each_ref().map(|o| o.status.code());
    assert!(codes.contains(&Some(0)), "{codes:?}");
    for o in &outs {
        if o.status.code() == Some(4) {
            assert!(String::from_utf8_lossy(&o.stderr).contains("another hrdrift process"));
        } else {
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}

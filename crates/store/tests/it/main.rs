//! Integration tests of the store and the import pipeline, on the real fixtures.

// Counts and indices of test data (thousands of samples at most) turned into floats and back:
// the casts the workspace's lints question cannot lose anything here.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

mod broken;
mod import;
mod readings;
mod store;

use std::path::{Path, PathBuf};

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Copies fixture files (relative paths) into a fresh folder.
pub fn folder_of(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in files {
        let src = fixtures_dir().join(f);
        let name = Path::new(f).file_name().expect("name");
        std::fs::copy(&src, dir.path().join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    }
    dir
}

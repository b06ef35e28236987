//! Shared helpers of the benchmarks: where the fixtures are, and which files to time.

use std::path::PathBuf;

/// The real fixtures shipped in `tests/fixtures`.
#[must_use]
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// Every FIT fixture that decodes to at least one activity, with its bytes.
#[must_use]
pub fn fit_fixtures() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["fit/python-fitparse", "fit/tormoder-fit", "fit/runpandas"] {
        let Ok(entries) = std::fs::read_dir(fixtures_dir().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            if hrdrift_ingest::decode_bytes(&bytes, "bench").is_ok() {
                out.push((p.display().to_string(), bytes));
            }
        }
    }
    out
}

/// A byte count in MB for a message; no input comes near 2^52 bytes.
#[must_use]
#[expect(clippy::cast_precision_loss)]
pub fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

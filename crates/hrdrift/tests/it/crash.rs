//! Crash safety and concurrent runs, against the real binary.
//!
//! `kill_nine_at_random_moments` is ignored by default (it runs many imports); `.ci/run` runs it
//! with a bounded number of rounds (`HRDRIFT_KILL_ROUNDS`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hrdrift_store::Store;

use crate::assert_one_ran_and_the_other_waited_or_said_so;

/// A folder of synthetic FIT files (several commits' worth at `--batch 16`) and some real files.
fn source_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let athlete = hrdrift_synth::generate(&hrdrift_synth::AthleteConfig::with_activities(11, 120));
    for i in 0..athlete.len() {
        std::fs::write(dir.path().join(athlete.file_name(i)), athlete.encode_fit(i))
            .expect("write");
    }
    let fx = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    for f in [
        "fit/runpandas/run.fit",
        "tcx/runpandas/run.tcx",
        "gpx/runpandas/run.gpx",
    ] {
        let src = fx.join(f);
        std::fs::copy(&src, dir.path().join(src.file_name().expect("name"))).expect("copy");
    }
    dir
}

fn import_cmd(store: &Path, src: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hrdrift"));
    c.arg("--store")
        .arg(store)
        .arg("import")
        .arg(src)
        .args(["--quiet", "--batch", "16"])
        .args(extra);
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

/// Every activity in the store opens, has all its samples, and matches its source file.
fn check_consistent(store_dir: &Path) -> usize {
    let store = Store::open_read(store_dir).expect("the store opens after a kill");
    let mut ids = HashSet::new();
    for a in store.activities() {
        assert!(ids.insert(a.id.clone()), "duplicate id {}", a.id);
        let samples = store.samples(&a.id).expect("samples readable");
        assert_eq!(samples.height() as u64, a.samples, "{}: sample count", a.id);
        let bytes = std::fs::read(&a.source).expect("source exists");
        let decoded = hrdrift_ingest::decode_bytes(&bytes, &a.source).expect("source decodes");
        let d = decoded
            .value
            .iter()
            .find(|d| d.id == a.id)
            .expect("the id comes from the source's content");
        assert_eq!(
            d.samples.len() as u64,
            a.samples,
            "{}: consistent with its source",
            a.id
        );
    }
    store.activities().len()
}

/// A small deterministic generator, so a failing round can be replayed by its seed.
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

#[test]
#[ignore = "many full imports; .ci/run runs it with HRDRIFT_KILL_ROUNDS"]
fn kill_nine_at_random_moments() {
    let rounds: u64 = std::env::var("HRDRIFT_KILL_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let src = source_folder();
    let reference = tempfile::tempdir().expect("tempdir");
    let t0 = Instant::now();
    let st = import_cmd(reference.path(), src.path(), &[])
        .status()
        .expect("runs");
    assert!(st.success());
    let full_ms = t0.elapsed().as_millis() as u64;
    let expected = check_consistent(reference.path());
    assert!(expected > 100);

    let store = tempfile::tempdir().expect("tempdir");
    let mut seed = 0x5eed_u64;
    for round in 0..rounds {
        let delay = next(&mut seed) % (full_ms.max(20) * 11 / 10);
        let mut child = import_cmd(store.path(), src.path(), &[])
            .spawn()
            .expect("spawns");
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        let n = check_consistent(store.path());
        assert!(
            n <= expected,
            "round {round} (delay {delay} ms): {n} > {expected}"
        );
    }
    let st = import_cmd(store.path(), src.path(), &[])
        .status()
        .expect("runs");
    assert!(st.success());
    assert_eq!(
        check_consistent(store.path()),
        expected,
        "a re-run completes the import with no duplicates"
    );
    // Nothing left behind by the killed runs.
    assert!(!store.path().join(".staging").exists());
}

#[test]
fn two_imports_at_once_one_waits_or_says_so() {
    let src = source_folder();
    let reference = tempfile::tempdir().expect("tempdir");
    assert!(
        import_cmd(reference.path(), src.path(), &[])
            .status()
            .expect("runs")
            .success()
    );
    let expected = check_consistent(reference.path());

    // Without --wait: the loser exits 4 with a clear message.
    let store = tempfile::tempdir().expect("tempdir");
    let a = import_cmd(store.path(), src.path(), &[])
        .spawn()
        .expect("spawns");
    let b = import_cmd(store.path(), src.path(), &[])
        .spawn()
        .expect("spawns");
    assert_one_ran_and_the_other_waited_or_said_so(a, b);
    assert_eq!(check_consistent(store.path()), expected);

    // With --wait: both succeed, one after the other, and nothing is imported twice.
    let store = tempfile::tempdir().expect("tempdir");
    let a = import_cmd(store.path(), src.path(), &["--wait"])
        .spawn()
        .expect("spawns");
    let b = import_cmd(store.path(), src.path(), &["--wait"])
        .spawn()
        .expect("spawns");
    assert!(a.wait_with_output().expect("a").status.success());
    assert!(b.wait_with_output().expect("b").status.success());
    assert_eq!(check_consistent(store.path()), expected);
}

//! A full disk and a read-only store: a clear error, and the store left as it was.
//!
//! These mount a small tmpfs and a read-only bind mount, so they need root; they are ignored by
//! default and `.ci/run` (which runs as root) runs them explicitly.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{fixtures, hrdrift};
use hrdrift_store::Store;

struct Mount(PathBuf);

impl Mount {
    fn new(args: &[&str], at: &Path) -> Mount {
        let st = Command::new("mount")
            .args(args)
            .arg(at)
            .status()
            .expect("mount runs");
        assert!(st.success(), "mount {args:?} failed: these tests need root");
        Mount(at.to_owned())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn snapshot(store: &Path) -> Vec<(String, u64)> {
    let s = Store::open_read(store).expect("store opens");
    s.activities()
        .iter()
        .map(|a| {
            assert_eq!(
                s.samples(&a.id).expect("samples").height() as u64,
                a.samples
            );
            (a.id.clone(), a.samples)
        })
        .collect()
}

#[test]
#[ignore = "needs root to mount a tmpfs; .ci/run runs it"]
fn a_full_disk_fails_clearly_and_keeps_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _m = Mount::new(&["-t", "tmpfs", "-o", "size=1200k", "tmpfs"], dir.path());
    let store = dir.path().join("store");
    let out = hrdrift(
        &store,
        &[
            "import",
            fixtures().join("fit/runpandas").to_str().expect("utf8"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = snapshot(&store);
    assert_eq!(before.len(), 1);

    // 60 synthetic runs need several MB: the disk fills up during the commit.
    let src = tempfile::tempdir().expect("tempdir");
    let athlete = hrdrift_synth::generate(&hrdrift_synth::AthleteConfig::with_activities(3, 60));
    for i in 0..athlete.len() {
        std::fs::write(src.path().join(athlete.file_name(i)), athlete.encode_fit(i))
            .expect("write");
    }
    let out = hrdrift(&store, &["import", src.path().to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("No space left on device") && err.contains(&store.display().to_string()),
        "{err}"
    );
    assert_eq!(snapshot(&store), before, "the store is as it was");
}

#[test]
#[ignore = "needs root to bind-mount read-only; .ci/run runs it"]
fn a_read_only_store_fails_clearly_and_still_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let out = hrdrift(
        &store,
        &[
            "import",
            fixtures().join("fit/runpandas").to_str().expect("utf8"),
        ],
    );
    assert!(out.status.success());
    let before = snapshot(&store);
    let _bind = Mount::new(&["--bind", store.to_str().expect("utf8")], &store);
    let _ro = Mount::new(&["-o", "remount,bind,ro"], &store);
    let out = hrdrift(
        &store,
        &[
            "import",
            fixtures().join("tcx/runpandas").to_str().expect("utf8"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Read-only file system"), "{err}");
    let out = hrdrift(&store, &["activities", "--json"]);
    assert!(out.status.success(), "reading needs no write access");
    assert_eq!(snapshot(&store), before);
}

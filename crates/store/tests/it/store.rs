//! The store's guarantees: locking, cleanup after a crash, schema versions.

use hrdrift_store::import::{ImportOptions, import};
use hrdrift_store::{LockMode, Store, StoreError};

use crate::folder_of;

fn filled_store() -> (tempfile::TempDir, usize) {
    let src = folder_of(&[
        "fit/runpandas/run.fit",
        "fit/python-fitparse/activity-small-fenix2-run.fit",
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_write(dir.path(), LockMode::Fail).expect("open");
    import(
        &mut store,
        &[src.path().to_owned()],
        &ImportOptions::default(),
        &mut |_| {},
    )
    .expect("import");
    let n = store.activities().len();
    (dir, n)
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = Store::open_write(dir.path(), LockMode::Fail).expect("first");
    let second = Store::open_write(dir.path(), LockMode::Fail);
    assert!(matches!(second, Err(StoreError::Locked { .. })));
    let msg = second.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("another hrdrift process"), "{msg}");
    // Readers do not need the lock.
    assert!(Store::open_read(dir.path()).is_ok());
    drop(first);
    assert!(Store::open_write(dir.path(), LockMode::Fail).is_ok());
}

#[test]
fn leftovers_of_a_killed_run_are_removed_and_the_store_is_intact() {
    let (dir, n) = filled_store();
    let p = dir.path();
    std::fs::create_dir_all(p.join(".staging")).expect("mkdir");
    std::fs::write(p.join(".staging/activities.parquet"), b"half written").expect("write");
    std::fs::write(p.join("samples/part-00000099.parquet"), b"orphan").expect("write");
    let store = Store::open_write(p, LockMode::Fail).expect("open");
    assert_eq!(store.activities().len(), n);
    assert!(!p.join(".staging").exists());
    assert!(!p.join("samples/part-00000099.parquet").exists());
    for a in store.activities() {
        assert_eq!(
            store.samples(&a.id).expect("samples").height() as u64,
            a.samples
        );
    }
}

#[test]
fn a_store_of_another_schema_version_is_refused_with_advice() {
    let (dir, _) = filled_store();
    let m = dir.path().join("store.json");
    let text = std::fs::read_to_string(&m)
        .expect("manifest")
        .replace("\"schema_version\": 1", "\"schema_version\": 99");
    std::fs::write(&m, text).expect("write");
    let e = Store::open_read(dir.path()).err().expect("refused");
    assert!(matches!(e, StoreError::Version { found: 99, .. }), "{e}");
    assert!(e.to_string().contains("upgrade hrdrift"), "{e}");
}

#[test]
fn an_empty_directory_reads_as_an_empty_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(
        Store::open_read(dir.path())
            .expect("open")
            .activities()
            .is_empty()
    );
}

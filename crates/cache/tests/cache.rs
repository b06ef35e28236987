//! The metrics cache against a temporary store: what it computes, re-anchors, reads back or
//! leaves alone when the settings change.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use hrdrift_cache::{config, deriver, for_reading, store_after_import, update};
use hrdrift_store::import::{ImportOptions, import_with};
use hrdrift_store::{LockMode, Store};
use hrdrift_synth::{AthleteConfig, generate};

/// A store holding five weeks of a synthetic athlete (about 30 runs), imported as the binary
/// does: metrics computed while decoding, then brought up to date.
fn store_with_athlete(dir: &Path) -> PathBuf {
    let files = dir.join("files");
    generate(&AthleteConfig {
        seed: 5,
        weeks: 5,
        ..AthleteConfig::default()
    })
    .write_to_dir(&files)
    .unwrap();
    std::fs::remove_file(files.join("truth.json")).unwrap();
    let store_dir = dir.join("store");
    let mut store = Store::open_write(&store_dir, LockMode::Fail).unwrap();
    let d = deriver(&mut store).unwrap();
    let s = import_with(
        &mut store,
        &[files],
        &ImportOptions::default(),
        Some(d.as_ref()),
        &mut |_| {},
    )
    .unwrap();
    assert!(s.activities >= 25, "{s:?}");
    store_after_import(&mut store).unwrap();
    store_dir
}

fn set(store_dir: &Path, key: &str, value: &str) -> hrdrift_cache::Derived {
    let mut store = Store::open_write(store_dir, LockMode::Fail).unwrap();
    config::edit(store_dir, &[(key.to_owned(), Some(value.to_owned()))]).unwrap();
    update(&mut store).unwrap()
}

#[test]
fn settings_changes_recompute_only_what_depends_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = store_with_athlete(dir.path());
    let n = Store::open_read(&store_dir).unwrap().activities().len();

    // Fresh after the import: a read computes nothing.
    let d = for_reading(&store_dir).unwrap();
    assert_eq!(d.metrics.len(), n);
    assert_eq!(d.recomputed, 0);
    // HRmax estimated from the pools (at least 20 activities), the runs typed by pace (all but
    // the first, which has no runs before it to give a threshold).
    assert!(d.settings.estimated.hr_max, "{:?}", d.settings.hr_max);
    assert!(d.metrics.iter().filter(|m| m.class.is_some()).count() >= n - 1);

    // An anchor: every row re-anchored from its HR summary, none read back from the samples.
    let d = set(&store_dir, "hr_max", "190");
    assert_eq!(d.recomputed, n, "every row re-anchored, once");
    assert_eq!(d.read_back, 0);
    let d = for_reading(&store_dir).unwrap();
    assert_eq!(d.recomputed, 0);
    assert!(
        d.metrics
            .iter()
            .all(|m| m.settings_used.hr_max == Some(190.0))
    );
    assert!(d.metrics.iter().any(|m| m.zones_s.is_some()));

    // A threshold pace and a rule applied when rows are read: nothing stored changes, and the
    // rows read back are typed against the new threshold.
    let d = set(&store_dir, "threshold_pace", "5:00/km");
    assert_eq!(d.recomputed, 0);
    let d = for_reading(&store_dir).unwrap();
    assert!(
        d.metrics
            .iter()
            .filter(|m| m.class.is_some())
            .all(|m| m.threshold_speed_m_s == Some(1000.0 / 300.0))
    );
    assert_eq!(set(&store_dir, "baseline_days", "56").recomputed, 0);

    // The warm-up moves every steady-portion metric: every row is read back.
    let d = set(&store_dir, "warmup_s", "480");
    assert_eq!(d.read_back, n);
    let d = for_reading(&store_dir).unwrap();
    assert_eq!(d.recomputed, 0);
    assert!(d.metrics.iter().all(|m| m.settings_used.warmup_s == 480.0));
}

#[test]
fn a_stale_or_damaged_row_is_computed_again_and_the_summary_fingerprint_is_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = store_with_athlete(dir.path());
    let n = Store::open_read(&store_dir).unwrap().activities().len();
    let mut store = Store::open_write(&store_dir, LockMode::Fail).unwrap();
    // One row's JSON damaged; one row's summary made under another fingerprint whose text
    // still contains the right one (a substring match would take it for a match).
    let settings = for_reading(&store_dir).unwrap().settings;
    let good = settings.sanitized().anchor_free_fingerprint();
    let ids: Vec<String> = store
        .metrics()
        .iter()
        .take(2)
        .map(|m| m.id.clone())
        .collect();
    let changed = store.update_metrics(|m| {
        if m.id == ids[0] {
            m.metrics_json = "{not json".to_owned();
            true
        } else if m.id == ids[1] {
            m.hr_summary = m.hr_summary.replacen(&good, &format!("x{good}"), 1);
            m.fingerprint = "stale".to_owned();
            true
        } else {
            false
        }
    });
    assert_eq!(changed, 2);
    store.put_metrics(Vec::new()).unwrap();
    drop(store);
    let d = {
        let mut store = Store::open_write(&store_dir, LockMode::Fail).unwrap();
        update(&mut store).unwrap()
    };
    // Both read back from the samples: the damaged one, and the one whose summary was made
    // under other settings (re-anchoring it would give numbers the samples do not).
    assert_eq!(d.read_back, 2, "recomputed {}", d.recomputed);
    let d = for_reading(&store_dir).unwrap();
    assert_eq!(d.metrics.len(), n);
    assert_eq!(d.recomputed, 0);
}

#[test]
fn a_metrics_table_of_json_texts_is_rebuilt_once_with_typed_columns() {
    use polars_core::prelude::{Column, DataType};
    let dir = tempfile::tempdir().unwrap();
    let store_dir = store_with_athlete(dir.path());
    let path = store_dir.join("metrics.parquet");
    let typed = hrdrift_store::tables::read_parquet(&path).unwrap();
    let n = typed.height();
    // Typed from the metrics' Rust types even where no stored row has a value (`fast_reps` is
    // filled when the rows are read, never stored): an integer, not the text a column of
    // nulls would get.
    assert_eq!(typed.column("fast_reps").unwrap().dtype(), &DataType::Int64);
    assert!(matches!(
        typed.column("settings_used").unwrap().dtype(),
        DataType::Struct(_)
    ));
    // The table as the version before wrote it: the metrics as one JSON text per row.
    let mut old = typed
        .select(["activity_id", "pool_fingerprint", "fingerprint"])
        .unwrap();
    for (name, text) in [
        ("hr_pool", "150:3"),
        ("metrics_json", "{}"),
        ("hr_summary", "v1;x"),
    ] {
        old.with_column(Column::new(name.into(), vec![text; n]))
            .unwrap();
    }
    hrdrift_store::tables::write_parquet(&mut old, &path).unwrap();

    let d = for_reading(&store_dir).unwrap();
    assert_eq!(d.metrics.len(), n);
    assert_eq!(d.read_back, n, "every row computed again from the samples");
    assert!(
        d.problems.iter().any(|p| p.contains("JSON text")),
        "{:?}",
        d.problems
    );
    let d = for_reading(&store_dir).unwrap();
    assert_eq!(d.recomputed, 0, "rebuilt once");
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let table = hrdrift_store::tables::read_parquet(&path).unwrap();
    assert!(table.column("metrics_json").is_err());
    assert_eq!(
        table.column("decoupling_pct").unwrap().dtype(),
        &DataType::Float64
    );
}

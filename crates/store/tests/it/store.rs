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

/// The activities of a fixture file, ready to stage.
fn pending_of(rel: &str) -> Vec<hrdrift_store::Pending> {
    let bytes = std::fs::read(crate::fixtures_dir().join(rel)).expect("fixture");
    let hash = hrdrift_ingest::content_id(&bytes);
    hrdrift_ingest::decode_with_id(&bytes, rel, &hash)
        .expect("decodes")
        .value
        .into_iter()
        .map(|activity| hrdrift_store::Pending {
            activity,
            source_hash: hash.clone(),
            warnings: Vec::new(),
            metrics: None,
        })
        .collect()
}

#[test]
fn staged_parts_join_the_store_only_when_published() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let parts_on_disk = || std::fs::read_dir(p.join("samples")).map_or(0, Iterator::count);

    // Staged and never published (a killed import): nothing of it is in the store, and the next
    // writer deletes its parts.
    let mut store = Store::open_write(p, LockMode::Fail).expect("open");
    store
        .stage(pending_of("fit/runpandas/run.fit"))
        .expect("stage");
    assert_eq!(parts_on_disk(), 1);
    assert!(store.activities().is_empty());
    drop(store);
    assert!(Store::open_read(p).expect("read").activities().is_empty());
    let mut store = Store::open_write(p, LockMode::Fail).expect("reopen");
    assert_eq!(parts_on_disk(), 0);

    // Two batches staged, published as one generation; an activity of the first batch is
    // replaced (by a richer duplicate, in an import) and is dropped with it.
    let a = store
        .stage(pending_of("fit/runpandas/run.fit"))
        .expect("stage a");
    let b = store
        .stage(pending_of(
            "fit/python-fitparse/activity-small-fenix2-run.fit",
        ))
        .expect("stage b");
    let dropped = pending_of("fit/runpandas/run.fit")[0].activity.id.clone();
    let kept = pending_of("fit/python-fitparse/activity-small-fenix2-run.fit")[0]
        .activity
        .id
        .clone();
    assert_eq!((a.activities(), b.activities()), (1, 1));
    let stats = store
        .publish(vec![a, b], Vec::new(), std::slice::from_ref(&dropped))
        .expect("publish");
    assert_eq!(stats.activities, 2);
    let ids: Vec<&str> = store.activities().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [kept.as_str()]);
    // The lost part's number is free again once the reopen deleted it.
    assert_eq!(store.manifest().generation, 2);
    assert_eq!(parts_on_disk(), 2);
    drop(store);

    let store = Store::open_read(p).expect("read");
    assert_eq!(store.activities().len(), 1);
    let row = &store.activities()[0];
    assert_eq!(
        store.samples(&row.id).expect("samples").height() as u64,
        row.samples
    );
    assert!(row.samples > 0);
}

fn metrics_row(id: &str, tag: &str) -> hrdrift_store::MetricsRow {
    hrdrift_store::MetricsRow {
        id: id.to_owned(),
        pool_fingerprint: "pool".to_owned(),
        pool: format!("{{\"of\":\"{id}\"}}"),
        fingerprint: tag.to_owned(),
        metrics_json: format!("{{\"tag\":\"{tag}\"}}"),
        hr_summary: String::new(),
    }
}

/// (id, fingerprint) of every cached metrics row, sorted.
fn cached(store: &Store) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = store
        .metrics()
        .iter()
        .map(|m| (m.id.clone(), m.fingerprint.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn metrics_staged_with_their_samples_join_the_cache_when_published_and_fold_into_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let metrics_parts = || std::fs::read_dir(p.join("metrics")).map_or(0, Iterator::count);
    let with_metrics = |rel: &str, tag: &str| {
        let mut batch = pending_of(rel);
        for b in &mut batch {
            b.metrics = Some(metrics_row(&b.activity.id, tag));
        }
        batch
    };
    let id_of = |rel: &str| pending_of(rel)[0].activity.id.clone();
    let (a, b) = (
        id_of("fit/runpandas/run.fit"),
        id_of("fit/python-fitparse/activity-small-fenix2-run.fit"),
    );

    // Staged and never published: no reader sees the rows, and the next writer deletes the part.
    let mut store = Store::open_write(p, LockMode::Fail).expect("open");
    store
        .stage(with_metrics("fit/runpandas/run.fit", "lost"))
        .expect("stage");
    assert_eq!(metrics_parts(), 1);
    drop(store);
    assert!(Store::open_read(p).expect("read").metrics().is_empty());
    let mut store = Store::open_write(p, LockMode::Fail).expect("reopen");
    assert_eq!(metrics_parts(), 0);

    // Published: a new reader reads the part; the writer, which did not hold the rows, reloads.
    let staged = store
        .stage(with_metrics("fit/runpandas/run.fit", "import 1"))
        .expect("stage");
    store
        .publish(vec![staged], Vec::new(), &[])
        .expect("publish");
    assert!(store.metrics().is_empty());
    store.reload_metrics();
    let want = vec![(a.clone(), "import 1".to_owned())];
    assert_eq!(cached(&store), want);
    assert_eq!(cached(&Store::open_read(p).expect("read")), want);
    assert_eq!(store.metrics_parts_count(), 1);

    // Writing the cache folds the part into metrics.parquet: the manifest no longer names it,
    // its file is gone, and its rows are kept.
    store
        .put_metrics(vec![metrics_row(&a, "recomputed")])
        .expect("put");
    assert_eq!((store.metrics_parts_count(), metrics_parts()), (0, 0));
    let want = vec![(a.clone(), "recomputed".to_owned())];
    assert_eq!(cached(&Store::open_read(p).expect("read")), want);

    // A part's row stands over the table's row of the same activity (the part is newer), and a
    // later part's over an earlier one's. `put_metrics` reloads them before it folds them.
    let mut first = pending_of("fit/python-fitparse/activity-small-fenix2-run.fit");
    first[0].metrics = Some(metrics_row(&a, "import 2"));
    let mut second = pending_of("fit/python-fitparse/activity-small-fenix2-run.fit");
    second[0].activity.id = format!("{b}-copy");
    second[0].metrics = Some(metrics_row(&a, "import 3"));
    let first = store.stage(first).expect("stage");
    let second = store.stage(second).expect("stage");
    store
        .publish(vec![first, second], Vec::new(), &[])
        .expect("publish");
    assert_eq!(store.metrics_parts_count(), 2);
    let want = vec![(a.clone(), "import 3".to_owned())];
    assert_eq!(cached(&Store::open_read(p).expect("read")), want);
    store.put_metrics(Vec::new()).expect("put");
    assert_eq!((store.metrics_parts_count(), metrics_parts()), (0, 0));
    assert_eq!(store.activities().len(), 3);
    assert_eq!(cached(&Store::open_read(p).expect("read")), want);
}

#[test]
fn summaries_are_read_by_writers_only_and_an_older_table_without_them_still_reads() {
    let (dir, _) = filled_store();
    let p = dir.path();
    let mut store = Store::open_write(p, LockMode::Fail).expect("open");
    let ids: Vec<String> = store.activities().iter().map(|r| r.id.clone()).collect();
    let rows = ids
        .iter()
        .map(|id| hrdrift_store::MetricsRow {
            hr_summary: r#"{"v":1}"#.to_owned(),
            ..metrics_row(id, "old")
        })
        .collect();
    store.put_metrics(rows).expect("put");
    drop(store);
    // A writer reads the summaries back (it may recompute from them and writes every row); a
    // reader, whose queries never use them, does not load them.
    let summaries =
        |s: &Store| -> Vec<String> { s.metrics().iter().map(|m| m.hr_summary.clone()).collect() };
    let writer = Store::open_write(p, LockMode::Fail).expect("open");
    assert_eq!(summaries(&writer), vec![r#"{"v":1}"#.to_owned(); ids.len()]);
    drop(writer);
    let reader = Store::open_read(p).expect("read");
    assert_eq!(summaries(&reader), vec![String::new(); ids.len()]);
    assert_eq!(reader.metrics().len(), ids.len());
    let path = p.join("metrics.parquet");
    let mut df = hrdrift_store::tables::read_parquet(&path).expect("read");
    assert!(df.column("hr_summary").is_ok());
    df = df.drop("hr_summary").expect("drop");
    hrdrift_store::tables::write_parquet(&mut df, &path).expect("write");

    let store = Store::open_write(p, LockMode::Fail).expect("open");
    assert_eq!(store.metrics_problem(), None);
    assert_eq!(store.metrics().len(), ids.len());
    for m in store.metrics() {
        assert_eq!((m.fingerprint.as_str(), m.hr_summary.as_str()), ("old", ""));
    }
}

#[test]
fn metrics_are_typed_columns_that_read_back_as_written_and_an_older_table_is_refused() {
    use polars_core::prelude::DataType;
    let (dir, _) = filled_store();
    let p = dir.path();
    let mut store = Store::open_write(p, LockMode::Fail).expect("open");
    let ids: Vec<String> = store.activities().iter().map(|r| r.id.clone()).collect();
    assert!(ids.len() >= 2);
    // Null fields, an empty list; then a damaged text: that row is kept without its metrics.
    let metrics = [
        r#"{"decoupling_pct":4.25,"fast_reps":2,"flags":[],"sport":null,"window":{"hr_bpm":141.5,"cadence_cv":null},"zones_s":[1.5,2.0]}"#,
        "{not json",
    ];
    let rows: Vec<_> = ids
        .iter()
        .zip(metrics.iter().cycle())
        .map(|(id, m)| hrdrift_store::MetricsRow {
            metrics_json: (*m).to_owned(),
            pool: r#"{"bpm":[150,151],"seconds":[3,4]}"#.to_owned(),
            ..metrics_row(id, "typed")
        })
        .collect();
    store.put_metrics(rows.clone()).expect("put");
    drop(store);

    let df = hrdrift_store::tables::read_parquet(&p.join("metrics.parquet")).expect("read");
    let dtype = |c: &str| df.column(c).expect(c).dtype().clone();
    assert_eq!(dtype("decoupling_pct"), DataType::Float64);
    assert_eq!(dtype("fast_reps"), DataType::Int64);
    assert_eq!(
        dtype("zones_s"),
        DataType::List(Box::new(DataType::Float64))
    );
    assert!(matches!(dtype("window"), DataType::Struct(_)));
    assert!(matches!(dtype("hr_pool"), DataType::Struct(_)));
    assert!(df.column("metrics_json").is_err());

    let store = Store::open_read(p).expect("read");
    assert_eq!(store.metrics_problem(), None);
    let json = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
    for (got, want) in store.metrics().iter().zip(&rows) {
        assert_eq!(got.id, want.id);
        assert_eq!(json(&got.pool), json(&want.pool));
        // Null fields are left out, at every depth.
        let want_metrics = json(&want.metrics_json).map(|_| {
            serde_json::json!({"decoupling_pct": 4.25, "fast_reps": 2, "flags": [],
                "window": {"hr_bpm": 141.5}, "zones_s": [1.5, 2.0]})
        });
        assert_eq!(
            json(&got.metrics_json),
            want_metrics,
            "{}",
            got.metrics_json
        );
    }
    drop(store);

    // A table of the version before (the metrics as one JSON text) is not read: it is rebuilt
    // as derived data, and the store says why.
    let path = p.join("metrics.parquet");
    let mut old = df
        .select(["activity_id", "pool_fingerprint", "fingerprint"])
        .expect("select");
    old.with_column(polars_core::prelude::Column::new(
        "metrics_json".into(),
        vec!["{}"; old.height()],
    ))
    .expect("column");
    hrdrift_store::tables::write_parquet(&mut old, &path).expect("write");
    let store = Store::open_read(p).expect("read");
    assert!(store.metrics().is_empty());
    let problem = store.metrics_problem().expect("a problem");
    assert!(
        problem.contains("metrics.parquet") && problem.contains("JSON text"),
        "{problem}"
    );
}

/// An activity of two samples starting at `start_ms`, with one lap, as the store's rows need it.
fn tiny(n: u64, start_ms: i64) -> hrdrift_store::Pending {
    use hrdrift_ingest::{Activity, Device, Format, Lap, Samples};
    let id = format!("{n:064x}");
    let samples = Samples {
        timestamp_ms: vec![start_ms, start_ms + 1000],
        heart_rate_bpm: Some(vec![Some(120.0), Some(121.0)]),
        ..Samples::default()
    };
    let lap = Lap {
        start_ms,
        elapsed_s: Some(1.0),
        timer_s: Some(1.0),
        distance_m: None,
        avg_hr_bpm: Some(120.5),
        max_hr_bpm: Some(121.0),
    };
    hrdrift_store::Pending {
        activity: Activity {
            id: id.clone(),
            source: format!("generated/{n}.fit"),
            format: Format::Fit,
            sport: Some("running".to_owned()),
            sub_sport: None,
            device: Device::default(),
            start_ms,
            utc_offset_s: None,
            laps: vec![lap],
            pauses: Vec::new(),
            samples,
            rr_ms: Vec::new(),
            rr_anchor_ms: Vec::new(),
            profile_hr_rest: None,
            profile_hr_max: None,
            workout_feel: None,
            workout_rpe: None,
            name: None,
            sport_source: None,
        },
        source_hash: id,
        warnings: Vec::new(),
        metrics: None,
    }
}

fn source(n: u64) -> hrdrift_store::SourceRow {
    hrdrift_store::SourceRow {
        hash: format!("{n:064x}"),
        name: format!("generated/{n}.fit"),
        outcome: "imported".to_owned(),
        detail: String::new(),
    }
}

fn table_on_disk(p: &std::path::Path) -> Vec<hrdrift_store::ActivityRow> {
    let df = hrdrift_store::tables::read_parquet(&p.join("activities.parquet")).expect("table");
    hrdrift_store::tables::activities_from_frame(&df).expect("rows")
}

#[test]
fn tables_are_rewritten_from_their_files_in_start_order_while_the_rows_are_released() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    const MINUTE: i64 = 60_000;
    // More rows than one row group (4,096), so the new rows are merged into several groups.
    let first: Vec<u64> = (0..5000).collect();
    let mut store = Store::open_write(p, LockMode::Fail).expect("open");
    store.release_rows();
    assert!(store.rows_released());
    let staged = store
        .stage(
            first
                .iter()
                .map(|&n| tiny(n, n as i64 * 10 * MINUTE))
                .collect(),
        )
        .expect("stage");
    store
        .publish(
            vec![staged],
            first.iter().map(|&n| source(n)).collect(),
            &[],
        )
        .expect("publish");
    assert_eq!(store.activity_count(), 5000);
    assert!(store.activities().is_empty() && store.sources().is_empty());

    // Rows that start between the stored ones, in two batches; every seventh stored one is
    // replaced, and one of the new ones too.
    let second: Vec<u64> = (5000..8000).collect();
    let start_of = |n: u64| (n - 5000) as i64 * 10 * MINUTE + 5 * MINUTE;
    let a = store
        .stage(
            second[..1500]
                .iter()
                .map(|&n| tiny(n, start_of(n)))
                .collect(),
        )
        .expect("stage a");
    let b = store
        .stage(
            second[1500..]
                .iter()
                .map(|&n| tiny(n, start_of(n)))
                .collect(),
        )
        .expect("stage b");
    let mut replaced: Vec<String> = first
        .iter()
        .filter(|n| *n % 7 == 0)
        .map(|n| format!("{n:064x}"))
        .collect();
    replaced.push(format!("{:064x}", 7777));
    store
        .publish(
            vec![b, a],
            second.iter().map(|&n| source(n)).collect(),
            &replaced,
        )
        .expect("publish");
    let expected = 5000 - 715 + 3000 - 1;
    assert_eq!(store.activity_count(), expected);

    let on_disk = table_on_disk(p);
    assert_eq!(on_disk.len(), expected);
    assert!(
        on_disk
            .windows(2)
            .all(|w| (w[0].start_ms, &w[0].id) < (w[1].start_ms, &w[1].id)),
        "the table is in start order"
    );
    let ids: std::collections::HashSet<&str> = on_disk.iter().map(|r| r.id.as_str()).collect();
    assert!(!replaced.iter().any(|r| ids.contains(r.as_str())));
    assert!(ids.contains(format!("{:064x}", 7776).as_str()));

    store.reload().expect("reload");
    assert!(!store.rows_released());
    assert_eq!(store.activities(), on_disk.as_slice());
    let hashes: Vec<String> = store.sources().iter().map(|s| s.hash.clone()).collect();
    let all: Vec<String> = (0..8000).map(|n| format!("{n:064x}")).collect();
    assert_eq!(hashes, all, "the sources, in the order they were seen");

    // A store that keeps its rows writes the same table as it holds, and as a reader reads.
    let late = store
        .stage(vec![tiny(9000, 3 * MINUTE), tiny(9001, 100_000 * MINUTE)])
        .expect("stage");
    store
        .publish(vec![late], Vec::new(), &[format!("{:064x}", 1)])
        .expect("publish");
    let on_disk = table_on_disk(p);
    assert_eq!(on_disk.len(), expected + 1);
    assert_eq!(store.activities(), on_disk.as_slice());
    assert_eq!(store.activity_count(), expected + 1);
    drop(store);
    assert_eq!(
        Store::open_read(p).expect("read").activities(),
        on_disk.as_slice()
    );
}

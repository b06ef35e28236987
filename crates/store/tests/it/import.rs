//! Importing folders: counts, idempotence, duplicates across formats, failures.

use hrdrift_store::import::{Event, ImportOptions, Outcome, import};
use hrdrift_store::{LockMode, Store};

use crate::{fixtures_dir, folder_of};

fn run(
    store: &mut Store,
    paths: &[std::path::PathBuf],
) -> (hrdrift_store::import::Summary, Vec<Event>) {
    let mut events = Vec::new();
    let s = import(store, paths, &ImportOptions::default(), &mut |e| {
        events.push(e.clone())
    })
    .expect("import");
    (s, events)
}

/// Activities replaced by a richer twin, as the events report them.
fn replacements(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Item {
                    outcome: Outcome::Duplicate { replaced: true, .. },
                    ..
                }
            )
        })
        .count()
}

#[test]
fn all_fixtures_import_and_a_second_run_skips_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_write(dir.path(), LockMode::Fail).expect("open");
    let (s, events) = run(&mut store, &[fixtures_dir()]);
    let failed: Vec<String> = s.failed.iter().map(ToString::to_string).collect();
    // Every failure names its file and says why.
    for f in &failed {
        assert!(f.contains("fixtures/") && f.contains(": "), "{f}");
    }
    // The only fixtures that cannot give an activity are the malformed ones.
    assert!(failed.len() <= 3, "{failed:#?}");
    assert!(s.activities >= 130, "{s:?}");
    assert!(s.not_activity >= 8, "settings, workouts, routes: {s:?}");
    assert!(
        s.duplicates >= 3,
        "runpandas ships the same runs as GPX and TCX: {s:?}"
    );
    let files_done = events
        .iter()
        .filter(|e| matches!(e, Event::FileDone))
        .count();
    assert_eq!(files_done, s.files);
    // Activities replaced by richer twins within the import are not counted as imported. The
    // rows the import released are read back, as a new reader reads them.
    let stored = store.activities().len();
    assert_eq!(stored, s.activities, "{s:?}");
    assert!(!store.rows_released());
    assert_eq!(store.activity_count(), stored);
    assert_eq!(
        store.activities(),
        Store::open_read(dir.path()).expect("read").activities()
    );
    assert!(replacements(&events) > 0, "the fixtures hold richer twins");
    drop(store);

    let mut store = Store::open_write(dir.path(), LockMode::Fail).expect("reopen");
    assert_eq!(store.activities().len(), stored);
    let (again, _) = run(&mut store, &[fixtures_dir()]);
    assert_eq!(again.activities, 0, "{again:?}");
    assert_eq!(
        again.known + again.failed.len() + again.ignored,
        s.files,
        "{again:?}"
    );
    assert_eq!(store.activities().len(), stored);
}

#[test]
fn the_same_run_as_gpx_and_tcx_keeps_the_richer_tcx() {
    // The December 2020 TCX files hold the same sessions as series GPX files, with more points.
    let series = fixtures_dir().join("series/runpandas-2020-2021");
    let tcx = folder_of(&[
        "tcx/runpandas/2020-12-02T06_08_29-300_Running.tcx",
        "tcx/runpandas/2020-12-06T06_36_21-300_Running.tcx",
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_write(dir.path(), LockMode::Fail).expect("open");
    let (first, _) = run(&mut store, &[series]);
    let before = store.activities().len();
    assert_eq!(first.activities, before);
    let (second, events) = run(&mut store, &[tcx.path().to_owned()]);
    assert_eq!(second.activities, 2);
    assert_eq!(
        replacements(&events),
        2,
        "both TCX files replace their GPX twins"
    );
    assert_eq!(store.activities().len(), before);
    assert_eq!(
        store
            .activities()
            .iter()
            .filter(|a| a.format == "tcx")
            .count(),
        2
    );
    // Importing the GPX folder again neither re-adds the replaced GPX nor fails.
    let (third, _) = run(
        &mut store,
        &[fixtures_dir().join("series/runpandas-2020-2021")],
    );
    assert_eq!(third.activities, 0);
    assert_eq!(store.activities().len(), before);
}

#[test]
fn one_bad_file_does_not_stop_the_batch() {
    let dir = folder_of(&[
        "fit/runpandas/run.fit",
        "tcx/runpandas/run.tcx",
        "gpx/runpandas/run.gpx",
    ]);
    std::fs::write(dir.path().join("zero.fit"), b"").expect("write");
    std::fs::write(dir.path().join("random.fit"), [7u8; 300]).expect("write");
    std::fs::write(dir.path().join("broken.gpx.gz"), [0x1f, 0x8b, 8, 0, 0, 0]).expect("write");
    std::fs::write(dir.path().join("notes.txt"), b"not an activity").expect("write");
    let store_dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_write(store_dir.path(), LockMode::Fail).expect("open");
    let (s, _) = run(&mut store, &[dir.path().to_owned()]);
    let failed: Vec<String> = s.failed.iter().map(ToString::to_string).collect();
    assert_eq!(failed.len(), 3, "{failed:#?}");
    assert!(
        failed
            .iter()
            .any(|f| f.contains("zero.fit") && f.contains("empty")),
        "{failed:#?}"
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains("random.fit") && f.contains("no FIT header")),
        "{failed:#?}"
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains("broken.gpx.gz") && f.contains("gzip")),
        "{failed:#?}"
    );
    assert_eq!(s.ignored, 1);
    // run.gpx and run.tcx are the same run: one is kept.
    assert_eq!(
        store.activities().len(),
        2,
        "{:?}",
        store
            .activities()
            .iter()
            .map(|a| &a.source)
            .collect::<Vec<_>>()
    );
}

#[test]
fn samples_read_back_equal_what_was_decoded() {
    let dir = folder_of(&["fit/python-fitparse/activity-small-fenix2-run.fit"]);
    let store_dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_write(store_dir.path(), LockMode::Fail).expect("open");
    run(&mut store, &[dir.path().to_owned()]);
    let bytes = std::fs::read(dir.path().join("activity-small-fenix2-run.fit")).expect("read");
    let decoded = hrdrift_ingest::decode_bytes(&bytes, "x")
        .expect("decodes")
        .value
        .remove(0);
    let id = &store.activities()[0].id;
    assert_eq!(id, &decoded.id);
    let df = Store::open_read(store_dir.path())
        .expect("read")
        .samples(id)
        .expect("samples");
    assert_eq!(df.height(), decoded.samples.len());
    let hr: Vec<Option<f64>> = df
        .column("heart_rate_bpm")
        .expect("hr")
        .f64()
        .expect("f64")
        .iter()
        .collect();
    assert_eq!(&hr, decoded.samples.heart_rate_bpm.as_ref().expect("hr"));
    let lat: Vec<Option<f64>> = df
        .column("lat")
        .expect("lat")
        .f64()
        .expect("f64")
        .iter()
        .collect();
    assert_eq!(&lat, decoded.samples.lat.as_ref().expect("lat"));
}

#[test]
fn a_symlink_loop_is_reported_and_the_rest_imported() {
    let dir = folder_of(&["fit/runpandas/run.fit"]);
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/back-to-top")).expect("symlink");
    let store_dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_write(store_dir.path(), LockMode::Fail).expect("open");
    let (s, _) = run(&mut store, &[dir.path().to_owned()]);
    assert_eq!(store.activities().len(), 1);
    assert_eq!(s.failed.len(), 1, "{:?}", s.failed);
    let msg = s.failed[0].to_string();
    assert!(
        msg.contains("back-to-top") && msg.contains("loops back"),
        "{msg}"
    );
}

/// Every activity the fixtures give, decoded straight from the files, by id.
fn decoded_fixtures() -> std::collections::HashMap<String, hrdrift_ingest::Activity> {
    use hrdrift_ingest::source::{self, Found, Limits};
    let (files, _) = source::list_files(&[fixtures_dir()]);
    let found = std::sync::Mutex::new(std::collections::HashMap::new());
    for f in files {
        source::expand_file(&f, &Limits::default(), &|x| {
            if let Found::Input(input) = x {
                let hash = hrdrift_ingest::content_id(&input.bytes);
                if let Ok(d) = hrdrift_ingest::decode_with_id(&input.bytes, &input.name, &hash) {
                    let mut m = found.lock().expect("lock");
                    for a in d.value {
                        m.insert(a.id.clone(), a);
                    }
                }
            }
        });
    }
    found.into_inner().expect("lock")
}

#[test]
fn every_channel_of_every_activity_reads_back_as_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_write(dir.path(), LockMode::Fail).expect("open");
    // Small commits, so that activities share parts and parts are many.
    let opts = ImportOptions {
        commit_activities: 7,
        commit_samples: 20_000,
        ..ImportOptions::default()
    };
    import(&mut store, &[fixtures_dir()], &opts, &mut |_| {}).expect("import");
    drop(store);
    let store = Store::open_read(dir.path()).expect("read");
    let decoded = decoded_fixtures();
    let parts: std::collections::HashSet<&str> =
        store.activities().iter().map(|r| r.part.as_str()).collect();
    assert!(parts.len() > 5, "{} parts", parts.len());

    let want: std::collections::HashSet<&str> =
        store.activities().iter().map(|r| r.id.as_str()).collect();
    let compared = std::sync::atomic::AtomicUsize::new(0);
    let with_beats = std::sync::atomic::AtomicUsize::new(0);
    let errors = store.for_each_activity(&want, |back| {
        let orig = &decoded[&back.id];
        assert_eq!(
            back.samples.timestamp_ms, orig.samples.timestamp_ms,
            "{}",
            back.id
        );
        for ((name, b), (_, o)) in back.samples.channels().iter().zip(orig.samples.channels()) {
            assert_eq!(*b, o, "{} {name}", back.id);
        }
        // The beats and their anchors on the record clock, as decoded.
        assert_eq!(back.rr_ms, orig.rr_ms, "{}", back.id);
        assert_eq!(back.rr_anchor_ms, orig.rr_anchor_ms, "{}", back.id);
        if !orig.rr_ms.is_empty() {
            with_beats.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        compared.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(
        with_beats.into_inner() >= 4,
        "activities with beats read back"
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(compared.into_inner(), store.activities().len());

    // RR intervals and developer fields in the parts themselves (developer fields are not read
    // by `for_each_activity`): every value, by activity, from all the parts.
    let mut rr: std::collections::HashMap<String, Vec<f64>> = std::collections::HashMap::new();
    let mut dev: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for part in &store.manifest().parts {
        let df = hrdrift_store::tables::read_parquet(&dir.path().join(part)).expect("part");
        let ids: Vec<String> = df
            .column("activity_id")
            .expect("ids")
            .str()
            .expect("str")
            .iter()
            .map(|s| s.unwrap_or_default().to_owned())
            .collect();
        if part.starts_with("rr/") {
            let ms = df.column("rr_ms").expect("rr").f64().expect("f64").clone();
            for (id, v) in ids.into_iter().zip(ms.iter()) {
                rr.entry(id).or_default().push(v.expect("rr value"));
            }
        } else if part.starts_with("developer/") {
            for id in ids {
                *dev.entry(id).or_default() += 1;
            }
        }
    }
    let mut with_rr = 0;
    let mut with_dev = 0;
    for r in store.activities() {
        let orig = &decoded[&r.id];
        assert_eq!(rr.remove(&r.id).unwrap_or_default(), orig.rr_ms, "{}", r.id);
        let values: usize = orig
            .samples
            .developer
            .iter()
            .map(|d| d.values.iter().flatten().count())
            .sum();
        assert_eq!(dev.remove(&r.id).unwrap_or_default(), values, "{}", r.id);
        with_rr += usize::from(!orig.rr_ms.is_empty());
        with_dev += usize::from(values > 0);
    }
    assert!(
        with_rr > 0 && with_dev > 0,
        "rr {with_rr}, developer {with_dev}"
    );
}

/// An RR part written before the anchors were kept reads its intervals without anchors, and one
/// that cannot be read costs the activities their beats, never their samples, and names itself.
#[test]
fn an_old_or_damaged_rr_part_costs_only_the_beats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_write(dir.path(), LockMode::Fail).expect("open");
    let file = fixtures_dir().join("fit/tormoder-fit/bpg--garmin.fit");
    import(&mut store, &[file], &ImportOptions::default(), &mut |_| {}).expect("import");
    drop(store);
    let rr_part = |store: &Store| {
        let rel = store.manifest().parts.iter().find(|p| p.starts_with("rr/"));
        dir.path().join(rel.expect("an rr part"))
    };
    let read = |store: &Store| {
        let want = store.activities().iter().map(|r| r.id.as_str()).collect();
        let got = std::sync::Mutex::new(Vec::new());
        let errors = store.for_each_activity(&want, |a| got.lock().expect("lock").push(a));
        (got.into_inner().expect("lock"), errors)
    };
    let store = Store::open_read(dir.path()).expect("read");
    let (before, errors) = read(&store);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(before[0].rr_ms.len(), 22_048);
    assert_eq!(before[0].rr_anchor_ms.len(), 22_048);

    let path = rr_part(&store);
    let df = hrdrift_store::tables::read_parquet(&path).expect("rr part");
    let mut old = df.drop("timestamp").expect("timestamp column");
    hrdrift_store::tables::write_parquet(&mut old, &path).expect("write");
    let (back, errors) = read(&store);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(back[0].rr_ms, before[0].rr_ms);
    assert!(back[0].rr_anchor_ms.is_empty());

    std::fs::write(&path, b"not parquet").expect("write");
    let (back, errors) = read(&store);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].samples.len(), before[0].samples.len());
    assert!(back[0].rr_ms.is_empty());
    let names: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        names.len() == 1 && names[0].contains(&path.display().to_string()),
        "{names:?}"
    );
}

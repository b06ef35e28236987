//! Daily readings (issue 19): imported beside activities into `wellness.parquet`, one row per
//! day and source, replaced by a later import, kept through bad lines and bad files.

use hrdrift_store::import::{Event, ImportOptions, Outcome, import};
use hrdrift_store::{LockMode, Store};

use crate::fixtures_dir;

fn run(
    store: &mut Store,
    paths: &[std::path::PathBuf],
) -> (hrdrift_store::import::Summary, Vec<Event>) {
    let mut events = Vec::new();
    let s = import(store, paths, &ImportOptions::default(), &mut |e| {
        events.push(e.clone());
    })
    .expect("import");
    (s, events)
}

fn csv(lines: &[&str]) -> String {
    let mut s = "date,resting_hr_bpm,rmssd_ms,sleep_score\n".to_owned();
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s
}

#[test]
fn readings_round_trip_beside_activities_and_a_later_import_replaces_a_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        input.path().join("mornings.csv"),
        csv(&[
            "2026-03-01,48,61.5,82",
            "2026-03-02,49,,80",
            "2026-03-03,,55.25,",
        ]),
    )
    .expect("write");
    // An activity and a file that is neither, in the same import.
    let fit = fixtures_dir().join("fit/python-fitparse/Activity.fit");
    std::fs::copy(&fit, input.path().join("Activity.fit")).expect("copy");
    std::fs::write(input.path().join("broken.fit"), b"\x0e\x10junk").expect("write");
    let mut store = Store::open_write(dir.path(), LockMode::Fail).expect("open");
    let (s, events) = run(&mut store, &[input.path().to_owned()]);
    assert_eq!(s.reading_files, 1, "{s:?}");
    assert_eq!(s.reading_days, 3);
    assert_eq!(s.readings_replaced, 0);
    assert_eq!(s.activities, 1, "{s:?}");
    assert_eq!(s.failed.len(), 1, "{s:?}");
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Item {
            outcome: Outcome::Readings {
                days: 3,
                replaced: 0
            },
            ..
        }
    )));
    drop(store);

    // Read back by a new reader, as written.
    let r = Store::open_read(dir.path()).expect("read");
    let rows = r.readings();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].date, "2026-03-01");
    assert_eq!(rows[0].source, "csv");
    assert_eq!(rows[0].resting_hr_bpm, Some(48.0));
    assert_eq!(rows[0].rmssd_ms, Some(61.5));
    assert_eq!(rows[0].sleep_score, Some(82.0));
    assert_eq!(rows[1].rmssd_ms, None);
    assert_eq!(rows[2].resting_hr_bpm, None);
    assert_eq!(rows[2].rmssd_ms, Some(55.25));
    assert!(rows[0].file.ends_with("mornings.csv"));
    assert_eq!(r.activities().len(), 1);
    drop(r);

    // The same file again: known, nothing changes.
    let mut store = Store::open_write(dir.path(), LockMode::Fail).expect("open");
    let (s, _) = run(&mut store, &[input.path().to_owned()]);
    assert_eq!((s.reading_files, s.known), (0, 2), "{s:?}");
    assert_eq!(store.readings().len(), 3);

    // A later export of one day replaces it; a new day is added; the others stay.
    let later = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        later.path().join("later.csv"),
        csv(&["2026-03-02,52,58,77", "2026-03-04,47,63,85"]),
    )
    .expect("write");
    let (s, _) = run(&mut store, &[later.path().to_owned()]);
    assert_eq!((s.reading_days, s.readings_replaced), (2, 1), "{s:?}");
    drop(store);
    let r = Store::open_read(dir.path()).expect("read");
    let rows = r.readings();
    assert_eq!(rows.len(), 4);
    let day2 = rows.iter().find(|x| x.date == "2026-03-02").expect("day 2");
    assert_eq!(day2.resting_hr_bpm, Some(52.0));
    assert!(day2.file.ends_with("later.csv"));
    assert!(day2.import_seq > rows[0].import_seq);
    assert_eq!(r.activities().len(), 1, "the activity is kept");
}

#[test]
fn the_wellness_table_reads_as_plain_parquet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = tempfile::tempdir().expect("tempdir");
    std::fs::write(input.path().join("r.csv"), csv(&["2026-01-05,50,70,90"])).expect("write");
    let mut store = Store::open_write(dir.path(), LockMode::Fail).expect("open");
    run(&mut store, &[input.path().to_owned()]);
    let df =
        hrdrift_store::tables::read_parquet(&dir.path().join("wellness.parquet")).expect("parquet");
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(ToString::to_string)
        .collect();
    for c in [
        "date",
        "source",
        "resting_hr_bpm",
        "rmssd_ms",
        "sleep_score",
        "feel",
    ] {
        assert!(names.iter().any(|n| n == c), "{names:?}");
    }
    assert_eq!(df.height(), 1);
}

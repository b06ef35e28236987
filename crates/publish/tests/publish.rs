//! The report and summary.json of a temporary store holding a synthetic athlete: what falls in
//! the period, what is written, and a failure that names the folder.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use hrdrift_analytics::history::words::WARNING_CODES;
use hrdrift_publish::{Period, SCHEMA_VERSION, publish};
use hrdrift_store::import::{ImportOptions, import};
use hrdrift_store::{LockMode, Store};
use hrdrift_synth::{AthleteConfig, generate};

const DAY_MS: i64 = 86_400_000;

/// Eight weeks of a synthetic athlete, imported and brought up to date as `hrdrift import` does.
fn athlete_store(dir: &Path) -> (Store, hrdrift_cache::Derived) {
    let files = dir.join("files");
    generate(&AthleteConfig {
        seed: 11,
        weeks: 8,
        ..AthleteConfig::default()
    })
    .write_to_dir(&files)
    .unwrap();
    std::fs::remove_file(files.join("truth.json")).unwrap();
    let mut store = Store::open_write(&dir.join("store"), LockMode::Fail).unwrap();
    import(&mut store, &[files], &ImportOptions::default(), &mut |_| {}).unwrap();
    let d = hrdrift_cache::update(&mut store).unwrap();
    (store, d)
}

fn ms(v: &serde_json::Value) -> i64 {
    hrdrift_analytics::time::ms_of(v.as_str().unwrap())
}

#[test]
fn the_report_and_summary_cover_the_period_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (store, d) = athlete_store(dir.path());
    let last = d.metrics.iter().map(|m| m.start_ms).max().unwrap();
    // As of the day after the last run, over the last four weeks: about half the history.
    let p = Period {
        since_ms: last - 28 * DAY_MS,
        now_ms: last + DAY_MS,
    };
    let out = dir.path().join("report");
    let done = publish(&store, &d, &out, p).unwrap();

    assert!(done.files.index_html.is_file());
    assert!(done.files.summary_md.is_file());
    assert!(!done.files.charts.is_empty());
    for (_, png) in &done.files.charts {
        assert!(
            std::fs::read(png).unwrap().starts_with(b"\x89PNG"),
            "{png:?}"
        );
    }
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&done.summary_json).unwrap()).unwrap();
    assert_eq!(json["schema_version"], SCHEMA_VERSION);
    let acts = json["activities"].as_array().unwrap();
    let expected = d
        .metrics
        .iter()
        .filter(|m| m.start_ms >= p.since_ms && m.start_ms <= p.now_ms)
        .count();
    assert!(expected > 5 && expected < d.metrics.len(), "{expected}");
    assert_eq!(acts.len(), expected);
    for r in json["easy_runs"].as_array().unwrap() {
        assert!((p.since_ms..=p.now_ms).contains(&ms(&r["start"])), "{r}");
    }
    for r in json["hard_sessions"].as_array().unwrap() {
        assert!((p.since_ms..=p.now_ms).contains(&ms(&r["start"])), "{r}");
    }
    // Weeks that reach into the period, so the first may start up to six days before it.
    let weeks = json["weeks"].as_array().unwrap();
    assert!((4..=6).contains(&weeks.len()), "{}", weeks.len());
    for w in weeks {
        let monday = hrdrift_analytics::time::day_ms(w["monday"].as_str().unwrap());
        assert!(
            monday + 7 * DAY_MS > p.since_ms && monday <= p.now_ms,
            "{w}"
        );
    }
    // The warnings printed, those in the JSON and those `--fail-on` can choose agree.
    let codes: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        done.warnings
            .iter()
            .map(|w| w.code.as_str())
            .collect::<Vec<_>>()
    );
    assert!(codes.iter().all(|c| WARNING_CODES.contains(c)), "{codes:?}");
    assert_eq!(
        json["readiness"]["verdict"],
        serde_json::to_value(done.history.readiness.verdict).unwrap()
    );
}

#[test]
fn a_folder_that_cannot_be_written_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (store, d) = athlete_store(dir.path());
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "a file where the report should go").unwrap();
    let p = Period {
        since_ms: i64::MIN,
        now_ms: i64::MAX,
    };
    let Err(err) = publish(&store, &d, &blocker, p) else {
        panic!("a report written into a file");
    };
    assert!(format!("{err:#}").contains("not-a-folder"), "{err:#}");
}

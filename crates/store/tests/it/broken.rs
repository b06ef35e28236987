//! The broken-input corpus (`tests/broken/`, made by `make_corpus.py` from the real fixtures)
//! imported in one batch: no panic, every failure named with its cause, every good file in, and
//! the data before the damage kept.

use std::collections::BTreeMap;
use std::path::PathBuf;

use hrdrift_store::import::{Event, ImportOptions, Outcome, import};
use hrdrift_store::{LockMode, Store};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/broken")
}

#[test]
fn the_whole_broken_corpus_in_one_batch() {
    let manifest: BTreeMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("MANIFEST.json")).expect("manifest"),
    )
    .expect("JSON");
    let store_dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_write(store_dir.path(), LockMode::Fail).expect("open");
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let summary = import(
        &mut store,
        &[corpus().join("corpus")],
        &ImportOptions::default(),
        &mut |e| {
            if let Event::Item { name, outcome, .. } = e {
                let file = name.rsplit('/').next().unwrap_or(name).to_owned();
                outcomes.entry(file).or_insert_with(|| outcome.clone());
            }
        },
    )
    .expect("import runs to the end");
    assert_eq!(summary.files, manifest.len());
    for (file, expect) in &manifest {
        // A .gz member is reported under its inner name.
        let outcome = outcomes
            .get(file)
            .or_else(|| outcomes.get(file.strip_suffix(".gz")?))
            .unwrap_or_else(|| panic!("{file}: no outcome"));
        let ok = matches!(
            outcome,
            Outcome::Imported { .. } | Outcome::Duplicate { .. } | Outcome::Known
        );
        match expect.as_str() {
            "import" | "keep" => assert!(ok, "{file} ({expect}): {outcome:?}"),
            "fail" => assert!(matches!(outcome, Outcome::Failed(_)), "{file}: {outcome:?}"),
            _ => {}
        }
        if expect == "keep" {
            let bytes = std::fs::read(corpus().join("corpus").join(file)).expect("read");
            let d = hrdrift_ingest::decode_bytes(&bytes, file).expect("kept");
            assert!(
                d.value.iter().map(|a| a.samples.len()).sum::<usize>() > 0,
                "{file}"
            );
            assert!(!d.warnings.is_empty(), "{file}: the damage is reported");
        }
    }
    for f in &summary.failed {
        let text = f.to_string();
        assert!(
            text.contains("tests/broken/corpus/"),
            "names the file: {text}"
        );
        let cause = text.rsplit_once(": ").map_or("", |(_, c)| c);
        assert!(cause.len() > 5, "says why: {text}");
    }
    // Every activity stored is readable and whole.
    for a in store.activities() {
        assert_eq!(
            store.samples(&a.id).expect("samples").height() as u64,
            a.samples
        );
    }
}

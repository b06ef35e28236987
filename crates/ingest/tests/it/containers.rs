//! gzip and zip containers, including hostile ones.

use std::io::Write;
use std::sync::Mutex;

use hrdrift_ingest::export_index::ExportIndex;
use hrdrift_ingest::source::{Found, Limits, expand_bytes};
use hrdrift_ingest::{DecodeError, decode_bytes};

use crate::fixture;

fn expand(name: &str, bytes: Vec<u8>, limits: &Limits) -> Vec<Found> {
    let out = Mutex::new(Vec::new());
    expand_bytes(name.to_owned(), bytes, 1, limits, &|f| {
        out.lock().expect("lock").push(f)
    });
    let mut v = out.into_inner().expect("lock");
    v.sort_by_key(|f| match f {
        Found::Input(i) => i.name.clone(),
        Found::Failed(e) => e.source_name.clone(),
        Found::Ignored(n) => n.clone(),
    });
    v
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("write");
    e.finish().expect("finish")
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).expect("start");
        w.write_all(bytes).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

#[test]
fn strava_style_gz_files_decode_like_the_plain_ones() {
    for rel in [
        "fit/python-fitparse/garmin-fenix-5-run.fit",
        "gpx/runpandas/run.gpx",
        "tcx/runpandas/run.tcx",
    ] {
        let plain = fixture(rel);
        let found = expand("activities/x.gz", gz(&plain), &Limits::default());
        let [Found::Input(i)] = found.as_slice() else {
            panic!("{rel}: {found:?}")
        };
        assert_eq!(i.bytes, plain);
        assert_eq!(
            decode_bytes(&i.bytes, &i.name).expect("decodes").value[0]
                .samples
                .len(),
            decode_bytes(&plain, rel).expect("decodes").value[0]
                .samples
                .len()
        );
    }
}

#[test]
fn garmin_style_nested_zips() {
    let inner = zip(&[
        (
            "a.fit",
            &fixture("fit/python-fitparse/garmin-fenix-5-run.fit"),
        ),
        ("b.gpx", &fixture("gpx/runpandas/run.gpx")),
    ]);
    let outer = zip(&[
        ("export/inner.zip", &inner),
        ("export/profile.json", b"{}"),
        ("export/c.tcx.gz", &gz(&fixture("tcx/runpandas/run.tcx"))),
    ]);
    let found = expand("garmin.zip", outer, &Limits::default());
    let names: Vec<String> = found
        .iter()
        .map(|f| match f {
            Found::Input(i) => format!("in {}", i.name),
            Found::Failed(e) => format!("failed {}", e.source_name),
            Found::Ignored(n) => format!("ignored {n}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "in garmin.zip!/export/c.tcx",
            "in garmin.zip!/export/inner.zip!/a.fit",
            "in garmin.zip!/export/inner.zip!/b.gpx",
            "ignored garmin.zip!/export/profile.json",
        ]
    );
}

#[test]
fn zip_bomb_is_refused_with_the_bound() {
    let zeros = vec![0u8; 8 << 20];
    let bomb = zip(&[("bomb.fit", &zeros)]);
    assert!(bomb.len() < 100_000);
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let found = expand("bomb.zip", bomb, &limits);
    let [Found::Failed(e)] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert!(matches!(e.error, DecodeError::TooLarge { .. }), "{e}");
    let gz_bomb = gz(&zeros);
    let found = expand("bomb.fit.gz", gz_bomb, &limits);
    let [Found::Failed(e)] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert!(matches!(e.error, DecodeError::TooLarge { .. }), "{e}");
}

#[test]
fn zip_with_parent_paths_is_refused() {
    let fit = fixture("fit/python-fitparse/garmin-fenix-5-run.fit");
    let z = zip(&[("../../etc/evil.fit", &fit), ("ok.fit", &fit)]);
    let found = expand("evil.zip", z, &Limits::default());
    assert!(
        found.iter().any(
            |f| matches!(f, Found::Failed(e) if matches!(e.error, DecodeError::UnsafePath(_)))
        )
    );
    assert!(
        found
            .iter()
            .any(|f| matches!(f, Found::Input(i) if i.name.ends_with("ok.fit")))
    );
}

#[test]
fn deeply_nested_zips_stop_at_the_depth_bound() {
    let mut z = zip(&[(
        "a.fit",
        &fixture("fit/python-fitparse/garmin-fenix-5-run.fit"),
    )]);
    for _ in 0..10 {
        z = zip(&[("n.zip", &z)]);
    }
    let found = expand("deep.zip", z, &Limits::default());
    let [Found::Failed(e)] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert!(matches!(e.error, DecodeError::TooDeep(_)), "{e}");
}

#[test]
fn broken_gzip_and_zip_name_the_cause() {
    let mut g = gz(&fixture("gpx/runpandas/run.gpx"));
    g.truncate(g.len() / 2);
    let found = expand("cut.gpx.gz", g, &Limits::default());
    let [Found::Failed(e)] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert!(matches!(e.error, DecodeError::Gzip(_)), "{e}");
    let mut z = zip(&[("a.gpx", &fixture("gpx/runpandas/run.gpx"))]);
    z.truncate(z.len() / 2);
    let found = expand("cut.zip", z, &Limits::default());
    assert!(
        found.iter().all(|f| matches!(f, Found::Failed(_))),
        "{found:?}"
    );
}

/// A Strava export zip's `activities.csv` is found wherever it sits in the zip, and names the
/// sport of its `activities/N.gpx.gz` members; a loose one is read too, and a plain CSV of
/// something else is no index.
#[test]
fn a_strava_zips_index_names_its_files_sports() {
    let csv = b"Activity ID,Activity Name,Activity Type,Filename\n\
                1,Lunch Ride,Ride,activities/1.gpx.gz\n\
                2,Run,Run,activities/2.fit.gz\n";
    let gpx = fixture("gpx/runpandas/run.gpx");
    let bytes = zip(&[
        ("export_123/activities/1.gpx.gz", &gz(&gpx)),
        ("export_123/activities.csv", csv),
    ]);
    let dir = std::env::temp_dir().join(format!("hrdrift-index-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let z = dir.join("export.zip");
    std::fs::write(&z, bytes).expect("write");
    let loose = dir.join("activities.csv");
    std::fs::write(&loose, csv).expect("write");
    let other = dir.join("other.csv");
    std::fs::write(&other, b"a,b\n1,2\n").expect("write");
    let limit = Limits::default().max_entry_bytes;
    let i = ExportIndex::from_files(std::slice::from_ref(&z), limit);
    assert_eq!(i.len(), 2);
    assert_eq!(
        i.sport_for(&format!("{}!/export_123/activities/1.gpx.gz", z.display())),
        Some("cycling")
    );
    assert_eq!(i.sport_for("2.fit"), Some("running"));
    let i = ExportIndex::from_files(&[loose, other], limit);
    assert_eq!(i.sport_for("1.gpx"), Some("cycling"));
    assert!(ExportIndex::from_files(&[dir.join("missing.zip")], limit).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

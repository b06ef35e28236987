//! Metrics in the store, the athlete's settings, and the cross-activity commands, end to end.

use std::path::{Path, PathBuf};

use crate::{assert_ok, demo_data, fixtures, hrdrift, hrdrift_env};
use serde_json::Value;

fn ok_json(store: &Path, args: &[&str]) -> Value {
    let out = hrdrift(store, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn by_id(v: &Value) -> std::collections::BTreeMap<String, Value> {
    v["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .map(|a| (a["id"].as_str().expect("id").to_owned(), a.clone()))
        .collect()
}

/// A demo athlete (`weeks` from 2025-03-03, `seed`) imported into a store, in a temporary folder:
/// (the folder, the athlete's files, the store).
fn demo_store(weeks: &str, seed: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("athlete");
    let store = dir.path().join("store");
    demo_data(&store, &data, weeks, seed);
    let out = hrdrift(&store, &["import", "--quiet", data.to_str().expect("utf8")]);
    assert_ok(&out);
    (dir, data, store)
}

fn import_tcx(store: &Path) {
    let src = fixtures().join("tcx/runpandas");
    let out = hrdrift(store, &["import", src.to_str().expect("utf8")]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("metrics: computed for"), "{text}");
}

#[test]
fn metrics_are_stored_and_follow_the_athlete_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path();
    import_tcx(store);
    assert!(store.join("metrics.parquet").is_file());

    // Fewer than 20 activities: HRmax and LTHR cannot be estimated, zones are absent with why.
    let v = ok_json(store, &["activities", "--json"]);
    assert_eq!(v["schema_version"], 7);
    let before = by_id(&v);
    assert!(before.len() >= 6, "{}", before.len());
    for a in before.values() {
        for key in [
            "class",
            "moving_s",
            "avg_hr",
            "ef",
            "decoupling_pct",
            "drift_bpm_per_h",
            "trimp",
            "hrtss",
            "zones_s",
            "flags",
            "absent",
        ] {
            assert!(a.get(key).is_some(), "{key} missing in {a}");
        }
        assert!(a["zones_s"].is_null());
        if a["hr_samples"].as_u64() > Some(0) {
            assert_eq!(a["absent"]["zones_s"], "no_hr_settings", "{a}");
        }
    }

    let out = hrdrift(
        store,
        &[
            "athlete",
            "set",
            "hr_max=190",
            "hr_rest=50",
            "lthr=170",
            "sex=male",
        ],
    );
    assert_ok(&out);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "recomputed the metrics of {} activities",
            before.len()
        )),
        "{said}"
    );
    let with_170 = by_id(&ok_json(store, &["activities", "--json"]));
    for a in with_170.values() {
        assert_eq!(a["settings_used"]["lthr"], 170.0);
        assert!(
            a["settings_used"]["estimated"]
                .as_array()
                .is_some_and(Vec::is_empty)
                || a["settings_used"]["estimated"] == serde_json::json!([]),
            "{a}"
        );
    }
    let zone5 = |m: &std::collections::BTreeMap<String, Value>| -> f64 {
        m.values().filter_map(|a| a["zones_s"][4].as_f64()).sum()
    };
    // A lower LTHR moves time up the zones.
    let out = hrdrift(store, &["athlete", "set", "lthr=160"]);
    assert!(out.status.success());
    let with_160 = by_id(&ok_json(store, &["activities", "--json"]));
    assert!(
        zone5(&with_160) > zone5(&with_170) + 60.0,
        "{} vs {}",
        zone5(&with_160),
        zone5(&with_170)
    );

    // A bad value is refused, names the setting, and changes nothing.
    let out = hrdrift(store, &["athlete", "set", "lthr=fast"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lthr"));
    assert_eq!(by_id(&ok_json(store, &["activities", "--json"])), with_160);

    // `show` of a file and of its id agree: the file uses the store's settings.
    let (id, a) = with_160.iter().next().expect("one");
    let by_id_json = ok_json(store, &["show", &id[..10], "--json"]);
    let file = fixtures().join("tcx/runpandas").join(
        Path::new(a["source"].as_str().expect("source"))
            .file_name()
            .expect("name"),
    );
    let by_file_json = ok_json(store, &["show", file.to_str().expect("utf8"), "--json"]);
    let pick = |v: &Value| v["activities"][0].clone();
    for key in [
        "ef",
        "decoupling_pct",
        "zones_s",
        "hrtss",
        "class",
        "moving_s",
    ] {
        assert_eq!(pick(&by_id_json)[key], pick(&by_file_json)[key], "{key}");
    }
    let out = hrdrift(store, &["show", &id[..10]]);
    let table = String::from_utf8_lossy(&out.stdout);
    for word in [
        "moving",
        "decoupling",
        "drift",
        "zones",
        "TRIMP",
        "LTHR 160",
    ] {
        assert!(table.contains(word), "{word} in {table}");
    }
}

#[test]
fn a_damaged_metrics_cache_is_rebuilt_from_the_samples() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path();
    import_tcx(store);
    let good = by_id(&ok_json(store, &["activities", "--json"]));
    std::fs::write(store.join("metrics.parquet"), b"not parquet").expect("write");
    let out = hrdrift(store, &["activities", "--json"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).is_empty() || out.stderr.len() < 2000);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(by_id(&v), good);
    // The rebuilt cache was written back: a valid Parquet file again.
    let bytes = std::fs::read(store.join("metrics.parquet")).expect("read");
    assert_eq!(&bytes[..4], b"PAR1");
}

#[test]
fn the_demo_athlete_gives_trends_weeks_and_readiness() {
    let (_dir, data, store) = demo_store("14", "7");
    let truth: Value =
        serde_json::from_slice(&std::fs::read(data.join("truth.json")).expect("truth"))
            .expect("JSON");
    let s = &truth["athlete"];
    let set = |k: &str| format!("{k}={}", s[k].as_f64().expect(k));
    let out = hrdrift(
        &store,
        &[
            "athlete",
            "set",
            &set("hr_max"),
            &set("hr_rest"),
            &set("lthr"),
        ],
    );
    assert_ok(&out);

    let as_of = ["--as-of", "2025-06-08"];
    let t = ok_json(&store, &["trends", "--json", as_of[0], as_of[1]]);
    assert_eq!(t["schema_version"], 4);
    let ids: std::collections::BTreeSet<String> =
        by_id(&ok_json(&store, &["activities", "--json"]))
            .into_keys()
            .collect();
    let easy = t["easy_runs"].as_array().expect("easy runs");
    assert!(easy.len() > 20, "{}", easy.len());
    for r in easy {
        assert!(ids.contains(r["id"].as_str().expect("id")));
        assert!(r["start"].as_str().is_some_and(|s| s.ends_with('Z')));
        for key in ["elevation_bpm", "elevation_z", "elevated"] {
            assert!(r.get(key).is_some(), "{key} in {r}");
        }
    }
    assert!(
        easy.iter().any(|r| r["elevated"] == true),
        "some easy run is elevated"
    );
    let hard = t["hard_sessions"].as_array().expect("hard");
    assert!(!hard.is_empty());
    assert!(hard.iter().all(|h| {
        ["absorbed", "lingering", "unknown"].contains(&h["verdict"].as_str().expect("verdict"))
    }));

    let w = ok_json(
        &store,
        &["weeks", "--json", "--since", "1y", as_of[0], as_of[1]],
    );
    let weeks = w["weeks"].as_array().expect("weeks");
    assert!(weeks.len() >= 13, "{}", weeks.len());
    assert!(
        weeks
            .iter()
            .all(|w| w["week"].as_str().is_some_and(|s| s.contains("-W")))
    );
    assert!(
        weeks
            .iter()
            .any(|w| !w["flags"].as_array().expect("flags").is_empty()),
        "the plan breaks some weeks"
    );
    assert!(w["days"].as_array().is_some_and(|d| {
        d.iter()
            .all(|d| d["ctl"].is_number() && d["tsb"].is_number())
    }));

    let r = ok_json(&store, &["readiness", "--json", as_of[0], as_of[1]]);
    assert!(
        ["push", "steady", "hold_back"]
            .contains(&r["readiness"]["verdict"].as_str().expect("verdict"))
    );
    assert!(
        r["readiness"]["reasons"]
            .as_array()
            .is_some_and(|v| !v.is_empty())
    );
    assert!(r["ctl"].is_number());

    for cmd in ["trends", "weeks", "readiness"] {
        let out = hrdrift(&store, &[cmd, as_of[0], as_of[1], "--since", "12w"]);
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty());
    }
}

/// N of the import's "metrics: computed for N activities while decoding".
fn computed_while_decoding(said: &str) -> usize {
    said.split("metrics: computed for ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("{said}"))
}

/// The metrics the import computes in its decode workers (from the activity as decoded, and
/// re-anchored from their summaries once the anchors are estimated) are the ones computed from
/// the activity read back from the store, value for value.
#[test]
fn metrics_computed_while_decoding_equal_those_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let workers = dir.path().join("workers");
    let after = dir.path().join("after");
    let import = |store: &Path, src: &str, in_workers: bool| -> String {
        let src = fixtures().join(src);
        let flag = if in_workers { "1" } else { "0" };
        let out = hrdrift_env(
            store,
            &["import", src.to_str().expect("utf8")],
            &[("HRDRIFT_IMPORT_METRICS", flag)],
        );
        assert_ok(&out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // An empty store with estimated anchors: the workers compute the metrics with nothing
    // configured, and once the anchors are estimated every activity is re-anchored from its
    // summary; none is read back.
    let said = import(&workers, "fit", true);
    let n = computed_while_decoding(&said);
    assert!(n >= 20, "{said}");
    assert!(said.contains("; 0 read back"), "{said}");
    assert!(said.contains(&format!("; {n} re-anchored")), "{said}");
    let said = import(&after, "fit", false);
    assert!(
        said.contains("computed for 0 activities while decoding")
            && !said.contains("; 0 read back"),
        "{said}"
    );
    let a = by_id(&ok_json(&workers, &["activities", "--json"]));
    assert!(a.len() >= 20, "{}", a.len());
    assert_eq!(a, by_id(&ok_json(&after, &["activities", "--json"])));

    // Configured anchors: the settings are known before the import, nothing is read back.
    for store in [&workers, &after] {
        let out = hrdrift(
            store,
            &["athlete", "set", "hr_max=192", "hr_rest=48", "lthr=171"],
        );
        assert_ok(&out);
    }
    for src in ["gpx", "tcx"] {
        let said = import(&workers, src, true);
        let n = computed_while_decoding(&said);
        assert!(n > 0, "{said}");
        assert!(said.contains("; 0 read back"), "{said}");
        let said = import(&after, src, false);
        assert!(
            said.contains("computed for 0 activities while decoding"),
            "{said}"
        );
    }
    let a = by_id(&ok_json(&workers, &["activities", "--json"]));
    let b = by_id(&ok_json(&after, &["activities", "--json"]));
    assert!(a.len() > 40, "{}", a.len());
    assert_eq!(a.len(), b.len());
    for (id, x) in &a {
        assert_eq!(Some(x), b.get(id), "{id}");
    }
}

/// A threshold pace set by the user types every run against it, recomputing nothing stored; a
/// pace that cannot be read is refused with the setting's name and the accepted forms. Without
/// it, the threshold is the critical speed of the runner's own efforts, and `curve` lists the
/// best efforts it came from.
#[test]
fn threshold_pace_and_the_pace_curve() {
    let (_dir, _, store) = demo_store("8", "11");

    let a = ok_json(&store, &["athlete", "show", "--json"]);
    assert_eq!(a["schema_version"], 4);
    // The demo athlete wears no chest strap: no threshold measured.
    assert!(a["aerobic_threshold"].is_null(), "{a}");
    assert_eq!(a["threshold_source"], "estimated", "{a}");
    let cs = a["critical_speed"]["cs_m_s"].as_f64().expect("a fit");
    assert!((2.5..5.5).contains(&cs), "{cs}");
    assert_eq!(a["critical_speed"]["accepted"], true);
    // The synthetic runner's tempo and interval sessions reach threshold pace for 20 min.
    assert_eq!(a["lthr_source"], "estimated", "{a}");

    let c = ok_json(&store, &["curve", "--json", "--as-of", "2025-04-27"]);
    assert_eq!(c["schema_version"], 1);
    let points = c["points"].as_array().expect("points");
    assert!(points.len() >= 6, "{c}");
    let speeds: Vec<f64> = points
        .iter()
        .map(|p| p["speed_m_s"].as_f64().expect("speed"))
        .collect();
    // A best mean over a longer span is never faster than over a shorter one.
    assert!(speeds.windows(2).all(|w| w[0] >= w[1]), "{speeds:?}");
    let ids: std::collections::BTreeSet<String> =
        by_id(&ok_json(&store, &["activities", "--json"]))
            .into_keys()
            .collect();
    assert!(
        points
            .iter()
            .all(|p| ids.contains(p["id"].as_str().expect("id")))
    );
    let text = hrdrift(&store, &["curve", "--as-of", "2025-04-27"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("20 min"));

    for bad in ["41:50/km", "4.15", "fast"] {
        let out = hrdrift(
            &store,
            &["athlete", "set", &format!("threshold_pace={bad}")],
        );
        assert!(!out.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("threshold_pace") && err.contains("4:15/km"),
            "{bad}: {err}"
        );
    }
    assert_eq!(
        ok_json(&store, &["athlete", "show", "--json"])["threshold_source"],
        "estimated"
    );

    let out = hrdrift(&store, &["athlete", "set", "threshold_pace=5:00/km"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no stored metrics depend on this"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let a = ok_json(&store, &["athlete", "show", "--json"]);
    assert_eq!(a["threshold_source"], "configured");
    assert!((a["threshold_speed_m_s"].as_f64().expect("speed") - 1000.0 / 300.0).abs() < 1e-9);
    let acts = ok_json(&store, &["activities", "--json"]);
    let typed: Vec<&Value> = acts["activities"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|a| a["class"].is_string())
        .collect();
    assert!(typed.len() > 40, "{}", typed.len());
    assert!(
        typed
            .iter()
            .all(|a| a["threshold_source"] == "configured" && a["class_basis"] == "pace")
    );
}

/// A runner who wears a chest strap on every run (issue 18): the beat-to-beat line of `show`,
/// the alpha1 series of a hard session read back from the store the same as decoded from its
/// file, and the measured aerobic threshold in `athlete show`, near the one the beats follow.
#[test]
fn beat_to_beat_from_the_store_and_from_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (data, store) = (dir.path().join("athlete"), dir.path().join("store"));
    let athlete = hrdrift_synth::generate(&hrdrift_synth::AthleteConfig {
        weeks: 4,
        hrv_fraction: 1.0,
        ..hrdrift_synth::AthleteConfig::default()
    });
    let aet = athlete.truth.physiology.aet_hr();
    athlete.write_to_dir(&data).expect("written");
    assert_ok(&hrdrift(
        &store,
        &["import", "--quiet", data.to_str().expect("utf8")],
    ));

    let list = ok_json(&store, &["activities", "--json"]);
    let rows = list["activities"].as_array().expect("activities");
    assert!(
        rows.iter().all(|a| a["rr_beats"].as_u64() > Some(1000)),
        "every run has beats"
    );
    let hard = rows
        .iter()
        .find(|a| a["class"] == "hard" && a["aet_hr_bpm"].is_number())
        .expect("a hard session whose alpha1 crossed 0.75");
    let id = hard["id"].as_str().expect("id");
    let one = hard["aet_hr_bpm"].as_f64().expect("aet");
    assert!((one - aet).abs() <= 4.0, "{one} vs {aet}");

    let text = String::from_utf8_lossy(&hrdrift(&store, &["show", id]).stdout).into_owned();
    assert!(
        text.contains("beat to beat") && text.contains("AeT"),
        "{text}"
    );

    let by_id = ok_json(&store, &["show", id, "--series", "alpha1", "--json"]);
    assert_eq!(by_id["series"], "alpha1");
    let windows = by_id["activities"][0]["windows"]
        .as_array()
        .expect("windows");
    assert!(windows.len() > 100, "{}", windows.len());
    let steps: Vec<f64> = windows
        .windows(2)
        .map(|w| {
            w[1]["elapsed_s"].as_f64().unwrap_or(0.0) - w[0]["elapsed_s"].as_f64().unwrap_or(0.0)
        })
        .collect();
    assert!(steps.iter().all(|s| (s - 20.0).abs() < 1e-6), "every 20 s");
    assert!(
        windows
            .iter()
            .any(|w| w["alpha1"].as_f64().is_some_and(|a| a > 0.75))
    );
    assert!(
        windows
            .iter()
            .any(|w| w["alpha1"].as_f64().is_some_and(|a| a < 0.75))
    );
    assert!(
        windows
            .iter()
            .all(|w| w["alpha1"].is_number() != w["absent"].is_string())
    );
    // The file itself gives the same windows: the beats and their anchors read back whole.
    let file = hard["source"].as_str().expect("source");
    let by_file = ok_json(&store, &["show", file, "--series", "alpha1", "--json"]);
    assert_eq!(
        by_file["activities"][0]["windows"],
        by_id["activities"][0]["windows"]
    );

    let a = ok_json(&store, &["athlete", "show", "--json"]);
    let measured = a["aerobic_threshold"]["hr_bpm"].as_f64().expect("measured");
    assert!(a["aerobic_threshold"]["runs"].as_u64() >= Some(3), "{a}");
    assert!((measured - aet).abs() <= 3.0, "{measured} vs {aet}");
}

/// `units = imperial` (METRICS.md 7): every text command and the report give miles, min/mi,
/// mph and /100 yd, and no km; JSON stays in SI units. A pace or distance printed in the other
/// system fails it.
#[test]
fn imperial_units_in_every_text_and_the_report() {
    let (dir, _, store) = demo_store("8", "11");
    for rel in [
        "fit/python-fitparse/Edge810-Vector-2013-08-16-15-35-10.fit",
        "fit/tormoder-fit/fitsdk--activity_poolswim_with_hr.fit",
    ] {
        let f = fixtures().join(rel);
        assert_ok(&hrdrift(
            &store,
            &["import", "--quiet", f.to_str().expect("utf8")],
        ));
    }
    let metric = ok_json(&store, &["activities", "--json"]);
    assert_ok(&hrdrift(&store, &["athlete", "set", "units=imperial"]));
    let v = ok_json(&store, &["activities", "--json"]);
    let acts = v["activities"].as_array().expect("list");
    // JSON is SI whatever the units: the same metres as before.
    assert_eq!(
        acts.iter()
            .map(|a| a["distance_m"].clone())
            .collect::<Vec<_>>(),
        metric["activities"]
            .as_array()
            .expect("list")
            .iter()
            .map(|a| a["distance_m"].clone())
            .collect::<Vec<_>>()
    );
    let id_of = |sport: &str| -> String {
        acts.iter()
            .find(|a| a["sport"] == sport)
            .and_then(|a| a["id"].as_str())
            .unwrap_or_else(|| panic!("a {sport}"))
            .to_owned()
    };
    let as_of = "2025-04-27";
    let report = dir.path().join("report");
    let mut texts = Vec::new();
    for args in [
        vec!["show".to_owned(), id_of("running")],
        vec!["show".to_owned(), id_of("cycling")],
        vec!["show".to_owned(), id_of("swimming")],
        vec!["activities".to_owned()],
        vec!["weeks".into(), "--as-of".into(), as_of.into()],
        vec!["trends".into(), "--as-of".into(), as_of.into()],
        vec!["curve".into(), "--as-of".into(), as_of.into()],
        vec!["athlete".into(), "show".into()],
        vec!["readiness".into(), "--as-of".into(), as_of.into()],
        vec![
            "report".into(),
            "--as-of".into(),
            as_of.into(),
            "--out".into(),
            report.to_str().expect("utf8").into(),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = hrdrift(&store, &args);
        assert_ok(&out);
        texts.push((
            args.join(" "),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ));
    }
    for f in ["index.html", "summary.md"] {
        let text = std::fs::read_to_string(report.join(f)).expect("report file");
        texts.push((f.to_owned(), text));
    }
    let metric_marks = [
        "/km", " km ", " km<", " km|", " km\n", "km/h", "/100 m", "min/km",
    ];
    for (what, text) in &texts {
        for m in metric_marks {
            assert!(!text.contains(m), "{what} prints {m:?}:\n{text}");
        }
    }
    let has = |what: &str, needle: &str| {
        let (_, text) = texts
            .iter()
            .find(|(w, _)| w.starts_with(what))
            .expect("ran");
        assert!(text.contains(needle), "{what} lacks {needle:?}:\n{text}");
    };
    has("show", " mi   pace ");
    has("show", "/mi   GAP ");
    has("activities", " mi ");
    has("weeks", " mi ");
    has("trends", "/mi");
    has("curve", "/mi");
    has("athlete show", "threshold");
    has("index.html", " mi<");
    has("summary.md", " mi |");
    let ride = &texts[1].1;
    assert!(ride.contains(" mph"), "{ride}");
    let swim = &texts[2].1;
    assert!(swim.contains("/100 yd"), "{swim}");
    // The chart axes: the charts' text is drawn into the PNG, so the HTML's alt and captions
    // stand in for it here; the axis labels are unit-tested in the report crate.
}

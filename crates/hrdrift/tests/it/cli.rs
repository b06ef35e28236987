use crate::{fixtures, hrdrift};
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/real")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn import_the_shipped_data_then_list_it() {
    let store = tempfile::tempdir().expect("tempdir");
    let out = hrdrift(
        store.path(),
        &["import", data_dir().to_str().expect("utf8")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("0 failed"), "{summary}");
    // The TCX twins of five GPX runs replace them.
    assert!(summary.contains("5 duplicates"), "{summary}");

    let out = hrdrift(store.path(), &["activities", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["schema_version"], 7);
    let acts = v["activities"].as_array().expect("list");
    assert_eq!(acts.len(), 73);
    for a in acts {
        assert!(a["id"].as_str().is_some_and(|s| s.len() >= 32));
        assert!(a["start"].as_str().is_some_and(|s| s.ends_with('Z')), "{a}");
    }
    // Every stored start is in the runner's 2020-2021 season, apart from the two FIT samples.
    let in_season = acts
        .iter()
        .filter(|a| {
            a["start"]
                .as_str()
                .is_some_and(|s| s.starts_with("2020") || s.starts_with("2021"))
        })
        .count();
    assert_eq!(in_season, 71);

    // A second import skips everything by content hash.
    let out = hrdrift(
        store.path(),
        &["import", data_dir().to_str().expect("utf8")],
    );
    let summary = text(&out.stdout);
    assert!(summary.starts_with("imported 0 activities"), "{summary}");
    assert!(summary.contains("78 already in the store"), "{summary}");

    let out = hrdrift(store.path(), &["activities"]);
    let table = text(&out.stdout);
    assert!(
        table.lines().next().is_some_and(|l| l.starts_with("id")),
        "{table}"
    );
    assert!(table.contains("73 activities"), "{table}");

    // A prefix that several activities share is ambiguous, and the answer lists them; a prefix
    // of one finds it.
    let ids: Vec<&str> = acts.iter().filter_map(|a| a["id"].as_str()).collect();
    let first = &ids[0][..1];
    let sharing: Vec<&&str> = ids.iter().filter(|i| i.starts_with(first)).collect();
    assert!(sharing.len() >= 2, "73 ids over 16 first digits share one");
    let out = hrdrift(store.path(), &["show", first]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("matches {} activities", sharing.len())) && err.contains(sharing[0]),
        "{err}"
    );
    let out = hrdrift(store.path(), &["show", &ids[0][..12]]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_read_command_on_a_store_that_does_not_exist_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nowhere = dir.path().join("never-imported");
    for args in [
        &["trends"][..],
        &["weeks"],
        &["readiness"],
        &["activities", "--json"],
        &["curve"],
        &["show", "0f43"],
        &["athlete", "show"],
        &["report", "--out", "/tmp/hrdrift-never-written"],
    ] {
        let out = hrdrift(&nowhere, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("no store at") && err.contains("never-imported"),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Nothing was created by asking.
    assert!(!nowhere.exists());
}

#[test]
fn strict_import_fails_with_status_3_and_names_the_file() {
    let src = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        fixtures().join("fit/runpandas/run.fit"),
        src.path().join("run.fit"),
    )
    .expect("copy");
    std::fs::write(src.path().join("garbage.fit"), b"not a fit file at all").expect("write");
    let store = tempfile::tempdir().expect("tempdir");
    let out = hrdrift(
        store.path(),
        &["import", "--strict", src.path().to_str().expect("utf8")],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("garbage.fit") && err.contains("no FIT header"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("imported 1 activity from 1 file;"));
    // Without --strict the same batch succeeds.
    let out = hrdrift(
        store.path(),
        &["import", src.path().to_str().expect("utf8")],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn convert_writes_csv_json_and_parquet_with_empty_cells_for_missing_values() {
    let file = fixtures().join("gpx/runpandas/run.gpx");
    let f = file.to_str().expect("utf8");
    let nowhere = Path::new("/nonexistent-store");
    let out = hrdrift(nowhere, &["convert", f, "--to", "csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "timestamp,lat,lon,distance_m,speed_m_s,altitude_m,heart_rate_bpm,cadence_spm,power_w,temperature_c"
        )
    );
    let first: Vec<&str> = lines.next().expect("a row").split(',').collect();
    assert_eq!(first.len(), 10);
    assert!(first[0].ends_with('Z'));
    assert_eq!(first[8], "", "no power in this GPX: an empty cell, not 0");

    let out = hrdrift(nowhere, &["convert", f, "--to", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["schema_version"], 1);
    let samples = v["samples"].as_array().expect("samples");
    assert_eq!(samples.len(), csv.lines().count() - 1);
    assert!(samples[0]["power_w"].is_null());

    let dir = tempfile::tempdir().expect("tempdir");
    let pq = dir.path().join("run.parquet");
    let out = hrdrift(
        nowhere,
        &[
            "convert",
            f,
            "--to",
            "parquet",
            "-o",
            pq.to_str().expect("utf8"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(&pq).expect("written");
    assert_eq!(&bytes[..4], b"PAR1");
}

#[test]
fn convert_of_a_bad_file_names_it_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("broken.tcx");
    std::fs::write(
        &bad,
        b"<?xml version=\"1.0\"?><TrainingCenterDatabase><Activities>",
    )
    .expect("write");
    let out = hrdrift(
        Path::new("/nonexistent-store"),
        &["convert", bad.to_str().expect("utf8")],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("broken.tcx"), "{err}");
}

#[test]
fn a_locked_store_exits_with_status_4() {
    let store = tempfile::tempdir().expect("tempdir");
    let held = hrdrift_store::Store::open_write(store.path(), hrdrift_store::LockMode::Fail)
        .expect("lock");
    let out = hrdrift(
        store.path(),
        &[
            "import",
            fixtures().join("fit/runpandas").to_str().expect("utf8"),
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("another hrdrift process"));
    drop(held);
}

#[test]
fn a_path_that_does_not_exist_is_a_usage_error_naming_it() {
    let store = tempfile::tempdir().expect("tempdir");
    let out = hrdrift(
        store.path(),
        &[
            "import",
            data_dir().to_str().expect("utf8"),
            "/no/such/path",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no such file or folder: /no/such/path"),
        "{}",
        text(&out.stderr)
    );
    // Nothing was imported, and no store was made.
    assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
    assert!(!store.path().join("activities.parquet").exists());

    // One file reads "1 file", not "1 files".
    let one = fixtures().join("fit/runpandas/run.fit");
    let out = hrdrift(store.path(), &["import", one.to_str().expect("utf8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.starts_with("imported 1 activity from 1 file;"), "{s}");
    assert!(s.contains("(1 file in"), "{s}");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let store = tempfile::tempdir().expect("tempdir");
    let out = hrdrift(
        store.path(),
        &["import", data_dir().to_str().expect("utf8")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // `hrdrift activities --json | head -c 100`: far more than a pipe's buffer, read 100 bytes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hrdrift"))
        .args([
            "--store",
            store.path().to_str().expect("utf8"),
            "activities",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut head = [0_u8; 100];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut head)
        .expect("100 bytes");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(141), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definitions() {
    let dir = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish"] {
        let out = hrdrift(dir.path(), &["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        // Every subcommand is offered, the newest included.
        for sub in ["import", "trends", "curve", "completions"] {
            assert!(script.contains(sub), "{shell}: {sub}");
        }
    }
    let out = hrdrift(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));

    let out = hrdrift(dir.path(), &["man"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "{}",
        &page[..80]
    );
    for section in ["HRDRIFT TRENDS", "HRDRIFT ATHLETE", "HRDRIFT CURVE"] {
        assert!(page.contains(section), "{section}");
    }
    assert!(
        page.contains("threshold"),
        "the subcommands' help is in the page"
    );
    // Neither wrote a store.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

/// A multi-sport file's legs print with ids that tell them apart, and each id names its leg.
#[test]
fn the_legs_of_a_multisport_file_have_ids_of_their_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let f = crate::fixtures().join("fit/python-fitparse/activity-large-fenxi2-multisport.fit");
    crate::assert_ok(&crate::hrdrift(
        &store,
        &["import", "--quiet", f.to_str().expect("utf8")],
    ));
    let out = crate::hrdrift(&store, &["activities"]);
    crate::assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| id.len() >= 12 && id.chars().next().is_some_and(|c| c.is_ascii_hexdigit()))
        .collect();
    assert!(ids.len() >= 5, "{text}");
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{text}");
    for id in &ids {
        let out = crate::hrdrift(&store, &["show", id, "--json"]);
        crate::assert_ok(&out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let full = v["activities"][0]["id"].as_str().expect("id");
        assert_eq!(
            full.split_once('-').map(|x| x.1),
            id.split_once('-').map(|x| x.1),
            "{id} {full}"
        );
    }
}

/// Each sport in its own convention (METRICS.md 7): a ride in km/h with no GAP, a pool swim per
/// 100 m, a run in pace and GAP.
#[test]
fn show_gives_each_sport_its_own_speed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let line = |rel: &str| {
        let f = crate::fixtures().join(rel);
        let out = crate::hrdrift(&store, &["show", f.to_str().expect("utf8")]);
        crate::assert_ok(&out);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find(|l| l.trim_start().starts_with("moving"))
            .expect("a moving line")
            .to_owned()
    };
    let ride = line("fit/python-fitparse/garmin-edge-820-bike.fit");
    assert!(
        ride.contains("speed 24.9 km/h") && !ride.contains("GAP"),
        "{ride}"
    );
    let swim = line("fit/tormoder-fit/fitsdk--activity_poolswim_with_hr.fit");
    assert!(
        swim.contains("pace 3:28 /100 m") && !swim.contains("/km"),
        "{swim}"
    );
    let run = line("fit/runpandas/run.fit");
    assert!(run.contains("/km   GAP"), "{run}");
}

/// Rides with power (METRICS.md 7): `show` gives NP, IF and TSS against the FTP (estimated,
/// then set), the ride's EF from power; `athlete show` names the FTP; the load of CTL/ATL/TSB
/// takes the ride's TSS and says so; `weeks` lists the hours of other sports.
#[test]
fn rides_with_power_are_measured_against_the_ftp() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let run = crate::fixtures().join("fit/runpandas/run.fit");
    let bikes = [
        "fit/python-fitparse/Edge810-Vector-2013-08-16-15-35-10.fit",
        "fit/tormoder-fit/bpg--garmin.fit",
    ];
    let mut args = vec!["import".to_owned(), "--quiet".to_owned()];
    args.push(run.to_str().expect("utf8").to_owned());
    for b in bikes {
        args.push(crate::fixtures().join(b).to_str().expect("utf8").to_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    crate::assert_ok(&crate::hrdrift(&store, &args));
    let show = |rel: &str| {
        let f = crate::fixtures().join(rel);
        let out = crate::hrdrift(&store, &["show", f.to_str().expect("utf8"), "--json"]);
        crate::assert_ok(&out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(v["schema_version"], 6);
        v["activities"][0].clone()
    };
    let edge = show(bikes[0]);
    assert_eq!(edge["ftp_source"], "estimated", "{edge}");
    let np = edge["np_w"].as_f64().expect("np");
    assert!((np - 301.8).abs() < 1.0, "{np}");
    assert_eq!(edge["class_basis"], "power");
    assert_eq!(edge["ef"], edge["ef_power"]);

    crate::assert_ok(&crate::hrdrift(
        &store,
        &["athlete", "set", "ftp=315", "lthr=172", "lthr_bike=165"],
    ));
    let edge = show(bikes[0]);
    assert_eq!(edge["ftp_w"], 315.0);
    assert_eq!(edge["ftp_source"], "configured");
    let want_if = np / 315.0;
    assert!((edge["if"].as_f64().expect("if") - want_if).abs() < 1e-9);
    let hours = edge["moving_s"].as_f64().expect("moving") / 3600.0;
    let tss = edge["tss"].as_f64().expect("tss");
    assert!(
        (tss - hours * want_if * want_if * 100.0).abs() < 1e-6,
        "{tss}"
    );

    let f = crate::fixtures().join(bikes[0]);
    let out = crate::hrdrift(&store, &["show", f.to_str().expect("utf8")]);
    crate::assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("W per bpm (NP / HR)"), "{text}");
    assert!(
        text.contains("FTP 315 W") && text.contains("(Pw:HR)"),
        "{text}"
    );
    assert!(!text.contains("GAP"), "{text}");

    let out = crate::hrdrift(&store, &["athlete", "show"]);
    crate::assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ftp          315 W  (configured)"), "{text}");
    assert!(text.contains("lthr_bike    165 bpm"), "{text}");
    // The ride's zones are cut from the bike's LTHR, a run's from the running one.
    assert_eq!(edge["settings_used"]["lthr"], 165.0, "{edge}");
    let run = show("fit/runpandas/run.fit");
    assert_eq!(run["settings_used"]["lthr"], 172.0, "{run}");

    // The days' load: the rides' TSS where they have it. The Edge ride's day holds it alone.
    let out = crate::hrdrift(
        &store,
        &["weeks", "--json", "--as-of", "2013-08-17", "--since", "1y"],
    );
    crate::assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let day = v["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|d| d["date"] == "2013-08-16")
        .expect("the ride's day");
    assert!(
        (day["load_from_tss"].as_f64().expect("tss") - tss).abs() < 1e-6,
        "{day}"
    );
    assert!(
        (day["load"].as_f64().expect("load") - tss).abs() < 1e-6,
        "{day}"
    );
}

/// A Strava export's `activities.csv` gives its GPX files, which name no sport, the sport the
/// export does (METRICS.md 7): a ride saved as GPX is a ride, with no GAP or pace.
#[test]
fn a_strava_exports_index_names_the_sport_of_its_gpx_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let export = dir.path().join("export");
    std::fs::create_dir_all(export.join("activities")).expect("mkdir");
    let series = crate::fixtures().join("series/runpandas-2020-2021");
    let pick = [
        "e2543c48-793c-45e0-8057-906422d45de7.gpx",
        "c74b49c3-6505-4874-9ef1-9f9cbd149896.gpx",
    ];
    for (k, name) in pick.iter().enumerate() {
        std::fs::copy(
            series.join(name),
            export.join(format!("activities/{k}.gpx")),
        )
        .expect("copy");
    }
    // Strava's columns, a quoted comma, its `.gpx.gz` names (the files were unpacked), and a
    // manual entry without a file.
    std::fs::write(
        export.join("activities.csv"),
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Filename\n\
         10,\"Dec 2, 2020, 6:08:29 AM\",Morning Run,Run,,activities/0.gpx.gz\n\
         11,\"Dec 4, 2020, 7:09:21 PM\",\"Commute, home\",Ride,,activities/1.gpx.gz\n\
         12,\"Dec 5, 2020, 7:00:00 AM\",Yoga,Yoga,,\n",
    )
    .expect("csv");
    let out = crate::hrdrift(&store, &["import", export.to_str().expect("utf8")]);
    crate::assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "export index: 3 activities named; 2 activities of this import without a sport of their own took the export's"
        ),
        "{text}"
    );
    let out = crate::hrdrift(&store, &["activities", "--json"]);
    crate::assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let acts = v["activities"].as_array().expect("list");
    assert_eq!(acts.len(), 2);
    let of = |file: &str| {
        acts.iter()
            .find(|a| a["source"].as_str().is_some_and(|s| s.ends_with(file)))
            .unwrap_or_else(|| panic!("{file} in {v}"))
    };
    assert_eq!(of("0.gpx")["sport"], "running");
    // The file's own name is kept; the index fills in only what the file lacks.
    assert_eq!(of("0.gpx")["name"], "domingo corrida matutina");
    let ride = of("1.gpx");
    assert_eq!(ride["sport"], "cycling");
    assert_eq!(ride["sport_source"], "index");
    assert_eq!(ride["sport_guessed"], false);
    assert_eq!(ride["name"], "Domingo Corrida Matutina");
    assert!(ride["gap_speed_m_s"].is_null(), "{ride}");
    assert!(
        !ride["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .any(|f| f == "sport_assumed_running"),
        "{ride}"
    );
}

/// The two runs of a Strava export, as files without a sport, and its `activities.csv`
/// calling the second a ride (issue 20, item 7).
fn strava_export(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let files = dir.join("files");
    std::fs::create_dir_all(files.join("activities")).expect("mkdir");
    let series = crate::fixtures().join("series/runpandas-2020-2021");
    for (k, name) in [
        "e2543c48-793c-45e0-8057-906422d45de7.gpx",
        "c74b49c3-6505-4874-9ef1-9f9cbd149896.gpx",
    ]
    .iter()
    .enumerate()
    {
        let text = std::fs::read_to_string(series.join(name)).expect("read");
        // The second without its track's name, as a Strava GPX of an unnamed activity.
        let text = if k == 1 {
            text.replace("<name>Domingo Corrida Matutina</name>", "")
        } else {
            text
        };
        std::fs::write(files.join(format!("activities/{k}.gpx")), text).expect("write");
    }
    let index = dir.join("index");
    std::fs::create_dir_all(&index).expect("mkdir");
    std::fs::write(
        index.join("activities.csv"),
        "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n\
         10,\"Dec 2, 2020, 9:08:29 AM\",Morning Run,Run,activities/0.gpx.gz\n\
         11,\"Dec 4, 2020, 10:09:21 PM\",\"Commute, home\",Ride,activities/1.gpx.gz\n",
    )
    .expect("csv");
    (files, index)
}

fn activities_json(store: &std::path::Path) -> Vec<serde_json::Value> {
    let out = crate::hrdrift(store, &["activities", "--json"]);
    crate::assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["schema_version"], 7);
    v["activities"].as_array().expect("list").clone()
}

fn by_file<'a>(acts: &'a [serde_json::Value], file: &str) -> &'a serde_json::Value {
    acts.iter()
        .find(|a| a["source"].as_str().is_some_and(|s| s.ends_with(file)))
        .unwrap_or_else(|| panic!("{file} in {acts:?}"))
}

/// An export's index applies whichever is imported first, its files or itself: the files'
/// sports (guessed from speed and cadence while nothing named them) become the index's, the
/// ride's metrics are computed again as a ride's (no GAP), and the activities take its names.
#[test]
fn an_export_index_applies_in_either_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, index) = strava_export(dir.path());

    // Files first: nothing names a sport, so it is guessed, and the runs look like runs.
    let store = dir.path().join("files-first");
    let out = crate::hrdrift(&store, &["import", files.to_str().expect("utf8")]);
    crate::assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2 activities named no sport, in its file or an export index: typed from speed and cadence"),
        "{text}"
    );
    let acts = activities_json(&store);
    for f in ["0.gpx", "1.gpx"] {
        let a = by_file(&acts, f);
        assert_eq!(a["sport"], "running", "{a}");
        assert_eq!(a["sport_source"], "guessed", "{a}");
        assert_eq!(a["sport_guessed"], true, "{a}");
        assert!(a["gap_speed_m_s"].is_number(), "{a}");
    }
    let out = crate::hrdrift(&store, &["activities"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("running?"));

    // Then the index: the stored activities take its sports and names.
    let out = crate::hrdrift(&store, &["import", index.to_str().expect("utf8")]);
    crate::assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("of the activities imported before, 2 activities took their sport from it and 1 their name"),
        "{text}"
    );
    let after_files = activities_json(&store);
    let ride = by_file(&after_files, "1.gpx");
    assert_eq!(ride["sport"], "cycling", "{ride}");
    assert_eq!(ride["sport_source"], "index", "{ride}");
    assert_eq!(ride["name"], "Commute, home", "{ride}");
    assert!(ride["gap_speed_m_s"].is_null(), "{ride}");
    let run = by_file(&after_files, "0.gpx");
    assert_eq!(run["sport"], "running", "{run}");
    assert_eq!(run["sport_source"], "index", "{run}");
    assert_eq!(run["name"], "domingo corrida matutina", "{run}");
    let out = crate::hrdrift(&store, &["show", ride["id"].as_str().expect("id")]);
    crate::assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("cycling (from the export's index)"), "{text}");
    assert!(text.contains("name         Commute, home"), "{text}");
    // The report's table names the activities too.
    let report = dir.path().join("report");
    let out = crate::hrdrift(
        &store,
        &[
            "report",
            "--as-of",
            "2021-02-08",
            "--out",
            report.to_str().expect("utf8"),
        ],
    );
    crate::assert_ok(&out);
    let html = std::fs::read_to_string(report.join("index.html")).expect("html");
    assert!(
        html.contains(">Commute, home<"),
        "the report names the ride"
    );
    assert!(
        html.contains(">domingo corrida matutina<"),
        "the report names the run"
    );

    // The index first, into a new store: the files find it there.
    let store = dir.path().join("index-first");
    let out = crate::hrdrift(&store, &["import", index.to_str().expect("utf8")]);
    crate::assert_ok(&out);
    let out = crate::hrdrift(&store, &["import", files.to_str().expect("utf8")]);
    crate::assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("typed from speed and cadence"), "{text}");
    let after_index = activities_json(&store);
    for f in ["0.gpx", "1.gpx"] {
        let (a, b) = (by_file(&after_files, f), by_file(&after_index, f));
        for k in [
            "sport",
            "sport_source",
            "name",
            "gap_speed_m_s",
            "avg_hr",
            "ef",
        ] {
            assert_eq!(a[k], b[k], "{f} {k}");
        }
    }
}

/// Garmin Connect's summarized activities name no file: an activity is found by its start
/// (within a minute), and takes the name and sport.
#[test]
fn garmins_summarized_activities_name_activities_by_their_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, _) = strava_export(dir.path());
    let store = dir.path().join("store");
    let out = crate::hrdrift(&store, &["import", files.to_str().expect("utf8")]);
    crate::assert_ok(&out);
    let acts = activities_json(&store);
    let start = |f: &str| {
        chrono::DateTime::parse_from_rfc3339(by_file(&acts, f)["start"].as_str().expect("start"))
            .expect("rfc3339")
            .timestamp_millis()
    };
    let garmin = dir.path().join("DI_CONNECT/DI-Connect-Fitness");
    std::fs::create_dir_all(&garmin).expect("mkdir");
    std::fs::write(
        garmin.join("me@example.com_0_summarizedActivities.json"),
        format!(
            r#"[{{"summarizedActivitiesExport":[
                {{"activityId":5550001,"name":"Evening spin","activityType":"indoor_cycling","beginTimestamp":{}}},
                {{"activityId":5550002,"name":"Easy jog","activityType":"running","beginTimestamp":{}}},
                {{"activityId":5550003,"name":"Not here","activityType":"running","beginTimestamp":{}}}
            ]}}]"#,
            start("1.gpx") + 20_000,
            start("0.gpx") - 3_000,
            start("0.gpx") + 3_600_000,
        ),
    )
    .expect("json");
    let out = crate::hrdrift(
        &store,
        &[
            "import",
            dir.path().join("DI_CONNECT").to_str().expect("utf8"),
        ],
    );
    crate::assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("export index: 3 activities named"), "{text}");
    let acts = activities_json(&store);
    let ride = by_file(&acts, "1.gpx");
    assert_eq!(
        (ride["sport"].as_str(), ride["name"].as_str()),
        (Some("cycling"), Some("Evening spin")),
        "{ride}"
    );
    let run = by_file(&acts, "0.gpx");
    // Its file names it: the file's name is kept.
    assert_eq!(
        (run["sport"].as_str(), run["name"].as_str()),
        (Some("running"), Some("domingo corrida matutina")),
        "{run}"
    );
    assert_eq!(run["sport_source"], "index", "{run}");
}

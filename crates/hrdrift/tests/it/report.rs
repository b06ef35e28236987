//! `report` and `nightly` end to end on a synthetic athlete whose truth is known.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::{assert_ok, assert_one_ran_and_the_other_waited_or_said_so, demo_data, hrdrift};
use serde_json::Value;

/// One demo athlete shared by the tests of this module (14 weeks from 2025-03-03, seed 7).
fn athlete() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("hrdrift-report-athlete-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        demo_data(&dir.join("unused"), &dir, "14", "7");
        dir
    })
}

fn truth() -> Value {
    serde_json::from_slice(&std::fs::read(athlete().join("truth.json")).expect("truth"))
        .expect("JSON")
}

fn schema() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/summary.schema.json");
    serde_json::from_slice(&std::fs::read(p).expect("schema")).expect("JSON")
}

fn check_summary(out_dir: &Path) -> Value {
    let v: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).expect("summary.json"))
            .expect("JSON");
    let validator = jsonschema::validator_for(&schema()).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "summary.json does not match its schema:\n{}",
        errors.join("\n")
    );
    v
}

/// The durations of a summary's pace curve, checked to be the curve's own (ascending, no repeat)
/// with a speed a runner holds, slower for longer.
fn curve_durations(v: &Value, key: &str) -> Vec<u64> {
    let points = v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list"));
    let mut out = Vec::new();
    let mut last_speed = f64::INFINITY;
    for p in points {
        let d = p["duration_s"].as_u64().expect("duration_s");
        let speed = p["speed_m_s"].as_f64().expect("speed_m_s");
        assert!(out.last().is_none_or(|l| *l < d), "{key}: {points:?}");
        assert!((1.5..8.0).contains(&speed), "{key}: {p}");
        assert!(
            speed <= last_speed + 1e-9,
            "{key}: slower for longer: {points:?}"
        );
        last_speed = speed;
        out.push(d);
    }
    out
}

/// The date of the truth's first easy run that is elevated and follows a lingering session, so
/// the latest easy run as of that day is elevated.
fn an_elevated_day(truth: &Value) -> String {
    let acts = truth["activities"].as_array().expect("activities");
    let hit = acts
        .iter()
        .find(|a| {
            a["class"] == "easy"
                && a["expected_e_bpm"].as_f64().is_some_and(|e| e >= 6.0)
                && !a["warm_day"].as_bool().unwrap_or(false)
        })
        .expect("the plan has elevated easy runs");
    hit["local_date"].as_str().expect("date").to_owned()
}

#[test]
fn nightly_writes_the_report_and_fails_on_a_chosen_warning() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = tmp.path().join("store");
    let out = tmp.path().join("report");
    let day = an_elevated_day(&truth());
    let watch = athlete().to_str().expect("utf8");
    let out_dir = out.to_str().expect("utf8");
    let nightly = |more: &[&str]| {
        let args = [&["nightly", "--watch", watch, "--out", out_dir][..], more].concat();
        hrdrift(&store, &args)
    };

    let run = nightly(&["--as-of", &day]);
    assert_eq!(
        run.status.code(),
        Some(5),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("elevated"), "{err}");
    let v = check_summary(&out);
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["code"].as_str())
        .collect();
    assert!(codes.contains(&"elevated"), "{codes:?}");
    assert!(v["activities"].as_array().is_some_and(|a| !a.is_empty()));
    for f in [
        "index.html",
        "summary.md",
        "easy-elevation.png",
        "hr-vs-pace.png",
        "long-runs.png",
        "weekly-structure.png",
        "fitness-form.png",
        "activity.png",
        "pace-curve.png",
    ] {
        let len = std::fs::metadata(out.join(f)).map(|m| m.len()).unwrap_or(0);
        assert!(len > 1000, "{f}: {len} bytes");
    }
    // The default period (26 weeks) holds every run before the day: a curve, none before it.
    assert!(
        curve_durations(&v, "pace_curve").contains(&600),
        "{}",
        v["pace_curve"]
    );
    assert_eq!(
        curve_durations(&v, "pace_curve_previous"),
        Vec::<u64>::new()
    );
    let md = std::fs::read_to_string(out.join("summary.md")).expect("md");
    assert!(
        md.contains("| Duration | This period | Period before |"),
        "{md}"
    );
    assert!(md.contains("| 10 min | "), "{md}");
    let html = std::fs::read_to_string(out.join("index.html")).expect("html");
    assert!(html.contains("src=\"pace-curve.png\""));
    assert!(
        md.to_lowercase().contains("hold back")
            || md.contains("hold_back")
            || md.contains("elevated"),
        "{md}"
    );

    // Not chosen: exit 0; nothing new is imported the second time.
    let run = nightly(&["--as-of", &day, "--fail-on", "load_spike"]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("imported 0 new activities"));
    let run = nightly(&["--fail-on", "elevated,tired"]);
    assert_ne!(run.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&run.stderr).contains("tired"));
}

#[test]
fn the_report_of_a_quiet_week_has_no_warnings_and_matches_its_schema() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = tmp.path().join("store");
    let out = tmp.path().join("report");
    let run = hrdrift(
        &store,
        &["import", "--quiet", athlete().to_str().expect("utf8")],
    );
    assert!(run.status.success());
    // An empty store (a folder that holds nothing yet) still gives a report that says so.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(tmp.path().join("nothing")).expect("mkdir");
    let run = hrdrift(
        &tmp.path().join("nothing"),
        &["report", "--out", empty.to_str().expect("utf8")],
    );
    assert_ok(&run);
    let v = check_summary(&empty);
    assert_eq!(v["activities"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["pace_curve"], serde_json::json!([]));
    assert_eq!(v["pace_curve_previous"], serde_json::json!([]));

    let four_weeks = |dir: &Path, as_of: &str| {
        let run = hrdrift(
            &store,
            &[
                "report",
                "--out",
                dir.to_str().expect("utf8"),
                "--as-of",
                as_of,
                "--since",
                "4w",
            ],
        );
        assert_ok(&run);
        check_summary(dir)
    };
    let v = four_weeks(&out, "2025-03-30");
    // Early in the plan (normal weeks, no baseline yet): nothing to warn about.
    assert_eq!(v["warnings"], serde_json::json!([]), "{}", v["warnings"]);
    // The four weeks from the plan's start, and the four weeks before it with no runs.
    let now = curve_durations(&v, "pace_curve");
    assert!(now.contains(&60) && now.contains(&1200), "{now:?}");
    assert_eq!(
        curve_durations(&v, "pace_curve_previous"),
        Vec::<u64>::new()
    );

    // Eight weeks later the same four-week period is the one before.
    let w = four_weeks(&tmp.path().join("later"), "2025-04-27");
    assert_eq!(w["pace_curve_previous"], v["pace_curve"]);
    assert!(!curve_durations(&w, "pace_curve").is_empty());
    let html = std::fs::read_to_string(out.join("index.html")).expect("html");
    assert!(html.contains("easy-elevation.png"));
}

#[test]
fn two_nightly_runs_at_once_one_waits_or_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = tmp.path().join("store");
    let watch = athlete().to_str().expect("utf8");
    let spawn = |out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hrdrift"))
            .arg("--store")
            .arg(&store)
            .args([
                "nightly",
                "--watch",
                watch,
                "--out",
                tmp.path().join(out).to_str().expect("utf8"),
                "--fail-on",
                "none",
            ])
            .env_remove("HRDRIFT_STORE")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let a = spawn("a");
    let b = spawn("b");
    assert_one_ran_and_the_other_waited_or_said_so(a, b);
    let v: Value =
        serde_json::from_slice(&hrdrift(&store, &["activities", "--json"]).stdout).expect("JSON");
    assert_eq!(
        v["activities"].as_array().map(Vec::len),
        truth()["activities"].as_array().map(Vec::len)
    );
}

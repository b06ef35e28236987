//! Morning readings (issue 19) end to end: a CSV of readings imported beside a synthetic
//! athlete's runs, in `wellness`, in the readiness verdict, and failing `nightly` when chosen.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::{assert_ok, demo_data, hrdrift};

fn json(store: &Path, args: &[&str]) -> Value {
    let out = hrdrift(store, args);
    assert_ok(&out);
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// 56 mornings from 2025-03-03, the last four after a session that lingered: resting HR 9 bpm
/// up and ln rMSSD 0.4 down. The scatter is a fixed pattern, the same for every run.
fn readings_csv() -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2025, 3, 3).expect("date");
    let mut s = "date,resting_hr_bpm,rmssd_ms,sleep_score\n".to_owned();
    for i in 0..56i64 {
        let wobble = [0.0, 1.0, -1.0, 0.0, 1.0, -1.0, 0.0][(i % 7) as usize];
        let ln_wobble = [0.0, 0.05, -0.04, 0.02, -0.06, 0.04, -0.01][(i * 3 % 7) as usize];
        let dip = i >= 52;
        let rest = 48.0 + wobble + if dip { 9.0 } else { 0.0 };
        let rmssd = (60f64.ln() + ln_wobble - if dip { 0.4 } else { 0.0 }).exp();
        let day = start + chrono::Duration::days(i);
        writeln!(s, "{day},{rest},{rmssd:.2},{}", 75 + i % 10).expect("write");
    }
    s
}

fn codes(v: &Value) -> Vec<String> {
    v["readiness"]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["code"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn morning_readings_reach_wellness_readiness_and_nightly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("athlete");
    let store = dir.path().join("store");
    demo_data(&store, &data, "8", "11");
    assert_ok(&hrdrift(
        &store,
        &["import", "--quiet", data.to_str().expect("utf8")],
    ));
    let mornings = dir.path().join("mornings");
    std::fs::create_dir(&mornings).expect("mkdir");
    std::fs::write(mornings.join("readings.csv"), readings_csv()).expect("write");
    let out = hrdrift(&store, &["import", mornings.to_str().expect("utf8")]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("daily readings: 56 days from 1 file (56 readings); 0 replaced"),
        "{text}"
    );

    let w = json(
        &store,
        &[
            "wellness",
            "--json",
            "--as-of",
            "2025-04-27",
            "--since",
            "60d",
        ],
    );
    assert_eq!(w["schema_version"], 1);
    let days = w["days"].as_array().expect("days");
    assert_eq!(days.len(), 56);
    let last = &days[55];
    assert_eq!(last["date"], "2025-04-27");
    assert_eq!(last["resting_hr_bpm"], 57.0);
    assert_eq!(last["source"], "csv");
    let flags = |d: &Value| -> Vec<String> {
        d["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .filter_map(|f| f.as_str().map(str::to_owned))
            .collect()
    };
    assert!(
        flags(last).contains(&"resting_hr_elevated".to_owned()),
        "{last}"
    );
    assert!(
        flags(last).contains(&"hrv_below_normal".to_owned()),
        "{last}"
    );
    // Before the dip nothing is flagged (once baselines exist).
    for d in &days[30..52] {
        let f = flags(d);
        assert!(
            !f.contains(&"resting_hr_elevated".to_owned())
                && !f.contains(&"hrv_below_normal".to_owned()),
            "{d}"
        );
    }

    // The readiness of the last morning names both, each with its number and threshold.
    let r = json(&store, &["readiness", "--json", "--as-of", "2025-04-27"]);
    assert_eq!(r["schema_version"], 4);
    assert_eq!(r["morning"]["date"], "2025-04-27");
    assert_ne!(r["readiness"]["verdict"], "push");
    let reasons = r["readiness"]["reasons"].as_array().expect("reasons");
    let rest = reasons
        .iter()
        .find(|x| x["code"] == "resting_hr_elevated")
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(rest["value"], 57.0);
    assert!(rest["threshold"].as_f64().expect("threshold") <= 57.0);
    assert!(rest["text"].as_str().expect("text").contains("57 bpm"));
    let hrv = reasons
        .iter()
        .find(|x| x["code"] == "hrv_below_normal")
        .unwrap_or_else(|| panic!("{r}"));
    assert!(hrv["value"].as_f64() < hrv["threshold"].as_f64(), "{hrv}");
    // A morning a week earlier says nothing of the kind.
    let before = json(&store, &["readiness", "--json", "--as-of", "2025-04-20"]);
    let c = codes(&before);
    assert!(
        !c.iter()
            .any(|c| c == "resting_hr_elevated" || c == "hrv_below_normal"),
        "{c:?}"
    );
    let out = hrdrift(&store, &["readiness", "--as-of", "2025-04-27"]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Morning of 2025-04-27: resting HR 57 bpm"),
        "{text}"
    );

    // nightly fails on the morning's flag when asked, and not a week before.
    let report = dir.path().join("report");
    let nightly = |day: &str| {
        hrdrift(
            &store,
            &[
                "nightly",
                "--watch",
                mornings.to_str().expect("utf8"),
                "--out",
                report.to_str().expect("utf8"),
                "--fail-on",
                "resting_hr_elevated",
                "--as-of",
                day,
            ],
        )
    };
    let run = nightly("2025-04-27");
    assert_eq!(
        run.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("resting_hr_elevated"));
    let summary: Value =
        serde_json::from_slice(&std::fs::read(report.join("summary.json")).expect("summary"))
            .expect("JSON");
    assert_eq!(summary["morning"]["date"], "2025-04-27");
    assert_eq!(summary["morning"]["resting_hr_bpm"], 57.0);
    let html = std::fs::read_to_string(report.join("index.html")).expect("html");
    assert!(
        html.contains("Morning of 2025-04-27: resting HR 57 bpm"),
        "the morning beside the verdict"
    );
    assert!(report.join("mornings.png").is_file());
    assert_eq!(nightly("2025-04-20").status.code(), Some(0));

    // A later export of the last day replaces it, and says so.
    let later = dir.path().join("later");
    std::fs::create_dir(&later).expect("mkdir");
    std::fs::write(
        later.join("fix.csv"),
        "date,resting_hr_bpm\n2025-04-27,49\n",
    )
    .expect("write");
    let out = hrdrift(&store, &["import", later.to_str().expect("utf8")]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("daily readings: 1 day from 1 file (1 reading); 1 replaced"),
        "{text}"
    );
    let w = json(
        &store,
        &[
            "wellness",
            "--json",
            "--as-of",
            "2025-04-27",
            "--since",
            "1d",
        ],
    );
    let last = w["days"]
        .as_array()
        .expect("days")
        .last()
        .cloned()
        .expect("a day");
    assert_eq!(last["resting_hr_bpm"], 49.0);
    // The rMSSD of that day still comes from the first file.
    assert!(last["hrv_rmssd_ms"].as_f64().is_some(), "{last}");
}

#[test]
fn a_bad_readings_csv_names_its_lines_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let f = dir.path().join("r.csv");
    std::fs::write(
        &f,
        "date,resting_hr_bpm,rmssd_ms,sleep_score\n2026-01-01,48,60,80\n2026-02-30,48,60,80\n2026-01-03,300,60,80\n2026-01-04,50,-2,80\n2026-01-05,51,58,\n",
    )
    .expect("write");
    let out = hrdrift(&store, &["import", f.to_str().expect("utf8")]);
    assert_ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("r.csv: line 3, column date"), "{err}");
    assert!(
        err.contains("r.csv: line 4, column resting_hr_bpm: 300"),
        "{err}"
    );
    assert!(err.contains("r.csv: line 5, column rmssd_ms: -2"), "{err}");
    let w = json(&store, &["wellness", "--json", "--as-of", "2026-01-10"]);
    let dates: Vec<&str> = w["days"]
        .as_array()
        .expect("days")
        .iter()
        .filter_map(|d| d["date"].as_str())
        .collect();
    assert_eq!(dates, ["2026-01-01", "2026-01-05"]);
}

/// The synthetic athlete's own mornings, as a watch's daily FIT files: on every morning a
/// lingering session costs (the model's `perturbed`), readiness holds back and names the
/// morning's flags; on mornings well away from those, it names none.
#[test]
fn the_synthetic_athletes_mornings_hold_back_on_the_days_the_model_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("athlete");
    let store = dir.path().join("store");
    let out = hrdrift(
        &store,
        &[
            "demo-data",
            data.to_str().expect("utf8"),
            "--weeks",
            "20",
            "--seed",
            "42",
            "--start",
            "2025-03-03",
            "--mornings",
            "fit",
        ],
    );
    assert_ok(&out);
    let out = hrdrift(&store, &["import", "--quiet", data.to_str().expect("utf8")]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("daily readings: 141 days from 423 files"),
        "{text}"
    );
    // `show` on a daily file says what it is and where to look.
    let daily = data.join("mornings/HRV/2025-04-02-hrv-status.fit");
    let out = hrdrift(&store, &["show", daily.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("daily readings of 1 day (fit_hrv_status)"),
        "{err}"
    );
    assert!(err.contains("hrdrift wellness"), "{err}");
    let truth: Value = serde_json::from_slice(
        &std::fs::read(data.join("mornings/mornings.json")).expect("mornings.json"),
    )
    .expect("JSON");
    let days = truth.as_array().expect("days");
    // Every value read back is the model's, exactly.
    let w = json(
        &store,
        &[
            "wellness",
            "--json",
            "--as-of",
            "2025-07-21",
            "--since",
            "2025-01-01",
        ],
    );
    let read = w["days"].as_array().expect("days");
    assert_eq!(read.len(), days.len());
    for (r, t) in read.iter().zip(days) {
        assert_eq!(r["date"], t["date"]);
        assert_eq!(r["resting_hr_bpm"], t["resting_hr_bpm"]);
        assert_eq!(r["hrv_rmssd_ms"], t["rmssd_ms"]);
        assert_eq!(r["sleep_score"], t["sleep_score"]);
    }
    let perturbed: Vec<(usize, &str)> = days
        .iter()
        .enumerate()
        .filter(|(_, d)| d["perturbed"] == true)
        .map(|(i, d)| (i, d["date"].as_str().expect("date")))
        .collect();
    assert_eq!(
        perturbed.len(),
        8,
        "two lingering sessions, four mornings each"
    );
    for (k, (_, date)) in perturbed.iter().enumerate() {
        let r = json(&store, &["readiness", "--json", "--as-of", date]);
        let c = codes(&r);
        assert_eq!(r["readiness"]["verdict"], "hold_back", "{date}: {c:?}");
        assert!(
            c.iter().any(|c| c == "resting_hr_elevated"),
            "{date}: {c:?}"
        );
        // The 7-day mean leaves the normal range by the fourth morning of the four.
        if k % 4 == 3 {
            assert!(c.iter().any(|c| c == "hrv_below_normal"), "{date}: {c:?}");
        }
    }
    let quiet: Vec<&str> = days
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            *i >= 14 && i % 4 == 0 && !perturbed.iter().any(|(p, _)| *p <= *i && *i <= p + 10)
        })
        .map(|(_, d)| d["date"].as_str().expect("date"))
        .collect();
    assert!(quiet.len() >= 15, "{quiet:?}");
    for date in quiet {
        let c = codes(&json(&store, &["readiness", "--json", "--as-of", date]));
        assert!(
            !c.iter()
                .any(|c| c == "resting_hr_elevated" || c == "hrv_below_normal"),
            "{date}: {c:?}"
        );
    }
}

//! Every fixture decodes, and agrees with an independent decoder (the official Garmin FIT SDK,
//! gpxpy, ElementTree) whose results `tests/expected/gen_expected.py` wrote once.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hrdrift_ingest::{Activity, Samples, decode_bytes};
use serde_json::Value;

use crate::{expected_dir, fixture};

fn expected(format: &str) -> BTreeMap<String, Value> {
    let p = expected_dir().join(format!("{format}.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let v: Value = serde_json::from_str(&text).expect("expected JSON parses");
    v["files"]
        .as_object()
        .expect("files object")
        .clone()
        .into_iter()
        .collect()
}

fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .expect("in range")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

struct Totals {
    samples: usize,
    hr_count: usize,
    hr_sum: f64,
    first: Option<i64>,
    last: Option<i64>,
    last_distance: Option<f64>,
    cad_count: usize,
}

fn totals(acts: &[Activity]) -> Totals {
    let mut t = Totals {
        samples: 0,
        hr_count: 0,
        hr_sum: 0.0,
        first: None,
        last: None,
        last_distance: None,
        cad_count: 0,
    };
    for a in acts {
        let s = &a.samples;
        t.samples += s.len();
        if let Some(hr) = &s.heart_rate_bpm {
            t.hr_count += hr.iter().flatten().count();
            t.hr_sum += hr.iter().flatten().sum::<f64>();
        }
        t.cad_count += Samples::present(s.cadence_spm.as_ref());
        t.first = t.first.or(s.timestamp_ms.first().copied());
        t.last = s.timestamp_ms.last().copied().or(t.last);
        if let Some(d) = s
            .distance_m
            .as_ref()
            .and_then(|d| d.iter().rev().flatten().next())
        {
            t.last_distance = Some(*d);
        }
    }
    t
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// The first and last timestamps (in file order) against the reference decoder's.
fn time_span(rel: &str, t: &Totals, exp: &Value, problems: &mut Vec<String>) {
    for (what, ours, key) in [
        ("first", t.first, "first_timestamp"),
        ("last", t.last, "last_timestamp"),
    ] {
        if ours.map(rfc3339).as_deref() != exp[key].as_str() {
            problems.push(format!(
                "{rel}: {what} {:?} vs {}",
                ours.map(rfc3339),
                exp[key]
            ));
        }
    }
}

/// The last distance, where the reference decoder has one.
fn last_distance(rel: &str, t: &Totals, exp: &Value, problems: &mut Vec<String>) {
    if let Some(ld) = exp["last_distance_m"].as_f64()
        && !t.last_distance.is_some_and(|d| close(d, ld))
    {
        problems.push(format!(
            "{rel}: last distance {:?} vs {ld}",
            t.last_distance
        ));
    }
}

fn cadence_count(rel: &str, t: &Totals, exp: &Value, problems: &mut Vec<String>) {
    if t.cad_count != exp["cad_count"].as_u64().unwrap_or(0) as usize {
        problems.push(format!(
            "{rel}: cadence count {} vs {}",
            t.cad_count, exp["cad_count"]
        ));
    }
}

fn assert_no_problems(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn fit_fixtures_match_the_garmin_sdk() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for (rel, exp) in expected("fit") {
        let bytes = fixture(&rel);
        let records = exp["records_with_timestamp"].as_u64().unwrap_or(0) as usize;
        let sdk_clean = exp["sdk_errors"].as_array().is_none_or(Vec::is_empty);
        match decode_bytes(&bytes, &rel) {
            Err(e) => {
                // Only files without timestamped records may fail, and then with a clear reason.
                if records > 0 {
                    problems.push(format!(
                        "{rel}: failed ({e}) but the SDK read {records} records"
                    ));
                }
            }
            Ok(d) => {
                let t = totals(&d.value);
                // Samples dated years away from the rest (a corrupt record) are dropped with a warning.
                let dropped: usize = d
                    .warnings
                    .iter()
                    .filter(|w| w.code == "time_outlier")
                    .filter_map(|w| w.message.split_whitespace().next()?.parse::<usize>().ok())
                    .sum();
                // Where the SDK stopped early, hrdrift must keep at least what it kept.
                let ok_count = if sdk_clean {
                    t.samples == records
                } else {
                    t.samples + dropped >= records
                };
                if !ok_count {
                    problems.push(format!(
                        "{rel}: {} samples, SDK {records} (clean: {sdk_clean})",
                        t.samples
                    ));
                }
                if sdk_clean && records > 0 {
                    // The model reads an HR of 0 as missing; the SDK counts it, and it adds 0 to the sum.
                    let hr_sum = exp["hr_sum"].as_f64().unwrap_or(0.0);
                    if !close(t.hr_sum, hr_sum)
                        || t.hr_count > exp["hr_count"].as_u64().unwrap_or(0) as usize
                    {
                        problems.push(format!(
                            "{rel}: hr {} / {} vs SDK {} / {hr_sum}",
                            t.hr_count, t.hr_sum, exp["hr_count"]
                        ));
                    }
                    time_span(&rel, &t, &exp, &mut problems);
                    last_distance(&rel, &t, &exp, &mut problems);
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 35, "only {checked} FIT fixtures decoded");
    assert_no_problems(&problems);
}

#[test]
fn a_corrupt_record_dated_decades_ahead_is_dropped() {
    // The Strava app file ends in a damaged record: speed 38.9 m/s, dated 2085, after a run on 2021-09-27.
    let rel = "fit/python-fitparse/strava-android-app-201.10-b1218918.fit";
    let d = decode_bytes(&fixture(rel), rel).expect("decodes");
    let last = *d.value[0].samples.timestamp_ms.last().expect("samples");
    assert!(rfc3339(last).starts_with("2021-09-27"), "{}", rfc3339(last));
    assert!(
        d.warnings.iter().any(|w| w.code == "time_outlier"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn compressed_speed_distance_accumulates_like_the_sdk() {
    // The SDK's decoder refuses compressed timestamps; python-fitparse reads them and gives the
    // accumulated distances 0, 14.25, 18.875, 25.1875, 42.0 (fitparser alone sums to 33.125).
    let exp = &expected("fit")["fit/python-fitparse/compressed-speed-distance.fit"]["fitparse"];
    let d = decode_bytes(
        &fixture("fit/python-fitparse/compressed-speed-distance.fit"),
        "csd.fit",
    )
    .expect("decodes");
    let a = &d.value[0];
    let dist: Vec<f64> = a
        .samples
        .distance_m
        .as_ref()
        .expect("distance")
        .iter()
        .flatten()
        .take(5)
        .copied()
        .collect();
    let want: Vec<f64> = exp["distances_first5"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert_eq!(dist, want);
    let last = a
        .samples
        .distance_m
        .as_ref()
        .and_then(|d| d.iter().rev().flatten().next().copied());
    assert_eq!(last, exp["last_distance_m"].as_f64());
    assert_eq!(
        a.samples.len(),
        exp["records"].as_u64().expect("count") as usize
    );
    assert!(
        d.warnings.iter().any(|w| w.code == "relative_time"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn truncated_file_keeps_every_good_record() {
    // nick.fit is cut mid-message: fitparser's from_bytes loses all 14,391 records.
    let d = decode_bytes(&fixture("fit/python-fitparse/nick.fit"), "nick.fit")
        .expect("keeps the good part");
    assert_eq!(
        d.value.iter().map(|a| a.samples.len()).sum::<usize>(),
        14_391
    );
    assert!(
        d.warnings.iter().any(|w| w.code == "truncated"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn multisport_file_gives_one_activity_per_session() {
    let d = decode_bytes(
        &fixture("fit/python-fitparse/activity-large-fenxi2-multisport.fit"),
        "m.fit",
    )
    .expect("decodes");
    let sports: Vec<_> = d
        .value
        .iter()
        .map(|a| a.sport.clone().unwrap_or_default())
        .collect();
    assert!(
        sports.iter().filter(|s| *s == "running").count() >= 2,
        "{sports:?}"
    );
    assert!(sports.contains(&"cycling".to_owned()), "{sports:?}");
    let ids: std::collections::HashSet<_> = d.value.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids.len(), d.value.len(), "ids are unique");
    // Each leg is one of the Garmin SDK's sessions: its sport, and its first record at or
    // after the session's start (the watch writes the start, then the first record).
    let want = &expected("fit")["fit/python-fitparse/activity-large-fenxi2-multisport.fit"];
    let sdk_sports: Vec<&str> = want["sports"]
        .as_array()
        .expect("sports")
        .iter()
        .map(|v| v.as_str().unwrap_or_default())
        .collect();
    let starts: Vec<&str> = want["session_starts"]
        .as_array()
        .expect("session starts")
        .iter()
        .map(|v| v.as_str().expect("a start"))
        .collect();
    assert_eq!(sports, sdk_sports);
    assert_eq!(d.value.len(), starts.len());
    for (k, (a, start)) in d.value.iter().zip(&starts).enumerate() {
        let next = starts.get(k + 1).copied();
        if k == 0 {
            // 45 min of records (6.3 km) come before the first session's start: kept with the
            // first leg rather than lost.
            assert!(rfc3339(a.start_ms).as_str() <= *start, "leg 0");
        } else {
            assert_eq!(rfc3339(a.start_ms), *start, "leg {k}");
            let first = a.samples.timestamp_ms.first().copied();
            assert!(
                first.is_none_or(|f| rfc3339(f).as_str() >= *start),
                "leg {k} starts before its session"
            );
        }
        if let (Some(next), Some(last)) = (next, a.samples.timestamp_ms.last()) {
            assert!(
                rfc3339(*last).as_str() < next,
                "leg {k} runs into the next session"
            );
        }
    }
}

#[test]
fn crc_mismatch_is_a_warning_not_a_failure() {
    let d = decode_bytes(
        &fixture("fit/python-fitparse/activity-filecrc.fit"),
        "crc.fit",
    )
    .expect("decodes");
    assert!(
        d.warnings.iter().any(|w| w.code == "crc_mismatch"),
        "{:?}",
        d.warnings
    );
    assert!(d.value[0].samples.len() >= 14);
}

#[test]
fn odd_field_sizes_are_warned_about_and_decoded() {
    let rel = "fit/python-fitparse/coros-pace-2-cycling-misaligned-fields.fit";
    let d = decode_bytes(&fixture(rel), rel).expect("decodes");
    assert!(
        d.warnings.iter().any(|w| w.code == "odd_field_size"),
        "{:?}",
        d.warnings
    );
    let exp = &expected("fit")[rel];
    assert_eq!(
        d.value.iter().map(|a| a.samples.len()).sum::<usize>() as u64,
        exp["records_with_timestamp"].as_u64().expect("n")
    );
}

#[test]
fn developer_fields_and_rr_intervals_are_kept() {
    let mut with_dev = 0;
    let mut rr_checked = 0;
    for (rel, exp) in expected("fit") {
        let Ok(d) = decode_bytes(&fixture(&rel), &rel) else {
            continue;
        };
        let names: std::collections::BTreeSet<String> = d
            .value
            .iter()
            .flat_map(|a| a.samples.developer.iter().map(|c| c.name.clone()))
            .collect();
        let want: std::collections::BTreeSet<String> = exp["developer_fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if !want.is_empty() && exp["records_with_timestamp"].as_u64().unwrap_or(0) > 0 {
            assert!(
                want.is_subset(&names) || names.is_superset(&want),
                "{rel}: developer fields {names:?} vs SDK {want:?}"
            );
            with_dev += 1;
        }
        let rr: usize = d.value.iter().map(|a| a.rr_ms.len()).sum();
        let want_rr = exp["hrv_values"].as_u64().unwrap_or(0) as usize;
        if want_rr > 0 {
            assert_eq!(rr, want_rr, "{rel}: RR intervals");
            rr_checked += 1;
        }
        // Each interval is anchored to the last record before its hrv message: as many
        // anchors as intervals, in order, inside the activity, and more than one time (the
        // messages are spread over the recording, not all at its start).
        for a in &d.value {
            if a.rr_ms.is_empty() {
                continue;
            }
            let ts = &a.samples.timestamp_ms;
            let (first, last) = (ts.iter().min().copied(), ts.iter().max().copied());
            let (first, last) = (first.unwrap_or(a.start_ms), last.unwrap_or(a.start_ms));
            assert_eq!(a.rr_anchor_ms.len(), a.rr_ms.len(), "{rel}: anchors");
            assert!(a.rr_anchor_ms.is_sorted(), "{rel}: anchors out of order");
            assert!(
                a.rr_anchor_ms
                    .iter()
                    .all(|t| (a.start_ms.min(first)..=last).contains(t)),
                "{rel}: an anchor outside the activity"
            );
            let distinct: std::collections::HashSet<i64> = a.rr_anchor_ms.iter().copied().collect();
            assert!(
                distinct.len() > 1 || a.samples.len() < 2,
                "{rel}: one anchor for all"
            );
        }
    }
    assert!(
        with_dev >= 1,
        "no fixture with developer fields was checked"
    );
    let _ = rr_checked;
}

#[test]
fn timestamps_are_utc_whatever_the_local_zone() {
    // Decode in a child process with TZ set far from UTC; the first timestamp must not move.
    if std::env::var("HRDRIFT_TZ_CHILD").is_ok() {
        let d = decode_bytes(
            &fixture("fit/python-fitparse/garmin-fenix-5-run.fit"),
            "f.fit",
        )
        .expect("decodes");
        println!(
            "FIRST={} OFFSET={:?}",
            d.value[0].samples.timestamp_ms[0], d.value[0].utc_offset_s
        );
        return;
    }
    let exe = std::env::current_exe().expect("test binary");
    let run = |tz: &str| {
        let out = std::process::Command::new(&exe)
            .args([
                "fixtures::timestamps_are_utc_whatever_the_local_zone",
                "--exact",
                "--nocapture",
            ])
            .env("HRDRIFT_TZ_CHILD", "1")
            .env("TZ", tz)
            .output()
            .expect("child runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.lines()
            .find(|l| l.starts_with("FIRST="))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no output: {text}"))
    };
    let utc = run("UTC");
    assert_eq!(utc, run("Asia/Kolkata"));
    assert_eq!(utc, run("America/Los_Angeles"));
    let exp = &expected("fit")["fit/python-fitparse/garmin-fenix-5-run.fit"];
    let first = exp["first_timestamp"].as_str().expect("timestamp");
    let ms: i64 = utc
        .split_whitespace()
        .next()
        .and_then(|f| f.strip_prefix("FIRST="))
        .and_then(|v| v.parse().ok())
        .expect("number");
    assert_eq!(rfc3339(ms), first);
}

#[test]
fn gpx_fixtures_match_gpxpy() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (rel, exp) in expected("gpx") {
        let with_time = exp["points_with_time"].as_u64().unwrap_or(0) as usize;
        match decode_bytes(&fixture(&rel), &rel) {
            Err(e) => {
                if with_time > 0 {
                    problems.push(format!(
                        "{rel}: failed ({e}) but gpxpy read {with_time} timed points"
                    ));
                }
            }
            Ok(d) => {
                let t = totals(&d.value);
                if t.samples != with_time {
                    problems.push(format!("{rel}: {} samples vs {with_time}", t.samples));
                }
                let hr_sum = exp["hr_sum"].as_f64().unwrap_or(0.0);
                if !close(t.hr_sum, hr_sum) {
                    problems.push(format!("{rel}: hr sum {} vs {hr_sum}", t.hr_sum));
                }
                cadence_count(&rel, &t, &exp, &mut problems);
                time_span(&rel, &t, &exp, &mut problems);
                checked += 1;
            }
        }
    }
    assert!(checked >= 90, "only {checked} GPX fixtures decoded");
    assert_no_problems(&problems);
}

#[test]
fn tcx_fixtures_match_elementtree() {
    let mut problems = Vec::new();
    for (rel, exp) in expected("tcx") {
        let with_time = exp["trackpoints_with_time"].as_u64().unwrap_or(0) as usize;
        match decode_bytes(&fixture(&rel), &rel) {
            Err(e) => {
                if exp.get("parse_error").is_none() {
                    problems.push(format!("{rel}: failed ({e})"));
                }
            }
            Ok(d) => {
                if exp.get("parse_error").is_some() {
                    // Malformed XML with points before the fault: kept, with a warning.
                    assert!(
                        d.warnings.iter().any(|w| w.code == "truncated"),
                        "{rel}: {:?}",
                        d.warnings
                    );
                    continue;
                }
                let t = totals(&d.value);
                if t.samples != with_time {
                    problems.push(format!("{rel}: {} samples vs {with_time}", t.samples));
                }
                let hr_sum = exp["hr_sum"].as_f64().unwrap_or(0.0);
                if !close(t.hr_sum, hr_sum)
                    || t.hr_count != exp["hr_count"].as_u64().unwrap_or(0) as usize
                {
                    problems.push(format!(
                        "{rel}: hr {} / {} vs {} / {hr_sum}",
                        t.hr_count, t.hr_sum, exp["hr_count"]
                    ));
                }
                cadence_count(&rel, &t, &exp, &mut problems);
                time_span(&rel, &t, &exp, &mut problems);
                last_distance(&rel, &t, &exp, &mut problems);
            }
        }
    }
    assert_no_problems(&problems);
}

//! The HRV fields (METRICS.md section 5) against an independent implementation:
//! `tests/expected/hrv/hrv.json`, written by `tests/expected/hrv/gen_hrv.py` (Python, from
//! docs/METRICS.md section 5 and the Garmin SDK's decoding, see its README), on every file in the
//! repository with beat-to-beat intervals: the four real fixtures (all absent, with the same
//! reasons) and the synthetic athlete's six files with beats. rMSSD within 2 %, mean alpha1
//! within 0.03, its drift within 0.05, beats and artifacts alike, absence and reasons the same.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hrdrift_analytics::{ActivityContext, ActivityMetrics, AthleteSettings, compute};
use hrdrift_ingest::source::{Found, Limits, expand_file};
use serde_json::Value;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every activity file below `path` (a file or a zip), by name.
fn inputs(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = Mutex::new(BTreeMap::new());
    expand_file(path, &Limits::default(), &|f| {
        if let Found::Input(i) = f {
            out.lock().unwrap().insert(i.name, i.bytes);
        }
    });
    out.into_inner().unwrap()
}

fn metrics_of(bytes: &[u8], name: &str) -> ActivityMetrics {
    let d = hrdrift_ingest::decode_bytes(bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    compute(
        &d.value[0],
        &AthleteSettings::default(),
        &ActivityContext::default(),
    )
}

#[test]
fn hrv_fields_agree_with_the_independent_python_reference() {
    let p = repo_root().join("tests/expected/hrv/hrv.json");
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).expect("hrv.json");
    let files = reference["files"].as_object().expect("files");
    assert_eq!(files.len(), 10, "four fixtures and six synthetic files");
    let zip = repo_root().join("data/synthetic/athlete-2025.zip");
    let members = inputs(&zip);
    let mut failures = Vec::new();
    let mut valued = 0;
    for (key, want) in files {
        let m = match key.split_once("!/") {
            Some((_, member)) => {
                let name = members
                    .keys()
                    .find(|n| n.ends_with(member))
                    .unwrap_or_else(|| panic!("{member} not in {}", zip.display()));
                metrics_of(&members[name], name)
            }
            None => {
                let bytes = std::fs::read(repo_root().join(key)).unwrap();
                metrics_of(&bytes, key)
            }
        };
        let mut check = |what: &str, ok: bool, got: String, exp: String| {
            if !ok {
                failures.push(format!("{key}: {what} {got}, reference {exp}"));
            }
        };
        let beats = want["rr_beats"].as_f64().unwrap();
        #[expect(clippy::cast_precision_loss, reason = "beat counts")]
        let rr = m.rr_beats as f64;
        check(
            "rr_beats",
            (rr - beats).abs() <= 0.01 * beats,
            rr.to_string(),
            beats.to_string(),
        );
        let pct = want["rr_artifact_pct"].as_f64();
        check(
            "rr_artifact_pct",
            match (m.rr_artifact_pct, pct) {
                (Some(a), Some(b)) => (a - b).abs() <= 0.5,
                (a, b) => a == b,
            },
            format!("{:?}", m.rr_artifact_pct),
            format!("{pct:?}"),
        );
        for (field, got, tol, relative) in [
            ("rmssd_ms", m.rmssd_ms, 0.02, true),
            ("dfa_a1_mean", m.dfa_a1_mean, 0.03, false),
            ("a1_drift", m.a1_drift, 0.05, false),
        ] {
            let exp = want[field].as_f64();
            let ok = match (got, exp) {
                (Some(a), Some(b)) => {
                    valued += 1;
                    let bound = if relative { tol * b.abs() } else { tol };
                    (a - b).abs() <= bound
                }
                (None, None) => {
                    let why = m.absent.get(field).map(String::as_str);
                    why == want["absent"][field].as_str()
                }
                _ => false,
            };
            check(
                field,
                ok,
                format!("{got:?} ({:?})", m.absent.get(field)),
                format!("{exp:?} ({})", want["absent"][field]),
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(valued, 18, "the six synthetic files have all three values");
}

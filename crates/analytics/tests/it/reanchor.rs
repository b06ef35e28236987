//! Re-anchoring a row from its summary gives, to the bit, what `analyze` gives from the samples.

use std::path::{Path, PathBuf};

use hrdrift_analytics::{
    ActivityContext, ActivityMetrics, AthleteSettings, HrPool, HrSummary, Sex, ZoneModel, analyze,
    reanchor,
};
use hrdrift_ingest::{Activity, decode_bytes};

use crate::fixtures::Run;

pub(crate) fn fixture_activities() -> Vec<(String, Activity)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<PathBuf> = ["fit", "gpx", "tcx"]
        .iter()
        .flat_map(|d| walk(&root.join(d)))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        if let Ok(d) = decode_bytes(&bytes, &f.to_string_lossy()) {
            for a in d.value {
                out.push((f.display().to_string(), a));
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Settings that differ in everything the anchor-dependent metrics use, and in nothing else.
fn variants() -> Vec<AthleteSettings> {
    let none = AthleteSettings::default();
    let mut estimated = AthleteSettings {
        hr_max: Some(186.0),
        hr_rest: Some(52.0),
        lthr: Some(165.0),
        ..none.clone()
    };
    estimated.estimated.hr_max = true;
    estimated.estimated.lthr = true;
    let configured = AthleteSettings {
        hr_max: Some(192.0),
        hr_rest: Some(48.0),
        lthr: Some(171.0),
        sex: Sex::Male,
        ..none.clone()
    };
    vec![
        none.clone(),
        estimated,
        configured.clone(),
        AthleteSettings {
            sex: Sex::Female,
            zone_model: ZoneModel::Karvonen,
            ..configured.clone()
        },
        AthleteSettings {
            zone_model: ZoneModel::PctHrMax,
            hr_max_zone_bounds: [0.55, 0.65, 0.75, 0.85],
            seiler_s2_from_lthr: 0.85,
            seiler_s3_from_lthr: 1.02,
            ..configured.clone()
        },
        AthleteSettings {
            hard_s3_s: 60.0,
            hard_s2_s3_s: 300.0,
            easy_s1_share: 0.6,
            lthr: Some(140.0),
            ..configured
        },
        // Only the anchor that zones need is missing.
        AthleteSettings {
            lthr: Some(160.0),
            ..none
        },
    ]
}

/// Through the JSON the store keeps.
fn stored(m: &ActivityMetrics) -> ActivityMetrics {
    serde_json::from_str(&serde_json::to_string(m).unwrap()).unwrap()
}

fn check(name: &str, a: &Activity, compared: &mut usize, anchored: &mut usize) {
    let ctx = ActivityContext::default();
    let settings = variants();
    for from in &settings {
        let first = analyze(a, from, &ctx);
        let summary = HrSummary::from_json(&first.summary.to_json()).unwrap();
        assert_eq!(summary, first.summary, "{name}: the summary's stored form");
        assert_eq!(
            HrPool::from_summary(&summary),
            HrPool::of(a, from),
            "{name}: the pool from the summary"
        );
        for to in &settings {
            let want = analyze(a, to, &ctx).metrics;
            let mut got = stored(&first.metrics);
            assert!(reanchor(&mut got, &summary, to), "{name}");
            assert_eq!(stored(&got), stored(&want), "{name}: {from:?} -> {to:?}");
            *compared += 1;
            *anchored += usize::from(want.trimp.is_some() && want.hr_class.is_some());
        }
    }
}

#[test]
fn reanchored_metrics_equal_those_computed_from_the_samples() {
    let (mut compared, mut anchored) = (0, 0);
    let acts = fixture_activities();
    assert!(acts.len() >= 40, "{}", acts.len());
    for (name, a) in &acts {
        check(name, a, &mut compared, &mut anchored);
    }
    // Recorded every 7 s with HR changing every second: cleaning interpolates, so the HR
    // values are fractions, not the whole bpm a watch records.
    let mut smart = Run::new(
        2 * 3600,
        |s| Some(120.0 + (s % 900) as f64 / 15.0 + (s / 1200) as f64 * 3.0),
        |s| Some(2.8 + (s % 600) as f64 / 600.0),
    );
    let keep: Vec<bool> = (0..smart.ts.len()).map(|i| i % 7 == 0).collect();
    for v in [&mut smart.hr, &mut smart.speed] {
        let mut k = keep.iter();
        v.retain(|_| *k.next().unwrap());
    }
    let mut k = keep.iter();
    smart.ts.retain(|_| *k.next().unwrap());
    let smart = smart.activity();
    let summary = analyze(
        &smart,
        &AthleteSettings::default(),
        &ActivityContext::default(),
    )
    .summary
    .to_json();
    let stored: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert!(
        stored["bpm"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h.as_f64().unwrap().fract() != 0.0),
        "fractional HR values: {summary}"
    );
    check("smart recording", &smart, &mut compared, &mut anchored);
    assert!(anchored > 100, "{anchored} of {compared}");
}

#[test]
fn a_summary_made_under_other_cleaning_or_warm_up_is_refused() {
    let ctx = ActivityContext::default();
    let a = Run::new(3600, |s| Some(140.0 + (s / 600) as f64), |_| Some(3.0)).activity();
    let base = AthleteSettings {
        hr_max: Some(190.0),
        hr_rest: Some(50.0),
        lthr: Some(170.0),
        ..AthleteSettings::default()
    };
    let first = analyze(&a, &base, &ctx);
    for other in [
        AthleteSettings {
            warmup_s: 300.0,
            ..base.clone()
        },
        AthleteSettings {
            hr_valid_max_bpm: 200.0,
            ..base.clone()
        },
    ] {
        let mut m = first.metrics.clone();
        assert!(!reanchor(&mut m, &first.summary, &other));
        assert_eq!(m, first.metrics);
    }
    let good = r#"{"version":2,"fingerprint":"x","running":true,"bpm":[140.0],"seconds":[1],"steady_seconds":[1]}"#;
    assert!(HrSummary::from_json(good).is_some());
    assert_eq!(HrSummary::fingerprint_of(good).as_deref(), Some("x"));
    for bad in [
        "",
        "v1;x;1;;;140:1:1",
        &good.replace(r#""version":2"#, r#""version":1"#),
        &good.replace("[140.0]", "[140.0,141.0]"),
        &good.replace(r#""running":true"#, r#""running":true,"hr_gate":"nope""#),
        &good.replace(r#""steady_seconds":[1]"#, r#""steady_seconds":[2]"#),
    ] {
        assert!(HrSummary::from_json(bad).is_none(), "{bad}");
    }
    assert_eq!(
        HrSummary::fingerprint_of(&good.replace(r#""version":2"#, r#""version":1"#)),
        None
    );
}

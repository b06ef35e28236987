//! The JSON shape of a metrics row.

use hrdrift_analytics::{ActivityContext, compute};

use crate::fixtures::{Run, settings};

#[test]
fn json_field_names() {
    let a = Run::new(4200, |_| Some(150.0), |_| Some(3.0)).activity();
    let s = hrdrift_analytics::AthleteSettings {
        threshold_pace: Some(hrdrift_analytics::Pace::parse("4:10/km").unwrap()),
        ..settings()
    };
    let m = compute(&a, &s, &ActivityContext::default());
    let v = serde_json::to_value(&m).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "id",
        "start",
        "sport",
        "class",
        "long",
        "moving_s",
        "distance_m",
        "avg_hr",
        "ef",
        "decoupling_pct",
        "drift_bpm_per_h",
        "drift_adj_bpm_per_h",
        "drift_pct",
        "trimp",
        "hrtss",
        "zones_s",
        "flags",
        "absent",
        "coverage",
        "s_zones_s",
        "gap_speed_m_s",
        "settings_used",
        "hr_class",
        "class_basis",
        "threshold_speed_m_s",
        "threshold_source",
        "p_zones_s",
        "fast_reps",
        "walk_share",
        "decoupling_quality",
        "effort",
        "rr_beats",
        "rr_artifact_pct",
        "rmssd_ms",
        "dfa_a1_mean",
        "a1_drift",
        "aet_hr_bpm",
    ] {
        assert!(keys.contains(&k), "missing {k} in {keys:?}");
    }
    assert_eq!(v["start"], "2024-05-01T06:00:00Z");
    assert_eq!(v["class"], "easy");
    assert_eq!(v["hr_class"], "easy");
    assert_eq!(v["class_basis"], "pace");
    assert_eq!(v["threshold_source"], "configured");
    assert_eq!(v["decoupling_quality"], "steady");
    assert_eq!(v["effort"]["best_gap_m_s"].as_array().unwrap().len(), 7);
    assert_eq!(v["sport"], "running");
    assert_eq!(v["zones_s"].as_array().unwrap().len(), 5);
    assert_eq!(v["s_zones_s"].as_array().unwrap().len(), 3);
    // 70 min is under the 75 min a long run needs, whatever the history.
    assert_eq!(v["long"], false);
    assert!(crate::fixtures::absent_but_beats(&m).is_empty());
    assert_eq!(v["rr_beats"], 0);
    assert_eq!(v["settings_used"]["lthr"], 170.0);
    let back: hrdrift_analytics::ActivityMetrics = serde_json::from_value(v).unwrap();
    assert_eq!(back, m);
}

#[test]
fn settings_round_trip_through_toml() {
    let s = settings();
    let text = toml::to_string(&s).unwrap();
    let back: hrdrift_analytics::AthleteSettings = toml::from_str(&text).unwrap();
    assert_eq!(back, s);
    let partial: hrdrift_analytics::AthleteSettings = toml::from_str(
        "lthr = 168.0\nsex = \"female\"\nzone_model = \"pct_hr_max\"\nwarmup_s = 900.0\n",
    )
    .unwrap();
    assert_eq!(partial.lthr, Some(168.0));
    assert_eq!(partial.zone_model, hrdrift_analytics::ZoneModel::PctHrMax);
    assert_eq!(partial.warmup_s, 900.0);
    assert_eq!(partial.spike_bpm, 25.0);
    assert!(toml::from_str::<hrdrift_analytics::AthleteSettings>("lthr_bpm = 168.0").is_err());
}

//! A strap's stored HR (`hr` messages) merged into a pool swim's records as the official Garmin
//! FIT SDK merges it (METRICS.md 7): `tests/expected/swim_hr.json`, written by
//! `tests/expected/gen_swim_hr.py` with the SDK's `merge_heart_rates`, record by record.

use crate::fixtures_dir;

#[test]
fn a_swims_strap_hr_is_the_official_sdks_record_by_record() {
    let root = fixtures_dir().join("..");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("expected/swim_hr.json")).expect("swim_hr.json"),
    )
    .expect("JSON");
    let rel = expected["file"].as_str().expect("file");
    let bytes = std::fs::read(fixtures_dir().join(rel)).expect("fixture");
    let d = hrdrift_ingest::decode_bytes(&bytes, rel).expect("decodes");
    let a = &d.value[0];
    let hr = a
        .samples
        .heart_rate_bpm
        .as_ref()
        .expect("an HR channel from the strap");
    // Records in file order, as the SDK lists them (13 seconds hold two or three records each,
    // which the SDK gives different means: a time cannot key the comparison).
    let ours: Vec<(i64, Option<f64>)> = a
        .samples
        .timestamp_ms
        .iter()
        .zip(hr)
        .map(|(t, h)| (t / 1000, *h))
        .collect();
    let sdk: Vec<(i64, Option<f64>)> = expected["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| (r[0].as_i64().expect("time"), r[1].as_f64()))
        .collect();
    assert_eq!(ours.len(), sdk.len(), "every record kept, in order");
    let mut compared = 0;
    let mut differ = Vec::new();
    for (o, s) in ours.iter().zip(&sdk) {
        assert_eq!(o.0, s.0, "the same record");
        compared += 1;
        if o.1 != s.1 {
            differ.push(format!("{}: {:?} vs SDK {:?}", o.0, o.1, s.1));
        }
    }
    assert!(compared >= 3400, "{compared} records compared");
    assert!(
        differ.is_empty(),
        "{} of {compared} differ: {:?}",
        differ.len(),
        &differ[..differ.len().min(10)]
    );
}

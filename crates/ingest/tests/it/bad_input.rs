//! Damaged and hostile input: a clear error naming the cause, never a panic, and the data before
//! the damage kept where the format allows.

use hrdrift_ingest::{DecodeError, decode_bytes};

use crate::fixture;

const RUN: &str = "fit/runpandas/run.fit";

fn samples(d: &hrdrift_ingest::Decoded<Vec<hrdrift_ingest::Activity>>) -> usize {
    d.value.iter().map(|a| a.samples.len()).sum()
}

#[test]
fn empty_file() {
    assert!(matches!(
        decode_bytes(b"", "x.fit"),
        Err(DecodeError::Empty)
    ));
}

#[test]
fn random_bytes_named_fit_say_what_they_are_not() {
    let bytes: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let e = decode_bytes(&bytes, "watch.fit").expect_err("not FIT");
    assert!(matches!(e, DecodeError::UnknownFormat { .. }));
    assert!(
        e.to_string().contains("named .fit but has no FIT header"),
        "{e}"
    );
}

#[test]
fn fit_truncated_anywhere_keeps_what_came_before() {
    let full = fixture(RUN);
    let whole = samples(&decode_bytes(&full, "f.fit").expect("decodes"));
    let mut kept_some = 0;
    for cut in (1..full.len()).step_by(full.len() / 97 + 1) {
        match decode_bytes(&full[..cut], "f.fit") {
            Ok(d) => {
                let n = samples(&d);
                assert!(n <= whole);
                assert!(
                    d.warnings.iter().any(|w| w.code == "truncated"),
                    "cut at {cut}: {:?}",
                    d.warnings
                );
                kept_some += usize::from(n > 0);
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    assert!(kept_some > 50, "most cuts keep samples, got {kept_some}");
    // Cut 40 % into the file: at least a third of the records are kept.
    let d = decode_bytes(&full[..full.len() * 2 / 5], "f.fit").expect("keeps the good part");
    assert!(samples(&d) * 3 >= whole, "{} of {whole}", samples(&d));
}

#[test]
fn flipped_bytes_never_panic() {
    let full = fixture(RUN);
    for i in (14..full.len()).step_by(full.len() / 150) {
        let mut b = full.clone();
        b[i] ^= 0xA5;
        if let Ok(d) = decode_bytes(&b, "f.fit") {
            for a in &d.value {
                assert_eq!(a.samples.timestamp_ms.len(), a.samples.len());
            }
        }
    }
}

#[test]
fn data_crc_mismatch_is_kept_with_a_warning() {
    let mut b = fixture(RUN);
    let n = b.len();
    b[n - 1] ^= 0xFF;
    let d = decode_bytes(&b, "f.fit").expect("decodes");
    assert!(d.warnings.iter().any(|w| w.code == "crc_mismatch"));
    assert_eq!(
        samples(&d),
        samples(&decode_bytes(&fixture(RUN), "f.fit").expect("decodes"))
    );
}

#[test]
fn header_that_claims_more_data_than_there_is() {
    let mut b = fixture(RUN);
    let claimed = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) + 10_000;
    b[4..8].copy_from_slice(&claimed.to_le_bytes());
    // The header CRC no longer matches either; both are reported, the records kept.
    let d = decode_bytes(&b, "f.fit").expect("decodes");
    assert!(
        d.warnings.iter().any(|w| w.code == "truncated"),
        "{:?}",
        d.warnings
    );
    assert!(samples(&d) > 0);
}

#[test]
fn header_that_claims_no_data() {
    let d = decode_bytes(
        &fixture("fit/python-fitparse/activity-settings-nodata.fit"),
        "n.fit",
    );
    match d {
        Ok(d) => assert!(!d.warnings.is_empty()),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

#[test]
fn settings_file_is_not_an_activity() {
    let e = decode_bytes(&fixture("fit/python-fitparse/Settings.fit"), "s.fit")
        .expect_err("no samples");
    assert!(matches!(e, DecodeError::NotAnActivity(_)), "{e}");
}

#[test]
fn hr_sentinels_are_missing_values() {
    let gpx = br#"<gpx><trk><trkseg>
<trkpt lat="1" lon="1"><time>2020-01-01T00:00:00Z</time><extensions><hr>0</hr></extensions></trkpt>
<trkpt lat="1" lon="1"><time>2020-01-01T00:00:01Z</time><extensions><hr>140</hr></extensions></trkpt>
</trkseg></trk></gpx>"#;
    let d = decode_bytes(gpx, "x.gpx").expect("decodes");
    assert_eq!(
        d.value[0].samples.heart_rate_bpm.as_ref().expect("hr"),
        &vec![None, Some(140.0)]
    );
    assert!(d.warnings.iter().any(|w| w.code == "hr_zero"));
}

#[test]
fn malformed_xml_names_the_offset() {
    let e = decode_bytes(
        b"<?xml version=\"1.0\"?><gpx><trk><trkseg><trkpt lat=\"1\" lon=\"1\"></gpx>",
        "bad.gpx",
    )
    .expect_err("broken");
    assert!(e.to_string().contains("byte"), "{e}");
}

#[test]
fn gpx_with_bom_and_whitespace_before_the_declaration() {
    let body = fixture("gpx/runpandas/run.gpx");
    let mut b = b"\xEF\xBB\xBF \n\t".to_vec();
    b.extend_from_slice(&body);
    assert_eq!(
        samples(&decode_bytes(&b, "bom.gpx").expect("decodes")),
        samples(&decode_bytes(&body, "plain.gpx").expect("decodes"))
    );
}

#[test]
fn gpx_route_is_not_an_activity() {
    let e = decode_bytes(&fixture("gpx/gpxpy/route.gpx"), "route.gpx").expect_err("a route");
    assert!(matches!(e, DecodeError::NotAnActivity(_)), "{e}");
}

/// A FIT header (14 bytes, CRC left 0 as the spec allows) announcing `data_len` bytes.
fn fit_header(data_len: u32) -> Vec<u8> {
    let mut h = vec![14u8, 0x20, 0x08, 0x08];
    h.extend_from_slice(&data_len.to_le_bytes());
    h.extend_from_slice(b".FIT");
    h.extend_from_slice(&[0, 0]);
    h
}

#[test]
fn odd_field_sizes_never_reach_stderr() {
    // fitparser prints "ERROR: field size ..." for such definitions; hrdrift rewrites them first
    // (found by the FIT fuzz target when the definition itself was cut short).
    let whole_def = [0x40u8, 0, 0, 20, 0, 2, 0, 127, 0x88, 1, 1, 0x02];
    let mut complete = fit_header(whole_def.len() as u32);
    complete.extend_from_slice(&whole_def);
    let mut cut = fit_header(64);
    cut.extend_from_slice(&whole_def[..9]);
    if std::env::var("HRDRIFT_STDERR_CHILD").is_ok() {
        for bytes in [
            &complete,
            &cut,
            &fixture("fit/python-fitparse/coros-pace-2-cycling-misaligned-fields.fit"),
        ] {
            let _ = decode_bytes(bytes, "odd.fit");
        }
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "bad_input::odd_field_sizes_never_reach_stderr",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HRDRIFT_STDERR_CHILD", "1")
        .output()
        .expect("child runs");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("field size"),
        "fitparser's own message leaked: {err}"
    );
    let d = decode_bytes(&complete, "odd.fit");
    assert!(
        matches!(d, Err(DecodeError::NoSamples(_) | DecodeError::Fit { .. })),
        "{d:?}"
    );
}

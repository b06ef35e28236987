//! FIT files decoded by `fitparser` (with CRC checks on): values, counts and timestamps.

use chrono::{DateTime, Utc};
use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};
use hrdrift_synth::fit_encode::{self as fe, ActivityEncoder};

use crate::default_athlete;

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Byte(x) | Value::Enum(x) | Value::UInt8(x) | Value::UInt8z(x) => Some(f64::from(*x)),
        Value::SInt8(x) => Some(f64::from(*x)),
        Value::SInt16(x) => Some(f64::from(*x)),
        Value::UInt16(x) | Value::UInt16z(x) => Some(f64::from(*x)),
        Value::SInt32(x) => Some(f64::from(*x)),
        Value::UInt32(x) | Value::UInt32z(x) => Some(f64::from(*x)),
        Value::Float32(x) => Some(f64::from(*x)),
        Value::Float64(x) => Some(*x),
        _ => None,
    }
}

fn field<'a>(r: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
    r.fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| f.value())
}

fn f64_field(r: &FitDataRecord, name: &str) -> Option<f64> {
    field(r, name).and_then(num)
}

fn utc_field(r: &FitDataRecord, name: &str) -> Option<DateTime<Utc>> {
    match field(r, name) {
        Some(Value::Timestamp(t)) => Some(t.with_timezone(&Utc)),
        _ => None,
    }
}

fn string_field(r: &FitDataRecord, name: &str) -> Option<String> {
    match field(r, name) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

type Pred = fn(&hrdrift_synth::ActivityTruth) -> bool;

fn decode(bytes: &[u8]) -> Vec<FitDataRecord> {
    // Plain `from_bytes` validates the header and file CRCs.
    fitparser::from_bytes(bytes).expect("fitparser decodes the file, CRCs included")
}

fn of_kind(msgs: &[FitDataRecord], kind: MesgNum) -> Vec<&FitDataRecord> {
    msgs.iter().filter(|m| m.kind() == kind).collect()
}

#[test]
fn hand_made_record_round_trips_with_scales_and_invalids() {
    let mut e = ActivityEncoder::new(Vec::new(), true);
    let t0 = fe::fit_time(1_750_000_000);
    e.file_id(&fe::FileId {
        product: 7,
        serial: 123_456,
        time_created: t0,
    });
    e.user_profile(&fe::UserProfile {
        gender: Some(fe::value::GENDER_FEMALE),
        resting_heart_rate: Some(47),
        max_running_heart_rate: Some(188),
        max_heart_rate: Some(191),
    });
    e.record(&fe::Record {
        timestamp: t0,
        lat_deg: Some(47.5),
        lon_deg: Some(-8.25),
        distance_m: Some(1234.56),
        speed_m_s: Some(3.456),
        altitude_m: Some(432.2),
        heart_rate: Some(151),
        cadence_spm: Some(171.0),
        temperature_c: Some(-3),
        stance_time_ms: Some(250.5),
        vertical_oscillation_mm: Some(85.3),
        step_length_mm: Some(1100.0),
    });
    // A record with everything missing except the timestamp.
    e.record(&fe::Record {
        timestamp: t0 + 1,
        ..fe::Record::default()
    });
    let msgs = decode(&e.finish());

    let fid = of_kind(&msgs, MesgNum::FileId)[0];
    assert_eq!(string_field(fid, "type").as_deref(), Some("activity"));
    assert_eq!(
        string_field(fid, "manufacturer").as_deref(),
        Some("development")
    );
    assert_eq!(f64_field(fid, "serial_number"), Some(123_456.0));

    let up = of_kind(&msgs, MesgNum::UserProfile)[0];
    assert_eq!(f64_field(up, "resting_heart_rate"), Some(47.0));
    assert_eq!(f64_field(up, "default_max_running_heart_rate"), Some(188.0));
    assert_eq!(f64_field(up, "default_max_heart_rate"), Some(191.0));
    assert_eq!(string_field(up, "gender").as_deref(), Some("female"));

    let recs = of_kind(&msgs, MesgNum::Record);
    assert_eq!(recs.len(), 2);
    let r = recs[0];
    let semi = 2_147_483_648.0 / 180.0;
    assert!((f64_field(r, "position_lat").expect("lat") / semi - 47.5).abs() < 1e-6);
    assert!((f64_field(r, "position_long").expect("lon") / semi + 8.25).abs() < 1e-6);
    assert!((f64_field(r, "distance").expect("distance") - 1234.56).abs() < 1e-9);
    assert!((f64_field(r, "enhanced_speed").expect("speed") - 3.456).abs() < 1e-9);
    assert!((f64_field(r, "enhanced_altitude").expect("altitude") - 432.2).abs() < 1e-9);
    assert_eq!(f64_field(r, "heart_rate"), Some(151.0));
    // 171 steps/min = 85.5 strides/min.
    assert_eq!(f64_field(r, "cadence"), Some(85.0));
    assert_eq!(f64_field(r, "fractional_cadence"), Some(0.5));
    assert_eq!(f64_field(r, "temperature"), Some(-3.0));
    assert!((f64_field(r, "stance_time").expect("stance") - 250.5).abs() < 1e-9);
    assert!((f64_field(r, "vertical_oscillation").expect("vo") - 85.3).abs() < 1e-9);
    assert!((f64_field(r, "step_length").expect("step") - 1100.0).abs() < 1e-9);
    assert_eq!(
        utc_field(r, "timestamp").map(|t| t.timestamp()),
        Some(1_750_000_000)
    );

    // Missing values are written as invalid, and a FIT reader drops them (never 0).
    let empty = recs[1];
    let names: Vec<&str> = empty.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, ["timestamp"]);
}

#[test]
fn generated_activities_decode_with_consistent_values() {
    let a = default_athlete();
    // A sample of activities that covers every recording option.
    let mut picks = Vec::new();
    let want: [(&str, Pred); 5] = [
        ("pauses", |t| t.pauses > 0),
        ("dynamics", |t| t.running_dynamics),
        ("hrv", |t| t.hrv),
        ("smart", |t| t.smart_recording),
        ("hard", |t| t.planned == hrdrift_synth::RunType::Hard),
    ];
    for (what, pred) in want {
        let t = a
            .truth
            .activities
            .iter()
            .find(|t| pred(t))
            .unwrap_or_else(|| panic!("no {what} activity"));
        picks.push(t.index);
    }

    for i in picks {
        let t = &a.truth.activities[i];
        let (bytes, stats) = a.encode_fit_into(i, Vec::new());
        let msgs = decode(&bytes);
        let recs = of_kind(&msgs, MesgNum::Record);
        assert_eq!(recs.len(), stats.records as usize, "{}", t.file);

        // Timestamps are UTC, start at the truth's start, never go back, end at its end.
        let times: Vec<DateTime<Utc>> = recs
            .iter()
            .map(|r| utc_field(r, "timestamp").expect("timestamp"))
            .collect();
        assert_eq!(times[0], t.start, "{}", t.file);
        assert_eq!(*times.last().expect("records"), t.end, "{}", t.file);
        assert!(times.windows(2).all(|w| w[1] > w[0]));
        if !t.smart_recording && t.pauses == 0 {
            assert_eq!(recs.len() as u32, t.moving_s + 1, "{}", t.file);
        }
        if t.smart_recording {
            let max_gap = times
                .windows(2)
                .map(|w| (w[1] - w[0]).num_seconds())
                .max()
                .unwrap_or(0);
            assert!(
                recs.len() < (t.moving_s as usize) * 3 / 4 && max_gap <= 4 + 120,
                "{}",
                t.file
            );
        }

        // Heart rate: plausible, never 0, dropouts absent rather than zero.
        let hr: Vec<Option<f64>> = recs.iter().map(|r| f64_field(r, "heart_rate")).collect();
        assert!(hr.iter().flatten().all(|&h| (30.0..=240.0).contains(&h)));
        if !t.smart_recording {
            assert_eq!(
                hr.iter().filter(|h| h.is_none()).count(),
                stats.hr_missing as usize,
                "{}",
                t.file
            );
        }
        if let (Some(mean), Some(_)) = (t.window_mean_hr_bpm, t.expected_e_bpm) {
            // Minutes 10-40 of the decoded HR against the noise-free truth (no pauses here).
            if t.pauses == 0 && !t.smart_recording {
                let w: Vec<f64> = hr[601..=2400]
                    .iter()
                    .flatten()
                    .copied()
                    .filter(|h| (h - mean).abs() < 25.0)
                    .collect();
                let m = w.iter().sum::<f64>() / w.len() as f64;
                assert!(
                    (m - mean).abs() < 1.0,
                    "{}: decoded {m} truth {mean}",
                    t.file
                );
            }
        }
        let dist = recs
            .iter()
            .filter_map(|r| f64_field(r, "distance"))
            .fold(0.0, f64::max);
        assert!((dist - t.distance_m).abs() < 0.02, "{}", t.file);
        if t.running_dynamics {
            assert!(recs.iter().all(|r| f64_field(r, "step_length").is_some()));
        } else {
            assert!(recs.iter().all(|r| field(r, "step_length").is_none()));
        }

        // Timer events: one start, and a stop/start pair per pause, one final stop.
        let events = of_kind(&msgs, MesgNum::Event);
        let stops = events
            .iter()
            .filter(|e| string_field(e, "event_type").as_deref() == Some("stop_all"))
            .count();
        let starts = events
            .iter()
            .filter(|e| string_field(e, "event_type").as_deref() == Some("start"))
            .count();
        assert_eq!((starts, stops), (1 + t.pauses, 1 + t.pauses), "{}", t.file);
        assert!(
            events
                .iter()
                .all(|e| string_field(e, "event").as_deref() == Some("timer"))
        );

        let session = of_kind(&msgs, MesgNum::Session);
        assert_eq!(session.len(), 1);
        let s = session[0];
        assert_eq!(string_field(s, "sport").as_deref(), Some("running"));
        assert_eq!(utc_field(s, "start_time"), Some(t.start));
        assert_eq!(
            f64_field(s, "total_elapsed_time"),
            Some(f64::from(t.elapsed_s))
        );
        assert_eq!(
            f64_field(s, "total_timer_time"),
            Some(f64::from(t.moving_s))
        );
        assert!((f64_field(s, "total_distance").expect("distance") - t.distance_m).abs() < 0.02);
        let avg_speed = f64_field(s, "enhanced_avg_speed").expect("avg speed");
        assert!(
            (avg_speed - t.distance_m / f64::from(t.moving_s)).abs() < 1e-3,
            "{}",
            t.file
        );
        let laps = of_kind(&msgs, MesgNum::Lap);
        assert_eq!(f64_field(s, "num_laps"), Some(laps.len() as f64));
        let lap_timer: f64 = laps
            .iter()
            .filter_map(|l| f64_field(l, "total_timer_time"))
            .sum();
        assert!(
            (lap_timer - f64::from(t.moving_s)).abs() < 1e-6,
            "{}",
            t.file
        );
        let avg = f64_field(s, "avg_heart_rate").expect("avg hr");
        let valid: Vec<f64> = hr.iter().flatten().copied().collect();
        if !t.smart_recording {
            let mean = valid.iter().sum::<f64>() / valid.len() as f64;
            assert!((avg - mean).abs() <= 0.5 + 1e-9, "{}", t.file);
        }
        assert!(
            f64_field(s, "max_heart_rate").expect("max hr")
                >= valid.iter().copied().fold(0.0, f64::max)
        );

        // The UTC offset comes back from activity.local_timestamp - activity.timestamp.
        let act = of_kind(&msgs, MesgNum::Activity)[0];
        let (Some(Value::Timestamp(local)), Some(Value::Timestamp(utc))) =
            (field(act, "local_timestamp"), field(act, "timestamp"))
        else {
            panic!("activity timestamps");
        };
        // fitparser anchors a FIT local timestamp at the Local zone's 1989-12-31, so its
        // naive local reading is the file's local wall-clock time (for zones without DST).
        let offset = (local.naive_local() - utc.naive_utc()).num_seconds();
        assert_eq!(offset, i64::from(t.utc_offset_s), "{}", t.file);

        let up = of_kind(&msgs, MesgNum::UserProfile)[0];
        assert_eq!(
            f64_field(up, "resting_heart_rate"),
            Some(a.truth.athlete.hr_rest)
        );

        let hrv = of_kind(&msgs, MesgNum::Hrv);
        if t.hrv {
            // Unused array slots carry the invalid value and decode as 65.535 s.
            let rr: Vec<f64> = hrv
                .iter()
                .filter_map(|m| match field(m, "time") {
                    Some(Value::Array(v)) => Some(
                        v.iter()
                            .filter_map(num)
                            .filter(|&x| x < 65.0)
                            .collect::<Vec<_>>(),
                    ),
                    _ => None,
                })
                .flatten()
                .collect();
            let beats_expected = valid.iter().sum::<f64>() / 60.0;
            assert!(
                (rr.len() as f64 - beats_expected).abs() < 0.05 * beats_expected,
                "{} {}",
                rr.len(),
                beats_expected
            );
            assert!(rr.iter().all(|&x| (0.25..1.5).contains(&x)));
        } else {
            assert!(hrv.is_empty());
        }
    }
}

#[test]
fn a_corrupted_byte_fails_the_crc_check() {
    let a = default_athlete();
    let mut bytes = a.encode_fit(0);
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    assert!(fitparser::from_bytes(&bytes).is_err());
}

const TZ_CHILD_ENV: &str = "HRDRIFT_SYNTH_TZ_CHILD";

/// fitparser returns `DateTime<Local>`; under a non-UTC zone the instants must still be the
/// truth's UTC instants. `set_var` is unsafe (and unsafe code is denied), so the test re-runs
/// itself in a child process with `TZ` set.
#[test]
fn timestamps_are_utc_under_a_non_utc_local_zone() {
    if std::env::var_os(TZ_CHILD_ENV).is_none() {
        let exe = std::env::current_exe().expect("test binary path");
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "fit_roundtrip::timestamps_are_utc_under_a_non_utc_local_zone",
                "--test-threads=1",
            ])
            .env(TZ_CHILD_ENV, "1")
            // POSIX TZ: 5 h 30 min west of UTC, no tz database needed.
            .env("TZ", "XST+5:30")
            .output()
            .expect("child test runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("1 passed"), "{stdout}");
        return;
    }
    // In the child: the zone really is not UTC...
    let off = chrono::Local::now().offset().local_minus_utc();
    assert_eq!(off, -(5 * 3600 + 1800));
    // ...and decoded instants still equal the truth.
    let a = default_athlete();
    let t = &a.truth.activities[3];
    let msgs = decode(&a.encode_fit(3));
    let recs = of_kind(&msgs, MesgNum::Record);
    assert_eq!(utc_field(recs[0], "timestamp"), Some(t.start));
    assert_eq!(
        recs.last().and_then(|r| utc_field(r, "timestamp")),
        Some(t.end)
    );
    let act = of_kind(&msgs, MesgNum::Activity)[0];
    let (Some(Value::Timestamp(local)), Some(Value::Timestamp(utc))) =
        (field(act, "local_timestamp"), field(act, "timestamp"))
    else {
        panic!("activity timestamps");
    };
    assert_eq!(
        (local.naive_local() - utc.naive_utc()).num_seconds(),
        i64::from(t.utc_offset_s)
    );
}

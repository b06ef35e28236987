//! Daily readings (issue 19) from FIT files the synthetic generator writes as a Garmin watch
//! keeps them, and how the runner felt from a session's `workout_feel` and `workout_rpe`.

use hrdrift_ingest::daily::{DailyReading, ReadingSource, decode_fit};
use hrdrift_ingest::{Contents, DecodeError, decode_contents};
use hrdrift_synth::fit_encode::{BaseType, FieldDef, FitWriter, fit_time};
use hrdrift_synth::mornings::{fit_files, mornings};

fn athlete() -> hrdrift_synth::Athlete {
    hrdrift_synth::generate(&hrdrift_synth::AthleteConfig::with_activities(4, 40))
}

#[test]
fn a_watchs_daily_files_read_back_to_the_models_values_on_their_local_day() {
    let a = athlete();
    let days = mornings(&a);
    assert!(days.len() > 40);
    for m in days.iter().step_by(5) {
        let files = fit_files(m, 50.0, 60.0);
        let mut got: Vec<DailyReading> = Vec::new();
        for (name, bytes) in &files {
            let d = decode_fit(bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(d.warnings.is_empty(), "{name}: {:?}", d.warnings);
            got.extend(d.value);
        }
        assert_eq!(got.len(), 3, "{got:?}");
        for r in &got {
            // 06:30 local: the UTC day may differ, the local one does not.
            assert_eq!(r.date, m.date, "{r:?}");
        }
        let by = |s: ReadingSource| got.iter().find(|r| r.source == s).expect("source");
        assert_eq!(
            by(ReadingSource::FitMonitoring).resting_hr_bpm,
            Some(m.resting_hr_bpm)
        );
        assert_eq!(by(ReadingSource::FitHrvStatus).rmssd_ms, Some(m.rmssd_ms));
        assert_eq!(by(ReadingSource::FitSleep).sleep_score, Some(m.sleep_score));
    }
}

#[test]
fn damaged_daily_files_are_errors_or_warnings_never_panics() {
    let a = athlete();
    let m = &mornings(&a)[3];
    for (name, bytes) in fit_files(m, 50.0, 60.0) {
        for cut in [
            0,
            10,
            14,
            20,
            bytes.len() / 2,
            bytes.len() - 3,
            bytes.len() - 1,
        ] {
            let part = &bytes[..cut];
            match decode_contents(part, &name, "x") {
                Ok(Contents::Readings(d)) => assert!(!d.value.is_empty()),
                Ok(Contents::Activities(_)) => panic!("{name} cut at {cut}: an activity"),
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
        let mut flipped = bytes.clone();
        for i in (14..flipped.len()).step_by(3) {
            flipped[i] ^= 0x5A;
            let _ = decode_contents(&flipped, &name, "x");
        }
    }
}

#[test]
fn a_file_with_nothing_daily_stays_not_an_activity() {
    let mut w = FitWriter::new(Vec::new());
    w.define(
        0,
        0,
        &[FieldDef {
            num: 0,
            base: BaseType::Enum,
            count: 1,
        }],
    );
    w.begin(0);
    w.u8(2); // settings
    let bytes = w.finish();
    assert!(matches!(
        decode_contents(&bytes, "settings.fit", "x"),
        Err(DecodeError::NotAnActivity(_))
    ));
}

fn field(num: u8, base: BaseType) -> FieldDef {
    FieldDef {
        num,
        base,
        count: 1,
    }
}

/// A short run whose session carries the watch's after-run questions.
fn run_with_feel(feel: u8, rpe: u8) -> Vec<u8> {
    let t0 = 1_750_000_000;
    let mut w = FitWriter::new(Vec::new());
    w.define(
        0,
        0,
        &[field(0, BaseType::Enum), field(4, BaseType::UInt32)],
    );
    w.begin(0);
    w.u8(4);
    w.u32(fit_time(t0));
    w.define(
        1,
        20,
        &[field(253, BaseType::UInt32), field(3, BaseType::UInt8)],
    );
    for i in 0..120 {
        w.begin(1);
        w.u32(fit_time(t0 + i));
        w.u8(140);
    }
    w.define(
        2,
        18,
        &[
            field(253, BaseType::UInt32),
            field(2, BaseType::UInt32),
            field(5, BaseType::Enum),
            field(192, BaseType::UInt8),
            field(193, BaseType::UInt8),
        ],
    );
    w.begin(2);
    w.u32(fit_time(t0 + 120));
    w.u32(fit_time(t0));
    w.u8(1); // running
    w.u8(feel);
    w.u8(rpe);
    w.finish()
}

#[test]
fn a_sessions_feel_and_rpe_are_kept_and_invalid_ones_are_not() {
    let d = hrdrift_ingest::decode_bytes(&run_with_feel(25, 60), "felt.fit").expect("decodes");
    let a = &d.value[0];
    assert_eq!(a.workout_feel, Some(25.0));
    assert_eq!(a.workout_rpe, Some(6.0));
    // 0xFF is the FIT invalid marker: no answer, not 255 or 25.5.
    let d = hrdrift_ingest::decode_bytes(&run_with_feel(0xFF, 0xFF), "none.fit").expect("decodes");
    assert_eq!(
        (d.value[0].workout_feel, d.value[0].workout_rpe),
        (None, None)
    );
}

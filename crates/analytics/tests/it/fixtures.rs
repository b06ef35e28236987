//! Constructed activities with known ground truth.

use hrdrift_analytics::AthleteSettings;
use hrdrift_ingest::{Activity, Device, Format, Samples};

/// 2024-05-01T06:00:00Z.
pub const T0_MS: i64 = 1_714_543_200_000;

/// One sample per second for `0..=secs` seconds, built from per-second closures.
pub struct Run {
    pub ts: Vec<i64>,
    pub hr: Vec<Option<f64>>,
    pub speed: Vec<Option<f64>>,
    pub alt: Option<Vec<Option<f64>>>,
    pub cad: Option<Vec<Option<f64>>>,
    pub sport: Option<String>,
}

impl Run {
    /// `secs + 1` samples at 1 Hz: HR and speed from functions of the second.
    pub fn new(
        secs: i64,
        hr: impl Fn(i64) -> Option<f64>,
        speed: impl Fn(i64) -> Option<f64>,
    ) -> Self {
        Self {
            ts: (0..=secs).map(|s| T0_MS + s * 1000).collect(),
            hr: (0..=secs).map(&hr).collect(),
            speed: (0..=secs).map(&speed).collect(),
            alt: None,
            cad: None,
            sport: Some("running".to_owned()),
        }
    }

    pub fn with_alt(mut self, alt: impl Fn(i64) -> Option<f64>) -> Self {
        self.alt = Some((0..self.ts.len() as i64).map(alt).collect());
        self
    }

    pub fn with_cad(mut self, cad: impl Fn(i64) -> Option<f64>) -> Self {
        self.cad = Some((0..self.ts.len() as i64).map(cad).collect());
        self
    }

    pub fn activity(self) -> Activity {
        let samples = Samples {
            timestamp_ms: self.ts,
            heart_rate_bpm: Some(self.hr),
            speed_m_s: Some(self.speed),
            altitude_m: self.alt,
            cadence_spm: self.cad,
            ..Samples::default()
        };
        activity(samples, self.sport)
    }
}

pub fn activity(samples: Samples, sport: Option<String>) -> Activity {
    Activity {
        id: "test".to_owned(),
        source: "constructed".to_owned(),
        format: Format::Fit,
        sport,
        sub_sport: None,
        device: Device::default(),
        start_ms: samples.timestamp_ms.first().copied().unwrap_or(T0_MS),
        utc_offset_s: Some(0),
        laps: Vec::new(),
        pauses: Vec::new(),
        samples,
        rr_ms: Vec::new(),
        rr_anchor_ms: Vec::new(),
        profile_hr_rest: None,
        profile_hr_max: None,
        workout_feel: None,
        workout_rpe: None,
        name: None,
        sport_source: None,
    }
}

/// Anchors that make every metric computable: HRmax 190, rest 50, LTHR 170, male.
pub fn settings() -> AthleteSettings {
    AthleteSettings {
        hr_max: Some(190.0),
        hr_rest: Some(50.0),
        lthr: Some(170.0),
        sex: hrdrift_analytics::Sex::Male,
        ..AthleteSettings::default()
    }
}

pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[track_caller]
pub fn assert_close(got: Option<f64>, want: f64, tol: f64) {
    let got = got.unwrap_or_else(|| panic!("expected {want}, got None"));
    assert!(close(got, want, tol), "got {got}, want {want} (tol {tol})");
}

/// The HRV fields (METRICS.md section 5), all absent from a file without beats.
pub const BEAT_FIELDS: [&str; 5] = [
    "rr_artifact_pct",
    "rmssd_ms",
    "dfa_a1_mean",
    "a1_drift",
    "aet_hr_bpm",
];

/// The reasons metrics are absent, but the HRV fields', which must each be absent for `no_rr`
/// (the runs built here carry no beats).
pub fn absent_but_beats(
    m: &hrdrift_analytics::ActivityMetrics,
) -> std::collections::BTreeMap<String, String> {
    let mut absent = m.absent.clone();
    for k in BEAT_FIELDS {
        assert_eq!(
            absent.remove(k).as_deref(),
            Some(hrdrift_analytics::reason::NO_RR),
            "{k}"
        );
    }
    // A file without power has none of the power fields, with that reason.
    for k in ["np_w", "avg_power_w", "ef_power", "pw_hr_decoupling_pct"] {
        if m.power.is_none() {
            assert_eq!(
                absent.remove(k).as_deref(),
                Some(hrdrift_analytics::reason::NO_POWER),
                "{k}"
            );
        }
    }
    absent
}

//! The normalized activity model every decoder produces.
//!
//! Samples are kept as columns (one `Vec` per channel, all the same length as `timestamp_ms`)
//! because every consumer downstream (metrics, the Parquet store) works column by column.
//! A channel that a file never carries is `None` as a whole; a missing value inside a carried
//! channel is `None` at that index. A missing value is never written as 0.

use serde::{Deserialize, Serialize};

/// The file format an activity was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Fit,
    Gpx,
    Tcx,
}

impl Format {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Fit => "fit",
            Format::Gpx => "gpx",
            Format::Tcx => "tcx",
        }
    }
}

/// The device that recorded an activity, as far as the file tells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial: Option<u64>,
}

/// One lap as the device recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lap {
    pub start_ms: i64,
    pub elapsed_s: Option<f64>,
    pub timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub avg_hr_bpm: Option<f64>,
    pub max_hr_bpm: Option<f64>,
}

/// A span during which the device timer was stopped (auto-pause or the runner pressed stop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub start_ms: i64,
    pub end_ms: i64,
}

/// A value from a FIT developer field (e.g. running power from a Stryd foot pod), kept by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeveloperChannel {
    pub name: String,
    pub units: String,
    /// One value per sample, aligned with [`Samples::timestamp_ms`].
    pub values: Vec<Option<f64>>,
}

/// Sample columns. Every `Some(vec)` has the same length as `timestamp_ms`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Samples {
    /// Milliseconds since the Unix epoch, UTC.
    pub timestamp_ms: Vec<i64>,
    pub lat: Option<Vec<Option<f64>>>,
    pub lon: Option<Vec<Option<f64>>>,
    pub distance_m: Option<Vec<Option<f64>>>,
    pub speed_m_s: Option<Vec<Option<f64>>>,
    pub altitude_m: Option<Vec<Option<f64>>>,
    pub heart_rate_bpm: Option<Vec<Option<f64>>>,
    /// Cadence as the file gives it, converted to steps (not strides) per minute for running.
    pub cadence_spm: Option<Vec<Option<f64>>>,
    pub power_w: Option<Vec<Option<f64>>>,
    pub temperature_c: Option<Vec<Option<f64>>>,
    /// FIT running dynamics, where present.
    pub stance_time_ms: Option<Vec<Option<f64>>>,
    pub vertical_oscillation_mm: Option<Vec<Option<f64>>>,
    pub step_length_mm: Option<Vec<Option<f64>>>,
    pub developer: Vec<DeveloperChannel>,
}

/// Names of the optional numeric channels, in column order, with their accessor.
pub type ChannelRef<'a> = (&'static str, Option<&'a Vec<Option<f64>>>);

impl Samples {
    #[must_use]
    pub fn len(&self) -> usize {
        self.timestamp_ms.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.timestamp_ms.is_empty()
    }

    /// The standard channels with their column names (units in the names), in output order.
    /// The channel of a [`Samples::channels`] name, for filling a channel by name.
    pub fn channel_mut(&mut self, name: &str) -> Option<&mut Option<Vec<Option<f64>>>> {
        Some(match name {
            "lat" => &mut self.lat,
            "lon" => &mut self.lon,
            "distance_m" => &mut self.distance_m,
            "speed_m_s" => &mut self.speed_m_s,
            "altitude_m" => &mut self.altitude_m,
            "heart_rate_bpm" => &mut self.heart_rate_bpm,
            "cadence_spm" => &mut self.cadence_spm,
            "power_w" => &mut self.power_w,
            "temperature_c" => &mut self.temperature_c,
            "stance_time_ms" => &mut self.stance_time_ms,
            "vertical_oscillation_mm" => &mut self.vertical_oscillation_mm,
            "step_length_mm" => &mut self.step_length_mm,
            _ => return None,
        })
    }

    #[must_use]
    pub fn channels(&self) -> [ChannelRef<'_>; 12] {
        [
            ("lat", self.lat.as_ref()),
            ("lon", self.lon.as_ref()),
            ("distance_m", self.distance_m.as_ref()),
            ("speed_m_s", self.speed_m_s.as_ref()),
            ("altitude_m", self.altitude_m.as_ref()),
            ("heart_rate_bpm", self.heart_rate_bpm.as_ref()),
            ("cadence_spm", self.cadence_spm.as_ref()),
            ("power_w", self.power_w.as_ref()),
            ("temperature_c", self.temperature_c.as_ref()),
            ("stance_time_ms", self.stance_time_ms.as_ref()),
            (
                "vertical_oscillation_mm",
                self.vertical_oscillation_mm.as_ref(),
            ),
            ("step_length_mm", self.step_length_mm.as_ref()),
        ]
    }

    /// Keeps the samples whose `keep` flag is set, in every channel.
    pub fn retain(&mut self, keep: &[bool]) {
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                let k = keep.get(i).copied().unwrap_or(true);
                i += 1;
                k
            });
        }
        filter(&mut self.timestamp_ms, keep);
        for c in [
            &mut self.lat,
            &mut self.lon,
            &mut self.distance_m,
            &mut self.speed_m_s,
            &mut self.altitude_m,
            &mut self.heart_rate_bpm,
            &mut self.cadence_spm,
            &mut self.power_w,
            &mut self.temperature_c,
            &mut self.stance_time_ms,
            &mut self.vertical_oscillation_mm,
            &mut self.step_length_mm,
        ]
        .into_iter()
        .flatten()
        {
            filter(c, keep);
        }
        for d in &mut self.developer {
            filter(&mut d.values, keep);
        }
    }

    /// How many values of a channel are present (not missing).
    #[must_use]
    pub fn present(channel: Option<&Vec<Option<f64>>>) -> usize {
        channel.map_or(0, |c| c.iter().filter(|v| v.is_some()).count())
    }
}

/// One activity (one FIT session, one GPX track, one TCX activity), normalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Content hash of the source bytes (hex), with `-N` appended for the N-th session (N > 0)
    /// of a multisport file. Stable across re-imports of the same bytes.
    pub id: String,
    /// Where the bytes came from; for an archive member, `archive.zip!/inner/path.fit`.
    pub source: String,
    pub format: Format,
    /// Lower-case sport name (`running`, `cycling`, ...); `None` where the file does not say.
    pub sport: Option<String>,
    pub sub_sport: Option<String>,
    pub device: Device,
    /// First sample (or session start), milliseconds since the Unix epoch, UTC.
    pub start_ms: i64,
    /// Local time minus UTC in seconds, where the file tells it (FIT `activity.local_timestamp`).
    pub utc_offset_s: Option<i32>,
    pub laps: Vec<Lap>,
    pub pauses: Vec<Pause>,
    pub samples: Samples,
    /// Beat-to-beat (RR) intervals in milliseconds, in order, where the file carries them.
    pub rr_ms: Vec<f64>,
    /// Resting and maximum heart rate from the device's user profile, where present.
    pub profile_hr_rest: Option<f64>,
    pub profile_hr_max: Option<f64>,
}

impl Activity {
    /// Seconds from the first to the last sample.
    #[must_use]
    pub fn duration_s(&self) -> f64 {
        match (
            self.samples.timestamp_ms.first(),
            self.samples.timestamp_ms.last(),
        ) {
            #[allow(clippy::cast_precision_loss)]
            (Some(a), Some(b)) => (b - a) as f64 / 1000.0,
            _ => 0.0,
        }
    }

    /// Distance covered: the device's last distance where it recorded one, else the length of
    /// the track from its positions (GPX files seldom carry distance).
    #[must_use]
    pub fn distance_m(&self) -> Option<f64> {
        let s = &self.samples;
        if let Some(d) = s
            .distance_m
            .as_ref()
            .and_then(|d| d.iter().rev().flatten().copied().find(|x| x.is_finite()))
        {
            return Some(d);
        }
        let (lat, lon) = (s.lat.as_ref()?, s.lon.as_ref()?);
        let mut total = 0.0;
        let mut prev: Option<(f64, f64)> = None;
        for (la, lo) in lat.iter().zip(lon) {
            if let (Some(la), Some(lo)) = (la, lo) {
                if let Some((pla, plo)) = prev {
                    total += haversine_m(pla, plo, *la, *lo);
                }
                prev = Some((*la, *lo));
            }
        }
        (prev.is_some() && total.is_finite()).then_some(total)
    }

    /// End of the last sample, milliseconds UTC.
    #[must_use]
    pub fn end_ms(&self) -> i64 {
        self.samples
            .timestamp_ms
            .last()
            .copied()
            .unwrap_or(self.start_ms)
    }

    /// Drops samples whose time is impossibly far (more than two days) from the activity's
    /// median time, as a corrupt record decodes (one real file has a record dated 2085 after a
    /// run in 2019), and counts timestamps that go backwards or repeat. Returns the warnings.
    pub fn check_times(&mut self) -> Vec<Warning> {
        const FAR_MS: i64 = 2 * 86_400_000;
        let mut warnings = Vec::new();
        let ts = &self.samples.timestamp_ms;
        if ts.is_empty() {
            return warnings;
        }
        let mut sorted = ts.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2];
        let keep: Vec<bool> = ts.iter().map(|t| (t - median).abs() <= FAR_MS).collect();
        let dropped = keep.iter().filter(|k| !**k).count();
        if dropped > 0 {
            self.samples.retain(&keep);
            warnings.push(Warning::new(
                "time_outlier",
                format!(
                    "{dropped} samples dated more than two days away from the rest were dropped"
                ),
            ));
        }
        let ts = &self.samples.timestamp_ms;
        let back = ts.windows(2).filter(|w| w[1] < w[0]).count();
        let same = ts.windows(2).filter(|w| w[1] == w[0]).count();
        if back > 0 {
            warnings.push(Warning::new(
                "time_backwards",
                format!("timestamps go backwards {back} times"),
            ));
        }
        if same > 0 {
            warnings.push(Warning::new(
                "time_repeated",
                format!("{same} samples repeat the previous timestamp"),
            ));
        }
        if let Some(&first) = ts.iter().min() {
            self.start_ms = self.start_ms.max(first - FAR_MS).min(first);
        }
        warnings
    }

    /// A rough measure of how much a file tells, used to keep the richer of two duplicates.
    #[must_use]
    pub fn richness(&self) -> usize {
        let s = &self.samples;
        let channels: usize = s.channels().iter().map(|(_, c)| Samples::present(*c)).sum();
        channels + s.developer.len() * s.len() + self.rr_ms.len() + self.laps.len()
    }
}

/// Great-circle distance in metres (mean Earth radius).
#[must_use]
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().min(1.0).asin()
}

/// A problem the decoder could live with, carried beside the data it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Short machine-readable code, e.g. `truncated`, `crc_mismatch`.
    pub code: String,
    pub message: String,
}

impl Warning {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// A decoded value with the warnings met on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    pub value: T,
    pub warnings: Vec<Warning>,
}

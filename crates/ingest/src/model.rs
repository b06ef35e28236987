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
    /// For each of `rr_ms`, the time (ms UTC) of the last record before the `hrv` message that
    /// carried it (the activity's start before the first record): FIT `hrv` messages have no
    /// time of their own, and the metrics place the beats on the record clock by it. Empty
    /// where the intervals have no anchors (a store written before they were kept): RR time then
    /// starts at the activity's start.
    pub rr_anchor_ms: Vec<i64>,
    /// Resting and maximum heart rate from the device's user profile, where present.
    pub profile_hr_rest: Option<f64>,
    pub profile_hr_max: Option<f64>,
    /// How the runner felt, FIT `session.workout_feel`: 0 (very weak) to 100 (very strong),
    /// where the watch asked after the run.
    pub workout_feel: Option<f64>,
    /// The runner's rating of perceived exertion, 0-10 (FIT `session.workout_rpe` / 10).
    pub workout_rpe: Option<f64>,
    /// The activity's name where something gives one: a GPX track's `<name>`, or the export's
    /// index (Strava's `activities.csv`, Garmin's summarized activities).
    #[serde(default)]
    pub name: Option<String>,
    /// Where `sport` came from when the file named none: `index` (the export's index) or
    /// `guessed` (its speed and cadence, [`crate::guess`]). `None`: the file's own, or none.
    #[serde(default)]
    pub sport_source: Option<String>,
}

/// `Activity::sport_source` of a sport the export's index gave.
pub const SPORT_FROM_INDEX: &str = "index";
/// `Activity::sport_source` of a sport told from speed and cadence.
pub const SPORT_GUESSED: &str = "guessed";

/// Whether an activity whose file said `sport` (then given it by `source`) may take another
/// sport: when its file named none, or the one it has was guessed.
#[must_use]
pub fn may_adopt_sport(sport: Option<&str>, source: Option<&str>) -> bool {
    sport.is_none() || source == Some(SPORT_GUESSED)
}

/// Whether a sport is one on foot, whose FIT, GPX and TCX cadence counts strides (one foot).
#[must_use]
pub fn counts_strides(sport: Option<&str>) -> bool {
    matches!(sport, Some("running" | "walking" | "hiking"))
}

impl Activity {
    /// Gives an activity whose file named no sport (or whose sport was guessed) the sport
    /// `source` names (`index` or `guessed`); a sport the file named is kept. Returns whether
    /// it changed. The cadence follows: the decoders count steps only for a sport on foot, so a
    /// file's strides become steps when it turns out to be a run, and back when it turns out
    /// not to be.
    pub fn adopt_sport(&mut self, sport: &str, source: &str) -> bool {
        if !may_adopt_sport(self.sport.as_deref(), self.sport_source.as_deref())
            || (self.sport.as_deref() == Some(sport)
                && self.sport_source.as_deref() == Some(source))
        {
            return false;
        }
        let (was, now) = (
            counts_strides(self.sport.as_deref()),
            counts_strides(Some(sport)),
        );
        if was != now {
            let k = if now { 2.0 } else { 0.5 };
            if let Some(c) = self.samples.cadence_spm.as_mut() {
                c.iter_mut().flatten().for_each(|x| *x *= k);
            }
        }
        self.sport = Some(sport.to_owned());
        self.sport_source = Some(source.to_owned());
        true
    }

    /// Seconds from the first to the last sample.
    #[must_use]
    pub fn duration_s(&self) -> f64 {
        match (
            self.samples.timestamp_ms.first(),
            self.samples.timestamp_ms.last(),
        ) {
            #[expect(clippy::cast_precision_loss)]
            (Some(a), Some(b)) => (b - a) as f64 / 1000.0,
            _ => 0.0,
        }
    }

    /// Distance covered: the device's last distance where it recorded one, else the length of
    /// the track from its positions (GPX files seldom carry distance), GPS jumps left out
    /// ([`track`], with the default speed bound of the activity's sport).
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
        self.track(jump_speed_m_s(self.sport.as_deref(), GPS_JUMP_ON_FOOT_M_S))
            .and_then(|t| (t.fixes > 0).then_some(t.length_m))
    }

    /// The track of the positions in time order (the file's order where it already is).
    #[must_use]
    pub fn track(&self, max_speed_m_s: f64) -> Option<Track> {
        let s = &self.samples;
        let (lat, lon) = (s.lat.as_ref()?, s.lon.as_ref()?);
        let ts = &s.timestamp_ms;
        if ts.windows(2).all(|w| w[0] <= w[1]) {
            return Some(track(ts, lat, lon, max_speed_m_s));
        }
        let mut order: Vec<usize> = (0..ts.len()).collect();
        order.sort_by_key(|&i| ts[i]);
        let pick = |c: &Vec<Option<f64>>| order.iter().map(|&i| c[i]).collect::<Vec<_>>();
        let t: Vec<i64> = order.iter().map(|&i| ts[i]).collect();
        Some(track(&t, &pick(lat), &pick(lon), max_speed_m_s))
    }

    /// Removes positions at 0,0 (what some devices write before the GPS has a fix: a point in
    /// the Gulf of Guinea thousands of km from the run). Returns the warning when any were.
    pub fn drop_null_positions(&mut self) -> Option<Warning> {
        let s = &mut self.samples;
        let (Some(lat), Some(lon)) = (s.lat.as_mut(), s.lon.as_mut()) else {
            return None;
        };
        let mut dropped = 0;
        for (la, lo) in lat.iter_mut().zip(lon.iter_mut()) {
            if let (Some(a), Some(b)) = (*la, *lo)
                && is_null_island(a, b)
            {
                *la = None;
                *lo = None;
                dropped += 1;
            }
        }
        (dropped > 0).then(|| {
            Warning::new(
                "null_position",
                format!("{dropped} positions at 0,0 (no GPS fix yet) were dropped"),
            )
        })
    }

    /// Warns of GPS jumps that [`Activity::distance_m`] leaves out of a track's length (only
    /// when the length comes from the positions: a device distance is the device's).
    #[must_use]
    pub fn gps_jump_warning(&self) -> Option<Warning> {
        let device = Samples::present(self.samples.distance_m.as_ref()) > 0;
        if device {
            return None;
        }
        let bound = jump_speed_m_s(self.sport.as_deref(), GPS_JUMP_ON_FOOT_M_S);
        let t = self.track(bound)?;
        // A fix a few metres beyond reach is GPS noise a user need not hear about (most real
        // tracks have one); the metrics still count it (`cleaning.gps_jumps`).
        (t.jumps_m >= GPS_JUMP_WARN_M).then(|| {
            Warning::new(
                "gps_jump",
                format!(
                    "{} GPS jump{} (faster than {bound} m/s) left out of the distance ({:.0} m \
                     from the track to the fixes left out)",
                    t.jumps,
                    if t.jumps == 1 { "" } else { "s" },
                    t.jumps_m
                ),
            )
        })
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
    /// run in 2019), counts timestamps that go backwards or repeat, and takes the start from
    /// the first kept sample when the file's own start is far before it. Returns the warnings.
    pub fn check_times(&mut self) -> Vec<Warning> {
        const FAR_MS: i64 = 2 * 86_400_000;
        // A device may open the session a little before its first record (waiting for a
        // sensor); more than this is not that.
        const START_SLACK_MS: i64 = 5 * 60_000;
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
            // An anchor is a record's time: one of a dropped record is as corrupt as the record,
            // and the intervals after it still follow the record kept before it.
            let mut prev = self.start_ms;
            for a in &mut self.rr_anchor_ms {
                if (*a - median).abs() > FAR_MS {
                    *a = prev;
                } else {
                    prev = *a;
                }
            }
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
            // A session that says it began long before its first kept sample (one real file's
            // session starts two days before its two hours of samples) would give a duration
            // no sample supports: the start is the first sample's then.
            if self.start_ms < first.saturating_sub(START_SLACK_MS) {
                #[expect(clippy::cast_precision_loss)]
                let h = first.saturating_sub(self.start_ms) as f64 / 3_600_000.0;
                warnings.push(Warning::new(
                    "start_from_samples",
                    format!(
                        "the file's start is {h:.1} h before its first sample; the start is \
                         taken from the samples"
                    ),
                ));
                self.start_ms = first;
                // Intervals anchored at the file's start (none came after a record) start with
                // the samples too.
                for a in &mut self.rr_anchor_ms {
                    *a = (*a).max(first);
                }
            }
            self.start_ms = self.start_ms.min(first);
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

/// Between two fixes of a run or walk, a speed above this (m/s) is a GPS jump, not the runner
/// (METRICS.md section 3a: "a span faster than 7 m/s is not running").
pub const GPS_JUMP_ON_FOOT_M_S: f64 = 7.0;
/// For other sports (a ride, a ski descent) a GPS jump is a speed above this (m/s, 144 km/h).
pub const GPS_JUMP_ANY_M_S: f64 = 40.0;
/// A fix may sit this far (m) beyond what the speed bound allows: GPS noise of a few metres
/// between two fixes a second apart is not a jump, and leaving it out would shorten the track.
const GPS_NOISE_M: f64 = 5.0;
/// Fixes the track could not have reached, followed by one it could, are a GPS jump: an
/// excursion of at most this many fixes, left out. A longer run of such fixes is the track
/// moving on (see [`track`]).
const GPS_JUMP_MAX_FIXES: usize = 4;
/// A run of unreachable fixes that goes on is real motion (a ride saved as a run, a car across a
/// pause) unless the step onto it is this many times faster than the run itself moves: then the
/// step is a jump (a first fix far from the rest) and only the step is left out.
const GPS_STEP_RATIO: f64 = 3.0;

/// GPS jumps that left out less than this (m, summed) are not worth a warning.
const GPS_JUMP_WARN_M: f64 = 50.0;

/// The GPS-jump speed bound for a sport: `on_foot_m_s` for running, walking, hiking and files
/// that name no sport (hrdrift reads runners' files), [`GPS_JUMP_ANY_M_S`] for the rest.
#[must_use]
pub fn jump_speed_m_s(sport: Option<&str>, on_foot_m_s: f64) -> f64 {
    match sport {
        None => on_foot_m_s,
        Some(s) if s.contains("run") || s.contains("walk") || s.contains("hik") => on_foot_m_s,
        Some(_) => GPS_JUMP_ANY_M_S,
    }
}

/// A position at (or within a centimetre of) 0,0: no fix.
#[must_use]
pub fn is_null_island(lat: f64, lon: f64) -> bool {
    lat.abs() < 1e-7 && lon.abs() < 1e-7
}

/// A track's length along its positions, with the GPS jumps left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// Distance along the track at each sample that has a kept fix (m), else `None`.
    pub cum_m: Vec<Option<f64>>,
    pub length_m: f64,
    /// Fixes kept.
    pub fixes: usize,
    /// Jumps left out: runs of fixes the track could not have reached at `max_speed_m_s`.
    pub jumps: usize,
    /// Straight-line distance from the last kept fix to each jump's first fix, summed (m).
    pub jumps_m: f64,
}

/// The length of a track along its positions, in time order (`t_ms` non-decreasing), across
/// pauses and recording gaps alike: the great-circle distance between consecutive kept
/// fixes (on the local plane: see `Fix::distance`).
/// Fixes at 0,0, out of range or not finite are no fix.
///
/// GPS jumps are left out. A fix further from the last kept one than `max_speed_m_s` allows
/// over the time between them (plus a few metres of GPS noise) starts a suspect run:
/// - when a fix within [`GPS_JUMP_MAX_FIXES`] is reachable again from the last kept fix, the
///   suspect fixes were an excursion (a jump) and are left out;
/// - otherwise the track moved on, and the suspect fixes are kept with the distances between
///   them; the step onto them counts too, unless it is [`GPS_STEP_RATIO`] times faster than
///   they move, when it was a jump. So a ride saved as a run keeps its distance (another
///   check tells it is no run), and a far first fix costs only its own step.
#[must_use]
pub fn track(t_ms: &[i64], lat: &[Option<f64>], lon: &[Option<f64>], max_speed_m_s: f64) -> Track {
    let n = t_ms.len().min(lat.len()).min(lon.len());
    let mut out = Track {
        cum_m: vec![None; t_ms.len()],
        length_m: 0.0,
        fixes: 0,
        jumps: 0,
        jumps_m: 0.0,
    };
    let mut last: Option<Fix> = None;
    let mut pending: Vec<Fix> = Vec::new();
    for i in 0..n {
        let (Some(la), Some(lo)) = (lat[i], lon[i]) else {
            continue;
        };
        if !(la.is_finite() && lo.is_finite())
            || la.abs() > 90.0
            || lo.abs() > 180.0
            || is_null_island(la, lo)
        {
            continue;
        }
        let fix = Fix::new(i, t_ms[i], la, lo);
        let Some(prev) = last else {
            out.keep(fix, 0.0);
            last = Some(fix);
            continue;
        };
        let d = prev.distance(&fix);
        if d <= max_speed_m_s * prev.secs_to(&fix) + GPS_NOISE_M {
            if let Some(first) = pending.first() {
                out.jumps += 1;
                out.jumps_m += prev.distance(first);
                pending.clear();
            }
            out.keep(fix, d);
            last = Some(fix);
            continue;
        }
        pending.push(fix);
        if pending.len() > GPS_JUMP_MAX_FIXES {
            last = Some(out.move_on(&prev, &pending));
            pending.clear();
        }
    }
    if let (Some(prev), false) = (last, pending.is_empty()) {
        out.move_on(&prev, &pending);
    }
    out
}

#[derive(Clone, Copy)]
struct Fix {
    i: usize,
    t: i64,
    /// Radians.
    lat: f64,
    lon: f64,
    cos_lat: f64,
}

impl Fix {
    fn new(i: usize, t: i64, lat_deg: f64, lon_deg: f64) -> Self {
        let lat = lat_deg.to_radians();
        Fix {
            i,
            t,
            lat,
            lon: lon_deg.to_radians(),
            cos_lat: lat.cos(),
        }
    }

    /// The distance on the local tangent plane (equirectangular, the mean of both cosines):
    /// within a millionth of the haversine up to a few kilometres, which consecutive fixes
    /// are, at one cosine per fix instead of six transcendental calls per pair (the import
    /// measures every track once or twice).
    fn distance(&self, other: &Fix) -> f64 {
        const R: f64 = 6_371_008.8;
        let mut dl = other.lon - self.lon;
        if dl > std::f64::consts::PI {
            dl -= std::f64::consts::TAU;
        } else if dl < -std::f64::consts::PI {
            dl += std::f64::consts::TAU;
        }
        let x = dl * 0.5 * (self.cos_lat + other.cos_lat);
        let y = other.lat - self.lat;
        R * x.hypot(y)
    }

    fn secs_to(&self, later: &Fix) -> f64 {
        #[expect(clippy::cast_precision_loss)]
        let s = later.t.saturating_sub(self.t).max(0) as f64 / 1000.0;
        s
    }
}

impl Track {
    fn keep(&mut self, fix: Fix, d: f64) {
        self.length_m += d;
        self.cum_m[fix.i] = Some(self.length_m);
        self.fixes += 1;
    }

    /// Keeps a run of fixes the track moved on to from `prev`; returns the last.
    fn move_on(&mut self, prev: &Fix, run: &[Fix]) -> Fix {
        let speeds: Vec<f64> = run
            .windows(2)
            .filter_map(|w| {
                let dt = w[0].secs_to(&w[1]);
                (dt > 0.0).then(|| w[0].distance(&w[1]) / dt)
            })
            .collect();
        let step = prev.distance(&run[0]);
        let dt = prev.secs_to(&run[0]);
        let step_speed = if dt > 0.0 { step / dt } else { f64::INFINITY };
        let mut sorted = speeds;
        sorted.sort_by(f64::total_cmp);
        let moving = sorted.get(sorted.len() / 2).copied();
        let jump = moving.is_none_or(|v| step_speed > GPS_STEP_RATIO * v.max(1.0));
        if jump {
            self.jumps += 1;
            self.jumps_m += step;
            self.keep(run[0], 0.0);
        } else {
            self.keep(run[0], step);
        }
        for w in run.windows(2) {
            self.keep(w[1], w[0].distance(&w[1]));
        }
        run[run.len() - 1]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Fixes along a meridian at `speed` m/s, one a second, from `lat0`.
    fn line(n: usize, speed: f64, lat0: f64) -> (Vec<i64>, Vec<Option<f64>>, Vec<Option<f64>>) {
        let deg_per_m = 1.0 / 111_195.0;
        let t = (0..n)
            .map(|i| i64::try_from(i).unwrap_or(0) * 1000)
            .collect();
        #[expect(clippy::cast_precision_loss)]
        let lat = (0..n)
            .map(|i| Some(lat0 + i as f64 * speed * deg_per_m))
            .collect();
        (t, lat, vec![Some(8.5); n])
    }

    fn activity(t: Vec<i64>, lat: Vec<Option<f64>>, lon: Vec<Option<f64>>) -> Activity {
        Activity {
            id: "a".to_owned(),
            source: "test".to_owned(),
            format: Format::Gpx,
            sport: Some("running".to_owned()),
            sub_sport: None,
            device: Device::default(),
            start_ms: t.first().copied().unwrap_or(0),
            utc_offset_s: None,
            laps: Vec::new(),
            pauses: Vec::new(),
            samples: Samples {
                timestamp_ms: t,
                lat: Some(lat),
                lon: Some(lon),
                ..Samples::default()
            },
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

    #[test]
    fn the_start_comes_from_the_samples_when_the_file_says_days_before() {
        let (t, lat, lon) = line(7200, 3.0, 47.0);
        let first = t[0];
        let mut a = activity(t, lat, lon);
        a.start_ms = first - 2 * 86_400_000 + 1000;
        let w = a.check_times();
        assert_eq!(a.start_ms, first);
        assert!(w.iter().any(|w| w.code == "start_from_samples"), "{w:?}");
        // A minute before the first sample is a device waiting for a sensor: kept, no warning.
        let (t, lat, lon) = line(60, 3.0, 47.0);
        let mut a = activity(t, lat, lon);
        a.start_ms -= 60_000;
        let start = a.start_ms;
        assert!(a.check_times().is_empty());
        assert_eq!(a.start_ms, start);
    }

    #[test]
    fn rr_anchors_follow_the_records_check_times_keeps() {
        let (t, lat, lon) = line(100, 3.0, 47.0);
        let mut a = activity(t.clone(), lat, lon);
        // A corrupt record dated years away, and an interval anchored to it.
        a.samples.timestamp_ms[50] += 400 * 86_400_000;
        a.rr_ms = vec![800.0; 3];
        a.rr_anchor_ms = vec![t[10], a.samples.timestamp_ms[50], t[60]];
        a.check_times();
        assert_eq!(a.rr_anchor_ms, [t[10], t[10], t[60]]);
        // Intervals before any record start with the samples when the start moves to them.
        let (t, lat, lon) = line(100, 3.0, 47.0);
        let mut a = activity(t.clone(), lat, lon);
        a.start_ms = t[0] - 86_400_000;
        a.rr_ms = vec![800.0; 2];
        a.rr_anchor_ms = vec![a.start_ms, t[5]];
        a.check_times();
        assert_eq!(a.rr_anchor_ms, [t[0], t[5]]);
    }

    #[test]
    fn positions_at_zero_zero_are_dropped_with_a_warning() {
        let (t, mut lat, mut lon) = line(100, 3.0, 47.0);
        lat[0] = Some(0.0);
        lon[0] = Some(0.0);
        let mut a = activity(t, lat, lon);
        let before = a.distance_m().unwrap_or(0.0);
        let w = a.drop_null_positions().expect("a warning");
        assert_eq!(w.code, "null_position");
        assert_eq!(a.samples.lat.as_ref().and_then(|l| l[0]), None);
        assert!((a.distance_m().unwrap_or(0.0) - before).abs() < 1e-9);
        assert!(a.drop_null_positions().is_none());
    }

    #[test]
    fn the_plane_distance_is_the_haversine_for_neighbouring_fixes() {
        for (lat, lon, dlat, dlon) in [
            (47.0, 8.0, 0.0001, 0.0001),
            (47.0, 8.0, 0.01, -0.02),
            (-33.9, 18.4, 0.03, 0.03),
            (64.1, -21.9, -0.02, 0.04),
            (0.0, 179.999, 0.0, -359.998),
        ] {
            let (a, b) = (
                Fix::new(0, 0, lat, lon),
                Fix::new(1, 0, lat + dlat, lon + dlon),
            );
            let h = haversine_m(lat, lon, lat + dlat, lon + dlon);
            let d = a.distance(&b);
            assert!((d - h).abs() <= 1e-5 * h.max(1.0), "{d} vs {h}");
        }
    }

    #[test]
    fn a_gps_jump_is_left_out_and_counted() {
        let (t, mut lat, lon) = line(600, 3.0, 47.0);
        let straight = track(&t, &lat, &lon, GPS_JUMP_ON_FOOT_M_S).length_m;
        assert!((straight - 1797.0).abs() < 1.0, "{straight}");
        // Two fixes 300 m off the line, then back on it.
        for i in [200, 201] {
            lat[i] = lat[i].map(|v| v + 300.0 / 111_195.0);
        }
        let tr = track(&t, &lat, &lon, GPS_JUMP_ON_FOOT_M_S);
        assert_eq!(tr.jumps, 1);
        assert!((tr.length_m - straight).abs() < 1.0, "{}", tr.length_m);
        assert_eq!(tr.fixes, 598);
        assert!(tr.cum_m[200].is_none() && tr.cum_m[202].is_some());
    }

    #[test]
    fn sustained_speed_is_motion_and_a_far_first_fix_only_its_step() {
        // A ride saved as a run: 9 m/s throughout keeps its distance.
        let (t, lat, lon) = line(300, 9.0, 47.0);
        let tr = track(&t, &lat, &lon, GPS_JUMP_ON_FOOT_M_S);
        assert!((tr.length_m - 2691.0).abs() < 2.0, "{}", tr.length_m);
        // A first fix 5 km away (before lock): the step is a jump, the run after it is kept.
        let (t, mut lat, lon) = line(300, 3.0, 47.0);
        lat[0] = Some(47.05);
        let tr = track(&t, &lat, &lon, GPS_JUMP_ON_FOOT_M_S);
        assert_eq!(tr.jumps, 1);
        assert!((tr.length_m - 894.0).abs() < 2.0, "{}", tr.length_m);
        // 0,0 is no fix.
        let (t, mut lat, mut lon) = line(100, 3.0, 47.0);
        lat[0] = Some(0.0);
        lon[0] = Some(0.0);
        let tr = track(&t, &lat, &lon, GPS_JUMP_ON_FOOT_M_S);
        assert_eq!((tr.fixes, tr.jumps), (99, 0));
        assert!((tr.length_m - 294.0).abs() < 1.0, "{}", tr.length_m);
    }
}

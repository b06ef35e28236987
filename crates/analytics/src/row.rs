//! The per-activity row and its parts: [`ActivityMetrics`] (field names are the JSON names),
//! the reasons and flags it carries, the windows of section 4, and the series and [`Analysis`]
//! that [`crate::analyze`] returns. Computed in [`crate::metrics`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clean::CleanStats;
use crate::effort::{ClassBasis, EffortSummary, ThresholdSource};
use crate::settings::{AthleteSettings, Sex, ZoneModel};
use crate::summary::HrSummary;

/// Reasons a metric is absent (the values of [`ActivityMetrics::absent`]).
pub mod reason {
    /// No moving time at all (no samples, or everything paused).
    pub const NO_MOVING_TIME: &str = "no_moving_time";
    /// No valid heart rate in the activity (none recorded, or all zero / out of range).
    pub const NO_HEART_RATE: &str = "no_heart_rate";
    /// Valid-HR moving time below `min_coverage` of moving time.
    pub const LOW_COVERAGE: &str = "low_coverage";
    /// The steady portion (or the part of it with data) is shorter than the metric needs.
    pub const TOO_SHORT: &str = "too_short";
    /// No speed from the device, distance or positions.
    pub const NO_SPEED: &str = "no_speed";
    /// GAP speed varies too much over the steady portion.
    pub const UNSTEADY: &str = "unsteady";
    /// HRmax / resting HR / LTHR needed and not known.
    pub const NO_HR_SETTINGS: &str = crate::zones::NO_HR_SETTINGS;
    /// Speed rises or falls in step with time, so drift and speed effects cannot be separated.
    pub const COLLINEAR: &str = "collinear";
    /// Only defined for running.
    pub const NOT_RUNNING: &str = "not_running";
    /// Grade-adjusted speed, and the speed-based EF, decoupling and drift, are for running and
    /// walking (METRICS.md 7): speed on a bike or in water says little about effort.
    pub const NOT_ON_FOOT: &str = "not_on_foot";
    /// `long` needs the median run of the previous 28 days, which was not given.
    pub const NO_HISTORY: &str = "no_history";
    /// The computation produced a non-finite number (a guard; not expected).
    pub const NON_FINITE: &str = "non_finite";
    /// Neither device distance nor speed.
    pub const NO_DISTANCE: &str = "no_distance";
    /// A run with speed and no threshold speed yet (none configured, none estimable).
    pub const NO_THRESHOLD: &str = "no_threshold";
    /// The file carries no beat-to-beat (RR) intervals.
    pub const NO_RR: &str = "no_rr";
    /// More than 5 % of the RR intervals the metric would use are artifacts.
    pub const TOO_MANY_ARTIFACTS: &str = "too_many_artifacts";
    /// The RR intervals add up to less than 90 % of the time they should cover (a device that
    /// stores about one beat a second): no successive beats to compare.
    pub const RR_SPARSE: &str = "rr_sparse";
    /// Most intervals repeat the one before exactly: the device stores an interval derived from
    /// its HR, several times over, not each beat.
    pub const RR_REPEATED: &str = "rr_repeated";
    /// HR moves more than 5 bpm between the halves of an alpha1 window (a warm-up, the start
    /// of a repetition): alpha1 would read the trend, not how the beats vary.
    pub const HR_CHANGING: &str = "hr_changing";
    /// Alpha1 does not fall through 0.75 as HR rises over the run's windows (an easy run, or a
    /// hard one throughout).
    pub const A1_DOES_NOT_CROSS: &str = "a1_does_not_cross";
    /// The file carries no power.
    pub const NO_POWER: &str = "no_power";
    /// A ride with power and no FTP: none set and no 20 min effort in the trailing 90 days.
    pub const NO_FTP: &str = "no_ftp";
    /// FTP, IF and TSS are for rides: a running power meter's watts are on another scale.
    pub const ON_FOOT: &str = "on_foot";
}

/// Quality and context flags (the values of [`ActivityMetrics::flags`]).
pub mod flag {
    /// HR locked onto step rate for at least `cadence_lock_min_s`; that span is invalid.
    pub const HR_CADENCE_LOCK: &str = "hr_cadence_lock";
    /// CV of GAP speed over the steady portion above `unsteady_cv`.
    pub const UNSTEADY: &str = "unsteady";
    /// TRIMP used the male constants because sex is unknown.
    pub const SEX_UNKNOWN_MALE_TRIMP: &str = "sex_unknown_male_trimp";
    /// The file names no sport; it was treated as a run.
    pub const SPORT_ASSUMED_RUNNING: &str = "sport_assumed_running";
    /// Speed but no altitude: GAP speed equals speed.
    pub const NO_ALTITUDE: &str = "no_altitude";
    /// Samples were out of time order in the file (sorted before use).
    pub const SAMPLES_REORDERED: &str = "samples_reordered";
    /// Samples shared timestamps (merged).
    pub const DUPLICATE_TIMESTAMPS: &str = "duplicate_timestamps";
    /// Walking is at least `run_walk_min_share` of the run: its steady metrics use the running
    /// segments (METRICS.md 3b).
    pub const RUN_WALK: &str = "run_walk";
    /// Easy by pace, moderate or hard by heart rate: easy effort, high heart rate.
    pub const EFFORT_MISMATCH: &str = "effort_mismatch";
    /// Median moving speed over `not_running_median_m_s`: a ride saved as a run. It stays out
    /// of every running baseline.
    pub const NOT_RUNNING_SPEED: &str = "not_running_speed";
}

/// Inputs from outside the activity itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivityContext {
    /// Median moving time (s) of the runs in the 28 days before this activity, for `long`.
    /// `None` when unknown or when there were no such runs.
    pub median_run_s_prev_28d: Option<f64>,
}

/// Session class (running).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionClass {
    Easy,
    Moderate,
    Hard,
}

impl SessionClass {
    /// The name JSON gives it, which the texts use too.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Easy => "easy",
            Self::Moderate => "moderate",
            Self::Hard => "hard",
        }
    }
}

/// The anchors a row was computed with, so a reader need not look the config up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsUsed {
    pub hr_max: Option<f64>,
    pub hr_rest: Option<f64>,
    /// The LTHR the zones were cut from: a ride's `lthr_bike` where one is set.
    pub lthr: Option<f64>,
    pub sex: Sex,
    pub zone_model: ZoneModel,
    pub warmup_s: f64,
    /// Which of the anchors were estimated rather than configured.
    pub estimated: Vec<String>,
    /// [`AthleteSettings::activity_fingerprint`]: the settings these numbers depend on.
    pub fingerprint: String,
}

impl SettingsUsed {
    pub(crate) fn of(s: &AthleteSettings) -> Self {
        SettingsUsed {
            hr_max: s.hr_max,
            hr_rest: s.hr_rest,
            lthr: s.lthr,
            sex: s.sex,
            zone_model: s.zone_model,
            warmup_s: s.warmup_s,
            estimated: s.estimated.names(),
            fingerprint: s.activity_fingerprint(),
        }
    }
}

/// Per-activity metrics. Field names are the JSON names. Every `None` has its reason in
/// `absent`; no number is ever NaN or infinite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityMetrics {
    /// The activity's id (content hash of its source bytes).
    pub id: String,
    /// Start, RFC 3339 UTC (`2024-05-01T06:30:00Z`); empty if the timestamp is out of range.
    pub start: String,
    /// Sport as the file names it (lower case), else as the export's index names it, else as
    /// its speed and cadence tell it (`sport_source`).
    pub sport: Option<String>,
    /// Where `sport` came from when the file named none: `index` (the export's index) or
    /// `guessed`; null when the file named it.
    #[serde(default)]
    pub sport_source: Option<String>,
    /// Nothing named the sport: it was told from speed and cadence (METRICS.md 7).
    #[serde(default)]
    pub sport_guessed: bool,
    /// Session type (running only; METRICS.md 3a): from pace against the threshold speed,
    /// from HR only for a run without speed. Filled when the rows are read
    /// ([`crate::fill_session_types`]).
    pub class: Option<SessionClass>,
    /// Long run: at least 75 min and 1.5 x the median run of the previous 28 days.
    pub long: Option<bool>,
    /// Moving time (s): wall time from first to last sample minus pauses.
    pub moving_s: f64,
    /// Distance (m): device distance, else speed integrated over the 1 Hz grid.
    pub distance_m: Option<f64>,
    /// Mean valid HR over moving time (bpm).
    pub avg_hr: Option<f64>,
    /// Efficiency factor: mean GAP speed (m/min) / mean HR over the steady portion.
    pub ef: Option<f64>,
    /// Aerobic decoupling Pa:HR, (EF1 - EF2) / EF1 x 100 over the steady halves.
    pub decoupling_pct: Option<f64>,
    /// OLS slope of HR on moving time over the steady portion (bpm/h).
    pub drift_bpm_per_h: Option<f64>,
    /// Time coefficient of HR ~ b0 + b1 t + b2 GAP speed (bpm/h): drift at constant speed.
    pub drift_adj_bpm_per_h: Option<f64>,
    /// (mean HR of the second steady half - first) / first x 100.
    pub drift_pct: Option<f64>,
    /// Banister TRIMP.
    pub trimp: Option<f64>,
    /// TRIMP / TRIMP of 60 min at LTHR x 100.
    pub hrtss: Option<f64>,
    /// Seconds in Z1..Z5.
    pub zones_s: Option<[f64; 5]>,
    /// Quality and context flags (see [`flag`]).
    pub flags: Vec<String>,
    /// Metric name -> reason it is absent (see [`reason`]).
    pub absent: BTreeMap<String, String>,
    /// Valid-HR moving time / moving time, the former measured from the samples on the moving
    /// clock ([`crate::clean`], step 8), not from `valid_hr_s`.
    pub coverage: Option<f64>,
    /// Seconds of the 1 Hz grid with valid HR (s): what `avg_hr`, zones and TRIMP sum over.
    /// On sparse files it is less than `coverage` x `moving_s`.
    pub valid_hr_s: f64,
    /// Length of the steady portion (s of moving time; 0 when shorter than the warm-up).
    pub steady_s: f64,
    /// Seconds in Seiler S1..S3.
    pub s_zones_s: Option<[f64; 3]>,
    /// Mean GAP speed over moving time (m/s).
    pub gap_speed_m_s: Option<f64>,
    /// The anchors and settings fingerprint used.
    pub settings_used: SettingsUsed,
    /// What cleaning found and removed.
    pub cleaning: CleanStats,
    /// Start, ms UTC (the same instant as `start`). Rows stored before this field existed
    /// read back as 0.
    #[serde(default)]
    pub start_ms: i64,
    /// Last sample, ms UTC.
    #[serde(default)]
    pub end_ms: i64,
    /// Local time minus UTC (s), where the file tells it.
    #[serde(default)]
    pub utc_offset_s: Option<i32>,
    /// Minutes `window_from_s..window_to_s` (10-40) of moving time: the easy-run baseline's
    /// quantity (METRICS.md section 4).
    #[serde(default)]
    pub window: Option<WindowStats>,
    /// Minutes `early_from_s..early_to_s` (5-15) of moving time: the early signal.
    #[serde(default)]
    pub early: Option<WindowStats>,
    /// HR class (what the session cost, from the Seiler zones; METRICS.md 3).
    #[serde(default)]
    pub hr_class: Option<SessionClass>,
    /// What decided `class`.
    #[serde(default)]
    pub class_basis: Option<ClassBasis>,
    /// The threshold speed the run was typed against (m/s) and where it came from.
    #[serde(default)]
    pub threshold_speed_m_s: Option<f64>,
    #[serde(default)]
    pub threshold_source: Option<ThresholdSource>,
    /// Seconds of running in pace zones P1..P3.
    #[serde(default)]
    pub p_zones_s: Option<[f64; 3]>,
    /// Spans of fast running (above P3) of at least `fast_rep_min_s`; two or more are
    /// "P3 repetitions".
    #[serde(default)]
    pub fast_reps: Option<u32>,
    /// Walking time / moving time (runs).
    #[serde(default)]
    pub walk_share: Option<f64>,
    /// `steady` or `variable` (METRICS.md 3b) when the run is not unsteady.
    #[serde(default)]
    pub decoupling_quality: Option<DecouplingQuality>,
    /// What typing the run needs (see [`crate::effort`]).
    #[serde(default)]
    pub effort: Option<EffortSummary>,
    /// Beat-to-beat (RR) intervals the file carries (METRICS.md section 5); 0 without.
    #[serde(default)]
    pub rr_beats: u64,
    /// Artifacts among them (%).
    #[serde(default)]
    pub rr_artifact_pct: Option<f64>,
    /// rMSSD over the steady portion (ms).
    #[serde(default)]
    pub rmssd_ms: Option<f64>,
    /// Mean DFA alpha1 of the steady portion's windows.
    #[serde(default)]
    pub dfa_a1_mean: Option<f64>,
    /// Mean alpha1 of the steady portion's second half minus its first: a long run's
    /// durability cost when it falls.
    #[serde(default)]
    pub a1_drift: Option<f64>,
    /// HR at which alpha1 falls through 0.75: the aerobic threshold, measured (bpm).
    #[serde(default)]
    pub aet_hr_bpm: Option<f64>,
    /// How the runner felt after it, as the watch asked: 0 (very weak) to 100 (very strong)
    /// (FIT `session.workout_feel`).
    #[serde(default)]
    pub feel: Option<f64>,
    /// The runner's rating of perceived exertion, 0-10 (FIT `session.workout_rpe` / 10).
    #[serde(default)]
    pub rpe: Option<f64>,
    /// Normalized power over moving time (W; METRICS.md 7, [`crate::power`]).
    #[serde(default)]
    pub np_w: Option<f64>,
    /// Mean power over the grid seconds with power, zeros included (W).
    #[serde(default)]
    pub avg_power_w: Option<f64>,
    /// NP / mean HR over the steady portion (W per bpm); a ride's `ef` too.
    #[serde(default)]
    pub ef_power: Option<f64>,
    /// Pw:HR decoupling over the steady halves (%); a ride's `decoupling_pct` too.
    #[serde(default)]
    pub pw_hr_decoupling_pct: Option<f64>,
    /// What a ride's FTP, IF, TSS and type need (see [`crate::power`]).
    #[serde(default)]
    pub power: Option<crate::power::PowerSummary>,
    /// The FTP a ride was measured against (W), and where it came from. Filled when the rows
    /// are read ([`crate::fill_session_types`]).
    #[serde(default)]
    pub ftp_w: Option<f64>,
    #[serde(default)]
    pub ftp_source: Option<crate::power::FtpSource>,
    /// Intensity factor NP / FTP.
    #[serde(default, rename = "if")]
    pub intensity_factor: Option<f64>,
    /// Training stress score: moving hours x IF^2 x 100.
    #[serde(default)]
    pub tss: Option<f64>,
    /// Seconds in Coggan's power zones Z1..Z6 (55/75/90/105/120 % of FTP).
    #[serde(default)]
    pub power_zones_s: Option<[f64; 6]>,
}

/// How steady a run was (METRICS.md 3b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecouplingQuality {
    Steady,
    Variable,
}

/// Means over a span of moving time (the 1 Hz grid seconds `k` with `from <= k < to`).
///
/// HR and GAP speed are averaged over the seconds that carry both (as EF is). The other
/// channels are read from the file's samples: each grid second takes the latest sample at or
/// before it, no further back than `resample_max_gap_s`; a channel the file does not carry (or
/// carries with no plausible value in the span) is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowStats {
    /// Mean valid HR (bpm).
    pub hr_bpm: f64,
    /// Mean GAP speed (m/s).
    pub gap_speed_m_s: f64,
    /// Coefficient of variation of cadence (steps/min for running), positive values only.
    pub cadence_cv: Option<f64>,
    /// Mean ground contact time (ms).
    pub stance_time_ms: Option<f64>,
    /// Mean vertical oscillation (mm).
    pub vertical_oscillation_mm: Option<f64>,
    /// Mean step length (mm).
    pub step_length_mm: Option<f64>,
    /// Mean temperature the device recorded (degC).
    pub temperature_c: Option<f64>,
    /// Seconds with both valid HR and GAP speed in the span.
    pub seconds: f64,
}

impl WindowStats {
    /// Whether every number is finite.
    #[must_use]
    pub fn is_finite(&self) -> bool {
        [self.hr_bpm, self.gap_speed_m_s, self.seconds]
            .iter()
            .chain(
                [
                    self.cadence_cv,
                    self.stance_time_ms,
                    self.vertical_oscillation_mm,
                    self.step_length_mm,
                    self.temperature_c,
                ]
                .iter()
                .flatten(),
            )
            .all(|v| v.is_finite())
    }
}

impl ActivityMetrics {
    /// A row with every optional field filled and every list holding an item: the types of
    /// `metrics.parquet`'s columns come from it, so that a column no stored row has a value for
    /// yet (no run with a threshold) still has its type rather than the store's text default.
    /// Never stored; its numbers mean nothing.
    #[must_use]
    pub fn type_example() -> Self {
        let window = WindowStats {
            hr_bpm: 0.5,
            gap_speed_m_s: 0.5,
            cadence_cv: Some(0.5),
            stance_time_ms: Some(0.5),
            vertical_oscillation_mm: Some(0.5),
            step_length_mm: Some(0.5),
            temperature_c: Some(0.5),
            seconds: 0.5,
        };
        let text = || String::from("x");
        ActivityMetrics {
            id: text(),
            start: text(),
            sport: Some(text()),
            sport_source: Some(text()),
            sport_guessed: true,
            class: Some(SessionClass::Easy),
            long: Some(false),
            moving_s: 0.5,
            distance_m: Some(0.5),
            avg_hr: Some(0.5),
            ef: Some(0.5),
            decoupling_pct: Some(0.5),
            drift_bpm_per_h: Some(0.5),
            drift_adj_bpm_per_h: Some(0.5),
            drift_pct: Some(0.5),
            trimp: Some(0.5),
            hrtss: Some(0.5),
            zones_s: Some([0.5; 5]),
            flags: vec![text()],
            absent: BTreeMap::new(),
            coverage: Some(0.5),
            valid_hr_s: 0.5,
            steady_s: 0.5,
            s_zones_s: Some([0.5; 3]),
            gap_speed_m_s: Some(0.5),
            settings_used: SettingsUsed {
                hr_max: Some(0.5),
                hr_rest: Some(0.5),
                lthr: Some(0.5),
                sex: Sex::default(),
                zone_model: ZoneModel::default(),
                warmup_s: 0.5,
                estimated: vec![text()],
                fingerprint: text(),
            },
            cleaning: CleanStats::default(),
            start_ms: 1,
            end_ms: 1,
            utc_offset_s: Some(1),
            window: Some(window),
            early: Some(window),
            hr_class: Some(SessionClass::Easy),
            class_basis: Some(ClassBasis::Pace),
            threshold_speed_m_s: Some(0.5),
            threshold_source: Some(ThresholdSource::Configured),
            p_zones_s: Some([0.5; 3]),
            fast_reps: Some(1),
            walk_share: Some(0.5),
            decoupling_quality: Some(DecouplingQuality::Steady),
            effort: Some(EffortSummary {
                best_gap_m_s: [Some(0.5); 7],
                pace_hist: vec![[1; 3]],
                blocks_m_s: vec![0.5],
                lthr_front: vec![[0.5; 2]],
                habit_gap_m_s: Some(0.5),
                not_running_speed: false,
                walk_s: 0.5,
                grid_s: 0.5,
            }),
            rr_beats: 1,
            rr_artifact_pct: Some(0.5),
            rmssd_ms: Some(0.5),
            dfa_a1_mean: Some(0.5),
            a1_drift: Some(0.5),
            aet_hr_bpm: Some(0.5),
            feel: Some(0.5),
            rpe: Some(0.5),
            np_w: Some(0.5),
            avg_power_w: Some(0.5),
            ef_power: Some(0.5),
            pw_hr_decoupling_pct: Some(0.5),
            power: Some(crate::power::PowerSummary {
                seconds: 0.5,
                best_20min_w: Some(0.5),
                hist: vec![[1; 3]],
            }),
            ftp_w: Some(0.5),
            ftp_source: Some(crate::power::FtpSource::Configured),
            intensity_factor: Some(0.5),
            tss: Some(0.5),
            power_zones_s: Some([0.5; 6]),
        }
    }

    /// Whether every number in the row is finite (the crate's invariant; used by tests).
    #[must_use]
    pub fn is_finite(&self) -> bool {
        let opts = [
            self.distance_m,
            self.avg_hr,
            self.ef,
            self.decoupling_pct,
            self.drift_bpm_per_h,
            self.drift_adj_bpm_per_h,
            self.drift_pct,
            self.trimp,
            self.hrtss,
            self.coverage,
            self.gap_speed_m_s,
            self.settings_used.hr_max,
            self.settings_used.hr_rest,
            self.settings_used.lthr,
            self.threshold_speed_m_s,
            self.walk_share,
            self.rr_artifact_pct,
            self.rmssd_ms,
            self.dfa_a1_mean,
            self.a1_drift,
            self.aet_hr_bpm,
            self.feel,
            self.rpe,
            self.np_w,
            self.avg_power_w,
            self.ef_power,
            self.pw_hr_decoupling_pct,
            self.ftp_w,
            self.intensity_factor,
            self.tss,
            self.power.as_ref().map_or(Some(0.0), |p| p.best_20min_w),
        ];
        let zones = self
            .zones_s
            .iter()
            .flatten()
            .chain(self.s_zones_s.iter().flatten())
            .chain(self.p_zones_s.iter().flatten())
            .chain(self.power_zones_s.iter().flatten());
        opts.iter().flatten().chain(zones).all(|v| v.is_finite())
            && self
                .window
                .iter()
                .chain(&self.early)
                .all(WindowStats::is_finite)
            && [
                self.moving_s,
                self.valid_hr_s,
                self.steady_s,
                self.settings_used.warmup_s,
            ]
            .iter()
            .all(|v| v.is_finite())
    }
}

/// The steady portion on the moving clock (s).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SteadySpan {
    pub start_s: f64,
    /// Where the two halves meet.
    pub mid_s: f64,
    pub end_s: f64,
}

/// The fitted raw drift line over the steady portion, for charting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DriftLine {
    pub start_s: f64,
    pub end_s: f64,
    pub hr_start_bpm: f64,
    pub hr_end_bpm: f64,
    pub slope_bpm_per_h: f64,
}

/// The cleaned 1 Hz series of one activity, for charting. All vectors have the same length;
/// a second missing from `t_s` is a hole (a gap too long to fill), not a zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivitySeries {
    /// Moving time of each point (whole seconds, strictly increasing).
    pub t_s: Vec<f64>,
    /// Wall-clock time of each point, ms UTC.
    pub wall_ms: Vec<i64>,
    /// Valid HR only (dropouts, spikes, cadence lock removed).
    pub hr_bpm: Vec<Option<f64>>,
    /// Smoothed speed.
    pub speed_m_s: Vec<Option<f64>>,
    pub grade: Vec<Option<f64>>,
    pub gap_speed_m_s: Vec<Option<f64>>,
    pub moving_s: f64,
    pub steady: Option<SteadySpan>,
    pub drift_line: Option<DriftLine>,
    /// DFA alpha1 every 20 s over 120 s windows of RR (METRICS.md section 5), with the HR and
    /// the speed of each; empty without RR.
    pub alpha1: Vec<Alpha1Point>,
}

/// One alpha1 window of an activity, for `show --series alpha1` and the report's chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alpha1Point {
    /// Window start and end, ms UTC.
    pub start_ms: i64,
    pub end_ms: i64,
    /// Seconds from the activity's start to the window's middle (wall clock).
    pub elapsed_s: f64,
    pub alpha1: Option<f64>,
    /// Why the window has no alpha1 (`rr_sparse`, `too_many_artifacts`, `hr_changing`, `too_short`).
    pub absent: Option<String>,
    /// 60,000 / the mean of the window's clean intervals.
    pub hr_bpm: Option<f64>,
    /// Mean speed over the window's grid seconds (m/s).
    pub speed_m_s: Option<f64>,
    /// Share of the window's intervals that are artifacts.
    pub artifact_share: f64,
}

/// Metrics and the series they were computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub metrics: ActivityMetrics,
    pub series: ActivitySeries,
    /// What [`reanchor`] needs to compute the anchor-dependent metrics again.
    pub summary: HrSummary,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of the example has a value, at every depth: a field added without one
    /// would be a column of text in a store where no row has it yet.
    #[test]
    fn the_type_example_fills_every_field() {
        fn nulls(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Null => out.push(at.to_owned()),
                serde_json::Value::Array(xs) => {
                    if xs.is_empty() {
                        out.push(format!("{at}[]"));
                    }
                    for x in xs {
                        nulls(x, &format!("{at}[]"), out);
                    }
                }
                serde_json::Value::Object(m) => {
                    for (k, x) in m {
                        nulls(x, &format!("{at}.{k}"), out);
                    }
                }
                _ => {}
            }
        }
        let v = serde_json::to_value(ActivityMetrics::type_example()).unwrap_or_default();
        let mut out = Vec::new();
        nulls(&v, "", &mut out);
        assert!(v.is_object());
        // `absent` is a map: its fields are the metrics, whichever rows lack them.
        assert_eq!(out, Vec::<String>::new());
        let back: ActivityMetrics = serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, ActivityMetrics::type_example());
    }
}

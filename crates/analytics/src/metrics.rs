//! Per-activity metrics (METRICS.md section 3) over the cleaned 1 Hz series.
//!
//! Choices where METRICS.md leaves room, so that the numbers can be checked by hand:
//! - The steady portion is every grid second `k` (standing for `[k, k+1)` of moving time) with
//!   `k >= warmup_s`; its length is `moving_s - warmup_s`. The two halves are split at the
//!   middle of that moving time, by the centre of each second.
//! - EF and decoupling average GAP speed and HR over the same seconds: those with both a valid
//!   HR and a speed ("paired" seconds), so a hole in one channel does not bias the ratio.
//! - Coverage is valid-HR moving time over moving time, with the valid-HR moving time measured
//!   on the moving clock from the samples (a gap of up to `coverage_max_gap_s` between valid
//!   HR readings counts as covered, and so does a recording gap of up to `recording_gap_max_s`),
//!   not by counting 1 Hz grid seconds: see [`crate::clean`], step 8, for the rule and the
//!   reason. The metrics below are computed on the grid, which is filled across recording gaps.
//! - Coverage (at least `min_coverage`) is checked on the whole activity, as METRICS.md says,
//!   and gates every HR metric: `avg_hr`, EF, decoupling, drift, TRIMP, hrTSS and the class.
//!   Zone times are plain sums of valid seconds and are reported at any coverage.
//! - `unsteady` (the 30 s means of GAP speed vary by more than `unsteady_cv`, METRICS.md 3b)
//!   makes decoupling, the raw drift and `drift_pct` absent (they assume an even effort). EF
//!   and the speed-adjusted drift stay: the latter exists to handle changing speed.
//! - A `run_walk` run's steady-portion sums and its minutes 10-40 and 5-15 leave out walking
//!   and the first `walk_recovery_s` of each running segment after a walk ([`crate::effort`]);
//!   other runs use every second.
//! - The HR class (`hr_class`) is computed here; the session type (`class`) needs the
//!   threshold speed of the run's date, so it is filled when the rows are read
//!   ([`crate::fill_session_types`]), or by [`crate::compute`] from a configured
//!   `threshold_pace`. [`analyze`] types only a run without speed (by its HR class).
//! - The drift slopes and `drift_pct` need `drift_min_steady_s` (default 20 min, as decoupling);
//!   EF needs `ef_min_steady_s` (default 5 min).
//! - Zones and the Seiler view count all valid-HR moving seconds, warm-up included, so they sum
//!   to the valid-HR moving time. The `easy` test uses the S1 share of the steady portion's
//!   valid-HR seconds; the `hard` test uses the whole activity's S2/S3 time.
//! - TRIMP sums valid-HR seconds only (missing HR is not invented), with `r` floored at 0.
//! - The session class and `long` are for running (an activity whose file names no sport is
//!   taken as a run, with the flag `sport_assumed_running`); other sports get them absent as
//!   `not_running`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use hrdrift_ingest::Activity;
use serde::{Deserialize, Serialize};

use crate::clean::{self, Clean, CleanStats};
use crate::effort::{self, ClassBasis, EffortSummary, Parts, ThresholdSource};
use crate::load;
use crate::settings::{AthleteSettings, Sex, ZoneModel};
use crate::stats::{self, FitError, Moments, finite};
use crate::zones::{self, zone_index};

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
    /// `long` needs the median run of the previous 28 days, which was not given.
    pub const NO_HISTORY: &str = "no_history";
    /// The computation produced a non-finite number (a guard; not expected).
    pub const NON_FINITE: &str = "non_finite";
    /// Neither device distance nor speed.
    pub const NO_DISTANCE: &str = "no_distance";
    /// A run with speed and no threshold speed yet (none configured, none estimable).
    pub const NO_THRESHOLD: &str = "no_threshold";
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

/// The anchors a row was computed with, so a reader need not look the config up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsUsed {
    pub hr_max: Option<f64>,
    pub hr_rest: Option<f64>,
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
    fn of(s: &AthleteSettings) -> Self {
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
    /// Sport as the file names it (lower case).
    pub sport: Option<String>,
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
        ];
        let zones = self
            .zones_s
            .iter()
            .flatten()
            .chain(self.s_zones_s.iter().flatten())
            .chain(self.p_zones_s.iter().flatten());
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
}

/// Metrics and the series they were computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub metrics: ActivityMetrics,
    pub series: ActivitySeries,
    /// What [`reanchor`] needs to compute the anchor-dependent metrics again.
    pub summary: HrSummary,
}

/// What the anchor-dependent metrics (zones, the Seiler view, TRIMP, hrTSS, the session class)
/// need of an activity: its valid heart rate, one entry per distinct value. [`analyze`] computes
/// those metrics from it too, so [`reanchor`] gives the same numbers, to the bit, for other
/// anchors (an estimate that moved after an import) without reading the samples again.
#[derive(Debug, Clone, PartialEq)]
pub struct HrSummary {
    /// [`AthleteSettings::anchor_free_fingerprint`] of the settings it was made with.
    pub fingerprint: String,
    /// Distinct valid HR values of the grid seconds, ascending, each with its seconds in the
    /// whole activity and in the steady portion.
    hr: Vec<(f64, u32, u32)>,
    /// The HR gate (coverage) and the any-HR gate of [`analyze`].
    hr_gate: Outcome<()>,
    any_hr_gate: Outcome<()>,
    running: bool,
}

impl HrSummary {
    fn new(
        c: &Clean,
        s: &AthleteSettings,
        running: bool,
        hr_gate: Outcome<()>,
        any_hr_gate: Outcome<()>,
    ) -> Self {
        let mut seconds: Vec<(f64, bool)> = c
            .t_s
            .iter()
            .zip(&c.hr)
            .filter_map(|(t, h)| h.map(|h| (h, *t >= s.warmup_s)))
            .collect();
        seconds.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut hr: Vec<(f64, u32, u32)> = Vec::new();
        for (h, steady) in seconds {
            match hr.last_mut() {
                Some(last) if last.0.to_bits() == h.to_bits() => {
                    last.1 = last.1.saturating_add(1);
                    last.2 = last.2.saturating_add(u32::from(steady));
                }
                _ => hr.push((h, 1, u32::from(steady))),
            }
        }
        HrSummary {
            fingerprint: s.anchor_free_fingerprint(),
            hr,
            hr_gate,
            any_hr_gate,
            running,
        }
    }

    /// Valid HR values and their seconds in the whole activity.
    pub fn seconds(&self) -> impl Iterator<Item = (f64, u32)> + '_ {
        self.hr.iter().map(|(h, n, _)| (*h, *n))
    }

    fn zone_seconds<const N: usize>(&self, lower_bounds: &[f64]) -> [f64; N] {
        let mut z = [0.0; N];
        for (h, n, _) in &self.hr {
            z[zone_index(*h, lower_bounds).min(N - 1)] += f64::from(*n);
        }
        z
    }

    /// Valid-HR seconds of the steady portion: in zone 0 of `bounds`, and in all.
    fn steady_seconds(&self, bounds: &[f64]) -> (f64, f64) {
        let (mut low, mut all) = (0.0, 0.0);
        for (h, _, n) in &self.hr {
            all += f64::from(*n);
            if zone_index(*h, bounds) == 0 {
                low += f64::from(*n);
            }
        }
        (low, all)
    }

    /// A compact text form (`v1;fingerprint;running;gate;gate;hr:all:steady,...`), whose values
    /// read back to the same bits.
    #[must_use]
    pub fn to_text(&self) -> String {
        let gate = |g: &Outcome<()>| g.err().unwrap_or_default();
        let mut out = format!(
            "v1;{};{};{};{};",
            self.fingerprint,
            u8::from(self.running),
            gate(&self.hr_gate),
            gate(&self.any_hr_gate)
        );
        for (i, (h, n, st)) in self.hr.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // Display of an f64 is the shortest text that parses back to the same value.
            let _ = write!(out, "{h}:{n}:{st}");
        }
        out
    }

    /// The fingerprint field of a summary's text form, without parsing the rest: what a cache
    /// compares with [`AthleteSettings::anchor_free_fingerprint`] before re-anchoring.
    #[must_use]
    pub fn fingerprint_of(text: &str) -> Option<&str> {
        let mut f = text.split(';');
        (f.next()? == "v1").then(|| f.next()).flatten()
    }

    /// Parses [`HrSummary::to_text`]; `None` when the text is not in that form.
    #[must_use]
    pub fn from_text(text: &str) -> Option<Self> {
        let mut f = text.split(';');
        if f.next()? != "v1" {
            return None;
        }
        let fingerprint = f.next()?.to_owned();
        let running = match f.next()? {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        let gate = |g: &str| -> Option<Outcome<()>> {
            match g {
                "" => Some(Ok(())),
                reason::NO_MOVING_TIME => Some(Err(reason::NO_MOVING_TIME)),
                reason::NO_HEART_RATE => Some(Err(reason::NO_HEART_RATE)),
                reason::LOW_COVERAGE => Some(Err(reason::LOW_COVERAGE)),
                _ => None,
            }
        };
        let hr_gate = gate(f.next()?)?;
        let any_hr_gate = gate(f.next()?)?;
        let values = f.next()?;
        if f.next().is_some() {
            return None;
        }
        let mut hr = Vec::new();
        for v in values.split(',').filter(|v| !v.is_empty()) {
            let mut p = v.split(':');
            let h: f64 = p.next()?.parse().ok()?;
            let n: u32 = p.next()?.parse().ok()?;
            let st: u32 = p.next()?.parse().ok()?;
            if p.next().is_some() || !h.is_finite() || st > n {
                return None;
            }
            hr.push((h, n, st));
        }
        Some(HrSummary {
            fingerprint,
            hr,
            hr_gate,
            any_hr_gate,
            running,
        })
    }
}

/// Computes the anchor-dependent metrics of `m` (zones, the Seiler view, TRIMP, hrTSS, the
/// HR class, the settings used) again under `settings`, from the activity's `summary`.
/// Returns `false`, leaving `m` as it was, when the summary was made under settings that differ
/// in more than what these metrics use: then only [`analyze`] can tell.
pub fn reanchor(m: &mut ActivityMetrics, summary: &HrSummary, settings: &AthleteSettings) -> bool {
    let s = settings.sanitized();
    if summary.fingerprint != s.anchor_free_fingerprint() {
        return false;
    }
    for name in ANCHORED {
        m.absent.remove(*name);
    }
    m.flags.retain(|f| f != flag::SEX_UNKNOWN_MALE_TRIMP);
    anchored(m, summary, &s);
    // The type falls back on the HR class for a run without speed.
    effort::type_row(m, None, &s);
    m.settings_used = SettingsUsed::of(&s);
    guard_finite(m);
    true
}

/// The metrics [`anchored`] fills.
const ANCHORED: &[&str] = &["zones_s", "s_zones_s", "trimp", "hrtss", "hr_class"];

/// Zones, the Seiler view, TRIMP and hrTSS, and the session class: everything that depends on
/// the anchors (and on sex, the zone model and the class thresholds) but the settings used, from
/// the summary alone. Pushes the last flag [`analyze`] pushes, so the flags keep their order.
fn anchored(m: &mut ActivityMetrics, sum: &HrSummary, s: &AthleteSettings) {
    let seiler = zones::seiler_bounds_bpm(s);
    let zones5 = sum
        .any_hr_gate
        .and_then(|()| zones::zone_bounds_bpm(s))
        .map(|b| sum.zone_seconds::<5>(&b));
    put(&mut m.zones_s, &mut m.absent, "zones_s", zones5);
    let zones3 = sum
        .any_hr_gate
        .and(seiler)
        .map(|b| sum.zone_seconds::<3>(&b));
    put(&mut m.s_zones_s, &mut m.absent, "s_zones_s", zones3);
    load_metrics(m, sum, s);
    let class = if sum.running {
        Ok(())
    } else {
        Err(reason::NOT_RUNNING)
    }
    .and(sum.hr_gate)
    .and_then(|()| session_class(&zones3?, sum.steady_seconds(&seiler?), s));
    put(&mut m.hr_class, &mut m.absent, "hr_class", class);
}

type Outcome<T> = Result<T, &'static str>;

fn put<T>(slot: &mut Option<T>, absent: &mut BTreeMap<String, String>, name: &str, r: Outcome<T>) {
    match r {
        Ok(v) => *slot = Some(v),
        Err(why) => {
            *slot = None;
            absent.insert(name.to_owned(), why.to_owned());
        }
    }
}

fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(String::new, |d| {
        d.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    })
}

/// Sums over the steady portion, gathered in one pass.
#[derive(Default)]
struct Steady {
    /// Valid-HR seconds: time (h) and HR, for the raw drift.
    hr_t_h: Vec<f64>,
    hr: Vec<f64>,
    /// Paired seconds: time (h), GAP (m/s), HR, for the adjusted drift.
    pair_t_h: Vec<f64>,
    pair_gap: Vec<f64>,
    pair_hr: Vec<f64>,
    /// Per half: paired GAP, paired HR, valid HR.
    half_gap: [Moments; 2],
    half_pair_hr: [Moments; 2],
    half_hr: [Moments; 2],
}

/// Gates shared by several metrics: each is `Ok` or the reason the metrics behind it are absent.
#[derive(Clone, Copy)]
struct Gates {
    /// Moving time, some valid HR, coverage at least `min_coverage`.
    hr: Outcome<()>,
    /// Moving time and some valid HR (coverage not checked).
    any_hr: Outcome<()>,
    speed: Outcome<()>,
    unsteady: Outcome<()>,
    steady_s: f64,
}

impl Gates {
    /// `hr` plus a steady portion of at least `min_s`.
    fn steady(&self, min_s: f64) -> Outcome<()> {
        self.hr?;
        if self.steady_s <= 0.0 || self.steady_s < min_s {
            Err(reason::TOO_SHORT)
        } else {
            Ok(())
        }
    }
}

/// Computes metrics and the cleaned series of one activity.
#[must_use]
pub fn analyze(activity: &Activity, settings: &AthleteSettings, ctx: &ActivityContext) -> Analysis {
    let s = settings.sanitized();
    let c = clean::clean(activity, &s);
    let running = clean::is_running(activity.sport.as_deref());
    let mut m = empty_row(activity, &s, &c);

    let coverage: Outcome<f64> = if c.moving_s > 0.0 {
        Ok((c.hr_covered_s / c.moving_s).min(1.0))
    } else {
        Err(reason::NO_MOVING_TIME)
    };
    let any_hr = match coverage {
        Err(why) => Err(why),
        Ok(_) if m.valid_hr_s > 0.0 => Ok(()),
        Ok(_) => Err(reason::NO_HEART_RATE),
    };
    let hr = any_hr.and(coverage).and_then(|cov| {
        if cov < s.min_coverage {
            Err(reason::LOW_COVERAGE)
        } else {
            Ok(())
        }
    });
    put(&mut m.coverage, &mut m.absent, "coverage", coverage);

    let parts = effort::parts(&c, &s, running);
    let mid_s = s.warmup_s + m.steady_s / 2.0;
    let st = steady_sums(&c, &s, mid_s, &parts);
    let blocks = effort::blocks(&c, &parts, &s);
    let cv = effort::blocks_cv(&blocks);
    let unsteady = cv.is_some_and(|cv| cv > s.unsteady_cv);
    if unsteady {
        m.flags.push(flag::UNSTEADY.to_owned());
    }
    if running {
        m.walk_share = Some(parts.walk_share);
        if parts.run_walk {
            m.flags.push(flag::RUN_WALK.to_owned());
        }
        m.decoupling_quality = match cv {
            _ if unsteady => None,
            Some(cv) if cv > s.steady_cv => Some(DecouplingQuality::Variable),
            _ => Some(DecouplingQuality::Steady),
        };
    }
    let gates = Gates {
        hr,
        any_hr,
        speed: if c.any_speed {
            Ok(())
        } else {
            Err(reason::NO_SPEED)
        },
        unsteady: if unsteady {
            Err(reason::UNSTEADY)
        } else {
            Ok(())
        },
        steady_s: m.steady_s,
    };

    put(
        &mut m.distance_m,
        &mut m.absent,
        "distance_m",
        c.distance_m.ok_or(reason::NO_DISTANCE),
    );
    let gap_mean = mean(c.gap.iter().flatten().copied());
    let gap_mean = gates.speed.and_then(|()| gap_mean.ok_or(reason::NO_SPEED));
    put(
        &mut m.gap_speed_m_s,
        &mut m.absent,
        "gap_speed_m_s",
        gap_mean,
    );
    let avg_hr = gates
        .hr
        .and_then(|()| mean(c.hr.iter().flatten().copied()).ok_or(reason::NO_HEART_RATE));
    put(&mut m.avg_hr, &mut m.absent, "avg_hr", avg_hr);

    let line = steady_metrics(&mut m, &gates, &st, &s);
    if running && c.any_speed {
        let e = effort::summary(&c, &parts, &s, blocks);
        if e.not_running_speed {
            m.flags.push(flag::NOT_RUNNING_SPEED.to_owned());
        }
        m.effort = Some(e);
    }
    let summary = HrSummary::new(&c, &s, running, gates.hr, gates.any_hr);
    anchored(&mut m, &summary, &s);
    let long = long_flag(c.moving_s, running, ctx.median_run_s_prev_28d, &s);
    put(&mut m.long, &mut m.absent, "long", long);
    let spans = gates.any_hr.and(gates.speed);
    let window = spans.and_then(|()| {
        window_stats(
            activity,
            (&c, &parts),
            &s,
            (s.window_from_s, s.window_to_s),
            s.window_min_s,
        )
    });
    put(&mut m.window, &mut m.absent, "window", window);
    let early = spans.and_then(|()| {
        window_stats(
            activity,
            (&c, &parts),
            &s,
            (s.early_from_s, s.early_to_s),
            s.early_min_s,
        )
    });
    put(&mut m.early, &mut m.absent, "early", early);
    // Stored rows must not depend on the threshold (it is not in their fingerprint): only the
    // HR basis of a run without speed is set here; [`crate::compute`] and the readers of stored
    // rows ([`crate::fill_session_types`]) type the rest.
    effort::type_row(&mut m, None, &s);
    guard_finite(&mut m);

    let steady = (m.steady_s > 0.0).then_some(SteadySpan {
        start_s: s.warmup_s,
        mid_s,
        end_s: c.moving_s,
    });
    let drift_line = line.and_then(|(a, b)| {
        let (t0, t1) = (s.warmup_s, c.moving_s);
        let (h0, h1) = (a + b * t0 / 3600.0, a + b * t1 / 3600.0);
        (h0.is_finite() && h1.is_finite()).then_some(DriftLine {
            start_s: t0,
            end_s: t1,
            hr_start_bpm: h0,
            hr_end_bpm: h1,
            slope_bpm_per_h: b,
        })
    });
    let series = ActivitySeries {
        t_s: c.t_s,
        wall_ms: c.wall_ms,
        hr_bpm: c.hr,
        speed_m_s: c.speed,
        grade: c.grade,
        gap_speed_m_s: c.gap,
        moving_s: c.moving_s,
        steady,
        drift_line,
    };
    Analysis {
        metrics: m,
        series,
        summary,
    }
}

/// A row with identity, moving time, cleaning flags and settings filled in, every metric `None`.
fn empty_row(activity: &Activity, s: &AthleteSettings, c: &Clean) -> ActivityMetrics {
    let mut flags = Vec::new();
    for (on, name) in [
        (activity.sport.is_none(), flag::SPORT_ASSUMED_RUNNING),
        (c.stats.out_of_order > 0, flag::SAMPLES_REORDERED),
        (c.stats.duplicates > 0, flag::DUPLICATE_TIMESTAMPS),
        (c.cadence_lock, flag::HR_CADENCE_LOCK),
        (c.any_speed && !c.any_altitude, flag::NO_ALTITUDE),
    ] {
        if on {
            flags.push(name.to_owned());
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let valid_hr_s = c.hr.iter().flatten().count() as f64;
    ActivityMetrics {
        id: activity.id.clone(),
        start: rfc3339(activity.start_ms),
        sport: activity.sport.clone(),
        class: None,
        long: None,
        moving_s: c.moving_s,
        distance_m: None,
        avg_hr: None,
        ef: None,
        decoupling_pct: None,
        drift_bpm_per_h: None,
        drift_adj_bpm_per_h: None,
        drift_pct: None,
        trimp: None,
        hrtss: None,
        zones_s: None,
        flags,
        absent: BTreeMap::new(),
        coverage: None,
        valid_hr_s,
        steady_s: (c.moving_s - s.warmup_s).max(0.0),
        s_zones_s: None,
        gap_speed_m_s: None,
        settings_used: SettingsUsed::of(s),
        cleaning: c.stats,
        start_ms: activity.start_ms,
        end_ms: activity
            .samples
            .timestamp_ms
            .iter()
            .copied()
            .max()
            .unwrap_or(activity.start_ms),
        utc_offset_s: activity.utc_offset_s,
        window: None,
        early: None,
        hr_class: None,
        class_basis: None,
        threshold_speed_m_s: None,
        threshold_source: None,
        p_zones_s: None,
        fast_reps: None,
        walk_share: None,
        decoupling_quality: None,
        effort: None,
    }
}

/// EF from mean GAP speed and mean HR over the same seconds.
fn ef(gap: &Moments, hr: &Moments) -> Outcome<f64> {
    let (g, h) = (
        gap.mean().ok_or(reason::TOO_SHORT)?,
        hr.mean().ok_or(reason::TOO_SHORT)?,
    );
    if h <= 0.0 {
        return Err(reason::TOO_SHORT);
    }
    finite(g * 60.0 / h).ok_or(reason::NON_FINITE)
}

/// EF, decoupling, the drifts; returns the raw drift line `(intercept, slope)` for the chart.
fn steady_metrics(
    m: &mut ActivityMetrics,
    g: &Gates,
    st: &Steady,
    s: &AthleteSettings,
) -> Option<(f64, f64)> {
    let all_gap = st.half_gap[0].merged(&st.half_gap[1]);
    let all_hr = st.half_pair_hr[0].merged(&st.half_pair_hr[1]);
    let ef_all = g
        .steady(s.ef_min_steady_s)
        .and(g.speed)
        .and_then(|()| ef(&all_gap, &all_hr));
    put(&mut m.ef, &mut m.absent, "ef", ef_all);

    let decoupling = g
        .steady(s.decoupling_min_steady_s)
        .and(g.speed)
        .and(g.unsteady)
        .and_then(|()| {
            let ef1 = ef(&st.half_gap[0], &st.half_pair_hr[0])?;
            let ef2 = ef(&st.half_gap[1], &st.half_pair_hr[1])?;
            if ef1 <= 0.0 {
                return Err(reason::TOO_SHORT);
            }
            finite((ef1 - ef2) / ef1 * 100.0).ok_or(reason::NON_FINITE)
        });
    put(
        &mut m.decoupling_pct,
        &mut m.absent,
        "decoupling_pct",
        decoupling,
    );

    let drift_gate = g.steady(s.drift_min_steady_s);
    let line = drift_gate
        .and(g.unsteady)
        .and_then(|()| stats::ols_slope(&st.hr_t_h, &st.hr).ok_or(reason::TOO_SHORT));
    put(
        &mut m.drift_bpm_per_h,
        &mut m.absent,
        "drift_bpm_per_h",
        line.map(|(_, b)| b),
    );

    let adj = drift_gate.and(g.speed).and_then(|()| {
        stats::ols2_first_coef(&st.pair_t_h, &st.pair_gap, &st.pair_hr).map_err(|e| match e {
            FitError::TooFew => reason::TOO_SHORT,
            FitError::Collinear => reason::COLLINEAR,
        })
    });
    put(
        &mut m.drift_adj_bpm_per_h,
        &mut m.absent,
        "drift_adj_bpm_per_h",
        adj,
    );

    let drift_pct = drift_gate.and(g.unsteady).and_then(|()| {
        let h1 = st.half_hr[0].mean().ok_or(reason::TOO_SHORT)?;
        let h2 = st.half_hr[1].mean().ok_or(reason::TOO_SHORT)?;
        if h1 <= 0.0 {
            return Err(reason::TOO_SHORT);
        }
        finite((h2 - h1) / h1 * 100.0).ok_or(reason::NON_FINITE)
    });
    put(&mut m.drift_pct, &mut m.absent, "drift_pct", drift_pct);
    line.ok()
}

/// Banister TRIMP over valid-HR seconds, and hrTSS. TRIMP sums over the distinct HR values
/// (ascending), each term weighted by its seconds.
fn load_metrics(m: &mut ActivityMetrics, sum: &HrSummary, s: &AthleteSettings) {
    let (k1, k2, sex_guessed) = load::trimp_constants(s);
    let anchors = match (s.hr_rest, s.hr_max) {
        (Some(r), Some(mx)) if mx > r => Ok((r, mx)),
        _ => Err(reason::NO_HR_SETTINGS),
    };
    let trimp = sum.hr_gate.and(anchors).and_then(|(r, mx)| {
        let per_min: f64 = sum
            .seconds()
            .map(|(h, n)| f64::from(n) * load::trimp_per_min(load::hrr_fraction(h, r, mx), k1, k2))
            .sum();
        // Each valid second is 1/60 of a minute.
        finite(per_min / 60.0).ok_or(reason::NON_FINITE)
    });
    if trimp.is_ok() && sex_guessed {
        m.flags.push(flag::SEX_UNKNOWN_MALE_TRIMP.to_owned());
    }
    let hrtss = trimp.and_then(|t| {
        let (r, mx) = anchors?;
        let lthr = s.lthr.ok_or(reason::NO_HR_SETTINGS)?;
        let hour_at_lthr = 60.0 * load::trimp_per_min(load::hrr_fraction(lthr, r, mx), k1, k2);
        if hour_at_lthr <= 0.0 {
            return Err(reason::NO_HR_SETTINGS);
        }
        finite(t / hour_at_lthr * 100.0).ok_or(reason::NON_FINITE)
    });
    put(&mut m.trimp, &mut m.absent, "trimp", trimp);
    put(&mut m.hrtss, &mut m.absent, "hrtss", hrtss);
}

/// `hard` on the whole activity's S2/S3 time, else `easy` on the steady portion's S1 share
/// (`steady` = its valid-HR seconds in S1, and in all).
fn session_class(
    s_zones: &[f64; 3],
    (s1_s, valid_s): (f64, f64),
    s: &AthleteSettings,
) -> Outcome<SessionClass> {
    if s_zones[2] >= s.hard_s3_s || s_zones[1] + s_zones[2] >= s.hard_s2_s3_s {
        return Ok(SessionClass::Hard);
    }
    if valid_s <= 0.0 {
        return Err(reason::TOO_SHORT);
    }
    Ok(if s1_s / valid_s >= s.easy_s1_share {
        SessionClass::Easy
    } else {
        SessionClass::Moderate
    })
}

/// Guards the invariant: no NaN or infinity ever leaves [`analyze`].
fn guard_finite(m: &mut ActivityMetrics) {
    for (name, slot) in [
        ("distance_m", &mut m.distance_m),
        ("avg_hr", &mut m.avg_hr),
        ("ef", &mut m.ef),
        ("decoupling_pct", &mut m.decoupling_pct),
        ("drift_bpm_per_h", &mut m.drift_bpm_per_h),
        ("drift_adj_bpm_per_h", &mut m.drift_adj_bpm_per_h),
        ("drift_pct", &mut m.drift_pct),
        ("trimp", &mut m.trimp),
        ("hrtss", &mut m.hrtss),
        ("coverage", &mut m.coverage),
        ("gap_speed_m_s", &mut m.gap_speed_m_s),
        ("walk_share", &mut m.walk_share),
    ] {
        if slot.is_some_and(|v| !v.is_finite()) {
            *slot = None;
            m.absent
                .insert(name.to_owned(), reason::NON_FINITE.to_owned());
        }
    }
    for (name, slot) in [("window", &mut m.window), ("early", &mut m.early)] {
        if slot.is_some_and(|w| !w.is_finite()) {
            *slot = None;
            m.absent
                .insert(name.to_owned(), reason::NON_FINITE.to_owned());
        }
    }
}

/// Plausible ranges of the channels read from the samples for [`WindowStats`].
const CADENCE_RANGE: (f64, f64) = (1.0, 400.0);
const TEMPERATURE_RANGE_C: (f64, f64) = (-60.0, 70.0);
const STANCE_RANGE_MS: (f64, f64) = (1.0, 3000.0);
const OSCILLATION_RANGE_MM: (f64, f64) = (1.0, 1000.0);
const STEP_RANGE_MM: (f64, f64) = (1.0, 5000.0);

/// [`WindowStats`] over the grid seconds `from <= k < to` of moving time.
fn window_stats(
    activity: &Activity,
    (c, parts): (&Clean, &Parts),
    s: &AthleteSettings,
    (from_s, to_s): (f64, f64),
    min_s: f64,
) -> Outcome<WindowStats> {
    let lo = c.t_s.partition_point(|t| *t < from_s);
    let hi = c.t_s.partition_point(|t| *t < to_s).max(lo);
    let (mut hr, mut gap) = (Moments::default(), Moments::default());
    let mut seconds = 0.0;
    for i in lo..hi {
        if !parts.uses(i) {
            continue;
        }
        if let (Some(h), Some(g)) = (c.hr[i], c.gap[i]) {
            hr.push(h);
            gap.push(g);
            seconds += 1.0;
        }
    }
    if seconds <= 0.0 || seconds < min_s {
        return Err(reason::TOO_SHORT);
    }
    let smp = &activity.samples;
    let channels = [
        (smp.cadence_spm.as_ref(), CADENCE_RANGE),
        (smp.stance_time_ms.as_ref(), STANCE_RANGE_MS),
        (smp.vertical_oscillation_mm.as_ref(), OSCILLATION_RANGE_MM),
        (smp.step_length_mm.as_ref(), STEP_RANGE_MM),
        (smp.temperature_c.as_ref(), TEMPERATURE_RANGE_C),
    ];
    let mut sums = [Moments::default(); 5];
    if channels.iter().any(|(ch, _)| ch.is_some()) {
        let ts = &smp.timestamp_ms;
        let mut order: Vec<usize> = (0..ts.len()).collect();
        if !ts.is_sorted() {
            order.sort_by_key(|&j| ts[j]);
        }
        #[allow(clippy::cast_possible_truncation)]
        let max_back_ms = (s.resample_max_gap_s * 1000.0).round().max(1000.0) as i64;
        let mut p = 0_usize;
        for &wall in &c.wall_ms[lo..hi] {
            // The latest sample at or before this second (the grid's wall clock only rises).
            while p + 1 < order.len() && ts[order[p + 1]] <= wall {
                p += 1;
            }
            let Some(&j) = order.get(p) else { break };
            if ts[j] > wall || wall.saturating_sub(ts[j]) > max_back_ms {
                continue;
            }
            for ((ch, (min, max)), acc) in channels.iter().zip(sums.iter_mut()) {
                if let Some(v) = ch
                    .and_then(|v| v.get(j).copied().flatten())
                    .filter(|v| v.is_finite() && *v >= *min && *v <= *max)
                {
                    acc.push(v);
                }
            }
        }
    }
    let hr_bpm = hr.mean().ok_or(reason::TOO_SHORT)?;
    let gap_speed_m_s = gap.mean().ok_or(reason::NO_SPEED)?;
    Ok(WindowStats {
        hr_bpm,
        gap_speed_m_s,
        cadence_cv: sums[0].cv(),
        stance_time_ms: sums[1].mean(),
        vertical_oscillation_mm: sums[2].mean(),
        step_length_mm: sums[3].mean(),
        temperature_c: sums[4].mean(),
        seconds,
    })
}

/// `long` per METRICS.md: moving time at least `long_min_s` and at least `long_ratio` x the
/// median run of the previous 28 days.
///
/// # Errors
/// `not_running` for other sports; `no_history` when the run is long enough for the first test
/// but the median is unknown.
pub fn long_flag(
    moving_s: f64,
    running: bool,
    median_prev_s: Option<f64>,
    s: &AthleteSettings,
) -> Result<bool, &'static str> {
    if !running {
        return Err(reason::NOT_RUNNING);
    }
    if moving_s < s.long_min_s {
        return Ok(false);
    }
    match median_prev_s.filter(|m| m.is_finite() && *m > 0.0) {
        Some(med) => Ok(moving_s >= s.long_ratio * med),
        None => Err(reason::NO_HISTORY),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut m = Moments::default();
    values.for_each(|v| m.push(v));
    m.mean()
}

fn steady_sums(c: &Clean, s: &AthleteSettings, mid_s: f64, parts: &Parts) -> Steady {
    let mut st = Steady::default();
    for i in 0..c.t_s.len() {
        let t = c.t_s[i];
        if t < s.warmup_s || !parts.uses(i) {
            continue;
        }
        let half = usize::from(t + 0.5 >= mid_s);
        let t_h = t / 3600.0;
        if let Some(h) = c.hr[i] {
            st.hr_t_h.push(t_h);
            st.hr.push(h);
            st.half_hr[half].push(h);
            if let Some(g) = c.gap[i] {
                st.pair_t_h.push(t_h);
                st.pair_gap.push(g);
                st.pair_hr.push(h);
                st.half_gap[half].push(g);
                st.half_pair_hr[half].push(h);
            }
        }
    }
    st
}

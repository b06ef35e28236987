//! Athlete settings: the physiological anchors (HRmax, resting HR, LTHR, sex) and every
//! threshold of METRICS.md sections 1-3 as a named, documented field with its default.
//!
//! The struct deserializes from a TOML/JSON table with snake_case keys; every key is optional
//! (`#[serde(default)]`) and unknown keys are rejected, so a typo in a config file is an error
//! rather than a silently ignored threshold.
//!
//! Values that came from [`AthleteSettings::estimate`] rather than from the config file are
//! marked in [`AthleteSettings::estimated`], and the per-activity output repeats that marker.

use hrdrift_ingest::Activity;
use serde::{Deserialize, Serialize};

/// Sex, used only to choose the Banister TRIMP constants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
    /// Unknown sex uses the male constants, and the output says so (flag `sex_unknown_male_trimp`).
    #[default]
    Unknown,
}

/// Which reference the five HR zones are cut from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneModel {
    /// Friel's running zones as fractions of lactate-threshold HR (the default).
    #[default]
    Lthr,
    /// Fractions of maximum HR.
    PctHrMax,
    /// Karvonen: fractions of heart-rate reserve above resting HR.
    Karvonen,
}

/// Which anchors were estimated rather than given in the config file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Estimated {
    pub hr_max: bool,
    pub hr_rest: bool,
    pub lthr: bool,
}

impl Estimated {
    /// Names of the estimated values, for the output.
    #[must_use]
    pub fn names(self) -> Vec<String> {
        let mut out = Vec::new();
        if self.hr_max {
            out.push("hr_max".to_owned());
        }
        if self.hr_rest {
            out.push("hr_rest".to_owned());
        }
        if self.lthr {
            out.push("lthr".to_owned());
        }
        out
    }
}

/// What a setting can change, and so which fingerprints leave it out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// An activity's stored metrics and HR pool: in every fingerprint.
    Activity,
    /// Only the anchor-dependent metrics, which are re-anchored from the stored HR summary
    /// rather than recomputed: left out of [`AthleteSettings::anchor_free_fingerprint`].
    Anchor,
    /// Only what is computed when stored rows are read: left out of
    /// [`AthleteSettings::activity_fingerprint`] (see [`AthleteSettings::stored_view`]).
    Read,
}

/// Declares the settings once, so that one added or changed cannot be missed in the struct, its
/// `Default`, the ranges `validate` and `sanitized` check or the fingerprints.
///
/// An entry is `name: type = default;`, or `name: f64 = default, min..=max;` for a threshold
/// with a range to check; `[Read]` or `[Anchor]` before the name gives its [`Scope`] (else
/// `Activity`). The order of the entries is the serialized order, which the fingerprints hash.
macro_rules! settings {
    (@scope) => { Scope::Activity };
    (@scope $scope:ident) => { Scope::$scope };
    (@one $range:expr) => { 1 };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $([$scope:ident])?
                $field:ident: $ty:ty = $default:expr $(, $range:expr)?;
            )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!(
                    "Default `", stringify!($default), "`",
                    $(", accepted `", stringify!($range), "`",)?
                    "."
                )]
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $($field: $default,)* }
            }
        }

        /// Number of numeric thresholds checked by [`AthleteSettings::validate`].
        const NUMERIC: usize = 0 $($(+ settings!(@one $range))?)*;

        impl $name {
            /// Every numeric threshold with its range, in field order.
            fn numeric_in_field_order(&mut self) -> [(&'static str, &mut f64, f64, f64); NUMERIC] {
                [$($((stringify!($field), &mut self.$field, *$range.start(), *$range.end()),)?)*]
            }

            /// A copy with every setting of `scope` at its default.
            fn with_defaults(&self, scope: Scope) -> Self {
                let d = Self::default();
                let s = self.clone();
                Self {
                    $($field: if settings!(@scope $($scope)?) == scope {
                        d.$field
                    } else {
                        s.$field
                    },)*
                }
            }
        }
    };
}

settings! {
    /// Everything the per-activity metrics depend on besides the activity itself.
    ///
    /// All thresholds default to the values in METRICS.md; the few that METRICS.md leaves open
    /// (the %HRmax and Karvonen zone cuts, the minimum steady time for EF and drift) are documented
    /// on their fields.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct AthleteSettings {
        /// Maximum heart rate, bpm.
        [Anchor] hr_max: Option<f64> = None;
        /// Resting heart rate, bpm.
        [Anchor] hr_rest: Option<f64> = None;
        /// Lactate-threshold heart rate, bpm.
        [Anchor] lthr: Option<f64> = None;
        /// Lactate-threshold heart rate on a bike, bpm: a ride's HR zones, HR class and hrTSS are
        /// cut from it when set (typically 5-10 bpm under the running LTHR; METRICS.md 7), else
        /// from `lthr`.
        [Anchor] lthr_bike: Option<f64> = None;
        [Anchor] sex: Sex = Sex::Unknown;
        [Anchor] zone_model: ZoneModel = ZoneModel::Lthr;
        /// Which of `hr_max`, `hr_rest`, `lthr` were estimated (set by
        /// [`AthleteSettings::estimate`]).
        [Anchor] estimated: Estimated = Estimated::default();
        /// Threshold pace (`4:15/km`, `6:50/mi`): the speed a session's type is measured against
        /// (METRICS.md section 3a). Without it, the threshold speed is estimated from the runs.
        [Read] threshold_pace: Option<crate::pace::Pace> = None;
        /// Functional threshold power of rides (W): what IF, TSS, the power zones and a ride's
        /// type are measured against (METRICS.md section 7). Without it, 0.95 x the best 20 min
        /// of the trailing `ftp_days`, marked `estimated`.
        [Read] ftp: Option<f64> = None;
        /// `metric` (km, min/km) or `imperial` (mi, min/mi) in every text, chart and the HTML;
        /// JSON stays in SI units (METRICS.md section 7).
        [Read] units: crate::pace::Units = crate::pace::Units::Metric;

        // --- 1. Samples and cleaning -------------------------------------------------------------
        /// Resampling to 1 Hz fills gaps between samples up to this long (s), and after a longer
        /// gap (or a dropout) a valid HR reading covers this much. At most 60. The grid fills
        /// recording gaps up to `recording_gap_max_s` too, whichever is longer.
        resample_max_gap_s: f64 = 5.0, 0.0..=60.0;
        /// Without timer events, a gap between samples longer than this is a pause (s).
        pause_gap_s: f64 = 10.0, 1.0..=86_400.0;
        /// Without timer events, speed under this ...
        pause_speed_m_s: f64 = 0.3, 0.0..=10.0;
        /// ... for at least this long is a pause (s).
        pause_min_s: f64 = 10.0, 0.0..=86_400.0;
        /// Width of the centred rolling median that smooths speed (s).
        speed_median_s: f64 = 5.0, 0.0..=60.0;
        /// Lowest valid heart rate (bpm); lower values (and zero) are dropouts.
        hr_valid_min_bpm: f64 = 30.0, 1.0..=300.0;
        /// Highest valid heart rate (bpm).
        hr_valid_max_bpm: f64 = 230.0, 1.0..=300.0;
        /// A sample further than this from the centred rolling median is a spike (bpm).
        spike_bpm: f64 = 25.0, 0.0..=300.0;
        /// Width of the centred rolling median used for spikes (s).
        spike_window_s: f64 = 11.0, 1.0..=61.0;
        /// HR within this of steps/min ...
        cadence_lock_bpm: f64 = 3.0, 0.0..=50.0;
        /// ... for at least this long in a row is a cadence lock (s).
        cadence_lock_min_s: f64 = 60.0, 1.0..=86_400.0;
        /// Minimum HR coverage (valid-HR moving time / moving time) for any HR metric.
        min_coverage: f64 = 0.8, 0.0..=1.0;
        /// For HR coverage, valid HR readings at most this far apart on the moving clock cover the
        /// time between them; after a longer gap only the first `resample_max_gap_s` counts (s).
        /// METRICS.md does not say coverage is counted on the 1 Hz grid; this reading keeps
        /// smart-recording files (a sample every 1-12 s) from failing the coverage gate with a
        /// working strap. Default 10 s, the gap METRICS.md treats as continuous movement without
        /// timer events. See [`crate::clean`], step 8.
        coverage_max_gap_s: f64 = 10.0, 0.0..=3600.0;
        /// A gap between two samples on the moving clock up to this long is a recording gap (smart
        /// recording writes a sample every 1-12 s or more while the runner moves on): the 1 Hz
        /// grid is interpolated across it, so every mean weighs a reading by the time it holds, and
        /// two valid HR readings either side of it cover it (s). Longer gaps stay holes. Not in
        /// METRICS.md, whose 5 s no-fill rule would weigh a smart-recording file's readings by
        /// their sampling; see docs/METRICS.md section 1. At most 300.
        recording_gap_max_s: f64 = 60.0, 0.0..=300.0;
        /// Between two positions of a run, walk or hike, a speed above this is a GPS jump: left out
        /// of the distance and of speed from positions (m/s). Other sports use 40 m/s.
        gps_jump_speed_m_s: f64 = hrdrift_ingest::GPS_JUMP_ON_FOOT_M_S, 1.0..=100.0;

        // --- 2. GAP ------------------------------------------------------------------------------
        /// Grade is clamped to +- this fraction before the Minetti polynomial.
        grade_clamp: f64 = 0.45, 0.0..=0.45;
        /// Width of the centred rolling mean that smooths altitude (s).
        altitude_smooth_s: f64 = 30.0, 0.0..=600.0;

        // --- 3. Per activity ---------------------------------------------------------------------
        /// Warm-up excluded from the steady portion (s of moving time).
        warmup_s: f64 = 600.0, 0.0..=86_400.0;
        /// Minimum steady portion for decoupling (s).
        decoupling_min_steady_s: f64 = 1200.0, 0.0..=86_400.0;
        /// Minimum steady portion for the drift slopes and `drift_pct` (s). METRICS.md does not
        /// say; a slope in bpm/h over less than the decoupling span is mostly noise, so the default
        /// is the same 20 min.
        drift_min_steady_s: f64 = 1200.0, 0.0..=86_400.0;
        /// Minimum steady portion for EF (s). METRICS.md does not say; default 5 min.
        ef_min_steady_s: f64 = 300.0, 0.0..=86_400.0;
        /// Coefficient of variation of the 30 s means of GAP speed over the steady portion's
        /// running segments above which the activity is `unsteady` (METRICS.md section 3b) ...
        unsteady_cv: f64 = 0.25, 0.0..=10.0;
        /// ... and at or below which its decoupling quality is `steady` (else `variable`).
        steady_cv: f64 = 0.10, 0.0..=10.0;
        /// Steadiness is judged on means of GAP speed over blocks of this many seconds.
        steadiness_block_s: f64 = 30.0, 5.0..=600.0;

        // --- 3a. Effort without heart rate ------------------------------------------------------
        /// A span faster than this (m/s) is not running (a GPS jump, a ride): left out of the
        /// mean-maximal speeds and the pace zones.
        not_running_span_m_s: f64 = 7.0, 1.0..=100.0;
        /// A run whose median moving speed is over this (m/s) is `not_running_speed`.
        not_running_median_m_s: f64 = 6.0, 1.0..=100.0;
        /// Pace zone P2 starts at this fraction of the threshold speed ...
        [Read] pace_p2_from: f64 = 0.85, 0.1..=2.0;
        /// ... and P3 above this one.
        [Read] pace_p3_from: f64 = 0.97, 0.1..=2.0;
        /// Session type `hard` when P3 time is at least this (s) ...
        [Read] hard_p3_s: f64 = 8.0 * 60.0, 0.0..=86_400.0;
        /// ... or P2 + P3 time is at least this (s).
        [Read] hard_p2_p3_s: f64 = 40.0 * 60.0, 0.0..=86_400.0;
        /// `easy` when not hard and P1 holds at least this share of the steady portion's running.
        [Read] easy_p1_share: f64 = 0.85, 0.0..=1.0;
        /// Fast repetitions: spans of steadiness blocks above P3 lasting at least this long (s);
        /// two or more make a session one "with P3 repetitions".
        [Read] fast_rep_min_s: f64 = 60.0, 1.0..=3600.0;
        /// A ride's FTP estimate reads the rides of this many days up to it ...
        [Read] ftp_days: f64 = 90.0, 1.0..=3650.0;
        /// ... as this fraction of their best 20 min mean power.
        [Read] ftp_from_20min: f64 = 0.95, 0.1..=2.0;
        /// A ride's power zone P2 (for its type) starts at this fraction of FTP ...
        [Read] power_p2_from: f64 = 0.75, 0.1..=2.0;
        /// ... and P3 above this one.
        [Read] power_p3_from: f64 = 0.90, 0.1..=2.0;
        /// Critical speed is fitted on the best efforts of this many days before a run.
        [Read] cs_days: f64 = 90.0, 1.0..=3650.0;
        /// The fit is accepted when D' is within these bounds (m) ...
        [Read] cs_d_prime_min_m: f64 = 50.0, 0.0..=10_000.0;
        [Read] cs_d_prime_max_m: f64 = 400.0, 0.0..=10_000.0;
        /// ... and the best 3 min speed is at least this multiple of the best 20 min speed ...
        [Read] cs_min_ratio_3_20: f64 = 1.10, 1.0..=3.0;
        /// ... and the critical speed is at least this multiple of the habitual speed (not in
        /// METRICS.md: an easy runner's hilly runs pass the other two rules with a "critical
        /// speed" below the pace they run every day; see docs/METRICS.md 3a).
        [Read] cs_min_over_habit: f64 = 1.10, 0.0..=3.0;
        /// Habit rule: threshold speed = habitual speed / this ...
        [Read] habit_ratio: f64 = 0.78, 0.1..=1.5;
        /// ... the habitual speed being the median over the runs of at least `habit_min_run_s` in
        /// the `habit_days` before a run.
        [Read] habit_days: f64 = 42.0, 1.0..=3650.0;
        [Read] habit_min_run_s: f64 = 1800.0, 0.0..=86_400.0;
        /// LTHR estimate: the highest mean HR over `lthr_effort_s` of running at at least this
        /// fraction of the threshold speed, in the `cs_days` before the latest run.
        [Read] lthr_effort_speed_frac: f64 = 0.95, 0.1..=2.0;
        lthr_effort_s: f64 = 1200.0, 60.0..=7200.0;

        // --- 3b. Run-walk ------------------------------------------------------------------------
        /// Walking: running cadence under this (steps/min) ...
        walk_cadence_spm: f64 = 140.0, 0.0..=300.0;
        /// ... for at least this long (s).
        walk_min_s: f64 = 10.0, 0.0..=3600.0;
        /// Without cadence: GAP speed under this (m/s) ...
        walk_speed_m_s: f64 = 2.0, 0.0..=10.0;
        /// ... and under this fraction of the run's median moving GAP speed.
        walk_speed_ratio: f64 = 0.65, 0.0..=1.0;
        /// A run with at least this share of walking is `run_walk`.
        run_walk_min_share: f64 = 0.05, 0.0..=1.0;
        /// A run-walk run's steady metrics skip this long at the start of each running segment (s).
        walk_recovery_s: f64 = 60.0, 0.0..=3600.0;
        /// Lower bounds of Z2..Z5 as fractions of LTHR (Friel, running).
        [Anchor] lthr_zone_bounds: [f64; 4] = [0.85, 0.90, 0.95, 1.00];
        /// Lower bounds of Z2..Z5 as fractions of HRmax. METRICS.md names the model without cuts;
        /// the default is the common 60/70/80/90 %.
        [Anchor] hr_max_zone_bounds: [f64; 4] = [0.60, 0.70, 0.80, 0.90];
        /// Lower bounds of Z2..Z5 as fractions of heart-rate reserve (Karvonen). Default
        /// 60/70/80/90 %.
        [Anchor] karvonen_zone_bounds: [f64; 4] = [0.60, 0.70, 0.80, 0.90];
        /// Seiler S2 starts at this fraction of LTHR (aerobic threshold).
        [Anchor] seiler_s2_from_lthr: f64 = 0.89, 0.0..=2.0;
        /// Seiler S3 starts at this fraction of LTHR.
        [Anchor] seiler_s3_from_lthr: f64 = 1.0, 0.0..=2.0;
        /// `hard` when S3 time is at least this (s) ...
        [Anchor] hard_s3_s: f64 = 8.0 * 60.0, 0.0..=86_400.0;
        /// ... or S2 + S3 time is at least this (s).
        [Anchor] hard_s2_s3_s: f64 = 25.0 * 60.0, 0.0..=86_400.0;
        /// `easy` when not hard and S1 holds at least this share of the steady portion.
        [Anchor] easy_s1_share: f64 = 0.85, 0.0..=1.0;
        /// `long` needs at least this moving time (s) ...
        [Read] long_min_s: f64 = 75.0 * 60.0, 0.0..=864_000.0;
        /// ... and at least this multiple of the median run of the previous `long_history_days`.
        [Read] long_ratio: f64 = 1.5, 0.0..=100.0;
        /// History window for the `long` median (days), used by [`crate::compute_all`].
        [Read] long_history_days: f64 = 28.0, 0.0..=3650.0;
        /// Banister TRIMP constants.
        trimp_k1_male: f64 = 0.64, 0.0..=10.0;
        trimp_k2_male: f64 = 1.92, 0.0..=10.0;
        trimp_k1_female: f64 = 0.86, 0.0..=10.0;
        trimp_k2_female: f64 = 1.67, 0.0..=10.0;

        // --- 4. Across activities: per-activity spans --------------------------------------------
        /// The easy-run window (METRICS.md: minutes 10-40 of moving time) starts at this moving
        /// second ...
        window_from_s: f64 = 600.0, 0.0..=86_400.0;
        /// ... and ends before this one.
        window_to_s: f64 = 2400.0, 0.0..=86_400.0;
        /// The window needs at least this many seconds with valid HR and GAP speed (15 min).
        window_min_s: f64 = 900.0, 1.0..=86_400.0;
        /// The early signal's span (minutes 5-15) starts at this moving second ...
        early_from_s: f64 = 300.0, 0.0..=86_400.0;
        /// ... and ends before this one.
        early_to_s: f64 = 900.0, 0.0..=86_400.0;
        /// The early span needs at least this many seconds with valid HR and GAP speed.
        /// METRICS.md does not say; default 8 of its 10 minutes.
        early_min_s: f64 = 480.0, 1.0..=86_400.0;

        // --- 4. Across activities: easy-run baseline ---------------------------------------------
        /// The baseline is fitted on the easy runs of this many days before each run.
        [Read] baseline_days: f64 = 42.0, 1.0..=3650.0;
        /// ... of which there must be at least this many (else `insufficient_baseline`).
        [Read] baseline_min_runs: usize = 6;
        /// Floor of the baseline's robust spread sigma (bpm).
        [Read] sigma_floor_bpm: f64 = 1.5, 0.01..=50.0;
        /// `elevated` when the elevation is at least this (bpm) ...
        [Read] elevated_min_bpm: f64 = 4.0, 0.0..=100.0;
        /// ... and at least this many sigma.
        [Read] elevated_sigmas: f64 = 2.0, 0.0..=20.0;
        /// An elevated run on a day at least this much warmer (degC) than the median of the
        /// baseline period is marked `warm_day`.
        [Read] warm_day_delta_c: f64 = 8.0, 0.0..=100.0;
        /// `stride_unsteady` when the cadence CV is more than this many robust spreads above the
        /// baseline median ...
        [Read] stride_sigmas: f64 = 2.0, 0.0..=20.0;
        /// ... with the spread floored at this CV. METRICS.md does not say; 0.003 is about 0.5
        /// steps/min of extra scatter at 170 steps/min, well below what a runner can feel.
        [Read] stride_cv_sigma_floor: f64 = 0.003, 1e-6..=1.0;

        // --- 4. Across activities: recovery after a hard session ---------------------------------
        /// An easy run counts as recovered when its elevation is at most this (bpm) ...
        [Read] recovered_min_bpm: f64 = 2.0, 0.0..=100.0;
        /// ... or this many sigma, whichever is larger.
        [Read] recovered_sigmas: f64 = 1.0, 0.0..=20.0;
        /// `absorbed` when recovered within this many hours of the session's end.
        [Read] absorbed_within_h: f64 = 72.0, 0.0..=8760.0;
        /// Easy runs up to this many hours after the session's end decide the verdict (5 d).
        [Read] recovery_window_h: f64 = 120.0, 0.0..=8760.0;

        // --- 4. Across activities: load and weeks ------------------------------------------------
        /// Time constant of fitness (CTL), days.
        [Read] ctl_days: f64 = 42.0, 1.0..=3650.0;
        /// Time constant of fatigue (ATL), days.
        [Read] atl_days: f64 = 7.0, 1.0..=3650.0;
        /// `too_many_hard` when a week holds more than this many hard sessions.
        [Read] max_hard_per_week: f64 = 2.0, 0.0..=100.0;
        /// `hard_back_to_back` when two hard sessions are closer than this (h, end to start).
        [Read] hard_spacing_min_h: f64 = 44.0, 0.0..=8760.0;
        /// `too_much_moderate` when the S2 share of the week exceeds this ...
        [Read] moderate_s2_share_max: f64 = 0.25, 0.0..=1.0;
        /// ... or moderate sessions exceed this share of the week's runs.
        [Read] moderate_runs_share_max: f64 = 0.40, 0.0..=1.0;
        /// `no_true_easy` when easy runs are fewer than this share of the week's runs.
        [Read] easy_runs_share_min: f64 = 0.5, 0.0..=1.0;
        /// `load_spike` when the week's load exceeds this multiple of the mean of the weeks before.
        [Read] load_spike_ratio: f64 = 1.3, 0.0..=100.0;
        /// Number of weeks before that `load_spike` compares with.
        [Read] load_spike_weeks: usize = 4;
        /// Number of trailing weeks (this one included) of the consistency CV.
        [Read] consistency_weeks: usize = 4;
        /// The polarization index is shown when the S2 and S3 shares are each at least this.
        [Read] polarization_min_share: f64 = 0.01, 1e-6..=1.0;

        // --- 4. Across activities: readiness -----------------------------------------------------
        /// `hold_back` when form (TSB) is below this.
        [Read] readiness_tsb_hold_back: f64 = -30.0, -1000.0..=1000.0;
        /// `push` needs form (TSB) at least this ...
        [Read] readiness_tsb_push: f64 = -10.0, -1000.0..=1000.0;
        /// ... the last three easy runs within this many sigma of the baseline ...
        [Read] readiness_push_sigmas: f64 = 1.0, 0.0..=20.0;
        /// ... the last hard session at least this many hours ago ...
        [Read] readiness_hard_rest_h: f64 = 48.0, 0.0..=8760.0;
        /// ... and consistency below this.
        [Read] readiness_consistency_max: f64 = 0.2, 0.0..=100.0;
        /// A `lingering` hard session holds readiness back while it ended less than this many
        /// days ago. METRICS.md does not say; default 7 (the 5-day recovery window and two more).
        [Read] readiness_lingering_days: f64 = 7.0, 0.0..=3650.0;

        // --- estimation --------------------------------------------------------------------------
        /// HRmax is estimated only from at least this many activities with valid HR.
        estimate_min_activities: usize = 20;
        /// Percentile of valid HR taken as HRmax.
        estimate_hr_max_percentile: f64 = 99.5, 0.0..=100.0;
        /// LTHR estimate as a fraction of HRmax.
        estimate_lthr_fraction: f64 = 0.9, 0.1..=1.0;
        /// Resting HR when neither the config nor a FIT user profile gives one (bpm).
        default_hr_rest: f64 = 50.0, 20.0..=150.0;
    }
}

/// A setting that cannot be used as given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    #[error("setting `{name}` = {value} is outside {min}..={max}")]
    OutOfRange {
        name: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    #[error("`hr_rest` ({hr_rest}) must be below `hr_max` ({hr_max})")]
    RestNotBelowMax { hr_rest: f64, hr_max: f64 },
    #[error("zone bounds `{name}` must be increasing")]
    ZoneBoundsNotIncreasing { name: &'static str },
}

impl AthleteSettings {
    /// Every numeric threshold with its plausible range. Out-of-range values are reported by
    /// [`AthleteSettings::validate`] and replaced by their default in
    /// [`AthleteSettings::sanitized`], so that no setting can make a metric NaN or a loop unbounded.
    fn numeric_mut(&mut self) -> [(&'static str, &mut f64, f64, f64); NUMERIC] {
        let mut t = self.numeric_in_field_order();
        // `validate` names the first setting out of range, and before the settings were declared
        // once it checked the estimation thresholds (the last fields) before the TRIMP constants:
        // kept, so that a config with several bad values is still told of the same one first.
        let trimp = t.iter().position(|e| e.0 == "trimp_k1_male");
        let estimation = t.iter().position(|e| e.0 == "estimate_hr_max_percentile");
        if let (Some(trimp), Some(estimation)) = (trimp, estimation)
            && trimp < estimation
        {
            t[trimp..].rotate_right(NUMERIC - estimation);
        }
        t
    }
}

/// The plausible range of the physiological anchors (bpm).
const ANCHOR_MIN_BPM: f64 = 20.0;
const ANCHOR_MAX_BPM: f64 = 260.0;

fn in_range(v: f64, min: f64, max: f64) -> bool {
    v.is_finite() && v >= min && v <= max
}

fn increasing(b: &[f64; 4]) -> bool {
    b.iter().all(|v| in_range(*v, 0.0, 3.0)) && b.windows(2).all(|w| w[0] < w[1])
}

pub(crate) fn anchor(v: Option<f64>) -> Option<f64> {
    v.filter(|x| in_range(*x, ANCHOR_MIN_BPM, ANCHOR_MAX_BPM))
}

impl AthleteSettings {
    /// Reports the first setting that is out of its plausible range.
    ///
    /// # Errors
    /// [`SettingsError`] naming the setting.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let mut copy = self.clone();
        for (name, value, min, max) in copy.numeric_mut() {
            if !in_range(*value, min, max) {
                return Err(SettingsError::OutOfRange {
                    name,
                    value: *value,
                    min,
                    max,
                });
            }
        }
        for (name, value) in [
            ("hr_max", self.hr_max),
            ("hr_rest", self.hr_rest),
            ("lthr", self.lthr),
            ("lthr_bike", self.lthr_bike),
        ] {
            if let Some(value) = value
                && !in_range(value, ANCHOR_MIN_BPM, ANCHOR_MAX_BPM)
            {
                return Err(SettingsError::OutOfRange {
                    name,
                    value,
                    min: ANCHOR_MIN_BPM,
                    max: ANCHOR_MAX_BPM,
                });
            }
        }
        if let (Some(hr_rest), Some(hr_max)) = (self.hr_rest, self.hr_max)
            && hr_rest >= hr_max
        {
            return Err(SettingsError::RestNotBelowMax { hr_rest, hr_max });
        }
        for (name, b) in [
            ("lthr_zone_bounds", &self.lthr_zone_bounds),
            ("hr_max_zone_bounds", &self.hr_max_zone_bounds),
            ("karvonen_zone_bounds", &self.karvonen_zone_bounds),
        ] {
            if !increasing(b) {
                return Err(SettingsError::ZoneBoundsNotIncreasing { name });
            }
        }
        Ok(())
    }

    /// A copy in which every out-of-range value is replaced by its default (anchors by
    /// `None`), so that no setting can make a metric NaN or a loop unbounded.
    #[must_use]
    pub fn sanitized(&self) -> Self {
        let mut s = self.clone();
        let mut d = Self::default();
        for ((_, v, min, max), (_, dv, _, _)) in s.numeric_mut().into_iter().zip(d.numeric_mut()) {
            if !in_range(*v, min, max) {
                *v = *dv;
            }
        }
        if s.hr_valid_min_bpm >= s.hr_valid_max_bpm {
            s.hr_valid_min_bpm = d.hr_valid_min_bpm;
            s.hr_valid_max_bpm = d.hr_valid_max_bpm;
        }
        for (from, to, d_from, d_to) in [
            (
                &mut s.window_from_s,
                &mut s.window_to_s,
                d.window_from_s,
                d.window_to_s,
            ),
            (
                &mut s.early_from_s,
                &mut s.early_to_s,
                d.early_from_s,
                d.early_to_s,
            ),
        ] {
            if *from >= *to {
                *from = d_from;
                *to = d_to;
            }
        }
        for (lo, hi, d_lo, d_hi) in [
            (
                &mut s.steady_cv,
                &mut s.unsteady_cv,
                d.steady_cv,
                d.unsteady_cv,
            ),
            (
                &mut s.pace_p2_from,
                &mut s.pace_p3_from,
                d.pace_p2_from,
                d.pace_p3_from,
            ),
            (
                &mut s.cs_d_prime_min_m,
                &mut s.cs_d_prime_max_m,
                d.cs_d_prime_min_m,
                d.cs_d_prime_max_m,
            ),
        ] {
            if *lo > *hi {
                *lo = d_lo;
                *hi = d_hi;
            }
        }
        if s.seiler_s2_from_lthr >= s.seiler_s3_from_lthr {
            s.seiler_s2_from_lthr = d.seiler_s2_from_lthr;
            s.seiler_s3_from_lthr = d.seiler_s3_from_lthr;
        }
        for (b, db) in [
            (&mut s.lthr_zone_bounds, d.lthr_zone_bounds),
            (&mut s.hr_max_zone_bounds, d.hr_max_zone_bounds),
            (&mut s.karvonen_zone_bounds, d.karvonen_zone_bounds),
        ] {
            if !increasing(b) {
                *b = db;
            }
        }
        s.hr_max = anchor(s.hr_max);
        s.hr_rest = anchor(s.hr_rest);
        s.lthr = anchor(s.lthr);
        s.lthr_bike = anchor(s.lthr_bike);
        s
    }

    /// Fills the anchors the config file left out, per METRICS.md section 3, and marks them
    /// `estimated`; values already set are kept.
    ///
    /// - `hr_max`: the `estimate_hr_max_percentile` (99.5th) percentile of valid (cleaned) HR
    ///   over all `activities`, only when at least `estimate_min_activities` (20) of them carry
    ///   valid HR; otherwise it stays `None`.
    /// - `lthr`: `estimate_lthr_fraction` (0.9) x `hr_max` (given or estimated).
    /// - `hr_rest`: the FIT user profile's resting HR of the most recent activity that has one,
    ///   else `default_hr_rest` (50).
    #[must_use]
    pub fn estimate(&self, activities: &[Activity]) -> Self {
        let pools: Vec<crate::pool::HrPool> = activities
            .iter()
            .map(|a| crate::pool::HrPool::of(a, self))
            .collect();
        let profile = activities
            .iter()
            .filter(|a| anchor(a.profile_hr_rest).is_some())
            .max_by_key(|a| a.start_ms)
            .and_then(|a| a.profile_hr_rest);
        crate::pool::estimate_from_pools(self, &pools, profile)
    }

    /// The fingerprint of what one activity's stored metrics depend on: every setting except
    /// the across-activity thresholds of METRICS.md section 4 and the `long` rule, which apply
    /// when the stored rows are read. Changing one of those then costs no recomputation.
    ///
    /// It also names [`METRICS_REVISION`], so metrics stored by a version of hrdrift that
    /// computed them otherwise are recomputed, not kept.
    #[must_use]
    pub fn activity_fingerprint(&self) -> String {
        fnv1a(&format!(
            "r{METRICS_REVISION};{}",
            serde_json::to_string(&self.stored_view()).unwrap_or_default()
        ))
    }

    /// A copy with every setting applied only when stored rows are read (the across-activity
    /// thresholds of section 4, `long`, the threshold pace and the session-type rules of 3a) at
    /// its default: what one activity's stored metrics and HR pool can depend on.
    #[must_use]
    pub fn stored_view(&self) -> AthleteSettings {
        self.with_defaults(Scope::Read)
    }

    /// [`AthleteSettings::activity_fingerprint`] without what only the anchor-dependent metrics
    /// use (the anchors, sex, the zone model and bounds, the Seiler fractions, the class
    /// thresholds): what a [`crate::HrSummary`] depends on.
    #[must_use]
    pub fn anchor_free_fingerprint(&self) -> String {
        self.with_defaults(Scope::Anchor).activity_fingerprint()
    }

    /// A short stable fingerprint of the settings (FNV-1a 64 of their JSON form), so an output
    /// row can name the settings it was computed with without repeating them.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        fnv1a(&serde_json::to_string(self).unwrap_or_default())
    }
}

/// The revision of how per-activity metrics are computed from samples. Raise it with every
/// change that moves a stored number (it is part of [`AthleteSettings::activity_fingerprint`]).
/// 2: distance and speed from positions with GPS jumps left out, moving time across recording
/// gaps, the grid and HR coverage across recording gaps (issue 21).
/// 3: run-walk, steadiness on 30 s means, the HR class beside the session type, the effort
/// summary (issue 16).
/// 4: the HRV fields of section 5 from RR intervals (issue 18).
/// 5: `feel` and `rpe`, how the runner felt, from the FIT session (issue 19).
/// 6: GAP, EF, decoupling and the drift at constant speed only on foot (issue 20).
/// 7: power (NP, the power-based EF and Pw:HR decoupling, a ride's power summary), and the HR
/// class of every sport with HR (issue 20).
/// 8: `sport_source` and `sport_guessed`: a sport from the export's index or told from speed and
/// cadence (issue 20).
pub const METRICS_REVISION: u32 = 8;

/// FNV-1a 64 of a text, in hex.
fn fnv1a(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_fingerprint_ignores_only_query_time_settings() {
        let base = AthleteSettings::default();
        let history_only = AthleteSettings {
            baseline_days: 28.0,
            readiness_tsb_push: -5.0,
            long_ratio: 1.3,
            ..base.clone()
        };
        assert_eq!(
            base.activity_fingerprint(),
            history_only.activity_fingerprint()
        );
        assert_ne!(base.fingerprint(), history_only.fingerprint());
        let per_activity = AthleteSettings {
            warmup_s: 300.0,
            ..base.clone()
        };
        assert_ne!(
            base.activity_fingerprint(),
            per_activity.activity_fingerprint()
        );
        let anchor = AthleteSettings {
            lthr: Some(170.0),
            ..base.clone()
        };
        assert_ne!(base.activity_fingerprint(), anchor.activity_fingerprint());
        // Session types are filled when rows are read: a threshold pace or a type rule changes
        // neither what is stored nor the HR pools.
        let typing = AthleteSettings {
            threshold_pace: Some(crate::Pace::parse("4:30/km").unwrap()),
            pace_p3_from: 1.0,
            cs_days: 60.0,
            ..base.clone()
        };
        assert_eq!(base.activity_fingerprint(), typing.activity_fingerprint());
        assert_eq!(
            crate::pool_fingerprint(&base),
            crate::pool_fingerprint(&typing)
        );
        let walking = AthleteSettings {
            walk_cadence_spm: 130.0,
            ..base.clone()
        };
        assert_ne!(base.activity_fingerprint(), walking.activity_fingerprint());
    }

    #[test]
    fn defaults_validate() {
        assert_eq!(AthleteSettings::default().validate(), Ok(()));
    }

    #[test]
    fn sanitized_replaces_nonsense() {
        let s = AthleteSettings {
            warmup_s: f64::NAN,
            min_coverage: 3.0,
            hr_max: Some(f64::INFINITY),
            lthr_zone_bounds: [1.0, 0.9, 0.8, 0.7],
            ..AthleteSettings::default()
        };
        assert!(s.validate().is_err());
        let t = s.sanitized();
        assert_eq!(t.warmup_s, 600.0);
        assert_eq!(t.min_coverage, 0.8);
        assert_eq!(t.hr_max, None);
        assert_eq!(t.lthr_zone_bounds, [0.85, 0.90, 0.95, 1.00]);
        assert_eq!(t.validate(), Ok(()));
    }

    #[test]
    fn json_round_trip_with_partial_keys() {
        let s: AthleteSettings =
            serde_json::from_str(r#"{"hr_max": 190, "sex": "female", "zone_model": "karvonen"}"#)
                .unwrap();
        assert_eq!(s.hr_max, Some(190.0));
        assert_eq!(s.sex, Sex::Female);
        assert_eq!(s.zone_model, ZoneModel::Karvonen);
        assert_eq!(s.warmup_s, 600.0);
        assert!(serde_json::from_str::<AthleteSettings>(r#"{"warmup": 5}"#).is_err());
    }
}

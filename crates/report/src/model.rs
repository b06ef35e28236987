//! The report's input: plain data, filled by the binary from the analytics' output.
//!
//! These types mirror the field names of METRICS.md and of `hrdrift-analytics` (units in the
//! names, `None` for a value that could not be computed, never 0), but depend on neither, so the
//! report builds without polars. Every list may be empty; every chart then says so in the image.
//! Timestamps are UTC; `weeks` and `days` are already cut in the athlete's local time.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Everything one report shows. Lists need not be sorted; the charts sort what they draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    /// When the report was made (shown in the page header and the Markdown summary).
    pub generated: DateTime<Utc>,
    /// km and min/km, or mi and min/mi, in every chart axis, table and sentence of the report.
    #[serde(default)]
    pub units: Units,
    /// Free text shown under the title, e.g. the settings used ("HRmax 188, LTHR 171, since 26w").
    pub athlete_note: String,
    /// Today's verdict and its reasons (METRICS.md section 4, "Readiness today").
    pub readiness: Readiness,
    /// Easy runs with their HR elevation against the 42-day baseline (charts 1 and 2).
    pub easy_runs: Vec<EasyRunPoint>,
    /// The current easy-run baseline HR = a + b x GAP speed, for chart 2. `None` before there
    /// are enough easy runs.
    pub baseline: Option<BaselineLine>,
    /// Hard sessions, drawn as vertical markers on chart 1, coloured by their recovery verdict.
    pub hard_sessions: Vec<HardMarker>,
    /// Long runs' decoupling and drift (chart 3).
    pub long_runs: Vec<LongRunPoint>,
    /// ISO weeks, oldest first or not; the last one (by `monday`) is "this week" (chart 4).
    pub weeks: Vec<WeekBar>,
    /// Daily load and fitness/fatigue/form, one row per local calendar day (chart 5).
    pub days: Vec<DayLoad>,
    /// Recent activities for the table, newest first after sorting by `start`.
    pub activities: Vec<ActivityRow>,
    /// One activity's heart rate and pace over time (chart 6), usually the latest run.
    pub focus: Option<ActivityTrace>,
    /// The thresholds the analysis used, for the charts' words ("compared with at least 6
    /// steady runs of the 42 days before"): the words match the numbers whatever the settings.
    #[serde(default)]
    pub rules: Rules,
    /// The pace-duration curve of the report's period (chart 7): the best GAP speed per
    /// duration. Durations no run reached are absent, not 0.
    #[serde(default)]
    pub pace_curve: Vec<CurvePoint>,
    /// The same curve over the period of equal length before the report's, for comparison.
    #[serde(default)]
    pub pace_curve_previous: Vec<CurvePoint>,
    /// The morning readings of the report's period (chart 9, METRICS.md section 6).
    #[serde(default)]
    pub mornings: Vec<MorningPoint>,
    /// The morning the verdict judged (today's or yesterday's), shown beside it.
    #[serde(default)]
    pub morning: Option<MorningPoint>,
}

/// One morning: resting HR and overnight HRV against their baselines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorningPoint {
    pub date: NaiveDate,
    pub resting_hr_bpm: Option<f64>,
    /// Median resting HR of the 30 days before.
    pub resting_hr_median_30d: Option<f64>,
    pub rmssd_ms: Option<f64>,
    /// ln rMSSD of the day, its 7-day mean, and the normal range of the 60 days before.
    pub ln_rmssd: Option<f64>,
    pub ln_rmssd_7d_mean: Option<f64>,
    pub ln_rmssd_normal_low: Option<f64>,
    pub ln_rmssd_normal_high: Option<f64>,
    pub sleep_score: Option<f64>,
    /// `hrv_below_normal`, `hrv_unstable`, `resting_hr_elevated`.
    pub flags: Vec<String>,
}

impl MorningPoint {
    #[must_use]
    pub fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

/// The settings the charts name (METRICS.md section 4), with its defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    /// A steady run's baseline needs this many runs ...
    pub baseline_min_runs: usize,
    /// ... of this many days before it.
    pub baseline_days: f64,
    /// `elevated` at this many bpm and this many sigma above the baseline, at least.
    pub elevated_min_bpm: f64,
    pub elevated_sigmas: f64,
    /// `absorbed` when recovered within this many hours.
    pub absorbed_within_h: f64,
    /// Time constants of fitness (CTL) and fatigue (ATL), days.
    pub ctl_days: f64,
    pub atl_days: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            baseline_min_runs: 6,
            baseline_days: 42.0,
            elevated_min_bpm: 4.0,
            elevated_sigmas: 2.0,
            absorbed_within_h: 72.0,
            ctl_days: 42.0,
            atl_days: 7.0,
        }
    }
}

/// Today's verdict: `push`, `steady` or `hold_back`, always with its reasons as numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    /// `push`, `steady` or `hold_back` (any other text is shown as it is, in neutral colours).
    pub verdict: String,
    pub reasons: Vec<Reason>,
}

/// One reason behind the verdict, e.g. `{code: "tsb", value: -34.2, threshold: Some(-30.0),
/// text: "form (TSB) is below -30"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Machine-readable code (`latest_easy_elevated`, `tsb`, `lingering`, ...).
    pub code: String,
    /// The measured number behind the reason.
    pub value: f64,
    /// The threshold it was compared with, if there is one.
    pub threshold: Option<f64>,
    /// One sentence for a person.
    pub text: String,
}

/// One easy run on the elevation chart (chart 1) and the HR-against-pace chart (chart 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EasyRunPoint {
    pub id: String,
    pub start: DateTime<Utc>,
    /// Observed minus predicted HR over minutes 10-40, bpm; `None` with no baseline yet.
    pub elevation_bpm: Option<f64>,
    /// The baseline's robust spread, bpm (the ±2σ band is drawn from it).
    pub sigma_bpm: Option<f64>,
    /// `e >= max(4 bpm, 2 sigma)`.
    pub elevated: bool,
    /// Elevated on a day 8 degC or more above the 42-day median (drawn apart from `elevated`).
    pub warm_day: bool,
    /// Mean grade-adjusted speed over minutes 10-40, m/s (chart 2's x).
    pub gap_speed_m_s: Option<f64>,
    /// Mean HR over minutes 10-40, bpm (chart 2's y).
    pub observed_hr_bpm: Option<f64>,
}

/// The current easy-run baseline, HR = `intercept_bpm` + `slope_bpm_per_m_s` x GAP speed, drawn on
/// chart 2 between `speed_min_m_s` and `speed_max_m_s` (the speeds it was fitted on).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BaselineLine {
    pub intercept_bpm: f64,
    pub slope_bpm_per_m_s: f64,
    pub sigma_bpm: f64,
    pub speed_min_m_s: f64,
    pub speed_max_m_s: f64,
}

/// A hard session: a vertical marker on chart 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HardMarker {
    pub id: String,
    pub start: DateTime<Utc>,
    /// `absorbed`, `lingering` or `unknown`.
    pub verdict: String,
    /// Hours from the session's end to recovery, if it recovered.
    pub recovery_h: Option<f64>,
}

/// A long run on chart 3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LongRunPoint {
    pub id: String,
    pub start: DateTime<Utc>,
    /// Aerobic decoupling (Pa:HR), percent.
    pub decoupling_pct: Option<f64>,
    /// Cardiac drift over the steady portion, bpm per hour.
    pub drift_bpm_per_h: Option<f64>,
}

/// One ISO week (chart 4 and the "this week" block).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekBar {
    /// ISO week label, e.g. `2026-W07`.
    pub week: String,
    /// The week's Monday (local calendar), used to place and label the bar.
    pub monday: NaiveDate,
    pub runs: u32,
    pub moving_s: f64,
    pub distance_m: f64,
    /// Seiler zone shares of moving time, as fractions 0..=1.
    pub s1_share: Option<f64>,
    pub s2_share: Option<f64>,
    pub s3_share: Option<f64>,
    pub hard_sessions: u32,
    /// Weekly flags (`too_many_hard`, `hard_back_to_back`, `too_much_moderate`, `no_true_easy`,
    /// `load_spike`, or any other text).
    pub flags: Vec<String>,
}

/// One local calendar day of training load (chart 5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayLoad {
    pub date: NaiveDate,
    /// Sum of hrTSS of the day (0 on a rest day).
    pub load: f64,
    /// Fitness: 42-day exponentially weighted load.
    pub ctl: f64,
    /// Fatigue: 7-day exponentially weighted load.
    pub atl: f64,
    /// Form: CTL - ATL of the day before.
    pub tsb: f64,
}

/// One row of the recent-activities table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRow {
    pub id: String,
    pub start: DateTime<Utc>,
    /// The activity's name from the file, if any (any text; it is escaped).
    pub name: Option<String>,
    pub sport: Option<String>,
    /// Session class (`easy`, `moderate`, `hard`, `long`, ...).
    pub class: Option<String>,
    pub moving_s: f64,
    pub distance_m: Option<f64>,
    pub avg_hr: Option<f64>,
    /// Efficiency factor (m/min per bpm).
    pub ef: Option<f64>,
    pub decoupling_pct: Option<f64>,
    pub drift_bpm_per_h: Option<f64>,
    pub hrtss: Option<f64>,
    /// HR elevation against the easy baseline, bpm (easy runs only).
    pub elevation_bpm: Option<f64>,
    pub flags: Vec<String>,
}

/// One activity's cleaned series (chart 6). The vectors have the same length as `t_s`; a
/// shorter one is read as missing values at the end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivityTrace {
    pub id: String,
    pub start: Option<DateTime<Utc>>,
    pub name: Option<String>,
    /// Moving time of each point, seconds.
    pub t_s: Vec<f64>,
    pub hr_bpm: Vec<Option<f64>>,
    /// Speed, m/s; drawn as pace (min/km).
    pub speed_m_s: Vec<Option<f64>>,
    /// The steady portion, shaded.
    pub steady: Option<SteadySpan>,
    /// The fitted drift line over the steady portion.
    pub drift_line: Option<DriftLine>,
    /// DFA alpha1 of the activity's beats (chart 8); empty without beat-to-beat intervals.
    #[serde(default)]
    pub alpha1: Vec<Alpha1Window>,
}

/// One DFA alpha1 window of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Alpha1Window {
    /// The window's middle, minutes from the activity's start.
    pub minute: f64,
    /// `None` where the window has none (too many artifacts, too few beats, HR changing).
    pub alpha1: Option<f64>,
    pub hr_bpm: Option<f64>,
}

/// A span of moving time, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SteadySpan {
    pub start_s: f64,
    pub end_s: f64,
}

/// A straight HR line from (`start_s`, `hr_start_bpm`) to (`end_s`, `hr_end_bpm`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DriftLine {
    pub start_s: f64,
    pub end_s: f64,
    pub hr_start_bpm: f64,
    pub hr_end_bpm: f64,
    pub slope_bpm_per_h: f64,
}

/// One duration of a pace-duration curve (chart 7): the best mean grade-adjusted speed held for
/// `duration_s` in the period, and the run that holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub duration_s: u32,
    pub speed_m_s: f64,
    pub id: String,
    pub start: DateTime<Utc>,
}

impl ReportInput {
    /// An input with nothing in it: every chart says "no data", the page still renders.
    #[must_use]
    pub fn empty(generated: DateTime<Utc>) -> Self {
        Self {
            generated,
            units: Units::Metric,
            athlete_note: String::new(),
            readiness: Readiness {
                verdict: "unknown".to_owned(),
                reasons: Vec::new(),
            },
            easy_runs: Vec::new(),
            baseline: None,
            hard_sessions: Vec::new(),
            long_runs: Vec::new(),
            weeks: Vec::new(),
            days: Vec::new(),
            activities: Vec::new(),
            focus: None,
            rules: Rules::default(),
            pace_curve: Vec::new(),
            pace_curve_previous: Vec::new(),
            mornings: Vec::new(),
            morning: None,
        }
    }

    /// The latest week by its Monday ("this week").
    #[must_use]
    pub fn this_week(&self) -> Option<&WeekBar> {
        self.weeks.iter().max_by_key(|w| w.monday)
    }

    /// Activities newest first.
    #[must_use]
    pub fn recent_activities(&self, limit: usize) -> Vec<&ActivityRow> {
        let mut rows: Vec<&ActivityRow> = self.activities.iter().collect();
        rows.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.id.cmp(&b.id)));
        rows.truncate(limit);
        rows
    }
}

/// The units of the report's distances and paces (`units` in the athlete's settings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Units {
    #[default]
    Metric,
    Imperial,
}

impl Units {
    /// Metres in the unit a pace is per and a distance is counted in.
    #[must_use]
    pub const fn metres(self) -> f64 {
        match self {
            Units::Metric => 1000.0,
            Units::Imperial => 1609.344,
        }
    }

    /// `km` or `mi`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Units::Metric => "km",
            Units::Imperial => "mi",
        }
    }
}

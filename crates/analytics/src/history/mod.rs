//! Across activities of one athlete (METRICS.md section 4): easy-run HR elevation against a
//! personal baseline, recovery after hard sessions, weekly structure, fitness / fatigue / form
//! per day, and readiness today.
//!
//! Input is the per-activity rows ([`ActivityMetrics`], in any order); [`analyze_history`]
//! never reads files, never panics, and never outputs NaN: what cannot be computed is `None`
//! with its reason in an `absent` map, as for a single activity. The weekly and daily tables are
//! grouped with polars ([`table`]); the Theil-Sen baseline and the EWMAs are plain Rust.
//!
//! Choices where METRICS.md leaves room:
//! - **Time.** Local time is UTC plus the row's `utc_offset_s` (0 when the file does not say,
//!   or says more than 18 h).
//!   Rows stored before `start_ms` existed are placed by their `start` string. Rows dated
//!   before 1980 or after 2200 are left out of every time-based result. Non-finite numbers in
//!   a row (which no row from [`crate::analyze`] carries) count as missing.
//! - **Which easy runs.** `easy_runs` lists every steady run ([`crate::is_steady_run`]: session
//!   type `easy`, or `moderate` without P3 repetitions, with a decoupling quality), whatever
//!   its HR class: an easy run with a high heart rate is the run this list exists for. Its
//!   elevation needs coverage >= `min_coverage`, no `unsteady` flag and a minutes 10-40
//!   [`crate::metrics::WindowStats`]; otherwise the elevation is absent with that reason. The
//!   baseline of a run is every such eligible run that started in the `baseline_days` (42)
//!   before it, elevated or not: Theil-Sen and the median residual are robust to the few
//!   elevated ones. A baseline whose runs all share one GAP speed has no line and is
//!   `insufficient_baseline` too.
//! - **HR and speed of the window** are averaged over the seconds carrying both (as EF is).
//! - **Early signal.** Minutes 5-15 get their own Theil-Sen line from the same baseline runs;
//!   `early_elevation_bpm` is the observed minus predicted HR, and the flag `early_elevated`
//!   uses the same threshold rule with that line's own sigma.
//! - **Heat.** The temperature of a run is the device's mean over minutes 10-40; `warm_day`
//!   compares it with the median of that temperature over every run (any class) of the
//!   baseline period, and is only set on an elevated run, as METRICS.md says.
//! - **Stride.** The cadence CV's spread is 1.4826 x the median absolute deviation around the
//!   baseline median, floored at `stride_cv_sigma_floor` (0.003). Running dynamics are
//!   reported as differences from their baseline medians (`*_delta_*`), which need
//!   `baseline_min_runs` baseline runs carrying them.
//! - **Recovery.** The window is the easy runs that start in (end, end + 5 d], measured from the
//!   session's end; runs without an elevation (no baseline) are skipped. Each run's thresholds
//!   use its own baseline sigma. Two cases METRICS.md does not name give `unknown` with a
//!   reason in `absent`: recovered only after 72 h with no elevated run after 72 h
//!   (`recovered_after_72h`: the easy runs cannot tell when within that gap recovery came), and
//!   a window still open at `now_ms` with no recovery yet (`window_open`). `deciding_runs` are
//!   the recovered run and the later runs that confirmed it (`absorbed`), the elevated runs
//!   after 72 h (`lingering`), or every run of the window when none recovered.
//! - **Weeks** are ISO weeks of local time, Monday to Sunday, over running rows; weeks with no
//!   run between the first and the last are listed with zero volume so that the trailing
//!   means see the break. The S1/S2/S3 shares are of the week's valid-HR moving time (so they
//!   sum to 1). Hard spacing is measured from the previous hard session even when that was in
//!   the week before (Sunday and Monday hard is back to back), and belongs to the later
//!   session's week. `load_spike` needs `load_spike_weeks` earlier weeks in the history;
//!   consistency is the population CV of moving time over the week and the three before, and
//!   needs all four. The long-run share sums the runs flagged `long`. Rows without hrTSS add
//!   nothing to a load.
//! - **Days** run from the first activity's local day to the later of the last activity's and
//!   `now_ms`'s (at most 366 days past the last activity); every sport's hrTSS counts.
//! - **Readiness** looks at the easy runs with an elevation that started by `now_ms`.
//!   "Within 1 sigma" is `e <= sigma` (a heart rate below baseline is no concern). A
//!   `lingering` session holds back while it ended less than `readiness_lingering_days` ago.
//!   `stride_unsteady` on the latest easy run is always a reason and tips the verdict to
//!   `hold_back` only together with another elevated easy run among the last three.
//!   Consistency is that of the last complete week before `now_ms`. TSB is today's.

mod easy;
mod readiness;
mod recovery;
pub mod robust;
mod table;
pub mod words;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::clean::is_running;
use crate::metrics::{ActivityMetrics, long_flag};
use crate::settings::AthleteSettings;
use crate::time::rfc3339;

pub use robust::{TheilSen, ewma_step, theil_sen};

/// Reasons a cross-activity value is absent (beside those of [`crate::reason`]).
pub mod reason {
    /// Fewer than `baseline_min_runs` eligible easy runs in the baseline period.
    pub const INSUFFICIENT_BASELINE: &str = "insufficient_baseline";
    /// The file carries no such channel, or not in the window.
    pub const NOT_RECORDED: &str = "not_recorded";
    /// No easy run with an elevation in the recovery window.
    pub const NO_EASY_RUN: &str = "no_easy_run";
    /// Easy runs in the window, none of them with a baseline.
    pub const NO_BASELINE_IN_WINDOW: &str = "no_baseline_in_window";
    /// Recovered only after `absorbed_within_h`, with no elevated run after it.
    pub const RECOVERED_AFTER_72H: &str = "recovered_after_72h";
    /// The recovery window has not closed at `now_ms` and no recovery is seen yet.
    pub const WINDOW_OPEN: &str = "window_open";
    /// Not enough weeks of history for the value.
    pub const TOO_FEW_WEEKS: &str = "too_few_weeks";
    /// No valid-HR time in the week.
    pub const NO_ZONE_TIME: &str = "no_zone_time";
    /// S2 or S3 share under `polarization_min_share` (or S1 zero).
    pub const SHARES_TOO_SMALL: &str = "shares_too_small";
    /// No runs in the week.
    pub const NO_RUNS: &str = "no_runs";
    /// The polars table computation failed (not expected).
    pub const TABLE_ERROR: &str = "table_error";
}

/// Weekly flags (the values of [`Week::flags`]).
pub mod week_flag {
    pub const TOO_MANY_HARD: &str = "too_many_hard";
    pub const HARD_BACK_TO_BACK: &str = "hard_back_to_back";
    pub const TOO_MUCH_MODERATE: &str = "too_much_moderate";
    pub const NO_TRUE_EASY: &str = "no_true_easy";
    pub const LOAD_SPIKE: &str = "load_spike";
}

/// Easy-run flags (the values of [`EasyRun::flags`]).
pub mod run_flag {
    pub const ELEVATED: &str = "elevated";
    pub const EARLY_ELEVATED: &str = "early_elevated";
    pub const WARM_DAY: &str = "warm_day";
    pub const STRIDE_UNSTEADY: &str = "stride_unsteady";
}

/// One steady run (an easy run, or a moderate one without fast repetitions; METRICS.md 4)
/// against the athlete's baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EasyRun {
    pub id: String,
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// Its session type: `easy`, or `moderate` for a steady run that is not easy.
    #[serde(default)]
    pub session_type: Option<crate::metrics::SessionClass>,
    /// Its HR class; `moderate` or `hard` on an easy run is an `effort_mismatch`.
    #[serde(default)]
    pub hr_class: Option<crate::metrics::SessionClass>,
    /// The threshold speed it was typed against (m/s).
    #[serde(default)]
    pub threshold_speed_m_s: Option<f64>,
    /// Walking share of a run-walk run (its numbers are from the running parts).
    #[serde(default)]
    pub walk_share: Option<f64>,
    /// Observed minus predicted HR over minutes 10-40 (bpm).
    pub elevation_bpm: Option<f64>,
    /// `elevation_bpm / sigma_bpm`.
    pub elevation_z: Option<f64>,
    /// `elevation_bpm >= max(elevated_min_bpm, elevated_sigmas x sigma)`.
    pub elevated: Option<bool>,
    /// Robust spread of the baseline (1.4826 x median absolute residual, floored).
    pub sigma_bpm: Option<f64>,
    /// Eligible easy runs in the baseline period.
    pub baseline_runs: usize,
    pub predicted_hr_bpm: Option<f64>,
    pub observed_hr_bpm: Option<f64>,
    /// Mean GAP speed of minutes 10-40 (m/s).
    pub gap_speed_m_s: Option<f64>,
    /// The same elevation over minutes 5-15 (bpm).
    pub early_elevation_bpm: Option<f64>,
    /// Mean temperature of minutes 10-40 (degC).
    pub temperature_c: Option<f64>,
    /// Elevated on a day `warm_day_delta_c` or more above the baseline period's median.
    pub warm_day: bool,
    /// Cadence CV of minutes 10-40.
    pub cadence_cv: Option<f64>,
    /// Cadence CV more than `stride_sigmas` robust spreads above its baseline median.
    pub stride_unsteady: Option<bool>,
    /// Ground contact time minus its baseline median (ms).
    pub stance_time_delta_ms: Option<f64>,
    /// Vertical oscillation minus its baseline median (mm).
    pub vertical_oscillation_delta_mm: Option<f64>,
    /// Step length minus its baseline median (mm).
    pub step_length_delta_mm: Option<f64>,
    /// See [`run_flag`].
    pub flags: Vec<String>,
    /// Field name -> reason it is absent.
    pub absent: BTreeMap<String, String>,
}

/// Recovery verdict of a hard session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Absorbed,
    Lingering,
    Unknown,
}

impl Verdict {
    /// The name JSON gives it, which the texts use too.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Absorbed => "absorbed",
            Self::Lingering => "lingering",
            Self::Unknown => "unknown",
        }
    }
}

/// One hard session and what the easy runs after it say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HardSession {
    pub id: String,
    /// Start and end, RFC 3339 UTC.
    pub start: String,
    pub end: String,
    /// Hours from the session's end to the easy run that showed recovery.
    pub recovery_h: Option<f64>,
    pub verdict: Verdict,
    /// Ids of the easy runs that decided the verdict.
    pub deciding_runs: Vec<String>,
    /// Field name -> reason (`recovery_h`, and `verdict` when `unknown`).
    pub absent: BTreeMap<String, String>,
}

/// One ISO week of running, in the athlete's local time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Week {
    /// ISO week, e.g. `2026-W07`.
    pub week: String,
    /// Its Monday, `YYYY-MM-DD`.
    pub monday: String,
    pub runs: usize,
    /// Runs whose HR class is easy, and moderate (what `no_true_easy` and `too_much_moderate`
    /// count: what the heart did).
    pub easy_runs: usize,
    pub moderate_runs: usize,
    pub moving_s: f64,
    pub distance_m: f64,
    /// Sum of hrTSS.
    pub load: f64,
    pub hard_sessions: usize,
    /// Shortest end-to-start spacing (h) of a hard session of this week from the one before.
    pub min_hard_spacing_h: Option<f64>,
    /// Seiler shares of the week's valid-HR moving time.
    pub s1_share: Option<f64>,
    pub s2_share: Option<f64>,
    pub s3_share: Option<f64>,
    /// Runs of HR class moderate / runs.
    pub moderate_share: Option<f64>,
    /// Moving time of the long runs / the week's moving time.
    pub long_run_share: Option<f64>,
    /// CV of weekly moving time over this week and the three before.
    pub consistency: Option<f64>,
    /// Treff's polarization index, log10(S1/S2 x S3 x 100).
    pub polarization_index: Option<f64>,
    /// See [`week_flag`].
    pub flags: Vec<String>,
    pub absent: BTreeMap<String, String>,
    /// Moving hours of every activity of the week by sport (runs included; `unknown` for a
    /// file that names none): a triathlete's week is more than its runs (METRICS.md 7).
    #[serde(default)]
    pub sport_hours: BTreeMap<String, f64>,
}

/// Fitness, fatigue and form on one local calendar day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    /// `YYYY-MM-DD`, local.
    pub date: String,
    /// The day's load (0 on rest days): each activity's TSS from power where it has one (a
    /// ride with power and an FTP), else its hrTSS (METRICS.md 7).
    pub load: f64,
    /// The part of `load` that came from power TSS.
    #[serde(default)]
    pub load_from_tss: f64,
    /// Fitness: EWMA of daily load, time constant `ctl_days`.
    pub ctl: f64,
    /// Fatigue: EWMA with `atl_days`.
    pub atl: f64,
    /// Form: CTL - ATL of the day before.
    pub tsb: f64,
}

/// Readiness verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadinessVerdict {
    Push,
    Steady,
    HoldBack,
}

/// One reason behind the readiness verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable machine name, e.g. `latest_easy_elevated`.
    pub code: String,
    /// The number the reason is about.
    pub value: Option<f64>,
    /// The threshold it was compared with, where one applies.
    pub threshold: Option<f64>,
    /// In words a runner understands.
    pub text: String,
}

/// Readiness today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    pub verdict: ReadinessVerdict,
    pub reasons: Vec<Reason>,
}

/// Everything section 4 of METRICS.md computes for one athlete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub easy_runs: Vec<EasyRun>,
    pub hard_sessions: Vec<HardSession>,
    pub weeks: Vec<Week>,
    pub days: Vec<Day>,
    pub readiness: Readiness,
    /// Table name -> reason it could not be computed (not expected).
    #[serde(default)]
    pub absent: BTreeMap<String, String>,
}

impl History {
    /// Whether every number is finite (the crate's invariant; used by tests).
    #[must_use]
    pub fn is_finite(&self) -> bool {
        let runs = self.easy_runs.iter().all(|r| {
            [
                r.elevation_bpm,
                r.elevation_z,
                r.sigma_bpm,
                r.predicted_hr_bpm,
                r.observed_hr_bpm,
                r.gap_speed_m_s,
                r.early_elevation_bpm,
                r.temperature_c,
                r.cadence_cv,
                r.stance_time_delta_ms,
                r.vertical_oscillation_delta_mm,
                r.step_length_delta_mm,
            ]
            .iter()
            .flatten()
            .all(|v| v.is_finite())
        });
        let hard = self
            .hard_sessions
            .iter()
            .all(|h| h.recovery_h.is_none_or(f64::is_finite));
        let weeks = self.weeks.iter().all(|w| {
            [w.moving_s, w.distance_m, w.load]
                .iter()
                .all(|v| v.is_finite())
                && [
                    w.min_hard_spacing_h,
                    w.s1_share,
                    w.s2_share,
                    w.s3_share,
                    w.moderate_share,
                    w.long_run_share,
                    w.consistency,
                    w.polarization_index,
                ]
                .iter()
                .flatten()
                .all(|v| v.is_finite())
        });
        let days = self
            .days
            .iter()
            .all(|d| [d.load, d.ctl, d.atl, d.tsb].iter().all(|v| v.is_finite()));
        let reasons = self.readiness.reasons.iter().all(|r| {
            [r.value, r.threshold]
                .iter()
                .flatten()
                .all(|v| v.is_finite())
        });
        runs && hard && weeks && days && reasons
    }
}

const MS_PER_HOUR: f64 = 3_600_000.0;
const MS_PER_DAY: i64 = crate::time::DAY_MS;
/// Rows outside 1980-01-01 .. 2200-01-01 (UTC ms) are not placed in time.
const PLAUSIBLE_MS: (i64, i64) = (315_532_800_000, 7_258_118_400_000);

/// A row placed in time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placed<'a> {
    pub m: &'a ActivityMetrics,
    pub start_ms: i64,
    pub end_ms: i64,
    /// Local calendar day (days since 1970-01-01, local).
    pub day: i64,
    pub running: bool,
}

impl Placed<'_> {
    /// Hours from `self`'s end to `later`'s start.
    pub(crate) fn hours_to(&self, later_start_ms: i64) -> f64 {
        #[expect(clippy::cast_precision_loss)]
        let h = later_start_ms.saturating_sub(self.end_ms) as f64 / MS_PER_HOUR;
        h
    }
}

/// The row's start in UTC ms: `start_ms`, or its `start` string for rows stored before
/// `start_ms` existed.
fn start_of(m: &ActivityMetrics) -> Option<i64> {
    let ms = if m.start_ms != 0 {
        m.start_ms
    } else {
        DateTime::parse_from_rfc3339(&m.start)
            .ok()?
            .timestamp_millis()
    };
    (PLAUSIBLE_MS.0..PLAUSIBLE_MS.1).contains(&ms).then_some(ms)
}

fn place(m: &ActivityMetrics) -> Option<Placed<'_>> {
    let start_ms = start_of(m)?;
    #[expect(clippy::cast_possible_truncation)]
    let moving_ms = (finite(Some(m.moving_s)).unwrap_or(0.0).clamp(0.0, 1.0e9) * 1000.0) as i64;
    let end_ms = if m.end_ms >= start_ms && m.end_ms < PLAUSIBLE_MS.1 {
        m.end_ms
    } else {
        start_ms.saturating_add(moving_ms)
    };
    let day = start_ms.saturating_add(offset_ms(m)).div_euclid(MS_PER_DAY);
    Some(Placed {
        m,
        start_ms,
        end_ms,
        day,
        running: is_running(m.sport.as_deref()),
    })
}

/// Local time minus UTC of a row (ms); 0 when unknown or beyond the +-18 h any zone uses.
pub(crate) fn offset_ms(m: &ActivityMetrics) -> i64 {
    m.utc_offset_s
        .filter(|o| o.unsigned_abs() <= 18 * 3600)
        .map_or(0, |o| i64::from(o) * 1000)
}

/// The value when finite.
pub(crate) fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// The calendar date of a local day number.
pub(crate) fn date_of(day: i64) -> Option<NaiveDate> {
    DateTime::<Utc>::from_timestamp(day.checked_mul(86_400)?, 0).map(|d| d.date_naive())
}

/// `YYYY-MM-DD` of a local day number.
pub(crate) fn date_label(day: i64) -> String {
    date_of(day).map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

/// ISO week label (`2026-W07`) of a local day number.
pub(crate) fn week_label(day: i64) -> String {
    date_of(day).map_or_else(String::new, |d| {
        let w = d.iso_week();
        format!("{}-W{:02}", w.year(), w.week())
    })
}

/// The Monday (local day number) of a day's ISO week. 1970-01-01 was a Thursday.
pub(crate) fn monday_of(day: i64) -> i64 {
    day - (day + 3).rem_euclid(7)
}

/// Everything of METRICS.md section 4 for one athlete's rows (any order), as of `now_ms`
/// (UTC ms; readiness is for that moment, and days run up to it).
#[must_use]
pub fn analyze_history(
    rows: &[ActivityMetrics],
    settings: &AthleteSettings,
    now_ms: i64,
) -> History {
    analyze_history_with_mornings(rows, &[], settings, now_ms)
}

/// [`analyze_history`] with the morning readings (METRICS.md section 6) in the readiness
/// verdict: `mornings` from [`crate::wellness::days`], in date order.
#[must_use]
pub fn analyze_history_with_mornings(
    rows: &[ActivityMetrics],
    mornings: &[crate::wellness::WellnessDay],
    settings: &AthleteSettings,
    now_ms: i64,
) -> History {
    let s = settings.sanitized();
    let mut placed: Vec<Placed<'_>> = rows.iter().filter_map(place).collect();
    placed.sort_by(|a, b| {
        a.start_ms
            .cmp(&b.start_ms)
            .then_with(|| a.m.id.cmp(&b.m.id))
    });
    let runs: Vec<Placed<'_>> = placed.iter().filter(|p| p.running).copied().collect();

    let easy = easy::easy_runs(&runs, &s);
    let hard = recovery::hard_sessions(&runs, &easy, &s, now_ms);
    let mut absent = BTreeMap::new();
    let mut weeks = table::weeks(&runs, &s).unwrap_or_else(|e| {
        absent.insert("weeks".to_owned(), format!("{}: {e}", reason::TABLE_ERROR));
        Vec::new()
    });
    for w in &mut weeks {
        w.sport_hours.clear();
    }
    let week_at: BTreeMap<String, usize> = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| (w.monday.clone(), i))
        .collect();
    for p in &placed {
        if let Some(&i) = week_at.get(&date_label(monday_of(p.day))) {
            let sport = p.m.sport.clone().unwrap_or_else(|| "unknown".to_owned());
            *weeks[i].sport_hours.entry(sport).or_default() += p.m.moving_s / 3600.0;
        }
    }
    let days = table::days(&placed, &s, now_ms).unwrap_or_else(|e| {
        absent.insert("days".to_owned(), format!("{}: {e}", reason::TABLE_ERROR));
        Vec::new()
    });
    let readiness = readiness::readiness(
        &readiness::Inputs {
            easy: &easy,
            hard: &hard,
            weeks: &weeks,
            days: &days,
            runs: &runs,
            mornings,
        },
        &s,
        now_ms,
    );
    History {
        easy_runs: easy.into_iter().map(|e| e.out).collect(),
        hard_sessions: hard.into_iter().map(|h| h.out).collect(),
        weeks,
        days,
        readiness,
        absent,
    }
}

/// Fills `long` of every row from the rows alone: a run is long when its moving time is at
/// least `long_min_s` and `long_ratio` x the median moving time of the runs (with moving time)
/// that started in the `long_history_days` before it. Rows that cannot be placed in time get
/// `long` absent as `no_history` when they are long enough to need it.
pub fn fill_long_rows(rows: &mut [ActivityMetrics], settings: &AthleteSettings) {
    let s = settings.sanitized();
    let starts: Vec<Option<i64>> = rows.iter().map(start_of).collect();
    let mut runs: Vec<(i64, f64)> = rows
        .iter()
        .zip(&starts)
        .filter(|(m, _)| is_running(m.sport.as_deref()) && m.moving_s > 0.0)
        .filter_map(|(m, st)| st.map(|st| (st, m.moving_s)))
        .collect();
    runs.sort_by_key(|r| r.0);
    #[expect(clippy::cast_possible_truncation)]
    let window_ms = (s.long_history_days * 86_400_000.0).round() as i64;
    let mut buf = Vec::new();
    for (m, st) in rows.iter_mut().zip(starts) {
        let running = is_running(m.sport.as_deref());
        let median = st.and_then(|st| {
            let from = st.saturating_sub(window_ms);
            let lo = runs.partition_point(|r| r.0 < from);
            let hi = runs.partition_point(|r| r.0 < st).max(lo);
            buf.clear();
            buf.extend(runs[lo..hi].iter().map(|r| r.1));
            crate::stats::percentile(&mut buf, 50.0)
        });
        m.absent.remove("long");
        match long_flag(m.moving_s, running, median, &s) {
            Ok(v) => m.long = Some(v),
            Err(why) => {
                m.long = None;
                m.absent.insert("long".to_owned(), why.to_owned());
            }
        }
    }
}

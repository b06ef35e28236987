//! Per-activity heart-rate analytics for hrdrift (METRICS.md sections 1-3).
//!
//! Input is an already-decoded [`hrdrift_ingest::Activity`] plus [`AthleteSettings`]; output
//! is an [`ActivityMetrics`] row (serde JSON) and, for charting, the cleaned 1 Hz
//! [`ActivitySeries`]. This crate never reads files and never panics on input data; every
//! metric that cannot be computed honestly is `None` with a reason in
//! [`ActivityMetrics::absent`], and no output number is NaN or infinite.
//!
//! Pipeline: [`clean`] (sort, de-duplicate, moving clock, speed, valid HR, 1 Hz grid) ->
//! [`gap`] (grade and Minetti GAP speed) -> [`metrics`] (EF, decoupling, drift, zones, load,
//! class). Parallelism lives in one place: [`compute_all`] runs activities on rayon.
//!
//! Invariants:
//! - Analytics never reads files and never panics on input data: samples may be empty, out of
//!   order, duplicated, NaN or absurd; timestamps may span the whole `i64` range.
//! - Work and memory are linear in the number of samples, whatever the timestamps say (the
//!   1 Hz grid fills no gap longer than `recording_gap_max_s`, at most 300 s).
//! - Every metric that cannot be computed honestly is `None` with a reason in `absent`; no
//!   output number is NaN or infinite ([`ActivityMetrics::is_finite`]).
//! - Settings are sanitized before use ([`AthleteSettings::sanitized`]), so a bad config value
//!   falls back to its default rather than poisoning the numbers; the row says which anchors
//!   were used and fingerprints all settings.
//!
//! Where the metric definitions leave room, the choices are written down in [`metrics`] and
//! [`clean`], and in `docs/METRICS.md`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod clean;
pub mod effort;
pub mod gap;
pub mod history;
pub mod hrv;
pub mod load;
pub mod metrics;
pub mod pace;
pub mod pool;
pub mod power;
mod row;
pub mod settings;
mod stats;
mod summary;
pub mod time;
pub mod wellness;
pub mod zones;

use hrdrift_ingest::Activity;
use rayon::prelude::*;

pub use clean::{CleanStats, is_running};
pub use effort::{
    ClassBasis, CsFit, CurvePoint, EffortState, EffortSummary, Threshold, ThresholdSource,
    fill_session_types, is_steady_run, pace_curve,
};
pub use history::{
    Day, EasyRun, HardSession, History, Readiness, ReadinessVerdict, Reason, Verdict, Week,
    analyze_history, analyze_history_with_mornings, fill_long_rows,
};
pub use metrics::{
    ActivityContext, ActivityMetrics, ActivitySeries, Alpha1Point, Analysis, DecouplingQuality,
    DriftLine, HrSummary, SessionClass, SettingsUsed, SteadySpan, WindowStats, analyze, flag,
    long_flag, reanchor, reason,
};
pub use pace::{Pace, Units};
pub use pool::{HrPool, estimate_from_pools, pool_fingerprint};
pub use power::{FtpSource, PowerSummary, fill_rides};
pub use settings::{AthleteSettings, Estimated, SettingsError, Sex, ZoneModel};

/// Metrics of one activity, typed against a configured `threshold_pace` when there is one
/// (without it, a run with speed stays untyped: its threshold comes from the other runs, see
/// [`fill_session_types`]).
#[must_use]
pub fn compute(
    activity: &Activity,
    settings: &AthleteSettings,
    ctx: &ActivityContext,
) -> ActivityMetrics {
    let mut m = analyze(activity, settings, ctx).metrics;
    let s = settings.sanitized();
    effort::type_row(&mut m, effort::threshold_at_config(&s).as_ref(), &s);
    // A ride with power is measured against its own best 20 min when no FTP is set.
    power::fill_rides(std::slice::from_mut(&mut m), &s);
    m
}

/// The cleaned 1 Hz series of one activity (with steady bounds and drift line), for a chart.
#[must_use]
pub fn series(activity: &Activity, settings: &AthleteSettings) -> ActivitySeries {
    analyze(activity, settings, &ActivityContext::default()).series
}

/// Metrics of many activities of one athlete, in input order, computed in parallel.
///
/// `long` is filled from the activities themselves: for each run, the median moving time of
/// the runs that started in the `long_history_days` (28) before it. A run with no earlier run
/// in that window has `long` absent as `no_history` when it is long enough to qualify. The
/// session types are filled from the activities too ([`fill_session_types`]).
#[must_use]
pub fn compute_all(activities: &[Activity], settings: &AthleteSettings) -> Vec<ActivityMetrics> {
    let mut out: Vec<ActivityMetrics> = activities
        .par_iter()
        .map(|a| compute(a, settings, &ActivityContext::default()))
        .collect();
    fill_long_rows(&mut out, settings);
    fill_session_types(&mut out, settings);
    out
}

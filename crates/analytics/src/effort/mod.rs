//! Effort without heart rate (METRICS.md sections 3a and 3b): walking inside a run, the
//! steadiness of a run, the mean-maximal GAP speeds, and what a session's type needs.
//!
//! A session's type depends on the runner's threshold speed, which depends on the other runs
//! (the critical speed of the trailing 90 days, or the habit of the trailing 42). So the type
//! is not stored: each activity keeps an [`EffortSummary`] (anchor-free, like the HR summary),
//! and [`fill_session_types`] types every row from those summaries whenever the rows are read.
//! A change of `threshold_pace`, or an estimate that moves, then recomputes nothing but the
//! types.
//!
//! Choices where METRICS.md leaves room:
//! - **Running seconds** are the grid seconds of a run that are not walking and whose GAP
//!   speed is at most `not_running_span_m_s` (7 m/s). The pace zones count running seconds.
//! - **Walking** needs `walk_min_s` (10 s) in a row of consecutive grid seconds. A second with a
//!   cadence reading is judged on cadence, one without on speed (so a file whose cadence
//!   drops out does not turn into a walk).
//! - **Mean-maximal speeds** are rolling means over consecutive grid seconds; a hole in the
//!   grid or a second faster than 7 m/s ends a span. Walking seconds count (at their speed):
//!   a run-walker's best 20 min are the 20 min they did, walks included.
//! - **Steadiness blocks** cut the steady portion's moving time into `steadiness_block_s`
//!   (30 s) blocks; a block's mean is over its used seconds (running, and for a run-walk run
//!   not in the first `walk_recovery_s` after a walk), and counts when at least half of the
//!   block's seconds are used.
//! - **Fast repetitions** are maximal spans of consecutive blocks above the P3 bound lasting at
//!   least `fast_rep_min_s` (60 s); a session has "P3 repetitions" with two or more. A
//!   continuous tempo is one span, strides of 20 s none.
//! - **Pace zones** come from a histogram of running GAP speed in 0.02 m/s bins; a bin that a
//!   zone bound cuts is shared between the two zones in proportion to the part of the bin on
//!   each side (the speeds in a bin taken as even over its 0.02 m/s).
//! - **Threshold speed of a run** is that of the trailing windows ending with the run (the run
//!   itself included): the critical speed of the `cs_days` (90) up to it, else the habit rule
//!   over the runs before it (a first interval session's own minutes 10-40 are no habit). The
//!   first run of a history has neither, and stays untyped (`no_threshold`).
//!   Beyond METRICS.md's rules, a critical speed is accepted only when it is at least
//!   `cs_min_over_habit` (1.10) x the habitual speed: a critical speed is sustainable for half
//!   an hour or so, so a runner's everyday pace sits well below it, and the hills of easy runs
//!   alone pass the other rules with a "critical speed" under the everyday pace. Without a
//!   habit to check against, a fit from a single run is not accepted either.
//! - **LTHR from efforts** keeps, per activity, the Pareto front of (mean GAP speed, mean HR)
//!   over its windows of `lthr_effort_s` (20 min) of running without walking, with speeds in
//!   0.05 m/s steps; the estimate is the highest HR of a front point at or above
//!   `lthr_effort_speed_frac` x the latest threshold speed.

mod curve;
mod run_summary;
mod threshold;
mod typing;
mod walking;

use crate::metrics::ActivityMetrics;

pub use curve::{CurvePoint, pace_curve};
pub use run_summary::{EffortSummary, blocks_cv};
pub(crate) use run_summary::{blocks, summary};
pub(crate) use threshold::threshold_at_config;
pub use threshold::{CsFit, Threshold, ThresholdSource, cs_fit};
pub(crate) use typing::class_of_zones;
pub use typing::{ClassBasis, EffortState, fill_session_types, is_steady_run, type_row};
pub(crate) use walking::{Parts, parts};

/// Durations of the mean-maximal GAP speeds (s).
pub const BEST_DURATIONS_S: [usize; 7] = [60, 180, 300, 600, 1200, 1800, 3600];
/// Width of a pace histogram bin (m/s).
const BIN_M_S: f64 = 0.02;
const MS_PER_DAY: f64 = 86_400_000.0;

fn is_running_row(m: &ActivityMetrics) -> bool {
    crate::clean::is_running(m.sport.as_deref())
}

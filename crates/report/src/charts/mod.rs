//! The nine charts of the report, each a pure function of [`ReportInput`] to PNG bytes.
//!
//! Every chart has a title, axis descriptions with units and dates on time axes, and draws a
//! "no data" panel instead of failing when its part of the input is empty. Values that are not
//! finite are skipped, never drawn at 0.
//!
//! This module holds the charts' public face ([`ChartKind`], [`render_chart`],
//! [`render_charts`]); each chart is drawn in a module of its own, on the frame, date axis,
//! legend keys and reference lines in `shared`.

mod activity;
mod alpha1;
mod easy_elevation;
mod fitness_form;
mod hr_vs_pace;
mod long_runs;
mod mornings;
mod pace_axis;
mod pace_curve;
mod shared;
mod weekly_structure;

use rayon::prelude::*;

use crate::ReportError;
use crate::model::ReportInput;
use crate::render;

/// The default chart size, pixels.
pub const DEFAULT_SIZE: (u32, u32) = (1200, 600);

/// One of the report's charts (issue 6's numbering, the pace-duration curve added as 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChartKind {
    /// 1. Easy-run HR elevation over time, the ±2σ band, hard sessions as markers.
    EasyElevation,
    /// 2. Heart rate against grade-adjusted pace for easy runs, with the current baseline.
    HrVsPace,
    /// 3. Decoupling and cardiac drift of long runs over time, with Friel's 5 % and 10 % lines.
    LongRuns,
    /// 4. Weekly hours by zone, hard-session count, and the week's flags.
    WeeklyStructure,
    /// 5. Fitness, fatigue and form (CTL, ATL, TSB).
    FitnessForm,
    /// 6. One activity: heart rate and pace against time, steady portion, drift line.
    Activity,
    /// 7. Best grade-adjusted pace per duration (1-60 min), this period against the one before.
    PaceCurve,
    /// 8. The activity of chart 6 beat to beat: DFA alpha1 over time, with its thresholds.
    Alpha1,
    /// 9. The mornings: resting HR and the 7-day ln rMSSD against its normal range, with
    ///    hard sessions and elevated easy runs on the same time axis.
    Mornings,
}

impl ChartKind {
    /// All charts in the order the page shows them.
    pub const ALL: [ChartKind; 9] = [
        ChartKind::EasyElevation,
        ChartKind::Mornings,
        ChartKind::HrVsPace,
        ChartKind::LongRuns,
        ChartKind::WeeklyStructure,
        ChartKind::FitnessForm,
        ChartKind::Activity,
        ChartKind::Alpha1,
        ChartKind::PaceCurve,
    ];

    /// The PNG's file name in the report directory.
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            ChartKind::EasyElevation => "easy-elevation.png",
            ChartKind::HrVsPace => "hr-vs-pace.png",
            ChartKind::LongRuns => "long-runs.png",
            ChartKind::WeeklyStructure => "weekly-structure.png",
            ChartKind::FitnessForm => "fitness-form.png",
            ChartKind::Activity => "activity.png",
            ChartKind::PaceCurve => "pace-curve.png",
            ChartKind::Alpha1 => "alpha1.png",
            ChartKind::Mornings => "mornings.png",
        }
    }

    /// The chart's title (also the image's alt text on the page).
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::EasyElevation => "Easy-run heart rate above expected",
            ChartKind::HrVsPace => "Easy runs: heart rate against grade-adjusted pace",
            ChartKind::LongRuns => "Long runs: aerobic decoupling and cardiac drift",
            ChartKind::WeeklyStructure => "Weekly structure: hours by intensity zone",
            ChartKind::FitnessForm => "Fitness, fatigue and form",
            ChartKind::Activity => "One activity: heart rate and pace",
            ChartKind::PaceCurve => "Pace-duration curve: best grade-adjusted pace",
            ChartKind::Alpha1 => "The same run beat to beat: DFA alpha1",
            ChartKind::Mornings => "Mornings: overnight HRV and resting heart rate",
        }
    }

    /// A short name for error messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::EasyElevation => "easy-elevation",
            ChartKind::HrVsPace => "hr-vs-pace",
            ChartKind::LongRuns => "long-runs",
            ChartKind::WeeklyStructure => "weekly-structure",
            ChartKind::FitnessForm => "fitness-form",
            ChartKind::Activity => "activity",
            ChartKind::PaceCurve => "pace-curve",
            ChartKind::Alpha1 => "alpha1",
            ChartKind::Mornings => "mornings",
        }
    }
}

/// Renders one chart as PNG bytes of `size` (width, height) pixels.
///
/// # Errors
/// [`ReportError::Chart`] when drawing fails (or the size is outside 200x150..10000x10000),
/// [`ReportError::Font`] if the embedded font cannot be registered, [`ReportError::Encode`]
/// when PNG encoding fails. Missing data is not an error: the chart says so in the image.
pub fn render_chart(
    kind: ChartKind,
    input: &ReportInput,
    size: (u32, u32),
) -> Result<Vec<u8>, ReportError> {
    render::render_png(kind.name(), size, |area| match kind {
        ChartKind::EasyElevation => easy_elevation::draw(area, input),
        ChartKind::HrVsPace => hr_vs_pace::draw(area, input),
        ChartKind::LongRuns => long_runs::draw(area, input),
        ChartKind::WeeklyStructure => weekly_structure::draw(area, input),
        ChartKind::FitnessForm => fitness_form::draw(area, input),
        ChartKind::Activity => activity::draw(area, input.focus.as_ref(), input.units),
        ChartKind::PaceCurve => pace_curve::draw(area, input),
        ChartKind::Alpha1 => alpha1::draw(area, input.focus.as_ref()),
        ChartKind::Mornings => mornings::draw(area, input),
    })
}

/// Renders all the charts in parallel (rayon), in [`ChartKind::ALL`] order.
///
/// # Errors
/// The first chart's error, as [`render_chart`].
pub fn render_charts(
    input: &ReportInput,
    size: (u32, u32),
) -> Result<Vec<(ChartKind, Vec<u8>)>, ReportError> {
    ChartKind::ALL
        .par_iter()
        .map(|&kind| render_chart(kind, input, size).map(|png| (kind, png)))
        .collect()
}

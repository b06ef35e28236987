//! The seven charts of the report, each a pure function of [`ReportInput`] to PNG bytes.
//!
//! Every chart has a title, axis descriptions with units and dates on time axes, and draws a
//! "no data" panel instead of failing when its part of the input is empty. Values that are not
//! finite are skipped, never drawn at 0.

use chrono::Duration;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rayon::prelude::*;

use crate::ReportError;
use crate::format::{CURVE_DURATIONS_S, curve_duration};
use crate::model::{ActivityTrace, CurvePoint, EasyRunPoint, ReportInput, WeekBar};
use crate::render::{
    self, Area, DrawResult, TickAxis, date_label, date_ticks, day_of, day_of_date, day_range,
    footer, min_max, padded, pal, size, text, title_style, to_i32, verdict_colour,
};

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
}

impl ChartKind {
    /// All charts in the order the page shows them.
    pub const ALL: [ChartKind; 7] = [
        ChartKind::EasyElevation,
        ChartKind::HrVsPace,
        ChartKind::LongRuns,
        ChartKind::WeeklyStructure,
        ChartKind::FitnessForm,
        ChartKind::Activity,
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
        ChartKind::EasyElevation => easy_elevation(area, input),
        ChartKind::HrVsPace => hr_vs_pace(area, input),
        ChartKind::LongRuns => long_runs(area, input),
        ChartKind::WeeklyStructure => weekly_structure(area, input),
        ChartKind::FitnessForm => fitness_form(area, input),
        ChartKind::Activity => activity(area, input.focus.as_ref()),
        ChartKind::PaceCurve => pace_curve(area, input),
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

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// The common mesh: light grid on the key points, readable tick labels and axis descriptions.
macro_rules! mesh {
    ($chart:expr) => {
        $chart
            .configure_mesh()
            .bold_line_style(pal::GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(pal::MUTED)
            .label_style(text(size::TICK))
            .axis_desc_style(text(size::AXIS_DESC))
    };
}

/// The legend box, top left or where asked.
macro_rules! legend {
    ($chart:expr, $pos:expr) => {
        $chart
            .configure_series_labels()
            .position($pos)
            .margin(12)
            .legend_area_size(28)
            .label_font(text(size::LEGEND))
            .background_style(WHITE.mix(0.9))
            .border_style(pal::GRID)
            .draw()
    };
}

fn hline(y: f64, x0: f64, x1: f64, style: ShapeStyle) -> PathElement<(f64, f64)> {
    PathElement::new(vec![(x0, y), (x1, y)], style)
}

/// Dashed horizontal line, drawn as short segments (plotters' dashed series needs a feature we
/// do not build).
fn dashed_hline(y: f64, x0: f64, x1: f64, style: ShapeStyle) -> Vec<PathElement<(f64, f64)>> {
    dashed(&[(x0, y), (x1, y)], 48, style)
}

/// A dashed polyline: every other of `pieces` equal parts of each straight segment.
fn dashed(points: &[(f64, f64)], pieces: u32, style: ShapeStyle) -> Vec<PathElement<(f64, f64)>> {
    let mut out = Vec::new();
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let n = f64::from(pieces);
        for i in (0..pieces).step_by(2) {
            let (a, b) = (f64::from(i) / n, f64::from(i + 1) / n);
            out.push(PathElement::new(
                vec![
                    (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                    (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                ],
                style,
            ));
        }
    }
    out
}

/// A tick label with an explicit sign, but plain "0".
fn signed_tick(v: f64) -> String {
    if v.abs() < 0.05 {
        "0".to_owned()
    } else {
        format!("{v:+.0}")
    }
}

/// The top of a y axis that leaves room for a legend of `rows` entries in the upper left above
/// data spanning `lo..hi` (a 600 px chart has about 470 px of plot).
fn legend_room(lo: f64, hi: f64, rows: u32) -> f64 {
    let legend_px = f64::from(rows) * 24.0 + 30.0;
    let frac = (legend_px / 470.0).min(0.6);
    lo + (hi - lo) / (1.0 - frac)
}

/// A text label in chart coordinates, anchored at its left and vertical centre.
fn label_at(
    s: &str,
    at: (f64, f64),
    px: u32,
    colour: &'static RGBColor,
) -> Text<'static, (f64, f64), String> {
    Text::new(
        s.to_owned(),
        at,
        text(px)
            .color(colour)
            .pos(Pos::new(HPos::Left, VPos::Center)),
    )
}

// 1. Easy-run HR elevation over time.
fn easy_elevation(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::EasyElevation.title();
    let mut pts: Vec<(&EasyRunPoint, f64, f64)> = input
        .easy_runs
        .iter()
        .filter_map(|r| finite(r.elevation_bpm).map(|e| (r, day_of(r.start), e)))
        .collect();
    if pts.is_empty() {
        return render::no_data(
            area,
            title,
            "No easy runs with a baseline yet",
            &format!(
                "An easy run is compared with at least {} steady runs of the {} days before it.",
                input.rules.baseline_min_runs,
                fmt_amount(input.rules.baseline_days)
            ),
        );
    }
    pts.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x0, x1) = day_range(pts.iter().map(|p| p.1), 3.0);
    let sigma = |r: &EasyRunPoint| finite(r.sigma_bpm).map(|s| s.max(0.0));
    let band_hi = pts.iter().filter_map(|p| sigma(p.0).map(|s| 2.0 * s));
    let (lo, hi) = min_max(
        pts.iter()
            .map(|p| p.2)
            .chain(band_hi.clone())
            .chain(band_hi.map(|b| -b))
            .chain([0.0, 5.0]),
    )
    .unwrap_or((-5.0, 5.0));
    let (y0, y1) = padded(lo, hi, 0.08, 10.0);
    let y1 = legend_room(y0, y1, 6);
    let span = x1 - x0;

    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(16)
        .margin_right(28)
        .x_label_area_size(56)
        .y_label_area_size(76)
        .build_cartesian_2d(TickAxis::new(x0, x1, date_ticks(x0, x1, 12)), y0..y1)?;
    mesh!(chart)
        .x_desc("Date of the easy run")
        .y_desc("HR above expected (bpm)")
        .x_label_formatter(&|x| date_label(*x, span))
        .y_label_formatter(&|y| signed_tick(*y))
        .y_labels(10)
        .draw()?;

    // The ±2σ band follows each run's own baseline spread.
    let banded: Vec<(f64, f64)> = pts
        .iter()
        .filter_map(|p| sigma(p.0).map(|s| (p.1, 2.0 * s)))
        .collect();
    if !banded.is_empty() {
        let mut poly: Vec<(f64, f64)> = banded.iter().map(|&(x, b)| (x, b)).collect();
        poly.extend(banded.iter().rev().map(|&(x, b)| (x, -b)));
        if banded.len() == 1 {
            let (x, b) = banded[0];
            poly = vec![(x - 1.0, b), (x + 1.0, b), (x + 1.0, -b), (x - 1.0, -b)];
        }
        chart
            .draw_series(std::iter::once(Polygon::new(
                poly,
                pal::SKY.mix(0.22).filled(),
            )))?
            .label("expected range: ±2σ of the 42-day easy baseline")
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x - 8, y - 6), (x + 8, y + 6)],
                    pal::SKY.mix(0.35).filled(),
                )
            });
    }
    chart.draw_series(std::iter::once(hline(
        0.0,
        x0,
        x1,
        pal::MUTED.stroke_width(1),
    )))?;

    // Hard sessions: vertical markers, one series per recovery verdict so the legend explains them.
    for (verdict, label) in [
        (
            "absorbed",
            format!(
                "hard session, absorbed (recovered < {} h)",
                fmt_amount(input.rules.absorbed_within_h)
            ),
        ),
        ("lingering", "hard session, lingering".to_owned()),
        ("unknown", "hard session, recovery unknown".to_owned()),
    ] {
        let xs: Vec<f64> = input
            .hard_sessions
            .iter()
            .filter(|h| match verdict {
                "absorbed" | "lingering" => h.verdict == verdict,
                _ => h.verdict != "absorbed" && h.verdict != "lingering",
            })
            .map(|h| day_of(h.start))
            .filter(|x| (x0..=x1).contains(x))
            .collect();
        if xs.is_empty() {
            continue;
        }
        let colour = verdict_colour(verdict);
        // Lingering sessions are the ones to see; absorbed ones stay in the background.
        let (alpha, width) = if verdict == "lingering" {
            (0.85, 3)
        } else {
            (0.4, 2)
        };
        chart
            .draw_series(xs.into_iter().map(|x| {
                PathElement::new(
                    vec![(x, y0), (x, y1)],
                    colour.mix(alpha).stroke_width(width),
                )
            }))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y - 8), (x, y + 8)], colour.stroke_width(3))
            });
    }

    chart.draw_series(LineSeries::new(
        pts.iter().map(|p| (p.1, p.2)),
        pal::BLUE.mix(0.35).stroke_width(1),
    ))?;
    let normal = pts.iter().filter(|p| !p.0.elevated);
    chart
        .draw_series(normal.map(|p| Circle::new((p.1, p.2), 5, pal::BLUE.filled())))?
        .label("easy run")
        .legend(|(x, y)| Circle::new((x, y), 5, pal::BLUE.filled()));
    let elevated: Vec<_> = pts
        .iter()
        .filter(|p| p.0.elevated && !p.0.warm_day)
        .collect();
    if !elevated.is_empty() {
        chart
            .draw_series(
                elevated
                    .iter()
                    .map(|p| Circle::new((p.1, p.2), 7, pal::RED.filled())),
            )?
            .label(format!(
                "elevated: ≥ max({} bpm, {}σ) above expected",
                fmt_amount(input.rules.elevated_min_bpm),
                fmt_amount(input.rules.elevated_sigmas)
            ))
            .legend(|(x, y)| Circle::new((x, y), 7, pal::RED.filled()));
    }
    let warm: Vec<_> = pts
        .iter()
        .filter(|p| p.0.elevated && p.0.warm_day)
        .collect();
    if !warm.is_empty() {
        chart
            .draw_series(
                warm.iter()
                    .map(|p| TriangleMarker::new((p.1, p.2), 8, pal::ORANGE.filled())),
            )?
            .label("elevated on a warm day")
            .legend(|(x, y)| TriangleMarker::new((x, y), 8, pal::ORANGE.filled()));
    }
    legend!(chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

/// Pace in seconds per km of a speed, for speeds a runner can hold (> 1 m/s).
fn pace_of(speed_m_s: f64) -> Option<f64> {
    (speed_m_s.is_finite() && speed_m_s > 1.0).then(|| 1000.0 / speed_m_s)
}

/// "5:30" for 330 s.
fn pace_label(s_per_km: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let total = s_per_km.round().clamp(0.0, 5999.0) as i64;
    format!("{}:{:02}", total / 60, total % 60)
}

/// Pace ticks every 10, 15, 30, 60 or 120 s across `lo..hi` (s/km), at most `max`.
fn pace_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let (lo, hi) = (lo.min(hi), lo.max(hi));
    for step in [10.0, 15.0, 30.0, 60.0, 120.0, 300.0] {
        let first = (lo / step).ceil() * step;
        let ticks: Vec<f64> = (0..=max)
            .map(|i| first + step * f64::from(u32::try_from(i).unwrap_or(0)))
            .take_while(|t| *t <= hi)
            .collect();
        if ticks.len() <= max {
            return ticks;
        }
    }
    vec![lo, hi]
}

// 2. HR against grade-adjusted pace for easy runs, with the current baseline.
fn hr_vs_pace(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::HrVsPace.title();
    let pts: Vec<(&EasyRunPoint, f64, f64)> = input
        .easy_runs
        .iter()
        .filter_map(|r| {
            let pace = finite(r.gap_speed_m_s).and_then(pace_of)?;
            let hr = finite(r.observed_hr_bpm).filter(|h| *h > 0.0)?;
            Some((r, pace, hr))
        })
        .collect();
    let baseline = input.baseline.filter(|b| {
        [
            b.intercept_bpm,
            b.slope_bpm_per_m_s,
            b.sigma_bpm,
            b.speed_min_m_s,
            b.speed_max_m_s,
        ]
        .iter()
        .all(|v| v.is_finite())
            && b.speed_max_m_s >= b.speed_min_m_s
            && pace_of(b.speed_max_m_s).is_some()
    });
    if pts.is_empty() && baseline.is_none() {
        return render::no_data(
            area,
            title,
            "No easy runs with pace and heart rate yet",
            "Each point is an easy run's minutes 10-40: mean grade-adjusted pace and mean heart rate.",
        );
    }
    // The baseline curve in pace space: HR = a + b x (1000 / pace).
    let curve: Vec<(f64, f64, f64)> = baseline
        .map(|b| {
            let s0 = b.speed_min_m_s.max(1.05);
            let s1 = b.speed_max_m_s.max(s0);
            (0..=40)
                .map(|i| {
                    let s = s0 + (s1 - s0) * f64::from(i) / 40.0;
                    (
                        1000.0 / s,
                        b.intercept_bpm + b.slope_bpm_per_m_s * s,
                        b.sigma_bpm.max(0.0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let (p_lo, p_hi) =
        min_max(pts.iter().map(|p| p.1).chain(curve.iter().map(|c| c.0))).unwrap_or((300.0, 420.0));
    let (p_lo, p_hi) = padded(p_lo, p_hi, 0.06, 30.0);
    let (h_lo, h_hi) = min_max(
        pts.iter().map(|p| p.2).chain(
            curve
                .iter()
                .flat_map(|c| [c.1 - 2.0 * c.2, c.1 + 2.0 * c.2]),
        ),
    )
    .unwrap_or((120.0, 160.0));
    let (h_lo, h_hi) = padded(h_lo, h_hi, 0.08, 10.0);
    let h_hi = legend_room(h_lo, h_hi, 5);

    // Slower on the left, faster on the right: the baseline then rises left to right.
    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(16)
        .margin_right(28)
        .x_label_area_size(56)
        .y_label_area_size(76)
        .build_cartesian_2d(
            TickAxis::new(p_hi, p_lo, pace_ticks(p_lo, p_hi, 12)),
            h_lo..h_hi,
        )?;
    mesh!(chart)
        .x_desc("Grade-adjusted pace, minutes 10-40 (min/km, faster to the right)")
        .y_desc("Mean heart rate, minutes 10-40 (bpm)")
        .x_label_formatter(&|p| pace_label(*p))
        .y_label_formatter(&|h| format!("{h:.0}"))
        .y_labels(10)
        .draw()?;

    if let (Some(b), false) = (baseline, curve.is_empty()) {
        let mut band: Vec<(f64, f64)> = curve.iter().map(|c| (c.0, c.1 + 2.0 * c.2)).collect();
        band.extend(curve.iter().rev().map(|c| (c.0, c.1 - 2.0 * c.2)));
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                pal::SKY.mix(0.22).filled(),
            )))?
            .label(format!("baseline ±2σ (±{:.1} bpm)", 2.0 * b.sigma_bpm))
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x - 8, y - 6), (x + 8, y + 6)],
                    pal::SKY.mix(0.35).filled(),
                )
            });
        chart
            .draw_series(LineSeries::new(
                curve.iter().map(|c| (c.0, c.1)),
                pal::BLUE.stroke_width(3),
            ))?
            .label(format!(
                "current easy baseline: HR = {:.0} + {:.1} x speed (m/s)",
                b.intercept_bpm, b.slope_bpm_per_m_s
            ))
            .legend(|(x, y)| {
                PathElement::new(vec![(x - 10, y), (x + 10, y)], pal::BLUE.stroke_width(3))
            });
    }

    let latest = pts.iter().map(|p| p.0.start).max();
    let recent_from = latest.map(|t| t - Duration::days(14));
    let is_recent = |p: &&(&EasyRunPoint, f64, f64)| recent_from.is_some_and(|r| p.0.start > r);
    let older: Vec<_> = pts
        .iter()
        .filter(|p| !is_recent(p) && !p.0.elevated)
        .collect();
    if !older.is_empty() {
        chart
            .draw_series(
                older
                    .iter()
                    .map(|p| Circle::new((p.1, p.2), 5, pal::MUTED.mix(0.45).filled())),
            )?
            .label("easy run, earlier")
            .legend(|(x, y)| Circle::new((x, y), 5, pal::MUTED.mix(0.45).filled()));
    }
    let recent: Vec<_> = pts
        .iter()
        .filter(|p| is_recent(p) && !p.0.elevated)
        .collect();
    if !recent.is_empty() {
        chart
            .draw_series(
                recent
                    .iter()
                    .map(|p| Circle::new((p.1, p.2), 6, pal::BLUE.filled())),
            )?
            .label("easy run, last 14 days")
            .legend(|(x, y)| Circle::new((x, y), 6, pal::BLUE.filled()));
    }
    let elevated: Vec<_> = pts.iter().filter(|p| p.0.elevated).collect();
    if !elevated.is_empty() {
        chart
            .draw_series(
                elevated
                    .iter()
                    .map(|p| Circle::new((p.1, p.2), 7, pal::RED.filled())),
            )?
            .label("elevated easy run")
            .legend(|(x, y)| Circle::new((x, y), 7, pal::RED.filled()));
    }
    if let Some(last) = pts.iter().max_by_key(|p| p.0.start) {
        chart.draw_series([Circle::new((last.1, last.2), 12, pal::INK.stroke_width(2))])?;
        let dx = (p_lo - p_hi) * 0.012;
        let dy = (h_hi - h_lo) * 0.035;
        chart.draw_series([label_at(
            &format!("latest ({})", last.0.start.format("%-d %b")),
            (last.1 + dx, last.2 + dy),
            size::LEGEND,
            &pal::INK,
        )])?;
    }
    legend!(chart, SeriesLabelPosition::UpperLeft)?;
    if baseline.is_none() {
        footer(
            area,
            &format!(
                "No current baseline yet (it needs {} steady runs in {} days).",
                input.rules.baseline_min_runs,
                fmt_amount(input.rules.baseline_days)
            ),
        )?;
    }
    Ok(())
}

// 3. Long runs: decoupling and drift, two panels over the same dates.
fn long_runs(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::LongRuns.title();
    let mut runs: Vec<(f64, Option<f64>, Option<f64>)> = input
        .long_runs
        .iter()
        .map(|r| {
            (
                day_of(r.start),
                finite(r.decoupling_pct),
                finite(r.drift_bpm_per_h),
            )
        })
        .filter(|r| r.1.is_some() || r.2.is_some())
        .collect();
    if runs.is_empty() {
        return render::no_data(
            area,
            title,
            "No long runs with decoupling or drift yet",
            "A long run needs a steady portion of at least 20 minutes with heart rate and pace.",
        );
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (x0, x1) = day_range(runs.iter().map(|r| r.0), 4.0);
    // Room on the right for the labels of the 5 % and 10 % lines, clear of the points.
    let x1 = x1 + (x1 - x0) * 0.16;
    let span = x1 - x0;
    let ticks = date_ticks(x0, x1 - span * 0.12, 12);

    let body = area.margin(14, 0, 0, 0).titled(title, title_style())?;
    let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 * 48 / 100);

    let dec: Vec<(f64, f64)> = runs.iter().filter_map(|r| r.1.map(|d| (r.0, d))).collect();
    let (d_lo, d_hi) = min_max(dec.iter().map(|d| d.1).chain([0.0, 11.0])).unwrap_or((0.0, 12.0));
    let (d_lo, d_hi) = padded(d_lo, d_hi, 0.06, 12.0);
    let mut upper = ChartBuilder::on(&top)
        .margin(8)
        .margin_right(28)
        .margin_left(16)
        .x_label_area_size(8)
        .y_label_area_size(76)
        .build_cartesian_2d(TickAxis::new(x0, x1, ticks.clone()), d_lo..d_hi)?;
    mesh!(upper)
        .y_desc("Decoupling (%)")
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|d| format!("{d:.0}"))
        .y_labels(6)
        .draw()?;
    // Friel: under 5 % the aerobic base is good for this duration; over 10 % it is not.
    upper.draw_series([
        Rectangle::new(
            [(x0, d_lo.min(0.0)), (x1, 5.0)],
            pal::GREEN.mix(0.07).filled(),
        ),
        Rectangle::new(
            [(x0, 10.0), (x1, d_hi.max(10.0))],
            pal::RED.mix(0.05).filled(),
        ),
    ])?;
    upper.draw_series(dashed_hline(5.0, x0, x1, pal::ORANGE.stroke_width(2)))?;
    upper.draw_series(dashed_hline(10.0, x0, x1, pal::RED.stroke_width(2)))?;
    let right_label = x1 - span * 0.005;
    for (y, s, c) in [
        (5.0, "5 %: well coupled below", pal::ORANGE),
        (10.0, "10 %: poorly coupled above", pal::RED),
    ] {
        upper.draw_series([Text::new(
            s.to_owned(),
            (right_label, y),
            text(size::NOTE)
                .color(&c)
                .pos(Pos::new(HPos::Right, VPos::Bottom)),
        )])?;
    }
    upper.draw_series(LineSeries::new(
        dec.iter().copied(),
        pal::BLUE.mix(0.5).stroke_width(1),
    ))?;
    upper.draw_series(dec.iter().map(|&(x, d)| {
        let colour = if d >= 10.0 {
            pal::RED
        } else if d >= 5.0 {
            pal::ORANGE
        } else {
            pal::BLUE
        };
        Circle::new((x, d), 6, colour.filled())
    }))?;

    let drift: Vec<(f64, f64)> = runs.iter().filter_map(|r| r.2.map(|d| (r.0, d))).collect();
    let (r_lo, r_hi) = min_max(drift.iter().map(|d| d.1).chain([0.0])).unwrap_or((0.0, 5.0));
    let (r_lo, r_hi) = padded(r_lo, r_hi, 0.08, 6.0);
    let mut lower = ChartBuilder::on(&bottom)
        .margin(8)
        .margin_right(28)
        .margin_left(16)
        .x_label_area_size(56)
        .y_label_area_size(76)
        .build_cartesian_2d(TickAxis::new(x0, x1, ticks), r_lo..r_hi)?;
    mesh!(lower)
        .x_desc("Date of the long run")
        .y_desc("Drift (bpm/h)")
        .x_label_formatter(&|x| date_label(*x, span))
        .y_label_formatter(&|d| signed_tick(*d))
        .y_labels(6)
        .draw()?;
    lower.draw_series(std::iter::once(hline(
        0.0,
        x0,
        x1,
        pal::MUTED.stroke_width(1),
    )))?;
    lower.draw_series(LineSeries::new(
        drift.iter().copied(),
        pal::PURPLE.mix(0.6).stroke_width(1),
    ))?;
    lower.draw_series(
        drift
            .iter()
            .map(|&(x, d)| Circle::new((x, d), 6, pal::PURPLE.filled())),
    )?;
    Ok(())
}

/// Short codes for weekly flags, written under each week's bar; the key is drawn in the chart.
fn flag_code(flag: &str) -> String {
    match flag {
        "too_many_hard" => "H".to_owned(),
        "hard_back_to_back" => "B".to_owned(),
        "too_much_moderate" => "M".to_owned(),
        "no_true_easy" => "E".to_owned(),
        "load_spike" => "S".to_owned(),
        other => other
            .split(['_', '-', ' '])
            .filter_map(|w| w.chars().next())
            .flat_map(char::to_uppercase)
            .take(3)
            .collect::<String>()
            .chars()
            .take(3)
            .collect(),
    }
}

const FLAG_KEY: &str = "Flags under a week: H too many hard, B hard back to back, M too much moderate, E no true easy, S load spike";

// 4. Weekly structure: hours by zone, hard sessions, flags.
fn weekly_structure(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::WeeklyStructure.title();
    let mut weeks: Vec<&WeekBar> = input.weeks.iter().collect();
    weeks.sort_by_key(|w| w.monday);
    // More than a year of bars would be unreadable at 1200 px: keep the latest 52 weeks.
    let weeks = &weeks[weeks.len().saturating_sub(52)..];
    if weeks.is_empty() {
        return render::no_data(
            area,
            title,
            "No weeks with runs yet",
            "A week's bar shows its moving time split by Seiler zone (S1 easy, S2 moderate, S3 hard).",
        );
    }
    let hours = |w: &WeekBar| {
        if w.moving_s.is_finite() {
            (w.moving_s / 3600.0).max(0.0)
        } else {
            0.0
        }
    };
    let n = weeks.len();
    let nf = f64::from(u32::try_from(n).unwrap_or(52));
    let max_h = weeks.iter().map(|w| hours(w)).fold(0.0, f64::max);
    let y1 = legend_room(0.0, (max_h * 1.08).max(1.0), 4);
    let step = n.div_ceil(14).max(1);
    let ticks: Vec<f64> = (0..n)
        .rev()
        .step_by(step)
        .map(|i| f64::from(u32::try_from(i).unwrap_or(0)))
        .collect();
    let mondays: Vec<chrono::NaiveDate> = weeks.iter().map(|w| w.monday).collect();
    let any_flags = weeks.iter().any(|w| !w.flags.is_empty());

    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(16)
        .margin_right(28)
        .margin_bottom(if any_flags { 40 } else { 16 })
        .x_label_area_size(if any_flags { 100 } else { 56 })
        .y_label_area_size(76)
        .build_cartesian_2d(TickAxis::new(-0.6, nf - 0.4, ticks), 0.0..y1)?;
    mesh!(chart)
        .disable_x_mesh()
        .x_desc("Week starting (Monday)")
        .y_desc("Moving time (h)")
        .x_label_formatter(&|x| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let i = x.round().max(0.0) as usize;
            mondays
                .get(i)
                .map(|d| d.format("%-d %b").to_string())
                .unwrap_or_default()
        })
        .y_label_formatter(&|h| format!("{h:.0}"))
        .y_labels(8)
        .draw()?;

    let zones = [
        (pal::GREEN, "S1 easy (below LT1)"),
        (pal::ORANGE, "S2 moderate (LT1-LT2)"),
        (pal::VERMILION, "S3 hard (above LT2)"),
    ];
    let half = 0.36;
    let mut unknown = Vec::new();
    let mut segs: [Vec<Rectangle<(f64, f64)>>; 3] = Default::default();
    for (i, w) in weeks.iter().enumerate() {
        let x = f64::from(u32::try_from(i).unwrap_or(0));
        let h = hours(w);
        let shares =
            [w.s1_share, w.s2_share, w.s3_share].map(|s| finite(s).map(|v| v.clamp(0.0, 1.0)));
        if shares.iter().all(Option::is_none) {
            unknown.push(Rectangle::new(
                [(x - half, 0.0), (x + half, h)],
                pal::MUTED.mix(0.5).filled(),
            ));
            continue;
        }
        let mut base = 0.0;
        for (z, share) in shares.iter().enumerate() {
            let top = base + h * share.unwrap_or(0.0);
            segs[z].push(Rectangle::new(
                [(x - half, base), (x + half, top)],
                zones[z].0.filled(),
            ));
            base = top;
        }
    }
    for (z, rects) in segs.into_iter().enumerate() {
        let colour = zones[z].0;
        chart
            .draw_series(rects)?
            .label(zones[z].1)
            .legend(move |(x, y)| {
                Rectangle::new([(x - 8, y - 6), (x + 8, y + 6)], colour.filled())
            });
    }
    if !unknown.is_empty() {
        chart
            .draw_series(unknown)?
            .label("zones unknown")
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x - 8, y - 6), (x + 8, y + 6)],
                    pal::MUTED.mix(0.5).filled(),
                )
            });
    }
    // Hard-session count above each bar.
    let counts: Vec<_> = weeks
        .iter()
        .enumerate()
        .filter(|(_, w)| w.hard_sessions > 0)
        .map(|(i, w)| {
            let x = f64::from(u32::try_from(i).unwrap_or(0));
            let colour = if w.hard_sessions > 2 {
                &pal::RED
            } else {
                &pal::INK
            };
            Text::new(
                format!("{}", w.hard_sessions),
                (x, hours(w) + y1 * 0.015),
                (FAMILY_BOLD.0, size::LEGEND, FontStyle::Bold)
                    .into_font()
                    .color(colour)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
        })
        .collect();
    if !counts.is_empty() {
        chart
            .draw_series(counts)?
            .label("number above a bar: hard sessions that week")
            .legend(|(x, y)| {
                Text::new(
                    "2".to_owned(),
                    (x, y),
                    (FAMILY_BOLD.0, size::LEGEND, FontStyle::Bold)
                        .into_font()
                        .color(&pal::INK)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )
            });
    }
    legend!(chart, SeriesLabelPosition::UpperLeft)?;

    if any_flags {
        // Flag codes under the date labels, one line per flag, centred on the bar.
        for (i, w) in weeks.iter().enumerate() {
            let x = f64::from(u32::try_from(i).unwrap_or(0));
            let (px, py) = chart.backend_coord(&(x, 0.0));
            for (k, flag) in w.flags.iter().take(3).enumerate() {
                area.draw(&Text::new(
                    flag_code(flag),
                    (px, py + 34 + to_i32(u32::try_from(k).unwrap_or(0)) * 17),
                    (FAMILY_BOLD.0, size::NOTE, FontStyle::Bold)
                        .into_font()
                        .color(&pal::RED)
                        .pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
        }
        footer(area, FLAG_KEY)?;
    }
    Ok(())
}

/// The family and style used for emphasised numbers in charts.
const FAMILY_BOLD: (&str, FontStyle) = (render::FAMILY, FontStyle::Bold);

// 5. Fitness (CTL), fatigue (ATL) and form (TSB).
fn fitness_form(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::FitnessForm.title();
    let mut days: Vec<(f64, f64, f64, f64)> = input
        .days
        .iter()
        .filter(|d| d.ctl.is_finite() && d.atl.is_finite() && d.tsb.is_finite())
        .map(|d| (day_of_date(d.date), d.ctl, d.atl, d.tsb))
        .collect();
    if days.is_empty() {
        return render::no_data(
            area,
            title,
            "No training load yet",
            "Load is the daily sum of hrTSS; fitness and fatigue are its 42- and 7-day averages.",
        );
    }
    days.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (x0, x1) = day_range(days.iter().map(|d| d.0), 1.0);
    // Room on the right for the labels of the -10 and -30 lines.
    let x1 = x1 + (x1 - x0) * 0.16;
    let span = x1 - x0;
    let (lo, hi) = min_max(
        days.iter()
            .flat_map(|d| [d.1, d.2, d.3])
            .chain([0.0, -30.0]),
    )
    .unwrap_or((-30.0, 50.0));
    let (y0, y1) = padded(lo, hi, 0.06, 20.0);
    let y1 = legend_room(y0, y1, 3);

    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(16)
        .margin_right(28)
        .x_label_area_size(56)
        .y_label_area_size(76)
        .build_cartesian_2d(
            TickAxis::new(x0, x1, date_ticks(x0, x1 - span * 0.12, 12)),
            y0..y1,
        )?;
    mesh!(chart)
        .x_desc("Date")
        .y_desc("Training load (hrTSS per day)")
        .x_label_formatter(&|x| date_label(*x, span))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_labels(10)
        .draw()?;

    // Form as an area around zero: green when fresh, red when fatigued.
    let pos: Vec<(f64, f64)> = days.iter().map(|d| (d.0, d.3.max(0.0))).collect();
    let neg: Vec<(f64, f64)> = days.iter().map(|d| (d.0, d.3.min(0.0))).collect();
    let area_of = |pts: &[(f64, f64)]| {
        let mut poly = pts.to_vec();
        poly.push((pts[pts.len() - 1].0, 0.0));
        poly.push((pts[0].0, 0.0));
        poly
    };
    chart
        .draw_series([Polygon::new(area_of(&pos), pal::GREEN.mix(0.25).filled())])?
        .label("form (TSB) = fitness - fatigue of the day before")
        .legend(|(x, y)| {
            Rectangle::new(
                [(x - 8, y - 6), (x + 8, y + 6)],
                pal::GREEN.mix(0.4).filled(),
            )
        });
    chart.draw_series([Polygon::new(area_of(&neg), pal::RED.mix(0.18).filled())])?;
    chart.draw_series(LineSeries::new(
        days.iter().map(|d| (d.0, d.3)),
        pal::MUTED.stroke_width(1),
    ))?;
    chart.draw_series(std::iter::once(hline(
        0.0,
        x0,
        x1,
        pal::MUTED.stroke_width(1),
    )))?;
    chart.draw_series(dashed_hline(-10.0, x0, x1, pal::ORANGE.stroke_width(2)))?;
    chart.draw_series(dashed_hline(-30.0, x0, x1, pal::RED.stroke_width(2)))?;
    for (y, s, c) in [
        (-10.0, "-10: push needs form above", pal::ORANGE),
        (-30.0, "-30: hold back below", pal::RED),
    ] {
        chart.draw_series([Text::new(
            s.to_owned(),
            (x1 - span * 0.005, y),
            text(size::NOTE)
                .color(&c)
                .pos(Pos::new(HPos::Right, VPos::Bottom)),
        )])?;
    }
    chart
        .draw_series(LineSeries::new(
            days.iter().map(|d| (d.0, d.1)),
            pal::BLUE.stroke_width(3),
        ))?
        .label(format!(
            "fitness (CTL, {} days)",
            fmt_amount(input.rules.ctl_days)
        ))
        .legend(|(x, y)| {
            PathElement::new(vec![(x - 10, y), (x + 10, y)], pal::BLUE.stroke_width(3))
        });
    chart
        .draw_series(LineSeries::new(
            days.iter().map(|d| (d.0, d.2)),
            pal::PURPLE.stroke_width(2),
        ))?
        .label(format!(
            "fatigue (ATL, {} days)",
            fmt_amount(input.rules.atl_days)
        ))
        .legend(|(x, y)| {
            PathElement::new(vec![(x - 10, y), (x + 10, y)], pal::PURPLE.stroke_width(2))
        });
    legend!(chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

/// Splits a series into runs of consecutive present values, broken at missing values and at
/// time gaps longer than `max_gap_s`.
fn segments(
    t: &[f64],
    v: impl Iterator<Item = Option<f64>>,
    max_gap_s: f64,
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    let mut last_t = f64::NEG_INFINITY;
    for (&ti, vi) in t.iter().zip(v) {
        match vi.filter(|x| x.is_finite()) {
            Some(x) if ti.is_finite() && ti - last_t <= max_gap_s => cur.push((ti, x)),
            Some(x) if ti.is_finite() => {
                if cur.len() > 1 {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
                cur.push((ti, x));
            }
            _ => {
                if cur.len() > 1 {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
        last_t = ti;
    }
    if cur.len() > 1 {
        out.push(cur);
    }
    out
}

/// The `q`-quantile of `xs` (sorted copy), `None` when empty.
fn quantile(xs: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((v.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
    v.get(i).copied()
}

// 6. One activity: HR and pace against moving time.
fn activity(area: &Area<'_>, focus: Option<&ActivityTrace>) -> DrawResult {
    let title = ChartKind::Activity.title();
    let Some(trace) = focus else {
        return render::no_data(
            area,
            title,
            "No activity to show",
            "The report draws the latest run with heart rate here.",
        );
    };
    let n = trace.t_s.len();
    let hr_at = |i: usize| trace.hr_bpm.get(i).copied().flatten().filter(|h| *h > 0.0);
    let pace_at = |i: usize| trace.speed_m_s.get(i).copied().flatten().and_then(pace_of);
    let minutes: Vec<f64> = trace.t_s.iter().map(|t| t / 60.0).collect();
    let hr = segments(&minutes, (0..n).map(hr_at), 0.2);
    let paces: Vec<f64> = (0..n).filter_map(pace_at).collect();
    let name = trace.name.as_deref().unwrap_or(&trace.id);
    let when = trace
        .start
        .map(|s| s.format(" (%a %-d %b %Y)").to_string())
        .unwrap_or_default();
    // The title carries the activity's own name, which can be any text; keep it on one line.
    let mut shown: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
    if name.chars().count() > 40 {
        shown.push_str("...");
    }
    let full_title = format!("Heart rate and pace: {shown}{when}");
    if hr.is_empty() {
        return render::no_data(
            area,
            &full_title,
            "This activity has no heart rate to show",
            "Heart rate is shown after cleaning (dropouts, spikes and cadence lock removed).",
        );
    }
    let (m0, m1) = min_max(minutes.iter().copied()).unwrap_or((0.0, 1.0));
    let m1 = m1.max(m0 + 1.0);
    let (h_lo, h_hi) = min_max(hr.iter().flatten().map(|p| p.1)).unwrap_or((100.0, 180.0));
    let (h_lo, h_hi) = padded(h_lo, h_hi, 0.08, 20.0);
    // Pace axis on the right, faster up, robust to stops and sprints (2nd-98th percentile).
    let (p_fast, p_slow) = match (quantile(&paces, 0.02), quantile(&paces, 0.98)) {
        (Some(a), Some(b)) => padded(a, b, 0.15, 60.0),
        _ => (240.0, 420.0),
    };

    let mut chart = ChartBuilder::on(area)
        .caption(full_title, title_style())
        .margin(16)
        .margin_right(16)
        .x_label_area_size(56)
        .y_label_area_size(76)
        .right_y_label_area_size(if paces.is_empty() { 0 } else { 86 })
        .build_cartesian_2d(m0..m1, h_lo..h_hi)?
        .set_secondary_coord(
            m0..m1,
            TickAxis::new(p_slow, p_fast, pace_ticks(p_fast, p_slow, 8)),
        );
    mesh!(chart)
        .x_desc("Moving time (min)")
        .y_desc("Heart rate (bpm)")
        .x_label_formatter(&|m| format!("{m:.0}"))
        .y_label_formatter(&|h| format!("{h:.0}"))
        .x_labels(14)
        .y_labels(10)
        .draw()?;
    if !paces.is_empty() {
        chart
            .configure_secondary_axes()
            .axis_style(pal::MUTED)
            .label_style(text(size::TICK).color(&pal::BLUE))
            .axis_desc_style(text(size::AXIS_DESC).color(&pal::BLUE))
            .y_desc("Pace (min/km, faster up)")
            .y_label_formatter(&|p| pace_label(*p))
            .draw()?;
    }

    if let Some(s) = trace
        .steady
        .filter(|s| s.start_s.is_finite() && s.end_s > s.start_s)
    {
        chart
            .draw_series([Rectangle::new(
                [(s.start_s / 60.0, h_lo), (s.end_s / 60.0, h_hi)],
                pal::GREEN.mix(0.10).filled(),
            )])?
            .label("steady portion (used for drift and decoupling)")
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x - 8, y - 6), (x + 8, y + 6)],
                    pal::GREEN.mix(0.25).filled(),
                )
            });
    }
    if !paces.is_empty() {
        let pace = segments(&minutes, (0..n).map(pace_at), 0.2);
        chart
            .draw_secondary_series(pace.into_iter().map(|seg| {
                PathElement::new(
                    seg.into_iter()
                        .map(|(m, p)| (m, p.clamp(p_fast.min(p_slow), p_fast.max(p_slow))))
                        .collect::<Vec<_>>(),
                    pal::BLUE.mix(0.55).stroke_width(1),
                )
            }))?
            .label("pace (right axis)")
            .legend(|(x, y)| {
                PathElement::new(vec![(x - 10, y), (x + 10, y)], pal::BLUE.stroke_width(2))
            });
    }
    chart
        .draw_series(
            hr.into_iter()
                .map(|seg| PathElement::new(seg, pal::RED.stroke_width(2))),
        )?
        .label("heart rate (left axis)")
        .legend(|(x, y)| {
            PathElement::new(vec![(x - 10, y), (x + 10, y)], pal::RED.stroke_width(2))
        });
    if let Some(d) = trace.drift_line.filter(|d| {
        [d.start_s, d.end_s, d.hr_start_bpm, d.hr_end_bpm]
            .iter()
            .all(|v| v.is_finite())
    }) {
        chart
            .draw_series(dashed(
                &[
                    (d.start_s / 60.0, d.hr_start_bpm),
                    (d.end_s / 60.0, d.hr_end_bpm),
                ],
                30,
                pal::INK.stroke_width(3),
            ))?
            .label(format!("drift line ({:+.1} bpm/h)", d.slope_bpm_per_h))
            .legend(|(x, y)| {
                PathElement::new(vec![(x - 10, y), (x + 10, y)], pal::INK.stroke_width(3))
            });
    }
    legend!(chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// Minutes on a log scale: 1-5 min and 20-60 min get equal room, as runners read such curves.
fn log_minutes(duration_s: u32) -> f64 {
    (f64::from(duration_s) / 60.0).ln()
}

/// A curve's points as (duration, log minutes, pace s/km), by duration; a duration listed twice
/// keeps its faster pace.
fn curve_points(points: &[CurvePoint]) -> Vec<(u32, f64, f64)> {
    let mut out: Vec<(u32, f64, f64)> = points
        .iter()
        .filter(|p| p.duration_s > 0)
        .filter_map(|p| {
            Some((
                p.duration_s,
                log_minutes(p.duration_s),
                pace_of(p.speed_m_s)?,
            ))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.total_cmp(&b.2)));
    out.dedup_by_key(|p| p.0);
    out
}

// 7. Pace-duration curve: best GAP pace per duration, this period against the one before.
fn pace_curve(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::PaceCurve.title();
    let now = curve_points(&input.pace_curve);
    let before = curve_points(&input.pace_curve_previous);
    if now.is_empty() && before.is_empty() {
        return render::no_data(
            area,
            title,
            "No runs with pace in this period or the one before",
            "Each point is the best grade-adjusted pace one run of the period held for that long.",
        );
    }
    let ticks: Vec<f64> = CURVE_DURATIONS_S.iter().map(|&d| log_minutes(d)).collect();
    let (x0, x1) = min_max(
        ticks
            .iter()
            .copied()
            .chain(now.iter().chain(&before).map(|p| p.1)),
    )
    .unwrap_or((0.0, 4.1));
    let (x0, x1) = (x0 - 0.2, x1 + 0.2);
    let (fast, slow) = min_max(now.iter().chain(&before).map(|p| p.2)).unwrap_or((240.0, 360.0));
    let (fast, slow) = padded(fast, slow, 0.1, 40.0);
    // Faster is up, so the legend's room goes above the fastest pace, i.e. to smaller paces.
    let fast = -legend_room(-slow, -fast, 2);

    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(16)
        .margin_right(28)
        .x_label_area_size(56)
        .y_label_area_size(86)
        .build_cartesian_2d(
            TickAxis::new(x0, x1, ticks),
            TickAxis::new(slow, fast, pace_ticks(fast, slow, 10)),
        )?;
    mesh!(chart)
        .x_desc("Duration held (log scale)")
        .y_desc("Best grade-adjusted pace (min/km, faster up)")
        .x_label_formatter(&|x| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let s = (x.exp() * 60.0).round().clamp(0.0, 1.0e6) as u32;
            curve_duration(s)
        })
        .y_label_formatter(&|p| pace_label(*p))
        .draw()?;

    // Behind this period's line; dashes of even length on screen, whatever a segment spans.
    if !before.is_empty() {
        let style = pal::MUTED.stroke_width(2);
        let mut dashes = Vec::new();
        for pair in before.windows(2) {
            let (a, b) = ((pair[0].1, pair[0].2), (pair[1].1, pair[1].2));
            let (pa, pb) = (chart.backend_coord(&a), chart.backend_coord(&b));
            let px = f64::from(pa.0 - pb.0).hypot(f64::from(pa.1 - pb.1));
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let pieces = (px / 20.0).round().clamp(1.0, 500.0) as u32 * 2 + 1;
            dashes.extend(dashed(&[a, b], pieces, style));
        }
        chart.draw_series(dashes)?;
        chart
            .draw_series(
                // White inside, so the dashes do not run through the marker.
                before.iter().map(|p| {
                    EmptyElement::at((p.1, p.2))
                        + Circle::new((0, 0), 5, WHITE.filled())
                        + Circle::new((0, 0), 5, pal::MUTED.stroke_width(2))
                }),
            )?
            .label("the period of equal length before")
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(-12, 0), (-3, 0)], style)
                    + PathElement::new(vec![(3, 0), (12, 0)], style)
            });
    }
    if !now.is_empty() {
        chart.draw_series(LineSeries::new(
            now.iter().map(|p| (p.1, p.2)),
            pal::BLUE.stroke_width(3),
        ))?;
        chart
            .draw_series(now.iter().map(|p| {
                EmptyElement::at((p.1, p.2))
                    + Circle::new((0, 0), 6, pal::BLUE.filled())
                    + Text::new(
                        pace_label(p.2),
                        (0, -10),
                        text(size::NOTE)
                            .color(&pal::BLUE)
                            .pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )
            }))?
            .label("this period (pace of each point above it)")
            .legend(|(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(-12, 0), (12, 0)], pal::BLUE.stroke_width(3))
                    + Circle::new((0, 0), 5, pal::BLUE.filled())
            });
    }
    legend!(chart, SeriesLabelPosition::UpperRight)?;
    if now.is_empty() {
        footer(
            area,
            "No run with pace in this period: only the period before is drawn.",
        )?;
    } else if before.is_empty() {
        footer(
            area,
            "No run with pace in the period before to compare with.",
        )?;
    }
    Ok(())
}

/// A setting's value as its words show it: `42`, `1.5`.
fn fmt_amount(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_labels_read_as_minutes_and_seconds() {
        assert_eq!(pace_label(330.0), "5:30");
        assert_eq!(pace_label(299.6), "5:00");
        assert_eq!(pace_of(0.5), None);
    }

    #[test]
    fn segments_break_at_gaps_and_missing_values() {
        let t = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0, 13.0];
        let v = [
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(2.0),
            Some(2.0),
            None,
            Some(3.0),
        ];
        let segs = segments(&t, v.into_iter(), 2.0);
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].len(), 3);
        assert_eq!(segs[1].len(), 2);
    }

    #[test]
    fn curve_points_are_sorted_deduplicated_and_skip_what_is_not_a_pace() {
        let at = chrono::DateTime::<chrono::Utc>::default();
        let p = |duration_s, speed_m_s| CurvePoint {
            duration_s,
            speed_m_s,
            id: "x".to_owned(),
            start: at,
        };
        let pts = curve_points(&[
            p(600, 4.0),
            p(60, 5.0),
            p(600, 4.2),
            p(300, f64::NAN),
            p(0, 4.0),
            p(1200, 0.5),
        ]);
        let durations: Vec<u32> = pts.iter().map(|q| q.0).collect();
        assert_eq!(durations, [60, 600]);
        assert!(
            (pts[1].2 - 1000.0 / 4.2).abs() < 1e-9,
            "the faster of the two"
        );
        assert!(log_minutes(60).abs() < 1e-12);
    }

    #[test]
    fn flag_codes_are_short() {
        assert_eq!(flag_code("too_many_hard"), "H");
        assert_eq!(flag_code("stride_unsteady"), "SU");
        assert!(flag_code("a_b_c_d_e").chars().count() <= 3);
    }
}

//! What the charts share: the frame of a chart, the chart over dates that three of them draw
//! (its axes built and meshed in one place), the mesh and legend styles, legend keys, dots,
//! reference lines, and how values and settings are read.

use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::render::{Area, DateAxis, DrawResult, TickAxis, pal, size, text, title_style};

/// A chart drawn on an [`Area`].
pub(super) type Chart<'a, 'b, X, Y> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<X, Y>>;

/// A chart of numbers over dates.
pub(super) type DateChart<'a, 'b> = Chart<'a, 'b, TickAxis, RangedCoordf64>;

/// A point in pixels, where plotters draws legend keys.
type Pixel = (i32, i32);

/// The error of building a chart, as [`DrawResult`]'s.
type Built<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub(super) fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// A setting's value as its words show it: `42`, `1.5`.
pub(super) fn fmt_amount(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// The common mesh: light grid on the key points, readable tick labels and axis descriptions.
macro_rules! mesh {
    ($chart:expr) => {
        $chart
            .configure_mesh()
            .bold_line_style($crate::render::pal::GRID)
            .light_line_style(::plotters::style::TRANSPARENT)
            .axis_style($crate::render::pal::MUTED)
            .label_style($crate::render::text($crate::render::size::TICK))
            .axis_desc_style($crate::render::text($crate::render::size::AXIS_DESC))
    };
}
pub(super) use mesh;

/// The legend box, top left or where asked.
macro_rules! legend {
    ($chart:expr, $pos:expr) => {
        $chart
            .configure_series_labels()
            .position($pos)
            .margin(12)
            .legend_area_size(28)
            .label_font($crate::render::text($crate::render::size::LEGEND))
            .background_style(::plotters::style::Color::mix(
                &::plotters::style::WHITE,
                0.9,
            ))
            .border_style($crate::render::pal::GRID)
            .draw()
    };
}
pub(super) use legend;

/// The frame of a one-panel chart: the title above the plot, margins, and room for tick labels
/// and axis descriptions below and on the left. A chart that needs other room sets it on the
/// builder returned.
pub(super) fn frame<'a, 'b>(
    area: &'a Area<'b>,
    title: &str,
) -> ChartBuilder<'a, 'static, BitMapBackend<'b>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(title, title_style())
        .margin(16)
        .margin_right(28)
        .x_label_area_size(56)
        .y_label_area_size(76);
    builder
}

/// The y axis of a chart over dates: its range, what it shows, how many ticks and how they read.
pub(super) struct YAxis {
    range: Range<f64>,
    desc: &'static str,
    ticks: usize,
    label: fn(f64) -> String,
}

impl YAxis {
    pub(super) fn new(
        range: Range<f64>,
        desc: &'static str,
        ticks: usize,
        label: fn(f64) -> String,
    ) -> Self {
        Self {
            range,
            desc,
            ticks,
            label,
        }
    }
}

/// Builds a chart of `y` over `dates` on `builder` and draws its mesh, dates labelled on x.
pub(super) fn date_chart<'a, 'b>(
    builder: &mut ChartBuilder<'a, '_, BitMapBackend<'b>>,
    dates: &DateAxis,
    x_desc: &str,
    y: YAxis,
) -> Built<DateChart<'a, 'b>> {
    let mut chart = builder.build_cartesian_2d(dates.coord(), y.range)?;
    mesh!(chart)
        .x_desc(x_desc)
        .y_desc(y.desc)
        .x_label_formatter(&|x| dates.label(*x))
        .y_label_formatter(&|v| (y.label)(*v))
        .y_labels(y.ticks)
        .draw()?;
    Ok(chart)
}

/// The top of a y axis that leaves room for a legend of `rows` entries in the upper left above
/// data spanning `lo..hi` (a 600 px chart has about 470 px of plot).
pub(super) fn legend_room(lo: f64, hi: f64, rows: u32) -> f64 {
    let legend_px = f64::from(rows) * 24.0 + 30.0;
    let frac = (legend_px / 470.0).min(0.6);
    lo + (hi - lo) / (1.0 - frac)
}

/// A tick label with an explicit sign, but plain "0".
pub(super) fn signed_tick(v: f64) -> String {
    if v.abs() < 0.05 {
        "0".to_owned()
    } else {
        format!("{v:+.0}")
    }
}

/// The legend key of an area: a box in its fill.
pub(super) fn box_key(style: ShapeStyle) -> impl Fn(Pixel) -> Rectangle<Pixel> {
    move |(x, y)| Rectangle::new([(x - 8, y - 6), (x + 8, y + 6)], style)
}

/// The legend key of a line: a short piece of it.
pub(super) fn line_key(style: ShapeStyle) -> impl Fn(Pixel) -> PathElement<Pixel> {
    move |(x, y)| PathElement::new(vec![(x - 10, y), (x + 10, y)], style)
}

/// Draws `points` as dots of `radius`, and the same dot as their key in the legend.
pub(super) fn dots<X, Y>(
    chart: &mut Chart<'_, '_, X, Y>,
    points: impl Iterator<Item = (f64, f64)>,
    radius: i32,
    style: ShapeStyle,
    label: impl Into<String>,
) -> DrawResult
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    chart
        .draw_series(points.map(|p| Circle::new(p, radius, style)))?
        .label(label)
        .legend(move |(x, y)| Circle::new((x, y), radius, style));
    Ok(())
}

/// The zero line across a chart over dates, muted: what signed values are read against.
pub(super) fn zero_line(chart: &mut DateChart<'_, '_>, dates: &DateAxis) -> DrawResult {
    chart.draw_series(std::iter::once(hline(
        0.0,
        dates.x0,
        dates.x1,
        pal::MUTED.stroke_width(1),
    )))?;
    Ok(())
}

/// Dashed lines across a chart over dates at the thresholds of a rule, each labelled at its
/// right end, in the room [`DateAxis::with_room_right`] leaves. The labels are drawn after all
/// the lines, so no line crosses a label.
pub(super) fn thresholds(
    chart: &mut DateChart<'_, '_>,
    dates: &DateAxis,
    lines: &[(f64, &str, RGBColor)],
) -> DrawResult {
    for &(y, _, colour) in lines {
        chart.draw_series(dashed_hline(y, dates.x0, dates.x1, colour.stroke_width(2)))?;
    }
    let right = dates.x1 - dates.span() * 0.005;
    for &(y, label, colour) in lines {
        chart.draw_series([Text::new(
            label.to_owned(),
            (right, y),
            text(size::NOTE)
                .color(&colour)
                .pos(Pos::new(HPos::Right, VPos::Bottom)),
        )])?;
    }
    Ok(())
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
pub(super) fn dashed(
    points: &[(f64, f64)],
    pieces: u32,
    style: ShapeStyle,
) -> Vec<PathElement<(f64, f64)>> {
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

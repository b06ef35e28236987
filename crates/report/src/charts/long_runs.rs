//! Chart 3: decoupling and cardiac drift of long runs, two panels over the same dates, with
//! Friel's 5 % and 10 % lines.

use plotters::prelude::*;

use super::ChartKind;
use super::shared::{YAxis, date_chart, finite, mesh, signed_tick, thresholds, zero_line};
use crate::model::ReportInput;
use crate::render::{self, Area, DateAxis, DrawResult, day_of, min_max, padded, pal, title_style};

/// What the chart says with no long run to draw.
const NO_DATA: (&str, &str) = (
    "No long runs with decoupling or drift yet",
    "A long run needs a steady portion of at least 20 minutes with heart rate and pace.",
);

pub(super) fn draw(area: &Area<'_>, input: &ReportInput) -> DrawResult {
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
        return render::no_data(area, title, NO_DATA);
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Room on the right for the labels of the 5 % and 10 % lines, clear of the points.
    let dates = DateAxis::with_room_right(runs.iter().map(|r| r.0), 4.0);
    let (x0, x1) = (dates.x0, dates.x1);

    let body = area.margin(14, 0, 0, 0).titled(title, title_style())?;
    let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 * 48 / 100);

    let dec: Vec<(f64, f64)> = runs.iter().filter_map(|r| r.1.map(|d| (r.0, d))).collect();
    let (d_lo, d_hi) = min_max(dec.iter().map(|d| d.1).chain([0.0, 11.0])).unwrap_or((0.0, 12.0));
    let (d_lo, d_hi) = padded(d_lo, d_hi, 0.06, 12.0);
    // The upper panel shares the lower one's dates, so it has no date labels of its own.
    let mut upper = panel(&top, 8).build_cartesian_2d(dates.coord(), d_lo..d_hi)?;
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
    let friel = [
        (5.0, "5 %: well coupled below", pal::ORANGE),
        (10.0, "10 %: poorly coupled above", pal::RED),
    ];
    thresholds(&mut upper, &dates, &friel)?;
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
    let y = YAxis::new(r_lo..r_hi, "Drift (bpm/h)", 6, signed_tick);
    let mut lower = date_chart(&mut panel(&bottom, 56), &dates, "Date of the long run", y)?;
    zero_line(&mut lower, &dates)?;
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

/// One of the two panels under the chart's title, `x_labels_px` high for the date labels.
fn panel<'a, 'b>(
    area: &'a Area<'b>,
    x_labels_px: u32,
) -> ChartBuilder<'a, 'static, BitMapBackend<'b>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(8)
        .margin_right(28)
        .margin_left(16)
        .x_label_area_size(x_labels_px)
        .y_label_area_size(76);
    builder
}

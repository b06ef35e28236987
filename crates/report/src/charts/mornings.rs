//! Chart 9: the mornings (METRICS.md section 6): the 7-day mean of ln rMSSD against its normal
//! range, the daily ln rMSSD, and resting HR on the right axis, with hard sessions and elevated
//! easy runs on the same time axis, so a lingering session and its mornings read together.

use plotters::prelude::*;

use super::ChartKind;
use super::shared::{box_key, frame, legend, line_key, mesh};
use crate::model::{MorningPoint, ReportInput};
use crate::render::{
    self, Area, DateAxis, DrawResult, day_of, day_of_date, min_max, padded, pal, size, text,
    verdict_colour,
};

/// What the chart says with no morning to draw.
const NO_DATA: (&str, &str) = (
    "No morning readings",
    "Import your watch's daily files (Monitor, HRV status, Sleep) or a CSV: date,resting_hr_bpm,rmssd_ms,sleep_score.",
);

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

pub(super) fn draw(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::Mornings.title();
    let mut days: Vec<&MorningPoint> = input.mornings.iter().collect();
    days.sort_by_key(|m| m.date);
    let x = |m: &MorningPoint| day_of_date(m.date);
    let ln: Vec<(f64, f64)> = days
        .iter()
        .filter_map(|m| Some((x(m), finite(m.ln_rmssd)?)))
        .collect();
    let rest: Vec<(f64, f64)> = days
        .iter()
        .filter_map(|m| Some((x(m), finite(m.resting_hr_bpm)?)))
        .collect();
    if ln.is_empty() && rest.is_empty() {
        return render::no_data(area, title, NO_DATA);
    }
    let dates = DateAxis::new(days.iter().map(|m| x(m)), 2.0);
    let (x0, x1) = (dates.x0, dates.x1);
    let band: Vec<(f64, f64, f64)> = days
        .iter()
        .filter_map(|m| {
            Some((
                x(m),
                finite(m.ln_rmssd_normal_low)?,
                finite(m.ln_rmssd_normal_high)?,
            ))
        })
        .collect();
    let (lo, hi) = min_max(
        ln.iter()
            .map(|p| p.1)
            .chain(band.iter().flat_map(|b| [b.1, b.2])),
    )
    .unwrap_or((3.0, 5.0));
    let (y0, y1) = padded(lo, hi, 0.08, 0.4);
    // Room above the data for the legend.
    let y1 = y1 + (y1 - y0) * 0.45;
    let (r_lo, r_hi) = min_max(rest.iter().map(|p| p.1)).unwrap_or((40.0, 70.0));
    let (r0, r1) = padded(r_lo, r_hi, 0.1, 12.0);
    // Resting HR in the lower part of the right axis, so it does not cover the HRV lines.
    let r1 = r1 + (r1 - r0) * 0.8;

    let mut chart = frame(area, title)
        .right_y_label_area_size(if rest.is_empty() { 0 } else { 86 })
        .build_cartesian_2d(dates.coord(), y0..y1)?
        .set_secondary_coord(dates.coord(), r0..r1);
    mesh!(chart)
        .x_desc("Date")
        .y_desc("ln rMSSD (overnight HRV, ln ms)")
        .x_label_formatter(&|d| dates.label(*d))
        .y_label_formatter(&|v| format!("{v:.2}"))
        .y_labels(10)
        .draw()?;
    if !rest.is_empty() {
        chart
            .configure_secondary_axes()
            .axis_style(pal::MUTED)
            .label_style(text(size::TICK).color(&pal::VERMILION))
            .axis_desc_style(text(size::AXIS_DESC).color(&pal::VERMILION))
            .y_desc("Resting heart rate (bpm)")
            .y_label_formatter(&|h| format!("{h:.0}"))
            .draw()?;
    }
    if band.len() >= 2 {
        let mut poly: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.2)).collect();
        poly.extend(band.iter().rev().map(|b| (b.0, b.1)));
        chart
            .draw_series(std::iter::once(Polygon::new(
                poly,
                pal::SKY.mix(0.22).filled(),
            )))?
            .label("normal range: mean ± 1 SD of the 60 days before")
            .legend(box_key(pal::SKY.mix(0.35).filled()));
    }
    // Hard sessions, lingering ones in front.
    for verdict in ["absorbed", "unknown", "lingering"] {
        let colour = verdict_colour(verdict);
        let (alpha, width) = if verdict == "lingering" {
            (0.85, 3)
        } else {
            (0.3, 2)
        };
        let xs: Vec<f64> = input
            .hard_sessions
            .iter()
            .filter(|h| match verdict {
                "absorbed" | "lingering" => h.verdict == verdict,
                _ => h.verdict != "absorbed" && h.verdict != "lingering",
            })
            .map(|h| day_of(h.start))
            .filter(|d| (x0..=x1).contains(d))
            .collect();
        if xs.is_empty() {
            continue;
        }
        chart
            .draw_series(xs.into_iter().map(|d| {
                PathElement::new(
                    vec![(d, y0), (d, y1)],
                    colour.mix(alpha).stroke_width(width),
                )
            }))?
            .label(format!("hard session, {verdict}"))
            .legend(move |(px, py)| {
                PathElement::new(vec![(px, py - 8), (px, py + 8)], colour.stroke_width(3))
            });
    }
    chart
        .draw_series(ln.iter().map(|&p| Circle::new(p, 2, pal::MUTED.filled())))?
        .label("ln rMSSD of the night")
        .legend(|(px, py)| Circle::new((px, py), 2, pal::MUTED.filled()));
    let mean: Vec<(f64, f64)> = days
        .iter()
        .filter_map(|m| Some((x(m), finite(m.ln_rmssd_7d_mean)?)))
        .collect();
    chart
        .draw_series(LineSeries::new(mean.clone(), pal::BLUE.stroke_width(3)))?
        .label("7-day mean of ln rMSSD")
        .legend(line_key(pal::BLUE.stroke_width(3)));
    let low: Vec<(f64, f64)> = days
        .iter()
        .filter(|m| m.has("hrv_below_normal"))
        .filter_map(|m| Some((x(m), finite(m.ln_rmssd_7d_mean)?)))
        .collect();
    if !low.is_empty() {
        chart
            .draw_series(low.iter().map(|&p| Circle::new(p, 5, pal::RED.filled())))?
            .label("HRV below normal")
            .legend(|(px, py)| Circle::new((px, py), 5, pal::RED.filled()));
    }
    if !rest.is_empty() {
        chart
            .draw_secondary_series(LineSeries::new(
                rest.clone(),
                pal::VERMILION.mix(0.7).stroke_width(2),
            ))?
            .label("resting heart rate (right axis)")
            .legend(line_key(pal::VERMILION.stroke_width(2)));
        let high: Vec<(f64, f64)> = days
            .iter()
            .filter(|m| m.has("resting_hr_elevated"))
            .filter_map(|m| Some((x(m), finite(m.resting_hr_bpm)?)))
            .collect();
        if !high.is_empty() {
            chart
                .draw_secondary_series(
                    high.iter()
                        .map(|&p| TriangleMarker::new(p, 7, pal::RED.filled())),
                )?
                .label("resting HR elevated")
                .legend(|(px, py)| TriangleMarker::new((px, py), 7, pal::RED.filled()));
        }
    }
    // Elevated easy runs along the bottom: the runs' side of the same story.
    let elevated: Vec<f64> = input
        .easy_runs
        .iter()
        .filter(|r| r.elevated && !r.warm_day)
        .map(|r| day_of(r.start))
        .filter(|d| (x0..=x1).contains(d))
        .collect();
    if !elevated.is_empty() {
        let yb = y0 + (y1 - y0) * 0.03;
        chart
            .draw_series(
                elevated
                    .iter()
                    .map(|&d| TriangleMarker::new((d, yb), 7, pal::ORANGE.filled())),
            )?
            .label("easy run with heart rate above its baseline")
            .legend(|(px, py)| TriangleMarker::new((px, py), 7, pal::ORANGE.filled()));
    }
    legend!(chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

//! Chart 5: fitness, fatigue and form (CTL, ATL, TSB) over the days, with the form thresholds
//! of the readiness verdict.

use plotters::prelude::*;

use super::ChartKind;
use super::shared::{
    YAxis, box_key, date_chart, fmt_amount, frame, legend, legend_room, line_key, thresholds,
    zero_line,
};
use crate::model::ReportInput;
use crate::render::{self, Area, DateAxis, DrawResult, day_of_date, min_max, padded, pal};

/// What the chart says with no day of load to draw.
const NO_DATA: (&str, &str) = (
    "No training load yet",
    "Load is the daily sum of hrTSS; fitness and fatigue are its 42- and 7-day averages.",
);

pub(super) fn draw(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::FitnessForm.title();
    let mut days: Vec<(f64, f64, f64, f64)> = input
        .days
        .iter()
        .filter(|d| d.ctl.is_finite() && d.atl.is_finite() && d.tsb.is_finite())
        .map(|d| (day_of_date(d.date), d.ctl, d.atl, d.tsb))
        .collect();
    if days.is_empty() {
        return render::no_data(area, title, NO_DATA);
    }
    days.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Room on the right for the labels of the -10 and -30 lines.
    let dates = DateAxis::with_room_right(days.iter().map(|d| d.0), 1.0);
    let (lo, hi) = min_max(
        days.iter()
            .flat_map(|d| [d.1, d.2, d.3])
            .chain([0.0, -30.0]),
    )
    .unwrap_or((-30.0, 50.0));
    let (y0, y1) = padded(lo, hi, 0.06, 20.0);
    let y1 = legend_room(y0, y1, 3);

    let y = YAxis::new(y0..y1, "Training load (hrTSS per day)", 10, |y| {
        format!("{y:.0}")
    });
    let mut chart = date_chart(&mut frame(area, title), &dates, "Date", y)?;

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
        .legend(box_key(pal::GREEN.mix(0.4).filled()));
    chart.draw_series([Polygon::new(area_of(&neg), pal::RED.mix(0.18).filled())])?;
    chart.draw_series(LineSeries::new(
        days.iter().map(|d| (d.0, d.3)),
        pal::MUTED.stroke_width(1),
    ))?;
    zero_line(&mut chart, &dates)?;
    let form = [
        (-10.0, "-10: push needs form above", pal::ORANGE),
        (-30.0, "-30: hold back below", pal::RED),
    ];
    thresholds(&mut chart, &dates, &form)?;
    let fitness = format!("fitness (CTL, {} days)", fmt_amount(input.rules.ctl_days));
    let fatigue = format!("fatigue (ATL, {} days)", fmt_amount(input.rules.atl_days));
    let lines = [
        (
            days.iter().map(|d| (d.0, d.1)).collect::<Vec<_>>(),
            3,
            pal::BLUE,
            fitness,
        ),
        (
            days.iter().map(|d| (d.0, d.2)).collect(),
            2,
            pal::PURPLE,
            fatigue,
        ),
    ];
    for (values, width, colour, label) in lines {
        chart
            .draw_series(LineSeries::new(values, colour.stroke_width(width)))?
            .label(label)
            .legend(line_key(colour.stroke_width(width)));
    }
    legend!(chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

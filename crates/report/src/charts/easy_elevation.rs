//! Chart 1: easy-run HR elevation over time, the ±2σ band, hard sessions as markers.

use plotters::prelude::*;

use super::ChartKind;
use super::shared::{
    YAxis, box_key, date_chart, dots, finite, fmt_amount, frame, legend, legend_room, signed_tick,
    zero_line,
};
use crate::model::{EasyRunPoint, ReportInput};
use crate::render::{
    self, Area, DateAxis, DrawResult, day_of, min_max, padded, pal, verdict_colour,
};

pub(super) fn draw(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::EasyElevation.title();
    let mut pts: Vec<(&EasyRunPoint, f64, f64)> = input
        .easy_runs
        .iter()
        .filter_map(|r| finite(r.elevation_bpm).map(|e| (r, day_of(r.start), e)))
        .collect();
    if pts.is_empty() {
        let hint = format!(
            "An easy run is compared with at least {} steady runs of the {} days before it.",
            input.rules.baseline_min_runs,
            fmt_amount(input.rules.baseline_days)
        );
        return render::no_data(area, title, ("No easy runs with a baseline yet", &hint));
    }
    pts.sort_by(|a, b| a.1.total_cmp(&b.1));
    let dates = DateAxis::new(pts.iter().map(|p| p.1), 3.0);
    let (x0, x1) = (dates.x0, dates.x1);
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

    let y = YAxis::new(y0..y1, "HR above expected (bpm)", 10, signed_tick);
    let mut chart = date_chart(&mut frame(area, title), &dates, "Date of the easy run", y)?;

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
            .legend(box_key(pal::SKY.mix(0.35).filled()));
    }
    zero_line(&mut chart, &dates)?;

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
    let normal = pts.iter().filter(|p| !p.0.elevated).map(|p| (p.1, p.2));
    dots(&mut chart, normal, 5, pal::BLUE.filled(), "easy run")?;
    let elevated: Vec<_> = pts
        .iter()
        .filter(|p| p.0.elevated && !p.0.warm_day)
        .collect();
    if !elevated.is_empty() {
        let label = format!(
            "elevated: ≥ max({} bpm, {}σ) above expected",
            fmt_amount(input.rules.elevated_min_bpm),
            fmt_amount(input.rules.elevated_sigmas)
        );
        let elevated = elevated.iter().map(|p| (p.1, p.2));
        dots(&mut chart, elevated, 7, pal::RED.filled(), label)?;
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

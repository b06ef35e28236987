//! Chart 8: DFA alpha1 of the activity of chart 6 over its time, with the aerobic (0.75) and
//! anaerobic (0.5) lines of METRICS.md section 5, and the windows' heart rate on the right.

use plotters::prelude::*;

use super::ChartKind;
use super::shared::{dashed, frame, legend, line_key, mesh};
use crate::model::ActivityTrace;
use crate::render::{self, Area, DrawResult, min_max, padded, pal, size, text};

/// What the chart says when the activity carries no beats, or none of its windows an alpha1.
const NO_BEATS: (&str, &str) = (
    "This run has no beat-to-beat intervals to show",
    "A chest strap records every beat (FIT hrv messages); alpha1 needs 2 minutes of them with few artifacts.",
);

/// The thresholds drawn, with their labels.
const LINES: [(f64, &str); 2] = [
    (0.75, "0.75: aerobic threshold"),
    (0.5, "0.5: anaerobic threshold"),
];

pub(super) fn draw(area: &Area<'_>, focus: Option<&ActivityTrace>) -> DrawResult {
    let title = ChartKind::Alpha1.title();
    let windows = focus.map(|f| f.alpha1.as_slice()).unwrap_or_default();
    let a1: Vec<(f64, f64)> = windows
        .iter()
        .filter_map(|w| Some((w.minute, w.alpha1?)))
        .filter(|(m, a)| m.is_finite() && a.is_finite())
        .collect();
    if a1.is_empty() {
        return render::no_data(area, title, NO_BEATS);
    }
    let hr: Vec<(f64, f64)> = windows
        .iter()
        .filter_map(|w| Some((w.minute, w.hr_bpm?)))
        .filter(|(m, h)| m.is_finite() && h.is_finite())
        .collect();
    let (m0, m1) = min_max(windows.iter().map(|w| w.minute)).unwrap_or((0.0, 1.0));
    let (m0, m1) = (m0 - 1.0, m1.max(m0 + 1.0) + 1.0);
    let (a_lo, a_hi) = min_max(a1.iter().map(|p| p.1).chain([0.4, 1.1])).unwrap_or((0.3, 1.5));
    let (a_lo, a_hi) = (a_lo.max(0.0) - 0.05, a_hi.min(2.0) + 0.15);
    let (h_lo, h_hi) = min_max(hr.iter().map(|p| p.1)).unwrap_or((100.0, 180.0));
    let (h_lo, h_hi) = padded(h_lo, h_hi, 0.08, 20.0);

    let mut chart = frame(area, title)
        .margin_right(16)
        .right_y_label_area_size(if hr.is_empty() { 0 } else { 86 })
        .build_cartesian_2d(m0..m1, a_lo..a_hi)?
        .set_secondary_coord(m0..m1, h_lo..h_hi);
    mesh!(chart)
        .x_desc("Time from the start (min)")
        .y_desc("DFA alpha1")
        .x_label_formatter(&|m| format!("{m:.0}"))
        .y_label_formatter(&|a| format!("{a:.2}"))
        .x_labels(14)
        .y_labels(10)
        .draw()?;
    if !hr.is_empty() {
        chart
            .configure_secondary_axes()
            .axis_style(pal::MUTED)
            .label_style(text(size::TICK).color(&pal::RED))
            .axis_desc_style(text(size::AXIS_DESC).color(&pal::RED))
            .y_desc("Heart rate (bpm)")
            .y_label_formatter(&|h| format!("{h:.0}"))
            .draw()?;
        chart
            .draw_secondary_series(std::iter::once(PathElement::new(
                hr.clone(),
                pal::RED.mix(0.6).stroke_width(2),
            )))?
            .label("heart rate of the window (right axis)")
            .legend(line_key(pal::RED.stroke_width(2)));
    }
    for (y, label) in LINES {
        let colour = if y > 0.6 { pal::GREEN } else { pal::ORANGE };
        chart
            .draw_series(dashed(&[(m0, y), (m1, y)], 48, colour.stroke_width(2)))?
            .label(label)
            .legend(line_key(colour.stroke_width(2)));
    }
    chart
        .draw_series(a1.iter().map(|&p| Circle::new(p, 3, pal::INK.filled())))?
        .label("alpha1 of 120 s of beats, every 20 s")
        .legend(|(x, y)| Circle::new((x, y), 3, pal::INK.filled()));
    legend!(chart, SeriesLabelPosition::UpperRight)?;
    Ok(())
}

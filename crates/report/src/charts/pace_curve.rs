//! Chart 7: the pace-duration curve, best grade-adjusted pace per duration (1-60 min), this
//! period against the one before.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartKind;
use super::pace_axis::{pace_label, pace_of, pace_ticks, pace_unit};
use super::shared::{dashed, frame, legend, legend_room, mesh};
use crate::format::{CURVE_DURATIONS_S, curve_duration};
use crate::model::{CurvePoint, ReportInput, Units};
use crate::render::{self, Area, DrawResult, TickAxis, footer, min_max, padded, pal, size, text};

/// What the chart says with neither period to draw.
const NO_DATA: (&str, &str) = (
    "No runs with pace in this period or the one before",
    "Each point is the best grade-adjusted pace one run of the period held for that long.",
);

pub(super) fn draw(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::PaceCurve.title();
    let now = curve_points(&input.pace_curve, input.units);
    let before = curve_points(&input.pace_curve_previous, input.units);
    if now.is_empty() && before.is_empty() {
        return render::no_data(area, title, NO_DATA);
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

    // Paces ("4:27") need a wider label area than plain numbers.
    let mut chart = frame(area, title)
        .y_label_area_size(86)
        .build_cartesian_2d(
            TickAxis::new(x0, x1, ticks),
            TickAxis::new(slow, fast, pace_ticks(fast, slow, 10)),
        )?;
    mesh!(chart)
        .x_desc("Duration held (log scale)")
        .y_desc(format!(
            "Best grade-adjusted pace ({}, faster up)",
            pace_unit(input.units)
        ))
        .x_label_formatter(&|x| {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
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
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
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

/// Minutes on a log scale: 1-5 min and 20-60 min get equal room, as runners read such curves.
fn log_minutes(duration_s: u32) -> f64 {
    (f64::from(duration_s) / 60.0).ln()
}

/// A curve's points as (duration, log minutes, pace s/km), by duration; a duration listed twice
/// keeps its faster pace.
fn curve_points(points: &[CurvePoint], units: Units) -> Vec<(u32, f64, f64)> {
    let mut out: Vec<(u32, f64, f64)> = points
        .iter()
        .filter(|p| p.duration_s > 0)
        .filter_map(|p| {
            Some((
                p.duration_s,
                log_minutes(p.duration_s),
                pace_of(p.speed_m_s, units)?,
            ))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.total_cmp(&b.2)));
    out.dedup_by_key(|p| p.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_points_are_sorted_deduplicated_and_skip_what_is_not_a_pace() {
        let at = chrono::DateTime::<chrono::Utc>::default();
        let p = |duration_s, speed_m_s| CurvePoint {
            duration_s,
            speed_m_s,
            id: "x".to_owned(),
            start: at,
        };
        let pts = curve_points(
            &[
                p(600, 4.0),
                p(60, 5.0),
                p(600, 4.2),
                p(300, f64::NAN),
                p(0, 4.0),
                p(1200, 0.5),
            ],
            Units::Metric,
        );
        let durations: Vec<u32> = pts.iter().map(|q| q.0).collect();
        assert_eq!(durations, [60, 600]);
        assert!(
            (pts[1].2 - 1000.0 / 4.2).abs() < 1e-9,
            "the faster of the two"
        );
        assert!(log_minutes(60).abs() < 1e-12);
    }
}

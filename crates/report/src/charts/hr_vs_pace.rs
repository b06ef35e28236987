//! Chart 2: heart rate against grade-adjusted pace for easy runs, with the current baseline.

use chrono::Duration;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartKind;
use super::pace_axis::{pace_label, pace_of, pace_ticks, pace_unit};
use super::shared::{
    box_key, dots, finite, fmt_amount, frame, legend, legend_room, line_key, mesh,
};
use crate::model::{EasyRunPoint, ReportInput};
use crate::render::{self, Area, DrawResult, TickAxis, footer, min_max, padded, pal, size, text};

/// What the chart says with neither runs nor a baseline to draw.
const NO_DATA: (&str, &str) = (
    "No easy runs with pace and heart rate yet",
    "Each point is an easy run's minutes 10-40: mean grade-adjusted pace and mean heart rate.",
);

/// An easy run with its pace (s/km) and heart rate (bpm).
type Run<'a> = (&'a EasyRunPoint, f64, f64);

pub(super) fn draw(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::HrVsPace.title();
    let pts: Vec<Run<'_>> = input
        .easy_runs
        .iter()
        .filter_map(|r| {
            let pace = finite(r.gap_speed_m_s).and_then(|v| pace_of(v, input.units))?;
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
            && pace_of(b.speed_max_m_s, input.units).is_some()
    });
    if pts.is_empty() && baseline.is_none() {
        return render::no_data(area, title, NO_DATA);
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
    let mut chart = frame(area, title).build_cartesian_2d(
        TickAxis::new(p_hi, p_lo, pace_ticks(p_lo, p_hi, 12)),
        h_lo..h_hi,
    )?;
    mesh!(chart)
        .x_desc(format!(
            "Grade-adjusted pace, minutes 10-40 ({}, faster to the right)",
            pace_unit(input.units)
        ))
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
            .legend(box_key(pal::SKY.mix(0.35).filled()));
        chart
            .draw_series(LineSeries::new(
                curve.iter().map(|c| (c.0, c.1)),
                pal::BLUE.stroke_width(3),
            ))?
            .label(format!(
                "current easy baseline: HR = {:.0} + {:.1} x speed (m/s)",
                b.intercept_bpm, b.slope_bpm_per_m_s
            ))
            .legend(line_key(pal::BLUE.stroke_width(3)));
    }

    let latest = pts.iter().map(|p| p.0.start).max();
    let recent_from = latest.map(|t| t - Duration::days(14));
    let is_recent = |p: &Run<'_>| recent_from.is_some_and(|r| p.0.start > r);
    // Earlier, recent and elevated runs: a legend entry each, and none for a group without runs.
    let group_of = |p: &Run<'_>| {
        if p.0.elevated {
            2
        } else {
            usize::from(is_recent(p))
        }
    };
    let groups = [
        (5, pal::MUTED.mix(0.45).filled(), "easy run, earlier"),
        (6, pal::BLUE.filled(), "easy run, last 14 days"),
        (7, pal::RED.filled(), "elevated easy run"),
    ];
    for (g, (radius, style, label)) in groups.into_iter().enumerate() {
        let group: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| group_of(p) == g)
            .map(|p| (p.1, p.2))
            .collect();
        if !group.is_empty() {
            dots(&mut chart, group.into_iter(), radius, style, label)?;
        }
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

//! Chart 6: one activity, heart rate and pace against moving time, with its steady portion and
//! drift line.

use plotters::prelude::*;

use super::ChartKind;
use super::pace_axis::{pace_label, pace_of, pace_ticks, pace_unit};
use super::shared::{box_key, dashed, frame, legend, line_key, mesh};
use crate::model::{ActivityTrace, Units};
use crate::render::{self, Area, DrawResult, TickAxis, min_max, padded, pal, size, text};

/// What the chart says when the report has no activity to show.
const NO_ACTIVITY: (&str, &str) = (
    "No activity to show",
    "The report draws the latest run with heart rate here.",
);

/// What the chart says when the activity has no heart rate.
const NO_HEART_RATE: (&str, &str) = (
    "This activity has no heart rate to show",
    "Heart rate is shown after cleaning (dropouts, spikes and cadence lock removed).",
);

pub(super) fn draw(area: &Area<'_>, focus: Option<&ActivityTrace>, units: Units) -> DrawResult {
    let title = ChartKind::Activity.title();
    let Some(trace) = focus else {
        return render::no_data(area, title, NO_ACTIVITY);
    };
    let n = trace.t_s.len();
    let hr_at = |i: usize| trace.hr_bpm.get(i).copied().flatten().filter(|h| *h > 0.0);
    let pace_at = |i: usize| {
        trace
            .speed_m_s
            .get(i)
            .copied()
            .flatten()
            .and_then(|v| pace_of(v, units))
    };
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
        return render::no_data(area, &full_title, NO_HEART_RATE);
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

    let mut chart = frame(area, &full_title)
        .margin_right(16)
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
            .y_desc(format!("Pace ({}, faster up)", pace_unit(units)))
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
            .legend(box_key(pal::GREEN.mix(0.25).filled()));
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
            .legend(line_key(pal::BLUE.stroke_width(2)));
    }
    chart
        .draw_series(
            hr.into_iter()
                .map(|seg| PathElement::new(seg, pal::RED.stroke_width(2))),
        )?
        .label("heart rate (left axis)")
        .legend(line_key(pal::RED.stroke_width(2)));
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
            .legend(line_key(pal::INK.stroke_width(3)));
    }
    legend!(chart, SeriesLabelPosition::LowerRight)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

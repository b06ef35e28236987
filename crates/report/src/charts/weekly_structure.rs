//! Chart 4: weekly hours by intensity zone, each week's hard-session count and flags.

use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartKind;
use super::shared::{box_key, finite, frame, legend, legend_room, mesh};
use crate::model::{ReportInput, WeekBar};
use crate::render::{self, Area, DrawResult, TickAxis, footer, pal, size, to_i32};

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

/// What the chart says with no week to draw.
const NO_DATA: (&str, &str) = (
    "No weeks with runs yet",
    "A week's bar shows its moving time split by Seiler zone (S1 easy, S2 moderate, S3 hard).",
);

pub(super) fn draw(area: &Area<'_>, input: &ReportInput) -> DrawResult {
    let title = ChartKind::WeeklyStructure.title();
    let mut weeks: Vec<&WeekBar> = input.weeks.iter().collect();
    weeks.sort_by_key(|w| w.monday);
    // More than a year of bars would be unreadable at 1200 px: keep the latest 52 weeks.
    let weeks = &weeks[weeks.len().saturating_sub(52)..];
    if weeks.is_empty() {
        return render::no_data(area, title, NO_DATA);
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

    // Flag codes go under the date labels: room for three lines of them.
    let mut chart = frame(area, title)
        .margin_bottom(if any_flags { 40 } else { 16 })
        .x_label_area_size(if any_flags { 100 } else { 56 })
        .build_cartesian_2d(TickAxis::new(-0.6, nf - 0.4, ticks), 0.0..y1)?;
    mesh!(chart)
        .disable_x_mesh()
        .x_desc("Week starting (Monday)")
        .y_desc("Moving time (h)")
        .x_label_formatter(&|x| {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
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
            .legend(box_key(colour.filled()));
    }
    if !unknown.is_empty() {
        chart
            .draw_series(unknown)?
            .label("zones unknown")
            .legend(box_key(pal::MUTED.mix(0.5).filled()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_codes_are_short() {
        assert_eq!(flag_code("too_many_hard"), "H");
        assert_eq!(flag_code("stride_unsteady"), "SU");
        assert!(flag_code("a_b_c_d_e").chars().count() <= 3);
    }
}

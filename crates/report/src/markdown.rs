//! `summary.md`: the verdict, its reasons, this week, the recent weeks' flags, the best paces
//! per duration against the period before and a table of recent activities, in GitHub-flavoured Markdown that fits a CI job summary
//! (`$GITHUB_STEP_SUMMARY`, a GitLab job's Markdown artifact). No images: a job summary cannot
//! show the report's local files.

use std::fmt::Write as _;

use crate::format::{self, ABSENT, CURVE_DURATIONS_S};
use crate::model::{CurvePoint, ReportInput};

/// How many activities the summary's table lists.
pub const MD_ACTIVITY_ROWS: usize = 15;

/// Escapes text for a Markdown table cell or a list item: no markup, links, HTML or line breaks
/// from data.
#[must_use]
pub fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // These only start a block (list, heading) at the start of a line.
            '#' | '+' | '-' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders `summary.md`.
#[must_use]
pub fn render_markdown(input: &ReportInput) -> String {
    let units = input.units;
    let mut m = String::with_capacity(8 * 1024);
    let r = &input.readiness;
    let _ = writeln!(
        m,
        "## hrdrift: {}\n\n{}\n",
        escape_md(&format::verdict(&r.verdict)),
        format::verdict_advice(&r.verdict)
    );
    for reason in &r.reasons {
        let _ = writeln!(
            m,
            "- {} ({}, `{}`)",
            escape_md(&reason.text),
            format::reason_numbers(reason.value, reason.threshold),
            reason.code.replace('`', "'"),
        );
    }
    if !r.reasons.is_empty() {
        m.push('\n');
    }
    let mut meta = format!("Generated {} UTC", input.generated.format("%Y-%m-%d %H:%M"));
    if !input.athlete_note.trim().is_empty() {
        let _ = write!(meta, " · {}", escape_md(&input.athlete_note));
    }
    let _ = writeln!(m, "_{meta}_\n");

    m.push_str("### This week\n\n");
    match input.this_week() {
        None => m.push_str("No runs this week yet.\n\n"),
        Some(w) => {
            let _ = writeln!(
                m,
                "| Week | Runs | Moving time | Distance | S1 / S2 / S3 | Hard sessions | Flags |\n\
                 |---|--:|--:|--:|--:|--:|---|\n\
                 | {} (from {}) | {} | {} | {} | {} / {} / {} | {} | {} |\n",
                escape_md(&w.week),
                w.monday.format("%-d %b"),
                w.runs,
                format::duration(w.moving_s),
                format::km(Some(w.distance_m), units),
                format::pct(w.s1_share),
                format::pct(w.s2_share),
                format::pct(w.s3_share),
                w.hard_sessions,
                flags(&w.flags),
            );
        }
    }

    // Flags of the last four weeks, so a warning from last week is not lost on a Monday.
    let mut weeks: Vec<_> = input.weeks.iter().filter(|w| !w.flags.is_empty()).collect();
    weeks.sort_by_key(|w| std::cmp::Reverse(w.monday));
    let latest = input.this_week().map(|w| w.monday);
    let recent: Vec<_> = weeks
        .into_iter()
        .filter(|w| latest.is_some_and(|l| (l - w.monday).num_days() < 28))
        .collect();
    if !recent.is_empty() {
        m.push_str("### Weekly flags (last 4 weeks)\n\n");
        for w in recent {
            let _ = writeln!(m, "- {}: {}", escape_md(&w.week), flags(&w.flags));
        }
        m.push('\n');
    }

    pace_curve(&mut m, input);

    m.push_str("### Recent activities\n\n");
    let rows = input.recent_activities(MD_ACTIVITY_ROWS);
    if rows.is_empty() {
        m.push_str("No activities yet.\n");
        return m;
    }
    m.push_str(
        "| Date (UTC) | Name | Class | Moving | Distance | Avg HR | EF | Decoupling | Drift (bpm/h) | hrTSS | Elevation (bpm) | Flags |\n\
         |---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n",
    );
    for r in rows {
        let name = r
            .name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&r.id);
        let class = r.class.as_deref().or(r.sport.as_deref()).unwrap_or(ABSENT);
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.start.format("%a %Y-%m-%d %H:%M"),
            escape_md(name),
            escape_md(class),
            format::duration(r.moving_s),
            format::km(r.distance_m, units),
            format::num(r.avg_hr, 0, ""),
            format::num(r.ef, 2, format::ef_unit(r.sport.as_deref())),
            format::num(r.decoupling_pct, 1, " %"),
            format::signed(r.drift_bpm_per_h, 1, ""),
            format::num(r.hrtss, 0, ""),
            format::signed(r.elevation_bpm, 1, ""),
            flags(&r.flags),
        );
    }
    m
}

/// The pace-duration curve as a table: one row per duration, this period's best pace and the
/// period before's.
fn pace_curve(m: &mut String, input: &ReportInput) {
    let units = input.units;
    m.push_str("### Best grade-adjusted (GAP) pace per duration\n\n");
    let (now, before) = (&input.pace_curve, &input.pace_curve_previous);
    if now.is_empty() && before.is_empty() {
        m.push_str("No runs with pace in this period or the one before.\n\n");
        return;
    }
    // The standard durations always, so two summaries line up; any other one the data has too.
    let mut durations: Vec<u32> = CURVE_DURATIONS_S
        .iter()
        .copied()
        .chain(now.iter().chain(before).map(|p| p.duration_s))
        .filter(|d| *d > 0)
        .collect();
    durations.sort_unstable();
    durations.dedup();
    // A duration listed twice shows its faster pace, as the chart does.
    let best = |points: &[CurvePoint], d: u32| {
        points
            .iter()
            .filter(|p| p.duration_s == d && p.speed_m_s.is_finite())
            .map(|p| p.speed_m_s)
            .reduce(f64::max)
    };
    m.push_str(
        "| Duration | This period | Period before |\n\
         |---|--:|--:|\n",
    );
    for d in durations {
        let _ = writeln!(
            m,
            "| {} | {} | {} |",
            format::curve_duration(d),
            format::pace(best(now, d), units),
            format::pace(best(before, d), units),
        );
    }
    m.push('\n');
}

fn flags(flags: &[String]) -> String {
    if flags.is_empty() {
        return ABSENT.to_owned();
    }
    flags
        .iter()
        .map(|f| format!("`{}`", f.replace('`', "'").replace('|', "/")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_md_keeps_a_table_cell_one_cell() {
        let s = escape_md("a|b\n[x](http://e) <b>*");
        assert!(!s.contains('\n'));
        assert!(!s.contains("<b>"));
        assert_eq!(s.matches('|').count(), s.matches("\\|").count());
    }
}

//! `index.html`: one self-contained page (inline CSS, no script, no network) that works opened
//! from the disk. Charts are the PNG files next to it, referenced by relative name.
//!
//! Every piece of text that comes from data (activity names, ids, flags, reasons, the note) goes
//! through [`escape`]; nothing from data is ever placed in an attribute without it.

use std::fmt::Write as _;

use crate::charts::{ChartKind, DEFAULT_SIZE};
use crate::format::{self, ABSENT};
use crate::model::{ActivityRow, ReportInput, Units, WeekBar};

/// How many activities the page's table lists.
pub const HTML_ACTIVITY_ROWS: usize = 40;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab/newline have no business in a page.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink:#212529; --muted:#6c757d; --line:#dee2e6; --panel:#f8f9fa;
  --push:#0a7d55; --steady:#0b5ea8; --hold:#b3261e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1260px; padding: 24px; color: var(--ink);
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 32px 0 12px; }
.meta { color: var(--muted); margin: 0; }
.verdict { border-left: 8px solid var(--muted); background: var(--panel); padding: 14px 20px;
  margin-top: 20px; border-radius: 4px; }
.verdict h2 { margin: 0 0 4px; font-size: 28px; }
.verdict.push { border-color: var(--push); } .verdict.push h2 { color: var(--push); }
.verdict.steady { border-color: var(--steady); } .verdict.steady h2 { color: var(--steady); }
.verdict.hold_back { border-color: var(--hold); } .verdict.hold_back h2 { color: var(--hold); }
.verdict ul { margin: 8px 0 0; padding-left: 20px; }
.verdict .num { font-variant-numeric: tabular-nums; color: var(--muted); }
code { font-size: 13px; background: #eef0f2; padding: 1px 5px; border-radius: 3px; }
.week { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.stat { background: var(--panel); padding: 10px 14px; border-radius: 4px; }
.stat b { display: block; font-size: 22px; }
.stat span { color: var(--muted); font-size: 14px; }
.zones { display: flex; height: 18px; border-radius: 3px; overflow: hidden; margin: 12px 0 4px;
  background: var(--line); }
.zones div { height: 100%; }
.z1 { background: #009e73; } .z2 { background: #e69f00; } .z3 { background: #d55e00; }
.legend { color: var(--muted); font-size: 14px; }
.flag { display: inline-block; background: #fdecea; color: #8a1c14; border-radius: 10px;
  padding: 0 9px; margin: 2px 4px 2px 0; font-size: 13px; white-space: nowrap; }
figure { margin: 0 0 28px; }
figure img { display: block; width: 100%; max-width: 1200px; height: auto;
  border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 14px; margin-top: 6px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: right;
  white-space: nowrap; font-variant-numeric: tabular-nums; }
th { background: var(--panel); position: sticky; top: 0; }
td.text, th.text { text-align: left; white-space: normal; }
td.name { max-width: 260px; overflow-wrap: anywhere; }
td.date { white-space: nowrap; }
footer { color: var(--muted); font-size: 13px; margin-top: 32px; }
"#;

/// Renders `index.html`. `charts` are the charts written next to it (by [`ChartKind::file_name`]).
#[must_use]
pub fn render_html(input: &ReportInput, charts: &[ChartKind]) -> String {
    let mut h = String::with_capacity(32 * 1024);
    let verdict_class = match input.readiness.verdict.as_str() {
        v @ ("push" | "steady" | "hold_back") => v,
        _ => "unknown",
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>hrdrift report: {verdict}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        verdict = escape(&format::verdict(&input.readiness.verdict)),
    );
    let _ = write!(
        h,
        "<header>\n<h1>hrdrift: heart rate at easy effort</h1>\n<p class=\"meta\">Generated {} UTC",
        input.generated.format("%Y-%m-%d %H:%M")
    );
    if !input.athlete_note.trim().is_empty() {
        let _ = write!(h, " · {}", escape(&input.athlete_note));
    }
    h.push_str("</p>\n</header>\n");

    // Readiness first: the answer to "how should today go?".
    let _ = write!(
        h,
        "<section class=\"verdict {verdict_class}\" id=\"readiness\">\n<h2>Today: {}</h2>\n<p>{}</p>\n",
        escape(&format::verdict(&input.readiness.verdict)),
        format::verdict_advice(&input.readiness.verdict),
    );
    if input.readiness.reasons.is_empty() {
        h.push_str("<p class=\"legend\">No reasons recorded.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for r in &input.readiness.reasons {
            let _ = writeln!(
                h,
                "<li>{} <span class=\"num\">{}</span> <code>{}</code></li>",
                escape(&r.text),
                escape(&format::reason_numbers(r.value, r.threshold)),
                escape(&r.code),
            );
        }
        h.push_str("</ul>\n");
    }
    if let Some(m) = &input.morning {
        let _ = writeln!(
            h,
            "<p class=\"morning\">Morning of {}: {}</p>",
            m.date,
            escape(&format::morning(m))
        );
    }
    h.push_str("</section>\n");

    this_week(&mut h, input.this_week(), input.units);

    h.push_str("<section id=\"charts\">\n<h2>Trends</h2>\n");
    for kind in charts {
        if let Some(heading) = heading(*kind) {
            let _ = writeln!(h, "<h2>{heading}</h2>");
        }
        let _ = write!(
            h,
            "<figure id=\"{name}\">\n<img src=\"{file}\" alt=\"{alt}\" width=\"{w}\" height=\"{ht}\">\n\
             <figcaption>{caption}</figcaption>\n</figure>\n",
            name = kind.name(),
            file = kind.file_name(),
            alt = escape(kind.title()),
            w = DEFAULT_SIZE.0,
            ht = DEFAULT_SIZE.1,
            caption = caption(*kind),
        );
    }
    h.push_str("</section>\n");

    activities_table(
        &mut h,
        &input.recent_activities(HTML_ACTIVITY_ROWS),
        input.units,
    );

    h.push_str(
        "<footer>Made by hrdrift. Definitions: METRICS.md (easy-run elevation, decoupling, \
         drift, CTL/ATL/TSB, weekly flags). A value shown as – could not be computed.</footer>\n\
         </body>\n</html>\n",
    );
    h
}

/// A heading of its own for a chart that is not about heart rate, so it does not read as one
/// more of the trends above it.
fn heading(kind: ChartKind) -> Option<&'static str> {
    match kind {
        ChartKind::PaceCurve => Some("Pace-duration curve"),
        _ => None,
    }
}

fn caption(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::EasyElevation => {
            "Each easy run's heart rate (minutes 10-40) minus what the athlete's easy runs of \
             the 42 days before predict at that grade-adjusted pace. The band is ±2σ of \
             that baseline; vertical lines are hard sessions, coloured by how they were absorbed."
        }
        ChartKind::HrVsPace => {
            "The picture behind \"higher than expected at easy effort\": a point above the \
             baseline band is an easy run with a higher heart rate than usual for its pace."
        }
        ChartKind::LongRuns => {
            "Aerobic decoupling (Pa:HR) and cardiac drift over the steady portion of long runs. \
             Friel: under 5 % the aerobic base holds for that duration; over 10 % it does not."
        }
        ChartKind::WeeklyStructure => {
            "Moving time per ISO week split by Seiler zone, the number of hard sessions above \
             each bar, and the week's flags under it."
        }
        ChartKind::FitnessForm => {
            "Fitness (CTL, 42-day average of daily hrTSS), fatigue (ATL, 7-day) and form \
             (TSB = fitness - fatigue of the day before)."
        }
        ChartKind::Activity => {
            "Heart rate and pace of one run over moving time; the shaded part is the steady \
             portion that decoupling and drift are computed on, the dashed line the fitted drift."
        }
        ChartKind::PaceCurve => {
            "Best GAP pace for each duration, this period against the one before."
        }
        ChartKind::Mornings => {
            "The 7-day mean of ln rMSSD (overnight HRV) against its normal range (the mean ± 1 \
             SD of the 60 days before), and the resting heart rate (right axis); red marks are \
             the flagged mornings. Vertical lines are hard sessions; triangles along the bottom \
             are easy runs with a heart rate above their baseline."
        }
        ChartKind::Alpha1 => {
            "DFA alpha1 of the same run's beat-to-beat intervals, every 20 s over 120 s of \
             beats: above 0.75 the effort is below the aerobic threshold, near 0.5 at the \
             anaerobic one. Shown where a chest strap recorded every beat."
        }
    }
}

fn this_week(h: &mut String, week: Option<&WeekBar>, units: Units) {
    h.push_str("<section id=\"this-week\">\n");
    let Some(w) = week else {
        h.push_str(
            "<h2>This week</h2>\n<p class=\"legend\">No runs this week yet.</p>\n</section>\n",
        );
        return;
    };
    let _ = write!(
        h,
        "<h2>This week: {} <span class=\"legend\">(from Monday {})</span></h2>\n<div class=\"week\">\n",
        escape(&w.week),
        w.monday.format("%-d %b %Y"),
    );
    let stats = [
        (w.runs.to_string(), "runs"),
        (format::duration(w.moving_s), "moving time"),
        (format::km(Some(w.distance_m), units), "distance"),
        (w.hard_sessions.to_string(), "hard sessions"),
    ];
    for (value, label) in stats {
        let _ = writeln!(
            h,
            "<div class=\"stat\"><b>{}</b><span>{label}</span></div>",
            escape(&value)
        );
    }
    h.push_str("</div>\n");
    let shares = [w.s1_share, w.s2_share, w.s3_share];
    if shares.iter().any(|s| s.is_some_and(f64::is_finite)) {
        h.push_str("<div class=\"zones\" role=\"img\" aria-label=\"zone shares\">");
        for (i, s) in shares.iter().enumerate() {
            let pct = s.filter(|v| v.is_finite()).unwrap_or(0.0).clamp(0.0, 1.0) * 100.0;
            let _ = write!(
                h,
                "<div class=\"z{}\" style=\"width:{pct:.1}%\"></div>",
                i + 1
            );
        }
        let _ = writeln!(
            h,
            "</div>\n<p class=\"legend\">S1 easy {} · S2 moderate {} · S3 hard {} of moving time</p>",
            format::pct(w.s1_share),
            format::pct(w.s2_share),
            format::pct(w.s3_share),
        );
    }
    if w.flags.is_empty() {
        h.push_str("<p class=\"legend\">No weekly flags.</p>\n");
    } else {
        h.push_str("<p>");
        for f in &w.flags {
            let _ = write!(
                h,
                "<span class=\"flag\">{}</span>",
                escape(&format::flag_words(f))
            );
        }
        h.push_str("</p>\n");
    }
    h.push_str("</section>\n");
}

fn activities_table(h: &mut String, rows: &[&ActivityRow], units: Units) {
    h.push_str("<section id=\"activities\">\n<h2>Recent activities</h2>\n");
    if rows.is_empty() {
        h.push_str("<p class=\"legend\">No activities yet.</p>\n</section>\n");
        return;
    }
    h.push_str(
        "<div class=\"table-wrap\">\n<table>\n<thead><tr><th class=\"text\">Date (UTC)</th>\
         <th class=\"text\">Name</th><th class=\"text\">Class</th><th>Moving</th><th>Distance</th>\
         <th>Avg HR (bpm)</th><th>EF</th><th>Decoupling</th><th>Drift (bpm/h)</th><th>hrTSS</th>\
         <th>Elevation (bpm)</th><th class=\"text\">Flags</th></tr></thead>\n<tbody>\n",
    );
    for r in rows {
        let name = r
            .name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&r.id);
        let class = match (&r.class, &r.sport) {
            (Some(c), _) => c.clone(),
            (None, Some(s)) => s.clone(),
            (None, None) => ABSENT.to_owned(),
        };
        let _ = write!(
            h,
            "<tr><td class=\"text date\">{}</td><td class=\"text name\" title=\"{}\">{}</td>\
             <td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td class=\"text\">",
            r.start.format("%a %Y-%m-%d %H:%M"),
            escape(&r.id),
            escape(name),
            escape(&class),
            format::duration(r.moving_s),
            format::km(r.distance_m, units),
            format::num(r.avg_hr, 0, ""),
            format::num(r.ef, 2, format::ef_unit(r.sport.as_deref())),
            format::num(r.decoupling_pct, 1, " %"),
            format::signed(r.drift_bpm_per_h, 1, ""),
            format::num(r.hrtss, 0, ""),
            format::signed(r.elevation_bpm, 1, ""),
        );
        for f in &r.flags {
            let _ = write!(
                h,
                "<span class=\"flag\">{}</span>",
                escape(&format::flag_words(f))
            );
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup_and_quotes() {
        assert_eq!(
            escape(r#"<img src=x onerror="a('b')">&"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{FFFD}b");
    }
}

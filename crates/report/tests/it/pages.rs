//! The page and the summary: what they show, and that text from data cannot break them.

use chrono::{TimeZone, Utc};
use hrdrift_report::{ChartKind, CurvePoint, ReportInput, render_html, render_markdown};

use crate::synthetic;

#[test]
fn the_page_leads_with_the_verdict_then_the_week_charts_and_table() {
    let input = synthetic::athlete();
    let html = render_html(&input, &ChartKind::ALL);
    let pos = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing"))
    };
    assert!(pos("Today: Hold back") < pos("id=\"this-week\""));
    assert!(pos("id=\"this-week\"") < pos("id=\"charts\""));
    assert!(pos("id=\"charts\"") < pos("id=\"activities\""));
    for kind in ChartKind::ALL {
        assert!(html.contains(&format!("src=\"{}\"", kind.file_name())));
    }
    // The pace curve under a heading of its own, with the other charts.
    assert!(pos("id=\"charts\"") < pos("<h2>Pace-duration curve</h2>"));
    assert!(pos("<h2>Pace-duration curve</h2>") < pos("src=\"pace-curve.png\""));
    assert!(pos("src=\"pace-curve.png\"") < pos("id=\"activities\""));
    assert!(html.contains(
        "<figcaption>Best GAP pace for each duration, this period against the one before.</figcaption>"
    ));
    assert!(html.contains("2026-W09"), "this week's label");
    assert!(html.contains("too much moderate"), "this week's flag");
    // No network: nothing is fetched from anywhere.
    for needle in ["http://", "https://", "<script", "<link", "@import"] {
        assert!(!html.contains(needle), "{needle}");
    }
}

#[test]
fn names_from_data_are_escaped_in_the_page() {
    let input = synthetic::athlete();
    let html = render_html(&input, &ChartKind::ALL);
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Sunday long run &lt;b&gt;&amp; &quot;the hill&quot;&lt;/b&gt;"));
    assert!(!html.contains("<b>&"));
}

#[test]
fn the_summary_has_verdict_reasons_week_and_a_table_that_stays_a_table() {
    let input = synthetic::athlete();
    let md = render_markdown(&input);
    assert!(md.starts_with("## hrdrift: Hold back"));
    assert!(md.contains("not been absorbed after 72 h"));
    assert!(md.contains("### This week"));
    assert!(md.contains("`too_much_moderate`"));
    assert!(md.contains("`too_many_hard`"), "last 4 weeks' flags");
    assert!(!md.contains("<script>"));
    let table: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("### Recent activities"))
        .filter(|l| l.starts_with('|'))
        .collect();
    assert_eq!(table.len(), 2 + hrdrift_report::MD_ACTIVITY_ROWS);
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    let header = cells(table[0]);
    for row in &table {
        assert_eq!(cells(row), header, "{row}");
    }
}

#[test]
fn empty_input_pages_say_so() {
    let input = ReportInput::empty(synthetic::athlete().generated);
    let html = render_html(&input, &ChartKind::ALL);
    assert!(html.contains("No activities yet."));
    assert!(html.contains("No runs this week yet."));
    let md = render_markdown(&input);
    assert!(md.contains("No activities yet."));
    assert!(md.contains("No runs with pace in this period or the one before."));
}

#[test]
fn the_summary_tables_the_best_pace_per_duration_against_the_period_before() {
    let start = Utc.with_ymd_and_hms(2026, 2, 20, 7, 0, 0).unwrap();
    let point = |duration_s, s_per_km: f64| CurvePoint {
        duration_s,
        speed_m_s: 1000.0 / s_per_km,
        id: "a".repeat(32),
        start,
    };
    let mut input = ReportInput::empty(start);
    // 4:21 and 4:25 per km at 20 min; 3:05 at 1 min this period only (the period before has no
    // 1-min best); 60 min only the period before; 5:00 from 299.6 s rounds, never truncates.
    input.pace_curve = vec![point(1200, 261.0), point(60, 185.0), point(600, 299.6)];
    input.pace_curve_previous = vec![point(1200, 265.0), point(3600, 290.0), point(600, 301.0)];
    let md = render_markdown(&input);
    let table: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("### Best grade-adjusted (GAP) pace per duration"))
        .skip(1)
        .skip_while(|l| l.is_empty())
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(
        table,
        [
            "| Duration | This period | Period before |",
            "|---|--:|--:|",
            "| 1 min | 3:05/km | – |",
            "| 3 min | – | – |",
            "| 5 min | – | – |",
            "| 10 min | 5:00/km | 5:01/km |",
            "| 20 min | 4:21/km | 4:25/km |",
            "| 30 min | – | – |",
            "| 60 min | – | 4:50/km |",
        ],
        "{md}"
    );
    // Before the activities, as the page shows the curve before its table.
    assert!(
        md.find("### Best grade-adjusted").unwrap() < md.find("### Recent activities").unwrap()
    );
}

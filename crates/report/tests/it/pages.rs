//! The page and the summary: what they show, and that text from data cannot break them.

use hrdrift_report::{ChartKind, ReportInput, render_html, render_markdown};

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
}

//! Each chart renders at the default size and is not blank, with data and without.

use std::time::Instant;

use hrdrift_report::{ChartKind, DEFAULT_SIZE, ReportInput, render_chart, render_charts};

use crate::{decode_png, synthetic};

// A blank white PNG has variance 0 and no ink. The thresholds sit below what the emptiest real
// chart (a "no data" panel: title, light grey box, two lines of text) measures (variance 210 to
// 380, 0.85 % to 1.5 % of pixels darker than light grey) and far above a blank one.
const MIN_VARIANCE: f64 = 100.0;
const MIN_INK: f64 = 0.004;

#[test]
fn every_chart_renders_at_1200x600_and_is_not_blank() {
    let input = synthetic::athlete();
    for (kind, png) in render_charts(&input, DEFAULT_SIZE).unwrap() {
        let img = decode_png(&png);
        assert_eq!((img.width, img.height), (1200, 600), "{kind:?}");
        assert!(
            img.variance() > MIN_VARIANCE,
            "{kind:?} variance {}",
            img.variance()
        );
        assert!(img.inked() > 0.03, "{kind:?} ink {}", img.inked());
    }
}

#[test]
fn an_empty_input_draws_no_data_charts_that_are_not_blank() {
    let input = ReportInput::empty(synthetic::athlete().generated);
    for kind in ChartKind::ALL {
        let img = decode_png(&render_chart(kind, &input, DEFAULT_SIZE).unwrap());
        assert_eq!((img.width, img.height), (1200, 600), "{kind:?}");
        assert!(
            img.variance() > MIN_VARIANCE,
            "{kind:?} variance {}",
            img.variance()
        );
        assert!(img.inked() > MIN_INK, "{kind:?} ink {}", img.inked());
        println!(
            "{kind:?}: variance {:.0}, ink {:.4}",
            img.variance(),
            img.inked()
        );
    }
}

#[test]
fn a_data_chart_has_more_ink_than_its_no_data_panel() {
    let full = synthetic::athlete();
    let empty = ReportInput::empty(full.generated);
    for kind in ChartKind::ALL {
        let with = decode_png(&render_chart(kind, &full, DEFAULT_SIZE).unwrap()).inked();
        let without = decode_png(&render_chart(kind, &empty, DEFAULT_SIZE).unwrap()).inked();
        assert!(with > 2.0 * without, "{kind:?}: {with} vs {without}");
    }
}

#[test]
fn other_sizes_work_and_absurd_sizes_are_errors() {
    let input = synthetic::athlete();
    let img = decode_png(&render_chart(ChartKind::FitnessForm, &input, (800, 400)).unwrap());
    assert_eq!((img.width, img.height), (800, 400));
    let err = render_chart(ChartKind::FitnessForm, &input, (10, 10)).unwrap_err();
    assert!(err.to_string().contains("fitness-form"), "{err}");
}

#[test]
fn partial_and_odd_data_never_fail() {
    let mut input = synthetic::athlete();
    // Values that cannot be drawn: NaN, infinities, one point, mismatched series lengths.
    input.easy_runs.truncate(1);
    input.easy_runs[0].elevation_bpm = Some(f64::NAN);
    input.easy_runs[0].sigma_bpm = Some(f64::INFINITY);
    input.long_runs.truncate(1);
    input.weeks.truncate(1);
    input.weeks[0].s1_share = None;
    input.weeks[0].s2_share = None;
    input.weeks[0].s3_share = None;
    input.weeks[0].flags = vec!["some_new_flag".to_owned(); 5];
    input.days.truncate(1);
    if let Some(b) = input.baseline.as_mut() {
        b.slope_bpm_per_m_s = f64::NAN;
    }
    // A curve with one point, a duplicate, a zero duration and speeds that are not paces.
    input.pace_curve.truncate(1);
    input.pace_curve.extend(input.pace_curve.clone());
    input.pace_curve[0].speed_m_s = f64::NAN;
    input.pace_curve_previous[0].duration_s = 0;
    input.pace_curve_previous[1].speed_m_s = 0.0;
    input.pace_curve_previous[2].speed_m_s = f64::INFINITY;
    if let Some(f) = input.focus.as_mut() {
        f.speed_m_s.truncate(10);
        f.hr_bpm.truncate(100);
        f.name = Some("x".repeat(500));
    }
    for (kind, png) in render_charts(&input, DEFAULT_SIZE).unwrap() {
        let img = decode_png(&png);
        assert!(img.variance() > MIN_VARIANCE, "{kind:?}");
    }
}

#[test]
fn a_chart_renders_in_well_under_a_second() {
    let input = synthetic::athlete();
    render_chart(ChartKind::Activity, &input, DEFAULT_SIZE).unwrap();
    let t = Instant::now();
    for kind in ChartKind::ALL {
        render_chart(kind, &input, DEFAULT_SIZE).unwrap();
    }
    // Generous for an unoptimised test build on a loaded 2-core machine; release is ~10x faster.
    let per_chart = t.elapsed().as_secs_f64() / ChartKind::ALL.len() as f64;
    assert!(per_chart < 1.0, "{per_chart} s per chart");
}

#[test]
fn the_pace_curve_draws_either_period_alone_and_says_so_when_both_are_empty() {
    let full = synthetic::athlete();
    let render = |input: &ReportInput| {
        let img = decode_png(&render_chart(ChartKind::PaceCurve, input, DEFAULT_SIZE).unwrap());
        assert_eq!((img.width, img.height), (1200, 600));
        assert!(img.variance() > MIN_VARIANCE, "variance {}", img.variance());
        img.inked()
    };
    let both = render(&full);
    let mut only_now = full.clone();
    only_now.pace_curve_previous.clear();
    let mut only_before = full.clone();
    only_before.pace_curve.clear();
    let mut neither = full.clone();
    neither.pace_curve.clear();
    neither.pace_curve_previous.clear();
    let (now, before, none) = (render(&only_now), render(&only_before), render(&neither));
    assert!(none > MIN_INK, "the no-data panel is drawn: {none}");
    for (what, ink) in [("both", both), ("this period", now), ("before", before)] {
        assert!(ink > 2.0 * none, "{what}: {ink} vs {none}");
    }
    // The other charts do not depend on the curve: an input with only a curve leaves them empty.
    let mut curve_only = ReportInput::empty(full.generated);
    curve_only.pace_curve = full.pace_curve.clone();
    assert!(render(&curve_only) > 2.0 * none);
}

//! Many activities: the parallel batch, `long` from history, estimated settings.

use hrdrift_analytics::{ActivityContext, AthleteSettings, compute, compute_all, reason};
use hrdrift_ingest::Activity;

use crate::fixtures::{Run, settings};

const DAY_MS: i64 = 86_400_000;

fn run_on(day: i64, minutes: i64, peak: f64) -> Activity {
    let mut a = Run::new(
        minutes * 60,
        move |k| {
            Some(if k == 100 {
                peak
            } else {
                120.0 + (k % 40) as f64
            })
        },
        |_| Some(3.0),
    )
    .activity();
    for t in &mut a.samples.timestamp_ms {
        *t += day * DAY_MS;
    }
    a.start_ms += day * DAY_MS;
    a.id = format!("day{day}");
    a
}

#[test]
fn batch_equals_one_by_one_and_fills_long() {
    // Four 40 min runs a week apart, then a 90 min run: 90 >= 75 and >= 1.5 x 40.
    let mut acts: Vec<Activity> = (0..4).map(|w| run_on(w * 7, 40, 160.0)).collect();
    acts.push(run_on(27, 90, 160.0));
    // Out of order on purpose: history is by start time, not position.
    acts.swap(0, 4);
    let s = settings();
    let all = compute_all(&acts, &s);
    assert_eq!(all.len(), acts.len());
    for (a, m) in acts.iter().zip(&all) {
        let one = compute(a, &s, &ActivityContext::default());
        assert_eq!(one.ef, m.ef);
        assert_eq!(one.id, m.id);
    }
    assert_eq!(all[0].id, "day27");
    assert_eq!(all[0].long, Some(true));
    assert!(all[1..].iter().all(|m| m.long == Some(false)));

    // The first long run with no history.
    let lone = compute_all(&[run_on(0, 90, 160.0)], &s);
    assert_eq!(lone[0].long, None);
    assert_eq!(
        lone[0].absent.get("long").map(String::as_str),
        Some(reason::NO_HISTORY)
    );
}

#[test]
fn estimate_needs_20_activities() {
    let acts: Vec<Activity> = (0..20).map(|d| run_on(d, 20, 185.0)).collect();
    let blank = AthleteSettings::default();
    let s = blank.estimate(&acts[..19]);
    assert_eq!(s.hr_max, None);
    assert_eq!(s.lthr, None);
    assert_eq!(s.hr_rest, Some(50.0));
    assert!(s.estimated.hr_rest && !s.estimated.hr_max);

    let mut acts = acts;
    acts[3].profile_hr_rest = Some(44.0);
    let s = blank.estimate(&acts);
    // HR cycles through 120..=159 evenly (the 185 bpm peaks are spikes and are removed):
    // the 99.5th percentile of that is 159.
    let hr_max = s.hr_max.unwrap();
    assert!((hr_max - 159.0).abs() < 1e-9, "{hr_max}");
    assert!((s.lthr.unwrap() - 0.9 * hr_max).abs() < 1e-9);
    assert_eq!(s.hr_rest, Some(44.0));
    assert!(s.estimated.hr_max && s.estimated.lthr && s.estimated.hr_rest);
    let m = compute(&acts[0], &s, &ActivityContext::default());
    assert_eq!(m.settings_used.estimated, ["hr_max", "hr_rest", "lthr"]);

    // Configured values are kept.
    let given = AthleteSettings {
        hr_max: Some(195.0),
        ..AthleteSettings::default()
    }
    .estimate(&acts);
    assert_eq!(given.hr_max, Some(195.0));
    assert!(!given.estimated.hr_max && given.estimated.lthr);
    assert!((given.lthr.unwrap() - 175.5).abs() < 1e-9);
}

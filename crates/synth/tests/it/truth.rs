//! The ground truth agrees with itself and with the design it claims.

use std::collections::BTreeMap;

use hrdrift_synth::{
    AthleteConfig, RecoveryDesign, RunType, SessionClass, Verdict, WeekLayout, generate,
};

use crate::default_athlete;

#[test]
fn planned_type_matches_the_metrics_class_of_the_noise_free_run() {
    let a = default_athlete();
    for t in &a.truth.activities {
        let want = match t.planned {
            RunType::Easy | RunType::Long => SessionClass::Easy,
            RunType::Moderate => SessionClass::Moderate,
            RunType::Hard => SessionClass::Hard,
        };
        assert_eq!(t.class, want, "{} zones {:?}", t.file, t.steady_zone_s);
    }
}

#[test]
fn long_runs_carry_the_long_flag_after_the_first_weeks() {
    let a = default_athlete();
    for t in a.truth.activities.iter().skip(6) {
        assert_eq!(t.long, t.planned == RunType::Long, "{}", t.file);
    }
}

#[test]
fn recovery_verdicts_match_the_design() {
    let a = default_athlete();
    let mut seen = BTreeMap::new();
    for t in a
        .truth
        .activities
        .iter()
        .filter(|t| t.planned == RunType::Hard)
    {
        let design = t.recovery_design.expect("hard sessions have a design");
        let want = match design {
            RecoveryDesign::Absorbed => Verdict::Absorbed,
            RecoveryDesign::Lingering => Verdict::Lingering,
        };
        let got = t.recovery_verdict.expect("hard sessions have a verdict");
        // The last session of the data set may have no easy run after it.
        if got == Verdict::Unknown && t.index + 3 >= a.len() {
            continue;
        }
        assert_eq!(got, want, "{} recovery_h {:?}", t.file, t.recovery_h);
        *seen.entry(format!("{want:?}")).or_insert(0) += 1;
    }
    assert!(seen.get("Absorbed").copied().unwrap_or(0) >= 20, "{seen:?}");
    assert!(seen.get("Lingering").copied().unwrap_or(0) >= 2, "{seen:?}");
}

#[test]
fn elevated_and_normal_easy_runs_are_clearly_apart() {
    let a = default_athlete();
    let (mut elevated, mut normal) = (0, 0);
    for t in &a.truth.activities {
        let Some(e) = t.expected_e_bpm else { continue };
        if t.intended_elevated == Some(true) {
            elevated += 1;
            assert!(e >= 5.5, "{} e {e}", t.file);
        } else {
            normal += 1;
            assert!(e <= 2.6, "{} e {e}", t.file);
        }
        // Tired and hot days are always elevated.
        if t.tired_day || t.hot_day {
            assert_eq!(t.intended_elevated, Some(true), "{}", t.file);
        }
        if t.hot_day {
            assert!(t.warm_day, "{}", t.file);
        }
    }
    assert!(
        elevated >= 10 && normal >= 60,
        "elevated {elevated} normal {normal}"
    );
}

#[test]
fn weekly_flags_match_counting_the_sessions_and_the_layout() {
    let a = default_athlete();
    let acts = &a.truth.activities;
    for w in &a.truth.weeks {
        let runs: Vec<_> = acts.iter().filter(|t| t.iso_week == w.iso_week).collect();
        assert_eq!(runs.len(), w.runs, "{}", w.iso_week);
        let hard = runs.iter().filter(|t| t.planned == RunType::Hard).count();
        let moderate = runs
            .iter()
            .filter(|t| t.planned == RunType::Moderate)
            .count();
        let easy = runs.len() - hard - moderate;
        assert_eq!(
            (w.hard, w.moderate, w.easy),
            (hard, moderate, easy),
            "{}",
            w.iso_week
        );
        // Recount every flag from the per-activity truth.
        assert_eq!(w.flags.too_many_hard, hard > 2, "{}", w.iso_week);
        let hard_runs: Vec<_> = runs.iter().filter(|t| t.planned == RunType::Hard).collect();
        let b2b = hard_runs
            .windows(2)
            .any(|p| (p[1].start - p[0].end).num_minutes() < 44 * 60);
        assert_eq!(w.flags.hard_back_to_back, b2b, "{}", w.iso_week);
        let moving: u32 = runs.iter().map(|t| t.moving_s).sum();
        let s2: u32 = runs.iter().map(|t| t.zone_s[1]).sum();
        let too_much_moderate =
            f64::from(s2) > 0.25 * f64::from(moving) || moderate * 10 > runs.len() * 4;
        assert_eq!(
            w.flags.too_much_moderate, too_much_moderate,
            "{}",
            w.iso_week
        );
        assert_eq!(
            w.flags.no_true_easy,
            easy * 2 < runs.len(),
            "{}",
            w.iso_week
        );
        let load: f64 = runs.iter().map(|t| t.hrtss).sum();
        assert!((load - w.load_hrtss).abs() < 1e-6);
        assert_eq!(w.flags, w.intended_flags, "{} {:?}", w.iso_week, w.layout);
    }
    // Every broken layout occurs at least once in half a year.
    for l in [
        WeekLayout::ThreeHard,
        WeekLayout::BackToBack,
        WeekLayout::Moderate,
        WeekLayout::LoadSpike,
    ] {
        assert!(a.truth.weeks.iter().any(|w| w.layout == l), "{l:?}");
    }
}

#[test]
fn ctl_and_atl_follow_the_daily_load() {
    let a = default_athlete();
    let days = &a.truth.days;
    assert!(days.len() > 170);
    let total: f64 = a.truth.activities.iter().map(|t| t.hrtss).sum();
    let daily: f64 = days.iter().map(|d| d.load_hrtss).sum();
    assert!((total - daily).abs() < 1e-6);
    // After half a year of roughly constant training CTL sits near the mean daily load.
    let last = days.last().expect("days");
    let mean_recent: f64 = days
        .iter()
        .rev()
        .take(84)
        .map(|d| d.load_hrtss)
        .sum::<f64>()
        / 84.0;
    assert!(
        (last.ctl - mean_recent).abs() < 0.25 * mean_recent,
        "ctl {} mean {mean_recent}",
        last.ctl
    );
    for w in days.windows(2) {
        assert!((w[1].tsb - (w[0].ctl - w[0].atl)).abs() < 1e-9);
    }
}

#[test]
fn generation_is_deterministic_per_seed() {
    let cfg = AthleteConfig {
        weeks: 6,
        ..AthleteConfig::default()
    };
    let a = generate(&cfg);
    let b = generate(&cfg);
    let c = generate(&AthleteConfig { seed: 7, ..cfg });
    assert_eq!(a.truth, b.truth);
    for i in 0..a.len() {
        assert_eq!(a.encode_fit(i), b.encode_fit(i));
    }
    assert_ne!(a.truth, c.truth);
    assert_ne!(a.encode_fit(0), c.encode_fit(0));
}

#[test]
fn activity_count_modes() {
    let a = generate(&AthleteConfig::with_activities(3, 500));
    assert_eq!(a.len(), 500);
    let y = generate(&AthleteConfig {
        weeks: 0,
        ..AthleteConfig::years(3, 1)
    });
    assert!(y.is_empty());
}

#[test]
fn truth_json_round_trips() {
    let a = default_athlete();
    let json = a.truth_json();
    let back: hrdrift_synth::Truth = serde_json::from_str(&json).expect("parses");
    assert_eq!(back.activities.len(), a.len());
    let v: serde_json::Value = serde_json::from_str(&json).expect("parses");
    let first = &v["activities"][0];
    assert!(
        first["start"].as_str().is_some_and(|s| s.ends_with('Z')),
        "{first}"
    );
    assert_eq!(v["athlete"]["sex"], "male");
}

/// Every run has its planned class, every hard session its designed verdict, every easy
/// run a clear elevated / normal expectation, every week its designed flags.
fn check_design(a: &hrdrift_synth::Athlete, label: &str) {
    for t in &a.truth.activities {
        let want = match t.planned {
            RunType::Easy | RunType::Long => SessionClass::Easy,
            RunType::Moderate => SessionClass::Moderate,
            RunType::Hard => SessionClass::Hard,
        };
        assert_eq!(t.class, want, "{label} {}", t.file);
        if t.index >= 6 {
            assert_eq!(t.long, t.planned == RunType::Long, "{label} {}", t.file);
        }
        if let (Some(d), Some(v)) = (t.recovery_design, t.recovery_verdict) {
            let last = t.index + 3 >= a.len();
            let want = match d {
                RecoveryDesign::Absorbed => Verdict::Absorbed,
                RecoveryDesign::Lingering => Verdict::Lingering,
            };
            assert!(
                v == want || (last && v == Verdict::Unknown),
                "{label} {} {v:?}",
                t.file
            );
        }
        if let Some(e) = t.expected_e_bpm {
            assert!(e >= 5.5 || e <= 2.6, "{label} {} e {e}", t.file);
        }
    }
    for w in &a.truth.weeks {
        assert_eq!(
            w.flags, w.intended_flags,
            "{label} {} {:?}",
            w.iso_week, w.layout
        );
    }
}

#[test]
fn design_holds_for_other_seeds() {
    for seed in [1, 2, 3, 22, 24, 1234] {
        let a = generate(&AthleteConfig {
            seed,
            weeks: 56,
            ..AthleteConfig::default()
        });
        check_design(&a, &format!("seed {seed}"));
        assert!(
            a.truth.weeks.iter().any(|w| w.layout == WeekLayout::HotDay),
            "seed {seed}: a summer has a hot day"
        );
    }
}

#[test]
fn ten_years_keep_the_design() {
    let a = generate(&AthleteConfig::years(5, 10));
    assert!((3000..3600).contains(&a.len()), "{}", a.len());
    check_design(&a, "ten years");
    // Fitness saturates rather than running away.
    let last = a.truth.activities.last().expect("activities");
    assert!(last.vmax_m_s <= a.config.physiology.vmax_ceiling_m_s);
    // Summer time shows in the offsets.
    let offsets: std::collections::BTreeSet<i32> =
        a.truth.activities.iter().map(|t| t.utc_offset_s).collect();
    assert_eq!(offsets.into_iter().collect::<Vec<_>>(), [3600, 7200]);
}

#[test]
fn write_to_dir_writes_named_fit_files_and_truth() {
    let a = generate(&AthleteConfig {
        weeks: 2,
        ..AthleteConfig::default()
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let s = a.write_to_dir(dir.path()).expect("writes");
    assert_eq!(s.activities, a.len());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("lists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), a.len() + 1);
    assert_eq!(names[0], "0001-2025-01-06-easy.fit");
    assert_eq!(names[1], "0002-2025-01-07-hard.fit");
    assert_eq!(names.last().map(String::as_str), Some("truth.json"));
    let total: u64 = names
        .iter()
        .filter(|n| n.ends_with(".fit"))
        .map(|n| std::fs::metadata(dir.path().join(n)).expect("stat").len())
        .sum();
    assert_eq!(total, s.fit_bytes);
    let truth: hrdrift_synth::Truth =
        serde_json::from_str(&std::fs::read_to_string(&s.truth_path).expect("reads"))
            .expect("parses");
    // Floats go through decimal text; compare the exact fields and the floats to 1e-9.
    assert_eq!(truth.weeks.len(), a.truth.weeks.len());
    assert_eq!(truth.activities.len(), a.len());
    for ((t, n), orig) in truth.activities.iter().zip(&names).zip(&a.truth.activities) {
        assert_eq!(&t.file, n);
        assert_eq!(
            (t.start, t.end, t.class, t.intended_elevated),
            (orig.start, orig.end, orig.class, orig.intended_elevated)
        );
        assert!((t.hrtss - orig.hrtss).abs() < 1e-9);
    }
}

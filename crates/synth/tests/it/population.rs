//! A population of different runners, and a guard that the default athlete did not change.

use std::sync::OnceLock;

use fitparser::Value;
use hrdrift_synth::{
    Athlete, AthleteConfig, RecoveryDesign, SessionClass, Sex, Verdict, Workout, generate,
    population,
};

use crate::{mean_without_spikes, record_value, records, steps_per_min};

/// Six runners of ten weeks (athletes 2 and 5 are the run-walkers), generated once.
fn six() -> &'static [Athlete] {
    static A: OnceLock<Vec<Athlete>> = OnceLock::new();
    A.get_or_init(|| population(5, 6, 10).iter().map(generate).collect())
}

/// FNV-1a 64: enough to notice any changed byte; hand-written so the test needs no crate.
fn fnv1a(h: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *h ^= u64::from(b);
        *h = h.wrapping_mul(0x0100_0000_01b3);
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// JSON with object keys sorted, whatever map type `serde_json` was built with (a workspace
/// build may turn on `preserve_order`), and without the keys added after the hash was taken.
fn canonical(v: &serde_json::Value, skip: &[&str], out: &mut String) {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().filter(|k| !skip.contains(&k.as_str())).collect();
            keys.sort();
            out.push('{');
            for k in keys {
                out.push_str(&serde_json::to_string(k).expect("string"));
                out.push(':');
                canonical(&m[k], skip, out);
                out.push(',');
            }
            out.push('}');
        }
        serde_json::Value::Array(a) => {
            out.push('[');
            for x in a {
                canonical(x, skip, out);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Keys the truth gained with the runner population; absent from the guarded hash.
const NEW_KEYS: &[&str] = &[
    "steady_pace_zone_s",
    // The crate version, not the data.
    "generator",
    "session_type",
    "walk_share",
    "run_walk",
    "steady_run",
    "easy_hr_frac_lthr",
    // The aerobic threshold the beats follow (issue 18).
    "aet_frac_lthr",
];

#[test]
fn default_athlete_is_unchanged() {
    let a = generate(&AthleteConfig {
        weeks: 4,
        ..AthleteConfig::default()
    });
    let mut fit = FNV_OFFSET;
    for i in 0..a.len() {
        let b = a.encode_fit(i);
        fnv1a(&mut fit, &(b.len() as u64).to_le_bytes());
        fnv1a(&mut fit, &b);
    }
    let v = serde_json::to_value(&a.truth).expect("serializes");
    let mut s = String::new();
    canonical(&v, NEW_KEYS, &mut s);
    let mut truth = FNV_OFFSET;
    fnv1a(&mut truth, s.as_bytes());
    assert_eq!(a.len(), 24);
    // Both values were printed by this test on the generator as it was before the runner
    // population (easy_hr_frac_lthr, run-walk, session types) was added, and pasted here: the
    // default athlete's FIT bytes and its truth (without the keys added since) must not move.
    assert_eq!(
        format!("{fit:016x}"),
        "6cfb60bdaa6a1d6e",
        "FIT bytes changed"
    );
    assert_eq!(format!("{truth:016x}"), "5d52a77953b217da", "truth changed");
}

#[test]
fn population_is_deterministic_and_covers_the_ranges() {
    let n = 9;
    let pop = population(11, n, 20);
    assert_eq!(pop, population(11, n, 20));
    assert_ne!(pop, population(12, n, 20));
    assert!(population(11, 0, 20).is_empty());
    let mut es: Vec<f64> = pop
        .iter()
        .map(|c| c.physiology.easy_hr_frac_lthr.expect("set"))
        .collect();
    es.sort_by(f64::total_cmp);
    // One athlete per stratum of 0.75-0.92.
    for (k, e) in es.iter().enumerate() {
        let lo = 0.75 + 0.17 * k as f64 / n as f64;
        assert!((lo..lo + 0.17 / n as f64).contains(e), "{k}: {e}");
    }
    let mut seeds: Vec<u64> = pop.iter().map(|c| c.seed).collect();
    seeds.sort_unstable();
    seeds.dedup();
    assert_eq!(seeds.len(), n);
    for (i, c) in pop.iter().enumerate() {
        let p = &c.physiology;
        assert_eq!(c.weeks, 20);
        assert_eq!(c.warmup_weeks, AthleteConfig::default().warmup_weeks);
        assert!((150.0..182.0).contains(&p.lthr), "{i}");
        assert!((0.85..=0.91).contains(&(p.lthr / p.hr_max)), "{i}");
        assert!((40.0..60.0).contains(&p.hr_rest), "{i}");
        assert!((3.6..5.2).contains(&p.vmax_start_m_s), "{i}");
        assert!(p.vmax_ceiling_m_s > p.vmax_start_m_s, "{i}");
        assert_eq!(c.sex, if i % 2 == 0 { Sex::Male } else { Sex::Female });
        if i % 3 == 2 {
            assert!((0.6..1.0).contains(&c.run_walk_fraction), "{i}");
        } else {
            assert!(c.run_walk_fraction == 0.0, "{i}");
        }
        assert!((0.1..0.8).contains(&c.hilly_fraction), "{i}");
        assert!((6.0..20.0).contains(&c.temp_mean_c), "{i}");
        assert!((0.0..0.5).contains(&c.smart_recording_fraction), "{i}");
        assert!((4..=10).contains(&c.smart_recording_max_s), "{i}");
        assert!((0.4..1.0).contains(&c.day_noise_bpm), "{i}");
    }
    // Someone trains through a summer.
    assert!(pop.iter().any(|c| {
        let m = chrono::Datelike::month(&c.first_monday());
        (3..=6).contains(&m)
    }));
    let d = AthleteConfig::default();
    assert!(d.run_walk_fraction == 0.0 && d.physiology.easy_hr_frac_lthr.is_none());
}

#[test]
fn easy_hr_sits_at_the_athletes_fraction_of_lthr() {
    let mut seen = 0;
    for a in six() {
        let p = &a.config.physiology;
        let e = p.easy_hr_frac_lthr.expect("population sets it");
        let (mut sum, mut n) = (0.0, 0);
        let mut fit_checked = false;
        for t in &a.truth.activities {
            if t.workout != Workout::Easy || t.intended_elevated != Some(false) {
                continue;
            }
            let (Some(hr), Some(g)) = (t.window_mean_hr_bpm, t.window_mean_gap_m_s) else {
                panic!("{} steady run without window", t.file);
            };
            // Minus the designed offsets and the drift at the window's middle.
            let body = hr - t.elevation_bpm - t.day_noise_bpm - t.drift_bpm_per_h * 1500.5 / 3600.0;
            let dev = (body - e * p.lthr) / p.lthr;
            // The day's pace scatter moves HR along the athlete's line and nothing else does.
            let (vt, q) = (
                p.threshold_speed(t.vmax_m_s),
                p.easy_speed_ratio(t.vmax_m_s),
            );
            let along = (1.0 - e) / (1.0 - q) * (g / vt - q);
            // HR sags in a timer pause or a walk and takes a minute or two to come back
            // (about 1 bpm over the window per pause).
            #[expect(clippy::cast_precision_loss)]
            let tol = 0.004 + 0.008 * t.pauses as f64 + if t.run_walk { 0.006 } else { 0.0 };
            assert!(
                (dev - along).abs() < tol,
                "{} e {e}: dev {dev} along {along}",
                t.file
            );
            sum += dev;
            n += 1;
            if !fit_checked && t.pauses == 0 && !t.run_walk {
                // The file says the same, through sensor noise, dropouts and spikes.
                let fit_hr = mean_without_spikes(
                    hr_records(&a.encode_fit(t.index))
                        .into_iter()
                        .filter(|&(off, _)| off > 600 && off <= 2400)
                        .map(|r| r.1)
                        .collect(),
                );
                let want = hr - body + e * p.lthr + along * p.lthr;
                assert!(
                    (fit_hr - want).abs() < 0.02 * p.lthr,
                    "{} FIT {fit_hr} vs {want}",
                    t.file
                );
                fit_checked = true;
            }
        }
        assert!(
            fit_checked || a.config.run_walk_fraction > 0.0,
            "e {e}: a pause-free easy run"
        );
        assert!(n >= 10, "{n} easy runs");
        let mean = sum / f64::from(n);
        eprintln!(
            "e {e:.3}: {n} easy runs, mean HR off e*LTHR by {:+.2} % LTHR",
            mean * 100.0
        );
        assert!(
            mean.abs() < 0.01,
            "e {e}: easy HR off by {mean} LTHR on average"
        );
        seen += 1;
    }
    assert_eq!(seen, 6);
}

/// (seconds since the file's first record, value) of one channel of a FIT file's records;
/// `cadence` is turned into steps/min.
fn channel(bytes: &[u8], name: &str) -> Vec<(i64, f64)> {
    let mut out = Vec::new();
    let mut t0 = None;
    for m in records(bytes) {
        let Some(Value::Timestamp(ts)) = m
            .fields()
            .iter()
            .find(|f| f.name() == "timestamp")
            .map(|f| f.value())
        else {
            continue;
        };
        let t = ts.timestamp();
        let t0 = *t0.get_or_insert(t);
        let v = if name == "cadence" {
            steps_per_min(&m)
        } else {
            record_value(&m, name)
        };
        if let Some(v) = v {
            out.push((t - t0, v));
        }
    }
    out
}

fn hr_records(bytes: &[u8]) -> Vec<(i64, f64)> {
    channel(bytes, "heart_rate")
}

fn cadence_records(bytes: &[u8]) -> Vec<(i64, f64)> {
    channel(bytes, "cadence")
}

#[test]
fn run_walk_runs_walk_a_fifth_of_the_time_at_walking_cadence() {
    let mut checked_fit = false;
    for idx in [2, 5] {
        let a = &six()[idx];
        let (mut rw, mut steady) = (0, 0);
        for (t, plan) in a.truth.activities.iter().zip(&a.plans) {
            assert_eq!(t.run_walk, plan.run_walk, "{}", t.file);
            if !t.run_walk {
                assert!(t.walk_share == 0.0, "{}", t.file);
                continue;
            }
            rw += 1;
            assert!(
                matches!(t.workout, Workout::Easy | Workout::Long),
                "{}",
                t.file
            );
            assert!(
                (0.10..=0.35).contains(&t.walk_share),
                "{} {}",
                t.file,
                t.walk_share
            );
            // Short running blocks leave under 15 min of elevation seconds in minutes 10-40.
            steady += usize::from(t.steady_run);
            assert_eq!(plan.moving_s(), t.moving_s);
            if checked_fit || t.pauses > 0 {
                continue;
            }
            // Moving time equals elapsed time without pauses: a record's offset names its block.
            let mut blocks = Vec::new();
            let mut end = 0;
            for s in &plan.segments {
                blocks.push((end, end + s.duration_s, s.walking));
                end += s.duration_s;
            }
            let (mut walk, mut run) = (Vec::new(), Vec::new());
            for (off, spm) in cadence_records(&a.encode_fit(t.index)) {
                let Ok(off) = u32::try_from(off) else {
                    continue;
                };
                // Records from 2 s into a block on, clear of the boundary second.
                if let Some(b) = blocks.iter().find(|b| off > b.0 + 1 && off <= b.1) {
                    if b.2 { walk.push(spm) } else { run.push(spm) }
                }
            }
            walk.sort_by(f64::total_cmp);
            run.sort_by(f64::total_cmp);
            assert!(
                walk.len() > 100 && run.len() > 500,
                "{} {}",
                walk.len(),
                run.len()
            );
            let walk_med = walk[walk.len() / 2];
            let high = walk.iter().filter(|&&c| c >= 130.0).count();
            assert!(
                (100.0..125.0).contains(&walk_med),
                "walking cadence {walk_med}"
            );
            assert!(
                high * 100 < walk.len(),
                "{high} of {} walking records >= 130",
                walk.len()
            );
            assert!(
                run[run.len() / 2] > 150.0,
                "running cadence {}",
                run[run.len() / 2]
            );
            checked_fit = true;
        }
        assert!(rw >= 10, "athlete {idx}: {rw} run-walk runs");
        eprintln!("athlete {idx}: {steady} of {rw} run-walk runs are steady runs");
        assert!(
            steady * 3 >= rw,
            "athlete {idx}: {steady} of {rw} run-walk runs steady"
        );
    }
    assert!(checked_fit, "a pause-free run-walk run");
}

#[test]
fn truth_keys_on_session_type_not_hr_class() {
    let mut mismatched = 0;
    for a in six() {
        for t in &a.truth.activities {
            let want = match t.workout {
                Workout::Easy | Workout::Long => SessionClass::Easy,
                Workout::Moderate => SessionClass::Moderate,
                Workout::Intervals | Workout::Tempo => SessionClass::Hard,
            };
            assert_eq!(t.session_type, want, "{}", t.file);
            assert_eq!(t.steady_run, t.expected_e_bpm.is_some(), "{}", t.file);
            if !t.run_walk {
                assert_eq!(
                    t.steady_run,
                    want != SessionClass::Hard && t.moving_s >= 40 * 60,
                    "{}",
                    t.file
                );
            }
            if t.session_type == SessionClass::Easy && t.class != SessionClass::Easy {
                mismatched += 1;
            }
            if let Some(e) = t.expected_e_bpm {
                assert!(e >= 5.5 || e <= 2.6, "{} e {e}", t.file);
            }
            assert_eq!(
                t.recovery_verdict.is_some(),
                t.session_type == SessionClass::Hard,
                "{}",
                t.file
            );
            if let (Some(d), Some(v)) = (t.recovery_design, t.recovery_verdict) {
                let want = match d {
                    RecoveryDesign::Absorbed => Verdict::Absorbed,
                    RecoveryDesign::Lingering => Verdict::Lingering,
                };
                let last = t.index + 3 >= a.len();
                // The design counts on a steady run within 72 h; a run-walk run there may
                // have too few running minutes to be one, and the rule then says otherwise.
                let end = t.end;
                let walked = a.truth.activities[t.index + 1..]
                    .iter()
                    .take_while(|u| u.start <= end + chrono::Duration::hours(72))
                    .any(|u| u.run_walk && !u.steady_run);
                assert!(
                    v == want || (last && v == Verdict::Unknown) || walked,
                    "{} {v:?}",
                    t.file
                );
            }
        }
        for w in &a.truth.weeks {
            let hard = a
                .truth
                .activities
                .iter()
                .filter(|t| t.iso_week == w.iso_week && t.session_type == SessionClass::Hard)
                .count();
            assert_eq!(w.hard, hard, "{}", w.iso_week);
            assert_eq!(w.flags.too_many_hard, w.intended_flags.too_many_hard);
            assert_eq!(
                w.flags.hard_back_to_back,
                w.intended_flags.hard_back_to_back
            );
        }
    }
    // Where easy HR sits high, easy runs cost more than their type says (effort_mismatch).
    assert!(
        mismatched >= 20,
        "{mismatched} easy runs of a higher HR class"
    );
}

//! A population of synthetic runners, not one (issue 16): where easy heart rate sits (75 % to
//! 92 % of LTHR), an HRmax that training never reaches, run-walkers, hilly and flat routes,
//! heat, smart recording and sensor noise vary between athletes. Nothing is configured but sex:
//! HRmax and LTHR are estimated from the files, and the threshold speed from the runs, as for a
//! new user. Checked against each athlete's ground truth:
//! - session types of the easy and hard workouts (>= 95 % per athlete), and every elevated
//!   easy run stays `easy`;
//! - elevated steady runs found with precision and recall >= 0.9 per athlete, >= 0.95 pooled;
//! - recovery verdicts after hard sessions right >= 90 % pooled.

use hrdrift_analytics::{ActivityMetrics, AthleteSettings, SessionClass, Sex};
use hrdrift_synth::{Truth, generate, population};

use crate::history::{Case, analysed, elevated_by_id, expected_verdict, recovery_window};

const ATHLETES: usize = 12;
/// Half a year each: about ten designed elevations per athlete, so that one miss is not a
/// per-athlete recall of 0.8 (sixteen weeks give five).
const WEEKS: u32 = 26;
const SEED: u64 = 16;

fn case(cfg: &hrdrift_synth::AthleteConfig) -> Case {
    let athlete = generate(cfg);
    let base = AthleteSettings {
        sex: match athlete.truth.athlete.sex {
            hrdrift_synth::Sex::Male => Sex::Male,
            hrdrift_synth::Sex::Female => Sex::Female,
        },
        ..AthleteSettings::default()
    };
    analysed(athlete, |acts| base.estimate(acts))
}

fn class_of(c: hrdrift_synth::SessionClass) -> SessionClass {
    match c {
        hrdrift_synth::SessionClass::Easy => SessionClass::Easy,
        hrdrift_synth::SessionClass::Moderate => SessionClass::Moderate,
        hrdrift_synth::SessionClass::Hard => SessionClass::Hard,
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    typed: usize,
    typed_right: usize,
    elevated_easy: usize,
    elevated_easy_kept_easy: usize,
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
    recovery: usize,
    recovery_right: usize,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.typed += o.typed;
        self.typed_right += o.typed_right;
        self.elevated_easy += o.elevated_easy;
        self.elevated_easy_kept_easy += o.elevated_easy_kept_easy;
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.tn += o.tn;
        self.recovery += o.recovery;
        self.recovery_right += o.recovery_right;
    }
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

fn tally(c: &Case) -> Tally {
    let t: &Truth = &c.athlete.truth;
    let mut n = Tally::default();
    let ours = elevated_by_id(c);
    for (i, a) in t.activities.iter().enumerate() {
        let m = &c.rows[i];
        let want = class_of(a.session_type);
        if want != SessionClass::Moderate {
            n.typed += 1;
            n.typed_right += usize::from(m.class == Some(want));
            if m.class != Some(want) {
                println!(
                    "  {}: typed {:?} (hr {:?}), planned {:?}; p zones {:?}, threshold {:?} {:?}",
                    a.file,
                    m.class,
                    m.hr_class,
                    a.workout,
                    m.p_zones_s,
                    m.threshold_speed_m_s,
                    m.threshold_source
                );
            }
        }
        if a.intended_elevated == Some(true) && want == SessionClass::Easy {
            n.elevated_easy += 1;
            n.elevated_easy_kept_easy += usize::from(m.class == Some(SessionClass::Easy));
        }
        let truth = a.intended_elevated.filter(|_| a.baseline_available);
        let found = ours.get(c.ids[i].as_str()).copied().flatten();
        if truth.unwrap_or(false) != found.unwrap_or(false) {
            let r = c.history.easy_runs.iter().find(|r| r.id == c.ids[i]);
            println!(
                "  {}: truth e {:.1} elevated {truth:?}, ours e {:?} elevated {found:?} ({:?}; {:?} {:?}); \
                 HR {:?} predicted {:?} GAP {:?}, truth HR {:?} GAP {:?}, sigma {:?}",
                a.file,
                a.expected_e_bpm.unwrap_or(f64::NAN),
                r.and_then(|r| r.elevation_bpm),
                r.map(|r| &r.absent),
                m.class,
                m.decoupling_quality,
                r.and_then(|r| r.observed_hr_bpm),
                r.and_then(|r| r.predicted_hr_bpm),
                r.and_then(|r| r.gap_speed_m_s),
                a.window_mean_hr_bpm,
                a.window_mean_gap_m_s,
                r.and_then(|r| r.sigma_bpm),
            );
        }
        match (truth, found) {
            (Some(true), Some(true)) => n.tp += 1,
            (Some(false), Some(false)) => n.tn += 1,
            (Some(false) | None, Some(true)) => n.fp += 1,
            (Some(true), Some(false) | None) => n.fn_ += 1,
            _ => {}
        }
    }
    // Recovery: hard sessions whose every steady run in the 5 days after has a baseline on both
    // sides.
    for (i, a) in t.activities.iter().enumerate() {
        let Some(tv) = a.recovery_verdict else {
            continue;
        };
        let window = recovery_window(t, i);
        if !window.iter().all(|&j| t.activities[j].baseline_available) {
            continue;
        }
        let Some(h) = c.history.hard_sessions.iter().find(|h| h.id == c.ids[i]) else {
            continue;
        };
        let want = expected_verdict(tv);
        n.recovery += 1;
        n.recovery_right += usize::from(h.verdict == want);
        if h.verdict != want {
            println!(
                "  {}: recovery truth {tv:?}, got {:?} ({:?})",
                a.file, h.verdict, h.absent
            );
        }
    }
    n
}

#[test]
fn a_population_of_runners_is_typed_and_judged_right() {
    let configs = population(SEED, ATHLETES, WEEKS);
    assert_eq!(configs.len(), ATHLETES);
    let mut all = Tally::default();
    for cfg in &configs {
        let c = case(cfg);
        assert!(c.rows.iter().all(ActivityMetrics::is_finite));
        assert!(c.history.is_finite());
        let n = tally(&c);
        let p = &cfg.physiology;
        println!(
            "athlete seed {}: easy HR {:.0} % LTHR, LTHR {:.0}, HRmax {:.0}, run-walk {:.1}, {} runs: \
             typed {}/{}, elevated easy kept easy {}/{}, elevated tp {} fp {} fn {} tn {} \
             (precision {:.2} recall {:.2}), recovery {}/{}",
            cfg.seed,
            p.easy_hr_frac_lthr.unwrap_or(0.76) * 100.0,
            p.lthr,
            p.hr_max,
            cfg.run_walk_fraction,
            c.rows.len(),
            n.typed_right,
            n.typed,
            n.elevated_easy_kept_easy,
            n.elevated_easy,
            n.tp,
            n.fp,
            n.fn_,
            n.tn,
            n.precision(),
            n.recall(),
            n.recovery_right,
            n.recovery
        );
        all.add(&n);
        assert!(
            n.typed_right as f64 >= 0.95 * n.typed as f64,
            "seed {}: {n:?}",
            cfg.seed
        );
        assert_eq!(
            n.elevated_easy_kept_easy, n.elevated_easy,
            "seed {}: an elevated easy run must stay easy",
            cfg.seed
        );
        assert!(n.precision() >= 0.9, "seed {}: {n:?}", cfg.seed);
        assert!(n.recall() >= 0.9, "seed {}: {n:?}", cfg.seed);
    }
    println!(
        "pooled: typed {}/{}, precision {:.3} recall {:.3} ({} tp), recovery {}/{}",
        all.typed_right,
        all.typed,
        all.precision(),
        all.recall(),
        all.tp,
        all.recovery_right,
        all.recovery
    );
    assert!(all.tp >= 2 * ATHLETES, "{all:?}");
    assert!(all.precision() >= 0.95, "{all:?}");
    assert!(all.recall() >= 0.95, "{all:?}");
    assert!(
        all.recovery_right as f64 >= 0.9 * all.recovery as f64,
        "{all:?}"
    );
}

//! The physiological model seen through the FIT files: what the analytics will measure.

use hrdrift_synth::physio::gap_factor;
use hrdrift_synth::{AthleteConfig, generate};

use crate::{mean_without_spikes, record_value, records, steps_per_min};

/// Per-second (HR, speed, altitude, distance) of a decoded file's records.
fn channels(bytes: &[u8]) -> Vec<(Option<f64>, f64, f64, f64)> {
    records(bytes)
        .iter()
        .map(|m| {
            let get = |name: &str| record_value(m, name);
            (
                get("heart_rate"),
                get("enhanced_speed").unwrap_or(0.0),
                get("enhanced_altitude").unwrap_or(0.0),
                get("distance").unwrap_or(0.0),
            )
        })
        .collect()
}

/// Least squares for y = X b with a handful of columns (normal equations, Gauss-Jordan).
// Row operations on an augmented matrix read best with explicit indices.
#[allow(clippy::needless_range_loop)]
fn ols(rows: &[(Vec<f64>, f64)]) -> Vec<f64> {
    let k = rows[0].0.len();
    let mut m = vec![vec![0.0; k + 1]; k];
    for (x, y) in rows {
        for i in 0..k {
            for j in 0..k {
                m[i][j] += x[i] * x[j];
            }
            m[i][k] += x[i] * y;
        }
    }
    for c in 0..k {
        let p = m[c][c];
        for j in 0..=k {
            m[c][j] /= p;
        }
        for r in 0..k {
            if r != c {
                let f = m[r][c];
                for j in 0..=k {
                    m[r][j] -= f * m[c][j];
                }
            }
        }
    }
    m.iter().map(|r| r[k]).collect()
}

struct EasyRun {
    day: f64,
    hr: f64,
    speed: f64,
    expected_e: f64,
    elevated: bool,
}

/// Minutes 10-40 of every easy-class run of a flat, pause-free athlete, from the FIT files.
fn easy_windows() -> (Vec<EasyRun>, f64) {
    let cfg = AthleteConfig {
        hilly_fraction: 0.0,
        pause_fraction: 0.0,
        smart_recording_fraction: 0.0,
        ..AthleteConfig::default()
    };
    let a = generate(&cfg);
    let p = &cfg.physiology;
    let model_slope = (p.hr_max - p.hr_rest) * 0.9 / p.vmax(90.0);
    let start = a.truth.activities[0].start;
    let mut out = Vec::new();
    for t in &a.truth.activities {
        let Some(e) = t.expected_e_bpm else { continue };
        let ch = channels(&a.encode_fit(t.index));
        let w = &ch[601..=2400];
        out.push(EasyRun {
            day: (t.start - start).num_seconds() as f64 / 86_400.0,
            hr: mean_without_spikes(w.iter().filter_map(|c| c.0).collect()),
            speed: w.iter().map(|c| c.1).sum::<f64>() / w.len() as f64,
            expected_e: e,
            elevated: t.intended_elevated == Some(true),
        });
    }
    (out, model_slope)
}

#[test]
fn easy_run_hr_rises_with_speed_and_elevations_come_back_out() {
    let (runs, model_slope) = easy_windows();
    // Baseline: HR = a + b speed + c day (the day term absorbs the slow fitness gain), fitted
    // on the runs the truth calls normal.
    let rows: Vec<(Vec<f64>, f64)> = runs
        .iter()
        .filter(|r| !r.elevated)
        .map(|r| (vec![1.0, r.speed, r.day], r.hr - r.expected_e))
        .collect();
    let b = ols(&rows);
    assert!(b[1] > 0.0, "HR rises with speed: slope {}", b[1]);
    assert!(
        (b[1] - model_slope).abs() < 0.2 * model_slope,
        "slope {} vs model {model_slope}",
        b[1]
    );
    assert!(b[2] < 0.0, "fitness lowers HR at a given speed: {}", b[2]);

    let resid = |r: &EasyRun| r.hr - (b[0] + b[1] * r.speed + b[2] * r.day);
    let normal: Vec<f64> = runs
        .iter()
        .filter(|r| !r.elevated)
        .map(|r| resid(r) - r.expected_e)
        .collect();
    let sd = (normal.iter().map(|x| x * x).sum::<f64>() / normal.len() as f64).sqrt();
    // The baseline's spread stays at METRICS.md's 1.5 bpm sigma floor or below.
    assert!(sd < 1.5, "normal-run scatter {sd}");

    let elevated: Vec<&EasyRun> = runs.iter().filter(|r| r.elevated).collect();
    assert!(elevated.len() >= 6, "{} elevated runs", elevated.len());
    let mean_gap = elevated
        .iter()
        .map(|r| resid(r) - r.expected_e)
        .sum::<f64>()
        / elevated.len() as f64;
    eprintln!(
        "{} elevated, mean gap {mean_gap:.2}, normal sd {sd:.2}, slope {:.2}",
        elevated.len(),
        b[1]
    );
    assert!(
        mean_gap.abs() < 1.0,
        "elevated runs measure their intended bpm on average: off by {mean_gap}"
    );
    for r in &elevated {
        assert!(
            resid(r) >= 4.0,
            "an intended-elevated run measures {}",
            resid(r)
        );
    }
}

#[test]
fn on_hills_pace_varies_but_grade_adjusted_pace_does_not() {
    let cfg = AthleteConfig {
        hilly_fraction: 1.0,
        pause_fraction: 0.0,
        smart_recording_fraction: 0.0,
        weeks: 1,
        ..AthleteConfig::default()
    };
    let a = generate(&cfg);
    let t = a
        .truth
        .activities
        .iter()
        .find(|t| t.expected_e_bpm.is_some())
        .expect("an easy run");
    let ch = channels(&a.encode_fit(t.index));
    let w = &ch[601..=2400];
    let (mut speeds, mut gaps) = (Vec::new(), Vec::new());
    for k in 30..w.len() - 30 {
        // Grade from altitude over distance across 60 s, as an analysis would smooth it.
        let dd = w[k + 30].3 - w[k - 30].3;
        let grade = (w[k + 30].2 - w[k - 30].2) / dd;
        let v = (w[k + 30].3 - w[k - 30].3) / 60.0;
        speeds.push(v);
        gaps.push(v * gap_factor(grade));
    }
    let cv = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / x.len() as f64).sqrt() / m
    };
    assert!(cv(&speeds) > 0.05, "hills change pace: cv {}", cv(&speeds));
    assert!(
        cv(&gaps) < 0.5 * cv(&speeds),
        "GAP cv {} vs pace cv {}",
        cv(&gaps),
        cv(&speeds)
    );
}

#[test]
fn tired_days_run_with_a_less_steady_cadence() {
    let a = crate::default_athlete();
    let cv_of = |i: usize| {
        let spm: Vec<f64> = records(&a.encode_fit(i))
            .iter()
            .filter_map(steps_per_min)
            .skip(600)
            .take(1800)
            .collect();
        let m = spm.iter().sum::<f64>() / spm.len() as f64;
        (spm.iter().map(|v| (v - m).powi(2)).sum::<f64>() / spm.len() as f64).sqrt() / m
    };
    let easy: Vec<&hrdrift_synth::ActivityTruth> = a
        .truth
        .activities
        .iter()
        .filter(|t| t.expected_e_bpm.is_some() && t.pauses == 0 && !t.smart_recording)
        .collect();
    let mut normal: Vec<f64> = easy
        .iter()
        .filter(|t| !t.tired_day)
        .take(20)
        .map(|t| cv_of(t.index))
        .collect();
    normal.sort_by(f64::total_cmp);
    let median = normal[normal.len() / 2];
    let tired: Vec<f64> = easy
        .iter()
        .filter(|t| t.tired_day)
        .map(|t| cv_of(t.index))
        .collect();
    assert!(!tired.is_empty());
    for cv in tired {
        assert!(
            cv > 1.6 * median,
            "tired-day cadence cv {cv} vs normal median {median}"
        );
    }
    // Hills change pace, not rhythm: the normal runs' spread stays small.
    assert!(
        normal.last().copied().unwrap_or(1.0) < 1.5 * median,
        "{normal:?}"
    );
}

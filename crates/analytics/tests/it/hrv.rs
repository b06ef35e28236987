//! HRV from RR intervals (METRICS.md section 5) on series whose answer is known: white noise
//! (alpha1 0.5), 1/f noise (1.0), Brownian noise (1.5), a constant (none), artifacts injected at
//! known beats.

use hrdrift_analytics::hrv::{
    Alpha1Window, MAX_ARTIFACT_SHARE, alpha1_windows, clean_mask, dfa_alpha1, rmssd_ms,
};

/// SplitMix64 and Box-Muller: a fixed-seed normal generator with no dependency.
struct Normal(u64);

impl Normal {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn next(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

fn white(seed: u64, n: usize) -> Vec<f64> {
    let mut g = Normal(seed);
    (0..n).map(|_| 500.0 + 10.0 * g.next()).collect()
}

fn brownian(seed: u64, n: usize) -> Vec<f64> {
    let mut g = Normal(seed);
    let mut x = 0.0;
    (0..n)
        .map(|_| {
            x += g.next();
            500.0 + x
        })
        .collect()
}

/// 1/f noise by spectral synthesis: amplitude f^(-1/2) at every frequency, random phases.
fn pink(seed: u64, n: usize) -> Vec<f64> {
    let mut g = Normal(seed);
    let parts: Vec<(f64, f64, f64)> = (1..=n / 2)
        .map(|k| {
            let f = k as f64 / n as f64;
            (f, f.powf(-0.5), std::f64::consts::TAU * g.uniform())
        })
        .collect();
    (0..n)
        .map(|t| {
            let s: f64 = parts
                .iter()
                .map(|(f, a, phase)| a * (std::f64::consts::TAU * f * t as f64 + phase).cos())
                .sum();
            500.0 + s
        })
        .collect()
}

/// Alpha1 of white noise as DFA1 over boxes of 4 to 16 beats gives it, in closed form: the
/// expected squared fluctuation of a random walk's profile after a straight-line fit in boxes of
/// `n` points is proportional to (n^2 - 4) / n, whose log-log slope over 4..=16 is 0.583, not
/// the 0.5 of large boxes. The 0.75 and 0.5 lines of section 5 are read on this same estimator,
/// so hrdrift does not correct it.
fn white_noise_alpha1() -> f64 {
    let (x, y): (Vec<f64>, Vec<f64>) = (4..=16)
        .map(|n| {
            let n = f64::from(n);
            (n.ln(), 0.5 * ((n * n - 4.0) / (15.0 * n)).ln())
        })
        .unzip();
    let (mx, my) = (x.iter().sum::<f64>() / 13.0, y.iter().sum::<f64>() / 13.0);
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    sxy / sxx
}

#[test]
fn alpha1_of_white_noise_is_its_closed_form() {
    let want = white_noise_alpha1();
    assert!((want - 0.583).abs() < 0.001, "{want}");
    let a = dfa_alpha1(&white(7, 100_000)).unwrap();
    assert!((a - want).abs() < 0.01, "{a} against {want}");
}

#[test]
fn alpha1_of_known_noises_in_windows_a_run_gives() {
    // About 300 beats in 120 s, 40 seeds each: the mean close to the theory, every window within
    // a band wide enough for the spread of so short a series.
    for (name, want, series) in [
        (
            "white",
            white_noise_alpha1(),
            &(|s| white(s, 300)) as &dyn Fn(u64) -> Vec<f64>,
        ),
        ("1/f", 1.0, &|s| pink(s, 300)),
        ("brownian", 1.5, &|s| brownian(s, 300)),
    ] {
        let a: Vec<f64> = (1..=40)
            .map(|seed| dfa_alpha1(&series(seed)).unwrap())
            .collect();
        let mean = a.iter().sum::<f64>() / a.len() as f64;
        assert!(
            (mean - want).abs() < 0.06,
            "{name}: mean {mean:.3} of {a:.3?}"
        );
        assert!(a.iter().all(|x| (x - want).abs() < 0.35), "{name}: {a:.3?}");
    }
    // And on long series, where the estimate settles.
    assert!((dfa_alpha1(&pink(7, 8000)).unwrap() - 1.0).abs() < 0.05);
    assert!((dfa_alpha1(&brownian(7, 100_000)).unwrap() - 1.5).abs() < 0.03);
}

#[test]
fn a_series_without_fluctuation_or_too_short_has_no_alpha1() {
    assert_eq!(dfa_alpha1(&[600.0; 400]), None);
    assert_eq!(dfa_alpha1(&white(1, 31)), None);
    assert_eq!(dfa_alpha1(&[]), None);
    assert!(dfa_alpha1(&white(1, 32)).is_some());
}

#[test]
fn rmssd_takes_pairs_of_clean_neighbours_only() {
    let rr: Vec<f64> = (0..100)
        .map(|i| if i % 2 == 0 { 600.0 } else { 620.0 })
        .collect();
    let clean = clean_mask(&rr);
    assert!(clean.iter().all(|&c| c));
    assert!((rmssd_ms(&rr, &clean).unwrap() - 20.0).abs() < 1e-9);
    // A missed beat (1,220 ms) is dropped, and with it the two differences it takes part in.
    let mut missed = rr.clone();
    missed[50] = 1220.0;
    let clean = clean_mask(&missed);
    assert_eq!(clean.iter().filter(|&&c| !c).count(), 1);
    assert!((rmssd_ms(&missed, &clean).unwrap() - 20.0).abs() < 1e-9);
    assert_eq!(rmssd_ms(&[600.0], &[true]), None);
    assert_eq!(rmssd_ms(&[], &[]), None);
}

#[test]
fn injected_artifacts_are_found_and_clean_beats_kept() {
    for seed in 1..=5 {
        let mut rr = white(seed, 5000);
        let mut g = Normal(seed + 100);
        let mut bad = vec![false; rr.len()];
        // Every kind a strap or a watch produces: missed beats (two intervals as one), extra
        // beats (one split in two), dropouts stored as 0 or 65,535, and negative noise.
        let mut i = 20;
        while i < rr.len() - 20 {
            match i % 4 {
                0 => rr[i] *= 2.0,
                1 => {
                    rr[i] *= 0.45;
                    rr[i + 1] *= 0.55;
                    bad[i + 1] = true;
                }
                2 => rr[i] = 0.0,
                _ => rr[i] = if g.uniform() < 0.5 { 65_535.0 } else { -400.0 },
            }
            bad[i] = true;
            i += 37 + (g.uniform() * 40.0) as usize;
        }
        let clean = clean_mask(&rr);
        let injected = bad.iter().filter(|&&b| b).count();
        let found = bad.iter().zip(&clean).filter(|&(&b, &c)| b && !c).count();
        let kept = bad.iter().zip(&clean).filter(|&(&b, &c)| !b && c).count();
        let good = rr.len() - injected;
        assert!(
            found as f64 >= 0.95 * injected as f64,
            "seed {seed}: {found}/{injected}"
        );
        assert!(
            kept as f64 >= 0.99 * good as f64,
            "seed {seed}: kept {kept}/{good}"
        );
    }
}

#[test]
fn windows_slide_every_20_s_and_refuse_too_many_artifacts() {
    // Ten minutes and 5 s at 500 ms: windows of 120 s every 20 s, the last from 480 s.
    let mut rr = white(3, 1210);
    let w = alpha1_windows(&rr, &clean_mask(&rr));
    assert_eq!(w.len(), 25);
    assert!(
        w.windows(2)
            .all(|p| (p[1].start_s - p[0].start_s - 20.0).abs() < 1e-9)
    );
    for x in &w {
        assert!((x.end_s - x.start_s - 120.0).abs() < 1e-9);
        assert!(x.alpha1.is_some_and(|a| (a - 0.583).abs() < 0.35), "{x:?}");
    }
    // One in ten beats of the first two minutes stored as 0: the windows holding them say so.
    for i in (0..240).step_by(10) {
        rr[i] = 0.0;
    }
    let w = alpha1_windows(&rr, &clean_mask(&rr));
    let first: &Alpha1Window = &w[0];
    assert!(first.artifact_share > MAX_ARTIFACT_SHARE, "{first:?}");
    assert_eq!(first.alpha1, None);
    assert!(w.last().is_some_and(|x| x.alpha1.is_some()));
    assert!(alpha1_windows(&[], &[]).is_empty());
    assert!(alpha1_windows(&[f64::NAN; 10], &[false; 10]).is_empty());
}

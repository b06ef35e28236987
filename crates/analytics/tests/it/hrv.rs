//! HRV from RR intervals (METRICS.md section 5) on series whose answer is known: white noise
//! (alpha1 0.5), 1/f noise (1.0), Brownian noise (1.5), a constant (none), artifacts injected at
//! known beats.

use hrdrift_analytics::hrv::{
    Alpha1Window, MAX_ARTIFACT_SHARE, alpha1_windows, clean_mask, dfa_alpha1, rmssd_ms,
};

/// SplitMix64 and Box-Muller: a fixed-seed normal generator with no dependency.
pub(crate) struct Normal(pub(crate) u64);

impl Normal {
    pub(crate) fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn next(&mut self) -> f64 {
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

mod on_the_record_clock {
    //! The per-activity fields (METRICS.md section 5, `hrv::clock`) on runs made from the
    //! series above, with the ground truth known: where a strap dropped out, which beats are
    //! artifacts, where alpha1 crosses 0.75.

    use hrdrift_analytics::hrv::clock::{Beats, HrvFields, fields, windows};
    use hrdrift_analytics::reason;

    use super::{Normal, pink, white};

    const START: i64 = 1_750_000_000_000;

    /// Zero mean, unit deviation.
    fn normalized(x: &[f64]) -> Vec<f64> {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        x.iter().map(|v| (v - mean) / sd).collect()
    }

    /// A run's beats: the mean interval of `hr(t)` (t in s from the start) plus 15 ms of
    /// `pattern`, anchored to records every second, as a watch's `hrv` messages are.
    fn run(pattern: &[f64], hr: impl Fn(f64) -> f64) -> (Vec<f64>, Vec<i64>) {
        let (mut rr, mut anchors) = (Vec::new(), Vec::new());
        let mut t = 0.0;
        for f in pattern {
            let x = 60_000.0 / hr(t / 1000.0) + 15.0 * f;
            anchors.push(START + (t / 1000.0).floor() as i64 * 1000);
            t += x;
            rr.push(x);
        }
        (rr, anchors)
    }

    fn moving(rr: &[f64]) -> Vec<(f64, f64)> {
        let end = START as f64 + rr.iter().sum::<f64>();
        vec![(START as f64, end)]
    }

    #[test]
    fn a_strap_that_drops_out_is_put_back_on_the_clock_and_invalid_values_take_no_time() {
        let (mut rr, mut anchors) = run(&normalized(&white(1, 600)), |_| 150.0);
        // Three minutes without beats: the next messages are anchored 180 s later.
        let gap_at = 300;
        for a in &mut anchors[gap_at..] {
            *a += 180_000;
        }
        rr[100] = 65_535.0;
        rr[101] = 0.0;
        let beats = Beats::align(&rr, &anchors, START);
        let jumps: Vec<usize> = (0..rr.len()).filter(|&i| beats.after_jump[i]).collect();
        assert_eq!(jumps, [gap_at]);
        assert!((beats.end_ms[gap_at] - anchors[gap_at] as f64).abs() < 1e-6);
        assert_eq!((beats.took_ms[100], beats.took_ms[101]), (0.0, 0.0));
        // Before the gap, RR time is the running sum of the intervals that are time.
        let sum: f64 = rr[..gap_at].iter().filter(|x| **x < 5000.0).sum::<f64>();
        // (Within rounding: times near 1.75e12 ms carry 0.0002 ms steps.)
        assert!((beats.end_ms[gap_at - 1] - (START as f64 + sum)).abs() < 0.1);
        assert!(!beats.clean[100] && !beats.clean[101]);
        // No window spans the gap as if beats filled it: those over it are sparse.
        for w in windows(&beats) {
            let over_gap = w.start_ms < anchors[gap_at] as f64 - 60_000.0
                && w.end_ms > anchors[gap_at] as f64 - 120_000.0;
            if over_gap {
                assert_eq!(w.alpha1, Err(reason::RR_SPARSE), "{w:?}");
            }
        }
        // Anchors that go backwards or are missing leave numbers or reasons, never a panic.
        let mut back = anchors.clone();
        back.reverse();
        for a in [&back[..], &[][..], &anchors[..10]] {
            let f = fields(&Beats::align(&rr, a, START), &moving(&rr));
            let all = [
                f.rr_artifact_pct,
                f.rmssd_ms,
                f.dfa_a1_mean,
                f.a1_drift,
                f.aet_hr_bpm,
            ];
            assert!(
                all.iter()
                    .all(|v| v.is_err_and(|why| !why.is_empty()) || v.is_ok_and(f64::is_finite)),
                "{all:?}"
            );
            assert!(f.rr_artifact_pct.is_ok());
        }
    }

    #[test]
    fn a_steady_run_gives_its_series_numbers_and_no_threshold() {
        let pattern = normalized(&white(7, 3000));
        let (rr, anchors) = run(&pattern, |_| 150.0);
        let f = fields(&Beats::align(&rr, &anchors, START), &moving(&rr));
        assert_eq!(f.rr_beats, 3000);
        assert!(f.rr_artifact_pct.is_ok_and(|p| p < 0.5), "{f:?}");
        // Successive differences of white noise of sd 15 ms: sqrt(2) x 15.
        let rmssd = f.rmssd_ms.unwrap();
        assert!((rmssd - 15.0 * 2f64.sqrt()).abs() < 1.5, "{rmssd}");
        let a1 = f.dfa_a1_mean.unwrap();
        assert!((a1 - super::white_noise_alpha1()).abs() < 0.08, "{a1}");
        assert!(f.a1_drift.is_ok_and(|d| d.abs() < 0.1), "{f:?}");
        assert_eq!(f.aet_hr_bpm, Err(reason::A1_DOES_NOT_CROSS));
    }

    #[test]
    fn no_rr_sparse_rr_and_artifacts_say_why() {
        let none = fields(&Beats::align(&[], &[], START), &[]);
        assert_eq!(none.rmssd_ms, Err(reason::NO_RR));
        assert_eq!(none.dfa_a1_mean, Err(reason::NO_RR));
        assert_eq!(none.rr_beats, 0);

        // About one beat a second stored (a device that keeps the beat nearest each record):
        // the intervals add up to 40 % of the time.
        let pattern = normalized(&white(3, 1500));
        let rr: Vec<f64> = pattern.iter().map(|f| 400.0 + 10.0 * f).collect();
        let anchors: Vec<i64> = (0..rr.len() as i64).map(|i| START + i * 1000).collect();
        let span = vec![(START as f64, START as f64 + 1500.0 * 1000.0)];
        let sparse = fields(&Beats::align(&rr, &anchors, START), &span);
        assert_eq!(sparse.rmssd_ms, Err(reason::RR_SPARSE));
        assert_eq!(sparse.dfa_a1_mean, Err(reason::RR_SPARSE));

        // 10 % artifacts: found, and too many for every field that needs clean beats.
        let (mut rr, anchors) = run(&normalized(&white(5, 3000)), |_| 150.0);
        let mut g = Normal(11);
        let mut hit = 0;
        for i in (20..rr.len() - 20).step_by(10) {
            rr[i] *= if g.uniform() < 0.5 { 0.5 } else { 1.9 };
            hit += 1;
        }
        let f: HrvFields = fields(&Beats::align(&rr, &anchors, START), &moving(&rr));
        let pct = f.rr_artifact_pct.unwrap();
        let want = 100.0 * f64::from(hit) / rr.len() as f64;
        assert!((pct - want).abs() < 0.5, "{pct} vs {want}");
        assert_eq!(f.rmssd_ms, Err(reason::TOO_MANY_ARTIFACTS));
        assert_eq!(f.dfa_a1_mean, Err(reason::TOO_MANY_ARTIFACTS));
    }

    /// A warm-up: HR from 75 to 155 bpm with a time constant of 40 s, then steady, on
    /// uncorrelated beats. The rise inside the first windows would read as alpha1 above 0.75 and
    /// a threshold "crossed" at a low HR; those windows say `hr_changing` instead, and nothing
    /// crosses.
    #[test]
    fn a_warm_up_does_not_read_as_a_threshold() {
        let pattern = normalized(&white(31, 3600));
        let hr = |t: f64| 155.0 - 80.0 * (-t / 40.0).exp();
        let (rr, anchors) = run(&pattern, hr);
        let beats = Beats::align(&rr, &anchors, START);
        let w = windows(&beats);
        assert_eq!(w[0].alpha1, Err(reason::HR_CHANGING), "{:?}", w[0]);
        assert!(w.iter().skip(10).all(|w| w.alpha1.is_ok()), "{w:?}");
        let f = fields(&beats, &moving(&rr));
        assert_eq!(f.aet_hr_bpm, Err(reason::A1_DOES_NOT_CROSS), "{f:?}");
    }

    /// A ramp run: 1/f beats (alpha1 near 1.0) for its first half, white ones (near 0.58) for
    /// its second, while HR rises steadily. Alpha1 crosses 0.75 where the halves meet, so the
    /// threshold is the HR there; the same run 10 bpm higher has it 10 bpm higher, and the run
    /// the other way round (alpha1 rising with HR) has none.
    #[test]
    fn the_aerobic_threshold_is_where_alpha1_falls_through_0_75() {
        let half = 2600;
        let mut pattern = normalized(&pink(21, half));
        pattern.extend(normalized(&white(22, half)));
        for offset in [0.0, 10.0] {
            // HR rises 1 bpm a minute from 130 + offset: find the HR where the halves meet.
            let hr = |t: f64| 130.0 + offset + t / 60.0;
            let (rr, anchors) = run(&pattern, hr);
            let meet_s = rr[..half].iter().sum::<f64>() / 1000.0;
            let truth = hr(meet_s);
            let f = fields(&Beats::align(&rr, &anchors, START), &moving(&rr));
            let aet = f.aet_hr_bpm.unwrap();
            assert!(
                (aet - truth).abs() <= 3.0,
                "offset {offset}: {aet} vs {truth}"
            );
            assert!(f.a1_drift.is_ok_and(|d| d < -0.2), "{f:?}");
        }
        let mut reversed = normalized(&white(22, half));
        reversed.extend(normalized(&pink(21, half)));
        let (rr, anchors) = run(&reversed, |t| 130.0 + t / 60.0);
        let f = fields(&Beats::align(&rr, &anchors, START), &moving(&rr));
        assert_eq!(f.aet_hr_bpm, Err(reason::A1_DOES_NOT_CROSS));
    }
}

/// A device that stores an HR-derived interval, each value several times over (as the bike
/// computer of `bpg--garmin.fit` does), is not read as beats: its smooth series would read as a
/// very high alpha1.
#[test]
fn repeated_intervals_are_not_read_as_beats() {
    use hrdrift_analytics::hrv::clock::{Beats, fields};
    use hrdrift_analytics::reason;
    let start = 1_750_000_000_000_i64;
    let beats: Vec<f64> = white(9, 3000)
        .iter()
        .map(|x| (400.0 + (x - 500.0)).round())
        .collect();
    let span = |rr: &[f64]| vec![(start as f64, start as f64 + rr.iter().sum::<f64>())];
    // Real beats at 1 ms resolution repeat now and then: read.
    let real = fields(&Beats::align(&beats, &[], start), &span(&beats));
    assert!(real.dfa_a1_mean.is_ok(), "{real:?}");
    let repeated: Vec<f64> = beats.iter().flat_map(|&x| [x, x, x]).collect();
    let f = fields(&Beats::align(&repeated, &[], start), &span(&repeated));
    assert_eq!(f.rr_beats, 9000);
    assert!(f.rr_artifact_pct.is_ok());
    for v in [f.rmssd_ms, f.dfa_a1_mean, f.a1_drift, f.aet_hr_bpm] {
        assert_eq!(v, Err(reason::RR_REPEATED));
    }
}

/// Every real file: the beats counted are the file's, an activity without RR says `no_rr`, every
/// value is finite, and the bike computer that repeats its intervals is not read as beats.
#[test]
fn the_fixtures_with_and_without_beats() {
    use hrdrift_analytics::{ActivityContext, analyze, reason};
    let settings = crate::fixtures::settings();
    let (mut with_rr, mut without) = (Vec::new(), 0);
    for (path, a) in crate::reanchor::fixture_activities() {
        let m = analyze(&a, &settings, &ActivityContext::default()).metrics;
        assert_eq!(m.rr_beats, a.rr_ms.len() as u64, "{path}");
        assert!(m.is_finite(), "{path}");
        let absent = |k: &str| m.absent.get(k).map(String::as_str);
        if a.rr_ms.is_empty() {
            without += 1;
            for k in [
                "rr_artifact_pct",
                "rmssd_ms",
                "dfa_a1_mean",
                "a1_drift",
                "aet_hr_bpm",
            ] {
                assert_eq!(absent(k), Some(reason::NO_RR), "{path}: {k}");
            }
        } else {
            let name = path.rsplit('/').next().unwrap_or_default().to_owned();
            with_rr.push((
                name,
                m.rr_beats,
                m.rr_artifact_pct,
                absent("rmssd_ms").map(str::to_owned),
                absent("dfa_a1_mean").map(str::to_owned),
            ));
        }
    }
    assert!(without > 20, "{without} fixtures without RR");
    // The four files with RR: two bike computers that repeat each interval, and two watch
    // files of a minute, shorter than the warm-up (no steady portion).
    let want = [
        ("bpg--garmin.fit", 22_048, reason::RR_REPEATED),
        ("garmin-edge-820-bike.fit", 126, reason::RR_REPEATED),
        ("garmin-fenix-5-run.fit", 113, reason::TOO_SHORT),
        ("garmin-fenix-5-walk.fit", 62, reason::TOO_SHORT),
    ];
    with_rr.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(with_rr.len(), want.len(), "{with_rr:?}");
    for (got, (name, beats, why)) in with_rr.iter().zip(want) {
        assert_eq!((got.0.as_str(), got.1), (name, beats));
        assert!(got.2.is_some_and(|p| (0.0..=100.0).contains(&p)), "{got:?}");
        assert_eq!(
            (got.3.as_deref(), got.4.as_deref()),
            (Some(why), Some(why)),
            "{got:?}"
        );
    }
}

/// The measured aerobic threshold is the median over the 90 days to the day asked, of the runs
/// that have one; the trends sentence appears only when the latest easy runs sat above it.
#[test]
fn the_measured_threshold_over_90_days_and_easy_runs_above_it() {
    use hrdrift_analytics::hrv::{easy_above_aet, measured_aet};
    use hrdrift_analytics::{ActivityContext, EasyRun, compute};
    const DAY: i64 = 86_400_000;
    let base = compute(
        &crate::fixtures::Run::new(600, |_| Some(140.0), |_| Some(3.0)).activity(),
        &crate::fixtures::settings(),
        &ActivityContext::default(),
    );
    let now = base.start_ms + 200 * DAY;
    let row = |days_ago: i64, aet: Option<f64>| {
        let mut m = base.clone();
        m.start_ms = now - days_ago * DAY;
        m.aet_hr_bpm = aet;
        m
    };
    let rows = vec![
        row(120, Some(120.0)), // older than 90 days: left out
        row(80, Some(150.0)),
        row(40, Some(146.0)),
        row(20, None),
        row(10, Some(147.0)),
        row(-5, Some(170.0)), // after the day asked: left out
    ];
    let aet = measured_aet(&rows, now).expect("three runs");
    assert_eq!((aet.hr_bpm, aet.runs), (147.0, 3));
    assert!(measured_aet(&rows[..1], now).is_none());
    // 100 days earlier only one run had a threshold: too few to give one.
    assert!(measured_aet(&rows, now - 100 * DAY).is_none());
    assert!(measured_aet(&rows[1..5], now).is_some_and(|a| a.runs == 3));

    let easy = |hr: f64, session: &str| -> EasyRun {
        serde_json::from_value(serde_json::json!({
            "id": "x", "start": "2025-01-01T00:00:00Z", "baseline_runs": 0, "warm_day": false,
            "flags": [], "absent": {}, "session_type": session, "observed_hr_bpm": hr,
        }))
        .expect("an easy run")
    };
    let runs = [
        easy(140.0, "easy"),
        easy(165.0, "moderate"),
        easy(151.0, "easy"),
        easy(152.0, "easy"),
        easy(153.0, "easy"),
    ];
    let refs: Vec<&EasyRun> = runs.iter().collect();
    let line = easy_above_aet(&refs, Some(aet)).expect("above");
    assert!(
        line.starts_with(
            "your easy runs average 152 bpm, above your measured aerobic threshold of 147 bpm"
        ),
        "{line}"
    );
    // The moderate run does not count, and runs at the threshold are not above it.
    let at: Vec<EasyRun> = [146.6, 147.2, 147.0]
        .iter()
        .map(|h| easy(*h, "easy"))
        .collect();
    let refs: Vec<&EasyRun> = at.iter().chain([&runs[1]]).collect();
    assert_eq!(easy_above_aet(&refs, Some(aet)), None);
    assert_eq!(easy_above_aet(&[&runs[4]], None), None);
}

/// A population of synthetic runners who all wear a chest strap (issue 18): where the aerobic
/// threshold sits (82-92 % of LTHR), where easy HR sits (75-92 %, so some run easy above it),
/// hills, heat, walk breaks, smart recording, sensor noise. Their beats' alpha1 follows
/// intensity (0.75 at the threshold, 0.5 at LTHR); the measured threshold, the median over the
/// last 90 days of the runs whose alpha1 crossed 0.75, comes back within 3 bpm of each truth.
#[test]
fn the_aerobic_threshold_of_a_population_is_recovered() {
    use hrdrift_analytics::hrv::measured_aet;
    // Six runners of each of two populations.
    const ATHLETES: usize = 6;
    let mut report = Vec::new();
    let people = [18, 21]
        .into_iter()
        .flat_map(|seed| hrdrift_synth::population(seed, ATHLETES, 14));
    for cfg in people {
        let cfg = hrdrift_synth::AthleteConfig {
            hrv_fraction: 1.0,
            ..cfg
        };
        let phys = cfg.physiology.clone();
        let truth = phys.aet_hr();
        let athlete = hrdrift_synth::generate(&cfg);
        let settings = crate::history::settings_of(&athlete.truth);
        let case = crate::history::analysed(athlete, |_| settings);
        let now = case.rows.iter().map(|m| m.start_ms).max().unwrap_or(0);
        let got = measured_aet(&case.rows, now);
        let with_beats = case.rows.iter().filter(|m| m.rr_beats > 0).count();
        let easy_frac = phys.easy_hr_frac_lthr.unwrap_or(0.76);
        report.push((
            truth,
            got.map(|g| g.hr_bpm),
            got.map_or(0, |g| g.runs),
            with_beats,
            easy_frac - phys.aet_frac_lthr,
        ));
    }
    eprintln!(
        "(truth, measured, runs, activities with beats, easy HR minus threshold / LTHR): {report:?}"
    );
    // Every threshold given is within 3 bpm of the truth. A runner whose easy runs sit well
    // below the threshold (5 % of LTHR or more) has one: their tempo and interval sessions
    // sweep across it. One whose easy runs sit near or above it may have none (no run starts
    // clearly below it), and says so rather than guess.
    for (truth, got, runs, _, easy_below) in &report {
        match got {
            Some(got) => {
                assert!((got - truth).abs() <= 3.0, "{report:?}");
                assert!(*runs >= 3, "{report:?}");
            }
            None => assert!(*easy_below > -0.05, "{report:?}"),
        }
    }
    assert!(report.iter().any(|r| r.1.is_some()), "{report:?}");
}

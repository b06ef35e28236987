//! "Never panics, never NaN": arbitrary and extreme inputs.

use std::time::Instant;

use hrdrift_analytics::{ActivityContext, Analysis, AthleteSettings, analyze};
use hrdrift_ingest::{Activity, Pause, Samples};
use proptest::prelude::*;

use crate::fixtures::{Run, T0_MS, activity, settings};

fn check(a: &Activity, s: &AthleteSettings) -> Analysis {
    let r = analyze(
        a,
        s,
        &ActivityContext {
            median_run_s_prev_28d: Some(3000.0),
        },
    );
    assert!(r.metrics.is_finite(), "{:?}", r.metrics);
    assert!(serde_json::to_string(&r.metrics).is_ok());
    let series = &r.series;
    let n = series.t_s.len();
    assert!(
        [
            series.wall_ms.len(),
            series.hr_bpm.len(),
            series.speed_m_s.len(),
            series.grade.len(),
            series.gap_speed_m_s.len()
        ]
        .iter()
        .all(|l| *l == n)
    );
    assert!(
        series.t_s.windows(2).all(|w| w[0] < w[1]),
        "grid not increasing"
    );
    for v in series
        .hr_bpm
        .iter()
        .chain(&series.speed_m_s)
        .chain(&series.grade)
        .chain(&series.gap_speed_m_s)
        .flatten()
    {
        assert!(v.is_finite());
    }
    // Zones always sum to the valid-HR moving time.
    if let Some(z) = r.metrics.zones_s {
        assert!((z.iter().sum::<f64>() - r.metrics.valid_hr_s).abs() < 1e-6);
    }
    if let Some(c) = r.metrics.coverage {
        assert!((0.0..=1.0).contains(&c));
    }
    r
}

/// Any f64, NaN and infinities included, sometimes missing.
fn value() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        any::<f64>().prop_map(Some),
        (30.0..230.0_f64).prop_map(Some),
        (0.0..6.0_f64).prop_map(Some),
        Just(Some(f64::NAN)),
        Just(Some(0.0)),
    ]
}

fn channel(n: usize) -> impl Strategy<Value = Option<Vec<Option<f64>>>> {
    // Sometimes shorter or longer than the timestamps: the model promises equal lengths, but
    // analytics must not trust it.
    prop_oneof![
        Just(None),
        proptest::collection::vec(value(), n.saturating_sub(2)..=n + 2).prop_map(Some)
    ]
}

fn timestamps() -> impl Strategy<Value = Vec<i64>> {
    prop_oneof![
        // Mostly increasing with jitter, steps backwards and repeats.
        proptest::collection::vec(-3_000_i64..20_000, 0..400).prop_map(|steps| {
            let mut t = T0_MS;
            steps
                .into_iter()
                .map(|d| {
                    t += d;
                    t
                })
                .collect()
        }),
        // Anything at all, the extremes of i64 included.
        proptest::collection::vec(any::<i64>(), 0..50),
        proptest::collection::vec(
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0_i64), Just(T0_MS)],
            0..20
        ),
    ]
}

fn arb_activity() -> impl Strategy<Value = Activity> {
    timestamps().prop_flat_map(|ts| {
        let n = ts.len();
        (
            Just(ts),
            (channel(n), channel(n), channel(n), channel(n)),
            (channel(n), channel(n), channel(n)),
            proptest::collection::vec((any::<i64>(), any::<i64>()), 0..3),
            proptest::option::of(prop_oneof![
                Just("running".to_owned()),
                Just("cycling".to_owned())
            ]),
        )
            .prop_map(
                |(ts, (hr, speed, dist, alt), (lat, lon, cad), pauses, sport)| {
                    let samples = Samples {
                        timestamp_ms: ts,
                        heart_rate_bpm: hr,
                        speed_m_s: speed,
                        distance_m: dist,
                        altitude_m: alt,
                        lat,
                        lon,
                        cadence_spm: cad,
                        ..Samples::default()
                    };
                    let mut a = activity(samples, sport);
                    a.pauses = pauses
                        .into_iter()
                        .map(|(start_ms, end_ms)| Pause { start_ms, end_ms })
                        .collect();
                    a
                },
            )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_never_nan(a in arb_activity()) {
        check(&a, &settings());
        check(&a, &AthleteSettings::default());
    }

    #[test]
    fn sample_order_does_not_matter(steps in proptest::collection::vec(1_i64..8_000, 1..300), seed in any::<u64>()) {
        // Distinct timestamps, HR and speed from the index; then a seeded shuffle.
        let mut t = T0_MS;
        let ts: Vec<i64> = steps.iter().map(|d| { t += d; t }).collect();
        let hr: Vec<Option<f64>> = (0..ts.len()).map(|i| Some(120.0 + (i % 50) as f64)).collect();
        let v: Vec<Option<f64>> = (0..ts.len()).map(|i| Some(2.0 + (i % 7) as f64 / 7.0)).collect();
        let sorted = Samples { timestamp_ms: ts.clone(), heart_rate_bpm: Some(hr.clone()), speed_m_s: Some(v.clone()), ..Samples::default() };
        let mut order: Vec<usize> = (0..ts.len()).collect();
        let mut x = seed | 1;
        for i in (1..order.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let shuffled = Samples {
            timestamp_ms: order.iter().map(|&i| ts[i]).collect(),
            heart_rate_bpm: Some(order.iter().map(|&i| hr[i]).collect()),
            speed_m_s: Some(order.iter().map(|&i| v[i]).collect()),
            ..Samples::default()
        };
        let a = check(&activity(sorted, None), &settings()).metrics;
        let mut b = check(&activity(shuffled, None), &settings()).metrics;
        b.flags.retain(|f| f != hrdrift_analytics::flag::SAMPLES_REORDERED);
        b.cleaning.out_of_order = a.cleaning.out_of_order;
        // The fixture takes the start from the first sample in file order.
        b.start.clone_from(&a.start);
        b.start_ms = a.start_ms;
        prop_assert_eq!(a, b);
    }

    #[test]
    fn nonsense_settings_are_survived(a in arb_activity(), warmup in any::<f64>(), cov in any::<f64>(), hr_max in any::<f64>()) {
        let s = AthleteSettings { warmup_s: warmup, min_coverage: cov, hr_max: Some(hr_max), ..settings() };
        check(&a, &s);
    }
}

#[test]
fn empty_single_and_all_missing() {
    let s = settings();
    let r = check(&activity(Samples::default(), None), &s);
    assert_eq!(r.metrics.moving_s, 0.0);
    assert_eq!(
        r.metrics.absent.get("avg_hr").map(String::as_str),
        Some("no_moving_time")
    );
    check(&Run::new(0, |_| Some(150.0), |_| Some(3.0)).activity(), &s);
    check(&Run::new(3600, |_| None, |_| None).activity(), &s);
    check(
        &Run::new(3600, |_| Some(f64::NAN), |_| Some(f64::NAN)).activity(),
        &s,
    );
    check(
        &Run::new(3600, |_| Some(f64::INFINITY), |_| Some(f64::NEG_INFINITY)).activity(),
        &s,
    );
}

#[test]
fn timestamps_backwards_or_repeated() {
    let s = settings();
    let mut back = Run::new(3600, |k| Some(140.0 + (k % 7) as f64), |_| Some(3.0));
    back.ts.reverse();
    check(&back.activity(), &s);
    let mut same = Run::new(3600, |_| Some(150.0), |_| Some(3.0));
    same.ts.iter_mut().for_each(|t| *t = T0_MS);
    let r = check(&same.activity(), &s);
    assert_eq!(r.metrics.moving_s, 0.0);
    let mut extremes = Run::new(3, |_| Some(150.0), |_| Some(3.0));
    extremes.ts = vec![i64::MIN, i64::MAX, 0, i64::MAX];
    check(&extremes.activity(), &s);
}

#[test]
fn a_48_hour_file_at_1_hz() {
    let secs = 48 * 3600;
    let a = Run::new(
        secs,
        |k| Some(130.0 + 20.0 * ((k as f64) / 5000.0).sin()),
        |k| Some(2.5 + 0.2 * ((k as f64) / 700.0).cos()),
    )
    .with_alt(|k| Some(300.0 + 50.0 * ((k as f64) / 3000.0).sin()))
    .with_cad(|_| Some(170.0))
    .activity();
    let r = check(&a, &settings());
    assert_eq!(r.metrics.moving_s, secs as f64);
    assert_eq!(r.series.t_s.len(), secs as usize);
    assert!(r.metrics.trimp.is_some() && r.metrics.drift_adj_bpm_per_h.is_some());
}

/// Not a benchmark (this is a debug build on shared cores), a guard against accidental
/// quadratic work: an hour at 1 Hz must stay far below a second even unoptimized.
#[test]
fn an_hour_is_cheap() {
    let a = Run::new(3600, |k| Some(140.0 + (k % 13) as f64), |_| Some(3.0))
        .with_alt(|k| Some((k % 100) as f64))
        .activity();
    let s = settings();
    let start = Instant::now();
    let rounds = 20;
    for _ in 0..rounds {
        std::hint::black_box(analyze(&a, &s, &ActivityContext::default()));
    }
    let per = start.elapsed() / rounds;
    eprintln!("analyze, 1 h at 1 Hz: {per:?} per activity (debug build)");
    assert!(per.as_millis() < 500, "{per:?}");
}

//! Throughput of per-activity metrics on constructed 1 Hz runs (activities/s).
//!
//! Run with `cargo bench -p hrdrift-analytics`. The target is well under a millisecond for an
//! hour at 1 Hz in an optimized build.

#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hrdrift_analytics::{ActivityContext, AthleteSettings, Sex, analyze, compute_all};
use hrdrift_ingest::{Activity, Device, Format, Samples};

/// An hour-long (or `secs`-long) run at 1 Hz with HR, speed, altitude and cadence.
fn run(secs: i64) -> Activity {
    let t0 = 1_714_543_200_000_i64;
    let ks = 0..=secs;
    let samples = Samples {
        timestamp_ms: ks.clone().map(|k| t0 + k * 1000).collect(),
        heart_rate_bpm: Some(
            ks.clone()
                .map(|k| Some(140.0 + 10.0 * (k as f64 / 600.0).sin()))
                .collect(),
        ),
        speed_m_s: Some(
            ks.clone()
                .map(|k| Some(3.0 + 0.3 * (k as f64 / 97.0).cos()))
                .collect(),
        ),
        altitude_m: Some(
            ks.clone()
                .map(|k| Some(200.0 + 20.0 * (k as f64 / 400.0).sin()))
                .collect(),
        ),
        cadence_spm: Some(ks.map(|_| Some(172.0)).collect()),
        ..Samples::default()
    };
    Activity {
        id: "bench".to_owned(),
        source: "constructed".to_owned(),
        format: Format::Fit,
        sport: Some("running".to_owned()),
        sub_sport: None,
        device: Device::default(),
        start_ms: t0,
        utc_offset_s: None,
        laps: Vec::new(),
        pauses: Vec::new(),
        samples,
        rr_ms: Vec::new(),
        profile_hr_rest: None,
        profile_hr_max: None,
    }
}

fn bench(c: &mut Criterion) {
    let s = AthleteSettings {
        hr_max: Some(190.0),
        hr_rest: Some(50.0),
        lthr: Some(170.0),
        sex: Sex::Male,
        ..AthleteSettings::default()
    };
    let hour = run(3600);
    let mut g = c.benchmark_group("analyze");
    g.throughput(Throughput::Elements(1));
    g.bench_function("1 h at 1 Hz", |b| {
        b.iter(|| analyze(black_box(&hour), &s, &ActivityContext::default()))
    });
    g.finish();

    let many: Vec<Activity> = (0..64).map(|_| run(3600)).collect();
    let mut g = c.benchmark_group("compute_all");
    g.throughput(Throughput::Elements(many.len() as u64));
    g.bench_function("64 x 1 h", |b| b.iter(|| compute_all(black_box(&many), &s)));
    // The same work on pools of one thread and of every core, side by side in one run: the
    // rayon speed-up of the per-activity metrics.
    for threads in [1, rayon::current_num_threads()] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        g.bench_function(format!("64 x 1 h, {threads} thread(s)"), |b| {
            b.iter(|| pool.install(|| compute_all(black_box(&many), &s)));
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

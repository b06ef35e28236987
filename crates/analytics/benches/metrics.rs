//! Throughput of per-activity metrics on constructed 1 Hz runs (activities/s).
//!
//! Run with `cargo bench -p hrdrift-analytics`. The target is well under a millisecond for an
//! hour at 1 Hz in an optimized build.

// Sample counts of constructed runs (an hour at 1 Hz at most) become times and floats.
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hrdrift_analytics::{ActivityContext, analyze, compute_all};
use hrdrift_ingest::Activity;

// Only the tests' run builder and settings are used here.
#[allow(dead_code)]
#[path = "../tests/it/fixtures.rs"]
mod fixtures;

/// An hour-long (or `secs`-long) run at 1 Hz with HR, speed, altitude and cadence.
fn run(secs: i64) -> Activity {
    fixtures::Run::new(
        secs,
        |k| Some(140.0 + 10.0 * (k as f64 / 600.0).sin()),
        |k| Some(3.0 + 0.3 * (k as f64 / 97.0).cos()),
    )
    .with_alt(|k| Some(200.0 + 20.0 * (k as f64 / 400.0).sin()))
    .with_cad(|_| Some(172.0))
    .activity()
}

fn bench(c: &mut Criterion) {
    let s = fixtures::settings();
    let hour = run(3600);
    let mut g = c.benchmark_group("analyze");
    g.throughput(Throughput::Elements(1));
    g.bench_function("1 h at 1 Hz", |b| {
        b.iter(|| analyze(black_box(&hour), &s, &ActivityContext::default()))
    });
    g.finish();

    // The cost of power (issue 20): the same hour with a power channel, and without, side by
    // side; the power work is the NP rolling means, the power EF and Pw:HR and the histogram.
    let mut ride = run(3600);
    ride.sport = Some("cycling".to_owned());
    let mut powered = ride.clone();
    powered.samples.power_w = Some(
        (0..3600)
            .map(|k| Some(220.0 + 60.0 * (k as f64 / 45.0).sin()))
            .collect(),
    );
    let mut g = c.benchmark_group("power");
    g.throughput(Throughput::Elements(1));
    g.bench_function("1 h ride without power", |b| {
        b.iter(|| analyze(black_box(&ride), &s, &ActivityContext::default()))
    });
    g.bench_function("1 h ride with power", |b| {
        b.iter(|| analyze(black_box(&powered), &s, &ActivityContext::default()))
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

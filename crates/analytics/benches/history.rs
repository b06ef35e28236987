//! Cross-activity analytics on ten years of one athlete (about 3,200 rows).
//!
//! Run with `cargo bench -p hrdrift-analytics --bench history`. The rows are made once: half
//! a year of a synthetic athlete is encoded to FIT, decoded and analysed, and its rows are
//! repeated twenty times, shifted by 26 weeks each (new ids), which keeps the set-up short
//! while `analyze_history` sees a realistic decade of runs.

#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hrdrift_analytics::{ActivityMetrics, AthleteSettings, Sex, analyze_history, compute_all};
use hrdrift_ingest::decode_bytes;
use hrdrift_synth::{AthleteConfig, generate};

const HALF_YEAR_MS: i64 = 26 * 7 * 86_400_000;

fn decade() -> (Vec<ActivityMetrics>, AthleteSettings, i64) {
    let athlete = generate(&AthleteConfig::default());
    let acts: Vec<_> = (0..athlete.len())
        .map(|i| {
            decode_bytes(&athlete.encode_fit(i), &athlete.file_name(i))
                .unwrap()
                .value
                .remove(0)
        })
        .collect();
    let t = &athlete.truth.athlete;
    let settings = AthleteSettings {
        hr_max: Some(t.hr_max),
        hr_rest: Some(t.hr_rest),
        lthr: Some(t.lthr),
        sex: Sex::Male,
        ..AthleteSettings::default()
    };
    let half = compute_all(&acts, &settings);
    let mut rows = Vec::with_capacity(half.len() * 20);
    for k in 0..20_i64 {
        rows.extend(half.iter().map(|r| {
            let mut r = r.clone();
            r.id = format!("{}-{k}", r.id);
            r.start_ms += k * HALF_YEAR_MS;
            r.end_ms += k * HALF_YEAR_MS;
            r
        }));
    }
    let now = rows.iter().map(|r| r.end_ms).max().unwrap();
    (rows, settings, now)
}

fn bench(c: &mut Criterion) {
    let (rows, settings, now) = decade();
    let mut g = c.benchmark_group("analyze_history");
    g.sample_size(20);
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function(format!("{} rows (10 years)", rows.len()), |b| {
        b.iter(|| analyze_history(black_box(&rows), &settings, now));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

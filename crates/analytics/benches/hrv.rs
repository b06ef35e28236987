//! The RR work of an activity beside its decode (issue 18: it must cost less), side by side in
//! one run, on the fixture with the most beats (`bpg--garmin.fit`, 2 h 26 min, 22,048 intervals).
//!
//! That file's intervals repeat (an HR-derived series, `rr_repeated`), so `fields` stops early on
//! it; `align + windows` is the whole work real beats of that length cost (every alpha1 window),
//! timed on the same intervals.
//!
//! Run with `cargo bench -p hrdrift-analytics --bench hrv`.

#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hrdrift_analytics::hrv::clock::{Beats, fields, windows};

fn bench(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/fit/tormoder-fit/bpg--garmin.fit");
    let bytes = std::fs::read(&path).unwrap();
    let name = path.display().to_string();
    let a = hrdrift_ingest::decode_bytes(&bytes, &name)
        .unwrap()
        .value
        .remove(0);
    let end = a.samples.timestamp_ms.last().copied().unwrap_or(a.start_ms);
    #[expect(clippy::cast_precision_loss, reason = "epoch milliseconds")]
    let steady = vec![(a.start_ms as f64 + 600_000.0, end as f64)];
    let mut g = c.benchmark_group("bpg--garmin.fit");
    g.bench_function("decode", |b| {
        b.iter(|| hrdrift_ingest::decode_bytes(black_box(&bytes), &name))
    });
    g.bench_function("rr: fields", |b| {
        b.iter(|| fields(&Beats::align(black_box(&a.rr_ms), &[], a.start_ms), &steady))
    });
    g.bench_function("rr: align + windows", |b| {
        b.iter(|| windows(&Beats::align(black_box(&a.rr_ms), &[], a.start_ms)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

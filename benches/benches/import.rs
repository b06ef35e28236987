//! A whole import (decode, dedup, Parquet store) of a folder of real and generated FIT files.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hrdrift_benches::{fit_fixtures, megabytes};
use hrdrift_store::import::{ImportOptions, import};
use hrdrift_store::{LockMode, Store};

fn bench(c: &mut Criterion) {
    let src = tempfile::tempdir().expect("tempdir");
    let mut bytes = 0usize;
    for (i, (_, b)) in fit_fixtures().into_iter().enumerate() {
        bytes += b.len();
        std::fs::write(src.path().join(format!("real-{i:03}.fit")), b).expect("write");
    }
    let athlete = hrdrift_synth::generate(&hrdrift_synth::AthleteConfig::with_activities(7, 200));
    for i in 0..athlete.len() {
        let b = athlete.encode_fit(i);
        bytes += b.len();
        std::fs::write(src.path().join(athlete.file_name(i)), b).expect("write");
    }
    eprintln!("import folder: {:.1} MB", megabytes(bytes));
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("folder_to_store", |b| {
        b.iter(|| {
            let store_dir = tempfile::tempdir().expect("tempdir");
            let mut store = Store::open_write(store_dir.path(), LockMode::Fail).expect("store");
            let s = import(
                &mut store,
                &[src.path().to_owned()],
                &ImportOptions::default(),
                &mut |_| {},
            )
            .expect("import");
            assert!(s.activities > 200);
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

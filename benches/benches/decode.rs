//! FIT, GPX and TCX decoding throughput on the real fixtures (MB/s via criterion's `Throughput`).
//!
//! `fit_fast` and `fit_reference` time the two FIT decoders side by side in one run: the default
//! (our own `record` decoding, `fitparser` for the rest) and `fitparser` for every message.
//! `*_xml_floor` is a bare `quick-xml` pass over the same GPX/TCX files (every event read,
//! nothing kept): the ceiling a streaming decoder built on it can approach, timed in the same run.
//! `gpx_series_settled` decodes the series and types each run (none names its sport) from its
//! speed and cadence, as an import does: against `gpx_series`, the cost of the guess.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hrdrift_benches::{fit_fixtures, fixtures_dir, megabytes};

fn decode_all(files: &[(String, Vec<u8>)]) -> usize {
    files
        .iter()
        .map(|(n, b)| {
            hrdrift_ingest::decode_bytes(b, n)
                .map_or(0, |d| d.value.iter().map(|a| a.samples.len()).sum())
        })
        .sum()
}

type FitDecoder = fn(
    &[u8],
    &str,
    &str,
) -> Result<
    hrdrift_ingest::Decoded<Vec<hrdrift_ingest::Activity>>,
    hrdrift_ingest::DecodeError,
>;

/// FIT decoding alone (no content hash, no time checks), with one of the two decoders.
fn decode_fit(files: &[(String, Vec<u8>)], decode: FitDecoder) -> usize {
    files
        .iter()
        .map(|(n, b)| {
            decode(b, "id", n).map_or(0, |d| d.value.iter().map(|a| a.samples.len()).sum())
        })
        .sum()
}

/// Reads every event of every file and keeps nothing.
fn xml_floor(files: &[(String, Vec<u8>)]) -> usize {
    let mut events = 0;
    for (_, b) in files {
        let mut r = quick_xml::Reader::from_reader(b.as_slice());
        r.config_mut().trim_text(true);
        while let Ok(ev) = r.read_event() {
            if matches!(ev, quick_xml::events::Event::Eof) {
                break;
            }
            events += 1;
        }
    }
    events
}

fn xml_files(dir: &str, ext: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walk(&fixtures_dir().join(dir)) {
        if e.extension().is_some_and(|x| x == ext)
            && let Ok(b) = std::fs::read(&e)
        {
            out.push((e.display().to_string(), b));
        }
    }
    out
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p))
            } else {
                out.push(p)
            }
        }
    }
    out.sort();
    out
}

fn bench(c: &mut Criterion) {
    let fit = fit_fixtures();
    let bytes: usize = fit.iter().map(|(_, b)| b.len()).sum();
    let records = decode_all(&fit);
    eprintln!(
        "FIT fixtures: {} files, {:.1} MB, {records} records",
        fit.len(),
        megabytes(bytes)
    );
    let mut g = c.benchmark_group("decode");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("fit_fixtures_bytes", |b| b.iter(|| decode_all(&fit)));
    g.throughput(Throughput::Elements(records as u64));
    g.bench_function("fit_fixtures_records", |b| b.iter(|| decode_all(&fit)));
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("fit_fast", |b| {
        b.iter(|| decode_fit(&fit, hrdrift_ingest::fit::decode))
    });
    g.bench_function("fit_reference", |b| {
        b.iter(|| decode_fit(&fit, hrdrift_ingest::fit::decode_reference))
    });
    for (name, dir, ext) in [
        ("gpx_fixtures", "gpx", "gpx"),
        ("gpx_series", "series", "gpx"),
        ("tcx_fixtures", "tcx", "tcx"),
    ] {
        let files = xml_files(dir, ext);
        let n: usize = files.iter().map(|(_, b)| b.len()).sum();
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_function(name, |b| b.iter(|| decode_all(&files)));
        g.bench_function(format!("{name}_xml_floor"), |b| {
            b.iter(|| xml_floor(&files))
        });
    }
    // What an import adds to a file naming no sport (issue 20): the export index's lookup and
    // the guess from speed and cadence, beside the decoding of the same files above.
    let series = xml_files("series", "gpx");
    let n: usize = series.iter().map(|(_, b)| b.len()).sum();
    g.throughput(Throughput::Bytes(n as u64));
    g.bench_function("gpx_series_settled", |b| {
        let index = hrdrift_ingest::export_index::ExportIndex::default();
        b.iter(|| {
            series
                .iter()
                .filter_map(|(name, bytes)| hrdrift_ingest::decode_bytes(bytes, name).ok())
                .flat_map(|d| d.value)
                .map(|mut a| usize::from(index.settle(&mut a).guessed))
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

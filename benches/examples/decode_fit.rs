//! Decodes the FIT fixtures N times with one decoder, for profiling (`perf record`, callgrind).
//!
//! `cargo run --release -p hrdrift-benches --example decode_fit -- [fast|reference] [N]`

use std::time::Instant;

use hrdrift_benches::fit_fixtures;
use hrdrift_ingest::fit;

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "fast".to_owned());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let files = fit_fixtures();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let start = Instant::now();
    let mut samples = 0usize;
    for _ in 0..n {
        for (name, b) in &files {
            let d = match which.as_str() {
                "reference" => fit::decode_reference(b, "id", name),
                _ => fit::decode(b, "id", name),
            };
            samples += d.map_or(0, |d| d.value.iter().map(|a| a.samples.len()).sum());
        }
    }
    let s = start.elapsed().as_secs_f64();
    #[expect(clippy::cast_precision_loss)]
    let mb = (bytes * n) as f64 / 1e6;
    println!(
        "{which}: {} files x {n}, {mb:.1} MB, {samples} samples in {s:.2} s = {:.1} MB/s",
        files.len(),
        mb / s
    );
}

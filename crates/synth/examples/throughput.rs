//! Generation and FIT-encoding throughput, without a benchmark harness.
//!
//! `cargo run -p hrdrift-synth --example throughput [--release] -- [activities] [out_dir]`
//!
//! Without `out_dir` the files are encoded in memory only (one reused buffer), which measures
//! the generator rather than the disk.

// Counts of activities, bytes and records, far below 2^52.
#![allow(clippy::cast_precision_loss)]

use std::path::PathBuf;
use std::time::Instant;

use hrdrift_synth::{AthleteConfig, generate};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let out: Option<PathBuf> = args.next().map(PathBuf::from);

    let t0 = Instant::now();
    let athlete = generate(&AthleteConfig::with_activities(1, n));
    let gen_s = t0.elapsed().as_secs_f64();
    let weeks = athlete.truth.weeks.len();
    println!(
        "plan + truth: {n} activities ({weeks} weeks) in {gen_s:.2} s ({:.0} activities/s)",
        n as f64 / gen_s
    );

    let t1 = Instant::now();
    let (bytes, records) = if let Some(dir) = out {
        let s = athlete.write_to_dir(&dir)?;
        (s.fit_bytes, s.records)
    } else {
        let mut buf = Vec::new();
        let (mut bytes, mut records) = (0u64, 0u64);
        for i in 0..athlete.len() {
            let (b, stats) = athlete.encode_fit_into(i, buf);
            bytes += b.len() as u64;
            records += u64::from(stats.records);
            buf = b;
        }
        (bytes, records)
    };
    let enc_s = t1.elapsed().as_secs_f64();
    println!(
        "FIT encoding: {n} activities, {records} records, {:.1} MB in {enc_s:.2} s: {:.0} activities/s, {:.1} MB/s, {:.2} M records/s",
        bytes as f64 / 1e6,
        n as f64 / enc_s,
        bytes as f64 / 1e6 / enc_s,
        records as f64 / 1e6 / enc_s
    );
    Ok(())
}

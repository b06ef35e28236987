//! Writes a synthetic athlete's FIT files (and truth.json) for the side-by-side scripts:
//! `cargo run --release -p hrdrift-benches --example write_athlete -- DIR ACTIVITIES [SEED]`.

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "athlete".to_owned()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(300);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    std::fs::create_dir_all(&dir)?;
    let athlete = hrdrift_synth::generate(&hrdrift_synth::AthleteConfig::with_activities(seed, n));
    let summary = athlete.write_to_dir(&dir)?;
    println!("{summary:?}");
    Ok(())
}

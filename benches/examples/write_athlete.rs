//! Writes a synthetic athlete's FIT files (and truth.json) for the side-by-side scripts:
//! `cargo run --release -p hrdrift-benches --example write_athlete -- DIR ACTIVITIES [SEED]
//! [HRV_FRACTION] [mornings]` (the share of files with beat-to-beat intervals, 0.05 by
//! default; `mornings` also writes the athlete's daily FIT files into
//! DIR/mornings, a morning for every day of the plan).
//! Prints the athlete's settings as `hrdrift athlete set` arguments, for scripts that import
//! into a configured store.

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "athlete".to_owned()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(300);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let hrv: Option<f64> = args.next().and_then(|s| s.parse().ok());
    let with_mornings = args.next().is_some_and(|s| s == "mornings");
    std::fs::create_dir_all(&dir)?;
    let mut config = hrdrift_synth::AthleteConfig::with_activities(seed, n);
    if let Some(f) = hrv {
        config.hrv_fraction = f.clamp(0.0, 1.0);
    }
    let athlete = hrdrift_synth::generate(&config);
    let summary = athlete.write_to_dir(&dir)?;
    eprintln!("{summary:?}");
    if with_mornings {
        let days = hrdrift_synth::mornings::mornings(&athlete);
        let w = hrdrift_synth::mornings::write_mornings(&days, &dir.join("mornings"), true, false)?;
        eprintln!("{w:?}");
    }
    let s = config.settings();
    let sex = match s.sex {
        hrdrift_synth::Sex::Male => "male",
        hrdrift_synth::Sex::Female => "female",
    };
    println!(
        "hr_max={} hr_rest={} lthr={} sex={sex}",
        s.hr_max, s.hr_rest, s.lthr
    );
    Ok(())
}

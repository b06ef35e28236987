//! `hrdrift demo-data DIR`: a synthetic athlete (FIT files and the ground truth), to try hrdrift
//! without one's own files and to check its answers against known ones.

use anyhow::Context;
use chrono::NaiveDate;
use hrdrift_synth::{AthleteConfig, generate};

use crate::Exit;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Folder to write the FIT files and truth.json into (created if needed)
    #[arg(value_name = "DIR")]
    dir: std::path::PathBuf,
    /// Weeks of training to simulate
    #[arg(long, default_value_t = 26)]
    weeks: u32,
    /// Seed: the same seed writes the same files, byte for byte
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// First day of the plan (YYYY-MM-DD) [default: 26 weeks before today, so trends reach today]
    #[arg(long, value_name = "DATE")]
    start: Option<NaiveDate>,
    /// Also write the athlete's mornings (resting HR, overnight HRV, sleep) into DIR/mornings:
    /// as a watch's daily FIT files (Monitor/, HRV/, Sleep/), as readings.csv, or both
    #[arg(long, value_enum, value_name = "FORMAT")]
    mornings: Option<MorningFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MorningFormat {
    Fit,
    Csv,
    Both,
}

pub fn run(a: &DemoArgs) -> anyhow::Result<Exit> {
    let start = a.start.unwrap_or_else(|| {
        chrono::Utc::now().date_naive() - chrono::Duration::weeks(i64::from(a.weeks))
    });
    let cfg = AthleteConfig {
        seed: a.seed,
        weeks: a.weeks,
        start_date: start,
        ..AthleteConfig::default()
    };
    let athlete = generate(&cfg);
    let summary = athlete
        .write_to_dir(&a.dir)
        .with_context(|| format!("writing the demo athlete into {}", a.dir.display()))?;
    let s = cfg.settings();
    let toml = format!(
        "# The demo athlete's true settings. Copy into your store's hrdrift.toml, or run\n\
         # hrdrift athlete set hr_max={} hr_rest={} lthr={} sex={}\n\
         hr_max = {}\nhr_rest = {}\nlthr = {}\nsex = \"{}\"\n",
        s.hr_max,
        s.hr_rest,
        s.lthr,
        sex_name(s.sex),
        s.hr_max,
        s.hr_rest,
        s.lthr,
        sex_name(s.sex)
    );
    if let Some(f) = a.mornings {
        let days = hrdrift_synth::mornings::mornings(&athlete);
        let dir = a.dir.join("mornings");
        let w = hrdrift_synth::mornings::write_mornings(
            &days,
            &dir,
            f != MorningFormat::Csv,
            f != MorningFormat::Fit,
        )
        .with_context(|| format!("writing the mornings into {}", dir.display()))?;
        println!(
            "wrote {} mornings ({} daily FIT files{}) and their truth {}",
            w.days,
            w.fit_files,
            if f == MorningFormat::Fit {
                ""
            } else {
                ", readings.csv"
            },
            dir.join("mornings.json").display()
        );
    }
    let settings_path = a.dir.join("athlete.toml");
    std::fs::write(&settings_path, toml)
        .with_context(|| format!("writing {}", settings_path.display()))?;
    println!(
        "wrote {} activities ({:.1} MB of FIT) from {start} over {} weeks, the ground truth {} and the athlete's settings {}",
        summary.activities,
        megabytes(summary.fit_bytes),
        a.weeks,
        summary.truth_path.display(),
        settings_path.display()
    );
    Ok(Exit::Ok)
}

fn sex_name(s: hrdrift_synth::Sex) -> &'static str {
    match s {
        hrdrift_synth::Sex::Male => "male",
        hrdrift_synth::Sex::Female => "female",
    }
}

/// A byte count in MB for a message; no file comes near 2^52 bytes.
#[expect(clippy::cast_precision_loss)]
fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

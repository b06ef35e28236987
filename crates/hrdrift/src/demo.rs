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

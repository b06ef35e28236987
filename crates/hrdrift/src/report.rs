//! `hrdrift report` and `hrdrift nightly`: arguments, the import of the nightly job, what is
//! printed and the exit code. What is written comes from `hrdrift-publish`.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use hrdrift_analytics::history::words::{WARNING_CODES, Warning, verdict_words};
use hrdrift_cache::Derived;
use hrdrift_publish::{Period, publish};
use hrdrift_store::import::{ImportOptions, import};
use hrdrift_store::{LockMode, Store};

use crate::Exit;
use crate::history::parse_since;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Folder to write index.html, the charts, summary.json and summary.md into
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Period the charts and tables cover, before --as-of (`26w`, `1y`, `90d`, or a date)
    #[arg(long, default_value = "26w", value_name = "PERIOD")]
    since: String,
    /// Report as of this day (YYYY-MM-DD) instead of now
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct NightlyArgs {
    /// Folder(s) where new watch files arrive (searched recursively, .gz and .zip opened)
    #[arg(long, required = true, value_name = "DIR")]
    watch: Vec<PathBuf>,
    #[command(flatten)]
    report: ReportArgs,
    /// Warnings that make the run exit with status 5, comma-separated, or `none`
    /// [default: all but hrv_unstable: hold_back, elevated, lingering, stride_unsteady,
    /// too_many_hard, hard_back_to_back, too_much_moderate, no_true_easy, load_spike,
    /// hrv_below_normal, resting_hr_elevated]
    #[arg(long, value_name = "LIST")]
    fail_on: Option<String>,
    /// Wait for another hrdrift process writing to the store instead of exiting with status 4
    #[arg(long)]
    wait: bool,
}

/// Writes the report of `store` into `out`, prints where and what it found, and returns the
/// warnings.
fn write(
    store: &Store,
    d: &Derived,
    out: &Path,
    since_arg: &str,
    now_ms: i64,
) -> anyhow::Result<Vec<Warning>> {
    let p = Period {
        since_ms: parse_since(since_arg, now_ms)?,
        now_ms,
    };
    let done = publish(store, d, out, p)?;
    let (name, words) = verdict_words(done.history.readiness.verdict);
    println!(
        "report: {} ({} charts, summary.json, summary.md)",
        done.files.index_html.display(),
        done.files.charts.len()
    );
    println!("readiness: {} ({words})", name.replace('_', " "));
    for w in &done.warnings {
        println!("warning: {}: {}", w.code, w.text);
    }
    Ok(done.warnings)
}

pub fn report(store_dir: &Path, a: &ReportArgs) -> anyhow::Result<Exit> {
    let now = crate::text::as_of_ms(a.as_of);
    parse_since(&a.since, now)?;
    let (d, store) = hrdrift_cache::for_reading_with_store(store_dir)?;
    for p in &d.problems {
        eprintln!("hrdrift: warning: {p}");
    }
    write(&store, &d, &a.out, &a.since, now)?;
    Ok(Exit::Ok)
}

fn fail_set(list: Option<&str>) -> anyhow::Result<HashSet<String>> {
    let Some(list) = list else {
        // An unstable HRV is a reason without weight of its own (METRICS.md section 6): it
        // fails the job only when asked for.
        return Ok(WARNING_CODES
            .iter()
            .filter(|c| **c != "hrv_unstable")
            .map(|s| (*s).to_owned())
            .collect());
    };
    let mut out = HashSet::new();
    for w in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        if w == "none" {
            continue;
        }
        if !WARNING_CODES.contains(&w) {
            bail!(
                "--fail-on {w}: not a warning; choose from {} (or none)",
                WARNING_CODES.join(", ")
            );
        }
        out.insert(w.to_owned());
    }
    Ok(out)
}

pub fn nightly(store_dir: &Path, a: &NightlyArgs) -> anyhow::Result<Exit> {
    let started = std::time::Instant::now();
    let fail_on = fail_set(a.fail_on.as_deref())?;
    let now = crate::text::as_of_ms(a.report.as_of);
    parse_since(&a.report.since, now)?;
    let mode = if a.wait {
        LockMode::Wait
    } else {
        LockMode::Fail
    };
    let mut store = Store::open_write(store_dir, mode)
        .with_context(|| format!("opening the store {}", store_dir.display()))?;
    let mut failed = Vec::new();
    let s = import(&mut store, &a.watch, &ImportOptions::default(), &mut |e| {
        if let hrdrift_store::import::Event::Item {
            name,
            outcome: hrdrift_store::import::Outcome::Failed(why),
            ..
        } = e
        {
            failed.push(format!("{name}: {why}"));
        }
    })
    .with_context(|| format!("importing into the store {}", store_dir.display()))?;
    for f in &failed {
        eprintln!("failed     {f}");
    }
    println!(
        "imported {} new activities ({} files already in the store, {} failed)",
        s.activities,
        s.known,
        s.failed.len()
    );
    let d = hrdrift_cache::update(&mut store)?;
    for p in &d.problems {
        eprintln!("hrdrift: warning: {p}");
    }
    let warns = write(&store, &d, &a.report.out, &a.report.since, now)?;
    let chosen: Vec<&Warning> = warns.iter().filter(|w| fail_on.contains(&w.code)).collect();
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    if chosen.is_empty() {
        Ok(Exit::Ok)
    } else {
        eprintln!(
            "hrdrift: {} warning sign(s) chosen with --fail-on: {}",
            chosen.len(),
            chosen
                .iter()
                .map(|w| w.code.as_str())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(Exit::Warnings)
    }
}

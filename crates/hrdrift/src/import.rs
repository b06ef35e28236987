//! `hrdrift import`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use hrdrift_store::import::{Event, ImportOptions, Outcome, import_with};
use hrdrift_store::{LockMode, Store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::Exit;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Files or folders to import (searched recursively; .gz and .zip are opened)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Exit with status 3 if any file failed to import
    #[arg(long)]
    strict: bool,
    /// Wait for another hrdrift process writing to the store instead of exiting with status 4
    #[arg(long)]
    wait: bool,
    /// Print only the summary and failures
    #[arg(short, long)]
    quiet: bool,
    /// Largest size, in MiB, one file or archive member may expand to
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    max_entry_mib: u64,
    /// Commit to the store after this many activities (tests use small batches to crash between commits)
    #[arg(long, hide = true)]
    batch: Option<usize>,
}

/// Prints what happens, as a progress bar on a terminal or as plain lines in a log.
struct Reporter {
    bar: Option<ProgressBar>,
    quiet: bool,
    done: u64,
    total: u64,
    next_line_at: u64,
}

impl Reporter {
    fn line(&self, text: &str) {
        match &self.bar {
            Some(b) => b.println(text),
            None => eprintln!("{text}"),
        }
    }

    fn on(&mut self, e: &Event) {
        match e {
            Event::Started { files } => {
                self.total = *files as u64;
                if let Some(b) = &self.bar {
                    b.set_length(self.total);
                }
                self.next_line_at = (self.total / 10).max(1);
            }
            Event::Item {
                name,
                outcome,
                warnings,
            } => {
                match outcome {
                    Outcome::Failed(why) => self.line(&format!("failed     {name}: {why}")),
                    Outcome::NotActivity(why) if !self.quiet => {
                        self.line(&format!("skipped    {name}: not an activity ({why})"))
                    }
                    Outcome::Duplicate {
                        of,
                        replaced: false,
                    } if !self.quiet => {
                        self.line(&format!("duplicate  {name}: the same run as activity {of}"));
                    }
                    Outcome::Duplicate { of, replaced: true } if !self.quiet => {
                        self.line(&format!(
                            "replaced   activity {name}: {of} records the same run with as much data or more"
                        ));
                    }
                    _ => {}
                }
                if !self.quiet {
                    for w in warnings {
                        self.line(&format!("warning    {name}: {}", w.message));
                    }
                }
            }
            Event::FileDone => {
                self.done += 1;
                match &self.bar {
                    Some(b) => b.inc(1),
                    None if !self.quiet && self.done >= self.next_line_at => {
                        eprintln!(
                            "progress   {}/{}",
                            self.done,
                            count(self.total, "file", "files")
                        );
                        self.next_line_at += (self.total / 10).max(1);
                    }
                    None => {}
                }
            }
            Event::Committed { .. } => {}
        }
    }
}

pub fn run(store_dir: &Path, a: &ImportArgs) -> anyhow::Result<Exit> {
    // A path that does not exist is a mistake on the command line (a typo, an unmounted
    // drive), not a file that failed to decode: say so and import nothing, before the store is
    // even opened, so a nightly job does not report "imported 0" as success.
    let missing: Vec<&PathBuf> = a.paths.iter().filter(|p| !p.exists()).collect();
    if !missing.is_empty() {
        for p in missing {
            eprintln!("hrdrift: no such file or folder: {}", p.display());
        }
        return Ok(Exit::Usage);
    }
    let started = Instant::now();
    let mode = if a.wait {
        LockMode::Wait
    } else {
        LockMode::Fail
    };
    let mut store = Store::open_write(store_dir, mode)
        .with_context(|| format!("opening the store {}", store_dir.display()))?;
    let mut opts = ImportOptions::default();
    opts.limits.max_entry_bytes = a.max_entry_mib.saturating_mul(1 << 20);
    if let Some(n) = a.batch {
        opts.commit_activities = n.max(1);
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} importing [{bar:30}] {pos}/{len} files {per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    });
    let mut rep = Reporter {
        bar,
        quiet: a.quiet,
        done: 0,
        total: 0,
        next_line_at: 1,
    };
    // HRDRIFT_IMPORT_METRICS=0 leaves all the metrics to the pass after the import (tests
    // compare the two ways; benches/side_by_side.sh measures them).
    let deriver = if std::env::var_os("HRDRIFT_IMPORT_METRICS").is_some_and(|v| v == "0") {
        None
    } else {
        Some(hrdrift_cache::deriver(&mut store)?)
    };
    let summary = import_with(&mut store, &a.paths, &opts, deriver.as_deref(), &mut |e| {
        rep.on(e)
    });
    if let Some(b) = &rep.bar {
        b.finish_and_clear();
    }
    let s = summary.with_context(|| format!("writing to the store {}", store_dir.display()))?;
    println!(
        "imported {} from {}; {} already in the store; {} {}; {} not {}; {} failed ({} in {:.1} s)",
        count(s.activities as u64, "activity", "activities"),
        count(s.imported_files as u64, "file", "files"),
        s.known,
        s.duplicates,
        if s.duplicates == 1 {
            "duplicate"
        } else {
            "duplicates"
        },
        s.not_activity,
        if s.not_activity == 1 {
            "an activity"
        } else {
            "activities"
        },
        s.failed.len(),
        count(s.files as u64, "file", "files"),
        started.elapsed().as_secs_f64()
    );
    if s.index_files > 0 {
        println!(
            "export index: {} named; {} of this import without a sport of their own took the export's",
            count(s.index_files as u64, "activity", "activities"),
            count(s.sport_from_index as u64, "activity", "activities"),
        );
        let earlier = s.stored_from_index;
        if earlier.sports + earlier.names > 0 {
            println!(
                "export index: of the activities imported before, {} took their sport from it and {} their name",
                count(earlier.sports as u64, "activity", "activities"),
                earlier.names,
            );
        }
    }
    if s.sport_guessed > 0 {
        println!(
            "{} named no sport, in its file or an export index: typed from speed and cadence (sport_guessed; an export's activities.csv or summarized activities would name it)",
            count(s.sport_guessed as u64, "activity", "activities"),
        );
    }
    if s.reading_files > 0 {
        println!(
            "daily readings: {} from {} ({}); {} replaced an earlier reading of the day",
            count(s.reading_dates as u64, "day", "days"),
            count(s.reading_files as u64, "file", "files"),
            count(s.reading_days as u64, "reading", "readings"),
            s.readings_replaced
        );
    }
    println!(
        "store: {} ({} activities)",
        store_dir.display(),
        store.activities().len()
    );
    let metrics_started = Instant::now();
    let while_decoding = s.metrics_while_decoding;
    let d = hrdrift_cache::store_after_import(&mut store)
        .with_context(|| format!("computing metrics in {}", store_dir.display()))?;
    if d.recomputed > 0 || while_decoding > 0 || !a.quiet {
        println!(
            "metrics: computed for {} activities while decoding; {} read back and computed in {:.1} s; {} re-anchored to the estimated settings",
            while_decoding,
            d.read_back,
            metrics_started.elapsed().as_secs_f64(),
            d.recomputed - d.read_back,
        );
    }
    for p in &d.problems {
        eprintln!("hrdrift: warning: {p}");
    }
    if a.strict && !s.failed.is_empty() {
        return Ok(Exit::ImportFailures);
    }
    Ok(Exit::Ok)
}

/// "1 file", "2 files".
fn count(n: impl Into<u128>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

//! The `hrdrift` command line: parses arguments, calls the libraries, prints, and maps outcomes
//! to the documented exit codes in [`Exit`].

mod athlete;
mod convert;
mod curve;
mod demo;
mod history;
mod import;
mod list;
mod report;
mod show;
mod text;
mod wellness;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit statuses, documented in the README. Scripts and CI jobs rely on these numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Ok = 0,
    /// A failure that stopped the command (unreadable store, bad arguments to a library call).
    Error = 1,
    /// Command-line usage error (clap's own code).
    Usage = 2,
    /// `import --strict`: at least one file failed (the others were imported).
    ImportFailures = 3,
    /// Another hrdrift process holds the store's lock.
    Locked = 4,
    /// `nightly`: a warning sign chosen with `--fail-on` appeared (the report was written).
    Warnings = 5,
}

/// The status of a process that wrote to a closed pipe: 128 + SIGPIPE (13), as a shell reports it.
const CLOSED_PIPE_STATUS: i32 = 141;

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "hrdrift",
    version,
    about = "Heart-rate analytics for runners, from the files their watches export"
)]
pub struct Args {
    /// The store directory [default: $HRDRIFT_STORE, else $XDG_DATA_HOME/hrdrift, else ~/.local/share/hrdrift]
    #[arg(long, global = true, value_name = "DIR")]
    store: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import FIT, GPX and TCX files (plain, .gz, .zip, or folders of them) into the store
    Import(import::ImportArgs),
    /// List the activities in the store
    Activities {
        /// Machine-readable JSON (versioned by `schema_version`)
        #[arg(long)]
        json: bool,
    },
    /// One activity's metrics: a file (not imported) or an activity id (or unique prefix) in the store
    Show {
        /// A FIT, GPX or TCX file (may be .gz/.zip), or an activity id
        #[arg(value_name = "FILE|ID")]
        what: String,
        /// Machine-readable JSON (versioned by `schema_version`)
        #[arg(long)]
        json: bool,
        /// A series of the activity instead of its metrics: `alpha1`, DFA alpha1 every 20 s over
        /// 120 s of beat-to-beat intervals, with the HR and pace of each window
        #[arg(long, value_enum, value_name = "SERIES")]
        series: Option<show::Series>,
    },
    /// The athlete's settings (HRmax, LTHR, resting HR, zones, thresholds)
    #[command(subcommand)]
    Athlete(athlete::AthleteCommand),
    /// Steady-run heart rate against your baseline at that pace, and recovery after each hard session
    Trends(history::When),
    /// Weekly structure: volume, load, hard sessions and their spacing, intensity shares, warnings
    Weeks(history::When),
    /// Push, steady or hold back today, with the reasons as numbers
    Readiness(history::When),
    /// Morning readings per day: resting HR, overnight HRV (rMSSD) against its normal range, sleep [default: --since 12w]
    Wellness(history::When),
    /// Best GAP pace per duration (1 min to 1 h) over a period [default: --since 90d], against the period before
    Curve(history::When),
    /// Write the report: index.html, PNG charts, summary.json and summary.md
    Report(report::ReportArgs),
    /// Import what is new in a folder, update the report, and exit 5 on a chosen warning sign
    Nightly(report::NightlyArgs),
    /// Write a synthetic athlete (FIT files and the ground truth) to try hrdrift on
    DemoData(demo::DemoArgs),
    /// Print a shell completion script: `hrdrift completions bash > ~/.local/share/bash-completion/completions/hrdrift`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `hrdrift man > ~/.local/share/man/man1/hrdrift.1`
    Man,
    /// Write one file's normalized samples as CSV, JSON or Parquet, without a store
    Convert {
        /// A FIT, GPX or TCX file (may be .gz)
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = convert::To::Csv)]
        to: convert::To,
        /// Output file [default: standard output]
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
}

/// How the store location is chosen when `--store` is not given.
fn default_store() -> PathBuf {
    if let Some(p) = std::env::var_os("HRDRIFT_STORE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("XDG_DATA_HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(p).join("hrdrift");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".local/share/hrdrift"),
        None => PathBuf::from("hrdrift-store"),
    }
}

/// The manual page of the whole command line: the main page, then a section per subcommand
/// with its synopsis and options, so `man hrdrift` explains `hrdrift trends` too.
fn man() -> anyhow::Result<Exit> {
    use std::io::Write as _;
    let cmd = <Args as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        let sub = sub.clone().bin_name(format!("hrdrift {name}"));
        writeln!(out, ".SH \"HRDRIFT {}\"", name.to_uppercase())?;
        if let Some(about) = sub.get_about() {
            writeln!(out, "{about}")?;
        }
        let man = clap_mangen::Man::new(sub);
        man.render_synopsis_section(&mut out)?;
        man.render_options_section(&mut out)?;
    }
    std::io::stdout().write_all(&out)?;
    Ok(Exit::Ok)
}

fn main() -> ExitCode {
    // A panic inside a decoder is caught and reported as that file's failure; the default hook
    // would print a backtrace notice for it in the middle of the progress output.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // `println!` panics when standard output is a pipe its reader closed
        // (`hrdrift activities --json | head -c 100`): end quietly with the status a shell
        // gives a process that SIGPIPE ended, as command-line tools conventionally do. The
        // payload is the only sign of it, since Rust ignores SIGPIPE.
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(CLOSED_PIPE_STATUS);
        }
        if !hrdrift_ingest::in_guarded_decode() {
            default_hook(info);
        }
    }));
    let args = Args::parse();
    let store = args.store.clone().unwrap_or_else(default_store);
    let reads = match &args.command {
        Command::Activities { .. }
        | Command::Trends(_)
        | Command::Weeks(_)
        | Command::Readiness(_)
        | Command::Wellness(_)
        | Command::Curve(_)
        | Command::Report(_)
        | Command::Athlete(athlete::AthleteCommand::Show { .. }) => true,
        Command::Show { what, .. } => !std::path::Path::new(what).is_file(),
        _ => false,
    };
    // A read command on a store that was never written would answer "no easy runs", which
    // reads like a finding: say there is no store instead (a typo in --store, a new machine).
    if reads && !store.is_dir() {
        eprintln!(
            "hrdrift: no store at {}: nothing was imported there (run `hrdrift import PATH`, or pass \
             --store DIR or set HRDRIFT_STORE)",
            store.display()
        );
        return Exit::Error.into();
    }
    let result = match args.command {
        Command::Import(a) => import::run(&store, &a),
        Command::Activities { json } => list::run(&store, json),
        Command::Show {
            what,
            json,
            series: Some(show::Series::Alpha1),
        } => show::alpha1(&store, &what, json),
        Command::Show { what, json, .. } => show::run(&store, &what, json),
        Command::Athlete(cmd) => athlete::run(&store, &cmd),
        Command::DemoData(a) => demo::run(&a),
        Command::Report(a) => report::report(&store, &a),
        Command::Nightly(a) => report::nightly(&store, &a),
        Command::Trends(w) => history::trends(&store, &w),
        Command::Weeks(w) => history::weeks(&store, &w),
        Command::Readiness(w) => history::readiness(&store, &w),
        Command::Curve(w) => curve::run(&store, &w),
        Command::Wellness(w) => wellness::run(&store, &w),
        Command::Convert { file, to, output } => convert::run(&file, to, output.as_deref()),
        Command::Completions { shell } => {
            let mut cmd = <Args as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "hrdrift", &mut std::io::stdout());
            Ok(Exit::Ok)
        }
        Command::Man => man(),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("hrdrift: {e:#}");
            let locked = e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<hrdrift_store::StoreError>(),
                    Some(hrdrift_store::StoreError::Locked { .. })
                )
            });
            if locked {
                Exit::Locked.into()
            } else {
                Exit::Error.into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    #[test]
    fn clap_definition_is_consistent() {
        super::Args::command().debug_assert();
    }

    /// The words of a shell command line, with quotes removed and nothing expanded (`$HOME`
    /// stays as written: clap only needs the shape).
    fn words(line: &str) -> Vec<String> {
        let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
        for c in line.chars() {
            match (quote, c) {
                (None, '"' | '\'') => {
                    quote = Some(c);
                    any = true;
                }
                (Some(q), c) if c == q => quote = None,
                (None, c) if c.is_whitespace() => {
                    if any {
                        out.push(std::mem::take(&mut cur));
                        any = false;
                    }
                }
                (_, c) => {
                    cur.push(c);
                    any = true;
                }
            }
        }
        if any {
            out.push(cur);
        }
        out
    }

    /// The `hrdrift` command lines of a file: continuation lines joined, each cut at the first
    /// shell operator, redirection or comment after `hrdrift`.
    fn command_lines(text: &str) -> Vec<Vec<String>> {
        let joined = text.replace("\\\n", " ");
        let mut out = Vec::new();
        for line in joined.lines() {
            let line = line.trim_start();
            if line.starts_with('#') {
                continue;
            }
            let ws = words(line);
            let Some(at) = ws
                .iter()
                .position(|w| w == "hrdrift" || w.ends_with("/hrdrift"))
            else {
                continue;
            };
            let args: Vec<String> = ws[at..]
                .iter()
                .take_while(|w| {
                    !matches!(
                        w.as_str(),
                        "||" | "|" | "&&" | ";" | ">" | ">>" | "2>&1" | "#"
                    )
                })
                .cloned()
                .collect();
            // `cargo install ... hrdrift` names the crate, not a command line.
            if args.len() > 1 {
                out.push(args);
            }
        }
        out
    }

    /// The shell of a workflow's `run:` steps (a `name:` may say "hrdrift nightly" too).
    fn run_blocks(yaml: &str) -> String {
        let mut out = String::new();
        let mut block: Option<usize> = None;
        for line in yaml.lines() {
            let indent = line.len() - line.trim_start().len();
            if let Some(i) = block {
                if line.trim().is_empty() || indent > i {
                    out.push_str(line);
                    out.push('\n');
                    continue;
                }
                block = None;
            }
            let trimmed = line.trim_start().trim_start_matches("- ");
            if let Some(rest) = trimmed.strip_prefix("run:") {
                if rest.trim() == "|" {
                    block = Some(indent);
                } else {
                    out.push_str(rest);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The README's queries are the files `.ci/run` runs, so what it shows was run.
    #[test]
    fn the_readme_shows_the_queries_ci_runs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
        let mut shown = 0;
        for entry in std::fs::read_dir(root.join("examples/queries")).expect("examples/queries") {
            let path = entry.expect("a readable folder").path();
            if path.extension().is_some_and(|e| e == "sql" || e == "py") {
                let text = std::fs::read_to_string(&path).expect("a query is text");
                assert!(
                    readme.contains(&text),
                    "README.md does not show {}",
                    path.display()
                );
                shown += 1;
            }
        }
        assert_eq!(shown, 3);
    }

    #[test]
    fn example_command_lines_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(&dir) {
            let entry = entry.expect("examples/ is readable");
            // The README's prose names hrdrift in sentences; the examples are the other files.
            if !entry.file_type().is_file() || entry.path().extension().is_some_and(|e| e == "md") {
                continue;
            }
            let mut text = std::fs::read_to_string(entry.path()).expect("an example is text");
            if entry
                .path()
                .extension()
                .is_some_and(|e| e == "yml" || e == "yaml")
            {
                text = run_blocks(&text);
            }
            for args in command_lines(&text) {
                if let Err(e) = super::Args::try_parse_from(&args) {
                    panic!("{}: {args:?}: {e}", entry.path().display());
                }
                checked += 1;
            }
        }
        // The GitHub Actions workflow and the crontab line at least: a parser that found
        // nothing would pass every example.
        assert!(checked >= 2, "{checked} command lines in {}", dir.display());
        // The parser itself: a bad option is caught.
        let bad = command_lines("hrdrift nightly --watch x --out y --fail-onn none");
        assert!(super::Args::try_parse_from(&bad[0]).is_err());
    }
}

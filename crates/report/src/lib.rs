//! hrdrift's report: what the analytics found, for a person.
//!
//! Input is a plain [`ReportInput`] (see [`model`]) that the binary fills from the analytics;
//! this crate depends on neither polars nor `hrdrift-analytics`. Output is seven PNG charts
//! ([`ChartKind`], drawn with plotters and an embedded DejaVu Sans font), `index.html` (one
//! page, inline CSS, no script, no network, the charts as PNG files next to it) and
//! `summary.md` (fits a CI job summary). `summary.json` is written by the binary from the
//! analytics' own types.
//!
//! Entry points: [`write_report`] writes everything into a directory; [`render_chart`],
//! [`render_charts`], [`render_html`] and [`render_markdown`] return bytes and text and touch no
//! file.
//!
//! Invariants:
//! - Only [`write_report`] touches the file system, and it never leaves a half-written or blank
//!   file in the output directory: charts are drawn in memory and encoded as PNG first, every
//!   file is written into a staging directory inside the output directory, and files are renamed
//!   into place only when all of them were written (`index.html` last).
//! - Missing data is not an error: a chart with nothing to draw says so in the image; a value
//!   that could not be computed is shown as "–", never as 0.
//! - Text from data (activity names, ids, flags, reasons) is escaped in HTML and Markdown.

mod charts;
mod format;
mod html;
mod markdown;
pub mod model;
mod render;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub use charts::{ChartKind, DEFAULT_SIZE, render_chart, render_charts};
pub use html::{HTML_ACTIVITY_ROWS, escape, render_html};
pub use markdown::{MD_ACTIVITY_ROWS, escape_md, render_markdown};
pub use model::{
    ActivityRow, ActivityTrace, Alpha1Window, BaselineLine, CurvePoint, DayLoad, DriftLine,
    EasyRunPoint, HardMarker, LongRunPoint, MorningPoint, Readiness, Reason, ReportInput, Rules,
    SteadySpan, Units, WeekBar,
};

/// The report's errors; each names the chart or the path concerned.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Drawing a chart failed.
    #[error("drawing chart {chart}: {message}")]
    Chart {
        chart: &'static str,
        message: String,
    },
    /// Encoding a chart as PNG failed.
    #[error("encoding chart {chart} as PNG: {message}")]
    Encode {
        chart: &'static str,
        message: String,
    },
    /// The embedded font could not be registered with plotters.
    #[error("font: {0}")]
    Font(String),
    /// Reading or writing a file or directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ReportError {
    fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| ReportError::Io { path, source }
    }
}

/// The files [`write_report`] wrote, all inside the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFiles {
    /// `index.html`.
    pub index_html: PathBuf,
    /// `summary.md`.
    pub summary_md: PathBuf,
    /// The chart PNGs, in [`ChartKind::ALL`] order.
    pub charts: Vec<(ChartKind, PathBuf)>,
}

/// File name of the page.
pub const INDEX_HTML: &str = "index.html";
/// File name of the Markdown summary.
pub const SUMMARY_MD: &str = "summary.md";

/// Renders the charts (in parallel, at [`DEFAULT_SIZE`]), the page and the summary, and writes
/// them into `out_dir` (created if missing), replacing earlier files of the same names.
///
/// Nothing is written until every chart has rendered; files are staged in a hidden directory
/// inside `out_dir` and renamed into place, `index.html` last, so a reader sees either the old
/// or the new version of each file and never a blank or partial one. Other files in `out_dir`
/// (such as the binary's `summary.json`) are left alone.
///
/// # Errors
/// A chart's [`ReportError::Chart`]/[`ReportError::Encode`]/[`ReportError::Font`], or
/// [`ReportError::Io`] naming the path that could not be created, written or renamed.
pub fn write_report(input: &ReportInput, out_dir: &Path) -> Result<ReportFiles, ReportError> {
    let charts = render_charts(input, DEFAULT_SIZE)?;
    let kinds: Vec<ChartKind> = charts.iter().map(|(k, _)| *k).collect();
    let page = render_html(input, &kinds);
    let summary = render_markdown(input);

    fs::create_dir_all(out_dir).map_err(ReportError::io(out_dir))?;
    let staging = tempfile::Builder::new()
        .prefix(".hrdrift-report-")
        .tempdir_in(out_dir)
        .map_err(ReportError::io(out_dir))?;

    // Written in the order they are renamed: charts, then the summary, then the page that
    // refers to the charts.
    let mut files: Vec<(&str, &[u8])> = charts
        .iter()
        .map(|(k, png)| (k.file_name(), png.as_slice()))
        .collect();
    files.push((SUMMARY_MD, summary.as_bytes()));
    files.push((INDEX_HTML, page.as_bytes()));
    for (name, bytes) in &files {
        write_synced(&staging.path().join(name), bytes)?;
    }
    for (name, _) in &files {
        let from = staging.path().join(name);
        let to = out_dir.join(name);
        fs::rename(&from, &to).map_err(ReportError::io(&to))?;
    }
    // The staging directory is empty now; a failure to remove it loses nothing.
    let _ = staging.close();
    if let Ok(dir) = fs::File::open(out_dir) {
        let _ = dir.sync_all();
    }

    Ok(ReportFiles {
        index_html: out_dir.join(INDEX_HTML),
        summary_md: out_dir.join(SUMMARY_MD),
        charts: kinds
            .iter()
            .map(|k| (*k, out_dir.join(k.file_name())))
            .collect(),
    })
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let mut f = fs::File::create(path).map_err(ReportError::io(path))?;
    f.write_all(bytes).map_err(ReportError::io(path))?;
    f.sync_all().map_err(ReportError::io(path))?;
    Ok(())
}

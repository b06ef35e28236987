//! What `hrdrift report` and `hrdrift nightly` write for a store as of a day: the report (charts,
//! `index.html`, `summary.md`, rendered by `hrdrift-report` from the input [`input`] assembles)
//! and `summary.json` for machines, with the warning signs found.
//!
//! The binary parses the period and prints; everything chosen here (which run the trace chart
//! shows, what falls in the period, which baseline the chart draws) is the same for both commands.

mod input;

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;
use hrdrift_analytics::history::words::{self, Warning};
use hrdrift_analytics::history::{
    EasyRun, HardSession, History, Readiness, Week, analyze_history_with_mornings,
};
pub use hrdrift_analytics::time::Period;
use hrdrift_analytics::time::{day_ms, ms_of, rfc3339_secs};
use hrdrift_analytics::{ActivityMetrics, CurvePoint, Sex, ZoneModel, pace_curve};
use hrdrift_cache::Derived;
use hrdrift_report::ReportFiles;
use hrdrift_store::Store;
use serde::Serialize;

/// Version of `summary.json`. 2: easy runs are steady runs and hard sessions session types
/// from pace (issue 16). Its schema (`crates/hrdrift/schema/summary.schema.json`) adds fields
/// within a version: the activities' HRV fields (issue 18), `morning` and the activities' `feel`
/// and `rpe` (issue 19) came within 2.
pub const SCHEMA_VERSION: u32 = 2;
pub const SUMMARY_JSON: &str = "summary.json";

/// `summary.json`: what the report shows, for a machine.
#[derive(Serialize)]
pub struct Summary<'a> {
    pub schema_version: u32,
    pub generated: String,
    pub as_of: String,
    pub since: String,
    pub settings: SettingsSummary,
    pub readiness: &'a Readiness,
    pub ctl: Option<f64>,
    pub atl: Option<f64>,
    pub tsb: Option<f64>,
    pub warnings: &'a [Warning],
    pub weeks: Vec<&'a Week>,
    pub easy_runs: Vec<&'a EasyRun>,
    pub hard_sessions: Vec<&'a HardSession>,
    pub activities: Vec<&'a ActivityMetrics>,
    /// Best GAP speed per duration over the report's period, as `curve --json`'s `points`.
    pub pace_curve: &'a [CurvePoint],
    /// The same over the period of equal length before it.
    pub pace_curve_previous: &'a [CurvePoint],
    /// The morning readiness judged (today's or yesterday's readings, METRICS.md section 6),
    /// as `wellness --json` gives a day; null without one.
    pub morning: Option<&'a hrdrift_analytics::wellness::WellnessDay>,
}

/// The anchors the numbers were computed with.
#[derive(Serialize)]
pub struct SettingsSummary {
    pub hr_max: Option<f64>,
    pub hr_rest: Option<f64>,
    pub lthr: Option<f64>,
    pub sex: Sex,
    pub zone_model: ZoneModel,
    pub estimated: Vec<String>,
    pub fingerprint: String,
}

/// What a report run wrote and found.
pub struct Published {
    pub files: ReportFiles,
    pub summary_json: PathBuf,
    pub history: History,
    pub warnings: Vec<Warning>,
}

/// The pace-duration curves of the period (as every other list of the report) and of the
/// period of equal length before it, as `hrdrift curve` computes them.
fn pace_curves(d: &Derived, p: Period) -> (Vec<CurvePoint>, Vec<CurvePoint>) {
    let now = pace_curve(&d.metrics, p.since_ms, p.now_ms.saturating_add(1));
    let (from, to) = p.before();
    (now, pace_curve(&d.metrics, from, to))
}

/// `summary.json` of an analysis: every list cut to the period, the load of its last day.
#[must_use]
pub fn summary<'a>(
    d: &'a Derived,
    h: &'a History,
    p: Period,
    warnings: &'a [Warning],
    curves: (&'a [CurvePoint], &'a [CurvePoint]),
) -> Summary<'a> {
    let today = h
        .days
        .iter()
        .rev()
        .find(|day| day_ms(&day.date) <= p.now_ms);
    let s = &d.settings;
    Summary {
        schema_version: SCHEMA_VERSION,
        generated: rfc3339_secs(Utc::now().timestamp_millis()),
        as_of: rfc3339_secs(p.now_ms),
        since: rfc3339_secs(p.since_ms.max(0)),
        settings: SettingsSummary {
            hr_max: s.hr_max,
            hr_rest: s.hr_rest,
            lthr: s.lthr,
            sex: s.sex,
            zone_model: s.zone_model,
            estimated: s.estimated.names(),
            fingerprint: s.fingerprint(),
        },
        readiness: &h.readiness,
        ctl: today.map(|t| t.ctl),
        atl: today.map(|t| t.atl),
        tsb: today.map(|t| t.tsb),
        warnings,
        weeks: h
            .weeks
            .iter()
            .filter(|w| p.overlaps(day_ms(&w.monday), 7))
            .collect(),
        easy_runs: h
            .easy_runs
            .iter()
            .filter(|r| p.contains(ms_of(&r.start)))
            .collect(),
        hard_sessions: h
            .hard_sessions
            .iter()
            .filter(|hs| p.contains(ms_of(&hs.start)))
            .collect(),
        activities: d
            .metrics
            .iter()
            .filter(|m| p.contains(m.start_ms))
            .collect(),
        pace_curve: curves.0,
        pace_curve_previous: curves.1,
        morning: chrono::DateTime::from_timestamp_millis(p.now_ms)
            .and_then(|t| hrdrift_analytics::wellness::morning_of(&d.mornings, t.date_naive())),
    }
}

/// Analyses the store's metrics as of `p.now_ms` and writes the report and `summary.json` into
/// `out` (created if need be; `summary.json` replaced whole, never left half-written).
///
/// # Errors
/// When a file cannot be written.
pub fn publish(store: &Store, d: &Derived, out: &Path, p: Period) -> anyhow::Result<Published> {
    let h = analyze_history_with_mornings(&d.metrics, &d.mornings, &d.settings, p.now_ms);
    let warnings = words::warnings(&h, &d.settings, p.now_ms);
    let (curve, curve_before) = pace_curves(d, p);
    let curves = (curve.as_slice(), curve_before.as_slice());
    let report = input::report_input(store, d, &h, p, &warnings, curves);
    let files = hrdrift_report::write_report(&report, out)
        .with_context(|| format!("writing the report into {}", out.display()))?;
    let json = serde_json::to_vec_pretty(&summary(d, &h, p, &warnings, curves))?;
    let path = out.join(SUMMARY_JSON);
    let tmp = out.join(format!(".{SUMMARY_JSON}.tmp"));
    std::fs::write(&tmp, &json).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    Ok(Published {
        files,
        summary_json: path,
        history: h,
        warnings,
    })
}

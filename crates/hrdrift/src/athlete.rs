//! `hrdrift athlete`: the settings behind every metric, and where each came from.

use std::path::Path;

use anyhow::{Context, bail};
use hrdrift_store::{LockMode, Store};
use serde::Serialize;

use crate::Exit;
use crate::text::num;
use hrdrift_cache::config;

#[derive(Debug, clap::Subcommand)]
pub enum AthleteCommand {
    /// Show the settings in use: configured, estimated from the data, or default
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Set settings, e.g. `hr_max=188 lthr=172 threshold_pace=4:15/km sex=female`
    Set {
        #[arg(required = true, value_name = "KEY=VALUE")]
        pairs: Vec<String>,
    },
    /// Remove settings from the config, so they are estimated or default again
    Unset {
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
    },
}

/// Version of the JSON `athlete show --json` prints. 2: `threshold_speed_m_s` and its
/// source, the critical-speed fit, and `lthr_source` (issue 16). 3: `aerobic_threshold`, the
/// measured one (issue 18). 4: `ftp_w` and `ftp_source`, the FTP of the latest ride with power
/// (issue 20).
pub const SCHEMA_VERSION: u32 = 4;

#[derive(Serialize)]
struct Output<'a> {
    schema_version: u32,
    config_file: String,
    settings: &'a hrdrift_analytics::AthleteSettings,
    /// The threshold speed of the latest run (m/s), and where it came from (`configured`,
    /// `estimated`, `estimated_from_habit`).
    threshold_speed_m_s: Option<f64>,
    threshold_source: Option<hrdrift_analytics::ThresholdSource>,
    /// The critical-speed fit of the 90 days before the latest run, accepted or not.
    critical_speed: Option<&'a hrdrift_analytics::CsFit>,
    /// `configured`, `estimated` (from sustained efforts) or `low_confidence` (0.9 x HRmax).
    lthr_source: Option<&'static str>,
    /// The LTHR the sustained efforts give (bpm), used when LTHR is not configured.
    lthr_from_efforts: Option<f64>,
    /// The median HR at which DFA alpha1 fell through 0.75 in the 90 days to the latest
    /// activity, and over how many runs (METRICS.md section 5).
    aerobic_threshold: Option<hrdrift_analytics::hrv::MeasuredAet>,
    /// The FTP of the latest ride with power (W): `configured`, or `estimated` (0.95 x the best
    /// 20 min of the 90 days to it); the configured one when no ride has power.
    ftp_w: Option<f64>,
    ftp_source: Option<hrdrift_analytics::FtpSource>,
}

pub fn run(store_dir: &Path, cmd: &AthleteCommand) -> anyhow::Result<Exit> {
    let changes: Vec<(String, Option<String>)> = match cmd {
        AthleteCommand::Show { json } => return show(store_dir, *json),
        AthleteCommand::Set { pairs } => pairs
            .iter()
            .map(|p| match p.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => {
                    Ok((k.trim().to_owned(), Some(v.trim().to_owned())))
                }
                _ => bail!("`{p}` is not KEY=VALUE (for example hr_max=188)"),
            })
            .collect::<anyhow::Result<_>>()?,
        AthleteCommand::Unset { keys } => keys.iter().map(|k| (k.clone(), None)).collect(),
    };
    // Hold the store lock while editing, so a running import does not compute half its
    // metrics with the old settings and half with the new.
    let mut store = Store::open_write(store_dir, LockMode::Wait)
        .with_context(|| format!("opening the store {}", store_dir.display()))?;
    config::edit(store_dir, &changes)?;
    println!("saved {}", config::path(store_dir).display());
    if !store.activities().is_empty() {
        let d = hrdrift_cache::update(&mut store)?;
        if d.recomputed == 0 {
            // Session types and the across-activity rules are applied whenever the metrics
            // are read: nothing stored depends on them.
            println!("no stored metrics depend on this; the next command uses it");
        } else {
            println!(
                "recomputed the metrics of {} activities with the new settings",
                d.recomputed
            );
        }
    }
    Ok(Exit::Ok)
}

fn show(store_dir: &Path, json: bool) -> anyhow::Result<Exit> {
    let configured = config::load(store_dir)?;
    let d = hrdrift_cache::for_reading(store_dir)?;
    let s = &d.settings;
    let lthr_source = if configured.lthr.is_some() {
        Some("configured")
    } else if d.lthr_from_efforts {
        Some("estimated")
    } else if s.lthr.is_some() {
        Some("low_confidence")
    } else {
        None
    };
    let threshold = d.effort.threshold.as_ref();
    let latest = d.metrics.iter().map(|m| m.start_ms).max().unwrap_or(0);
    let aet = hrdrift_analytics::hrv::measured_aet(&d.metrics, latest);
    let ftp = d
        .metrics
        .iter()
        .filter(|m| m.ftp_w.is_some())
        .max_by_key(|m| m.start_ms)
        .and_then(|m| Some((m.ftp_w?, m.ftp_source?)))
        .or_else(|| {
            configured
                .ftp
                .map(|f| (f, hrdrift_analytics::FtpSource::Configured))
        });
    if json {
        let out = Output {
            schema_version: SCHEMA_VERSION,
            config_file: config::path(store_dir).display().to_string(),
            settings: s,
            threshold_speed_m_s: threshold.map(|t| t.speed_m_s),
            threshold_source: threshold.map(|t| t.source),
            critical_speed: threshold.and_then(|t| t.cs.as_ref()),
            lthr_source,
            lthr_from_efforts: d.effort.lthr_from_efforts,
            aerobic_threshold: aet,
            ftp_w: ftp.map(|f| f.0),
            ftp_source: ftp.map(|f| f.1),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Exit::Ok);
    }
    let source = |set: bool, estimated: bool| {
        if set {
            "configured"
        } else if estimated {
            "estimated from your data"
        } else {
            "not known"
        }
    };
    println!("config file  {}", config::path(store_dir).display());
    println!(
        "hr_max       {} bpm  ({})",
        num(s.hr_max, 0),
        source(configured.hr_max.is_some(), s.estimated.hr_max)
    );
    let lthr_words = match lthr_source {
        Some("configured") => "configured".to_owned(),
        Some("estimated") => {
            "estimated from your sustained efforts: the highest 20 min heart rate at threshold pace"
                .to_owned()
        }
        Some(_) => format!(
            "low confidence: {} x HRmax, no 20 min effort near threshold pace in 90 days",
            s.estimate_lthr_fraction
        ),
        None => "not known".to_owned(),
    };
    println!("lthr         {} bpm  ({lthr_words})", num(s.lthr, 0));
    if let Some(b) = s.lthr_bike {
        println!("lthr_bike    {b:.0} bpm  (configured: a ride's zones, HR class and hrTSS)");
    }
    match aet {
        Some(a) => println!(
            "aet          {:.0} bpm  (measured: the median of {} {} where DFA alpha1 fell through 0.75, {} days)",
            a.hr_bpm,
            a.runs,
            if a.runs == 1 { "run" } else { "runs" },
            hrdrift_analytics::hrv::AET_DAYS
        ),
        None => println!(
            "aet          -  (not measured: {} of the {} runs it needs in {} days, runs with beat-to-beat intervals where DFA alpha1 fell through 0.75)",
            hrdrift_analytics::hrv::aet_runs(&d.metrics, latest),
            hrdrift_analytics::hrv::MIN_AET_RUNS,
            hrdrift_analytics::hrv::AET_DAYS
        ),
    }
    match threshold {
        Some(t) => {
            println!(
                "threshold    {}  ({:.2} m/s; {})",
                s.units.pace(t.speed_m_s),
                t.speed_m_s,
                crate::text::threshold_words(t.source)
            );
            if let Some(cs) = t.cs.as_ref() {
                let points: Vec<String> = cs
                    .points
                    .iter()
                    .map(|p| format!("{:.0} min {}", p[0] / 60.0, s.units.pace(p[1])))
                    .collect();
                println!(
                    "             critical speed {} (D' {}{}) from the best {}",
                    s.units.pace(cs.cs_m_s),
                    match s.units {
                        hrdrift_analytics::Units::Metric => format!("{:.0} m", cs.d_prime_m),
                        hrdrift_analytics::Units::Imperial => {
                            format!("{:.0} yd", cs.d_prime_m / 0.9144)
                        }
                    },
                    if cs.accepted { "" } else { ", not accepted" },
                    points.join(", ")
                );
            }
        }
        None => println!(
            "threshold    -  (no run with speed yet; set one: hrdrift athlete set threshold_pace={})",
            crate::text::example_pace(s.units)
        ),
    }
    match ftp {
        Some((f, hrdrift_analytics::FtpSource::Configured)) => {
            println!("ftp          {f:.0} W  (configured)");
        }
        Some((f, _)) => println!(
            "ftp          {f:.0} W  (estimated: 0.95 x the best 20 min of the 90 days to the latest ride; set one: hrdrift athlete set ftp=250)"
        ),
        None => {}
    }
    let rest_source = if configured.hr_rest.is_some() {
        "configured"
    } else {
        "from the watch's user profile, else the default 50"
    };
    println!("hr_rest      {} bpm  ({rest_source})", num(s.hr_rest, 0));
    let name = |v: serde_json::Result<serde_json::Value>| {
        v.ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    println!("sex          {}", name(serde_json::to_value(s.sex)));
    println!("zone_model   {}", name(serde_json::to_value(s.zone_model)));
    if s.hr_max.is_none() {
        println!(
            "\nHRmax is estimated once {} activities with heart rate are imported; until then, \
             set it: hrdrift athlete set hr_max=190",
            s.estimate_min_activities
        );
    }
    println!("\nAll thresholds: hrdrift athlete show --json");
    Ok(Exit::Ok)
}

//! `hrdrift athlete`: the settings behind every metric, and where each came from.

use std::path::Path;

use anyhow::{Context, bail};
use hrdrift_store::{LockMode, Store};
use serde::Serialize;

use crate::text::num;
use crate::{Exit, config, derive};

#[derive(Debug, clap::Subcommand)]
pub enum AthleteCommand {
    /// Show the settings in use: configured, estimated from the data, or default
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Set settings, e.g. `hr_max=188 lthr=172 sex=female zone_model=karvonen`
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

/// Version of the JSON `athlete show --json` prints.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    schema_version: u32,
    config_file: String,
    settings: &'a hrdrift_analytics::AthleteSettings,
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
        let d = derive::update(&mut store)?;
        println!(
            "recomputed the metrics of {} activities with the new settings",
            d.recomputed
        );
    }
    Ok(Exit::Ok)
}

fn show(store_dir: &Path, json: bool) -> anyhow::Result<Exit> {
    let configured = config::load(store_dir)?;
    let d = derive::for_reading(store_dir)?;
    let s = &d.settings;
    if json {
        let out = Output {
            schema_version: SCHEMA_VERSION,
            config_file: config::path(store_dir).display().to_string(),
            settings: s,
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
    println!(
        "lthr         {} bpm  ({})",
        num(s.lthr, 0),
        source(configured.lthr.is_some(), s.estimated.lthr)
    );
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

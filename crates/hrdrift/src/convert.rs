//! `hrdrift convert`: one file's normalized samples, without a store.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, bail};
use hrdrift_ingest::source::{self, Found, Limits};
use hrdrift_ingest::{Activity, decode_bytes};
use polars_core::prelude::*;
use polars_io::prelude::*;

use crate::Exit;
use crate::text::rfc3339_secs;
use hrdrift_store::tables::SAMPLE_COLUMNS;

#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum To {
    Csv,
    Json,
    Parquet,
}

/// The standard channels `convert` writes after `timestamp`: the store's sample columns up to
/// `temperature_c` (running dynamics stay in the store).
const CONVERTED: usize = 9;

fn column_names() -> impl Iterator<Item = &'static str> {
    std::iter::once("timestamp").chain(SAMPLE_COLUMNS[..CONVERTED].iter().copied())
}

fn value_columns(a: &Activity) -> Vec<Option<&Vec<Option<f64>>>> {
    a.samples
        .channels()
        .into_iter()
        .take(CONVERTED)
        .map(|(_, c)| c)
        .collect()
}

fn decode_file(path: &Path) -> anyhow::Result<Vec<Activity>> {
    let found = Mutex::new(Vec::new());
    source::expand_file(path, &Limits::default(), &|f| {
        found
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(f)
    });
    let mut acts = Vec::new();
    for f in found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        match f {
            Found::Input(i) => {
                let d = decode_bytes(&i.bytes, &i.name).with_context(|| i.name.clone())?;
                for w in &d.warnings {
                    eprintln!("warning    {}: {}", i.name, w.message);
                }
                acts.extend(d.value);
            }
            Found::Failed(e) => bail!("{e}"),
            Found::Ignored(name) => bail!("{name}: not a FIT, GPX or TCX file"),
        }
    }
    if acts.is_empty() {
        bail!("{}: no activity in it", path.display());
    }
    Ok(acts)
}

fn write_csv(acts: &[Activity], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}", column_names().collect::<Vec<_>>().join(","))?;
    for a in acts {
        let cols = value_columns(a);
        for (i, t) in a.samples.timestamp_ms.iter().enumerate() {
            write!(out, "{}", rfc3339_ms(*t))?;
            for c in &cols {
                match c.and_then(|c| c.get(i).copied().flatten()) {
                    Some(v) => write!(out, ",{v}")?,
                    None => write!(out, ",")?,
                }
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Millisecond precision only where the file has it.
fn rfc3339_ms(ms: i64) -> String {
    if ms % 1000 == 0 {
        rfc3339_secs(ms)
    } else {
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).map_or_else(String::new, |t| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
    }
}

fn write_json(acts: &[Activity], out: &mut dyn Write) -> anyhow::Result<()> {
    let mut samples = Vec::new();
    for a in acts {
        let cols = value_columns(a);
        for (i, t) in a.samples.timestamp_ms.iter().enumerate() {
            let mut m = serde_json::Map::new();
            m.insert("timestamp".to_owned(), rfc3339_ms(*t).into());
            for (name, c) in column_names().skip(1).zip(&cols) {
                m.insert(
                    name.to_owned(),
                    c.and_then(|c| c.get(i).copied().flatten()).into(),
                );
            }
            samples.push(serde_json::Value::Object(m));
        }
    }
    let doc = serde_json::json!({
        "schema_version": 1,
        "source": acts.first().map(|a| a.source.clone()),
        "activities": acts.iter().map(|a| serde_json::json!({
            "id": a.id, "sport": a.sport, "start": rfc3339_secs(a.start_ms), "samples": a.samples.len(),
        })).collect::<Vec<_>>(),
        "columns": column_names().collect::<Vec<_>>(),
        "samples": samples,
    });
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

fn frame(acts: &[Activity]) -> PolarsResult<DataFrame> {
    let ts: Vec<i64> = acts
        .iter()
        .flat_map(|a| a.samples.timestamp_ms.iter().copied())
        .collect();
    let mut cols = vec![
        Column::new("timestamp".into(), ts).cast(&DataType::Datetime(
            TimeUnit::Milliseconds,
            Some(TimeZone::UTC),
        ))?,
    ];
    for (k, name) in column_names().skip(1).enumerate() {
        let v: Vec<Option<f64>> = acts
            .iter()
            .flat_map(|a| {
                let c = value_columns(a)[k];
                (0..a.samples.len()).map(move |i| c.and_then(|c| c.get(i).copied().flatten()))
            })
            .collect();
        cols.push(Column::new(name.into(), v));
    }
    DataFrame::new_infer_height(cols)
}

pub fn run(path: &Path, to: To, output: Option<&Path>) -> anyhow::Result<Exit> {
    if to == To::Parquet && output.is_none() && std::io::stdout().is_terminal() {
        bail!("Parquet is binary: give an output file with -o, or redirect standard output");
    }
    let acts = decode_file(path)?;
    let mut sink: Box<dyn Write> = match output {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    match to {
        To::Csv => write_csv(&acts, &mut sink)?,
        To::Json => write_json(&acts, &mut sink)?,
        To::Parquet => {
            let mut df = frame(&acts)?;
            ParquetWriter::new(&mut sink).finish(&mut df)?;
        }
    }
    sink.flush()?;
    Ok(Exit::Ok)
}

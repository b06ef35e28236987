//! `hrdrift show FILE|ID`: one activity's metrics.

use std::path::Path;
use std::sync::Mutex;

use anyhow::bail;
use hrdrift_analytics::{ActivityMetrics, AthleteSettings};
use hrdrift_ingest::source::{Found, Limits, expand_file};
use hrdrift_ingest::{Activity, Contents};
use hrdrift_store::Store;
use serde::Serialize;

use crate::Exit;
use crate::text::{hms, local_time, num, pace, short_id};
use hrdrift_cache::config;

/// Version of the JSON `show` prints (the same activity fields as `activities --json`).
/// 2: the session type and effort fields of issue 16 (see `list::SCHEMA_VERSION` 3).
/// 3: the HRV fields of issue 18 (see `list::SCHEMA_VERSION` 4).
/// 4: `feel` and `rpe` (issue 19, `list::SCHEMA_VERSION` 5).
/// 5: power (issue 20, `list::SCHEMA_VERSION` 6).
/// 6: `name`, `sport_source`, `sport_guessed` (issue 20, `list::SCHEMA_VERSION` 7).
pub const SCHEMA_VERSION: u32 = 6;

#[derive(Serialize)]
struct Output<'a> {
    schema_version: u32,
    settings: &'a AthleteSettings,
    activities: Vec<Shown<'a>>,
}

/// An activity's metrics with its name (not a metric: the export's index may give it later).
#[derive(Serialize)]
struct Shown<'a> {
    name: Option<&'a str>,
    #[serde(flatten)]
    metrics: &'a ActivityMetrics,
}

/// An activity's source and name.
type Named = (String, Option<String>);

pub fn run(store_dir: &Path, what: &str, json: bool) -> anyhow::Result<Exit> {
    let path = Path::new(what);
    let (settings, metrics, sources) = if path.is_file() {
        from_file(store_dir, path)?
    } else {
        let (d, store) = hrdrift_cache::for_reading_with_store(store_dir)?;
        let row = match store.find(what) {
            Ok(row) => row,
            Err(e @ hrdrift_store::StoreError::Ambiguous { .. }) => return Err(e.into()),
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "{what} is neither a file nor an activity in the store {}",
                    store_dir.display()
                )));
            }
        };
        let Some(m) = d.get(&row.id).cloned() else {
            bail!(
                "activity {} has no metrics: {}",
                row.id,
                d.problems.join("; ")
            );
        };
        (
            d.settings,
            vec![m],
            vec![(row.source.clone(), row.name.clone())],
        )
    };
    if json {
        let out = Output {
            schema_version: SCHEMA_VERSION,
            settings: &settings,
            activities: metrics
                .iter()
                .zip(&sources)
                .map(|(m, (_, name))| Shown {
                    name: name.as_deref(),
                    metrics: m,
                })
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Exit::Ok);
    }
    for (m, (source, name)) in metrics.iter().zip(&sources) {
        print_table(m, source, name.as_deref(), settings.units);
    }
    Ok(Exit::Ok)
}

/// The series `show --series` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Series {
    Alpha1,
}

/// Version of the JSON `show --series alpha1` prints.
pub const SERIES_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct SeriesOutput<'a> {
    schema_version: u32,
    series: &'static str,
    activities: Vec<SeriesActivity<'a>>,
}

#[derive(Serialize)]
struct SeriesActivity<'a> {
    id: &'a str,
    source: &'a str,
    windows: &'a [hrdrift_analytics::Alpha1Point],
}

/// `show FILE|ID --series alpha1`: the alpha1 windows of an activity (of each, for a file with
/// several), from its beats read back from the store or decoded from the file.
pub fn alpha1(store_dir: &Path, what: &str, json: bool) -> anyhow::Result<Exit> {
    let path = Path::new(what);
    let (settings, activities) = if path.is_file() {
        let activities = decode_file(path, store_dir)?;
        (file_settings(store_dir, &activities)?.0, activities)
    } else {
        let (d, store) = hrdrift_cache::for_reading_with_store(store_dir)?;
        let id = store.find(what)?.id.clone();
        let found = Mutex::new(Vec::new());
        let errors = store.for_each_activity(&std::iter::once(id.as_str()).collect(), |a| {
            if let Ok(mut v) = found.lock() {
                v.push(a);
            }
        });
        let activities = found.into_inner().unwrap_or_default();
        if activities.is_empty() {
            let why: Vec<String> = errors.iter().map(ToString::to_string).collect();
            bail!("activity {id} could not be read back: {}", why.join("; "));
        }
        (d.settings, activities)
    };
    let analyses: Vec<_> = activities
        .iter()
        .map(|a| hrdrift_analytics::analyze(a, &settings, &Default::default()))
        .collect();
    if json {
        let out = SeriesOutput {
            schema_version: SERIES_SCHEMA_VERSION,
            series: "alpha1",
            activities: activities
                .iter()
                .zip(&analyses)
                .map(|(a, an)| SeriesActivity {
                    id: &a.id,
                    source: &a.source,
                    windows: &an.series.alpha1,
                })
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Exit::Ok);
    }
    for (a, an) in activities.iter().zip(&analyses) {
        let m = &an.metrics;
        println!(
            "Activity {}  {}  DFA alpha1 every 20 s over 120 s of beats (above 0.75: below the aerobic threshold; 0.5: near the anaerobic one)",
            short_id(&a.id),
            local_time(m.start_ms, m.utc_offset_s),
        );
        if an.series.alpha1.is_empty() {
            let why = m
                .absent
                .get("dfa_a1_mean")
                .map_or("no windows", String::as_str);
            println!(
                "  no alpha1 windows ({} beats: {})",
                m.rr_beats,
                why.replace('_', " ")
            );
            continue;
        }
        println!(
            "  {:>8}  {:>6}  {:>4}  {:>9}  note",
            "time", "alpha1", "HR", "pace"
        );
        for w in &an.series.alpha1 {
            let why = w
                .absent
                .as_deref()
                .map_or(String::new(), |r| r.replace('_', " "));
            let line = format!(
                "  {:>8}  {:>6}  {:>4}  {:>9}  {why}",
                hms(w.elapsed_s),
                num(w.alpha1, 2),
                num(w.hr_bpm, 0),
                pace(w.speed_m_s, settings.units)
            );
            println!("{}", line.trim_end());
        }
    }
    Ok(Exit::Ok)
}

fn count_days(n: usize) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}

/// The activities of a file (or of an archive).
/// Each is given what the store's export index says of it, else a sport guessed from its speed
/// and cadence, as an import would.
fn decode_file(path: &Path, store_dir: &Path) -> anyhow::Result<Vec<Activity>> {
    let found = Mutex::new(Vec::new());
    expand_file(path, &Limits::default(), &|f| {
        if let Ok(mut v) = found.lock() {
            v.push(f);
        }
    });
    let mut activities: Vec<Activity> = Vec::new();
    let mut failures = Vec::new();
    for f in found.into_inner().unwrap_or_default() {
        match f {
            Found::Input(input) => {
                let id = hrdrift_ingest::content_id(&input.bytes);
                match hrdrift_ingest::decode_contents(&input.bytes, &input.name, &id) {
                    Ok(Contents::Activities(d)) => activities.extend(d.value),
                    Ok(Contents::Readings(d)) => failures.push(format!(
                        "{}: daily readings of {} ({}), not an activity: import it and see \
                         `hrdrift wellness`",
                        input.name,
                        count_days(d.value.len()),
                        d.value
                            .iter()
                            .map(|r| r.source.as_str())
                            .collect::<std::collections::BTreeSet<_>>()
                            .into_iter()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    Err(e) => failures.push(format!("{}: {e}", input.name)),
                }
            }
            Found::Failed(e) => failures.push(e.to_string()),
            Found::Ignored(name) => failures.push(format!("{name}: not an activity file")),
        }
    }
    if activities.is_empty() {
        bail!("{}: no activity: {}", path.display(), failures.join("; "));
    }
    // An index that cannot be read names nothing; the file is still shown.
    let index = Store::read_export_index(store_dir).unwrap_or_default();
    for a in &mut activities {
        index.settle(a);
    }
    Ok(activities)
}

/// The settings a file is shown with: the store's (config and estimates) where a store exists,
/// so a file shows the same numbers before and after it is imported; and the store's metrics.
fn file_settings(
    store_dir: &Path,
    activities: &[Activity],
) -> anyhow::Result<(AthleteSettings, Option<hrdrift_cache::Derived>)> {
    let stored = if Store::open_read(store_dir).is_ok_and(|s| !s.activities().is_empty()) {
        Some(hrdrift_cache::for_reading(store_dir)?)
    } else {
        None
    };
    let settings = match &stored {
        Some(d) => d.settings.clone(),
        None => config::load(store_dir)?.estimate(activities),
    };
    Ok((settings, stored))
}

/// Decodes a file on its own, with [`file_settings`].
fn from_file(
    store_dir: &Path,
    path: &Path,
) -> anyhow::Result<(AthleteSettings, Vec<ActivityMetrics>, Vec<Named>)> {
    let activities = decode_file(path, store_dir)?;
    let (settings, stored) = file_settings(store_dir, &activities)?;
    let mut metrics: Vec<ActivityMetrics> = activities
        .iter()
        .map(|a| hrdrift_analytics::analyze(a, &settings, &Default::default()).metrics)
        .collect();
    // Beside a store, the file's runs are placed among the store's rows for `long` and the
    // session type (the threshold speed of their date comes from the runs before them), as if
    // imported: a file and its id show the same numbers.
    match stored {
        Some(d) => {
            let ids: std::collections::HashSet<String> =
                metrics.iter().map(|m| m.id.clone()).collect();
            let mut all: Vec<ActivityMetrics> = d
                .metrics
                .into_iter()
                .filter(|m| !ids.contains(&m.id))
                .collect();
            let first = all.len();
            all.append(&mut metrics);
            hrdrift_analytics::fill_long_rows(&mut all, &settings);
            hrdrift_analytics::fill_session_types(&mut all, &settings);
            metrics = all.split_off(first);
        }
        None => {
            hrdrift_analytics::fill_long_rows(&mut metrics, &settings);
            hrdrift_analytics::fill_session_types(&mut metrics, &settings);
        }
    }
    let sources = activities
        .iter()
        .map(|a| (a.source.clone(), a.name.clone()))
        .collect();
    Ok((settings, metrics, sources))
}

/// Friel's reading of aerobic decoupling.
fn friel(pct: f64) -> &'static str {
    if pct < 0.0 {
        "negative: heart rate fell against pace (a cool-down, a tailwind, or a late start of the steady part)"
    } else if pct < 5.0 {
        "under 5 %: coupled, aerobic endurance holds for this duration (Friel)"
    } else if pct < 10.0 {
        "5-10 %: some decoupling, aerobic endurance still building for this duration (Friel)"
    } else {
        "over 10 %: large decoupling, this pace or duration is beyond current aerobic endurance (Friel)"
    }
}

fn print_table(m: &ActivityMetrics, source: &str, name: Option<&str>, u: hrdrift_analytics::Units) {
    let mut kind = vec![
        m.class
            .map_or("unclassified", hrdrift_analytics::SessionClass::name)
            .to_owned(),
    ];
    if m.long == Some(true) {
        kind.push("long".to_owned());
    }
    println!(
        "Activity {}  {}  {}  [{}]",
        short_id(&m.id),
        local_time(m.start_ms, m.utc_offset_s),
        match (m.sport.as_deref(), m.sport_source.as_deref()) {
            (None, _) => "unknown sport".to_owned(),
            (Some(s), Some(hrdrift_ingest::SPORT_GUESSED)) => {
                format!("{s} (guessed from speed and cadence: nothing named the sport)")
            }
            (Some(s), Some(hrdrift_ingest::SPORT_FROM_INDEX)) => {
                format!("{s} (from the export's index)")
            }
            (Some(s), _) => s.to_owned(),
        },
        kind.join(", ")
    );
    if let Some(n) = name {
        println!("  name         {n}");
    }
    println!("  source       {source}");
    let speed = m
        .distance_m
        .filter(|_| m.moving_s > 0.0)
        .map(|d| d / m.moving_s);
    // Each sport in its own convention (METRICS.md 7): pace and GAP on foot, km/h on a bike,
    // time per 100 m in the water.
    let sport = m.sport.as_deref();
    let pace_of = if hrdrift_analytics::clean::is_on_foot(sport) {
        format!("pace {}   GAP {}", pace(speed, u), pace(m.gap_speed_m_s, u))
    } else if sport.is_some_and(|s| s.contains("swim")) {
        format!(
            "pace {}",
            speed.map_or_else(|| "-".to_owned(), |v| u.swim_pace(v))
        )
    } else {
        format!(
            "speed {} {}",
            num(speed.map(|v| u.speed(v)), 1),
            u.speed_unit()
        )
    };
    println!(
        "  moving       {}   distance {} {}   {pace_of}",
        hms(m.moving_s),
        num(m.distance_m.map(|d| u.distance(d)), 2),
        u.distance_unit()
    );
    println!(
        "  heart rate   avg {} bpm   coverage {} %",
        num(m.avg_hr, 0),
        num(m.coverage.map(|c| c * 100.0), 0)
    );
    println!("  effort       {}", crate::text::effort_words(m, u));
    if let Some(w) = m.walk_share.filter(|_| {
        m.flags
            .iter()
            .any(|f| f == hrdrift_analytics::flag::RUN_WALK)
    }) {
        println!(
            "  run-walk     {:.0} % walking, metrics from the running parts",
            w * 100.0
        );
    }
    let why = |name: &str| {
        m.absent.get(name).map_or_else(String::new, |r| {
            format!("  (absent: {})", r.replace('_', " "))
        })
    };
    // A ride's EF is power over HR (METRICS.md 7); a run's is GAP speed over HR, with the
    // power-based one beside it when a running power meter was worn.
    let on_foot = hrdrift_analytics::clean::is_on_foot(m.sport.as_deref());
    let ef_unit = if on_foot {
        "m/min per bpm"
    } else {
        "W per bpm (NP / HR)"
    };
    let ef_power = match m.ef_power {
        Some(e) if on_foot => format!("   power EF {e:.2} W per bpm"),
        _ => String::new(),
    };
    println!(
        "  efficiency   EF {} {ef_unit}{}{ef_power}",
        num(m.ef, 2),
        why("ef")
    );
    if let Some(np) = m.np_w {
        let ftp = match (m.ftp_w, m.ftp_source) {
            (Some(f), Some(hrdrift_analytics::FtpSource::Configured)) => {
                format!("   FTP {f:.0} W")
            }
            (Some(f), _) => format!("   FTP {f:.0} W (estimated: 0.95 x best 20 min)"),
            (None, _) => String::new(),
        };
        let pw_hr = match m.pw_hr_decoupling_pct {
            Some(d) if on_foot => format!("   Pw:HR {d:.1} %"),
            _ => String::new(),
        };
        // IF and TSS are a ride's: a running power meter has no FTP here.
        let ride = if on_foot {
            String::new()
        } else {
            format!(
                "   IF {}   TSS {}{ftp}{}",
                num(m.intensity_factor, 2),
                num(m.tss, 0),
                why("tss")
            )
        };
        println!(
            "  power        NP {np:.0} W   avg {} W{ride}{pw_hr}",
            num(m.avg_power_w, 0),
        );
    }
    let quality = match m.decoupling_quality {
        Some(hrdrift_analytics::DecouplingQuality::Variable) => " (a variable run: read with care)",
        _ => "",
    };
    match m.decoupling_pct {
        Some(d) if !on_foot => println!("  decoupling   {d:.1} % (Pw:HR): {}", friel(d)),
        Some(d) => println!("  decoupling   {d:.1} %{quality}: {}", friel(d)),
        // Say which kind of unsteady it is: a runner accepts "an interval session" as the
        // reason, not a coefficient of variation.
        None if m.class == Some(hrdrift_analytics::SessionClass::Hard)
            && m.fast_reps.is_some_and(|r| r >= 2)
            && m.absent.get("decoupling_pct").map(String::as_str) == Some("unsteady") =>
        {
            println!(
                "  decoupling   -  (an interval session, {} fast repetitions: decoupling needs an even effort)",
                m.fast_reps.unwrap_or(0)
            );
        }
        None => println!("  decoupling   -{}", why("decoupling_pct")),
    }
    println!(
        "  drift        {} bpm/h (at constant speed {} bpm/h), {} %{}",
        num(m.drift_bpm_per_h, 1),
        num(m.drift_adj_bpm_per_h, 1),
        num(m.drift_pct, 1),
        why("drift_bpm_per_h")
    );
    match m.zones_s {
        Some(z) => {
            let parts: Vec<String> = z
                .iter()
                .enumerate()
                .map(|(i, s)| format!("Z{} {}", i + 1, hms(*s)))
                .collect();
            println!("  zones        {}", parts.join("  "));
        }
        None => println!("  zones        -{}", why("zones_s")),
    }
    println!(
        "  load         TRIMP {}   hrTSS {}{}{}",
        num(m.trimp, 0),
        num(m.hrtss, 0),
        why("hrtss"),
        m.tss.map_or_else(String::new, |t| format!(
            "   TSS {t:.0} (power: the load counted)"
        ))
    );
    if m.rr_beats > 0 {
        // Only where a strap recorded beats: without, the line would be five reasons why not.
        println!(
            "  beat to beat {} beats, {} % artifacts   rMSSD {} ms{}   alpha1 {}{} (drift {})   AeT {} bpm{}",
            m.rr_beats,
            num(m.rr_artifact_pct, 1),
            num(m.rmssd_ms, 1),
            why("rmssd_ms"),
            num(m.dfa_a1_mean, 2),
            why("dfa_a1_mean"),
            num(m.a1_drift, 2),
            num(m.aet_hr_bpm, 0),
            why("aet_hr_bpm")
        );
    }
    if m.feel.is_some() || m.rpe.is_some() {
        // Only where the watch asked after the run.
        println!(
            "  felt         {}   RPE {} of 10",
            m.feel.map_or_else(
                || "-".to_owned(),
                |f| format!("{} ({f:.0} of 100)", feel_word(f))
            ),
            num(m.rpe, 0)
        );
    }
    let u = &m.settings_used;
    let est = if u.estimated.is_empty() {
        String::new()
    } else {
        format!("  (estimated: {})", u.estimated.join(", "))
    };
    println!(
        "  anchors      HRmax {}  rest {}  LTHR {}{est}",
        num(u.hr_max, 0),
        num(u.hr_rest, 0),
        num(u.lthr, 0)
    );
    if !m.flags.is_empty() {
        println!("  flags        {}", m.flags.join(", "));
    }
    println!();
}

/// The watch's words for a `workout_feel` (0, 25, 50, 75, 100).
fn feel_word(f: f64) -> &'static str {
    match f {
        f if f < 12.5 => "very weak",
        f if f < 37.5 => "weak",
        f if f < 62.5 => "normal",
        f if f < 87.5 => "strong",
        _ => "very strong",
    }
}

//! The index a bulk export keeps beside its files (issue 20, item 7):
//! - Strava's `activities.csv` names each activity's id, type, name and file
//!   (`activities/1234567890.gpx.gz`), while the GPX files themselves carry no sport;
//! - Garmin Connect's `DI-Connect-Fitness/*_summarizedActivities.json` names each activity's
//!   id, type, name and start time (`beginTimestamp`, ms UTC), but not its file.
//!
//! It gives a file that names no sport the one its export does, and an activity its name. An
//! index is found among the paths imported (a file, one in a folder, or one inside a zip at any
//! folder of it) and kept in the store, so it applies whichever comes first: the files or the
//! index.
//!
//! An activity is matched to an entry, in this order:
//! 1. by its file's name without folders and `.gz` (`1234567890.gpx`), what Strava's
//!    `Filename` column holds;
//! 2. by the export's activity id written in its file's name (Garmin names uploaded files
//!    `<user>_<activity id>.fit`), a run of at least six digits;
//! 3. by its start, within a minute of the entry's ([`START_TOLERANCE_MS`]): the nearest.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Activity;

/// What [`ExportIndex::settle`] gave an activity.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    /// Its sport, from the index.
    pub from_index: bool,
    /// Its sport, guessed.
    pub guessed: bool,
}

/// How far an activity's start may be from an index entry's and still be its activity: the
/// devices' start (first record or session start) and the services' differ by seconds.
pub const START_TOLERANCE_MS: i64 = 60_000;

/// One activity an export's index names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Which export wrote it: `strava` or `garmin`.
    pub origin: String,
    /// The export's activity id.
    pub activity_id: Option<String>,
    /// The file's name as [`key`] makes it (Strava only).
    pub file: Option<String>,
    /// The start, ms UTC.
    pub start_ms: Option<i64>,
    /// In the sport names FIT files use (lower case, `_` for spaces).
    pub sport: Option<String>,
    pub name: Option<String>,
}

/// What an export's index says of its activities (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportIndex {
    entries: Vec<IndexEntry>,
    by_file: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
    /// (start, entry), sorted.
    by_start: Vec<(i64, usize)>,
}

/// The name an index and a file share: the last component, lower case, without `.gz`.
#[must_use]
pub fn key(name: &str) -> String {
    let last = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
    let last = last.to_ascii_lowercase();
    last.strip_suffix(".gz").map_or(last.clone(), str::to_owned)
}

/// Strava's activity types in the sport names FIT files use (lower case, `_` for spaces):
/// the ones the metrics tell apart (on foot, a ride, a swim) mapped, the rest kept by name.
fn strava_sport(kind: &str) -> String {
    let k = kind.trim().to_ascii_lowercase();
    match k.as_str() {
        "run" | "trail run" | "virtual run" | "treadmill" => "running".to_owned(),
        "walk" => "walking".to_owned(),
        "hike" => "hiking".to_owned(),
        "swim" => "swimming".to_owned(),
        "ride" | "virtual ride" | "e-bike ride" | "ebikeride" | "mountain bike ride"
        | "gravel ride" | "velomobile" | "handcycle" | "virtualride" => "cycling".to_owned(),
        _ => k.replace([' ', '-'], "_"),
    }
}

/// Garmin Connect's activity type keys (`trail_running`, `road_biking`, `lap_swimming`, ...) in
/// the sport names FIT files use.
fn garmin_sport(kind: &str) -> String {
    let k = kind.trim().to_ascii_lowercase();
    let mapped = if k.contains("running") {
        "running"
    } else if k.contains("cycling")
        || k.contains("biking")
        || k.contains("virtual_ride")
        || k == "cyclocross"
        || k == "bmx"
    {
        "cycling"
    } else if k.contains("swimming") {
        "swimming"
    } else if k.contains("walking") {
        "walking"
    } else if k.contains("hiking") {
        "hiking"
    } else {
        return k.replace([' ', '-'], "_");
    };
    mapped.to_owned()
}

/// Strava's `Activity Date` (`Jan 1, 2024, 7:00:00 AM`, UTC) in ms.
fn strava_date_ms(text: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(text.trim(), "%b %d, %Y, %I:%M:%S %p")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

/// The runs of six or more digits in a file's name (without folders): the export ids it may
/// hold.
fn digit_runs(name: &str) -> impl Iterator<Item = &str> {
    let last = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
    last.split(|c: char| !c.is_ascii_digit())
        .filter(|d| d.len() >= 6)
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.chars().take(200).collect())
}

impl ExportIndex {
    /// An index of `entries`; where two name the same file or activity, the first wins.
    #[must_use]
    pub fn from_entries(entries: Vec<IndexEntry>) -> Self {
        let mut out = Self::default();
        for e in entries {
            out.push(e);
        }
        out
    }

    fn push(&mut self, e: IndexEntry) {
        let known = e
            .file
            .as_ref()
            .is_some_and(|f| self.by_file.contains_key(f))
            || e.activity_id
                .as_ref()
                .is_some_and(|i| self.by_id.contains_key(&format!("{}:{i}", e.origin)));
        if known {
            return;
        }
        let at = self.entries.len();
        if let Some(f) = &e.file {
            self.by_file.insert(f.clone(), at);
        }
        if let Some(i) = &e.activity_id {
            self.by_id.insert(format!("{}:{i}", e.origin), at);
        }
        if let Some(t) = e.start_ms {
            let pos = self.by_start.partition_point(|(s, _)| *s < t);
            self.by_start.insert(pos, (t, at));
        }
        self.entries.push(e);
    }

    /// Whether the index names no activity.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many activities it names.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Its entries, in the order they were read.
    #[must_use]
    pub fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    /// `newer`'s entries over this index's: where both name the same file or activity,
    /// `newer`'s wins (a later export renames an activity).
    #[must_use]
    pub fn updated_by(&self, newer: &Self) -> Self {
        let mut out = newer.clone();
        for e in &self.entries {
            out.push(e.clone());
        }
        out
    }

    /// The entry of the activity from `source_name` (a path, or `archive.zip!/inner/file`)
    /// starting at `start_ms` (see the module docs for the order of the matches).
    #[must_use]
    pub fn lookup(&self, source_name: &str, start_ms: Option<i64>) -> Option<&IndexEntry> {
        if let Some(&i) = self.by_file.get(&key(source_name)) {
            return Some(&self.entries[i]);
        }
        for d in digit_runs(source_name) {
            for origin in ["garmin", "strava"] {
                if let Some(&i) = self.by_id.get(&format!("{origin}:{d}")) {
                    return Some(&self.entries[i]);
                }
            }
        }
        let t = start_ms?;
        let pos = self.by_start.partition_point(|(s, _)| *s < t);
        [pos.checked_sub(1), Some(pos)]
            .into_iter()
            .flatten()
            .filter_map(|p| self.by_start.get(p))
            .filter(|(s, _)| (s - t).abs() <= START_TOLERANCE_MS)
            .min_by_key(|(s, _)| (s - t).abs())
            .map(|&(_, i)| &self.entries[i])
    }

    /// Gives `a` what the index says of it (its name where it has none; its sport where its
    /// file named none), else a sport told from its speed and cadence ([`crate::guess`]).
    pub fn settle(&self, a: &mut Activity) -> Settled {
        let mut out = Settled::default();
        if let Some(e) = self.lookup(&a.source, Some(a.start_ms)) {
            if a.name.is_none() {
                a.name.clone_from(&e.name);
            }
            if let Some(sport) = e.sport.as_deref() {
                out.from_index = a.adopt_sport(sport, crate::SPORT_FROM_INDEX);
            }
        }
        if a.sport.is_none()
            && let Some(sport) = crate::guess::sport(a)
        {
            out.guessed = a.adopt_sport(sport, crate::SPORT_GUESSED);
        }
        out
    }

    /// The sport the index gives the file `source_name` (matched by its name only).
    #[must_use]
    pub fn sport_for(&self, source_name: &str) -> Option<&str> {
        self.lookup(source_name, None)?.sport.as_deref()
    }

    /// Reads a Strava `activities.csv`: `None` when the text is not one (no `Filename` and
    /// `Activity Type` columns). Rows without a file (manual entries) are kept for their name
    /// and start only when they have an id.
    #[must_use]
    pub fn parse_strava_csv(bytes: &[u8]) -> Option<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
        let headers = reader.headers().ok()?.clone();
        // Strava repeats some headers (a second `Distance`, `Elapsed Time`): the first counts.
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (file, kind) = (col("Filename")?, col("Activity Type")?);
        let (id, name, date) = (
            col("Activity ID"),
            col("Activity Name"),
            col("Activity Date"),
        );
        let mut out = Self::default();
        for row in reader.records().flatten() {
            let get = |c: Option<usize>| c.and_then(|c| row.get(c)).and_then(text);
            let e = IndexEntry {
                origin: "strava".to_owned(),
                activity_id: get(id),
                file: get(Some(file)).map(|f| key(&f)),
                start_ms: get(date).and_then(|d| strava_date_ms(&d)),
                sport: get(Some(kind)).map(|k| strava_sport(&k)),
                name: get(name),
            };
            if e.file.is_some() || e.activity_id.is_some() {
                out.push(e);
            }
        }
        Some(out)
    }

    /// Reads Garmin Connect's summarized activities (`[{"summarizedActivitiesExport": [..]}]`,
    /// or the list alone): `None` when the text is not that.
    #[must_use]
    pub fn parse_garmin_json(bytes: &[u8]) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let list = |v: &serde_json::Value| {
            v.get("summarizedActivitiesExport")
                .and_then(serde_json::Value::as_array)
                .cloned()
        };
        let items: Vec<serde_json::Value> = match &v {
            serde_json::Value::Array(a) => {
                let nested: Vec<_> = a.iter().filter_map(list).flatten().collect();
                if nested.is_empty() { a.clone() } else { nested }
            }
            other => list(other)?,
        };
        let mut out = Self::default();
        for it in &items {
            let id = match it.get("activityId") {
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                Some(serde_json::Value::String(s)) => text(s),
                _ => None,
            };
            let start = ["beginTimestamp", "startTimeGmt"]
                .iter()
                .find_map(|k| it.get(*k).and_then(serde_json::Value::as_f64))
                .filter(|t| t.is_finite() && t.abs() < 1e15)
                // Milliseconds since 1970 within 30,000 years: exact in an i64.
                .map(
                    #[expect(clippy::cast_possible_truncation)]
                    |t| t.round() as i64,
                );
            let kind = match it.get("activityType") {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(o) => o
                    .get("typeKey")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                None => None,
            }
            .or_else(|| {
                it.get("sportType")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            });
            let name = ["name", "activityName"]
                .iter()
                .find_map(|k| it.get(*k).and_then(serde_json::Value::as_str))
                .and_then(text);
            if id.is_none() && start.is_none() {
                continue;
            }
            out.push(IndexEntry {
                origin: "garmin".to_owned(),
                activity_id: id,
                file: None,
                start_ms: start,
                sport: kind.as_deref().and_then(text).map(|k| garmin_sport(&k)),
                name,
            });
        }
        (!items.is_empty() || v.get("summarizedActivitiesExport").is_some()).then_some(out)
    }

    /// Reads an index file of either kind, told from its name (see [`is_index_name`]).
    #[must_use]
    pub fn parse(name: &str, bytes: &[u8]) -> Option<Self> {
        if is_garmin_name(name) {
            Self::parse_garmin_json(bytes)
        } else {
            Self::parse_strava_csv(bytes)
        }
    }

    /// The indexes among `files` (as [`crate::source::list_files`] lists them): loose index
    /// files and those inside zips. What cannot be read is passed over: the files themselves
    /// are still imported, only without the export's sports and names.
    #[must_use]
    pub fn from_files(files: &[PathBuf], max_bytes: u64) -> Self {
        Self::from_files_reporting(files, max_bytes).0
    }

    /// [`ExportIndex::from_files`], with the files named as an index that could not be read
    /// as one: `(file, why)`, for the import to warn of.
    #[must_use]
    pub fn from_files_reporting(
        files: &[PathBuf],
        max_bytes: u64,
    ) -> (Self, Vec<(String, String)>) {
        let mut out = Self::default();
        let mut problems = Vec::new();
        for path in files {
            let name = path.to_string_lossy();
            if is_index_name(&name) {
                let read = match read_capped(path, max_bytes) {
                    Ok(bytes) => Self::parse(&name, &bytes).ok_or_else(|| not_an_index(&name)),
                    Err(e) => Err(format!("could not be read: {e}")),
                };
                match read {
                    Ok(i) => out = i.updated_by(&out),
                    Err(why) => problems.push((name.into_owned(), why)),
                }
            } else if let Some(i) = Self::in_zip(path, max_bytes, &mut problems) {
                out = i.updated_by(&out);
            }
        }
        (out, problems)
    }

    fn in_zip(path: &Path, max_bytes: u64, problems: &mut Vec<(String, String)>) -> Option<Self> {
        let mut f = File::open(path).ok()?;
        let mut head = [0u8; 4];
        f.read_exact(&mut head).ok()?;
        if head != *b"PK\x03\x04" && head != *b"PK\x05\x06" {
            return None;
        }
        let mut archive = zip::ZipArchive::new(File::open(path).ok()?).ok()?;
        let mut out: Option<Self> = None;
        for i in 0..archive.len() {
            let Ok(entry) = archive.by_index(i) else {
                continue;
            };
            let Some(name) = entry
                .name()
                .ok()
                .filter(|n| is_index_name(n))
                .map(|n| n.to_string())
            else {
                continue;
            };
            if entry.is_dir() || entry.size() > max_bytes {
                continue;
            }
            let mut bytes = Vec::new();
            if entry.take(max_bytes).read_to_end(&mut bytes).is_err() {
                continue;
            }
            if let Some(i) = Self::parse(&name, &bytes) {
                let before = out.take().unwrap_or_default();
                out = Some(i.updated_by(&before));
            } else {
                problems.push((format!("{}!/{name}", path.display()), not_an_index(&name)));
            }
        }
        out
    }
}

fn is_garmin_name(name: &str) -> bool {
    name.rsplit(['/', '\\']).next().is_some_and(|n| {
        n.to_ascii_lowercase()
            .ends_with("summarizedactivities.json")
    })
}

/// Whether a file is an export's index by its name: `activities.csv` (Strava) or
/// `*summarizedActivities.json` (Garmin Connect).
#[must_use]
pub fn is_index_name(name: &str) -> bool {
    is_garmin_name(name)
        || name
            .rsplit(['/', '\\'])
            .next()
            .is_some_and(|n| n.eq_ignore_ascii_case("activities.csv"))
}

/// Why a file named as an index is not read as one.
fn not_an_index(name: &str) -> String {
    if is_garmin_name(name) {
        "named as Garmin Connect's summarized activities, but not their JSON \
         ([{\"summarizedActivitiesExport\": [...]}]): no sports or names were taken from it"
            .to_owned()
    } else {
        "named as Strava's activities.csv, but without its `Filename` and `Activity Type` \
         columns: no sports or names were taken from it"
            .to_owned()
    }
}

fn read_capped(path: &Path, max_bytes: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)?.take(max_bytes).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stravas_columns_with_quoted_commas() {
        let csv = "\u{feff}Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Filename\n\
                   1,\"Jan 1, 2024, 7:00:00 AM\",Morning Run,Run,\"easy, with strides\",activities/1.gpx.gz\n\
                   2,\"Jan 2, 2024, 5:30:00 PM\",Commute,Ride,,activities/2.gpx\n\
                   3,\"Jan 3, 2024, 7:00:00 AM\",Manual,Run,,\n\
                   4,\"Jan 4, 2024, 7:00:00 AM\",Pool,Swim,,activities/4.FIT.GZ\n";
        let i = ExportIndex::parse_strava_csv(csv.as_bytes()).expect("an index");
        assert_eq!(i.len(), 4);
        assert_eq!(
            i.sport_for("export.zip!/activities/1.gpx.gz"),
            Some("running")
        );
        let e = i.lookup("/tmp/x/activities/2.gpx", None).expect("by file");
        assert_eq!(
            (e.sport.as_deref(), e.name.as_deref()),
            (Some("cycling"), Some("Commute"))
        );
        assert_eq!(e.start_ms, Some(1_704_216_600_000));
        assert_eq!(i.sport_for("4.fit"), Some("swimming"));
        // The manual entry has no file: found by its start only.
        assert_eq!(i.sport_for("3.gpx"), None);
        let manual = i
            .lookup("renamed.gpx", Some(1_704_265_230_000))
            .expect("by start");
        assert_eq!(manual.name.as_deref(), Some("Manual"));
        assert!(
            i.lookup("renamed.gpx", Some(1_704_265_200_000 + 61_000))
                .is_none()
        );
        assert!(ExportIndex::parse_strava_csv(b"date,resting_hr_bpm\n2024-01-01,50\n").is_none());
    }

    #[test]
    fn reads_garmins_summarized_activities() {
        let json = br#"[{"summarizedActivitiesExport":[
            {"activityId":9876543210,"name":"Col du Glandon","activityType":"road_biking",
             "sportType":"CYCLING","beginTimestamp":1700000000000,"startTimeGmt":1700000000000.0,
             "duration":7200000.0,"distance":6000000.0},
            {"activityId":9876543211,"name":"Track 6x800","activityType":{"typeKey":"track_running"},
             "beginTimestamp":1700100000000},
            {"activityId":9876543212,"name":"Pool","activityType":"lap_swimming"}
        ]}]"#;
        let i = ExportIndex::parse_garmin_json(json).expect("an index");
        assert_eq!(i.len(), 3);
        let by_id = i
            .lookup("x.zip!/UploadedFiles/me@example.com_9876543210.fit", None)
            .expect("by the id in the name");
        assert_eq!(by_id.sport.as_deref(), Some("cycling"));
        let by_start = i
            .lookup("2023-11-16-run.gpx", Some(1_700_100_012_000))
            .expect("by start");
        assert_eq!(
            (by_start.sport.as_deref(), by_start.name.as_deref()),
            (Some("running"), Some("Track 6x800"))
        );
        assert_eq!(
            i.lookup("9876543212.fit", None)
                .and_then(|e| e.sport.as_deref()),
            Some("swimming")
        );
        assert!(ExportIndex::parse_garmin_json(br#"{"a": 1}"#).is_none());
        assert!(ExportIndex::parse_garmin_json(b"not json").is_none());
    }

    #[test]
    fn an_index_that_cannot_be_read_is_named_with_why() {
        let dir = std::env::temp_dir().join(format!("hrdrift-bad-index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let csv = dir.join("activities.csv");
        std::fs::write(&csv, "date,resting_hr_bpm\n2024-01-01,50\n").expect("write");
        let json = dir.join("me_0_summarizedActivities.json");
        std::fs::write(&json, "{not json").expect("write");
        let good = dir.join("x_1_summarizedActivities.json");
        std::fs::write(
            &good,
            r#"[{"activityId":1234567,"name":"Jog","activityType":"running"}]"#,
        )
        .expect("write");
        let (i, problems) =
            ExportIndex::from_files_reporting(&[csv.clone(), json.clone(), good], 1 << 20);
        assert_eq!(i.len(), 1, "the readable one is read");
        let named: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            named,
            [csv.to_string_lossy(), json.to_string_lossy()],
            "{problems:?}"
        );
        assert!(
            problems[0].1.contains("`Filename` and `Activity Type`"),
            "{problems:?}"
        );
        assert!(
            problems[1].1.contains("summarizedActivitiesExport"),
            "{problems:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_newer_index_renames_and_the_first_of_one_import_wins() {
        let old = ExportIndex::parse_strava_csv(
            b"Activity ID,Activity Name,Activity Type,Filename\n1,Old name,Run,activities/1.gpx\n",
        )
        .expect("old");
        let new = ExportIndex::parse_strava_csv(
            b"Activity ID,Activity Name,Activity Type,Filename\n1,New name,Run,activities/1.gpx\n1,Dup,Ride,activities/1.gpx\n",
        )
        .expect("new");
        let both = old.updated_by(&new);
        assert_eq!(both.len(), 1);
        let e = both.lookup("1.gpx", None).expect("entry");
        assert_eq!(
            (e.name.as_deref(), e.sport.as_deref()),
            (Some("New name"), Some("running"))
        );
    }
}

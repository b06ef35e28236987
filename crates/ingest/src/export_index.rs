//! The index a bulk export keeps beside its files (issue 20, item 7): Strava's
//! `activities.csv` names each activity's type and file (`activities/1234567890.gpx.gz`), while
//! the GPX files themselves carry no sport. Read before the files are decoded, it gives a file
//! that names no sport the one its export does.
//!
//! The index is found in the paths being imported: an `activities.csv` given as a file or found
//! in a folder, or one inside a zip (at any folder of it). A file is matched by its name without
//! folders and without `.gz` (`1234567890.gpx`), the name being what the export's `Filename`
//! column holds; the first index to name a file wins.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What an export's index says of its files: sport by file key (see [`key`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportIndex {
    sports: HashMap<String, String>,
}

/// The name an index and a file share: the last component, lower case, without `.gz`.
fn key(name: &str) -> String {
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

impl ExportIndex {
    /// Whether the index names no file.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sports.is_empty()
    }

    /// How many files it names.
    #[must_use]
    pub fn len(&self) -> usize {
        self.sports.len()
    }

    /// The sport the index gives the file `source_name` (a path, or `archive.zip!/inner/file`).
    #[must_use]
    pub fn sport_for(&self, source_name: &str) -> Option<&str> {
        self.sports.get(&key(source_name)).map(String::as_str)
    }

    /// Reads a Strava `activities.csv`: `None` when the text is not one (no `Filename` and
    /// `Activity Type` columns). Rows without a file (manual entries) or a type are skipped.
    #[must_use]
    pub fn parse_strava_csv(bytes: &[u8]) -> Option<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
        let headers = reader.headers().ok()?.clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (file, kind) = (col("Filename")?, col("Activity Type")?);
        let mut sports = HashMap::new();
        for row in reader.records().flatten() {
            let (Some(f), Some(k)) = (row.get(file), row.get(kind)) else {
                continue;
            };
            if f.trim().is_empty() || k.trim().is_empty() {
                continue;
            }
            sports
                .entry(key(f.trim()))
                .or_insert_with(|| strava_sport(k));
        }
        Some(Self { sports })
    }

    fn merge(&mut self, other: Self) {
        for (k, v) in other.sports {
            self.sports.entry(k).or_insert(v);
        }
    }

    /// The indexes among `files` (as [`crate::source::list_files`] lists them): loose
    /// `activities.csv` files and those inside zips. What cannot be read is passed over: the
    /// files themselves are still imported, only without the export's sports.
    #[must_use]
    pub fn from_files(files: &[PathBuf], max_bytes: u64) -> Self {
        let mut out = Self::default();
        for path in files {
            if is_index_name(&path.to_string_lossy()) {
                if let Some(i) =
                    read_capped(path, max_bytes).and_then(|b| Self::parse_strava_csv(&b))
                {
                    out.merge(i);
                }
            } else if let Some(i) = Self::in_zip(path, max_bytes) {
                out.merge(i);
            }
        }
        out
    }

    fn in_zip(path: &Path, max_bytes: u64) -> Option<Self> {
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
            let named = entry.name().is_ok_and(|n| is_index_name(&n));
            if !named || entry.is_dir() || entry.size() > max_bytes {
                continue;
            }
            let mut bytes = Vec::new();
            if entry.take(max_bytes).read_to_end(&mut bytes).is_err() {
                continue;
            }
            if let Some(i) = Self::parse_strava_csv(&bytes) {
                out.get_or_insert_with(Self::default).merge(i);
            }
        }
        out
    }
}

fn is_index_name(name: &str) -> bool {
    name.rsplit(['/', '\\'])
        .next()
        .is_some_and(|n| n.eq_ignore_ascii_case("activities.csv"))
}

fn read_capped(path: &Path, max_bytes: u64) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)
        .ok()?
        .take(max_bytes)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stravas_columns_with_quoted_commas() {
        let csv = "\u{feff}Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Filename\n\
                   1,\"Jan 1, 2024\",Morning Run,Run,\"easy, with strides\",activities/1.gpx.gz\n\
                   2,\"Jan 2, 2024\",Commute,Ride,,activities/2.gpx\n\
                   3,\"Jan 3, 2024\",Manual,Run,,\n\
                   4,\"Jan 4, 2024\",Pool,Swim,,activities/4.FIT.GZ\n";
        let i = ExportIndex::parse_strava_csv(csv.as_bytes()).expect("an index");
        assert_eq!(i.len(), 3);
        assert_eq!(
            i.sport_for("export.zip!/activities/1.gpx.gz"),
            Some("running")
        );
        assert_eq!(i.sport_for("/tmp/x/activities/2.gpx"), Some("cycling"));
        assert_eq!(i.sport_for("4.fit"), Some("swimming"));
        assert_eq!(i.sport_for("3.gpx"), None);
        assert!(ExportIndex::parse_strava_csv(b"date,resting_hr_bpm\n2024-01-01,50\n").is_none());
    }
}

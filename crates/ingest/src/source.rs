//! Where bytes come from: files, directories, `.gz` and `.zip` (nested, as Garmin Connect's
//! export has them). This module and [`crate::decode_path`]'s callers are the only places the
//! ingest crate touches the file system.
//!
//! Every archive member is read through a size bound, so a zip bomb or a lying header costs at
//! most the bound in memory. Member paths are never used to write anything; a member whose path
//! is absolute or climbs out with `..` is refused all the same, because an export that contains
//! one is not what it claims to be.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{DecodeError, FileError};
use crate::{Kind, detect};

/// Bounds applied while expanding containers.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most bytes one file or archive member may expand to.
    pub max_entry_bytes: u64,
    /// How many archives may nest inside each other (a zip inside a zip is depth 2).
    pub max_depth: usize,
    /// Archive members are decoded in parallel batches of about this many bytes.
    pub batch_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entry_bytes: 256 << 20,
            max_depth: 4,
            batch_bytes: 64 << 20,
        }
    }
}

/// One activity file's bytes, ready to decode, with the name the user will see.
#[derive(Debug)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What expanding a path yields: a file to decode, a failure, or a file passed over because it is
/// plainly not an activity (a `.json` or `.csv` beside the activities in an export).
#[derive(Debug)]
pub enum Found {
    Input(Input),
    Failed(FileError),
    Ignored(String),
}

fn fail(name: &str, error: DecodeError) -> Found {
    Found::Failed(FileError {
        source_name: name.to_owned(),
        error,
    })
}

/// Files below `paths` (directories recursively, symlinks followed with loop detection), sorted
/// for a stable order. Loops and unreadable entries are reported, not fatal.
pub fn list_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        for entry in walkdir::WalkDir::new(p)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
                Ok(_) => {}
                Err(e) => {
                    let name = e
                        .path()
                        .map_or_else(|| p.display().to_string(), |q| q.display().to_string());
                    let why = if e.loop_ancestor().is_some() {
                        "a symbolic link loops back to a folder above it; not followed".to_owned()
                    } else {
                        e.to_string()
                    };
                    errors.push(FileError {
                        source_name: name,
                        error: DecodeError::Io(std::io::Error::other(why)),
                    });
                }
            }
        }
    }
    (files, errors)
}

fn has_activity_extension(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".fit", ".gpx", ".tcx", ".gz", ".zip"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn read_bounded(r: impl Read, limit: u64) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    r.take(limit + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(DecodeError::TooLarge { limit_bytes: limit });
    }
    Ok(out)
}

/// Expands one file on disk, calling `sink` for each activity file inside it. Zip members are
/// handed to `sink` from rayon workers, in parallel batches.
pub fn expand_file(path: &Path, limits: &Limits, sink: &(dyn Fn(Found) + Sync)) {
    let name = path.display().to_string();
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return sink(fail(&name, DecodeError::Io(e))),
    };
    let mut head = [0u8; 4];
    let n = match file.read(&mut head) {
        Ok(n) => n,
        Err(e) => return sink(fail(&name, DecodeError::Io(e))),
    };
    if n >= 4 && (head == *b"PK\x03\x04" || head == *b"PK\x05\x06") {
        // A zip on disk may be gigabytes: read it through the file, not into memory.
        if let Err(e) = file.rewind() {
            return sink(fail(&name, DecodeError::Io(e)));
        }
        return expand_zip(file, &name, 1, limits, sink);
    }
    let bytes = match file
        .rewind()
        .map_err(DecodeError::Io)
        .and_then(|()| read_bounded(&mut file, limits.max_entry_bytes))
    {
        Ok(b) => b,
        Err(e) => return sink(fail(&name, e)),
    };
    expand_bytes(name, bytes, 1, limits, sink);
}

/// Expands bytes already in memory (a file, a gzip member, a zip member).
pub fn expand_bytes(
    name: String,
    bytes: Vec<u8>,
    depth: usize,
    limits: &Limits,
    sink: &(dyn Fn(Found) + Sync),
) {
    match detect(&bytes) {
        Some(Kind::Gzip) => {
            if depth > limits.max_depth {
                return sink(fail(&name, DecodeError::TooDeep(limits.max_depth)));
            }
            let decoded = flate2::read::MultiGzDecoder::new(bytes.as_slice());
            match read_bounded(decoded, limits.max_entry_bytes) {
                Ok(inner) => {
                    let inner_name = name
                        .strip_suffix(".gz")
                        .map_or_else(|| format!("{name}!"), str::to_owned);
                    expand_bytes(inner_name, inner, depth + 1, limits, sink);
                }
                Err(DecodeError::Io(e)) => sink(fail(&name, DecodeError::Gzip(e.to_string()))),
                Err(e) => sink(fail(&name, e)),
            }
        }
        Some(Kind::Zip) => {
            if depth > limits.max_depth {
                return sink(fail(&name, DecodeError::TooDeep(limits.max_depth)));
            }
            expand_zip(std::io::Cursor::new(bytes), &name, depth, limits, sink);
        }
        Some(_) => sink(Found::Input(Input { name, bytes })),
        None if bytes.is_empty() => sink(fail(&name, DecodeError::Empty)),
        None if has_activity_extension(&name) || crate::daily::looks_like_readings_csv(&bytes) => {
            sink(Found::Input(Input { name, bytes }));
        }
        None => sink(Found::Ignored(name)),
    }
}

fn expand_zip<R: Read + Seek>(
    reader: R,
    name: &str,
    depth: usize,
    limits: &Limits,
    sink: &(dyn Fn(Found) + Sync),
) {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => return sink(fail(name, DecodeError::Zip(e.to_string()))),
    };
    let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
    let mut batch_bytes = 0u64;
    let flush = |batch: &mut Vec<(String, Vec<u8>)>| {
        std::mem::take(batch)
            .into_par_iter()
            .for_each(|(member, bytes)| expand_bytes(member, bytes, depth + 1, limits, sink));
    };
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                sink(fail(
                    &format!("{name}!/#{i}"),
                    DecodeError::Zip(e.to_string()),
                ));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let raw_name = entry
            .name()
            .map_or_else(|_| format!("#{i}"), |n| n.into_owned());
        let member = format!("{name}!/{raw_name}");
        let climbs = raw_name.split(['/', '\\']).any(|c| c == "..");
        if entry.enclosed_name().is_none() || climbs {
            sink(fail(&member, DecodeError::UnsafePath(raw_name)));
            continue;
        }
        if entry.is_symlink() {
            sink(Found::Ignored(member));
            continue;
        }
        if entry.size() > limits.max_entry_bytes {
            sink(fail(
                &member,
                DecodeError::TooLarge {
                    limit_bytes: limits.max_entry_bytes,
                },
            ));
            continue;
        }
        match read_bounded(&mut entry, limits.max_entry_bytes) {
            Ok(bytes) => {
                batch_bytes += bytes.len() as u64;
                batch.push((member, bytes));
            }
            Err(DecodeError::Io(e)) => sink(fail(&member, DecodeError::Zip(e.to_string()))),
            Err(e) => sink(fail(&member, e)),
        }
        if batch_bytes >= limits.batch_bytes {
            flush(&mut batch);
            batch_bytes = 0;
        }
    }
    flush(&mut batch);
}

//! Decoding of runners' activity files into one normalized model.
//!
//! FIT (with `fitparser`), GPX and TCX (streaming, with `quick-xml`), plain or inside `.gz` and
//! `.zip` exports. The format is told from the content, never only from the name.
//!
//! Invariant: nothing in this crate panics on input bytes. Decoders return a
//! [`DecodeError`] for what they cannot read and carry [`Warning`]s for damage they could live
//! with; [`decode_bytes`] also catches a panic inside a third-party decoder and turns it into an
//! error for that one file.

pub mod daily;
pub mod error;
pub mod export_index;
pub mod fit;
pub mod guess;
pub mod model;
pub mod source;
pub mod xml;

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use error::{DecodeError, FileError};
pub use model::{
    Activity, Decoded, DeveloperChannel, Device, Format, GPS_JUMP_ANY_M_S, GPS_JUMP_ON_FOOT_M_S,
    Lap, Pause, SPORT_FROM_INDEX, SPORT_GUESSED, Samples, Track, Warning, counts_strides,
    is_null_island, jump_speed_m_s, may_adopt_sport, track,
};

/// What a byte buffer holds, told from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Fit,
    Gpx,
    Tcx,
    Gzip,
    Zip,
}

/// Tells the kind of content from its leading bytes.
#[must_use]
pub fn detect(bytes: &[u8]) -> Option<Kind> {
    if fit::looks_like_fit(bytes) {
        Some(Kind::Fit)
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        Some(Kind::Gzip)
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else {
        match xml::sniff(bytes) {
            Some(xml::XmlKind::Gpx) => Some(Kind::Gpx),
            Some(xml::XmlKind::Tcx) => Some(Kind::Tcx),
            None => None,
        }
    }
}

/// The activity id of a file: the first 128 bits of its BLAKE3 hash, in hex.
#[must_use]
pub fn content_id(bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes);
    hash.to_hex()[..32].to_owned()
}

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// True while this thread is inside [`decode_bytes`]; a panic hook uses it to stay quiet about
/// panics that are caught and reported as a file's failure.
#[must_use]
pub fn in_guarded_decode() -> bool {
    GUARDED.with(Cell::get)
}

/// Decodes one activity file (FIT, GPX or TCX; not a container) into its activities.
///
/// `name` is only used in messages and as the activities' `source`.
///
/// # Errors
/// Unknown format, empty input, or a decoder failure before any usable data.
pub fn decode_bytes(bytes: &[u8], name: &str) -> Result<Decoded<Vec<Activity>>, DecodeError> {
    let id = content_id(bytes);
    decode_with_id(bytes, name, &id)
}

/// [`decode_bytes`] with the id already computed (the importer hashes first to skip known files).
///
/// # Errors
/// As [`decode_bytes`].
pub fn decode_with_id(
    bytes: &[u8],
    name: &str,
    id: &str,
) -> Result<Decoded<Vec<Activity>>, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let kind = detect(bytes);
    GUARDED.with(|g| g.set(true));
    let out = catch_unwind(AssertUnwindSafe(|| match kind {
        Some(Kind::Fit) => fit::decode(bytes, id, name),
        Some(Kind::Gpx) => xml::decode_gpx(bytes, id, name),
        Some(Kind::Tcx) => xml::decode_tcx(bytes, id, name),
        Some(Kind::Gzip | Kind::Zip) | None => Err(unknown_format(bytes, name)),
    }));
    GUARDED.with(|g| g.set(false));
    match out {
        Ok(Ok(mut d)) => {
            for a in &mut d.value {
                let w = a.check_times();
                d.warnings.extend(w);
                d.warnings.extend(a.drop_null_positions());
                d.warnings.extend(a.gps_jump_warning());
            }
            d.value.retain(|a| !a.samples.is_empty());
            Ok(d)
        }
        Ok(Err(e)) => Err(e),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(DecodeError::Panicked(msg))
        }
    }
}

/// What a file holds: activities, or a watch's (or an app's) daily readings.
#[derive(Debug)]
pub enum Contents {
    Activities(Decoded<Vec<Activity>>),
    Readings(Decoded<Vec<daily::DailyReading>>),
}

/// [`decode_with_id`], and where a FIT file holds no activity or the bytes are a CSV of daily
/// readings, the daily readings ([`daily`]).
///
/// # Errors
/// As [`decode_with_id`]; a FIT file with neither activities nor readings stays
/// [`DecodeError::NotAnActivity`].
pub fn decode_contents(bytes: &[u8], name: &str, id: &str) -> Result<Contents, DecodeError> {
    let kind = detect(bytes);
    if kind.is_none() && daily::looks_like_readings_csv(bytes) {
        return guarded(|| daily::decode_csv(bytes, name)).map(Contents::Readings);
    }
    match decode_with_id(bytes, name, id) {
        Err(DecodeError::NotAnActivity(why)) if kind == Some(Kind::Fit) => {
            match guarded(|| daily::decode_fit(bytes, name)) {
                Ok(d) if !d.value.is_empty() => Ok(Contents::Readings(d)),
                Ok(_) | Err(DecodeError::NotAnActivity(_)) => Err(DecodeError::NotAnActivity(why)),
                Err(e) => Err(e),
            }
        }
        other => other.map(Contents::Activities),
    }
}

/// Runs a decoder with a panic inside it turned into [`DecodeError::Panicked`].
fn guarded<T>(f: impl FnOnce() -> Result<T, DecodeError>) -> Result<T, DecodeError> {
    GUARDED.with(|g| g.set(true));
    let out = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    out.unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(DecodeError::Panicked(msg))
    })
}

fn unknown_format(bytes: &[u8], name: &str) -> DecodeError {
    let lower = name.to_ascii_lowercase();
    let hint = if lower.ends_with(".fit") {
        ": named .fit but has no FIT header"
    } else if lower.ends_with(".gpx") {
        ": named .gpx but has no <gpx> element"
    } else if lower.ends_with(".tcx") {
        ": named .tcx but has no <TrainingCenterDatabase> element"
    } else {
        ""
    };
    let first_bytes = bytes
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    DecodeError::UnknownFormat {
        hint: hint.to_owned(),
        first_bytes,
    }
}

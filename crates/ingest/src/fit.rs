//! FIT decoding: a fast path of our own for `record` messages, `fitparser` for the rest.
//!
//! Two decoders produce the same [`Activity`] values:
//! - the reference path ([`decode_reference`]) drives `fitparser`'s
//!   [`FitStreamProcessor`](fitparser::de::FitStreamProcessor)
//!   object by object and keeps everything decoded before a fault (truncation, a bad CRC, garbage
//!   after the data) as a warning instead of losing the file;
//! - the fast path ([`decode`], module `fast`) reads the FIT framing itself (headers, definitions,
//!   compressed timestamp headers, CRC) with the same state machine as `fitparser`, decodes
//!   `record` messages (the bulk of every activity) straight into columns, and hands every other
//!   message's bytes to a `fitparser` processor. `fitparser` builds a `FitDataRecord` with a
//!   `String` name and a `Value` per field and two hash maps per message; for records that was
//!   most of the decoding time (see `benches/README.md`). Where a file holds something whose
//!   `fitparser` result the fast path does not reproduce exactly (listed in `fast`), it gives up
//!   and the reference path decodes the whole file, so the two never disagree.
//!
//! Both work around three of fitparser's behaviours, each covered by a test:
//! - accumulated fields are summed rather than rolled over, so distance expanded from
//!   `compressed_speed_distance` is recomputed here from the raw bytes;
//! - definitions whose field size is not a multiple of the base type make fitparser print to
//!   stderr; such definitions are rewritten to the byte type (what fitparser would do anyway)
//!   before it sees them, and reported as a warning naming the message and field;
//! - timestamps come back as `DateTime<Local>`; they are read as instants (UTC) and the FIT
//!   `local_date_time` type is undone against the machine's zone to recover the file's offset.
//!
//! Both paths feed one collector (`collect`), which makes the activities; the reference path is
//! in `reference`, the CRC both check in `crc`.

mod collect;
mod crc;
mod fast;
mod reference;
mod strap_hr;

use crate::error::DecodeError;
use crate::model::{Activity, Decoded};
use collect::Collector;

pub use crc::{crc16, crc16_update};

/// Seconds from the Unix epoch to the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH_S: i64 = 631_065_600;
const SEMICIRCLE_DEG: f64 = 180.0 / 2_147_483_648.0;

/// True when `bytes` starts with a FIT file header.
#[must_use]
pub fn looks_like_fit(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && (bytes[0] == 12 || bytes[0] == 14) && &bytes[8..12] == b".FIT"
}

/// Decodes a FIT file (possibly chained) into one activity per session: the fast path, or the
/// reference path for the files the fast path leaves to it.
///
/// # Errors
/// When nothing usable could be read: not FIT, a broken header, no `record` messages.
pub fn decode(bytes: &[u8], id: &str, source: &str) -> Result<Decoded<Vec<Activity>>, DecodeError> {
    decode_fast(bytes, id, source).unwrap_or_else(|| decode_reference(bytes, id, source))
}

/// The fast path alone: `None` where the file holds something it leaves to the reference path
/// (then nothing of its work is kept).
///
/// # Errors
/// As [`decode`].
#[must_use]
pub fn decode_fast(
    bytes: &[u8],
    id: &str,
    source: &str,
) -> Option<Result<Decoded<Vec<Activity>>, DecodeError>> {
    if let Err(e) = check_signature(bytes) {
        return Some(Err(e));
    }
    let mut c = Collector::default();
    match fast::stream(bytes, &mut c) {
        Ok(fast::Flow::Done) => Some(c.finish(id, source)),
        Ok(fast::Flow::Bail(_)) => None,
        Err(e) => Some(Err(e)),
    }
}

/// Why the fast path leaves a file to the reference path, or `None` where it decodes it itself.
#[doc(hidden)]
#[must_use]
pub fn fast_path_leaves(bytes: &[u8]) -> Option<&'static str> {
    check_signature(bytes).ok()?;
    match fast::stream(bytes, &mut Collector::default()) {
        Ok(fast::Flow::Bail(why)) => Some(why),
        _ => None,
    }
}

/// The reference path: every message through `fitparser`'s stream processor. Kept callable to
/// check the fast path against, value by value (`tests/it/fit_fast.rs`).
///
/// # Errors
/// As [`decode`].
pub fn decode_reference(
    bytes: &[u8],
    id: &str,
    source: &str,
) -> Result<Decoded<Vec<Activity>>, DecodeError> {
    check_signature(bytes)?;
    let mut c = Collector::default();
    reference::stream(bytes, &mut c)?;
    c.finish(id, source)
}

/// The daily messages of a FIT file (a watch's monitoring, HRV status or sleep file), read with
/// the reference path: these files are small, and what decodes before a fault is kept.
///
/// # Errors
/// Not FIT, or a broken header.
pub(crate) fn decode_daily_messages(
    bytes: &[u8],
) -> Result<Decoded<collect::DailyMessages>, DecodeError> {
    check_signature(bytes)?;
    let mut c = Collector::default();
    let r = reference::stream(bytes, &mut c);
    let mut warnings = std::mem::take(c.warnings_mut());
    let daily = std::mem::take(&mut c.daily);
    if let Err(e) = r {
        let nothing = daily.resting.is_empty() && daily.hrv.is_empty() && daily.sleep.is_empty();
        if nothing {
            return Err(e);
        }
        warnings.push(crate::model::Warning::new(
            "truncated",
            format!("the readings before the damage were kept: {e}"),
        ));
    }
    Ok(Decoded {
        value: daily,
        warnings,
    })
}

fn check_signature(bytes: &[u8]) -> Result<(), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if !looks_like_fit(bytes) {
        return Err(DecodeError::FitHeader(
            "no '.FIT' signature in the first 12 bytes".to_owned(),
        ));
    }
    Ok(())
}

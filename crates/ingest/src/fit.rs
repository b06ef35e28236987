//! FIT decoding: a fast path of our own for `record` messages, `fitparser` for the rest.
//!
//! Two decoders produce the same [`Activity`] values:
//! - the reference path ([`decode_reference`]) drives `fitparser`'s [`FitStreamProcessor`]
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

mod fast;

use std::collections::HashMap;

use chrono::{Local, NaiveDate, TimeZone};
use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::{ErrorKind, FitDataRecord, Value};

use crate::error::DecodeError;
use crate::model::{
    Activity, Decoded, DeveloperChannel, Device, Format, Lap, Pause, Samples, Warning,
};

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
    stream(bytes, &mut c)?;
    c.finish(id, source)
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

/// Walks the FIT objects, feeding data messages to the collector. Faults after the first
/// message become warnings; a fault before any message is an error.
fn stream(bytes: &[u8], c: &mut Collector) -> Result<(), DecodeError> {
    let mut p = FitStreamProcessor::new();
    // Keep the raw `compressed_speed_distance` so distance can be accumulated correctly.
    p.add_option(DecodeOption::KeepCompositeFields);
    let mut buf = bytes;
    // Byte range of the current chained file's data section, and whether a definition in it was
    // rewritten (then fitparser's running CRC no longer matches the file and is rechecked here).
    let mut file_start = 0usize;
    let mut data_start = 0usize;
    let mut data_end = 0usize;
    let mut patched = false;
    let mut patch_buf = Vec::new();
    while !buf.is_empty() {
        let pos = bytes.len() - buf.len();
        let in_data = pos >= data_start && pos < data_end;
        let mut input = buf;
        let mut consumed_override = None;
        if in_data
            && buf[0] & 0xC0 == 0x40
            && let Some((len, fixes)) = check_definition(buf)
            && !fixes.is_empty()
        {
            patch_buf.clear();
            patch_buf.extend_from_slice(&buf[..len]);
            for (offset, note) in fixes {
                patch_buf[offset] = 0x0D;
                c.warn_once("odd_field_size", note);
            }
            input = &patch_buf;
            consumed_override = Some(len);
            patched = true;
        }
        match p.deserialize_next(input) {
            Ok((rest, obj)) => {
                let consumed = consumed_override.unwrap_or(input.len() - rest.len());
                match obj {
                    FitObject::Header(h) => {
                        file_start = pos;
                        data_start = pos + usize::from(h.header_size());
                        data_end = data_start + h.data_size() as usize;
                        patched = false;
                        if data_end + 2 > bytes.len() {
                            c.warn(
                                "truncated",
                                format!(
                                    "the header announces {} data bytes but the file ends {} bytes short; \
                                     everything before the end was kept",
                                    h.data_size(),
                                    data_end + 2 - bytes.len()
                                ),
                            );
                        }
                    }
                    FitObject::Crc(_) => p.reset(),
                    FitObject::DefinitionMessage(_) => {}
                    FitObject::DataMessage(msg) => match p.decode_message(msg) {
                        Ok(rec) => c.message(&rec),
                        Err(e) => c.warn_count("undecodable_message", &e.to_string()),
                    },
                }
                buf = &buf[consumed..];
            }
            Err(e) => {
                match *e {
                    ErrorKind::InvalidCrc((rest, obj, stored, computed)) => {
                        let is_header = matches!(obj, FitObject::Header(_));
                        if let FitObject::Header(h) = &obj {
                            file_start = pos;
                            data_start = pos + usize::from(h.header_size());
                            data_end = data_start + h.data_size() as usize;
                            patched = false;
                        } else {
                            p.reset();
                        }
                        let real_mismatch = is_header
                            || !patched
                            || data_end + 2 > bytes.len()
                            || crc16(&bytes[file_start..data_end]) != stored;
                        if real_mismatch {
                            let what = if is_header { "header" } else { "data" };
                            c.warn(
                            "crc_mismatch",
                            format!(
                                "the {what} CRC does not match (stored {stored:#06x}, computed {computed:#06x}); \
                                 the file may be damaged, its values were kept"
                            ),
                        );
                        }
                        let consumed = input.len() - rest.len();
                        buf = &buf[consumed.min(buf.len())..];
                    }
                    ErrorKind::UnexpectedEof(_) => {
                        c.end_inside_message(pos, bytes.len())?;
                        break;
                    }
                    other => {
                        if c.messages == 0 {
                            return Err(DecodeError::Fit {
                                offset: pos,
                                message: other.to_string(),
                            });
                        }
                        let trailing = pos >= data_end;
                        c.warn(
                        if trailing { "trailing_bytes" } else { "decode_stopped" },
                        format!(
                            "{} at byte {pos} of {}: {other}; the {} records before it were kept",
                            if trailing { "unreadable bytes after the data" } else { "decoding stopped" },
                            bytes.len(),
                            c.records
                        ),
                    );
                        break;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Reads a definition message at the start of `buf`. Returns the bytes it spans within `buf`
/// and, for each field whose size is not a multiple of its base type's size, the byte offset of
/// the base type and a note. A definition cut short by the end of the file is still checked
/// field by field, because fitparser reads (and complains about) the fields before the cut.
fn check_definition(buf: &[u8]) -> Option<(usize, Vec<(usize, String)>)> {
    if buf.len() < 6 {
        return None;
    }
    let has_dev = buf[0] & 0x20 != 0;
    let n = usize::from(buf[5]);
    let mut len = 6 + 3 * n;
    if has_dev {
        len += 1 + 3 * usize::from(buf.get(len).copied().unwrap_or(0));
    }
    let len = len.min(buf.len());
    let big_endian = buf[2] == 1;
    let global = if big_endian {
        u16::from_be_bytes([buf[3], buf[4]])
    } else {
        u16::from_le_bytes([buf[3], buf[4]])
    };
    let mut fixes = Vec::new();
    for i in 0..n {
        let at = 6 + 3 * i;
        let Some(&[field, size, base]) = buf
            .get(at..at + 3)
            .and_then(|f| <&[u8; 3]>::try_from(f).ok())
        else {
            break;
        };
        let base_size = match base & 0x9F {
            0x83 | 0x84 | 0x8B => 2,
            0x85 | 0x86 | 0x88 | 0x8C => 4,
            0x89 | 0x8E | 0x8F | 0x90 => 8,
            _ => 1,
        };
        if size % base_size != 0 {
            fixes.push((
                at + 2,
                format!(
                    "message {global}, field {field}: size {size} is not a multiple of its type's size \
                     {base_size}; read as raw bytes (seen on some COROS devices)"
                ),
            ));
        }
    }
    Some((len, fixes))
}

/// The FIT CRC-16 (the SDK's algorithm, a byte at a time).
#[must_use]
pub fn crc16(data: &[u8]) -> u16 {
    crc16_update(0, data)
}

/// [`crc16`] continued from `crc` over more bytes.
#[must_use]
pub fn crc16_update(crc: u16, data: &[u8]) -> u16 {
    data.iter().fold(crc, |crc, &b| {
        CRC_TABLE[usize::from((crc ^ u16::from(b)) & 0xFF)] ^ (crc >> 8)
    })
}

/// The SDK's nibble table expanded to whole bytes: the same CRC, half the work per byte.
const CRC_TABLE: [u16; 256] = {
    const NIBBLE: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        // The SDK's two nibble steps from a CRC whose low byte is `i` and whose high byte is 0.
        let mut crc = i as u16;
        let mut k = 0;
        while k < 2 {
            let tmp = NIBBLE[(crc & 0xF) as usize];
            crc = ((crc >> 4) & 0x0FFF) ^ tmp;
            k += 1;
        }
        t[i] = crc;
        i += 1;
    }
    t
};

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Byte(x) | Value::Enum(x) | Value::UInt8(x) | Value::UInt8z(x) => Some(f64::from(*x)),
        Value::SInt8(x) => Some(f64::from(*x)),
        Value::SInt16(x) => Some(f64::from(*x)),
        Value::UInt16(x) | Value::UInt16z(x) => Some(f64::from(*x)),
        Value::SInt32(x) => Some(f64::from(*x)),
        Value::UInt32(x) | Value::UInt32z(x) => Some(f64::from(*x)),
        #[allow(clippy::cast_precision_loss)]
        Value::SInt64(x) => Some(*x as f64),
        #[allow(clippy::cast_precision_loss)]
        Value::UInt64(x) | Value::UInt64z(x) => Some(*x as f64),
        Value::Float32(x) => Some(f64::from(*x)).filter(|x| x.is_finite()),
        Value::Float64(x) => Some(*x).filter(|x| x.is_finite()),
        _ => None,
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Invalid | Value::Array(_) | Value::Timestamp(_) => None,
        other => num(other).map(|x| format!("{x}")),
    }
}

fn ts_ms(v: &Value) -> Option<i64> {
    match v {
        Value::Timestamp(t) => Some(t.with_timezone(&chrono::Utc).timestamp_millis()),
        _ => None,
    }
}

/// fitparser turns a FIT `local_date_time` into an instant by reading it in this machine's
/// zone; undo that to get the seconds the file stored, then the file's own UTC offset.
fn local_fit_seconds(v: &Value) -> Option<i64> {
    let Value::Timestamp(t) = v else { return None };
    let reference = NaiveDate::from_ymd_opt(1989, 12, 31)?.and_hms_opt(0, 0, 0)?;
    let local_ref = Local.from_local_datetime(&reference).earliest()?;
    Some(t.timestamp() - local_ref.timestamp())
}

/// One channel being filled record by record.
#[derive(Default)]
struct Col {
    vals: Vec<Option<f64>>,
    any: bool,
}

impl Col {
    fn push(&mut self, v: Option<f64>) {
        self.any |= v.is_some();
        self.vals.push(v);
    }
    fn take(&mut self, idx: &[usize]) -> Option<Vec<Option<f64>>> {
        if !self.any {
            return None;
        }
        let out: Vec<Option<f64>> = idx
            .iter()
            .map(|&i| self.vals.get(i).copied().flatten())
            .collect();
        out.iter().any(Option::is_some).then_some(out)
    }
}

#[derive(Default)]
struct Cols {
    lat: Col,
    lon: Col,
    distance: Col,
    speed: Col,
    altitude: Col,
    hr: Col,
    cadence: Col,
    power: Col,
    temperature: Col,
    stance: Col,
    vosc: Col,
    step: Col,
}

struct Session {
    start_ms: i64,
    sport: Option<String>,
    sub_sport: Option<String>,
}

/// The values of one `record` message that the model keeps, as `fitparser` names them
/// (scaled, invalid values as `None`, positions in degrees).
#[derive(Default)]
struct RecordValues {
    t: Option<i64>,
    lat: Option<f64>,
    lon: Option<f64>,
    dist: Option<f64>,
    speed: Option<f64>,
    espeed: Option<f64>,
    alt: Option<f64>,
    ealt: Option<f64>,
    hr: Option<f64>,
    cad: Option<f64>,
    fcad: Option<f64>,
    power: Option<f64>,
    temp: Option<f64>,
    stance: Option<f64>,
    vosc: Option<f64>,
    step: Option<f64>,
    /// The first three raw bytes of `compressed_speed_distance`, where it has three or more.
    csd: Option<[u8; 3]>,
}

/// Everything gathered from the messages of one file.
#[derive(Default)]
struct Collector {
    messages: usize,
    records: usize,
    file_type: Option<String>,
    device: Device,
    sport: Option<(Option<String>, Option<String>)>,
    sessions: Vec<Session>,
    laps: Vec<Lap>,
    timer_events: Vec<(i64, bool)>,
    ts: Vec<i64>,
    cols: Cols,
    /// Developer field names from `field_description` messages.
    dev_fields: HashMap<String, String>,
    dev: HashMap<String, Col>,
    /// RR intervals with the timestamp of the record they follow.
    rr: Vec<(i64, f64)>,
    utc_offset_s: Option<i32>,
    hr_rest: Option<f64>,
    hr_max: Option<f64>,
    csd: Option<(u32, f64)>,
    warnings: Vec<Warning>,
    counts: HashMap<&'static str, (usize, String)>,
    no_timestamp: usize,
    hr_zero: usize,
}

impl Collector {
    fn warn(&mut self, code: &str, msg: String) {
        self.warnings.push(Warning::new(code, msg));
    }
    fn warn_once(&mut self, code: &str, msg: String) {
        if !self
            .warnings
            .iter()
            .any(|w| w.code == code && w.message == msg)
        {
            self.warnings.push(Warning::new(code, msg));
        }
    }
    /// The file ends inside a message at `pos`, for either decoder: an error when nothing was
    /// read yet, otherwise a warning (said once) with what was kept.
    fn end_inside_message(&mut self, pos: usize, file_len: usize) -> Result<(), DecodeError> {
        if self.records == 0 && self.messages == 0 {
            return Err(DecodeError::Fit {
                offset: pos,
                message: "the file ends before its first message".to_owned(),
            });
        }
        if !self.warnings.iter().any(|w| w.code == "truncated") {
            let records = self.records;
            self.warn(
                "truncated",
                format!(
                    "the file is truncated at byte {file_len} of a message; the {records} records before it were kept"
                ),
            );
        }
        Ok(())
    }
    fn warn_count(&mut self, code: &'static str, example: &str) {
        let e = self
            .counts
            .entry(code)
            .or_insert_with(|| (0, example.to_owned()));
        e.0 += 1;
    }

    fn message(&mut self, rec: &FitDataRecord) {
        self.messages += 1;
        match rec.kind() {
            MesgNum::Record => self.record(rec),
            MesgNum::FileId => {
                for f in rec.fields() {
                    match f.name() {
                        "type" => self.file_type = text(f.value()),
                        "manufacturer" => self.device.manufacturer = text(f.value()),
                        "product" | "garmin_product" | "favero_product" => {
                            if let Some(p) = text(f.value()) {
                                self.device.product = Some(p);
                            }
                        }
                        "serial_number" => self.device.serial = num(f.value()).map(|x| x as u64),
                        _ => {}
                    }
                }
            }
            MesgNum::Session => {
                let mut s = Session {
                    start_ms: i64::MIN,
                    sport: None,
                    sub_sport: None,
                };
                for f in rec.fields() {
                    match f.name() {
                        "start_time" => s.start_ms = ts_ms(f.value()).unwrap_or(i64::MIN),
                        "sport" => s.sport = text(f.value()),
                        "sub_sport" => s.sub_sport = text(f.value()),
                        _ => {}
                    }
                }
                self.sessions.push(s);
            }
            MesgNum::Sport => {
                let get = |n: &str| {
                    rec.fields()
                        .iter()
                        .find(|f| f.name() == n)
                        .and_then(|f| text(f.value()))
                };
                self.sport = Some((get("sport"), get("sub_sport")));
            }
            MesgNum::Lap => self.lap(rec),
            MesgNum::Event => {
                let mut timer = false;
                let mut kind = None;
                let mut t = None;
                for f in rec.fields() {
                    match (f.name(), f.value()) {
                        ("event", Value::String(s)) => timer = s == "timer",
                        ("event_type", Value::String(s)) => kind = Some(s.clone()),
                        ("timestamp", v) => t = ts_ms(v),
                        _ => {}
                    }
                }
                if let (true, Some(kind), Some(t)) = (timer, kind, t) {
                    if kind == "start" {
                        self.timer_events.push((t, true));
                    } else if kind.starts_with("stop") {
                        self.timer_events.push((t, false));
                    }
                }
            }
            MesgNum::Activity => {
                let mut utc = None;
                let mut local = None;
                for f in rec.fields() {
                    match f.name() {
                        "timestamp" => utc = ts_ms(f.value()).map(|m| m.div_euclid(1000)),
                        "local_timestamp" => local = local_fit_seconds(f.value()),
                        _ => {}
                    }
                }
                if let (Some(utc), Some(local)) = (utc, local) {
                    let off = FIT_EPOCH_S + local - utc;
                    if off.abs() <= 18 * 3600 {
                        self.utc_offset_s = i32::try_from(off).ok();
                    }
                }
            }
            MesgNum::UserProfile => {
                for f in rec.fields() {
                    match f.name() {
                        "resting_heart_rate" => self.hr_rest = num(f.value()).filter(|x| *x > 0.0),
                        "default_max_heart_rate" => {
                            self.hr_max = num(f.value()).filter(|x| *x > 0.0)
                        }
                        _ => {}
                    }
                }
            }
            MesgNum::Hrv => {
                let at = self.ts.last().copied().unwrap_or(i64::MIN);
                for f in rec.fields() {
                    if f.name() == "time" {
                        let vals: &[Value] = match f.value() {
                            Value::Array(a) => a,
                            other => std::slice::from_ref(other),
                        };
                        for v in vals {
                            // 65.535 s is the uint16 invalid value after scaling.
                            if let Some(s) = num(v).filter(|s| *s > 0.0 && *s < 65.5) {
                                self.rr.push((at, s * 1000.0));
                            }
                        }
                    }
                }
            }
            MesgNum::FieldDescription => {
                let mut name = None;
                let mut units = String::new();
                for f in rec.fields() {
                    match f.name() {
                        "field_name" => name = text(f.value()),
                        "units" => units = text(f.value()).unwrap_or_default(),
                        _ => {}
                    }
                }
                if let Some(n) = name {
                    self.dev_fields.insert(n, units);
                }
            }
            _ => {}
        }
    }

    fn lap(&mut self, rec: &FitDataRecord) {
        let mut lap = Lap {
            start_ms: i64::MIN,
            elapsed_s: None,
            timer_s: None,
            distance_m: None,
            avg_hr_bpm: None,
            max_hr_bpm: None,
        };
        for f in rec.fields() {
            let v = f.value();
            match f.name() {
                "start_time" => lap.start_ms = ts_ms(v).unwrap_or(i64::MIN),
                "total_elapsed_time" => lap.elapsed_s = num(v),
                "total_timer_time" => lap.timer_s = num(v),
                "total_distance" => lap.distance_m = num(v),
                "avg_heart_rate" => lap.avg_hr_bpm = num(v),
                "max_heart_rate" => lap.max_hr_bpm = num(v),
                _ => {}
            }
        }
        if lap.start_ms != i64::MIN {
            self.laps.push(lap);
        }
    }

    fn record(&mut self, rec: &FitDataRecord) {
        let mut v = RecordValues::default();
        let mut dev: Vec<(&str, f64)> = Vec::new();
        for f in rec.fields() {
            let x = f.value();
            match f.name() {
                "timestamp" => v.t = ts_ms(x),
                "position_lat" => v.lat = num(x).map(|x| x * SEMICIRCLE_DEG),
                "position_long" => v.lon = num(x).map(|x| x * SEMICIRCLE_DEG),
                "distance" => v.dist = num(x),
                "speed" => v.speed = num(x),
                "enhanced_speed" => v.espeed = num(x),
                "altitude" => v.alt = num(x),
                "enhanced_altitude" => v.ealt = num(x),
                "heart_rate" => v.hr = num(x),
                "cadence" => v.cad = num(x),
                "fractional_cadence" => v.fcad = num(x),
                "power" => v.power = num(x),
                "temperature" => v.temp = num(x),
                "stance_time" => v.stance = num(x),
                "vertical_oscillation" => v.vosc = num(x),
                "step_length" => v.step = num(x),
                "compressed_speed_distance" => {
                    v.csd = raw_bytes(x).and_then(|b| <[u8; 3]>::try_from(b.get(..3)?).ok());
                }
                name => {
                    if self.dev_fields.contains_key(name)
                        && let Some(x) = num(x)
                    {
                        dev.push((name, x));
                    }
                }
            }
        }
        self.push_record(&v, &dev);
    }

    /// Appends one record's values to the columns (both decoders end here).
    fn push_record(&mut self, v: &RecordValues, dev: &[(&str, f64)]) {
        let Some(t) = v.t else {
            self.no_timestamp += 1;
            return;
        };
        let (mut speed, mut dist, mut hr) = (v.speed, v.dist, v.hr);
        if let Some(b) = v.csd {
            // Speed: 12 bits in 1/100 m/s. Distance: 12 bits in 1/16 m, a rolling counter that
            // the SDK accumulates modulo 4096 (fitparser sums it, which overshoots).
            let raw_speed = u32::from(b[0]) | (u32::from(b[1] & 0x0F) << 8);
            let raw_dist = u32::from(b[1] >> 4) | (u32::from(b[2]) << 4);
            speed = Some(f64::from(raw_speed) / 100.0);
            let acc = match self.csd {
                None => f64::from(raw_dist) / 16.0,
                Some((last, acc)) => acc + f64::from(raw_dist.wrapping_sub(last) & 0x0FFF) / 16.0,
            };
            self.csd = Some((raw_dist, acc));
            dist = Some(acc);
        }
        if hr == Some(0.0) {
            self.hr_zero += 1;
            hr = None;
        }
        let i = self.ts.len();
        self.ts.push(t);
        self.records += 1;
        let c = &mut self.cols;
        c.lat.push(v.lat);
        c.lon.push(v.lon);
        c.distance.push(dist);
        c.speed.push(v.espeed.or(speed));
        c.altitude.push(v.ealt.or(v.alt));
        c.hr.push(hr);
        c.cadence.push(v.cad.map(|x| x + v.fcad.unwrap_or(0.0)));
        c.power.push(v.power);
        c.temperature.push(v.temp);
        c.stance.push(v.stance);
        c.vosc.push(v.vosc);
        c.step.push(v.step);
        for &(name, x) in dev {
            // Looked up before inserting: a `String` per value was a tenth of the decoding time
            // of files with developer fields.
            let col = match self.dev.get_mut(name) {
                Some(col) => col,
                None => self.dev.entry(name.to_owned()).or_default(),
            };
            col.vals.resize(i, None);
            col.push(Some(x));
        }
    }

    fn finish(mut self, id: &str, source: &str) -> Result<Decoded<Vec<Activity>>, DecodeError> {
        if self.no_timestamp > 0 {
            self.warn(
                "record_without_timestamp",
                format!(
                    "{} record messages had no timestamp and were skipped",
                    self.no_timestamp
                ),
            );
        }
        if self.hr_zero > 0 {
            self.warn(
                "hr_zero",
                format!(
                    "{} heart-rate readings of 0 bpm were read as missing",
                    self.hr_zero
                ),
            );
        }
        let counts: Vec<_> = self.counts.drain().collect();
        for (code, (n, example)) in counts {
            self.warn(
                code,
                format!("{n} messages could not be decoded and were skipped (first: {example})"),
            );
        }
        if self.ts.is_empty() {
            return Err(match self.file_type.as_deref() {
                Some(t) if t != "activity" => DecodeError::NotAnActivity(format!(
                    "a FIT '{t}' file, which carries no recorded samples"
                )),
                _ => DecodeError::NoSamples(
                    "the FIT file has no record messages with a timestamp".to_owned(),
                ),
            });
        }
        // FIT date_time values below 0x10000000 count seconds since the device powered on.
        if self
            .ts
            .first()
            .is_some_and(|&t| t < (FIT_EPOCH_S + 0x1000_0000) * 1000)
        {
            self.warn(
                "relative_time",
                "timestamps are relative to when the device was switched on, not calendar dates; \
                 the activity's date is unknown"
                    .to_owned(),
            );
        }
        let n = self.ts.len();
        for col in self.dev.values_mut() {
            col.vals.resize(n, None);
        }
        let pauses = timer_pauses(&mut self.timer_events);

        // One activity per session; records belong to the session that started last before them.
        self.sessions.retain(|s| s.start_ms != i64::MIN);
        self.sessions.sort_by_key(|s| s.start_ms);
        let sessions = &self.sessions;
        let group_of = |t: i64| sessions.iter().rposition(|s| s.start_ms <= t).unwrap_or(0);
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); sessions.len().max(1)];
        for (i, &t) in self.ts.iter().enumerate() {
            groups[group_of(t)].push(i);
        }
        let mut activities = Vec::new();
        for (k, idx) in groups.iter().enumerate() {
            if idx.is_empty() {
                continue;
            }
            let (sport, sub_sport) = match self.sessions.get(k) {
                Some(s) => (s.sport.clone(), s.sub_sport.clone()),
                None => self.sport.clone().unwrap_or((None, None)),
            };
            let foot = matches!(sport.as_deref(), Some("running" | "walking" | "hiking"));
            let ts: Vec<i64> = idx.iter().map(|&i| self.ts[i]).collect();
            let (first, last) = (
                ts.iter().copied().min().unwrap_or(0),
                ts.iter().copied().max().unwrap_or(0),
            );
            let start_ms = self
                .sessions
                .get(k)
                .map_or(first, |s| s.start_ms.min(first));
            let c = &mut self.cols;
            let mut cadence = c.cadence.take(idx);
            if foot {
                // FIT running cadence counts strides (one foot); the model keeps steps per minute.
                if let Some(v) = cadence.as_mut() {
                    v.iter_mut().flatten().for_each(|x| *x *= 2.0);
                }
            }
            let mut developer: Vec<DeveloperChannel> = self
                .dev
                .iter_mut()
                .filter_map(|(name, col)| {
                    col.take(idx).map(|values| DeveloperChannel {
                        name: name.clone(),
                        units: self.dev_fields.get(name).cloned().unwrap_or_default(),
                        values,
                    })
                })
                .collect();
            developer.sort_by(|a, b| a.name.cmp(&b.name));
            let samples = Samples {
                timestamp_ms: ts,
                lat: c.lat.take(idx),
                lon: c.lon.take(idx),
                distance_m: c.distance.take(idx),
                speed_m_s: c.speed.take(idx),
                altitude_m: c.altitude.take(idx),
                heart_rate_bpm: c.hr.take(idx),
                cadence_spm: cadence,
                power_w: c.power.take(idx),
                temperature_c: c.temperature.take(idx),
                stance_time_ms: c.stance.take(idx),
                vertical_oscillation_mm: c.vosc.take(idx),
                step_length_mm: c.step.take(idx),
                developer,
            };
            activities.push(Activity {
                id: if k == 0 {
                    id.to_owned()
                } else {
                    format!("{id}-{k}")
                },
                source: source.to_owned(),
                format: Format::Fit,
                sport,
                sub_sport,
                device: self.device.clone(),
                start_ms,
                utc_offset_s: self.utc_offset_s,
                laps: self
                    .laps
                    .iter()
                    .filter(|l| group_of(l.start_ms) == k)
                    .cloned()
                    .collect(),
                pauses: pauses
                    .iter()
                    .filter(|p| p.end_ms > start_ms && p.start_ms < last)
                    .copied()
                    .collect(),
                samples,
                rr_ms: self
                    .rr
                    .iter()
                    .filter(|(t, _)| group_of(*t) == k)
                    .map(|(_, v)| *v)
                    .collect(),
                profile_hr_rest: self.hr_rest,
                profile_hr_max: self.hr_max,
            });
        }
        Ok(Decoded {
            value: activities,
            warnings: self.warnings,
        })
    }
}

fn raw_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Byte(b) | Value::UInt8(b) => Some(*b),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Pairs timer stops with the next start.
fn timer_pauses(events: &mut [(i64, bool)]) -> Vec<Pause> {
    events.sort_by_key(|e| e.0);
    let mut out = Vec::new();
    let mut stopped_at = None;
    for &(t, start) in events.iter() {
        match (start, stopped_at) {
            (false, None) => stopped_at = Some(t),
            (true, Some(s)) => {
                if t > s {
                    out.push(Pause {
                        start_ms: s,
                        end_ms: t,
                    });
                }
                stopped_at = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_known_header() {
        // A 14-byte header's last two bytes are the CRC of the first twelve.
        let header = [
            14u8, 0x10, 0x2B, 0x08, 0x4D, 0x02, 0, 0, b'.', b'F', b'I', b'T',
        ];
        let crc = crc16(&header);
        // Round trip property: appending the CRC little-endian makes the CRC of the whole zero.
        let mut all = header.to_vec();
        all.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(crc16(&all), 0);
    }

    #[test]
    fn byte_table_crc_is_the_sdk_nibble_crc() {
        const NIBBLE: [u16; 16] = [
            0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
            0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
        ];
        let data: Vec<u8> = (0u32..4096)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        let mut sdk = 0u16;
        for &b in &data {
            let mut tmp = NIBBLE[usize::from(sdk & 0xF)];
            sdk = ((sdk >> 4) & 0x0FFF) ^ tmp ^ NIBBLE[usize::from(b & 0xF)];
            tmp = NIBBLE[usize::from(sdk & 0xF)];
            sdk = ((sdk >> 4) & 0x0FFF) ^ tmp ^ NIBBLE[usize::from(b >> 4)];
        }
        assert_eq!(crc16(&data), sdk);
    }

    #[test]
    fn pauses_pair_stop_with_next_start() {
        let mut ev = vec![
            (0, true),
            (100, false),
            (160, true),
            (300, false),
            (200, false),
            (400, true),
        ];
        let p = timer_pauses(&mut ev);
        assert_eq!(
            p,
            vec![
                Pause {
                    start_ms: 100,
                    end_ms: 160
                },
                Pause {
                    start_ms: 200,
                    end_ms: 400
                }
            ]
        );
    }

    #[test]
    fn odd_field_size_is_found() {
        // definition: header 0x40, reserved, little endian, global 20, 2 fields:
        // field 3 size 1 uint8 (fine), field 6 size 3 uint16 (odd).
        let def = [0x40, 0, 0, 20, 0, 2, 3, 1, 0x02, 6, 3, 0x84];
        let (len, fixes) = check_definition(&def).expect("complete definition");
        assert_eq!(len, def.len());
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].0, 11);
    }
}

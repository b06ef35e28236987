//! The fast path: FIT framing read here, `record` messages decoded straight into columns, every
//! other message handed to a `fitparser` processor.
//!
//! The framing follows `fitparser`'s deserializer step by step (when a header, a message or the
//! CRC is expected, what counts as too short, which error ends decoding), so that the warnings
//! and the data kept before a fault are those of the reference path (`reference.rs`). A second
//! `fitparser` processor (`Sub`) gets every definition and every non-record data message, in
//! order, and decodes the latter exactly as the reference path would; it is told one long
//! synthetic file header, so it never expects a CRC or a header of its own.
//!
//! What is left to the reference path (the whole file is then decoded again there), because
//! `fitparser` gives a result for it that is not worth reproducing, depends on hash-map order, or
//! fails the whole message:
//! - a `record` definition with `cycles` (18) or `compressed_accumulated_power` (28), which
//!   `fitparser` accumulates in the field's own integer type (and overflows);
//! - `timestamp`, `altitude`, `speed`, `compressed_speed_distance`, `enhanced_speed` or
//!   `enhanced_altitude` in another base type or size than the profile's (their component
//!   expansion would read other bits), or `compressed_speed_distance` beside `speed` or
//!   `enhanced_speed`;
//! - a string in a profile field of `record`, an array or a float in one of its enum fields, or a
//!   developer field of `record` typed string or of a size that its type does not divide;
//! - a developer field named like a `record` field, or two developer fields with one name;
//!
//! Where a `record` holds both a field and the same value's enhanced field (`speed` and
//! `enhanced_speed`, `altitude` and `enhanced_altitude`), the enhanced field is kept; `fitparser`
//! keeps whichever of the two its hash map yields last.

mod plan;

use std::collections::HashMap;

use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::profile::TimestampField;
use fitparser::{ErrorKind, FitDataField, FitDataRecord, Value};

use super::collect::{Collector, RecordValues, text};
use super::crc::{crc16, crc16_update};
use super::reference::check_definition;
use super::{FIT_EPOCH_S, SEMICIRCLE_DEG};
use crate::error::DecodeError;
use plan::{
    Base, Def, DevDesc, RECORD_FIELD_NAMES, Slot, dev_description, record_plan, scalar, scaled,
};

/// Whether the fast path decoded the file or leaves it to the reference path.
pub(super) enum Flow {
    Done,
    /// Left to the reference path, for the reason given.
    Bail(&'static str),
}

/// Why one step of the framing stopped, in the terms of the reference path's error handling.
enum Stop {
    /// The input ends inside the object being read (`fitparser`'s `UnexpectedEof`).
    Eof,
    /// Any other fault; the text is only used in messages.
    Other(String),
    /// The file needs the reference path, for the reason given.
    Bail(&'static str),
}
/// The `fitparser` processor that decodes every message but `record`.
struct Sub(FitStreamProcessor);

impl Sub {
    /// A 12-byte header announcing 4 GiB of data: the processor then reads messages only.
    const HEADER: [u8; 12] = [
        12, 0x10, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, b'.', b'F', b'I', b'T',
    ];

    fn new() -> Self {
        let mut p = FitStreamProcessor::new();
        p.add_option(DecodeOption::KeepCompositeFields);
        // Cannot fail: a complete header without a CRC of its own.
        let _ = p.deserialize_next(&Self::HEADER);
        Self(p)
    }
}

fn stop_of(e: &ErrorKind) -> Stop {
    match e {
        ErrorKind::UnexpectedEof(_) => Stop::Eof,
        other => Stop::Other(other.to_string()),
    }
}

/// The decoding state that `fitparser`'s deserializer and decoder keep.
struct State {
    /// `fitparser`'s position: where it thinks it is (a header counts its declared size).
    fp_pos: usize,
    /// `fitparser`'s end of the data section.
    fp_end: usize,
    /// The data CRC: its start value after the header, from where it runs, and the bytes that a
    /// rewritten definition changed (`fitparser` sums the rewritten bytes).
    crc_init: u16,
    crc_from: usize,
    crc_patches: Vec<(usize, u8)>,
    defs: [Option<Def>; 16],
    /// The last full timestamp, for compressed timestamp headers (FIT seconds).
    base_ts: i64,
    dev: HashMap<(u8, u8), DevDesc>,
    sub: Sub,
}

impl State {
    fn reset(&mut self) {
        self.defs = Default::default();
        self.base_ts = 0;
        self.dev.clear();
        self.sub.0.reset();
    }

    fn running_crc(&self, bytes: &[u8], end: usize) -> u16 {
        let from = self.crc_from.min(end);
        if self.crc_patches.is_empty() {
            return crc16_update(self.crc_init, &bytes[from..end]);
        }
        let mut data = bytes[from..end].to_vec();
        for &(at, b) in &self.crc_patches {
            if let Some(x) = at.checked_sub(from).and_then(|i| data.get_mut(i)) {
                *x = b;
            }
        }
        crc16_update(self.crc_init, &data)
    }
}

/// `fitparser`'s time of a compressed timestamp header: the base's upper bits with the header's
/// five, a rollover where they are below the base's. Becomes the new base.
fn advance_time(base_ts: &mut i64, offset: u8) -> i64 {
    let offset = i64::from(offset);
    let mut t = offset + (*base_ts & !31);
    if offset < (*base_ts & 31) {
        t += 32;
    }
    *base_ts = t;
    t
}

/// The file header as `fitparser` parses it.
struct Header {
    size: u8,
    data_size: u32,
    crc: Option<u16>,
    /// Bytes actually read: 12, or 14 where the declared size is over 12.
    consumed: usize,
}

fn parse_header(buf: &[u8]) -> Result<Header, Stop> {
    if buf.len() < 8 {
        return Err(Stop::Eof);
    }
    let avail = buf.len().min(12);
    if buf[8..avail] != b".FIT"[..avail - 8] {
        return Err(Stop::Other("parse error: no '.FIT' tag".to_owned()));
    }
    if buf.len() < 12 {
        return Err(Stop::Eof);
    }
    let size = buf[0];
    let data_size = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
    let (crc, consumed) = if size > 12 {
        if buf.len() < 14 {
            return Err(Stop::Eof);
        }
        (Some(u16::from_le_bytes([buf[12], buf[13]])), 14)
    } else {
        (None, 12)
    };
    Ok(Header {
        size,
        data_size,
        crc,
        consumed,
    })
}

/// Decodes the file into `c`, or tells that the reference path must.
pub(super) fn stream(bytes: &[u8], c: &mut Collector) -> Result<Flow, DecodeError> {
    let mut st = State {
        fp_pos: 0,
        fp_end: 0,
        crc_init: 0,
        crc_from: 0,
        crc_patches: Vec::new(),
        defs: Default::default(),
        base_ts: 0,
        dev: HashMap::new(),
        sub: Sub::new(),
    };
    let mut off = 0usize;
    // As in the reference path: the current chained file's byte range, and whether a definition
    // in it was rewritten.
    let mut file_start = 0usize;
    let mut data_start = 0usize;
    let mut data_end = 0usize;
    let mut patched = false;
    let mut patch_buf = Vec::new();
    while off < bytes.len() {
        let pos = off;
        let buf = &bytes[pos..];
        let step: Result<(), Stop> = if st.fp_pos > 0 && st.fp_pos == st.fp_end {
            // The data CRC.
            if buf.len() < 2 {
                Err(Stop::Eof)
            } else {
                let stored = u16::from_le_bytes([buf[0], buf[1]]);
                let computed = st.running_crc(bytes, pos);
                st.fp_pos += 2;
                off += 2;
                if stored != computed {
                    let real_mismatch = !patched
                        || data_end + 2 > bytes.len()
                        || crc16(&bytes[file_start..data_end]) != stored;
                    if real_mismatch {
                        c.warn(
                            "crc_mismatch",
                            format!(
                                "the data CRC does not match (stored {stored:#06x}, computed {computed:#06x}); \
                                 the file may be damaged, its values were kept"
                            ),
                        );
                    }
                }
                st.reset();
                Ok(())
            }
        } else if st.fp_pos == 0 || st.fp_pos > st.fp_end {
            header(bytes, pos, &mut st, c).map(|h| {
                off += h.consumed;
                file_start = pos;
                data_start = pos + usize::from(h.size);
                data_end = data_start + h.data_size as usize;
                patched = false;
            })
        } else if buf[0] & 0xC0 == 0x40 {
            let in_data = pos >= data_start && pos < data_end;
            definition(buf, pos, in_data, &mut st, c, &mut patch_buf).map(|(n, p)| {
                off += n;
                patched |= p;
            })
        } else {
            data(buf, &mut st, c).map(|n| off += n)
        };
        match step {
            Ok(()) => {}
            Err(Stop::Bail(why)) => return Ok(Flow::Bail(why)),
            Err(Stop::Eof) => {
                c.end_inside_message(pos, bytes.len())?;
                break;
            }
            Err(Stop::Other(message)) => {
                if c.messages == 0 {
                    return Err(DecodeError::Fit {
                        offset: pos,
                        message,
                    });
                }
                let trailing = pos >= data_end;
                c.warn(
                    if trailing {
                        "trailing_bytes"
                    } else {
                        "decode_stopped"
                    },
                    format!(
                        "{} at byte {pos} of {}: {message}; the {} records before it were kept",
                        if trailing {
                            "unreadable bytes after the data"
                        } else {
                            "decoding stopped"
                        },
                        bytes.len(),
                        c.records
                    ),
                );
                break;
            }
        }
    }
    Ok(Flow::Done)
}

/// A file header (the first, or a chained file's): sets up the data section and its CRC.
fn header(bytes: &[u8], pos: usize, st: &mut State, c: &mut Collector) -> Result<Header, Stop> {
    let buf = &bytes[pos..];
    let h = parse_header(buf)?;
    let size = usize::from(h.size);
    st.fp_end = st.fp_pos + size + h.data_size as usize;
    st.fp_pos += size;
    st.crc_patches.clear();
    st.crc_from = pos + h.consumed;
    let crc_value = h.crc.unwrap_or(0);
    if crc_value > 0 {
        // `fitparser` checks the bytes before the CRC by the declared size; where they are not
        // there it panics. Here that ends decoding like any unreadable header.
        let Some(covered) = size.checked_sub(2).and_then(|n| buf.get(..n)) else {
            return Err(Stop::Other("the header size runs past the end".to_owned()));
        };
        st.crc_init = 0;
        let computed = crc16(covered);
        if computed != crc_value {
            c.warn(
                "crc_mismatch",
                format!(
                    "the header CRC does not match (stored {crc_value:#06x}, computed {computed:#06x}); \
                     the file may be damaged, its values were kept"
                ),
            );
            return Ok(h);
        }
    } else {
        let Some(covered) = buf.get(..size) else {
            return Err(Stop::Other("the header size runs past the end".to_owned()));
        };
        st.crc_init = crc16(covered);
    }
    let data_end = pos + size + h.data_size as usize;
    if data_end + 2 > bytes.len() {
        c.warn(
            "truncated",
            format!(
                "the header announces {} data bytes but the file ends {} bytes short; \
                 everything before the end was kept",
                h.data_size,
                data_end + 2 - bytes.len()
            ),
        );
    }
    Ok(h)
}

/// A definition message: rewritten where a field size does not fit its type (as the reference
/// path does), given to the `fitparser` processor, and kept here. Returns the bytes it spans and
/// whether it was rewritten.
fn definition(
    buf: &[u8],
    pos: usize,
    in_data: bool,
    st: &mut State,
    c: &mut Collector,
    patch_buf: &mut Vec<u8>,
) -> Result<(usize, bool), Stop> {
    let mut input = buf;
    let mut consumed_override = None;
    if in_data
        && let Some((len, fixes)) = check_definition(buf)
        && !fixes.is_empty()
    {
        patch_buf.clear();
        patch_buf.extend_from_slice(&buf[..len]);
        for (offset, note) in fixes {
            patch_buf[offset] = 0x0D;
            st.crc_patches.push((pos + offset, 0x0D));
            c.warn_once("odd_field_size", note);
        }
        input = patch_buf;
        consumed_override = Some(len);
    }
    let (rest, _) = st.sub.0.deserialize_next(input).map_err(|e| stop_of(&e))?;
    let consumed = consumed_override.unwrap_or(input.len() - rest.len());
    let def = &input[..consumed];
    let local = usize::from(def[0] & 0x0F);
    let big = def[2] == 1;
    let global = if big {
        u16::from_be_bytes([def[3], def[4]])
    } else {
        u16::from_le_bytes([def[3], def[4]])
    };
    let n = usize::from(def[5]);
    let fields: Vec<(u8, u8, Base)> = def[6..6 + 3 * n]
        .chunks_exact(3)
        .map(|f| {
            let base = Base::from_code(f[2] & 0x9F);
            // `fitparser` reads a size its type does not divide as bytes.
            let base = if usize::from(f[1]) % base.size() == 0 {
                base
            } else {
                Base::Byte
            };
            (f[0], f[1], base)
        })
        .collect();
    let dev = if def[0] & 0x20 != 0 {
        let at = 6 + 3 * n;
        let m = usize::from(def[at]);
        def[at + 1..at + 1 + 3 * m]
            .chunks_exact(3)
            .map(|f| (f[0], f[1], f[2]))
            .collect()
    } else {
        Vec::new()
    };
    let size = fields.iter().map(|f| usize::from(f.1)).sum();
    let plan = if global == 20 {
        record_plan(&fields)
    } else {
        Err("not a record")
    };
    st.defs[local] = Some(Def {
        global,
        big,
        size,
        dev,
        plan,
    });
    st.fp_pos += consumed;
    Ok((consumed, consumed_override.is_some()))
}

/// A field that has an `enhanced_` twin (altitude, speed): its value, and its component
/// expansion into the twin where the twin has none yet (a real `enhanced_` field wins, read
/// before or after it).
fn plain_and_expansion(plain: &mut Option<f64>, twin: &mut Option<f64>, value: Option<f64>) {
    *plain = value;
    *twin = twin.or(value);
}

/// A real `enhanced_` field: it wins over the expansion of the plain one, unless invalid.
fn real_enhanced(twin: &mut Option<f64>, raw: Option<f64>, scale: f64, offset: f64) {
    if raw.is_some() {
        *twin = scaled(raw, scale, offset);
    }
}

/// A data message: a `record` decoded here, anything else by the `fitparser` processor.
/// Returns the bytes it spans.
fn data(buf: &[u8], st: &mut State, c: &mut Collector) -> Result<usize, Stop> {
    let h = buf[0];
    let (local, time_offset) = if h & 0x80 != 0 {
        (usize::from((h >> 5) & 0x03), Some(h & 0x1F))
    } else {
        (usize::from(h & 0x0F), None)
    };
    let Some(def) = &st.defs[local] else {
        return Err(Stop::Other(format!(
            "no definition for local message type {local}"
        )));
    };
    if def.global != 20 {
        return other_message(buf, time_offset, st, c);
    }
    let plan = match &def.plan {
        Ok(plan) => plan,
        Err(why) => return Err(Stop::Bail(why)),
    };
    let big = def.big;
    let mut end = 1 + def.size;
    if buf.len() < end {
        return Err(Stop::Eof);
    }
    let fields = &buf[1..end];
    let mut v = RecordValues::default();
    let mut ts_raw = None;
    for op in plan {
        let b = &fields[op.offset..op.offset + op.size];
        let x = if op.size == op.base.size() {
            scalar(b, op.base, big)
        } else {
            // An array (or an empty field): `fitparser` gives no number for it.
            None
        };
        match op.slot {
            Slot::Timestamp => ts_raw = x,
            Slot::Lat => v.lat = x.map(|x| x * SEMICIRCLE_DEG),
            Slot::Lon => v.lon = x.map(|x| x * SEMICIRCLE_DEG),
            Slot::Alt => plain_and_expansion(&mut v.alt, &mut v.ealt, scaled(x, 5.0, 500.0)),
            Slot::Ealt => real_enhanced(&mut v.ealt, x, 5.0, 500.0),
            Slot::Hr => v.hr = x,
            Slot::Cad => v.cad = x,
            Slot::Dist => v.dist = scaled(x, 100.0, 0.0),
            Slot::Speed => plain_and_expansion(&mut v.speed, &mut v.espeed, scaled(x, 1000.0, 0.0)),
            Slot::Espeed => real_enhanced(&mut v.espeed, x, 1000.0, 0.0),
            Slot::Power => v.power = x,
            Slot::Temp => v.temp = x,
            Slot::Vosc => v.vosc = scaled(x, 10.0, 0.0),
            Slot::Stance => v.stance = scaled(x, 10.0, 0.0),
            Slot::Fcad => v.fcad = scaled(x, 128.0, 0.0),
            Slot::Step => v.step = scaled(x, 10.0, 0.0),
            Slot::Csd => {
                // Invalid only where all three bytes are 0xFF; then no field and no components.
                if b.iter().any(|&x| x != 0xFF) {
                    let raw = [b[0], b[1], b[2]];
                    v.csd = Some(raw);
                    // Components: speed (12 bits, 1/100 m/s) into `enhanced_speed`.
                    let raw_speed = u32::from(b[0]) | (u32::from(b[1] & 0x0F) << 8);
                    v.espeed = Some(f64::from(raw_speed) / 100.0);
                }
            }
        }
    }
    let mut dev: Vec<(&str, f64)> = Vec::new();
    for &(number, size, index) in &def.dev {
        let Some(desc) = st.dev.get(&(index, number)) else {
            return Err(Stop::Other(
                "a developer field without its field_description".to_owned(),
            ));
        };
        let size = usize::from(size);
        if desc.base == Base::Str || size % desc.base.size() != 0 {
            return Err(Stop::Bail(
                "developer field of type string or of an odd size",
            ));
        }
        if buf.len() < end + size {
            return Err(Stop::Eof);
        }
        let b = &buf[end..end + size];
        end += size;
        if size == desc.base.size()
            && c.dev_fields.contains_key(&desc.name)
            && let Some(x) = scalar(b, desc.base, big)
        {
            let x = if (desc.scale - 1.0).abs() > f64::EPSILON || desc.offset.abs() > f64::EPSILON {
                x / desc.scale - desc.offset
            } else {
                x
            };
            if x.is_finite() {
                dev.push((desc.name.as_str(), x));
            }
        }
    }
    // Two developer fields of one name in one record: `fitparser` yields them in hash-map order
    // and the collector keeps the last.
    for (i, d) in dev.iter().enumerate().skip(1) {
        if dev[..i].iter().any(|e| e.0 == d.0) {
            return Err(Stop::Bail("two developer fields of one name in a record"));
        }
    }
    if let Some(raw) = ts_raw {
        // A valid uint32: `fitparser` takes it as the new base for compressed timestamps.
        #[expect(clippy::cast_possible_truncation)]
        let raw = raw as i64;
        st.base_ts = raw;
        v.t = Some((FIT_EPOCH_S + raw) * 1000);
    }
    if let Some(offset) = time_offset {
        let t = advance_time(&mut st.base_ts, offset);
        v.t = Some((FIT_EPOCH_S + t) * 1000);
    }
    c.messages += 1;
    c.push_record(&v, &dev);
    st.fp_pos += end;
    Ok(end)
}

/// A data message other than `record`, decoded by the `fitparser` processor. Its time from a
/// compressed timestamp header is set here: the processor never saw the records before it.
fn other_message(
    buf: &[u8],
    time_offset: Option<u8>,
    st: &mut State,
    c: &mut Collector,
) -> Result<usize, Stop> {
    let (rest, obj) = st.sub.0.deserialize_next(buf).map_err(|e| stop_of(&e))?;
    let consumed = buf.len() - rest.len();
    st.fp_pos += consumed;
    let FitObject::DataMessage(msg) = obj else {
        return Err(Stop::Bail(
            "fitparser read something other than a data message",
        ));
    };
    if let Some(v) = msg.fields().get(&253) {
        // As `fitparser`'s decoder: any message's timestamp is the base of the next offsets.
        st.base_ts = v.clone().try_into().unwrap_or(0);
    }
    match st.sub.0.decode_message(msg) {
        Ok(mut rec) => {
            if let Some(offset) = time_offset {
                let t = advance_time(&mut st.base_ts, offset);
                let kind = rec.kind();
                let mut fields = rec.into_vec();
                // `fitparser` appends the compressed header's timestamp after every other field.
                match fields.last_mut() {
                    Some(f) if f.number() == 253 && f.name() == "timestamp" => {
                        *f = FitDataField::new(
                            "timestamp".to_owned(),
                            253,
                            None,
                            Value::from(TimestampField::Utc(t)),
                            String::new(),
                        );
                    }
                    _ => {
                        return Err(Stop::Bail(
                            "compressed timestamp not where fitparser puts it",
                        ));
                    }
                }
                rec = FitDataRecord::new(kind);
                rec.extend(fields);
            }
            if rec.kind() == MesgNum::FieldDescription {
                let Some((key, desc)) = dev_description(&rec) else {
                    return Err(Stop::Bail("field_description not understood"));
                };
                let clash = RECORD_FIELD_NAMES.contains(&desc.name.as_str())
                    || desc.name.starts_with("unknown_field_");
                let named = rec
                    .fields()
                    .iter()
                    .filter(|f| f.name() == "field_name")
                    .filter_map(|f| text(f.value()))
                    .any(|n| {
                        RECORD_FIELD_NAMES.contains(&n.as_str()) || n.starts_with("unknown_field_")
                    });
                if clash || named {
                    return Err(Stop::Bail("developer field named like another field"));
                }
                st.dev.insert(key, desc);
            }
            c.message(&rec);
        }
        Err(e) => {
            if let Some(offset) = time_offset {
                advance_time(&mut st.base_ts, offset);
            }
            c.warn_count("undecodable_message", &e.to_string());
        }
    }
    Ok(consumed)
}

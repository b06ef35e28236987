//! The fast path: FIT framing read here, `record` messages decoded straight into columns, every
//! other message handed to a `fitparser` processor.
//!
//! The framing follows `fitparser`'s deserializer step by step (when a header, a message or the
//! CRC is expected, what counts as too short, which error ends decoding), so that the warnings
//! and the data kept before a fault are those of the reference path in `fit.rs`. A second
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

use std::collections::HashMap;

use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::profile::TimestampField;
use fitparser::profile::field_types::FitBaseType;
use fitparser::{ErrorKind, FitDataField, FitDataRecord, Value};

use super::{Collector, FIT_EPOCH_S, RecordValues, SEMICIRCLE_DEG, check_definition, text};
use crate::error::DecodeError;

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

/// A FIT base type as `fitparser` reads it (after masking the endian and reserved bits).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Base {
    Enum,
    S8,
    U8,
    Str,
    U8z,
    Byte,
    S16,
    U16,
    S32,
    U32,
    F32,
    F64,
    U16z,
    U32z,
    S64,
    U64,
    U64z,
    /// A code outside the profile: read as `uint8`, one byte at a time.
    Unknown,
}

impl Base {
    fn from_code(code: u8) -> Self {
        match code {
            0 => Self::Enum,
            1 => Self::S8,
            2 => Self::U8,
            7 => Self::Str,
            10 => Self::U8z,
            13 => Self::Byte,
            131 => Self::S16,
            132 => Self::U16,
            133 => Self::S32,
            134 => Self::U32,
            136 => Self::F32,
            137 => Self::F64,
            139 => Self::U16z,
            140 => Self::U32z,
            142 => Self::S64,
            143 => Self::U64,
            144 => Self::U64z,
            _ => Self::Unknown,
        }
    }

    fn from_fitparser(t: FitBaseType) -> Self {
        match t {
            FitBaseType::Value(_) => Self::Unknown,
            other => Self::from_code(other.as_u8()),
        }
    }

    fn size(self) -> usize {
        match self {
            Self::S16 | Self::U16 | Self::U16z => 2,
            Self::S32 | Self::U32 | Self::U32z | Self::F32 => 4,
            Self::F64 | Self::S64 | Self::U64 | Self::U64z => 8,
            _ => 1,
        }
    }

    fn is_float(self) -> bool {
        matches!(self, Self::F32 | Self::F64)
    }
}

/// One scalar value as `fitparser` reads it into a `Value` and `num` turns it into a number:
/// `None` for the base type's invalid value (and for a non-finite float).
#[inline]
fn scalar(b: &[u8], base: Base, big: bool) -> Option<f64> {
    macro_rules! int {
        ($t:ty, $n:expr) => {{
            let a: [u8; $n] = b.get(..$n)?.try_into().ok()?;
            let v = if big {
                <$t>::from_be_bytes(a)
            } else {
                <$t>::from_le_bytes(a)
            };
            v
        }};
    }
    #[allow(clippy::cast_precision_loss)]
    let out = match base {
        Base::Enum | Base::U8 | Base::Byte | Base::Unknown => {
            let v = *b.first()?;
            (v != 0xFF).then_some(f64::from(v))
        }
        Base::U8z => {
            let v = *b.first()?;
            (v != 0).then_some(f64::from(v))
        }
        Base::S8 => {
            let v = int!(i8, 1);
            (v != 0x7F).then_some(f64::from(v))
        }
        Base::S16 => {
            let v = int!(i16, 2);
            (v != 0x7FFF).then_some(f64::from(v))
        }
        Base::U16 => {
            let v = int!(u16, 2);
            (v != 0xFFFF).then_some(f64::from(v))
        }
        Base::U16z => {
            let v = int!(u16, 2);
            (v != 0).then_some(f64::from(v))
        }
        Base::S32 => {
            let v = int!(i32, 4);
            (v != 0x7FFF_FFFF).then_some(f64::from(v))
        }
        Base::U32 => {
            let v = int!(u32, 4);
            (v != 0xFFFF_FFFF).then_some(f64::from(v))
        }
        Base::U32z => {
            let v = int!(u32, 4);
            (v != 0).then_some(f64::from(v))
        }
        Base::S64 => {
            let v = int!(i64, 8);
            (v != 0x7FFF_FFFF_FFFF_FFFF).then_some(v as f64)
        }
        Base::U64 => {
            let v = int!(u64, 8);
            (v != u64::MAX).then_some(v as f64)
        }
        Base::U64z => {
            let v = int!(u64, 8);
            (v != 0).then_some(v as f64)
        }
        Base::F32 => Some(f64::from(f32::from_bits(int!(u32, 4)))).filter(|x| x.is_finite()),
        Base::F64 => Some(f64::from_bits(int!(u64, 8))).filter(|x| x.is_finite()),
        Base::Str => None,
    };
    out
}

/// `fitparser`'s scale and offset: applied only where they are not 1 and 0.
#[inline]
fn scaled(v: Option<f64>, scale: f64, offset: f64) -> Option<f64> {
    v.map(|x| x / scale - offset)
}

/// Where a `record` field's value goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Slot {
    Timestamp,
    Lat,
    Lon,
    Alt,
    Hr,
    Cad,
    Dist,
    Speed,
    Power,
    Csd,
    Temp,
    Vosc,
    Stance,
    Fcad,
    Espeed,
    Ealt,
    Step,
}

/// One field of a `record` definition that the model keeps.
#[derive(Clone, Copy, Debug)]
struct Op {
    offset: usize,
    size: usize,
    base: Base,
    slot: Slot,
}

/// A definition as the fast path needs it.
#[derive(Clone, Debug)]
struct Def {
    global: u16,
    big: bool,
    /// Bytes of the data message after its header byte, without developer fields.
    size: usize,
    /// `(field number, size, developer data index)` of each developer field.
    dev: Vec<(u8, u8, u8)>,
    /// For `record`: the fields to decode, or why the reference path must decode them.
    plan: Result<Vec<Op>, &'static str>,
}

/// Names `fitparser` gives `record` fields (FIT profile 21.x); a developer field named like one
/// of them would be read as that field by the collector.
const RECORD_FIELD_NAMES: &[&str] = &[
    "timestamp",
    "position_lat",
    "position_long",
    "altitude",
    "heart_rate",
    "cadence",
    "distance",
    "speed",
    "power",
    "compressed_speed_distance",
    "grade",
    "resistance",
    "time_from_course",
    "cycle_length",
    "temperature",
    "speed_1s",
    "cycles",
    "total_cycles",
    "compressed_accumulated_power",
    "accumulated_power",
    "left_right_balance",
    "gps_accuracy",
    "vertical_speed",
    "calories",
    "vertical_oscillation",
    "stance_time_percent",
    "stance_time",
    "activity_type",
    "left_torque_effectiveness",
    "right_torque_effectiveness",
    "left_pedal_smoothness",
    "right_pedal_smoothness",
    "combined_pedal_smoothness",
    "time128",
    "stroke_type",
    "zone",
    "ball_speed",
    "cadence256",
    "fractional_cadence",
    "total_hemoglobin_conc",
    "total_hemoglobin_conc_min",
    "total_hemoglobin_conc_max",
    "saturated_hemoglobin_percent",
    "saturated_hemoglobin_percent_min",
    "saturated_hemoglobin_percent_max",
    "device_index",
    "left_pco",
    "right_pco",
    "left_power_phase",
    "left_power_phase_peak",
    "right_power_phase",
    "right_power_phase_peak",
    "enhanced_speed",
    "enhanced_altitude",
    "battery_soc",
    "motor_power",
    "vertical_ratio",
    "stance_time_balance",
    "step_length",
    "cycle_length16",
    "absolute_pressure",
    "depth",
    "next_stop_depth",
    "next_stop_time",
    "time_to_surface",
    "ndl_time",
    "cns_load",
    "n2_load",
    "respiration_rate",
    "enhanced_respiration_rate",
    "grit",
    "flow",
    "current_stress",
    "ebike_travel_range",
    "ebike_battery_level",
    "ebike_assist_mode",
    "ebike_assist_level_percent",
    "air_time_remaining",
    "pressure_sac",
    "volume_sac",
    "rmv",
    "ascent_rate",
    "po2",
    "core_temperature",
];

/// Field numbers of `record` in `fitparser`'s profile (those of [`RECORD_FIELD_NAMES`]).
fn in_record_profile(n: u8) -> bool {
    matches!(
        n,
        0..=13
            | 17..=19
            | 28..=33
            | 39..=59
            | 62
            | 67..=73
            | 78
            | 81..=85
            | 87
            | 91..=99
            | 108
            | 114..=120
            | 123..=127
            | 129
            | 139
            | 253
    )
}

/// The plan for a `record` definition, or `None` where the reference path must decode it.
fn record_plan(fields: &[(u8, u8, Base)]) -> Result<Vec<Op>, &'static str> {
    let mut ops = Vec::new();
    let mut offset = 0usize;
    let has = |n: u8| fields.iter().any(|f| f.0 == n);
    if has(8) && (has(6) || has(73)) {
        return Err("record with compressed_speed_distance beside speed");
    }
    // A field number twice: `fitparser` keeps the last valid one.
    for (i, f) in fields.iter().enumerate() {
        if fields[..i].iter().any(|g| g.0 == f.0) {
            return Err("record definition with a field number twice");
        }
    }
    for &(num, size, base) in fields {
        let size_us = usize::from(size);
        let canonical = |b: Base, s: u8| {
            (base == b && size == s)
                .then_some(())
                .ok_or("record field with components or a timestamp in an unusual type")
        };
        let slot = match num {
            253 => {
                canonical(Base::U32, 4)?;
                Some(Slot::Timestamp)
            }
            2 => {
                canonical(Base::U16, 2)?;
                Some(Slot::Alt)
            }
            6 => {
                canonical(Base::U16, 2)?;
                Some(Slot::Speed)
            }
            8 => {
                canonical(Base::Byte, 3)?;
                Some(Slot::Csd)
            }
            73 => {
                canonical(Base::U32, 4)?;
                Some(Slot::Espeed)
            }
            78 => {
                canonical(Base::U32, 4)?;
                Some(Slot::Ealt)
            }
            18 | 28 => return Err("record with an accumulated field"),
            // Enum fields: `fitparser` fails the message on an array or a float.
            30 | 42 | 49 | 62 => {
                if size_us != base.size() || base.is_float() || base == Base::Str {
                    return Err("record enum field holding an array, a float or a string");
                }
                None
            }
            0 => Some(Slot::Lat),
            1 => Some(Slot::Lon),
            3 => Some(Slot::Hr),
            4 => Some(Slot::Cad),
            5 => Some(Slot::Dist),
            7 => Some(Slot::Power),
            13 => Some(Slot::Temp),
            39 => Some(Slot::Vosc),
            41 => Some(Slot::Stance),
            53 => Some(Slot::Fcad),
            85 => Some(Slot::Step),
            _ => None,
        };
        // A string in a scaled profile field fails the message; in any profile field it is
        // not worth telling the scaled from the rest.
        if base == Base::Str && in_record_profile(num) {
            return Err("record profile field holding a string");
        }
        if let Some(slot) = slot {
            ops.push(Op {
                offset,
                size: size_us,
                base,
                slot,
            });
        }
        offset += size_us;
    }
    Ok(ops)
}

/// A developer field's description, as `fitparser` builds it from a `field_description`.
struct DevDesc {
    name: String,
    base: Base,
    scale: f64,
    offset: f64,
}

/// `fitparser`'s `DeveloperFieldDescription::try_from`, on the decoded message.
fn dev_description(rec: &FitDataRecord) -> Option<((u8, u8), DevDesc)> {
    let mut by_name: HashMap<&str, &Value> = HashMap::new();
    for f in rec.fields() {
        by_name.insert(f.name(), f.value());
    }
    let Some(Value::UInt8(index)) = by_name.get("developer_data_index") else {
        return None;
    };
    let Some(Value::UInt8(number)) = by_name.get("field_definition_number") else {
        return None;
    };
    let Some(Value::String(base)) = by_name.get("fit_base_type_id") else {
        return None;
    };
    let name = match by_name.get("field_name") {
        None => format!("unknown_developer_field_{number}"),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return None,
    };
    let scale = match by_name.get("scale") {
        None => 1.0,
        Some(Value::UInt8(s)) => f64::from(*s),
        Some(_) => return None,
    };
    let offset = match by_name.get("offset") {
        None => 0.0,
        Some(Value::SInt8(o)) => f64::from(*o),
        Some(_) => return None,
    };
    match by_name.get("units") {
        None | Some(Value::String(_)) => {}
        Some(_) => return None,
    }
    Some((
        (*index, *number),
        DevDesc {
            name,
            base: Base::from_fitparser(FitBaseType::from(base.as_str())),
            scale,
            offset,
        },
    ))
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
            return super::crc16_update(self.crc_init, &bytes[from..end]);
        }
        let mut data = bytes[from..end].to_vec();
        for &(at, b) in &self.crc_patches {
            if let Some(x) = at.checked_sub(from).and_then(|i| data.get_mut(i)) {
                *x = b;
            }
        }
        super::crc16_update(self.crc_init, &data)
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
                        || super::crc16(&bytes[file_start..data_end]) != stored;
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
        let computed = super::crc16(covered);
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
        st.crc_init = super::crc16(covered);
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
            Slot::Alt => {
                v.alt = scaled(x, 5.0, 500.0);
                // The component expansion into `enhanced_altitude`; a real one wins below.
                v.ealt = v.ealt.or(v.alt);
            }
            Slot::Ealt => {
                if x.is_some() {
                    v.ealt = scaled(x, 5.0, 500.0);
                }
            }
            Slot::Hr => v.hr = x,
            Slot::Cad => v.cad = x,
            Slot::Dist => v.dist = scaled(x, 100.0, 0.0),
            Slot::Speed => {
                v.speed = scaled(x, 1000.0, 0.0);
                v.espeed = v.espeed.or(v.speed);
            }
            Slot::Espeed => {
                if x.is_some() {
                    v.espeed = scaled(x, 1000.0, 0.0);
                }
            }
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
        #[allow(clippy::cast_possible_truncation)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_follow_fitparser_invalid_values() {
        assert_eq!(scalar(&[0xFF], Base::U8, false), None);
        assert_eq!(scalar(&[0x00], Base::U8z, false), None);
        assert_eq!(scalar(&[0x7F], Base::S8, false), None);
        assert_eq!(scalar(&[0x80], Base::S8, false), Some(-128.0));
        assert_eq!(scalar(&[0x01, 0x02], Base::U16, false), Some(513.0));
        assert_eq!(scalar(&[0x01, 0x02], Base::U16, true), Some(258.0));
        assert_eq!(scalar(&[0xFF, 0x7F], Base::S16, false), None);
        assert_eq!(scalar(&[0xFF, 0xFF, 0xFF, 0x7F], Base::S32, false), None);
        assert_eq!(scalar(&[0, 0, 0xC0, 0x7F], Base::F32, false), None);
        assert_eq!(scalar(&[0x05], Base::Unknown, false), Some(5.0));
    }

    #[test]
    fn record_plan_leaves_odd_shapes_to_the_reference_path() {
        let ok = [
            (253, 4, Base::U32),
            (0, 4, Base::S32),
            (3, 1, Base::U8),
            (87, 2, Base::U16),
        ];
        assert!(record_plan(&ok).is_ok());
        assert!(record_plan(&[(2, 4, Base::U32)]).is_err());
        assert!(record_plan(&[(18, 1, Base::U8)]).is_err());
        assert!(record_plan(&[(42, 2, Base::Enum)]).is_err());
        assert!(record_plan(&[(8, 3, Base::Byte), (6, 2, Base::U16)]).is_err());
        assert!(record_plan(&[(200, 8, Base::Str)]).is_ok());
    }

    #[test]
    fn profile_names_and_numbers_agree() {
        let numbers = (0..=255u8).filter(|n| in_record_profile(*n)).count();
        assert_eq!(numbers, RECORD_FIELD_NAMES.len());
    }
}

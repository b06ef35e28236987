//! A minimal FIT (protocol 2.0) encoder for running activities.
//!
//! Only what the synthetic athlete needs: normal (not compressed-timestamp) headers, one
//! definition per local message type, little-endian data, and the file and header CRCs.
//! Message and field numbers, base types, scales and offsets follow the FIT profile as
//! `fitparser` 0.11 carries it (`src/profile/decode.rs`), which is also the decoder the tests
//! use to check every byte written here.
//!
//! Missing values are written as the base type's invalid sentinel (0xFF for `uint8`,
//! 0x7FFFFFFF for `sint32`, ...): a FIT reader drops them, whereas a 0 would read as data.
//!
//! Speed matters (load tests encode thousands of files), so messages are plain structs written
//! field by field into one growing `Vec<u8>` that callers may reuse between files.

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
pub const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// Profile version written in the header (21.40); decoders only use it for information.
const PROFILE_VERSION: u16 = 2140;
const HEADER_LEN: usize = 14;

/// Invalid sentinels per base type.
pub mod invalid {
    pub const ENUM: u8 = 0xFF;
    pub const U8: u8 = 0xFF;
    pub const I8: i8 = 0x7F;
    pub const U16: u16 = 0xFFFF;
    pub const U32: u32 = 0xFFFF_FFFF;
    pub const I32: i32 = 0x7FFF_FFFF;
    /// `uint32z` uses 0 as its invalid value.
    pub const U32Z: u32 = 0;
}

/// FIT base types used by this encoder (the byte is the base type number on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum BaseType {
    Enum = 0x00,
    SInt8 = 0x01,
    UInt8 = 0x02,
    UInt16 = 0x84,
    SInt32 = 0x85,
    UInt32 = 0x86,
    UInt32z = 0x8C,
}

impl BaseType {
    #[must_use]
    pub const fn size(self) -> u8 {
        match self {
            BaseType::Enum | BaseType::SInt8 | BaseType::UInt8 => 1,
            BaseType::UInt16 => 2,
            BaseType::SInt32 | BaseType::UInt32 | BaseType::UInt32z => 4,
        }
    }
}

/// One field of a definition message: field number, base type and array length.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub num: u8,
    pub base: BaseType,
    pub count: u8,
}

const fn f(num: u8, base: BaseType) -> FieldDef {
    FieldDef {
        num,
        base,
        count: 1,
    }
}

/// Global message numbers (FIT profile `mesg_num`).
pub mod mesg {
    pub const FILE_ID: u16 = 0;
    pub const USER_PROFILE: u16 = 3;
    pub const SESSION: u16 = 18;
    pub const LAP: u16 = 19;
    pub const RECORD: u16 = 20;
    pub const EVENT: u16 = 21;
    pub const DEVICE_INFO: u16 = 23;
    pub const ACTIVITY: u16 = 34;
    pub const HRV: u16 = 78;
}

/// Enum values from the FIT profile that the encoder writes.
pub mod value {
    pub const FILE_ACTIVITY: u8 = 4;
    pub const MANUFACTURER_DEVELOPMENT: u16 = 255;
    pub const SPORT_RUNNING: u8 = 1;
    pub const SUB_SPORT_GENERIC: u8 = 0;
    pub const SUB_SPORT_TRAIL: u8 = 3;
    pub const SUB_SPORT_ROAD: u8 = 7;
    pub const EVENT_TIMER: u8 = 0;
    pub const EVENT_SESSION: u8 = 8;
    pub const EVENT_LAP: u8 = 9;
    pub const EVENT_ACTIVITY: u8 = 26;
    pub const EVENT_TYPE_START: u8 = 0;
    pub const EVENT_TYPE_STOP: u8 = 1;
    pub const EVENT_TYPE_STOP_ALL: u8 = 4;
    pub const TIMER_TRIGGER_MANUAL: u32 = 0;
    pub const TIMER_TRIGGER_AUTO: u32 = 1;
    pub const LAP_TRIGGER_MANUAL: u8 = 0;
    pub const LAP_TRIGGER_DISTANCE: u8 = 2;
    pub const LAP_TRIGGER_SESSION_END: u8 = 7;
    pub const SESSION_TRIGGER_ACTIVITY_END: u8 = 0;
    pub const ACTIVITY_MANUAL: u8 = 0;
    pub const GENDER_FEMALE: u8 = 0;
    pub const GENDER_MALE: u8 = 1;
}

// The FIT CRC is CRC-16/ARC (reflected polynomial 0xA001, initial value 0). It runs over
// every byte written, so it is computed eight bytes at a time ("slicing-by-8"); the tables
// are built at compile time.
const CRC_TABLES: [[u16; 256]; 8] = {
    let mut t = [[0u16; 256]; 8];
    let mut i = 0;
    while i < 256 {
        #[expect(clippy::cast_possible_truncation)]
        let mut crc = i as u16;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
            bit += 1;
        }
        t[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
};

/// The FIT CRC-16 of `bytes`, one byte at a time (the reference for [`crc16`]).
#[must_use]
pub fn crc16_bytewise(mut crc: u16, bytes: &[u8]) -> u16 {
    for &b in bytes {
        crc = (crc >> 8) ^ CRC_TABLES[0][usize::from((crc ^ u16::from(b)) & 0xFF)];
    }
    crc
}

/// The FIT CRC-16 of `bytes`, continuing from `crc` (start with 0).
#[must_use]
pub fn crc16(mut crc: u16, bytes: &[u8]) -> u16 {
    let t = &CRC_TABLES;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let x = crc ^ u16::from_le_bytes([c[0], c[1]]);
        crc = t[7][usize::from(x & 0xFF)]
            ^ t[6][usize::from(x >> 8)]
            ^ t[5][usize::from(c[2])]
            ^ t[4][usize::from(c[3])]
            ^ t[3][usize::from(c[4])]
            ^ t[2][usize::from(c[5])]
            ^ t[1][usize::from(c[6])]
            ^ t[0][usize::from(c[7])];
    }
    crc16_bytewise(crc, chunks.remainder())
}

/// Low-level writer: header, definition and data messages, CRCs.
#[derive(Debug)]
pub struct FitWriter {
    buf: Vec<u8>,
}

impl FitWriter {
    /// Starts a file in `buf` (cleared first; its capacity is kept).
    #[must_use]
    pub fn new(mut buf: Vec<u8>) -> Self {
        buf.clear();
        buf.extend_from_slice(&[0u8; HEADER_LEN]);
        Self { buf }
    }

    /// Reserves room for about `additional` more bytes.
    pub fn reserve(&mut self, additional: usize) {
        self.buf.reserve(additional);
    }

    /// Writes a definition message for local type `local` (0-15), little-endian architecture.
    pub fn define(&mut self, local: u8, global: u16, fields: &[FieldDef]) {
        debug_assert!(local < 16);
        self.buf.push(0x40 | local);
        self.buf.push(0); // reserved
        self.buf.push(0); // architecture: little-endian
        self.buf.extend_from_slice(&global.to_le_bytes());
        #[expect(clippy::cast_possible_truncation)]
        self.buf.push(fields.len() as u8);
        for fd in fields {
            self.buf.push(fd.num);
            self.buf.push(fd.base.size() * fd.count);
            self.buf.push(fd.base as u8);
        }
    }

    /// Starts a data message of local type `local`; the fields follow in definition order.
    pub fn begin(&mut self, local: u8) {
        self.buf.push(local & 0x0F);
    }

    /// Appends a `uint8` / `enum` field value (little-endian).
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    /// Appends a `sint8` field value (little-endian).
    pub fn i8(&mut self, v: i8) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a `uint16` field value (little-endian).
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a `uint32` field value (little-endian).
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a `sint32` field value (little-endian).
    pub fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Bytes written so far, header included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.buf.len() <= HEADER_LEN
    }

    /// Fills in the header (data size, header CRC) and appends the file CRC.
    #[must_use]
    pub fn finish(mut self) -> Vec<u8> {
        let data_len = u32::try_from(self.buf.len() - HEADER_LEN)
            .expect("a synthetic activity is far below 4 GiB");
        let h = &mut self.buf[..HEADER_LEN];
        h[0] = 14;
        h[1] = 0x20; // protocol 2.0
        h[2..4].copy_from_slice(&PROFILE_VERSION.to_le_bytes());
        h[4..8].copy_from_slice(&data_len.to_le_bytes());
        h[8..12].copy_from_slice(b".FIT");
        let hcrc = crc16(0, &h[..12]);
        h[12..14].copy_from_slice(&hcrc.to_le_bytes());
        let crc = crc16(0, &self.buf);
        self.buf.extend_from_slice(&crc.to_le_bytes());
        self.buf
    }
}

/// Seconds since the FIT epoch for a Unix time in seconds.
#[must_use]
pub fn fit_time(unix_s: i64) -> u32 {
    u32::try_from(unix_s - FIT_EPOCH_UNIX_S).expect("timestamps between 1990 and 2106")
}

/// Degrees to FIT semicircles (2^31 semicircles = 180 degrees).
#[must_use]
pub fn semicircles(deg: f64) -> i32 {
    let x = deg * (2_147_483_648.0 / 180.0);
    // Round half away from zero by hand: `f64::round` is a libm call on baseline x86-64.
    #[expect(clippy::cast_possible_truncation)]
    let v = (x + 0.5f64.copysign(x)) as i32;
    v
}

/// Scales and rounds a non-negative quantity into a `uint32` field; `None` stays invalid.
#[must_use]
pub fn scaled_u32(v: Option<f64>, scale: f64, offset: f64) -> u32 {
    match v {
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(x) if x.is_finite() => ((x + offset) * scale + 0.5).clamp(0.0, 4_294_967_294.0) as u32,
        _ => invalid::U32,
    }
}

/// Scales and rounds into a `uint16` field; `None` stays invalid.
#[must_use]
pub fn scaled_u16(v: Option<f64>, scale: f64) -> u16 {
    match v {
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(x) if x.is_finite() => (x * scale + 0.5).clamp(0.0, 65_534.0) as u16,
        _ => invalid::U16,
    }
}

/// `file_id`: what the file is and who made it.
#[derive(Debug, Clone, Copy)]
pub struct FileId {
    pub product: u16,
    pub serial: u32,
    pub time_created: u32,
}

/// `device_info` for the recording device (device index 0, the creator).
#[derive(Debug, Clone, Copy)]
pub struct DeviceInfo {
    pub timestamp: u32,
    pub product: u16,
    pub serial: u32,
    /// Software version x 100.
    pub software_version: u16,
}

/// `user_profile`: the heart-rate settings a watch carries.
#[derive(Debug, Clone, Copy)]
pub struct UserProfile {
    pub gender: Option<u8>,
    pub resting_heart_rate: Option<u8>,
    pub max_running_heart_rate: Option<u8>,
    pub max_heart_rate: Option<u8>,
}

/// `event`.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub timestamp: u32,
    pub event: u8,
    pub event_type: u8,
    /// For timer events the timer trigger (manual / auto).
    pub data: u32,
}

/// `record`, in physical units; `None` is written as invalid.
#[derive(Debug, Clone, Copy, Default)]
pub struct Record {
    pub timestamp: u32,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    pub distance_m: Option<f64>,
    pub speed_m_s: Option<f64>,
    pub altitude_m: Option<f64>,
    pub heart_rate: Option<u8>,
    /// Steps per minute; written as FIT strides/min (`cadence`) plus `fractional_cadence`.
    pub cadence_spm: Option<f64>,
    pub temperature_c: Option<i8>,
    pub stance_time_ms: Option<f64>,
    pub vertical_oscillation_mm: Option<f64>,
    pub step_length_mm: Option<f64>,
}

/// Totals shared by `lap` and `session`.
#[derive(Debug, Clone, Copy)]
pub struct Totals {
    pub timestamp: u32,
    pub message_index: u16,
    pub start_time: u32,
    pub total_elapsed_s: f64,
    pub total_timer_s: f64,
    pub total_distance_m: f64,
    pub avg_speed_m_s: Option<f64>,
    pub avg_heart_rate: Option<u8>,
    pub max_heart_rate: Option<u8>,
}

/// `activity`: closes the file; `local_timestamp` minus `timestamp` is the UTC offset.
#[derive(Debug, Clone, Copy)]
pub struct Activity {
    pub timestamp: u32,
    pub total_timer_s: f64,
    pub local_timestamp: u32,
}

mod local {
    pub const FILE_ID: u8 = 0;
    pub const DEVICE_INFO: u8 = 1;
    pub const USER_PROFILE: u8 = 2;
    pub const EVENT: u8 = 3;
    pub const RECORD: u8 = 4;
    pub const LAP: u8 = 5;
    pub const SESSION: u8 = 6;
    pub const ACTIVITY: u8 = 7;
    pub const HRV: u8 = 8;
}

use BaseType::{Enum, SInt8, SInt32, UInt8, UInt16, UInt32, UInt32z};

const FILE_ID_FIELDS: [FieldDef; 5] = [
    f(0, Enum),
    f(1, UInt16),
    f(2, UInt16),
    f(3, UInt32z),
    f(4, UInt32),
];
const DEVICE_INFO_FIELDS: [FieldDef; 6] = [
    f(253, UInt32),
    f(0, UInt8),
    f(2, UInt16),
    f(3, UInt32z),
    f(4, UInt16),
    f(5, UInt16),
];
const USER_PROFILE_FIELDS: [FieldDef; 4] = [f(1, Enum), f(8, UInt8), f(9, UInt8), f(11, UInt8)];
const EVENT_FIELDS: [FieldDef; 4] = [f(253, UInt32), f(0, Enum), f(1, Enum), f(3, UInt32)];
const RECORD_FIELDS: [FieldDef; 13] = [
    f(253, UInt32),
    f(0, SInt32),
    f(1, SInt32),
    f(5, UInt32),
    f(73, UInt32),
    f(78, UInt32),
    f(3, UInt8),
    f(4, UInt8),
    f(53, UInt8),
    f(13, SInt8),
    // Running dynamics last, so the plain definition is a prefix of this one.
    f(41, UInt16),
    f(39, UInt16),
    f(85, UInt16),
];
const RECORD_PLAIN_LEN: usize = 10;
const LAP_FIELDS: [FieldDef; 13] = [
    f(253, UInt32),
    f(254, UInt16),
    f(2, UInt32),
    f(7, UInt32),
    f(8, UInt32),
    f(9, UInt32),
    f(110, UInt32),
    f(15, UInt8),
    f(16, UInt8),
    f(0, Enum),
    f(1, Enum),
    f(24, Enum),
    f(25, Enum),
];
const SESSION_FIELDS: [FieldDef; 16] = [
    f(253, UInt32),
    f(254, UInt16),
    f(2, UInt32),
    f(7, UInt32),
    f(8, UInt32),
    f(9, UInt32),
    f(124, UInt32),
    f(16, UInt8),
    f(17, UInt8),
    f(0, Enum),
    f(1, Enum),
    f(5, Enum),
    f(6, Enum),
    f(25, UInt16),
    f(26, UInt16),
    f(28, Enum),
];
const ACTIVITY_FIELDS: [FieldDef; 7] = [
    f(253, UInt32),
    f(0, UInt32),
    f(1, UInt16),
    f(2, Enum),
    f(3, Enum),
    f(4, Enum),
    f(5, UInt32),
];
/// RR intervals per `hrv` message; unused slots are invalid (0xFFFF).
pub const HRV_SLOTS: usize = 5;
const HRV_FIELDS: [FieldDef; 1] = [FieldDef {
    num: 0,
    base: UInt16,
    count: 5,
}];

/// Writes the messages of one running activity, defining each message type on first use.
#[derive(Debug)]
pub struct ActivityEncoder {
    w: FitWriter,
    defined: u16,
    dynamics: bool,
}

impl ActivityEncoder {
    /// Starts a file in `buf`. With `dynamics`, records carry stance time, vertical
    /// oscillation and step length.
    #[must_use]
    pub fn new(buf: Vec<u8>, dynamics: bool) -> Self {
        Self {
            w: FitWriter::new(buf),
            defined: 0,
            dynamics,
        }
    }

    /// Reserves room for `n` more records.
    pub fn reserve_records(&mut self, n: usize) {
        self.w.reserve(n * (1 + Self::record_size(self.dynamics)));
    }

    fn record_size(dynamics: bool) -> usize {
        let fields = if dynamics {
            &RECORD_FIELDS[..]
        } else {
            &RECORD_FIELDS[..RECORD_PLAIN_LEN]
        };
        fields.iter().map(|f| usize::from(f.base.size())).sum()
    }

    fn ensure(&mut self, local: u8, global: u16, fields: &[FieldDef]) {
        if self.defined & (1 << local) == 0 {
            self.defined |= 1 << local;
            self.w.define(local, global, fields);
        }
        self.w.begin(local);
    }

    /// `file_id`: an activity file by a development manufacturer.
    pub fn file_id(&mut self, m: &FileId) {
        self.ensure(local::FILE_ID, mesg::FILE_ID, &FILE_ID_FIELDS);
        let w = &mut self.w;
        w.u8(value::FILE_ACTIVITY);
        w.u16(value::MANUFACTURER_DEVELOPMENT);
        w.u16(m.product);
        w.u32(m.serial);
        w.u32(m.time_created);
    }

    /// `device_info` of the creator device (index 0).
    pub fn device_info(&mut self, m: &DeviceInfo) {
        self.ensure(local::DEVICE_INFO, mesg::DEVICE_INFO, &DEVICE_INFO_FIELDS);
        let w = &mut self.w;
        w.u32(m.timestamp);
        w.u8(0);
        w.u16(value::MANUFACTURER_DEVELOPMENT);
        w.u32(m.serial);
        w.u16(m.product);
        w.u16(m.software_version);
    }

    /// `user_profile` with the HR settings.
    pub fn user_profile(&mut self, m: &UserProfile) {
        self.ensure(
            local::USER_PROFILE,
            mesg::USER_PROFILE,
            &USER_PROFILE_FIELDS,
        );
        let w = &mut self.w;
        w.u8(m.gender.unwrap_or(invalid::ENUM));
        w.u8(m.resting_heart_rate.unwrap_or(invalid::U8));
        w.u8(m.max_running_heart_rate.unwrap_or(invalid::U8));
        w.u8(m.max_heart_rate.unwrap_or(invalid::U8));
    }

    /// `event`.
    pub fn event(&mut self, m: &Event) {
        self.ensure(local::EVENT, mesg::EVENT, &EVENT_FIELDS);
        let w = &mut self.w;
        w.u32(m.timestamp);
        w.u8(m.event);
        w.u8(m.event_type);
        w.u32(m.data);
    }

    /// `record`; `None` fields are written as invalid.
    pub fn record(&mut self, r: &Record) {
        let fields = if self.dynamics {
            &RECORD_FIELDS[..]
        } else {
            &RECORD_FIELDS[..RECORD_PLAIN_LEN]
        };
        self.ensure(local::RECORD, mesg::RECORD, fields);
        let w = &mut self.w;
        w.u32(r.timestamp);
        w.i32(r.lat_deg.map_or(invalid::I32, semicircles));
        w.i32(r.lon_deg.map_or(invalid::I32, semicircles));
        w.u32(scaled_u32(r.distance_m, 100.0, 0.0));
        w.u32(scaled_u32(r.speed_m_s, 1000.0, 0.0));
        w.u32(scaled_u32(r.altitude_m, 5.0, 500.0));
        w.u8(r.heart_rate.unwrap_or(invalid::U8));
        match r.cadence_spm {
            Some(spm) if spm.is_finite() && spm >= 0.0 => {
                // FIT running cadence counts strides (two steps); the half stride goes into
                // fractional_cadence (1/128 units).
                let strides = (spm / 2.0).min(254.0);
                // Truncation is floor here: `strides` is not negative.
                #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let whole = strides as u8;
                #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let frac = (((strides - f64::from(whole)) * 128.0 + 0.5) as u8).min(127);
                w.u8(whole);
                w.u8(frac);
            }
            _ => {
                w.u8(invalid::U8);
                w.u8(invalid::U8);
            }
        }
        w.i8(r.temperature_c.unwrap_or(invalid::I8));
        if self.dynamics {
            w.u16(scaled_u16(r.stance_time_ms, 10.0));
            w.u16(scaled_u16(r.vertical_oscillation_mm, 10.0));
            w.u16(scaled_u16(r.step_length_mm, 10.0));
        }
    }

    fn totals(w: &mut FitWriter, s: &Totals) {
        w.u32(s.timestamp);
        w.u16(s.message_index);
        w.u32(s.start_time);
        w.u32(scaled_u32(Some(s.total_elapsed_s), 1000.0, 0.0));
        w.u32(scaled_u32(Some(s.total_timer_s), 1000.0, 0.0));
        w.u32(scaled_u32(Some(s.total_distance_m), 100.0, 0.0));
        w.u32(scaled_u32(s.avg_speed_m_s, 1000.0, 0.0));
        w.u8(s.avg_heart_rate.unwrap_or(invalid::U8));
        w.u8(s.max_heart_rate.unwrap_or(invalid::U8));
    }

    /// `lap`, closed by `trigger` (a FIT `lap_trigger`).
    pub fn lap(&mut self, s: &Totals, trigger: u8) {
        self.ensure(local::LAP, mesg::LAP, &LAP_FIELDS);
        let w = &mut self.w;
        Self::totals(w, s);
        w.u8(value::EVENT_LAP);
        w.u8(value::EVENT_TYPE_STOP);
        w.u8(trigger);
        w.u8(value::SPORT_RUNNING);
    }

    /// The running `session`.
    pub fn session(&mut self, s: &Totals, sub_sport: u8, num_laps: u16) {
        self.ensure(local::SESSION, mesg::SESSION, &SESSION_FIELDS);
        let w = &mut self.w;
        Self::totals(w, s);
        w.u8(value::EVENT_SESSION);
        w.u8(value::EVENT_TYPE_STOP);
        w.u8(value::SPORT_RUNNING);
        w.u8(sub_sport);
        w.u16(0);
        w.u16(num_laps);
        w.u8(value::SESSION_TRIGGER_ACTIVITY_END);
    }

    /// `activity`, the last message of the file.
    pub fn activity(&mut self, a: &Activity) {
        self.ensure(local::ACTIVITY, mesg::ACTIVITY, &ACTIVITY_FIELDS);
        let w = &mut self.w;
        w.u32(a.timestamp);
        w.u32(scaled_u32(Some(a.total_timer_s), 1000.0, 0.0));
        w.u16(1);
        w.u8(value::ACTIVITY_MANUAL);
        w.u8(value::EVENT_ACTIVITY);
        w.u8(value::EVENT_TYPE_STOP);
        w.u32(a.local_timestamp);
    }

    /// One `hrv` message with up to [`HRV_SLOTS`] RR intervals in seconds.
    pub fn hrv(&mut self, rr_s: &[f64]) {
        self.ensure(local::HRV, mesg::HRV, &HRV_FIELDS);
        for i in 0..HRV_SLOTS {
            let v = rr_s.get(i).copied();
            self.w.u16(scaled_u16(v, 1000.0));
        }
    }

    /// Bytes so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.w.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.w.is_empty()
    }

    /// Closes the file (header sizes and CRCs).
    #[must_use]
    pub fn finish(self) -> Vec<u8> {
        self.w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_crc16_arc_check_value() {
        // The catalogue check value of CRC-16/ARC for "123456789".
        assert_eq!(crc16(0, b"123456789"), 0xBB3D);
    }

    #[test]
    fn sliced_crc_equals_bytewise_crc() {
        let mut r = crate::rng::Rng::new(9, 9);
        let data: Vec<u8> = (0..1000).map(|_| r.next_u64().to_le_bytes()[0]).collect();
        for len in [0, 1, 7, 8, 9, 63, 64, 65, 999, 1000] {
            for start in [0, 3] {
                let d = &data[start..len.max(start)];
                assert_eq!(
                    crc16(0x1234, d),
                    crc16_bytewise(0x1234, d),
                    "len {len} start {start}"
                );
            }
        }
    }

    #[test]
    fn crc_over_file_including_its_crc_is_zero() {
        let mut e = ActivityEncoder::new(Vec::new(), false);
        e.file_id(&FileId {
            product: 1,
            serial: 2,
            time_created: 3,
        });
        let bytes = e.finish();
        assert_eq!(crc16(0, &bytes), 0);
        assert_eq!(crc16(0, &bytes[..14]), 0);
    }

    #[test]
    fn header_declares_data_size() {
        let mut e = ActivityEncoder::new(Vec::new(), false);
        e.user_profile(&UserProfile {
            gender: None,
            resting_heart_rate: Some(50),
            max_running_heart_rate: None,
            max_heart_rate: None,
        });
        let bytes = e.finish();
        let size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        assert_eq!(size, bytes.len() - 14 - 2);
        assert_eq!(&bytes[8..12], b".FIT");
    }

    #[test]
    fn scaling_rounds_and_marks_missing() {
        assert_eq!(scaled_u32(Some(100.0), 5.0, 500.0), 3000);
        assert_eq!(scaled_u32(None, 5.0, 500.0), invalid::U32);
        assert_eq!(scaled_u16(Some(f64::NAN), 10.0), invalid::U16);
        assert_eq!(semicircles(-45.0), -(1 << 29));
        assert_eq!(semicircles(90.0), 1 << 30);
    }
}

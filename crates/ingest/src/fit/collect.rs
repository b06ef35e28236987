//! What both decoders feed: the collector that gathers a file's messages (device, sessions,
//! laps, timer events, HRV, developer fields and the `record` columns) and turns them into one
//! activity per session, with the helpers that read `fitparser` values.

use std::collections::HashMap;

use chrono::{Local, NaiveDate, TimeZone};
use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};

use super::{FIT_EPOCH_S, SEMICIRCLE_DEG};
use crate::error::DecodeError;
use crate::model::{
    Activity, Decoded, DeveloperChannel, Device, Format, Lap, Pause, Samples, Warning,
};

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Byte(x) | Value::Enum(x) | Value::UInt8(x) | Value::UInt8z(x) => Some(f64::from(*x)),
        Value::SInt8(x) => Some(f64::from(*x)),
        Value::SInt16(x) => Some(f64::from(*x)),
        Value::UInt16(x) | Value::UInt16z(x) => Some(f64::from(*x)),
        Value::SInt32(x) => Some(f64::from(*x)),
        Value::UInt32(x) | Value::UInt32z(x) => Some(f64::from(*x)),
        #[expect(clippy::cast_precision_loss)]
        Value::SInt64(x) => Some(*x as f64),
        #[expect(clippy::cast_precision_loss)]
        Value::UInt64(x) | Value::UInt64z(x) => Some(*x as f64),
        Value::Float32(x) => Some(f64::from(*x)).filter(|x| x.is_finite()),
        Value::Float64(x) => Some(*x).filter(|x| x.is_finite()),
        _ => None,
    }
}

pub(super) fn text(v: &Value) -> Option<String> {
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
    /// `workout_feel`, 0 (very weak) to 100 (very strong), as the watch asked after the run.
    feel: Option<f64>,
    /// `workout_rpe` over 10: the runner's RPE, 0-10.
    rpe: Option<f64>,
}

/// The values of one `record` message that the model keeps, as `fitparser` names them
/// (scaled, invalid values as `None`, positions in degrees).
#[derive(Default)]
pub(super) struct RecordValues {
    pub(super) t: Option<i64>,
    pub(super) lat: Option<f64>,
    pub(super) lon: Option<f64>,
    pub(super) dist: Option<f64>,
    pub(super) speed: Option<f64>,
    pub(super) espeed: Option<f64>,
    pub(super) alt: Option<f64>,
    pub(super) ealt: Option<f64>,
    pub(super) hr: Option<f64>,
    pub(super) cad: Option<f64>,
    pub(super) fcad: Option<f64>,
    pub(super) power: Option<f64>,
    pub(super) temp: Option<f64>,
    pub(super) stance: Option<f64>,
    pub(super) vosc: Option<f64>,
    pub(super) step: Option<f64>,
    /// The first three raw bytes of `compressed_speed_distance`, where it has three or more.
    pub(super) csd: Option<[u8; 3]>,
}

/// Everything gathered from the messages of one file.
#[derive(Default)]
pub(super) struct Collector {
    pub(super) messages: usize,
    pub(super) records: usize,
    file_type: Option<String>,
    device: Device,
    sport: Option<(Option<String>, Option<String>)>,
    sessions: Vec<Session>,
    laps: Vec<Lap>,
    timer_events: Vec<(i64, bool)>,
    ts: Vec<i64>,
    cols: Cols,
    /// Developer field names from `field_description` messages.
    pub(super) dev_fields: HashMap<String, String>,
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
    pub(super) daily: DailyMessages,
    /// A strap's stored HR (`hr` messages), merged into the records at the end.
    strap: Vec<super::strap_hr::HrMessage>,
    event_clock: super::strap_hr::EventClock,
}

/// The messages of a watch's daily files (issue 19), as they come.
#[derive(Default, Debug)]
pub(crate) struct DailyMessages {
    /// `file_id.time_created` (ms UTC): the day of a `sleep_assessment`, which has no time.
    pub(crate) time_created_ms: Option<i64>,
    /// Local time minus UTC (s) from `monitoring_info` (or `activity`) where the file tells it.
    pub(crate) utc_offset_s: Option<i64>,
    /// `monitoring_hr_data`: (time ms UTC, `resting_heart_rate` (7-day average),
    /// `current_day_resting_heart_rate`).
    pub(crate) resting: Vec<(i64, Option<f64>, Option<f64>)>,
    /// `hrv_status_summary`: (time ms UTC, `last_night_average` ms).
    pub(crate) hrv: Vec<(i64, f64)>,
    /// `sleep_assessment.overall_sleep_score`.
    pub(crate) sleep: Vec<f64>,
}

impl Collector {
    pub(super) fn warnings_mut(&mut self) -> &mut Vec<Warning> {
        &mut self.warnings
    }

    pub(super) fn warn(&mut self, code: &str, msg: String) {
        self.warnings.push(Warning::new(code, msg));
    }
    pub(super) fn warn_once(&mut self, code: &str, msg: String) {
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
    pub(super) fn end_inside_message(
        &mut self,
        pos: usize,
        file_len: usize,
    ) -> Result<(), DecodeError> {
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
    pub(super) fn warn_count(&mut self, code: &'static str, example: &str) {
        let e = self
            .counts
            .entry(code)
            .or_insert_with(|| (0, example.to_owned()));
        e.0 += 1;
    }

    pub(super) fn message(&mut self, rec: &FitDataRecord) {
        self.messages += 1;
        match rec.kind() {
            MesgNum::Record => self.record(rec),
            MesgNum::FileId => {
                for f in rec.fields() {
                    match f.name() {
                        "time_created" => self.daily.time_created_ms = ts_ms(f.value()),
                        "type" => self.file_type = text(f.value()),
                        "manufacturer" => self.device.manufacturer = text(f.value()),
                        "product" | "garmin_product" | "favero_product" => {
                            if let Some(p) = text(f.value()) {
                                self.device.product = Some(p);
                            }
                        }
                        "serial_number" => self.device.serial = num(f.value()).map(serial),
                        _ => {}
                    }
                }
            }
            MesgNum::Session => {
                let mut s = Session {
                    start_ms: i64::MIN,
                    sport: None,
                    sub_sport: None,
                    feel: None,
                    rpe: None,
                };
                for f in rec.fields() {
                    match f.name() {
                        "start_time" => s.start_ms = ts_ms(f.value()).unwrap_or(i64::MIN),
                        "sport" => s.sport = text(f.value()),
                        "sub_sport" => s.sub_sport = text(f.value()),
                        "workout_feel" => {
                            s.feel = num(f.value()).filter(|v| (0.0..=100.0).contains(v));
                        }
                        "workout_rpe" => {
                            s.rpe = num(f.value())
                                .filter(|v| (0.0..=100.0).contains(v))
                                .map(|v| v / 10.0);
                        }
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
            MesgNum::Hr => self.strap_hr(rec),
            MesgNum::MonitoringInfo => {
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
                        self.daily.utc_offset_s = Some(off);
                    }
                }
            }
            MesgNum::MonitoringHrData => {
                let (mut t, mut avg, mut today) = (None, None, None);
                for f in rec.fields() {
                    match f.name() {
                        "timestamp" => t = ts_ms(f.value()),
                        "resting_heart_rate" => avg = num(f.value()),
                        "current_day_resting_heart_rate" => today = num(f.value()),
                        _ => {}
                    }
                }
                if let Some(t) = t {
                    self.daily.resting.push((t, avg, today));
                }
            }
            MesgNum::HrvStatusSummary => {
                let (mut t, mut night) = (None, None);
                for f in rec.fields() {
                    match f.name() {
                        "timestamp" => t = ts_ms(f.value()),
                        "last_night_average" => night = num(f.value()),
                        _ => {}
                    }
                }
                if let (Some(t), Some(v)) = (t, night) {
                    self.daily.hrv.push((t, v));
                }
            }
            MesgNum::SleepAssessment => {
                if let Some(v) = rec
                    .fields()
                    .iter()
                    .find(|f| f.name() == "overall_sleep_score")
                    .and_then(|f| num(f.value()))
                {
                    self.daily.sleep.push(v);
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
    pub(super) fn push_record(&mut self, v: &RecordValues, dev: &[(&str, f64)]) {
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

    /// One `hr` message: its anchor time, event times and readings.
    fn strap_hr(&mut self, rec: &FitDataRecord) {
        let (mut t, mut frac, mut full, mut packed, mut bpm) = (None, None, None, None, Vec::new());
        let nums = |v: &Value| -> Vec<Option<f64>> {
            match v {
                Value::Array(a) => a.iter().map(num).collect(),
                other => vec![num(other)],
            }
        };
        for f in rec.fields() {
            match f.name() {
                "timestamp" => t = ts_ms(f.value()),
                "fractional_timestamp" => frac = num(f.value()),
                "event_timestamp" => full = Some(nums(f.value())),
                "event_timestamp_12" => {
                    packed = Some(
                        nums(f.value())
                            .into_iter()
                            .map(|b| {
                                #[expect(
                                    clippy::cast_possible_truncation,
                                    clippy::cast_sign_loss,
                                    reason = "bytes of a byte array"
                                )]
                                let b = b.unwrap_or(0.0).clamp(0.0, 255.0) as u8;
                                b
                            })
                            .collect::<Vec<u8>>(),
                    );
                }
                "filtered_bpm" => bpm = nums(f.value()),
                _ => {}
            }
        }
        // fitparser also expands the packed times into `event_timestamp`, summing where the
        // counter rolls over: the bytes are read instead.
        let events = match (packed, full) {
            (Some(bytes), _) => self.event_clock.packed(&bytes),
            (None, Some(v)) => v
                .into_iter()
                .filter_map(|s| s.and_then(|s| self.event_clock.full(s)))
                .collect(),
            (None, None) => Vec::new(),
        };
        #[expect(clippy::cast_precision_loss, reason = "epoch milliseconds below 2^53")]
        let anchor_s = t.map(|ms| ms as f64 / 1000.0 + frac.unwrap_or(0.0));
        self.strap.push(super::strap_hr::HrMessage {
            anchor_s,
            events,
            bpm: bpm
                .into_iter()
                .map(|b| b.filter(|v| *v > 0.0 && *v < 255.0))
                .collect(),
        });
    }

    pub(super) fn finish(
        mut self,
        id: &str,
        source: &str,
    ) -> Result<Decoded<Vec<Activity>>, DecodeError> {
        if !self.strap.is_empty() && self.cols.hr.vals.len() == self.ts.len() {
            let n = super::strap_hr::merge(&self.strap, &self.ts, &mut self.cols.hr.vals);
            if n > 0 {
                self.cols.hr.any = true;
            }
        }
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
            let foot = crate::model::counts_strides(sport.as_deref());
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
                // An interval before any record belongs to the first activity, at its start.
                rr_anchor_ms: self
                    .rr
                    .iter()
                    .filter(|(t, _)| group_of(*t) == k)
                    .map(|(t, _)| if *t == i64::MIN { start_ms } else { *t })
                    .collect(),
                profile_hr_rest: self.hr_rest,
                profile_hr_max: self.hr_max,
                workout_feel: self.sessions.get(k).and_then(|s| s.feel),
                workout_rpe: self.sessions.get(k).and_then(|s| s.rpe),
                name: None,
                sport_source: None,
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

/// A serial number from the float the field decodes to: a FIT `uint32z`, so whole and in range;
/// `as` saturates anything else rather than wrapping.
#[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn serial(x: f64) -> u64 {
    x as u64
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

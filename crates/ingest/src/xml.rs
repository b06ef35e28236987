//! Streaming GPX and TCX readers (quick-xml), sharing the sample builder.
//!
//! The `gpx` crate skips `<extensions>` (so it cannot give heart rate) and rejects files real
//! devices write (an empty `<name>`, a missing `version`), and is ten times slower; these readers
//! match elements by local name, so any namespace prefix works, declared or not, and they keep
//! the points read before a fault in a damaged file, with a warning.

use chrono::{DateTime, NaiveDateTime};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::DecodeError;
use crate::model::{Activity, Decoded, Device, Format, Lap, Samples, Warning};

/// What a leading chunk of text looks like, for content sniffing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlKind {
    Gpx,
    Tcx,
}

/// Skips a UTF-8 BOM and leading white space (both occur before `<?xml` in real exports).
#[must_use]
pub fn strip_preamble(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

/// Looks for the root element in the first few kilobytes.
#[must_use]
pub fn sniff(bytes: &[u8]) -> Option<XmlKind> {
    let b = strip_preamble(bytes);
    if b.first() != Some(&b'<') {
        return None;
    }
    let head = &b[..b.len().min(4096)];
    let find = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if find(b"<TrainingCenterDatabase") || find(b":TrainingCenterDatabase") {
        Some(XmlKind::Tcx)
    } else if find(b"<gpx") || find(b":gpx ") || find(b":gpx>") {
        Some(XmlKind::Gpx)
    } else {
        None
    }
}

/// Parses an XML timestamp to milliseconds UTC. Accepts RFC 3339 and, as devices write them,
/// times without an offset (read as UTC) or with a space instead of `T`.
#[must_use]
pub fn parse_time_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    // Nearly every point of every file has the plain form; chrono's general parser was a fifth
    // of a GPX decode.
    rfc3339_ms(s.as_bytes()).or_else(|| parse_time_ms_general(s))
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the form devices write, or `None` for anything
/// else (including what is valid but rare, such as a leap second: the general parser has it).
fn rfc3339_ms(s: &[u8]) -> Option<i64> {
    let digit = |i: usize| -> Option<i64> {
        let c = *s.get(i)?;
        c.is_ascii_digit().then(|| i64::from(c - b'0'))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let at = |i: usize, c: u8| s.get(i) == Some(&c);
    if !(at(4, b'-')
        && at(7, b'-')
        && (at(10, b'T') || at(10, b't'))
        && at(13, b':')
        && at(16, b':'))
    {
        return None;
    }
    let (year, month, day) = (two(0)? * 100 + two(2)?, two(5)?, two(8)?);
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if at(i, b'.') {
        i += 1;
        let mut digits = 0;
        while let Some(d) = digit(i) {
            if digits < 3 {
                millis = millis * 10 + d;
            }
            digits += 1;
            i += 1;
        }
        if digits == 0 {
            return None;
        }
        for _ in digits..3 {
            millis *= 10;
        }
    }
    let offset_s = match s.get(i)? {
        b'Z' | b'z' if i + 1 == s.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == s.len() && at(i + 3, b':') => {
            let (h, m) = (two(i + 1)?, two(i + 4)?);
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    // Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hour * 3600 + minute * 60 + second - offset_s) * 1000 + millis)
}

/// The general (chrono) path of [`parse_time_ms`].
fn parse_time_ms_general(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.fZ",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    None
}

fn parse_num(raw: &[u8]) -> Option<f64> {
    std::str::from_utf8(raw)
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

/// Sample columns filled point by point; a channel stays `None` until a value appears.
#[derive(Default)]
struct Builder {
    ts: Vec<i64>,
    cols: [Vec<Option<f64>>; 9],
    any: [bool; 9],
    no_time: usize,
}

const LAT: usize = 0;
const LON: usize = 1;
const DIST: usize = 2;
const SPEED: usize = 3;
const ALT: usize = 4;
const HR: usize = 5;
const CAD: usize = 6;
const POWER: usize = 7;
const TEMP: usize = 8;

#[derive(Default, Clone, Copy)]
struct Point {
    time: Option<i64>,
    v: [Option<f64>; 9],
}

impl Builder {
    fn push(&mut self, p: &Point) {
        let Some(t) = p.time else {
            self.no_time += 1;
            return;
        };
        self.ts.push(t);
        for (i, v) in p.v.iter().enumerate() {
            self.any[i] |= v.is_some();
            self.cols[i].push(*v);
        }
    }

    /// The samples of the points pushed, for an activity of `sport`.
    fn finish(mut self, sport: Option<&str>, warnings: &mut Vec<Warning>) -> Samples {
        if self.no_time > 0 {
            warnings.push(Warning::new(
                "point_without_time",
                format!("{} points had no timestamp and were skipped", self.no_time),
            ));
        }
        let mut hr_zero = 0;
        for v in self.cols[HR].iter_mut() {
            if *v == Some(0.0) {
                *v = None;
                hr_zero += 1;
            }
        }
        if hr_zero > 0 {
            warnings.push(Warning::new(
                "hr_zero",
                format!("{hr_zero} heart-rate readings of 0 bpm were read as missing"),
            ));
            self.any[HR] = self.cols[HR].iter().any(Option::is_some);
        }
        // GPX and TCX cadence counts strides on foot (Garmin's RunCadence and Cadence alike).
        if crate::model::counts_strides(sport) {
            self.cols[CAD].iter_mut().flatten().for_each(|x| *x *= 2.0);
        }
        let mut take = |i: usize| self.any[i].then(|| std::mem::take(&mut self.cols[i]));
        Samples {
            lat: take(LAT),
            lon: take(LON),
            distance_m: take(DIST),
            speed_m_s: take(SPEED),
            altitude_m: take(ALT),
            heart_rate_bpm: take(HR),
            cadence_spm: take(CAD),
            power_w: take(POWER),
            temperature_c: take(TEMP),
            timestamp_ms: self.ts,
            ..Samples::default()
        }
    }
}

/// `lat` and `lon` of a point, in one pass over its attributes.
fn lat_lon(e: &BytesStart<'_>) -> (Option<f64>, Option<f64>) {
    let (mut lat, mut lon) = (None, None);
    for a in e.attributes().flatten() {
        match a.key.local_name().as_ref() {
            b"lat" => lat = parse_num(&a.value),
            b"lon" => lon = parse_num(&a.value),
            _ => {}
        }
    }
    (lat, lon)
}

fn attr_text(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| String::from_utf8(a.value.into_owned()).ok())
}

/// Normalizes the sport names GPX `<type>` and TCX `Sport` use to FIT's names.
fn normalize_sport(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_lowercase();
    let out = match s.as_str() {
        "" | "other" => return None,
        "run" | "running" | "9" | "trail_running" | "treadmill_running" | "street_running" => {
            "running"
        }
        "biking" | "ride" | "cycling" | "1" | "road_biking" | "mountain_biking" => "cycling",
        "walk" | "walking" | "10" => "walking",
        "hike" | "hiking" | "4" => "hiking",
        "swim" | "swimming" => "swimming",
        other => return Some(other.to_owned()),
    };
    Some(out.to_owned())
}

/// What an error or early end of the XML stream means: a warning when points were read before it.
fn xml_fault(
    offset: u64,
    message: String,
    points: usize,
    warnings: &mut Vec<Warning>,
) -> Result<(), DecodeError> {
    if points == 0 {
        return Err(DecodeError::Xml { offset, message });
    }
    warnings.push(Warning::new(
        "truncated",
        format!("the XML is broken at byte {offset} ({message}); the {points} points before it were kept"),
    ));
    Ok(())
}

/// A reader of the document after its preamble, trimming the white space around texts.
fn xml_reader(bytes: &[u8]) -> Reader<&[u8]> {
    let mut reader = Reader::from_reader(strip_preamble(bytes));
    reader.config_mut().trim_text(true);
    reader
}

/// The next event; `None` where the XML breaks after `points` points, which are kept (with a
/// warning) so the caller stops reading as at the end of the file.
fn next_event<'a>(
    reader: &mut Reader<&'a [u8]>,
    points: usize,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Event<'a>>, DecodeError> {
    match reader.read_event() {
        Ok(ev) => Ok(Some(ev)),
        Err(e) => {
            xml_fault(reader.error_position(), e.to_string(), points, warnings)?;
            Ok(None)
        }
    }
}

/// Decodes a GPX 1.0/1.1 file: all track points of all tracks, as one activity.
///
/// # Errors
/// Malformed XML before any point, no track points, or no timestamps.
pub fn decode_gpx(
    bytes: &[u8],
    id: &str,
    source: &str,
) -> Result<Decoded<Vec<Activity>>, DecodeError> {
    let mut reader = xml_reader(bytes);
    let mut warnings = Vec::new();
    let mut b = Builder::default();
    let mut point = Point::default();
    let (mut in_trk, mut in_pt, mut route_points) = (false, false, 0usize);
    let mut target: Option<usize> = None;
    let mut text_is_time = false;
    let mut text_is_type = false;
    let mut text_is_name = false;
    let mut sport = None;
    let mut name: Option<String> = None;
    let mut creator = None;
    let mut seen_root = false;
    while let Some(ev) = next_event(&mut reader, b.ts.len(), &mut warnings)? {
        match ev {
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                if e.local_name().as_ref() != b"gpx" {
                    return Err(DecodeError::Xml {
                        offset: reader.buffer_position(),
                        message: "the root element is not <gpx>".to_owned(),
                    });
                }
                seen_root = true;
                creator = attr_text(&e, b"creator");
            }
            Event::Start(e) => match e.local_name().as_ref() {
                b"trk" => in_trk = true,
                b"trkpt" => {
                    in_pt = true;
                    point = Point::default();
                    (point.v[LAT], point.v[LON]) = lat_lon(&e);
                }
                b"rtept" | b"wpt" => route_points += 1,
                b"type" if in_trk && !in_pt => text_is_type = true,
                b"name" if in_trk && !in_pt && name.is_none() => text_is_name = true,
                name if in_pt => {
                    text_is_time = name == b"time";
                    target = match name {
                        b"ele" => Some(ALT),
                        b"hr" | b"heartrate" => Some(HR),
                        b"cad" | b"cadence" => Some(CAD),
                        b"atemp" | b"temp" | b"temperature" | b"wtemp" => Some(TEMP),
                        b"speed" => Some(SPEED),
                        b"power" | b"PowerInWatts" => Some(POWER),
                        b"distance" => Some(DIST),
                        _ => None,
                    };
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"trkpt" => {
                    let mut p = Point::default();
                    (p.v[LAT], p.v[LON]) = lat_lon(&e);
                    b.push(&p);
                }
                b"rtept" | b"wpt" => route_points += 1,
                _ => {}
            },
            Event::Text(t) => {
                let raw: &[u8] = &t;
                if text_is_time {
                    point.time = std::str::from_utf8(raw).ok().and_then(parse_time_ms);
                } else if text_is_type {
                    sport = std::str::from_utf8(raw).ok().and_then(normalize_sport);
                } else if text_is_name {
                    if let Ok(part) = t.decode() {
                        name.get_or_insert_with(String::new).push_str(&part);
                    }
                } else if let Some(i) = target {
                    point.v[i] = parse_num(raw);
                }
            }
            // quick-xml gives `&amp;` and its kind between the texts around them, each text
            // trimmed: the spaces around an `&` are lost, and a name's `&` nearly always has
            // them ("Run & bike"), so they are put back (a doubled one is folded below).
            Event::GeneralRef(r) if text_is_name => {
                let raw: &[u8] = &r;
                if raw == b"amp" {
                    name.get_or_insert_with(String::new).push_str(" & ");
                }
                let c = match raw {
                    b"amp" => None,
                    b"lt" => Some('<'),
                    b"gt" => Some('>'),
                    b"quot" => Some('"'),
                    b"apos" => Some('\''),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                if let Some(c) = c {
                    name.get_or_insert_with(String::new).push(c);
                }
            }
            Event::End(e) => {
                target = None;
                text_is_time = false;
                text_is_type = false;
                if std::mem::take(&mut text_is_name) {
                    name = name
                        .map(|n| {
                            let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
                            n.chars().take(200).collect::<String>()
                        })
                        .filter(|n| !n.is_empty());
                }
                match e.local_name().as_ref() {
                    b"trkpt" => {
                        b.push(&point);
                        in_pt = false;
                    }
                    b"trk" => in_trk = false,
                    _ => {}
                }
            }
            Event::Eof => {
                if in_pt || in_trk {
                    xml_fault(
                        reader.buffer_position(),
                        "the file ends inside a track".to_owned(),
                        b.ts.len(),
                        &mut warnings,
                    )?;
                }
                break;
            }
            _ => {}
        }
    }
    if !seen_root {
        return Err(DecodeError::Xml {
            offset: 0,
            message: "no <gpx> root element".to_owned(),
        });
    }
    if b.ts.is_empty() {
        // Valid GPX without a timed track is a plan (a route, waypoints, a drawn track), not a
        // recording: not an activity rather than a failure.
        return Err(if b.no_time > 0 {
            DecodeError::NotAnActivity(format!(
                "its {} track points carry no timestamps (a planned route, not a recording)",
                b.no_time
            ))
        } else if route_points > 0 {
            DecodeError::NotAnActivity(
                "a GPX route or waypoint list without a recorded track".to_owned(),
            )
        } else {
            DecodeError::NotAnActivity("a GPX file without track points".to_owned())
        });
    }
    let samples = b.finish(sport.as_deref(), &mut warnings);
    let mut a = activity(id, source, Format::Gpx, sport, creator, samples, Vec::new());
    a.name = name;
    Ok(Decoded {
        value: vec![a],
        warnings,
    })
}

fn activity(
    id: &str,
    source: &str,
    format: Format,
    sport: Option<String>,
    product: Option<String>,
    samples: Samples,
    laps: Vec<Lap>,
) -> Activity {
    let start_ms = samples.timestamp_ms.iter().copied().min().unwrap_or(0);
    Activity {
        id: id.to_owned(),
        source: source.to_owned(),
        format,
        sport,
        sub_sport: None,
        device: Device {
            manufacturer: None,
            product,
            serial: None,
        },
        start_ms,
        utc_offset_s: None,
        laps,
        pauses: Vec::new(),
        samples,
        rr_ms: Vec::new(),
        rr_anchor_ms: Vec::new(),
        profile_hr_rest: None,
        profile_hr_max: None,
        workout_feel: None,
        workout_rpe: None,
        name: None,
        sport_source: None,
    }
}

/// Where in a TCX document the reader is; only the elements that matter are told apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tcx {
    Lap,
    Trackpoint,
    HeartRate,
    AvgHr,
    MaxHr,
    Creator,
    Other,
}

/// Decodes a TCX file: Activity/Lap/Track/Trackpoint with the TPX extension, as one activity.
///
/// # Errors
/// Malformed XML before any point, or no trackpoints with a time.
pub fn decode_tcx(
    bytes: &[u8],
    id: &str,
    source: &str,
) -> Result<Decoded<Vec<Activity>>, DecodeError> {
    let mut reader = xml_reader(bytes);
    let mut warnings = Vec::new();
    let mut b = Builder::default();
    let mut point = Point::default();
    let mut stack: Vec<Tcx> = Vec::with_capacity(16);
    let mut laps: Vec<Lap> = Vec::new();
    let mut sport = None;
    let mut product = None;
    let mut leaf: &'static str = "";
    let mut activities = 0usize;
    while let Some(ev) = next_event(&mut reader, b.ts.len(), &mut warnings)? {
        match ev {
            Event::Start(e) => {
                let name = e.local_name();
                let kind = match name.as_ref() {
                    b"Activity" => {
                        activities += 1;
                        if sport.is_none() {
                            sport = attr_text(&e, b"Sport").and_then(|s| normalize_sport(&s));
                        }
                        Tcx::Other
                    }
                    b"Lap" => {
                        let start_ms = attr_text(&e, b"StartTime").and_then(|s| parse_time_ms(&s));
                        laps.push(Lap {
                            start_ms: start_ms.unwrap_or(i64::MIN),
                            elapsed_s: None,
                            timer_s: None,
                            distance_m: None,
                            avg_hr_bpm: None,
                            max_hr_bpm: None,
                        });
                        Tcx::Lap
                    }
                    b"Trackpoint" => {
                        point = Point::default();
                        Tcx::Trackpoint
                    }
                    b"HeartRateBpm" => Tcx::HeartRate,
                    b"AverageHeartRateBpm" => Tcx::AvgHr,
                    b"MaximumHeartRateBpm" => Tcx::MaxHr,
                    b"Creator" => Tcx::Creator,
                    _ => Tcx::Other,
                };
                leaf = match name.as_ref() {
                    b"Time" => "Time",
                    b"LatitudeDegrees" => "lat",
                    b"LongitudeDegrees" => "lon",
                    b"AltitudeMeters" => "alt",
                    b"DistanceMeters" => "dist",
                    b"Value" => "value",
                    b"Cadence" | b"RunCadence" => "cad",
                    b"Speed" => "speed",
                    b"Watts" => "power",
                    b"TotalTimeSeconds" => "total_time",
                    b"Name" => "name",
                    _ => "",
                };
                stack.push(kind);
            }
            Event::Text(t) => {
                let raw: &[u8] = &t;
                let in_pt = stack.contains(&Tcx::Trackpoint);
                let parent = stack.iter().rev().find(|k| **k != Tcx::Other).copied();
                match (leaf, in_pt) {
                    ("Time", true) => {
                        point.time = std::str::from_utf8(raw).ok().and_then(parse_time_ms)
                    }
                    ("lat", true) => point.v[LAT] = parse_num(raw),
                    ("lon", true) => point.v[LON] = parse_num(raw),
                    ("alt", true) => point.v[ALT] = parse_num(raw),
                    ("dist", true) => point.v[DIST] = parse_num(raw),
                    ("cad", true) => point.v[CAD] = parse_num(raw),
                    ("speed", true) => point.v[SPEED] = parse_num(raw),
                    ("power", true) => point.v[POWER] = parse_num(raw),
                    ("value", true) if parent == Some(Tcx::HeartRate) => {
                        point.v[HR] = parse_num(raw)
                    }
                    ("value", false) => {
                        if let Some(lap) = laps.last_mut() {
                            match parent {
                                Some(Tcx::AvgHr) => lap.avg_hr_bpm = parse_num(raw),
                                Some(Tcx::MaxHr) => lap.max_hr_bpm = parse_num(raw),
                                _ => {}
                            }
                        }
                    }
                    ("dist", false) if parent == Some(Tcx::Lap) => {
                        if let Some(lap) = laps.last_mut() {
                            lap.distance_m = parse_num(raw);
                        }
                    }
                    ("total_time", false) if parent == Some(Tcx::Lap) => {
                        if let Some(lap) = laps.last_mut() {
                            lap.timer_s = parse_num(raw);
                        }
                    }
                    ("name", false) if parent == Some(Tcx::Creator) && product.is_none() => {
                        product = std::str::from_utf8(raw).ok().map(|s| s.trim().to_owned());
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                leaf = "";
                if stack.pop() == Some(Tcx::Trackpoint) {
                    b.push(&point);
                }
            }
            Event::Eof => {
                if stack.contains(&Tcx::Trackpoint) || stack.contains(&Tcx::Lap) {
                    xml_fault(
                        reader.buffer_position(),
                        "the file ends inside a lap".to_owned(),
                        b.ts.len(),
                        &mut warnings,
                    )?;
                }
                break;
            }
            _ => {}
        }
    }
    if b.ts.is_empty() {
        return Err(if activities == 0 {
            DecodeError::NotAnActivity(
                "a TCX file without an <Activity> (a course or workout)".to_owned(),
            )
        } else {
            DecodeError::NoSamples("the TCX activity has no trackpoints with a time".to_owned())
        });
    }
    laps.retain(|l| l.start_ms != i64::MIN);
    let samples = b.finish(sport.as_deref(), &mut warnings);
    Ok(Decoded {
        value: vec![activity(
            id,
            source,
            Format::Tcx,
            sport,
            product,
            samples,
            laps,
        )],
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_and_without_offsets() {
        assert_eq!(parse_time_ms("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_time_ms("1970-01-01T01:00:01+01:00"), Some(1000));
        assert_eq!(parse_time_ms("1970-01-01T00:00:01.250Z"), Some(1250));
        assert_eq!(parse_time_ms(" 1970-01-01T00:00:02 "), Some(2000));
        assert_eq!(parse_time_ms("1970-01-01 00:00:03"), Some(3000));
        assert_eq!(parse_time_ms("yesterday"), None);
    }

    #[test]
    fn the_fast_time_path_agrees_with_chrono() {
        for t in [
            "2024-02-29T23:59:59.999Z",
            "2023-02-29T00:00:00Z",
            "2000-02-29T12:00:00-05:30",
            "1900-02-29T12:00:00Z",
            "2021-04-31T00:00:00Z",
            "2021-12-31T23:59:60Z",
            "2021-06-01t06:07:08.5z",
            "2021-06-01T06:07:08.123456789+14:00",
            "2021-06-01T06:07:08.Z",
            "2021-06-01T06:07:08+0100",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert_eq!(
                rfc3339_ms(t.as_bytes()).or_else(|| parse_time_ms_general(t)),
                parse_time_ms_general(t),
                "{t}"
            );
        }
        assert_eq!(
            rfc3339_ms(b"2024-02-29T23:59:59.999Z"),
            Some(1_709_251_199_999)
        );
    }

    proptest::proptest! {
        #[test]
        fn the_fast_time_path_agrees_with_chrono_on_any_fields(
            y in 0i32..10_000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62,
            sec in 0u32..62, frac in proptest::option::of("[0-9]{1,10}"),
            off in proptest::option::of((proptest::bool::ANY, 0u32..26, 0u32..62)),
        ) {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            let off = off.map_or_else(
                || "Z".to_owned(),
                |(neg, oh, om)| format!("{}{oh:02}:{om:02}", if neg { '-' } else { '+' }),
            );
            let t = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}{frac}{off}");
            if let Some(fast) = rfc3339_ms(t.as_bytes()) {
                proptest::prop_assert_eq!(Some(fast), parse_time_ms_general(&t), "{}", t);
            }
        }
    }

    #[test]
    fn preamble_and_sniffing() {
        assert_eq!(
            sniff(b"\xEF\xBB\xBF  \n<?xml version=\"1.0\"?><gpx version=\"1.1\">"),
            Some(XmlKind::Gpx)
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<TrainingCenterDatabase xmlns=\"x\">"),
            Some(XmlKind::Tcx)
        );
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
    }

    #[test]
    fn gpx_prefixes_and_self_closing_points() {
        let gpx = br#"<?xml version="1.0"?>
<gpx creator="t"><trk><type>running</type><trkseg>
<trkpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr><gpxtpx:cad>80</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>
<trkpt lat="1" lon="2"><time>2020-01-01T00:00:01Z</time><extensions><ns3:TrackPointExtension><ns3:hr>121</ns3:hr></ns3:TrackPointExtension></extensions></trkpt>
<trkpt lat="1" lon="2"><time>2020-01-01T00:00:02Z</time><extensions><heartrate>122</heartrate></extensions></trkpt>
<trkpt lat="1" lon="2"/>
</trkseg></trk></gpx>"#;
        let d = decode_gpx(gpx, "x", "x.gpx").expect("decodes");
        let a = &d.value[0];
        assert_eq!(a.samples.len(), 3);
        assert_eq!(a.sport.as_deref(), Some("running"));
        let hr = a.samples.heart_rate_bpm.as_ref().expect("hr");
        assert_eq!(hr, &vec![Some(120.0), Some(121.0), Some(122.0)]);
        let cad = a.samples.cadence_spm.as_ref().expect("cadence");
        assert_eq!(cad[0], Some(160.0));
        assert!(d.warnings.iter().any(|w| w.code == "point_without_time"));
    }

    #[test]
    fn truncated_gpx_keeps_points_before_the_cut() {
        let gpx = br#"<gpx><trk><trkseg><trkpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time></trkpt><trkpt lat="1" lon="2"><time>2020-01-01T00:00:01Z</time></trkpt><trkpt lat="1" lo"#;
        let d = decode_gpx(gpx, "x", "x.gpx").expect("keeps the good part");
        assert_eq!(d.value[0].samples.len(), 2);
        assert!(d.warnings.iter().any(|w| w.code == "truncated"));
    }
}

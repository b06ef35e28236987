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

    fn finish(mut self, cadence_factor: f64, warnings: &mut Vec<Warning>) -> Samples {
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
        if cadence_factor != 1.0 {
            self.cols[CAD]
                .iter_mut()
                .flatten()
                .for_each(|x| *x *= cadence_factor);
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

fn attr_num(e: &BytesStart<'_>, name: &[u8]) -> Option<f64> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| parse_num(&a.value))
}

fn attr_text(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| String::from_utf8(a.value.into_owned()).ok())
}

fn is_foot_sport(sport: Option<&str>) -> bool {
    matches!(sport, Some("running" | "walking" | "hiking"))
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

/// Decodes a GPX 1.0/1.1 file: all track points of all tracks, as one activity.
///
/// # Errors
/// Malformed XML before any point, no track points, or no timestamps.
pub fn decode_gpx(
    bytes: &[u8],
    id: &str,
    source: &str,
) -> Result<Decoded<Vec<Activity>>, DecodeError> {
    let body = strip_preamble(bytes);
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(true);
    let mut warnings = Vec::new();
    let mut b = Builder::default();
    let mut point = Point::default();
    let (mut in_trk, mut in_pt, mut route_points) = (false, false, 0usize);
    let mut target: Option<usize> = None;
    let mut text_is_time = false;
    let mut text_is_type = false;
    let mut sport = None;
    let mut creator = None;
    let mut seen_root = false;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                xml_fault(
                    reader.error_position(),
                    e.to_string(),
                    b.ts.len(),
                    &mut warnings,
                )?;
                break;
            }
        };
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
                    point.v[LAT] = attr_num(&e, b"lat");
                    point.v[LON] = attr_num(&e, b"lon");
                }
                b"rtept" | b"wpt" => route_points += 1,
                b"type" if in_trk && !in_pt => text_is_type = true,
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
                    p.v[LAT] = attr_num(&e, b"lat");
                    p.v[LON] = attr_num(&e, b"lon");
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
                } else if let Some(i) = target {
                    point.v[i] = parse_num(raw);
                }
            }
            Event::End(e) => {
                target = None;
                text_is_time = false;
                text_is_type = false;
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
    let factor = if is_foot_sport(sport.as_deref()) {
        2.0
    } else {
        1.0
    };
    let samples = b.finish(factor, &mut warnings);
    Ok(Decoded {
        value: vec![activity(
            id,
            source,
            Format::Gpx,
            sport,
            creator,
            samples,
            Vec::new(),
        )],
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
        profile_hr_rest: None,
        profile_hr_max: None,
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
    let body = strip_preamble(bytes);
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(true);
    let mut warnings = Vec::new();
    let mut b = Builder::default();
    let mut point = Point::default();
    let mut stack: Vec<Tcx> = Vec::with_capacity(16);
    let mut laps: Vec<Lap> = Vec::new();
    let mut sport = None;
    let mut product = None;
    let mut leaf: &'static str = "";
    let mut activities = 0usize;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                xml_fault(
                    reader.error_position(),
                    e.to_string(),
                    b.ts.len(),
                    &mut warnings,
                )?;
                break;
            }
        };
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
    // TCX cadence counts strides for running (Garmin's RunCadence and Cadence alike).
    let factor = if is_foot_sport(sport.as_deref()) {
        2.0
    } else {
        1.0
    };
    let samples = b.finish(factor, &mut warnings);
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

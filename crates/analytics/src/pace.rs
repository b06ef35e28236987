//! Paces as runners write them (`4:15/km`, `6:50/mi`), for the `threshold_pace` setting and for
//! text output.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const M_PER_MILE: f64 = 1609.344;

/// The accepted range of a threshold pace, as speeds (m/s): 2:05/km to 11:07/km, from a
/// world-class 10 km to a brisk walk. Anything outside is a typo (`41:5/km`) or another unit.
pub const PACE_RANGE_M_S: (f64, f64) = (1.5, 8.0);

/// What a pace is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaceUnit {
    Km,
    Mile,
}

impl PaceUnit {
    fn metres(self) -> f64 {
        match self {
            PaceUnit::Km => 1000.0,
            PaceUnit::Mile => M_PER_MILE,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            PaceUnit::Km => "km",
            PaceUnit::Mile => "mi",
        }
    }
}

/// A pace, kept in the unit it was given in so that a config file reads back as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    /// Seconds per unit.
    pub seconds: f64,
    pub unit: PaceUnit,
}

/// The forms [`Pace::parse`] accepts, for error messages.
pub const ACCEPTED_FORMS: &str = "minutes:seconds per km or per mile, e.g. `4:15/km` or `6:50/mi`, \
     between 2:05/km and 11:07/km";

impl Pace {
    /// Parses `M:SS/km`, `M:SS/mi` (also `/mile`, `min/km`), with optional spaces.
    ///
    /// # Errors
    /// A message naming the accepted forms, when the text is not such a pace or is outside
    /// [`PACE_RANGE_M_S`].
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a pace: use {ACCEPTED_FORMS}");
        let t: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let (time, unit) = t.split_once('/').ok_or_else(bad)?;
        let unit = match unit {
            "km" => PaceUnit::Km,
            "mi" | "mile" => PaceUnit::Mile,
            _ => return Err(bad()),
        };
        let time = time.strip_suffix("min").unwrap_or(time);
        let (m, s) = time.split_once(':').ok_or_else(bad)?;
        if m.is_empty() || s.len() != 2 || !m.bytes().chain(s.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let (m, s): (u32, u32) = (m.parse().map_err(|_| bad())?, s.parse().map_err(|_| bad())?);
        if s >= 60 {
            return Err(bad());
        }
        let pace = Pace {
            seconds: f64::from(m) * 60.0 + f64::from(s),
            unit,
        };
        let v = pace.speed_m_s();
        if !(PACE_RANGE_M_S.0..=PACE_RANGE_M_S.1).contains(&v) {
            return Err(format!("`{text}` is out of range: use {ACCEPTED_FORMS}"));
        }
        Ok(pace)
    }

    /// The speed this pace stands for (m/s).
    #[must_use]
    pub fn speed_m_s(&self) -> f64 {
        self.unit.metres() / self.seconds
    }
}

impl fmt::Display for Pace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", min_sec(self.seconds), self.unit.suffix())
    }
}

/// `M:SS` of a number of seconds, rounded to the second.
fn min_sec(seconds: f64) -> String {
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let s = seconds.round().clamp(0.0, 1.0e7) as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The units of every text, chart and the HTML (`units = metric | imperial`, METRICS.md 7);
/// JSON stays in SI units whatever this says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Units {
    /// km, min/km, km/h, /100 m.
    #[default]
    Metric,
    /// mi, min/mi, mph, /100 yd.
    Imperial,
}

/// Metres in a yard.
const M_PER_YARD: f64 = 0.9144;

impl Units {
    /// The unit a pace is per.
    #[must_use]
    pub const fn pace_unit(self) -> PaceUnit {
        match self {
            Units::Metric => PaceUnit::Km,
            Units::Imperial => PaceUnit::Mile,
        }
    }

    /// A speed as a pace (`5:45/km`, `9:15/mi`); `-` when the speed is not a pace.
    #[must_use]
    pub fn pace(self, speed_m_s: f64) -> String {
        let u = self.pace_unit();
        if speed_m_s.is_finite() && speed_m_s > 0.05 {
            format!("{}/{}", min_sec(u.metres() / speed_m_s), u.suffix())
        } else {
            "-".to_owned()
        }
    }

    /// Metres in the unit of distance (`km`, `mi`).
    #[must_use]
    pub fn distance(self, metres: f64) -> f64 {
        metres / self.pace_unit().metres()
    }

    /// `km` or `mi`.
    #[must_use]
    pub const fn distance_unit(self) -> &'static str {
        match self {
            Units::Metric => "km",
            Units::Imperial => "mi",
        }
    }

    /// A speed in km/h or mph.
    #[must_use]
    pub fn speed(self, speed_m_s: f64) -> f64 {
        speed_m_s * 3600.0 / self.pace_unit().metres()
    }

    /// `km/h` or `mph`.
    #[must_use]
    pub const fn speed_unit(self) -> &'static str {
        match self {
            Units::Metric => "km/h",
            Units::Imperial => "mph",
        }
    }

    /// A swim's pace per 100 m or per 100 yd (`2:05 /100 m`); `-` when the speed is none.
    #[must_use]
    pub fn swim_pace(self, speed_m_s: f64) -> String {
        let (metres, unit) = match self {
            Units::Metric => (100.0, "/100 m"),
            Units::Imperial => (100.0 * M_PER_YARD, "/100 yd"),
        };
        if speed_m_s.is_finite() && speed_m_s > 0.0 {
            format!("{} {unit}", min_sec(metres / speed_m_s))
        } else {
            "-".to_owned()
        }
    }

    /// Metres of climb in m or ft.
    #[must_use]
    pub fn height(self, metres: f64) -> f64 {
        match self {
            Units::Metric => metres,
            Units::Imperial => metres / 0.3048,
        }
    }

    /// `m` or `ft`.
    #[must_use]
    pub const fn height_unit(self) -> &'static str {
        match self {
            Units::Metric => "m",
            Units::Imperial => "ft",
        }
    }
}

/// A speed as a pace per km (`5:45/km`); `-` when the speed is not a pace.
#[must_use]
pub fn per_km(speed_m_s: f64) -> String {
    if speed_m_s.is_finite() && speed_m_s > 0.05 {
        format!("{}/km", min_sec(1000.0 / speed_m_s))
    } else {
        "-".to_owned()
    }
}

impl Serialize for Pace {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Pace {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A number (`threshold_pace = 4.15`) is the likeliest mistake: answer it with the
        // accepted forms too, not with "expected a string".
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Pace;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a pace: {ACCEPTED_FORMS}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Pace, E> {
                Pace::parse(v).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Pace, E> {
                Err(E::custom(format!(
                    "`{v}` is not a pace: use {ACCEPTED_FORMS}"
                )))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Pace, E> {
                Err(E::custom(format!(
                    "`{v}` is not a pace: use {ACCEPTED_FORMS}"
                )))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Pace, E> {
                Err(E::custom(format!(
                    "`{v}` is not a pace: use {ACCEPTED_FORMS}"
                )))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_runners_write() {
        let p = Pace::parse("4:15/km").unwrap();
        assert!((p.speed_m_s() - 1000.0 / 255.0).abs() < 1e-12);
        assert_eq!(p.to_string(), "4:15/km");
        let p = Pace::parse(" 6:50 / mi ").unwrap();
        assert!((p.speed_m_s() - M_PER_MILE / 410.0).abs() < 1e-12);
        assert_eq!(p.to_string(), "6:50/mi");
        assert_eq!(Pace::parse("4:15min/km").unwrap().to_string(), "4:15/km");
        assert_eq!(Pace::parse("7:00/mile").unwrap().to_string(), "7:00/mi");
    }

    #[test]
    fn refuses_what_is_not_a_pace_and_names_the_forms() {
        for bad in [
            "",
            "4:15",
            "4.25/km",
            "4:5/km",
            "4:75/km",
            "abc/km",
            "4:15/m",
            "-4:15/km",
            "0:30/km",
            "41:50/km",
            "4:15/km/h",
        ] {
            let e = Pace::parse(bad).unwrap_err();
            assert!(e.contains("4:15/km") && e.contains("/mi"), "{bad}: {e}");
        }
    }

    #[test]
    fn speeds_print_as_paces() {
        assert_eq!(per_km(1000.0 / 345.0), "5:45/km");
        assert_eq!(per_km(0.0), "-");
        assert_eq!(per_km(f64::NAN), "-");
    }
}

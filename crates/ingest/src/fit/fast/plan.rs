//! What the fast path knows of a message before reading its bytes: FIT base types and the
//! scalars `fitparser` reads from them, the plan of a `record` definition (which bytes go to which
//! column, or why the reference path must decode the file), `record`'s profile, and developer
//! field descriptions.

use std::collections::HashMap;

use fitparser::profile::field_types::FitBaseType;
use fitparser::{FitDataRecord, Value};

/// A FIT base type as `fitparser` reads it (after masking the endian and reserved bits).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Base {
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
    pub(super) fn from_code(code: u8) -> Self {
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

    pub(super) fn size(self) -> usize {
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
pub(super) fn scalar(b: &[u8], base: Base, big: bool) -> Option<f64> {
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
    #[expect(clippy::cast_precision_loss)]
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
pub(super) fn scaled(v: Option<f64>, scale: f64, offset: f64) -> Option<f64> {
    v.map(|x| x / scale - offset)
}

/// Where a `record` field's value goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Slot {
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
pub(super) struct Op {
    pub(super) offset: usize,
    pub(super) size: usize,
    pub(super) base: Base,
    pub(super) slot: Slot,
}

/// A definition as the fast path needs it.
#[derive(Clone, Debug)]
pub(super) struct Def {
    pub(super) global: u16,
    pub(super) big: bool,
    /// Bytes of the data message after its header byte, without developer fields.
    pub(super) size: usize,
    /// `(field number, size, developer data index)` of each developer field.
    pub(super) dev: Vec<(u8, u8, u8)>,
    /// For `record`: the fields to decode, or why the reference path must decode them.
    pub(super) plan: Result<Vec<Op>, &'static str>,
}

/// Names `fitparser` gives `record` fields (FIT profile 21.x); a developer field named like one
/// of them would be read as that field by the collector.
pub(super) const RECORD_FIELD_NAMES: &[&str] = &[
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
pub(super) fn record_plan(fields: &[(u8, u8, Base)]) -> Result<Vec<Op>, &'static str> {
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
pub(super) struct DevDesc {
    pub(super) name: String,
    pub(super) base: Base,
    pub(super) scale: f64,
    pub(super) offset: f64,
}

/// `fitparser`'s `DeveloperFieldDescription::try_from`, on the decoded message.
pub(super) fn dev_description(rec: &FitDataRecord) -> Option<((u8, u8), DevDesc)> {
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

//! The reference path: every FIT object through `fitparser`'s stream processor, faults after
//! the first message kept as warnings, and the definition check both paths use to rewrite field
//! sizes that fitparser would complain about.

use fitparser::ErrorKind;
use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};

use super::collect::Collector;
use super::crc::crc16;
use crate::error::DecodeError;

/// Walks the FIT objects, feeding data messages to the collector. Faults after the first
/// message become warnings; a fault before any message is an error.
pub(super) fn stream(bytes: &[u8], c: &mut Collector) -> Result<(), DecodeError> {
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
pub(super) fn check_definition(buf: &[u8]) -> Option<(usize, Vec<(usize, String)>)> {
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

#[cfg(test)]
mod tests {
    use super::*;

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

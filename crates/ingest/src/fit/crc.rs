//! The FIT CRC-16: the checksum of a file header and of each (chained) file's data section,
//! which both decoders check and the reference path recomputes where it rewrote a definition.

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
        #[expect(clippy::cast_possible_truncation, reason = "i < 256")]
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
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11).to_le_bytes()[0])
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
}

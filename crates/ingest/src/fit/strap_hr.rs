//! Heart rate a strap stored in FIT `hr` messages (a swim, where the strap cannot transmit under
//! water and sends its readings afterwards), merged into the records the way the Garmin FIT SDK
//! merges them (METRICS.md 7), so hrdrift's per-record HR is the SDK's.
//!
//! What the SDK does (its `merge_heart_rates`), written here from its behaviour:
//! - An `hr` message with a `timestamp` is an anchor: its time (plus `fractional_timestamp`) is
//!   that of its one `event_timestamp`. Every reading's time is the anchor's plus its
//!   `event_timestamp` minus the anchor's (a counter of 1/1024 s that wraps at 2^22 s/1024).
//! - Later messages pack eight 12-bit event times in `event_timestamp_12`, each the low 12 bits
//!   of the running counter (fitparser's own expansion sums instead of rolling over, so the
//!   bytes are unpacked here).
//! - Between two readings more than 250 ms apart, the earlier value is repeated every 250 ms,
//!   for at most 5 s.
//! - A record takes the mean of the readings after the record before it up to its own time,
//!   rounded half up, replacing what it had; a record is given its mean only once a reading
//!   after it is seen (the SDK's loop), and a record at the same second as the one before looks
//!   back one second.

/// One `hr` message as read: its anchor time (s, Unix) if it has one, its event times (units of
/// 1/1024 s on the strap's counter) and readings.
#[derive(Debug, Default, Clone)]
pub(crate) struct HrMessage {
    pub(crate) anchor_s: Option<f64>,
    pub(crate) events: Vec<u64>,
    pub(crate) bpm: Vec<Option<f64>>,
}

/// The running state of `event_timestamp` across messages, for the 12-bit deltas.
#[derive(Debug, Default)]
pub(crate) struct EventClock {
    last: Option<u64>,
}

impl EventClock {
    /// A full `event_timestamp` (seconds).
    pub(crate) fn full(&mut self, seconds: f64) -> Option<u64> {
        if !(seconds.is_finite() && seconds >= 0.0) {
            return None;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a non-negative 32-bit counter in 1/1024 s"
        )]
        let raw = (seconds * 1024.0).round() as u64;
        self.last = Some(raw);
        Some(raw)
    }

    /// The eight 12-bit values packed little-endian in `event_timestamp_12`'s bytes, each
    /// rolled onto the counter.
    pub(crate) fn packed(&mut self, bytes: &[u8]) -> Vec<u64> {
        let mut out = Vec::new();
        let bits = bytes.len() * 8;
        let mut at = 0;
        while at + 12 <= bits {
            let mut v = 0u64;
            for b in 0..12 {
                let bit = at + b;
                if bytes[bit / 8] >> (bit % 8) & 1 == 1 {
                    v |= 1 << b;
                }
            }
            at += 12;
            let Some(last) = self.last else {
                // No full counter yet to roll onto: the SDK refuses such a file.
                continue;
            };
            let mut raw = (last & !0xFFF) | v;
            if v < (last & 0xFFF) {
                raw += 0x1000;
            }
            self.last = Some(raw);
            out.push(raw);
        }
        out
    }
}

const STEP_S: f64 = 0.25;
const MAX_STEPS: u32 = 20;
const WRAP: u64 = 0x40_0000;

/// The readings on the record clock (s, Unix), the gaps filled as the SDK fills them. Readings
/// before any anchor, or a message whose times and readings do not pair, are left out (the SDK
/// stops there with an error).
fn expand(messages: &[HrMessage]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut anchor: Option<(f64, u64)> = None;
    for m in messages {
        if let Some(t) = m.anchor_s {
            match m.events.as_slice() {
                [e] => anchor = Some((t, *e)),
                _ => continue,
            }
        }
        let Some((t0, e0)) = anchor else { continue };
        if m.events.len() != m.bpm.len() {
            continue;
        }
        for (&e, bpm) in m.events.iter().zip(&m.bpm) {
            let Some(bpm) = *bpm else { continue };
            let e = if e < e0 && e0 - e > WRAP { e + WRAP } else { e };
            if e < e0 {
                continue;
            }
            #[expect(clippy::cast_precision_loss, reason = "counter values below 2^32")]
            let t = t0 + (e - e0) as f64 / 1024.0;
            if let Some(&(pt, pv)) = out.last() {
                let mut gap_ms = (t - pt).abs() * 1000.0;
                let mut step = 1;
                while gap_ms > STEP_S * 1000.0 && step <= MAX_STEPS {
                    out.push((pt + STEP_S * f64::from(step), pv));
                    gap_ms -= STEP_S * 1000.0;
                    step += 1;
                }
            }
            out.push((t, bpm));
        }
    }
    out
}

/// Replaces each record's HR (`hr[i]` at `ts_ms[i]`, file order) by the strap's, as the SDK
/// does. Returns how many records took a strap value.
pub(crate) fn merge(messages: &[HrMessage], ts_ms: &[i64], hr: &mut [Option<f64>]) -> usize {
    let readings = expand(messages);
    if readings.is_empty() {
        return 0;
    }
    let mut k = 0usize;
    let mut start: Option<f64> = None;
    let mut merged = 0;
    for (i, &t_ms) in ts_ms.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "epoch milliseconds below 2^53")]
        let end = (t_ms as f64 / 1000.0).floor();
        let mut from = start.unwrap_or(end);
        if from == end {
            from -= 1.0;
            k = k.saturating_sub(1);
        }
        let (mut sum, mut n) = (0.0, 0u32);
        while k < readings.len() {
            let (t, v) = readings[k];
            if t > from && t <= end {
                sum += v;
                n += 1;
            } else if t > end {
                if n > 0 {
                    hr[i] = Some((sum / f64::from(n) + 0.5).floor());
                    merged += 1;
                }
                from = end;
                break;
            }
            k += 1;
        }
        start = Some(from);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_bit_times_roll_over_onto_the_counter() {
        let mut c = EventClock::default();
        assert_eq!(c.full(3.0), Some(3072));
        // 0xFFF then 0x005: the second wraps past 4096.
        let bytes = [0xFF, 0x5F, 0x00];
        let v = c.packed(&bytes);
        assert_eq!(v, vec![0xFFF, 0x1000 + 0x5]);
    }

    #[test]
    fn a_record_takes_the_mean_of_the_readings_since_the_one_before() {
        let anchor = HrMessage {
            anchor_s: Some(100.0),
            events: vec![0],
            bpm: vec![Some(100.0)],
        };
        let more = HrMessage {
            anchor_s: None,
            events: vec![256, 512, 768, 1024, 1280, 2048, 2304],
            bpm: vec![
                Some(101.0),
                Some(102.0),
                Some(103.0),
                Some(104.0),
                Some(105.0),
                Some(106.0),
                Some(107.0),
            ],
        };
        let ts = [100_000, 101_000, 102_000];
        let mut hr = [Some(90.0), Some(90.0), Some(90.0)];
        let n = merge(&[anchor, more], &ts, &mut hr);
        // Record 0 (t = 100): readings in (99, 100] -> 100. Record 1: (100, 101] -> 101..104
        // (mean 102.5, rounded up to 103). Record 2: (101, 102], with 105 at 101.25 carried
        // to 101.5 and 101.75 before 106 at 102: (105 + 105 + 105 + 106) / 4 = 105.25 -> 105.
        assert_eq!(n, 3);
        assert_eq!(hr, [Some(100.0), Some(103.0), Some(105.0)]);
    }
}

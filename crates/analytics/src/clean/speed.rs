//! Step 2 of the module docs of [`super`]: progress along the activity and speed, per sample.

use hrdrift_ingest::Track;

use super::MAX_MEDIAN_SIDE;
use super::samples::{DIST, MAX_SPEED_M_S, Raw, SPEED, secs};
use crate::stats::median_in_place;

/// Rate of change per second of a cumulative quantity (distance) present at some samples, over
/// a window of `2 x half_ms` centred on each sample (shrunk to the samples that have it at the
/// ends), the quantity linearly interpolated in time between the samples that carry it. Over a
/// window, positions that repeat while the GPS waits for its next fix, or a device distance
/// written every other second, give the runner's speed rather than alternating zeros and
/// doubles; across a recording gap the rate is the gap's mean speed.
fn window_rate(t: &[i64], cum: &[Option<f64>], half_ms: i64) -> Vec<Option<f64>> {
    let pts: Vec<(i64, f64)> = t
        .iter()
        .zip(cum)
        .filter_map(|(t, c)| Some((*t, (*c)?)))
        .collect();
    let mut out = vec![None; t.len()];
    let (Some(&(first, _)), Some(&(last, _))) = (pts.first(), pts.last()) else {
        return out;
    };
    // `at(x, j)`: the quantity at time x, with j a hint that only moves forward.
    let at = |x: i64, j: &mut usize| -> f64 {
        while *j + 1 < pts.len() && pts[*j + 1].0 <= x {
            *j += 1;
        }
        let (ta, va) = pts[*j];
        match pts.get(*j + 1) {
            Some(&(tb, vb)) if tb > ta && x > ta => {
                // In i128: timestamps anywhere in i64 must not overflow the difference.
                #[expect(clippy::cast_precision_loss)]
                let f = (i128::from(x) - i128::from(ta)) as f64
                    / (i128::from(tb) - i128::from(ta)) as f64;
                va + (vb - va) * f
            }
            _ => va,
        }
    };
    let (mut jl, mut jr) = (0_usize, 0_usize);
    for (i, &ti) in t.iter().enumerate() {
        let lo = ti.saturating_sub(half_ms).max(first);
        let hi = ti.saturating_add(half_ms).min(last);
        if hi <= lo || ti < first || ti > last {
            continue;
        }
        let d = at(hi, &mut jr) - at(lo, &mut jl);
        out[i] =
            Some(d / secs(hi - lo)).filter(|v| v.is_finite() && (0.0..=MAX_SPEED_M_S).contains(v));
    }
    out
}

/// Distance along the activity at each sample where it is known: the device's distance where
/// the file carries one, else the track of its positions with GPS jumps left out.
/// Between two samples that have it, a sample without (a trackpoint with HR but no fix) gets
/// it interpolated in time, so every gap inside the tracked span can show its progress.
pub(super) fn progress(raw: &Raw, track: &Track) -> Vec<Option<f64>> {
    let mut out = if raw.ch[DIST].iter().any(Option::is_some) {
        raw.ch[DIST].clone()
    } else {
        track.cum_m.clone()
    };
    let mut prev: Option<usize> = None;
    for i in 0..out.len() {
        let Some(b) = out[i] else { continue };
        if let Some(p) = prev
            && i > p + 1
            && let Some(a) = out[p]
        {
            let span = secs(raw.t[i].saturating_sub(raw.t[p]));
            for (slot, &t) in out[p + 1..i].iter_mut().zip(&raw.t[p + 1..i]) {
                let f = if span > 0.0 {
                    secs(t.saturating_sub(raw.t[p])) / span
                } else {
                    0.0
                };
                *slot = Some(a + (b - a) * f);
            }
        }
        prev = Some(i);
    }
    out
}

/// Raw speed per sample by source priority (device speed, else the rate of [`progress`]), then
/// the centred rolling median.
pub(super) fn speed(raw: &Raw, progress: &[Option<f64>], median_s: f64) -> Vec<Option<f64>> {
    let n = raw.t.len();
    let device = &raw.ch[SPEED];
    let mut speed = device.clone();
    #[expect(clippy::cast_possible_truncation)]
    let half_ms = (median_s * 500.0).round() as i64;
    if device.iter().any(Option::is_none) {
        let rate = window_rate(&raw.t, progress, half_ms.max(1000));
        for i in 0..n {
            speed[i] = speed[i].or(rate[i]);
        }
    }
    let mut out = Vec::with_capacity(n);
    let mut buf = Vec::with_capacity(2 * MAX_MEDIAN_SIDE + 1);
    for i in 0..n {
        if speed[i].is_none() {
            out.push(None);
            continue;
        }
        buf.clear();
        // Walk outwards and stop at the window's edge: ~5 samples at 1 Hz, never more than
        // MAX_MEDIAN_SIDE either side.
        let within = |j: usize| raw.t[j].saturating_sub(raw.t[i]).saturating_abs() <= half_ms;
        let lo = i.saturating_sub(MAX_MEDIAN_SIDE);
        let hi = (i + MAX_MEDIAN_SIDE).min(n - 1);
        let left = (lo..i).rev().take_while(|&j| within(j));
        let right = (i..=hi).take_while(|&j| within(j));
        buf.extend(left.chain(right).filter_map(|j| speed[j]));
        out.push(median_in_place(&mut buf));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_rate_evens_out_repeated_positions() {
        // 3 m/s, the distance written only every other second (the second repeats it).
        let t: Vec<i64> = (0..20).map(|i| i * 1000).collect();
        let cum: Vec<Option<f64>> = (0..20).map(|i| Some(f64::from(i / 2 * 2) * 3.0)).collect();
        let r = window_rate(&t, &cum, 2500);
        for v in &r[3..17] {
            let v = v.expect("rate");
            assert!((v - 3.0).abs() < 0.7, "{v}");
        }
        // Across a recording gap the rate is the gap's mean speed.
        let t = [0, 1000, 13_000, 14_000];
        let cum = [Some(0.0), Some(3.0), Some(39.0), Some(42.0)];
        let r = window_rate(&t, &cum, 2500);
        assert!((r[1].expect("rate") - 3.0).abs() < 1e-9, "{r:?}");
    }
}

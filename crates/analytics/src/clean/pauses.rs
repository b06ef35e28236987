//! Step 3 of the module docs of [`super`]: the paused spans of wall time.

use hrdrift_ingest::Activity;

use super::samples::{CAD, Raw, SPEED, secs};
use crate::settings::AthleteSettings;

/// Cadence (steps or revolutions per minute) at or above this means moving, whatever the
/// speed: a walk's cadence is about 100, a runner standing still records none.
const MOVING_CADENCE: f64 = 40.0;

/// Sorted, merged open intervals `(start, end)` of paused wall time, in ms.
pub(super) fn pauses(
    raw: &Raw,
    speed: &[Option<f64>],
    progress: &[Option<f64>],
    activity: &Activity,
    settings: &AthleteSettings,
) -> (Vec<(i64, i64)>, bool) {
    let (Some(&t0), Some(&tn)) = (raw.t.first(), raw.t.last()) else {
        return (Vec::new(), false);
    };
    let mut spans: Vec<(i64, i64)> = Vec::new();
    let timer = !activity.pauses.is_empty();
    if timer {
        spans.extend(
            activity
                .pauses
                .iter()
                .map(|p| (p.start_ms.max(t0), p.end_ms.min(tn))),
        );
    } else {
        #[expect(clippy::cast_possible_truncation)]
        let gap_ms = (settings.pause_gap_s * 1000.0).round() as i64;
        #[expect(clippy::cast_possible_truncation)]
        let slow_ms = (settings.pause_min_s * 1000.0).round() as i64;
        for (i, w) in raw.t.windows(2).enumerate() {
            let dt = w[1].saturating_sub(w[0]);
            if dt <= gap_ms {
                continue;
            }
            if let Some(from) = gap_pause(raw, speed, progress, i, settings) {
                spans.push((from, w[1]));
            }
        }
        // Steps under way (cadence) mean moving, whatever a frozen GPS says.
        let stepping = |i: usize| raw.ch[CAD][i].is_some_and(|c| c >= MOVING_CADENCE);
        let slow =
            |i: usize| speed[i].is_some_and(|v| v < settings.pause_speed_m_s) && !stepping(i);
        let n = raw.t.len();
        let mut i = 0;
        while i < n {
            if !slow(i) {
                i += 1;
                continue;
            }
            let a = i;
            while i < n && slow(i) {
                i += 1;
            }
            let end = raw.t[i.min(n - 1)];
            if end.saturating_sub(raw.t[a]) >= slow_ms && end > raw.t[a] {
                spans.push((raw.t[a], end));
            }
        }
    }
    spans.retain(|(a, b)| a < b);
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    (merged, timer)
}

/// Where the pause in the gap after sample `i` begins (ms), if the gap holds one (step 3 of the
/// module docs of [`super`]). A gap is a pause only when the distance shows no progress across
/// it: smart recording leaves gaps of 1-12 s or more while the runner moves on. When it does
/// show progress, the time that progress takes at the speed either side is moving, and the rest
/// of the gap, if `pause_min_s` or more, a pause at its end: a watch that stops recording 10 s
/// before the runner stops for a minute leaves one gap of 70 s with 25 m in it. A gap with
/// neither distance nor device speed either side tells nothing, and is a pause.
pub(super) fn gap_pause(
    raw: &Raw,
    speed: &[Option<f64>],
    progress: &[Option<f64>],
    i: usize,
    settings: &AthleteSettings,
) -> Option<i64> {
    let (t0, t1) = (raw.t[i], raw.t[i + 1]);
    let dt = secs(t1.saturating_sub(t0));
    let floor = settings.pause_speed_m_s;
    let (Some(a), Some(b)) = (progress[i], progress[i + 1]) else {
        // No distance: the device's speed either side (a foot pod) still tells, across a
        // recording gap.
        let moving = dt <= settings.recording_gap_max_s
            && [i, i + 1]
                .iter()
                .all(|&k| raw.ch[SPEED][k].is_some_and(|v| v >= floor));
        return (!moving).then_some(t0);
    };
    let d = b - a;
    if d < floor * dt {
        return Some(t0);
    }
    let (Some(va), Some(vb)) = (speed[i], speed[i + 1]) else {
        return None;
    };
    let v = f64::midpoint(va, vb);
    if v < floor {
        return None;
    }
    let moving_s = d / v;
    #[expect(clippy::cast_possible_truncation)]
    let moving_ms = (moving_s * 1000.0).round() as i64;
    (dt - moving_s >= settings.pause_min_s).then(|| t0.saturating_add(moving_ms))
}

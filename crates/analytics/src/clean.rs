//! Cleaning (METRICS.md section 1): from samples on their own timestamps to a 1 Hz series on
//! the moving-time clock.
//!
//! The steps, in order:
//! 1. Sort samples by timestamp (stable) and merge duplicates: for each channel the first
//!    present value among samples sharing a timestamp wins. Non-finite and physically absurd
//!    values (negative speed, latitude beyond 90, ...) are treated as missing; HR outside the
//!    valid range is a dropout.
//! 2. Distance and speed (docs/METRICS.md section 1). *Progress* per sample: the device's
//!    distance, else the track of the positions (`hrdrift_ingest::track`: haversine between
//!    consecutive fixes, GPS jumps over `gps_jump_speed_m_s` left out, 0,0 no fix), a sample
//!    without it between two with it interpolated in time. Speed: device speed, else the rate of
//!    progress over a centred window of `speed_median_s` (progress interpolated in time, so
//!    repeated positions give the runner's speed, not zeros), then a centred rolling median over
//!    `speed_median_s` (at most [`MAX_MEDIAN_SIDE`] samples either side, so dense files stay
//!    linear).
//! 3. Pauses: the activity's timer pauses when it has any. Otherwise a gap longer than
//!    `pause_gap_s` is a pause only where its progress does not account for it ([`gap_pause`]:
//!    smart recording leaves gaps while the runner moves on), and a span of smoothed speed under
//!    `pause_speed_m_s` lasting `pause_min_s` or more is a pause unless the cadence shows steps.
//!    A span of slow samples `a..=b` pauses the time from sample `a` to the sample after `b`.
//!    With timer pauses, a gap in the samples while the timer ran is moving time without data.
//! 4. The moving clock: wall time minus paused time. Samples strictly inside a pause are dropped.
//! 5. The 1 Hz grid: one point per whole second `k` of moving time with `k < moving_s`, each
//!    standing for the second `[k, k+1)`. A point between two consecutive samples at most
//!    `recording_gap_max_s` apart (in moving time: a recording gap of a moving span) is
//!    linearly interpolated, and only when both samples carry the channel, so every mean over
//!    the grid weighs a reading by the time it holds; after a longer gap only the second just
//!    after the earlier sample is filled (from that sample). Longer gaps stay holes, and the
//!    grid never holds more than about `n x (recording_gap_max_s + 1)` points for `n` samples,
//!    whatever the timestamps say.
//!    Where HR is a partial channel (fewer than 90 % of the samples carry a valid reading: GPX
//!    exports that write the strap's reading on some points only), a grid second left without
//!    HR between a sample with HR and one without is filled from the HR readings either side
//!    when they are at most `coverage_max_gap_s` (or `resample_max_gap_s`) apart on the moving
//!    clock: the rule by which step 8 counts it covered. In a file that records HR with every
//!    sample, a sample without it is a dropout and stays out (METRICS.md: excluded, not invented).
//! 6. HR on the grid: spikes (further than `spike_bpm` from the centred `spike_window_s`
//!    median of valid HR, the point itself included) and cadence-lock spans are made invalid.
//!    Cadence lock is checked for running (and for files that name no sport, see
//!    [`is_running`]): the model's `cadence_spm` is steps/min for running, while for other
//!    sports it is a pedal or stroke rate that METRICS.md does not cover.
//! 7. Grade and GAP speed (see [`crate::gap`]).
//! 8. HR coverage time (the numerator of METRICS.md's "valid-HR moving time / moving time"),
//!    measured on the moving clock from the samples, not by counting grid seconds:
//!    - A *valid HR reading* is a kept sample whose HR is in the valid range and whose grid
//!      second (the first whole second at or after it, the one the grid fills from it) was not
//!      removed as a spike or cadence lock.
//!    - Each reading covers the time up to the next reading when they are at most
//!      `coverage_max_gap_s` (10 s) apart on the moving clock, or when they are consecutive
//!      samples (nothing recorded between them) at most `recording_gap_max_s` apart; otherwise
//!      it covers only the first `resample_max_gap_s` (5 s) after it, the rest of the gap is
//!      uncovered. The last reading covers at most `resample_max_gap_s` up to the end of moving
//!      time; time before the first reading is uncovered.
//!    - Grid seconds removed as spikes or cadence lock are then taken out again, so invalid HR
//!      never counts as covered.
//!
//!    This is a deliberate reading of METRICS.md, which defines coverage as "valid-HR moving
//!    time / moving time" without saying it is measured on the 1 Hz grid. Counting grid seconds
//!    would, through the 5 s no-fill rule, mark smart-recording files (Garmin's default, a
//!    sample every 1-12 s) and GPX files with HR on only some points as low coverage although
//!    the strap worked throughout.
//! 9. Distance: the device's (last minus first), else the track's length over the samples on
//!    the moving clock (straight across each pause: GPS wander while standing is no distance),
//!    else the integral of speed over the grid.

use hrdrift_ingest::{Activity, Track, jump_speed_m_s, track};
use serde::{Deserialize, Serialize};

use crate::gap;
use crate::settings::AthleteSettings;
use crate::stats::median_in_place;

/// Channel slots of [`Raw::ch`].
const HR: usize = 0;
const SPEED: usize = 1;
const DIST: usize = 2;
const LAT: usize = 3;
const LON: usize = 4;
const ALT: usize = 5;
const CAD: usize = 6;
const CHANNELS: usize = 7;

/// Sanity bounds: beyond these a value is a decoding error, not a runner.
const MAX_SPEED_M_S: f64 = 100.0;
const MAX_DISTANCE_M: f64 = 1.0e8;
const ALTITUDE_RANGE_M: (f64, f64) = (-1000.0, 10_000.0);
const MAX_CADENCE_SPM: f64 = 400.0;
/// Cadence (steps or revolutions per minute) at or above this means moving, whatever the
/// speed: a walk's cadence is about 100, a runner standing still records none.
const MOVING_CADENCE: f64 = 40.0;
/// HR is a partial channel (step 5 fills the grid between its readings) when fewer than this
/// share of the samples carry a valid reading.
const PARTIAL_HR_SHARE: f64 = 0.9;
/// The speed median looks at most this many samples either side, whatever the sampling rate.
pub const MAX_MEDIAN_SIDE: usize = 15;

/// What cleaning found, for the report and for debugging a surprising number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanStats {
    /// Samples in the file.
    pub samples: usize,
    /// Samples whose timestamp was earlier than the one before it in the file.
    pub out_of_order: usize,
    /// Samples merged into another with the same timestamp.
    pub duplicates: usize,
    /// Grid seconds with no valid HR before spike and lock removal (missing, zero, out of range).
    pub hr_dropout_s: usize,
    /// Grid seconds removed as HR spikes.
    pub hr_spike_s: usize,
    /// Grid seconds removed as cadence lock.
    pub hr_cadence_lock_s: usize,
    /// Whether pauses came from timer events (else from gaps and low speed).
    pub timer_pauses: bool,
    /// GPS jumps left out of the track (see `hrdrift_ingest::track`).
    #[serde(default)]
    pub gps_jumps: usize,
}

/// Samples sorted, de-duplicated and range-checked.
struct Raw {
    t: Vec<i64>,
    ch: [Vec<Option<f64>>; CHANNELS],
}

/// The cleaned 1 Hz series on the moving clock. All vectors have the same length.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clean {
    /// Moving time of each point (whole seconds, strictly increasing).
    pub t_s: Vec<f64>,
    /// Wall-clock time of each point, ms UTC.
    pub wall_ms: Vec<i64>,
    /// Valid HR (dropouts, spikes and cadence lock removed).
    pub hr: Vec<Option<f64>>,
    pub speed: Vec<Option<f64>>,
    pub grade: Vec<Option<f64>>,
    pub gap: Vec<Option<f64>>,
    /// Cadence as the file gives it (steps/min for running), interpolated like the others.
    pub cadence: Vec<Option<f64>>,
    pub moving_s: f64,
    /// Moving time covered by valid HR readings (s), step 8 of the module docs.
    pub hr_covered_s: f64,
    /// Device distance (last minus first), else the integral of speed over the grid.
    pub distance_m: Option<f64>,
    pub stats: CleanStats,
    pub any_speed: bool,
    pub any_altitude: bool,
    pub cadence_lock: bool,
}

fn value(ch: Option<&Vec<Option<f64>>>, i: usize, lo: f64, hi: f64) -> Option<f64> {
    ch.and_then(|c| c.get(i).copied().flatten())
        .filter(|v| v.is_finite() && *v >= lo && *v <= hi)
}

/// A channel with the range its values must fall in.
type Source<'a> = (Option<&'a Vec<Option<f64>>>, f64, f64);

fn raw(activity: &Activity, settings: &AthleteSettings, stats: &mut CleanStats) -> Raw {
    let s = &activity.samples;
    let n = s.timestamp_ms.len();
    stats.samples = n;
    stats.out_of_order = s.timestamp_ms.windows(2).filter(|w| w[1] < w[0]).count();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| s.timestamp_ms[i]);
    let hr_range = (settings.hr_valid_min_bpm, settings.hr_valid_max_bpm);
    let sources: [Source<'_>; CHANNELS] = [
        (s.heart_rate_bpm.as_ref(), f64::NEG_INFINITY, f64::INFINITY),
        (s.speed_m_s.as_ref(), 0.0, MAX_SPEED_M_S),
        (s.distance_m.as_ref(), 0.0, MAX_DISTANCE_M),
        (s.lat.as_ref(), -90.0, 90.0),
        (s.lon.as_ref(), -180.0, 180.0),
        (
            s.altitude_m.as_ref(),
            ALTITUDE_RANGE_M.0,
            ALTITUDE_RANGE_M.1,
        ),
        (s.cadence_spm.as_ref(), 0.0, MAX_CADENCE_SPM),
    ];
    let mut t = Vec::with_capacity(n);
    let mut ch: [Vec<Option<f64>>; CHANNELS] = std::array::from_fn(|_| Vec::with_capacity(n));
    for &i in &order {
        let ts = s.timestamp_ms[i];
        let merge = t.last() == Some(&ts);
        if merge {
            stats.duplicates += 1;
        } else {
            t.push(ts);
        }
        for (c, (src, lo, hi)) in sources.iter().enumerate() {
            let mut v = value(*src, i, *lo, *hi);
            if c == HR {
                // Zero, missing and out-of-range HR are all dropouts.
                v = v.filter(|h| *h >= hr_range.0 && *h <= hr_range.1);
            }
            if merge {
                if let Some(slot) = ch[c].last_mut()
                    && slot.is_none()
                {
                    *slot = v;
                }
            } else {
                ch[c].push(v);
            }
        }
    }
    // A fix at 0,0 is no fix (a leading point before GPS lock); the importer drops these, this
    // keeps samples stored by older versions out of the track too.
    let [.., lat, lon, _, _] = &mut ch;
    for (la, lo) in lat.iter_mut().zip(lon.iter_mut()) {
        if let (Some(a), Some(b)) = (*la, *lo)
            && hrdrift_ingest::is_null_island(a, b)
        {
            *la = None;
            *lo = None;
        }
    }
    Raw { t, ch }
}

fn secs(ms: i64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let s = ms as f64 / 1000.0;
    s
}

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
                #[allow(clippy::cast_precision_loss)]
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
fn progress(raw: &Raw, track: &Track) -> Vec<Option<f64>> {
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
fn speed(raw: &Raw, progress: &[Option<f64>], median_s: f64) -> Vec<Option<f64>> {
    let n = raw.t.len();
    let device = &raw.ch[SPEED];
    let mut speed = device.clone();
    #[allow(clippy::cast_possible_truncation)]
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

/// Sorted, merged open intervals `(start, end)` of paused wall time, in ms.
fn pauses(
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
        #[allow(clippy::cast_possible_truncation)]
        let gap_ms = (settings.pause_gap_s * 1000.0).round() as i64;
        #[allow(clippy::cast_possible_truncation)]
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
/// module docs). A gap is a pause only when the distance shows no progress across it: smart
/// recording leaves gaps of 1-12 s or more while the runner moves on. When it does show
/// progress, the time that progress takes at the speed either side is moving, and the rest of
/// the gap, if `pause_min_s` or more, a pause at its end: a watch that stops recording 10 s
/// before the runner stops for a minute leaves one gap of 70 s with 25 m in it. A gap with
/// neither distance nor device speed either side tells nothing, and is a pause.
fn gap_pause(
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
    #[allow(clippy::cast_possible_truncation)]
    let moving_ms = (moving_s * 1000.0).round() as i64;
    (dt - moving_s >= settings.pause_min_s).then(|| t0.saturating_add(moving_ms))
}

/// Linear interpolation that never invents a value: both ends must be present.
/// `f` is the fraction of the way from `a` to `b`; at 0 the value is `a`'s, whatever `b` is.
fn lerp(a: Option<f64>, b: Option<f64>, f: f64) -> Option<f64> {
    if f == 0.0 {
        return a;
    }
    let (a, b) = (a?, b?);
    Some(a + (b - a) * f)
}

/// Whether the sport is running, or unknown (hrdrift reads runners' files, so an activity
/// whose file does not name a sport is taken as a run).
#[must_use]
pub fn is_running(sport: Option<&str>) -> bool {
    match sport {
        None => true,
        Some(s) => s.contains("run"),
    }
}

/// Runs the cleaning pipeline of the module docs.
pub(crate) fn clean(activity: &Activity, settings: &AthleteSettings) -> Clean {
    let mut stats = CleanStats::default();
    let raw = raw(activity, settings, &mut stats);
    let mut out = Clean::default();
    let (Some(&t0), Some(&tn)) = (raw.t.first(), raw.t.last()) else {
        out.stats = stats;
        return out;
    };
    let jump = jump_speed_m_s(activity.sport.as_deref(), settings.gps_jump_speed_m_s);
    let track = track(&raw.t, &raw.ch[LAT], &raw.ch[LON], jump);
    let progress = progress(&raw, &track);
    let speed = speed(&raw, &progress, settings.speed_median_s);
    out.any_speed = speed.iter().any(Option::is_some);
    out.any_altitude = raw.ch[ALT].iter().any(Option::is_some);
    let (pauses, timer) = pauses(&raw, &speed, &progress, activity, settings);
    stats.timer_pauses = timer;

    // 4. The moving clock, in i128 ms so that no timestamp can overflow it.
    let paused_total: i128 = pauses
        .iter()
        .map(|(a, b)| i128::from(*b) - i128::from(*a))
        .sum();
    let moving_ms = (i128::from(tn) - i128::from(t0) - paused_total).max(0);
    let mut moving: Vec<(usize, i128)> = Vec::with_capacity(raw.t.len());
    let (mut p, mut paused_before) = (0_usize, 0_i128);
    for (i, &t) in raw.t.iter().enumerate() {
        while p < pauses.len() && pauses[p].1 <= t {
            paused_before += i128::from(pauses[p].1) - i128::from(pauses[p].0);
            p += 1;
        }
        if p < pauses.len() && pauses[p].0 < t {
            continue;
        }
        moving.push((i, i128::from(t) - i128::from(t0) - paused_before));
    }
    #[allow(clippy::cast_precision_loss)]
    let moving_s = moving_ms as f64 / 1000.0;
    out.moving_s = moving_s;

    // 5. The 1 Hz grid.
    #[allow(clippy::cast_possible_truncation)]
    let fill_ms = i128::from((settings.resample_max_gap_s * 1000.0).round() as i64);
    let cap = raw
        .t
        .len()
        .saturating_mul(2)
        .min(usize::try_from(moving_ms / 1000 + 1).unwrap_or(usize::MAX));
    let mut t_s = Vec::with_capacity(cap);
    let mut wall = Vec::with_capacity(cap);
    let mut hr = Vec::with_capacity(cap);
    let mut spd = Vec::with_capacity(cap);
    let mut alt = Vec::with_capacity(cap);
    let mut cad = Vec::with_capacity(cap);
    let ceil_s = |ms: i128| (ms + 999).div_euclid(1000);
    let mut emit = |k: i128, a: usize, b: usize, ma: i128, span: i128| {
        let off = k * 1000 - ma;
        // k is below 2^64 / 1000 and off and span below 300 s, so all fit in i64, whose
        // conversion to f64 is one instruction (i128's is a library call, on the hottest loop
        // of the import now that recording gaps are filled).
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let (kf, f) = (
            k as i64 as f64,
            if off == 0 {
                0.0
            } else {
                off as i64 as f64 / span as i64 as f64
            },
        );
        t_s.push(kf);
        let w = i128::from(raw.t[a]) + off;
        wall.push(i64::try_from(w.min(i128::from(raw.t[b]))).unwrap_or(raw.t[b]));
        hr.push(lerp(raw.ch[HR][a], raw.ch[HR][b], f));
        spd.push(lerp(speed[a], speed[b], f));
        alt.push(lerp(raw.ch[ALT][a], raw.ch[ALT][b], f));
        cad.push(lerp(raw.ch[CAD][a], raw.ch[CAD][b], f));
    };
    #[allow(clippy::cast_possible_truncation)]
    let recording_ms = i128::from((settings.recording_gap_max_s * 1000.0).round() as i64);
    let fill_to_ms = fill_ms.max(recording_ms);
    for (idx, &(a, ma)) in moving.iter().enumerate() {
        let next = moving.get(idx + 1).copied();
        match next {
            // Consecutive samples on the moving clock: a recording gap of a moving span
            // (pauses are off the clock), filled up to `recording_gap_max_s`.
            Some((b, mb)) if mb - ma <= fill_to_ms => {
                let mut k = ceil_s(ma);
                while k * 1000 < mb && k * 1000 < moving_ms {
                    emit(k, a, b, ma, mb - ma);
                    k += 1;
                }
            }
            _ => {
                // After a gap too long to fill, the sample still stands for its own second.
                let k = ceil_s(ma);
                let end = next.map_or(i128::MAX, |(_, mb)| mb);
                if k * 1000 < moving_ms && k * 1000 < end {
                    emit(k, a, a, ma, 1);
                }
            }
        }
    }

    // 5b. A file that carries HR on only some of its samples (GPX points where the strap's
    // reading was not written, a third of the points of some exports) leaves the grid
    // seconds between a sample with HR and one without empty, although coverage (step 8)
    // counts them as covered. They are filled from the HR readings either side, under the
    // same rule as coverage: readings at most `coverage_max_gap_s` apart (or the 5 s fill).
    #[allow(clippy::cast_possible_truncation)]
    let cover_ms = i128::from((settings.coverage_max_gap_s * 1000.0).round() as i64);
    let readings: Vec<(i128, f64)> = moving
        .iter()
        .filter_map(|(i, ma)| raw.ch[HR][*i].map(|h| (*ma, h)))
        .collect();
    // Only where HR is a partial channel (under `PARTIAL_HR_SHARE` of the samples carry it):
    // in a file that records HR with every sample, a sample without it is a dropout, which
    // METRICS.md excludes rather than invents.
    #[allow(clippy::cast_precision_loss)]
    let partial = (readings.len() as f64) < PARTIAL_HR_SHARE * moving.len() as f64;
    if partial {
        let max_ms = cover_ms.max(fill_ms);
        let mut r = 0_usize;
        for (j, h) in hr.iter_mut().enumerate() {
            if h.is_some() {
                continue;
            }
            #[allow(clippy::cast_possible_truncation)]
            let ms = (t_s[j] as i128) * 1000;
            while r + 1 < readings.len() && readings[r + 1].0 <= ms {
                r += 1;
            }
            if let (Some(a), Some(b)) = (readings.get(r), readings.get(r + 1))
                && a.0 <= ms
                && b.0 > ms
                && b.0 - a.0 <= max_ms
            {
                #[allow(clippy::cast_precision_loss)]
                let f = (ms - a.0) as f64 / (b.0 - a.0) as f64;
                *h = lerp(Some(a.1), Some(b.1), f);
            }
        }
    }

    // 6. HR: dropouts counted, then spikes and cadence lock removed.
    stats.hr_dropout_s = hr.iter().filter(|h| h.is_none()).count();
    let mut removed = spike_mask(&t_s, &hr, settings);
    for (h, s) in hr.iter_mut().zip(&removed) {
        if *s {
            *h = None;
            stats.hr_spike_s += 1;
        }
    }
    if is_running(activity.sport.as_deref()) {
        let before: Vec<bool> = hr.iter().map(Option::is_some).collect();
        stats.hr_cadence_lock_s = cadence_lock(&t_s, &mut hr, &cad, settings);
        out.cadence_lock = stats.hr_cadence_lock_s > 0;
        for ((r, b), h) in removed.iter_mut().zip(&before).zip(&hr) {
            *r |= *b && h.is_none();
        }
    }

    // 8. HR coverage time on the moving clock.
    #[allow(clippy::cast_possible_truncation)]
    let removed_s: Vec<i128> = t_s
        .iter()
        .zip(&removed)
        .filter(|(_, r)| **r)
        .map(|(t, _)| *t as i128)
        .collect();
    let readings = moving
        .iter()
        .enumerate()
        .filter(|(_, (a, ma))| {
            raw.ch[HR][*a].is_some() && removed_s.binary_search(&ceil_s(*ma)).is_err()
        })
        .map(|(k, (_, ma))| (k, *ma));
    let covered_ms = hr_covered_ms(
        readings,
        &removed_s,
        moving_ms,
        Gaps {
            cover_ms,
            fill_ms,
            recording_ms,
        },
    );
    #[allow(clippy::cast_precision_loss)]
    let hr_covered_s = covered_ms as f64 / 1000.0;
    out.hr_covered_s = hr_covered_s;

    // 7. Grade and GAP. Distance is the integral of smoothed speed, so grade and GAP use one
    // consistent source. Across a hole in the grid the earlier point's speed runs for the whole
    // hole: capping it at one second made grade (altitude over distance) several times too
    // steep on smart-recording files, whose grid is mostly holes of 1-12 s. Distance only
    // serves grade here, and points either side of a hole longer than the smoothing window
    // never share a window, so a long sensor gap invents nothing that is used.
    let mut dist = Vec::with_capacity(t_s.len());
    let mut d = 0.0;
    for i in 0..t_s.len() {
        if i > 0 {
            d += spd[i - 1].unwrap_or(0.0) * (t_s[i] - t_s[i - 1]);
        }
        dist.push(d);
    }
    let grade = if out.any_altitude {
        gap::grades(&t_s, &dist, &alt, settings.altitude_smooth_s)
    } else {
        vec![None; t_s.len()]
    };
    let device_dist = raw.ch[DIST]
        .iter()
        .flatten()
        .fold(None, |acc: Option<(f64, f64)>, &v| {
            Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        });
    // The track's length over the samples on the moving clock: a fix inside a pause is GPS
    // wander of a runner standing still (metres a minute, 7 % of one real run's distance), so
    // the track goes straight across each pause, from the last fix before it to the first after.
    let track = if device_dist.is_none() && track.fixes >= 2 && !pauses.is_empty() {
        let pick = |c: &[Option<f64>]| moving.iter().map(|(i, _)| c[*i]).collect::<Vec<_>>();
        let t: Vec<i64> = moving.iter().map(|(i, _)| raw.t[*i]).collect();
        hrdrift_ingest::track(&t, &pick(&raw.ch[LAT]), &pick(&raw.ch[LON]), jump)
    } else {
        track
    };
    stats.gps_jumps = track.jumps;
    out.distance_m = match device_dist {
        Some((lo, hi)) => Some(hi - lo),
        None if track.fixes >= 2 => Some(track.length_m),
        // Speed alone (a treadmill's foot pod): each grid point stands for one second.
        None => out.any_speed.then(|| spd.iter().flatten().sum()),
    };
    out.gap = spd
        .iter()
        .zip(&grade)
        .map(|(v, g)| v.map(|v| v * gap::gap_factor(g.unwrap_or(0.0), settings.grade_clamp)))
        .collect();
    out.t_s = t_s;
    out.wall_ms = wall;
    out.hr = hr;
    out.speed = spd;
    out.grade = grade;
    out.cadence = cad;
    out.stats = stats;
    out
}

/// The gap lengths of HR coverage (ms): see [`hr_covered_ms`].
#[derive(Debug, Clone, Copy)]
struct Gaps {
    /// Readings at most this far apart cover the time between them.
    cover_ms: i128,
    /// After a longer gap, a reading covers this much.
    fill_ms: i128,
    /// Readings on consecutive samples (nothing recorded between them) cover a recording gap
    /// up to this long.
    recording_ms: i128,
}

/// Moving time (ms) covered by valid HR readings (step 8 of the module docs): `readings` are
/// their indices among the samples on the moving clock with their moving times, in increasing
/// order, `removed_s` the grid seconds (increasing) whose HR
/// was removed as a spike or cadence lock.
fn hr_covered_ms(
    readings: impl Iterator<Item = (usize, i128)>,
    removed_s: &[i128],
    moving_ms: i128,
    gaps: Gaps,
) -> i128 {
    // Disjoint, increasing intervals [from, to) of covered moving time.
    let mut spans: Vec<(i128, i128)> = Vec::new();
    let mut prev: Option<(usize, i128)> = None;
    let mut add = |from: i128, gap: i128, adjacent: bool| {
        let len = if gap <= gaps.cover_ms || (adjacent && gap <= gaps.recording_ms) {
            gap
        } else {
            gap.min(gaps.fill_ms)
        };
        let (a, b) = (from.max(0), (from + len).min(moving_ms));
        if b > a {
            spans.push((a, b));
        }
    };
    for (k, m) in readings {
        if let Some((pk, p)) = prev
            && m > p
        {
            add(p, m - p, k == pk + 1);
        }
        prev = Some(prev.map_or((k, m), |(pk, p)| if m >= p { (k, m) } else { (pk, p) }));
    }
    if let Some((_, p)) = prev {
        // The last reading: nothing follows, so at most `fill_ms` up to the end.
        add(p, (moving_ms - p).min(gaps.fill_ms).max(0), false);
    }
    let mut total = 0;
    let mut r = 0;
    for (a, b) in spans {
        total += b - a;
        while r < removed_s.len() && (removed_s[r] + 1) * 1000 <= a {
            r += 1;
        }
        let mut q = r;
        while q < removed_s.len() && removed_s[q] * 1000 < b {
            let (lo, hi) = (
                (removed_s[q] * 1000).max(a),
                ((removed_s[q] + 1) * 1000).min(b),
            );
            total -= (hi - lo).max(0);
            q += 1;
        }
    }
    total.max(0)
}

/// Points further than `spike_bpm` from the centred rolling median of valid HR.
fn spike_mask(t_s: &[f64], hr: &[Option<f64>], settings: &AthleteSettings) -> Vec<bool> {
    let half = ((settings.spike_window_s - 1.0) / 2.0).max(0.0);
    let n = t_s.len();
    let mut mask = vec![false; n];
    let mut buf = Vec::with_capacity(64);
    let (mut lo, mut hi) = (0_usize, 0_usize);
    for i in 0..n {
        while lo < n && t_s[lo] < t_s[i] - half {
            lo += 1;
        }
        while hi < n && t_s[hi] <= t_s[i] + half {
            hi += 1;
        }
        let Some(h) = hr[i] else { continue };
        buf.clear();
        buf.extend(hr[lo..hi].iter().flatten());
        if let Some(m) = median_in_place(&mut buf) {
            mask[i] = (h - m).abs() > settings.spike_bpm;
        }
    }
    mask
}

/// Invalidates HR over spans of at least `cadence_lock_min_s` consecutive seconds where HR is
/// within `cadence_lock_bpm` of steps/min; returns the seconds removed.
fn cadence_lock(
    t_s: &[f64],
    hr: &mut [Option<f64>],
    cad: &[Option<f64>],
    settings: &AthleteSettings,
) -> usize {
    let n = t_s.len();
    let near = |i: usize, hr: &[Option<f64>]| matches!((hr[i], cad[i]), (Some(h), Some(c)) if (h - c).abs() <= settings.cadence_lock_bpm);
    let mut removed = 0;
    let mut i = 0;
    while i < n {
        if !near(i, hr) {
            i += 1;
            continue;
        }
        let a = i;
        i += 1;
        while i < n && near(i, hr) && t_s[i] - t_s[i - 1] <= 1.0 {
            i += 1;
        }
        #[allow(clippy::cast_precision_loss)]
        if (i - a) as f64 >= settings.cadence_lock_min_s {
            for h in &mut hr[a..i] {
                *h = None;
            }
            removed += i - a;
        }
    }
    removed
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

    #[test]
    fn lerp_needs_both_ends() {
        assert_eq!(lerp(Some(1.0), None, 0.0), Some(1.0));
        assert_eq!(lerp(Some(1.0), None, 0.5), None);
        assert_eq!(lerp(Some(1.0), Some(3.0), 0.5), Some(2.0));
    }

    #[test]
    fn sports() {
        assert!(is_running(Some("running")));
        assert!(is_running(Some("trail_running")));
        assert!(is_running(None));
        assert!(!is_running(Some("cycling")));
    }
}

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
//!    `pause_gap_s` is a pause only where its progress does not account for it
//!    ([`pauses::gap_pause`]: smart recording leaves gaps while the runner moves on), and a span
//!    of smoothed speed under `pause_speed_m_s` lasting `pause_min_s` or more is a pause unless
//!    the cadence shows steps.
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

mod pauses;
mod samples;
mod speed;
mod valid_hr;

use hrdrift_ingest::{Activity, jump_speed_m_s, track};
use serde::{Deserialize, Serialize};

use crate::gap;
use crate::settings::AthleteSettings;
use pauses::pauses;
use samples::{ALT, CAD, DIST, HR, LAT, LON, POWER, raw};
use speed::{progress, speed};
use valid_hr::{Gaps, cadence_lock, hr_covered_ms, spike_mask};

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
    /// Power (W), interpolated like the others; a reading of 0 (coasting) is a value.
    pub power: Vec<Option<f64>>,
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

/// Whether the sport is on foot (running, walking, hiking), or unknown (taken as a run): the
/// sports whose speed GAP and the speed-based metrics read (METRICS.md 7).
#[must_use]
pub fn is_on_foot(sport: Option<&str>) -> bool {
    is_running(sport) || sport.is_some_and(|s| s.contains("walk") || s.contains("hik"))
}

/// Whether the sport is a ride (cycling of any kind, FIT's `cycling`, `e_biking`, Strava's
/// rides): the sports `lthr_bike` applies to.
#[must_use]
pub fn is_ride(sport: Option<&str>) -> bool {
    sport.is_some_and(|s| s.contains("cycl") || s.contains("bik") || s.contains("ride"))
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
    #[expect(clippy::cast_precision_loss)]
    let moving_s = moving_ms as f64 / 1000.0;
    out.moving_s = moving_s;

    // 5. The 1 Hz grid.
    #[expect(clippy::cast_possible_truncation)]
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
    let any_power = raw.ch[POWER].iter().any(Option::is_some);
    let mut pw = Vec::with_capacity(if any_power { cap } else { 0 });
    let ceil_s = |ms: i128| (ms + 999).div_euclid(1000);
    let mut emit = |k: i128, a: usize, b: usize, ma: i128, span: i128| {
        let off = k * 1000 - ma;
        // k is below 2^64 / 1000 and off and span below 300 s, so all fit in i64, whose
        // conversion to f64 is one instruction (i128's is a library call, on the hottest loop
        // of the import now that recording gaps are filled).
        #[expect(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
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
        if any_power {
            pw.push(lerp(raw.ch[POWER][a], raw.ch[POWER][b], f));
        }
    };
    #[expect(clippy::cast_possible_truncation)]
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
    #[expect(clippy::cast_possible_truncation)]
    let cover_ms = i128::from((settings.coverage_max_gap_s * 1000.0).round() as i64);
    let readings: Vec<(i128, f64)> = moving
        .iter()
        .filter_map(|(i, ma)| raw.ch[HR][*i].map(|h| (*ma, h)))
        .collect();
    // Only where HR is a partial channel (under `PARTIAL_HR_SHARE` of the samples carry it):
    // in a file that records HR with every sample, a sample without it is a dropout, which
    // METRICS.md excludes rather than invents.
    #[expect(clippy::cast_precision_loss)]
    let partial = (readings.len() as f64) < PARTIAL_HR_SHARE * moving.len() as f64;
    if partial {
        let max_ms = cover_ms.max(fill_ms);
        let mut r = 0_usize;
        for (j, h) in hr.iter_mut().enumerate() {
            if h.is_some() {
                continue;
            }
            #[expect(clippy::cast_possible_truncation)]
            let ms = (t_s[j] as i128) * 1000;
            while r + 1 < readings.len() && readings[r + 1].0 <= ms {
                r += 1;
            }
            if let (Some(a), Some(b)) = (readings.get(r), readings.get(r + 1))
                && a.0 <= ms
                && b.0 > ms
                && b.0 - a.0 <= max_ms
            {
                #[expect(clippy::cast_precision_loss)]
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
    #[expect(clippy::cast_possible_truncation)]
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
    #[expect(clippy::cast_precision_loss)]
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
    out.power = pw;
    out.stats = stats;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! Steps 6 and 8 of the module docs of [`super`]: HR spikes and cadence lock taken off the grid,
//! and the moving time that valid HR readings cover.

use crate::settings::AthleteSettings;
use crate::stats::{centred_windows, median_in_place};

/// The gap lengths of HR coverage (ms): see [`hr_covered_ms`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Gaps {
    /// Readings at most this far apart cover the time between them.
    pub cover_ms: i128,
    /// After a longer gap, a reading covers this much.
    pub fill_ms: i128,
    /// Readings on consecutive samples (nothing recorded between them) cover a recording gap
    /// up to this long.
    pub recording_ms: i128,
}

/// Moving time (ms) covered by valid HR readings (step 8 of the module docs of [`super`]):
/// `readings` are their indices among the samples on the moving clock with their moving times,
/// in increasing order, `removed_s` the grid seconds (increasing) whose HR was removed as a
/// spike or cadence lock.
pub(super) fn hr_covered_ms(
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
pub(super) fn spike_mask(t_s: &[f64], hr: &[Option<f64>], settings: &AthleteSettings) -> Vec<bool> {
    let half = ((settings.spike_window_s - 1.0) / 2.0).max(0.0);
    let mut mask = vec![false; t_s.len()];
    let mut buf = Vec::with_capacity(64);
    for (i, window) in centred_windows(t_s, half).enumerate() {
        let Some(h) = hr[i] else { continue };
        buf.clear();
        buf.extend(hr[window].iter().flatten());
        if let Some(m) = median_in_place(&mut buf) {
            mask[i] = (h - m).abs() > settings.spike_bpm;
        }
    }
    mask
}

/// Invalidates HR over spans of at least `cadence_lock_min_s` consecutive seconds where HR is
/// within `cadence_lock_bpm` of steps/min; returns the seconds removed.
pub(super) fn cadence_lock(
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
        #[expect(clippy::cast_precision_loss)]
        if (i - a) as f64 >= settings.cadence_lock_min_s {
            for h in &mut hr[a..i] {
                *h = None;
            }
            removed += i - a;
        }
    }
    removed
}

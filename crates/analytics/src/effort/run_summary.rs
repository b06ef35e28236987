//! What typing needs of one run, kept with its metrics ([`EffortSummary`]): the mean-maximal GAP
//! speeds, the pace histogram, the steadiness blocks, the LTHR front and the habit speed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::walking::{Parts, next_to};
use super::{BEST_DURATIONS_S, BIN_M_S};
use crate::clean::Clean;
use crate::history::robust::median;
use crate::settings::AthleteSettings;
use crate::stats::Moments;

/// Width of a speed step of the LTHR front (m/s).
const FRONT_STEP_M_S: f64 = 0.05;

/// What typing a run needs of it, kept with its metrics (see the module docs of [`super`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EffortSummary {
    /// Best mean GAP speed (m/s) over each of [`BEST_DURATIONS_S`]; `None` when the run has
    /// no such span.
    pub best_gap_m_s: [Option<f64>; 7],
    /// Running GAP speed histogram: `[bin, seconds in the run, seconds in the steady
    /// portion]`, bin `k` holding speeds in `[0.02 k, 0.02 (k + 1))`.
    pub pace_hist: Vec<[u32; 3]>,
    /// Means of GAP speed over the steady portion's blocks (m/s), in order.
    pub blocks_m_s: Vec<f64>,
    /// Pareto front of `[mean GAP speed, mean HR]` over 20 min windows of running.
    pub lthr_front: Vec<[f64; 2]>,
    /// Median GAP speed of minutes 10-40 of moving time (m/s), for the habit rule.
    pub habit_gap_m_s: Option<f64>,
    /// The median moving speed is over `not_running_median_m_s`: more than half of the moving
    /// seconds with a speed are faster (a count, not a sort).
    pub not_running_speed: bool,
    /// Walking seconds and moving grid seconds.
    pub walk_s: f64,
    pub grid_s: f64,
}

/// A running second's GAP speed: not walking, not faster than running.
fn running_gap(c: &Clean, p: &Parts, s: &AthleteSettings, i: usize) -> Option<f64> {
    c.gap[i].filter(|g| !p.walking[i] && *g <= s.not_running_span_m_s)
}

/// The steadiness blocks of the steady portion (see the module docs of [`super`]).
pub(crate) fn blocks(c: &Clean, p: &Parts, s: &AthleteSettings) -> Vec<f64> {
    let width = s.steadiness_block_s;
    let mut out = Vec::new();
    let mut cur: Option<(i64, Moments)> = None;
    let flush = |cur: Option<(i64, Moments)>, out: &mut Vec<f64>| {
        if let Some((_, m)) = cur
            && m.n() >= width / 2.0
            && let Some(v) = m.mean()
        {
            out.push(v);
        }
    };
    for i in 0..c.t_s.len() {
        let t = c.t_s[i];
        if t < s.warmup_s {
            continue;
        }
        #[expect(clippy::cast_possible_truncation)]
        let b = ((t - s.warmup_s) / width).floor() as i64;
        if cur.as_ref().is_none_or(|(k, _)| *k != b) {
            flush(cur.take(), &mut out);
            cur = Some((b, Moments::default()));
        }
        if p.uses(i)
            && let Some(g) = running_gap(c, p, s, i)
            && let Some((_, m)) = cur.as_mut()
        {
            m.push(g);
        }
    }
    flush(cur, &mut out);
    out
}

/// Coefficient of variation of the blocks; `None` with fewer than two.
#[must_use]
pub fn blocks_cv(blocks: &[f64]) -> Option<f64> {
    if blocks.len() < 2 {
        return None;
    }
    let mut m = Moments::default();
    blocks.iter().for_each(|b| m.push(*b));
    m.cv()
}

/// The effort summary of one analysed run.
pub(crate) fn summary(
    c: &Clean,
    p: &Parts,
    s: &AthleteSettings,
    blocks: Vec<f64>,
) -> EffortSummary {
    let n = c.t_s.len();
    // Running speeds are at most `not_running_span_m_s` (at most 100 m/s): a few hundred
    // bins, indexed directly (a map lookup per second showed in profiles).
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let bins = (s.not_running_span_m_s / BIN_M_S)
        .ceil()
        .clamp(1.0, 10_000.0) as usize
        + 1;
    let mut hist = vec![[0_u32; 2]; bins];
    for i in 0..n {
        if let Some(g) = running_gap(c, p, s, i) {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let k = ((g / BIN_M_S).floor().max(0.0) as usize).min(bins - 1);
            hist[k][0] += 1;
            if c.t_s[i] >= s.warmup_s {
                hist[k][1] += 1;
            }
        }
    }
    let window: Vec<f64> = (0..n)
        .filter(|&i| c.t_s[i] >= s.window_from_s && c.t_s[i] < s.window_to_s && p.uses(i))
        .filter_map(|i| c.gap[i])
        .collect();
    #[expect(clippy::cast_precision_loss)]
    let window_s = window.len() as f64;
    #[expect(clippy::cast_precision_loss)]
    let walk_s = p.walking.iter().filter(|w| **w).count() as f64;
    #[expect(clippy::cast_precision_loss)]
    let grid_s = n as f64;
    EffortSummary {
        best_gap_m_s: best_speeds(c, s),
        pace_hist: hist
            .iter()
            .enumerate()
            .filter(|(_, [a, _])| *a > 0)
            .map(|(k, [a, b])| [u32::try_from(k).unwrap_or(u32::MAX), *a, *b])
            .collect(),
        blocks_m_s: blocks,
        lthr_front: lthr_front(c, p, s),
        habit_gap_m_s: if window_s >= s.window_min_s {
            median(&window)
        } else {
            None
        },
        not_running_speed: faster_than_half(&c.speed, s.not_running_median_m_s),
        walk_s,
        grid_s,
    }
}

/// Whether more than half of the seconds with a speed are faster than `limit` (the median is).
fn faster_than_half(speed: &[Option<f64>], limit: f64) -> bool {
    let (mut n, mut fast) = (0_usize, 0_usize);
    for v in speed.iter().flatten() {
        n += 1;
        fast += usize::from(*v > limit);
    }
    n > 0 && 2 * fast > n
}

/// Spans of consecutive grid seconds with a GAP speed of running (a hole or a faster second
/// ends a span), as index ranges.
fn spans(c: &Clean, s: &AthleteSettings, ok: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for i in 0..c.t_s.len() {
        let good = c.gap[i].is_some_and(|g| g <= s.not_running_span_m_s) && ok(i);
        match start {
            Some(a) if !good || !next_to(&c.t_s, i) => {
                out.push((a, i));
                start = good.then_some(i);
            }
            None if good => start = Some(i),
            _ => {}
        }
    }
    if let Some(a) = start {
        out.push((a, c.t_s.len()));
    }
    out
}

fn best_speeds(c: &Clean, s: &AthleteSettings) -> [Option<f64>; 7] {
    let mut best = [None; 7];
    let mut prefix = Vec::new();
    for (a, b) in spans(c, s, |_| true) {
        prefix.clear();
        prefix.push(0.0);
        let mut sum = 0.0;
        for g in &c.gap[a..b] {
            sum += g.unwrap_or(0.0);
            prefix.push(sum);
        }
        let len = b - a;
        for (k, &d) in BEST_DURATIONS_S.iter().enumerate() {
            if len < d {
                continue;
            }
            #[expect(clippy::cast_precision_loss)]
            let top = (d..=len)
                .map(|e| prefix[e] - prefix[e - d])
                .fold(f64::NEG_INFINITY, f64::max)
                / d as f64;
            if top.is_finite() && best[k].is_none_or(|v| top > v) {
                best[k] = Some(top);
            }
        }
    }
    best
}

fn lthr_front(c: &Clean, p: &Parts, s: &AthleteSettings) -> Vec<[f64; 2]> {
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let d = s.lthr_effort_s.round().max(1.0) as usize;
    let mut steps: BTreeMap<i64, f64> = BTreeMap::new();
    let mut cur: Option<(i64, f64)> = None;
    for (a, b) in spans(c, s, |i| !p.walking[i]) {
        if b - a < d {
            continue;
        }
        let (mut gsum, mut hsum, mut hn) = (0.0, 0.0, 0.0);
        for i in a..b {
            gsum += c.gap[i].unwrap_or(0.0);
            if let Some(h) = c.hr[i] {
                hsum += h;
                hn += 1.0;
            }
            if i >= a + d {
                gsum -= c.gap[i - d].unwrap_or(0.0);
                if let Some(h) = c.hr[i - d] {
                    hsum -= h;
                    hn -= 1.0;
                }
            }
            #[expect(clippy::cast_precision_loss)]
            if i + 1 >= a + d && hn >= 0.9 * d as f64 {
                let v = gsum / d as f64;
                let h = hsum / hn;
                #[expect(clippy::cast_possible_truncation)]
                let k = (v / FRONT_STEP_M_S).floor() as i64;
                // The step changes slowly along a run: keep its running maximum and touch the
                // map only when it changes, not once per second.
                match cur.as_mut() {
                    Some((ck, ch)) if *ck == k => *ch = ch.max(h),
                    _ => {
                        if let Some((ck, ch)) = cur.replace((k, h)) {
                            let e = steps.entry(ck).or_insert(ch);
                            *e = e.max(ch);
                        }
                    }
                }
            }
        }
    }
    if let Some((ck, ch)) = cur {
        let e = steps.entry(ck).or_insert(ch);
        *e = e.max(ch);
    }
    // Fastest first: a slower step stays only when its HR is higher than every faster one's.
    let mut front = Vec::new();
    let mut top = f64::NEG_INFINITY;
    for (k, h) in steps.into_iter().rev() {
        if h > top && h.is_finite() {
            #[expect(clippy::cast_precision_loss)]
            front.push([k as f64 * FRONT_STEP_M_S, h]);
            top = h;
        }
    }
    front
}

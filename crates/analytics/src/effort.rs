//! Effort without heart rate (METRICS.md sections 3a and 3b): walking inside a run, the
//! steadiness of a run, the mean-maximal GAP speeds, and what a session's type needs.
//!
//! A session's type depends on the runner's threshold speed, which depends on the other runs
//! (the critical speed of the trailing 90 days, or the habit of the trailing 42). So the type
//! is not stored: each activity keeps an [`EffortSummary`] (anchor-free, like the HR summary),
//! and [`fill_session_types`] types every row from those summaries whenever the rows are read.
//! A change of `threshold_pace`, or an estimate that moves, then recomputes nothing but the
//! types.
//!
//! Choices where METRICS.md leaves room:
//! - **Running seconds** are the grid seconds of a run that are not walking and whose GAP
//!   speed is at most `not_running_span_m_s` (7 m/s). The pace zones count running seconds.
//! - **Walking** needs `walk_min_s` (10 s) in a row of consecutive grid seconds. A second with a
//!   cadence reading is judged on cadence, one without on speed (so a file whose cadence
//!   drops out does not turn into a walk).
//! - **Mean-maximal speeds** are rolling means over consecutive grid seconds; a hole in the
//!   grid or a second faster than 7 m/s ends a span. Walking seconds count (at their speed):
//!   a run-walker's best 20 min are the 20 min they did, walks included.
//! - **Steadiness blocks** cut the steady portion's moving time into `steadiness_block_s`
//!   (30 s) blocks; a block's mean is over its used seconds (running, and for a run-walk run
//!   not in the first `walk_recovery_s` after a walk), and counts when at least half of the
//!   block's seconds are used.
//! - **Fast repetitions** are maximal spans of consecutive blocks above the P3 bound lasting at
//!   least `fast_rep_min_s` (60 s); a session has "P3 repetitions" with two or more. A
//!   continuous tempo is one span, strides of 20 s none.
//! - **Pace zones** come from a histogram of running GAP speed in 0.02 m/s bins; a bin that a
//!   zone bound cuts is shared between the two zones in proportion to the part of the bin on
//!   each side (the speeds in a bin taken as even over its 0.02 m/s).
//! - **Threshold speed of a run** is that of the trailing windows ending with the run (the run
//!   itself included): the critical speed of the `cs_days` (90) up to it, else the habit rule
//!   over the runs before it (a first interval session's own minutes 10-40 are no habit). The
//!   first run of a history has neither, and stays untyped (`no_threshold`).
//!   Beyond METRICS.md's rules, a critical speed is accepted only when it is at least
//!   `cs_min_over_habit` (1.10) x the habitual speed: a critical speed is sustainable for half
//!   an hour or so, so a runner's everyday pace sits well below it, and the hills of easy runs
//!   alone pass the other rules with a "critical speed" under the everyday pace. Without a
//!   habit to check against, a fit from a single run is not accepted either.
//! - **LTHR from efforts** keeps, per activity, the Pareto front of (mean GAP speed, mean HR)
//!   over its windows of `lthr_effort_s` (20 min) of running without walking, with speeds in
//!   0.05 m/s steps; the estimate is the highest HR of a front point at or above
//!   `lthr_effort_speed_frac` x the latest threshold speed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clean::Clean;
use crate::history::robust::median;
use crate::metrics::{ActivityMetrics, SessionClass, flag, reason};
use crate::settings::AthleteSettings;
use crate::stats::Moments;

/// Durations of the mean-maximal GAP speeds (s).
pub const BEST_DURATIONS_S: [usize; 7] = [60, 180, 300, 600, 1200, 1800, 3600];
/// Width of a pace histogram bin (m/s).
const BIN_M_S: f64 = 0.02;
/// Width of a speed step of the LTHR front (m/s).
const FRONT_STEP_M_S: f64 = 0.05;
const MS_PER_DAY: f64 = 86_400_000.0;

/// What typing a run needs of it, kept with its metrics (see the module docs).
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

/// Walking and the seconds the steady metrics use.
pub(crate) struct Parts {
    pub walking: Vec<bool>,
    /// Per grid second: used by the steady-portion metrics and the elevation windows. `None`
    /// when every second is (a run that is not run-walk).
    pub used: Option<Vec<bool>>,
    pub walk_share: f64,
    pub run_walk: bool,
}

impl Parts {
    pub fn uses(&self, i: usize) -> bool {
        self.used.as_ref().is_none_or(|u| u[i])
    }
}

/// Consecutive grid seconds.
fn next_to(t: &[f64], i: usize) -> bool {
    i > 0 && t[i] - t[i - 1] <= 1.0 + 1e-9
}

/// Walking inside a run (METRICS.md 3b) and the seconds the steady metrics use.
pub(crate) fn parts(c: &Clean, s: &AthleteSettings, running: bool) -> Parts {
    let n = c.t_s.len();
    let none = || Parts {
        walking: vec![false; n],
        used: None,
        walk_share: 0.0,
        run_walk: false,
    };
    if !running || n == 0 {
        return none();
    }
    // The speed rule needs the run's median GAP speed, only where cadence is missing.
    let median_gap = if c.cadence.iter().all(|v| v.is_some_and(|v| v > 0.0)) {
        None
    } else {
        let gaps: Vec<f64> = c.gap.iter().flatten().copied().collect();
        median(&gaps)
    };
    let slow = |i: usize| -> bool {
        match c.cadence[i].filter(|v| *v > 0.0) {
            Some(spm) => spm < s.walk_cadence_spm,
            None => c.gap[i].is_some_and(|g| {
                g < s.walk_speed_m_s && median_gap.is_some_and(|m| g < s.walk_speed_ratio * m)
            }),
        }
    };
    let mut walking = vec![false; n];
    let mut i = 0;
    while i < n {
        if !slow(i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && next_to(&c.t_s, j) && slow(j) {
            j += 1;
        }
        if c.t_s[j - 1] - c.t_s[i] + 1.0 >= s.walk_min_s {
            walking[i..j].fill(true);
        }
        i = j;
    }
    #[allow(clippy::cast_precision_loss)]
    let (walk_s, grid_s) = (walking.iter().filter(|w| **w).count() as f64, n as f64);
    let walk_share = walk_s / grid_s;
    let run_walk = walk_share >= s.run_walk_min_share && walk_s > 0.0;
    let used = run_walk.then(|| {
        let mut used = vec![true; n];
        let mut walk_end: Option<f64> = None;
        for k in 0..n {
            if walking[k] {
                used[k] = false;
                walk_end = Some(c.t_s[k] + 1.0);
            } else if let Some(e) = walk_end {
                used[k] = c.t_s[k] >= e + s.walk_recovery_s;
            }
        }
        used
    });
    Parts {
        walking,
        used,
        walk_share,
        run_walk,
    }
}

/// A running second's GAP speed: not walking, not faster than running.
fn running_gap(c: &Clean, p: &Parts, s: &AthleteSettings, i: usize) -> Option<f64> {
    c.gap[i].filter(|g| !p.walking[i] && *g <= s.not_running_span_m_s)
}

/// The steadiness blocks of the steady portion (see the module docs).
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
        #[allow(clippy::cast_possible_truncation)]
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
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let bins = (s.not_running_span_m_s / BIN_M_S)
        .ceil()
        .clamp(1.0, 10_000.0) as usize
        + 1;
    let mut hist = vec![[0_u32; 2]; bins];
    for i in 0..n {
        if let Some(g) = running_gap(c, p, s, i) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
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
    #[allow(clippy::cast_precision_loss)]
    let window_s = window.len() as f64;
    #[allow(clippy::cast_precision_loss)]
    let walk_s = p.walking.iter().filter(|w| **w).count() as f64;
    #[allow(clippy::cast_precision_loss)]
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
            #[allow(clippy::cast_precision_loss)]
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
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
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
            #[allow(clippy::cast_precision_loss)]
            if i + 1 >= a + d && hn >= 0.9 * d as f64 {
                let v = gsum / d as f64;
                let h = hsum / hn;
                #[allow(clippy::cast_possible_truncation)]
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
            #[allow(clippy::cast_precision_loss)]
            front.push([k as f64 * FRONT_STEP_M_S, h]);
            top = h;
        }
    }
    front
}

/// Where a threshold speed came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdSource {
    /// `threshold_pace` in the config file.
    Configured,
    /// Critical speed of the trailing 90 days' best efforts.
    Estimated,
    /// Habitual speed / 0.78.
    EstimatedFromHabit,
}

impl ThresholdSource {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ThresholdSource::Configured => "configured",
            ThresholdSource::Estimated => "estimated",
            ThresholdSource::EstimatedFromHabit => "estimated_from_habit",
        }
    }
}

/// A critical-speed fit (Jones & Vanhatalo 2017): distance = D' + CS x t.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsFit {
    pub cs_m_s: f64,
    pub d_prime_m: f64,
    /// The best efforts fitted: `[duration s, speed m/s]`.
    pub points: Vec<[f64; 2]>,
    /// Whether the fit passed the acceptance rules of METRICS.md 3a.
    pub accepted: bool,
}

/// A threshold speed with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub speed_m_s: f64,
    pub source: ThresholdSource,
    /// The critical-speed fit of the period, accepted or not, when there were points.
    pub cs: Option<CsFit>,
}

/// Best 3, 5, 10 and 20 min efforts (indices into [`BEST_DURATIONS_S`]).
const CS_POINTS: [usize; 4] = [1, 2, 3, 4];

/// The critical-speed fit of the best efforts `best` (per [`BEST_DURATIONS_S`]).
#[must_use]
pub fn cs_fit(best: &[Option<f64>; 7], s: &AthleteSettings) -> Option<CsFit> {
    let points: Vec<[f64; 2]> = CS_POINTS
        .iter()
        .filter_map(|&k| {
            #[allow(clippy::cast_precision_loss)]
            best[k].map(|v| [BEST_DURATIONS_S[k] as f64, v])
        })
        .collect();
    if points.len() < 3 {
        return None;
    }
    let t: Vec<f64> = points.iter().map(|p| p[0]).collect();
    let d: Vec<f64> = points.iter().map(|p| p[0] * p[1]).collect();
    let (d_prime, cs) = crate::stats::ols_slope(&t, &d)?;
    let ratio_ok = match (best[1], best[4]) {
        (Some(b3), Some(b20)) => b3 >= s.cs_min_ratio_3_20 * b20,
        _ => false,
    };
    let accepted = ratio_ok
        && cs > 0.0
        && (s.cs_d_prime_min_m..=s.cs_d_prime_max_m).contains(&d_prime)
        && cs.is_finite();
    Some(CsFit {
        cs_m_s: cs,
        d_prime_m: d_prime,
        points,
        accepted,
    })
}

/// What [`fill_session_types`] found about the athlete, as of the latest run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EffortState {
    /// The threshold speed of the latest run (and how it was found).
    pub threshold: Option<Threshold>,
    /// LTHR from the sustained efforts of the `cs_days` before the latest run (bpm).
    pub lthr_from_efforts: Option<f64>,
    /// Start of the latest run the state is of (ms UTC).
    pub as_of_ms: Option<i64>,
}

/// A row to type, placed in time.
struct Row {
    idx: usize,
    start_ms: i64,
    end_ms: i64,
    /// Counts for the running baselines (a run, not a ride saved as one).
    running_ok: bool,
}

fn is_running_row(m: &ActivityMetrics) -> bool {
    crate::clean::is_running(m.sport.as_deref())
}

/// The trailing window `(from, to]` of a sorted list by end time.
fn trailing(rows: &[Row], upto: usize, span_ms: f64) -> impl Iterator<Item = &Row> {
    let end = rows[upto].end_ms;
    #[allow(clippy::cast_possible_truncation)]
    let from = end.saturating_sub(span_ms as i64);
    rows[..=upto]
        .iter()
        .rev()
        .take_while(move |r| r.end_ms > from)
}

/// The threshold speed for the run at `upto` (see the module docs).
fn threshold_at(
    rows: &[Row],
    upto: usize,
    all: &[ActivityMetrics],
    s: &AthleteSettings,
) -> Option<Threshold> {
    if let Some(p) = s.threshold_pace {
        return Some(Threshold {
            speed_m_s: p.speed_m_s(),
            source: ThresholdSource::Configured,
            cs: None,
        });
    }
    let mut best: [Option<f64>; 7] = [None; 7];
    let mut runs = 0_usize;
    for r in trailing(rows, upto, s.cs_days * MS_PER_DAY).filter(|r| r.running_ok) {
        if let Some(e) = &all[r.idx].effort {
            runs += 1;
            for (b, v) in best.iter_mut().zip(e.best_gap_m_s) {
                if let Some(v) = v.filter(|v| v.is_finite())
                    && b.is_none_or(|x| v > x)
                {
                    *b = Some(v);
                }
            }
        }
    }
    // The habit is what the runner did before this run: a hard session's own minutes 10-40
    // are no habit (a first interval session would set its own threshold above its reps).
    let habit: Vec<f64> = trailing(rows, upto, s.habit_days * MS_PER_DAY)
        .skip(1)
        .filter(|r| r.running_ok && all[r.idx].moving_s >= s.habit_min_run_s)
        .filter_map(|r| all[r.idx].effort.as_ref()?.habit_gap_m_s)
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let habit = median(&habit);
    let mut cs = cs_fit(&best, s);
    if let Some(fit) = cs.as_mut() {
        fit.accepted &= match habit {
            Some(h) => fit.cs_m_s >= s.cs_min_over_habit * h,
            // Nothing to check it against: one run's efforts are no history (the hills of a
            // first easy run pass the other rules), several are.
            None => runs > 1,
        };
    }
    if let Some(fit) = cs.as_ref().filter(|f| f.accepted) {
        return Some(Threshold {
            speed_m_s: fit.cs_m_s,
            source: ThresholdSource::Estimated,
            cs: Some(fit.clone()),
        });
    }
    habit.map(|h| Threshold {
        speed_m_s: h / s.habit_ratio,
        source: ThresholdSource::EstimatedFromHabit,
        cs,
    })
}

/// Seconds in P1..P3 of the whole run and of its steady portion. A bin that a zone bound cuts
/// is shared between the two zones in proportion (its speeds taken as spread evenly over it):
/// judging it whole by its centre moved up to a minute between zones on a real run whose pace
/// sat on the bound.
fn pace_zones(e: &EffortSummary, vt: f64, s: &AthleteSettings) -> ([f64; 3], [f64; 3]) {
    let (b2, b3) = (s.pace_p2_from * vt, s.pace_p3_from * vt);
    let (mut all, mut steady) = ([0.0; 3], [0.0; 3]);
    for [k, a, b] in &e.pace_hist {
        let lo = f64::from(*k) * BIN_M_S;
        let below = |bound: f64| ((bound - lo) / BIN_M_S).clamp(0.0, 1.0);
        // Shares of the bin under P2's bound, in P2 (up to P3's bound), and above.
        let p1 = below(b2);
        let p2 = below(b3) - p1;
        let shares = [p1, p2, 1.0 - p1 - p2];
        for z in 0..3 {
            all[z] += shares[z] * f64::from(*a);
            steady[z] += shares[z] * f64::from(*b);
        }
    }
    (all, steady)
}

/// Spans of blocks above P3 lasting at least `fast_rep_min_s`.
fn fast_reps(e: &EffortSummary, vt: f64, s: &AthleteSettings) -> u32 {
    let need = (s.fast_rep_min_s / s.steadiness_block_s).ceil().max(1.0);
    let (mut reps, mut run) = (0, 0.0);
    for b in e.blocks_m_s.iter().chain(std::iter::once(&0.0)) {
        if *b > s.pace_p3_from * vt {
            run += 1.0;
        } else {
            if run >= need {
                reps += 1;
            }
            run = 0.0;
        }
    }
    reps
}

/// Types one row against a threshold (METRICS.md 3a), and applies what the type decides:
/// `effort_mismatch`, and a hard session with fast repetitions losing its decoupling and drift.
pub fn type_row(m: &mut ActivityMetrics, vt: Option<&Threshold>, s: &AthleteSettings) {
    m.absent.remove("class");
    m.flags.retain(|f| f != flag::EFFORT_MISMATCH);
    m.class = None;
    m.class_basis = None;
    m.p_zones_s = None;
    m.fast_reps = None;
    m.threshold_speed_m_s = None;
    m.threshold_source = None;
    if !is_running_row(m) {
        m.absent
            .insert("class".to_owned(), reason::NOT_RUNNING.to_owned());
        return;
    }
    let usable = m
        .effort
        .as_ref()
        .filter(|e| e.pace_hist.iter().any(|h| h[1] > 0));
    let by_pace = match (usable, vt) {
        (Some(e), Some(t)) if !m.flags.iter().any(|f| f == flag::NOT_RUNNING_SPEED) => {
            let (all, steady) = pace_zones(e, t.speed_m_s, s);
            let steady_n: f64 = steady.iter().sum();
            let (p1, n) = if steady_n > 0.0 {
                (steady[0], steady_n)
            } else {
                (all[0], all.iter().sum())
            };
            let class = if all[2] >= s.hard_p3_s || all[1] + all[2] >= s.hard_p2_p3_s {
                SessionClass::Hard
            } else if n > 0.0 && p1 / n >= s.easy_p1_share {
                SessionClass::Easy
            } else {
                SessionClass::Moderate
            };
            m.p_zones_s = Some(all);
            m.fast_reps = Some(fast_reps(e, t.speed_m_s, s));
            m.threshold_speed_m_s = Some(t.speed_m_s);
            m.threshold_source = Some(t.source);
            Some(class)
        }
        _ => None,
    };
    let no_speed = usable.is_none();
    match (by_pace, m.hr_class) {
        (Some(c), _) => {
            m.class = Some(c);
            m.class_basis = Some(ClassBasis::Pace);
        }
        // Only a run without usable speed is typed by heart rate (METRICS.md 3a): a run with
        // speed but no threshold yet stays untyped rather than typed by what it cost.
        (None, Some(c)) if no_speed => {
            m.class = Some(c);
            m.class_basis = Some(ClassBasis::Hr);
        }
        (None, _) => {
            let why = if no_speed {
                m.absent
                    .get("hr_class")
                    .cloned()
                    .unwrap_or_else(|| reason::NO_SPEED.to_owned())
            } else if m.flags.iter().any(|f| f == flag::NOT_RUNNING_SPEED) {
                flag::NOT_RUNNING_SPEED.to_owned()
            } else {
                reason::NO_THRESHOLD.to_owned()
            };
            m.absent.insert("class".to_owned(), why);
        }
    }
    if m.class == Some(SessionClass::Easy)
        && matches!(
            m.hr_class,
            Some(SessionClass::Moderate | SessionClass::Hard)
        )
    {
        m.flags.push(flag::EFFORT_MISMATCH.to_owned());
    }
    if m.class == Some(SessionClass::Hard) && m.fast_reps.is_some_and(|r| r >= 2) {
        for (name, slot) in [
            ("decoupling_pct", &mut m.decoupling_pct),
            ("drift_bpm_per_h", &mut m.drift_bpm_per_h),
            ("drift_pct", &mut m.drift_pct),
        ] {
            if slot.take().is_some() {
                m.absent
                    .insert(name.to_owned(), reason::UNSTEADY.to_owned());
            }
        }
        m.decoupling_quality = None;
    }
}

/// What decided a session's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassBasis {
    Pace,
    Hr,
}

/// Whether a row is a steady run (METRICS.md 4): type `easy`, or `moderate` without P3
/// repetitions, with a decoupling quality.
#[must_use]
pub fn is_steady_run(m: &ActivityMetrics) -> bool {
    let typed = match m.class {
        Some(SessionClass::Easy) => true,
        Some(SessionClass::Moderate) => m.fast_reps.is_none_or(|r| r < 2),
        _ => false,
    };
    typed && m.decoupling_quality.is_some() && !m.flags.iter().any(|f| f == flag::NOT_RUNNING_SPEED)
}

/// Types every row (any order) from the rows' effort summaries: each run against the threshold
/// speed of its own date. Returns the state as of the latest run.
pub fn fill_session_types(rows: &mut [ActivityMetrics], settings: &AthleteSettings) -> EffortState {
    let s = settings.sanitized();
    let mut placed: Vec<Row> = rows
        .iter()
        .enumerate()
        .filter(|(_, m)| is_running_row(m) && m.start_ms != 0)
        .map(|(idx, m)| Row {
            idx,
            start_ms: m.start_ms,
            end_ms: m.end_ms.max(m.start_ms),
            running_ok: !m.flags.iter().any(|f| f == flag::NOT_RUNNING_SPEED),
        })
        .collect();
    placed.sort_by_key(|r| (r.end_ms, r.start_ms));
    let thresholds: Vec<Option<Threshold>> = (0..placed.len())
        .map(|k| threshold_at(&placed, k, rows, &s))
        .collect();
    let mut typed = vec![false; rows.len()];
    for (r, t) in placed.iter().zip(&thresholds) {
        type_row(&mut rows[r.idx], t.as_ref(), &s);
        typed[r.idx] = true;
    }
    for (m, done) in rows.iter_mut().zip(typed) {
        if !done {
            // Not placed in time: only a configured threshold can type it.
            let t = threshold_at_config(&s);
            type_row(m, t.as_ref(), &s);
        }
    }
    let mut state = EffortState::default();
    if let (Some(last), Some(t)) = (placed.last(), thresholds.last()) {
        state.as_of_ms = Some(last.start_ms);
        state.threshold = t.clone();
        if let Some(t) = t {
            let floor = s.lthr_effort_speed_frac * t.speed_m_s;
            state.lthr_from_efforts = trailing(&placed, placed.len() - 1, s.cs_days * MS_PER_DAY)
                .filter(|r| r.running_ok)
                .filter_map(|r| rows[r.idx].effort.as_ref())
                .flat_map(|e| e.lthr_front.iter())
                .filter(|p| p[0] >= floor && p[1].is_finite())
                .map(|p| p[1])
                .fold(None, |acc: Option<f64>, h| {
                    Some(acc.map_or(h, |a| a.max(h)))
                });
        }
    } else {
        state.threshold = threshold_at_config(&s);
    }
    state
}

pub(crate) fn threshold_at_config(s: &AthleteSettings) -> Option<Threshold> {
    s.threshold_pace.map(|p| Threshold {
        speed_m_s: p.speed_m_s(),
        source: ThresholdSource::Configured,
        cs: None,
    })
}

/// One duration of a pace-duration curve: the best mean GAP speed over it in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub duration_s: u32,
    pub speed_m_s: f64,
    /// The activity that holds the best, and its start (RFC 3339 UTC).
    pub id: String,
    pub start: String,
}

/// The pace-duration curve of the runs that started in `[from_ms, to_ms)`: for each of
/// [`BEST_DURATIONS_S`], the best mean-maximal GAP speed of those runs. Rides saved as runs
/// (`not_running_speed`) stay out. Durations no run reached are left out.
#[must_use]
pub fn pace_curve(rows: &[ActivityMetrics], from_ms: i64, to_ms: i64) -> Vec<CurvePoint> {
    let mut best: [Option<(f64, &ActivityMetrics)>; 7] = [None; 7];
    for m in rows.iter().filter(|m| {
        is_running_row(m)
            && m.start_ms >= from_ms
            && m.start_ms < to_ms
            && !m.flags.iter().any(|f| f == flag::NOT_RUNNING_SPEED)
    }) {
        let Some(e) = &m.effort else { continue };
        for (slot, v) in best.iter_mut().zip(e.best_gap_m_s) {
            if let Some(v) = v.filter(|v| v.is_finite())
                && slot.is_none_or(|(b, _)| v > b)
            {
                *slot = Some((v, m));
            }
        }
    }
    BEST_DURATIONS_S
        .iter()
        .zip(best)
        .filter_map(|(&d, b)| {
            let (v, m) = b?;
            Some(CurvePoint {
                duration_s: u32::try_from(d).unwrap_or(u32::MAX),
                speed_m_s: v,
                id: m.id.clone(),
                start: m.start.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_speed_is_recovered_from_exact_best_efforts() {
        let s = AthleteSettings::default();
        for (cs, dp) in [(4.0, 200.0), (3.2, 120.0), (5.1, 350.0)] {
            let mut best = [None; 7];
            for (k, &d) in BEST_DURATIONS_S.iter().enumerate() {
                #[allow(clippy::cast_precision_loss)]
                let t = d as f64;
                best[k] = Some((dp + cs * t) / t);
            }
            let fit = cs_fit(&best, &s).unwrap();
            assert!((fit.cs_m_s - cs).abs() < 1e-9, "{fit:?}");
            assert!((fit.d_prime_m - dp).abs() < 1e-6, "{fit:?}");
            assert_eq!(fit.points.len(), 4);
            assert!(fit.accepted, "{fit:?}");
        }
    }

    #[test]
    fn critical_speed_is_refused_without_a_hard_effort_or_with_an_odd_d_prime() {
        let s = AthleteSettings::default();
        // An easy runner: every best effort within 3 % of the others.
        let mut best = [None; 7];
        for (k, &d) in BEST_DURATIONS_S.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let t = d as f64;
            best[k] = Some((30.0 + 3.0 * t) / t);
        }
        let fit = cs_fit(&best, &s).unwrap();
        assert!(!fit.accepted, "{fit:?}");
        // Two points only.
        let mut two = [None; 7];
        two[1] = Some(4.5);
        two[4] = Some(4.0);
        assert!(cs_fit(&two, &s).is_none());
        // D' of 1 km.
        let mut big = [None; 7];
        for (k, &d) in BEST_DURATIONS_S.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let t = d as f64;
            big[k] = Some((1000.0 + 4.0 * t) / t);
        }
        assert!(!cs_fit(&big, &s).unwrap().accepted);
    }

    #[test]
    fn fast_repetitions_count_spans_not_blocks() {
        let s = AthleteSettings::default();
        let e = |blocks: Vec<f64>| EffortSummary {
            blocks_m_s: blocks,
            ..EffortSummary::default()
        };
        // 4 x (4 min fast, 2 min easy) at a threshold of 4 m/s.
        let mut v = Vec::new();
        for _ in 0..4 {
            v.extend([4.5; 8]);
            v.extend([2.5; 4]);
        }
        assert_eq!(fast_reps(&e(v), 4.0, &s), 4);
        // A continuous tempo is one span; 30 s strides none.
        assert_eq!(fast_reps(&e(vec![4.1; 60]), 4.0, &s), 1);
        assert_eq!(
            fast_reps(&e(vec![3.0, 4.6, 3.0, 4.6, 3.0, 4.6, 3.0]), 4.0, &s),
            0
        );
    }
}

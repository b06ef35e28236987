//! Beat-to-beat heart rate variability from RR intervals (METRICS.md section 5): artifacts,
//! rMSSD and DFA alpha1 over sliding windows.
//!
//! The series work lives here, on the intervals alone; [`clock`] places them on the record
//! clock and gives the per-activity fields with their reasons. Choices where section 5 leaves
//! room:
//! - "The median of the 11 surrounding intervals" is taken over the 11 intervals centred on the
//!   one judged (fewer at the ends), counting only those inside 300-2000 ms, so one absurd value
//!   does not move the median its neighbours are judged by.
//! - DFA boxes are laid from the start of the window without overlap; the remainder shorter than
//!   a box is left out, as in Peng's method. Every box size from 4 to 16 beats enters the fit.

use crate::stats::ols_slope;

pub mod clock;

/// RR outside this range (ms) is not a heartbeat a runner can have.
pub const RR_RANGE_MS: (f64, f64) = (300.0, 2000.0);
/// An RR further than this share from its neighbours' median is an artifact.
pub const NEIGHBOUR_TOLERANCE: f64 = 0.20;
/// How many intervals (centred) give the median an RR is judged against.
pub const NEIGHBOURS: usize = 11;
/// The most artifacts a window may hold for its alpha1 to mean anything (Rogers et al.).
pub const MAX_ARTIFACT_SHARE: f64 = 0.05;
/// DFA alpha1 windows: length and step in seconds of RR.
pub const WINDOW_S: f64 = 120.0;
pub const STEP_S: f64 = 20.0;
/// The short-term box sizes of alpha1, in beats.
pub const BOXES: std::ops::RangeInclusive<usize> = 4..=16;

fn in_range(rr: f64) -> bool {
    rr.is_finite() && (RR_RANGE_MS.0..=RR_RANGE_MS.1).contains(&rr)
}

/// Which intervals are clean: inside 300-2000 ms and within 20 % of the median of the 11
/// intervals centred on them.
#[must_use]
pub fn clean_mask(rr_ms: &[f64]) -> Vec<bool> {
    let half = NEIGHBOURS / 2;
    let mut around = Vec::with_capacity(NEIGHBOURS);
    rr_ms
        .iter()
        .enumerate()
        .map(|(i, &rr)| {
            if !in_range(rr) {
                return false;
            }
            around.clear();
            let hi = (i + half + 1).min(rr_ms.len());
            around.extend(
                rr_ms[i.saturating_sub(half)..hi]
                    .iter()
                    .copied()
                    .filter(|&x| in_range(x)),
            );
            around.sort_unstable_by(f64::total_cmp);
            let median = if around.len() % 2 == 1 {
                around[around.len() / 2]
            } else {
                (around[around.len() / 2 - 1] + around[around.len() / 2]) / 2.0
            };
            (rr - median).abs() <= NEIGHBOUR_TOLERANCE * median
        })
        .collect()
}

/// Root mean square of successive differences (ms) over pairs of two clean, adjacent intervals;
/// `None` without such a pair.
#[must_use]
pub fn rmssd_ms(rr_ms: &[f64], clean: &[bool]) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0_u32);
    for (w, c) in rr_ms.windows(2).zip(clean.windows(2)) {
        if c[0] && c[1] {
            sum += (w[1] - w[0]).powi(2);
            n += 1;
        }
    }
    (n > 0)
        .then(|| (sum / f64::from(n)).sqrt())
        .filter(|x| x.is_finite())
}

/// Short-term DFA scaling exponent alpha1 of a series of intervals (artifacts already removed):
/// the slope of log F(n) on log n over box sizes of 4 to 16 beats. `None` when the series is too
/// short for the largest box twice over, or does not fluctuate (F(n) = 0: a log has no value).
#[must_use]
pub fn dfa_alpha1(rr: &[f64]) -> Option<f64> {
    if rr.len() < 2 * BOXES.end() {
        return None;
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "a window holds a few hundred beats"
    )]
    let mean = rr.iter().sum::<f64>() / rr.len() as f64;
    let mut y = Vec::with_capacity(rr.len());
    let mut acc = 0.0;
    for &x in rr {
        acc += x - mean;
        y.push(acc);
    }
    let (mut log_n, mut log_f) = (Vec::new(), Vec::new());
    for n in BOXES {
        let f = fluctuation(&y, n)?;
        #[expect(clippy::cast_precision_loss, reason = "n <= 16")]
        log_n.push((n as f64).ln());
        log_f.push(f.ln());
    }
    ols_slope(&log_n, &log_f).map(|(_, slope)| slope)
}

/// Root mean square of the residuals of a straight line fitted in each box of `n` points.
fn fluctuation(y: &[f64], n: usize) -> Option<f64> {
    #[expect(clippy::cast_precision_loss, reason = "n <= 16")]
    let nf = n as f64;
    // x = 0..n, centred: its sums are known.
    let x_mean = (nf - 1.0) / 2.0;
    let sxx = nf * (nf * nf - 1.0) / 12.0;
    let (mut rss, mut points) = (0.0, 0.0);
    for b in y.chunks_exact(n) {
        let y_mean = b.iter().sum::<f64>() / nf;
        let (mut sxy, mut syy) = (0.0, 0.0);
        for (k, &v) in b.iter().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "k < 16")]
            let dx = k as f64 - x_mean;
            let dy = v - y_mean;
            sxy += dx * dy;
            syy += dy * dy;
        }
        rss += (syy - sxy * sxy / sxx).max(0.0);
        points += nf;
    }
    let f = (rss / points).sqrt();
    (f.is_finite() && f > 0.0).then_some(f)
}

/// One alpha1 window: where it lies in RR time (seconds from the first interval), its share of
/// artifacts, and alpha1 when the window is clean enough.
#[derive(Debug, Clone, PartialEq)]
pub struct Alpha1Window {
    pub start_s: f64,
    pub end_s: f64,
    pub artifact_share: f64,
    pub alpha1: Option<f64>,
}

/// Alpha1 over windows of 120 s of RR time every 20 s (RR time is the running sum of every
/// interval, artifacts included, as a beat took that long whatever it was). A window with more
/// than 5 % artifacts keeps its share and no alpha1; the clean intervals of the others are
/// joined, not interpolated.
#[must_use]
pub fn alpha1_windows(rr_ms: &[f64], clean: &[bool]) -> Vec<Alpha1Window> {
    let mut t = Vec::with_capacity(rr_ms.len() + 1);
    let mut acc = 0.0;
    t.push(0.0);
    for &rr in rr_ms {
        acc += if rr.is_finite() && rr > 0.0 {
            rr / 1000.0
        } else {
            0.0
        };
        t.push(acc);
    }
    let mut out = Vec::new();
    let (mut lo, mut hi) = (0, 0);
    let mut start = 0.0;
    while start + WINDOW_S <= acc {
        let end = start + WINDOW_S;
        while lo < rr_ms.len() && t[lo] < start {
            lo += 1;
        }
        while hi < rr_ms.len() && t[hi + 1] <= end {
            hi += 1;
        }
        let beats = hi.saturating_sub(lo);
        if beats > 0 {
            let kept: Vec<f64> = (lo..hi).filter(|&i| clean[i]).map(|i| rr_ms[i]).collect();
            #[expect(
                clippy::cast_precision_loss,
                reason = "a window holds a few hundred beats"
            )]
            let share = (beats - kept.len()) as f64 / beats as f64;
            out.push(Alpha1Window {
                start_s: start,
                end_s: end,
                artifact_share: share,
                alpha1: (share <= MAX_ARTIFACT_SHARE)
                    .then(|| dfa_alpha1(&kept))
                    .flatten(),
            });
        }
        start += STEP_S;
    }
    out
}

/// The aerobic threshold measured across runs: the median `aet_hr_bpm` of the activities that
/// have one in the 90 days to `now_ms`, when at least [`MIN_AET_RUNS`] do (METRICS.md section 5:
/// an easy-running ceiling that does not depend on HRmax).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MeasuredAet {
    pub hr_bpm: f64,
    /// How many activities it is the median of.
    pub runs: usize,
}

/// Days of activities the measured aerobic threshold is the median over.
pub const AET_DAYS: i64 = 90;
/// The fewest runs with an `aet_hr_bpm` the measured threshold is given from: one run's
/// crossing can be off by 4 bpm (a synthetic runner whose only crossing run read 145 against
/// 141), the median of three is not.
pub const MIN_AET_RUNS: usize = 3;

#[must_use]
pub fn measured_aet(rows: &[crate::ActivityMetrics], now_ms: i64) -> Option<MeasuredAet> {
    let mut hr = aet_values(rows, now_ms);
    if hr.len() < MIN_AET_RUNS {
        return None;
    }
    hr.sort_unstable_by(f64::total_cmp);
    let n = hr.len();
    let median = if n % 2 == 1 {
        hr[n / 2]
    } else {
        f64::midpoint(hr[n / 2 - 1], hr[n / 2])
    };
    Some(MeasuredAet {
        hr_bpm: median,
        runs: n,
    })
}

/// The `aet_hr_bpm` of the activities of the 90 days to `now_ms` that have one.
fn aet_values(rows: &[crate::ActivityMetrics], now_ms: i64) -> Vec<f64> {
    let from = now_ms - AET_DAYS * crate::time::DAY_MS;
    rows.iter()
        .filter(|m| m.start_ms > from && m.start_ms <= now_ms)
        .filter_map(|m| m.aet_hr_bpm)
        .filter(|v| v.is_finite())
        .collect()
}

/// How many activities of the 90 days to `now_ms` have an `aet_hr_bpm` (fewer than
/// [`MIN_AET_RUNS`]: no measured threshold yet).
#[must_use]
pub fn aet_runs(rows: &[crate::ActivityMetrics], now_ms: i64) -> usize {
    aet_values(rows, now_ms).len()
}

/// How many of the latest easy runs the sentence against the measured threshold averages.
pub const LATEST_EASY_RUNS: usize = 3;

/// "Your easy runs average 152 bpm, above your measured aerobic threshold of 147 bpm": when the
/// latest easy runs (by pace, [`LATEST_EASY_RUNS`] of them, their HR over minutes 10-40) sat
/// above the measured threshold, else `None`.
#[must_use]
pub fn easy_above_aet(easy: &[&crate::EasyRun], aet: Option<MeasuredAet>) -> Option<String> {
    let aet = aet?;
    let hr: Vec<f64> = easy
        .iter()
        .rev()
        .filter(|r| r.session_type == Some(crate::SessionClass::Easy))
        .filter_map(|r| r.observed_hr_bpm)
        .take(LATEST_EASY_RUNS)
        .collect();
    if hr.is_empty() {
        return None;
    }
    #[expect(clippy::cast_precision_loss, reason = "at most 3 runs")]
    let mean = hr.iter().sum::<f64>() / hr.len() as f64;
    (mean.round() > aet.hr_bpm.round()).then(|| {
        format!(
            "your easy runs average {mean:.0} bpm, above your measured aerobic threshold of {:.0} bpm \
             (the median of {} {} where DFA alpha1 fell through 0.75, {AET_DAYS} days)",
            aet.hr_bpm,
            aet.runs,
            if aet.runs == 1 { "run" } else { "runs" }
        )
    })
}

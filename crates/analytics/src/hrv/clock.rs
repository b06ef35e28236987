//! RR intervals on the record clock, and the per-activity HRV fields of METRICS.md section 5:
//! `rr_beats`, `rr_artifact_pct`, `rmssd_ms`, `dfa_a1_mean`, `a1_drift`, `aet_hr_bpm`, each with
//! the reason it is absent.
//!
//! Choices where section 5 leaves room:
//! - An interval advances RR time only when it could be time a beat took (finite, above 0 and
//!   under the 5 s re-synchronisation limit): a device's invalid marker (65535) or a 0 is not
//!   time, and would push every later beat off the record clock.
//! - Only RR time falling behind the record clock is re-synchronised, as the section says: the
//!   anchor of an `hrv` message is the last record before it, so where records are seconds apart
//!   (smart recording) RR time runs ahead of its anchors by up to that gap, rightly.
//! - The steady portion is given as ranges of the record clock (its moving stretches), so a pause
//!   inside it is neither RR coverage missing nor time the beats must fill.
//! - A window's HR is that of its clean beats (60,000 / their mean RR), the heart rate the
//!   alpha1 of the same beats belongs to.
//! - `aet_hr_bpm` is fitted over every window of the activity with an alpha1 (a ramp run spans
//!   easy to hard; its steady portion need not), from at least [`MIN_AET_WINDOWS`] of them.

use super::{MAX_ARTIFACT_SHARE, STEP_S, WINDOW_S, clean_mask, dfa_alpha1};
use crate::row::reason;
use crate::stats::ols_slope;

/// RR time more than this behind the record clock is put back on it (ms).
pub const RESYNC_MS: f64 = 5_000.0;
/// Beats that add up to less than this share of the time they lie in are too sparse for
/// successive differences.
pub const MIN_RR_COVERAGE: f64 = 0.90;
/// Alpha1 at the aerobic threshold (Rogers et al. 2021).
pub const AET_ALPHA1: f64 = 0.75;
/// The most HR may move between the halves of an alpha1 window (bpm). A trend inside a window
/// raises alpha1 (DFA reads it as correlation): the synthetic athletes' warm-ups, HR rising 80
/// bpm with a 40 s time constant, read above 0.75 on uncorrelated beats and "crossed" at 120
/// bpm. A ramp test (about 1 bpm a minute) moves 2 bpm in a window.
pub const MAX_WINDOW_HR_CHANGE_BPM: f64 = 5.0;
/// How far above 0.75 at the run's lowest HR, and below at its highest, the fitted line must
/// reach. A synthetic runner whose easy runs sit 5-10 bpm above the threshold has windows
/// scattering about 0.75 (sd 0.06 a window): without this, noise made those runs "cross" and
/// read the threshold 3-7 bpm high.
pub const AET_MIN_SWING: f64 = 0.1;
/// The fewest windows with an alpha1 the aerobic threshold is fitted from.
pub const MIN_AET_WINDOWS: usize = 3;
/// Above this share of intervals equal to the one before, the series is not beat to beat. At
/// 1 ms resolution two real beats are equal about one time in ten even at a hard effort's low
/// variability (rMSSD 2-3 ms); a bike computer in the fixtures repeats each value 2 to 14 times
/// (its intervals add up to 116 % of the ride), which reads as alpha1 1.85.
pub const MAX_REPEATED_SHARE: f64 = 0.30;

/// Why a field is absent (a [`reason`] code).
pub type Why = &'static str;

/// Beat-to-beat intervals placed on the record clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Beats {
    /// Each interval in ms, as the file gave it.
    pub rr_ms: Vec<f64>,
    /// When each interval ended, in ms since the epoch.
    pub end_ms: Vec<f64>,
    /// How much RR time each interval took (0 for a value that is not time, see the module).
    pub took_ms: Vec<f64>,
    /// Whether an interval follows a re-synchronisation: no difference is taken across it.
    pub after_jump: Vec<bool>,
    /// Whether each interval is clean ([`clean_mask`]).
    pub clean: Vec<bool>,
}

impl Beats {
    /// Places `rr_ms` on the record clock. `anchors_ms[i]` is the time of the last record before
    /// the `hrv` message that carried interval `i`; without anchors (a file or store that has
    /// none), RR time starts at `start_ms` and is never re-synchronised.
    #[must_use]
    pub fn align(rr_ms: &[f64], anchors_ms: &[i64], start_ms: i64) -> Self {
        let anchored = anchors_ms.len() == rr_ms.len() && !rr_ms.is_empty();
        #[expect(
            clippy::cast_precision_loss,
            reason = "epoch milliseconds are below 2^53"
        )]
        let anchor = |i: usize| -> f64 {
            if anchored {
                anchors_ms[i] as f64
            } else {
                start_ms as f64
            }
        };
        let mut t = anchor(0);
        let mut end_ms = Vec::with_capacity(rr_ms.len());
        let mut took_ms = Vec::with_capacity(rr_ms.len());
        let mut after_jump = Vec::with_capacity(rr_ms.len());
        for (i, &rr) in rr_ms.iter().enumerate() {
            let took = if rr.is_finite() && rr > 0.0 && rr < RESYNC_MS {
                rr
            } else {
                0.0
            };
            t += took;
            let jump = anchored && t < anchor(i) - RESYNC_MS;
            if jump {
                t = anchor(i);
            }
            end_ms.push(t);
            took_ms.push(took);
            after_jump.push(jump);
        }
        Beats {
            rr_ms: rr_ms.to_vec(),
            end_ms,
            took_ms,
            after_jump,
            clean: clean_mask(rr_ms),
        }
    }

    fn len(&self) -> usize {
        self.rr_ms.len()
    }

    /// The intervals that ended inside `[from, to)`.
    fn within(&self, from: f64, to: f64) -> std::ops::Range<usize> {
        let lo = self.end_ms.partition_point(|&t| t < from);
        let hi = self.end_ms.partition_point(|&t| t < to);
        lo..hi.max(lo)
    }
}

/// One alpha1 window on the record clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockWindow {
    pub start_ms: f64,
    pub end_ms: f64,
    /// The intervals that ended in the window.
    pub beats: usize,
    pub artifact_share: f64,
    /// 60,000 / the mean of its clean intervals.
    pub hr_bpm: Option<f64>,
    pub alpha1: Result<f64, Why>,
}

impl ClockWindow {
    fn mid_ms(&self) -> f64 {
        f64::midpoint(self.start_ms, self.end_ms)
    }
}

/// Alpha1 over windows of 120 s every 20 s of the record clock, from the first beat to the last.
/// A window is `rr_sparse` when its beats add up to less than 90 % of it, `too_many_artifacts`
/// above 5 % artifacts; the clean beats of the others are joined, not interpolated.
#[must_use]
pub fn windows(beats: &Beats) -> Vec<ClockWindow> {
    let (Some(&first), Some(&last)) = (beats.end_ms.first(), beats.end_ms.last()) else {
        return Vec::new();
    };
    let origin = first - beats.took_ms[0];
    let (width, step) = (WINDOW_S * 1000.0, STEP_S * 1000.0);
    let mut out = Vec::new();
    let mut start = origin;
    while start + width <= last {
        let range = beats.within(start, start + width);
        let n = range.len();
        if n > 0 {
            let took: f64 = beats.took_ms[range.clone()].iter().sum();
            let kept: Vec<f64> = range
                .clone()
                .filter(|&i| beats.clean[i])
                .map(|i| beats.rr_ms[i])
                .collect();
            #[expect(
                clippy::cast_precision_loss,
                reason = "a window holds a few hundred beats"
            )]
            let share = (n - kept.len()) as f64 / n as f64;
            #[expect(
                clippy::cast_precision_loss,
                reason = "a window holds a few hundred beats"
            )]
            let hr_bpm = (!kept.is_empty())
                .then(|| 60_000.0 / (kept.iter().sum::<f64>() / kept.len() as f64));
            let alpha1 = if took < MIN_RR_COVERAGE * width {
                Err(reason::RR_SPARSE)
            } else if share > MAX_ARTIFACT_SHARE {
                Err(reason::TOO_MANY_ARTIFACTS)
            } else if hr_change(beats, range.clone(), start + width / 2.0)
                .is_some_and(|d| d.abs() > MAX_WINDOW_HR_CHANGE_BPM)
            {
                Err(reason::HR_CHANGING)
            } else {
                dfa_alpha1(&kept).ok_or(reason::TOO_SHORT)
            };
            out.push(ClockWindow {
                start_ms: start,
                end_ms: start + width,
                beats: n,
                artifact_share: share,
                hr_bpm,
                alpha1,
            });
        }
        start += step;
    }
    out
}

/// HR of the clean beats that ended after `mid` minus that of those before it.
fn hr_change(beats: &Beats, range: std::ops::Range<usize>, mid: f64) -> Option<f64> {
    let (mut sums, mut counts) = ([0.0; 2], [0.0_f64; 2]);
    for i in range.filter(|&i| beats.clean[i]) {
        let half = usize::from(beats.end_ms[i] >= mid);
        sums[half] += beats.rr_ms[i];
        counts[half] += 1.0;
    }
    if counts[0] == 0.0 || counts[1] == 0.0 {
        return None;
    }
    Some(60_000.0 * (counts[1] / sums[1] - counts[0] / sums[0]))
}

/// The HRV fields of one activity.
#[derive(Debug, Clone, PartialEq)]
pub struct HrvFields {
    pub rr_beats: usize,
    /// Artifacts among every interval of the activity (%).
    pub rr_artifact_pct: Result<f64, Why>,
    pub rmssd_ms: Result<f64, Why>,
    pub dfa_a1_mean: Result<f64, Why>,
    /// Mean alpha1 of the steady portion's second half minus its first.
    pub a1_drift: Result<f64, Why>,
    pub aet_hr_bpm: Result<f64, Why>,
    /// The alpha1 windows of the whole activity (none when its intervals are not beats).
    pub windows: Vec<ClockWindow>,
}

impl HrvFields {
    fn absent(why: Why) -> Self {
        HrvFields {
            rr_beats: 0,
            rr_artifact_pct: Err(why),
            rmssd_ms: Err(why),
            dfa_a1_mean: Err(why),
            a1_drift: Err(why),
            aet_hr_bpm: Err(why),
            windows: Vec::new(),
        }
    }
}

/// The HRV fields of an activity from its beats and its steady portion, given as the stretches
/// of the record clock (ms since the epoch, `[from, to)`) it moved through.
#[must_use]
pub fn fields(beats: &Beats, steady: &[(f64, f64)]) -> HrvFields {
    if beats.len() == 0 {
        return HrvFields::absent(reason::NO_RR);
    }
    let artifacts = beats.clean.iter().filter(|c| !**c).count();
    #[expect(
        clippy::cast_precision_loss,
        reason = "an activity holds well under 2^52 beats"
    )]
    let pct = 100.0 * artifacts as f64 / beats.len() as f64;
    let repeated = beats.rr_ms.windows(2).filter(|w| w[0] == w[1]).count();
    #[expect(
        clippy::cast_precision_loss,
        reason = "an activity holds well under 2^52 beats"
    )]
    if repeated as f64 > MAX_REPEATED_SHARE * beats.len() as f64 {
        return HrvFields {
            rr_beats: beats.len(),
            rr_artifact_pct: Ok(pct),
            ..HrvFields::absent(reason::RR_REPEATED)
        };
    }
    let all = windows(beats);
    HrvFields {
        rr_beats: beats.len(),
        rr_artifact_pct: Ok(pct),
        rmssd_ms: steady_rmssd(beats, steady),
        dfa_a1_mean: steady_alpha1(&all, steady, None),
        a1_drift: a1_drift(&all, steady),
        aet_hr_bpm: aet_hr(&all),
        windows: all,
    }
}

/// rMSSD over the steady portion: pairs of two clean intervals that both ended in it, not
/// across a re-synchronisation.
fn steady_rmssd(beats: &Beats, steady: &[(f64, f64)]) -> Result<f64, Why> {
    let span: f64 = steady.iter().map(|(a, b)| (b - a).max(0.0)).sum();
    if span <= 0.0 {
        return Err(reason::TOO_SHORT);
    }
    let (mut took, mut n, mut dirty) = (0.0, 0_usize, 0_usize);
    let (mut sum, mut pairs) = (0.0, 0_u32);
    for &(from, to) in steady {
        let range = beats.within(from, to);
        for i in range.clone() {
            took += beats.took_ms[i];
            n += 1;
            dirty += usize::from(!beats.clean[i]);
            if i > range.start && !beats.after_jump[i] && beats.clean[i] && beats.clean[i - 1] {
                sum += (beats.rr_ms[i] - beats.rr_ms[i - 1]).powi(2);
                pairs += 1;
            }
        }
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "an activity holds well under 2^52 beats"
    )]
    let share = dirty as f64 / n.max(1) as f64;
    if n == 0 || took < MIN_RR_COVERAGE * span {
        Err(reason::RR_SPARSE)
    } else if share > MAX_ARTIFACT_SHARE {
        Err(reason::TOO_MANY_ARTIFACTS)
    } else if pairs == 0 {
        Err(reason::TOO_SHORT)
    } else {
        let r = (sum / f64::from(pairs)).sqrt();
        if r.is_finite() {
            Ok(r)
        } else {
            Err(reason::NON_FINITE)
        }
    }
}

/// Where a window's middle lies on the steady portion's own clock (ms of steady time before
/// it), or `None` when it lies outside the steady portion.
fn steady_at(steady: &[(f64, f64)], t: f64) -> Option<f64> {
    let mut before = 0.0;
    for &(a, b) in steady {
        if (a..b).contains(&t) {
            return Some(before + t - a);
        }
        before += (b - a).max(0.0);
    }
    None
}

/// The mean alpha1 of the windows whose middle lies in the steady portion (in its steady time
/// `part`, when given). Absent for the reason most of those windows have none, `too_short`
/// without any window.
fn steady_alpha1(
    all: &[ClockWindow],
    steady: &[(f64, f64)],
    part: Option<(f64, f64)>,
) -> Result<f64, Why> {
    let inside = all.iter().filter(|w| {
        steady_at(steady, w.mid_ms()).is_some_and(|s| part.is_none_or(|(a, b)| (a..b).contains(&s)))
    });
    let (mut sum, mut n) = (0.0, 0_u32);
    let mut why: Vec<Why> = Vec::new();
    for w in inside {
        match w.alpha1 {
            Ok(a) => {
                sum += a;
                n += 1;
            }
            Err(e) => why.push(e),
        }
    }
    if n > 0 {
        return Ok(sum / f64::from(n));
    }
    why.sort_unstable();
    let most = why
        .chunk_by(|a, b| a == b)
        .max_by_key(|c| c.len())
        .map_or(reason::TOO_SHORT, |c| c[0]);
    Err(most)
}

fn a1_drift(all: &[ClockWindow], steady: &[(f64, f64)]) -> Result<f64, Why> {
    let span: f64 = steady.iter().map(|(a, b)| (b - a).max(0.0)).sum();
    let half = span / 2.0;
    let first = steady_alpha1(all, steady, Some((0.0, half)))?;
    let second = steady_alpha1(all, steady, Some((half, span)))?;
    Ok(second - first)
}

/// The HR at which alpha1 = 0.75, by a straight line of alpha1 on HR over the windows with an
/// alpha1: only when they span 0.75, alpha1 falls as HR rises, and the answer lies inside their
/// HR range.
fn aet_hr(all: &[ClockWindow]) -> Result<f64, Why> {
    let (hr, a1): (Vec<f64>, Vec<f64>) = all
        .iter()
        .filter_map(|w| Some((w.hr_bpm?, w.alpha1.ok()?)))
        .unzip();
    if hr.len() < MIN_AET_WINDOWS {
        // Why the windows have no alpha1 is the better answer than "does not cross".
        return Err(all
            .iter()
            .find_map(|w| w.alpha1.err())
            .unwrap_or(reason::TOO_SHORT));
    }
    let lo = a1.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = a1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(lo < AET_ALPHA1 && AET_ALPHA1 < hi) {
        return Err(reason::A1_DOES_NOT_CROSS);
    }
    let (a, b) = ols_slope(&hr, &a1).ok_or(reason::A1_DOES_NOT_CROSS)?;
    if b >= 0.0 {
        return Err(reason::A1_DOES_NOT_CROSS);
    }
    let at = (AET_ALPHA1 - a) / b;
    let hr_lo = hr.iter().copied().fold(f64::INFINITY, f64::min);
    let hr_hi = hr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // The line itself must run from clearly above 0.75 to clearly below over the run's HR:
    // windows that only scatter about 0.75 (a run held near the threshold) "cross" by noise.
    let clear =
        a + b * hr_lo >= AET_ALPHA1 + AET_MIN_SWING && a + b * hr_hi <= AET_ALPHA1 - AET_MIN_SWING;
    if at.is_finite() && clear && (hr_lo..=hr_hi).contains(&at) {
        Ok(at)
    } else {
        Err(reason::A1_DOES_NOT_CROSS)
    }
}

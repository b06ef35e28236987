//! The threshold speed of a run (METRICS.md 3a): configured, else the critical speed of the
//! trailing `cs_days`' best efforts, else the habit rule, over the runs placed in time.

use serde::{Deserialize, Serialize};

use super::{BEST_DURATIONS_S, MS_PER_DAY};
use crate::history::robust::median;
use crate::metrics::ActivityMetrics;
use crate::settings::AthleteSettings;

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
            #[expect(clippy::cast_precision_loss)]
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

/// A row to type, placed in time.
pub(super) struct Row {
    pub idx: usize,
    pub start_ms: i64,
    pub end_ms: i64,
    /// Counts for the running baselines (a run, not a ride saved as one).
    pub running_ok: bool,
}

/// The trailing window `(from, to]` of a sorted list by end time.
pub(super) fn trailing(rows: &[Row], upto: usize, span_ms: f64) -> impl Iterator<Item = &Row> {
    let end = rows[upto].end_ms;
    #[expect(clippy::cast_possible_truncation)]
    let from = end.saturating_sub(span_ms as i64);
    rows[..=upto]
        .iter()
        .rev()
        .take_while(move |r| r.end_ms > from)
}

/// The threshold speed for the run at `upto` (see the module docs of [`super`]).
pub(super) fn threshold_at(
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

/// The threshold of a run typed without the other runs: only a configured one.
pub(crate) fn threshold_at_config(s: &AthleteSettings) -> Option<Threshold> {
    s.threshold_pace.map(|p| Threshold {
        speed_m_s: p.speed_m_s(),
        source: ThresholdSource::Configured,
        cs: None,
    })
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
                #[expect(clippy::cast_precision_loss)]
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
            #[expect(clippy::cast_precision_loss)]
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
            #[expect(clippy::cast_precision_loss)]
            let t = d as f64;
            big[k] = Some((1000.0 + 4.0 * t) / t);
        }
        assert!(!cs_fit(&big, &s).unwrap().accepted);
    }
}

//! Session types (METRICS.md 3a): each run typed against the threshold speed of its own date,
//! and what its type decides.

use serde::{Deserialize, Serialize};

use super::threshold::{Row, Threshold, threshold_at, threshold_at_config, trailing};
use super::{BIN_M_S, EffortSummary, MS_PER_DAY, is_running_row};
use crate::metrics::{ActivityMetrics, SessionClass, flag, reason};
use crate::settings::AthleteSettings;

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

/// The type from the P1..P3 seconds of the whole session and of its steady portion (METRICS.md
/// 3a; the zones of pace, or of power for a ride): `hard` on the whole session's P3 and P2 + P3
/// time, else `easy` on the steady portion's P1 share (the whole session's when the steady
/// portion has none).
pub(crate) fn class_of_zones(all: [f64; 3], steady: [f64; 3], s: &AthleteSettings) -> SessionClass {
    let steady_n: f64 = steady.iter().sum();
    let (p1, n) = if steady_n > 0.0 {
        (steady[0], steady_n)
    } else {
        (all[0], all.iter().sum())
    };
    if all[2] >= s.hard_p3_s || all[1] + all[2] >= s.hard_p2_p3_s {
        SessionClass::Hard
    } else if n > 0.0 && p1 / n >= s.easy_p1_share {
        SessionClass::Easy
    } else {
        SessionClass::Moderate
    }
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
            let class = class_of_zones(all, steady, s);
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
    /// A ride with a power meter, against its FTP (METRICS.md 7).
    Power,
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
    crate::power::fill_rides(rows, &s);
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

#[cfg(test)]
mod tests {
    use super::*;

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

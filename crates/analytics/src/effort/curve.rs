//! The pace-duration curve of a period: the best mean-maximal GAP speeds of its runs.

use serde::{Deserialize, Serialize};

use super::{BEST_DURATIONS_S, is_running_row};
use crate::metrics::{ActivityMetrics, flag};

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

//! Recovery after each hard session: what the easy runs of the next five days say.

use std::collections::BTreeMap;

use super::easy::Easy;
use super::{HardSession, Placed, Verdict, reason, rfc3339};
use crate::metrics::SessionClass;
use crate::settings::AthleteSettings;

/// A hard session with what readiness needs.
#[derive(Debug, Clone)]
pub(crate) struct Hard<'a> {
    pub p: Placed<'a>,
    pub out: HardSession,
}

/// One easy run of a recovery window: hours after the session, elevation, its thresholds.
struct Seen<'e> {
    h: f64,
    e: f64,
    recovered_at: f64,
    elevated_at: f64,
    id: &'e str,
}

/// Every hard running session (in time order) with its verdict as of `now_ms`.
pub(crate) fn hard_sessions<'a>(
    runs: &[Placed<'a>],
    easy: &[Easy<'_>],
    s: &AthleteSettings,
    now_ms: i64,
) -> Vec<Hard<'a>> {
    let window_h = s.recovery_window_h;
    runs.iter()
        .filter(|p| p.m.class == Some(SessionClass::Hard))
        .map(|p| {
            let first = easy.partition_point(|r| r.p.start_ms <= p.end_ms);
            let in_window = easy[first..]
                .iter()
                .take_while(|r| p.hours_to(r.p.start_ms) <= window_h);
            let any_easy = in_window.clone().next().is_some();
            let seen: Vec<Seen<'_>> = in_window
                .filter_map(|r| {
                    let (e, sigma) = r.e_sigma?;
                    Some(Seen {
                        h: p.hours_to(r.p.start_ms),
                        e,
                        recovered_at: s.recovered_min_bpm.max(s.recovered_sigmas * sigma),
                        elevated_at: s.elevated_min_bpm.max(s.elevated_sigmas * sigma),
                        id: &r.out.id,
                    })
                })
                .collect();
            #[expect(clippy::cast_precision_loss)]
            let open = (now_ms.saturating_sub(p.end_ms) as f64) < window_h * 3_600_000.0;
            let (verdict, recovery_h, deciding, why) = decide(&seen, any_easy, open, s);
            let mut absent = BTreeMap::new();
            if let Some(why) = why {
                if recovery_h.is_none() {
                    absent.insert("recovery_h".to_owned(), why.to_owned());
                }
                absent.insert("verdict".to_owned(), why.to_owned());
            } else if recovery_h.is_none() {
                absent.insert(
                    "recovery_h".to_owned(),
                    "not_recovered_in_window".to_owned(),
                );
            }
            Hard {
                p: *p,
                out: HardSession {
                    id: p.m.id.clone(),
                    start: rfc3339(p.start_ms),
                    end: rfc3339(p.end_ms),
                    recovery_h,
                    verdict,
                    deciding_runs: deciding,
                    absent,
                },
            }
        })
        .collect()
}

type Decision = (Verdict, Option<f64>, Vec<String>, Option<&'static str>);

/// METRICS.md's recovery rule on the window's easy runs (time order).
fn decide(seen: &[Seen<'_>], any_easy: bool, open: bool, s: &AthleteSettings) -> Decision {
    let ids = |from: &[Seen<'_>]| from.iter().map(|r| r.id.to_owned()).collect::<Vec<_>>();
    if seen.is_empty() {
        let why = if any_easy {
            reason::NO_BASELINE_IN_WINDOW
        } else {
            reason::NO_EASY_RUN
        };
        return (Verdict::Unknown, None, Vec::new(), Some(why));
    }
    let rec = (0..seen.len()).find(|&k| {
        seen[k].e <= seen[k].recovered_at && seen[k + 1..].iter().all(|r| r.e < r.elevated_at)
    });
    let late_elevated: Vec<&Seen<'_>> = seen
        .iter()
        .filter(|r| r.h > s.absorbed_within_h && r.e >= r.elevated_at)
        .collect();
    match rec {
        Some(k) if seen[k].h <= s.absorbed_within_h => {
            (Verdict::Absorbed, Some(seen[k].h), ids(&seen[k..]), None)
        }
        _ if !late_elevated.is_empty() => (
            Verdict::Lingering,
            rec.map(|k| seen[k].h),
            late_elevated.iter().map(|r| r.id.to_owned()).collect(),
            None,
        ),
        None if open => (Verdict::Unknown, None, ids(seen), Some(reason::WINDOW_OPEN)),
        None => (Verdict::Lingering, None, ids(seen), None),
        Some(k) => (
            Verdict::Unknown,
            Some(seen[k].h),
            ids(&seen[k..]),
            Some(reason::RECOVERED_AFTER_72H),
        ),
    }
}

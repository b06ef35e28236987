//! What the cross-activity results mean, in words a runner reads, and the warning signs a
//! nightly job alerts on. Every number a sentence names comes from the settings the results
//! were computed with, so the words always match the rule that was applied.

use serde::Serialize;

use super::robust::theil_sen;
use super::{EasyRun, HardSession, History, ReadinessVerdict, Verdict, Week};
use crate::metrics::SessionClass;
use crate::settings::AthleteSettings;
use crate::time::{day_ms, ms_of};

const MS_PER_DAY: i64 = 86_400_000;

/// A number with `digits` decimals, or `-`.
#[must_use]
pub fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
}

/// A count or a number of hours or days as a setting holds it (`2`, `44`, `1.5`).
fn amount(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// The setting's period in weeks when it is whole weeks (`6 weeks`), else in days.
fn period(days: f64) -> String {
    let weeks = days / 7.0;
    if (weeks - weeks.round()).abs() < 1e-9 && weeks >= 1.0 {
        format!("{} weeks", amount(weeks))
    } else {
        format!("{} days", amount(days))
    }
}

/// A sentence for one steady run: what was run, then what the heart said about it.
#[must_use]
pub fn easy_note(r: &EasyRun, s: &AthleteSettings) -> String {
    let Some(e) = r.elevation_bpm else {
        let why = r
            .absent
            .get("elevation_bpm")
            .map_or("not computed", String::as_str);
        return match why {
            // A runner who runs once or twice a week never has six steady runs in six weeks:
            // say which setting widens the window.
            "insufficient_baseline" => format!(
                "no baseline yet ({} steady runs in the {} before; {} needed; running less \
                 often? hrdrift athlete set baseline_days={})",
                r.baseline_runs,
                period(s.baseline_days),
                s.baseline_min_runs,
                amount(s.baseline_days * 2.0)
            ),
            "low_coverage" => "heart rate recorded for too little of the run".to_owned(),
            "unsteady" => "pace too uneven to compare".to_owned(),
            other => other.replace('_', " "),
        };
    };
    let mut parts = Vec::new();
    // "easy pace (5:45/km, 75 % of your threshold)": what the runner did, before what the
    // heart said about it.
    let kind = match r.session_type {
        Some(SessionClass::Moderate) => "steady run",
        _ => "easy pace",
    };
    if let Some(v) = r.gap_speed_m_s {
        match r.threshold_speed_m_s.filter(|t| *t > 0.0) {
            Some(t) => parts.push(format!(
                "{kind} ({}, {:.0} % of your threshold)",
                s.units.pace(v),
                v / t * 100.0
            )),
            None => parts.push(format!("{kind} ({})", s.units.pace(v))),
        }
    }
    if let Some(w) = r.walk_share {
        parts.push(format!(
            "run-walk: {:.0} % walking, metrics from the running parts",
            w * 100.0
        ));
    }
    let z = r
        .elevation_z
        .map_or_else(String::new, |z| format!(", {z:.1} sigma"));
    if r.elevated == Some(true) {
        parts.push(format!(
            "heart rate {e:.0} bpm above your easy baseline{z}: elevated"
        ));
    } else if e >= s.recovered_min_bpm {
        parts.push(format!("heart rate {e:.0} bpm above your easy baseline{z}"));
    } else if e <= -s.recovered_min_bpm {
        parts.push(format!(
            "heart rate {:.0} bpm below your easy baseline{z}",
            -e
        ));
    } else {
        parts.push("heart rate on your easy baseline".to_owned());
    }
    if let Some(early) = r.early_elevation_bpm
        && early >= s.elevated_min_bpm
    {
        parts.push(format!(
            "already {early:.0} bpm high in minutes {}-{}",
            amount(s.early_from_s / 60.0),
            amount(s.early_to_s / 60.0)
        ));
    }
    if r.warm_day {
        parts.push(format!(
            "a warm day ({} degC): heat, not necessarily fatigue",
            num(r.temperature_c, 0)
        ));
    }
    if r.stride_unsteady == Some(true) {
        parts.push("stride less steady than usual (cadence varies more)".to_owned());
    }
    parts.join("; ")
}

/// A sentence for one hard session's recovery verdict.
#[must_use]
pub fn hard_note(h: &HardSession, s: &AthleteSettings) -> String {
    let absorbed = amount(s.absorbed_within_h);
    let window = amount(s.recovery_window_h / 24.0);
    match (h.verdict, h.recovery_h) {
        (Verdict::Absorbed, Some(hours)) => {
            format!("steady-run heart rate back to baseline {hours:.0} h later")
        }
        (Verdict::Lingering, _) => format!(
            "steady runs still elevated more than {absorbed} h later: it cost more than it gave"
        ),
        (_, _) => match h.absent.get("verdict").map(String::as_str) {
            Some("no_easy_run") => format!("no steady run in the {window} days after to tell"),
            Some("window_open") => {
                format!("too early to tell: the {window}-day window is still open")
            }
            Some("recovered_after_72h") => format!(
                "recovered, but only after {absorbed} h (no steady run in between to tell when)"
            ),
            Some("no_baseline_in_window") => {
                "steady runs after it, but no baseline yet to compare them with".to_owned()
            }
            Some(other) => other.replace('_', " "),
            None => String::new(),
        },
    }
}

/// Words for a weekly flag.
#[must_use]
pub fn week_flag_text(flag: &str, w: &Week, s: &AthleteSettings) -> String {
    let pct = |v: Option<f64>| num(v.map(|v| v * 100.0), 0);
    match flag {
        "too_many_hard" => format!(
            "{} hard sessions (more than {})",
            w.hard_sessions,
            amount(s.max_hard_per_week)
        ),
        "hard_back_to_back" => format!(
            "hard sessions only {} h apart (less than {} h)",
            num(w.min_hard_spacing_h, 0),
            amount(s.hard_spacing_min_h)
        ),
        "too_much_moderate" => format!(
            "too much moderate running ({} % of time in S2, {} % of runs moderate)",
            pct(w.s2_share),
            pct(w.moderate_share)
        ),
        "no_true_easy" => format!("only {} of {} runs easy", w.easy_runs, w.runs),
        "load_spike" => format!(
            "load {:.0} is more than {:.1}x the {} weeks before",
            w.load, s.load_spike_ratio, s.load_spike_weeks
        ),
        other => other.replace('_', " "),
    }
}

/// The readiness verdict's JSON name and its sentence.
#[must_use]
pub fn verdict_words(v: ReadinessVerdict) -> (&'static str, &'static str) {
    match v {
        ReadinessVerdict::Push => (
            "push",
            "your body is absorbing the training: a hard session is fine today",
        ),
        ReadinessVerdict::Steady => (
            "steady",
            "train as planned, nothing says push and nothing says stop",
        ),
        ReadinessVerdict::HoldBack => ("hold_back", "hold back: run easy or rest today"),
    }
}

/// Every code [`warnings`] gives: readiness, the latest steady run, lingering hard sessions, then
/// every weekly flag (`week_flag`), then the morning's flags (METRICS.md section 6). `nightly
/// --fail-on` chooses among these.
pub const WARNING_CODES: [&str; 12] = [
    "hold_back",
    "elevated",
    "lingering",
    "stride_unsteady",
    super::week_flag::TOO_MANY_HARD,
    super::week_flag::HARD_BACK_TO_BACK,
    super::week_flag::TOO_MUCH_MODERATE,
    super::week_flag::NO_TRUE_EASY,
    super::week_flag::LOAD_SPIKE,
    "hrv_below_normal",
    "resting_hr_elevated",
    "hrv_unstable",
];

/// The morning flags, which reach the warnings through the readiness reasons of today.
const MORNING_CODES: [&str; 3] = ["hrv_below_normal", "resting_hr_elevated", "hrv_unstable"];

/// A warning sign found as of a moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub code: String,
    pub text: String,
    /// The activity it is about, where it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// The ISO week it is about, for weekly flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub week: Option<String>,
}

/// The warning signs as of `now_ms`: readiness `hold_back`, the latest steady run (elevated, not
/// only warm; stride unsteady), hard sessions that lingered and ended in the last
/// `readiness_lingering_days`, and the weekly flags of the latest week with runs when that is
/// this week or last week (so a Sunday session imported on Monday night still alerts).
#[must_use]
pub fn warnings(h: &History, s: &AthleteSettings, now_ms: i64) -> Vec<Warning> {
    let mut out = Vec::new();
    if h.readiness.verdict == ReadinessVerdict::HoldBack {
        out.push(Warning {
            code: "hold_back".to_owned(),
            text: format!(
                "readiness says hold back: {}",
                h.readiness
                    .reasons
                    .iter()
                    .map(|r| r.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            id: None,
            start: None,
            week: None,
        });
    }
    for r in &h.readiness.reasons {
        if MORNING_CODES.contains(&r.code.as_str()) {
            out.push(Warning {
                code: r.code.clone(),
                text: r.text.clone(),
                id: None,
                start: None,
                week: None,
            });
        }
    }
    if let Some(r) = h
        .easy_runs
        .iter()
        .filter(|r| ms_of(&r.start) <= now_ms && r.elevation_bpm.is_some())
        .max_by_key(|r| ms_of(&r.start))
    {
        if r.elevated == Some(true) && !r.warm_day {
            out.push(Warning {
                code: "elevated".to_owned(),
                text: format!("latest easy run: {}", easy_note(r, s)),
                id: Some(r.id.clone()),
                start: Some(r.start.clone()),
                week: None,
            });
        }
        if r.stride_unsteady == Some(true) {
            out.push(Warning {
                code: "stride_unsteady".to_owned(),
                text: "latest easy run: stride less steady than usual (cadence varies more)"
                    .to_owned(),
                id: Some(r.id.clone()),
                start: Some(r.start.clone()),
                week: None,
            });
        }
    }
    #[expect(clippy::cast_possible_truncation)]
    let lingering_ms = (s.readiness_lingering_days * 86_400_000.0) as i64;
    for hs in &h.hard_sessions {
        let end = ms_of(&hs.end);
        if hs.verdict == Verdict::Lingering && end <= now_ms && end > now_ms - lingering_ms {
            out.push(Warning {
                code: "lingering".to_owned(),
                text: format!(
                    "the hard session of {} has not been absorbed: easy heart rate still elevated more than {} h later",
                    hs.start.get(..10).unwrap_or_default(),
                    amount(s.absorbed_within_h)
                ),
                id: Some(hs.id.clone()),
                start: Some(hs.start.clone()),
                week: None,
            });
        }
    }
    let today = now_ms.div_euclid(MS_PER_DAY);
    let this_monday = super::monday_of(today);
    let monday = |w: &Week| day_ms(&w.monday).div_euclid(MS_PER_DAY);
    if let Some(w) = h
        .weeks
        .iter()
        .rev()
        .find(|w| w.runs > 0 && monday(w) <= this_monday)
        && monday(w) >= this_monday - 7
    {
        for f in &w.flags {
            out.push(Warning {
                code: f.clone(),
                text: format!("week {}: {}", w.week, week_flag_text(f, w, s)),
                id: None,
                start: None,
                week: Some(w.week.clone()),
            });
        }
    }
    out
}

/// The current baseline line, HR = `intercept_bpm` + `slope_bpm_per_m_s` x GAP speed, over
/// the GAP speeds it was fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BaselineLine {
    pub intercept_bpm: f64,
    pub slope_bpm_per_m_s: f64,
    /// Its robust spread, floored at `sigma_floor_bpm`.
    pub sigma_bpm: f64,
    pub speed_min_m_s: f64,
    pub speed_max_m_s: f64,
}

/// The baseline the latest steady run was judged against, for a chart: Theil-Sen of window HR
/// on GAP speed over the steady runs with an elevation in the `baseline_days` before `now_ms`;
/// `None` with fewer than `baseline_min_runs`.
#[must_use]
pub fn current_baseline(h: &History, s: &AthleteSettings, now_ms: i64) -> Option<BaselineLine> {
    #[expect(clippy::cast_possible_truncation)]
    let from = now_ms - (s.baseline_days * 86_400_000.0) as i64;
    let (xs, ys): (Vec<f64>, Vec<f64>) = h
        .easy_runs
        .iter()
        .filter(|r| {
            let t = ms_of(&r.start);
            t > from && t <= now_ms && r.elevation_bpm.is_some()
        })
        .filter_map(|r| Some((r.gap_speed_m_s?, r.observed_hr_bpm?)))
        .unzip();
    if xs.len() < s.baseline_min_runs {
        return None;
    }
    let fit = theil_sen(&xs, &ys)?;
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(BaselineLine {
        intercept_bpm: fit.intercept,
        slope_bpm_per_m_s: fit.slope,
        sigma_bpm: fit.sigma.max(s.sigma_floor_bpm),
        speed_min_m_s: lo,
        speed_max_m_s: hi,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_name_the_settings_in_use() {
        let s = AthleteSettings::default();
        assert_eq!(period(s.baseline_days), "6 weeks");
        assert_eq!(period(10.0), "10 days");
        assert_eq!(amount(44.0), "44");
        assert_eq!(amount(1.5), "1.5");
        let w = Week {
            week: "2026-W07".to_owned(),
            monday: "2026-02-09".to_owned(),
            runs: 6,
            easy_runs: 2,
            moderate_runs: 3,
            moving_s: 0.0,
            distance_m: 0.0,
            load: 500.0,
            hard_sessions: 3,
            min_hard_spacing_h: Some(30.0),
            s1_share: None,
            s2_share: None,
            s3_share: None,
            moderate_share: None,
            long_run_share: None,
            consistency: None,
            polarization_index: None,
            flags: Vec::new(),
            absent: std::collections::BTreeMap::new(),
            sport_hours: std::collections::BTreeMap::new(),
        };
        assert_eq!(
            week_flag_text("too_many_hard", &w, &s),
            "3 hard sessions (more than 2)"
        );
        let other = AthleteSettings {
            max_hard_per_week: 3.0,
            hard_spacing_min_h: 36.0,
            load_spike_weeks: 6,
            ..s.clone()
        };
        assert_eq!(
            week_flag_text("too_many_hard", &w, &other),
            "3 hard sessions (more than 3)"
        );
        assert_eq!(
            week_flag_text("hard_back_to_back", &w, &other),
            "hard sessions only 30 h apart (less than 36 h)"
        );
        assert!(week_flag_text("load_spike", &w, &other).ends_with("the 6 weeks before"));
    }
}

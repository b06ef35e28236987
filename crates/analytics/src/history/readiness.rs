//! Readiness today: `push`, `steady` or `hold_back`, each with its reasons as numbers.

use super::easy::Easy;
use super::recovery::Hard;
use super::{
    Day, MS_PER_DAY, Placed, Readiness, ReadinessVerdict, Reason, Verdict, Week, date_label,
    monday_of, week_label,
};
use crate::settings::AthleteSettings;
use crate::wellness::{WellnessDay, morning_of};

pub(crate) struct Inputs<'x, 'a> {
    pub easy: &'x [Easy<'a>],
    pub hard: &'x [Hard<'a>],
    pub weeks: &'x [Week],
    pub days: &'x [Day],
    pub runs: &'x [Placed<'a>],
    /// The wellness days (METRICS.md section 6), in date order; empty without readings.
    pub mornings: &'x [WellnessDay],
}

fn reason(code: &str, value: Option<f64>, threshold: Option<f64>, text: String) -> Reason {
    Reason {
        code: code.to_owned(),
        value: value.filter(|v| v.is_finite()),
        threshold: threshold.filter(|v| v.is_finite()),
        text,
    }
}

/// The local date of a run, for the texts.
fn local_date(p: &Placed<'_>) -> String {
    date_label(p.day)
}

pub(crate) fn readiness(x: &Inputs<'_, '_>, s: &AthleteSettings, now_ms: i64) -> Readiness {
    if x.runs.is_empty() && x.days.is_empty() {
        return Readiness {
            verdict: ReadinessVerdict::Steady,
            reasons: vec![reason(
                "no_data",
                Some(0.0),
                None,
                "no runs yet: nothing to judge readiness on".to_owned(),
            )],
        };
    }
    let offset_ms = x.runs.last().map_or(0, |p| super::offset_ms(p.m));
    let today = now_ms.saturating_add(offset_ms).div_euclid(MS_PER_DAY);
    let scored: Vec<&Easy<'_>> = x
        .easy
        .iter()
        .filter(|r| r.e_sigma.is_some() && r.p.start_ms <= now_ms)
        .collect();
    let last3 = &scored[scored.len().saturating_sub(3)..];
    let latest = scored.last().copied();
    let today_label = date_label(today);
    let tsb = x
        .days
        .iter()
        .rev()
        .find(|d| d.date <= today_label)
        .map(|d| d.tsb);
    #[expect(clippy::cast_possible_truncation)]
    let lingering_ms = (s.readiness_lingering_days * 86_400_000.0) as i64;
    let lingering: Vec<&Hard<'_>> = x
        .hard
        .iter()
        .filter(|h| {
            h.out.verdict == Verdict::Lingering
                && h.p.end_ms <= now_ms
                && now_ms.saturating_sub(h.p.end_ms) < lingering_ms
        })
        .collect();
    let last_hard = x.hard.iter().rev().find(|h| h.p.end_ms <= now_ms);
    let prev_week = week_label(monday_of(today) - 7);
    let consistency = x
        .weeks
        .iter()
        .find(|w| w.week == prev_week)
        .and_then(|w| w.consistency);

    // --- hold back -------------------------------------------------------------------------
    let mut hold = Vec::new();
    let mut notes = Vec::new();
    if let Some(r) = latest
        && r.out.elevated == Some(true)
    {
        let e = r.out.elevation_bpm.unwrap_or(0.0);
        let date = local_date(&r.p);
        if r.out.warm_day {
            notes.push(reason(
                "latest_easy_elevated_warm_day",
                Some(e),
                r.elevated_threshold(s),
                format!(
                    "heart rate {e:.0} bpm above your easy baseline on your last easy run \
                     ({date}), but it was a warm day ({:.0} degC): heat, not necessarily fatigue",
                    r.out.temperature_c.unwrap_or(0.0)
                ),
            ));
        } else {
            hold.push(reason(
                "latest_easy_elevated",
                Some(e),
                r.elevated_threshold(s),
                format!(
                    "heart rate {e:.0} bpm above your easy baseline on your last easy run ({date})"
                ),
            ));
        }
    }
    let n_elevated = last3.iter().filter(|r| r.elevated_not_warm()).count();
    #[expect(clippy::cast_precision_loss)]
    if n_elevated >= 2 {
        hold.push(reason(
            "easy_runs_elevated",
            Some(n_elevated as f64),
            Some(2.0),
            format!(
                "{n_elevated} of your last {} easy runs had heart rate above your easy baseline",
                last3.len()
            ),
        ));
    }
    for h in &lingering {
        #[expect(clippy::cast_precision_loss)]
        let ago_h = now_ms.saturating_sub(h.p.end_ms) as f64 / 3_600_000.0;
        hold.push(reason(
            "hard_session_lingering",
            Some(ago_h),
            Some(s.absorbed_within_h),
            format!(
                "your hard session of {} has not been absorbed: easy-run heart rate was still \
                 up more than {:.0} hours after it",
                local_date(&h.p),
                s.absorbed_within_h
            ),
        ));
    }
    if let Some(t) = tsb
        && t < s.readiness_tsb_hold_back
    {
        hold.push(reason(
            "form_very_low",
            Some(t),
            Some(s.readiness_tsb_hold_back),
            format!(
                "form (TSB) is {t:.0}, below {:.0}: recent load is far above what you are used to",
                s.readiness_tsb_hold_back
            ),
        ));
    }
    if let Some(r) = latest
        && r.out.stride_unsteady == Some(true)
    {
        let why = reason(
            "stride_unsteady",
            r.out.cadence_cv,
            None,
            "your cadence was less steady than usual on your last easy run".to_owned(),
        );
        // Supporting evidence only: it tips the verdict with one other elevated run.
        if hold.is_empty() && n_elevated >= 1 {
            hold.push(reason(
                "easy_runs_elevated",
                Some(1.0),
                Some(2.0),
                format!(
                    "1 of your last {} easy runs had heart rate above your easy baseline, and \
                     your stride was unsteady",
                    last3.len()
                ),
            ));
        }
        if hold.is_empty() {
            notes.push(why);
        } else {
            hold.push(why);
        }
    }
    // --- the morning (METRICS.md section 6) ---------------------------------------------------
    // The day of `now_ms` in UTC, not the local `today`: `--as-of DATE` is the end of DATE in
    // UTC, where the local day east of Greenwich has already turned, and the next morning's
    // readings are not taken yet.
    let morning = chrono::DateTime::from_timestamp_millis(now_ms)
        .and_then(|t| morning_of(x.mornings, t.date_naive()));
    let (weighty, light) = morning.map(morning_reasons).unwrap_or_default();
    notes.extend(light);
    let felt = felt_reasons(x, now_ms);
    // How the runner felt supports a verdict but never makes one (METRICS.md section 6); a
    // runner who felt weak is not told to push.
    let felt_blocks_push = !felt.is_empty();
    notes.extend(felt);
    if !weighty.is_empty() {
        if hold.is_empty() && n_elevated >= 1 {
            // A low HRV or a high resting HR confirms one elevated easy run.
            hold.push(reason(
                "easy_runs_elevated",
                Some(1.0),
                Some(2.0),
                format!(
                    "1 of your last {} easy runs had heart rate above your easy baseline, and \
                     your morning readings agree",
                    last3.len()
                ),
            ));
        }
        if !hold.is_empty() {
            hold.extend(weighty.iter().cloned());
        }
    }
    if !hold.is_empty() {
        hold.extend(notes);
        return Readiness {
            verdict: ReadinessVerdict::HoldBack,
            reasons: hold,
        };
    }

    // --- push ------------------------------------------------------------------------------
    let mut checks: Vec<(bool, Reason)> = Vec::new();
    let worst = last3
        .iter()
        .filter_map(|r| r.e_sigma.map(|(e, sigma)| (e / sigma, e)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let on_baseline = last3.len() >= 3 && worst.is_some_and(|w| w.0 <= s.readiness_push_sigmas);
    checks.push((
        on_baseline,
        match worst {
            _ if last3.len() < 3 => reason(
                "easy_runs_on_baseline",
                #[expect(clippy::cast_precision_loss)]
                Some(last3.len() as f64),
                Some(3.0),
                format!(
                    "only {} easy runs with a baseline so far; 3 are needed",
                    last3.len()
                ),
            ),
            Some((z, e)) if !on_baseline => reason(
                "easy_runs_on_baseline",
                Some(z),
                Some(s.readiness_push_sigmas),
                format!(
                    "one of your last 3 easy runs had heart rate {e:.0} bpm above your easy \
                     baseline ({z:.1} sigma)"
                ),
            ),
            _ => reason(
                "easy_runs_on_baseline",
                worst.map(|w| w.0),
                Some(s.readiness_push_sigmas),
                "your last 3 easy runs were on your easy baseline".to_owned(),
            ),
        },
    ));
    checks.push((
        true,
        reason(
            "no_lingering_session",
            Some(0.0),
            None,
            "every recent hard session was absorbed or is still being judged".to_owned(),
        ),
    ));
    #[expect(clippy::cast_precision_loss)]
    let hard_ago_h = last_hard.map(|h| now_ms.saturating_sub(h.p.end_ms) as f64 / 3_600_000.0);
    checks.push((
        hard_ago_h.is_none_or(|h| h >= s.readiness_hard_rest_h),
        match hard_ago_h {
            None => reason(
                "last_hard_session",
                None,
                Some(s.readiness_hard_rest_h),
                "no hard session on record".to_owned(),
            ),
            Some(h) => reason(
                "last_hard_session",
                Some(h),
                Some(s.readiness_hard_rest_h),
                format!(
                    "your last hard session ended {h:.0} hours ago ({:.0} needed)",
                    s.readiness_hard_rest_h
                ),
            ),
        },
    ));
    checks.push((
        consistency.is_some_and(|c| c < s.readiness_consistency_max),
        match consistency {
            None => reason(
                "consistency",
                None,
                Some(s.readiness_consistency_max),
                "not enough complete weeks to judge how steady your training is".to_owned(),
            ),
            Some(c) => reason(
                "consistency",
                Some(c),
                Some(s.readiness_consistency_max),
                format!(
                    "weekly running time varied by {:.0} % over the last 4 weeks ({:.0} % or less \
                     is steady)",
                    c * 100.0,
                    s.readiness_consistency_max * 100.0
                ),
            ),
        },
    ));
    checks.push((
        tsb.is_some_and(|t| t >= s.readiness_tsb_push),
        reason(
            "form",
            tsb,
            Some(s.readiness_tsb_push),
            tsb.map_or_else(
                || "no form (TSB) yet".to_owned(),
                |t| {
                    format!(
                        "form (TSB) is {t:.0} ({:.0} or more to push)",
                        s.readiness_tsb_push
                    )
                },
            ),
        ),
    ));
    // Either morning flag alone makes push impossible.
    checks.extend(weighty.into_iter().map(|r| (false, r)));
    if checks.iter().all(|c| c.0) && !felt_blocks_push {
        let mut reasons: Vec<Reason> = checks.into_iter().map(|c| c.1).collect();
        reasons.extend(notes);
        return Readiness {
            verdict: ReadinessVerdict::Push,
            reasons,
        };
    }
    let mut reasons: Vec<Reason> = checks.into_iter().filter(|c| !c.0).map(|c| c.1).collect();
    reasons.extend(notes);
    Readiness {
        verdict: ReadinessVerdict::Steady,
        reasons,
    }
}

/// The morning's reasons: those with weight (`hrv_below_normal`, `resting_hr_elevated`) and
/// those without (`hrv_unstable`).
fn morning_reasons(m: &WellnessDay) -> (Vec<Reason>, Vec<Reason>) {
    let mut weighty = Vec::new();
    let mut light = Vec::new();
    if m.has("hrv_below_normal") {
        weighty.push(reason(
            "hrv_below_normal",
            m.ln_rmssd_7d_mean,
            m.ln_rmssd_normal_low,
            format!(
                "your overnight HRV over the last 7 days (ln rMSSD {:.2}, about {:.0} ms) is below \
                 your normal range ({:.2} to {:.2}) as of {}",
                m.ln_rmssd_7d_mean.unwrap_or(0.0),
                m.ln_rmssd_7d_mean.unwrap_or(0.0).exp(),
                m.ln_rmssd_normal_low.unwrap_or(0.0),
                m.ln_rmssd_normal_high.unwrap_or(0.0),
                m.date
            ),
        ));
    }
    if m.has("resting_hr_elevated") {
        weighty.push(reason(
            "resting_hr_elevated",
            m.resting_hr_bpm,
            m.resting_hr_threshold,
            format!(
                "your resting heart rate on {} was {:.0} bpm, {:.0} above your 30-day median of \
                 {:.0} ({:.0} or more is elevated)",
                m.date,
                m.resting_hr_bpm.unwrap_or(0.0),
                m.resting_hr_bpm.unwrap_or(0.0) - m.resting_hr_median_30d.unwrap_or(0.0),
                m.resting_hr_median_30d.unwrap_or(0.0),
                m.resting_hr_threshold.unwrap_or(0.0)
            ),
        ));
    }
    if m.has("hrv_unstable") {
        light.push(reason(
            "hrv_unstable",
            m.ln_rmssd_cv_7d,
            m.ln_rmssd_cv_limit,
            format!(
                "your overnight HRV varied more than usual over the last 7 days (CV {:.1} %, \
                 above {:.1} %)",
                m.ln_rmssd_cv_7d.unwrap_or(0.0) * 100.0,
                m.ln_rmssd_cv_limit.unwrap_or(0.0) * 100.0
            ),
        ));
    }
    (weighty, light)
}

/// Feel on the watch's 0-100 scale: the run's own, else the readings CSV's `feel` (1-5) of its
/// day, 1 as 0 and 5 as 100.
fn feel_of(r: &Easy<'_>, mornings: &[WellnessDay]) -> Option<f64> {
    r.p.m.feel.or_else(|| {
        let label = local_date(&r.p);
        mornings
            .binary_search_by(|d| d.date.as_str().cmp(label.as_str()))
            .ok()
            .and_then(|k| mornings[k].feel)
            .map(|f| (f - 1.0) * 25.0)
    })
}

/// At or below this feel (the watch's "weak") a steady run was felt weak.
const FELT_WEAK: f64 = 25.0;
/// An easy run rated this hard or harder (RPE 0-10) while on its HR baseline.
const RPE_HIGH_AT_EASY: f64 = 5.0;

/// `felt_weak` (the last 2 steady runs felt weak) and `rpe_high_at_easy` (the latest steady run
/// was an easy run rated hard while its heart rate sat on the baseline).
fn felt_reasons(x: &Inputs<'_, '_>, now_ms: i64) -> Vec<Reason> {
    let past: Vec<&Easy<'_>> = x.easy.iter().filter(|r| r.p.start_ms <= now_ms).collect();
    let mut out = Vec::new();
    let last2 = &past[past.len().saturating_sub(2)..];
    let feels: Vec<Option<f64>> = last2.iter().map(|r| feel_of(r, x.mornings)).collect();
    if last2.len() == 2 && feels.iter().all(|f| f.is_some_and(|v| v <= FELT_WEAK)) {
        let worst = feels.iter().flatten().copied().fold(f64::MIN, f64::max);
        out.push(reason(
            "felt_weak",
            Some(worst),
            Some(FELT_WEAK),
            format!(
                "you felt weak after your last 2 steady runs ({} and {})",
                local_date(&last2[0].p),
                local_date(&last2[1].p)
            ),
        ));
    }
    if let Some(r) = past.last()
        && r.p.m.class == Some(crate::SessionClass::Easy)
        && r.out.elevated == Some(false)
        && let Some(rpe) = r.p.m.rpe
        && rpe >= RPE_HIGH_AT_EASY
    {
        out.push(reason(
            "rpe_high_at_easy",
            Some(rpe),
            Some(RPE_HIGH_AT_EASY),
            format!(
                "your easy run of {} felt hard (RPE {rpe:.0} of 10) though your heart rate was \
                 on its baseline",
                local_date(&r.p)
            ),
        ));
    }
    out
}

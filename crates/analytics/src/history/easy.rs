//! Easy-run HR elevation against the personal baseline, the early signal, heat and stride.

use std::collections::BTreeMap;

use super::robust::{median, median_and_spread, theil_sen};
use super::{EasyRun, MS_PER_DAY, Placed, finite, reason, rfc3339, run_flag};
use crate::effort::is_steady_run;
use crate::metrics::{WindowStats, flag, reason as row_reason};
use crate::settings::AthleteSettings;

/// An easy run with the numbers the recovery rule and readiness need.
#[derive(Debug, Clone)]
pub(crate) struct Easy<'a> {
    pub p: Placed<'a>,
    /// Elevation (bpm) and the run's baseline sigma (floored), where there is a baseline.
    pub e_sigma: Option<(f64, f64)>,
    pub out: EasyRun,
}

impl Easy<'_> {
    /// The elevated threshold of this run (bpm).
    pub fn elevated_threshold(&self, s: &AthleteSettings) -> Option<f64> {
        self.e_sigma
            .map(|(_, sigma)| s.elevated_min_bpm.max(s.elevated_sigmas * sigma))
    }

    /// Elevated and not explained by a warm day.
    pub fn elevated_not_warm(&self) -> bool {
        self.out.elevated == Some(true) && !self.out.warm_day
    }
}

/// Why a row's elevation cannot be computed, or its window.
fn eligible<'a>(p: &Placed<'a>, s: &AthleteSettings) -> Result<&'a WindowStats, String> {
    let m = p.m;
    if m.flags.iter().any(|f| f == flag::UNSTEADY) {
        return Err(row_reason::UNSTEADY.to_owned());
    }
    match m.coverage {
        Some(c) if c >= s.min_coverage => {}
        Some(_) => return Err(row_reason::LOW_COVERAGE.to_owned()),
        None => {
            return Err(m
                .absent
                .get("coverage")
                .cloned()
                .unwrap_or_else(|| row_reason::NO_HEART_RATE.to_owned()));
        }
    }
    m.window.as_ref().filter(|w| w.is_finite()).ok_or_else(|| {
        m.absent
            .get("window")
            .cloned()
            .unwrap_or_else(|| row_reason::TOO_SHORT.to_owned())
    })
}

fn baseline_ms(s: &AthleteSettings) -> i64 {
    #[expect(clippy::cast_possible_truncation)]
    let ms = (s.baseline_days * 86_400_000.0).round() as i64;
    ms.clamp(MS_PER_DAY / 24, 3650 * MS_PER_DAY)
}

/// The windows of one eligible baseline run.
#[derive(Debug, Clone, Copy)]
struct Base<'a> {
    w: &'a WindowStats,
    early: Option<&'a WindowStats>,
}

/// The eligible runs of a run's baseline period, with what judging against them needs.
#[derive(Clone, Copy)]
struct Baseline<'b, 'a> {
    runs: &'b [(i64, Base<'a>)],
    min_runs: usize,
    s: &'b AthleteSettings,
}

/// The entries of a time-sorted `(start_ms, _)` list in `[start - span, start)`.
fn before<T: Copy>(list: &[(i64, T)], start: i64, span_ms: i64) -> &[(i64, T)] {
    let lo = list.partition_point(|r| r.0 < start.saturating_sub(span_ms));
    let hi = list.partition_point(|r| r.0 < start).max(lo);
    &list[lo..hi]
}

/// Every easy-class run (in time order) with its elevation where it can be computed.
pub(crate) fn easy_runs<'a>(runs: &[Placed<'a>], s: &AthleteSettings) -> Vec<Easy<'a>> {
    let span = baseline_ms(s);
    let min_runs = s.baseline_min_runs.max(2);
    let eligible_list: Vec<(i64, Base<'a>)> = runs
        .iter()
        .filter(|p| is_steady_run(p.m))
        .filter_map(|p| {
            let w = eligible(p, s).ok()?;
            Some((
                p.start_ms,
                Base {
                    w,
                    early: p.m.early.as_ref().filter(|e| e.is_finite()),
                },
            ))
        })
        .collect();
    let temps: Vec<(i64, f64)> = runs
        .iter()
        .filter_map(|p| Some((p.start_ms, finite(p.m.window.as_ref()?.temperature_c)?)))
        .collect();

    let mut out = Vec::new();
    for p in runs.iter().filter(|p| is_steady_run(p.m)) {
        let w = p.m.window.as_ref().filter(|w| w.is_finite());
        let mut run = EasyRun {
            id: p.m.id.clone(),
            start: rfc3339(p.start_ms),
            session_type: p.m.class,
            hr_class: p.m.hr_class,
            threshold_speed_m_s: p.m.threshold_speed_m_s,
            walk_share: p
                .m
                .walk_share
                .filter(|_| p.m.flags.iter().any(|f| f == flag::RUN_WALK)),
            elevation_bpm: None,
            elevation_z: None,
            elevated: None,
            sigma_bpm: None,
            baseline_runs: 0,
            predicted_hr_bpm: None,
            observed_hr_bpm: w.map(|w| w.hr_bpm),
            gap_speed_m_s: w.map(|w| w.gap_speed_m_s),
            early_elevation_bpm: None,
            temperature_c: w.and_then(|w| w.temperature_c),
            warm_day: false,
            cadence_cv: w.and_then(|w| w.cadence_cv),
            stride_unsteady: None,
            stance_time_delta_ms: None,
            vertical_oscillation_delta_mm: None,
            step_length_delta_mm: None,
            flags: Vec::new(),
            absent: BTreeMap::new(),
        };
        let mut e_sigma = None;
        match eligible(p, s) {
            Err(why) => {
                for k in [
                    "elevation_bpm",
                    "early_elevation_bpm",
                    "stride_unsteady",
                    "stance_time_delta_ms",
                    "vertical_oscillation_delta_mm",
                    "step_length_delta_mm",
                ] {
                    run.absent.insert(k.to_owned(), why.clone());
                }
            }
            Ok(w) => {
                let base = Baseline {
                    runs: before(&eligible_list, p.start_ms, span),
                    min_runs,
                    s,
                };
                run.baseline_runs = base.runs.len();
                e_sigma = elevation(&mut run, w, base);
                early(&mut run, p, base);
                stride(&mut run, w, base);
            }
        }
        if run.elevated == Some(true)
            && let Some(t) = run.temperature_c
            && let Some(med) = median(
                &before(&temps, p.start_ms, span)
                    .iter()
                    .map(|r| r.1)
                    .collect::<Vec<_>>(),
            )
            && t >= med + s.warm_day_delta_c
        {
            run.warm_day = true;
            run.flags.push(run_flag::WARM_DAY.to_owned());
        }
        for (name, none) in [
            ("observed_hr_bpm", run.observed_hr_bpm.is_none()),
            ("gap_speed_m_s", run.gap_speed_m_s.is_none()),
            ("temperature_c", run.temperature_c.is_none()),
            ("cadence_cv", run.cadence_cv.is_none()),
        ] {
            if none {
                let why = if w.is_some() {
                    reason::NOT_RECORDED.to_owned()
                } else {
                    p.m.absent
                        .get("window")
                        .cloned()
                        .unwrap_or_else(|| row_reason::TOO_SHORT.to_owned())
                };
                run.absent.insert(name.to_owned(), why);
            }
        }
        out.push(Easy {
            p: *p,
            e_sigma,
            out: run,
        });
    }
    out
}

/// The main elevation; returns `(e, sigma)`.
fn elevation(run: &mut EasyRun, w: &WindowStats, base: Baseline<'_, '_>) -> Option<(f64, f64)> {
    let fit = (base.runs.len() >= base.min_runs)
        .then(|| {
            let x: Vec<f64> = base.runs.iter().map(|b| b.1.w.gap_speed_m_s).collect();
            let y: Vec<f64> = base.runs.iter().map(|b| b.1.w.hr_bpm).collect();
            theil_sen(&x, &y)
        })
        .flatten();
    let Some(fit) = fit else {
        for k in [
            "elevation_bpm",
            "elevation_z",
            "elevated",
            "sigma_bpm",
            "predicted_hr_bpm",
        ] {
            run.absent
                .insert(k.to_owned(), reason::INSUFFICIENT_BASELINE.to_owned());
        }
        return None;
    };
    let sigma = fit.sigma.max(base.s.sigma_floor_bpm);
    let predicted = fit.predict(w.gap_speed_m_s);
    let e = w.hr_bpm - predicted;
    if !(e.is_finite() && predicted.is_finite()) {
        run.absent.insert(
            "elevation_bpm".to_owned(),
            row_reason::NON_FINITE.to_owned(),
        );
        return None;
    }
    let elevated = e >= base.s.elevated_min_bpm.max(base.s.elevated_sigmas * sigma);
    run.predicted_hr_bpm = Some(predicted);
    run.elevation_bpm = Some(e);
    run.sigma_bpm = Some(sigma);
    run.elevation_z = Some(e / sigma);
    run.elevated = Some(elevated);
    if elevated {
        run.flags.push(run_flag::ELEVATED.to_owned());
    }
    Some((e, sigma))
}

/// The early signal: minutes 5-15 against their own line from the same baseline runs.
fn early(run: &mut EasyRun, p: &Placed<'_>, base: Baseline<'_, '_>) {
    let Some(own) = p.m.early.as_ref().filter(|e| e.is_finite()) else {
        let why =
            p.m.absent
                .get("early")
                .cloned()
                .unwrap_or_else(|| row_reason::TOO_SHORT.to_owned());
        run.absent.insert("early_elevation_bpm".to_owned(), why);
        return;
    };
    let (x, y): (Vec<f64>, Vec<f64>) = base
        .runs
        .iter()
        .filter_map(|b| b.1.early.map(|e| (e.gap_speed_m_s, e.hr_bpm)))
        .unzip();
    let Some(fit) = (x.len() >= base.min_runs)
        .then(|| theil_sen(&x, &y))
        .flatten()
    else {
        run.absent.insert(
            "early_elevation_bpm".to_owned(),
            reason::INSUFFICIENT_BASELINE.to_owned(),
        );
        return;
    };
    let e = own.hr_bpm - fit.predict(own.gap_speed_m_s);
    if !e.is_finite() {
        run.absent.insert(
            "early_elevation_bpm".to_owned(),
            row_reason::NON_FINITE.to_owned(),
        );
        return;
    }
    run.early_elevation_bpm = Some(e);
    let sigma = fit.sigma.max(base.s.sigma_floor_bpm);
    if e >= base.s.elevated_min_bpm.max(base.s.elevated_sigmas * sigma) {
        run.flags.push(run_flag::EARLY_ELEVATED.to_owned());
    }
}

/// A running-dynamics channel: output name, this run's value, the getter, the output slot.
type Dynamic<'r> = (
    &'static str,
    Option<f64>,
    fn(&WindowStats) -> Option<f64>,
    &'r mut Option<f64>,
);

/// Cadence CV and running dynamics against the baseline medians.
fn stride(run: &mut EasyRun, w: &WindowStats, base: Baseline<'_, '_>) {
    let values = |f: fn(&WindowStats) -> Option<f64>| -> Vec<f64> {
        base.runs.iter().filter_map(|b| f(b.1.w)).collect()
    };
    match w.cadence_cv {
        None => {
            run.absent.insert(
                "stride_unsteady".to_owned(),
                reason::NOT_RECORDED.to_owned(),
            );
        }
        Some(cv) => {
            let b = values(|w| w.cadence_cv);
            match median_and_spread(&b).filter(|_| b.len() >= base.min_runs) {
                None => {
                    run.absent.insert(
                        "stride_unsteady".to_owned(),
                        reason::INSUFFICIENT_BASELINE.to_owned(),
                    );
                }
                Some((med, spread)) => {
                    let unsteady =
                        cv > med + base.s.stride_sigmas * spread.max(base.s.stride_cv_sigma_floor);
                    run.stride_unsteady = Some(unsteady);
                    if unsteady {
                        run.flags.push(run_flag::STRIDE_UNSTEADY.to_owned());
                    }
                }
            }
        }
    }
    let dynamics: [Dynamic<'_>; 3] = [
        (
            "stance_time_delta_ms",
            w.stance_time_ms,
            |w| w.stance_time_ms,
            &mut run.stance_time_delta_ms,
        ),
        (
            "vertical_oscillation_delta_mm",
            w.vertical_oscillation_mm,
            |w| w.vertical_oscillation_mm,
            &mut run.vertical_oscillation_delta_mm,
        ),
        (
            "step_length_delta_mm",
            w.step_length_mm,
            |w| w.step_length_mm,
            &mut run.step_length_delta_mm,
        ),
    ];
    for (name, own, get, slot) in dynamics {
        let Some(own) = own else {
            run.absent
                .insert(name.to_owned(), reason::NOT_RECORDED.to_owned());
            continue;
        };
        let b = values(get);
        match median(&b).filter(|_| b.len() >= base.min_runs) {
            Some(med) => *slot = Some(own - med),
            None => {
                run.absent
                    .insert(name.to_owned(), reason::INSUFFICIENT_BASELINE.to_owned());
            }
        }
    }
}

//! Per-activity metrics (METRICS.md section 3) over the cleaned 1 Hz series.
//!
//! Choices where METRICS.md leaves room, so that the numbers can be checked by hand:
//! - The steady portion is every grid second `k` (standing for `[k, k+1)` of moving time) with
//!   `k >= warmup_s`; its length is `moving_s - warmup_s`. The two halves are split at the
//!   middle of that moving time, by the centre of each second.
//! - EF and decoupling average GAP speed and HR over the same seconds: those with both a valid
//!   HR and a speed ("paired" seconds), so a hole in one channel does not bias the ratio.
//! - Coverage is valid-HR moving time over moving time, with the valid-HR moving time measured
//!   on the moving clock from the samples (a gap of up to `coverage_max_gap_s` between valid
//!   HR readings counts as covered, and so does a recording gap of up to `recording_gap_max_s`),
//!   not by counting 1 Hz grid seconds: see [`crate::clean`], step 8, for the rule and the
//!   reason. The metrics below are computed on the grid, which is filled across recording gaps.
//! - Coverage (at least `min_coverage`) is checked on the whole activity, as METRICS.md says,
//!   and gates every HR metric: `avg_hr`, EF, decoupling, drift, TRIMP, hrTSS and the class.
//!   Zone times are plain sums of valid seconds and are reported at any coverage.
//! - `unsteady` (the 30 s means of GAP speed vary by more than `unsteady_cv`, METRICS.md 3b)
//!   makes decoupling, the raw drift and `drift_pct` absent (they assume an even effort). EF
//!   and the speed-adjusted drift stay: the latter exists to handle changing speed.
//! - A `run_walk` run's steady-portion sums and its minutes 10-40 and 5-15 leave out walking
//!   and the first `walk_recovery_s` of each running segment after a walk ([`crate::effort`]);
//!   other runs use every second.
//! - The HR class (`hr_class`) is computed here; the session type (`class`) needs the
//!   threshold speed of the run's date, so it is filled when the rows are read
//!   ([`crate::fill_session_types`]), or by [`crate::compute`] from a configured
//!   `threshold_pace`. [`analyze`] types only a run without speed (by its HR class).
//! - The drift slopes and `drift_pct` need `drift_min_steady_s` (default 20 min, as decoupling);
//!   EF needs `ef_min_steady_s` (default 5 min).
//! - Zones and the Seiler view count all valid-HR moving seconds, warm-up included, so they sum
//!   to the valid-HR moving time. The `easy` test uses the S1 share of the steady portion's
//!   valid-HR seconds; the `hard` test uses the whole activity's S2/S3 time.
//! - TRIMP sums valid-HR seconds only (missing HR is not invented), with `r` floored at 0.
//! - GAP speed, EF, decoupling and the drift at constant speed are for sports on foot
//!   (running, walking, hiking, or no sport named): elsewhere they are absent as `not_on_foot`
//!   (METRICS.md 7), while HR, zones, load and the raw drift stay.
//! - The session class and `long` are for running (an activity whose file names no sport is
//!   taken as a run, with the flag `sport_assumed_running`); other sports get them absent as
//!   `not_running`.

use std::collections::BTreeMap;

use hrdrift_ingest::Activity;

use crate::clean::{self, Clean};
use crate::effort::{self, Parts};
use crate::hrv;
use crate::load;
use crate::settings::AthleteSettings;
use crate::stats::{self, FitError, Moments, finite};
pub use crate::summary::HrSummary;
use crate::time::rfc3339;
use crate::zones;

pub use crate::row::*;

/// Computes the anchor-dependent metrics of `m` (zones, the Seiler view, TRIMP, hrTSS, the
/// HR class, the settings used) again under `settings`, from the activity's `summary`.
/// Returns `false`, leaving `m` as it was, when the summary was made under settings that differ
/// in more than what these metrics use: then only [`analyze`] can tell.
pub fn reanchor(m: &mut ActivityMetrics, summary: &HrSummary, settings: &AthleteSettings) -> bool {
    let s = settings.sanitized();
    if summary.fingerprint != s.anchor_free_fingerprint() {
        return false;
    }
    for name in ANCHORED {
        m.absent.remove(*name);
    }
    m.flags.retain(|f| f != flag::SEX_UNKNOWN_MALE_TRIMP);
    // Before the anchored metrics, which name a ride's bike LTHR in it.
    m.settings_used = SettingsUsed::of(&s);
    anchored(m, summary, &s);
    // The type falls back on the HR class for a run without speed.
    effort::type_row(m, None, &s);
    guard_finite(m);
    true
}

/// The metrics [`anchored`] fills.
const ANCHORED: &[&str] = &["zones_s", "s_zones_s", "trimp", "hrtss", "hr_class"];

/// Zones, the Seiler view, TRIMP and hrTSS, and the session class: everything that depends on
/// the anchors (and on sex, the zone model and the class thresholds) but the settings used, from
/// the summary alone. Pushes the last flag [`analyze`] pushes, so the flags keep their order.
fn anchored(m: &mut ActivityMetrics, sum: &HrSummary, s: &AthleteSettings) {
    // A ride's zones, class and hrTSS are cut from the bike's LTHR where one is set.
    let bike;
    let s = match s.lthr_bike {
        Some(l) if clean::is_ride(m.sport.as_deref()) => {
            bike = AthleteSettings {
                lthr: Some(l),
                ..s.clone()
            };
            m.settings_used.lthr = Some(l);
            &bike
        }
        _ => s,
    };
    let seiler = zones::seiler_bounds_bpm(s);
    let zones5 = sum
        .any_hr_gate
        .and_then(|()| zones::zone_bounds_bpm(s))
        .map(|b| sum.zone_seconds::<5>(&b));
    put(&mut m.zones_s, &mut m.absent, "zones_s", zones5);
    let zones3 = sum
        .any_hr_gate
        .and(seiler)
        .map(|b| sum.zone_seconds::<3>(&b));
    put(&mut m.s_zones_s, &mut m.absent, "s_zones_s", zones3);
    load_metrics(m, sum, s);
    // Every sport with HR has an HR class (METRICS.md 7: a ride without power has only that).
    let class = sum
        .hr_gate
        .and_then(|()| session_class(&zones3?, sum.steady_seconds(&seiler?), s));
    put(&mut m.hr_class, &mut m.absent, "hr_class", class);
}

pub(crate) type Outcome<T> = Result<T, &'static str>;

pub(crate) fn put<T>(
    slot: &mut Option<T>,
    absent: &mut BTreeMap<String, String>,
    name: &str,
    r: Outcome<T>,
) {
    match r {
        Ok(v) => {
            *slot = Some(v);
            // A later step may fill what an earlier one left absent (a ride's EF from power).
            absent.remove(name);
        }
        Err(why) => {
            *slot = None;
            absent.insert(name.to_owned(), why.to_owned());
        }
    }
}

/// Sums over the steady portion, gathered in one pass.
#[derive(Default)]
struct Steady {
    /// Valid-HR seconds: time (h) and HR, for the raw drift.
    hr_t_h: Vec<f64>,
    hr: Vec<f64>,
    /// Paired seconds: time (h), GAP (m/s), HR, for the adjusted drift.
    pair_t_h: Vec<f64>,
    pair_gap: Vec<f64>,
    pair_hr: Vec<f64>,
    /// Per half: paired GAP, paired HR, valid HR.
    half_gap: [Moments; 2],
    half_pair_hr: [Moments; 2],
    half_hr: [Moments; 2],
}

/// Gates shared by several metrics: each is `Ok` or the reason the metrics behind it are absent.
#[derive(Clone, Copy)]
struct Gates {
    /// Moving time, some valid HR, coverage at least `min_coverage`.
    hr: Outcome<()>,
    /// Moving time and some valid HR (coverage not checked).
    any_hr: Outcome<()>,
    speed: Outcome<()>,
    unsteady: Outcome<()>,
    steady_s: f64,
}

impl Gates {
    /// `hr` plus a steady portion of at least `min_s`.
    fn steady(&self, min_s: f64) -> Outcome<()> {
        self.hr?;
        if self.steady_s <= 0.0 || self.steady_s < min_s {
            Err(reason::TOO_SHORT)
        } else {
            Ok(())
        }
    }
}

/// Computes metrics and the cleaned series of one activity.
#[must_use]
pub fn analyze(activity: &Activity, settings: &AthleteSettings, ctx: &ActivityContext) -> Analysis {
    let s = settings.sanitized();
    let c = clean::clean(activity, &s);
    let running = clean::is_running(activity.sport.as_deref());
    let mut m = empty_row(activity, &s, &c);

    let coverage: Outcome<f64> = if c.moving_s > 0.0 {
        Ok((c.hr_covered_s / c.moving_s).min(1.0))
    } else {
        Err(reason::NO_MOVING_TIME)
    };
    let any_hr = match coverage {
        Err(why) => Err(why),
        Ok(_) if m.valid_hr_s > 0.0 => Ok(()),
        Ok(_) => Err(reason::NO_HEART_RATE),
    };
    let hr = any_hr.and(coverage).and_then(|cov| {
        if cov < s.min_coverage {
            Err(reason::LOW_COVERAGE)
        } else {
            Ok(())
        }
    });
    put(&mut m.coverage, &mut m.absent, "coverage", coverage);

    let parts = effort::parts(&c, &s, running);
    let mid_s = s.warmup_s + m.steady_s / 2.0;
    let st = steady_sums(&c, &s, mid_s, &parts);
    let blocks = effort::blocks(&c, &parts, &s);
    let cv = effort::blocks_cv(&blocks);
    let unsteady = cv.is_some_and(|cv| cv > s.unsteady_cv);
    if unsteady {
        m.flags.push(flag::UNSTEADY.to_owned());
    }
    if running {
        m.walk_share = Some(parts.walk_share);
        if parts.run_walk {
            m.flags.push(flag::RUN_WALK.to_owned());
        }
        m.decoupling_quality = match cv {
            _ if unsteady => None,
            Some(cv) if cv > s.steady_cv => Some(DecouplingQuality::Variable),
            _ => Some(DecouplingQuality::Steady),
        };
    }
    let gates = Gates {
        hr,
        any_hr,
        speed: if !clean::is_on_foot(activity.sport.as_deref()) {
            Err(reason::NOT_ON_FOOT)
        } else if c.any_speed {
            Ok(())
        } else {
            Err(reason::NO_SPEED)
        },
        unsteady: if unsteady {
            Err(reason::UNSTEADY)
        } else {
            Ok(())
        },
        steady_s: m.steady_s,
    };

    put(
        &mut m.distance_m,
        &mut m.absent,
        "distance_m",
        c.distance_m.ok_or(reason::NO_DISTANCE),
    );
    let gap_mean = mean(c.gap.iter().flatten().copied());
    let gap_mean = gates.speed.and_then(|()| gap_mean.ok_or(reason::NO_SPEED));
    put(
        &mut m.gap_speed_m_s,
        &mut m.absent,
        "gap_speed_m_s",
        gap_mean,
    );
    let avg_hr = gates
        .hr
        .and_then(|()| mean(c.hr.iter().flatten().copied()).ok_or(reason::NO_HEART_RATE));
    put(&mut m.avg_hr, &mut m.absent, "avg_hr", avg_hr);

    let line = steady_metrics(&mut m, &gates, &st, &s);
    if running && c.any_speed {
        let e = effort::summary(&c, &parts, &s, blocks);
        if e.not_running_speed {
            m.flags.push(flag::NOT_RUNNING_SPEED.to_owned());
        }
        m.effort = Some(e);
    }
    let summary = HrSummary::new(&c, &s, running, gates.hr, gates.any_hr);
    anchored(&mut m, &summary, &s);
    let long = long_flag(c.moving_s, running, ctx.median_run_s_prev_28d, &s);
    put(&mut m.long, &mut m.absent, "long", long);
    let spans = gates.any_hr.and(gates.speed);
    let window = spans.and_then(|()| {
        window_stats(
            activity,
            (&c, &parts),
            &s,
            (s.window_from_s, s.window_to_s),
            s.window_min_s,
        )
    });
    put(&mut m.window, &mut m.absent, "window", window);
    let early = spans.and_then(|()| {
        window_stats(
            activity,
            (&c, &parts),
            &s,
            (s.early_from_s, s.early_to_s),
            s.early_min_s,
        )
    });
    put(&mut m.early, &mut m.absent, "early", early);
    let steady_s = m.steady_s;
    crate::power::apply(
        &mut m,
        &c,
        &s,
        &crate::power::Gates {
            hr: gates.hr,
            steady_s,
            warmup_s: s.warmup_s,
            mid_s,
        },
    );
    let alpha1 = hrv_fields(&mut m, activity, &c, s.warmup_s);
    // Stored rows must not depend on the threshold (it is not in their fingerprint): only the
    // HR basis of a run without speed is set here; [`crate::compute`] and the readers of stored
    // rows ([`crate::fill_session_types`]) type the rest.
    effort::type_row(&mut m, None, &s);
    guard_finite(&mut m);

    let steady = (m.steady_s > 0.0).then_some(SteadySpan {
        start_s: s.warmup_s,
        mid_s,
        end_s: c.moving_s,
    });
    let drift_line = line.and_then(|(a, b)| {
        let (t0, t1) = (s.warmup_s, c.moving_s);
        let (h0, h1) = (a + b * t0 / 3600.0, a + b * t1 / 3600.0);
        (h0.is_finite() && h1.is_finite()).then_some(DriftLine {
            start_s: t0,
            end_s: t1,
            hr_start_bpm: h0,
            hr_end_bpm: h1,
            slope_bpm_per_h: b,
        })
    });
    let series = ActivitySeries {
        t_s: c.t_s,
        wall_ms: c.wall_ms,
        hr_bpm: c.hr,
        speed_m_s: c.speed,
        grade: c.grade,
        gap_speed_m_s: c.gap,
        moving_s: c.moving_s,
        steady,
        drift_line,
        alpha1,
    };
    Analysis {
        metrics: m,
        series,
        summary,
    }
}

/// A row with identity, moving time, cleaning flags and settings filled in, every metric `None`.
fn empty_row(activity: &Activity, s: &AthleteSettings, c: &Clean) -> ActivityMetrics {
    let mut flags = Vec::new();
    for (on, name) in [
        (activity.sport.is_none(), flag::SPORT_ASSUMED_RUNNING),
        (c.stats.out_of_order > 0, flag::SAMPLES_REORDERED),
        (c.stats.duplicates > 0, flag::DUPLICATE_TIMESTAMPS),
        (c.cadence_lock, flag::HR_CADENCE_LOCK),
        (c.any_speed && !c.any_altitude, flag::NO_ALTITUDE),
    ] {
        if on {
            flags.push(name.to_owned());
        }
    }
    #[expect(clippy::cast_precision_loss)]
    let valid_hr_s = c.hr.iter().flatten().count() as f64;
    ActivityMetrics {
        id: activity.id.clone(),
        start: rfc3339(activity.start_ms),
        sport: activity.sport.clone(),
        sport_source: activity.sport_source.clone(),
        sport_guessed: activity.sport_source.as_deref() == Some(hrdrift_ingest::SPORT_GUESSED),
        class: None,
        long: None,
        moving_s: c.moving_s,
        distance_m: None,
        avg_hr: None,
        ef: None,
        decoupling_pct: None,
        drift_bpm_per_h: None,
        drift_adj_bpm_per_h: None,
        drift_pct: None,
        trimp: None,
        hrtss: None,
        zones_s: None,
        flags,
        absent: BTreeMap::new(),
        coverage: None,
        valid_hr_s,
        steady_s: (c.moving_s - s.warmup_s).max(0.0),
        s_zones_s: None,
        gap_speed_m_s: None,
        settings_used: SettingsUsed::of(s),
        cleaning: c.stats,
        start_ms: activity.start_ms,
        end_ms: activity
            .samples
            .timestamp_ms
            .iter()
            .copied()
            .max()
            .unwrap_or(activity.start_ms),
        utc_offset_s: activity.utc_offset_s,
        window: None,
        early: None,
        hr_class: None,
        class_basis: None,
        threshold_speed_m_s: None,
        threshold_source: None,
        p_zones_s: None,
        fast_reps: None,
        walk_share: None,
        decoupling_quality: None,
        effort: None,
        rr_beats: 0,
        rr_artifact_pct: None,
        rmssd_ms: None,
        dfa_a1_mean: None,
        a1_drift: None,
        aet_hr_bpm: None,
        feel: activity.workout_feel.filter(|v| (0.0..=100.0).contains(v)),
        rpe: activity.workout_rpe.filter(|v| (0.0..=10.0).contains(v)),
        np_w: None,
        avg_power_w: None,
        ef_power: None,
        pw_hr_decoupling_pct: None,
        power: None,
        ftp_w: None,
        ftp_source: None,
        intensity_factor: None,
        tss: None,
        power_zones_s: None,
    }
}

/// The HRV fields of METRICS.md section 5, from the activity's RR on the record clock, over the
/// steady portion's moving stretches; returns the alpha1 windows with their HR and speed.
fn hrv_fields(
    m: &mut ActivityMetrics,
    activity: &Activity,
    c: &Clean,
    warmup_s: f64,
) -> Vec<Alpha1Point> {
    let beats =
        hrv::clock::Beats::align(&activity.rr_ms, &activity.rr_anchor_ms, activity.start_ms);
    let f = hrv::clock::fields(&beats, &steady_stretches(c, warmup_s));
    m.rr_beats = f.rr_beats as u64;
    put(
        &mut m.rr_artifact_pct,
        &mut m.absent,
        "rr_artifact_pct",
        f.rr_artifact_pct,
    );
    put(&mut m.rmssd_ms, &mut m.absent, "rmssd_ms", f.rmssd_ms);
    put(
        &mut m.dfa_a1_mean,
        &mut m.absent,
        "dfa_a1_mean",
        f.dfa_a1_mean,
    );
    put(&mut m.a1_drift, &mut m.absent, "a1_drift", f.a1_drift);
    put(&mut m.aet_hr_bpm, &mut m.absent, "aet_hr_bpm", f.aet_hr_bpm);
    f.windows
        .iter()
        .map(|w| alpha1_point(w, c, activity.start_ms))
        .collect()
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "epoch milliseconds are below 2^53"
)]
fn alpha1_point(w: &hrv::clock::ClockWindow, c: &Clean, start_ms: i64) -> Alpha1Point {
    let lo = c.wall_ms.partition_point(|&t| (t as f64) < w.start_ms);
    let hi = c.wall_ms.partition_point(|&t| (t as f64) < w.end_ms);
    let speed = mean(c.speed[lo..hi.max(lo)].iter().flatten().copied());
    Alpha1Point {
        start_ms: w.start_ms.round() as i64,
        end_ms: w.end_ms.round() as i64,
        elapsed_s: (f64::midpoint(w.start_ms, w.end_ms) - start_ms as f64) / 1000.0,
        alpha1: w.alpha1.ok(),
        absent: w.alpha1.err().map(str::to_owned),
        hr_bpm: w.hr_bpm,
        speed_m_s: speed,
        artifact_share: w.artifact_share,
    }
}

/// The steady portion on the record clock: the grid seconds after the warm-up, joined where
/// they follow one another (a pause ends a stretch), each second `[t, t + 1 s)`.
fn steady_stretches(c: &Clean, warmup_s: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (&t, &wall) in c.t_s.iter().zip(&c.wall_ms) {
        if t < warmup_s {
            continue;
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "epoch milliseconds are below 2^53"
        )]
        let at = wall as f64;
        match out.last_mut() {
            Some(last) if (at - last.1).abs() < 1.0 => last.1 = at + 1000.0,
            _ => out.push((at, at + 1000.0)),
        }
    }
    out
}

/// EF from mean GAP speed and mean HR over the same seconds.
fn ef(gap: &Moments, hr: &Moments) -> Outcome<f64> {
    let (g, h) = (
        gap.mean().ok_or(reason::TOO_SHORT)?,
        hr.mean().ok_or(reason::TOO_SHORT)?,
    );
    if h <= 0.0 {
        return Err(reason::TOO_SHORT);
    }
    finite(g * 60.0 / h).ok_or(reason::NON_FINITE)
}

/// EF, decoupling, the drifts; returns the raw drift line `(intercept, slope)` for the chart.
fn steady_metrics(
    m: &mut ActivityMetrics,
    g: &Gates,
    st: &Steady,
    s: &AthleteSettings,
) -> Option<(f64, f64)> {
    let all_gap = st.half_gap[0].merged(&st.half_gap[1]);
    let all_hr = st.half_pair_hr[0].merged(&st.half_pair_hr[1]);
    let ef_all = g
        .steady(s.ef_min_steady_s)
        .and(g.speed)
        .and_then(|()| ef(&all_gap, &all_hr));
    put(&mut m.ef, &mut m.absent, "ef", ef_all);

    let decoupling = g
        .steady(s.decoupling_min_steady_s)
        .and(g.speed)
        .and(g.unsteady)
        .and_then(|()| {
            let ef1 = ef(&st.half_gap[0], &st.half_pair_hr[0])?;
            let ef2 = ef(&st.half_gap[1], &st.half_pair_hr[1])?;
            if ef1 <= 0.0 {
                return Err(reason::TOO_SHORT);
            }
            finite((ef1 - ef2) / ef1 * 100.0).ok_or(reason::NON_FINITE)
        });
    put(
        &mut m.decoupling_pct,
        &mut m.absent,
        "decoupling_pct",
        decoupling,
    );

    let drift_gate = g.steady(s.drift_min_steady_s);
    let line = drift_gate
        .and(g.unsteady)
        .and_then(|()| stats::ols_slope(&st.hr_t_h, &st.hr).ok_or(reason::TOO_SHORT));
    put(
        &mut m.drift_bpm_per_h,
        &mut m.absent,
        "drift_bpm_per_h",
        line.map(|(_, b)| b),
    );

    let adj = drift_gate.and(g.speed).and_then(|()| {
        stats::ols2_first_coef(&st.pair_t_h, &st.pair_gap, &st.pair_hr).map_err(|e| match e {
            FitError::TooFew => reason::TOO_SHORT,
            FitError::Collinear => reason::COLLINEAR,
        })
    });
    put(
        &mut m.drift_adj_bpm_per_h,
        &mut m.absent,
        "drift_adj_bpm_per_h",
        adj,
    );

    let drift_pct = drift_gate.and(g.unsteady).and_then(|()| {
        let h1 = st.half_hr[0].mean().ok_or(reason::TOO_SHORT)?;
        let h2 = st.half_hr[1].mean().ok_or(reason::TOO_SHORT)?;
        if h1 <= 0.0 {
            return Err(reason::TOO_SHORT);
        }
        finite((h2 - h1) / h1 * 100.0).ok_or(reason::NON_FINITE)
    });
    put(&mut m.drift_pct, &mut m.absent, "drift_pct", drift_pct);
    line.ok()
}

/// Banister TRIMP over valid-HR seconds, and hrTSS. TRIMP sums over the distinct HR values
/// (ascending), each term weighted by its seconds.
fn load_metrics(m: &mut ActivityMetrics, sum: &HrSummary, s: &AthleteSettings) {
    let (k1, k2, sex_guessed) = load::trimp_constants(s);
    let anchors = match (s.hr_rest, s.hr_max) {
        (Some(r), Some(mx)) if mx > r => Ok((r, mx)),
        _ => Err(reason::NO_HR_SETTINGS),
    };
    let trimp = sum.hr_gate.and(anchors).and_then(|(r, mx)| {
        let per_min: f64 = sum
            .seconds()
            .map(|(h, n)| f64::from(n) * load::trimp_per_min(load::hrr_fraction(h, r, mx), k1, k2))
            .sum();
        // Each valid second is 1/60 of a minute.
        finite(per_min / 60.0).ok_or(reason::NON_FINITE)
    });
    if trimp.is_ok() && sex_guessed {
        m.flags.push(flag::SEX_UNKNOWN_MALE_TRIMP.to_owned());
    }
    let hrtss = trimp.and_then(|t| {
        let (r, mx) = anchors?;
        let lthr = s.lthr.ok_or(reason::NO_HR_SETTINGS)?;
        let hour_at_lthr = 60.0 * load::trimp_per_min(load::hrr_fraction(lthr, r, mx), k1, k2);
        if hour_at_lthr <= 0.0 {
            return Err(reason::NO_HR_SETTINGS);
        }
        finite(t / hour_at_lthr * 100.0).ok_or(reason::NON_FINITE)
    });
    put(&mut m.trimp, &mut m.absent, "trimp", trimp);
    put(&mut m.hrtss, &mut m.absent, "hrtss", hrtss);
}

/// `hard` on the whole activity's S2/S3 time, else `easy` on the steady portion's S1 share
/// (`steady` = its valid-HR seconds in S1, and in all).
fn session_class(
    s_zones: &[f64; 3],
    (s1_s, valid_s): (f64, f64),
    s: &AthleteSettings,
) -> Outcome<SessionClass> {
    if s_zones[2] >= s.hard_s3_s || s_zones[1] + s_zones[2] >= s.hard_s2_s3_s {
        return Ok(SessionClass::Hard);
    }
    if valid_s <= 0.0 {
        return Err(reason::TOO_SHORT);
    }
    Ok(if s1_s / valid_s >= s.easy_s1_share {
        SessionClass::Easy
    } else {
        SessionClass::Moderate
    })
}

/// Guards the invariant: no NaN or infinity ever leaves [`analyze`].
fn guard_finite(m: &mut ActivityMetrics) {
    for (name, slot) in [
        ("distance_m", &mut m.distance_m),
        ("avg_hr", &mut m.avg_hr),
        ("ef", &mut m.ef),
        ("decoupling_pct", &mut m.decoupling_pct),
        ("drift_bpm_per_h", &mut m.drift_bpm_per_h),
        ("drift_adj_bpm_per_h", &mut m.drift_adj_bpm_per_h),
        ("drift_pct", &mut m.drift_pct),
        ("trimp", &mut m.trimp),
        ("hrtss", &mut m.hrtss),
        ("coverage", &mut m.coverage),
        ("gap_speed_m_s", &mut m.gap_speed_m_s),
        ("walk_share", &mut m.walk_share),
        ("rr_artifact_pct", &mut m.rr_artifact_pct),
        ("rmssd_ms", &mut m.rmssd_ms),
        ("dfa_a1_mean", &mut m.dfa_a1_mean),
        ("a1_drift", &mut m.a1_drift),
        ("aet_hr_bpm", &mut m.aet_hr_bpm),
        ("np_w", &mut m.np_w),
        ("avg_power_w", &mut m.avg_power_w),
        ("ef_power", &mut m.ef_power),
        ("pw_hr_decoupling_pct", &mut m.pw_hr_decoupling_pct),
    ] {
        if slot.is_some_and(|v| !v.is_finite()) {
            *slot = None;
            m.absent
                .insert(name.to_owned(), reason::NON_FINITE.to_owned());
        }
    }
    for (name, slot) in [("window", &mut m.window), ("early", &mut m.early)] {
        if slot.is_some_and(|w| !w.is_finite()) {
            *slot = None;
            m.absent
                .insert(name.to_owned(), reason::NON_FINITE.to_owned());
        }
    }
}

/// Plausible ranges of the channels read from the samples for [`WindowStats`].
const CADENCE_RANGE: (f64, f64) = (1.0, 400.0);
const TEMPERATURE_RANGE_C: (f64, f64) = (-60.0, 70.0);
const STANCE_RANGE_MS: (f64, f64) = (1.0, 3000.0);
const OSCILLATION_RANGE_MM: (f64, f64) = (1.0, 1000.0);
const STEP_RANGE_MM: (f64, f64) = (1.0, 5000.0);

/// [`WindowStats`] over the grid seconds `from <= k < to` of moving time.
fn window_stats(
    activity: &Activity,
    (c, parts): (&Clean, &Parts),
    s: &AthleteSettings,
    (from_s, to_s): (f64, f64),
    min_s: f64,
) -> Outcome<WindowStats> {
    let lo = c.t_s.partition_point(|t| *t < from_s);
    let hi = c.t_s.partition_point(|t| *t < to_s).max(lo);
    let (mut hr, mut gap) = (Moments::default(), Moments::default());
    let mut seconds = 0.0;
    for i in lo..hi {
        if !parts.uses(i) {
            continue;
        }
        if let (Some(h), Some(g)) = (c.hr[i], c.gap[i]) {
            hr.push(h);
            gap.push(g);
            seconds += 1.0;
        }
    }
    if seconds <= 0.0 || seconds < min_s {
        return Err(reason::TOO_SHORT);
    }
    let smp = &activity.samples;
    let channels = [
        (smp.cadence_spm.as_ref(), CADENCE_RANGE),
        (smp.stance_time_ms.as_ref(), STANCE_RANGE_MS),
        (smp.vertical_oscillation_mm.as_ref(), OSCILLATION_RANGE_MM),
        (smp.step_length_mm.as_ref(), STEP_RANGE_MM),
        (smp.temperature_c.as_ref(), TEMPERATURE_RANGE_C),
    ];
    let mut sums = [Moments::default(); 5];
    if channels.iter().any(|(ch, _)| ch.is_some()) {
        let ts = &smp.timestamp_ms;
        let mut order: Vec<usize> = (0..ts.len()).collect();
        if !ts.is_sorted() {
            order.sort_by_key(|&j| ts[j]);
        }
        #[expect(clippy::cast_possible_truncation)]
        let max_back_ms = (s.resample_max_gap_s * 1000.0).round().max(1000.0) as i64;
        let mut p = 0_usize;
        for &wall in &c.wall_ms[lo..hi] {
            // The latest sample at or before this second (the grid's wall clock only rises).
            while p + 1 < order.len() && ts[order[p + 1]] <= wall {
                p += 1;
            }
            let Some(&j) = order.get(p) else { break };
            if ts[j] > wall || wall.saturating_sub(ts[j]) > max_back_ms {
                continue;
            }
            for ((ch, (min, max)), acc) in channels.iter().zip(sums.iter_mut()) {
                if let Some(v) = ch
                    .and_then(|v| v.get(j).copied().flatten())
                    .filter(|v| v.is_finite() && *v >= *min && *v <= *max)
                {
                    acc.push(v);
                }
            }
        }
    }
    let hr_bpm = hr.mean().ok_or(reason::TOO_SHORT)?;
    let gap_speed_m_s = gap.mean().ok_or(reason::NO_SPEED)?;
    Ok(WindowStats {
        hr_bpm,
        gap_speed_m_s,
        cadence_cv: sums[0].cv(),
        stance_time_ms: sums[1].mean(),
        vertical_oscillation_mm: sums[2].mean(),
        step_length_mm: sums[3].mean(),
        temperature_c: sums[4].mean(),
        seconds,
    })
}

/// `long` per METRICS.md: moving time at least `long_min_s` and at least `long_ratio` x the
/// median run of the previous 28 days.
///
/// # Errors
/// `not_running` for other sports; `no_history` when the run is long enough for the first test
/// but the median is unknown.
pub fn long_flag(
    moving_s: f64,
    running: bool,
    median_prev_s: Option<f64>,
    s: &AthleteSettings,
) -> Result<bool, &'static str> {
    if !running {
        return Err(reason::NOT_RUNNING);
    }
    if moving_s < s.long_min_s {
        return Ok(false);
    }
    match median_prev_s.filter(|m| m.is_finite() && *m > 0.0) {
        Some(med) => Ok(moving_s >= s.long_ratio * med),
        None => Err(reason::NO_HISTORY),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut m = Moments::default();
    values.for_each(|v| m.push(v));
    m.mean()
}

fn steady_sums(c: &Clean, s: &AthleteSettings, mid_s: f64, parts: &Parts) -> Steady {
    let mut st = Steady::default();
    for i in 0..c.t_s.len() {
        let t = c.t_s[i];
        if t < s.warmup_s || !parts.uses(i) {
            continue;
        }
        let half = usize::from(t + 0.5 >= mid_s);
        let t_h = t / 3600.0;
        if let Some(h) = c.hr[i] {
            st.hr_t_h.push(t_h);
            st.hr.push(h);
            st.half_hr[half].push(h);
            if let Some(g) = c.gap[i] {
                st.pair_t_h.push(t_h);
                st.pair_gap.push(g);
                st.pair_hr.push(h);
                st.half_gap[half].push(g);
                st.half_pair_hr[half].push(h);
            }
        }
    }
    st
}

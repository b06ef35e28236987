//! Ground truth: what the generator did, stated in the terms of METRICS.md.
//!
//! Most values are exact properties of the simulation (offsets applied, planned times,
//! noise-free load). Where METRICS.md defines a verdict on top of measured numbers (elevated,
//! absorbed / lingering, weekly flags), the truth applies the same rule to the noise-free
//! values, assuming the baseline spread sigma sits at its 1.5 bpm floor (the generator's
//! day-to-day scatter is chosen to keep it there). `truth.json` says which thresholds it used.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::physio::{Fatigue, Physiology, RecoveryDesign};
use crate::plan::{RunPlan, RunType, WeekLayout, Workout};
use crate::sim::{TruthStats, WINDOW_S};

/// METRICS.md session class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionClass {
    Easy,
    Moderate,
    Hard,
}

/// METRICS.md recovery verdict, applied to the true elevations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Absorbed,
    Lingering,
    Unknown,
    /// Recovered only after 72 h without an elevated run after 72 h: METRICS.md names no
    /// verdict for this. The plan avoids it; it is reported rather than forced.
    Undetermined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// The athlete's settings, as a config file would give them to hrdrift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AthleteSettings {
    pub hr_max: f64,
    pub hr_rest: f64,
    pub lthr: f64,
    pub sex: Sex,
}

/// Thresholds the truth's verdicts were computed with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub assumed_sigma_bpm: f64,
    pub elevated_bpm: f64,
    pub recovered_bpm: f64,
    pub absorbed_within_h: f64,
    pub recovery_window_h: f64,
    pub warm_day_delta_c: f64,
    pub hard_spacing_h: f64,
    pub load_spike_ratio: f64,
    pub ctl_tau_days: f64,
    pub atl_tau_days: f64,
    /// How CTL/ATL are updated each day.
    pub ewma: String,
    /// What `expected_e_bpm` is measured against.
    pub elevation_reference: String,
}

/// One activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityTruth {
    pub index: usize,
    pub file: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Local time minus UTC (s), as written in the FIT `activity.local_timestamp`.
    pub utc_offset_s: i32,
    pub local_date: NaiveDate,
    pub iso_week: String,
    pub week_layout: WeekLayout,
    pub planned: RunType,
    pub workout: Workout,
    /// METRICS.md HR class of the noise-free run (for the default athlete it equals the plan).
    pub class: SessionClass,
    /// Session type of METRICS.md 3a as the plan intends it: easy and long workouts `easy`,
    /// intervals and tempo `hard`, moderate workouts `moderate`.
    pub session_type: SessionClass,
    /// Pace zone (P1, P2, P3) seconds of the running seconds of the steady portion against
    /// the day's threshold speed ([`Physiology::threshold_speed`]), as 3a reads them.
    pub steady_pace_zone_s: [u32; 3],
    /// Walking seconds / moving seconds (0 without walking).
    pub walk_share: f64,
    /// `walk_share >= 0.05` (METRICS.md 3b).
    pub run_walk: bool,
    /// A steady run of METRICS.md 4: session type easy or moderate with at least 15 min of
    /// elevation seconds in minutes 10-40 (for run-walk runs, running seconds not in the first
    /// 60 s after a walk). Exactly the runs with `expected_e_bpm`.
    pub steady_run: bool,
    /// METRICS.md `long` flag.
    pub long: bool,
    /// METRICS.md `unsteady` (GAP speed CV > 0.15 on the steady portion).
    pub unsteady: bool,
    pub moving_s: u32,
    pub elapsed_s: u32,
    pub pauses: usize,
    pub distance_m: f64,
    /// Air temperature of the day (degC); the file's `temperature` channel averages to it.
    pub temperature_c: f64,
    pub hot_day: bool,
    pub tired_day: bool,
    /// An intended-elevated run on a day >= 8 degC above the 42-day median of run temperatures.
    pub warm_day: bool,
    /// Components of the HR offset applied to the whole run (bpm).
    pub fatigue_bpm: f64,
    pub tired_bpm: f64,
    pub heat_bpm: f64,
    /// Day-to-day scatter, part of every run and of the baseline's spread; not "elevation".
    pub day_noise_bpm: f64,
    /// fatigue + tired + heat.
    pub elevation_bpm: f64,
    pub drift_bpm_per_h: f64,
    /// For steady runs: the elevation METRICS.md should measure over minutes 10-40 (their
    /// elevation seconds), i.e. `elevation_bpm` plus the extra drift over those seconds
    /// relative to an ordinary easy run; the day-to-day scatter is not included.
    pub expected_e_bpm: Option<f64>,
    /// `expected_e_bpm >= max(4, 2 sigma)` with sigma at its 1.5 bpm floor.
    pub intended_elevated: Option<bool>,
    /// At least 6 steady runs in the 42 days before (else `insufficient_baseline`).
    pub baseline_available: bool,
    /// Noise-free mean HR and GAP speed over minutes 10-40 of moving time (for run-walk runs,
    /// over the elevation seconds of `steady_run`).
    pub window_mean_hr_bpm: Option<f64>,
    pub window_mean_gap_m_s: Option<f64>,
    /// Banister TRIMP and hrTSS of the noise-free HR.
    pub trimp: f64,
    pub hrtss: f64,
    /// Seiler zone seconds (S1, S2, S3) over all moving time and over the steady portion.
    pub zone_s: [u32; 3],
    pub steady_zone_s: [u32; 3],
    pub recovery_design: Option<RecoveryDesign>,
    pub fatigue: Option<Fatigue>,
    /// For sessions whose `session_type` is hard, from the steady runs after them.
    pub recovery_verdict: Option<Verdict>,
    /// Hours from the session's end to the run at which METRICS.md counts it recovered.
    pub recovery_h: Option<f64>,
    pub vmax_m_s: f64,
    pub hilly: bool,
    pub smart_recording: bool,
    pub running_dynamics: bool,
    pub hrv: bool,
    /// Cadence scatter multiplier (2 on tired days: "stride feels less controlled").
    pub stride_noise_factor: f64,
}

/// The weekly flags of METRICS.md.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekFlags {
    pub too_many_hard: bool,
    pub hard_back_to_back: bool,
    pub too_much_moderate: bool,
    pub no_true_easy: bool,
    pub load_spike: bool,
}

impl WeekFlags {
    #[must_use]
    pub fn any(&self) -> bool {
        self.too_many_hard
            || self.hard_back_to_back
            || self.too_much_moderate
            || self.no_true_easy
            || self.load_spike
    }
}

/// One ISO week (athlete's local time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekTruth {
    pub iso_week: String,
    pub monday: NaiveDate,
    pub layout: WeekLayout,
    pub runs: usize,
    /// Runs of HR class easy and moderate (they feed `no_true_easy`, `too_much_moderate`).
    pub easy: usize,
    pub moderate: usize,
    /// Sessions whose session type is hard.
    pub hard: usize,
    /// Shortest end-to-start spacing between consecutive hard sessions of this week (h).
    pub min_hard_spacing_h: Option<f64>,
    pub moving_s: u32,
    pub distance_m: f64,
    pub load_hrtss: f64,
    /// Seiler S1/S2/S3 shares of moving time.
    pub zone_shares: [f64; 3],
    /// Flags computed from the runs with METRICS.md's rules.
    pub flags: WeekFlags,
    /// Flags the layout was designed to raise.
    pub intended_flags: WeekFlags,
}

/// One local calendar day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayTruth {
    pub date: NaiveDate,
    pub load_hrtss: f64,
    pub ctl: f64,
    pub atl: f64,
    /// CTL - ATL of the day before.
    pub tsb: f64,
}

/// The whole ground truth (`truth.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    pub generator: String,
    pub seed: u64,
    pub athlete: AthleteSettings,
    pub physiology: Physiology,
    pub thresholds: Thresholds,
    pub activities: Vec<ActivityTruth>,
    pub weeks: Vec<WeekTruth>,
    pub days: Vec<DayTruth>,
}

const SIGMA: f64 = 1.5;
const ELEVATED: f64 = 4.0;
const RECOVERED: f64 = 2.0;

fn class_of(st: &TruthStats) -> SessionClass {
    let [s1, s2, s3] = st.steady_zone_s;
    let steady = s1 + s2 + s3;
    if s3 >= 480 || s2 + s3 >= 1500 {
        SessionClass::Hard
    } else if f64::from(s1) >= 0.85 * f64::from(steady) {
        SessionClass::Easy
    } else {
        SessionClass::Moderate
    }
}

/// The session type the plan intends (METRICS.md 3a).
///
/// The workout decides, not the pace cuts: a tempo (30-35 min at about 0.92 v_t, P2) falls
/// short of 3a's P2+P3 >= 40 min and reads `moderate` by pace; `steady_pace_zone_s` shows it.
#[must_use]
pub fn session_type_of(workout: Workout) -> SessionClass {
    match workout {
        Workout::Easy | Workout::Long => SessionClass::Easy,
        Workout::Moderate => SessionClass::Moderate,
        Workout::Intervals | Workout::Tempo => SessionClass::Hard,
    }
}

/// METRICS.md 4: minutes 10-40 must hold at least 15 min to measure an elevation.
const MIN_WINDOW_S: u32 = 900;

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn intended_flags(layout: WeekLayout) -> WeekFlags {
    let mut f = WeekFlags::default();
    match layout {
        WeekLayout::ThreeHard => f.too_many_hard = true,
        WeekLayout::BackToBack => f.hard_back_to_back = true,
        WeekLayout::Moderate => {
            f.too_much_moderate = true;
            f.no_true_easy = true;
        }
        WeekLayout::LoadSpike => f.load_spike = true,
        _ => {}
    }
    f
}

fn ts(unix_s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix_s, 0).expect("planned times are in chrono's range")
}

fn iso_week_label(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// Builds the truth from the plans and their noise-free simulations (same order).
#[must_use]
pub fn build(
    seed: u64,
    settings: AthleteSettings,
    phys: &Physiology,
    plans: &[RunPlan],
    stats: &[TruthStats],
) -> Truth {
    let norm = phys.trimp_hour_at_lthr_for(settings.sex);
    let mut acts: Vec<ActivityTruth> = Vec::with_capacity(plans.len());
    for (p, st) in plans.iter().zip(stats) {
        let class = class_of(st);
        let steady_n = st.steady_zone_s.iter().sum::<u32>();
        let unsteady = steady_n > 0 && st.gap_cv() > 0.15;
        let window = (st.elev_n > 0).then(|| {
            let n = f64::from(st.elev_n);
            (st.elev_hr_sum / n, st.elev_gap_sum / n)
        });
        let session_type = session_type_of(p.workout);
        let steady_run = session_type != SessionClass::Hard && st.elev_n >= MIN_WINDOW_S;
        let expected_e = steady_run.then(|| {
            let mean_t_s = if st.walk_s == 0 {
                let end = st.moving_s.min(WINDOW_S.1);
                f64::from(WINDOW_S.0 + 1 + end) / 2.0
            } else {
                st.elev_mean_t_s().unwrap_or(0.0)
            };
            let mean_t_h = mean_t_s / 3600.0;
            p.offsets.elevation_bpm() + (p.drift_bpm_per_h - phys.base_drift_bpm_per_h) * mean_t_h
        });
        let walk_share = if st.moving_s > 0 {
            f64::from(st.walk_s) / f64::from(st.moving_s)
        } else {
            0.0
        };
        let elevated_thr = ELEVATED.max(2.0 * SIGMA);
        acts.push(ActivityTruth {
            index: p.index,
            file: p.file_name(),
            start: ts(p.start_unix_s),
            end: ts(p.start_unix_s + i64::from(st.elapsed_s)),
            utc_offset_s: p.utc_offset_s,
            local_date: p.local_date,
            iso_week: iso_week_label(p.local_date),
            week_layout: p.layout,
            planned: p.run_type,
            workout: p.workout,
            class,
            session_type,
            steady_pace_zone_s: st.steady_pace_zone_s,
            walk_share,
            run_walk: walk_share >= 0.05,
            steady_run,
            long: false,
            unsteady,
            moving_s: st.moving_s,
            elapsed_s: st.elapsed_s,
            pauses: p.pauses.len(),
            distance_m: st.distance_m,
            temperature_c: p.temperature_c,
            hot_day: p.hot_day,
            tired_day: p.tired_day,
            warm_day: false,
            fatigue_bpm: p.offsets.fatigue_bpm,
            tired_bpm: p.offsets.tired_bpm,
            heat_bpm: p.offsets.heat_bpm,
            day_noise_bpm: p.offsets.day_noise_bpm,
            elevation_bpm: p.offsets.elevation_bpm(),
            drift_bpm_per_h: p.drift_bpm_per_h,
            expected_e_bpm: expected_e,
            intended_elevated: expected_e.map(|e| e >= elevated_thr),
            baseline_available: false,
            window_mean_hr_bpm: window.map(|w| w.0),
            window_mean_gap_m_s: window.map(|w| w.1),
            trimp: st.trimp,
            hrtss: st.trimp / norm * 100.0,
            zone_s: st.zone_s,
            steady_zone_s: st.steady_zone_s,
            recovery_design: p.recovery_design,
            fatigue: p.fatigue,
            recovery_verdict: None,
            recovery_h: None,
            vmax_m_s: p.vmax_m_s,
            hilly: p.route.is_hilly(),
            smart_recording: p.smart_recording,
            running_dynamics: p.dynamics,
            hrv: p.hrv,
            stride_noise_factor: p.stride_noise_factor,
        });
    }

    // Cross-activity properties, each looking back (or, for recovery, forward) in time.
    for i in 0..acts.len() {
        let start = acts[i].start;
        let lookback = |days: i64| {
            acts[..i]
                .iter()
                .filter(move |a| a.start >= start - Duration::days(days))
        };
        let mut prev_moving: Vec<f64> = lookback(28).map(|a| f64::from(a.moving_s)).collect();
        let long = acts[i].moving_s >= 75 * 60
            && median(&mut prev_moving).is_some_and(|m| f64::from(acts[i].moving_s) >= 1.5 * m);
        let baseline = lookback(42).filter(|a| a.expected_e_bpm.is_some()).count() >= 6;
        let mut temps: Vec<f64> = lookback(42).map(|a| a.temperature_c).collect();
        let warm = acts[i].intended_elevated == Some(true)
            && median(&mut temps).is_some_and(|m| acts[i].temperature_c >= m + 8.0);
        let a = &mut acts[i];
        a.long = long;
        a.baseline_available = baseline;
        a.warm_day = warm;
    }
    for i in 0..acts.len() {
        if acts[i].session_type != SessionClass::Hard {
            continue;
        }
        let end = acts[i].end;
        let window: Vec<(f64, f64)> = acts[i + 1..]
            .iter()
            .take_while(|a| a.start <= end + Duration::hours(120))
            .filter_map(|a| {
                #[expect(clippy::cast_precision_loss)]
                let h = (a.start - end).num_seconds() as f64 / 3600.0;
                a.expected_e_bpm.map(|e| (h, e))
            })
            .collect();
        let (verdict, rec_h) = recovery_verdict(&window);
        acts[i].recovery_verdict = Some(verdict);
        acts[i].recovery_h = rec_h;
    }

    let weeks = weekly(plans, &acts);
    let days = daily(&acts);
    Truth {
        generator: format!("hrdrift-synth {}", env!("CARGO_PKG_VERSION")),
        seed,
        athlete: settings,
        physiology: phys.clone(),
        thresholds: Thresholds {
            assumed_sigma_bpm: SIGMA,
            elevated_bpm: ELEVATED,
            recovered_bpm: RECOVERED,
            absorbed_within_h: 72.0,
            recovery_window_h: 120.0,
            warm_day_delta_c: 8.0,
            hard_spacing_h: 44.0,
            load_spike_ratio: 1.3,
            ctl_tau_days: 42.0,
            atl_tau_days: 7.0,
            ewma: "x_d = x_{d-1} + (load_d - x_{d-1}) * (1 - exp(-1/tau))".to_owned(),
            elevation_reference: "the athlete's same-day steady-state HR at the run's GAP speed \
                                  with the base easy-run drift; fitness changes within the 42-day \
                                  baseline shift measured elevations by well under 0.5 bpm"
                .to_owned(),
        },
        activities: acts,
        weeks,
        days,
    }
}

/// The METRICS.md recovery rule on `(hours after the session, e)` of the easy runs in
/// (t, t + 5 d], in time order.
#[must_use]
pub fn recovery_verdict(window: &[(f64, f64)]) -> (Verdict, Option<f64>) {
    if window.is_empty() {
        return (Verdict::Unknown, None);
    }
    let elevated = ELEVATED.max(2.0 * SIGMA);
    let recovered = RECOVERED.max(SIGMA);
    let rec = (0..window.len())
        .find(|&k| window[k].1 <= recovered && window[k + 1..].iter().all(|w| w.1 < elevated))
        .map(|k| window[k].0);
    match rec {
        Some(h) if h <= 72.0 => (Verdict::Absorbed, Some(h)),
        _ if window.iter().any(|w| w.0 > 72.0 && w.1 >= elevated) => (Verdict::Lingering, rec),
        None => (Verdict::Lingering, None),
        Some(h) => (Verdict::Undetermined, Some(h)),
    }
}

fn weekly(plans: &[RunPlan], acts: &[ActivityTruth]) -> Vec<WeekTruth> {
    let mut by_week: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (p, a) in plans.iter().zip(acts) {
        by_week.entry(p.week).or_default().push(a.index);
    }
    let mut out: Vec<WeekTruth> = Vec::with_capacity(by_week.len());
    for idx in by_week.into_values() {
        let runs: Vec<&ActivityTruth> = idx.iter().map(|&i| &acts[i]).collect();
        let first = runs[0];
        let monday = first.local_date
            - Duration::days(i64::from(first.local_date.weekday().num_days_from_monday()));
        let count = |c: SessionClass| runs.iter().filter(|a| a.class == c).count();
        // Hard sessions are session types (METRICS.md 4); the easy and moderate shares of the
        // flags are about what the heart did (HR class).
        let hard: Vec<&&ActivityTruth> = runs
            .iter()
            .filter(|a| a.session_type == SessionClass::Hard)
            .collect();
        #[expect(clippy::cast_precision_loss)]
        let min_spacing = hard
            .windows(2)
            .map(|p| (p[1].start - p[0].end).num_seconds() as f64 / 3600.0)
            .min_by(f64::total_cmp);
        let moving_s: u32 = runs.iter().map(|a| a.moving_s).sum();
        let mut zones = [0u32; 3];
        for a in &runs {
            for (acc, z) in zones.iter_mut().zip(a.zone_s) {
                *acc += z;
            }
        }
        let total = f64::from(moving_s.max(1));
        let zone_shares = zones.map(|z| f64::from(z) / total);
        let load: f64 = runs.iter().map(|a| a.hrtss).sum();
        #[expect(clippy::cast_precision_loss)]
        let n = runs.len() as f64;
        #[expect(clippy::cast_precision_loss)]
        let frac = |k: usize| k as f64 / n;
        let prev: Vec<f64> = out.iter().rev().take(4).map(|w| w.load_hrtss).collect();
        let load_spike = prev.len() == 4 && load > 1.3 * prev.iter().sum::<f64>() / 4.0;
        let flags = WeekFlags {
            too_many_hard: hard.len() > 2,
            hard_back_to_back: min_spacing.is_some_and(|s| s < 44.0),
            too_much_moderate: zone_shares[1] > 0.25 || frac(count(SessionClass::Moderate)) > 0.40,
            no_true_easy: frac(count(SessionClass::Easy)) < 0.5,
            load_spike,
        };
        out.push(WeekTruth {
            iso_week: iso_week_label(monday),
            monday,
            layout: first.week_layout,
            runs: runs.len(),
            easy: count(SessionClass::Easy),
            moderate: count(SessionClass::Moderate),
            hard: hard.len(),
            min_hard_spacing_h: min_spacing,
            moving_s,
            distance_m: runs.iter().map(|a| a.distance_m).sum(),
            load_hrtss: load,
            zone_shares,
            flags,
            intended_flags: intended_flags(first.week_layout),
        });
    }
    out
}

fn daily(acts: &[ActivityTruth]) -> Vec<DayTruth> {
    let (Some(first), Some(last)) = (acts.first(), acts.last()) else {
        return Vec::new();
    };
    let mut loads: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for a in acts {
        *loads.entry(a.local_date).or_default() += a.hrtss;
    }
    let k_ctl = 1.0 - (-1.0f64 / 42.0).exp();
    let k_atl = 1.0 - (-1.0f64 / 7.0).exp();
    let (mut ctl, mut atl) = (0.0, 0.0);
    let mut out = Vec::new();
    let mut d = first.local_date;
    while d <= last.local_date {
        let load = loads.get(&d).copied().unwrap_or(0.0);
        let tsb = ctl - atl;
        ctl += (load - ctl) * k_ctl;
        atl += (load - atl) * k_atl;
        out.push(DayTruth {
            date: d,
            load_hrtss: load,
            ctl,
            atl,
            tsb,
        });
        d += Duration::days(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_rule() {
        assert_eq!(recovery_verdict(&[]).0, Verdict::Unknown);
        assert_eq!(
            recovery_verdict(&[(12.0, 1.5), (36.0, 0.1)]),
            (Verdict::Absorbed, Some(12.0))
        );
        // Elevated at 12 h, recovered at 36 h.
        assert_eq!(
            recovery_verdict(&[(12.0, 8.0), (36.0, 1.0)]),
            (Verdict::Absorbed, Some(36.0))
        );
        // Still elevated after 72 h.
        assert_eq!(
            recovery_verdict(&[(12.0, 8.0), (84.0, 8.0), (108.0, 1.0)]).0,
            Verdict::Lingering
        );
        // Recovered but a later run elevated again: recovery only counts from the last one.
        assert_eq!(
            recovery_verdict(&[(12.0, 1.0), (60.0, 6.0), (84.0, 1.0)]).0,
            Verdict::Undetermined
        );
        // Never recovered.
        assert_eq!(
            recovery_verdict(&[(12.0, 3.0), (36.0, 3.0)]),
            (Verdict::Lingering, None)
        );
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}

//! A synthetic athlete: months or years of one runner's training, written as real FIT files
//! with a ground-truth JSON that states, in the terms of `METRICS.md`, what every analysis of
//! those files should find.
//!
//! ```no_run
//! let athlete = hrdrift_synth::generate(&hrdrift_synth::AthleteConfig::default());
//! let summary = athlete.write_to_dir(std::path::Path::new("synthetic")).expect("writable");
//! println!("{} activities, {} bytes of FIT", summary.activities, summary.fit_bytes);
//! ```
//!
//! # The athlete model
//!
//! - **Steady state.** Heart rate rises linearly with grade-adjusted (GAP) speed:
//!   `HR_ss = hr_rest + (hr_max - hr_rest) * (0.1 + 0.9 * v_gap / vmax)`, where `vmax` (a
//!   vVO2max proxy) improves slowly, `vmax(d) = v0 + (v_cap - v0)(1 - e^(-d/365))`.
//!   Linear because the analytics fit a line of easy-run HR on GAP speed: an additive
//!   elevation then comes back out exactly.
//! - **Where easy HR sits.** With `Physiology::easy_hr_frac_lthr = Some(e)` paces stay as
//!   planned but HR follows a line through (q v_t, e LTHR) and (v_t, LTHR), q the easy-pace
//!   ratio of the curve above: runners differ in heart rate at the same relative pace.
//!   [`population`] draws such runners.
//! - **Pace** is planned as a target HR (fraction of LTHR) converted to GAP speed on the day,
//!   times a daily pace factor (sd 3 %, clamped at 2 sd) that spreads easy runs along the HR-speed line.
//! - **Hills.** Routes carry altitude as a sum of three sines; on grade `i` the runner holds
//!   GAP speed, so actual speed is `v_gap * C(0) / C(i)` with Minetti's cost `C`.
//! - **Kinetics.** First-order approach to the target, time constant 40 s rising and 60 s
//!   falling; HR starts at rest + 25 bpm and sags during timer pauses.
//! - **Drift.** `drift_bpm_per_h * moving hours` is added: 2.5 bpm/h (sd 0.3) on ordinary
//!   runs, +1.5 on long runs, +0.3 per degC above 22 degC.
//! - **Heat.** Ordinary days stay below 22 degC (seasonal sinusoid plus weather noise,
//!   capped); hot days (30-34 degC) are designed events adding 0.8 bpm per degC above 22.
//! - **Fatigue.** Each hard session adds `A` bpm to later runs: *absorbed* sessions
//!   `A = 5-7` decaying with a time constant of 8 h (gone within a day); *lingering* sessions
//!   `A = 7-9` held for 90 h then decaying with 10 h (still elevated 84 h later).
//! - **Tired days.** An easy run elevated by 6-10 bpm with no training cause, and with a
//!   doubled cadence scatter.
//! - **Noise.** Day-to-day scatter sd 0.6 bpm per run (keeps the baseline's sigma at its
//!   1.5 bpm floor); per-sample optical wander (AR(1), sd 1 bpm) and white noise (0.8 bpm);
//!   0-3 dropouts of 5-40 s (HR invalid, never 0) and 0-3 spikes of +35-60 bpm per run.
//!   Cadence is kept 6 spm away from HR so no run looks cadence-locked by accident.
//!
//! - **Beats.** A share of the files (`hrv_fraction`, 5 % by default) carry beat-to-beat
//!   intervals (`hrv` messages): each beat the interval of the current HR times
//!   `1 + 0.04 x`, `x` an AR(1) series whose coefficient gives the DFA alpha1 (boxes of 4-16
//!   beats) that `Physiology::alpha1_at` asks of the HR: 0.75 at the aerobic threshold
//!   (`aet_frac_lthr`, 0.88 x LTHR by default, 0.82-0.92 in [`population`]), 0.5 at LTHR, a line
//!   between 0.3 and 1.1. The truth's `physiology` carries the threshold.
//!
//! # The plan
//!
//! Weeks come in blocks `[normal, special, normal, broken]` after three normal warm-up weeks.
//! Normal: Mon easy, Tue intervals, Wed easy, Thu tempo, Fri rest, Sat easy, Sun long.
//! Special: a lingering session, a tired day or a hot day. Broken: three hard sessions,
//! hard sessions back to back, too much moderate running, or a load spike. See
//! [`plan::WeekLayout`] and `README.md`.
//!
//! # Modules
//! - [`fit_encode`]: a small FIT encoder.
//! - [`physio`]: the physiology.
//! - [`plan`]: the training plan.
//! - [`sim`]: second-by-second simulation into truth statistics or a FIT file.
//! - [`truth`]: the ground truth (`truth.json`).
//! - [`rides`]: rides with power and a triathlon in one multi-sport file (issue 20).

pub mod athlete;
pub mod fit_encode;
pub mod mornings;
pub mod physio;
pub mod plan;
pub mod rides;
pub mod rng;
pub mod sim;
pub mod truth;

pub use athlete::{Athlete, AthleteConfig, Summary, generate, population};
pub use physio::{Physiology, RecoveryDesign};
pub use plan::{RunPlan, RunType, WeekLayout, Workout};
pub use truth::{ActivityTruth, SessionClass, Sex, Truth, Verdict, WeekFlags, WeekTruth};

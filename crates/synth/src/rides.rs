//! Synthetic rides with power, and a triathlon in one multi-sport file (issue 20), written as
//! FIT files with the truth of what the analysis of each should find.
//!
//! # The rider model
//! - **Power**, second by second: a 10 min warm-up rising from 50 % of the target to it, then
//!   the target (`intensity` x FTP) with, when `surges`, a 5 min pattern of 30 s at +45 %,
//!   5 s coasting at 0 W and the rest a little under the target (the pattern's mean is the
//!   target), and a per-second wobble (sd 6 %).
//! - **Heart rate** follows power through a first-order lag (40 s): steady-state HR =
//!   `hr_rest + (hr_at_ftp - hr_rest) x lagged power / FTP`, multiplied over the steady portion
//!   (after the warm-up) by `1 + cost x elapsed share`: the cardiac cost of the same power grows
//!   linearly by `cost` from the warm-up's end to the finish (heat, fatigue). With equal power in
//!   both halves, the Pw:HR decoupling is then `1 - (1 + cost/4) / (1 + 3 cost/4)`.
//! - **Recording**: every second, or "smart" (a sample every 1-8 s); optionally one power
//!   meter dropout of 20-40 s and one recording gap of 90 s; HR with sensor noise.
//!
//! The truth (NP, mean power, best 20 min, Pw:HR decoupling) is computed from the rider's own
//! noise-free 1 Hz series with the definitions of METRICS.md section 7: what a perfect
//! recording would give. A file's analysis should come close to it.

// Seconds and sample counts of a ride of a few hours, and watts: far inside f64's exact integers,
// so the casts between them lose nothing.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use serde::{Deserialize, Serialize};

use crate::fit_encode::{BaseType, FieldDef, FitWriter, fit_time, invalid, scaled_u32};
use crate::rng::Rng;

/// What varies between rides and riders.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RideConfig {
    pub seed: u64,
    pub start_unix_s: i64,
    pub minutes: u32,
    pub ftp_w: f64,
    /// Target power after the warm-up, as a fraction of FTP.
    pub intensity: f64,
    pub surges: bool,
    /// Growth of the cardiac cost of power over the steady portion (0.05 = 5 %).
    pub cost: f64,
    pub hr_rest: f64,
    pub hr_at_ftp: f64,
    /// A sample every 1-8 s rather than every second.
    pub smart_recording: bool,
    /// One power meter dropout of 20-40 s.
    pub power_dropout: bool,
    /// One recording gap of 90 s.
    pub recording_gap: bool,
    /// Sd of the HR sensor's noise (bpm).
    pub hr_noise_bpm: f64,
}

impl Default for RideConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            start_unix_s: 1_750_000_000,
            minutes: 90,
            ftp_w: 250.0,
            intensity: 0.7,
            surges: true,
            cost: 0.06,
            hr_rest: 50.0,
            hr_at_ftp: 165.0,
            smart_recording: false,
            power_dropout: false,
            recording_gap: false,
            hr_noise_bpm: 1.5,
        }
    }
}

impl RideConfig {
    /// A population of riders and rides: FTP 170-340 W, intensity 0.55-0.85, HR at FTP
    /// 150-182 bpm, resting HR 40-65, cardiac cost growth 0-12 %, surges or not, half smart
    /// recording, a third with a power dropout, a quarter with a recording gap.
    #[must_use]
    pub fn population(n: usize, seed: u64) -> Vec<Self> {
        let mut r = Rng::new(seed, 0x5249_4445);
        (0..n)
            .map(|k| Self {
                seed: seed.wrapping_mul(1000).wrapping_add(k as u64),
                start_unix_s: 1_750_000_000 + 86_400 * k as i64,
                minutes: 60 + r.below(121),
                ftp_w: r.range(170.0, 340.0),
                intensity: r.range(0.55, 0.85),
                surges: r.chance(0.5),
                cost: r.range(0.0, 0.12),
                hr_rest: r.range(40.0, 65.0),
                hr_at_ftp: r.range(150.0, 182.0),
                smart_recording: r.chance(0.5),
                power_dropout: r.chance(0.33),
                recording_gap: r.chance(0.25),
                hr_noise_bpm: r.range(0.5, 3.0),
            })
            .collect()
    }
}

/// What the analysis of a ride should find.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RideTruth {
    pub np_w: f64,
    pub avg_power_w: f64,
    pub best_20min_w: f64,
    pub pw_hr_decoupling_pct: f64,
    /// `1 - (1 + cost/4) / (1 + 3 cost/4)` in %: the decoupling the cost growth alone gives.
    pub designed_decoupling_pct: f64,
    pub moving_s: f64,
}

const WARMUP_S: usize = 600;
const SURGE_PERIOD_S: usize = 300;

/// The rider's noise-free second-by-second power and HR.
fn simulate(c: &RideConfig) -> (Vec<f64>, Vec<f64>) {
    let n = c.minutes as usize * 60;
    let mut r = Rng::new(c.seed, 0x504f_5745);
    let target = c.intensity * c.ftp_w;
    let (surge, coast): (usize, usize) = (30, 5);
    // The rest of the pattern sits under the target so its mean is the target.
    let base = (target * SURGE_PERIOD_S as f64 - 1.45 * target * surge as f64)
        / (SURGE_PERIOD_S - surge - coast) as f64;
    let mut power = Vec::with_capacity(n);
    for t in 0..n {
        let p = if t < WARMUP_S {
            target * (0.5 + 0.5 * t as f64 / WARMUP_S as f64)
        } else if c.surges {
            match (t - WARMUP_S) % SURGE_PERIOD_S {
                k if k < surge => 1.45 * target,
                k if k < surge + coast => 0.0,
                _ => base,
            }
        } else {
            target
        };
        let wobble = if p > 0.0 {
            1.0 + 0.06 * r.normal().clamp(-3.0, 3.0)
        } else {
            1.0
        };
        power.push((p * wobble).max(0.0).round());
    }
    let mut hr = Vec::with_capacity(n);
    let mut lagged = power.first().copied().unwrap_or(0.0);
    let steady = (n - WARMUP_S.min(n)).max(1) as f64;
    for (t, p) in power.iter().enumerate() {
        lagged += (p - lagged) / 40.0;
        let ss = c.hr_rest + (c.hr_at_ftp - c.hr_rest) * lagged / c.ftp_w;
        let g = if t < WARMUP_S {
            1.0
        } else {
            1.0 + c.cost * (t - WARMUP_S) as f64 / steady
        };
        hr.push(ss * g);
    }
    (power, hr)
}

fn rolling(power: &[f64]) -> Vec<Option<f64>> {
    (0..power.len())
        .map(|t| (t >= 29).then(|| power[t - 29..=t].iter().sum::<f64>() / 30.0))
        .collect()
}

fn np(roll: &[Option<f64>], keep: impl Fn(usize) -> bool) -> f64 {
    let v: Vec<f64> = roll
        .iter()
        .enumerate()
        .filter_map(|(t, r)| r.filter(|_| keep(t)))
        .collect();
    (v.iter().map(|x| x.powi(4)).sum::<f64>() / v.len().max(1) as f64).powf(0.25)
}

fn truth(c: &RideConfig, power: &[f64], hr: &[f64]) -> RideTruth {
    let n = power.len();
    let roll = rolling(power);
    let mid = WARMUP_S as f64 + (n - WARMUP_S) as f64 / 2.0;
    let ef = |keep: &dyn Fn(usize) -> bool| {
        let hrs: Vec<f64> = (0..n).filter(|t| keep(*t)).map(|t| hr[t]).collect();
        np(&roll, keep) / (hrs.iter().sum::<f64>() / hrs.len() as f64)
    };
    let ef1 = ef(&|t| t >= WARMUP_S && (t as f64) + 0.5 < mid);
    let ef2 = ef(&|t| t >= WARMUP_S && (t as f64) + 0.5 >= mid);
    let best = power
        .windows(1200)
        .map(|w| w.iter().sum::<f64>() / 1200.0)
        .fold(0.0, f64::max);
    RideTruth {
        np_w: np(&roll, |_| true),
        avg_power_w: power.iter().sum::<f64>() / n as f64,
        best_20min_w: best,
        pw_hr_decoupling_pct: (ef1 - ef2) / ef1 * 100.0,
        designed_decoupling_pct: (1.0 - (1.0 + c.cost / 4.0) / (1.0 + 0.75 * c.cost)) * 100.0,
        moving_s: n as f64,
    }
}

/// FIT sports as the profile numbers them.
const SPORT_RUNNING: u8 = 1;
const SPORT_CYCLING: u8 = 2;
const SPORT_TRANSITION: u8 = 3;
const SPORT_SWIMMING: u8 = 5;

const fn fd(num: u8, base: BaseType) -> FieldDef {
    FieldDef {
        num,
        base,
        count: 1,
    }
}

const FILE_ID: [FieldDef; 5] = [
    fd(0, BaseType::Enum),
    fd(1, BaseType::UInt16),
    fd(2, BaseType::UInt16),
    fd(3, BaseType::UInt32z),
    fd(4, BaseType::UInt32),
];
const RECORD: [FieldDef; 7] = [
    fd(253, BaseType::UInt32),
    fd(5, BaseType::UInt32),
    fd(73, BaseType::UInt32),
    fd(78, BaseType::UInt32),
    fd(3, BaseType::UInt8),
    fd(4, BaseType::UInt8),
    fd(7, BaseType::UInt16),
];
const SESSION: [FieldDef; 8] = [
    fd(253, BaseType::UInt32),
    fd(254, BaseType::UInt16),
    fd(2, BaseType::UInt32),
    fd(7, BaseType::UInt32),
    fd(8, BaseType::UInt32),
    fd(5, BaseType::Enum),
    fd(0, BaseType::Enum),
    fd(1, BaseType::Enum),
];
const ACTIVITY: [FieldDef; 6] = [
    fd(253, BaseType::UInt32),
    fd(0, BaseType::UInt32),
    fd(1, BaseType::UInt16),
    fd(2, BaseType::Enum),
    fd(3, BaseType::Enum),
    fd(4, BaseType::Enum),
];

/// One second of a file: time, distance, speed, HR, cadence, power.
struct Sample {
    t: i64,
    dist_m: f64,
    speed: f64,
    hr: Option<f64>,
    cadence: Option<f64>,
    power: Option<f64>,
}

/// A session of a file: sport, first and last second.
struct Leg {
    sport: u8,
    start: i64,
    end: i64,
}

fn encode(samples: &[Sample], legs: &[Leg], serial: u32) -> Vec<u8> {
    let mut w = FitWriter::new(Vec::with_capacity(samples.len() * 24 + 256));
    let first = samples.first().map_or(0, |s| s.t);
    w.define(0, 0, &FILE_ID);
    w.begin(0);
    w.u8(4);
    w.u16(255);
    w.u16(1);
    w.u32(serial.max(1));
    w.u32(fit_time(first));
    w.define(1, 20, &RECORD);
    for s in samples {
        w.begin(1);
        w.u32(fit_time(s.t));
        w.u32(scaled_u32(Some(s.dist_m), 100.0, 0.0));
        w.u32(scaled_u32(Some(s.speed), 1000.0, 0.0));
        w.u32(scaled_u32(Some(100.0), 5.0, 500.0));
        let byte = |v: Option<f64>| v.map_or(invalid::U8, |v| v.round().clamp(0.0, 254.0) as u8);
        w.u8(byte(s.hr));
        w.u8(byte(s.cadence));
        w.u16(
            s.power
                .map_or(invalid::U16, |p| p.round().clamp(0.0, 65_534.0) as u16),
        );
    }
    w.define(2, 18, &SESSION);
    for (k, l) in legs.iter().enumerate() {
        let secs = (l.end - l.start) as f64;
        w.begin(2);
        w.u32(fit_time(l.end));
        w.u16(k as u16);
        w.u32(fit_time(l.start));
        w.u32(scaled_u32(Some(secs), 1000.0, 0.0));
        w.u32(scaled_u32(Some(secs), 1000.0, 0.0));
        w.u8(l.sport);
        w.u8(8);
        w.u8(1);
    }
    let last = samples.last().map_or(0, |s| s.t);
    w.define(3, 34, &ACTIVITY);
    w.begin(3);
    w.u32(fit_time(last));
    w.u32(scaled_u32(Some((last - first) as f64), 1000.0, 0.0));
    w.u16(legs.len() as u16);
    w.u8(0);
    w.u8(26);
    w.u8(1);
    w.finish()
}

/// Speed on the flat from power (a rider of 75 kg on a road bike, no wind).
fn speed_of(p: f64) -> f64 {
    // P = 0.5 rho CdA v^3 + Crr m g v, solved by a few Newton steps.
    let (k3, k1) = (0.5 * 1.2 * 0.32, 0.005 * 83.0 * 9.81);
    let mut v: f64 = 8.0;
    for _ in 0..20 {
        let f = k3 * v.powi(3) + k1 * v - p;
        v = (v - f / (3.0 * k3 * v * v + k1)).max(0.5);
    }
    v
}

/// A ride as a FIT file, with its truth.
#[must_use]
pub fn ride(c: &RideConfig) -> (Vec<u8>, RideTruth) {
    let (power, hr) = simulate(c);
    let truth = truth(c, &power, &hr);
    let mut r = Rng::new(c.seed, 0x5245_434f);
    let n = power.len();
    let dropout = c.power_dropout.then(|| {
        let at = 900 + r.below(u32::try_from(n.saturating_sub(1900)).unwrap_or(1).max(1)) as usize;
        (at, at + 20 + r.below(21) as usize)
    });
    let gap = c.recording_gap.then(|| {
        let at = 1200 + r.below(u32::try_from(n.saturating_sub(2400)).unwrap_or(1).max(1)) as usize;
        (at, at + 90)
    });
    let mut samples = Vec::with_capacity(n);
    let (mut dist, mut next) = (0.0, 0_usize);
    for t in 0..n {
        let v = speed_of(power[t].max(30.0));
        dist += v;
        if t < next && t + 1 != n {
            continue;
        }
        next = t + if c.smart_recording {
            1 + r.below(8) as usize
        } else {
            1
        };
        if gap.is_some_and(|(a, b)| t > a && t < b) {
            continue;
        }
        let pw = if dropout.is_some_and(|(a, b)| t >= a && t < b) {
            None
        } else {
            Some(power[t])
        };
        samples.push(Sample {
            t: c.start_unix_s + t as i64,
            dist_m: dist,
            speed: v,
            hr: Some(hr[t] + c.hr_noise_bpm * r.normal().clamp(-3.0, 3.0)),
            cadence: Some(if power[t] > 0.0 { 88.0 } else { 0.0 }),
            power: pw,
        });
    }
    let legs = [Leg {
        sport: SPORT_CYCLING,
        start: c.start_unix_s,
        end: c.start_unix_s + n as i64 - 1,
    }];
    let serial = c.seed as u32;
    (encode(&samples, &legs, serial), truth)
}

/// One leg of the triathlon as the analysis should find it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegTruth {
    /// The sport as the FIT profile names it.
    pub sport: String,
    pub start_unix_s: i64,
    /// The leg's last second.
    pub end_unix_s: i64,
    pub has_power: bool,
}

/// A triathlon in one multi-sport FIT file: swim, transition, ride with power, transition,
/// run; each leg's `session` names its sport and start. Leg lengths vary with `seed`.
#[must_use]
pub fn triathlon(seed: u64, start_unix_s: i64) -> (Vec<u8>, Vec<LegTruth>) {
    let mut r = Rng::new(seed, 0x5452_4941);
    let plan: [(u8, &str, u32, f64); 5] = [
        (SPORT_SWIMMING, "swimming", 20 + r.below(15), 1.1),
        (SPORT_TRANSITION, "transition", 2 + r.below(3), 1.5),
        (SPORT_CYCLING, "cycling", 60 + r.below(40), 0.0),
        (SPORT_TRANSITION, "transition", 1 + r.below(2), 1.5),
        (SPORT_RUNNING, "running", 30 + r.below(20), 3.3),
    ];
    let ride_cfg = RideConfig {
        seed,
        minutes: plan[2].2,
        ..RideConfig::default()
    };
    let (ride_power, ride_hr) = simulate(&ride_cfg);
    let (mut samples, mut legs, mut truth) = (Vec::new(), Vec::new(), Vec::new());
    let (mut t, mut dist) = (start_unix_s, 0.0);
    for (sport, name, minutes, speed) in plan {
        let secs = i64::from(minutes) * 60;
        let start = t;
        for k in 0..secs {
            let ku = usize::try_from(k).unwrap_or(0);
            let (v, hr, cad, pw) = if sport == SPORT_CYCLING {
                let p = ride_power[ku];
                (speed_of(p.max(30.0)), ride_hr[ku], 88.0, Some(p))
            } else {
                let hr = 140.0 + 5.0 * r.normal().clamp(-3.0, 3.0) * 0.3;
                let cad = if sport == SPORT_RUNNING { 172.0 } else { 30.0 };
                (speed, hr, cad, None)
            };
            dist += v;
            samples.push(Sample {
                t,
                dist_m: dist,
                speed: v,
                hr: Some(hr),
                cadence: Some(if sport == SPORT_RUNNING {
                    cad / 2.0
                } else {
                    cad
                }),
                power: pw,
            });
            t += 1;
        }
        legs.push(Leg {
            sport,
            start,
            end: t - 1,
        });
        truth.push(LegTruth {
            sport: name.to_owned(),
            start_unix_s: start,
            end_unix_s: t - 1,
            has_power: sport == SPORT_CYCLING,
        });
    }
    let serial = seed as u32;
    (encode(&samples, &legs, serial), truth)
}

//! The sport of an activity nothing names (issue 20, item 7): no sport in the file, none in the
//! export's index. Told from how it moves, the way a coach glancing at the file would:
//!
//! - **Speed**, over 10 s windows (a GPS fix's noise would make 1 s speeds of a run look like a
//!   ride's): nobody runs a median 6.5 m/s (2:34 /km), or a quarter of the time over 7 m/s
//!   (25 km/h); a ride does. Not the fastest 5 %: a run's GPS jumps, or the tram home with the
//!   watch still on, reach 11 m/s for minutes.
//! - **Distance per cadence cycle**: a runner covers 1.6-3.4 m a stride (two steps), a rider
//!   4-10 m a crank turn in all but the lowest gears. The file's cadence is strides or crank
//!   turns alike (steps where it counts both feet, over 130 a minute).
//! - **Coasting**: a rider moving at speed with the cranks still, 2 % of the time or more (the
//!   real rides of the fixtures coast 2.8-26 % of it); a runner's cadence stops while they move
//!   only by a glitch (0-0.9 % in the real runs).
//! - **A walk** is under 2 m/s with under 66 strides (132 steps) a minute; **a swim** (open
//!   water, with a stroke rate in the cadence) under 2.2 m/s with under 45 strokes a minute.
//! - Without cadence, a median over 4.5 m/s whose fastest 5 % is 1.6 times it is a ride (a
//!   runner's speed is more even); under 2 m/s a walk; else a run.
//!
//! What it cannot tell: a slow, steady ride (under 20 km/h) that never coasts, in a low gear, or
//! without cadence, looks like a run; it is guessed a run. The export's index, where there is
//! one, names it.
//!
//! Without speed (a treadmill, a trainer, a pool) there is nothing to tell from: no guess.

use crate::model::{Activity, GPS_JUMP_ANY_M_S};

/// Seconds a speed window spans, and the longest one used (a recording gap is not a speed).
const WINDOW_MS: i64 = 10_000;
const WINDOW_MAX_MS: i64 = 30_000;
/// Moving: faster than a slow walk.
const MOVING_M_S: f64 = 0.8;
/// Less moving time than this is too little to tell.
const MIN_MOVING_S: f64 = 120.0;

/// What the guess was made from, for the tests and the notes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub moving_s: f64,
    /// Median and 95th percentile of the moving speed, by time.
    pub median_m_s: f64,
    pub p75_m_s: f64,
    pub p95_m_s: f64,
    /// Median cadence while moving, in cycles a minute (strides or crank turns), if recorded.
    pub cadence: Option<f64>,
    /// Share of the moving time above 2.5 m/s with a cadence of 0.
    pub coasting: Option<f64>,
}

/// The activity's movement profile, `None` without enough moving time with a speed.
#[must_use]
pub fn profile(a: &Activity) -> Option<Profile> {
    let s = &a.samples;
    let ts = &s.timestamp_ms;
    if !ts.windows(2).all(|w| w[0] <= w[1]) {
        return None;
    }
    let dist: std::borrow::Cow<'_, [Option<f64>]> = match &s.distance_m {
        Some(d) if d.iter().flatten().count() * 2 >= ts.len() => d.into(),
        _ => a.track(GPS_JUMP_ANY_M_S)?.cum_m.into(),
    };
    let cad = s.cadence_spm.as_ref();
    let mut speeds: Vec<(f64, f64)> = Vec::new(); // (speed, seconds)
    let mut cadences: Vec<(f64, f64)> = Vec::new();
    let (mut fast_s, mut coast_s, mut with_cad_s) = (0.0, 0.0, 0.0);
    let mut j = 0;
    for i in 0..ts.len().saturating_sub(1) {
        j = j.max(i + 1);
        while j < ts.len() && ts[j] - ts[i] < WINDOW_MS {
            j += 1;
        }
        if j >= ts.len() {
            break;
        }
        let span = ts[j] - ts[i];
        let step = ts[i + 1] - ts[i];
        if span > WINDOW_MAX_MS || step <= 0 || step > WINDOW_MAX_MS {
            continue;
        }
        let (Some(d0), Some(d1)) = (dist[i], dist[j]) else {
            continue;
        };
        #[expect(clippy::cast_precision_loss)]
        let (v, dt) = ((d1 - d0) / (span as f64 / 1000.0), step as f64 / 1000.0);
        if !v.is_finite() || v < MOVING_M_S {
            continue;
        }
        speeds.push((v, dt));
        if let Some(c) = cad.and_then(|c| c[i]).filter(|c| c.is_finite()) {
            with_cad_s += dt;
            if v > 2.5 {
                fast_s += dt;
                if c == 0.0 {
                    coast_s += dt;
                }
            }
            if c > 0.0 {
                cadences.push((c, dt));
            }
        }
    }
    let moving_s: f64 = speeds.iter().map(|(_, dt)| dt).sum();
    if moving_s < MIN_MOVING_S {
        return None;
    }
    let has_cadence = with_cad_s >= moving_s / 2.0 && !cadences.is_empty();
    Some(Profile {
        moving_s,
        median_m_s: quantile(&mut speeds, 0.5),
        p75_m_s: quantile(&mut speeds, 0.75),
        p95_m_s: quantile(&mut speeds, 0.95),
        cadence: has_cadence.then(|| quantile(&mut cadences, 0.5)),
        coasting: (has_cadence && fast_s > 0.0).then(|| coast_s / fast_s),
    })
}

/// The `q` quantile of values weighted by time.
fn quantile(v: &mut [(f64, f64)], q: f64) -> f64 {
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|x| x.1).sum();
    let mut acc = 0.0;
    for (x, w) in v.iter() {
        acc += w;
        if acc >= q * total {
            return *x;
        }
    }
    v.last().map_or(0.0, |x| x.0)
}

/// The sport a profile looks like (`running`, `walking`, `cycling`, `swimming`).
#[must_use]
pub fn sport_of(p: &Profile) -> &'static str {
    if p.median_m_s >= 6.5 || p.p75_m_s >= 7.0 {
        return "cycling";
    }
    if p.coasting.is_some_and(|c| c >= 0.02) {
        return "cycling";
    }
    match p.cadence {
        Some(c) => {
            // Over 130 a minute the file counts both feet.
            let cycles = if c > 130.0 { c / 2.0 } else { c };
            if p.median_m_s * 60.0 / cycles >= 3.8 {
                "cycling"
            } else if cycles < 45.0 && p.median_m_s < 2.2 {
                "swimming"
            } else if cycles < 66.0 && p.median_m_s < 2.0 {
                "walking"
            } else {
                "running"
            }
        }
        None if p.median_m_s >= 4.5 && p.p95_m_s >= 1.6 * p.median_m_s => "cycling",
        None if p.median_m_s < 2.0 => "walking",
        None => "running",
    }
}

/// The sport an activity looks like, `None` when it has too little speed to tell.
#[must_use]
pub fn sport(a: &Activity) -> Option<&'static str> {
    profile(a).map(|p| sport_of(&p))
}

//! Walking inside a run (METRICS.md 3b), and the seconds of a run-walk run that the steady
//! metrics use (see the module docs of [`super`]).

use crate::clean::Clean;
use crate::history::robust::median;
use crate::settings::AthleteSettings;

/// Walking and the seconds the steady metrics use.
pub(crate) struct Parts {
    pub walking: Vec<bool>,
    /// Per grid second: used by the steady-portion metrics and the elevation windows. `None`
    /// when every second is (a run that is not run-walk).
    pub used: Option<Vec<bool>>,
    pub walk_share: f64,
    pub run_walk: bool,
}

impl Parts {
    pub fn uses(&self, i: usize) -> bool {
        self.used.as_ref().is_none_or(|u| u[i])
    }
}

/// Consecutive grid seconds.
pub(super) fn next_to(t: &[f64], i: usize) -> bool {
    i > 0 && t[i] - t[i - 1] <= 1.0 + 1e-9
}

/// Walking inside a run (METRICS.md 3b) and the seconds the steady metrics use.
pub(crate) fn parts(c: &Clean, s: &AthleteSettings, running: bool) -> Parts {
    let n = c.t_s.len();
    let none = || Parts {
        walking: vec![false; n],
        used: None,
        walk_share: 0.0,
        run_walk: false,
    };
    if !running || n == 0 {
        return none();
    }
    // The speed rule needs the run's median GAP speed, only where cadence is missing.
    let median_gap = if c.cadence.iter().all(|v| v.is_some_and(|v| v > 0.0)) {
        None
    } else {
        let gaps: Vec<f64> = c.gap.iter().flatten().copied().collect();
        median(&gaps)
    };
    let slow = |i: usize| -> bool {
        match c.cadence[i].filter(|v| *v > 0.0) {
            Some(spm) => spm < s.walk_cadence_spm,
            None => c.gap[i].is_some_and(|g| {
                g < s.walk_speed_m_s && median_gap.is_some_and(|m| g < s.walk_speed_ratio * m)
            }),
        }
    };
    let mut walking = vec![false; n];
    let mut i = 0;
    while i < n {
        if !slow(i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && next_to(&c.t_s, j) && slow(j) {
            j += 1;
        }
        if c.t_s[j - 1] - c.t_s[i] + 1.0 >= s.walk_min_s {
            walking[i..j].fill(true);
        }
        i = j;
    }
    #[expect(clippy::cast_precision_loss)]
    let (walk_s, grid_s) = (walking.iter().filter(|w| **w).count() as f64, n as f64);
    let walk_share = walk_s / grid_s;
    let run_walk = walk_share >= s.run_walk_min_share && walk_s > 0.0;
    let used = run_walk.then(|| {
        let mut used = vec![true; n];
        let mut walk_end: Option<f64> = None;
        for k in 0..n {
            if walking[k] {
                used[k] = false;
                walk_end = Some(c.t_s[k] + 1.0);
            } else if let Some(e) = walk_end {
                used[k] = c.t_s[k] >= e + s.walk_recovery_s;
            }
        }
        used
    });
    Parts {
        walking,
        used,
        walk_share,
        run_walk,
    }
}

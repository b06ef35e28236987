//! Grade-adjusted speed (METRICS.md section 2): Minetti et al. (2002) energy cost of running.
//!
//! Grade is the slope of smoothed altitude over distance. Both altitude and distance are
//! smoothed with the same centred window over the same points, so a track whose altitude is a
//! linear function of distance gets exactly that grade, even where the window is cut short at
//! the ends of the series or at a data gap.

use std::ops::Range;

use crate::stats::centred_windows;

/// Minetti's energy cost of running on grade `i` (fraction), J/kg/m.
#[must_use]
pub fn minetti_cost(i: f64) -> f64 {
    // Horner form of 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6.
    ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6
}

/// Cost ratio C(i) / C(0) at grade `i` clamped to `+-clamp`: GAP speed = speed x this.
#[must_use]
pub fn gap_factor(grade: f64, clamp: f64) -> f64 {
    if !grade.is_finite() {
        return 1.0;
    }
    let c = clamp.abs();
    minetti_cost(grade.clamp(-c, c)) / minetti_cost(0.0)
}

/// Below this change of smoothed distance between neighbours the runner is standing and a
/// grade would be altitude noise divided by nearly nothing; grade 0 is used instead.
const MIN_RUN_FOR_GRADE_M: f64 = 0.5;

/// Grade at each point of a 1 Hz series (`t_s` strictly increasing, whole seconds).
///
/// `dist_m` is cumulative distance; `alt_m` may be missing anywhere. Returns `None` where no
/// altitude is near enough to tell.
pub(crate) fn grades(
    t_s: &[f64],
    dist_m: &[f64],
    alt_m: &[Option<f64>],
    window_s: f64,
) -> Vec<Option<f64>> {
    let n = t_s.len();
    let half = window_s / 2.0;
    // Prefix sums over the points that carry altitude, so each window mean is O(1).
    let mut pa = Vec::with_capacity(n + 1);
    let mut pd = Vec::with_capacity(n + 1);
    let mut pc = Vec::with_capacity(n + 1);
    let (mut sa, mut sd, mut sc) = (0.0, 0.0, 0_u32);
    pa.push(sa);
    pd.push(sd);
    pc.push(sc);
    for i in 0..n {
        if let Some(a) = alt_m[i] {
            sa += a;
            sd += dist_m[i];
            sc += 1;
        }
        pa.push(sa);
        pd.push(sd);
        pc.push(sc);
    }
    // Smoothed (altitude, distance) pairs.
    let mut smooth: Vec<Option<(f64, f64)>> = Vec::with_capacity(n);
    for Range { start: lo, end: hi } in centred_windows(t_s, half) {
        let c = pc[hi] - pc[lo];
        smooth.push((c > 0).then(|| {
            let cf = f64::from(c);
            ((pa[hi] - pa[lo]) / cf, (pd[hi] - pd[lo]) / cf)
        }));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // Centred difference over the neighbours one second away; one-sided at the ends of a run.
        let prev = if i > 0 && t_s[i] - t_s[i - 1] <= 1.0 {
            i - 1
        } else {
            i
        };
        let next = if i + 1 < n && t_s[i + 1] - t_s[i] <= 1.0 {
            i + 1
        } else {
            i
        };
        let g = match (smooth[prev], smooth[next], smooth[i]) {
            (Some((a0, d0)), Some((a1, d1)), Some(_)) => {
                let run = d1 - d0;
                if run.abs() < MIN_RUN_FOR_GRADE_M {
                    Some(0.0)
                } else {
                    let g = (a1 - a0) / run;
                    g.is_finite().then_some(g)
                }
            }
            _ => None,
        };
        out.push(g);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_on_the_flat_is_3_6() {
        assert!((minetti_cost(0.0) - 3.6).abs() < 1e-12);
        assert!((gap_factor(0.0, 0.45) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn cost_matches_the_polynomial() {
        let i: f64 = 0.1;
        let c = 155.4 * i.powi(5) - 30.4 * i.powi(4) - 43.3 * i.powi(3)
            + 46.3 * i.powi(2)
            + 19.5 * i
            + 3.6;
        assert!((minetti_cost(i) - c).abs() < 1e-12);
        assert!((gap_factor(0.1, 0.45) - c / 3.6).abs() < 1e-12);
    }

    #[test]
    fn grade_is_clamped() {
        assert_eq!(gap_factor(0.9, 0.45), gap_factor(0.45, 0.45));
        assert_eq!(gap_factor(-2.0, 0.45), gap_factor(-0.45, 0.45));
        assert_eq!(gap_factor(f64::NAN, 0.45), 1.0);
    }

    #[test]
    fn linear_profile_gives_its_grade_everywhere() {
        let t: Vec<f64> = (0..200).map(f64::from).collect();
        let d: Vec<f64> = t.iter().map(|s| 3.0 * s).collect();
        let a: Vec<Option<f64>> = d.iter().map(|x| Some(100.0 + 0.05 * x)).collect();
        for g in grades(&t, &d, &a, 30.0) {
            assert!((g.unwrap() - 0.05).abs() < 1e-9);
        }
    }
}

//! Robust statistics for the baselines (Theil-Sen line, median absolute residual) and the
//! exponentially weighted means of fitness and fatigue.

use crate::stats::median_in_place;

/// Two speeds closer than this (m/s) give no Theil-Sen slope: their ratio is noise.
const MIN_DX: f64 = 1e-6;

/// A Theil-Sen line `y = intercept + slope x` with its robust spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TheilSen {
    pub intercept: f64,
    pub slope: f64,
    /// 1.4826 x the median absolute residual (not floored).
    pub sigma: f64,
}

impl TheilSen {
    #[must_use]
    pub fn predict(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// Sen's estimator: the slope is the median of the pairwise slopes (pairs with distinct `x`),
/// the intercept the median of `y - slope x`. `None` with fewer than two distinct `x` or any
/// non-finite result.
#[must_use]
pub fn theil_sen(x: &[f64], y: &[f64]) -> Option<TheilSen> {
    let n = x.len().min(y.len());
    let mut slopes = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            let dx = x[j] - x[i];
            if dx.abs() > MIN_DX {
                let s = (y[j] - y[i]) / dx;
                if s.is_finite() {
                    slopes.push(s);
                }
            }
        }
    }
    let slope = median_in_place(&mut slopes)?;
    let mut icpt: Vec<f64> = (0..n).map(|i| y[i] - slope * x[i]).collect();
    let intercept = median_in_place(&mut icpt)?;
    let mut res: Vec<f64> = (0..n)
        .map(|i| (y[i] - intercept - slope * x[i]).abs())
        .collect();
    let sigma = 1.4826 * median_in_place(&mut res)?;
    [slope, intercept, sigma]
        .iter()
        .all(|v| v.is_finite())
        .then_some(TheilSen {
            intercept,
            slope,
            sigma,
        })
}

/// Median and 1.4826 x the median absolute deviation around it.
#[must_use]
pub fn median_and_spread(values: &[f64]) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let med = median_in_place(&mut v)?;
    for x in &mut v {
        *x = (*x - med).abs();
    }
    let mad = median_in_place(&mut v)?;
    Some((med, 1.4826 * mad))
}

/// The median of the finite values.
#[must_use]
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    median_in_place(&mut v)
}

/// One day of an exponentially weighted mean with time constant `tau_days`:
/// `x + (load - x)(1 - e^(-1/tau))` (the Performance Manager's update).
#[must_use]
pub fn ewma_step(x: f64, load: f64, tau_days: f64) -> f64 {
    let k = 1.0 - (-1.0 / tau_days.max(1e-9)).exp();
    x + (load - x) * k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theil_sen_recovers_a_line_despite_outliers() {
        let x: Vec<f64> = (0..20).map(|i| 2.5 + f64::from(i) * 0.05).collect();
        let mut y: Vec<f64> = x.iter().map(|v| 60.0 + 30.0 * v).collect();
        y[3] += 25.0;
        y[11] -= 40.0;
        let fit = theil_sen(&x, &y).unwrap();
        assert!((fit.slope - 30.0).abs() < 1e-9, "{fit:?}");
        assert!((fit.intercept - 60.0).abs() < 1e-9, "{fit:?}");
        assert!(fit.sigma.abs() < 1e-9);
        assert!((fit.predict(3.0) - 150.0).abs() < 1e-9);
    }

    #[test]
    fn theil_sen_needs_two_speeds() {
        assert_eq!(theil_sen(&[3.0, 3.0, 3.0], &[140.0, 141.0, 142.0]), None);
        assert_eq!(theil_sen(&[], &[]), None);
    }

    #[test]
    fn spread_of_a_symmetric_set() {
        let (m, s) = median_and_spread(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(m, 3.0);
        assert!((s - 1.4826).abs() < 1e-12);
    }

    #[test]
    fn ewma_of_a_constant_converges_to_it() {
        let mut x = 0.0;
        for _ in 0..2000 {
            x = ewma_step(x, 80.0, 42.0);
        }
        assert!((x - 80.0).abs() < 1e-6, "{x}");
        // After one time constant, 1 - 1/e of the way.
        let mut y = 0.0;
        for _ in 0..7 {
            y = ewma_step(y, 1.0, 7.0);
        }
        assert!((y - (1.0 - (-1.0f64).exp())).abs() < 1e-12, "{y}");
    }
}

//! Small numeric helpers: means, least squares, percentiles, short medians, centred windows.
//!
//! Every function returns `None` rather than a NaN or an infinity, so callers can turn "cannot be
//! computed" into an absent metric.

use std::ops::Range;

/// Running sums for a mean and a variance without storing the values.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Moments {
    n: f64,
    sum: f64,
    sum_sq: f64,
}

impl Moments {
    pub(crate) fn push(&mut self, x: f64) {
        self.n += 1.0;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// How many values were pushed.
    pub(crate) fn n(&self) -> f64 {
        self.n
    }

    /// The moments of both sets together.
    pub(crate) fn merged(&self, other: &Self) -> Self {
        Self {
            n: self.n + other.n,
            sum: self.sum + other.sum,
            sum_sq: self.sum_sq + other.sum_sq,
        }
    }

    pub(crate) fn mean(&self) -> Option<f64> {
        finite((self.n > 0.0).then(|| self.sum / self.n)?)
    }

    /// Population coefficient of variation (standard deviation / mean).
    pub(crate) fn cv(&self) -> Option<f64> {
        let mean = self.mean()?;
        if mean <= 0.0 {
            return None;
        }
        let var = (self.sum_sq / self.n - mean * mean).max(0.0);
        finite(var.sqrt() / mean)
    }
}

pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Least-squares slope of `y` on `x`, computed on centred values for accuracy.
#[must_use]
pub(crate) fn ols_slope(x: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    #[expect(clippy::cast_precision_loss)]
    let nf = n as f64;
    let mx = x[..n].iter().sum::<f64>() / nf;
    let my = y[..n].iter().sum::<f64>() / nf;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (xi, yi) in x[..n].iter().zip(&y[..n]) {
        let dx = xi - mx;
        sxx += dx * dx;
        sxy += dx * (yi - my);
    }
    if sxx <= 0.0 {
        return None;
    }
    let slope = finite(sxy / sxx)?;
    let intercept = finite(my - slope * mx)?;
    Some((intercept, slope))
}

/// Why a two-regressor fit has no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FitError {
    TooFew,
    /// The second regressor moves in lock-step with the first: their effects cannot be told apart.
    Collinear,
}

/// Coefficient of `x1` in the least-squares fit `y = b0 + b1 x1 + b2 x2`.
///
/// When `x2` does not vary (constant speed) the model reduces to the simple slope, which is the
/// honest answer: there is no speed effect to adjust for.
pub(crate) fn ols2_first_coef(x1: &[f64], x2: &[f64], y: &[f64]) -> Result<f64, FitError> {
    let n = x1.len().min(x2.len()).min(y.len());
    if n < 3 {
        return Err(FitError::TooFew);
    }
    #[expect(clippy::cast_precision_loss)]
    let nf = n as f64;
    let m1 = x1[..n].iter().sum::<f64>() / nf;
    let m2 = x2[..n].iter().sum::<f64>() / nf;
    let my = y[..n].iter().sum::<f64>() / nf;
    let (mut s11, mut s22, mut s12, mut s1y, mut s2y) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..n {
        let (d1, d2, dy) = (x1[i] - m1, x2[i] - m2, y[i] - my);
        s11 += d1 * d1;
        s22 += d2 * d2;
        s12 += d1 * d2;
        s1y += d1 * dy;
        s2y += d2 * dy;
    }
    if s11 <= 0.0 {
        return Err(FitError::TooFew);
    }
    // Relative tolerance: a variance of x2 this small relative to its mean square is rounding.
    let scale2 = (m2 * m2).max(1e-12) * nf;
    if s22 <= scale2 * 1e-18 {
        return finite(s1y / s11).ok_or(FitError::TooFew);
    }
    let r2 = s12 * s12 / (s11 * s22);
    if !r2.is_finite() || r2 > 0.999 {
        return Err(FitError::Collinear);
    }
    let det = s11 * s22 - s12 * s12;
    finite((s1y * s22 - s2y * s12) / det).ok_or(FitError::Collinear)
}

/// Percentile `p` (0-100) with linear interpolation between order statistics (type 7).
/// Reorders `values`; ignores non-finite values.
pub(crate) fn percentile(values: &mut Vec<f64>, p: f64) -> Option<f64> {
    values.retain(|v| v.is_finite());
    if values.is_empty() || !p.is_finite() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    #[expect(clippy::cast_precision_loss)]
    let rank = (p.clamp(0.0, 100.0) / 100.0) * (values.len() - 1) as f64;
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lo = rank.floor() as usize;
    let hi = (lo + 1).min(values.len() - 1);
    let frac = rank - rank.floor();
    finite(values[lo] + (values[hi] - values[lo]) * frac)
}

/// For each point of a series on increasing times `t_s`, the index range of the points within
/// `half` of it either side (the point itself included), both ends moving forward only, so a
/// whole series costs one pass.
pub(crate) fn centred_windows(t_s: &[f64], half: f64) -> impl Iterator<Item = Range<usize>> + '_ {
    let n = t_s.len();
    let (mut lo, mut hi) = (0_usize, 0_usize);
    (0..n).map(move |i| {
        while lo < n && t_s[lo] < t_s[i] - half {
            lo += 1;
        }
        while hi < n && t_s[hi] <= t_s[i] + half {
            hi += 1;
        }
        lo..hi
    })
}

/// Median of a short slice, sorted in place (no allocation).
pub(crate) fn median_in_place(buf: &mut [f64]) -> Option<f64> {
    if buf.is_empty() {
        return None;
    }
    // Selection, not a sort: linear, and called on whole activities (medians of speed).
    let m = buf.len() / 2;
    let odd = buf.len() % 2 == 1;
    let (below, mid, _) = buf.select_nth_unstable_by(m, f64::total_cmp);
    let mid = *mid;
    if odd {
        Some(mid)
    } else {
        let lower = below.iter().copied().max_by(f64::total_cmp)?;
        finite(0.5 * (lower + mid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 + 2.0 * v).collect();
        let (a, b) = ols_slope(&x, &y).unwrap();
        assert!((a - 3.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
        assert_eq!(ols_slope(&[1.0, 1.0], &[2.0, 3.0]), None);
    }

    #[test]
    fn two_regressors_recover_both_effects() {
        let x1: Vec<f64> = (0..100).map(|i| f64::from(i) / 10.0).collect();
        let x2: Vec<f64> = (0..100).map(|i| f64::from((i * 37) % 11)).collect();
        let y: Vec<f64> = x1
            .iter()
            .zip(&x2)
            .map(|(a, b)| 1.0 + 4.0 * a - 2.0 * b)
            .collect();
        assert!((ols2_first_coef(&x1, &x2, &y).unwrap() - 4.0).abs() < 1e-9);
        let constant = vec![3.0; 100];
        let y: Vec<f64> = x1.iter().map(|a| 5.0 + 6.0 * a).collect();
        assert!((ols2_first_coef(&x1, &constant, &y).unwrap() - 6.0).abs() < 1e-9);
        assert_eq!(ols2_first_coef(&x1, &x1, &y), Err(FitError::Collinear));
    }

    #[test]
    fn percentile_interpolates() {
        let mut v: Vec<f64> = (1..=5).map(f64::from).collect();
        assert_eq!(percentile(&mut v, 50.0), Some(3.0));
        assert_eq!(percentile(&mut v, 100.0), Some(5.0));
        assert_eq!(percentile(&mut v, 87.5), Some(4.5));
        assert_eq!(percentile(&mut Vec::new(), 50.0), None);
    }

    #[test]
    fn medians() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_in_place(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median_in_place(&mut []), None);
    }
}

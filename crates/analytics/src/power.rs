//! Power (METRICS.md section 7): normalized power, the power-based EF and the Pw:HR
//! decoupling of any activity with power, from the cleaned 1 Hz grid; and, for rides, IF, TSS,
//! power zones and the session type against the FTP of the ride's date.
//!
//! As with a run's threshold speed, the FTP of a ride can be an estimate that depends on the
//! other rides (0.95 x the best 20 min of the trailing 90 days), so what it decides is not
//! stored: each activity keeps a [`PowerSummary`] (anchor-free), and [`fill_rides`] fills IF,
//! TSS, the power zones and the type whenever the rows are read.
//!
//! Choices where METRICS.md leaves room, so the numbers can be checked by hand (the Python
//! reference `tests/expected/power/gen_power.py` follows them):
//! - **The 30 s rolling mean** at a grid point is the mean of the power readings of the grid
//!   points in the 30 s of moving time ending with it (`t - 30 < t' <= t`). It exists from the
//!   30th second of moving time on and needs at least 15 readings in its window, so a hole in
//!   the grid (a recording gap over 60 s) or a meter's dropout neither invents power nor cuts the
//!   rest of the ride. Zeros (coasting) are readings: NP counts them, as Coggan's does.
//! - **NP over a span** is the fourth root of the mean fourth power of the rolling means at the
//!   span's grid points. The rolling means are computed once over the whole activity, so the
//!   first windows of the steady portion, or of its second half, reach back 30 s before it.
//! - **EF (power)** is NP over the steady portion (the grid points from `warmup_s` on) divided
//!   by the mean valid HR of its points that carry both HR and power; **Pw:HR decoupling** is
//!   (EF1 - EF2) / EF1 x 100 with the halves split at the middle of the steady moving time, as
//!   for Pa:HR. They take the gates of the speed-based EF and decoupling (coverage, 5 and 20 min
//!   of steady portion) but not their steadiness test: a ride's power varies by nature, and NP
//!   exists to weigh that variation.
//! - **Runs with power** (a Stryd or a watch's running power) get `np_w`, `avg_power_w`,
//!   `ef_power` and `pw_hr_decoupling_pct` beside the pace-based EF and decoupling; their FTP,
//!   IF, TSS and type stay those of running (pace), since a running power meter's numbers are
//!   on another scale from a bike's.
//! - **Rides** (any sport not on foot) with power get `ef` = `ef_power` (W per bpm) and
//!   `decoupling_pct` = `pw_hr_decoupling_pct`; without power both are absent as `no_power`.
//! - **Best 20 min** is the best mean over 1,200 consecutive grid seconds that all carry power
//!   (a hole or a dropout ends a span).
//! - **Power zones** and the type come from a histogram of the grid's power in 5 W bins; a bin a
//!   bound cuts is shared between the zones in proportion, as the pace zones' bins are.
//! - **FTP of a ride**: `ftp` when set, else 0.95 x the best 20 min mean power over the rides
//!   that started in the `ftp_days` (90) up to the ride's end, the ride itself included
//!   (`estimated`); a ride with no such effort behind it has no FTP (`no_ftp`).
//! - **TSS** = moving hours x IF^2 x 100 (Coggan's (s x NP x IF) / (FTP x 3600) x 100).

use serde::{Deserialize, Serialize};

use crate::clean::{self, Clean};
use crate::metrics::{ActivityMetrics, Outcome, reason};
use crate::settings::AthleteSettings;
use crate::stats::finite;

/// Width of the rolling window of NP (s).
const ROLL_S: f64 = 30.0;
/// Readings a rolling window needs, of its 30.
const ROLL_MIN_READINGS: usize = 15;
/// Width of a power histogram bin (W).
const BIN_W: f64 = 5.0;
/// The effort the FTP estimate reads (s).
const FTP_EFFORT_S: usize = 1200;
const MS_PER_DAY: f64 = 86_400_000.0;
/// Coggan's power zones: the lower bounds of Z2..Z6 as fractions of FTP.
const COGGAN_ZONES: [f64; 5] = [0.55, 0.75, 0.90, 1.05, 1.20];

/// What [`fill_rides`] needs of an activity with power, kept with its metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PowerSummary {
    /// Grid seconds with a power reading.
    pub seconds: f64,
    /// Best mean power over 20 min of consecutive seconds with power (W).
    pub best_20min_w: Option<f64>,
    /// Power in 5 W bins: `[bin, seconds in the activity, seconds in its steady portion]`.
    pub hist: Vec<[u32; 3]>,
}

/// Where a ride's FTP came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FtpSource {
    /// `ftp` in the athlete's settings.
    Configured,
    /// 0.95 x the best 20 min of the trailing `ftp_days`.
    Estimated,
}

/// The 30 s rolling means of the grid's power (see the module docs); `None` where a window is
/// not full or holds too few readings.
fn rolling(t_s: &[f64], power: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut out = Vec::with_capacity(t_s.len());
    let (mut lo, mut sum, mut n) = (0_usize, 0.0, 0_usize);
    for (j, &t) in t_s.iter().enumerate() {
        if let Some(p) = power[j] {
            sum += p;
            n += 1;
        }
        while t_s[lo] <= t - ROLL_S {
            if let Some(p) = power[lo] {
                sum -= p;
                n -= 1;
            }
            lo += 1;
        }
        // n is at most the 30 readings of a window.
        #[expect(clippy::cast_precision_loss)]
        let mean = sum / n as f64;
        out.push((t >= ROLL_S - 1.0 && n >= ROLL_MIN_READINGS).then_some(mean));
    }
    out
}

/// NP over the grid points `pick` keeps.
fn np(roll: &[Option<f64>], pick: impl Fn(usize) -> bool) -> Outcome<f64> {
    let (mut sum4, mut n) = (0.0, 0_usize);
    for (j, r) in roll.iter().enumerate() {
        if let Some(r) = r
            && pick(j)
        {
            sum4 += r.powi(4);
            n += 1;
        }
    }
    if n == 0 {
        return Err(reason::TOO_SHORT);
    }
    #[expect(clippy::cast_precision_loss)]
    finite((sum4 / n as f64).powf(0.25)).ok_or(reason::NON_FINITE)
}

/// Power-based EF of the grid points `pick` keeps: their NP over the mean HR of those that
/// carry both HR and power.
fn ef(c: &Clean, roll: &[Option<f64>], pick: impl Fn(usize) -> bool + Copy) -> Outcome<f64> {
    let np = np(roll, pick)?;
    let (mut sum, mut n) = (0.0, 0_usize);
    for (j, (h, p)) in c.hr.iter().zip(&c.power).enumerate() {
        if let (Some(h), Some(_)) = (h, p)
            && pick(j)
        {
            sum += h;
            n += 1;
        }
    }
    if n == 0 || sum <= 0.0 {
        return Err(reason::TOO_SHORT);
    }
    #[expect(clippy::cast_precision_loss)]
    finite(np / (sum / n as f64)).ok_or(reason::NON_FINITE)
}

/// Best mean over `span` consecutive grid seconds that all carry power.
fn best_mean(t_s: &[f64], power: &[Option<f64>], span: usize) -> Option<f64> {
    fn flush(run: &mut Vec<f64>, span: usize, best: &mut Option<f64>) {
        if span > 0 && run.len() >= span {
            let mut sum: f64 = run[..span].iter().sum();
            let mut top = sum;
            for i in span..run.len() {
                sum += run[i] - run[i - span];
                top = top.max(sum);
            }
            #[expect(clippy::cast_precision_loss)]
            let m = top / span as f64;
            *best = Some(best.map_or(m, |b| b.max(m)));
        }
        run.clear();
    }
    let (mut best, mut run) = (None, Vec::new());
    for (j, p) in power.iter().enumerate() {
        match p {
            Some(p) => {
                if j > 0 && !run.is_empty() && t_s[j] - t_s[j - 1] != 1.0 {
                    flush(&mut run, span, &mut best);
                }
                run.push(*p);
            }
            None => flush(&mut run, span, &mut best),
        }
    }
    flush(&mut run, span, &mut best);
    best
}

/// The gates the power metrics share with the speed-based ones.
pub(crate) struct Gates {
    /// Coverage and some valid HR.
    pub hr: Outcome<()>,
    pub steady_s: f64,
    pub warmup_s: f64,
    pub mid_s: f64,
}

/// Fills the power fields of `m` from the grid, and a ride's `ef` and `decoupling_pct`.
pub(crate) fn apply(m: &mut ActivityMetrics, c: &Clean, s: &AthleteSettings, g: &Gates) {
    let on_foot = clean::is_on_foot(m.sport.as_deref());
    let any = c.power.iter().any(Option::is_some);
    let names = ["np_w", "avg_power_w", "ef_power", "pw_hr_decoupling_pct"];
    if !any {
        for name in names {
            m.absent
                .insert(name.to_owned(), reason::NO_POWER.to_owned());
        }
        if !on_foot {
            for name in ["ef", "decoupling_pct"] {
                m.absent
                    .insert(name.to_owned(), reason::NO_POWER.to_owned());
            }
        }
        return;
    }
    let roll = rolling(&c.t_s, &c.power);
    let (sum, readings) = c
        .power
        .iter()
        .flatten()
        .fold((0.0, 0_usize), |(s, n), p| (s + p, n + 1));
    #[expect(clippy::cast_precision_loss)]
    let avg = sum / readings as f64;
    let steady = |min_s: f64| -> Outcome<()> {
        g.hr?;
        if g.steady_s <= 0.0 || g.steady_s < min_s {
            Err(reason::TOO_SHORT)
        } else {
            Ok(())
        }
    };
    let t = &c.t_s;
    let (warm, mid) = (g.warmup_s, g.mid_s);
    let ef_all = steady(s.ef_min_steady_s).and_then(|()| ef(c, &roll, |j| t[j] >= warm));
    let decoupling = steady(s.decoupling_min_steady_s).and_then(|()| {
        let ef1 = ef(c, &roll, |j| t[j] >= warm && t[j] + 0.5 < mid)?;
        let ef2 = ef(c, &roll, |j| t[j] >= warm && t[j] + 0.5 >= mid)?;
        if ef1 <= 0.0 {
            return Err(reason::TOO_SHORT);
        }
        finite((ef1 - ef2) / ef1 * 100.0).ok_or(reason::NON_FINITE)
    });
    let mut hist: std::collections::BTreeMap<u32, [u32; 2]> = std::collections::BTreeMap::new();
    for (j, p) in c.power.iter().enumerate() {
        if let Some(p) = p {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let bin = (p / BIN_W).floor() as u32;
            let e = hist.entry(bin).or_default();
            e[0] += 1;
            if t[j] >= warm {
                e[1] += 1;
            }
        }
    }
    crate::metrics::put(&mut m.np_w, &mut m.absent, "np_w", np(&roll, |_| true));
    crate::metrics::put(
        &mut m.avg_power_w,
        &mut m.absent,
        "avg_power_w",
        finite(avg).ok_or(reason::NON_FINITE),
    );
    crate::metrics::put(&mut m.ef_power, &mut m.absent, "ef_power", ef_all);
    crate::metrics::put(
        &mut m.pw_hr_decoupling_pct,
        &mut m.absent,
        "pw_hr_decoupling_pct",
        decoupling,
    );
    if !on_foot {
        crate::metrics::put(&mut m.ef, &mut m.absent, "ef", ef_all);
        crate::metrics::put(
            &mut m.decoupling_pct,
            &mut m.absent,
            "decoupling_pct",
            decoupling,
        );
    }
    #[expect(clippy::cast_precision_loss)]
    let seconds = readings as f64;
    m.power = Some(PowerSummary {
        seconds,
        best_20min_w: best_mean(t, &c.power, FTP_EFFORT_S),
        hist: hist.into_iter().map(|(k, [a, b])| [k, a, b]).collect(),
    });
}

/// Seconds in each of `bounds.len() + 1` zones from a power histogram, whole and steady; a bin
/// a bound cuts is shared in proportion.
fn zones<const N: usize>(hist: &[[u32; 3]], bounds: &[f64]) -> ([f64; N], [f64; N]) {
    let (mut all, mut steady) = ([0.0; N], [0.0; N]);
    for [k, a, b] in hist {
        let lo = f64::from(*k) * BIN_W;
        let below = |bound: f64| ((bound - lo) / BIN_W).clamp(0.0, 1.0);
        let mut prev = 0.0;
        for z in 0..N {
            let upto = if z + 1 < N { below(bounds[z]) } else { 1.0 };
            let share = (upto - prev).max(0.0);
            prev = upto.max(prev);
            all[z] += share * f64::from(*a);
            steady[z] += share * f64::from(*b);
        }
    }
    (all, steady)
}

/// Whether a row is a ride for [`fill_rides`]: not on foot, with power.
fn is_power_ride(m: &ActivityMetrics) -> bool {
    m.power.is_some() && !clean::is_on_foot(m.sport.as_deref())
}

/// Fills FTP, IF, TSS, the power zones and the session type of every ride with power, each
/// against the FTP of its own date (see the module docs). Rows of any order.
pub fn fill_rides(rows: &mut [ActivityMetrics], settings: &AthleteSettings) {
    let s = settings.sanitized();
    // (end, start, best 20 min) of the rides with one, by end.
    let mut efforts: Vec<(i64, i64, f64)> = rows
        .iter()
        .filter(|m| is_power_ride(m) && m.start_ms != 0)
        .filter_map(|m| {
            let best = m.power.as_ref()?.best_20min_w?;
            Some((m.end_ms.max(m.start_ms), m.start_ms, best))
        })
        .collect();
    efforts.sort_by_key(|e| (e.0, e.1));
    #[expect(clippy::cast_possible_truncation)]
    let window_ms = (s.ftp_days * MS_PER_DAY) as i64;
    for m in rows.iter_mut() {
        for name in ["ftp_w", "if", "tss", "power_zones_s"] {
            m.absent.remove(name);
        }
        m.ftp_w = None;
        m.ftp_source = None;
        m.intensity_factor = None;
        m.tss = None;
        m.power_zones_s = None;
        if m.power.is_none() {
            continue;
        }
        if !is_power_ride(m) {
            for name in ["ftp_w", "if", "tss", "power_zones_s"] {
                m.absent.insert(name.to_owned(), reason::ON_FOOT.to_owned());
            }
            continue;
        }
        let end = m.end_ms.max(m.start_ms);
        let ftp = match s.ftp {
            Some(f) => Ok((f, FtpSource::Configured)),
            None => efforts
                .iter()
                .filter(|(e_end, e_start, _)| {
                    *e_end <= end && *e_start >= m.start_ms.saturating_sub(window_ms)
                })
                .map(|e| e.2)
                .fold(None, |acc: Option<f64>, b| {
                    Some(acc.map_or(b, |a| a.max(b)))
                })
                .map(|b| (s.ftp_from_20min * b, FtpSource::Estimated))
                .filter(|(f, _)| *f > 0.0)
                .ok_or(reason::NO_FTP),
        };
        let Ok((ftp, source)) = ftp else {
            for name in ["ftp_w", "if", "tss", "power_zones_s", "class"] {
                m.absent.insert(name.to_owned(), reason::NO_FTP.to_owned());
            }
            continue;
        };
        m.ftp_w = Some(ftp);
        m.ftp_source = Some(source);
        let intensity = m
            .np_w
            .ok_or(reason::TOO_SHORT)
            .and_then(|np| finite(np / ftp).ok_or(reason::NON_FINITE));
        let tss = intensity
            .and_then(|i| finite(m.moving_s / 3600.0 * i * i * 100.0).ok_or(reason::NON_FINITE));
        crate::metrics::put(&mut m.intensity_factor, &mut m.absent, "if", intensity);
        crate::metrics::put(&mut m.tss, &mut m.absent, "tss", tss);
        let hist = m.power.as_ref().map(|p| p.hist.clone()).unwrap_or_default();
        let coggan: Vec<f64> = COGGAN_ZONES.iter().map(|f| f * ftp).collect();
        let (z6, _) = zones::<6>(&hist, &coggan);
        m.power_zones_s = Some(z6);
        let (all, steady) = zones::<3>(&hist, &[s.power_p2_from * ftp, s.power_p3_from * ftp]);
        let class = crate::effort::class_of_zones(all, steady, &s);
        m.absent.remove("class");
        m.class = Some(class);
        m.class_basis = Some(crate::effort::ClassBasis::Power);
        m.p_zones_s = Some(all);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_needs_a_full_window_and_half_its_readings() {
        let t: Vec<f64> = (0..40).map(f64::from).collect();
        let mut p: Vec<Option<f64>> = vec![Some(100.0); 40];
        let r = rolling(&t, &p);
        assert!(r[28].is_none());
        assert_eq!(r[29], Some(100.0));
        // 16 missing of the 30 ending at 39: too few readings.
        for v in p.iter_mut().skip(24) {
            *v = None;
        }
        assert_eq!(rolling(&t, &p)[39], None);
    }

    #[test]
    fn np_of_alternating_power_is_above_its_mean() {
        // 60 s at 400 W, 60 s at 0 W, repeated: mean 200 W, NP well above it (Coggan).
        let t: Vec<f64> = (0..3600).map(f64::from).collect();
        let p: Vec<Option<f64>> = (0..3600)
            .map(|k| Some(if (k / 60) % 2 == 0 { 400.0 } else { 0.0 }))
            .collect();
        let np = np(&rolling(&t, &p), |_| true).unwrap();
        assert!(np > 280.0 && np < 330.0, "{np}");
        let steady: Vec<Option<f64>> = vec![Some(250.0); 3600];
        let np = np_of(&t, &steady);
        assert!((np - 250.0).abs() < 1e-9);
    }

    fn np_of(t: &[f64], p: &[Option<f64>]) -> f64 {
        np(&rolling(t, p), |_| true).unwrap()
    }

    #[test]
    fn best_mean_needs_consecutive_seconds() {
        let t: Vec<f64> = (0..1300).map(f64::from).collect();
        let mut p: Vec<Option<f64>> = vec![Some(200.0); 1300];
        for v in p.iter_mut().take(1300).skip(1250) {
            *v = Some(300.0);
        }
        let b = best_mean(&t, &p, 1200).unwrap();
        assert!((b - (1150.0 * 200.0 + 50.0 * 300.0) / 1200.0).abs() < 1e-9);
        p[600] = None;
        assert_eq!(best_mean(&t, &p, 1200), None);
    }

    #[test]
    fn zones_share_a_cut_bin() {
        // 10 s in the bin 200-205 W, cut at 202 W: 4 s below, 6 s above.
        let (all, _) = zones::<2>(&[[40, 10, 0]], &[202.0]);
        assert!((all[0] - 4.0).abs() < 1e-9 && (all[1] - 6.0).abs() < 1e-9);
    }
}

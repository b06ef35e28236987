//! The weekly and daily tables: per-row columns grouped and summed with polars, then the
//! sequential parts (trailing means, EWMAs) in plain Rust over the gap-free sequence.

use std::collections::BTreeMap;

use polars_core::prelude::*;

use super::robust::ewma_step;
use super::{
    Day, MS_PER_DAY, Placed, Week, date_label, finite, monday_of, reason, week_flag, week_label,
};
use crate::metrics::SessionClass;
use crate::settings::AthleteSettings;

/// Days are extended past the last activity up to `now_ms`, but no further than this.
const MAX_DAYS_AFTER_LAST: i64 = 366;

/// Sorted keys and, per column name, the sum of each key's rows.
type Sums = (Vec<i64>, BTreeMap<String, Vec<f64>>);

/// Sums per key of the named columns, keyed and sorted by `key`.
fn group_sums(key: (&str, Vec<i64>), columns: Vec<(&str, Vec<Option<f64>>)>) -> PolarsResult<Sums> {
    let names: Vec<String> = columns.iter().map(|(n, _)| (*n).to_owned()).collect();
    let mut cols = vec![Column::new(key.0.into(), key.1)];
    cols.extend(
        columns
            .iter()
            .map(|(n, v)| Column::new(PlSmallStr::from_str(n), v)),
    );
    // The eager group-by of polars-core, not the lazy engine: polars' `lazy` feature (plan,
    // expression and streaming crates) would add minutes to every clean build for this one
    // group-and-sum, and the eager API does the same work here.
    #[allow(deprecated)]
    let out = DataFrame::new_infer_height(cols)?
        .group_by([key.0])?
        .select(names.iter().map(String::as_str))
        .sum()?
        .sort([key.0], SortMultipleOptions::default())?;
    let keys: Vec<i64> = out.column(key.0)?.i64()?.iter().flatten().collect();
    let mut sums = BTreeMap::new();
    for n in names {
        let v: Vec<f64> = out
            .column(&format!("{n}_sum"))?
            .f64()?
            .iter()
            .map(|v| v.filter(|x| x.is_finite()).unwrap_or(0.0))
            .collect();
        if v.len() != keys.len() {
            return Err(PolarsError::ShapeMismatch(
                format!("{n}: {} sums for {} keys", v.len(), keys.len()).into(),
            ));
        }
        sums.insert(n, v);
    }
    Ok((keys, sums))
}

fn indicator(on: bool) -> Option<f64> {
    Some(if on { 1.0 } else { 0.0 })
}

/// Weekly structure over running rows (time order).
pub(crate) fn weeks(runs: &[Placed<'_>], s: &AthleteSettings) -> PolarsResult<Vec<Week>> {
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    // Easy and moderate counts feed `no_true_easy` and `too_much_moderate`, which are about
    // what the heart did (METRICS.md 4): the HR class. Hard sessions are session types.
    let class = |p: &Placed<'_>, c: SessionClass| indicator(p.m.hr_class == Some(c));
    let typed = |p: &Placed<'_>, c: SessionClass| indicator(p.m.class == Some(c));
    let zone = |p: &Placed<'_>, k: usize| finite(p.m.s_zones_s.map(|z| z[k]));
    let (mondays, sums) = group_sums(
        ("monday", runs.iter().map(|p| monday_of(p.day)).collect()),
        vec![
            ("runs", runs.iter().map(|_| Some(1.0)).collect()),
            (
                "easy",
                runs.iter().map(|p| class(p, SessionClass::Easy)).collect(),
            ),
            (
                "moderate",
                runs.iter()
                    .map(|p| class(p, SessionClass::Moderate))
                    .collect(),
            ),
            (
                "hard",
                runs.iter().map(|p| typed(p, SessionClass::Hard)).collect(),
            ),
            (
                "moving_s",
                runs.iter().map(|p| finite(Some(p.m.moving_s))).collect(),
            ),
            (
                "distance_m",
                runs.iter().map(|p| finite(p.m.distance_m)).collect(),
            ),
            ("load", runs.iter().map(|p| finite(p.m.hrtss)).collect()),
            ("s1", runs.iter().map(|p| zone(p, 0)).collect()),
            ("s2", runs.iter().map(|p| zone(p, 1)).collect()),
            ("s3", runs.iter().map(|p| zone(p, 2)).collect()),
            (
                "long_s",
                runs.iter()
                    .map(|p| {
                        finite(Some(if p.m.long == Some(true) {
                            p.m.moving_s
                        } else {
                            0.0
                        }))
                    })
                    .collect(),
            ),
        ],
    )?;
    let at: BTreeMap<i64, usize> = mondays.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let get = |name: &str, i: usize| {
        sums.get(name)
            .and_then(|v| v.get(i))
            .copied()
            .unwrap_or(0.0)
    };

    // Shortest spacing of each week's hard sessions from the hard session before them.
    let mut spacing: BTreeMap<i64, f64> = BTreeMap::new();
    let hard: Vec<&Placed<'_>> = runs
        .iter()
        .filter(|p| p.m.class == Some(SessionClass::Hard))
        .collect();
    for w in hard.windows(2) {
        let h = w[0].hours_to(w[1].start_ms);
        let slot = spacing.entry(monday_of(w[1].day)).or_insert(h);
        *slot = slot.min(h);
    }

    let (Some(&first), Some(&last)) = (mondays.first(), mondays.last()) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Week> = Vec::new();
    let mut moving_hist: Vec<f64> = Vec::new();
    let mut load_hist: Vec<f64> = Vec::new();
    let mut monday = first;
    while monday <= last {
        let i = at.get(&monday).copied();
        let v = |name: &str| i.map_or(0.0, |i| get(name, i));
        let mut absent = BTreeMap::new();
        let mut flags = Vec::new();
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let count = |name: &str| v(name).round().max(0.0) as usize;
        let (runs_n, easy_n, moderate_n, hard_n) = (
            count("runs"),
            count("easy"),
            count("moderate"),
            count("hard"),
        );
        let (moving_s, load) = (v("moving_s"), v("load"));
        let zones = [v("s1"), v("s2"), v("s3")];
        let zone_total: f64 = zones.iter().sum();
        let shares = (zone_total > 0.0)
            .then(|| zones.map(|z| z / zone_total))
            .filter(|sh| sh.iter().all(|v| v.is_finite()));
        #[expect(clippy::cast_precision_loss)]
        let per_run = |k: usize| (runs_n > 0).then(|| k as f64 / runs_n as f64);
        let moderate_share = per_run(moderate_n);
        let easy_share = per_run(easy_n);
        let min_spacing = spacing.get(&monday).copied();

        let spike_n = s.load_spike_weeks.max(1);
        let load_spike = (load_hist.len() >= spike_n)
            .then(|| {
                #[expect(clippy::cast_precision_loss)]
                let mean =
                    load_hist[load_hist.len() - spike_n..].iter().sum::<f64>() / spike_n as f64;
                (mean > 0.0).then_some(load > s.load_spike_ratio * mean)
            })
            .flatten();
        moving_hist.push(moving_s);
        load_hist.push(load);
        let cons_n = s.consistency_weeks.max(2);
        let consistency = (moving_hist.len() >= cons_n)
            .then(|| cv(&moving_hist[moving_hist.len() - cons_n..]))
            .flatten();
        if consistency.is_none() {
            absent.insert("consistency".to_owned(), reason::TOO_FEW_WEEKS.to_owned());
        }
        let polarization = shares.and_then(|[s1, s2, s3]| {
            let ok = s1 > 0.0 && s2 >= s.polarization_min_share && s3 >= s.polarization_min_share;
            ok.then(|| (s1 / s2 * s3 * 100.0).log10())
                .filter(|v| v.is_finite())
        });
        if polarization.is_none() {
            let why = if shares.is_some() {
                reason::SHARES_TOO_SMALL
            } else {
                reason::NO_ZONE_TIME
            };
            absent.insert("polarization_index".to_owned(), why.to_owned());
        }
        if shares.is_none() {
            for k in ["s1_share", "s2_share", "s3_share"] {
                absent.insert(k.to_owned(), reason::NO_ZONE_TIME.to_owned());
            }
        }
        if runs_n == 0 {
            for k in ["moderate_share", "long_run_share"] {
                absent.insert(k.to_owned(), reason::NO_RUNS.to_owned());
            }
        }
        if min_spacing.is_none() {
            absent.insert(
                "min_hard_spacing_h".to_owned(),
                "fewer_than_two_hard_sessions".to_owned(),
            );
        }
        #[expect(clippy::cast_precision_loss)]
        let too_many_hard = hard_n as f64 > s.max_hard_per_week;
        for (on, name) in [
            (too_many_hard, week_flag::TOO_MANY_HARD),
            (
                min_spacing.is_some_and(|h| h < s.hard_spacing_min_h),
                week_flag::HARD_BACK_TO_BACK,
            ),
            (
                shares.is_some_and(|sh| sh[1] > s.moderate_s2_share_max)
                    || moderate_share.is_some_and(|m| m > s.moderate_runs_share_max),
                week_flag::TOO_MUCH_MODERATE,
            ),
            (
                easy_share.is_some_and(|e| e < s.easy_runs_share_min),
                week_flag::NO_TRUE_EASY,
            ),
            (load_spike == Some(true), week_flag::LOAD_SPIKE),
        ] {
            if on {
                flags.push(name.to_owned());
            }
        }
        out.push(Week {
            week: week_label(monday),
            monday: date_label(monday),
            runs: runs_n,
            easy_runs: easy_n,
            moderate_runs: moderate_n,
            moving_s,
            distance_m: v("distance_m"),
            load,
            hard_sessions: hard_n,
            min_hard_spacing_h: min_spacing,
            s1_share: shares.map(|x| x[0]),
            s2_share: shares.map(|x| x[1]),
            s3_share: shares.map(|x| x[2]),
            moderate_share,
            long_run_share: finite((moving_s > 0.0).then(|| v("long_s") / moving_s)),
            consistency,
            polarization_index: polarization,
            flags,
            absent,
            sport_hours: BTreeMap::new(),
        });
        monday += 7;
    }
    Ok(out)
}

/// Population coefficient of variation; `None` when the mean is not positive.
fn cv(v: &[f64]) -> Option<f64> {
    #[expect(clippy::cast_precision_loss)]
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if mean.is_nan() || mean <= 0.0 {
        return None;
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    Some(var.sqrt() / mean).filter(|c| c.is_finite())
}

/// Daily load, CTL, ATL and TSB from the first activity's day to `now_ms`'s.
pub(crate) fn days(
    placed: &[Placed<'_>],
    s: &AthleteSettings,
    now_ms: i64,
) -> PolarsResult<Vec<Day>> {
    let Some(last_row) = placed.last() else {
        return Ok(Vec::new());
    };
    let (keys, sums) = group_sums(
        ("day", placed.iter().map(|p| p.day).collect()),
        vec![
            (
                "load",
                placed
                    .iter()
                    .map(|p| finite(p.m.tss.or(p.m.hrtss)))
                    .collect(),
            ),
            ("tss", placed.iter().map(|p| finite(p.m.tss)).collect()),
        ],
    )?;
    let loads: BTreeMap<i64, f64> = keys
        .iter()
        .copied()
        .zip(sums.get("load").cloned().unwrap_or_default())
        .collect();
    let from_tss: BTreeMap<i64, f64> = keys
        .iter()
        .copied()
        .zip(sums.get("tss").cloned().unwrap_or_default())
        .collect();
    let (Some(&first), Some(&last)) = (loads.keys().next(), loads.keys().next_back()) else {
        return Ok(Vec::new());
    };
    let offset_ms = super::offset_ms(last_row.m);
    let today = now_ms.saturating_add(offset_ms).div_euclid(MS_PER_DAY);
    let end = today.clamp(last, last + MAX_DAYS_AFTER_LAST);
    let (mut ctl, mut atl) = (0.0, 0.0);
    let mut out = Vec::new();
    for day in first..=end {
        let load = loads.get(&day).copied().unwrap_or(0.0);
        let tsb = ctl - atl;
        ctl = ewma_step(ctl, load, s.ctl_days);
        atl = ewma_step(atl, load, s.atl_days);
        out.push(Day {
            date: date_label(day),
            load,
            load_from_tss: from_tss.get(&day).copied().unwrap_or(0.0),
            ctl,
            atl,
            tsb,
        });
    }
    Ok(out)
}

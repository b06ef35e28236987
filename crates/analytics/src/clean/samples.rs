//! Step 1 of the module docs of [`super`]: the samples sorted by timestamp, merged where they
//! share one, and range-checked.

use hrdrift_ingest::Activity;

use super::CleanStats;
use crate::settings::AthleteSettings;

/// Channel slots of [`Raw::ch`].
pub(super) const HR: usize = 0;
pub(super) const SPEED: usize = 1;
pub(super) const DIST: usize = 2;
pub(super) const LAT: usize = 3;
pub(super) const LON: usize = 4;
pub(super) const ALT: usize = 5;
pub(super) const CAD: usize = 6;
pub(super) const POWER: usize = 7;
const CHANNELS: usize = 8;

/// Sanity bounds: beyond these a value is a decoding error, not a runner.
pub(super) const MAX_SPEED_M_S: f64 = 100.0;
const MAX_DISTANCE_M: f64 = 1.0e8;
const ALTITUDE_RANGE_M: (f64, f64) = (-1000.0, 10_000.0);
const MAX_CADENCE_SPM: f64 = 400.0;
/// Above a track sprinter's peak: a larger reading is a decoding error or a meter's glitch.
const MAX_POWER_W: f64 = 3000.0;

/// Samples sorted, de-duplicated and range-checked.
pub(super) struct Raw {
    pub t: Vec<i64>,
    pub ch: [Vec<Option<f64>>; CHANNELS],
}

fn value(ch: Option<&Vec<Option<f64>>>, i: usize, lo: f64, hi: f64) -> Option<f64> {
    ch.and_then(|c| c.get(i).copied().flatten())
        .filter(|v| v.is_finite() && *v >= lo && *v <= hi)
}

/// A channel with the range its values must fall in.
type Source<'a> = (Option<&'a Vec<Option<f64>>>, f64, f64);

pub(super) fn raw(activity: &Activity, settings: &AthleteSettings, stats: &mut CleanStats) -> Raw {
    let s = &activity.samples;
    let n = s.timestamp_ms.len();
    stats.samples = n;
    stats.out_of_order = s.timestamp_ms.windows(2).filter(|w| w[1] < w[0]).count();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| s.timestamp_ms[i]);
    let hr_range = (settings.hr_valid_min_bpm, settings.hr_valid_max_bpm);
    let sources: [Source<'_>; CHANNELS] = [
        (s.heart_rate_bpm.as_ref(), f64::NEG_INFINITY, f64::INFINITY),
        (s.speed_m_s.as_ref(), 0.0, MAX_SPEED_M_S),
        (s.distance_m.as_ref(), 0.0, MAX_DISTANCE_M),
        (s.lat.as_ref(), -90.0, 90.0),
        (s.lon.as_ref(), -180.0, 180.0),
        (
            s.altitude_m.as_ref(),
            ALTITUDE_RANGE_M.0,
            ALTITUDE_RANGE_M.1,
        ),
        (s.cadence_spm.as_ref(), 0.0, MAX_CADENCE_SPM),
        (s.power_w.as_ref(), 0.0, MAX_POWER_W),
    ];
    let mut t = Vec::with_capacity(n);
    let mut ch: [Vec<Option<f64>>; CHANNELS] = std::array::from_fn(|_| Vec::with_capacity(n));
    for &i in &order {
        let ts = s.timestamp_ms[i];
        let merge = t.last() == Some(&ts);
        if merge {
            stats.duplicates += 1;
        } else {
            t.push(ts);
        }
        for (c, (src, lo, hi)) in sources.iter().enumerate() {
            let mut v = value(*src, i, *lo, *hi);
            if c == HR {
                // Zero, missing and out-of-range HR are all dropouts.
                v = v.filter(|h| *h >= hr_range.0 && *h <= hr_range.1);
            }
            if merge {
                if let Some(slot) = ch[c].last_mut()
                    && slot.is_none()
                {
                    *slot = v;
                }
            } else {
                ch[c].push(v);
            }
        }
    }
    // A fix at 0,0 is no fix (a leading point before GPS lock); the importer drops these, this
    // keeps samples stored by older versions out of the track too.
    let [.., lat, lon, _, _, _] = &mut ch;
    for (la, lo) in lat.iter_mut().zip(lon.iter_mut()) {
        if let (Some(a), Some(b)) = (*la, *lo)
            && hrdrift_ingest::is_null_island(a, b)
        {
            *la = None;
            *lo = None;
        }
    }
    Raw { t, ch }
}

pub(super) fn secs(ms: i64) -> f64 {
    #[expect(clippy::cast_precision_loss)]
    let s = ms as f64 / 1000.0;
    s
}

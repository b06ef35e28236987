//! The training plan: which run happens when, how hard, on which route, in what weather,
//! and what fatigue, tiredness and heat the generator puts into it.
//!
//! Weeks are built from a handful of layouts (see [`WeekLayout`]). The order of layouts keeps
//! the designed recovery verdicts unambiguous under the METRICS.md rule, which looks at every
//! easy run in the five days after a hard session: an elevated easy run (tired day, hot day,
//! lingering fatigue) is only ever placed where no other hard session's five-day window sees
//! it more than 72 h after that session. Those constraints are why weeks come in blocks of
//! `[normal, special, normal, broken]` and why a few layouts move their hard days.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::athlete::AthleteConfig;
use crate::physio::{EASY_FRAC, Fatigue, Physiology, RecoveryDesign};
use crate::rng::Rng;

/// What the plan intends a run to be (METRICS.md session classes plus `long`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunType {
    Easy,
    Moderate,
    Hard,
    Long,
}

impl RunType {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RunType::Easy => "easy",
            RunType::Moderate => "moderate",
            RunType::Hard => "hard",
            RunType::Long => "long",
        }
    }
}

/// The workout a run follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Workout {
    Easy,
    Long,
    Intervals,
    Tempo,
    Moderate,
}

/// The shape of a week. `normal` is the default structure; the others either carry a
/// designed event (lingering fatigue, a tired day, a hot day) or deliberately break a
/// weekly rule of METRICS.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeekLayout {
    /// Mon easy, Tue intervals, Wed easy, Thu tempo, Fri rest, Sat easy, Sun long.
    Normal,
    /// Tuesday's intervals linger; no second hard session.
    Lingering,
    /// Wednesday's easy run is elevated for no training reason.
    TiredDay,
    /// Wednesday is a hot day.
    HotDay,
    /// Three hard sessions (Mon, Wed, Fri), each 47 h apart: `too_many_hard`.
    ThreeHard,
    /// Hard on Tuesday and Wednesday evening: `hard_back_to_back`.
    BackToBack,
    /// Three moderate runs out of six: `too_much_moderate` (and `no_true_easy`).
    Moderate,
    /// Seven longer runs: `load_spike`.
    LoadSpike,
}

/// One block of a workout at a steady target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub duration_s: u32,
    /// Target steady-state HR as a fraction of LTHR, before fatigue, heat and drift; the pace
    /// is the GAP speed that gives this HR on the day.
    pub hr_frac_lthr: f64,
    /// GAP speed of the segment (m/s), fixed at planning time.
    pub gap_speed_m_s: f64,
    /// A walking block of a run-walk run: walking cadence, not the running one.
    #[serde(default)]
    pub walking: bool,
}

/// A route: altitude is a sum of three sines over distance; the track is a loop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub base_altitude_m: f64,
    /// (amplitude m, wavelength m, phase rad)
    pub hills: [(f64, f64, f64); 3],
    pub start_lat_deg: f64,
    pub start_lon_deg: f64,
    pub heading_rad: f64,
    pub loop_m: f64,
}

/// Largest grade the route may have; steeper ground would make the runner walk.
pub(crate) const MAX_GRADE: f64 = 0.12;

impl Route {
    /// Altitude (m) and grade (fraction, clamped to +-0.12) at distance `d` along the route.
    /// The simulation advances the same sines incrementally; this is the closed form.
    #[must_use]
    pub fn altitude_grade(&self, d: f64) -> (f64, f64) {
        let (mut a, mut g) = (self.base_altitude_m, 0.0);
        for &(amp, wl, ph) in &self.hills {
            let k = std::f64::consts::TAU / wl;
            let (s, c) = (k * d + ph).sin_cos();
            a += amp * s;
            g += amp * k * c;
        }
        (a, g.clamp(-MAX_GRADE, MAX_GRADE))
    }

    #[must_use]
    pub fn is_hilly(&self) -> bool {
        self.hills.iter().any(|h| h.0 > 5.0)
    }
}

/// Additive HR components of one run (bpm), all constant over the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Offsets {
    /// Sum of the fatigue of earlier hard sessions at the run's start.
    pub fatigue_bpm: f64,
    /// A "tired day" unrelated to training.
    pub tired_bpm: f64,
    /// Heat.
    pub heat_bpm: f64,
    /// Day-to-day scatter (the noise the baseline fit sees).
    pub day_noise_bpm: f64,
}

impl Offsets {
    /// The designed elevation (everything but the day-to-day scatter).
    #[must_use]
    pub fn elevation_bpm(&self) -> f64 {
        self.fatigue_bpm + self.tired_bpm + self.heat_bpm
    }
}

/// A timer pause: after `at_moving_s` seconds of moving time the timer stops for `duration_s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPause {
    pub at_moving_s: u32,
    pub duration_s: u32,
}

/// Everything needed to simulate one run; cheap to build.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlan {
    pub index: usize,
    pub week: usize,
    pub layout: WeekLayout,
    pub start_unix_s: i64,
    pub utc_offset_s: i32,
    pub local_date: NaiveDate,
    pub run_type: RunType,
    pub workout: Workout,
    pub segments: Vec<Segment>,
    pub vmax_m_s: f64,
    pub offsets: Offsets,
    pub drift_bpm_per_h: f64,
    pub temperature_c: f64,
    pub hot_day: bool,
    pub tired_day: bool,
    pub pauses: Vec<PlannedPause>,
    pub route: Route,
    pub smart_recording: bool,
    /// The longest interval between two records when `smart_recording` (s).
    pub smart_recording_max_s: u32,
    pub dynamics: bool,
    pub hrv: bool,
    /// Cadence scatter multiplier (tired days run less steadily).
    pub stride_noise_factor: f64,
    /// For hard sessions: how their fatigue was designed.
    pub recovery_design: Option<RecoveryDesign>,
    pub fatigue: Option<Fatigue>,
    /// Seed of the run's own noise stream.
    pub noise_seed: u64,
    /// Run-walk: running blocks alternate with walking blocks (see [`Segment::walking`]).
    pub run_walk: bool,
}

impl RunPlan {
    /// Planned moving time (s).
    #[must_use]
    pub fn moving_s(&self) -> u32 {
        self.segments.iter().map(|s| s.duration_s).sum()
    }

    /// Planned elapsed time (s).
    #[must_use]
    pub fn elapsed_s(&self) -> u32 {
        self.moving_s() + self.pauses.iter().map(|p| p.duration_s).sum::<u32>()
    }

    /// End of the run, Unix seconds.
    #[must_use]
    pub fn end_unix_s(&self) -> i64 {
        self.start_unix_s + i64::from(self.elapsed_s())
    }

    /// File name: `NNNN-YYYY-MM-DD-type.fit`.
    #[must_use]
    pub fn file_name(&self) -> String {
        format!(
            "{:04}-{}-{}.fit",
            self.index + 1,
            self.local_date.format("%Y-%m-%d"),
            self.run_type.as_str()
        )
    }
}

struct Slot {
    weekday: Weekday,
    hour: u32,
    workout: Workout,
    /// Minutes, for easy and long runs; workouts have a fixed structure.
    minutes: u32,
    /// Longer variant (load-spike weeks).
    big: bool,
}

const fn slot(weekday: Weekday, hour: u32, workout: Workout, minutes: u32) -> Slot {
    Slot {
        weekday,
        hour,
        workout,
        minutes,
        big: false,
    }
}

/// Easy runs around Tuesday's intervals and Thursday's tempo, and Sunday's long run: the week
/// the other layouts change a few days of.
const NORMAL_WEEK: [Slot; 6] = {
    use Weekday::{Mon, Sat, Sun, Thu, Tue, Wed};
    use Workout::{Easy, Intervals, Long, Tempo};
    [
        slot(Mon, 7, Easy, 40),
        slot(Tue, 18, Intervals, 0),
        slot(Wed, 7, Easy, 50),
        slot(Thu, 18, Tempo, 0),
        slot(Sat, 7, Easy, 55),
        slot(Sun, 8, Long, 110),
    ]
};

/// The normal week with `changes` in place of its slots on their days.
fn normal_week_with(changes: impl IntoIterator<Item = Slot>) -> Vec<Slot> {
    let mut week = Vec::from(NORMAL_WEEK);
    for change in changes {
        let day = week
            .iter_mut()
            .find(|s| s.weekday == change.weekday)
            .expect("a day of the normal week");
        *day = change;
    }
    week
}

fn layout_slots(layout: WeekLayout) -> Vec<Slot> {
    use Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};
    use Workout::{Easy, Intervals, Long, Moderate, Tempo};
    match layout {
        WeekLayout::Normal => Vec::from(NORMAL_WEEK),
        WeekLayout::Lingering => normal_week_with([slot(Thu, 7, Easy, 50)]),
        // The second hard session moves to Saturday morning so that Wednesday lies outside
        // every earlier session's five-day window except Tuesday's, and within its 72 h.
        WeekLayout::TiredDay | WeekLayout::HotDay => {
            normal_week_with([slot(Thu, 7, Easy, 50), slot(Sat, 9, Tempo, 0)])
        }
        WeekLayout::ThreeHard => vec![
            slot(Mon, 18, Intervals, 0),
            slot(Tue, 7, Easy, 50),
            slot(Wed, 18, Tempo, 0),
            slot(Thu, 7, Easy, 50),
            slot(Fri, 18, Intervals, 0),
            slot(Sat, 7, Easy, 55),
            slot(Sun, 8, Long, 110),
        ],
        WeekLayout::BackToBack => {
            normal_week_with([slot(Wed, 18, Tempo, 0), slot(Thu, 7, Easy, 50)])
        }
        WeekLayout::Moderate => normal_week_with([
            slot(Mon, 7, Moderate, 0),
            slot(Thu, 7, Moderate, 0),
            slot(Sat, 7, Moderate, 0),
        ]),
        // Easy runs stay under 75 min so that only Sunday's run is `long`.
        WeekLayout::LoadSpike => vec![
            slot(Mon, 7, Easy, 65),
            Slot {
                big: true,
                ..slot(Tue, 18, Intervals, 0)
            },
            slot(Wed, 7, Easy, 69),
            Slot {
                big: true,
                ..slot(Thu, 18, Tempo, 0)
            },
            slot(Fri, 7, Easy, 60),
            slot(Sat, 7, Easy, 69),
            slot(Sun, 8, Long, 165),
        ],
    }
}

const LONG_FRAC: f64 = 0.745;
/// Standard deviation of the daily pace factor, and its clamp in standard deviations.
const PACE_SD: f64 = 0.03;
const PACE_CLAMP_SD: f64 = 2.0;

fn workout_segments(workout: Workout, minutes: u32, big: bool, rng: &mut Rng) -> Vec<(u32, f64)> {
    let m = |x: u32| x * 60;
    let easy = EASY_FRAC + rng.range(-0.015, 0.015);
    match workout {
        Workout::Easy => vec![(m(minutes) + rng.below(300), easy)],
        Workout::Long => vec![(
            m(minutes) + rng.below(900),
            LONG_FRAC + rng.range(-0.01, 0.01),
        )],
        Workout::Intervals => {
            let reps = if big { 6 } else { 5 };
            let mut v = vec![(m(if big { 20 } else { 15 }), easy)];
            for r in 0..reps {
                // Above LTHR in steady state; kinetics keep the first ~40 s of each rep below.
                v.push((m(4), 1.08));
                if r + 1 < reps {
                    v.push((m(2), 0.70));
                }
            }
            v.push((m(if big { 15 } else { 10 }), 0.76));
            v
        }
        Workout::Tempo => vec![
            (m(if big { 20 } else { 15 }), easy),
            (m(if big { 35 } else { 30 }), 0.95),
            (m(if big { 15 } else { 10 }), 0.76),
        ],
        // 20 min in Seiler zone 2 keeps it below the `hard` rule (S2+S3 >= 25 min) while
        // zone 1 is well below 85 % of the steady portion.
        Workout::Moderate => vec![(m(15), easy), (m(20), 0.92), (m(15), easy)],
    }
}

/// Running blocks of a run-walk run (s), drawn once per run: a watch's run/walk alert is set
/// once and followed.
const RUN_BLOCK_S: (u32, u32) = (180, 300);
/// Walking blocks (s).
const WALK_BLOCK_S: (f64, f64) = (45.0, 90.0);
/// Walking share of a run-walk block pair, so that walking stays a real part of the run
/// without turning it into a hike.
const WALK_SHARE: (f64, f64) = (0.15, 0.30);
/// Walking GAP speed (m/s).
const WALK_SPEED: (f64, f64) = (1.2, 1.6);

/// Splits an easy-paced run into running and walking blocks, starting with running; the
/// moving time stays as planned. Draws from `rng` only (the run-walk stream), so every other
/// part of the plan is the same as without run-walk.
fn run_walk_segments(
    segments: &[Segment],
    phys: &Physiology,
    vmax: f64,
    rng: &mut Rng,
) -> Vec<Segment> {
    let run_s = RUN_BLOCK_S.0 + rng.below(RUN_BLOCK_S.1 - RUN_BLOCK_S.0 + 1);
    let r = f64::from(run_s);
    // w / (r + w) in WALK_SHARE  <=>  w in [r s0 / (1 - s0), r s1 / (1 - s1)].
    let lo = WALK_BLOCK_S.0.max(r * WALK_SHARE.0 / (1.0 - WALK_SHARE.0));
    let hi = WALK_BLOCK_S.1.min(r * WALK_SHARE.1 / (1.0 - WALK_SHARE.1));
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let walk_s = rng.range(lo, hi.max(lo)).round() as u32;
    let walk_gap = rng.range(WALK_SPEED.0, WALK_SPEED.1);
    let walk_frac = phys.hr_steady(walk_gap, vmax) / phys.lthr;
    let mut out = Vec::new();
    let mut running = true;
    let mut left = 0;
    for seg in segments {
        let mut rest = seg.duration_s;
        while rest > 0 {
            if left == 0 {
                if !out.is_empty() {
                    running = !running;
                }
                left = if running { run_s } else { walk_s.max(1) };
            }
            let d = left.min(rest);
            out.push(if running {
                Segment {
                    duration_s: d,
                    ..*seg
                }
            } else {
                Segment {
                    duration_s: d,
                    hr_frac_lthr: walk_frac,
                    gap_speed_m_s: walk_gap,
                    walking: true,
                }
            });
            left -= d;
            rest -= d;
        }
    }
    out
}

/// Day-of-year air temperature before weather noise: a sinusoid with its minimum mid-January.
fn seasonal_temp(cfg: &AthleteConfig, date: NaiveDate) -> f64 {
    let doy = f64::from(date.ordinal0());
    cfg.temp_mean_c - cfg.temp_amplitude_c * (std::f64::consts::TAU * (doy - 15.0) / 365.25).cos()
}

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    let mut d = next.expect("valid month") - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d
}

/// UTC offset on `date`: the configured standard offset, plus an hour under the EU summer
/// time rule (last Sunday of March to last Sunday of October) when `dst` is on.
#[must_use]
pub fn utc_offset_s(cfg: &AthleteConfig, date: NaiveDate) -> i32 {
    let summer =
        cfg.dst && date >= last_sunday(date.year(), 3) && date < last_sunday(date.year(), 10);
    cfg.utc_offset_min * 60 + if summer { 3600 } else { 0 }
}

/// Chooses the layout of every week. The first weeks are normal so that the analytics have
/// an easy-run baseline (six easy runs in 42 days) before anything special happens.
fn choose_layouts(cfg: &AthleteConfig, weeks: usize, rng: &mut Rng) -> Vec<WeekLayout> {
    let specials = [
        WeekLayout::Lingering,
        WeekLayout::TiredDay,
        WeekLayout::HotDay,
    ];
    let broken = [
        WeekLayout::ThreeHard,
        WeekLayout::BackToBack,
        WeekLayout::Moderate,
        WeekLayout::LoadSpike,
    ];
    let mut out = Vec::with_capacity(weeks);
    let (mut si, mut bi) = (rng.below(3) as usize, rng.below(4) as usize);
    for w in 0..weeks {
        let layout = if w < cfg.warmup_weeks {
            WeekLayout::Normal
        } else {
            match (w - cfg.warmup_weeks) % 4 {
                1 => {
                    si += 1;
                    let l = specials[si % specials.len()];
                    let monday =
                        cfg.first_monday() + Duration::weeks(i64::try_from(w).unwrap_or(0));
                    // A hot day in mid-winter would be odd; such weeks get a tired day instead.
                    if l == WeekLayout::HotDay && seasonal_temp(cfg, monday) < cfg.temp_mean_c {
                        WeekLayout::TiredDay
                    } else {
                        l
                    }
                }
                3 => {
                    bi += 1;
                    broken[bi % broken.len()]
                }
                _ => WeekLayout::Normal,
            }
        };
        out.push(layout);
    }
    out
}

fn make_route(cfg: &AthleteConfig, rng: &mut Rng) -> Route {
    let hilly = rng.chance(cfg.hilly_fraction);
    let mut hills = [(0.0, 1000.0, 0.0); 3];
    let amps = if hilly {
        [25.0, 8.0, 3.0]
    } else {
        [2.0, 0.8, 0.3]
    };
    let wls = [2400.0, 700.0, 230.0];
    for k in 0..3 {
        hills[k] = (
            amps[k] * rng.range(0.6, 1.2),
            wls[k] * rng.range(0.8, 1.25),
            rng.range(0.0, std::f64::consts::TAU),
        );
    }
    Route {
        base_altitude_m: 420.0 + rng.range(-20.0, 20.0),
        hills,
        start_lat_deg: cfg.home_lat_deg + rng.range(-0.01, 0.01),
        start_lon_deg: cfg.home_lon_deg + rng.range(-0.01, 0.01),
        heading_rad: rng.range(0.0, std::f64::consts::TAU),
        loop_m: rng.range(4000.0, 12000.0),
    }
}

/// Builds the whole plan: every run with its offsets, weather and recording options.
#[must_use]
pub fn build_plan(cfg: &AthleteConfig, phys: &Physiology) -> Vec<RunPlan> {
    let mut rng = Rng::new(cfg.seed, 0x504C_414E);
    // Run-walk draws come from their own stream so that the main plan stream, and with it
    // every athlete without run-walk, stays as it was.
    let mut rw_rng = Rng::new(cfg.seed, 0x5255_4E57);
    let weeks = cfg.total_weeks();
    let layouts = choose_layouts(cfg, weeks, &mut rng);
    let first_monday = cfg.first_monday();
    let mut runs: Vec<RunPlan> = Vec::with_capacity(weeks * 7);
    // Hard sessions so far: (end unix s, fatigue).
    let mut hard: Vec<(i64, Fatigue)> = Vec::new();

    'weeks: for (w, &layout) in layouts.iter().enumerate() {
        let monday = first_monday + Duration::weeks(i64::try_from(w).expect("week count fits i64"));
        for s in layout_slots(layout) {
            if cfg.max_activities.is_some_and(|m| runs.len() >= m) {
                break 'weeks;
            }
            let date = monday + Duration::days(i64::from(s.weekday.num_days_from_monday()));
            let offset = utc_offset_s(cfg, date);
            let minute = rng.below(30);
            let local =
                date.and_time(NaiveTime::from_hms_opt(s.hour, minute, 0).expect("valid time"));
            let start_unix_s = local.and_utc().timestamp() - i64::from(offset);
            let day = (date - cfg.start_date).num_days();
            #[expect(clippy::cast_precision_loss)]
            let vmax = phys.vmax(day as f64);

            let run_type = match s.workout {
                Workout::Easy => RunType::Easy,
                Workout::Long => RunType::Long,
                Workout::Moderate => RunType::Moderate,
                Workout::Intervals | Workout::Tempo => RunType::Hard,
            };
            // Day-to-day pace scatter: the spread of speeds the analytics' HR-speed line needs.
            let speed_factor = 1.0 + PACE_SD * rng.normal().clamp(-PACE_CLAMP_SD, PACE_CLAMP_SD);
            let mut segments: Vec<Segment> =
                workout_segments(s.workout, s.minutes, s.big, &mut rng)
                    .into_iter()
                    .map(|(d, frac)| Segment {
                        duration_s: d,
                        hr_frac_lthr: frac,
                        // Work blocks are run to a target effort; only easy running scatters in
                        // pace (which also keeps moderate and tempo blocks inside zone 2).
                        gap_speed_m_s: phys.speed_for_hr(frac * phys.lthr, vmax)
                            * if frac < 0.85 { speed_factor } else { 1.0 },
                        walking: false,
                    })
                    .collect();

            let special_wed = s.weekday == Weekday::Wed && s.workout == Workout::Easy;
            let hot_day = layout == WeekLayout::HotDay && special_wed;
            let tired_day = layout == WeekLayout::TiredDay && special_wed;
            let temperature_c = if hot_day {
                rng.range(30.0, 34.0)
            } else {
                // Ordinary days stay below the heat threshold so that heat only ever appears
                // as a designed event with a known effect.
                (seasonal_temp(cfg, date) + 2.5 * rng.normal()).min(phys.heat_threshold_c - 0.5)
            };

            let fatigue_bpm = hard
                .iter()
                .rev()
                .take_while(|(end, _)| start_unix_s - end < 12 * 86_400)
                .map(|(end, f)| {
                    #[expect(clippy::cast_precision_loss)]
                    let h = (start_unix_s - end) as f64 / 3600.0;
                    f.at(h)
                })
                .sum::<f64>()
                // An empty float sum is -0.0; keep the JSON free of "-0.0".
                + 0.0;
            let offsets = Offsets {
                fatigue_bpm,
                tired_bpm: if tired_day { rng.range(6.0, 10.0) } else { 0.0 },
                heat_bpm: phys.heat_bpm(temperature_c),
                day_noise_bpm: cfg.day_noise_bpm * rng.normal().clamp(-2.5, 2.5),
            };
            let mut drift = phys.base_drift_bpm_per_h + 0.3 * rng.normal().clamp(-2.0, 2.0);
            if s.workout == Workout::Long {
                drift += phys.long_drift_extra_bpm_per_h;
            }
            drift += phys.heat_drift(temperature_c);

            let (recovery_design, fatigue) = if run_type == RunType::Hard {
                // Only the Tuesday session of a lingering week lingers; the layouts around it
                // are built for that (see the module docs).
                if layout == WeekLayout::Lingering && s.weekday == Weekday::Tue {
                    let f = Fatigue {
                        amplitude_bpm: rng.range(7.0, 9.0),
                        hold_h: 90.0,
                        tau_h: 10.0,
                    };
                    (Some(RecoveryDesign::Lingering), Some(f))
                } else {
                    let f = Fatigue {
                        amplitude_bpm: rng.range(5.0, 7.0),
                        hold_h: 0.0,
                        tau_h: 8.0,
                    };
                    (Some(RecoveryDesign::Absorbed), Some(f))
                }
            } else {
                (None, None)
            };

            let mut pauses = Vec::new();
            let moving: u32 = segments.iter().map(|s| s.duration_s).sum();
            if matches!(run_type, RunType::Easy | RunType::Long) && rng.chance(cfg.pause_fraction) {
                let n = 1 + rng.below(2);
                for _ in 0..n {
                    pauses.push(PlannedPause {
                        at_moving_s: 120 + rng.below(moving - 240),
                        duration_s: 15 + rng.below(90),
                    });
                }
                pauses.sort_by_key(|p| p.at_moving_s);
                pauses.dedup_by_key(|p| p.at_moving_s);
            }

            let run_walk = cfg.run_walk_fraction > 0.0
                && matches!(s.workout, Workout::Easy | Workout::Long)
                && rw_rng.chance(cfg.run_walk_fraction);
            if run_walk {
                segments = run_walk_segments(&segments, phys, vmax, &mut rw_rng);
            }

            let index = runs.len();
            let plan = RunPlan {
                index,
                week: w,
                layout,
                start_unix_s,
                utc_offset_s: offset,
                local_date: date,
                run_type,
                workout: s.workout,
                segments,
                vmax_m_s: vmax,
                offsets,
                drift_bpm_per_h: drift,
                temperature_c,
                hot_day,
                tired_day,
                pauses,
                route: make_route(cfg, &mut rng),
                smart_recording: rng.chance(cfg.smart_recording_fraction),
                smart_recording_max_s: cfg.smart_recording_max_s.max(1),
                dynamics: rng.chance(cfg.dynamics_fraction),
                hrv: rng.chance(cfg.hrv_fraction),
                stride_noise_factor: if tired_day { 2.0 } else { 1.0 },
                recovery_design,
                fatigue,
                noise_seed: rng.next_u64(),
                run_walk,
            };
            if let Some(f) = fatigue {
                hard.push((plan.end_unix_s(), f));
            }
            runs.push(plan);
        }
    }
    runs
}

//! The public entry points: configure an athlete, generate the plan and its truth, encode
//! activities to FIT, write a data set to a directory.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate};

use crate::physio::Physiology;
use crate::plan::{RunPlan, build_plan};
use crate::rng::Rng;
use crate::sim::{DeviceIdentity, FitStats, encode_run, truth_run_for};
use crate::truth::{self, AthleteSettings, Sex, Truth};

/// Everything that shapes a synthetic athlete. Deterministic: equal configs give equal bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct AthleteConfig {
    pub seed: u64,
    /// First day; the plan starts on the Monday on or after it.
    pub start_date: NaiveDate,
    pub weeks: u32,
    /// Stop after this many activities (adds weeks as needed when `weeks` is too few).
    pub max_activities: Option<usize>,
    /// Leading weeks with the normal layout only, so a baseline exists before any event.
    pub warmup_weeks: usize,
    pub physiology: Physiology,
    pub sex: Sex,
    /// Standard-time UTC offset of the athlete's home (minutes).
    pub utc_offset_min: i32,
    /// EU summer time (+1 h from the last Sunday of March to the last Sunday of October).
    pub dst: bool,
    pub home_lat_deg: f64,
    pub home_lon_deg: f64,
    /// Yearly mean and amplitude of air temperature (degC).
    pub temp_mean_c: f64,
    pub temp_amplitude_c: f64,
    /// Standard deviation of the day-to-day HR scatter of a run (bpm).
    pub day_noise_bpm: f64,
    pub hilly_fraction: f64,
    /// Share of easy and long runs with one or two timer pauses.
    pub pause_fraction: f64,
    /// Share of files recorded with "smart recording" (1 to `smart_recording_max_s` s between
    /// records).
    pub smart_recording_fraction: f64,
    /// The longest interval between two records of a smart-recording file (s): 4 by default;
    /// real watches leave up to 12 s and more.
    pub smart_recording_max_s: u32,
    /// Share of files with running dynamics (stance time, vertical oscillation, step length).
    pub dynamics_fraction: f64,
    /// Share of files with beat-to-beat (`hrv`) messages.
    pub hrv_fraction: f64,
    /// Share of easy and long runs done as run-walk (running blocks of 3-5 min alternating
    /// with walking blocks of 45-90 s; see `plan`). 0 by default.
    pub run_walk_fraction: f64,
}

impl Default for AthleteConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            start_date: NaiveDate::from_ymd_opt(2025, 1, 6).expect("valid date"),
            weeks: 26,
            max_activities: None,
            warmup_weeks: 3,
            physiology: Physiology::default(),
            sex: Sex::Male,
            utc_offset_min: 60,
            dst: true,
            home_lat_deg: 47.37,
            home_lon_deg: 8.54,
            temp_mean_c: 11.0,
            temp_amplitude_c: 8.0,
            day_noise_bpm: 0.6,
            hilly_fraction: 0.3,
            pause_fraction: 0.25,
            smart_recording_fraction: 0.1,
            smart_recording_max_s: 4,
            dynamics_fraction: 0.3,
            hrv_fraction: 0.05,
            run_walk_fraction: 0.0,
        }
    }
}

/// Activities per week of the normal layout, used to size "N activities" requests.
const RUNS_PER_WEEK_MIN: usize = 6;

impl AthleteConfig {
    /// About `years` years of training (roughly 320 activities a year).
    #[must_use]
    pub fn years(seed: u64, years: u32) -> Self {
        Self {
            seed,
            weeks: years * 52 + years / 6,
            ..Self::default()
        }
    }

    /// Exactly `n` activities.
    #[must_use]
    pub fn with_activities(seed: u64, n: usize) -> Self {
        let weeks = u32::try_from(n / RUNS_PER_WEEK_MIN + 2).unwrap_or(u32::MAX);
        Self {
            seed,
            weeks,
            max_activities: Some(n),
            ..Self::default()
        }
    }

    /// The Monday the plan starts on.
    #[must_use]
    pub fn first_monday(&self) -> NaiveDate {
        let back = (7 - self.start_date.weekday().num_days_from_monday()) % 7;
        self.start_date + Duration::days(i64::from(back))
    }

    pub(crate) fn total_weeks(&self) -> usize {
        self.weeks as usize
    }

    /// The athlete's settings as hrdrift's config file would hold them.
    #[must_use]
    pub fn settings(&self) -> AthleteSettings {
        AthleteSettings {
            hr_max: self.physiology.hr_max,
            hr_rest: self.physiology.hr_rest,
            lthr: self.physiology.lthr,
            sex: self.sex,
        }
    }
}

/// Range of `Physiology::easy_hr_frac_lthr` across a [`population`].
pub const POPULATION_EASY_HR_FRAC: (f64, f64) = (0.75, 0.92);

/// `n` different runners drawn deterministically from `seed`, each with its own seed and
/// `weeks` of training. They differ in what real runners differ in: where easy heart rate
/// sits (`easy_hr_frac_lthr`, stratified so the `n` athletes cover 0.75-0.92 evenly, in
/// shuffled order), LTHR 150-182, HRmax = LTHR / U(0.85, 0.91), resting HR 40-60, fitness
/// (vmax 3.6-5.2 m/s, ceiling 3-8 % above), run-walk (every third athlete, on 60-100 % of
/// easy and long runs), hills, climate (yearly mean 6-20 degC), smart recording, day-to-day
/// scatter, sex (alternating) and start date (2024-2025, so some training spans a summer).
#[must_use]
pub fn population(seed: u64, n: usize, weeks: u32) -> Vec<AthleteConfig> {
    let mut rng = Rng::new(seed, 0x504F_5055);
    // A shuffled stratum per athlete: the range is covered evenly whatever n is, and where
    // easy HR sits is not tied to the athlete's position (run-walker, sex).
    let mut strata: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(u32::try_from(i + 1).unwrap_or(u32::MAX)) as usize;
        strata.swap(i, j.min(i));
    }
    let first_day = NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date");
    let (e_lo, e_hi) = POPULATION_EASY_HR_FRAC;
    strata
        .into_iter()
        .enumerate()
        .map(|(i, stratum)| {
            #[expect(clippy::cast_precision_loss)]
            let e = e_lo + (e_hi - e_lo) * (stratum as f64 + rng.f64()) / n as f64;
            let lthr = rng.range(150.0, 182.0);
            let hr_max = lthr / rng.range(0.85, 0.91);
            let hr_rest = rng.range(40.0, 60.0);
            let vmax = rng.range(3.6, 5.2);
            let ceiling = vmax * rng.range(1.03, 1.08);
            let run_walk = rng.range(0.6, 1.0);
            // From a stream of its own, so that adding it moved none of the draws above or
            // below (the population's other tests keep their athletes).
            let aet_frac_lthr = Rng::new(seed ^ (i as u64), 0x4145_5421).range(0.82, 0.92);
            let physiology = Physiology {
                hr_rest,
                hr_max,
                lthr,
                vmax_start_m_s: vmax,
                vmax_ceiling_m_s: ceiling,
                easy_hr_frac_lthr: Some(e),
                aet_frac_lthr,
                ..Physiology::default()
            };
            AthleteConfig {
                seed: rng.next_u64(),
                start_date: first_day + Duration::days(i64::from(rng.below(730))),
                weeks,
                physiology,
                sex: if i % 2 == 0 { Sex::Male } else { Sex::Female },
                temp_mean_c: rng.range(6.0, 20.0),
                day_noise_bpm: rng.range(0.4, 1.0),
                hilly_fraction: rng.range(0.1, 0.8),
                smart_recording_fraction: rng.range(0.0, 0.5),
                smart_recording_max_s: 4 + rng.below(7),
                run_walk_fraction: if i % 3 == 2 { run_walk } else { 0.0 },
                ..AthleteConfig::default()
            }
        })
        .collect()
}

/// A generated athlete: every run's plan and the ground truth. Encoding is separate and lazy.
#[derive(Debug, Clone)]
pub struct Athlete {
    pub config: AthleteConfig,
    pub plans: Vec<RunPlan>,
    pub truth: Truth,
    identity: DeviceIdentity,
}

/// What [`Athlete::write_to_dir`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub dir: PathBuf,
    pub activities: usize,
    pub fit_bytes: u64,
    pub records: u64,
    pub truth_path: PathBuf,
}

/// Plans the athlete's training and computes the ground truth (one noise-free simulation per
/// run; no FIT encoding).
#[must_use]
pub fn generate(cfg: &AthleteConfig) -> Athlete {
    let phys = &cfg.physiology;
    let plans = build_plan(cfg, phys);
    let stats: Vec<_> = plans
        .iter()
        .map(|p| truth_run_for(p, phys, cfg.sex))
        .collect();
    let truth = truth::build(cfg.seed, cfg.settings(), phys, &plans, &stats);
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let identity = DeviceIdentity {
        product: 4242,
        serial: 3_000_000_000 + (cfg.seed % 1_000_000) as u32,
        hr_rest: phys.hr_rest.round().clamp(30.0, 120.0) as u8,
        hr_max: phys.hr_max.round().clamp(120.0, 230.0) as u8,
        gender: Some(match cfg.sex {
            Sex::Male => crate::fit_encode::value::GENDER_MALE,
            Sex::Female => crate::fit_encode::value::GENDER_FEMALE,
        }),
    };
    Athlete {
        config: cfg.clone(),
        plans,
        truth,
        identity,
    }
}

impl Athlete {
    /// Number of activities.
    #[must_use]
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// The FIT bytes of activity `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    #[must_use]
    pub fn encode_fit(&self, i: usize) -> Vec<u8> {
        self.encode_fit_into(i, Vec::new()).0
    }

    /// As [`Self::encode_fit`], reusing `buf`'s allocation; also returns record counts.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    #[must_use]
    pub fn encode_fit_into(&self, i: usize, buf: Vec<u8>) -> (Vec<u8>, FitStats) {
        encode_run(&self.plans[i], &self.config.physiology, &self.identity, buf)
    }

    /// File name of activity `i`: `NNNN-YYYY-MM-DD-type.fit`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    #[must_use]
    pub fn file_name(&self, i: usize) -> String {
        self.plans[i].file_name()
    }

    /// The ground truth as pretty JSON.
    ///
    /// # Panics
    /// Never in practice: the truth holds only finite numbers and plain strings.
    #[must_use]
    pub fn truth_json(&self) -> String {
        serde_json::to_string_pretty(&self.truth).expect("truth serializes")
    }

    /// Writes every activity as a FIT file and `truth.json` into `dir` (created if needed).
    ///
    /// # Errors
    /// Any I/O error creating the directory or writing a file.
    pub fn write_to_dir(&self, dir: &Path) -> io::Result<Summary> {
        fs::create_dir_all(dir)?;
        let mut buf = Vec::new();
        let mut fit_bytes = 0u64;
        let mut records = 0u64;
        for i in 0..self.len() {
            let (bytes, stats) = self.encode_fit_into(i, buf);
            fs::write(dir.join(self.file_name(i)), &bytes)?;
            fit_bytes += bytes.len() as u64;
            records += u64::from(stats.records);
            buf = bytes;
        }
        let truth_path = dir.join("truth.json");
        let mut f = io::BufWriter::new(fs::File::create(&truth_path)?);
        serde_json::to_writer_pretty(&mut f, &self.truth).map_err(io::Error::other)?;
        f.write_all(b"\n")?;
        f.flush()?;
        Ok(Summary {
            dir: dir.to_path_buf(),
            activities: self.len(),
            fit_bytes,
            records,
            truth_path,
        })
    }
}

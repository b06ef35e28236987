//! Second-by-second simulation of one run.
//!
//! [`run_core`] produces the noise-free physiology (pace on the route, GAP, heart rate with
//! kinetics, drift and the run's offsets) and hands each moving second to a [`Sink`]. The
//! ground truth is computed by one sink ([`TruthStats`]) and the FIT file written by another
//! ([`FitSink`]), which adds sensor noise, dropouts and spikes from the run's own random
//! stream. Both see the same core, so the truth describes exactly the run that was written.
//! Nothing here allocates per sample.

use crate::fit_encode::{self as fe, ActivityEncoder};
use crate::physio::{Physiology, gap_factor};
use crate::plan::{MAX_GRADE, RunPlan, RunType};
use crate::rng::Rng;
use crate::truth::Sex;

const EARTH_RADIUS_M: f64 = 6_371_000.0;
/// HR the runner stands at when the watch starts, above resting.
const STANDING_HR_ABOVE_REST: f64 = 25.0;

/// One second of the noise-free run.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoreSample {
    pub elapsed_s: u32,
    pub moving_s: u32,
    pub segment: usize,
    pub distance_m: f64,
    pub speed_m_s: f64,
    pub gap_speed_m_s: f64,
    pub altitude_m: f64,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub hr_bpm: f64,
    pub cadence_spm: f64,
    /// A walking block of a run-walk run.
    pub walking: bool,
}

/// Receives the simulation.
pub trait Sink {
    /// A sample while the timer runs (the first one at elapsed 0).
    fn sample(&mut self, s: &CoreSample);
    /// The timer stopped at `start_elapsed_s` and restarted at `end_elapsed_s`.
    fn pause(&mut self, start_elapsed_s: u32, end_elapsed_s: u32);
}

/// Steps per minute at a grade-adjusted speed: cadence follows effort, so on a hill the
/// step shortens rather than the rhythm changing. Kept at least 6 away from HR: a synthetic
/// run must not look like an optical sensor locked onto cadence (METRICS.md "cadence lock")
/// by chance.
fn cadence_for(gap_speed: f64, hr: f64) -> f64 {
    let spm = 138.0 + 10.5 * gap_speed;
    if (spm - hr).abs() < 6.0 {
        if spm >= hr { hr + 6.0 } else { hr - 6.0 }
    } else {
        spm
    }
}

/// Steps per minute while walking: about 105 at 1.2 m/s to 120 at 1.6 m/s (a walking step is
/// about 0.7-0.8 m). [`cadence_for`] would give ~150, which reads as running. The same 6 spm
/// distance from HR as for running.
fn walking_cadence(gap_speed: f64, hr: f64) -> f64 {
    let spm = (105.0 + 37.5 * (gap_speed - 1.2)).clamp(100.0, 122.0);
    if (spm - hr).abs() < 6.0 {
        if spm >= hr { hr + 6.0 } else { hr - 6.0 }
    } else {
        spm
    }
}

fn cadence(walking: bool, gap_speed: f64, hr: f64) -> f64 {
    if walking {
        walking_cadence(gap_speed, hr)
    } else {
        cadence_for(gap_speed, hr)
    }
}

/// A unit vector (sin, cos) of an angle that advances by small steps: rotating it with a
/// Taylor-series sine and cosine of the step is several times cheaper than `sin_cos` of the
/// whole angle, and renormalising keeps it on the unit circle.
#[derive(Debug, Clone, Copy)]
struct Phasor {
    s: f64,
    c: f64,
}

impl Phasor {
    fn new(angle: f64) -> Self {
        let (s, c) = angle.sin_cos();
        Self { s, c }
    }

    /// Advances by `d` radians (|d| well below 0.5; the error is below d^7/5040).
    fn advance(&mut self, d: f64) {
        let d2 = d * d;
        let sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0));
        let cd = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0));
        let (s, c) = (self.s * cd + self.c * sd, self.c * cd - self.s * sd);
        let norm = 1.5 - 0.5 * (s * s + c * c);
        self.s = s * norm;
        self.c = c * norm;
    }
}

/// Runs the plan through the physiology, second by second.
pub fn run_core(plan: &RunPlan, phys: &Physiology, sink: &mut impl Sink) {
    let route = &plan.route;
    let offset = plan.offsets.elevation_bpm() + plan.offsets.day_noise_bpm;
    // Kinetics factors for a 1 s step, computed once rather than per sample.
    let alpha_on = 1.0 - (-1.0 / phys.tau_on_s).exp();
    let alpha_off = 1.0 - (-1.0 / phys.tau_off_s).exp();
    // A loop of a few km moves latitude by hundredths of a degree: one cosine will do.
    let deg_per_m_lat = 180.0 / std::f64::consts::PI / EARTH_RADIUS_M;
    let deg_per_m_lon = deg_per_m_lat / route.start_lat_deg.to_radians().cos();
    let mut hr = phys.hr_rest + STANDING_HR_ABOVE_REST;
    let mut distance = 0.0;
    let (mut lat, mut lon) = (route.start_lat_deg, route.start_lon_deg);
    let mut elapsed: u32 = 0;
    let mut moving: u32 = 0;
    let mut pause_idx = 0;
    let (mut altitude, mut grade) = route.altitude_grade(0.0);
    let wave_k = route.hills.map(|h| std::f64::consts::TAU / h.1);
    let mut waves = route.hills.map(|h| Phasor::new(h.2));
    let heading_k = std::f64::consts::TAU / route.loop_m;
    let mut heading = Phasor::new(route.heading_rad);

    let first_gap = plan.segments.first().map_or(0.0, |s| s.gap_speed_m_s);
    let first_walking = plan.segments.first().is_some_and(|s| s.walking);
    let mut s = CoreSample {
        altitude_m: altitude,
        lat_deg: lat,
        lon_deg: lon,
        hr_bpm: hr,
        cadence_spm: cadence(first_walking, first_gap, hr),
        walking: first_walking,
        ..CoreSample::default()
    };
    sink.sample(&s);

    for (seg_idx, seg) in plan.segments.iter().enumerate() {
        let gap = seg.gap_speed_m_s;
        let hr_base = phys.hr_at_speed(gap, plan.vmax_m_s) + offset;
        for _ in 0..seg.duration_s {
            if let Some(p) = plan.pauses.get(pause_idx)
                && p.at_moving_s == moving
            {
                pause_idx += 1;
                let target = phys.hr_rest + STANDING_HR_ABOVE_REST + 10.0;
                for _ in 0..p.duration_s {
                    hr = phys.step_hr(hr, target, 1.0);
                }
                sink.pause(elapsed, elapsed + p.duration_s);
                elapsed += p.duration_s;
            }
            let speed = gap / gap_factor(grade);
            distance += speed;
            heading.advance(heading_k * speed);
            lat += speed * heading.c * deg_per_m_lat;
            lon += speed * heading.s * deg_per_m_lon;
            altitude = route.base_altitude_m;
            grade = 0.0;
            for k in 0..3 {
                waves[k].advance(wave_k[k] * speed);
                altitude += route.hills[k].0 * waves[k].s;
                grade += route.hills[k].0 * wave_k[k] * waves[k].c;
            }
            grade = grade.clamp(-MAX_GRADE, MAX_GRADE);
            moving += 1;
            elapsed += 1;
            let target =
                (hr_base + plan.drift_bpm_per_h * f64::from(moving) / 3600.0).min(phys.hr_max);
            hr += (target - hr) * if target > hr { alpha_on } else { alpha_off };
            s = CoreSample {
                elapsed_s: elapsed,
                moving_s: moving,
                segment: seg_idx,
                distance_m: distance,
                speed_m_s: speed,
                gap_speed_m_s: gap,
                altitude_m: altitude,
                lat_deg: lat,
                lon_deg: lon,
                hr_bpm: hr,
                cadence_spm: cadence(seg.walking, gap, hr),
                walking: seg.walking,
            };
            sink.sample(&s);
        }
    }
}

/// Start of the steady portion (METRICS.md: the first 10 minutes of moving time excluded).
pub const WARMUP_S: u32 = 600;
/// The elevation window: minutes 10-40 of moving time.
pub const WINDOW_S: (u32, u32) = (600, 2400);
/// Running seconds after a walk that METRICS.md 3b leaves out (HR still recovering).
pub const AFTER_WALK_S: u32 = 60;
/// Pace zone cuts of METRICS.md 3a, as fractions of threshold speed: P1 below the first, P3
/// above the second.
pub const PACE_ZONE_CUTS: (f64, f64) = (0.85, 0.97);

/// What the ground truth needs from a noise-free run.
#[derive(Debug, Clone, Default)]
pub struct TruthStats {
    pub moving_s: u32,
    pub elapsed_s: u32,
    pub distance_m: f64,
    pub trimp: f64,
    /// Seiler zone seconds over all moving time.
    pub zone_s: [u32; 3],
    /// Seiler zone seconds over the steady portion.
    pub steady_zone_s: [u32; 3],
    pub window_hr_sum: f64,
    pub window_gap_sum: f64,
    pub window_n: u32,
    /// Seconds of the window METRICS.md uses for the elevation: running seconds only, none
    /// in the first 60 s after a walk (all of the window when the run has no walking).
    pub elev_hr_sum: f64,
    pub elev_gap_sum: f64,
    pub elev_n: u32,
    /// Sum of the moving times (s) of those seconds, for the mean time the drift acts over.
    pub elev_t_sum: u64,
    /// Moving seconds spent walking.
    pub walk_s: u32,
    /// Pace zone (P1, P2, P3) seconds of the running seconds in the steady portion, against
    /// the day's threshold speed.
    pub steady_pace_zone_s: [u32; 3],
    /// Running seconds since the last walking second (`u32::MAX` before any walk).
    since_walk_s: u32,
    threshold_speed: f64,
    female: bool,
    gap_sum: f64,
    gap_sq_sum: f64,
    gap_n: u32,
    phys: Physiology,
}

impl TruthStats {
    /// Statistics with male TRIMP constants and no pace zones (threshold speed unknown).
    #[must_use]
    pub fn new(phys: &Physiology) -> Self {
        Self {
            phys: phys.clone(),
            since_walk_s: u32::MAX,
            ..Self::default()
        }
    }

    /// Statistics of `plan` for an athlete of `sex`: TRIMP with that sex's constants, pace
    /// zones against the plan day's threshold speed.
    #[must_use]
    pub fn for_run(plan: &RunPlan, phys: &Physiology, sex: Sex) -> Self {
        Self {
            threshold_speed: phys.threshold_speed(plan.vmax_m_s),
            female: sex == Sex::Female,
            ..Self::new(phys)
        }
    }

    /// Mean moving time (s) of the elevation seconds.
    #[must_use]
    pub fn elev_mean_t_s(&self) -> Option<f64> {
        #[expect(clippy::cast_precision_loss)]
        (self.elev_n > 0).then(|| self.elev_t_sum as f64 / f64::from(self.elev_n))
    }

    /// Coefficient of variation of GAP speed on the steady portion.
    #[must_use]
    pub fn gap_cv(&self) -> f64 {
        if self.gap_n < 2 {
            return 0.0;
        }
        let n = f64::from(self.gap_n);
        let mean = self.gap_sum / n;
        let var = (self.gap_sq_sum / n - mean * mean).max(0.0);
        var.sqrt() / mean
    }
}

impl Sink for TruthStats {
    fn sample(&mut self, s: &CoreSample) {
        self.elapsed_s = s.elapsed_s;
        self.distance_m = s.distance_m;
        if s.moving_s == 0 {
            return;
        }
        self.moving_s = s.moving_s;
        let sex = if self.female { Sex::Female } else { Sex::Male };
        self.trimp += self.phys.trimp_for(sex, s.hr_bpm, 1.0);
        let z = self.phys.seiler_zone(s.hr_bpm) - 1;
        self.zone_s[z] += 1;
        if s.walking {
            self.walk_s += 1;
            self.since_walk_s = 0;
        } else {
            self.since_walk_s = self.since_walk_s.saturating_add(1);
        }
        if s.moving_s > WARMUP_S {
            self.steady_zone_s[z] += 1;
            self.gap_sum += s.gap_speed_m_s;
            self.gap_sq_sum += s.gap_speed_m_s * s.gap_speed_m_s;
            self.gap_n += 1;
            if !s.walking && self.threshold_speed > 0.0 {
                let r = s.gap_speed_m_s / self.threshold_speed;
                let p = if r < PACE_ZONE_CUTS.0 {
                    0
                } else if r <= PACE_ZONE_CUTS.1 {
                    1
                } else {
                    2
                };
                self.steady_pace_zone_s[p] += 1;
            }
        }
        if s.moving_s > WINDOW_S.0 && s.moving_s <= WINDOW_S.1 {
            self.window_hr_sum += s.hr_bpm;
            self.window_gap_sum += s.gap_speed_m_s;
            self.window_n += 1;
            if !s.walking && self.since_walk_s > AFTER_WALK_S {
                self.elev_hr_sum += s.hr_bpm;
                self.elev_gap_sum += s.gap_speed_m_s;
                self.elev_n += 1;
                self.elev_t_sum += u64::from(s.moving_s);
            }
        }
    }

    fn pause(&mut self, _start: u32, end: u32) {
        self.elapsed_s = end;
    }
}

/// Per-file device and athlete identity written into every FIT file.
#[derive(Debug, Clone, Copy)]
pub struct DeviceIdentity {
    pub product: u16,
    pub serial: u32,
    pub hr_rest: u8,
    pub hr_max: u8,
    pub gender: Option<u8>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    start_elapsed: u32,
    paused_s: u32,
    start_distance: f64,
    hr_sum: u64,
    hr_n: u32,
    hr_max: u8,
}

impl Acc {
    fn add_hr(&mut self, hr: u8) {
        self.hr_sum += u64::from(hr);
        self.hr_n += 1;
        self.hr_max = self.hr_max.max(hr);
    }
    fn summary(
        &self,
        start_unix: i64,
        end_elapsed: u32,
        end_distance: f64,
        index: u16,
    ) -> fe::Totals {
        let elapsed = f64::from(end_elapsed - self.start_elapsed);
        let timer = elapsed - f64::from(self.paused_s);
        let dist = end_distance - self.start_distance;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let avg_hr =
            (self.hr_n > 0).then(|| (self.hr_sum as f64 / f64::from(self.hr_n)).round() as u8);
        fe::Totals {
            timestamp: fe::fit_time(start_unix + i64::from(end_elapsed)),
            message_index: index,
            start_time: fe::fit_time(start_unix + i64::from(self.start_elapsed)),
            total_elapsed_s: elapsed,
            total_timer_s: timer,
            total_distance_m: dist,
            avg_speed_m_s: (timer > 0.0).then(|| dist / timer),
            avg_heart_rate: avg_hr,
            max_heart_rate: (self.hr_n > 0).then_some(self.hr_max),
        }
    }
}

/// Random sensor artefacts of one run, drawn up front so the per-sample path only compares.
#[derive(Debug, Clone, Copy, Default)]
struct Artefacts {
    /// (start moving s, length s)
    dropouts: [(u32, u32); 3],
    spikes: [(u32, u32, f64); 3],
}

/// Summary of a written file.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FitStats {
    pub records: u32,
    pub hr_missing: u32,
    pub hr_spikes: u32,
}

/// Writes the run as a FIT activity, adding sensor noise.
pub struct FitSink<'a> {
    enc: ActivityEncoder,
    plan: &'a RunPlan,
    rng: Rng,
    art: Artefacts,
    wander: f64,
    temp_wander: f64,
    next_emit: u32,
    lap: Acc,
    session: Acc,
    laps: u16,
    auto_lap_km: bool,
    next_km: f64,
    cur_segment: usize,
    last_distance: f64,
    last_elapsed: u32,
    beat_phase: f64,
    rr: [f64; fe::HRV_SLOTS],
    rr_n: usize,
    /// The AR(1) state of the beats' fluctuation, and the physiology that sets its alpha1.
    rr_x: f64,
    phys: Physiology,
    pub stats: FitStats,
}

impl<'a> FitSink<'a> {
    /// Starts the file: file_id, device_info, user_profile and the timer start event.
    #[must_use]
    pub fn new(buf: Vec<u8>, plan: &'a RunPlan, id: &DeviceIdentity, phys: &Physiology) -> Self {
        let mut rng = Rng::new(plan.noise_seed, 0x4E4F_4953);
        let moving = plan.moving_s().max(1);
        let mut art = Artefacts::default();
        let n_drop = rng.below(4) as usize;
        for d in art.dropouts.iter_mut().take(n_drop) {
            *d = (rng.below(moving), 5 + rng.below(35));
        }
        let n_spike = rng.below(4) as usize;
        for s in art.spikes.iter_mut().take(n_spike) {
            *s = (rng.below(moving), 1 + rng.below(3), rng.range(35.0, 60.0));
        }
        let mut enc = ActivityEncoder::new(buf, plan.dynamics);
        enc.reserve_records(plan.elapsed_s() as usize + 64);
        let start = fe::fit_time(plan.start_unix_s);
        enc.file_id(&fe::FileId {
            product: id.product,
            serial: id.serial,
            time_created: start,
        });
        enc.device_info(&fe::DeviceInfo {
            timestamp: start,
            product: id.product,
            serial: id.serial,
            software_version: 1234,
        });
        enc.user_profile(&fe::UserProfile {
            gender: id.gender,
            resting_heart_rate: Some(id.hr_rest),
            max_running_heart_rate: Some(id.hr_max),
            max_heart_rate: Some(id.hr_max),
        });
        enc.event(&fe::Event {
            timestamp: start,
            event: fe::value::EVENT_TIMER,
            event_type: fe::value::EVENT_TYPE_START,
            data: fe::value::TIMER_TRIGGER_MANUAL,
        });
        // Run-walk blocks follow an alert, not the lap button: such runs lap by the kilometre.
        let auto_lap_km = plan.segments.len() == 1 || plan.run_walk;
        Self {
            enc,
            plan,
            rng,
            art,
            wander: 0.0,
            temp_wander: 0.0,
            next_emit: 0,
            lap: Acc::default(),
            session: Acc::default(),
            laps: 0,
            auto_lap_km,
            next_km: 1000.0,
            cur_segment: 0,
            last_distance: 0.0,
            last_elapsed: 0,
            beat_phase: 0.0,
            rr: [0.0; fe::HRV_SLOTS],
            rr_n: 0,
            rr_x: 0.0,
            phys: phys.clone(),
            stats: FitStats::default(),
        }
    }

    fn close_lap(&mut self, trigger: u8) {
        let s = self.lap.summary(
            self.plan.start_unix_s,
            self.last_elapsed,
            self.last_distance,
            self.laps,
        );
        self.enc.lap(&s, trigger);
        self.laps += 1;
        self.lap = Acc {
            start_elapsed: self.last_elapsed,
            start_distance: self.last_distance,
            ..Acc::default()
        };
    }

    fn measured_hr(&mut self, s: &CoreSample) -> Option<u8> {
        let t = s.moving_s;
        if self
            .art
            .dropouts
            .iter()
            .any(|&(a, l)| l > 0 && t >= a && t < a + l)
        {
            return None;
        }
        // Slow optical wander (AR(1), sd ~1 bpm) plus white noise (sd 0.8 bpm).
        self.wander = 0.98 * self.wander + 0.2 * self.rng.fast_normal();
        let mut hr = s.hr_bpm + self.wander + 0.8 * self.rng.fast_normal();
        if let Some(&(_, _, amp)) = self
            .art
            .spikes
            .iter()
            .find(|&&(a, l, _)| l > 0 && t >= a && t < a + l)
        {
            hr += amp;
            self.stats.hr_spikes += 1;
        }
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let v = (hr + 0.5).clamp(30.0, 240.0) as u8;
        Some(v)
    }

    fn emit_hrv(&mut self, hr: f64) {
        // Beats that fall into this second, each with the RR interval of the current rate and
        // a fluctuation whose DFA alpha1 follows intensity (`Physiology::alpha1_at`): AR(1),
        // one normal draw a beat as before, so the rest of the file's noise is unchanged.
        let phi = Physiology::rr_phi(self.phys.alpha1_at(hr));
        self.beat_phase += hr / 60.0;
        while self.beat_phase >= 1.0 {
            self.beat_phase -= 1.0;
            if self.rr_n < fe::HRV_SLOTS {
                self.rr_x = phi * self.rr_x + (1.0 - phi * phi).sqrt() * self.rng.fast_normal();
                self.rr[self.rr_n] = 60.0 / hr * (1.0 + 0.04 * self.rr_x);
                self.rr_n += 1;
            }
        }
        if self.rr_n > 0 {
            let n = self.rr_n;
            let rr = self.rr;
            self.enc.hrv(&rr[..n]);
            self.rr_n = 0;
        }
    }

    /// Closes the file: final timer event, last lap, session and activity.
    #[must_use]
    pub fn finish(mut self) -> (Vec<u8>, FitStats) {
        let end = fe::fit_time(self.plan.start_unix_s + i64::from(self.last_elapsed));
        self.enc.event(&fe::Event {
            timestamp: end,
            event: fe::value::EVENT_TIMER,
            event_type: fe::value::EVENT_TYPE_STOP_ALL,
            data: fe::value::TIMER_TRIGGER_MANUAL,
        });
        self.close_lap(fe::value::LAP_TRIGGER_SESSION_END);
        let sess = self.session.summary(
            self.plan.start_unix_s,
            self.last_elapsed,
            self.last_distance,
            0,
        );
        let sub = if self.plan.route.is_hilly() {
            fe::value::SUB_SPORT_TRAIL
        } else {
            fe::value::SUB_SPORT_ROAD
        };
        self.enc.session(&sess, sub, self.laps);
        self.enc.activity(&fe::Activity {
            timestamp: end,
            total_timer_s: sess.total_timer_s,
            local_timestamp: end.wrapping_add_signed(self.plan.utc_offset_s),
        });
        (self.enc.finish(), self.stats)
    }
}

impl Sink for FitSink<'_> {
    fn sample(&mut self, s: &CoreSample) {
        if s.moving_s > 0 {
            let new_segment = s.segment != self.cur_segment;
            if new_segment {
                self.cur_segment = s.segment;
            }
            if new_segment && !self.plan.run_walk {
                self.close_lap(fe::value::LAP_TRIGGER_MANUAL);
            } else if self.auto_lap_km && s.distance_m >= self.next_km {
                self.close_lap(fe::value::LAP_TRIGGER_DISTANCE);
            }
            while s.distance_m >= self.next_km {
                self.next_km += 1000.0;
            }
        }
        let hr = self.measured_hr(s);
        if let Some(h) = hr {
            self.lap.add_hr(h);
            self.session.add_hr(h);
        } else {
            self.stats.hr_missing += 1;
        }
        self.last_distance = s.distance_m;
        self.last_elapsed = s.elapsed_s;
        let last = s.moving_s == self.plan.moving_s();
        if self.plan.smart_recording && s.moving_s < self.next_emit && !last {
            return;
        }
        // Smart recording: the next record 1 to `smart_recording_max_s` s later.
        self.next_emit = s.moving_s
            + if self.plan.smart_recording {
                1 + self.rng.below(self.plan.smart_recording_max_s)
            } else {
                1
            };

        let spm = s.cadence_spm + 1.5 * self.plan.stride_noise_factor * self.rng.fast_normal();
        self.temp_wander = 0.995 * self.temp_wander + 0.05 * self.rng.fast_normal();
        let dyn_speed = s.speed_m_s.max(0.5);
        #[expect(clippy::cast_possible_truncation)]
        let temp = {
            let t = self.plan.temperature_c + self.temp_wander;
            (t + 0.5f64.copysign(t)).clamp(-60.0, 80.0) as i8
        };
        let rec = fe::Record {
            timestamp: fe::fit_time(self.plan.start_unix_s + i64::from(s.elapsed_s)),
            lat_deg: Some(s.lat_deg),
            lon_deg: Some(s.lon_deg),
            distance_m: Some(s.distance_m),
            speed_m_s: Some((s.speed_m_s * (1.0 + 0.02 * self.rng.fast_normal())).max(0.0)),
            altitude_m: Some(s.altitude_m + 0.2 * self.rng.fast_normal()),
            heart_rate: hr,
            cadence_spm: Some(spm),
            temperature_c: Some(temp),
            stance_time_ms: self.plan.dynamics.then_some(300.0 - 25.0 * dyn_speed),
            vertical_oscillation_mm: self.plan.dynamics.then_some(80.0 + 3.0 * dyn_speed),
            step_length_mm: self
                .plan
                .dynamics
                .then(|| dyn_speed / (spm / 60.0) * 1000.0),
        };
        self.enc.record(&rec);
        self.stats.records += 1;
        if self.plan.hrv && s.moving_s > 0 {
            self.emit_hrv(s.hr_bpm);
        }
    }

    fn pause(&mut self, start: u32, end: u32) {
        let ts = |e: u32| fe::fit_time(self.plan.start_unix_s + i64::from(e));
        self.enc.event(&fe::Event {
            timestamp: ts(start),
            event: fe::value::EVENT_TIMER,
            event_type: fe::value::EVENT_TYPE_STOP_ALL,
            data: fe::value::TIMER_TRIGGER_AUTO,
        });
        self.enc.event(&fe::Event {
            timestamp: ts(end),
            event: fe::value::EVENT_TIMER,
            event_type: fe::value::EVENT_TYPE_START,
            data: fe::value::TIMER_TRIGGER_AUTO,
        });
        let d = end - start;
        self.lap.paused_s += d;
        self.session.paused_s += d;
        self.last_elapsed = end;
    }
}

/// Simulates `plan` and returns its FIT bytes (written into `buf`, whose capacity is reused).
#[must_use]
pub fn encode_run(
    plan: &RunPlan,
    phys: &Physiology,
    id: &DeviceIdentity,
    buf: Vec<u8>,
) -> (Vec<u8>, FitStats) {
    let mut sink = FitSink::new(buf, plan, id, phys);
    run_core(plan, phys, &mut sink);
    sink.finish()
}

/// Simulates `plan` without noise and collects the truth statistics (male TRIMP constants,
/// no pace zones; see [`truth_run_for`]).
#[must_use]
pub fn truth_run(plan: &RunPlan, phys: &Physiology) -> TruthStats {
    let mut t = TruthStats::new(phys);
    run_core(plan, phys, &mut t);
    t
}

/// Simulates `plan` without noise and collects the truth statistics of an athlete of `sex`.
#[must_use]
pub fn truth_run_for(plan: &RunPlan, phys: &Physiology, sex: Sex) -> TruthStats {
    let mut t = TruthStats::for_run(plan, phys, sex);
    run_core(plan, phys, &mut t);
    t
}

/// Whether the plan's run type is one METRICS.md would test for elevation (easy-paced).
#[must_use]
pub fn is_easy_paced(rt: RunType) -> bool {
    matches!(rt, RunType::Easy | RunType::Long)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phasor_tracks_sin_cos_over_a_long_run() {
        let mut p = Phasor::new(0.3);
        let mut angle = 0.3;
        for i in 0..20_000 {
            let d = 0.01 + 0.13 * f64::from(i % 7) / 7.0;
            p.advance(d);
            angle += d;
        }
        assert!((p.s - angle.sin()).abs() < 1e-6, "{} {}", p.s, angle.sin());
        assert!((p.c - angle.cos()).abs() < 1e-6);
    }
}

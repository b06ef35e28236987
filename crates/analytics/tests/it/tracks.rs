//! Distance, moving time and HR coverage of files that lack what the device usually records
//! (issue 21): every real fixture with a device distance and positions, with its distance and
//! speed channels removed, its timer events removed, and its samples thinned to smart-recording
//! intervals, against what the same file gives whole.

use hrdrift_analytics::{ActivityContext, ActivityMetrics, AthleteSettings, analyze};
use hrdrift_ingest::{Activity, Samples};

use crate::reanchor::fixture_activities;

fn metrics(a: &Activity) -> ActivityMetrics {
    analyze(a, &AthleteSettings::default(), &ActivityContext::default()).metrics
}

fn has(c: Option<&Vec<Option<f64>>>) -> bool {
    Samples::present(c) > 0
}

/// Runs (and walks) with a device distance of at least 1 km and positions on most samples.
fn with_device_distance() -> Vec<(String, Activity)> {
    fixture_activities()
        .into_iter()
        .filter(|(_, a)| {
            let s = &a.samples;
            let foot = a
                .sport
                .as_deref()
                .is_none_or(|s| s.contains("run") || s.contains("walk"));
            foot && has(s.distance_m.as_ref())
                && Samples::present(s.lat.as_ref()) * 2 > s.len()
                && a.distance_m().is_some_and(|d| d >= 1000.0)
        })
        .collect()
}

fn strip_distance(a: &Activity) -> Activity {
    let mut a = a.clone();
    a.samples.distance_m = None;
    a.samples.speed_m_s = None;
    a
}

/// Keeps one sample, then skips ahead 1 to 12 s (a small LCG, so every run thins alike).
fn thin(a: &Activity, seed: u64) -> Activity {
    let mut a = a.clone();
    let ts = &a.samples.timestamp_ms;
    let mut state = seed;
    let mut keep = vec![false; ts.len()];
    let mut next = i64::MIN;
    for (i, &t) in ts.iter().enumerate() {
        if t >= next || i + 1 == ts.len() {
            keep[i] = true;
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let step = 1 + (state >> 33) % 12;
            next = t + i64::try_from(step).unwrap() * 1000;
        }
    }
    a.samples.retain(&keep);
    a
}

fn rel(got: f64, want: f64) -> f64 {
    (got - want) / want.abs().max(1e-9)
}

/// The median of absolute values.
fn median_abs(v: &[f64]) -> f64 {
    let mut a: Vec<f64> = v.iter().map(|x| x.abs()).collect();
    a.sort_by(f64::total_cmp);
    a.get(a.len() / 2).copied().unwrap_or(0.0)
}

#[test]
fn distance_without_a_device_channel_and_moving_time_without_timer_events() {
    let runs = with_device_distance();
    assert!(
        runs.len() >= 15,
        "only {} runs with device distance",
        runs.len()
    );
    let mut report = String::new();
    let (mut d_errs, mut bad) = (Vec::new(), Vec::new());
    for (name, a) in &runs {
        let whole = metrics(a);
        let device = whole.distance_m.unwrap();
        // Laps whose timer exceeds the samples' span describe more than the file holds (one
        // fixture's laps add up to 2,625 s over 2,184 s of samples): no timer to check then.
        let laps_timer: Option<f64> = (!a.laps.is_empty()
            && a.laps.iter().all(|l| l.timer_s.is_some()))
        .then(|| a.laps.iter().filter_map(|l| l.timer_s).sum())
        .filter(|t: &f64| *t <= a.duration_s() * 1.01);
        // The device's timer: its timer events where the file has them, else its laps' timer.
        let timer = if a.pauses.is_empty() {
            laps_timer.unwrap_or(whole.moving_s)
        } else {
            whole.moving_s
        };
        let mut untimed = a.clone();
        untimed.pauses.clear();
        // Three variants, each of one thing the file lacks.
        let stripped = metrics(&strip_distance(a));
        let untimed_m = metrics(&untimed);
        let thinned = metrics(&thin(&untimed, 7));
        let thinned_stripped = metrics(&strip_distance(&thin(a, 7)));
        let short = name.rsplit('/').next().unwrap_or(name);
        let d_err = rel(stripped.distance_m.unwrap_or(0.0), device);
        let dts_err = rel(thinned_stripped.distance_m.unwrap_or(0.0), device);
        let m_err = rel(untimed_m.moving_s, timer);
        let mt_err = rel(thinned.moving_s, timer);
        let hr = whole.avg_hr.zip(thinned.avg_hr).map(|(x, y)| y - x);
        report.push_str(&format!(
            "{short:<40} device {device:>6.0} m: no channel {:>+6.2}%, thinned too {:>+6.2}% | \
             timer {timer:>5.0} s: no events {:>+6.2}%, thinned too {:>+6.2}% | avg HR {:?} \
             thinned {:+.1}\n",
            100.0 * d_err,
            100.0 * dts_err,
            100.0 * m_err,
            100.0 * mt_err,
            whole.avg_hr.map(f64::round),
            hr.unwrap_or(0.0),
        ));
        d_errs.push(d_err);
        // This watch ran its timer through the runner's stops (no auto-pause): its laps add up
        // to the elapsed 2,625 s while its samples stand still for 440 s (speed 0, the distance
        // growing by a metre in gaps of 11-52 s), which the gap rule rightly leaves out.
        let known = short == "2013-02-06-12-11-14.fit";
        if !known && (m_err.abs() > 0.02 || mt_err.abs() > 0.02) {
            bad.push(format!("{short}: moving time off the timer"));
        }
        if hr.is_some_and(|h| h.abs() > 1.5) || whole.avg_hr.is_some() != thinned.avg_hr.is_some() {
            bad.push(format!("{short}: average HR of the thinned file {hr:?}"));
        }
        // A GPS path against a device's distance: each within 10 % (a foot pod or the
        // device's own smoothing), see the median below.
        if d_err.abs() > 0.10 || dts_err.abs() > 0.15 {
            bad.push(format!("{short}: distance from positions"));
        }
    }
    println!("{report}");
    let med = median_abs(&d_errs);
    println!(
        "median |distance error| without the channel: {:.2} %",
        100.0 * med
    );
    assert!(med < 0.02, "median distance error {med}");
    assert!(bad.is_empty(), "{bad:#?}\n{report}");
}

/// gpxpy's track length (`tests/expected/tracks.json`, made by `gen_tracks.py`) on every GPX
/// fixture of one segment with timed points: within 1 % where hrdrift found no GPS jump (gpxpy
/// uses a flat-earth distance with the equatorial radius, 0.1 % longer than the haversine with the
/// mean one), shorter where it left jumps out (gpxpy keeps them). Files of several segments are
/// printed, not asserted: gpxpy does not count the way between segments, hrdrift does.
#[test]
fn track_length_agrees_with_gpxpy() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("tests/expected/tracks.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    let mut report = String::new();
    let mut bad = Vec::new();
    for (name, a) in fixture_activities() {
        let key = name
            .split("tests/fixtures/")
            .nth(1)
            .map(|k| format!("tests/fixtures/{k}"))
            .unwrap_or_default();
        let Some(r) = reference["files"].get(&key) else {
            continue;
        };
        let (Some(len), Some(true)) = (r["length_2d_m"].as_f64(), r["all_timed"].as_bool()) else {
            continue;
        };
        // Mojstrovka.gpx dates 183 of its 184 points in the same second: no track in time.
        if len < 500.0 || r["moving_time_s"].as_f64().is_none_or(|m| m <= 0.0) {
            continue;
        }
        let m = metrics(&a);
        let got = m.distance_m.unwrap_or(0.0);
        let segments = r["segments"].as_u64().unwrap_or(0);
        let jumps = m.cleaning.gps_jumps;
        let err = rel(got, len);
        report.push_str(&format!(
            "{key:<70} gpxpy {len:>8.0} m hrdrift {got:>8.0} m ({:+.2} %) segments {segments} \
             jumps {jumps} | moving gpxpy {} s hrdrift {:.0} s\n",
            100.0 * err,
            r["moving_time_s"],
            m.moving_s
        ));
        if segments != 1 {
            continue;
        }
        checked += 1;
        let ok = if jumps == 0 {
            err.abs() <= 0.01
        } else {
            got <= len * 1.01
        };
        if !ok {
            bad.push(key);
        }
    }
    println!("{report}");
    assert!(checked >= 6, "only {checked} GPX tracks compared\n{report}");
    assert!(bad.is_empty(), "{bad:#?}\n{report}");
}

/// The same run in two formats gives the same moving time and distance. Pairs are activities of
/// different formats that start within 5 s of each other; those whose samples also end within
/// 5 s of each other are the same recording and are asserted (moving time within 2 %, distance
/// within 5 %: a GPS path against a device distance). The December 2020 TCX runs and their GPX
/// in the series start together but end up to 11 minutes apart with heart rates 15-20 bpm apart:
/// two recorders of one session, printed only.
#[test]
fn twins_in_two_formats_agree() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut all = fixture_activities();
    for e in std::fs::read_dir(root.join("series/runpandas-2020-2021")).unwrap() {
        let p = e.unwrap().path();
        let d = hrdrift_ingest::decode_bytes(&std::fs::read(&p).unwrap(), "series").unwrap();
        all.extend(d.value.into_iter().map(|a| (p.display().to_string(), a)));
    }
    let mut report = String::new();
    let (mut asserted, mut bad) = (0, Vec::new());
    for (i, (na, a)) in all.iter().enumerate() {
        for (nb, b) in &all[i + 1..] {
            if a.format == b.format || (a.start_ms - b.start_ms).abs() > 5000 {
                continue;
            }
            let (ma, mb) = (metrics(a), metrics(b));
            let same_span = (a.end_ms() - b.end_ms()).abs() <= 5000;
            let short = |n: &str| n.split("fixtures/").nth(1).unwrap_or(n).to_owned();
            let dm = rel(mb.moving_s, ma.moving_s);
            let dd = rel(mb.distance_m.unwrap_or(0.0), ma.distance_m.unwrap_or(0.0));
            report.push_str(&format!(
                "{} / {}: moving {:.0} / {:.0} s ({:+.1} %), distance {:.0} / {:.0} m ({:+.1} %){}\n",
                short(na),
                short(nb),
                ma.moving_s,
                mb.moving_s,
                100.0 * dm,
                ma.distance_m.unwrap_or(0.0),
                mb.distance_m.unwrap_or(0.0),
                100.0 * dd,
                if same_span { "" } else { " (two recorders)" }
            ));
            if same_span {
                asserted += 1;
                if dm.abs() > 0.02 || dd.abs() > 0.05 {
                    bad.push(format!("{} / {}", short(na), short(nb)));
                }
            }
        }
    }
    println!("{report}");
    assert!(asserted >= 2, "only {asserted} twins\n{report}");
    assert!(bad.is_empty(), "{bad:#?}\n{report}");
}

/// A population of synthetic runners whose true moving time and distance are known: smart
/// recording of 1-4 s or 1-12 s, hilly or flat, paused often or never, at the equator or far
/// north. Every run is checked as written, without its timer events, without its distance and
/// speed channels, and without either.
#[test]
fn synthetic_runners_without_timer_or_distance_keep_moving_time_and_distance() {
    let mut report = String::new();
    let mut bad = Vec::new();
    let mut runs = 0;
    for seed in 1..=8_u64 {
        let cfg = hrdrift_synth::AthleteConfig {
            smart_recording_fraction: if seed % 2 == 0 { 1.0 } else { 0.5 },
            smart_recording_max_s: if seed % 4 < 2 { 12 } else { 4 },
            hilly_fraction: if seed % 3 == 0 { 1.0 } else { 0.2 },
            pause_fraction: if seed <= 4 { 0.8 } else { 0.0 },
            home_lat_deg: [47.37, 0.5, 64.1, -33.9][(seed % 4) as usize],
            home_lon_deg: [8.54, 32.6, -21.9, 18.4][(seed % 4) as usize],
            ..hrdrift_synth::AthleteConfig::with_activities(seed, 10)
        };
        let athlete = hrdrift_synth::generate(&cfg);
        for i in 0..athlete.len() {
            let truth = &athlete.truth.activities[i];
            let bytes = athlete.encode_fit(i);
            let a = hrdrift_ingest::decode_bytes(&bytes, "synthetic")
                .unwrap()
                .value
                .remove(0);
            let mut untimed = a.clone();
            untimed.pauses.clear();
            let variants = [
                ("as written", metrics(&a)),
                ("no timer", metrics(&untimed)),
                ("no distance", metrics(&strip_distance(&a))),
                ("neither", metrics(&strip_distance(&untimed))),
            ];
            let moving = f64::from(truth.moving_s);
            for (what, m) in &variants {
                let dm = rel(m.moving_s, moving);
                let dd = rel(m.distance_m.unwrap_or(0.0), truth.distance_m);
                if dm.abs() > 0.02 || dd.abs() > 0.01 {
                    bad.push(format!(
                        "seed {seed} run {i} ({what}, {} pauses): moving {:.0} s of {moving:.0} \
                         ({:+.2} %), distance {:.0} m of {:.0} ({:+.2} %)",
                        truth.pauses,
                        m.moving_s,
                        100.0 * dm,
                        m.distance_m.unwrap_or(0.0),
                        truth.distance_m,
                        100.0 * dd
                    ));
                }
            }
            runs += 1;
        }
        report.push_str(&format!("seed {seed}: {} runs\n", athlete.len()));
    }
    println!("{runs} runs\n{report}");
    assert!(runs >= 70, "{runs}");
    assert!(
        bad.is_empty(),
        "{} of {runs} runs x 4:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

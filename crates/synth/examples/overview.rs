//! Prints an overview of a generated athlete's ground truth: weeks with their layout, load
//! and flags, and the elevated easy runs. `cargo run -p hrdrift-synth --example overview [seed] [weeks]`

use hrdrift_synth::{AthleteConfig, generate};

fn main() {
    let mut args = std::env::args().skip(1);
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(42);
    let weeks = args.next().and_then(|s| s.parse().ok()).unwrap_or(26);
    let a = generate(&AthleteConfig {
        seed,
        weeks,
        ..AthleteConfig::default()
    });
    println!("{} activities", a.len());
    for w in &a.truth.weeks {
        println!(
            "{} {:<12} runs {} hard {} mod {} load {:6.1} S2 {:4.1}% spacing {:?} flags {:?}",
            w.iso_week,
            format!("{:?}", w.layout),
            w.runs,
            w.hard,
            w.moderate,
            w.load_hrtss,
            w.zone_shares[1] * 100.0,
            w.min_hard_spacing_h.map(|h| h.round()),
            w.flags
        );
    }
    for t in &a.truth.activities {
        let e = t
            .expected_e_bpm
            .map_or(String::from("   -"), |e| format!("{e:5.1}"));
        let v = t.recovery_verdict.map_or(String::new(), |v| {
            format!("{v:?} {:?}", t.recovery_h.map(|h| h.round()))
        });
        println!(
            "{} {:>8} {:>6.0} min {:>4.1} C e {} elev {:?} {}",
            t.file,
            format!("{:?}", t.class),
            f64::from(t.moving_s) / 60.0,
            t.temperature_c,
            e,
            t.intended_elevated,
            v
        );
    }
}

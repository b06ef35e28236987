//! Writes a demo report from the synthetic athlete of the tests into `target/report-demo/`
//! (or the directory given as the first argument), and prints how long each chart took.
//!
//! `cargo run -p hrdrift-report --example render_demo --release`

#[path = "../tests/it/synthetic.rs"]
mod synthetic;

use std::path::PathBuf;
use std::time::Instant;

use hrdrift_report::{ChartKind, DEFAULT_SIZE, render_chart, write_report};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os().nth(1).map_or_else(
        || {
            let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
                || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
                PathBuf::from,
            );
            target.join("report-demo")
        },
        PathBuf::from,
    );
    let input = synthetic::athlete();
    for kind in ChartKind::ALL {
        // The first call registers the font; time the second.
        render_chart(kind, &input, DEFAULT_SIZE)?;
        let t = Instant::now();
        let png = render_chart(kind, &input, DEFAULT_SIZE)?;
        println!(
            "{:<18} {:>7.1} ms  {:>7} bytes",
            kind.name(),
            t.elapsed().as_secs_f64() * 1e3,
            png.len()
        );
    }
    let t = Instant::now();
    let files = write_report(&input, &out)?;
    println!(
        "write_report: {:.1} ms -> {}",
        t.elapsed().as_secs_f64() * 1e3,
        files.index_html.display()
    );
    let empty = out.join("empty");
    write_report(&hrdrift_report::ReportInput::empty(input.generated), &empty)?;
    println!("empty report -> {}", empty.join("index.html").display());
    Ok(())
}

//! The page in a real browser: headless Chromium loads `index.html` from the disk (`file://`),
//! and the test fails on a broken image or on any console message. The screenshot is kept in
//! `target/report-artifacts/`.
//!
//! How: the page has no script of its own, so the test writes a copy of it with one small probe
//! script that, on `load`, writes the number of images and the `src` of each broken one
//! (`naturalWidth == 0`) into the DOM; `--dump-dom` prints the DOM after load (with a virtual
//! time budget, so loading finishes first). Console messages (script errors, `console.*`) are
//! read from Chromium's own log (`--enable-logging=stderr`), where each is a `:CONSOLE` line;
//! since the page has no script, any such line is a failure. This needs no driver and no
//! network, and the probe only ever runs in the test copy.
//!
//! Chromium is looked for at `$HRDRIFT_CHROMIUM` or `/usr/bin/chromium`. Without it the tests
//! say so on their output and pass, so that `cargo test` passes on a machine with Rust alone;
//! with `CI` set (as `.ci/run` runs, after installing Debian's `chromium`) a missing browser
//! fails them, so CI never passes without having looked at the page.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hrdrift_report::{ChartKind, write_report};

use crate::{decode_png, synthetic, target_dir};

const PROBE: &str = r#"<script>
window.addEventListener("load", function () {
  var broken = [];
  for (var i = 0; i < document.images.length; i++) {
    var img = document.images[i];
    if (!img.complete || img.naturalWidth === 0) broken.push(img.getAttribute("src"));
  }
  var out = document.createElement("pre");
  out.id = "hrdrift-probe";
  out.textContent = "IMAGES " + document.images.length + " BROKEN " + JSON.stringify(broken);
  document.body.appendChild(out);
});
</script>
"#;

fn chromium_path() -> PathBuf {
    std::env::var_os("HRDRIFT_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Whether the browser is there to run; outside CI a missing one skips the test, saying so.
fn have_chromium() -> bool {
    let path = chromium_path();
    if path.is_file() {
        return true;
    }
    let why = format!(
        "headless Chromium not found at {} (set HRDRIFT_CHROMIUM to use another): install \
         Debian's package with `apt-get install -y chromium`; .ci/run does this before the tests",
        path.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{why}");
    println!("SKIPPED, {why}");
    eprintln!("SKIPPED, {why}");
    false
}

fn file_url(path: &Path) -> String {
    let abs = fs::canonicalize(path).unwrap();
    let mut url = String::from("file://");
    for c in abs.to_string_lossy().chars() {
        match c {
            ' ' => url.push_str("%20"),
            '%' => url.push_str("%25"),
            '#' => url.push_str("%23"),
            '?' => url.push_str("%3F"),
            c => url.push(c),
        }
    }
    url
}

/// What one headless Chromium run printed.
struct Run {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium with a fresh profile, its output captured in files in `dir` (no pipe
/// to fill up), killed after two minutes.
fn run_chromium(dir: &Path, tag: &str, args: &[String]) -> Run {
    let profile = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (
        dir.join(format!("{tag}.stdout")),
        dir.join(format!("{tag}.stderr")),
    );
    let mut child = Command::new(chromium_path())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium ({tag}) did not finish in 120 s; see {}",
                err_path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let run = Run {
        stdout: fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: fs::read_to_string(&err_path).unwrap_or_default(),
    };
    assert!(
        status.success(),
        "chromium ({tag}) failed: {status}\n{}",
        run.stderr
    );
    run
}

/// Loads `page` with the probe and returns (image count, broken srcs, console lines).
fn probe(dir: &Path, page: &str, tag: &str) -> (usize, Vec<String>, Vec<String>) {
    let html = fs::read_to_string(dir.join(page)).unwrap();
    let probed = html.replacen("</body>", &format!("{PROBE}</body>"), 1);
    assert_ne!(probed, html, "{page} has no </body>");
    let test_copy = dir.join(format!("{tag}.browser-test.html"));
    fs::write(&test_copy, probed).unwrap();
    let run = run_chromium(
        dir,
        tag,
        &[
            "--virtual-time-budget=10000".to_owned(),
            "--dump-dom".to_owned(),
            file_url(&test_copy),
        ],
    );
    let line = run
        .stdout
        .lines()
        .find_map(|l| l.split("<pre id=\"hrdrift-probe\">").nth(1))
        .unwrap_or_else(|| panic!("the probe did not run ({tag}); DOM:\n{}", run.stdout));
    let line = line.split("</pre>").next().unwrap();
    let rest = line.strip_prefix("IMAGES ").unwrap();
    let (count, broken) = rest.split_once(" BROKEN ").unwrap();
    let broken: Vec<String> = serde_json::from_str(broken).unwrap();
    let console: Vec<String> = run
        .stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (count.parse().unwrap(), broken, console)
}

fn artifacts(name: &str) -> PathBuf {
    let dir = target_dir().join("report-artifacts").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_page_loads_from_disk_with_every_image_and_no_console_message() {
    if !have_chromium() {
        return;
    }
    let dir = artifacts("browser");
    write_report(&synthetic::athlete(), &dir).unwrap();

    let (images, broken, console) = probe(&dir, "index.html", "index");
    assert_eq!(images, ChartKind::ALL.len(), "every chart");
    assert!(broken.is_empty(), "broken images: {broken:?}");
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );

    // The screenshot of the page as a person sees it (the real page, without the probe).
    let shot = dir.join("screenshot.png");
    run_chromium(
        &dir,
        "screenshot",
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,5600".to_owned(),
            file_url(&dir.join("index.html")),
        ],
    );
    let img = decode_png(&fs::read(&shot).unwrap());
    assert_eq!((img.width, img.height), (1280, 5600));
    assert!(img.variance() > 100.0, "the screenshot is blank");
    println!("screenshot: {}", shot.display());
}

#[test]
fn the_probe_catches_a_broken_image_and_a_console_error() {
    if !have_chromium() {
        return;
    }
    // The check above must be able to fail: a page with a missing image and a script error.
    let dir = artifacts("browser-negative");
    write_report(&synthetic::athlete(), &dir).unwrap();
    let html = fs::read_to_string(dir.join("index.html")).unwrap();
    let bad = html
        .replacen("src=\"activity.png\"", "src=\"missing.png\"", 1)
        .replacen(
            "</body>",
            "<script>console.error(\"boom\");</script></body>",
            1,
        );
    fs::write(dir.join("bad.html"), bad).unwrap();
    let (images, broken, console) = probe(&dir, "bad.html", "bad");
    assert_eq!(images, ChartKind::ALL.len());
    assert_eq!(broken, vec!["missing.png".to_owned()]);
    assert!(console.iter().any(|l| l.contains("boom")), "{console:?}");
}

//! The fast FIT path against the reference path (`fitparser` for every message), value by value:
//! every sample column, developer channels, laps, pauses, sessions (one activity each), RR
//! intervals, the device, every warning, and the error where a file fails. The reference path is
//! itself checked against the Garmin SDK in `fixtures.rs`.
//!
//! Inputs: every FIT fixture, the broken-input corpus, and cuts and byte flips of three fixtures
//! (the framing's fault paths). `fuzz_corpus_agrees` (ignored: minutes) adds the fuzzers' corpora.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use hrdrift_ingest::fit::{decode_fast, decode_reference, fast_path_leaves};
use hrdrift_ingest::{Activity, DecodeError, Decoded, Samples};

use crate::fixtures_dir;

type Outcome = Result<Decoded<Vec<Activity>>, DecodeError>;

/// Tallies of one comparison run.
#[derive(Default, Debug)]
struct Tally {
    files: usize,
    /// Files the fast path left to the reference path.
    left: Vec<String>,
    /// Files the fast path decoded itself (the rest it left to the reference path).
    fast: usize,
    /// Files where `fitparser` panicked (then the reference path has no answer to compare with).
    reference_panicked: usize,
    samples: usize,
    /// Optional-channel values compared (present or missing), developer values included.
    values: usize,
    /// Values equal within 1e-9 relative but not bit for bit.
    inexact: usize,
    problems: Vec<String>,
}

fn same_f64(a: f64, b: f64) -> Option<bool> {
    if a.to_bits() == b.to_bits() {
        Some(true)
    } else if (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) {
        Some(false)
    } else {
        None
    }
}

fn channel(
    t: &mut Tally,
    what: &str,
    a: Option<&Vec<Option<f64>>>,
    b: Option<&Vec<Option<f64>>>,
) -> Result<(), String> {
    match (a, b) {
        (None, None) => Ok(()),
        (Some(a), Some(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                t.values += 1;
                match (x, y) {
                    (None, None) => {}
                    (Some(x), Some(y)) => match same_f64(*x, *y) {
                        Some(true) => {}
                        Some(false) => t.inexact += 1,
                        None => return Err(format!("{what}[{i}]: fast {x} vs reference {y}")),
                    },
                    _ => return Err(format!("{what}[{i}]: fast {x:?} vs reference {y:?}")),
                }
            }
            Ok(())
        }
        _ => Err(format!(
            "{what}: fast {:?} values vs reference {:?}",
            a.map(Vec::len),
            b.map(Vec::len)
        )),
    }
}

/// One list read off the fast (`a`) and the reference (`b`) result.
fn same_list<T>(what: &str, a: &T, b: &T, list: impl Fn(&T) -> Vec<String>) -> Result<(), String> {
    let (x, y) = (list(a), list(b));
    if x == y {
        Ok(())
    } else {
        Err(format!("{what}: fast {x:?} vs reference {y:?}"))
    }
}

fn samples(t: &mut Tally, a: &Samples, b: &Samples) -> Result<(), String> {
    if a.timestamp_ms != b.timestamp_ms {
        return Err(format!(
            "timestamps differ ({} vs {} samples)",
            a.len(),
            b.len()
        ));
    }
    t.samples += a.len();
    for ((name, x), (_, y)) in a.channels().into_iter().zip(b.channels()) {
        channel(t, name, x, y)?;
    }
    same_list("developer channels", a, b, |s| {
        s.developer.iter().map(|d| d.name.clone()).collect()
    })?;
    for (x, y) in a.developer.iter().zip(&b.developer) {
        if x.units != y.units {
            return Err(format!("{}: units {:?} vs {:?}", x.name, x.units, y.units));
        }
        channel(t, &x.name, Some(&x.values), Some(&y.values))?;
    }
    Ok(())
}

fn activity(t: &mut Tally, a: &Activity, b: &Activity) -> Result<(), String> {
    macro_rules! same {
        ($($f:ident),*) => {$(
            if a.$f != b.$f {
                return Err(format!(concat!(stringify!($f), ": {:?} vs {:?}"), a.$f, b.$f));
            }
        )*};
    }
    same!(
        id,
        source,
        format,
        sport,
        sub_sport,
        device,
        start_ms,
        utc_offset_s,
        laps,
        pauses,
        rr_ms,
        profile_hr_rest,
        profile_hr_max
    );
    samples(t, &a.samples, &b.samples)
}

/// Warning codes whose message quotes `fitparser`'s own error text or its running CRC.
const MESSAGE_MAY_DIFFER: &[&str] = &["crc_mismatch", "decode_stopped", "trailing_bytes"];

fn outcomes(t: &mut Tally, fast: &Outcome, reference: &Outcome) -> Result<(), String> {
    match (fast, reference) {
        (Err(a), Err(b)) => {
            let same = std::mem::discriminant(a) == std::mem::discriminant(b)
                && match (a, b) {
                    (DecodeError::Fit { offset: x, .. }, DecodeError::Fit { offset: y, .. }) => {
                        x == y
                    }
                    (DecodeError::Fit { .. }, _) => false,
                    _ => a.to_string() == b.to_string(),
                };
            if same {
                Ok(())
            } else {
                Err(format!("errors: fast {a} vs reference {b}"))
            }
        }
        (Ok(a), Ok(b)) => {
            same_list("warnings", a, b, |d| {
                d.warnings.iter().map(|w| w.code.clone()).collect()
            })?;
            for (x, y) in a.warnings.iter().zip(&b.warnings) {
                if x.message != y.message && !MESSAGE_MAY_DIFFER.contains(&x.code.as_str()) {
                    return Err(format!(
                        "warning {}: {:?} vs {:?}",
                        x.code, x.message, y.message
                    ));
                }
            }
            if a.value.len() != b.value.len() {
                return Err(format!("{} activities vs {}", a.value.len(), b.value.len()));
            }
            for (x, y) in a.value.iter().zip(&b.value) {
                activity(t, x, y)?;
            }
            Ok(())
        }
        (Ok(_), Err(e)) => Err(format!("fast decodes, reference fails: {e}")),
        (Err(e), Ok(_)) => Err(format!("fast fails ({e}), reference decodes")),
    }
}

fn compare(t: &mut Tally, name: &str, bytes: &[u8]) {
    t.files += 1;
    let Some(fast) = decode_fast(bytes, "id", name) else {
        t.left.push(format!(
            "{name}: {}",
            fast_path_leaves(bytes).unwrap_or("?")
        ));
        return;
    };
    t.fast += 1;
    let Ok(reference) = catch_unwind(AssertUnwindSafe(|| decode_reference(bytes, "id", name)))
    else {
        t.reference_panicked += 1;
        return;
    };
    if let Err(e) = outcomes(t, &fast, &reference) {
        t.problems.push(format!("{name}: {e}"));
    }
}

fn fit_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            fit_files(&p, out);
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("fit")) {
            out.push(p);
        }
    }
}

/// Every file of `files` compared, in the order of their paths.
fn compare_files(mut files: Vec<PathBuf>) -> Tally {
    files.sort();
    let mut t = Tally::default();
    for p in &files {
        let bytes = std::fs::read(p).expect("readable");
        compare(&mut t, &p.display().to_string(), &bytes);
    }
    t
}

fn report(t: &Tally, min_files: usize) {
    eprintln!(
        "{} files, {} by the fast path, {} where fitparser panicked; {} samples, {} channel values \
         ({} equal within 1e-9 but not bit for bit)",
        t.files, t.fast, t.reference_panicked, t.samples, t.values, t.inexact
    );
    let mut why = std::collections::BTreeMap::new();
    for l in &t.left {
        *why.entry(l.rsplit(": ").next().unwrap_or("?")).or_insert(0) += 1;
    }
    eprintln!("left to the reference path: {why:?}");
    assert!(t.files >= min_files, "only {} files", t.files);
    assert!(
        t.problems.is_empty(),
        "{} files differ:\n{}",
        t.problems.len(),
        t.problems.join("\n")
    );
}

#[test]
fn fixtures_and_broken_corpus_agree_with_the_reference_path() {
    let mut files = Vec::new();
    fit_files(&fixtures_dir(), &mut files);
    let fixtures = files.len();
    fit_files(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/broken/corpus"),
        &mut files,
    );
    let t = compare_files(files);
    report(&t, fixtures + 20);
    // Every activity fixture the Garmin SDK reads should take the fast path.
    assert!(t.fast * 10 >= t.files * 9, "{t:?}");
}

#[test]
fn cuts_and_flipped_bytes_agree_with_the_reference_path() {
    let mut t = Tally::default();
    for rel in [
        "fit/runpandas/run.fit",
        "fit/python-fitparse/garmin-fenix-5-run.fit",
        "fit/python-fitparse/compressed-speed-distance.fit",
    ] {
        let full = std::fs::read(fixtures_dir().join(rel)).expect("fixture");
        let step = full.len() / 80 + 1;
        for cut in (1..full.len()).step_by(step) {
            compare(&mut t, &format!("{rel} cut at {cut}"), &full[..cut]);
        }
        for i in (0..full.len()).step_by(step) {
            for mask in [0xA5u8, 0x40, 0x80] {
                let mut b = full.clone();
                b[i] ^= mask;
                compare(&mut t, &format!("{rel} byte {i} ^ {mask:#04x}"), &b);
            }
        }
    }
    report(&t, 500);
}

#[test]
#[ignore = "minutes: thousands of files decoded twice in a debug build"]
fn fuzz_corpus_agrees_with_the_reference_path() {
    let mut files = Vec::new();
    for dir in ["fit", "fit-small"] {
        fit_files_any(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../fuzz/corpus")
                .join(dir),
            &mut files,
        );
    }
    let t = compare_files(files);
    report(&t, 1);
}

/// Every file in `dir` (the fuzz corpora name files by hash, without an extension).
fn fit_files_any(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    out.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_file()));
}

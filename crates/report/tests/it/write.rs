//! `write_report`: the files it promises, and what a failure leaves behind.

use std::fs;
use std::path::Path;

use hrdrift_report::{ChartKind, ReportError, ReportInput, write_report};

use crate::{decode_png, synthetic};

fn pngs_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(pngs_under(&p));
            } else if p.extension().is_some_and(|x| x == "png") {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn writes_the_page_the_summary_and_eight_charts_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report/nested");
    let files = write_report(&synthetic::athlete(), &out).unwrap();
    assert_eq!(files.index_html, out.join("index.html"));
    assert_eq!(files.summary_md, out.join("summary.md"));
    assert_eq!(files.charts.len(), 9);
    assert_eq!(files.charts.len(), ChartKind::ALL.len());
    for (kind, path) in &files.charts {
        assert_eq!(path, &out.join(kind.file_name()));
        let img = decode_png(&fs::read(path).unwrap());
        assert_eq!((img.width, img.height), (1200, 600));
        assert!(img.variance() > 100.0, "{kind:?}");
    }
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = ChartKind::ALL
        .iter()
        .map(|k| k.file_name().to_owned())
        .chain(["index.html".to_owned(), "summary.md".to_owned()])
        .collect();
    expected.sort();
    assert_eq!(
        names, expected,
        "no staging directory or temp file is left behind"
    );
}

#[test]
fn rewriting_replaces_files_and_keeps_others() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("summary.json"), "{}").unwrap();
    let input = synthetic::athlete();
    write_report(&ReportInput::empty(input.generated), tmp.path()).unwrap();
    let before = fs::read(tmp.path().join("easy-elevation.png")).unwrap();
    write_report(&input, tmp.path()).unwrap();
    let after = fs::read(tmp.path().join("easy-elevation.png")).unwrap();
    assert_ne!(before, after);
    assert_eq!(
        fs::read_to_string(tmp.path().join("summary.json")).unwrap(),
        "{}"
    );
}

#[test]
fn an_out_dir_that_is_a_file_is_an_error_naming_it_and_writes_no_png() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-dir");
    fs::write(&file, "x").unwrap();
    for out in [file.clone(), file.join("below")] {
        let err = write_report(&synthetic::athlete(), &out).unwrap_err();
        assert!(matches!(err, ReportError::Io { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(&*file.to_string_lossy()), "{msg}");
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    assert!(
        pngs_under(tmp.path()).is_empty(),
        "{:?}",
        pngs_under(tmp.path())
    );
}

#[test]
fn a_failed_rename_names_the_path_and_leaves_no_blank_or_partial_file() {
    let tmp = tempfile::tempdir().unwrap();
    // A directory where the last chart should go makes its rename fail.
    let last = ChartKind::ALL[ChartKind::ALL.len() - 1];
    let blocker = tmp.path().join(last.file_name());
    fs::create_dir(&blocker).unwrap();
    fs::write(blocker.join("keep"), "x").unwrap();
    let err = write_report(&synthetic::athlete(), tmp.path()).unwrap_err();
    assert!(
        err.to_string().contains(&*blocker.to_string_lossy()),
        "{err}"
    );
    // The page that would refer to the missing chart was not put in place, no staging
    // directory is left, and every PNG that is there is a finished, non-blank chart.
    assert!(!tmp.path().join("index.html").exists());
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    for png in pngs_under(tmp.path()) {
        let img = decode_png(&fs::read(&png).unwrap());
        assert!(img.variance() > 100.0, "{}", png.display());
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_out_dir_is_an_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ro");
    fs::create_dir(&out).unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o555)).unwrap();
    // root ignores permissions: then the write simply succeeds, which is fine too.
    let result = write_report(&synthetic::athlete(), &out);
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
    if let Err(err) = result {
        assert!(err.to_string().contains(&*out.to_string_lossy()), "{err}");
        assert!(pngs_under(&out).is_empty());
    }
}

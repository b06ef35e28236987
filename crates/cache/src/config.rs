//! The athlete's config file, `hrdrift.toml` in the store: the settings of METRICS.md that the
//! user has chosen, as flat `key = value` lines with the JSON names of [`AthleteSettings`].
//! Anything it leaves out takes its default or is estimated from the data.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use hrdrift_analytics::AthleteSettings;
use toml_edit::{DocumentMut, Item, Value};

pub const FILE: &str = "hrdrift.toml";

const HEADER: &str =
    "# hrdrift athlete settings (METRICS.md). Edit with `hrdrift athlete set KEY=VALUE`.\n";

#[must_use]
pub fn path(store_dir: &Path) -> PathBuf {
    store_dir.join(FILE)
}

/// The configured settings (defaults where the file is absent).
///
/// # Errors
/// The file is unreadable, is not TOML, names an unknown setting, or gives a value outside its
/// range; the message names the file and the setting.
pub fn load(store_dir: &Path) -> anyhow::Result<AthleteSettings> {
    let p = path(store_dir);
    let text = match fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(AthleteSettings::default());
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", p.display())),
    };
    parse(&text).with_context(|| format!("{}", p.display()))
}

fn parse(text: &str) -> anyhow::Result<AthleteSettings> {
    let s: AthleteSettings = toml::from_str(text)?;
    if !s.estimated.names().is_empty() {
        bail!("`estimated` is set by hrdrift, not by the config file; remove it");
    }
    s.validate()?;
    Ok(s)
}

/// Sets (`Some`) or removes (`None`) settings, keeping the rest of the file (comments too), and
/// writes it only if the result is a valid config. Returns the new settings.
///
/// # Errors
/// An unknown key, a value of the wrong type or out of range, or a failed write.
pub fn edit(
    store_dir: &Path,
    changes: &[(String, Option<String>)],
) -> anyhow::Result<AthleteSettings> {
    let p = path(store_dir);
    let (text, header) = match fs::read_to_string(&p) {
        Ok(t) => (t, ""),
        // toml_edit keeps a comment only as the decoration of an item, so a new file's header
        // is written above the items rather than parsed.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), HEADER),
        Err(e) => return Err(e).with_context(|| format!("reading {}", p.display())),
    };
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", p.display()))?;
    for (key, value) in changes {
        match value {
            Some(v) => {
                doc[key.as_str()] = Item::Value(value_of(v));
            }
            None => {
                doc.remove(key);
            }
        }
    }
    let new_text = format!("{header}{doc}");
    let settings = parse(&new_text).context("the change was not saved")?;
    fs::create_dir_all(store_dir).with_context(|| format!("creating {}", store_dir.display()))?;
    let tmp = store_dir.join(format!(".{FILE}.tmp"));
    fs::write(&tmp, new_text.as_bytes()).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, &p).with_context(|| format!("writing {}", p.display()))?;
    Ok(settings)
}

/// A command-line value as TOML: a number, a boolean, an array (`[0.6, 0.7, 0.8, 0.9]`), else
/// a string (`female`, `karvonen`).
fn value_of(v: &str) -> Value {
    let v = v.trim();
    if let Ok(i) = v.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(f) = v.parse::<f64>() {
        return Value::from(f);
    }
    match v {
        "true" => return Value::from(true),
        "false" => return Value::from(false),
        _ => {}
    }
    if v.starts_with('[')
        && let Ok(doc) = format!("x = {v}").parse::<DocumentMut>()
        && let Some(val) = doc.get("x").and_then(Item::as_value)
    {
        return val.clone();
    }
    Value::from(v)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn edit_keeps_comments_and_validates() {
        let dir = tempfile::tempdir().unwrap();
        let s = edit(
            dir.path(),
            &[
                ("hr_max".into(), Some("188".into())),
                ("sex".into(), Some("female".into())),
            ],
        )
        .unwrap();
        assert_eq!(s.hr_max, Some(188.0));
        let text = fs::read_to_string(path(dir.path())).unwrap();
        assert!(text.starts_with("# hrdrift athlete settings"), "{text}");
        assert_eq!(load(dir.path()).unwrap(), s);

        let err = edit(dir.path(), &[("hr_maxx".into(), Some("1".into()))]).unwrap_err();
        assert!(format!("{err:#}").contains("hr_maxx"), "{err:#}");
        let err = edit(dir.path(), &[("hr_max".into(), Some("900".into()))]).unwrap_err();
        assert!(format!("{err:#}").contains("hr_max"), "{err:#}");
        // Nothing invalid was written.
        assert_eq!(load(dir.path()).unwrap(), s);

        let s = edit(dir.path(), &[("hr_max".into(), None)]).unwrap();
        assert_eq!(s.hr_max, None);
        let s = edit(
            dir.path(),
            &[(
                "lthr_zone_bounds".into(),
                Some("[0.8, 0.9, 0.95, 1.0]".into()),
            )],
        )
        .unwrap();
        assert_eq!(s.lthr_zone_bounds, [0.8, 0.9, 0.95, 1.0]);
    }

    #[test]
    fn broken_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(path(dir.path()), "hr_max = \"high\"\n").unwrap();
        let err = load(dir.path()).unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("hrdrift.toml") && msg.contains("hr_max"),
            "{msg}"
        );
    }
}

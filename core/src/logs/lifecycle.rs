//! The log lifecycle as the manuals run it with `find`: compress `*.log` files after N days
//! (`find logs/ -name "*.log" -mtime +7 -exec gzip {} \;`), delete compressed ones after M
//! (`find logs/ -name "*.log.gz" -mtime +30 -delete`), optionally delete any log after K
//! days, and move logs into warm/cold tiers. First a plan (nothing touched), then, as a
//! separate explicit call, acting on it.
//!
//! Ages are find's: whole days since the last modification, rounded down; `-mtime +N`
//! matches files more than N such days old.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::error::{Error, Result};

/// A tier: logs at least `after_days` old move into `dir`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub name: String,
    pub after_days: u32,
    pub dir: PathBuf,
}

/// The rules (days as `find -mtime +N` reads them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// gzip `*.log` (and rotated `*.log.N`) files older than this.
    pub compress_after: Option<u32>,
    /// Delete compressed logs older than this.
    pub delete_compressed_after: Option<u32>,
    /// Delete any log older than this.
    pub delete_after: Option<u32>,
    /// Move logs into tiers (the oldest tier a file qualifies for wins).
    pub tiers: Vec<Tier>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesSpec {
    compress_after: Option<u32>,
    delete_compressed_after: Option<u32>,
    delete_after: Option<u32>,
    #[serde(default)]
    tiers: Vec<TierSpec>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TierSpec {
    name: String,
    after_days: u32,
    dir: PathBuf,
}

impl Rules {
    /// From `{"compress_after": 7, "delete_compressed_after": 30, "delete_after": 90,
    /// "tiers": [{"name": "cold", "after_days": 30, "dir": "/archive"}]}` (all optional);
    /// errors name `at.key`.
    pub fn from_value(v: &Value, at: &str) -> Result<Rules> {
        let spec: RulesSpec = crate::error::deserialize_at(v, at)?;
        for (i, t) in spec.tiers.iter().enumerate() {
            if t.name.trim().is_empty() || t.dir.as_os_str().is_empty() {
                return Err(Error::invalid_value(
                    &format!("{at}.tiers[{i}]"),
                    &t.name,
                    "a tier needs a name and a dir",
                ));
            }
        }
        Ok(Rules {
            compress_after: spec.compress_after,
            delete_compressed_after: spec.delete_compressed_after,
            delete_after: spec.delete_after,
            tiers: spec
                .tiers
                .into_iter()
                .map(|t| Tier { name: t.name, after_days: t.after_days, dir: t.dir })
                .collect(),
        })
    }
}

/// What to do with a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Compress,
    Move(PathBuf),
    Delete,
}

/// One file of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub path: PathBuf,
    /// Whole days since the last modification.
    pub days_old: i64,
    pub size: u64,
    pub action: Action,
    /// The rule that chose the action, as find would be written.
    pub reason: String,
}

fn is_log(name: &str) -> bool {
    // app.log, app.log.1, app-2024-05-01.log
    name.ends_with(".log")
        || name.rsplit_once(".log.").is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_compressed(name: &str) -> bool {
    name.ends_with(".gz") && is_log(name.trim_end_matches(".gz"))
}

/// find's `-mtime` age in whole days.
pub fn days_old(modified_ms: i64, now_ms: i64) -> i64 {
    (now_ms - modified_ms).div_euclid(86_400_000)
}

fn walk(dir: &Path, skip: &[PathBuf], out: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::Io { path: dir.display().to_string(), reason: e.to_string() })?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::Io { path: dir.display().to_string(), reason: e.to_string() })?;
        let path = entry.path();
        let kind =
            entry.file_type().map_err(|e| Error::Io { path: path.display().to_string(), reason: e.to_string() })?;
        if kind.is_dir() {
            if !skip.iter().any(|s| s == &path) {
                walk(&path, skip, out)?;
            }
        } else if kind.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// The plan for the logs under `dir` at `now_ms` (files in order of path). Nothing is
/// touched.
pub fn plan(dir: &Path, rules: &Rules, now_ms: i64) -> Result<Vec<Planned>> {
    let tier_dirs: Vec<PathBuf> = rules.tiers.iter().map(|t| t.dir.clone()).collect();
    let mut files = Vec::new();
    walk(dir, &tier_dirs, &mut files)?;
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let (log, compressed) = (is_log(name), is_compressed(name));
        if !log && !compressed {
            continue;
        }
        let meta = std::fs::metadata(&path)
            .map_err(|e| Error::Io { path: path.display().to_string(), reason: e.to_string() })?;
        let modified =
            meta.modified().map_err(|e| Error::Io { path: path.display().to_string(), reason: e.to_string() })?;
        let modified_ms = match modified.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_millis() as i64,
            Err(e) => -(e.duration().as_millis() as i64),
        };
        let age = days_old(modified_ms, now_ms);
        let older = |n: Option<u32>| n.is_some_and(|n| age > i64::from(n));
        let tier = rules.tiers.iter().filter(|t| age > i64::from(t.after_days)).max_by_key(|t| t.after_days);
        let (action, reason) = if older(rules.delete_after) {
            (Action::Delete, format!("-mtime +{}", rules.delete_after.unwrap_or_default()))
        } else if compressed && older(rules.delete_compressed_after) {
            (Action::Delete, format!("-name '*.gz' -mtime +{}", rules.delete_compressed_after.unwrap_or_default()))
        } else if let Some(t) = tier {
            (
                Action::Move(t.dir.join(path.strip_prefix(dir).unwrap_or(&path))),
                format!("{} tier: -mtime +{}", t.name, t.after_days),
            )
        } else if log && older(rules.compress_after) {
            (Action::Compress, format!("-name '*.log' -mtime +{}", rules.compress_after.unwrap_or_default()))
        } else {
            continue;
        };
        out.push(Planned { path, days_old: age, size: meta.len(), action, reason });
    }
    Ok(out)
}

/// What acting on one planned file did.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub planned: Planned,
    /// The error, when the action failed (the others still run).
    pub error: Option<String>,
}

impl Done {
    /// The planned action's JSON with `done` (true when it was carried out) and `error`.
    pub fn to_json(&self) -> Value {
        let mut v = self.planned.to_json();
        v["done"] = Value::Bool(self.error.is_none());
        v["error"] = self.error.clone().map_or(Value::Null, Value::String);
        v
    }
}

fn io(path: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", path.display())
}

/// gzip `path` into `path.gz` (keeping its modification time), then remove it. An existing
/// `.gz` is never overwritten.
fn compress(path: &Path) -> std::result::Result<(), String> {
    let mut target = path.as_os_str().to_owned();
    target.push(".gz");
    let target = PathBuf::from(target);
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).map_err(|e| io(path, e))?;
    let mut input = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let output = std::fs::OpenOptions::new().write(true).create_new(true).open(&target).map_err(|e| io(&target, e))?;
    let mut encoder = flate2::write::GzEncoder::new(output, flate2::Compression::default());
    let written = std::io::copy(&mut input, &mut encoder).and_then(|_| encoder.finish()).and_then(|f| {
        f.sync_all()?;
        f.set_modified(modified)
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&target);
        return Err(io(&target, e));
    }
    std::fs::remove_file(path).map_err(|e| io(path, e))
}

fn move_file(from: &Path, to: &Path) -> std::result::Result<(), String> {
    if to.exists() {
        return Err(format!("{}: exists; not overwritten", to.display()));
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    }
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    // Another file system: copy (keeping the time), then remove.
    let modified = std::fs::metadata(from).and_then(|m| m.modified()).map_err(|e| io(from, e))?;
    std::fs::copy(from, to).map_err(|e| io(to, e))?;
    std::fs::File::options().write(true).open(to).and_then(|f| f.set_modified(modified)).map_err(|e| io(to, e))?;
    std::fs::remove_file(from).map_err(|e| io(from, e))
}

/// Carries out a plan. Each file is checked again before it is touched: a file that changed
/// since the plan (size or gone) is left alone with an error saying so.
pub fn apply(plan: &[Planned]) -> Vec<Done> {
    plan.iter()
        .map(|p| {
            let still = std::fs::metadata(&p.path).map(|m| m.len() == p.size).unwrap_or(false);
            let result = if !still {
                Err(format!("{}: changed since the plan; left alone", p.path.display()))
            } else {
                match &p.action {
                    Action::Compress => compress(&p.path),
                    Action::Move(to) => move_file(&p.path, to),
                    Action::Delete => std::fs::remove_file(&p.path).map_err(|e| io(&p.path, e)),
                }
            };
            Done { planned: p.clone(), error: result.err() }
        })
        .collect()
}

impl Planned {
    pub fn to_json(&self) -> Value {
        let (action, to) = match &self.action {
            Action::Compress => ("compress", None),
            Action::Move(to) => ("move", Some(to.display().to_string())),
            Action::Delete => ("delete", None),
        };
        json!({"path": self.path.display().to_string(), "days_old": self.days_old, "size": self.size,
               "action": action, "to": to, "reason": self.reason})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ages() {
        assert!(is_log("app.log") && is_log("app.log.3") && !is_log("app.log.gz") && !is_log("notes.txt"));
        assert!(is_compressed("app.log.gz") && is_compressed("app.log.2.gz") && !is_compressed("db.sql.gz"));
        // find -mtime: 7 days and 23 hours old is 7 whole days.
        assert_eq!(days_old(0, 7 * 86_400_000 + 23 * 3_600_000), 7);
        assert_eq!(days_old(0, 8 * 86_400_000), 8);
    }
}

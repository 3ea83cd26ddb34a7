//! Backup freshness for the Runner: the newest backup in a directory (its entries are the
//! backups: dated directories or dump files) is younger than the recovery point objective,
//! and, optionally, it verifies — against its `backup_manifest`, or the `*.sha256`
//! checksum files the manuals write next to their dumps.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::check::Measurement;
use crate::probe::probe_error;
use crate::runner::{Probe, ProbeFuture, Reading};

#[derive(Debug, Clone)]
pub struct BackupProbe {
    /// The directory whose entries are the backups.
    pub dir: PathBuf,
    /// Verify the newest backup too.
    pub verify: bool,
    /// Only entries whose names match count as backups (`20*`, `db_backup_*.sql.gz`), for a
    /// directory that holds other things too.
    pub pattern: Option<glob::Pattern>,
}

impl Probe for BackupProbe {
    fn kind(&self) -> &'static str {
        "backup"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        let probe = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || probe.read()).await.map_err(|e| probe_error("backup", e))?
        })
    }
}

fn checksum_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "sha256" || e == "sha512")
                || p.file_name().is_some_and(|n| n == "SHA256SUMS")
        })
        .collect();
    out.sort();
    out
}

impl BackupProbe {
    fn read(&self) -> crate::error::Result<Reading> {
        let io = |e: std::io::Error| probe_error("backup", format!("{}: {e}", self.dir.display()));
        let mut newest: Option<(SystemTime, PathBuf)> = None;
        for entry in std::fs::read_dir(&self.dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let path = entry.path();
            // Checksum and metadata files describe a backup; they are not one.
            if path.extension().is_some_and(|e| e == "sha256" || e == "sha512" || e == "log")
                || path.file_name().is_some_and(|n| n == "metadata.json")
            {
                continue;
            }
            if let Some(p) = &self.pattern
                && !p.matches(&entry.file_name().to_string_lossy())
            {
                continue;
            }
            let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else { continue };
            if newest.as_ref().is_none_or(|(t, _)| modified > *t) {
                newest = Some((modified, path));
            }
        }
        let Some((modified, path)) = newest else {
            return Err(probe_error("backup", format!("no backup in {}", self.dir.display())));
        };
        let age = SystemTime::now().duration_since(modified).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        let size = du(&path);
        let mut measurements =
            vec![Measurement::new("age", age)?.with_unit("s"), Measurement::new("size", size as f64)?.with_unit("B")];
        let mut summary = format!(
            "newest {} is {} old",
            path.display(),
            crate::duration::format_duration(std::time::Duration::from_secs(age as u64))
        );
        if self.verify {
            let problems = self.verify_one(&path)?;
            measurements.push(Measurement::new("problems", problems.len() as f64)?);
            if let Some(first) = problems.first() {
                summary.push_str(&format!(", {} problems (first: {first})", problems.len()));
            } else {
                summary.push_str(", verified");
            }
        }
        let mut reading = Reading::new(measurements);
        reading.summary = Some(summary);
        Ok(reading)
    }

    /// The problems of one backup: its backup_manifest, or its checksum files.
    fn verify_one(&self, path: &Path) -> crate::error::Result<Vec<String>> {
        use crate::backup::sums::{parse_sums, verify_sums};
        let (base, sums) = if path.is_dir() {
            if path.join("backup_manifest").exists() {
                let v = crate::backup::verify(path, &crate::backup::VerifyOptions::default(), None);
                return Ok(v.problems.into_iter().map(|p| p.message).collect());
            }
            (path.to_path_buf(), checksum_files(path))
        } else {
            let sibling = PathBuf::from(format!("{}.sha256", path.display()));
            (self.dir.clone(), if sibling.exists() { vec![sibling] } else { Vec::new() })
        };
        if sums.is_empty() {
            return Ok(vec![format!("{}: no backup_manifest or checksum file to verify against", path.display())]);
        }
        let mut problems = Vec::new();
        for file in sums {
            let text = std::fs::read(&file).map_err(|e| probe_error("backup", format!("{}: {e}", file.display())))?;
            let lines = parse_sums(&text)?;
            problems.extend(verify_sums(&lines, &base).problems.into_iter().map(|p| p.message));
        }
        Ok(problems)
    }
}

/// Bytes in a file or a tree (apparent sizes).
fn du(path: &Path) -> u64 {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| du(&e.path())).sum(),
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

//! File freshness: the newest file matching a glob (a backup, a dump), its age and size.

use std::time::SystemTime;

use crate::check::Measurement;
use crate::probe::probe_error;
use crate::runner::{Probe, ProbeFuture, Reading};

/// Finds the newest regular file matching `pattern` (`/backups/db_*.sql.gz`). No match is
/// a failed probe: the backup the check looks for does not exist.
#[derive(Debug, Clone)]
pub struct FileFreshnessProbe {
    pub pattern: String,
}

impl Probe for FileFreshnessProbe {
    fn kind(&self) -> &'static str {
        "file"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        let pattern = self.pattern.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || newest(&pattern)).await.map_err(|e| probe_error("file", e))?
        })
    }
}

fn newest(pattern: &str) -> crate::error::Result<Reading> {
    let paths = glob::glob(pattern).map_err(|e| crate::error::Error::InvalidValue {
        field: "pattern".into(),
        value: pattern.into(),
        reason: e.to_string(),
    })?;
    let mut best: Option<(SystemTime, u64, std::path::PathBuf)> = None;
    for path in paths.flatten() {
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if !meta.is_file() {
            continue;
        }
        let Ok(modified) = meta.modified() else { continue };
        if best.as_ref().is_none_or(|(t, _, _)| modified > *t) {
            best = Some((modified, meta.len(), path));
        }
    }
    let Some((modified, size, path)) = best else {
        return Err(probe_error("file", format!("no file matches {pattern}")));
    };
    // A file from the future (clock skew) counts as brand new, not as negative age.
    let age = SystemTime::now().duration_since(modified).map(|d| d.as_secs_f64()).unwrap_or(0.0);
    let mut reading = Reading::new(vec![
        Measurement::new("age", age)?.with_unit("s"),
        Measurement::new("size", size as f64)?.with_unit("B"),
    ]);
    reading.summary = Some(format!(
        "newest {} is {} old, {size} bytes",
        path.display(),
        crate::duration::format_duration(std::time::Duration::from_secs(age as u64))
    ));
    Ok(reading)
}

//! Processes by name or pid file: whether they run, how many, their CPU and memory.

use std::path::PathBuf;

use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, RefreshKind, System, UpdateKind};

use crate::check::Measurement;
use crate::probe::probe_error;
use crate::runner::{Probe, ProbeFuture, Reading};
use crate::threshold::{Range, Threshold};

/// Which processes to look at.
#[derive(Debug, Clone)]
pub enum ProcessSelector {
    /// Processes whose name (or executable's file name) is exactly this (`nginx`, `postgres`).
    Name(String),
    /// The process whose pid a pid file holds (`/run/nginx.pid`).
    PidFile(PathBuf),
}

/// `count` (CRITICAL when 0 unless the check says otherwise), `cpu` (% of one CPU, summed),
/// `rss` (bytes, summed). CPU is sampled over sysinfo's minimum interval (200 ms).
#[derive(Debug, Clone)]
pub struct ProcessProbe {
    pub selector: ProcessSelector,
}

fn matches(process: &sysinfo::Process, name: &str) -> bool {
    process.name() == name || process.exe().and_then(|e| e.file_name()).is_some_and(|f| f == name)
}

impl Probe for ProcessProbe {
    fn kind(&self) -> &'static str {
        "process"
    }
    fn component_type(&self) -> &'static str {
        "system"
    }
    fn default_thresholds(&self) -> std::collections::BTreeMap<String, Threshold> {
        [("count".to_owned(), Threshold::new(None, Range::parse("crit", "1:").ok()))].into()
    }
    fn measure(&self) -> ProbeFuture<'_> {
        let selector = self.selector.clone();
        Box::pin(async move {
            let wanted: Option<Pid> = match &selector {
                ProcessSelector::Name(_) => None,
                ProcessSelector::PidFile(path) => {
                    let path = path.clone();
                    let text = tokio::fs::read_to_string(&path)
                        .await
                        .map_err(|e| probe_error("process", format!("pid file {}: {e}", path.display())))?;
                    let pid: usize = text.trim().parse().map_err(|_| {
                        probe_error(
                            "process",
                            format!("pid file {} holds {:?}, not a pid", path.display(), text.trim()),
                        )
                    })?;
                    Some(Pid::from(pid))
                }
            };
            let kind = ProcessRefreshKind::nothing().with_cpu().with_memory().with_exe(UpdateKind::OnlyIfNotSet);
            let mut sys = System::new_with_specifics(RefreshKind::nothing().with_processes(kind))
                .map_err(|e| probe_error("process", e))?;
            tokio::time::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL).await;
            sys.refresh_processes_specifics(ProcessesToUpdate::All, true, kind);
            let selected: Vec<&sysinfo::Process> = match (&selector, wanted) {
                (_, Some(pid)) => sys.process(pid).into_iter().collect(),
                (ProcessSelector::Name(name), None) => sys.processes().values().filter(|p| matches(p, name)).collect(),
                (ProcessSelector::PidFile(_), None) => Vec::new(),
            };
            let count = selected.len() as f64;
            let cpu: f64 = selected.iter().map(|p| f64::from(p.cpu_usage())).sum();
            let rss: f64 = selected.iter().map(|p| p.memory() as f64).sum();
            let what = match &selector {
                ProcessSelector::Name(name) => name.clone(),
                ProcessSelector::PidFile(path) => format!("pid file {}", path.display()),
            };
            let mut reading = Reading::new(vec![
                Measurement::new("count", count)?,
                Measurement::new("cpu", (cpu * 100.0).round() / 100.0)?.with_unit("%"),
                Measurement::new("rss", rss)?.with_unit("B"),
            ]);
            reading.summary =
                Some(if count == 0.0 { format!("{what}: not running") } else { format!("{what}: {count} running") });
            Ok(reading)
        })
    }
}

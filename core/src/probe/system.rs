//! This host: CPU, memory, swap, load average and every mounted disk.
//!
//! Default thresholds are the engineering-learning platform manual's (CPU warn > 70 %,
//! crit > 90 %; memory > 80 % / > 95 %; disk > 80 % / > 90 %). Load and swap have no
//! threshold in any manual and are reported for information.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use sysinfo::{CpuRefreshKind, Disks, MemoryRefreshKind, RefreshKind, System};

use crate::check::{CheckResult, Measurement};
use crate::error::{Error, Result};
use crate::status::Status;
use crate::threshold::{Threshold, ThresholdForm};

/// Thresholds of the system checks.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemThresholds {
    pub cpu_percent: Threshold,
    pub memory_percent: Threshold,
    pub swap_percent: Threshold,
    pub disk_percent: Threshold,
    /// Load average (1 minute) divided by the number of CPUs.
    pub load_per_cpu: Threshold,
}

impl Default for SystemThresholds {
    fn default() -> Self {
        let above = |warn: f64, crit: f64| Threshold {
            warn: ThresholdForm::Above(warn).to_range("warn").ok(),
            crit: ThresholdForm::Above(crit).to_range("crit").ok(),
        };
        SystemThresholds {
            cpu_percent: above(70.0, 90.0),
            memory_percent: above(80.0, 95.0),
            swap_percent: Threshold::default(),
            disk_percent: above(80.0, 90.0),
            load_per_cpu: Threshold::default(),
        }
    }
}

/// Probes the host and returns one result per check: `cpu`, `memory`, `swap`, `load`, `disk`.
/// CPU usage is sampled over `cpu_sample` (at least sysinfo's 200 ms minimum).
pub fn probe_system(thresholds: &SystemThresholds, cpu_sample: Duration) -> Vec<CheckResult> {
    vec![
        timed("cpu", || probe_cpu(thresholds, cpu_sample)),
        timed("memory", || probe_memory(thresholds)),
        timed("load", || probe_load(thresholds)),
        timed("disk", || probe_disks(thresholds)),
    ]
    .into_iter()
    .flat_map(|r| r.into_iter())
    .collect()
}

/// Runs a probe, stamps its results with time and duration, and turns a failure into a
/// CRITICAL result that carries the error (the probe failing is itself a finding).
fn timed(name: &str, probe: impl FnOnce() -> Result<Vec<CheckResult>>) -> Vec<CheckResult> {
    let time = Timestamp::now();
    let started = Instant::now();
    let outcome = probe();
    let duration = started.elapsed();
    let mut results = match outcome {
        Ok(results) => results,
        Err(e) => {
            let mut failed = CheckResult::new(name, Status::Critical, e.to_string())
                .expect("probe names are not empty");
            failed.error = Some(e.to_string());
            vec![failed]
        }
    };
    for r in &mut results {
        r.time = Some(time);
        r.duration = Some(duration);
        r.component_type = Some("system".to_owned());
    }
    results
}

fn probe_error(probe: &str, e: impl std::fmt::Display) -> Error {
    Error::Probe { probe: probe.to_owned(), reason: e.to_string() }
}

/// A percentage measurement. Readings are rounded to 0.01 %: finer digits are noise
/// between two samples and only make summaries and perfdata harder to read.
fn percent(name: &str, value: f64, t: &Threshold) -> Result<Measurement> {
    let value = (value * 100.0).round() / 100.0;
    Ok(Measurement::new(name, value)?
        .with_unit("%")
        .with_thresholds(t.warn, t.crit)
        .with_bounds(Some(0.0), Some(100.0)))
}

fn probe_cpu(t: &SystemThresholds, sample: Duration) -> Result<Vec<CheckResult>> {
    let kind = RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing().with_usage());
    let mut sys = System::new_with_specifics(kind).map_err(|e| probe_error("cpu", e))?;
    sys.refresh_cpu_usage();
    std::thread::sleep(sample.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL));
    sys.refresh_cpu_usage();
    let usage = f64::from(sys.global_cpu_usage());
    let m = percent("usage", usage, &t.cpu_percent)?;
    Ok(vec![CheckResult::from_measurements("cpu", vec![m])?])
}

fn probe_memory(t: &SystemThresholds) -> Result<Vec<CheckResult>> {
    let kind = RefreshKind::nothing().with_memory(MemoryRefreshKind::everything());
    let sys = System::new_with_specifics(kind).map_err(|e| probe_error("memory", e))?;
    let total = sys.total_memory();
    if total == 0 {
        return Err(probe_error("memory", "the system reports no memory"));
    }
    // As `free` and psutil count it: what is not available is used.
    let used = total.saturating_sub(sys.available_memory());
    let mem = percent("used", used as f64 * 100.0 / total as f64, &t.memory_percent)?;
    let mut results = vec![CheckResult::from_measurements("memory", vec![mem])?];
    let swap_total = sys.total_swap();
    let swap_used = if swap_total == 0 { 0.0 } else { sys.used_swap() as f64 * 100.0 / swap_total as f64 };
    let swap = percent("used", swap_used, &t.swap_percent)?;
    let mut swap_result = CheckResult::from_measurements("swap", vec![swap])?;
    if swap_total == 0 {
        swap_result.summary = "no swap configured".to_owned();
    }
    results.push(swap_result);
    Ok(results)
}

fn probe_load(t: &SystemThresholds) -> Result<Vec<CheckResult>> {
    let load = System::load_average().map_err(|e| probe_error("load", e))?;
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    let ms = vec![
        Measurement::new("load1", load.one)?,
        Measurement::new("load5", load.five)?,
        Measurement::new("load15", load.fifteen)?,
        Measurement::new("load1_per_cpu", load.one / cpus)?
            .with_thresholds(t.load_per_cpu.warn, t.load_per_cpu.crit),
    ];
    Ok(vec![CheckResult::from_measurements("load", ms)?])
}

/// Usage of one mounted filesystem, counted as `df` counts it: used = blocks - free,
/// usage % = used / (used + available to unprivileged users).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiskUsage {
    pub total_bytes: u64,
    pub used_bytes: u64,
    pub available_bytes: u64,
    pub used_percent: f64,
}

/// `statvfs` of one mount point.
pub fn disk_usage(mount: &Path) -> Result<DiskUsage> {
    let st = rustix::fs::statvfs(mount).map_err(|e| Error::Io {
        path: mount.display().to_string(),
        reason: e.to_string(),
    })?;
    let unit = st.f_frsize;
    let total = st.f_blocks.saturating_mul(unit);
    let used = st.f_blocks.saturating_sub(st.f_bfree).saturating_mul(unit);
    let available = st.f_bavail.saturating_mul(unit);
    let denominator = used + available;
    let used_percent = if denominator == 0 { 0.0 } else { used as f64 * 100.0 / denominator as f64 };
    Ok(DiskUsage { total_bytes: total, used_bytes: used, available_bytes: available, used_percent })
}

fn probe_disks(t: &SystemThresholds) -> Result<Vec<CheckResult>> {
    let disks = Disks::new_with_refreshed_list().map_err(|e| probe_error("disk", e))?;
    let mut seen = BTreeSet::new();
    let mut ms = Vec::new();
    for disk in disks.iter() {
        let mount = disk.mount_point().to_path_buf();
        if !seen.insert(mount.clone()) {
            continue;
        }
        let label = mount.display().to_string();
        let usage = disk_usage(&mount)?;
        if usage.total_bytes == 0 {
            continue; // empty pseudo mounts carry no capacity to watch
        }
        ms.push(percent("used", usage.used_percent, &t.disk_percent)?.with_label("mount", &label)?);
        ms.push(
            Measurement::new("free", usage.available_bytes as f64)?
                .with_unit("B")
                .with_bounds(Some(0.0), Some(usage.total_bytes as f64))
                .with_label("mount", &label)?,
        );
    }
    if ms.is_empty() {
        return Err(probe_error("disk", "no mounted filesystem found"));
    }
    Ok(vec![CheckResult::from_measurements("disk", ms)?])
}

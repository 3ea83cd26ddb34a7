//! This host: CPU, memory, swap, load average and every mounted disk.
//!
//! Default thresholds are the engineering-learning platform manual's (CPU warn > 70 %,
//! crit > 90 %; memory > 80 % / > 95 %; disk > 80 % / > 90 %). Load and swap have no
//! threshold in any manual and are reported for information.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sysinfo::{CpuRefreshKind, Disks, MemoryRefreshKind, RefreshKind, System};

use crate::check::{CheckResult, Measurement};
use crate::error::{Error, Result};
use crate::probe::cgroup::{CgroupRoot, MemoryLimit};
use crate::probe::probe_error;
use crate::runner::{CheckDefinition, Probe, ProbeFuture, Reading, Runner};
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

impl SystemThresholds {
    /// The measurement a host check's threshold applies to, and that threshold
    /// (`cpu` → `usage`, `memory`/`swap`/`disk` → `used`, `load` → `load1_per_cpu`).
    pub fn for_kind(&self, kind: &str) -> Option<(&'static str, Threshold)> {
        match kind {
            "cpu" => Some(("usage", self.cpu_percent)),
            "memory" => Some(("used", self.memory_percent)),
            "swap" => Some(("used", self.swap_percent)),
            "load" => Some(("load1_per_cpu", self.load_per_cpu)),
            "disk" => Some(("used", self.disk_percent)),
            _ => None,
        }
    }
}

/// The host checks `opsbook check` runs by default: `cpu`, `memory`, `swap`, `load`,
/// `disk` (every real mount), with the given thresholds. CPU usage is sampled over
/// `cpu_sample` (at least sysinfo's 200 ms minimum).
pub fn system_checks(thresholds: &SystemThresholds, cpu_sample: Duration) -> Vec<CheckDefinition> {
    let probes: [(&str, Arc<dyn Probe>); 5] = [
        ("cpu", Arc::new(CpuProbe { sample: cpu_sample })),
        ("memory", Arc::new(MemoryProbe)),
        ("swap", Arc::new(SwapProbe)),
        ("load", Arc::new(LoadProbe)),
        ("disk", Arc::new(DiskProbe::default())),
    ];
    probes
        .into_iter()
        .map(|(name, probe)| {
            let def = CheckDefinition::new(name, probe).expect("built-in check names are valid");
            match thresholds.for_kind(name) {
                Some((measurement, t)) => def.with_threshold(measurement, t),
                None => def,
            }
        })
        .collect()
}

/// A Runner of the [`system_checks`].
pub fn system_runner(thresholds: &SystemThresholds, cpu_sample: Duration) -> Runner {
    let mut runner = Runner::new();
    for check in system_checks(thresholds, cpu_sample) {
        runner.add(check).expect("built-in check names are unique");
    }
    runner
}

/// Probes the host with [`system_checks`] and returns one result per check, blocking the
/// calling thread (which must not be inside a Tokio runtime).
pub fn probe_system(thresholds: &SystemThresholds, cpu_sample: Duration) -> Vec<CheckResult> {
    system_runner(thresholds, cpu_sample).run_blocking(None).checks
}

/// Reads that finish at once (/proc files) run inline; a hung filesystem (a dead NFS
/// mount) would block `statvfs`, so disk reads go to the blocking pool.
async fn inline<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    f()
}

/// Runs blocking host reads off the async workers.
async fn blocking<T: Send + 'static>(probe: &str, f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| probe_error(probe, e))?
}

/// A percentage measurement. Readings are rounded to 0.01 %: finer digits are noise
/// between two samples and only make summaries and perfdata harder to read.
fn percent(name: &str, value: f64) -> Result<Measurement> {
    let value = (value * 100.0).round() / 100.0;
    Ok(Measurement::new(name, value)?.with_unit("%").with_bounds(Some(0.0), Some(100.0)))
}

/// CPU usage, sampled over an interval: of the host, or, in a container with a CPU quota,
/// of the container against its quota (1.5 CPUs busy under a 2-CPU quota is 75 %).
pub struct CpuProbe {
    pub sample: Duration,
}

impl CpuProbe {
    async fn cgroup_usage(sample: Duration, root: &CgroupRoot) -> Option<f64> {
        let cpus = root.cpu_quota()?;
        let before = root.cpu_usage_ns()?;
        let start = std::time::Instant::now();
        tokio::time::sleep(sample).await;
        let used = root.cpu_usage_ns()?.saturating_sub(before) as f64;
        let wall = start.elapsed().as_nanos() as f64;
        Some((used * 100.0 / (wall * cpus)).min(100.0))
    }
}

impl Probe for CpuProbe {
    fn kind(&self) -> &'static str {
        "cpu"
    }
    fn component_type(&self) -> &'static str {
        "system"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        let sample = self.sample.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
        Box::pin(async move {
            let root = CgroupRoot::default();
            if root.cpu_quota().is_some() {
                if let Some(usage) = CpuProbe::cgroup_usage(sample, &root).await {
                    let mut reading = Reading::new(vec![percent("usage", usage)?]);
                    reading.summary = Some(format!("usage {usage:.2}% of the container's CPU quota"));
                    return Ok(reading);
                }
            }
            let kind = RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing().with_usage());
            let mut sys = System::new_with_specifics(kind).map_err(|e| probe_error("cpu", e))?;
            sys.refresh_cpu_usage();
            tokio::time::sleep(sample).await;
            sys.refresh_cpu_usage();
            Ok(Reading::new(vec![percent("usage", f64::from(sys.global_cpu_usage()))?]))
        })
    }
}

/// Memory and swap totals in bytes.
struct MemoryInfo {
    total: u64,
    available: u64,
    swap_total: u64,
    swap_free: u64,
}

/// On Linux, /proc/meminfo as `free` and psutil read it (one small file); elsewhere sysinfo.
fn memory_info() -> Result<MemoryInfo> {
    #[cfg(target_os = "linux")]
    if let Ok(text) = std::fs::read_to_string("/proc/meminfo") {
        let field = |key: &str| -> Option<u64> {
            let line = text.lines().find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))?;
            let kb: u64 = line[key.len() + 1..].trim().trim_end_matches("kB").trim().parse().ok()?;
            Some(kb * 1024)
        };
        if let (Some(total), Some(available)) = (field("MemTotal"), field("MemAvailable")) {
            return Ok(MemoryInfo {
                total,
                available,
                swap_total: field("SwapTotal").unwrap_or(0),
                swap_free: field("SwapFree").unwrap_or(0),
            });
        }
    }
    let kind = RefreshKind::nothing().with_memory(MemoryRefreshKind::everything());
    let sys = System::new_with_specifics(kind).map_err(|e| probe_error("memory", e))?;
    Ok(MemoryInfo {
        total: sys.total_memory(),
        available: sys.available_memory(),
        swap_total: sys.total_swap(),
        swap_free: sys.free_swap(),
    })
}

/// The number of CPUs this process may use, read once (it costs several file reads).
fn cpu_count() -> f64 {
    static COUNT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *COUNT.get_or_init(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)) as f64
}

/// Memory in use, as `free` and psutil count it (what is not available is used); in a
/// container whose memory limit is below the host's memory, usage against that limit.
pub struct MemoryProbe;

/// Memory used against a cgroup limit, when the limit is what binds.
fn memory_against(info: &MemoryInfo, cgroup: Option<MemoryLimit>) -> Option<(f64, u64, u64)> {
    let limit = cgroup?;
    (limit.limit < info.total)
        .then(|| (limit.used as f64 * 100.0 / limit.limit as f64, limit.limit, limit.limit.saturating_sub(limit.used)))
}

impl Probe for MemoryProbe {
    fn kind(&self) -> &'static str {
        "memory"
    }
    fn component_type(&self) -> &'static str {
        "system"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(inline(|| {
            let info = memory_info()?;
            let total = info.total;
            if total == 0 {
                return Err(probe_error("memory", "the system reports no memory"));
            }
            if let Some((pct, limit, available)) = memory_against(&info, CgroupRoot::default().memory()) {
                let mut reading = Reading::new(vec![
                    percent("used", pct)?,
                    Measurement::new("available", available as f64)?
                        .with_unit("B")
                        .with_bounds(Some(0.0), Some(limit as f64)),
                ]);
                reading.summary = Some(format!("used {pct:.2}% of the container's {limit} B limit"));
                return Ok(reading);
            }
            let used = total.saturating_sub(info.available);
            Ok(Reading::new(vec![
                percent("used", used as f64 * 100.0 / total as f64)?,
                Measurement::new("available", info.available as f64)?
                    .with_unit("B")
                    .with_bounds(Some(0.0), Some(total as f64)),
            ]))
        }))
    }
}

/// Swap in use (0 % when there is no swap).
pub struct SwapProbe;

impl Probe for SwapProbe {
    fn kind(&self) -> &'static str {
        "swap"
    }
    fn component_type(&self) -> &'static str {
        "system"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(inline(|| {
            let info = memory_info()?;
            let total = info.swap_total;
            let used_bytes = total.saturating_sub(info.swap_free);
            let used = if total == 0 { 0.0 } else { used_bytes as f64 * 100.0 / total as f64 };
            let mut reading = Reading::new(vec![percent("used", used)?]);
            if total == 0 {
                reading.summary = Some("no swap configured".to_owned());
            }
            Ok(reading)
        }))
    }
}

/// Load average over 1, 5 and 15 minutes, and the 1-minute load per CPU.
pub struct LoadProbe;

impl Probe for LoadProbe {
    fn kind(&self) -> &'static str {
        "load"
    }
    fn component_type(&self) -> &'static str {
        "system"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(inline(|| {
            let load = System::load_average().map_err(|e| probe_error("load", e))?;
            let cpus = cpu_count();
            Ok(Reading::new(vec![
                Measurement::new("load1", load.one)?,
                Measurement::new("load5", load.five)?,
                Measurement::new("load15", load.fifteen)?,
                Measurement::new("load1_per_cpu", load.one / cpus)?,
                Measurement::new("uptime", System::uptime().map(|u| u as f64).unwrap_or(f64::NAN))?.with_unit("s"),
            ]))
        }))
    }
}

/// Usage of one mounted filesystem, counted as `df` counts it: used = blocks - free,
/// usage % = used / (used + available to unprivileged users).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiskUsage {
    pub total_bytes: u64,
    pub used_bytes: u64,
    pub available_bytes: u64,
    pub used_percent: f64,
    /// Inodes in use, in %, as `df -i` counts them; None where the filesystem has no
    /// fixed inode table (it reports 0 inodes).
    pub inodes_used_percent: Option<f64>,
}

/// `statvfs` of one mount point.
pub fn disk_usage(mount: &Path) -> Result<DiskUsage> {
    let st = rustix::fs::statvfs(mount)
        .map_err(|e| Error::Io { path: mount.display().to_string(), reason: e.to_string() })?;
    let unit = st.f_frsize;
    let total = st.f_blocks.saturating_mul(unit);
    let used = st.f_blocks.saturating_sub(st.f_bfree).saturating_mul(unit);
    let available = st.f_bavail.saturating_mul(unit);
    let denominator = used + available;
    let used_percent = if denominator == 0 { 0.0 } else { used as f64 * 100.0 / denominator as f64 };
    let inodes_used = st.f_files.saturating_sub(st.f_ffree);
    let inode_denominator = inodes_used + st.f_favail;
    let inodes_used_percent =
        (st.f_files > 0 && inode_denominator > 0).then(|| inodes_used as f64 * 100.0 / inode_denominator as f64);
    Ok(DiskUsage {
        total_bytes: total,
        used_bytes: used,
        available_bytes: available,
        used_percent,
        inodes_used_percent,
    })
}

/// Usage of mounted filesystems: every real mount (pseudo filesystems such as proc,
/// sysfs and tmpfs are skipped), or the chosen mount points.
#[derive(Debug, Clone, Default)]
pub struct DiskProbe {
    /// Only these mount points; empty means every real mount.
    pub mounts: Vec<std::path::PathBuf>,
}

impl Probe for DiskProbe {
    fn kind(&self) -> &'static str {
        "disk"
    }
    fn component_type(&self) -> &'static str {
        "system"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        let chosen = self.mounts.clone();
        Box::pin(blocking("disk", move || {
            let mounts: Vec<std::path::PathBuf> = if chosen.is_empty() {
                let disks = Disks::new_with_refreshed_list().map_err(|e| probe_error("disk", e))?;
                let mut seen = BTreeSet::new();
                disks.iter().map(|d| d.mount_point().to_path_buf()).filter(|m| seen.insert(m.clone())).collect()
            } else {
                chosen
            };
            let mut ms = Vec::new();
            for mount in mounts {
                let label = mount.display().to_string();
                let usage = disk_usage(&mount)?;
                if usage.total_bytes == 0 {
                    continue; // empty pseudo mounts carry no capacity to watch
                }
                ms.push(percent("used", usage.used_percent)?.with_label("mount", &label)?);
                ms.push(
                    Measurement::new("free", usage.available_bytes as f64)?
                        .with_unit("B")
                        .with_bounds(Some(0.0), Some(usage.total_bytes as f64))
                        .with_label("mount", &label)?,
                );
                if let Some(inodes) = usage.inodes_used_percent {
                    ms.push(percent("inodes_used", inodes)?.with_label("mount", &label)?);
                }
            }
            if ms.is_empty() {
                return Err(probe_error("disk", "no mounted filesystem found"));
            }
            Ok(Reading::new(ms))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_limit_below_the_host_binds() {
        let host = MemoryInfo { total: 16 << 30, available: 8 << 30, swap_total: 0, swap_free: 0 };
        let limit = MemoryLimit { limit: 512 << 20, used: 384 << 20 };
        assert_eq!(memory_against(&host, Some(limit)), Some((75.0, 512 << 20, 128 << 20)));
        let roomy = MemoryLimit { limit: 32 << 30, used: 1 << 30 };
        assert_eq!(memory_against(&host, Some(roomy)), None, "a limit above the host's memory does not bind");
        assert_eq!(memory_against(&host, None), None);
    }
}

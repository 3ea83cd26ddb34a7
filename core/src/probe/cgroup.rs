//! Container limits: in a container (the manuals run on docker-compose) memory and CPU
//! percentages are measured against the cgroup's limits, not the host's totals. Reads
//! cgroup v2 (`memory.max`, `memory.current`, `cpu.max`, `cpu.stat`) or v1
//! (`memory/memory.limit_in_bytes`, `cpu/cpu.cfs_quota_us`, `cpuacct/cpuacct.usage`).
//! Without a limit (a plain host, or a container without one) every function gives None.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The cgroups this process is in: the cgroup filesystem's mount point and, per
/// controller, this process's path below it (from `/proc/self/cgroup`; the key "" is the
/// v2 unified hierarchy). In a container with its own cgroup namespace the paths are "/".
#[derive(Debug, Clone)]
pub struct CgroupRoot {
    base: PathBuf,
    own: HashMap<String, String>,
}

impl Default for CgroupRoot {
    /// The calling process's own cgroups under `/sys/fs/cgroup`.
    fn default() -> Self {
        let own = std::fs::read_to_string("/proc/self/cgroup").map(|t| parse_proc_cgroup(&t)).unwrap_or_default();
        CgroupRoot { base: PathBuf::from("/sys/fs/cgroup"), own }
    }
}

/// `4:memory:/docker/abc` → memory = /docker/abc; `0::/user.slice` → "" = /user.slice.
fn parse_proc_cgroup(text: &str) -> HashMap<String, String> {
    let mut own = HashMap::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next(), parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
        for c in controllers.split(',') {
            own.insert(c.to_owned(), path.to_owned());
        }
    }
    own
}

/// A v1 "no limit" is a huge number (PAGE_COUNTER_MAX rounded to pages).
const NO_LIMIT_V1: u64 = 1 << 60;

fn read_u64(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn stat_field(path: &Path, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Memory the cgroup may use and uses, in bytes. Usage leaves out inactive file cache, as
/// `docker stats` does, since the kernel reclaims it before it hits the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryLimit {
    pub limit: u64,
    pub used: u64,
}

impl CgroupRoot {
    /// A cgroup filesystem mounted at `base`, looked at from its top (tests, or a
    /// container's namespaced view).
    pub fn at(base: impl Into<PathBuf>) -> CgroupRoot {
        CgroupRoot { base: base.into(), own: HashMap::new() }
    }

    /// The directory of this process's cgroup for a v1 controller ("memory", "cpu",
    /// "cpuacct") or, with "", the v2 unified hierarchy; the top when that does not exist.
    fn dir(&self, controller: &str) -> PathBuf {
        let top = if controller.is_empty() { self.base.clone() } else { self.base.join(controller) };
        match self.own.get(controller).map(|p| p.trim_start_matches('/')) {
            Some(rel) if !rel.is_empty() && top.join(rel).is_dir() => top.join(rel),
            _ => top,
        }
    }

    pub fn memory(&self) -> Option<MemoryLimit> {
        let root = self.dir("");
        // cgroup v2
        if let Ok(max) = std::fs::read_to_string(root.join("memory.max")) {
            let limit: u64 = max.trim().parse().ok()?; // "max" = no limit
            let current = read_u64(&root.join("memory.current"))?;
            let inactive = stat_field(&root.join("memory.stat"), "inactive_file").unwrap_or(0);
            return Some(MemoryLimit { limit, used: current.saturating_sub(inactive) });
        }
        // cgroup v1
        let dir = self.dir("memory");
        let limit = read_u64(&dir.join("memory.limit_in_bytes"))?;
        if limit >= NO_LIMIT_V1 {
            return None;
        }
        let usage = read_u64(&dir.join("memory.usage_in_bytes"))?;
        let inactive = stat_field(&dir.join("memory.stat"), "total_inactive_file").unwrap_or(0);
        Some(MemoryLimit { limit, used: usage.saturating_sub(inactive) })
    }

    /// CPUs the quota allows (`cpu.max` "200000 100000" → 2.0).
    pub fn cpu_quota(&self) -> Option<f64> {
        let root = self.dir("");
        if let Ok(max) = std::fs::read_to_string(root.join("cpu.max")) {
            let mut parts = max.split_whitespace();
            let quota: f64 = parts.next()?.parse().ok()?; // "max" = no quota
            let period: f64 = parts.next()?.parse().ok()?;
            return (quota > 0.0 && period > 0.0).then_some(quota / period);
        }
        let cpu = self.dir("cpu");
        let quota: i64 = std::fs::read_to_string(cpu.join("cpu.cfs_quota_us")).ok()?.trim().parse().ok()?;
        let period = read_u64(&cpu.join("cpu.cfs_period_us"))?;
        (quota > 0 && period > 0).then(|| quota as f64 / period as f64)
    }

    /// CPU time the cgroup has used, in nanoseconds.
    pub fn cpu_usage_ns(&self) -> Option<u64> {
        let root = self.dir("");
        if root.join("cpu.stat").exists() && root.join("cpu.max").exists() {
            return stat_field(&root.join("cpu.stat"), "usage_usec").map(|us| us * 1000);
        }
        read_u64(&self.dir("cpuacct").join("cpuacct.usage"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(files: &[(&str, &str)]) -> CgroupRoot {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("opsbook-cgroup-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        CgroupRoot::at(dir)
    }

    #[test]
    fn own_paths_from_proc_self_cgroup() {
        let own = parse_proc_cgroup("12:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n0::/\n");
        assert_eq!(own["cpuacct"], "/docker/abc");
        assert_eq!(own["memory"], "/docker/abc");
        assert_eq!(own[""], "/");
    }

    #[test]
    fn v2_limits() {
        let root = fixture(&[
            ("memory.max", "536870912\n"),
            ("memory.current", "300000000\n"),
            ("memory.stat", "anon 1\ninactive_file 20000000\nactive_file 5\n"),
            ("cpu.max", "150000 100000\n"),
            ("cpu.stat", "usage_usec 2500\nuser_usec 2000\n"),
        ]);
        assert_eq!(root.memory(), Some(MemoryLimit { limit: 536_870_912, used: 280_000_000 }));
        assert_eq!(root.cpu_quota(), Some(1.5));
        assert_eq!(root.cpu_usage_ns(), Some(2_500_000));
        let unlimited = fixture(&[
            ("memory.max", "max\n"),
            ("memory.current", "1\n"),
            ("cpu.max", "max 100000\n"),
            ("cpu.stat", "usage_usec 1\n"),
        ]);
        assert_eq!((unlimited.memory(), unlimited.cpu_quota()), (None, None));
    }

    #[test]
    fn v1_limits() {
        let root = fixture(&[
            ("memory/memory.limit_in_bytes", "1073741824\n"),
            ("memory/memory.usage_in_bytes", "600000000\n"),
            ("memory/memory.stat", "cache 1\ninactive_file 7\ntotal_inactive_file 100000000\n"),
            ("cpu/cpu.cfs_quota_us", "50000\n"),
            ("cpu/cpu.cfs_period_us", "100000\n"),
            ("cpuacct/cpuacct.usage", "123456789\n"),
        ]);
        assert_eq!(root.memory(), Some(MemoryLimit { limit: 1_073_741_824, used: 500_000_000 }));
        assert_eq!(root.cpu_quota(), Some(0.5));
        assert_eq!(root.cpu_usage_ns(), Some(123_456_789));
        let host = fixture(&[
            ("memory/memory.limit_in_bytes", "9223372036854771712\n"),
            ("cpu/cpu.cfs_quota_us", "-1\n"),
            ("cpu/cpu.cfs_period_us", "100000\n"),
        ]);
        assert_eq!((host.memory(), host.cpu_quota()), (None, None));
        assert_eq!(CgroupRoot::at("/nonexistent").memory(), None);
    }
}

//! Disk I/O and network traffic of this host, as `iostat -x` and the manuals' bandwidth rows
//! read them: two readings of Linux's counters (`/proc/diskstats`, `/proc/net/dev`) a
//! sample apart, turned into rates.
//!
//! - Disk: `util` is iostat's `%util` — the share of the interval the device had I/O in
//!   flight (Δ io_ticks / Δ time) — with `read_bytes_per_second` and
//!   `write_bytes_per_second` (sectors are 512 bytes in these counters, whatever the
//!   device's own sector size). Whole devices only (partitions count inside their disk;
//!   loop, ram, zram, floppy and optical devices are left out) unless `devices` names them.
//! - Network: `rx_bytes_per_second`, `tx_bytes_per_second` and, when the link reports its
//!   speed (`/sys/class/net/<if>/speed`), `utilization`: the busier direction's share of it
//!   (a full-duplex link carries its speed each way). Every interface but `lo` unless
//!   `interfaces` names them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::check::Measurement;
use crate::error::Result;
use crate::probe::probe_error;
use crate::runner::{Probe, ProbeFuture, Reading};

/// One device's counters from `/proc/diskstats`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DiskCounters {
    pub sectors_read: u64,
    pub sectors_written: u64,
    /// Milliseconds spent with I/O in flight (`io_ticks`, the 10th field after the name).
    pub io_ticks_ms: u64,
}

/// Parses `/proc/diskstats`: device name → counters. Lines too short are skipped.
pub fn parse_diskstats(text: &str) -> BTreeMap<String, DiskCounters> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 14 {
            continue;
        }
        let n = |i: usize| f[i].parse::<u64>().unwrap_or(0);
        out.insert(f[2].to_owned(), DiskCounters { sectors_read: n(5), sectors_written: n(9), io_ticks_ms: n(12) });
    }
    out
}

/// One interface's byte counters from `/proc/net/dev`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NetCounters {
    pub rx_bytes: u64,
    pub tx_bytes: u64,
}

/// Parses `/proc/net/dev`: interface → counters (the two header lines are skipped).
pub fn parse_net_dev(text: &str) -> BTreeMap<String, NetCounters> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some((name, rest)) = line.split_once(':') else { continue };
        let f: Vec<u64> = rest.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        if f.len() < 16 {
            continue;
        }
        out.insert(name.trim().to_owned(), NetCounters { rx_bytes: f[0], tx_bytes: f[8] });
    }
    out
}

/// A counter's growth (0 when it went back: a device removed and re-added, a wrap).
fn delta(after: u64, before: u64) -> f64 {
    after.saturating_sub(before) as f64
}

fn rounded(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Disk measurements from two readings `elapsed` apart, for `devices`.
pub fn disk_measurements(
    before: &BTreeMap<String, DiskCounters>,
    after: &BTreeMap<String, DiskCounters>,
    elapsed: Duration,
    devices: &[String],
) -> Result<Vec<Measurement>> {
    let seconds = elapsed.as_secs_f64().max(1e-3);
    let mut out = Vec::new();
    for device in devices {
        let (Some(b), Some(a)) = (before.get(device), after.get(device)) else { continue };
        let util = (delta(a.io_ticks_ms, b.io_ticks_ms) / (seconds * 1000.0) * 100.0).min(100.0);
        out.push(
            Measurement::new("util", rounded(util))?
                .with_unit("%")
                .with_bounds(Some(0.0), Some(100.0))
                .with_label("device", device)?,
        );
        out.push(
            Measurement::new(
                "read_bytes_per_second",
                (delta(a.sectors_read, b.sectors_read) * 512.0 / seconds).round(),
            )?
            .with_label("device", device)?,
        );
        out.push(
            Measurement::new(
                "write_bytes_per_second",
                (delta(a.sectors_written, b.sectors_written) * 512.0 / seconds).round(),
            )?
            .with_label("device", device)?,
        );
    }
    Ok(out)
}

/// Network measurements from two readings `elapsed` apart, for `interfaces` with their link
/// speeds in Mbit/s (None: unknown, no utilization).
pub fn net_measurements(
    before: &BTreeMap<String, NetCounters>,
    after: &BTreeMap<String, NetCounters>,
    elapsed: Duration,
    interfaces: &[(String, Option<f64>)],
) -> Result<Vec<Measurement>> {
    let seconds = elapsed.as_secs_f64().max(1e-3);
    let mut out = Vec::new();
    for (iface, speed_mbps) in interfaces {
        let (Some(b), Some(a)) = (before.get(iface), after.get(iface)) else { continue };
        let rx = delta(a.rx_bytes, b.rx_bytes) / seconds;
        let tx = delta(a.tx_bytes, b.tx_bytes) / seconds;
        out.push(Measurement::new("rx_bytes_per_second", rx.round())?.with_label("interface", iface)?);
        out.push(Measurement::new("tx_bytes_per_second", tx.round())?.with_label("interface", iface)?);
        if let Some(speed) = speed_mbps.filter(|s| *s > 0.0) {
            let util = (rx.max(tx) * 8.0 / (speed * 1e6) * 100.0).min(100.0);
            out.push(
                Measurement::new("utilization", rounded(util))?
                    .with_unit("%")
                    .with_bounds(Some(0.0), Some(100.0))
                    .with_label("interface", iface)?,
            );
        }
    }
    Ok(out)
}

fn read(path: &str, probe: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| probe_error(probe, format!("{path}: {e}")))
}

/// Whole block devices (`/sys/block`), without loop, ram, zram, floppy and optical drives.
pub fn whole_disks() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir("/sys/block")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !["loop", "ram", "zram", "fd", "sr"].iter().any(|p| n.starts_with(p)))
        .collect();
    out.sort();
    out
}

/// A link's speed in Mbit/s, when the driver reports one.
pub fn link_speed_mbps(interface: &str) -> Option<f64> {
    std::fs::read_to_string(format!("/sys/class/net/{interface}/speed"))
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0)
}

/// `iostat -x`: per-device utilization and throughput over `sample`.
#[derive(Debug, Clone)]
pub struct DiskIoProbe {
    pub sample: Duration,
    /// Device names as in /proc/diskstats (`vda`, `nvme0n1`); empty: every whole disk.
    pub devices: Vec<String>,
}

impl Probe for DiskIoProbe {
    fn kind(&self) -> &'static str {
        "diskio"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            let devices = if self.devices.is_empty() { whole_disks() } else { self.devices.clone() };
            let before = parse_diskstats(&read("/proc/diskstats", "diskio")?);
            let started = Instant::now();
            tokio::time::sleep(self.sample).await;
            let after = parse_diskstats(&read("/proc/diskstats", "diskio")?);
            let missing: Vec<&String> = devices.iter().filter(|d| !after.contains_key(*d)).collect();
            if !missing.is_empty() {
                return Err(probe_error("diskio", format!("no such device in /proc/diskstats: {missing:?}")));
            }
            let ms = disk_measurements(&before, &after, started.elapsed(), &devices)?;
            let summary = ms
                .iter()
                .filter(|m| m.name == "util")
                .map(|m| format!("{} {}%", m.labels.get("device").map(String::as_str).unwrap_or(""), m.value))
                .collect::<Vec<_>>()
                .join(", ");
            let mut reading = Reading::new(ms);
            reading.summary = Some(if summary.is_empty() { "no disks".into() } else { format!("util {summary}") });
            Ok(reading)
        })
    }
}

/// Traffic and link utilization per interface over `sample`.
#[derive(Debug, Clone)]
pub struct NetworkProbe {
    pub sample: Duration,
    /// Interface names; empty: every interface but `lo`.
    pub interfaces: Vec<String>,
}

impl Probe for NetworkProbe {
    fn kind(&self) -> &'static str {
        "network"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            let before = parse_net_dev(&read("/proc/net/dev", "network")?);
            let started = Instant::now();
            tokio::time::sleep(self.sample).await;
            let after = parse_net_dev(&read("/proc/net/dev", "network")?);
            let names: Vec<String> = if self.interfaces.is_empty() {
                after.keys().filter(|n| *n != "lo").cloned().collect()
            } else {
                let missing: Vec<&String> = self.interfaces.iter().filter(|i| !after.contains_key(*i)).collect();
                if !missing.is_empty() {
                    return Err(probe_error("network", format!("no such interface in /proc/net/dev: {missing:?}")));
                }
                self.interfaces.clone()
            };
            let with_speed: Vec<(String, Option<f64>)> =
                names.into_iter().map(|n| (n.clone(), link_speed_mbps(&n))).collect();
            let ms = net_measurements(&before, &after, started.elapsed(), &with_speed)?;
            Ok(Reading::new(ms))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DISK_BEFORE: &str = "\
 253       0 vda 1000 10 20000 500 2000 20 40000 900 0 3000 1400 0 0 0 0
 253       1 vda1 900 10 18000 450 1900 20 38000 850 0 2900 1300 0 0 0 0
   7       0 loop0 5 0 10 0 0 0 0 0 0 1 0 0 0 0 0
";
    const DISK_AFTER: &str = "\
 253       0 vda 1100 10 22048 550 2100 20 44096 950 1 3500 1500 0 0 0 0
 253       1 vda1 1000 10 20048 500 2000 20 42096 900 1 3400 1400 0 0 0 0
   7       0 loop0 5 0 10 0 0 0 0 0 0 1 0 0 0 0 0
";

    #[test]
    fn disk_rates_as_iostat_computes_them() {
        let (b, a) = (parse_diskstats(DISK_BEFORE), parse_diskstats(DISK_AFTER));
        assert_eq!(a["vda"], DiskCounters { sectors_read: 22048, sectors_written: 44096, io_ticks_ms: 3500 });
        // Two seconds: 500 ms of io_ticks is 25 % util; 2048 sectors read = 1 MiB = 524288 B/s;
        // 4096 sectors written = 2 MiB = 1048576 B/s.
        let ms = disk_measurements(&b, &a, Duration::from_secs(2), &["vda".to_owned()]).unwrap();
        let got: Vec<(&str, f64)> = ms.iter().map(|m| (m.name.as_str(), m.value)).collect();
        assert_eq!(
            got,
            vec![("util", 25.0), ("read_bytes_per_second", 524288.0), ("write_bytes_per_second", 1048576.0)]
        );
        assert_eq!(ms[0].labels.get("device").map(String::as_str), Some("vda"));
        // Saturated: more ticks than time (merged queues) is 100 %, never more.
        let ms = disk_measurements(&b, &a, Duration::from_millis(100), &["vda".to_owned()]).unwrap();
        assert_eq!(ms[0].value, 100.0);
        // A counter that went back (device re-added) is 0, not a huge rate.
        let ms = disk_measurements(&a, &b, Duration::from_secs(2), &["vda".to_owned()]).unwrap();
        assert!(ms.iter().all(|m| m.value == 0.0));
    }

    const NET_BEFORE: &str = "\
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0
  eth0: 5000000 100 0 0 0 0 0 0 2000000 50 0 0 0 0 0 0
";
    const NET_AFTER: &str = "\
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0
  eth0: 130000000 200 0 0 0 0 0 0 27000000 90 0 0 0 0 0 0
";

    #[test]
    fn network_rates_and_utilization_of_the_link() {
        let (b, a) = (parse_net_dev(NET_BEFORE), parse_net_dev(NET_AFTER));
        assert_eq!(a["eth0"], NetCounters { rx_bytes: 130_000_000, tx_bytes: 27_000_000 });
        // 125 MB in and 25 MB out in 10 s: 12.5 MB/s in = 100 Mbit/s, 10 % of a 1000 Mbit/s link.
        let ifaces = [("eth0".to_owned(), Some(1000.0)), ("lo".to_owned(), None)];
        let ms = net_measurements(&b, &a, Duration::from_secs(10), &ifaces).unwrap();
        let got: Vec<(&str, f64)> = ms.iter().map(|m| (m.name.as_str(), m.value)).collect();
        assert_eq!(
            got,
            vec![
                ("rx_bytes_per_second", 12_500_000.0),
                ("tx_bytes_per_second", 2_500_000.0),
                ("utilization", 10.0),
                ("rx_bytes_per_second", 0.0),
                ("tx_bytes_per_second", 0.0),
            ]
        );
    }
}

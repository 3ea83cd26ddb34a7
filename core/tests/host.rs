//! Host probes against independent readings (`df`, `/proc`), never against "the host is
//! healthy".

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use opsbook::probe::process::{ProcessProbe, ProcessSelector};
use opsbook::probe::system::{DiskProbe, LoadProbe};
use opsbook::runner::{CheckDefinition, Probe};
use opsbook::{CheckResult, Status};

async fn run(probe: impl Probe + 'static) -> CheckResult {
    CheckDefinition::new("host", Arc::new(probe)).unwrap().with_timeout(Duration::from_secs(10)).run_once().await
}

fn value(r: &CheckResult, name: &str) -> f64 {
    r.measurements.iter().find(|m| m.name == name).unwrap_or_else(|| panic!("no {name}: {r:?}")).value
}

#[tokio::test]
async fn disk_usage_and_inodes_match_df() {
    let r = run(DiskProbe { mounts: vec!["/".into()] }).await;
    let df = String::from_utf8(Command::new("df").args(["-P", "/"]).output().unwrap().stdout).unwrap();
    let pct: f64 = df.lines().nth(1).unwrap().split_whitespace().nth(4).unwrap().trim_end_matches('%').parse().unwrap();
    assert!((value(&r, "used").ceil() - pct).abs() <= 1.0, "opsbook {} vs df {pct}", value(&r, "used"));
    let dfi = String::from_utf8(Command::new("df").args(["-iP", "/"]).output().unwrap().stdout).unwrap();
    let ipct = dfi.lines().nth(1).unwrap().split_whitespace().nth(4).unwrap().trim_end_matches('%');
    match ipct.parse::<f64>() {
        Ok(ipct) => assert!(
            (value(&r, "inodes_used").ceil() - ipct).abs() <= 1.0,
            "inodes {} vs df -i {ipct}",
            value(&r, "inodes_used")
        ),
        Err(_) => assert!(r.measurements.iter().all(|m| m.name != "inodes_used"), "df -i reports no inodes ({ipct})"),
    }
}

#[tokio::test]
async fn load_and_uptime_match_proc() {
    let r = run(LoadProbe).await;
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap();
    let load1: f64 = loadavg.split_whitespace().next().unwrap().parse().unwrap();
    assert!((value(&r, "load1") - load1).abs() < 1.0, "opsbook {} vs /proc/loadavg {load1}", value(&r, "load1"));
    let uptime: f64 =
        std::fs::read_to_string("/proc/uptime").unwrap().split_whitespace().next().unwrap().parse().unwrap();
    assert!((value(&r, "uptime") - uptime).abs() < 5.0, "opsbook {} vs /proc/uptime {uptime}", value(&r, "uptime"));
}

#[tokio::test]
async fn processes_by_name_and_pid_file() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let by_name = run(ProcessProbe { selector: ProcessSelector::Name("sleep".into()) }).await;
    assert_eq!(by_name.status, Status::Ok, "{by_name:?}");
    assert!(value(&by_name, "count") >= 1.0);
    assert!(value(&by_name, "rss") > 0.0);
    let pid_file = std::env::temp_dir().join(format!("opsbook-{}.pid", std::process::id()));
    std::fs::write(&pid_file, format!("{}\n", child.id())).unwrap();
    let by_pid = run(ProcessProbe { selector: ProcessSelector::PidFile(pid_file.clone()) }).await;
    assert_eq!((by_pid.status, value(&by_pid, "count")), (Status::Ok, 1.0));
    let status_rss: f64 = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((value(&by_pid, "rss") - status_rss * 1024.0).abs() < 1024.0 * 1024.0, "rss vs /proc/pid/status");
    child.kill().unwrap();
    child.wait().unwrap();
    let gone = run(ProcessProbe { selector: ProcessSelector::PidFile(pid_file.clone()) }).await;
    assert_eq!((gone.status, value(&gone, "count")), (Status::Critical, 0.0));
    assert!(gone.summary.contains("not running"), "{}", gone.summary);
    std::fs::write(&pid_file, "not-a-pid").unwrap();
    let bad = run(ProcessProbe { selector: ProcessSelector::PidFile(pid_file.clone()) }).await;
    assert!(bad.status == Status::Critical && bad.summary.contains("not a pid"), "{}", bad.summary);
    std::fs::remove_file(&pid_file).unwrap();
    let none = run(ProcessProbe { selector: ProcessSelector::Name("opsbook-no-such-process".into()) }).await;
    assert_eq!(none.status, Status::Critical);
}

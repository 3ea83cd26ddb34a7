//! Fault tests: Redis and PostgreSQL instances of their own (never the shared ones), hung
//! with SIGSTOP, resumed with SIGCONT, then stopped. The report must come back within the
//! check's timeout (bound: timeout + 3 s) and say what failed.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use opsbook::probe::postgres::PostgresProbe;
use opsbook::probe::redis::RedisProbe;
use opsbook::runner::{CheckDefinition, Probe};
use opsbook::{CheckResult, Status};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
const TIMEOUT: Duration = Duration::from_secs(1);

fn available(program: &str) -> bool {
    let found =
        Path::new(program).exists() || Command::new("which").arg(program).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{program} is missing: scripts/test.sh installs it");
        eprintln!("skipped: {program} is not installed");
    }
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn signal(pid: u32, sig: &str) {
    assert!(Command::new("kill").args([sig, &pid.to_string()]).status().unwrap().success());
}

async fn timed(probe: Arc<dyn Probe>) -> (CheckResult, Duration) {
    let start = Instant::now();
    let r = CheckDefinition::new("fault", probe).unwrap().with_timeout(TIMEOUT).run_once().await;
    (r, start.elapsed())
}

mod common;
use common::TempDir;

#[tokio::test]
async fn redis_hung_resumed_and_stopped() {
    if !available("redis-server") {
        return;
    }
    let dir = TempDir::new("redis");
    let port = free_port();
    let pid_file = dir.0.join("redis.pid");
    let started = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--daemonize", "yes", "--save", "", "--dir"])
        .arg(&dir.0)
        .arg("--pidfile")
        .arg(&pid_file)
        .status()
        .unwrap();
    assert!(started.success());
    let url = format!("redis://127.0.0.1:{port}");
    let probe: Arc<dyn Probe> = Arc::new(RedisProbe { url: url.clone() });
    let mut pid = 0;
    for _ in 0..50 {
        if let Ok(text) = std::fs::read_to_string(&pid_file) {
            pid = text.trim().parse().unwrap_or(0);
        }
        if pid != 0 && timed(Arc::clone(&probe)).await.0.status == Status::Ok {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_ne!(pid, 0, "redis-server did not start");
    assert_eq!(timed(Arc::clone(&probe)).await.0.status, Status::Ok);

    // With maxmemory set, usage is also reported against it.
    let cli = |args: &[&str]| Command::new("redis-cli").args(["-p", &port.to_string()]).args(args).output().unwrap();
    assert!(cli(&["CONFIG", "SET", "maxmemory", "104857600"]).status.success());
    let (with_max, _) = timed(Arc::clone(&probe)).await;
    let get = |r: &CheckResult, n: &str| r.measurements.iter().find(|m| m.name == n).map(|m| m.value);
    let used = get(&with_max, "used_memory").unwrap();
    let ratio = get(&with_max, "used_memory_ratio").expect("a ratio once maxmemory is set");
    assert!((ratio - used * 100.0 / 104_857_600.0).abs() < 1e-9, "{ratio} vs {used}");

    signal(pid, "-STOP");
    let (hung, took) = timed(Arc::clone(&probe)).await;
    signal(pid, "-CONT");
    assert!(took < TIMEOUT + Duration::from_secs(3), "took {took:?}");
    // Either opsbook's timeout or the client's own connect timeout may fire first.
    assert_eq!(hung.status, Status::Critical);
    assert!(hung.summary.contains("timed out"), "{}", hung.summary);

    let (resumed, _) = timed(Arc::clone(&probe)).await;
    assert_eq!(resumed.status, Status::Ok, "{resumed:?}");

    signal(pid, "-TERM");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (stopped, took) = timed(probe).await;
    assert!(took < TIMEOUT + Duration::from_secs(3));
    assert_eq!(stopped.status, Status::Critical);
    assert!(stopped.summary.contains(&format!("127.0.0.1:{port}")), "{}", stopped.summary);
}

/// The postmaster and its children (checkpointer, walwriter, backends...).
fn postgres_family(postmaster: u32) -> Vec<u32> {
    let out = Command::new("pgrep").args(["-P", &postmaster.to_string()]).output().unwrap();
    let mut pids: Vec<u32> =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.trim().parse().ok()).collect();
    pids.push(postmaster);
    pids
}

#[tokio::test]
async fn postgres_hung_resumed_and_stopped() {
    if !available(&format!("{PG_BIN}/pg_ctl")) {
        return;
    }
    let dir = TempDir::new("pg");
    let run_dir = dir.0.join("pg");
    std::fs::create_dir_all(&run_dir).unwrap();
    let as_postgres = |cmd: String| {
        let ok = Command::new("su").args(["postgres", "-s", "/bin/sh", "-c", &cmd]).output().unwrap();
        assert!(ok.status.success(), "{cmd}: {}", String::from_utf8_lossy(&ok.stderr));
    };
    // Only the postgres user may own a data directory (PostgreSQL refuses root).
    assert!(Command::new("chmod").args(["755"]).arg(&dir.0).status().unwrap().success());
    assert!(Command::new("chown").args(["postgres"]).arg(&run_dir).status().unwrap().success());
    let data = run_dir.join("data");
    as_postgres(format!("{PG_BIN}/initdb -D {} -U postgres --auth=trust", data.display()));
    let port = free_port();
    as_postgres(format!(
        "{PG_BIN}/pg_ctl -D {} -l {}/log -w -o \"-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off\" start",
        data.display(),
        run_dir.display(),
        run_dir.display()
    ));
    let postmaster: u32 =
        std::fs::read_to_string(data.join("postmaster.pid")).unwrap().lines().next().unwrap().trim().parse().unwrap();
    let url = format!("postgresql://postgres@127.0.0.1:{port}/postgres");
    let probe: Arc<dyn Probe> = Arc::new(PostgresProbe::new(url));
    let (healthy, _) = timed(Arc::clone(&probe)).await;
    assert_eq!(healthy.status, Status::Ok, "{healthy:?}");
    assert!(healthy.measurements.iter().all(|m| m.name != "replication_lag"), "a primary has no lag");

    // A streaming replica made with pg_basebackup -R reports its replication lag.
    let standby = run_dir.join("standby");
    let standby_port = free_port();
    as_postgres(format!("{PG_BIN}/pg_basebackup -h 127.0.0.1 -p {port} -U postgres -D {} -R", standby.display()));
    as_postgres(format!(
        "{PG_BIN}/pg_ctl -D {} -l {}/standby.log -w -o \"-c listen_addresses=127.0.0.1 -p {standby_port} -k {} -c fsync=off\" start",
        standby.display(),
        run_dir.display(),
        run_dir.display()
    ));
    let replica = PostgresProbe::new(format!("postgresql://postgres@127.0.0.1:{standby_port}/postgres"));
    let (on_replica, _) = timed(Arc::new(replica)).await;
    as_postgres(format!("{PG_BIN}/pg_ctl -D {} -m immediate stop", standby.display()));
    assert_eq!(on_replica.status, Status::Ok, "{on_replica:?}");
    let lag = on_replica.measurements.iter().find(|m| m.name == "replication_lag").expect("a replica reports its lag");
    assert!(lag.value >= 0.0 && lag.value < 3600.0, "lag {}", lag.value);

    let family = postgres_family(postmaster);
    for pid in &family {
        signal(*pid, "-STOP");
    }
    let (hung, took) = timed(Arc::clone(&probe)).await;
    for pid in family.iter().rev() {
        signal(*pid, "-CONT");
    }
    assert!(took < TIMEOUT + Duration::from_secs(3), "took {took:?}");
    // Either opsbook's timeout or the client's own connect timeout may fire first.
    assert_eq!(hung.status, Status::Critical);
    assert!(hung.summary.contains("timed out"), "{}", hung.summary);

    let mut resumed = timed(Arc::clone(&probe)).await.0;
    for _ in 0..20 {
        if resumed.status == Status::Ok {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        resumed = timed(Arc::clone(&probe)).await.0;
    }
    assert_eq!(resumed.status, Status::Ok, "{resumed:?}");

    as_postgres(format!("{PG_BIN}/pg_ctl -D {} -m immediate stop", data.display()));
    let (stopped, took) = timed(probe).await;
    assert!(took < TIMEOUT + Duration::from_secs(3));
    assert_eq!(stopped.status, Status::Critical);
    assert!(stopped.summary.contains(&format!("127.0.0.1:{port}")), "{}", stopped.summary);
}

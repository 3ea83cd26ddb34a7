//! Probes against real components: local TCP and HTTP servers, commands, files, and the
//! Redis and PostgreSQL servers scripts/test.sh starts (OPSBOOK_TEST_REDIS_URL,
//! OPSBOOK_TEST_POSTGRES_URL). Under CI=true a missing server fails instead of skipping.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use opsbook::probe::command::CommandProbe;
use opsbook::probe::files::FileFreshnessProbe;
use opsbook::probe::http::HttpProbe;
use opsbook::probe::postgres::PostgresProbe;
use opsbook::probe::redis::RedisProbe;
use opsbook::probe::tcp::TcpProbe;
use opsbook::runner::{CheckDefinition, Probe};
use opsbook::{CheckResult, Status, Threshold};

async fn run(probe: impl Probe + 'static, timeout: Duration) -> CheckResult {
    CheckDefinition::new("probe", Arc::new(probe)).unwrap().with_timeout(timeout).run_once().await
}

fn value(result: &CheckResult, name: &str) -> f64 {
    result.measurements.iter().find(|m| m.name == name).unwrap_or_else(|| panic!("no {name} in {result:?}")).value
}

fn server(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => panic!("{var} is not set: run scripts/test.sh"),
        Err(_) => {
            eprintln!("skipped: {var} is not set (scripts/test.sh starts the server)");
            None
        }
    }
}

/// A port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

// ---- tcp ----

#[tokio::test]
async fn tcp_connects_to_a_listening_port_and_fails_on_a_closed_one() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let ok = run(TcpProbe { host: "127.0.0.1".into(), port }, Duration::from_secs(5)).await;
    assert_eq!(ok.status, Status::Ok, "{ok:?}");
    assert!(value(&ok, "connect_time") >= 0.0);
    let closed = closed_port();
    let bad = run(TcpProbe { host: "127.0.0.1".into(), port: closed }, Duration::from_secs(5)).await;
    assert_eq!(bad.status, Status::Critical);
    assert!(bad.summary.contains(&format!("127.0.0.1:{closed}")) && bad.summary.contains("refused"), "{}", bad.summary);
}

// ---- command ----

fn argv(args: &[&str]) -> CommandProbe {
    CommandProbe { argv: args.iter().map(|s| s.to_string()).collect() }
}

#[tokio::test]
async fn command_exit_status_decides() {
    let ok = run(argv(&["sh", "-c", "echo active"]), Duration::from_secs(5)).await;
    assert_eq!((ok.status, value(&ok, "exit_code")), (Status::Ok, 0.0));
    assert!(ok.summary.contains("exited 0: active"), "{}", ok.summary);
    let bad = run(argv(&["sh", "-c", "echo inactive; exit 3"]), Duration::from_secs(5)).await;
    assert_eq!((bad.status, value(&bad, "exit_code")), (Status::Critical, 3.0));
    let missing = run(argv(&["/nonexistent/opsbook-test"]), Duration::from_secs(5)).await;
    assert_eq!(missing.status, Status::Critical);
    assert!(missing.summary.contains("cannot run /nonexistent/opsbook-test"), "{}", missing.summary);
    let empty = run(argv(&[]), Duration::from_secs(5)).await;
    assert!(empty.summary.contains("argv is empty"));
}

#[tokio::test]
async fn argv_is_not_a_shell_string() {
    let marker = std::env::temp_dir().join(format!("opsbook-no-shell-{}", std::process::id()));
    let injected = format!("x; touch {}", marker.display());
    let r = run(argv(&["echo", &injected]), Duration::from_secs(5)).await;
    assert_eq!(r.status, Status::Ok);
    assert!(!marker.exists(), "the argument reached a shell");
}

#[tokio::test]
async fn a_hung_command_is_killed_at_the_timeout() {
    let marker = std::env::temp_dir().join(format!("opsbook-hung-{}", std::process::id()));
    let script = format!("sleep 3; touch {}", marker.display());
    let start = Instant::now();
    let r = run(argv(&["sh", "-c", &script]), Duration::from_millis(300)).await;
    assert!(start.elapsed() < Duration::from_millis(300) + Duration::from_secs(3));
    assert_eq!((r.status, r.summary.as_str()), (Status::Critical, "timed out after 300ms"));
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert!(!marker.exists(), "the timed-out command kept running");
}

// ---- files ----

#[tokio::test]
async fn file_freshness_finds_the_newest_match() {
    let dir = std::env::temp_dir().join(format!("opsbook-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let day = Duration::from_secs(86_400);
    for (name, age, size) in
        [("db_1.sql.gz", 3 * day, 10usize), ("db_2.sql.gz", day / 2, 1234), ("notes.txt", Duration::ZERO, 1)]
    {
        let path = dir.join(name);
        std::fs::File::create(&path).unwrap().write_all(&vec![b'x'; size]).unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() - age).unwrap();
    }
    let pattern = format!("{}/db_*.sql.gz", dir.display());
    let t = Threshold::parse(Some("~:86400"), Some("~:172800")).unwrap();
    let def = CheckDefinition::new("backup", Arc::new(FileFreshnessProbe { pattern: pattern.clone() }))
        .unwrap()
        .with_threshold("age", t);
    let r = def.run_once().await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    let age = value(&r, "age");
    assert!((43_200.0..43_260.0).contains(&age), "age {age}");
    assert_eq!(value(&r, "size"), 1234.0);
    let none =
        run(FileFreshnessProbe { pattern: format!("{}/nothing_*", dir.display()) }, Duration::from_secs(5)).await;
    assert_eq!(none.status, Status::Critical);
    assert!(none.summary.contains("no file matches"), "{}", none.summary);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- http ----

/// A real HTTP/1.1 server on loopback: /ok 200, /fail 500, /slow answers after 2 s,
/// /json a JSON body. Returns its port.
fn http_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (status, body) = match path.as_str() {
                    "/ok" => ("200 OK", "healthy".to_owned()),
                    "/fail" => ("500 Internal Server Error", "boom".to_owned()),
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(2));
                        ("200 OK", "late".to_owned())
                    }
                    "/json" => ("200 OK", r#"{"status":"ok","db":{"connected":true}}"#.to_owned()),
                    "/headers" => ("200 OK", request.clone()),
                    _ => ("404 Not Found", String::new()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    port
}

#[tokio::test]
async fn http_status_latency_and_matches() {
    let port = http_server();
    let base = format!("http://127.0.0.1:{port}");
    let ok = run(HttpProbe::get(format!("{base}/ok")), Duration::from_secs(5)).await;
    assert_eq!((ok.status, value(&ok, "status_code")), (Status::Ok, 200.0), "{ok:?}");
    assert!(value(&ok, "latency") > 0.0);
    assert!(ok.summary.contains("HTTP 200"), "{}", ok.summary);

    let fail = run(HttpProbe::get(format!("{base}/fail")), Duration::from_secs(5)).await;
    assert_eq!((fail.status, value(&fail, "status_code")), (Status::Critical, 500.0));

    let mut body = HttpProbe::get(format!("{base}/ok"));
    body.body_contains = Some("unhealthy".into());
    assert_eq!(run(body, Duration::from_secs(5)).await.status, Status::Critical);

    let mut json = HttpProbe::get(format!("{base}/json"));
    json.json_pointer = Some("/db/connected".into());
    json.json_equals = Some(serde_json::json!(true));
    assert_eq!(run(json.clone(), Duration::from_secs(5)).await.status, Status::Ok);
    json.json_equals = Some(serde_json::json!(false));
    assert_eq!(run(json, Duration::from_secs(5)).await.status, Status::Critical);

    let mut headers = HttpProbe::get(format!("{base}/headers"));
    headers.headers = vec![("X-Opsbook".into(), "probe".into())];
    headers.body_contains = Some("x-opsbook: probe".into());
    assert_eq!(run(headers, Duration::from_secs(5)).await.status, Status::Ok);
}

#[tokio::test]
async fn http_latency_thresholds_and_timeout() {
    let port = http_server();
    // The manuals: warn 100-500 ms, crit over 500 ms.
    let t = Threshold::new(
        Some(opsbook::Range::parse("warn", "at_or_above 100").unwrap()),
        Some(opsbook::Range::parse("crit", "above 500").unwrap()),
    );
    let slow = CheckDefinition::new("api", Arc::new(HttpProbe::get(format!("http://127.0.0.1:{port}/slow"))))
        .unwrap()
        .with_threshold("latency", t)
        .with_timeout(Duration::from_secs(5));
    let r = slow.run_once().await;
    assert_eq!(r.status, Status::Critical, "{r:?}");
    assert!(value(&r, "latency") >= 2000.0);
    let start = Instant::now();
    let hung = run(HttpProbe::get(format!("http://127.0.0.1:{port}/slow")), Duration::from_millis(500)).await;
    assert!(start.elapsed() < Duration::from_millis(500) + Duration::from_secs(3));
    assert_eq!(hung.summary, "timed out after 500ms");
    let refused = run(HttpProbe::get(format!("http://127.0.0.1:{}/", closed_port())), Duration::from_secs(5)).await;
    assert_eq!(refused.status, Status::Critical);
    assert!(refused.summary.to_lowercase().contains("refused"), "{}", refused.summary);
}

#[tokio::test]
async fn credentials_never_reach_a_report() {
    let port = closed_port();
    for (probe, secret) in [
        (Arc::new(HttpProbe::get(format!("http://admin:hunter2@127.0.0.1:{port}/"))) as Arc<dyn Probe>, "hunter2"),
        (Arc::new(RedisProbe { url: format!("redis://:s3cr3t-redis@127.0.0.1:{port}/0") }), "s3cr3t-redis"),
        (Arc::new(PostgresProbe::new(format!("postgresql://app:s3cr3t-pg@127.0.0.1:{port}/edu"))), "s3cr3t-pg"),
    ] {
        let r = CheckDefinition::new("c", probe).unwrap().with_timeout(Duration::from_secs(5)).run_once().await;
        assert_eq!(r.status, Status::Critical);
        let everything = format!("{r:?}");
        assert!(!everything.contains(secret), "secret leaked: {everything}");
        assert!(r.summary.contains("***"), "{}", r.summary);
    }
}

// ---- redis ----

fn redis_cli_info(url: &str, field: &str) -> f64 {
    let port = url.rsplit(':').next().unwrap().trim_end_matches(|c: char| !c.is_ascii_digit());
    let out = std::process::Command::new("redis-cli").args(["-p", port, "INFO"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().find_map(|l| l.strip_prefix(&format!("{field}:"))).unwrap().trim().parse().unwrap()
}

#[tokio::test]
async fn redis_ping_memory_and_clients() {
    let Some(url) = server("OPSBOOK_TEST_REDIS_URL") else { return };
    let r = run(RedisProbe { url: url.clone() }, Duration::from_secs(5)).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert!(r.summary.contains("PONG"));
    let used = value(&r, "used_memory");
    let independent = redis_cli_info(&url, "used_memory");
    // Two readings a moment apart; redis' own accounting moves by a few KB.
    assert!((used - independent).abs() < 1_000_000.0, "opsbook {used} vs redis-cli {independent}");
    assert!(value(&r, "connected_clients") >= 1.0);
    assert_eq!(value(&r, "evicted_keys"), redis_cli_info(&url, "evicted_keys"));
    // The manuals' absolute limits: warn 1 GB, crit 2 GB — a test server is far below.
    let t = Threshold::parse(Some("~:1073741824"), Some("~:2147483648")).unwrap();
    let d = CheckDefinition::new("redis", Arc::new(RedisProbe { url })).unwrap().with_threshold("used_memory", t);
    assert_eq!(d.run_once().await.status, Status::Ok);
}

// ---- postgres ----

fn psql(url: &str, sql: &str) -> String {
    let out = std::process::Command::new("psql").args([url, "-tAc", sql]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn postgres_select_connections_and_sessions() {
    let Some(url) = server("OPSBOOK_TEST_POSTGRES_URL") else { return };
    let r = run(PostgresProbe::new(url.clone()), Duration::from_secs(10)).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert!(value(&r, "select_time") > 0.0);
    let max: f64 = psql(&url, "SHOW max_connections").parse().unwrap();
    let connections = r.measurements.iter().find(|m| m.name == "connections").unwrap();
    assert_eq!(connections.max, Some(max));
    assert!(connections.value >= 1.0 && connections.value <= max);
    assert!((value(&r, "connections_used") - connections.value * 100.0 / max).abs() < 1e-9);
    assert_eq!(value(&r, "long_queries"), 0.0);
    assert_eq!(value(&r, "idle_in_transaction"), 0.0);
    assert!(r.measurements.iter().all(|m| m.name != "replication_lag"), "a primary has no lag");

    // Sessions made on purpose, after the zero readings above (one test, so no other
    // test's sessions interleave).
    // A session that opens a transaction and then waits.
    let mut child = std::process::Command::new("psql")
        .args([url.as_str(), "-c", "BEGIN", "-c", "SELECT pg_sleep(0)", "-c", "SELECT pg_sleep(4)"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // While pg_sleep(4) runs the session is active, not idle; hold a real idle transaction instead.
    let (client, conn) = tokio_postgres_connect(&url).await;
    let driver = tokio::spawn(conn);
    client.batch_execute("BEGIN; SELECT 1;").await.unwrap();
    let r = run(PostgresProbe::new(url.clone()), Duration::from_secs(10)).await;
    assert_eq!(value(&r, "idle_in_transaction"), 1.0, "{r:?}");
    let mut probe = PostgresProbe::new(url.clone());
    probe.long_query = Duration::from_millis(500);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let r = run(probe, Duration::from_secs(10)).await;
    assert!(value(&r, "long_queries") >= 1.0, "pg_sleep(4) runs longer than 500 ms: {r:?}");
    drop(client);
    let _ = driver.await;
    let _ = child.wait();
}

async fn tokio_postgres_connect(
    url: &str,
) -> (tokio_postgres::Client, tokio_postgres::Connection<tokio_postgres::Socket, tokio_postgres::tls::NoTlsStream>) {
    tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap()
}

/// Network traffic on loopback: 32 MiB sent through a local socket inside the sample must
/// show as at least that much received and sent on `lo` (other traffic only adds to it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_rates_count_the_bytes_sent() {
    use opsbook::probe::io::NetworkProbe;
    const BYTES: usize = 32 << 20;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let reader = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut sink = vec![0u8; 1 << 16];
        let mut total = 0;
        while total < BYTES {
            total += conn.read(&mut sink).unwrap();
        }
    });
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        let mut conn = std::net::TcpStream::connect(addr).unwrap();
        conn.write_all(&vec![7u8; BYTES]).unwrap();
    });
    let started = Instant::now();
    let result =
        run(NetworkProbe { sample: Duration::from_secs(1), interfaces: vec!["lo".into()] }, Duration::from_secs(5))
            .await;
    let elapsed = started.elapsed().as_secs_f64();
    writer.join().unwrap();
    reader.join().unwrap();
    assert_eq!(result.status, Status::Ok, "{result:?}");
    for name in ["rx_bytes_per_second", "tx_bytes_per_second"] {
        let rate = value(&result, name);
        assert!(rate >= BYTES as f64 / elapsed, "{name} {rate} B/s for {BYTES} B in {elapsed:.2} s: {result:?}");
    }
    // Loopback reports no link speed: no utilization rather than a made-up one.
    assert!(!result.measurements.iter().any(|m| m.name == "utilization"));
    let missing = run(
        NetworkProbe { sample: Duration::from_millis(10), interfaces: vec!["nosuch0".into()] },
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(missing.status, Status::Critical);
    assert!(missing.summary.contains("nosuch0"), "{missing:?}");
}

/// Disk I/O: every whole disk of /sys/block that /proc/diskstats counts is reported, util
/// within 0-100 %; 64 MiB written and synced inside the sample show as written bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disk_io_reports_every_whole_disk() {
    use opsbook::probe::io::DiskIoProbe;
    let stats = std::fs::read_to_string("/proc/diskstats").unwrap();
    let counted: std::collections::BTreeSet<String> =
        stats.lines().filter_map(|l| l.split_whitespace().nth(2)).map(str::to_owned).collect();
    let expected: std::collections::BTreeSet<String> = std::fs::read_dir("/sys/block")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| counted.contains(n) && !["loop", "ram", "zram", "fd", "sr"].iter().any(|p| n.starts_with(p)))
        .collect();
    // Under the build directory: on disk, where /tmp may be a tmpfs.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("opsbook-diskio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("write.bin");
    let writing = file.clone();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        let mut f = std::fs::File::create(&writing).unwrap();
        for _ in 0..64 {
            f.write_all(&[1u8; 1 << 20]).unwrap();
        }
        f.sync_all().unwrap();
    });
    let result = run(DiskIoProbe { sample: Duration::from_secs(2), devices: vec![] }, Duration::from_secs(10)).await;
    writer.join().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let devices: std::collections::BTreeSet<String> =
        result.measurements.iter().filter_map(|m| m.labels.get("device").cloned()).collect();
    assert_eq!(devices, expected, "{result:?}");
    for m in result.measurements.iter().filter(|m| m.name == "util") {
        assert!((0.0..=100.0).contains(&m.value), "{m:?}");
    }
    if !expected.is_empty() {
        let written: f64 =
            result.measurements.iter().filter(|m| m.name == "write_bytes_per_second").map(|m| m.value).sum();
        // 64 MiB over a 2 s sample: at least 16 MiB/s across the disks (the file system may
        // sit on one of several devices; journals only add).
        assert!(written >= (16u64 << 20) as f64, "{written} B/s written: {result:?}");
    }
}

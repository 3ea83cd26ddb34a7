//! Three replica processes evaluate the same rules over the same samples, share one real
//! Redis (its own instance, `--appendonly yes --appendfsync always`) and notify a real HTTP
//! sink. They are released together; Redis is restarted mid-run; one replica is SIGKILLed
//! after taking a delivery's lease and before sending. The sink must still receive every
//! transition: each firing one exactly once, each resolved one at least once.
//!
//! The replicas are this test binary run again with OPSBOOK_REPLICA set (the
//! `replica_process` test does nothing otherwise).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opsbook::Range;
use opsbook::rules::{Condition, EventKind, Labels, Rule, RuleEngine, Sample, Selector};
use opsbook::state::{Delivery, DeliveryLog, RedisStore, delivery_id};

const EVALUATIONS: i64 = 40;
const STEP: Duration = Duration::from_millis(25);
const LEASE: Duration = Duration::from_millis(1500);

fn engine() -> RuleEngine {
    let mut rule = Rule::new(
        "HighCPU",
        Condition::Threshold { selector: Selector::new("cpu"), range: Range::parse("r", "above 80").unwrap() },
    );
    rule.severity = Some("warning".into());
    RuleEngine::new(vec![rule])
}

/// Host h's CPU at evaluation i: above and below 80 in runs of four, shifted per host.
fn samples(i: i64) -> Vec<Sample> {
    (0..3)
        .map(|h| Sample {
            metric: "cpu".into(),
            labels: [("host".to_owned(), format!("h{h}"))].into_iter().collect::<Labels>(),
            value: if ((i + h * 3) / 4) % 2 == 0 { 90.0 } else { 10.0 },
        })
        .collect()
}

/// What every replica must agree to send: (delivery id, kind).
fn expected() -> Vec<(String, EventKind)> {
    let mut e = engine();
    let mut out = Vec::new();
    for i in 0..EVALUATIONS {
        for ev in e.evaluate(i * 60_000, &samples(i)).unwrap() {
            if ev.notify {
                out.push((delivery_id(&ev), ev.kind));
            }
        }
    }
    out
}

fn post(sink: &str, body: &str) -> opsbook::Result<()> {
    let fail = |e: std::io::Error| opsbook::Error::Io { path: sink.into(), reason: e.to_string() };
    let mut s = TcpStream::connect(sink).map_err(fail)?;
    s.set_read_timeout(Some(Duration::from_secs(5))).map_err(fail)?;
    write!(
        s,
        "POST /notify HTTP/1.1\r\nHost: sink\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(fail)?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).map_err(fail)?;
    if answer.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(opsbook::Error::Io { path: sink.into(), reason: answer })
    }
}

#[test]
fn replica_process() {
    let Ok(name) = std::env::var("OPSBOOK_REPLICA") else { return };
    let redis = std::env::var("OPSBOOK_REPLICA_REDIS").unwrap();
    let sink = std::env::var("OPSBOOK_REPLICA_SINK").unwrap();
    let go = PathBuf::from(std::env::var("OPSBOOK_REPLICA_GO").unwrap());
    let stall_mark = std::env::var("OPSBOOK_REPLICA_STALL").ok().map(PathBuf::from);
    let delay = Duration::from_millis(std::env::var("OPSBOOK_REPLICA_DELAY_MS").map_or(0, |d| d.parse().unwrap()));
    let store = RedisStore::new(&redis, "replicas:").unwrap();
    let log = DeliveryLog { store: &store, owner: name, lease: LEASE, keep: Duration::from_secs(600) };
    while !go.exists() {
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut e = engine();
    let start = Instant::now() + delay;
    let mut stalled = false;
    for i in 0..EVALUATIONS {
        let due = start + STEP * i as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        for ev in e.evaluate(i * 60_000, &samples(i)).unwrap() {
            if !ev.notify {
                continue;
            }
            let id = delivery_id(&ev);
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let outcome = log.deliver(&id, || {
                    // The doomed replica stalls on the first delivery it wins, holding the
                    // lease, until the test kills it.
                    if let Some(mark) = &stall_mark
                        && !stalled
                    {
                        stalled = true;
                        std::fs::write(mark, &id).unwrap();
                        std::thread::sleep(Duration::from_secs(120));
                    }
                    post(&sink, &format!("{} {}", ev.kind.as_str(), id))
                });
                match outcome {
                    Ok(Delivery::Sent | Delivery::AlreadySent) => break,
                    // Someone holds the lease (or Redis is restarting): try again shortly.
                    Ok(Delivery::Busy) | Err(_) => {
                        assert!(Instant::now() < deadline, "delivery {id} never completed");
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            }
        }
    }
}

struct Redis {
    child: Child,
    port: u16,
    dir: PathBuf,
}

fn start_redis(port: u16, dir: &Path) -> Child {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--appendonly", "yes", "--appendfsync", "always"])
        .args(["--save", "", "--dir", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .spawn()
        .expect("start redis-server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn three_replicas_share_redis_and_notify_once() {
    if std::env::var("OPSBOOK_REPLICA").is_ok() {
        return;
    }
    if Command::new("redis-server").arg("--version").output().is_err() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "redis-server is missing: scripts/test.sh installs it");
        return eprintln!("skipped: redis-server is not installed");
    }
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("opsbook-replicas-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut redis = Redis { child: start_redis(port, &dir), port, dir: dir.clone() };

    // The sink: counts what it receives.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let sink = listener.local_addr().unwrap().to_string();
    let received = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                loop {
                    let n = s.read(&mut chunk).unwrap_or(0);
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(at) = text.find("\r\n\r\n") {
                        let len: usize = text
                            .lines()
                            .find_map(|l| l.strip_prefix("Content-Length: "))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if buf.len() >= at + 4 + len {
                            log.lock().unwrap().push(text[at + 4..at + 4 + len].to_owned());
                            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                            return;
                        }
                    }
                    if n == 0 {
                        return;
                    }
                }
            });
        }
    });

    let go = dir.join("go");
    let stall = dir.join("stalled");
    let exe = std::env::current_exe().unwrap();
    let mut replicas: Vec<Child> = (0..3)
        .map(|r| {
            let mut cmd = Command::new(&exe);
            cmd.args(["replica_process", "--exact", "--test-threads=1"])
                .env("OPSBOOK_REPLICA", format!("replica-{r}"))
                .env("OPSBOOK_REPLICA_REDIS", format!("redis://127.0.0.1:{port}/0"))
                .env("OPSBOOK_REPLICA_SINK", &sink)
                .env("OPSBOOK_REPLICA_GO", &go)
                .stdout(Stdio::null());
            if r == 0 {
                cmd.env("OPSBOOK_REPLICA_STALL", &stall);
            } else {
                // A step behind, so the doomed replica wins the first delivery.
                cmd.env("OPSBOOK_REPLICA_DELAY_MS", "30");
            }
            cmd.spawn().unwrap()
        })
        .collect();
    std::fs::write(&go, "").unwrap();

    // Restart Redis while the replicas run; its append-only file keeps what was sent.
    std::thread::sleep(STEP * 12);
    let _ = Command::new("kill").args(["-TERM", &redis.child.id().to_string()]).status();
    let _ = redis.child.wait();
    std::thread::sleep(Duration::from_millis(100));
    redis.child = start_redis(redis.port, &dir);

    // Kill the replica holding a lease the moment it says so.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !stall.exists() {
        assert!(Instant::now() < deadline, "the doomed replica never took a lease");
        std::thread::sleep(Duration::from_millis(5));
    }
    let stalled_id = std::fs::read_to_string(&stall).unwrap();
    assert!(Command::new("kill").args(["-KILL", &replicas[0].id().to_string()]).status().unwrap().success());
    let _ = replicas[0].wait();
    for child in replicas.iter_mut().skip(1) {
        let status = child.wait().unwrap();
        assert!(status.success(), "a surviving replica failed: {status}");
    }

    let got = received.lock().unwrap().clone();
    let want = expected();
    assert!(want.len() >= 20, "the run should have many transitions, not {}", want.len());
    for (id, kind) in &want {
        let count = got.iter().filter(|g| g.ends_with(id.as_str())).count();
        match kind {
            EventKind::Firing => assert_eq!(count, 1, "firing {id} sent {count} times"),
            _ => assert!(count >= 1, "resolved {id} never sent"),
        }
    }
    assert!(got.iter().any(|g| g.ends_with(&stalled_id)), "the killed replica's delivery was taken over");
    assert_eq!(got.len(), want.len(), "nothing sent twice: {got:?}");
}

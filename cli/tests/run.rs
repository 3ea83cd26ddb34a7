//! `opsbook run`: a whole pass against real sockets and a real HTTP receiver — state kept
//! between passes (a firing notification sent once, the resolved one when the service is
//! back), failures in a row counted across passes, the run lock, the default state file, and
//! one policy written in TOML and in YAML.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use serde_json::Value;

fn opsbook(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_opsbook"));
    c.args(args);
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An HTTP server that answers 200 to every POST and keeps the bodies.
fn receiver() -> (u16, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            kept.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(Value::Null));
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (port, bodies)
}

fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn policy(port: u16, hook: u16, extra: &str) -> String {
    format!(
        r#"version = 1
[[checks]]
name = "api"
type = "tcp"
host = "127.0.0.1"
port = {port}
{extra}

[[rules]]
name = "APIDown"
metric = "opsbook_check_status"
match = {{ check = "api" }}
alert_when = "at_or_above 2"
severity = "critical"
annotations = {{ summary = "api is down: status {{{{ $value }}}}" }}

[escalation.route]
receiver = "ops"
group_wait = "0s"
group_interval = "1m"
repeat_interval = "4h"

[[channels]]
name = "hook"
receiver = "ops"
type = "webhook"
url = "http://127.0.0.1:{hook}/alerts"
"#
    )
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {} {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

#[test]
fn a_pass_keeps_state_notifies_once_and_resolves() {
    let dir = temp_dir("state");
    let (hook, bodies) = receiver();
    let port = closed_port();
    let file = dir.join("policy.toml");
    std::fs::write(&file, policy(port, hook, "")).unwrap();
    let (p, s) = (file.to_str().unwrap().to_owned(), dir.join("state.json").to_str().unwrap().to_owned());
    let pass =
        |now: &str| opsbook(&["run", "--policy", &p, "--state", &s, "--now", now, "--send", "--format", "json"], &[]);

    let first = pass("2026-11-22T10:00:00Z");
    assert_eq!(first.status.code(), Some(2), "{}", String::from_utf8_lossy(&first.stderr));
    let v = json(&first);
    assert_eq!(v["notifications"][0]["state"], "delivered", "{v}");
    assert_eq!(bodies.lock().unwrap().len(), 1);
    let sent = bodies.lock().unwrap()[0].clone();
    assert_eq!(
        (sent["status"].as_str(), sent["commonLabels"]["alertname"].as_str()),
        (Some("firing"), Some("APIDown"))
    );
    // The annotation template is expanded when the rule is evaluated, as Prometheus does.
    assert_eq!(sent["alerts"][0]["annotations"]["summary"], "api is down: status 2");

    // A minute later the alert still fires: the state says it was notified, so nothing is sent.
    let second = pass("2026-11-22T10:01:00Z");
    assert_eq!(json(&second)["notifications"], serde_json::json!([]));
    assert_eq!(bodies.lock().unwrap().len(), 1);

    // The service is back: the alert resolves and the resolved notification goes out.
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let third = pass("2026-11-22T10:02:00Z");
    assert_eq!(third.status.code(), Some(0), "{}", String::from_utf8_lossy(&third.stdout));
    let v = json(&third);
    assert_eq!(v["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "resolved").count(), 1, "{v}");
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[1]["status"], "resolved");
    drop(listener);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn failures_in_a_row_are_counted_across_passes() {
    let dir = temp_dir("failures");
    let file = dir.join("policy.toml");
    std::fs::write(&file, policy(closed_port(), closed_port(), "failures_before_critical = 3")).unwrap();
    let (p, s) = (file.to_str().unwrap().to_owned(), dir.join("state.json").to_str().unwrap().to_owned());
    let mut seen = Vec::new();
    for minute in 0..4 {
        let now = format!("2026-11-22T10:0{minute}:00Z");
        let out = opsbook(&["run", "--policy", &p, "--state", &s, "--now", &now, "--format", "json"], &[]);
        let v = json(&out);
        let api = v["health"]["checks"].as_array().unwrap().iter().find(|c| c["name"] == "api").unwrap().clone();
        seen.push((api["status"].as_str().unwrap().to_owned(), api["summary"].as_str().unwrap().to_owned()));
    }
    // Each pass is a new process: the count lives in the state file.
    assert_eq!(seen[0].0, "WARNING");
    assert!(seen[0].1.starts_with("failure 1 of 3 tolerated"), "{seen:?}");
    assert!(seen[1].1.starts_with("failure 2 of 3 tolerated"), "{seen:?}");
    assert_eq!((seen[2].0.as_str(), seen[3].0.as_str()), ("CRITICAL", "CRITICAL"), "{seen:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn runs_never_overlap() {
    let dir = temp_dir("lock");
    let file = dir.join("policy.toml");
    std::fs::write(&file, policy(closed_port(), closed_port(), "")).unwrap();
    let state = dir.join("state.json");
    let (p, s) = (file.to_str().unwrap(), state.to_str().unwrap());
    // Another run holds the lock (flock on <state>.run.lock): this one does nothing, exit 3.
    let held = std::fs::File::create(dir.join("state.json.run.lock")).unwrap();
    held.lock().unwrap();
    let out = opsbook(&["run", "--policy", p, "--state", s], &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("state.json.run.lock") && err.contains("another opsbook run holds this lock"), "{err}");
    assert!(!state.exists(), "a run that did not get the lock wrote state");
    // Released (as the kernel does when the holder dies): the next run goes ahead.
    drop(held);
    let out = opsbook(&["run", "--policy", p, "--state", s], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(state.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn state_goes_to_a_file_named_after_the_policy_by_default() {
    let dir = temp_dir("default");
    let file = dir.join("edu.toml");
    std::fs::write(&file, policy(closed_port(), closed_port(), "")).unwrap();
    let states = dir.join("states");
    let out = opsbook(&["run", "--policy", file.to_str().unwrap()], &[("OPSBOOK_STATE_DIR", states.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let names: Vec<String> =
        std::fs::read_dir(&states).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let state = names.iter().find(|n| n.ends_with(".state.json")).unwrap_or_else(|| panic!("{names:?}"));
    assert!(state.starts_with("edu-") && state.len() == "edu-".len() + 8 + ".state.json".len(), "{state}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn one_policy_in_toml_and_in_yaml() {
    let dir = temp_dir("yaml");
    let toml = dir.join("p.toml");
    let yaml = dir.join("p.yaml");
    std::fs::write(
        &toml,
        "version = 1\n\n[[checks]]\nname = \"disk\"\ntype = \"disk\"\nmounts = [\"/\"]\n\
         thresholds.used = { warn = { above = 80 }, crit = { above = 90 } }\n\n\
         [[rules]]\nname = \"DiskFull\"\nmetric = \"opsbook_disk_used_percent\"\nalert_when = \"above 90\"\n\
         for = \"10m\"\nseverity = \"critical\"\nannotations = { summary = \"磁盘空间不足\" }\n\n\
         [maintenance]\ntitle = \"示例\"\ntz = \"Asia/Shanghai\"\n",
    )
    .unwrap();
    std::fs::write(
        &yaml,
        "version: 1\nchecks:\n  - name: disk\n    type: disk\n    mounts: [\"/\"]\n    thresholds:\n      \
         used: {warn: {above: 80}, crit: {above: 90}}\nrules:\n  - name: DiskFull\n    \
         metric: opsbook_disk_used_percent\n    alert_when: above 90\n    for: 10m\n    severity: critical\n    \
         annotations: {summary: 磁盘空间不足}\nmaintenance:\n  title: 示例\n  tz: Asia/Shanghai\n",
    )
    .unwrap();
    let check = |f: &std::path::Path| opsbook(&["policy", "check", f.to_str().unwrap()], &[]);
    let (a, b) = (check(&toml), check(&yaml));
    assert_eq!(a.status.code(), Some(0), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout, "the same policy in both languages");
    let export = |f: &std::path::Path| opsbook(&["rules", "export", "--policy", f.to_str().unwrap()], &[]).stdout;
    assert_eq!(export(&toml), export(&yaml));
    // An error names the file, the line and the key in either language.
    std::fs::write(&yaml, "version: 1\nchecks:\n  - name: disk\n    type: disk\n    mount: [\"/\"]\n").unwrap();
    let err = String::from_utf8_lossy(&check(&yaml).stderr).into_owned();
    assert!(err.contains("p.yaml:5: checks[0] (disk)") && err.contains("unknown field `mount`"), "{err}");
    std::fs::write(
        &toml,
        "version = 1\n\n[[checks]]\nname = \"disk\"\ntype = \"disk\"\nthresholds.used = { warn = \"9:1\" }\n",
    )
    .unwrap();
    let err = String::from_utf8_lossy(&check(&toml).stderr).into_owned();
    assert!(err.contains("p.toml:6: checks[0] (disk).thresholds.used.warn") && err.contains("\"9:1\""), "{err}");
    // Anchors and aliases are refused (they are how a small file becomes a huge one).
    std::fs::write(&yaml, "version: 1\nx: &a [1]\ny: *a\n").unwrap();
    let err = String::from_utf8_lossy(&check(&yaml).stderr).into_owned();
    assert!(err.contains("p.yaml") && err.contains("anchors and aliases are not accepted"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_a_policy_a_pass_checks_this_host() {
    let dir = temp_dir("embedded");
    let out = opsbook(&["run", "--format", "json"], &[("OPSBOOK_STATE_DIR", dir.to_str().unwrap())]);
    // This machine's health decides the code (0-2), never a failure to run.
    assert!(matches!(out.status.code(), Some(0..=2)), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let names: Vec<&str> =
        v["health"]["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cpu", "memory", "swap", "load", "disk"]);
    assert_eq!(v["report"]["title"], "本机每日检查");
    assert!(std::fs::read_dir(&dir).unwrap().any(|e| {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        name.starts_with("default-") && name.ends_with(".state.json")
    }));
    // The embedded policy is an ordinary policy: printed, it checks.
    let printed = opsbook(&["run", "--print-default-policy"], &[]);
    let file = dir.join("default.toml");
    std::fs::write(&file, &printed.stdout).unwrap();
    let checked = opsbook(&["policy", "check", file.to_str().unwrap()], &[]);
    assert_eq!(checked.status.code(), Some(0), "{}", String::from_utf8_lossy(&checked.stderr));
    assert!(String::from_utf8_lossy(&checked.stdout).starts_with("policy OK: version 1\nchecks: 5\nrules: 3\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One command to a Redis server over RESP (the test needs nothing more).
fn redis_command(url: &str, args: &[&str]) -> String {
    let addr = url.trim_start_matches("redis://").trim_end_matches('/');
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    let mut cmd = format!("*{}\r\n", args.len());
    for a in args {
        cmd.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    conn.write_all(cmd.as_bytes()).unwrap();
    let mut reply = [0u8; 512];
    let n = conn.read(&mut reply).unwrap();
    String::from_utf8_lossy(&reply[..n]).into_owned()
}

#[test]
fn state_and_lock_in_redis() {
    let url = match std::env::var("OPSBOOK_TEST_REDIS_URL") {
        Ok(u) => u,
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => panic!("OPSBOOK_TEST_REDIS_URL is not set"),
        Err(_) => return eprintln!("skipped: OPSBOOK_TEST_REDIS_URL is not set"),
    };
    let dir = temp_dir("redis");
    let (hook, bodies) = receiver();
    let prefix = format!("runtest-{}:", std::process::id());
    let file = dir.join("policy.toml");
    let state =
        format!("\n[state]\nbackend = \"redis\"\nurl_env = \"OPSBOOK_TEST_REDIS_URL\"\nprefix = \"{prefix}\"\n");
    std::fs::write(&file, policy(closed_port(), hook, "") + &state).unwrap();
    let p = file.to_str().unwrap().to_owned();
    let env = [("OPSBOOK_TEST_REDIS_URL", url.as_str())];
    let pass = |now: &str| opsbook(&["run", "--policy", &p, "--now", now, "--send", "--format", "json"], &env);
    let first = pass("2026-11-22T10:00:00Z");
    assert_eq!(first.status.code(), Some(2), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(json(&first)["state"], "redis from $OPSBOOK_TEST_REDIS_URL");
    assert_eq!(bodies.lock().unwrap().len(), 1);
    // The second pass reads what the first kept in Redis: nothing new to send.
    let second = pass("2026-11-22T10:01:00Z");
    assert_eq!(json(&second)["notifications"], serde_json::json!([]));
    assert_eq!(bodies.lock().unwrap().len(), 1);
    // Another replica holds the run lease: this pass does nothing.
    let lease = format!("{prefix}lock:run");
    assert!(redis_command(&url, &["SET", &lease, "other-host:1", "PX", "60000"]).starts_with("+OK"));
    let blocked = pass("2026-11-22T10:02:00Z");
    assert_eq!(blocked.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&blocked.stderr).contains("another opsbook run holds this lease"));
    redis_command(&url, &["DEL", &lease]);
    assert_eq!(pass("2026-11-22T10:03:00Z").status.code(), Some(2));
    for key in ["rules", "notifications", "pass:failures", "lock:state"] {
        redis_command(&url, &["DEL", &format!("{prefix}{key}")]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

//! `opsbook logs analyze` over files written here with known contents.

use std::process::Command;

#[test]
fn analyze_access_and_app_logs() {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-logs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut access = String::new();
    for i in 0..40 {
        let status = if i % 4 == 0 { 500 } else { 200 };
        access.push_str(&format!(
            "10.0.0.{} - - [01/May/2024:16:00:00 +0800] \"GET /api/users/{i} HTTP/1.1\" {status} 10 \"-\" \"ua\" 0.{:03}\n",
            i % 2,
            i * 10 + 5
        ));
    }
    std::fs::write(dir.join("access.log"), access).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["logs", "analyze", "--input-format", "nginx", "--format", "json", "--ip-limit", "15"])
        .arg(dir.join("access.log"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["requests"], 40);
    let e = &v["endpoints"][0];
    assert_eq!(
        (e["endpoint"].as_str(), e["requests"].as_u64(), e["errors"].as_u64()),
        (Some("GET /api/users/{id}"), Some(40), Some(10))
    );
    assert_eq!(e["error_rate"], 25);
    // Durations 5, 15, ..., 395 ms: nearest-rank p95 is the 38th = 375 ms.
    assert_eq!(e["p95_ms"], 375);
    assert_eq!(v["busy_ips"], serde_json::json!([["10.0.0.0", 20], ["10.0.0.1", 20]]));

    let md = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["logs", "analyze", "--input-format", "nginx"])
        .arg(dir.join("access.log"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&md.stdout).contains("| GET /api/users/{id} | 40 | 10 | 25.0% | 375 |"));

    let bad = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["logs", "analyze", "--input-format", "(?P<when>x)"])
        .arg(dir.join("access.log"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("when"));
    let missing =
        Command::new(env!("CARGO_BIN_EXE_opsbook")).args(["logs", "analyze", "/nonexistent/x.log"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/x.log"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn log_vectors_through_the_command() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/logs.json");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = file["cases"].as_array().unwrap();
    let dir = std::env::temp_dir().join(format!("opsbook-cli-logvec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (i, case) in cases.iter().enumerate() {
        let log = dir.join(format!("{i}.log"));
        let lines: Vec<&str> = case["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
        std::fs::write(&log, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsbook"));
        cmd.args(["logs", "analyze", "--format", "json", "--input-format", case["format"].as_str().unwrap()]).arg(&log);
        for (k, v) in case["options"].as_object().unwrap() {
            let value = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            cmd.arg(format!("--{}", k.replace('_', "-"))).arg(value);
        }
        let out = cmd.output().unwrap();
        let name = case["name"].as_str().unwrap();
        match (case.get("want"), case.get("error")) {
            (Some(want), _) => {
                let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
                assert_eq!(&got, want, "{name}: {}", String::from_utf8_lossy(&out.stderr));
            }
            (_, Some(parts)) => {
                assert_ne!(out.status.code(), Some(0), "{name}");
                let stderr = String::from_utf8_lossy(&out.stderr);
                // Options the command takes as flags are refused by its parser instead.
                let flag_refused = stderr.contains("unexpected argument") || stderr.contains("invalid value");
                assert!(
                    flag_refused || parts.as_array().unwrap().iter().all(|p| stderr.contains(p.as_str().unwrap())),
                    "{name}: {stderr}"
                );
            }
            _ => unreachable!(),
        }
    }
    assert_eq!(cases.len(), 8);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plan_then_apply_the_lifecycle() {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-lifecycle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let now = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_714_550_400);
    for (name, days) in [("new.log", 1u64), ("old.log", 10), ("older.log.gz", 40)] {
        std::fs::write(dir.join(name), "x\n").unwrap();
        let f = std::fs::File::options().write(true).open(dir.join(name)).unwrap();
        f.set_modified(now - std::time::Duration::from_secs(days * 86_400)).unwrap();
    }
    let run = |apply: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsbook"));
        cmd.args([
            "logs",
            "plan",
            "--compress-after",
            "7",
            "--delete-compressed-after",
            "30",
            "--now",
            "1714550400",
            "--format",
            "json",
        ])
        .arg(&dir);
        if apply {
            cmd.arg("--apply");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let planned = run(false);
    let actions: Vec<(&str, &str)> = planned
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["action"].as_str().unwrap(), p["path"].as_str().unwrap().rsplit('/').next().unwrap()))
        .collect();
    assert_eq!(actions, vec![("compress", "old.log"), ("delete", "older.log.gz")]);
    assert!(dir.join("old.log").exists(), "planning touches nothing");
    let done = run(true);
    assert!(done.as_array().unwrap().iter().all(|d| d["done"] == true));
    let mut left: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    assert_eq!(left, vec!["new.log", "old.log.gz"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plan_the_policys_lifecycle_entries() {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-lifecycle-policy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::create_dir_all(dir.join("nginx")).unwrap();
    let now = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_714_550_400);
    // The work-record manual's tiers: hot 7 days, warm 30 (moved), cold 90 (deleted).
    for (name, days) in [("app/a.log", 3u64), ("app/b.log", 8), ("nginx/c.log", 31), ("nginx/d.log.gz", 100)] {
        std::fs::write(dir.join(name), "x\n").unwrap();
        let f = std::fs::File::options().write(true).open(dir.join(name)).unwrap();
        f.set_modified(now - std::time::Duration::from_secs(days * 86_400)).unwrap();
    }
    let d = dir.display();
    let policy = dir.join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "version = 1\n[logs]\n[[logs.lifecycle]]\ndir = \"{d}/app\"\ncompress_after = 7\n\
             [[logs.lifecycle]]\ndir = \"{d}/nginx\"\ndelete_after = 90\n\
             [[logs.lifecycle.tiers]]\nname = \"warm\"\nafter_days = 30\ndir = \"{d}/warm\"\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["logs", "plan", "--policy", policy.to_str().unwrap(), "--now", "1714550400", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let planned: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<(&str, &str, Option<&str>)> = planned
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["action"].as_str().unwrap(), p["path"].as_str().unwrap(), p["to"].as_str()))
        .collect();
    let path = |n: &str| format!("{d}/{n}");
    assert_eq!(
        actions,
        vec![
            ("compress", path("app/b.log").as_str(), None),
            ("move", path("nginx/c.log").as_str(), Some(path("warm/c.log").as_str())),
            ("delete", path("nginx/d.log.gz").as_str(), None),
        ]
    );
    // A policy key that is not a rule is refused, naming it.
    std::fs::write(&policy, "version = 1\n[logs]\n[[logs.lifecycle]]\ndir = \"/x\"\ncompress_afterr = 7\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["logs", "plan", "--policy", policy.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("logs.lifecycle[0]"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The AI tutoring manual's log monitor as a check: more than 10 ERROR lines warn, an IP
/// with more than 1000 requests is critical (here the limit is 3, on a short log).
#[test]
fn a_log_analysis_is_a_check_with_thresholds() {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-logcheck-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let app: String = (0..11).map(|i| format!("2024-05-01 16:00:{i:02} ERROR LLM API Error: upstream 502\n")).collect();
    std::fs::write(dir.join("app.log"), app).unwrap();
    let access: String = (0..4)
        .map(|i| {
            let status = if i == 3 { 503 } else { 200 };
            format!(
                "203.0.113.7 - - [01/May/2024:16:00:0{i} +0800] \"GET /api/chat HTTP/1.1\" {status} 10 \"-\" \"ua\"\n"
            )
        })
        .collect();
    std::fs::write(dir.join("access.log"), access).unwrap();
    let d = dir.display();
    let policy = dir.join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            r#"version = 1
[[checks]]
name = "app-log"
type = "log_analysis"
files = ["{d}/app.log"]
thresholds = {{ log_errors = {{ warn = {{ above = 10 }} }} }}

[[checks]]
name = "access-log"
type = "log_analysis"
files = ["{d}/access.log"]
input_format = "nginx"
ip_limit = 3
thresholds = {{ busy_ips = {{ crit = {{ above = 0 }} }} }}
"#
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["check", "--policy", policy.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = |name: &str| report["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone();
    let value = |c: &serde_json::Value, m: &str| {
        c["measurements"].as_array().unwrap().iter().find(|x| x["name"] == m).unwrap()["value"].as_f64().unwrap()
    };
    let app = check("app-log");
    assert_eq!((app["status"].as_str(), value(&app, "log_errors")), (Some("WARNING"), 11.0), "{app}");
    let access = check("access-log");
    assert_eq!((access["status"].as_str(), value(&access, "busy_ips")), (Some("CRITICAL"), 1.0), "{access}");
    // One 503 of four requests: a 25 % 5xx rate; a log without requests has no rate at all.
    assert_eq!(value(&access, "http_error_rate"), 25.0, "{access}");
    assert!(!app["measurements"].as_array().unwrap().iter().any(|m| m["name"] == "http_error_rate"), "{app}");
    assert_eq!(out.status.code(), Some(2));
    // A bad option names the check and the key.
    std::fs::write(
        &policy,
        "version = 1\n[[checks]]\nname = \"l\"\ntype = \"log_analysis\"\nfiles = [\"x\"]\nip_limt = 3\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["policy", "check", policy.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("checks[0]") && err.contains("ip_limt"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

//! `opsbook report`: the daily check from a policy run against real sockets and real log files
//! (plain and gzip), a missing log, the rules evaluated on the results, the plan's records and
//! checklists; the monthly report; the parts vectors through `report render`.

use std::process::Command;

use serde_json::Value;

fn opsbook(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook")).args(args).output().unwrap()
}

fn items(report: &Value, kind: &str) -> Vec<(String, String)> {
    report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == kind)
        .flat_map(|s| s["items"].as_array().unwrap().iter())
        .map(|i| (i["mark"].as_str().unwrap().to_owned(), i["text"].as_str().unwrap().to_owned()))
        .collect()
}

fn pair(mark: &str, text: &str) -> (String, String) {
    (mark.to_owned(), text.to_owned())
}

#[test]
fn daily_and_monthly_from_a_policy() {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    // A listening port (the service is up) and a closed one (it is down).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let up = listener.local_addr().unwrap().port();
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // Today's log: 2 errors inside the window, 1 from two days ago (outside 24h); yesterday's
    // rotated log, gzipped: 1 error inside the window.
    std::fs::write(
        dir.join("logs/app.log"),
        "2024-07-03T08:00:00Z ERROR TimeoutError: old\n\
         2024-07-04T20:00:00Z ERROR TimeoutError: upstream 1\n\
         2024-07-04T21:00:00Z INFO fine\n\
         2024-07-04T22:00:00Z ERROR ValueError: bad id 42\n",
    )
    .unwrap();
    std::fs::write(dir.join("logs/app.log.1"), "2024-07-04T09:00:00Z ERROR TimeoutError: upstream 2\n").unwrap();
    assert!(Command::new("gzip").arg(dir.join("logs/app.log.1")).status().unwrap().success());
    let records = dir.join("records.jsonl");
    std::fs::write(
        &records,
        concat!(
            r#"{"time":"2024-07-01T02:00:00Z","operator":"张三","kind":"例行维护","task":"日志清理","description":"","result":"ok"}"#,
            "\n",
            r#"{"time":"2024-06-30T02:00:00Z","operator":"李四","kind":"例行维护","task":"日志清理","description":"","result":"ok"}"#,
            "\n"
        ),
    )
    .unwrap();
    let d = dir.display();
    let policy = dir.join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            r#"version = 1
[[checks]]
name = "api"
type = "tcp"
host = "127.0.0.1"
port = {up}

[[checks]]
name = "worker"
type = "tcp"
host = "127.0.0.1"
port = {down}

[[rules]]
name = "WorkerDown"
metric = "opsbook_check_status"
match = {{ check = "worker" }}
alert_when = "at_or_above 2"
labels = {{ severity = "critical" }}
annotations = {{ summary = "worker 端口不可达" }}

[escalation]
severities = {{ critical = "Level 2" }}
[[escalation.levels]]
name = "Level 2"
response = "1h"
contacts = ["lead"]

[logs]
[[logs.analyses]]
name = "app"
files = ["{d}/logs/app.log", "{d}/logs/app.log.1.gz"]
since = "24h"
[[logs.analyses]]
name = "gone"
files = ["{d}/logs/missing.log"]

[capacity]
months = 6
[[capacity.resources]]
name = "disk"
current = 100
monthly_growth = 0.1

[maintenance]
title = "edu"
language = "en"
tz = "UTC"
records = "{d}/records.jsonl"
[[maintenance.tasks]]
name = "日志清理"
every = "weekly"
[[maintenance.checklists]]
name = "Daily checklist"
items = [{{ text = "API up", check = "api" }}, {{ text = "Worker up", check = "worker" }}, {{ text = "Monitoring normal" }}]
[[maintenance.checklists]]
name = "Monthly checklist"
report = "monthly"
items = [{{ text = "Full backup done" }}]
"#
        ),
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let out_file = dir.join("reports/daily.json");
    let out = opsbook(&[
        "report",
        "daily",
        "--policy",
        p,
        "--now",
        "2024-07-05T00:00:00Z",
        "--format",
        "json",
        "--output",
        out_file.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "the worker is down: CRITICAL; {stderr}");
    assert_eq!(std::fs::read(&out_file).unwrap(), out.stdout, "--output holds what was printed");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["title"], "edu daily check");
    assert_eq!(report["status"], "CRITICAL");
    let checks = items(&report, "checks");
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0].0, "ok");
    assert!(checks[0].1.starts_with("api: "), "{checks:?}");
    assert_eq!(checks[1].0, "fail");
    assert!(checks[1].1.starts_with("worker: ") && checks[1].1.contains(&down.to_string()), "{checks:?}");
    assert_eq!(
        items(&report, "alerts"),
        [pair("fail", "[critical] WorkerDown: worker 端口不可达 (since 2024-07-05 00:00:00 UTC)")]
    );
    // The firing rule opened an incident at the critical severity's level.
    assert_eq!(
        items(&report, "incidents"),
        [pair("fail", "INC-0001 WorkerDown [Level 2]: open (since 2024-07-05 00:00:00 UTC)")]
    );
    // 3 errors in the window (2 plain + 1 gzip), the 3 July one left out; the missing file is a ✗.
    let logs = items(&report, "logs");
    assert_eq!(logs[0], pair("warn", "app: 3 errors"));
    assert_eq!(logs[1..3], [pair("info", "TimeoutError: 2 times"), pair("info", "ValueError: 1 times")]);
    assert_eq!(logs.len(), 4, "{logs:?}");
    assert_eq!(logs[3].0, "fail");
    assert!(logs[3].1.starts_with("gone: ") && logs[3].1.contains("missing.log"), "{logs:?}");
    assert_eq!(
        items(&report, "capacity"),
        [pair("warn", "disk needs expansion planning: 100 → 177.16 in 6 months (+77.2%)")]
    );
    // Done 1 July 02:00 weekly: next due 8 July.
    assert_eq!(items(&report, "maintenance"), [pair("ok", "日志清理 (weekly): next due 2024-07-08 02:00:00 UTC")]);
    assert_eq!(items(&report, "records"), [pair("info", "no records in this period")], "none in the last 24 hours");
    assert_eq!(
        items(&report, "checklist"),
        [pair("ok", "API up"), pair("fail", "Worker up (worker: CRITICAL)"), pair("todo", "Monitoring normal")]
    );

    // The month of July up to the 5th: the 1 July record, not the 30 June one; the monthly checklist.
    let out = opsbook(&["report", "monthly", "--policy", p, "--now", "2024-07-05T00:00:00Z", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["title"], "edu monthly maintenance report");
    assert_eq!(items(&report, "records"), [pair("info", "2024-07-01 02:00:00 UTC 张三 [例行维护] 日志清理 → ok")]);
    assert_eq!(items(&report, "checklist"), [pair("todo", "Full backup done")]);

    // With kept state (empty: no rule has fired in it), the alerts are the state's, not this run's.
    let state = dir.join("state.json");
    let out = opsbook(&[
        "report",
        "daily",
        "--policy",
        p,
        "--now",
        "2024-07-05T00:00:00Z",
        "--format",
        "json",
        "--state",
        state.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items(&report, "alerts"), [pair("ok", "no active alerts")]);
    assert_eq!(items(&report, "incidents"), [pair("ok", "no incidents")]);

    // The text form is daily_check.sh's.
    let out = opsbook(&["report", "daily", "--policy", p, "--now", "2024-07-05T00:00:00Z"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("=== edu daily check 2024-07-05 00:00:00 UTC ===\n1. Checks\n  ✓ api: "), "{text}");
    assert!(text.ends_with("=== Check complete: ✗ CRITICAL (3 ok, 2 warnings, 5 failures, 1 to do) ===\n"), "{text}");
    drop(listener);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_policy_and_parts_exit_3_naming_the_key() {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-report-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.toml");
    std::fs::write(
        &policy,
        "version = 1\n[logs]\n[[logs.analyses]]\nname = \"a\"\nfiles = [\"x\"]\nsince = \"yesterday\"\n",
    )
    .unwrap();
    let out = opsbook(&["report", "daily", "--policy", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("logs.analyses[0].since") && err.contains("yesterday"), "{err}");
    std::fs::write(
        &policy,
        "version = 1\n[maintenance]\n[[maintenance.checklists]]\nname = \"c\"\nitems = [{ txt = \"x\" }]\n",
    )
    .unwrap();
    let out = opsbook(&["report", "daily", "--policy", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("maintenance.checklists[0].items[0]") && err.contains("txt"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// tests/vectors/daily_reports.json through the command: `report render` of each case's parts.
#[test]
fn daily_report_vectors_through_the_command() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/daily_reports.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let cases = file["cases"].as_array().unwrap();
    let dir = std::env::temp_dir().join(format!("opsbook-cli-report-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let parts = dir.join(format!("{id}.json"));
        std::fs::write(&parts, case["parts"].to_string()).unwrap();
        let p = parts.to_str().unwrap();
        if let Some(error) = case.get("error") {
            let out = opsbook(&["report", "render", p]);
            assert_eq!(out.status.code(), Some(3), "{id}");
            let err = String::from_utf8_lossy(&out.stderr);
            for part in error.as_array().unwrap() {
                assert!(err.contains(part.as_str().unwrap()), "{id}: {err}");
            }
            continue;
        }
        let code = match case["status"].as_str().unwrap() {
            "OK" => 0,
            "WARNING" => 1,
            _ => 2,
        };
        for format in ["text", "markdown", "json"] {
            let out = opsbook(&["report", "render", p, "--format", format]);
            assert_eq!(out.status.code(), Some(code), "{id} {format}");
            let got = String::from_utf8(out.stdout).unwrap();
            if format == "json" {
                assert_eq!(serde_json::from_str::<Value>(&got).unwrap(), case["json"], "{id}");
            } else {
                assert_eq!(got, case[format].as_str().unwrap(), "{id} {format}");
            }
        }
    }
    assert_eq!(cases.len(), 25);
    let _ = std::fs::remove_dir_all(&dir);
}

//! tests/vectors/alerting.json through the command an operator runs from cron and a shell:
//! `rules eval --state` for each evaluation, `rules advance` between them, `incidents
//! ack|resolve|record` by hand, `incidents list` at the end, `policy check` for bad policies.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

fn opsbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook")).args(args).output().expect("run opsbook")
}

fn json_out(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn seconds(rfc3339: &Value) -> i64 {
    rfc3339.as_str().unwrap().parse::<jiff::Timestamp>().unwrap().as_second()
}

/// A webhook-shaped notification as the vectors write it.
fn notification(n: &Value) -> Value {
    let mut alerts: Vec<String> = n["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let labels: Vec<String> =
                a["labels"].as_object().unwrap().iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap())).collect();
            format!("{}:{}", labels.join(","), a["status"].as_str().unwrap())
        })
        .collect();
    alerts.sort();
    json!({"time": seconds(&n["time"]), "receiver": n["receiver"], "status": n["status"], "group_labels": n["groupLabels"], "alerts": alerts})
}

fn run_case(c: &Value, dir: &Path) -> (Vec<Value>, Vec<Value>, Vec<Value>, Vec<Value>) {
    let id = c["id"].as_str().unwrap();
    let policy = dir.join(format!("{id}.json"));
    std::fs::write(&policy, c["policy"].to_string()).unwrap();
    let state = dir.join(format!("{id}.state.json"));
    let (policy, state) = (policy.to_str().unwrap().to_owned(), state.to_str().unwrap().to_owned());
    let (mut notifications, mut escalations, mut opened) = (Vec::new(), Vec::new(), Vec::new());
    let text = |v: &Value, k: &str| v[k].as_str().unwrap().to_owned();
    for s in c["steps"].as_array().unwrap() {
        let time = s["time"].as_i64().unwrap().to_string();
        let out = if let Some(samples) = s.get("samples") {
            let lines: Vec<String> = samples
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    let mut x = x.clone();
                    x["time"] = s["time"].clone();
                    x.to_string()
                })
                .collect();
            let file = dir.join(format!("{id}.{time}.jsonl"));
            std::fs::write(&file, lines.join("\n")).unwrap();
            let f = file.to_str().unwrap();
            opsbook(&["rules", "eval", "--policy", &policy, "--samples", f, "--state", &state, "--format", "json"])
        } else if s.get("advance").is_some() {
            opsbook(&["rules", "advance", "--policy", &policy, "--state", &state, "--time", &time, "--format", "json"])
        } else if let Some(a) = s.get("acknowledge") {
            let (inc, by) = (text(a, "incident"), text(a, "by"));
            opsbook(&["incidents", "ack", &inc, "--policy", &policy, "--state", &state, "--by", &by, "--time", &time])
        } else if let Some(r) = s.get("resolve") {
            let (inc, by, note) = (text(r, "incident"), text(r, "by"), text(r, "note"));
            opsbook(&[
                "incidents",
                "resolve",
                &inc,
                "--policy",
                &policy,
                "--state",
                &state,
                "--by",
                &by,
                "--note",
                &note,
                "--time",
                &time,
            ])
        } else if let Some(r) = s.get("record") {
            let (inc, what) = (text(r, "incident"), text(r, "what"));
            opsbook(&["incidents", "record", &inc, &what, "--policy", &policy, "--state", &state, "--time", &time])
        } else {
            panic!("{id}: unknown step {s}");
        };
        if let Some(want) = s.get("error") {
            assert_eq!(out.status.code(), Some(3), "{id}: {s}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(want["field"].as_str().unwrap()), "{id}: {stderr}");
            continue;
        }
        if s.get("samples").is_none() && s.get("advance").is_none() {
            assert_eq!(out.status.code(), Some(0), "{id}: {}", String::from_utf8_lossy(&out.stderr));
            continue;
        }
        let doc = json_out(&out);
        notifications.extend(doc["notifications"].as_array().unwrap().iter().map(notification));
        escalations.extend(
            doc["escalations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| json!({"time": seconds(&e["time"]), "incident": e["incident"], "level": e["level"]})),
        );
        opened.extend(
            doc["opened"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| json!({"time": seconds(&e["time"]), "incident": e["incident"]})),
        );
    }
    let has_levels = c["policy"]["escalation"].get("levels").is_some();
    let incidents = if has_levels {
        let doc =
            json_out(&opsbook(&["incidents", "list", "--policy", &policy, "--state", &state, "--format", "json"]));
        doc["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let timeline: Vec<Value> = i["timeline"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| json!({"time": seconds(&t["time"]), "what": t["what"]}))
                    .collect();
                json!({"id": i["id"], "kind": i["kind"], "status": i["status"], "level": i["level"], "timeline": timeline})
            })
            .collect()
    } else {
        Vec::new()
    };
    (notifications, escalations, opened, incidents)
}

#[test]
fn replays_alerting_vectors_through_the_command() {
    let path = format!("{}/../tests/vectors/alerting.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("opsbook-cli-alerting-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        if let Some(err) = c.get("error") {
            let file = dir.join(format!("{id}.json"));
            std::fs::write(&file, c["policy"].to_string()).unwrap();
            let out = opsbook(&["policy", "check", file.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(3), "{id}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(err["field"].as_str().unwrap()), "{id}: {stderr}");
        } else {
            let (n, e, o, i) = run_case(c, &dir);
            let want = &c["expect"];
            assert_eq!(json!(n), want["notifications"], "{id}: notifications");
            assert_eq!(json!(e), want["escalations"], "{id}: escalations");
            assert_eq!(json!(o), want["opened"], "{id}: opened");
            assert_eq!(json!(i), want["incidents"], "{id}: incidents");
        }
        replayed += 1;
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(replayed, 15);
}

#[test]
fn policy_check_summarises_and_never_prints_the_redis_url() {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("policy.toml");
    std::fs::write(
        &file,
        r#"version = 1
[[rules]]
name = "HighCPU"
metric = "cpu_usage_percent"
alert_when = "above 80"

[escalation]
severities = { critical = "P1" }
[[escalation.levels]]
name = "P0"
response = "5m"
[[escalation.levels]]
name = "P1"
response = "15m"
[escalation.route]
receiver = "ops"

[state]
backend = "redis"
url_env = "OPSBOOK_TEST_STATE_URL"
"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["policy", "check", file.to_str().unwrap()])
        .env("OPSBOOK_TEST_STATE_URL", "redis://:hunter2@127.0.0.1:1/")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        text,
        "policy OK: version 1\nchecks: 0\nrules: 1\nescalation: 2 levels [P0 (5m), P1 (15m)], a route, 0 silences, 0 inhibit rules\nstate: redis from $OPSBOOK_TEST_STATE_URL\n"
    );
    // A misspelt key names the file, the line it is on, the key's path and the unknown field.
    std::fs::write(&file, "version = 1\n[escalation]\n[[escalation.levels]]\nname = \"P0\"\nrespons = \"5m\"\n")
        .unwrap();
    let out = opsbook(&["policy", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("policy.toml:5: escalation.levels[0]") && err.contains("unknown field `respons`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn concurrent_commands_on_one_state_file_lose_no_update() {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-lease-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.toml");
    let state = dir.join("state.json");
    std::fs::write(
        &policy,
        "version = 1\n[[rules]]\nname = \"Down\"\nmetric = \"up\"\nalert_when = \"below 1\"\n\
         [escalation]\n[[escalation.levels]]\nname = \"P0\"\nresponse = \"5m\"\n",
    )
    .unwrap();
    let samples = dir.join("s.jsonl");
    std::fs::write(&samples, "{\"time\": 0, \"metric\": \"up\", \"labels\": {}, \"value\": 0}\n").unwrap();
    let (p, s) = (policy.to_str().unwrap(), state.to_str().unwrap());
    json_out(&opsbook(&[
        "rules",
        "eval",
        "--policy",
        p,
        "--samples",
        samples.to_str().unwrap(),
        "--state",
        s,
        "--format",
        "json",
    ]));
    // Twelve operators record at once: each load-change-save holds the state lease, so every
    // line lands (without it, later saves would overwrite earlier ones).
    let children: Vec<_> = (0..12)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_opsbook"))
                .args(["incidents", "record", "INC-0001", &format!("step {i}"), "--policy", p, "--state", s])
                .args(["--time", &(60 + i).to_string()])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let doc = json_out(&opsbook(&["incidents", "show", "INC-0001", "--policy", p, "--state", s, "--format", "json"]));
    let mut lines: Vec<String> =
        doc["timeline"].as_array().unwrap().iter().skip(1).map(|e| e["what"].as_str().unwrap().to_owned()).collect();
    lines.sort();
    let mut want: Vec<String> = (0..12).map(|i| format!("step {i}")).collect();
    want.sort();
    assert_eq!(lines, want);
    std::fs::remove_dir_all(&dir).unwrap();
}

//! `opsbook rules eval` and `opsbook rules export` as an operator runs them, on
//! tests/rules/ (the policy and samples the promtool suite also checks against Prometheus).

use std::process::{Command, Output};

fn opsbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook")).args(args).output().expect("run opsbook")
}

fn fixture(name: &str) -> String {
    format!("{}/../tests/rules/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn eval_prints_each_transition_in_time_order() {
    let out = opsbook(&["rules", "eval", "--policy", &fixture("policy.toml"), "--samples", &fixture("samples.jsonl")]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // cpu 50 85 90 95 …, above 80 for 2m: pending at 1m, firing at 3m (hand-traced).
    assert!(
        lines.contains(&"1970-01-01T00:01:00Z pending HighCPU {instance=\"a\", severity=\"warning\"} value=85"),
        "{text}"
    );
    assert!(
        lines.contains(&"1970-01-01T00:03:00Z firing HighCPU {instance=\"a\", severity=\"warning\"} value=95"),
        "{text}"
    );
    // cpu falls to 70 at 4m; keep_firing_for 2m holds it until 6m, when it resolves.
    assert!(
        lines.contains(&"1970-01-01T00:06:00Z resolved HighCPU {instance=\"a\", severity=\"warning\"} value=95"),
        "{text}"
    );
    // 5xx 8/100 > 5 % for 1m.
    assert!(
        lines.contains(&"1970-01-01T00:02:00Z firing HighErrorRatio {severity=\"critical\", svc=\"api\"} value=0.08"),
        "{text}"
    );
    let times: Vec<&str> = lines.iter().map(|l| l.split(' ').next().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "not in time order");

    let out = opsbook(&[
        "rules",
        "eval",
        "--policy",
        &fixture("policy.toml"),
        "--samples",
        &fixture("samples.jsonl"),
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &doc["events"][0];
    assert_eq!(first["kind"], "pending");
    assert_eq!(first["fingerprint"].as_str().unwrap().len(), 16);
}

#[test]
fn export_writes_prometheus_rules() {
    let out = opsbook(&["rules", "export", "--policy", &fixture("policy.toml")]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("expr: \"cpu_usage_percent > 80\""), "{text}");
    assert!(text.contains("expr: \"(http_5xx / http_total) > 0.05\""), "{text}");
    assert!(text.contains("expr: \"predict_linear(avail_bytes[5m], 3600) < 0\""), "{text}");
    assert!(text.contains("expr: \"disk_free_percent < 10\""), "{text}");
    assert!(text.contains("keep_firing_for: 2m"), "{text}");
}

#[test]
fn bad_rules_and_samples_exit_3_naming_the_place() {
    let dir = std::env::temp_dir().join(format!("opsbook-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("bad.toml");
    std::fs::write(&policy, "version = 1\n[[rules]]\nname = \"X\"\nmetric = \"m\"\nalert_when = \"above\"\n").unwrap();
    let out = opsbook(&["rules", "export", "--policy", policy.to_str().unwrap()]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.code() == Some(3) && err.contains("rules[0] (X).alert_when"), "{err}");
    std::fs::write(
        &policy,
        "version = 1\n[[rules]]\nname = \"X\"\nmetric = \"m\"\nalert_when = \"above 1\"\nfor = \"1mo\"\n",
    )
    .unwrap();
    let err = String::from_utf8(opsbook(&["rules", "export", "--policy", policy.to_str().unwrap()]).stderr).unwrap();
    assert!(err.contains("rules[0] (X).for") && err.contains("calendar"), "{err}");
    let samples = dir.join("s.jsonl");
    std::fs::write(&samples, "{\"time\": 0, \"metric\": \"m\", \"value\": 1}\n{\"time\": 60, \"value\": 2}\n").unwrap();
    std::fs::write(&policy, "version = 1\n[[rules]]\nname = \"X\"\nmetric = \"m\"\nalert_when = \"above 1\"\n")
        .unwrap();
    let out = opsbook(&["rules", "eval", "--policy", policy.to_str().unwrap(), "--samples", samples.to_str().unwrap()]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.code() == Some(3) && err.contains("line 2 metric"), "{err}");
    // A policy with [[rules]] is still a valid policy for `opsbook check`.
    std::fs::write(&policy, "version = 1\n[[rules]]\nname = \"X\"\nmetric = \"m\"\nalert_when = \"above 1\"\n")
        .unwrap();
    let out = opsbook(&["check", "--policy", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// tests/vectors/rules.json through `opsbook rules eval` and `opsbook rules fingerprint`.
#[test]
fn replays_rules_vectors() {
    let path = format!("{}/../tests/vectors/rules.json", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("opsbook-rules-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        if c["kind"] == "fingerprint" {
            let out = opsbook(&["rules", "fingerprint", &c["labels"].to_string()]);
            assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), c["expect"].as_str().unwrap(), "{id}");
            replayed += 1;
            continue;
        }
        let policy = dir.join(format!("{id}.json"));
        std::fs::write(&policy, serde_json::json!({"version": 1, "rules": c["rules"]}).to_string()).unwrap();
        let mut lines = String::new();
        for e in c["evaluations"].as_array().unwrap() {
            lines.push_str(&serde_json::json!({"time": e["time"]}).to_string());
            lines.push('\n');
            for s in e["samples"].as_array().unwrap() {
                let mut s = s.clone();
                s["time"] = e["time"].clone();
                lines.push_str(&s.to_string());
                lines.push('\n');
            }
        }
        let samples = dir.join(format!("{id}.jsonl"));
        std::fs::write(&samples, lines).unwrap();
        let out = opsbook(&[
            "rules",
            "eval",
            "--format",
            "json",
            "--policy",
            policy.to_str().unwrap(),
            "--samples",
            samples.to_str().unwrap(),
        ]);
        if let Some(err) = c.get("error") {
            let stderr = String::from_utf8(out.stderr).unwrap();
            assert!(out.status.code() == Some(3) && stderr.contains(err["field"].as_str().unwrap()), "{id}: {stderr}");
        } else {
            assert_eq!(out.status.code(), Some(0), "{id}: {}", String::from_utf8_lossy(&out.stderr));
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let got: Vec<serde_json::Value> = doc["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let t = unix_seconds(e["time"].as_str().unwrap());
                    serde_json::json!({"time": t, "kind": e["kind"], "rule": e["rule"], "labels": e["labels"], "notify": e["notify"]})
                })
                .collect();
            let want: Vec<serde_json::Value> = c["expect"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let mut e = e.clone();
                    e["time"] = serde_json::json!(e["time"].as_f64().unwrap() as i64);
                    e
                })
                .collect();
            assert_eq!(got, want, "{id}");
        }
        replayed += 1;
    }
    assert_eq!(replayed, 14);
}

/// RFC 3339 → Unix seconds.
fn unix_seconds(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_second()
}

#[test]
fn eval_prints_notifications_at_alertmanagers_times() {
    let dir = std::env::temp_dir().join(format!("opsbook-notify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("notify.json");
    std::fs::write(&config, r#"{"route": {"group_by": ["alertname"], "group_wait": "30s", "group_interval": "5m"}}"#)
        .unwrap();
    let out = opsbook(&[
        "rules",
        "eval",
        "--policy",
        &fixture("policy.toml"),
        "--samples",
        &fixture("samples.jsonl"),
        "--notify",
        config.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let notes: Vec<&str> = text.lines().filter(|l| l.contains(" notify ")).collect();
    // HighErrorRatio and LowDisk fire at 2m: their groups flush 30 s later; HighCPU fires at
    // 3m → 3m30s; LowDisk resolved at 4m goes out with its group's next interval, 2m30s + 5m.
    assert!(
        notes[0].starts_with("1970-01-01T00:02:30Z notify default firing {}:{alertname=\"HighErrorRatio\"}"),
        "{text}"
    );
    assert!(notes[1].starts_with("1970-01-01T00:02:30Z notify default firing {}:{alertname=\"LowDisk\"}"), "{text}");
    assert!(notes[3].starts_with("1970-01-01T00:03:30Z notify default firing {}:{alertname=\"HighCPU\"}"), "{text}");
    assert!(notes[4].starts_with("1970-01-01T00:07:30Z notify default resolved {}:{alertname=\"LowDisk\"}"), "{text}");
    std::fs::write(&config, r#"{"route": {"group_wait": "later"}}"#).unwrap();
    let out = opsbook(&[
        "rules",
        "eval",
        "--policy",
        &fixture("policy.toml"),
        "--samples",
        &fixture("samples.jsonl"),
        "--notify",
        config.to_str().unwrap(),
    ]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.code() == Some(3) && err.contains("route.group_wait"), "{err}");
}

//! `opsbook alert`: the vectors of templates.json and alert_messages.json through the
//! command (channels from a policy file, secrets from the environment).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn vectors(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dir(tag: &str) -> Dir {
    let d = std::env::temp_dir().join(format!("opsbook-cli-alert-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Dir(d)
}

#[test]
fn template_vectors_through_the_command() {
    let file = vectors("templates.json");
    let cases = file["cases"].as_array().unwrap();
    let tmp = dir("tmpl");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let template = case["template"].as_str().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsbook"));
        cmd.args(["alert", "template", template, "--markup", case["markup"].as_str().unwrap_or("plain")]);
        let input = tmp.0.join(format!("{i}.json"));
        if let Some(alert) = case.get("alert") {
            std::fs::write(&input, alert.to_string()).unwrap();
            cmd.arg("--input").arg(&input);
        } else if let Some(group) = case.get("group") {
            std::fs::write(&input, group.to_string()).unwrap();
            cmd.arg("--input").arg(&input).arg("--group");
        } else {
            std::fs::write(&input, case.get("data").unwrap_or(&Value::Null).to_string()).unwrap();
            cmd.arg("--data").arg(&input);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let ok = match (case.get("want"), case.get("error")) {
            (Some(want), _) => out.status.code() == Some(0) && stdout == format!("{}\n", want.as_str().unwrap()),
            (_, Some(parts)) => {
                out.status.code() == Some(3)
                    && parts.as_array().unwrap().iter().all(|p| stderr.contains(p.as_str().unwrap()))
            }
            _ => unreachable!(),
        };
        if !ok {
            failures.push(format!("{}: {:?} {stdout:?} {stderr:?}", case["name"], out.status.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(cases.len(), 88);
}

#[test]
fn message_vectors_through_the_command() {
    let file = vectors("alert_messages.json");
    let cases = file["cases"].as_array().unwrap();
    let tmp = dir("msg");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let policy = tmp.0.join(format!("{i}.policy.json"));
        std::fs::write(&policy, serde_json::json!({"version": 1, "channels": [case["channel"]]}).to_string()).unwrap();
        let input = tmp.0.join(format!("{i}.alerts.json"));
        std::fs::write(&input, case["alerts"].to_string()).unwrap();
        let now = format!("{}", case["now_ms"].as_i64().unwrap() as f64 / 1000.0);
        let name = case["channel"]["name"].as_str().unwrap_or("x");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsbook"));
        cmd.args(["alert", "render", "--channel", name, "--now", &now])
            .arg("--policy")
            .arg(&policy)
            .arg("--input")
            .arg(&input);
        for (k, v) in case["secrets"].as_object().unwrap() {
            cmd.env(k, v.as_str().unwrap());
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        for secret in case["secrets"].as_object().unwrap().values() {
            let s = secret.as_str().unwrap();
            assert!(!stdout.contains(s) && !stderr.contains(s), "{}: a secret was printed", case["name"]);
        }
        let ok = match (case.get("want"), case.get("error")) {
            (Some(want), _) => {
                let mut got: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
                for r in got.as_array_mut().into_iter().flatten() {
                    r.as_object_mut().unwrap().remove("mime");
                }
                out.status.code() == Some(0) && &got == want
            }
            (_, Some(parts)) => {
                out.status.code() == Some(3)
                    && parts.as_array().unwrap().iter().all(|p| stderr.contains(p.as_str().unwrap()))
            }
            _ => unreachable!(),
        };
        if !ok {
            failures.push(format!("{}: {:?} {stdout} {stderr}", case["name"], out.status.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(cases.len(), 29);
}

/// A one-shot HTTP server: records each request line and answers 502 (a proxy that cannot
/// reach the robot) — enough to see that the request went through the proxy.
fn recording_proxy() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&lines);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            seen.lock().unwrap().push(line.trim_end().to_owned());
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (url, lines)
}

#[test]
fn send_goes_through_https_proxy_and_http_proxy() {
    let tmp = dir("proxy");
    let policy = tmp.0.join("policy.json");
    let alerts = tmp.0.join("alerts.json");
    std::fs::write(&alerts, r#"[{"labels": {"alertname": "ServiceDown", "severity": "critical"}}]"#).unwrap();
    for (var, url, expect) in [
        ("HTTPS_PROXY", None, "CONNECT oapi.dingtalk.com:443 HTTP/1.1"),
        (
            "HTTP_PROXY",
            Some("http://robot.example.invalid/robot/send"),
            "POST http://robot.example.invalid/robot/send?access_token=t0ken",
        ),
    ] {
        let (proxy, lines) = recording_proxy();
        let mut channel = serde_json::json!({"name": "ding", "type": "dingtalk", "token_env": "T", "retries": 0});
        if let Some(u) = url {
            channel["url"] = u.into();
        }
        std::fs::write(&policy, serde_json::json!({"version": 1, "channels": [channel]}).to_string()).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_opsbook"))
            .args(["alert", "send", "--channel", "ding"])
            .arg("--policy")
            .arg(&policy)
            .arg("--input")
            .arg(&alerts)
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("NO_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("no_proxy")
            .env(var, &proxy)
            .env("T", "t0ken")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{stdout}");
        assert!(!stdout.contains("t0ken"), "{stdout}");
        let seen = lines.lock().unwrap().clone();
        assert!(seen.iter().any(|l| l.starts_with(expect)), "{var}: {seen:?}");
    }
}

#[test]
fn rules_eval_sends_notifications_to_the_receivers_channel() {
    use std::io::{BufRead, BufReader, Read, Write};
    // A webhook receiver that records bodies and answers 200.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = std::sync::Arc::clone(&bodies);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = reader.read_exact(&mut body);
            seen.lock().unwrap().push(String::from_utf8_lossy(&body).into_owned());
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let tmp = dir("send");
    let policy = tmp.0.join("policy.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "version": 1,
            "rules": [{"name": "HighCPU", "metric": "cpu", "alert_when": "above 80", "severity": "warning",
                       "annotations": {"summary": "CPU使用率过高"}}],
            "escalation": {"route": {"receiver": "ops-hook", "group_by": ["alertname"], "group_wait": "0s",
                                     "group_interval": "5m", "repeat_interval": "4h"}},
            "channels": [{"name": "ops-hook", "type": "webhook", "url": url, "retries": 0}],
        })
        .to_string(),
    )
    .unwrap();
    let samples = tmp.0.join("samples.jsonl");
    std::fs::write(
        &samples,
        "{\"time\": 1714550400, \"metric\": \"cpu\", \"labels\": {\"instance\": \"web-1\"}, \"value\": 95}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["rules", "eval", "--send"])
        .arg("--policy")
        .arg(&policy)
        .arg("--samples")
        .arg(&samples)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("ops-hook delivered"), "{stderr}");
    let got = bodies.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let payload: Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!(payload["version"], "4");
    assert_eq!(payload["receiver"], "ops-hook");
    assert_eq!(payload["status"], "firing");
    assert_eq!(payload["alerts"][0]["labels"]["instance"], "web-1");
    assert_eq!(payload["alerts"][0]["annotations"]["summary"], "CPU使用率过高");
    assert_eq!(payload["alerts"][0]["startsAt"], "2024-05-01T08:00:00Z");

    // A receiver without a channel of its name is an error, not a silent drop.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&policy).unwrap()).unwrap();
    doc["channels"][0]["name"] = "elsewhere".into();
    std::fs::write(&policy, doc.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["rules", "eval", "--send"])
        .arg("--policy")
        .arg(&policy)
        .arg("--samples")
        .arg(&samples)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ops-hook"));
}

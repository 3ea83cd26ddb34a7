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

//! Checks declared in TOML and JSON.

use std::time::Duration;

use opsbook::Status;
use opsbook::spec::{runner_from_json, runner_from_toml};

const POLICY: &str = r#"
version = 1

[[checks]]
name = "disk"
type = "disk"
mounts = ["/"]

[[checks]]
name = "nginx"
type = "command"
argv = ["sh", "-c", "echo active"]
timeout = "2s"
tags = ["liveness"]

[[checks]]
name = "api"
type = "http"
url = "http://127.0.0.1:9/health"
cache_ttl = "10s"
failures_before_critical = 3
tags = ["readiness"]
thresholds.latency = { warn = { at_or_above = 100 }, crit = "above 500" }
"#;

#[test]
fn a_policy_declares_checks_with_their_options() {
    let runner = runner_from_toml(POLICY).unwrap();
    let checks = runner.checks();
    assert_eq!(checks.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["disk", "nginx", "api"]);
    assert_eq!(checks[0].thresholds["used"].warn.unwrap().to_string(), "~:80", "the manuals' disk default");
    assert_eq!(checks[1].timeout, Duration::from_secs(2));
    assert!(checks[1].tags.contains("liveness"));
    assert_eq!(checks[2].cache_ttl, Some(Duration::from_secs(10)));
    assert_eq!(checks[2].failures_before_critical, 3);
    let latency = checks[2].thresholds["latency"];
    assert_eq!(
        (latency.warn.unwrap().to_string(), latency.crit.unwrap().to_string()),
        ("@100:".into(), "~:500".into())
    );
    let live = runner.run_blocking(Some("liveness"));
    assert_eq!(live.checks.len(), 1);
    assert_eq!(live.checks[0].status, Status::Ok);
}

#[test]
fn json_has_the_same_shape() {
    let runner =
        runner_from_json(r#"{"version": 1, "checks": [{"name": "echo", "type": "command", "argv": ["true"]}]}"#)
            .unwrap();
    assert_eq!(runner.run_blocking(None).status(), Status::Ok);
}

fn error(text: &str) -> String {
    match runner_from_toml(text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_policies_are_errors_naming_the_check_and_key() {
    let e = error("version = 1\n[[checks]]\nname = \"x\"\ntype = \"tcp\"\nhost = \"h\"\nport = 1\nprot = 2\n");
    assert!(e.contains("checks[0] (x)") && e.contains("unknown field `prot`"), "{e}");
    let e = error("version = 1\n[[checks]]\nname = \"x\"\ntype = \"tcp\"\nhost = \"h\"\nport = \"eighty\"\n");
    assert!(e.contains("checks[0] (x)") && e.contains("invalid type"), "{e}");
    let e = error("version = 1\n[[checks]]\nname = \"x\"\ntype = \"smtp\"\n");
    assert!(e.contains("unknown check type \"smtp\""), "{e}");
    let e = error("version = 1\n[[checks]]\nname = \"x\"\ntype = \"memory\"\ntimeout = \"5 seconds\"\n");
    assert!(e.contains("checks[0] (x).timeout") && e.contains("\"5 seconds\""), "{e}");
    let e = error("version = 1\n[[checks]]\nname = \"x\"\ntype = \"memory\"\nthresholds.used = { warn = \"2:1\" }\n");
    assert!(e.contains("thresholds.used.warn") && e.contains("\"2:1\""), "{e}");
    let e =
        error("version = 1\n[[checks]]\nname = \"x\"\ntype = \"memory\"\nthresholds.used = { warn = { over = 5 } }\n");
    assert!(e.contains("thresholds.used.warn"), "{e}");
    let e = error("[[checks]]\nname = \"x\"\ntype = \"memory\"\n");
    assert!(e.contains("version"), "{e}");
    let e = error("version = 1\nalerts = []\n");
    assert!(e.contains("alerts") && e.contains("unknown top-level key"), "{e}");
    // [[rules]] belong to the rules engine, and are checked with the rest of the policy.
    let e = error("version = 1\n[[rules]]\nname = \"X\"\nmetric = \"m\"\n");
    assert!(e.contains("rules[0] (X)"), "{e}");
    let e =
        error("version = 1\n[[checks]]\nname = \"a\"\ntype = \"memory\"\n[[checks]]\nname = \"a\"\ntype = \"swap\"\n");
    assert!(e.contains("already exists"), "{e}");
    let e = error("version = 1\n[[checks]]\nname = \"x\"\ntype = \"command\"\nargv = []\n");
    assert!(e.contains("argv must name a program"), "{e}");
    let e = error("version = [");
    assert!(e.contains("policy"), "{e}");
}

#[test]
fn secrets_are_never_literal_and_never_echoed() {
    let e = error(
        "version = 1\n[[checks]]\nname = \"db\"\ntype = \"postgres\"\ndsn = \"postgresql://app:s3cr3t@db/edu\"\n",
    );
    assert!(e.contains("dsn_env") && !e.contains("s3cr3t"), "{e}");
    let e = error("version = 1\n[[checks]]\nname = \"c\"\ntype = \"redis\"\nurl_env = \"OPSBOOK_TEST_SURELY_UNSET\"\n");
    assert!(e.contains("OPSBOOK_TEST_SURELY_UNSET") && e.contains("not set"), "{e}");
    let e = error("version = 1\n[[checks]]\nname = \"w\"\ntype = \"http\"\nurl = \"ftp://u:pw@host/\"\n");
    assert!(!e.contains(":pw@"), "{e}");
}

#[test]
fn policy_vectors() {
    let path = format!("{}/../tests/vectors/policies.json", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let built = runner_from_json(&case["policy"].to_string());
        if let Some(err) = case.get("error") {
            let e = match built {
                Ok(_) => panic!("{id}: accepted"),
                Err(e) => e,
            };
            assert_eq!(e.code(), err["code"].as_str().unwrap(), "{id}: {e}");
            for needle in err["contains"].as_array().unwrap() {
                assert!(e.to_string().contains(needle.as_str().unwrap()), "{id}: {e}");
            }
            for needle in err.get("absent").and_then(|a| a.as_array()).into_iter().flatten() {
                assert!(!e.to_string().contains(needle.as_str().unwrap()), "{id}: {e}");
            }
        } else {
            let runner = built.unwrap_or_else(|e| panic!("{id}: {e}"));
            let names: Vec<&str> = runner.checks().iter().map(|c| c.name.as_str()).collect();
            assert_eq!(serde_json::json!(names), case["names"], "{id}");
            let report = runner.run_blocking(None);
            let statuses: Vec<&str> = report.checks.iter().map(|c| c.status.as_str()).collect();
            assert_eq!(serde_json::json!(statuses), case["statuses"], "{id}");
            assert_eq!(report.status().as_str(), case["status"].as_str().unwrap(), "{id}");
            let live: Vec<String> = runner.run_blocking(Some("liveness")).checks.into_iter().map(|c| c.name).collect();
            assert_eq!(serde_json::json!(live), case["tag_liveness"], "{id}");
        }
    }
    assert_eq!(cases.len(), 12);
}

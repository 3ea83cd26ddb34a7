//! The `opsbook` command as an operator runs it.

use std::process::{Command, Output};

fn opsbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook")).args(args).output().expect("run opsbook")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn eval_prints_one_status_per_value_and_exits_with_the_worst() {
    let o = opsbook(&["eval", "--warn", "30", "--crit", "60", "15.3", "30.0001", "69"]);
    assert_eq!(stdout(&o), "OK\nWARNING\nCRITICAL\n");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn eval_takes_negative_values() {
    let o = opsbook(&["eval", "--crit", "~:0", "--", "-10"]);
    assert_eq!((stdout(&o).as_str(), o.status.code()), ("OK\n", Some(0)));
    let o = opsbook(&["eval", "--crit", "~:0", "-10", "0.5"]);
    assert_eq!((stdout(&o).as_str(), o.status.code()), ("OK\nCRITICAL\n", Some(2)));
}

#[test]
fn eval_json_and_unknown_for_nan() {
    let o = opsbook(&["eval", "--warn", "above 70", "--format", "json", "70", "NaN"]);
    assert_eq!(o.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["warn"], "~:70");
    assert_eq!(doc["results"][0]["status"], "OK");
    assert_eq!(doc["results"][1]["status"], "UNKNOWN");
    assert_eq!(doc["status"], "UNKNOWN");
}

#[test]
fn bad_input_exits_3_with_a_message_naming_field_and_value() {
    for (args, needle) in [
        (vec!["eval", "--warn", "2:1", "5"], "--warn: \"2:1\""),
        (vec!["eval", "--crit", "abc", "5"], "--crit: \"abc\""),
        (vec!["eval", "--warn", "5", "ten"], "VALUE: \"ten\""),
        (vec!["eval", "--warn", "5"], "VALUES"),
        (vec!["eval", "--bogus", "5"], "--bogus"),
        (vec!["frobnicate"], "frobnicate"),
    ] {
        let o = opsbook(&args);
        assert_eq!(o.status.code(), Some(3), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn help_is_not_an_error() {
    assert_eq!(opsbook(&["--help"]).status.code(), Some(0));
}

/// `df -P /` used percentage, as df rounds it (up).
fn df_root_percent() -> f64 {
    let out = Command::new("df").args(["-P", "/"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().nth(1).unwrap();
    line.split_whitespace().nth(4).unwrap().trim_end_matches('%').parse().unwrap()
}

fn meminfo(key: &str) -> f64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap();
    let line = text.lines().find(|l| l.starts_with(key)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn check_reports_what_df_and_proc_report() {
    let o = opsbook(&["check", "--format", "health+json", "--cpu-sample-ms", "200"]);
    assert!(matches!(o.status.code(), Some(0..=3)));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let disks = doc["checks"]["disk:used"].as_array().unwrap();
    let root = disks.iter().find(|d| d["componentId"] == "/").expect("a / mount");
    let ours = root["observedValue"].as_f64().unwrap();
    let df = df_root_percent();
    // df rounds up to a whole percent; the disk may change a little between the two readings.
    assert!((ours.ceil() - df).abs() <= 1.0, "opsbook {ours} vs df {df}");

    let mem = doc["checks"]["memory:used"][0]["observedValue"].as_f64().unwrap();
    let proc_mem = 100.0 * (1.0 - meminfo("MemAvailable:") / meminfo("MemTotal:"));
    assert!((mem - proc_mem).abs() < 5.0, "opsbook {mem} vs /proc/meminfo {proc_mem}");

    let cpu = doc["checks"]["cpu:usage"][0]["observedValue"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&cpu));
    for key in ["load:load1", "swap:used"] {
        assert!(doc["checks"][key].is_array(), "{key} missing");
    }
}

#[test]
fn check_nagios_output_is_one_plugin_line_with_perfdata() {
    let o = opsbook(&["check", "--format", "nagios", "--cpu-sample-ms", "200"]);
    let text = stdout(&o);
    let first = text.lines().next().unwrap();
    let status = ["OK", "WARNING", "CRITICAL", "UNKNOWN"][o.status.code().unwrap() as usize];
    assert!(first.starts_with(&format!("OPSBOOK {status} - ")), "{first}");
    assert!(first.contains(" | 'cpu:usage'="), "{first}");
    assert!(first.contains("'disk:used:/'="), "{first}");
}

fn write_policy(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("opsbook-cli-{}-{name}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_runs_what_a_policy_declares() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let policy = write_policy(
        "ok",
        &format!(
            "version = 1\n\
             [[checks]]\nname = \"nginx\"\ntype = \"command\"\nargv = [\"sh\", \"-c\", \"echo active\"]\ntags = [\"liveness\"]\n\
             [[checks]]\nname = \"postgres-port\"\ntype = \"tcp\"\nhost = \"127.0.0.1\"\nport = {closed}\ntags = [\"readiness\"]\n"
        ),
    );
    let p = policy.to_str().unwrap();
    let o = opsbook(&["check", "--policy", p, "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["status"], "CRITICAL");
    assert_eq!(doc["checks"][0]["name"], "nginx");
    assert_eq!(doc["checks"][0]["status"], "OK");
    assert_eq!(doc["checks"][1]["status"], "CRITICAL");
    assert!(doc["checks"][1]["error"].as_str().unwrap().contains(&format!("127.0.0.1:{closed}")));
    let live = opsbook(&["check", "--policy", p, "--tag", "liveness", "--format", "nagios"]);
    assert_eq!(live.status.code(), Some(0));
    assert!(stdout(&live).starts_with("OPSBOOK OK - "), "{}", stdout(&live));
    let table = stdout(&opsbook(&["check", "--policy", p]));
    assert!(table.starts_with("CHECK") && table.contains("overall: CRITICAL"), "{table}");
    std::fs::remove_file(policy).unwrap();
}

#[test]
fn a_bad_or_missing_policy_exits_3() {
    let missing = opsbook(&["check", "--policy", "/nonexistent/policy.toml"]);
    assert_eq!(missing.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/policy.toml"));
    let bad = write_policy(
        "bad",
        "version = 1\n[[checks]]\nname = \"x\"\ntype = \"tcp\"\nhost = \"h\"\nport = 1\nprot = 2\n",
    );
    let o = opsbook(&["check", "--policy", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(bad.to_str().unwrap()) && err.contains("prot"), "{err}");
    std::fs::remove_file(bad).unwrap();
}

// ---- the language-neutral vectors, replayed through `opsbook eval` ----

fn vectors(name: &str) -> serde_json::Value {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A vector number as command-line text (`nan`, `inf`, `-inf` or a round-trip decimal).
fn arg(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A vector limit as `--warn`/`--crit` text: Nagios range or a plain form in words.
fn limit(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(form) => {
            let (name, bound) = form.iter().next().unwrap();
            Some(format!("{name} {}", arg(bound)))
        }
        other => panic!("bad limit {other}"),
    }
}

#[test]
fn replays_range_vectors() {
    let doc = vectors("ranges.json");
    let cases = doc["cases"].as_array().unwrap();
    let mut replayed = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let range = case["range"].as_str().unwrap();
        if case.get("error").is_some() {
            let o = opsbook(&["eval", "--crit", range, "0"]);
            assert_eq!(o.status.code(), Some(3), "{id}");
            assert!(String::from_utf8_lossy(&o.stderr).contains("invalid range for --crit"), "{id}");
        } else {
            let pairs = case["alerts"].as_array().unwrap();
            let mut args =
                vec!["eval".to_owned(), "--format".into(), "json".into(), "--crit".into(), range.into(), "--".into()];
            args.extend(pairs.iter().map(|p| arg(&p[0])));
            let o = opsbook(&args.iter().map(String::as_str).collect::<Vec<_>>());
            let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{id}"));
            assert_eq!(doc["crit"], case["text"], "{id}");
            for (pair, result) in pairs.iter().zip(doc["results"].as_array().unwrap()) {
                let expected = if pair[1].as_bool().unwrap() { "CRITICAL" } else { "OK" };
                assert_eq!(result["status"], expected, "{id} {}", pair[0]);
            }
        }
        replayed += 1;
    }
    assert_eq!(replayed, 32);
}

#[test]
fn replays_threshold_vectors() {
    let doc = vectors("thresholds.json");
    let cases = doc["cases"].as_array().unwrap();
    let mut replayed = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let mut args = vec!["eval".to_owned()];
        if let Some(w) = limit(&case["warn"]) {
            args.extend(["--warn".to_owned(), w]);
        }
        if let Some(c) = limit(&case["crit"]) {
            args.extend(["--crit".to_owned(), c]);
        }
        args.extend(["--".to_owned(), arg(&case["value"])]);
        let o = opsbook(&args.iter().map(String::as_str).collect::<Vec<_>>());
        if let Some(err) = case.get("error") {
            assert_eq!(o.status.code(), Some(3), "{id}");
            let field = format!("invalid range for --{}", err["field"].as_str().unwrap());
            assert!(String::from_utf8_lossy(&o.stderr).contains(&field), "{id}");
        } else {
            let status = case["status"].as_str().unwrap();
            assert_eq!(stdout(&o).trim(), status, "{id}");
            let code = ["OK", "WARNING", "CRITICAL", "UNKNOWN"].iter().position(|s| *s == status).unwrap() as i32;
            assert_eq!(o.status.code(), Some(code), "{id}");
        }
        replayed += 1;
    }
    assert_eq!(replayed, 31);
}

#[test]
fn replays_policy_vectors() {
    let doc = vectors("policies.json");
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let path = std::env::temp_dir().join(format!("opsbook-cli-vector-{}-{id}.json", std::process::id()));
        std::fs::write(&path, case["policy"].to_string()).unwrap();
        let p = path.to_str().unwrap();
        let o = opsbook(&["check", "--policy", p, "--format", "json"]);
        if let Some(err) = case.get("error") {
            assert_eq!(o.status.code(), Some(3), "{id}");
            let message = String::from_utf8_lossy(&o.stderr);
            for needle in err["contains"].as_array().unwrap() {
                assert!(message.contains(needle.as_str().unwrap()), "{id}: {message}");
            }
            for needle in err.get("absent").and_then(|a| a.as_array()).into_iter().flatten() {
                assert!(!message.contains(needle.as_str().unwrap()), "{id}: {message}");
            }
        } else {
            let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let names: Vec<&serde_json::Value> =
                report["checks"].as_array().unwrap().iter().map(|c| &c["name"]).collect();
            assert_eq!(serde_json::json!(names), case["names"], "{id}");
            let statuses: Vec<&serde_json::Value> =
                report["checks"].as_array().unwrap().iter().map(|c| &c["status"]).collect();
            assert_eq!(serde_json::json!(statuses), case["statuses"], "{id}");
            assert_eq!(report["status"], case["status"], "{id}");
            let code =
                ["OK", "WARNING", "CRITICAL", "UNKNOWN"].iter().position(|s| *s == case["status"]).unwrap() as i32;
            assert_eq!(o.status.code(), Some(code), "{id}");
            let live = opsbook(&["check", "--policy", p, "--tag", "liveness", "--format", "json"]);
            let live: serde_json::Value = serde_json::from_slice(&live.stdout).unwrap();
            let names: Vec<&serde_json::Value> =
                live["checks"].as_array().unwrap().iter().map(|c| &c["name"]).collect();
            assert_eq!(serde_json::json!(names), case["tag_liveness"], "{id}");
        }
        std::fs::remove_file(&path).unwrap();
    }
    assert_eq!(cases.len(), 12);
}

#[test]
fn completions_and_man_page_come_from_the_command_definitions() {
    let bin = env!("CARGO_BIN_EXE_opsbook");
    let bash = std::process::Command::new(bin).args(["completions", "bash"]).output().unwrap();
    assert!(bash.status.success());
    let dir = std::env::temp_dir().join(format!("opsbook-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("opsbook.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    // bash loads it and registers the completion, which offers the subcommands.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; complete -p opsbook; COMP_WORDS=(opsbook ba); COMP_CWORD=1; _opsbook opsbook ba opsbook; echo \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("-F _opsbook opsbook") && text.lines().last() == Some("backup"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for shell in ["zsh", "fish"] {
        let out = std::process::Command::new(bin).args(["completions", shell]).output().unwrap();
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("opsbook"), "{shell}");
    }
    let man = std::process::Command::new(bin).arg("man").output().unwrap();
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        page.contains(".TH opsbook 1") && page.contains("opsbook\\-backup") && page.contains(env!("CARGO_PKG_VERSION")),
        "{page}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

//! Commands that do not connect work without the secrets a policy names: validating a
//! policy in CI and exporting its rules must not need the database password (as promtool
//! and amtool check their configurations without secrets). Unset variables are notes.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn opsbook_without_environment(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook")).args(args).env_clear().output().expect("run opsbook")
}

fn example_policies() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policies");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("toml" | "yaml")))
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    found.sort();
    found
}

#[test]
fn policy_check_and_rules_export_need_no_secrets() {
    let policies = example_policies();
    assert_eq!(policies.len(), 5, "{policies:?}");
    for policy in &policies {
        let out = opsbook_without_environment(&["policy", "check", policy]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{policy}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.starts_with("policy OK"), "{policy}: {stdout}");
        // Each variable the policy names is reported as a note, by name and key.
        let text = std::fs::read_to_string(policy).unwrap();
        let named = text.lines().filter(|l| l.split('#').next().unwrap().contains("_env")).count();
        let notes = stdout.lines().filter(|l| l.starts_with("note: $") && l.contains("is not set here")).count();
        assert_eq!(notes, named, "{policy}: {stdout}");
        let out = opsbook_without_environment(&["rules", "export", "--policy", policy, "--target", "prometheus"]);
        assert_eq!(out.status.code(), Some(0), "{policy}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("groups:"), "{policy}");
    }
}

#[test]
fn a_command_that_connects_still_needs_its_secret() {
    let dir = std::env::temp_dir().join(format!("opsbook-offline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("p.toml");
    std::fs::write(
        &policy,
        "version = 1\n[[checks]]\nname = \"db\"\ntype = \"postgres\"\ndsn_env = \"OPSBOOK_NO_SUCH_DSN\"\n",
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let out = opsbook_without_environment(&["policy", "check", p]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("note: $OPSBOOK_NO_SUCH_DSN (checks[0].dsn_env) is not set here")
    );
    let out = opsbook_without_environment(&["check", "--policy", p]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("environment variable OPSBOOK_NO_SUCH_DSN"));
    // A name that cannot be a variable is an error even offline.
    std::fs::write(&policy, "version = 1\n[[checks]]\nname = \"db\"\ntype = \"postgres\"\ndsn_env = \"MY DSN\"\n")
        .unwrap();
    let out = opsbook_without_environment(&["policy", "check", p]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"MY DSN\" is not an environment variable name"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn input_dash_is_standard_input() {
    let backups = r#"[{"id": "a", "time": "2026-11-20T02:00:00Z"}, {"id": "b", "time": "2026-11-21T02:00:00Z"}]"#;
    let run = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_opsbook"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(backups.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let implicit = run(&["backup", "retention", "--keep-last", "1", "--format", "json"]);
    let dash = run(&["backup", "retention", "--input", "-", "--keep-last", "1", "--format", "json"]);
    assert_eq!(dash.status.code(), Some(0), "{}", String::from_utf8_lossy(&dash.stderr));
    assert_eq!(dash.stdout, implicit.stdout);
    assert!(String::from_utf8_lossy(&dash.stdout).contains("\"b\""));
}

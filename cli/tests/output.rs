//! Every command's standard output against a reader that has already gone (`| head -1`
//! after its first line, `| grep -q`): the command must end quietly with the exit code it
//! has when its output is read whole — never a panic, never exit code 101.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A command line and the environment it runs with.
type Case = (Vec<String>, Vec<(&'static str, &'static str)>);

const OPSBOOK: &str = env!("CARGO_BIN_EXE_opsbook");

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("opsbook-cli-output-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `args` with its output read whole: the exit code and the output.
fn read_whole(args: &[String], env: &[(&str, &str)]) -> (Option<i32>, Vec<u8>) {
    let out = Command::new(OPSBOOK).args(args).envs(env.iter().copied()).output().unwrap();
    (out.status.code(), out.stdout)
}

/// Runs `args` with standard output a pipe whose reading end is closed before it starts,
/// so its very first write meets a reader that has gone.
fn reader_gone(args: &[String], env: &[(&str, &str)]) -> (Option<i32>, String) {
    // rustix rather than std::io::pipe, which is newer than the workspace's rust-version.
    let (reader, writer) = rustix::pipe::pipe().unwrap();
    drop(reader);
    let out = Command::new(OPSBOOK)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn fixtures(tmp: &TempDir) -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let rules = root.join("tests/rules/policy.toml").to_str().unwrap().to_owned();
    let samples = root.join("tests/rules/samples.jsonl").to_str().unwrap().to_owned();
    let series = tmp.file("series.csv", "time,disk\n0,10\n3600,20\n7200,30\n10800,40\n");
    let capacity = tmp.file(
        "capacity.toml",
        "months = 6\n[[resources]]\nname = \"磁盘\"\ncurrent = 500\nmonthly_growth = 0.12\nlimit = 1000\n",
    );
    let access = tmp.file(
        "access.log",
        &"127.0.0.1 - - [22/Nov/2026:10:00:00 +0800] \"GET /api/x HTTP/1.1\" 500 12 \"-\" \"curl\"\n".repeat(50),
    );
    let backups = tmp.0.join("backups");
    for i in 0..5 {
        tmp.file(&format!("backups/db-{i}.sql.gz"), "dump");
    }
    let backups = backups.to_str().unwrap().to_owned();
    let manifest_dir = tmp.0.join("tree");
    for i in 0..50 {
        tmp.file(&format!("tree/f{i}"), &"x".repeat(i));
    }
    let tree = manifest_dir.to_str().unwrap().to_owned();
    let logs_dir = tmp.0.join("logs");
    tmp.file("logs/app.log", "old\n");
    let alerts = tmp.file(
        "alerts.json",
        r#"[{"labels": {"alertname": "APIDown", "severity": "critical", "instance": "api"}, "annotations": {"summary": "API无响应"}, "startsAt": "2026-11-22T10:00:00Z"}]"#,
    );
    let records = tmp.0.join("records.jsonl");
    let policy = tmp.file(
        "policy.toml",
        &format!(
            "version = 1\n\
             [[checks]]\nname = \"closed\"\ntype = \"tcp\"\nhost = \"127.0.0.1\"\nport = 1\ntimeout = \"1s\"\n\
             [[checks]]\nname = \"memory\"\ntype = \"memory\"\n\
             [[rules]]\nname = \"Down\"\nmetric = \"opsbook_check_status\"\nalert_when = \"at_or_above 2\"\nseverity = \"critical\"\n\
             [escalation.route]\nreceiver = \"ops\"\ngroup_wait = \"0s\"\n\
             [[escalation.levels]]\nname = \"P0\"\nresponse = \"15m\"\n\
             [[channels]]\nname = \"hook\"\nreceiver = \"ops\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:1/hook\"\n\
             [maintenance]\ntz = \"Asia/Shanghai\"\nrecords = \"{}\"\n\
             [[maintenance.tasks]]\nname = \"数据库备份\"\nevery = \"每日\"\n\
             [state]\nbackend = \"file\"\npath = \"{}\"\n",
            records.display(),
            tmp.0.join("state.json").display()
        ),
    );
    let recorded = Command::new(OPSBOOK)
        .args(["maintenance", "record", "--policy", &policy, "--operator", "张三", "--description", "备份检查"])
        .status()
        .unwrap();
    assert!(recorded.success());
    let parts = tmp.file("parts.json", r#"{"time": "2026-11-22T10:00:00+08:00", "checks": []}"#);
    let s = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let none: Vec<(&str, &str)> = Vec::new();
    let mut values = vec!["eval".to_owned(), "--warn".into(), "1".into(), "--crit".into(), "2".into()];
    values.extend((0..20_000).map(|i| i.to_string()));
    vec![
        (values, none.clone()),
        (s(&["check", "--cpu-sample-ms", "200"]), none.clone()),
        (s(&["check", "--policy", &policy, "--format", "json"]), none.clone()),
        (s(&["forecast", "--input", &series, "--horizon", "24h", "--limit", "100"]), none.clone()),
        (s(&["capacity", "--input", &capacity, "--date", "2026-11-22"]), none.clone()),
        (s(&["rules", "eval", "--policy", &rules, "--samples", &samples]), none.clone()),
        (s(&["rules", "export", "--policy", &rules, "--target", "prometheus"]), none.clone()),
        (s(&["rules", "fingerprint", r#"{"alertname": "X"}"#]), none.clone()),
        (s(&["incidents", "list", "--policy", &policy, "--format", "json"]), none.clone()),
        (s(&["policy", "check", &policy]), none.clone()),
        (s(&["backup", "manifest", &tree, "--quiet"]), none.clone()),
        (s(&["backup", "retention", "--dir", &backups, "--keep-last", "2"]), none.clone()),
        (s(&["backup", "forget", &backups, "--keep-last", "2"]), none.clone()),
        (s(&["alert", "render", "--channel", "dingtalk", "--input", &alerts, "--now", "1700000000"]), none.clone()),
        (s(&["alert", "template", "{{ $labels.instance }} 已停止", "--input", &alerts]), none.clone()),
        (s(&["logs", "analyze", &access]), none.clone()),
        (
            s(&["logs", "plan", logs_dir.to_str().unwrap(), "--delete-after", "0", "--now", "2030-01-01T00:00:00Z"]),
            none.clone(),
        ),
        (s(&["maintenance", "due", "--policy", &policy]), none.clone()),
        (s(&["maintenance", "records", "--policy", &policy]), none.clone()),
        (s(&["report", "daily", "--policy", &policy]), none.clone()),
        (s(&["report", "render", &parts]), none.clone()),
        (s(&["run", "--policy", &policy]), none.clone()),
        (s(&["run", "--print-default-policy"]), none.clone()),
        (s(&["completions", "bash"]), none.clone()),
        (s(&["man"]), none.clone()),
        (s(&["--help"]), none.clone()),
        (s(&["--version"]), none),
    ]
}

#[test]
fn every_command_survives_a_reader_that_has_gone() {
    let tmp = TempDir::new();
    let cases = fixtures(&tmp);
    let mut checked = 0;
    for (args, env) in &cases {
        let shown = args.iter().take(6).cloned().collect::<Vec<_>>().join(" ");
        let (whole_code, whole_out) = read_whole(args, env);
        assert!(!whole_out.is_empty(), "{shown}: prints nothing, so the test proves nothing");
        assert!(matches!(whole_code, Some(0..=3)), "{shown}: exit {whole_code:?} with its output read");
        let (code, stderr) = reader_gone(args, env);
        assert_eq!(code, whole_code, "{shown}: a closed reader changed the exit code; stderr: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{shown}: {stderr}");
        checked += 1;
    }
    assert_eq!(checked, 27);
}

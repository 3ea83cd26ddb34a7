//! `opsbook maintenance`: the work-record manual's plan, due at the right times, records kept.

use std::process::Command;

fn opsbook(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook")).args(args).output().unwrap()
}

#[test]
fn due_then_recorded_then_not_due() {
    let dir = std::env::temp_dir().join(format!("opsbook-cli-maint-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let records = dir.join("records.jsonl");
    let policy = dir.join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            r#"version = 1
[maintenance]
tz = "Asia/Shanghai"
records = "{}"
[[maintenance.tasks]]
name = "数据库备份"
every = "每日"
role = "数据库管理员"
estimate = "1小时"
last_done = "2024-05-01T03:00:00+08:00"
[[maintenance.tasks]]
name = "灾难恢复演练"
every = "每半年"
role = "运维团队"
last_done = "2024-01-10T10:00:00+08:00"
"#,
            records.display()
        ),
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    // 2 May 04:00 Shanghai: the backup is due (since 03:00), the drill not (10 July).
    let out = opsbook(&["maintenance", "due", "--policy", p, "--now", "2024-05-02T04:00:00+08:00"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("⚠ 数据库备份 每日: due (due 2024-05-01T19:00:00Z) [数据库管理员]"), "{text}");
    assert!(text.contains("✓ 灾难恢复演练 每半年: not due (due 2024-07-10T02:00:00Z)"), "{text}");
    // A day late: overdue, exit 2.
    let out = opsbook(&["maintenance", "due", "--policy", p, "--now", "2024-05-03T03:00:00+08:00"]);
    assert_eq!(out.status.code(), Some(2));
    // Recorded at 05:00 on the 3rd: due again on the 4th at 05:00.
    let out = opsbook(&[
        "maintenance",
        "record",
        "--policy",
        p,
        "--operator",
        "张三",
        "--task",
        "数据库备份",
        "--description",
        "pg_dump 完成",
        "--result",
        "成功",
        "--time",
        "2024-05-03T05:00:00+08:00",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = opsbook(&["maintenance", "due", "--policy", p, "--now", "2024-05-03T06:00:00+08:00", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let backup = v.as_array().unwrap().iter().find(|d| d["task"] == "数据库备份").unwrap();
    assert_eq!(backup["due_at"], "2024-05-03T21:00:00Z");
    let listed = opsbook(&["maintenance", "records", "--policy", p]);
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout),
        "2024-05-02T21:00:00Z 张三 例行维护 数据库备份: pg_dump 完成 (成功)\n"
    );
    // Bad input names the field.
    let bad =
        opsbook(&["maintenance", "record", "--policy", p, "--operator", "x", "--task", "nope", "--description", "d"]);
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--task"));
    let _ = std::fs::remove_dir_all(&dir);
}

//! `opsbook backup manifest|verify|retention|forget` as an operator runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn opsbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook")).args(args).output().expect("run opsbook")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("opsbook-cli-backup-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn s(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = Command::new("chmod").args(["-R", "u+rwX"]).arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tree(dir: &Path) {
    std::fs::create_dir_all(dir.join("uploads")).unwrap();
    std::fs::write(dir.join("database.dump.gz"), vec![1u8; 50_000]).unwrap();
    std::fs::write(dir.join("uploads/a.png"), b"png").unwrap();
    std::fs::write(dir.join("configs.tar.gz"), b"configs").unwrap();
}

#[test]
fn manifest_then_verify_then_a_changed_file() {
    let tmp = TempDir::new("verify");
    tree(&tmp.0);
    let manifest = tmp.0.join("backup_manifest");
    let out =
        opsbook(&["backup", "manifest", tmp.s(), "--algorithm", "sha256", "--output", manifest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.starts_with("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n"), "{text}");
    assert_eq!(text.matches("\"Checksum-Algorithm\": \"SHA256\"").count(), 3);
    let out = opsbook(&["backup", "verify", tmp.s()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "backup successfully verified\n");
    std::fs::write(tmp.0.join("configs.tar.gz"), b"CONFIGS").unwrap();
    std::fs::write(tmp.0.join("stray"), b"?").unwrap();
    let out = opsbook(&["backup", "verify", tmp.s(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<(&str, &str)> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap(), p["path"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("extra", "stray"), ("checksum_mismatch", "configs.tar.gz")]);
    // --ignore and --skip-checksums as pg_verifybackup has them.
    let out = opsbook(&["backup", "verify", tmp.s(), "--ignore", "stray", "--skip-checksums"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn sha256sum_files_both_ways() {
    let tmp = TempDir::new("sums");
    tree(&tmp.0);
    let sums = tmp.0.join("SHA256SUMS");
    let out =
        opsbook(&["backup", "manifest", tmp.s(), "--manifest-format", "sha256sum", "--output", sums.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let check = Command::new("sha256sum").args(["-c", "SHA256SUMS"]).current_dir(&tmp.0).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    assert_eq!(String::from_utf8_lossy(&check.stdout).matches(": OK").count(), 3);
    // The manual's own file: sha256sum of an absolute path, checked by opsbook.
    let dump = tmp.0.join("database.dump.gz");
    let theirs = Command::new("sha256sum").arg(&dump).output().unwrap();
    let file = tmp.0.join("database.dump.gz.sha256");
    std::fs::write(&file, &theirs.stdout).unwrap();
    let out = opsbook(&["backup", "verify", "/", "--manifest", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    std::fs::write(&dump, b"truncated").unwrap();
    let out = opsbook(&["backup", "verify", "/", "--manifest", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("database.dump.gz: FAILED"));
}

#[test]
fn unreadable_files_and_directories_as_an_unprivileged_user() {
    // Root reads everything, so the verification runs as nobody (setpriv).
    let tmp = TempDir::new("unreadable");
    tree(&tmp.0);
    std::fs::create_dir_all(tmp.0.join("secret")).unwrap();
    std::fs::write(tmp.0.join("secret/key"), b"k").unwrap();
    let out = opsbook(&["backup", "manifest", tmp.s(), "--output", tmp.0.join("backup_manifest").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(Command::new("chmod").args(["-R", "a+rX"]).arg(&tmp.0).status().unwrap().success());
    let mut p = tmp.0.clone();
    while let Some(parent) = p.parent() {
        let _ = Command::new("chmod").arg("a+x").arg(parent).status();
        p = parent.to_path_buf();
    }
    assert!(Command::new("chmod").arg("000").arg(tmp.0.join("secret")).status().unwrap().success());
    assert!(Command::new("chmod").arg("000").arg(tmp.0.join("configs.tar.gz")).status().unwrap().success());
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_opsbook"),
            "backup",
            "verify",
            tmp.s(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<(&str, &str)> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap(), p["path"].as_str().unwrap()))
        .collect();
    // The directory once (nothing beneath it reported missing), the file when its checksum is read.
    assert_eq!(kinds, [("unreadable", "secret"), ("unreadable", "configs.tar.gz")]);
}

#[test]
fn retention_vectors_through_the_command() {
    let path = format!("{}/../tests/vectors/retention.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let tmp = TempDir::new("retention");
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let list = match &c["backups"] {
            Value::String(set) => doc["snapshot_sets"][set.as_str()].clone(),
            other => other.clone(),
        };
        let input = tmp.0.join(format!("{id}.json"));
        std::fs::write(&input, list.to_string()).unwrap();
        let mut args: Vec<String> = ["backup", "retention", "--input", input.to_str().unwrap(), "--format", "json"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(["--now".into(), c["now"].as_str().unwrap().into()]);
        let groups: Vec<&str> = c["group_by"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        args.extend(["--group-by".into(), groups.join(",")]);
        for (k, v) in c["policy"].as_object().unwrap() {
            match k.as_str() {
                "days" => args.extend(["--find-mtime".into(), v.to_string()]),
                "keep_tags" => {
                    for l in v.as_array().unwrap() {
                        let tags: Vec<&str> = l.as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
                        args.extend(["--keep-tag".into(), tags.join(",")]);
                    }
                }
                _ => {
                    args.extend([format!("--{}", k.replace('_', "-")), v.as_str().map_or(v.to_string(), str::to_owned)])
                }
            }
        }
        let out = Command::new(env!("CARGO_BIN_EXE_opsbook")).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{id}: {}", String::from_utf8_lossy(&out.stderr));
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        let simplified: Vec<Value> = got["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                json!({
                    "key": g["key"],
                    "keep": g["keep"].as_array().unwrap().iter().map(|k| json!({"id": k["id"], "matches": k["matches"], "counters": k["counters"]})).collect::<Vec<_>>(),
                    "forget": g["forget"].as_array().unwrap().iter().map(|f| f["id"].clone()).collect::<Vec<_>>(),
                })
            })
            .collect();
        assert_eq!(json!(simplified), c["groups"], "{id}");
        replayed += 1;
    }
    assert_eq!(replayed, 15);
    // An empty policy would forget everything: refused, as restic refuses it.
    let input = tmp.0.join("restic-policy-keep-snapshots-14.json");
    let out = opsbook(&["backup", "retention", "--input", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no retention rule"));
}

#[test]
fn forget_deletes_only_with_yes() {
    let tmp = TempDir::new("forget");
    for (name, age_days) in [("db_20261122.sql.gz", 0u64), ("db_20261114.sql.gz", 8), ("db_20261101.sql.gz", 21)] {
        let p = tmp.0.join(name);
        std::fs::write(&p, b"dump").unwrap();
        let t = std::time::SystemTime::now() - std::time::Duration::from_secs(age_days * 86_400 + 60);
        std::fs::File::options().write(true).open(&p).unwrap().set_modified(t).unwrap();
    }
    let out = opsbook(&["backup", "forget", tmp.s(), "--find-mtime", "7"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("forget db_20261114.sql.gz  (would delete)") && text.contains("keep   db_20261122.sql.gz"),
        "{text}"
    );
    assert_eq!(std::fs::read_dir(&tmp.0).unwrap().count(), 3, "a dry run deletes nothing");
    let out = opsbook(&["backup", "forget", tmp.s(), "--find-mtime", "7", "--yes"]);
    assert_eq!(out.status.code(), Some(0));
    let left: Vec<String> =
        std::fs::read_dir(&tmp.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["db_20261122.sql.gz"]);
}

#[test]
fn forget_by_policy_locations() {
    let tmp = TempDir::new("locations");
    let (local, offsite) = (tmp.0.join("local"), tmp.0.join("offsite"));
    for dir in [&local, &offsite] {
        std::fs::create_dir_all(dir).unwrap();
        for (name, age_days) in [("new.sql.gz", 1u64), ("old.sql.gz", 40)] {
            let p = dir.join(name);
            std::fs::write(&p, b"dump").unwrap();
            let t = std::time::SystemTime::now() - std::time::Duration::from_secs(age_days * 86_400);
            std::fs::File::options().write(true).open(&p).unwrap().set_modified(t).unwrap();
        }
    }
    let policy = tmp.0.join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "version = 1\n[[backups.locations]]\nname = \"local\"\ndir = \"{}\"\nretention = {{ keep_within = \"7d\" }}\n\
             [[backups.locations]]\nname = \"offsite\"\ndir = \"{}\"\n",
            local.display(),
            offsite.display()
        ),
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let out = opsbook(&["policy", "check", p]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("backups: offsite at"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = opsbook(&["backup", "forget", "--policy", p, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("forget old.sql.gz  (deleted)") && text.contains("keep   old.sql.gz  (kept for ever)"),
        "{text}"
    );
    assert!(
        !local.join("old.sql.gz").exists() && local.join("new.sql.gz").exists() && offsite.join("old.sql.gz").exists()
    );
    // Rules come from the policy alone; a misspelt key names its path.
    let out = opsbook(&["backup", "forget", "--policy", p, "--keep-daily", "3"]);
    assert_eq!(out.status.code(), Some(3));
    // Every rule flag is refused beside --policy, not silently ignored (the --keep-within-*
    // flags and --find-mtime once were), and nothing is deleted.
    std::fs::write(local.join("old.sql.gz"), b"dump").unwrap();
    for flags in [
        &["--keep-within-daily", "30d"][..],
        &["--keep-within-hourly", "1d"],
        &["--keep-within-weekly", "4w"],
        &["--keep-within-monthly", "1y"],
        &["--keep-within-yearly", "2y"],
        &["--keep-tag", "x"],
        &["--find-mtime", "7"],
    ] {
        let out = opsbook(&[&["backup", "forget", "--policy", p, "--yes"][..], flags].concat());
        assert_eq!(out.status.code(), Some(3), "{flags:?}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(String::from_utf8_lossy(&out.stderr).contains("with --policy the retention comes from"), "{flags:?}");
        assert!(local.join("old.sql.gz").exists(), "{flags:?} deleted a backup");
    }
    // --find-mtime is the manuals' rule, not restic's: given together they are refused.
    for flag in ["--keep-within-daily", "--keep-within-yearly", "--keep-last"] {
        let out = opsbook(&["backup", "retention", "--dir", local.to_str().unwrap(), "--find-mtime", "7", flag, "3"]);
        assert_eq!(out.status.code(), Some(3), "{flag}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"), "{flag}");
    }
    std::fs::write(
        &policy,
        "version = 1\n[[backups.locations]]\nname = \"x\"\ndir = \"/x\"\nretention = { keep_dayly = 7 }\n",
    )
    .unwrap();
    let out = opsbook(&["policy", "check", p]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("backups.locations[0].retention.keep_dayly"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

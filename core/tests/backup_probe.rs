//! The backup check in a Runner, on the education manual's layout: dated directories, each
//! with database.dump.gz and its .sha256 (absolute path, as sha256sum wrote it) and a
//! metadata.json; and a pg_basebackup-style directory with a backup_manifest.

use std::path::PathBuf;
use std::process::Command;

use opsbook::Status;
use opsbook::spec::runner_from_toml;

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn runner_for(root: &std::path::Path) -> opsbook::runner::Runner {
    runner_from_toml(&format!(
        "version = 1\n[[checks]]\nname = \"backup\"\ntype = \"backup\"\ndir = \"{}\"\nverify = true\n\
         thresholds.age = {{ crit = {{ above = 86400 }} }}\n",
        root.display()
    ))
    .unwrap()
}

#[tokio::test]
async fn newest_backup_fresh_and_verified_then_corrupted_then_stale() {
    let root = TempDir(std::env::temp_dir().join(format!("opsbook-backup-probe-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&root.0);
    for (day, age_h) in [("20261121_020000", 24 + 8), ("20261122_020000", 8)] {
        let dir = root.0.join(day);
        std::fs::create_dir_all(&dir).unwrap();
        let dump = dir.join("database.dump.gz");
        std::fs::write(&dump, format!("dump of {day}")).unwrap();
        let sums = Command::new("sha256sum").arg(&dump).output().unwrap();
        std::fs::write(dir.join("database.dump.gz.sha256"), sums.stdout).unwrap();
        std::fs::write(dir.join("metadata.json"), "{\"type\": \"full\", \"status\": \"success\"}").unwrap();
        let t = std::time::SystemTime::now() - std::time::Duration::from_secs(age_h * 3600);
        std::fs::File::open(&dir).unwrap().set_modified(t).unwrap();
    }
    let runner = runner_for(&root.0);
    let report = runner.run(None).await;
    let r = &report.checks[0];
    assert_eq!(r.status, Status::Ok, "{r:?}");
    let m = |name: &str| r.measurements.iter().find(|m| m.name == name).unwrap().value;
    assert!((8.0 * 3600.0 - 5.0..8.0 * 3600.0 + 60.0).contains(&m("age")), "{}", m("age"));
    assert_eq!(m("problems"), 0.0);
    assert!(r.summary.contains("20261122_020000") && r.summary.contains("verified"), "{}", r.summary);
    // The newest dump changes after its checksum was written: CRITICAL, naming the file.
    let newest = root.0.join("20261122_020000");
    std::fs::write(newest.join("database.dump.gz"), "tampered").unwrap();
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(8 * 3600);
    std::fs::File::open(&newest).unwrap().set_modified(t).unwrap();
    let report = runner_for(&root.0).run(None).await;
    let r = &report.checks[0];
    assert_eq!(r.status, Status::Critical, "{r:?}");
    assert!(r.summary.contains("database.dump.gz: FAILED"), "{}", r.summary);
    // Older than the recovery point objective (24 h): CRITICAL on age.
    std::fs::remove_dir_all(&newest).unwrap();
    let report = runner_for(&root.0).run(None).await;
    let r = &report.checks[0];
    assert_eq!(r.status, Status::Critical, "{r:?}");
    assert!(r.summary.contains("20261121_020000"), "{}", r.summary);
    // Nothing to check: CRITICAL, saying so.
    let empty = TempDir(root.0.join("empty"));
    std::fs::create_dir_all(&empty.0).unwrap();
    let report = runner_for(&empty.0).run(None).await;
    assert_eq!(report.checks[0].status, Status::Critical);
    assert!(format!("{:?}", report.checks[0]).contains("no backup in"), "{:?}", report.checks[0]);
}

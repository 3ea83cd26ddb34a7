//! A log file appended to, rotated and truncated during the test.

use std::io::Write;
use std::sync::Arc;

use opsbook::probe::logscan::{LogScanProbe, ScanWindow};
use opsbook::runner::CheckDefinition;
use opsbook::{Status, Threshold};

fn append(path: &std::path::Path, lines: &[&str]) {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

#[tokio::test]
async fn counts_new_matches_across_rotation_and_truncation() {
    let dir = std::env::temp_dir().join(format!("opsbook-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("app.log");
    append(&log, &["2026-11-22 02:00:00 ERROR old failure", "2026-11-22 02:00:01 INFO ok"]);
    let probe = LogScanProbe::new(&log, r"\bERROR\b", ScanWindow::SinceLastScan).unwrap();
    // The manuals: warn above 10 ERROR lines.
    let check = CheckDefinition::new("app-errors", Arc::new(probe))
        .unwrap()
        .with_threshold("matches", Threshold::parse(Some("~:10"), None).unwrap());
    let value = |r: &opsbook::CheckResult, n: &str| r.measurements.iter().find(|m| m.name == n).unwrap().value;

    let first = check.run_once().await;
    assert_eq!((first.status, value(&first, "matches")), (Status::Ok, 0.0), "{first:?}");

    append(&log, &["ERROR a", "INFO b", "ERROR c"]);
    let r = check.run_once().await;
    assert_eq!((value(&r, "matches"), value(&r, "lines")), (2.0, 3.0));

    // Rotation by rename: two more lines reach the old file, then a new file starts.
    append(&log, &["ERROR d", "ERROR e"]);
    std::fs::rename(&log, dir.join("app.log.1")).unwrap();
    append(&log, &["ERROR f", "INFO g"]);
    let r = check.run_once().await;
    assert_eq!((value(&r, "matches"), value(&r, "lines")), (3.0, 4.0), "{r:?}");

    // copytruncate: the file shrinks in place.
    std::fs::OpenOptions::new().write(true).truncate(true).open(&log).unwrap();
    let many: Vec<String> = (0..12).map(|i| format!("ERROR burst {i}")).collect();
    append(&log, &many.iter().map(String::as_str).collect::<Vec<_>>());
    let r = check.run_once().await;
    assert_eq!((r.status, value(&r, "matches")), (Status::Warning, 12.0), "{r:?}");

    // A line still being written is counted once it is complete.
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    write!(f, "ERROR partial").unwrap();
    assert_eq!(value(&check.run_once().await, "matches"), 0.0);
    writeln!(f, " done").unwrap();
    assert_eq!(value(&check.run_once().await, "matches"), 1.0);

    let tail = LogScanProbe::new(&log, "ERROR", ScanWindow::LastLines(5)).unwrap();
    let r = CheckDefinition::new("tail", Arc::new(tail)).unwrap().run_once().await;
    assert_eq!((value(&r, "matches"), value(&r, "lines")), (5.0, 5.0));

    let missing = LogScanProbe::new(dir.join("nope.log"), "ERROR", ScanWindow::SinceLastScan).unwrap();
    let r = CheckDefinition::new("missing", Arc::new(missing)).unwrap().run_once().await;
    assert!(r.status == Status::Critical && r.summary.contains("nope.log"), "{}", r.summary);
    assert!(
        LogScanProbe::new(&log, "(unclosed", ScanWindow::SinceLastScan).unwrap_err().to_string().contains("pattern")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

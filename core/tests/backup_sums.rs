//! Checksum files against GNU coreutils' sha256sum/sha512sum: each accepts what the other
//! writes, and both reject the same corrupted file.

use std::path::Path;
use std::process::Command;

use opsbook::backup::Algorithm;
use opsbook::backup::ProblemKind;
use opsbook::backup::sums::{parse_sums, sums_of, verify_sums, write_sums};

mod common;
use common::TempDir;

fn names() -> Vec<Vec<u8>> {
    [
        &b"database.dump.gz"[..],
        b"uploads/with space.tar.gz",
        b"back\\slash",
        b"new\nline",
        "配置/configs.tar.gz".as_bytes(),
    ]
    .iter()
    .map(|n| n.to_vec())
    .collect()
}

fn write_files(dir: &Path) {
    use std::os::unix::ffi::OsStrExt;
    for (i, n) in names().iter().enumerate() {
        let p = dir.join(std::ffi::OsStr::from_bytes(n));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, vec![i as u8; 1000 + i * 77]).unwrap();
    }
}

fn check(tool: &str, dir: &Path, sums: &Path) -> (bool, String) {
    let out = Command::new(tool).arg("-c").arg(sums).current_dir(dir).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn coreutils_accepts_what_opsbook_writes_and_the_reverse() {
    let tmp = TempDir::new("interchange");
    write_files(&tmp.0);
    for (tool, algorithm) in
        [("sha256sum", Algorithm::Sha256), ("sha512sum", Algorithm::Sha512), ("sha224sum", Algorithm::Sha224)]
    {
        let lines = sums_of(&tmp.0, &names(), algorithm).unwrap();
        let file = tmp.0.join(format!("ours.{tool}"));
        std::fs::write(&file, write_sums(&lines)).unwrap();
        let (ok, out) = check(tool, &tmp.0, &file);
        assert!(ok, "{tool} -c rejected opsbook's file: {out}");
        assert_eq!(out.matches(": OK").count(), 5, "{out}");
        // coreutils writes the same bytes for the same files.
        let theirs = Command::new(tool)
            .args([
                "--",
                "database.dump.gz",
                "uploads/with space.tar.gz",
                "back\\slash",
                "new\nline",
                "配置/configs.tar.gz",
            ])
            .current_dir(&tmp.0)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&theirs.stdout), String::from_utf8_lossy(&write_sums(&lines)), "{tool}");
        let parsed = parse_sums(&theirs.stdout).unwrap();
        assert_eq!(parsed, lines);
        assert!(verify_sums(&parsed, &tmp.0).ok());
    }
    // The manual's way: an absolute path, checked from anywhere; and BSD --tag lines.
    let abs = tmp.0.join("database.dump.gz");
    let out = Command::new("sha256sum").arg(&abs).output().unwrap();
    let tagged = Command::new("sha256sum").arg("--tag").arg(&abs).output().unwrap();
    for text in [out.stdout, tagged.stdout] {
        let lines = parse_sums(&text).unwrap();
        assert_eq!(lines[0].path, abs.as_os_str().as_encoded_bytes());
        assert!(verify_sums(&lines, Path::new("/")).ok());
    }
}

#[test]
fn a_corrupted_file_fails_both_and_a_missing_one_is_named() {
    let tmp = TempDir::new("corrupt");
    write_files(&tmp.0);
    let file = tmp.0.join("SHA256SUMS");
    std::fs::write(&file, write_sums(&sums_of(&tmp.0, &names(), Algorithm::Sha256).unwrap())).unwrap();
    let target = tmp.0.join("uploads/with space.tar.gz");
    let mut bytes = std::fs::read(&target).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&target, bytes).unwrap();
    std::fs::remove_file(tmp.0.join("database.dump.gz")).unwrap();
    let (ok, out) = check("sha256sum", &tmp.0, &file);
    assert!(!ok);
    assert!(
        out.contains("uploads/with space.tar.gz: FAILED\n") && out.contains("database.dump.gz: FAILED open or read"),
        "{out}"
    );
    let ours = verify_sums(&parse_sums(&std::fs::read(&file).unwrap()).unwrap(), &tmp.0);
    let got: Vec<(ProblemKind, &str)> = ours.problems.iter().map(|p| (p.kind, p.path.as_str())).collect();
    assert_eq!(
        got,
        [(ProblemKind::Missing, "database.dump.gz"), (ProblemKind::ChecksumMismatch, "uploads/with space.tar.gz")]
    );
    assert_eq!(ours.problems[1].message, "uploads/with space.tar.gz: FAILED");
}

#[test]
fn human_sizes_match_numfmt_and_metadata_round_trips() {
    use opsbook::backup::metadata::{Metadata, human_size};
    let sizes: Vec<u64> = vec![
        0,
        999,
        1023,
        1024,
        1025,
        1200,
        10_240,
        10_752,
        1_048_575,
        1_048_576,
        1_572_864,
        10_485_759,
        123_456_789,
        1_073_741_824,
        5_000_000_000_000,
    ];
    let out = Command::new("numfmt")
        .args(["--to=iec", "--round=up"])
        .args(sizes.iter().map(u64::to_string))
        .output()
        .unwrap();
    let theirs: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect();
    let ours: Vec<String> = sizes.iter().map(|s| human_size(*s)).collect();
    assert_eq!(ours, theirs);
    // The education manual's metadata.json, as its backup script writes it.
    let text = "{\n            \"date\": \"20261122_020000\",\n            \"size\": \"1.2G\",\n            \"location\": \"s3://edu-backups/20261122_020000/\",\n            \"type\": \"full\",\n            \"status\": \"success\"\n        }\n";
    let m = Metadata::parse(text).unwrap();
    assert_eq!((m.kind.as_str(), m.status.as_str(), m.size.as_str()), ("full", "success", "1.2G"));
    let again = Metadata::parse(&m.to_json_text()).unwrap();
    assert_eq!(again, m);
    assert!(m.to_json_text().starts_with("{\n  \"date\": \"20261122_020000\",\n  \"size\""));
    let err = Metadata::parse("{\"date\": \"x\"}").unwrap_err().to_string();
    assert!(err.contains("metadata.json") && err.contains("missing field"), "{err}");
}

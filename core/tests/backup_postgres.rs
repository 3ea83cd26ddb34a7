//! Backup manifests against the real tools: `pg_basebackup` writes a backup and its
//! manifest from the test command's PostgreSQL, `pg_verifybackup` (PostgreSQL 15) judges.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use opsbook::backup::{Algorithm, BuildOptions, Manifest, ProblemKind, VerifyOptions, build, verify};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn postgres_url() -> Option<String> {
    match std::env::var("OPSBOOK_TEST_POSTGRES_URL") {
        Ok(u) => Some(u),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => panic!("OPSBOOK_TEST_POSTGRES_URL is not set"),
        Err(_) => {
            eprintln!("skipped: OPSBOOK_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

mod common;
use common::TempDir;

fn base_backup(url: &str, dir: &Path, checksums: &str) {
    let out = Command::new(format!("{PG_BIN}/pg_basebackup"))
        .args(["-d", url, "-D"])
        .arg(dir)
        .args(["--manifest-checksums", checksums])
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_basebackup: {}", String::from_utf8_lossy(&out.stderr));
}

/// pg_verifybackup's findings as (kind, path), read from its messages.
fn pg_verifybackup(dir: &Path) -> BTreeSet<(String, String)> {
    let out = Command::new(format!("{PG_BIN}/pg_verifybackup")).arg("-n").arg(dir).output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim_start_matches("pg_verifybackup: error: ");
        let quoted = line.split('"').nth(1).unwrap_or("").to_owned();
        let kind = if line.contains("is present on disk but not in the manifest") {
            "extra"
        } else if line.contains("is present in the manifest but not on disk") {
            "missing"
        } else if line.contains("on disk but size") {
            "size_mismatch"
        } else if line.starts_with("checksum mismatch for file") {
            "checksum_mismatch"
        } else if line.contains("manifest checksum mismatch") {
            "manifest_checksum_mismatch"
        } else if line.contains("could not parse backup manifest") {
            "manifest_invalid"
        } else {
            panic!("unexpected pg_verifybackup line: {line}");
        };
        let path = if kind.starts_with("manifest") { "backup_manifest".to_owned() } else { quoted };
        found.insert((kind.to_owned(), path));
    }
    assert_eq!(found.is_empty(), out.status.success(), "{text}");
    found
}

fn ours(dir: &Path) -> BTreeSet<(String, String)> {
    verify(dir, &VerifyOptions::default(), None)
        .problems
        .iter()
        .map(|p| (p.kind.as_str().to_owned(), p.path.clone()))
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    assert!(Command::new("cp").arg("-a").arg(from).arg(to).status().unwrap().success());
}

#[test]
fn a_real_manifest_round_trips_byte_for_byte_and_regenerates_from_disk() {
    let Some(url) = postgres_url() else { return };
    let tmp = TempDir::new("roundtrip");
    for (name, checksums, algorithm) in [("crc", "CRC32C", Algorithm::Crc32c), ("sha", "SHA256", Algorithm::Sha256)] {
        let dir = tmp.0.join(name);
        base_backup(&url, &dir, checksums);
        let bytes = std::fs::read(dir.join("backup_manifest")).unwrap();
        let manifest = Manifest::parse(&bytes).unwrap();
        assert_eq!(manifest.version, 1);
        assert!(manifest.files.len() > 900, "{}", manifest.files.len());
        assert!(manifest.files.iter().all(|f| f.algorithm == algorithm));
        assert_eq!(manifest.wal_ranges.as_ref().map(Vec::len), Some(1));
        // Written back: the same bytes, Manifest-Checksum included.
        assert!(manifest.to_bytes() == bytes, "{name}: the manifest does not round-trip");
        // Regenerated from the files on disk: the same paths, sizes and checksums.
        let options = BuildOptions { algorithm, ..BuildOptions::default() };
        let built = build(&dir, &options, None).unwrap();
        let key = |m: &Manifest| -> BTreeSet<(Vec<u8>, u64, Vec<u8>)> {
            m.files.iter().map(|f| (f.path.clone(), f.size, f.checksum.clone())).collect()
        };
        let (mine, theirs) = (key(&built.manifest), key(&manifest));
        let only_mine: Vec<String> =
            mine.difference(&theirs).map(|f| String::from_utf8_lossy(&f.0).into_owned()).collect();
        let only_theirs: Vec<String> =
            theirs.difference(&mine).map(|f| String::from_utf8_lossy(&f.0).into_owned()).collect();
        assert!(only_mine.is_empty() && only_theirs.is_empty(), "{name}: {only_mine:?} vs {only_theirs:?}");
        assert!(built.skipped.is_empty());
        // Both verifiers accept the untouched backup.
        assert!(ours(&dir).is_empty());
        assert!(pg_verifybackup(&dir).is_empty());
    }
}

#[test]
fn both_verifiers_report_the_same_problems_after_each_change() {
    let Some(url) = postgres_url() else { return };
    let tmp = TempDir::new("changes");
    let pristine = tmp.0.join("pristine");
    base_backup(&url, &pristine, "CRC32C");
    type Change = fn(&Path);
    let changes: [(&str, Change); 6] = [
        ("extra file", |d| std::fs::write(d.join("base/extra_file"), b"not in the manifest").unwrap()),
        ("missing file", |d| std::fs::remove_file(d.join("global/1262")).unwrap()),
        ("appended", |d| {
            use std::io::Write;
            std::fs::OpenOptions::new().append(true).open(d.join("PG_VERSION")).unwrap().write_all(b"x").unwrap()
        }),
        ("truncated", |d| {
            std::fs::OpenOptions::new().write(true).open(d.join("global/pg_control")).unwrap().set_len(100).unwrap()
        }),
        ("same-size replacement", |d| {
            let p = d.join("global/1213");
            let mut b = std::fs::read(&p).unwrap();
            b[4000] ^= 0x55;
            std::fs::write(&p, b).unwrap()
        }),
        ("one manifest byte", |d| {
            let p = d.join("backup_manifest");
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, text.replacen("\"Size\": 3,", "\"Size\": 4,", 1)).unwrap()
        }),
    ];
    let mut kinds = BTreeSet::new();
    for (i, (what, change)) in changes.iter().enumerate() {
        let dir = tmp.0.join(format!("case{i}"));
        copy_tree(&pristine, &dir);
        change(&dir);
        let theirs = pg_verifybackup(&dir);
        let mine = ours(&dir);
        assert!(!mine.is_empty(), "{what}: nothing found");
        assert_eq!(mine, theirs, "{what}");
        kinds.extend(mine.into_iter().map(|(k, _)| k));
    }
    let want: BTreeSet<String> =
        ["extra", "missing", "size_mismatch", "checksum_mismatch", "manifest_checksum_mismatch"]
            .map(String::from)
            .into();
    assert_eq!(kinds, want);
}

#[test]
fn manifests_opsbook_writes_pass_pg_verifybackup() {
    if !Path::new(&format!("{PG_BIN}/pg_verifybackup")).exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "pg_verifybackup is missing");
        return eprintln!("skipped: pg_verifybackup is not installed");
    }
    let tmp = TempDir::new("ours");
    for (name, algorithm) in [("crc", Algorithm::Crc32c), ("sha", Algorithm::Sha256), ("none", Algorithm::None)] {
        let dir = tmp.0.join(name);
        // A backup as the manuals make one: a dump, its uploads and configs.
        std::fs::create_dir_all(dir.join("uploads/2026/11")).unwrap();
        std::fs::write(dir.join("db_backup_20261122.sql.gz"), vec![7u8; 300_000]).unwrap();
        std::fs::write(dir.join("uploads/2026/11/avatar.png"), b"\x89PNG...").unwrap();
        std::fs::write(dir.join("uploads/2026/11/文档.pdf"), b"%PDF-1.7").unwrap();
        std::fs::write(dir.join("nginx.conf"), b"server { listen 80; }\n").unwrap();
        std::fs::write(dir.join("empty"), b"").unwrap();
        let built = build(&dir, &BuildOptions { algorithm, ..BuildOptions::default() }, None).unwrap();
        assert_eq!(built.manifest.files.len(), 5);
        std::fs::write(dir.join("backup_manifest"), built.manifest.to_bytes()).unwrap();
        assert!(pg_verifybackup(&dir).is_empty(), "{name}");
        assert!(ours(&dir).is_empty(), "{name}");
        if algorithm != Algorithm::None {
            // Same size, other bytes: both see a checksum mismatch for that file.
            std::fs::write(dir.join("nginx.conf"), b"server { listen 81; }\n").unwrap();
            let want: BTreeSet<_> = [("checksum_mismatch".to_owned(), "nginx.conf".to_owned())].into();
            assert_eq!(pg_verifybackup(&dir), want, "{name}");
            assert_eq!(ours(&dir), want, "{name}");
        }
    }
    // A name that is not UTF-8 is written as Encoded-Path, and pg_verifybackup finds it.
    let dir = tmp.0.join("encoded");
    std::fs::create_dir_all(&dir).unwrap();
    use std::os::unix::ffi::OsStrExt;
    std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt")), b"latin-1 name").unwrap();
    let built = build(&dir, &BuildOptions::default(), None).unwrap();
    let bytes = built.manifest.to_bytes();
    assert!(String::from_utf8_lossy(&bytes).contains("\"Encoded-Path\": \"636166e92e747874\""));
    std::fs::write(dir.join("backup_manifest"), &bytes).unwrap();
    assert!(pg_verifybackup(&dir).is_empty());
    assert!(ours(&dir).is_empty());
    assert_eq!(Manifest::parse(&bytes).unwrap(), built.manifest);
}

/// The malformed manifests of tests/vectors/manifests.json transcribed from PostgreSQL's own
/// suite: the real pg_verifybackup refuses each with the message the vector records, and
/// opsbook refuses each too (manifest_vectors.rs checks opsbook's wording).
#[test]
fn pg_verifybackup_refuses_the_transcribed_manifests_as_recorded() {
    if !Path::new(&format!("{PG_BIN}/pg_verifybackup")).exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "pg_verifybackup is missing");
        return eprintln!("skipped: pg_verifybackup is not installed");
    }
    let path = format!("{}/../tests/vectors/manifests.json", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let tmp = TempDir::new("bad-manifests");
    let mut checked = 0;
    for c in doc["cases"].as_array().unwrap() {
        let Some(message) = c["postgres"].as_str() else { continue };
        std::fs::write(tmp.0.join("backup_manifest"), c["manifest"].as_str().unwrap()).unwrap();
        let out = Command::new(format!("{PG_BIN}/pg_verifybackup")).arg("-n").arg(&tmp.0).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(message), "{}: {stderr}", c["id"]);
        let ours = verify(&tmp.0, &VerifyOptions::default(), None);
        assert_eq!(ours.problems.len(), 1, "{}", c["id"]);
        assert!(
            ours.problems[0].kind == ProblemKind::ManifestInvalid
                || ours.problems[0].kind == ProblemKind::ManifestChecksumMismatch
        );
        checked += 1;
    }
    assert_eq!(checked, 30);
}

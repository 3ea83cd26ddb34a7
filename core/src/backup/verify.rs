//! Verifying a backup directory against its manifest as pg_verifybackup does
//! (`src/bin/pg_verifybackup/pg_verifybackup.c`): first the files on disk (present but not
//! in the manifest, size mismatches, unreadable paths), then manifest entries missing on
//! disk, then checksums of the files that are otherwise fine — each problem with its path,
//! a stable kind and pg_verifybackup's wording. Nothing is ever written into the backup.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::backup::build::{Progress, ProgressFn};
use crate::backup::checksum::{READ_CHUNK, digest_file};
use crate::backup::manifest::Manifest;
use crate::backup::walk::{Entry, full_path, ignored, walk};

/// What is wrong with one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// In the manifest, not on disk.
    Missing,
    /// On disk, not in the manifest.
    Extra,
    SizeMismatch,
    ChecksumMismatch,
    /// A file or directory that could not be read.
    Unreadable,
    /// Neither a regular file nor a directory.
    NotRegular,
    /// A symbolic link outside `pg_tblspc/` (not followed).
    Symlink,
    /// The file's length changed while it was read.
    ShortRead,
    /// The manifest's own checksum does not match its contents.
    ManifestChecksumMismatch,
    /// The manifest cannot be read or parsed.
    ManifestInvalid,
    /// Version 2: `global/pg_control` belongs to another cluster.
    SystemIdentifierMismatch,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Missing => "missing",
            ProblemKind::Extra => "extra",
            ProblemKind::SizeMismatch => "size_mismatch",
            ProblemKind::ChecksumMismatch => "checksum_mismatch",
            ProblemKind::Unreadable => "unreadable",
            ProblemKind::NotRegular => "not_regular",
            ProblemKind::Symlink => "symlink",
            ProblemKind::ShortRead => "short_read",
            ProblemKind::ManifestChecksumMismatch => "manifest_checksum_mismatch",
            ProblemKind::ManifestInvalid => "manifest_invalid",
            ProblemKind::SystemIdentifierMismatch => "system_identifier_mismatch",
        }
    }
}

/// One problem: the path (relative to the backup), its kind, and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub kind: ProblemKind,
    pub message: String,
}

/// pg_verifybackup's options.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The manifest (default: `backup_manifest` in the directory).
    pub manifest: Option<PathBuf>,
    /// Paths not checked, with everything beneath them; pg_verifybackup's defaults are always
    /// included: backup_manifest, pg_wal, postgresql.auto.conf, recovery.signal, standby.signal.
    pub ignore: Vec<String>,
    pub skip_checksums: bool,
    /// Stop at the first problem.
    pub exit_on_error: bool,
}

/// pg_verifybackup's default ignore list.
pub const DEFAULT_IGNORE: [&str; 5] =
    ["backup_manifest", "pg_wal", "postgresql.auto.conf", "recovery.signal", "standby.signal"];

/// The outcome: every problem found, and how much was checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    pub problems: Vec<Problem>,
    pub files_checked: u64,
    pub bytes_checksummed: u64,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn problem(path: &[u8], kind: ProblemKind, message: String) -> Problem {
    Problem { path: crate::backup::manifest::escape_bytes(path), kind, message }
}

/// Verifies `dir` against its manifest. A manifest that cannot be trusted (unreadable,
/// malformed, checksum mismatch) is the only problem reported: nothing can be checked
/// against it.
pub fn verify(dir: &Path, options: &VerifyOptions, progress: Option<ProgressFn>) -> Verification {
    let manifest_path = options.manifest.clone().unwrap_or_else(|| dir.join("backup_manifest"));
    let shown = manifest_path.display().to_string();
    let bytes = match std::fs::read(&manifest_path) {
        Ok(b) => b,
        Err(e) => {
            let message = format!("could not open file \"{shown}\": {e}");
            return Verification {
                problems: vec![problem(b"backup_manifest", ProblemKind::ManifestInvalid, message)],
                ..Default::default()
            };
        }
    };
    match Manifest::parse(&bytes) {
        Ok(m) => verify_against(dir, &m, options, progress),
        Err(e) => {
            let reason = match &e {
                crate::Error::InvalidValue { reason, .. } => reason.clone(),
                other => other.to_string(),
            };
            let kind = if reason == "manifest checksum mismatch" {
                ProblemKind::ManifestChecksumMismatch
            } else {
                ProblemKind::ManifestInvalid
            };
            Verification { problems: vec![problem(b"backup_manifest", kind, reason)], ..Default::default() }
        }
    }
}

/// Verifies `dir` against its manifest, or — when `options.manifest` names a file that is not
/// JSON (it does not start with `{`) — against that sha256sum-style checksum file, whose
/// relative names are taken from `dir`. A checksum file that cannot be read is an error.
pub fn verify_any(dir: &Path, options: &VerifyOptions, progress: Option<ProgressFn>) -> crate::Result<Verification> {
    Ok(match checksum_file_lines(options)? {
        Some(lines) => crate::backup::sums::verify_sums(&lines, dir),
        None => verify(dir, options, progress),
    })
}

/// The lines of `options.manifest` when it names a checksum file rather than a JSON
/// manifest; None for a manifest (or none given). A checksum file that does not parse is an
/// error naming the file and line.
pub fn checksum_file_lines(options: &VerifyOptions) -> crate::Result<Option<Vec<crate::backup::sums::SumLine>>> {
    let Some(path) = &options.manifest else { return Ok(None) };
    let Ok(head) = std::fs::read(path) else { return Ok(None) };
    if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(None);
    }
    crate::backup::sums::parse_sums(&head).map(Some).map_err(|e| match e {
        crate::Error::InvalidValue { field, value, reason } => {
            crate::Error::InvalidValue { field: format!("{}: {field}", path.display()), value, reason }
        }
        other => other,
    })
}

/// Verifies `dir` against a manifest already read.
pub fn verify_against(
    dir: &Path,
    manifest: &Manifest,
    options: &VerifyOptions,
    progress: Option<ProgressFn>,
) -> Verification {
    let mut ignore: Vec<Vec<u8>> = DEFAULT_IGNORE.iter().map(|s| s.as_bytes().to_vec()).collect();
    ignore.extend(options.ignore.iter().map(|s| s.trim_end_matches('/').as_bytes().to_vec()));
    let mut out = Verification::default();
    if let Err(e) = std::fs::read_dir(dir) {
        out.problems.push(problem(
            b"",
            ProblemKind::Unreadable,
            format!("could not open directory \"{}\": {e}", dir.display()),
        ));
        return out;
    }
    let index: HashMap<&[u8], usize> = manifest.files.iter().enumerate().map(|(i, f)| (f.path.as_slice(), i)).collect();
    // 0: not seen, 1: seen and fine so far, 2: seen with a problem already reported.
    let mut state = vec![0u8; manifest.files.len()];
    let stop = options.exit_on_error;
    let stopped = std::cell::Cell::new(false);
    let mut unreadable: Vec<Vec<u8>> = Vec::new();
    let mut found: Vec<Problem> = Vec::new();
    walk(dir, &|p| ignored(&ignore, p) || stopped.get(), &mut |entry| {
        if stopped.get() {
            return;
        }
        let text = |rel: &[u8]| crate::backup::manifest::escape_bytes(rel);
        match entry {
            Entry::File { rel, size, .. } => match index.get(rel.as_slice()) {
                None => found.push(problem(
                    &rel,
                    ProblemKind::Extra,
                    format!("\"{}\" is present on disk but not in the manifest", text(&rel)),
                )),
                Some(&i) => {
                    state[i] = 1;
                    let want = manifest.files[i].size;
                    if size != want {
                        state[i] = 2;
                        found.push(problem(
                            &rel,
                            ProblemKind::SizeMismatch,
                            format!("\"{}\" has size {size} on disk but size {want} in the manifest", text(&rel)),
                        ));
                    }
                }
            },
            Entry::Unreadable { rel, reason } => {
                found.push(problem(&rel, ProblemKind::Unreadable, format!("\"{}\": {reason}", text(&rel))));
                // Nothing beneath an unreadable directory is reported missing.
                unreadable.push(rel);
            }
            Entry::NotRegular { rel } => found.push(problem(
                &rel,
                ProblemKind::NotRegular,
                format!("\"{}\" is not a regular file or directory", text(&rel)),
            )),
            Entry::Symlink { rel } => {
                if let Some(&i) = index.get(rel.as_slice()) {
                    state[i] = 2;
                }
                found.push(problem(
                    &rel,
                    ProblemKind::Symlink,
                    format!("\"{}\" is a symbolic link outside pg_tblspc/, not followed", text(&rel)),
                ))
            }
        }
        if stop && !found.is_empty() {
            stopped.set(true);
        }
    });
    out.problems = found;
    ignore.extend(unreadable);
    for (i, f) in manifest.files.iter().enumerate() {
        if stop && !out.problems.is_empty() {
            return out;
        }
        if state[i] == 0 && !ignored(&ignore, &f.path) {
            state[i] = 2;
            out.problems.push(problem(
                &f.path,
                ProblemKind::Missing,
                format!("\"{}\" is present in the manifest but not on disk", f.path_text()),
            ));
        }
    }
    if manifest.version == 2
        && let Some(id) = manifest.system_identifier
        && let Some(i) = index.get(&b"global/pg_control"[..])
        && state[*i] == 1
        && let Ok(control) = std::fs::read(dir.join("global/pg_control"))
        && control.len() >= 8
    {
        // ControlFileData starts with the system identifier (uint64, this machine's order).
        let found = u64::from_ne_bytes(control[..8].try_into().expect("8 bytes"));
        if found != id {
            out.problems.push(problem(
                b"global/pg_control",
                ProblemKind::SystemIdentifierMismatch,
                format!("manifest system identifier is {id}, but control file has {found}"),
            ));
        }
    }
    out.files_checked = state.iter().filter(|s| **s != 0).count() as u64;
    if options.skip_checksums || (stop && !out.problems.is_empty()) {
        return out;
    }
    let todo: Vec<usize> = (0..manifest.files.len())
        .filter(|&i| {
            state[i] == 1 && !manifest.files[i].algorithm.is_none() && !ignored(&ignore, &manifest.files[i].path)
        })
        .collect();
    let bytes_total: u64 = todo.iter().map(|&i| manifest.files[i].size).sum();
    let files_total = todo.len() as u64;
    let (files_done, bytes_done) = (AtomicU64::new(0), AtomicU64::new(0));
    let check = |buffer: &mut Vec<u8>, i: usize| -> Option<Problem> {
        let f = &manifest.files[i];
        let result = digest_file(&full_path(dir, &f.path), f.algorithm, buffer);
        let n = files_done.fetch_add(1, Ordering::Relaxed) + 1;
        let b = bytes_done.fetch_add(f.size, Ordering::Relaxed) + f.size;
        if let Some(report) = progress {
            report(Progress { files_done: n, files_total, bytes_done: b, bytes_total });
        }
        match result {
            Err(e) => Some(problem(
                &f.path,
                ProblemKind::Unreadable,
                format!("could not read file \"{}\": {e}", f.path_text()),
            )),
            Ok(d) if d.size != f.size => Some(problem(
                &f.path,
                ProblemKind::ShortRead,
                format!("file \"{}\" should contain {} bytes, but read {} bytes", f.path_text(), f.size, d.size),
            )),
            Ok(d) if d.digest != f.checksum => Some(problem(
                &f.path,
                ProblemKind::ChecksumMismatch,
                format!("checksum mismatch for file \"{}\"", f.path_text()),
            )),
            Ok(_) => None,
        }
    };
    if stop {
        let mut buffer = vec![0u8; READ_CHUNK];
        for i in todo {
            if let Some(p) = check(&mut buffer, i) {
                out.problems.push(p);
                break;
            }
        }
    } else {
        let found: Vec<Option<Problem>> =
            todo.par_iter().map_init(|| vec![0u8; READ_CHUNK], |b, &i| check(b, i)).collect();
        out.problems.extend(found.into_iter().flatten());
    }
    out.bytes_checksummed = bytes_done.load(Ordering::Relaxed);
    out
}

impl Verification {
    /// One line per problem (`<kind>: <message>`), or `backup successfully verified`.
    pub fn to_text(&self) -> String {
        if self.problems.is_empty() {
            return "backup successfully verified\n".into();
        }
        self.problems.iter().map(|p| format!("{}: {}\n", p.kind.as_str(), p.message)).collect()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "ok": self.ok(),
            "files_checked": self.files_checked,
            "problems": self.problems.iter().map(|p| serde_json::json!({
                "path": p.path, "kind": p.kind.as_str(), "message": p.message,
            })).collect::<Vec<_>>(),
        })
    }
}

//! Building a manifest of a backup directory: every regular file's relative path, size,
//! modification time and checksum, files hashed in parallel on every core, each read in
//! fixed-size chunks (memory does not grow with file size), with a progress callback.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::backup::checksum::{Algorithm, READ_CHUNK, digest_file};
use crate::backup::manifest::{FileEntry, Manifest, WalRange, last_modified_text};
use crate::backup::walk::{Entry, full_path, ignored, walk};
use crate::error::{Error, Result};

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub algorithm: Algorithm,
    /// 1 (read by PostgreSQL 13 and later) or 2 (17 and later; needs `system_identifier`).
    pub version: u32,
    pub system_identifier: Option<u64>,
    pub wal_ranges: Option<Vec<WalRange>>,
    /// Paths left out, with everything beneath them. The default is what a PostgreSQL base
    /// backup's own manifest leaves out: `backup_manifest` and `pg_wal`.
    pub ignore: Vec<Vec<u8>>,
}

impl Default for BuildOptions {
    fn default() -> BuildOptions {
        BuildOptions {
            algorithm: Algorithm::Crc32c,
            version: 1,
            system_identifier: None,
            wal_ranges: None,
            ignore: vec![b"backup_manifest".to_vec(), b"pg_wal".to_vec()],
        }
    }
}

/// How far a build or verification has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub files_done: u64,
    pub files_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// Called from worker threads as files finish.
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Sync);

/// A manifest and the paths deliberately left out of it.
#[derive(Debug, Clone)]
pub struct Built {
    pub manifest: Manifest,
    /// Symbolic links outside `pg_tblspc/`, not followed.
    pub skipped: Vec<String>,
}

/// What a streamed build went through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildSummary {
    pub files: u64,
    pub bytes: u64,
    /// Symbolic links outside `pg_tblspc/`, not followed.
    pub skipped: Vec<String>,
}

/// Files are hashed a batch at a time (in parallel within a batch) and handed on in order,
/// so memory stays flat however many files the tree holds.
const BATCH_FILES: usize = 4096;
const BATCH_BYTES: u64 = 256 * 1024 * 1024;

/// Refuses options no manifest can have (checked before any file is read).
pub fn check_options(options: &BuildOptions) -> Result<()> {
    if options.version != 1 && options.version != 2 {
        return Err(Error::invalid_value("version", &options.version.to_string(), "manifest versions are 1 and 2"));
    }
    if (options.version == 2) != options.system_identifier.is_some() {
        return Err(Error::invalid_value(
            "system_identifier",
            &options.system_identifier.map(|s| s.to_string()).unwrap_or_default(),
            "version 2 manifests carry a system identifier, version 1 manifests do not",
        ));
    }
    Ok(())
}

/// Walks `dir` (twice when `progress` wants totals), handing each file's entry to `sink` in
/// path order. A file or directory that cannot be read, or a path that is neither a file nor
/// a directory, is an error naming it: a manifest that silently misses part of a backup would
/// verify a broken one. Entries handed on before such an error stand; a caller writing a
/// file writes it elsewhere and renames it into place only on success.
pub fn build_each(
    dir: &Path,
    options: &BuildOptions,
    progress: Option<ProgressFn>,
    sink: &mut dyn FnMut(FileEntry) -> Result<()>,
) -> Result<BuildSummary> {
    check_options(options)?;
    std::fs::read_dir(dir).map_err(|e| Error::Io { path: dir.display().to_string(), reason: e.to_string() })?;
    let skip = |p: &[u8]| ignored(&options.ignore, p);
    let mut summary = BuildSummary::default();
    // Counting first costs a second pass over the directories; it is done only when someone
    // watches the progress.
    if progress.is_some() {
        walk(dir, &skip, &mut |entry| {
            if let Entry::File { size, .. } = entry {
                summary.files += 1;
                summary.bytes += size;
            }
        });
    }
    let (files_total, bytes_total) = (summary.files, summary.bytes);
    let (files_done, bytes_done) = (AtomicU64::new(0), AtomicU64::new(0));
    let hash = |batch: &[(Vec<u8>, i64)]| -> Vec<Result<FileEntry>> {
        batch
            .par_iter()
            .map_init(
                || vec![0u8; READ_CHUNK],
                |buffer, (rel, mtime)| {
                    let d = digest_file(&full_path(dir, rel), options.algorithm, buffer)?;
                    let f = files_done.fetch_add(1, Ordering::Relaxed) + 1;
                    let b = bytes_done.fetch_add(d.size, Ordering::Relaxed) + d.size;
                    if let Some(report) = progress {
                        report(Progress { files_done: f, files_total, bytes_done: b, bytes_total });
                    }
                    Ok(FileEntry {
                        path: rel.clone(),
                        size: d.size,
                        last_modified: last_modified_text(*mtime),
                        algorithm: options.algorithm,
                        checksum: d.digest,
                    })
                },
            )
            .collect()
    };
    let mut batch: Vec<(Vec<u8>, i64)> = Vec::new();
    let mut batch_bytes = 0u64;
    let mut result: Result<()> = Ok(());
    let mut flush = |batch: &mut Vec<(Vec<u8>, i64)>, result: &mut Result<()>| {
        if result.is_ok() {
            for entry in hash(batch) {
                if let Err(e) = entry.and_then(&mut *sink) {
                    *result = Err(e);
                    break;
                }
            }
        }
        batch.clear();
    };
    let mut failure = None;
    let failed = std::cell::Cell::new(false);
    walk(dir, &|p| skip(p) || failed.get(), &mut |entry| match entry {
        Entry::File { rel, size, mtime } => {
            batch.push((rel, mtime));
            batch_bytes += size;
            if batch.len() >= BATCH_FILES || batch_bytes >= BATCH_BYTES {
                flush(&mut batch, &mut result);
                batch_bytes = 0;
            }
        }
        Entry::Symlink { rel } => summary.skipped.push(crate::backup::manifest::escape_bytes(&rel)),
        Entry::Unreadable { rel, reason } => {
            failed.set(true);
            failure.get_or_insert_with(|| (crate::backup::manifest::escape_bytes(&rel), reason));
        }
        Entry::NotRegular { rel } => {
            failed.set(true);
            failure.get_or_insert_with(|| {
                (crate::backup::manifest::escape_bytes(&rel), "not a regular file or directory".to_owned())
            });
        }
    });
    if let Some((path, reason)) = failure {
        return Err(Error::Io { path: format!("{}/{path}", dir.display()), reason });
    }
    flush(&mut batch, &mut result);
    result?;
    summary.files = files_done.load(Ordering::Relaxed);
    summary.bytes = bytes_done.load(Ordering::Relaxed);
    Ok(summary)
}

/// Builds a manifest of `dir` in memory (`build_each` streams it instead).
pub fn build(dir: &Path, options: &BuildOptions, progress: Option<ProgressFn>) -> Result<Built> {
    let mut files = Vec::new();
    let summary = build_each(dir, options, progress, &mut |f| {
        files.push(f);
        Ok(())
    })?;
    Ok(Built {
        manifest: Manifest {
            version: options.version,
            system_identifier: options.system_identifier,
            files,
            wal_ranges: options.wal_ranges.clone(),
        },
        skipped: summary.skipped,
    })
}

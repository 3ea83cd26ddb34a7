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

/// Builds a manifest of `dir`. A file or directory that cannot be read, or a path that is
/// neither a file nor a directory, is an error naming it: a manifest that silently misses
/// part of a backup would verify a broken one.
pub fn build(dir: &Path, options: &BuildOptions, progress: Option<ProgressFn>) -> Result<Built> {
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
    std::fs::read_dir(dir).map_err(|e| Error::Io { path: dir.display().to_string(), reason: e.to_string() })?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut failure = None;
    walk(dir, &|p| ignored(&options.ignore, p), &mut |entry| match entry {
        Entry::File { rel, size, mtime } => files.push((rel, size, mtime)),
        Entry::Symlink { rel } => skipped.push(crate::backup::manifest::escape_bytes(&rel)),
        Entry::Unreadable { rel, reason } => {
            failure.get_or_insert_with(|| (crate::backup::manifest::escape_bytes(&rel), reason));
        }
        Entry::NotRegular { rel } => {
            failure.get_or_insert_with(|| {
                (crate::backup::manifest::escape_bytes(&rel), "not a regular file or directory".to_owned())
            });
        }
    });
    if let Some((path, reason)) = failure {
        return Err(Error::Io { path: format!("{}/{path}", dir.display()), reason });
    }
    let bytes_total: u64 = files.iter().map(|f| f.1).sum();
    let files_total = files.len() as u64;
    let (files_done, bytes_done) = (AtomicU64::new(0), AtomicU64::new(0));
    let entries: Vec<Result<FileEntry>> = files
        .par_iter()
        .map_init(
            || vec![0u8; READ_CHUNK],
            |buffer, (rel, _, mtime)| {
                let d = digest_file(&full_path(dir, rel), options.algorithm, buffer)?;
                if let Some(report) = progress {
                    let f = files_done.fetch_add(1, Ordering::Relaxed) + 1;
                    let b = bytes_done.fetch_add(d.size, Ordering::Relaxed) + d.size;
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
        .collect();
    let files = entries.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(Built {
        manifest: Manifest {
            version: options.version,
            system_identifier: options.system_identifier,
            files,
            wal_ranges: options.wal_ranges.clone(),
        },
        skipped,
    })
}

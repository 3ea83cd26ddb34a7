//! Walking a backup directory: regular files with their relative paths (as bytes: names need
//! not be UTF-8), in name order. Symbolic links are followed only directly under
//! `pg_tblspc/`, where PostgreSQL places its tablespace links (stricter than pg_verifybackup,
//! which follows any); nothing is ever written.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// What the walk found at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File {
        rel: Vec<u8>,
        size: u64,
        mtime: i64,
    },
    /// A directory that could not be listed, or a path that could not be examined.
    Unreadable {
        rel: Vec<u8>,
        reason: String,
    },
    /// Neither a regular file nor a directory (a socket, a device, a FIFO).
    NotRegular {
        rel: Vec<u8>,
    },
    /// A symbolic link outside `pg_tblspc/`: not followed.
    Symlink {
        rel: Vec<u8>,
    },
}

/// The full path of a relative manifest path under `root`.
pub fn full_path(root: &Path, rel: &[u8]) -> PathBuf {
    root.join(std::ffi::OsStr::from_bytes(rel))
}

fn join(parent: &[u8], name: &[u8]) -> Vec<u8> {
    if parent.is_empty() {
        name.to_vec()
    } else {
        let mut v = Vec::with_capacity(parent.len() + 1 + name.len());
        v.extend_from_slice(parent);
        v.push(b'/');
        v.extend_from_slice(name);
        v
    }
}

/// Walks `root`, calling `visit` for every entry not under a path `skip` says to skip
/// (pg_verifybackup's prefix rule: "aa/bb" skips "aa/bb" and "aa/bb/cc", not "aa/bbb").
pub fn walk(root: &Path, skip: &dyn Fn(&[u8]) -> bool, visit: &mut dyn FnMut(Entry)) {
    walk_dir(root, &[], skip, visit);
}

fn walk_dir(root: &Path, rel: &[u8], skip: &dyn Fn(&[u8]) -> bool, visit: &mut dyn FnMut(Entry)) {
    let dir = full_path(root, rel);
    let dir = if rel.is_empty() { root.to_path_buf() } else { dir };
    let listing = match std::fs::read_dir(&dir) {
        Ok(l) => l,
        Err(e) => {
            visit(Entry::Unreadable { rel: rel.to_vec(), reason: format!("could not open directory: {e}") });
            return;
        }
    };
    let mut names: Vec<Vec<u8>> = Vec::new();
    for item in listing {
        match item {
            Ok(item) => names.push(item.file_name().as_bytes().to_vec()),
            Err(e) => {
                visit(Entry::Unreadable { rel: rel.to_vec(), reason: format!("could not read directory: {e}") });
                return;
            }
        }
    }
    names.sort();
    let in_tblspc = rel == b"pg_tblspc";
    for name in names {
        let child = join(rel, &name);
        if skip(&child) {
            continue;
        }
        let path = full_path(root, &child);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                visit(Entry::Unreadable { rel: child, reason: format!("could not stat file or directory: {e}") });
                continue;
            }
        };
        let meta = if meta.file_type().is_symlink() {
            if !in_tblspc {
                visit(Entry::Symlink { rel: child });
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => {
                    visit(Entry::Unreadable { rel: child, reason: format!("could not follow tablespace link: {e}") });
                    continue;
                }
            }
        } else {
            meta
        };
        if meta.is_dir() {
            walk_dir(root, &child, skip, visit);
        } else if meta.is_file() {
            use std::os::unix::fs::MetadataExt;
            visit(Entry::File { rel: child, size: meta.len(), mtime: meta.mtime() });
        } else {
            visit(Entry::NotRegular { rel: child });
        }
    }
}

/// pg_verifybackup's `should_ignore_relpath`: `path` equals an entry or lies beneath one.
pub fn ignored(ignore: &[Vec<u8>], path: &[u8]) -> bool {
    ignore.iter().any(|i| path.starts_with(i) && (path.len() == i.len() || path[i.len()] == b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_is_by_whole_components() {
        let ignore = vec![b"aa/bb".to_vec(), b"pg_wal".to_vec()];
        assert!(ignored(&ignore, b"aa/bb"));
        assert!(ignored(&ignore, b"aa/bb/cc"));
        assert!(!ignored(&ignore, b"aa/bbb"));
        assert!(ignored(&ignore, b"pg_wal/000000010000000000000002"));
        assert!(!ignored(&ignore, b"pg_wal2"));
    }
}

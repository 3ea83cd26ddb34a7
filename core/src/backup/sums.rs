//! Checksum files as GNU coreutils' `sha256sum` (and `sha224sum`, `sha384sum`, `sha512sum`)
//! write and check them: `<hex>  <name>` (`<hex> *<name>` in binary mode, `SHA256 (<name>) =
//! <hex>` with `--tag`); a name holding a backslash, newline or carriage return is escaped
//! (`\\`, `\n`, `\r`) and its line starts with a backslash. `sha256sum -c` accepts what
//! opsbook writes, and opsbook checks what `sha256sum` writes, the manuals' absolute paths
//! included (names are resolved as `sha256sum -c` does: relative ones against a base
//! directory, by default the current one).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::backup::checksum::{Algorithm, READ_CHUNK, digest_file, from_hex, to_hex};
use crate::backup::verify::{Problem, ProblemKind, Verification};
use crate::error::{Error, Result};

/// One line of a checksum file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLine {
    pub path: Vec<u8>,
    pub algorithm: Algorithm,
    pub digest: Vec<u8>,
}

fn by_length(hex_len: usize) -> Option<Algorithm> {
    [Algorithm::Sha224, Algorithm::Sha256, Algorithm::Sha384, Algorithm::Sha512]
        .into_iter()
        .find(|a| a.digest_len() * 2 == hex_len)
}

fn escape(name: &[u8]) -> (bool, Vec<u8>) {
    let mut out = Vec::with_capacity(name.len());
    let mut escaped = false;
    for &b in name {
        match b {
            b'\\' => {
                escaped = true;
                out.extend_from_slice(b"\\\\")
            }
            b'\n' => {
                escaped = true;
                out.extend_from_slice(b"\\n")
            }
            b'\r' => {
                escaped = true;
                out.extend_from_slice(b"\\r")
            }
            b => out.push(b),
        }
    }
    (escaped, out)
}

fn unescape(name: &[u8], line: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(name.len());
    let mut it = name.iter();
    while let Some(&b) = it.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match it.next() {
            Some(b'\\') => out.push(b'\\'),
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            _ => return Err(malformed(line, "a backslash in an escaped name must be followed by \\, n or r")),
        }
    }
    Ok(out)
}

fn malformed(line: usize, why: &str) -> Error {
    Error::invalid_value(&format!("checksum file line {line}"), "", format!("improperly formatted: {why}"))
}

/// The lines `sha256sum` would print for these files (text mode), in the given order.
pub fn write_sums(lines: &[SumLine]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        let (escaped, name) = escape(&l.path);
        if escaped {
            out.push(b'\\');
        }
        out.extend_from_slice(to_hex(&l.digest).as_bytes());
        out.extend_from_slice(b"  ");
        out.extend_from_slice(&name);
        out.push(b'\n');
    }
    out
}

/// Reads a checksum file: GNU lines (text or binary mode, escaped names) and BSD `--tag`
/// lines; the algorithm comes from the tag or the digest's length. Empty lines are skipped;
/// anything else that is not a checksum line is an error naming the line.
pub fn parse_sums(text: &[u8]) -> Result<Vec<SumLine>> {
    let mut out = Vec::new();
    for (i, raw) in text.split(|b| *b == b'\n').enumerate() {
        let n = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let (escaped, line) = match raw.strip_prefix(b"\\") {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let parsed = if let Some(tagged) = parse_tag(line) {
            tagged
        } else {
            let space = line.iter().position(|b| *b == b' ').ok_or_else(|| malformed(n, "no name after the digest"))?;
            let hex = std::str::from_utf8(&line[..space]).map_err(|_| malformed(n, "the digest is not hex"))?;
            let rest = &line[space + 1..];
            let name = match rest.first() {
                Some(b' ') | Some(b'*') => &rest[1..],
                _ => return Err(malformed(n, "expected two spaces or \" *\" between digest and name")),
            };
            let algorithm = by_length(hex.len()).ok_or_else(|| {
                malformed(n, &format!("a digest of {} hex digits is not SHA-224/256/384/512", hex.len()))
            })?;
            (algorithm, hex.to_owned(), name.to_vec())
        };
        let (algorithm, hex, name) = parsed;
        if name.is_empty() {
            return Err(malformed(n, "empty name"));
        }
        let digest = from_hex(&hex).ok_or_else(|| malformed(n, "the digest is not hex"))?;
        if digest.len() != algorithm.digest_len() {
            return Err(malformed(
                n,
                &format!("{} digests have {} hex digits", algorithm.name(), algorithm.digest_len() * 2),
            ));
        }
        let path = if escaped { unescape(&name, n)? } else { name };
        out.push(SumLine { path, algorithm, digest });
    }
    Ok(out)
}

/// `SHA256 (name) = hex`.
fn parse_tag(line: &[u8]) -> Option<(Algorithm, String, Vec<u8>)> {
    let open = line.iter().position(|b| *b == b'(')?;
    let tag = std::str::from_utf8(&line[..open]).ok()?.trim_end();
    let algorithm = match tag {
        "SHA224" => Algorithm::Sha224,
        "SHA256" => Algorithm::Sha256,
        "SHA384" => Algorithm::Sha384,
        "SHA512" => Algorithm::Sha512,
        _ => return None,
    };
    let close = line.windows(4).rposition(|w| w == b") = ")?;
    let hex = std::str::from_utf8(&line[close + 4..]).ok()?.to_owned();
    Some((algorithm, hex, line[open + 1..close].to_vec()))
}

/// Computes the lines for `files` (paths relative to `base`, written as given).
pub fn sums_of(base: &Path, files: &[Vec<u8>], algorithm: Algorithm) -> Result<Vec<SumLine>> {
    if algorithm.is_none() || algorithm == Algorithm::Crc32c {
        return Err(Error::invalid_value(
            "algorithm",
            algorithm.name(),
            "checksum files hold SHA-224, SHA-256, SHA-384 or SHA-512 digests",
        ));
    }
    files
        .par_iter()
        .map_init(
            || vec![0u8; READ_CHUNK],
            |buffer, rel| {
                let d = digest_file(&resolve(base, rel), algorithm, buffer)?;
                Ok(SumLine { path: rel.clone(), algorithm, digest: d.digest })
            },
        )
        .collect()
}

fn resolve(base: &Path, name: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let p = Path::new(std::ffi::OsStr::from_bytes(name));
    if p.is_absolute() { p.to_path_buf() } else { base.join(p) }
}

/// Checks every line as `sha256sum -c` does: a file that cannot be opened or read, or whose
/// digest differs, is a problem; nothing is written.
pub fn verify_sums(lines: &[SumLine], base: &Path) -> Verification {
    let found: Vec<Option<Problem>> = lines
        .par_iter()
        .map_init(
            || vec![0u8; READ_CHUNK],
            |buffer, l| {
                let shown = crate::backup::manifest::escape_bytes(&l.path);
                match digest_file(&resolve(base, &l.path), l.algorithm, buffer) {
                    Err(Error::Io { reason, .. }) => {
                        let missing = !resolve(base, &l.path).exists();
                        Some(Problem {
                            kind: if missing { ProblemKind::Missing } else { ProblemKind::Unreadable },
                            message: format!("{shown}: FAILED open or read ({reason})"),
                            path: shown,
                        })
                    }
                    Err(other) => Some(Problem {
                        kind: ProblemKind::Unreadable,
                        message: format!("{shown}: {other}"),
                        path: shown,
                    }),
                    Ok(d) if d.digest != l.digest => Some(Problem {
                        kind: ProblemKind::ChecksumMismatch,
                        message: format!("{shown}: FAILED"),
                        path: shown,
                    }),
                    Ok(_) => None,
                }
            },
        )
        .collect();
    Verification {
        problems: found.into_iter().flatten().collect(),
        files_checked: lines.len() as u64,
        bytes_checksummed: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_and_bsd_lines() {
        let text = b"\\2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6  back\\\\slash\n\
\\3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  new\\nline\n\
ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  x y\n\
ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb *x y\n\
SHA256 (x y) = ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\n";
        let lines = parse_sums(text).unwrap();
        let names: Vec<&[u8]> = lines.iter().map(|l| l.path.as_slice()).collect();
        assert_eq!(names, [&b"back\\slash"[..], b"new\nline", b"x y", b"x y", b"x y"]);
        assert!(lines.iter().all(|l| l.algorithm == Algorithm::Sha256));
        // Written back in text mode: the first three lines exactly.
        assert_eq!(
            write_sums(&lines[..3]),
            text[..text.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(2).unwrap().0 + 1]
        );
        let err = parse_sums(b"abc  x\n").unwrap_err().to_string();
        assert!(err.contains("line 1") && err.contains("3 hex digits"), "{err}");
        assert!(parse_sums(b"\n\nzz\n").unwrap_err().to_string().contains("line 3"));
    }
}

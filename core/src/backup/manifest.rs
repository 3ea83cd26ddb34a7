//! PostgreSQL's `backup_manifest`, read and written byte for byte as PostgreSQL does
//! (`src/backend/backup/backup_manifest.c`, `src/common/parse_manifest.c`):
//!
//! ```text
//! { "PostgreSQL-Backup-Manifest-Version": 1,
//! "Files": [
//! { "Path": "backup_label", "Size": 225, "Last-Modified": "2026-11-22 10:22:21 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "a8066f57" },
//! { "Path": "PG_VERSION", "Size": 3, "Last-Modified": "2026-11-22 10:22:19 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "8a744722" }
//! ],
//! "WAL-Ranges": [
//! { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }
//! ],
//! "Manifest-Checksum": "1a93...88e4"}
//! ```
//!
//! Version 2 (PostgreSQL 17) adds `"System-Identifier"` after the version. A name that is not
//! UTF-8 is written as `Encoded-Path` (hex). The manifest checksum is SHA-256 over everything
//! before the last line. Reading is stricter than PostgreSQL where that protects the reader:
//! a path that is absolute or has a `.`/`..` component is refused (and so never opened), a
//! checksum whose length does not fit its algorithm is refused at once.

use std::collections::HashSet;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::backup::checksum::{Algorithm, Hasher, from_hex, to_hex};
use crate::error::{Error, Result};

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// The relative path as bytes (a name need not be UTF-8).
    pub path: Vec<u8>,
    pub size: u64,
    /// As written: `%Y-%m-%d %H:%M:%S GMT` (PostgreSQL does not read it back).
    pub last_modified: String,
    pub algorithm: Algorithm,
    pub checksum: Vec<u8>,
}

impl FileEntry {
    /// The path as text: UTF-8 as is, any other byte as `\xNN` (Python's backslashreplace).
    pub fn path_text(&self) -> String {
        escape_bytes(&self.path)
    }
}

/// Bytes as text: UTF-8 as is, any other byte as `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// One timeline's WAL needed to restore the backup; LSNs as written (`0/2000028`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalRange {
    pub timeline: u32,
    pub start_lsn: String,
    pub end_lsn: String,
}

/// A backup manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// 1 (PostgreSQL 13-16) or 2 (17 and later).
    pub version: u32,
    /// Version 2 only: the cluster's system identifier.
    pub system_identifier: Option<u64>,
    pub files: Vec<FileEntry>,
    /// None: no `WAL-Ranges` key (a manifest of something that is not a base backup).
    pub wal_ranges: Option<Vec<WalRange>>,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidValue {
        field: "backup_manifest".into(),
        value: String::new(),
        reason: format!("could not parse backup manifest: {}", reason.into()),
    }
}

/// Parses an LSN as PostgreSQL writes it (`%X/%X`).
pub fn parse_lsn(text: &str) -> Option<u64> {
    let (hi, lo) = text.split_once('/')?;
    let hi = u32::from_str_radix(hi, 16).ok()?;
    let lo = u32::from_str_radix(lo, 16).ok()?;
    Some((hi as u64) << 32 | lo as u64)
}

/// Formats an LSN as PostgreSQL writes it in a manifest.
pub fn format_lsn(lsn: u64) -> String {
    format!("{:X}/{:X}", lsn >> 32, lsn as u32)
}

/// Whether a manifest path is safe to open under the backup directory: relative, no empty,
/// `.` or `..` component, no NUL.
pub fn safe_relative_path(path: &[u8]) -> bool {
    !path.is_empty()
        && path[0] != b'/'
        && !path.contains(&0)
        && path.split(|b| *b == b'/').all(|c| !c.is_empty() && c != b"." && c != b"..")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(rename = "Path")]
    path: Option<String>,
    #[serde(rename = "Encoded-Path")]
    encoded_path: Option<String>,
    #[serde(rename = "Size", default, deserialize_with = "size_integer")]
    size: Option<u64>,
    #[serde(rename = "Last-Modified")]
    last_modified: Option<String>,
    #[serde(rename = "Checksum-Algorithm")]
    algorithm: Option<String>,
    #[serde(rename = "Checksum")]
    checksum: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWalRange {
    #[serde(rename = "Timeline", default, deserialize_with = "timeline_integer")]
    timeline: Option<u32>,
    #[serde(rename = "Start-LSN")]
    start_lsn: Option<String>,
    #[serde(rename = "End-LSN")]
    end_lsn: Option<String>,
}

fn size_integer<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    u64::deserialize(d).map(Some).map_err(|_| de::Error::custom("file size is not an integer"))
}

fn timeline_integer<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u32>, D::Error> {
    u32::deserialize(d).map(Some).map_err(|_| de::Error::custom("timeline is not an integer"))
}

struct Raw {
    version: u32,
    system_identifier: Option<u64>,
    files: Option<Vec<FileEntry>>,
    wal_ranges: Option<Vec<WalRange>>,
    checksum: Option<String>,
}

/// Files are checked one at a time as they stream in, so a million-file manifest never
/// exists twice in memory.
struct FilesSeed;

impl<'de> de::DeserializeSeed<'de> for FilesSeed {
    type Value = Vec<FileEntry>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Vec<FileEntry>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FilesSeed {
    type Value = Vec<FileEntry>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("the list of files")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<FileEntry>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(raw) = seq.next_element::<RawFile>()? {
            out.push(file_entry(raw, out.len()).map_err(de::Error::custom)?);
        }
        Ok(out)
    }
}

fn file_entry(raw: RawFile, index: usize) -> std::result::Result<FileEntry, String> {
    let path = match (raw.path, raw.encoded_path) {
        (Some(p), None) => p.into_bytes(),
        (None, Some(e)) => from_hex(&e).ok_or_else(|| format!("could not decode file name \"{e}\""))?,
        (None, None) => return Err(format!("missing path name (file {index})")),
        (Some(_), Some(_)) => return Err("both path name and encoded path name".into()),
    };
    let shown = String::from_utf8_lossy(&path).into_owned();
    if !safe_relative_path(&path) {
        return Err(format!("unsafe path \"{shown}\": absolute, empty, or with a . or .. component"));
    }
    let size = raw.size.ok_or_else(|| format!("missing size for file \"{shown}\""))?;
    let algorithm = match (&raw.algorithm, &raw.checksum) {
        (None, Some(_)) => return Err(format!("checksum without algorithm for file \"{shown}\"")),
        (None, None) => Algorithm::None,
        (Some(name), _) => Algorithm::from_name(name)
            .ok_or_else(|| format!("unrecognized checksum algorithm: \"{name}\" for file \"{shown}\""))?,
    };
    let checksum = match raw.checksum.as_deref() {
        None | Some("") => Vec::new(),
        Some(text) => from_hex(text).ok_or_else(|| format!("invalid checksum for file \"{shown}\": \"{text}\""))?,
    };
    if checksum.len() != algorithm.digest_len() {
        return Err(format!(
            "checksum for file \"{shown}\" has {} bytes, but {} has {}",
            checksum.len(),
            algorithm.name(),
            algorithm.digest_len()
        ));
    }
    Ok(FileEntry { path, size, last_modified: raw.last_modified.unwrap_or_default(), algorithm, checksum })
}

struct ManifestVisitor;

impl<'de> Visitor<'de> for ManifestVisitor {
    type Value = Raw;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a backup manifest object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Raw, A::Error> {
        let mut raw = Raw { version: 0, system_identifier: None, files: None, wal_ranges: None, checksum: None };
        let mut seen = HashSet::new();
        let mut first = true;
        while let Some(key) = map.next_key::<String>()? {
            if first && key != "PostgreSQL-Backup-Manifest-Version" {
                return Err(de::Error::custom("expected version indicator"));
            }
            first = false;
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate top-level field \"{key}\"")));
            }
            match key.as_str() {
                "PostgreSQL-Backup-Manifest-Version" => {
                    let v: u64 = map.next_value().map_err(|_| de::Error::custom("manifest version not an integer"))?;
                    if v != 1 && v != 2 {
                        return Err(de::Error::custom("unexpected manifest version"));
                    }
                    raw.version = v as u32;
                }
                "System-Identifier" => {
                    raw.system_identifier = Some(
                        map.next_value().map_err(|_| de::Error::custom("manifest system identifier not an integer"))?,
                    )
                }
                "Files" => raw.files = Some(map.next_value_seed(FilesSeed)?),
                "WAL-Ranges" => {
                    let ranges: Vec<RawWalRange> = map.next_value()?;
                    let mut out = Vec::with_capacity(ranges.len());
                    for r in ranges {
                        let timeline = r.timeline.ok_or_else(|| de::Error::custom("missing timeline"))?;
                        let start = r.start_lsn.ok_or_else(|| de::Error::custom("missing start LSN"))?;
                        let end = r.end_lsn.ok_or_else(|| de::Error::custom("missing end LSN"))?;
                        if parse_lsn(&start).is_none() {
                            return Err(de::Error::custom("could not parse start LSN"));
                        }
                        if parse_lsn(&end).is_none() {
                            return Err(de::Error::custom("could not parse end LSN"));
                        }
                        out.push(WalRange { timeline, start_lsn: start, end_lsn: end });
                    }
                    raw.wal_ranges = Some(out);
                }
                // null is read as absent, so the checksum check names what is wrong.
                "Manifest-Checksum" => raw.checksum = map.next_value::<Option<String>>()?,
                _ => return Err(de::Error::custom(format!("unrecognized top-level field \"{key}\""))),
            }
        }
        if first {
            return Err(de::Error::custom("expected version indicator"));
        }
        Ok(raw)
    }
}

impl Manifest {
    /// Parses a `backup_manifest` and checks its Manifest-Checksum.
    pub fn parse(bytes: &[u8]) -> Result<Manifest> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let json_error = |e: serde_json::Error| {
            if e.is_eof() {
                invalid(format!("manifest ended unexpectedly at line {} column {}", e.line(), e.column()))
            } else {
                invalid(e.to_string())
            }
        };
        let raw = de.deserialize_map(ManifestVisitor).map_err(json_error)?;
        de.end().map_err(json_error)?;
        let files = raw.files.ok_or_else(|| invalid("missing \"Files\""))?;
        match (raw.version, raw.system_identifier) {
            (2, None) => return Err(invalid("a version 2 manifest needs \"System-Identifier\"")),
            (1, Some(_)) => return Err(invalid("\"System-Identifier\" is a version 2 field")),
            _ => {}
        }
        let mut seen = HashSet::with_capacity(files.len());
        for f in &files {
            if !seen.insert(f.path.as_slice()) {
                return Err(Error::InvalidValue {
                    field: "backup_manifest".into(),
                    value: f.path_text(),
                    reason: format!("duplicate path name in backup manifest: \"{}\"", f.path_text()),
                });
            }
        }
        verify_manifest_checksum(bytes, raw.checksum.as_deref())?;
        Ok(Manifest {
            version: raw.version,
            system_identifier: raw.system_identifier,
            files,
            wal_ranges: raw.wal_ranges,
        })
    }

    /// The manifest as PostgreSQL writes it, Manifest-Checksum included.
    pub fn to_bytes(&self) -> Vec<u8> {
        let out = Vec::with_capacity(64 + self.files.len() * 160);
        let mut w = ManifestWriter::new(out, self.version, self.system_identifier).expect("writing to memory");
        for f in &self.files {
            w.add(f).expect("writing to memory");
        }
        w.finish(self.wal_ranges.as_deref()).expect("writing to memory")
    }
}

/// Writes a manifest as it is built, one file at a time, so a tree of any size is written
/// in constant memory; the Manifest-Checksum is computed on the way.
pub struct ManifestWriter<W: std::io::Write> {
    out: W,
    sha: Hasher,
    files: u64,
}

impl<W: std::io::Write> ManifestWriter<W> {
    /// Writes the header.
    pub fn new(out: W, version: u32, system_identifier: Option<u64>) -> std::io::Result<ManifestWriter<W>> {
        let mut w = ManifestWriter { out, sha: Hasher::new(Algorithm::Sha256), files: 0 };
        w.put(format!("{{ \"PostgreSQL-Backup-Manifest-Version\": {version},\n").as_bytes())?;
        if let Some(id) = system_identifier {
            w.put(format!("\"System-Identifier\": {id},\n").as_bytes())?;
        }
        w.put(b"\"Files\": [")?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.sha.update(bytes);
        self.out.write_all(bytes)
    }

    /// Adds one file's line.
    pub fn add(&mut self, f: &FileEntry) -> std::io::Result<()> {
        let mut line = Vec::with_capacity(160);
        line.extend_from_slice(if self.files == 0 { b"\n" } else { b",\n" });
        write_file(&mut line, f);
        self.files += 1;
        self.put(&line)
    }

    /// Ends the list of files, writes the WAL ranges when given and the checksum line;
    /// gives the writer back.
    pub fn finish(mut self, wal_ranges: Option<&[WalRange]>) -> std::io::Result<W> {
        self.put(b"\n],\n")?;
        if let Some(ranges) = wal_ranges {
            self.put(b"\"WAL-Ranges\": [\n")?;
            for (i, r) in ranges.iter().enumerate() {
                if i > 0 {
                    self.put(b",\n")?;
                }
                self.put(
                    format!(
                        "{{ \"Timeline\": {}, \"Start-LSN\": \"{}\", \"End-LSN\": \"{}\" }}",
                        r.timeline, r.start_lsn, r.end_lsn
                    )
                    .as_bytes(),
                )?;
            }
            self.put(b"\n],\n")?;
        }
        let sum = to_hex(&std::mem::replace(&mut self.sha, Hasher::None).finish());
        self.out.write_all(format!("\"Manifest-Checksum\": \"{sum}\"}}\n").as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl Manifest {
    /// The files as `sha256sum` lines (their checksums must be SHA-224/256/384/512 for
    /// `sha256sum -c` and its kin to read them).
    pub fn to_sums(&self) -> Vec<u8> {
        let lines: Vec<crate::backup::sums::SumLine> = self
            .files
            .iter()
            .map(|f| crate::backup::sums::SumLine {
                path: f.path.clone(),
                algorithm: f.algorithm,
                digest: f.checksum.clone(),
            })
            .collect();
        crate::backup::sums::write_sums(&lines)
    }
}

fn write_file(out: &mut Vec<u8>, f: &FileEntry) {
    match std::str::from_utf8(&f.path) {
        Ok(text) => {
            out.extend_from_slice(b"{ \"Path\": ");
            escape_json(out, text);
            out.extend_from_slice(b", ");
        }
        Err(_) => {
            out.extend_from_slice(b"{ \"Encoded-Path\": \"");
            out.extend_from_slice(to_hex(&f.path).as_bytes());
            out.extend_from_slice(b"\", ");
        }
    }
    out.extend_from_slice(format!("\"Size\": {}, \"Last-Modified\": \"{}\"", f.size, f.last_modified).as_bytes());
    if !f.algorithm.is_none() {
        out.extend_from_slice(
            format!(", \"Checksum-Algorithm\": \"{}\", \"Checksum\": \"{}\"", f.algorithm.name(), to_hex(&f.checksum))
                .as_bytes(),
        );
    }
    out.extend_from_slice(b" }");
}

/// PostgreSQL's `escape_json`: quotes, backslashes and control characters escaped, all else
/// verbatim.
fn escape_json(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// The last line holds the checksum of everything before it; the file must end in a newline.
fn verify_manifest_checksum(bytes: &[u8], expected: Option<&str>) -> Result<()> {
    let newlines: Vec<usize> = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();
    if newlines.len() < 2 {
        return Err(invalid("expected at least 2 lines"));
    }
    if *newlines.last().expect("two newlines") != bytes.len() - 1 {
        return Err(invalid("last line not newline-terminated"));
    }
    let penultimate = newlines[newlines.len() - 2];
    let expected = expected.ok_or_else(|| Error::InvalidValue {
        field: "backup_manifest".into(),
        value: String::new(),
        reason: "manifest has no checksum".into(),
    })?;
    if expected.len() != 64 || from_hex(expected).is_none() {
        return Err(Error::InvalidValue {
            field: "backup_manifest".into(),
            value: expected.into(),
            reason: format!("invalid manifest checksum: \"{expected}\""),
        });
    }
    let mut h = Hasher::new(Algorithm::Sha256);
    h.update(&bytes[..=penultimate]);
    if to_hex(&h.finish()) != expected.to_ascii_lowercase() {
        return Err(Error::InvalidValue {
            field: "backup_manifest".into(),
            value: String::new(),
            reason: "manifest checksum mismatch".into(),
        });
    }
    Ok(())
}

/// `%Y-%m-%d %H:%M:%S GMT` of a modification time (seconds since the epoch).
pub fn last_modified_text(unix_seconds: i64) -> String {
    match jiff::Timestamp::from_second(unix_seconds) {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S GMT").to_string(),
        Err(_) => "1970-01-01 00:00:00 GMT".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsn_and_paths() {
        assert_eq!(parse_lsn("0/2000028"), Some(0x2000028));
        assert_eq!(format_lsn(0x1_0000_00A0), "1/A0");
        assert_eq!(parse_lsn("zz"), None);
        assert!(safe_relative_path(b"base/1/1259"));
        for bad in [&b"/etc/passwd"[..], b"../x", b"a/../b", b"a//b", b"./a", b"", b"a/\0"] {
            assert!(!safe_relative_path(bad), "{bad:?}");
        }
        assert_eq!(last_modified_text(0), "1970-01-01 00:00:00 GMT");
    }
}

//! Streaming over log files of any size, line by line: plain or gzip-compressed (rotated
//! `*.gz`, recognised by their magic bytes, several members too), lines longer than a limit
//! counted and skipped without holding them, invalid UTF-8 replaced and counted.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// The longest line read (longer ones are counted as overlong and skipped).
pub const MAX_LINE: usize = 64 * 1024;

/// What reading found besides the lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub lines: u64,
    pub overlong: u64,
    pub invalid_utf8: u64,
}

impl ReadStats {
    pub fn add(&mut self, other: ReadStats) {
        self.lines += other.lines;
        self.overlong += other.overlong;
        self.invalid_utf8 += other.invalid_utf8;
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), reason: e.to_string() }
}

/// Whether `path` starts with gzip's magic bytes.
pub fn is_gzip(path: &Path) -> Result<bool> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(|e| io_error(path, e))?;
    Ok(n == 2 && magic == [0x1f, 0x8b])
}

/// Opens `path`, decompressing gzip.
pub fn open(path: &Path) -> Result<Box<dyn BufRead>> {
    let gzip = is_gzip(path)?;
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    if gzip {
        Ok(Box::new(BufReader::with_capacity(256 * 1024, flate2::read::MultiGzDecoder::new(file))))
    } else {
        Ok(Box::new(BufReader::with_capacity(256 * 1024, file)))
    }
}

/// Calls `f` with every line of `reader` (without its `\n` or `\r\n`).
pub fn for_each_line(reader: &mut dyn BufRead, name: &Path, mut f: impl FnMut(&str)) -> Result<ReadStats> {
    let mut stats = ReadStats::default();
    let mut line: Vec<u8> = Vec::with_capacity(512);
    loop {
        let (used, mut overlong) = read_bounded(reader, &mut line).map_err(|e| io_error(name, e))?;
        if used == 0 {
            break;
        }
        emit(&mut line, &mut overlong, &mut stats, &mut f);
    }
    Ok(stats)
}

/// Calls `f` with every line of a plain file whose first byte lies in `start..end` (so
/// ranges that tile a file see each line once, whole).
pub fn for_each_line_in_range(path: &Path, start: u64, end: u64, mut f: impl FnMut(&str)) -> Result<ReadStats> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    // Begin one byte early: if that byte ends a line, the range starts on a line's start;
    // otherwise the partial line belongs to the range before.
    let from = start.saturating_sub(1);
    file.seek(SeekFrom::Start(from)).map_err(|e| io_error(path, e))?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut stats = ReadStats::default();
    let mut line = Vec::with_capacity(512);
    let mut pos = from;
    if start > 0 {
        let (used, _) = read_bounded(&mut reader, &mut line).map_err(|e| io_error(path, e))?;
        pos += used as u64;
        line.clear();
    }
    while pos < end {
        let (used, mut overlong) = read_bounded(&mut reader, &mut line).map_err(|e| io_error(path, e))?;
        if used == 0 {
            break;
        }
        pos += used as u64;
        emit(&mut line, &mut overlong, &mut stats, &mut f);
    }
    Ok(stats)
}

/// Reads one line (without its `\n`) into `line`, keeping at most MAX_LINE bytes: (bytes
/// consumed, whether it was longer). 0 bytes: the end.
fn read_bounded(reader: &mut dyn BufRead, line: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
    let mut used_total = 0;
    let mut overlong = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((used_total, overlong));
        }
        let (chunk, used, ends) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        if !overlong {
            if line.len() + chunk.len() > MAX_LINE {
                overlong = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        used_total += used;
        if ends {
            return Ok((used_total, overlong));
        }
    }
}

fn emit(line: &mut Vec<u8>, overlong: &mut bool, stats: &mut ReadStats, f: &mut impl FnMut(&str)) {
    stats.lines += 1;
    if *overlong {
        stats.overlong += 1;
        *overlong = false;
        line.clear();
        return;
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    match std::str::from_utf8(line) {
        Ok(text) => f(text),
        Err(_) => {
            stats.invalid_utf8 += 1;
            f(&String::from_utf8_lossy(line));
        }
    }
    line.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_tile_a_file() {
        let dir = std::env::temp_dir().join(format!("opsbook-ranges-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.log");
        let text: String = (0..500).map(|i| format!("line {i} {}\n", "x".repeat(i % 37))).collect();
        std::fs::write(&path, &text).unwrap();
        let size = text.len() as u64;
        for parts in [1u64, 2, 3, 7, 64] {
            let step = size.div_ceil(parts);
            let mut got = Vec::new();
            for i in 0..parts {
                for_each_line_in_range(&path, i * step, ((i + 1) * step).min(size), |l| got.push(l.to_owned()))
                    .unwrap();
            }
            assert_eq!(got, text.lines().map(str::to_owned).collect::<Vec<_>>(), "{parts} parts");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn lines_overlong_and_invalid() {
        let mut data = b"one\r\ntwo\n".to_vec();
        data.extend(vec![b'x'; MAX_LINE + 10]);
        data.extend(b"\nbad \xff byte\nlast");
        let mut got = Vec::new();
        let stats = for_each_line(&mut &data[..], Path::new("t"), |l| got.push(l.to_owned())).unwrap();
        assert_eq!(got, vec!["one", "two", "bad \u{fffd} byte", "last"]);
        assert_eq!(stats, ReadStats { lines: 5, overlong: 1, invalid_utf8: 1 });
    }
}

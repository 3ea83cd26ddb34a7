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

/// Opens `path`, decompressing gzip.
pub fn open(path: &Path) -> Result<Box<dyn BufRead>> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(|e| io_error(path, e))?;
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::with_capacity(256 * 1024, flate2::read::MultiGzDecoder::new(file))))
    } else {
        Ok(Box::new(BufReader::with_capacity(256 * 1024, file)))
    }
}

/// Calls `f` with every line of `reader` (without its `\n` or `\r\n`).
pub fn for_each_line(reader: &mut dyn BufRead, name: &Path, mut f: impl FnMut(&str)) -> Result<ReadStats> {
    let mut stats = ReadStats::default();
    let mut line: Vec<u8> = Vec::with_capacity(512);
    let mut overlong = false;
    loop {
        let buf = reader.fill_buf().map_err(|e| io_error(name, e))?;
        if buf.is_empty() {
            break;
        }
        let (chunk, used, ends) = match memchr(buf) {
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
        if ends {
            emit(&mut line, &mut overlong, &mut stats, &mut f);
        }
    }
    if !line.is_empty() || overlong {
        emit(&mut line, &mut overlong, &mut stats, &mut f);
    }
    Ok(stats)
}

fn memchr(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|b| *b == b'\n')
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

//! Log scan: how many lines matching a pattern (`ERROR`, `login failed`) a log file gained
//! since the last scan, or how many of its last N lines match.
//!
//! Between scans the probe keeps the file open, so a rotation by rename is survived: the
//! rest of the old file is read to its end before the new file is read from its start. A
//! file truncated in place (copytruncate) is read again from its start. The position lives
//! in the probe (one process); the first scan records the position and counts nothing.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use regex::Regex;

use crate::check::Measurement;
use crate::probe::probe_error;
use crate::runner::{Probe, ProbeFuture, Reading};

/// What part of the log a scan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanWindow {
    /// Lines written since the previous scan.
    SinceLastScan,
    /// The last N lines of the file.
    LastLines(usize),
}

struct Position {
    file: File,
    inode: u64,
    offset: u64,
    /// The bytes just before `offset`: if they changed, the file was truncated and
    /// written again past the old offset, and must be read from its start.
    before: Vec<u8>,
}

/// How many bytes before the position identify it.
const FINGERPRINT: u64 = 64;

fn bytes_before(file: &mut File, offset: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let start = offset.saturating_sub(FINGERPRINT);
    file.seek(SeekFrom::Start(start))?;
    let mut buf = vec![0; (offset - start) as usize];
    file.read_exact(&mut buf)?;
    Ok(buf)
}

/// Counts lines of `path` matching `pattern` (`matches`) among the lines read (`lines`).
pub struct LogScanProbe {
    pub path: PathBuf,
    pub pattern: Regex,
    pub window: ScanWindow,
    position: Arc<Mutex<Option<Position>>>,
}

impl std::fmt::Debug for LogScanProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogScanProbe").field("path", &self.path).field("pattern", &self.pattern.as_str()).finish()
    }
}

impl LogScanProbe {
    pub fn new(path: impl Into<PathBuf>, pattern: &str, window: ScanWindow) -> crate::error::Result<LogScanProbe> {
        let pattern = Regex::new(pattern).map_err(|e| crate::error::Error::InvalidValue {
            field: "pattern".into(),
            value: pattern.into(),
            reason: e.to_string(),
        })?;
        Ok(LogScanProbe { path: path.into(), pattern, window, position: Arc::new(Mutex::new(None)) })
    }
}

/// Counts (lines, matches) from the reader's position to its end; returns the bytes read.
fn count(reader: &mut impl BufRead, pattern: &Regex) -> std::io::Result<(u64, u64, u64)> {
    let (mut lines, mut matches, mut bytes) = (0, 0, 0);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        // A line still being written (no newline yet) is left for the next scan.
        if buf.last() != Some(&b'\n') {
            break;
        }
        bytes += n as u64;
        lines += 1;
        if pattern.is_match(&String::from_utf8_lossy(&buf)) {
            matches += 1;
        }
    }
    Ok((lines, matches, bytes))
}

fn scan_since_last(
    path: &PathBuf,
    pattern: &Regex,
    slot: &mut Option<Position>,
) -> std::io::Result<Option<(u64, u64)>> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    let (mut lines, mut matches) = (0, 0);
    let Some(previous) = slot.take() else {
        // First scan: remember where the file ends now.
        let before = bytes_before(&mut file, meta.len())?;
        *slot = Some(Position { inode: meta.ino(), offset: meta.len(), file, before });
        return Ok(None);
    };
    let mut start = previous.offset;
    if previous.inode != meta.ino() {
        // Rotated: finish the old file through the handle kept open, then read the new one.
        let mut old = BufReader::new(previous.file);
        old.seek(SeekFrom::Start(previous.offset))?;
        let (l, m, _) = count(&mut old, pattern)?;
        lines += l;
        matches += m;
        start = 0;
    } else if meta.len() < previous.offset || bytes_before(&mut file, previous.offset)? != previous.before {
        start = 0; // truncated in place (and perhaps written again past the old position)
    }
    let mut reader = BufReader::new(file);
    reader.seek(SeekFrom::Start(start))?;
    let (l, m, bytes) = count(&mut reader, pattern)?;
    let mut file = reader.into_inner();
    let offset = start + bytes;
    let before = bytes_before(&mut file, offset)?;
    *slot = Some(Position { inode: meta.ino(), offset, file, before });
    Ok(Some((lines + l, matches + m)))
}

fn scan_last_lines(path: &PathBuf, pattern: &Regex, n: usize) -> std::io::Result<(u64, u64)> {
    let reader = BufReader::new(File::open(path)?);
    let mut tail = std::collections::VecDeque::with_capacity(n.min(100_000));
    for line in reader.split(b'\n') {
        let line = line?;
        if tail.len() == n {
            tail.pop_front();
        }
        if n > 0 {
            tail.push_back(line);
        }
    }
    let matches = tail.iter().filter(|l| pattern.is_match(&String::from_utf8_lossy(l))).count();
    Ok((tail.len() as u64, matches as u64))
}

impl Probe for LogScanProbe {
    fn kind(&self) -> &'static str {
        "log"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        let (path, pattern, window, position) =
            (self.path.clone(), self.pattern.clone(), self.window, Arc::clone(&self.position));
        Box::pin(async move {
            let shown = path.display().to_string();
            let outcome = tokio::task::spawn_blocking(move || match window {
                ScanWindow::LastLines(n) => scan_last_lines(&path, &pattern, n).map(Some),
                ScanWindow::SinceLastScan => {
                    let mut slot = position.lock().unwrap_or_else(|p| p.into_inner());
                    scan_since_last(&path, &pattern, &mut slot)
                }
            })
            .await
            .map_err(|e| probe_error("log", e))?
            .map_err(|e| probe_error("log", format!("{shown}: {e}")))?;
            let (lines, matches, summary) = match outcome {
                None => (0, 0, format!("{shown}: first scan, position recorded")),
                Some((lines, matches)) => (lines, matches, format!("{shown}: {matches} of {lines} new lines match")),
            };
            let mut reading = Reading::new(vec![
                Measurement::new("matches", matches as f64)?,
                Measurement::new("lines", lines as f64)?,
            ]);
            reading.summary = Some(summary);
            Ok(reading)
        })
    }
}

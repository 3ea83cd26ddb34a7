//! Log line formats as named patterns: the ISO-timestamp + level + message lines of Logstash's
//! `%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} %{GREEDYDATA:message}`, nginx/Apache
//! combined access logs (with an optional request time appended), JSON lines, and custom
//! regexes with named captures. The built-in ones are parsed by hand: they run over
//! gigabytes.

use regex::Regex;

use crate::error::{Error, Result};

/// What a line holds (what its format captures).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record<'a> {
    /// Milliseconds since the epoch.
    pub time_ms: Option<i64>,
    pub level: Option<Level>,
    pub message: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user: Option<&'a str>,
    pub method: Option<&'a str>,
    pub path: Option<&'a str>,
    pub status: Option<u16>,
    /// Request duration in milliseconds.
    pub duration_ms: Option<f64>,
}

/// A log level, as grok's LOGLEVEL reads them (any case, short and long forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
    Alert,
    Emergency,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        let lower = text.to_ascii_lowercase();
        Some(match lower.as_str() {
            "trace" => Level::Trace,
            "debug" => Level::Debug,
            "info" | "inf" | "information" => Level::Info,
            "notice" => Level::Notice,
            "warn" | "warning" | "wrn" => Level::Warning,
            "error" | "err" => Level::Error,
            "crit" | "critical" | "fatal" | "severe" => Level::Critical,
            "alert" => Level::Alert,
            "emerg" | "emergency" => Level::Emergency,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Notice => "NOTICE",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
            Level::Alert => "ALERT",
            Level::Emergency => "EMERGENCY",
        }
    }

    /// ERROR and worse.
    pub fn is_error(self) -> bool {
        self >= Level::Error
    }
}

/// A line format.
#[derive(Debug, Clone)]
pub enum LineFormat {
    /// `2024-05-01 08:00:00,123 ERROR message` (T or space; `,` or `.` fractions; an optional
    /// zone; the level may be bracketed or followed by a colon).
    IsoLevel,
    /// nginx/Apache combined: `ip - user [10/Oct/2024:13:55:36 +0800] "GET /x HTTP/1.1" 200
    /// 512 "referer" "agent"`, optionally followed by the request time in seconds.
    Combined,
    /// One JSON object a line: `time`/`timestamp`/`@timestamp`/`ts`, `level`, `msg`/`message`,
    /// `ip`/`remote_addr`, `method`, `path`/`uri`, `status`, `duration_ms`/`request_time`.
    Json,
    /// A regex with named captures among time, level, message, ip, user, method, path,
    /// status, duration_ms, duration_s.
    Regex(Regex),
}

impl LineFormat {
    /// By name (`iso-level`, `nginx`/`apache`/`combined`, `json`) or, otherwise, as a regex.
    pub fn parse(text: &str) -> Result<LineFormat> {
        Ok(match text {
            "iso-level" | "iso" => LineFormat::IsoLevel,
            "nginx" | "apache" | "combined" => LineFormat::Combined,
            "json" => LineFormat::Json,
            pattern => {
                let re = Regex::new(pattern).map_err(|e| {
                    Error::invalid_value("input-format", pattern, format!("not a format name nor a regex: {e}"))
                })?;
                const KNOWN: [&str; 10] =
                    ["time", "level", "message", "ip", "user", "method", "path", "status", "duration_ms", "duration_s"];
                if let Some(bad) = re.capture_names().flatten().find(|n| !KNOWN.contains(n)) {
                    return Err(Error::invalid_value(
                        "input-format",
                        pattern,
                        format!("unknown capture {bad:?} (known: {})", KNOWN.join(", ")),
                    ));
                }
                if re.capture_names().flatten().next().is_none() {
                    return Err(Error::invalid_value(
                        "input-format",
                        pattern,
                        "the regex names no capture, e.g. (?P<level>\\w+)",
                    ));
                }
                LineFormat::Regex(re)
            }
        })
    }

    /// The record of a line, or None when the line is not in this format.
    pub fn parse_line<'a>(&self, line: &'a str) -> Option<Record<'a>> {
        match self {
            LineFormat::IsoLevel => iso_level(line),
            LineFormat::Combined => combined(line),
            LineFormat::Json => json_line(line),
            LineFormat::Regex(re) => regex_line(re, line),
        }
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let s = b.get(at..at + n)?;
    let mut v = 0i64;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day), (hour, minute, second, millisecond) at a UTC offset, as epoch ms.
fn epoch_ms((y, mo, d): (i64, i64, i64), (h, mi, s, ms): (i64, i64, i64, i64), offset_s: i64) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_s) * 1000 + ms)
}

/// `2024-05-01 08:00:00[,.]123[Z|+08:00]` at the start of `b`: (ms, bytes used). Without a
/// zone the time is UTC.
fn iso_timestamp(b: &[u8]) -> Option<(i64, usize)> {
    let (y, mo, d) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b' ')) {
        return None;
    }
    let (h, mi, s) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let mut at = 19;
    let mut ms = 0;
    if matches!(b.get(at), Some(b',' | b'.')) {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        let frac = &b[start..at];
        for (i, c) in frac.iter().take(3).enumerate() {
            ms += i64::from(c - b'0') * [100, 10, 1][i];
        }
    }
    let mut offset = 0;
    match b.get(at) {
        Some(b'Z') => at += 1,
        Some(sign @ (b'+' | b'-')) if b.get(at + 3) == Some(&b':') || digits(b, at + 1, 4).is_some() => {
            let hh = digits(b, at + 1, 2)?;
            let (mm, used) =
                if b.get(at + 3) == Some(&b':') { (digits(b, at + 4, 2)?, 6) } else { (digits(b, at + 3, 2)?, 5) };
            offset = (hh * 3600 + mm * 60) * if *sign == b'-' { -1 } else { 1 };
            at += used;
        }
        _ => {}
    }
    Some((epoch_ms((y, mo, d), (h, mi, s, ms), offset)?, at))
}

fn iso_level(line: &str) -> Option<Record<'_>> {
    let b = line.as_bytes();
    let (time_ms, mut at) = iso_timestamp(b)?;
    // Separators between the time and the level: spaces, " - ", "[".
    while matches!(b.get(at), Some(b' ' | b'-' | b'[' | b'|')) {
        at += 1;
    }
    let start = at;
    while b.get(at).is_some_and(u8::is_ascii_alphabetic) {
        at += 1;
    }
    let level = match Level::parse(&line[start..at]) {
        Some(l) => l,
        None => {
            // Python logging's `%(asctime)s - %(name)s - %(levelname)s - %(message)s`: one
            // logger name before the level.
            let rest = &line[start..];
            let (_name, after) = rest.split_once(" - ")?;
            at = line.len() - after.len();
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_alphabetic) {
                at += 1;
            }
            Level::parse(&line[start..at])?
        }
    };
    while matches!(b.get(at), Some(b']' | b':' | b' ' | b'-' | b'|')) {
        at += 1;
    }
    Some(Record { time_ms: Some(time_ms), level: Some(level), message: Some(&line[at..]), ..Record::default() })
}

const MONTHS: [&[u8]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// `10/Oct/2024:13:55:36 +0800`.
fn clf_time(b: &[u8]) -> Option<i64> {
    let d = digits(b, 0, 2)?;
    let mon = b.get(3..6)?;
    let mo = MONTHS.iter().position(|m| *m == mon)? as i64 + 1;
    let y = digits(b, 7, 4)?;
    let (h, mi, s) = (digits(b, 12, 2)?, digits(b, 15, 2)?, digits(b, 18, 2)?);
    let sign = match b.get(21)? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * (digits(b, 22, 2)? * 3600 + digits(b, 24, 2)? * 60);
    epoch_ms((y, mo, d), (h, mi, s, 0), offset)
}

/// The index of `byte` in `b` at or after `from`.
fn find(b: &[u8], from: usize, byte: u8) -> Option<usize> {
    b.get(from..)?.iter().position(|c| *c == byte).map(|i| from + i)
}

fn combined(line: &str) -> Option<Record<'_>> {
    // Byte scanning (this runs over gigabytes): ip SP ident SP user SP [time] SP "request" SP
    // status SP bytes [SP "referer" SP "agent"] [SP request-time].
    let b = line.as_bytes();
    let ip_end = find(b, 0, b' ')?;
    let ident_end = find(b, ip_end + 1, b' ')?;
    let open = find(b, ident_end + 1, b'[')?;
    // `ip ident user [`: the user field lies between the ident's space and the bracket's
    // (a line with no user, `ip ident [`, is not a combined line).
    if open < ident_end + 2 || b[open - 1] != b' ' {
        return None;
    }
    let user = &line[ident_end + 1..open - 1];
    let close = find(b, open + 1, b']')?;
    let time_ms = clf_time(&b[open + 1..close]);
    if b.get(close + 1) != Some(&b' ') || b.get(close + 2) != Some(&b'"') {
        return None;
    }
    let req_start = close + 3;
    let req_end = find(b, req_start, b'"')?;
    let request = &line[req_start..req_end];
    let status_start = req_end + 2;
    if b.get(req_end + 1) != Some(&b' ') {
        return None;
    }
    let status = digits(b, status_start, 3)? as u16;
    if !(100..600).contains(&status) || b.get(status_start + 3).is_some_and(|c| *c != b' ') {
        return None;
    }
    let mut parts = request.splitn(3, ' ');
    let method = parts.next().filter(|m| !m.is_empty() && m.bytes().all(|c| c.is_ascii_uppercase()));
    let path = parts.next();
    // The request time, when the line ends with one after the quoted fields.
    let tail_start = b.iter().rposition(|c| *c == b'"').map_or(status_start + 3, |q| q.max(status_start + 3));
    let duration_ms = line
        .get(tail_start + 1..)
        .and_then(|t| t.split_ascii_whitespace().next_back())
        .filter(|t| t.bytes().next().is_some_and(|c| c.is_ascii_digit()) && t.contains('.'))
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|t| t.is_finite())
        .map(|s| s * 1000.0);
    Some(Record {
        time_ms,
        ip: Some(&line[..ip_end]),
        user: Some(user).filter(|u| *u != "-"),
        method,
        path,
        status: Some(status),
        duration_ms,
        message: Some(request),
        ..Record::default()
    })
}

fn json_line(line: &str) -> Option<Record<'_>> {
    let v: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
    let o = v.as_object()?;
    let text = |keys: &[&str]| keys.iter().find_map(|k| o.get(*k)?.as_str());
    let time_ms = ["time", "timestamp", "@timestamp", "ts"].iter().find_map(|k| match o.get(*k)? {
        serde_json::Value::String(s) => iso_timestamp(s.as_bytes()).map(|(t, _)| t),
        serde_json::Value::Number(n) => n.as_f64().map(|s| if s > 1e12 { s as i64 } else { (s * 1000.0) as i64 }),
        _ => None,
    });
    // A record borrows from the line; JSON strings with escapes are not borrowable, so the
    // text fields of JSON lines are found in the raw line where they appear unescaped.
    let borrow = |keys: &[&str]| text(keys).and_then(|t| line.find(t).map(|at| &line[at..at + t.len()]));
    let status = o.get("status").and_then(|s| s.as_u64().or_else(|| s.as_str()?.parse().ok())).map(|s| s as u16);
    let duration_ms = o
        .get("duration_ms")
        .and_then(serde_json::Value::as_f64)
        .or_else(|| o.get("request_time").and_then(serde_json::Value::as_f64).map(|s| s * 1000.0));
    Some(Record {
        time_ms,
        level: text(&["level", "severity", "lvl"]).and_then(Level::parse),
        message: borrow(&["msg", "message"]),
        ip: borrow(&["ip", "remote_addr", "client_ip"]),
        user: borrow(&["user", "username"]),
        method: borrow(&["method"]),
        path: borrow(&["path", "uri", "url"]),
        status,
        duration_ms,
    })
}

fn regex_line<'a>(re: &Regex, line: &'a str) -> Option<Record<'a>> {
    let caps = re.captures(line)?;
    let get = |n: &str| caps.name(n).map(|m| &line[m.range()]);
    Some(Record {
        time_ms: get("time")
            .and_then(|t| iso_timestamp(t.as_bytes()).map(|(ms, _)| ms).or_else(|| clf_time(t.as_bytes()))),
        level: get("level").and_then(Level::parse),
        message: get("message"),
        ip: get("ip"),
        user: get("user"),
        method: get("method"),
        path: get("path"),
        status: get("status").and_then(|s| s.parse().ok()),
        duration_ms: get("duration_ms")
            .and_then(|d| d.parse().ok())
            .or_else(|| get("duration_s").and_then(|d| d.parse::<f64>().ok()).map(|s| s * 1000.0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_without_a_user_field_is_not_combined() {
        // Found by fuzzing (fuzz/regressions/log_lines): the user field was sliced backwards.
        assert!(combined("1 2 [01/May/2024:16:00:00 +0800] \"GET / HTTP/1.1\" 200 1").is_none());
        assert!(combined("1 2 [").is_none());
        assert!(combined("a b  [x]").is_none());
    }

    #[test]
    fn iso_level_lines() {
        let r = LineFormat::IsoLevel.parse_line("2024-05-01 08:00:00,123 ERROR Database timeout after 30s").unwrap();
        assert_eq!(r.time_ms, Some(1_714_550_400_123));
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, Some("Database timeout after 30s"));
        let r = LineFormat::IsoLevel.parse_line("2024-05-01T16:00:00+08:00 [warn] disk 91%").unwrap();
        assert_eq!((r.time_ms, r.level, r.message), (Some(1_714_550_400_000), Some(Level::Warning), Some("disk 91%")));
        let r = LineFormat::IsoLevel.parse_line("2024-05-01 08:00:00 - app - INFO - started").unwrap();
        assert_eq!(r.level, Some(Level::Info));
        assert!(LineFormat::IsoLevel.parse_line("2024-05-01 08:00:00 hello world").is_none());
        assert!(LineFormat::IsoLevel.parse_line("garbage").is_none());
        assert!(LineFormat::IsoLevel.parse_line("2024-13-01 08:00:00 ERROR bad month").is_none());
    }

    #[test]
    fn combined_lines() {
        let line = r#"203.0.113.9 - alice [01/May/2024:16:00:00 +0800] "GET /api/courses/42?x=1 HTTP/1.1" 500 1234 "-" "curl/8.0" 0.250"#;
        let r = LineFormat::Combined.parse_line(line).unwrap();
        assert_eq!(r.ip, Some("203.0.113.9"));
        assert_eq!(r.user, Some("alice"));
        assert_eq!(r.time_ms, Some(1_714_550_400_000));
        assert_eq!((r.method, r.path, r.status), (Some("GET"), Some("/api/courses/42?x=1"), Some(500)));
        assert_eq!(r.duration_ms, Some(250.0));
        let r = LineFormat::Combined
            .parse_line(
                r#"10.0.0.1 - - [01/May/2024:08:00:00 +0000] "POST /login HTTP/1.1" 401 12 "-" "Mozilla/5.0 (X11)""#,
            )
            .unwrap();
        assert_eq!((r.user, r.status, r.duration_ms), (None, Some(401), None));
        assert!(LineFormat::Combined.parse_line("not an access log line").is_none());
    }

    #[test]
    fn custom_regexes_name_their_fields() {
        let f = LineFormat::parse(r"^(?P<ip>\S+) login failed for (?P<user>\S+)$").unwrap();
        let r = f.parse_line("10.1.1.1 login failed for bob").unwrap();
        assert_eq!((r.ip, r.user), (Some("10.1.1.1"), Some("bob")));
        let e = LineFormat::parse(r"(?P<when>\S+)").unwrap_err().to_string();
        assert!(e.contains("when"), "{e}");
        assert!(LineFormat::parse("(unclosed").unwrap_err().to_string().contains("input-format"));
    }
}

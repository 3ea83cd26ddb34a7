//! The manuals' log analyses in one pass: counts by level and by error type, top messages
//! (numbers and ids masked), per-endpoint requests, errors, error rate and latency
//! percentiles, requests per IP and the IPs above a limit, failed logins per IP and user,
//! status classes — as a report (text, markdown, JSON) and as Measurements the Runner and
//! the rules engine can alert on.

use std::collections::BTreeMap;

use fnv::FnvHashMap;

use regex::Regex;
use serde_json::{Value, json};

use crate::check::Measurement;
use crate::error::Result;
use crate::logs::format::{Level, LineFormat, Record};
use crate::logs::read::ReadStats;

/// What to look for and how much to show.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only lines at or after this time (ms since the epoch); lines without a time count.
    pub since_ms: Option<i64>,
    /// How many error types, messages and endpoints to list.
    pub top: usize,
    /// IPs with more requests than this are listed (the manuals: 1000).
    pub ip_limit: u64,
    /// A failed login is a line matching this (default: login failed, failed password,
    /// authentication failed, 登录失败).
    pub failed_login: Regex,
    /// IPs (and users) with more failed logins than this are listed (the manuals: 10).
    pub failed_login_limit: u64,
    /// Plain files from this size up are read on every core (default 32 MiB).
    pub parallel_from_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            since_ms: None,
            top: 20,
            ip_limit: 1000,
            failed_login: Regex::new(r"(?i)login failed|failed password|authentication failed|登录失败")
                .expect("valid"),
            failed_login_limit: 10,
            parallel_from_bytes: 32 * 1024 * 1024,
        }
    }
}

impl Options {
    /// From `{"since": RFC 3339 or Unix seconds, "top": 20, "ip_limit": 1000,
    /// "failed_login": REGEX, "failed_login_limit": 10}` (all optional).
    pub fn from_value(v: &Value) -> Result<Options> {
        let mut o = Options::default();
        let Some(map) = v.as_object() else {
            if v.is_null() {
                return Ok(o);
            }
            return Err(crate::Error::invalid_value("options", &v.to_string(), "expected an object"));
        };
        for (k, val) in map {
            let bad = |reason: &str| crate::Error::invalid_value(&format!("options.{k}"), &val.to_string(), reason);
            match k.as_str() {
                "since" => {
                    o.since_ms = Some(match val {
                        Value::Number(n) => crate::forecast::input::time_ms(
                            "options.since",
                            n.as_f64().ok_or_else(|| bad("expected a time"))?,
                        )?,
                        Value::String(t) => crate::check::parse_time("options.since", t)?.as_millisecond(),
                        _ => return Err(bad("expected RFC 3339 or Unix seconds")),
                    })
                }
                "top" => o.top = val.as_u64().ok_or_else(|| bad("expected a count"))? as usize,
                "ip_limit" => o.ip_limit = val.as_u64().ok_or_else(|| bad("expected a count"))?,
                "failed_login_limit" => o.failed_login_limit = val.as_u64().ok_or_else(|| bad("expected a count"))?,
                "failed_login" => {
                    let text = val.as_str().ok_or_else(|| bad("expected a regex"))?;
                    o.failed_login = Regex::new(text).map_err(|e| bad(&format!("not a regex: {e}")))?;
                }
                _ => return Err(bad("unknown option (known: since, top, ip_limit, failed_login, failed_login_limit)")),
            }
        }
        Ok(o)
    }
}

/// Analyses lines already in memory.
pub fn analyze_lines<'a>(lines: impl IntoIterator<Item = &'a str>, format: &LineFormat, options: Options) -> LogReport {
    let mut a = Analysis::new(options);
    let mut n = 0;
    for line in lines {
        a.add_line(line, format);
        n += 1;
    }
    a.add_read_stats(ReadStats { lines: n, overlong: 0, invalid_utf8: 0 });
    a.finish()
}

#[derive(Debug, Clone, Default)]
struct Endpoint {
    requests: u64,
    errors: u64,
    server_errors: u64,
    durations: Vec<f64>,
}

/// An analysis in progress: feed it lines, then `finish`.
#[derive(Debug, Clone)]
pub struct Analysis {
    options: Options,
    stats: ReadStats,
    parsed: u64,
    unparsed: u64,
    before_window: u64,
    levels: BTreeMap<Level, u64>,
    error_types: FnvHashMap<String, u64>,
    messages: FnvHashMap<String, u64>,
    endpoints: FnvHashMap<String, Endpoint>,
    /// Reused for each line's endpoint key.
    key: String,
    status_classes: [u64; 5],
    ips: FnvHashMap<String, u64>,
    failed_logins: u64,
    failed_ips: FnvHashMap<String, u64>,
    failed_users: FnvHashMap<String, u64>,
}

/// Per-endpoint figures.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointStats {
    /// `GET /api/courses/{id}`: query strings dropped, numeric and UUID segments as `{id}`.
    pub endpoint: String,
    pub requests: u64,
    /// Status ≥ 400 (the manuals' definition).
    pub errors: u64,
    /// Status ≥ 500.
    pub server_errors: u64,
    /// errors / requests × 100.
    pub error_rate: f64,
    /// Nearest-rank percentiles of the request durations, in ms, where the log has them.
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// The finished analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct LogReport {
    pub lines: u64,
    pub parsed: u64,
    pub unparsed: u64,
    pub overlong: u64,
    pub invalid_utf8: u64,
    /// Parsed lines before `since`.
    pub before_window: u64,
    pub levels: BTreeMap<Level, u64>,
    /// Error types of ERROR-and-worse lines, most frequent first (ties by name).
    pub error_types: Vec<(String, u64)>,
    /// Messages of ERROR-and-worse lines with numbers and ids masked, most frequent first.
    pub top_messages: Vec<(String, u64)>,
    /// Endpoints by requests, most first.
    pub endpoints: Vec<EndpointStats>,
    /// 1xx..5xx.
    pub status_classes: [u64; 5],
    pub requests: u64,
    /// IPs with more than `ip_limit` requests, most first.
    pub busy_ips: Vec<(String, u64)>,
    pub failed_logins: u64,
    pub failed_login_ips: Vec<(String, u64)>,
    pub failed_login_users: Vec<(String, u64)>,
}

fn mask_token(token: &str) -> bool {
    let digits = token.bytes().filter(u8::is_ascii_digit).count();
    let hex = token.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    (digits > 0 && token.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b':' || b == b'-' || b == b'/'))
        || (hex && token.len() >= 8 && digits > 0)
}

/// A message with numbers, addresses and ids masked, so repeats of one error count together.
pub fn normalize_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(120));
    for (i, word) in message.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let trimmed = word.trim_matches(|c: char| matches!(c, ',' | ';' | '(' | ')' | '[' | ']' | '"' | '\''));
        if !trimmed.is_empty() && mask_token(trimmed) {
            out.push_str(&word.replace(trimmed, "<n>"));
        } else if trimmed.chars().any(|c| c.is_ascii_digit()) {
            // Numbers inside words (timeout30s, 3.5s, user_123): the number only.
            let mut last_digit = false;
            let chars: Vec<char> = word.chars().collect();
            for (j, &c) in chars.iter().enumerate() {
                let decimal_point = c == '.' && last_digit && chars.get(j + 1).is_some_and(char::is_ascii_digit);
                if c.is_ascii_digit() || decimal_point {
                    if !last_digit {
                        out.push_str("<n>");
                    }
                    last_digit = true;
                } else {
                    out.push(c);
                    last_digit = false;
                }
            }
        } else {
            out.push_str(word);
        }
        if out.chars().count() >= 120 {
            break;
        }
    }
    out
}

/// The error type of a message: its first `SomethingError`/`SomethingException`/`Timeout`
/// word, else its normalised first words.
pub fn error_type(message: &str) -> String {
    for word in message.split(|c: char| c.is_whitespace() || matches!(c, ':' | '(' | ')' | ',' | '[' | ']')) {
        let w = word.trim_matches('.');
        // A named kind (OperationalError, TimeoutException), not the bare word "Error".
        let named = ["Error", "Exception", "Timeout", "Refused"].iter().any(|k| w.len() > k.len() && w.ends_with(k));
        if named && w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            return w.to_owned();
        }
    }
    let normalized = normalize_message(message);
    normalized.split(' ').take(6).collect::<Vec<_>>().join(" ")
}

/// The first word of `text` that is an IPv4 or IPv6 address (`ip=`/`from=` prefixes and
/// surrounding punctuation dropped).
pub fn ip_in_text(text: &str) -> Option<&str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '[' | ']' | '"' | '\''))
        .map(|w| w.rsplit_once('=').map_or(w, |(_, v)| v).trim_end_matches(['.', ':']))
        .find(|w| w.parse::<std::net::IpAddr>().is_ok())
}

/// The user a message names: `user=alice`, `username=alice`, `user alice`, `user: alice`
/// (the word after `user` or `username`, quotes and punctuation dropped).
pub fn user_in_text(text: &str) -> Option<&str> {
    let mut words = text.split_whitespace();
    while let Some(w) = words.next() {
        let lower = w.to_ascii_lowercase();
        for key in ["username", "user"] {
            if let Some(rest) = lower.strip_prefix(key) {
                if rest.starts_with('=') {
                    return clean_word(&w[key.len() + 1..]);
                }
                if rest.is_empty() || rest == ":" {
                    return words.next().and_then(clean_word);
                }
            }
        }
    }
    None
}

fn clean_word(w: &str) -> Option<&str> {
    let w = w.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | ';' | '.' | ':' | '(' | ')' | '[' | ']'));
    (!w.is_empty()).then_some(w)
}

/// `GET /api/courses/42?x=1` → `GET /api/courses/{id}`.
pub fn endpoint_key(method: &str, path: &str) -> String {
    let mut out = String::with_capacity(method.len() + path.len() + 4);
    endpoint_key_into(&mut out, method, path);
    out
}

/// `endpoint_key` written into `out` (cleared first).
fn endpoint_key_into(out: &mut String, method: &str, path: &str) {
    out.clear();
    let path = path.split(['?', '#']).next().unwrap_or("");
    out.push_str(method);
    out.push(' ');
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let is_id = (!seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()))
            || (seg.len() == 36
                && seg.bytes().filter(|b| *b == b'-').count() == 4
                && seg.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
        out.push_str(if is_id { "{id}" } else { seg });
    }
}

fn top(map: FnvHashMap<String, u64>, n: usize, above: Option<u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = map.into_iter().filter(|(_, c)| above.is_none_or(|a| *c > a)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

impl Analysis {
    pub fn new(options: Options) -> Analysis {
        Analysis {
            options,
            stats: ReadStats::default(),
            parsed: 0,
            unparsed: 0,
            before_window: 0,
            levels: BTreeMap::new(),
            error_types: FnvHashMap::default(),
            messages: FnvHashMap::default(),
            endpoints: FnvHashMap::default(),
            key: String::new(),
            status_classes: [0; 5],
            ips: FnvHashMap::default(),
            failed_logins: 0,
            failed_ips: FnvHashMap::default(),
            failed_users: FnvHashMap::default(),
        }
    }

    /// Adds the counts of reading (lines, overlong, invalid UTF-8).
    pub fn add_read_stats(&mut self, stats: ReadStats) {
        self.stats.add(stats);
    }

    /// One line.
    pub fn add_line(&mut self, line: &str, format: &LineFormat) {
        let Some(record) = format.parse_line(line) else {
            self.unparsed += 1;
            // Failed logins are counted in any line (security logs have their own shapes).
            self.failed_login(line, None);
            return;
        };
        if let (Some(since), Some(t)) = (self.options.since_ms, record.time_ms) {
            if t < since {
                self.before_window += 1;
                return;
            }
        }
        self.parsed += 1;
        self.add_record(line, &record);
    }

    fn failed_login(&mut self, line: &str, record: Option<&Record>) {
        // The whole line, as the manuals' `grep "login failed"` reads it.
        if !self.options.failed_login.is_match(line) {
            return;
        }
        self.failed_logins += 1;
        // The IP: the record's, else the first word that is an IP address (the manuals'
        // `awk '{print $1}'` where the line starts with one; `from 192.0.2.9` where it
        // starts with a time, whose first word is not an address).
        let ip = record.and_then(|r| r.ip).or_else(|| ip_in_text(line));
        if let Some(ip) = ip {
            *self.failed_ips.entry(ip.to_owned()).or_default() += 1;
        }
        if let Some(user) = record.and_then(|r| r.user).or_else(|| user_in_text(line)) {
            *self.failed_users.entry(user.to_owned()).or_default() += 1;
        }
    }

    fn add_record(&mut self, line: &str, r: &Record) {
        if let Some(level) = r.level {
            *self.levels.entry(level).or_default() += 1;
            if level.is_error() {
                let message = r.message.unwrap_or("");
                *self.error_types.entry(error_type(message)).or_default() += 1;
                *self.messages.entry(normalize_message(message)).or_default() += 1;
            }
        }
        if let Some(status) = r.status {
            let class = usize::from(status / 100).saturating_sub(1).min(4);
            self.status_classes[class] += 1;
            if let (Some(method), Some(path)) = (r.method, r.path) {
                endpoint_key_into(&mut self.key, method, path);
                if !self.endpoints.contains_key(self.key.as_str()) {
                    self.endpoints.insert(self.key.clone(), Endpoint::default());
                }
                let e = self.endpoints.get_mut(self.key.as_str()).expect("inserted above");
                e.requests += 1;
                if status >= 400 {
                    e.errors += 1;
                }
                if status >= 500 {
                    e.server_errors += 1;
                }
                if let Some(d) = r.duration_ms {
                    e.durations.push(d);
                }
            }
            if let Some(ip) = r.ip {
                match self.ips.get_mut(ip) {
                    Some(c) => *c += 1,
                    None => {
                        self.ips.insert(ip.to_owned(), 1);
                    }
                }
            }
        }
        self.failed_login(line, Some(r));
    }

    /// Reads and adds every line of a file (plain or gzip). A large plain file is read in
    /// byte ranges on every core, each line by the range its first byte is in.
    pub fn add_file(&mut self, path: &std::path::Path, format: &LineFormat) -> Result<()> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if threads < 2 || size < self.options.parallel_from_bytes.max(1) || crate::logs::read::is_gzip(path)? {
            let mut reader = crate::logs::read::open(path)?;
            let stats = crate::logs::read::for_each_line(reader.as_mut(), path, |line| self.add_line(line, format))?;
            self.add_read_stats(stats);
            return Ok(());
        }
        let step = size.div_ceil(threads as u64);
        let parts: Vec<Result<Analysis>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads as u64)
                .map(|i| {
                    let options = self.options.clone();
                    scope.spawn(move || {
                        let mut part = Analysis::new(options);
                        let (start, end) = (i * step, ((i + 1) * step).min(size));
                        let stats = crate::logs::read::for_each_line_in_range(path, start, end, |line| {
                            part.add_line(line, format)
                        })?;
                        part.add_read_stats(stats);
                        Ok(part)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a log worker does not panic")).collect()
        });
        for part in parts {
            self.merge(part?);
        }
        Ok(())
    }

    /// Adds another analysis' counts (of other lines) to this one.
    pub fn merge(&mut self, other: Analysis) {
        fn add(into: &mut FnvHashMap<String, u64>, from: FnvHashMap<String, u64>) {
            for (k, v) in from {
                *into.entry(k).or_default() += v;
            }
        }
        self.stats.add(other.stats);
        self.parsed += other.parsed;
        self.unparsed += other.unparsed;
        self.before_window += other.before_window;
        for (l, c) in other.levels {
            *self.levels.entry(l).or_default() += c;
        }
        add(&mut self.error_types, other.error_types);
        add(&mut self.messages, other.messages);
        for (k, e) in other.endpoints {
            let mine = self.endpoints.entry(k).or_default();
            mine.requests += e.requests;
            mine.errors += e.errors;
            mine.server_errors += e.server_errors;
            mine.durations.extend(e.durations);
        }
        for (i, c) in other.status_classes.iter().enumerate() {
            self.status_classes[i] += c;
        }
        add(&mut self.ips, other.ips);
        self.failed_logins += other.failed_logins;
        add(&mut self.failed_ips, other.failed_ips);
        add(&mut self.failed_users, other.failed_users);
    }

    pub fn finish(self) -> LogReport {
        let n = self.options.top;
        let mut endpoints: Vec<EndpointStats> = self
            .endpoints
            .into_iter()
            .map(|(endpoint, mut e)| {
                e.durations.sort_by(f64::total_cmp);
                EndpointStats {
                    endpoint,
                    requests: e.requests,
                    errors: e.errors,
                    server_errors: e.server_errors,
                    error_rate: e.errors as f64 / e.requests as f64 * 100.0,
                    p50_ms: percentile(&e.durations, 0.50),
                    p95_ms: percentile(&e.durations, 0.95),
                    p99_ms: percentile(&e.durations, 0.99),
                }
            })
            .collect();
        endpoints.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.endpoint.cmp(&b.endpoint)));
        endpoints.truncate(n);
        let requests = self.status_classes.iter().sum();
        LogReport {
            lines: self.stats.lines,
            parsed: self.parsed,
            unparsed: self.unparsed,
            overlong: self.stats.overlong,
            invalid_utf8: self.stats.invalid_utf8,
            before_window: self.before_window,
            levels: self.levels,
            error_types: top(self.error_types, n, None),
            top_messages: top(self.messages, n, None),
            endpoints,
            status_classes: self.status_classes,
            requests,
            busy_ips: top(self.ips, usize::MAX, Some(self.options.ip_limit)),
            failed_logins: self.failed_logins,
            failed_login_ips: top(self.failed_ips, usize::MAX, Some(self.options.failed_login_limit)),
            failed_login_users: top(self.failed_users, usize::MAX, Some(self.options.failed_login_limit)),
        }
    }
}

fn fmt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |ms| crate::fmt_number(ms).to_string())
}

impl LogReport {
    pub fn errors(&self) -> u64 {
        self.levels.iter().filter(|(l, _)| l.is_error()).map(|(_, c)| c).sum()
    }

    /// The manuals' report: error types, then the endpoint table (`| 接口 | 调用次数 | 错误次数
    /// | 错误率 |`, top N by calls, rates to one decimal), then IPs and failed logins.
    pub fn to_markdown(&self, zh: bool) -> String {
        let mut out = String::new();
        let (errors_h, api_h, cols, ips_h, logins_h, times) = if zh {
            (
                "## 错误统计",
                "## API性能统计",
                ["接口", "调用次数", "错误次数", "错误率", "P95(ms)"],
                "## 可疑IP",
                "## 失败登录",
                "次",
            )
        } else {
            (
                "## Errors",
                "## API performance",
                ["Endpoint", "Calls", "Errors", "Error rate", "P95 (ms)"],
                "## Busy IPs",
                "## Failed logins",
                " times",
            )
        };
        out.push_str(&format!("{errors_h}\n"));
        for (t, c) in &self.error_types {
            out.push_str(&format!("  - {t}: {c}{times}\n"));
        }
        out.push_str(&format!(
            "\n{api_h}\n| {} | {} | {} | {} | {} |\n|------|---------|---------|--------|--------|\n",
            cols[0], cols[1], cols[2], cols[3], cols[4]
        ));
        for e in &self.endpoints {
            out.push_str(&format!(
                "| {} | {} | {} | {:.1}% | {} |\n",
                e.endpoint.replace('|', "\\|"),
                e.requests,
                e.errors,
                e.error_rate,
                fmt_ms(e.p95_ms)
            ));
        }
        out.push_str(&format!("\n{ips_h}\n"));
        for (ip, c) in &self.busy_ips {
            out.push_str(&format!("  - {ip}: {c}\n"));
        }
        out.push_str(&format!("\n{logins_h}: {}\n", self.failed_logins));
        for (ip, c) in &self.failed_login_ips {
            out.push_str(&format!("  - {ip}: {c}\n"));
        }
        out
    }

    pub fn to_json(&self) -> Value {
        json!({
            "lines": self.lines,
            "parsed": self.parsed,
            "unparsed": self.unparsed,
            "overlong": self.overlong,
            "invalid_utf8": self.invalid_utf8,
            "before_window": self.before_window,
            "levels": self.levels.iter().map(|(l, c)| (l.as_str().to_owned(), json!(c))).collect::<serde_json::Map<_, _>>(),
            "errors": self.errors(),
            "error_types": self.error_types.iter().map(|(t, c)| json!([t, c])).collect::<Vec<_>>(),
            "top_messages": self.top_messages.iter().map(|(t, c)| json!([t, c])).collect::<Vec<_>>(),
            "endpoints": self.endpoints.iter().map(|e| json!({
                "endpoint": e.endpoint, "requests": e.requests, "errors": e.errors, "server_errors": e.server_errors,
                "error_rate": crate::json_number(e.error_rate),
                "p50_ms": e.p50_ms.map(crate::json_number), "p95_ms": e.p95_ms.map(crate::json_number), "p99_ms": e.p99_ms.map(crate::json_number),
            })).collect::<Vec<_>>(),
            "status_classes": {"1xx": self.status_classes[0], "2xx": self.status_classes[1], "3xx": self.status_classes[2],
                                "4xx": self.status_classes[3], "5xx": self.status_classes[4]},
            "requests": self.requests,
            "busy_ips": self.busy_ips.iter().map(|(t, c)| json!([t, c])).collect::<Vec<_>>(),
            "failed_logins": self.failed_logins,
            "failed_login_ips": self.failed_login_ips.iter().map(|(t, c)| json!([t, c])).collect::<Vec<_>>(),
            "failed_login_users": self.failed_login_users.iter().map(|(t, c)| json!([t, c])).collect::<Vec<_>>(),
        })
    }

    /// The figures as Measurements (for thresholds, the Runner, rules): `log_lines`,
    /// `log_errors`, `log_level{level}`, `http_requests`, `http_status{class}`,
    /// `endpoint_error_rate{endpoint}` (%), `endpoint_p95_ms{endpoint}`, `busy_ips`,
    /// `failed_logins`, `failed_login_ips`, and `http_error_rate` (% of requests answered
    /// 5xx, the manuals' "HTTP 5xx错误率"; absent when there were no requests: no ratio
    /// without a denominator).
    pub fn measurements(&self) -> Result<Vec<Measurement>> {
        let mut out = vec![
            Measurement::new("log_lines", self.lines as f64)?,
            Measurement::new("log_errors", self.errors() as f64)?,
            Measurement::new("http_requests", self.requests as f64)?,
            Measurement::new("busy_ips", self.busy_ips.len() as f64)?,
            Measurement::new("failed_logins", self.failed_logins as f64)?,
            Measurement::new("failed_login_ips", self.failed_login_ips.len() as f64)?,
        ];
        if self.requests > 0 {
            let rate = self.status_classes[4] as f64 * 100.0 / self.requests as f64;
            out.push(Measurement::new("http_error_rate", rate)?.with_unit("%"));
        }
        for (l, c) in &self.levels {
            out.push(Measurement::new("log_level", *c as f64)?.with_label("level", l.as_str())?);
        }
        for (i, c) in self.status_classes.iter().enumerate() {
            out.push(Measurement::new("http_status", *c as f64)?.with_label("class", format!("{}xx", i + 1))?);
        }
        for e in &self.endpoints {
            out.push(
                Measurement::new("endpoint_error_rate", e.error_rate)?
                    .with_unit("%")
                    .with_label("endpoint", e.endpoint.clone())?,
            );
            if let Some(p) = e.p95_ms {
                out.push(
                    Measurement::new("endpoint_p95_ms", p)?
                        .with_unit("ms")
                        .with_label("endpoint", e.endpoint.clone())?,
                );
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising() {
        assert_eq!(endpoint_key("GET", "/api/courses/42/lessons/7?x=1"), "GET /api/courses/{id}/lessons/{id}");
        assert_eq!(endpoint_key("DELETE", "/u/123e4567-e89b-12d3-a456-426614174000"), "DELETE /u/{id}");
        assert_eq!(error_type("Database error: psycopg2.OperationalError: timeout"), "psycopg2.OperationalError");
        assert_eq!(error_type("ConnectionRefused while calling redis"), "ConnectionRefused");
        assert_eq!(
            normalize_message("user 12345 failed after 3.5s from 10.0.0.7"),
            "user <n> failed after <n>s from <n>"
        );
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.95), Some(4.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}

#[cfg(test)]
mod text_tests {
    use super::{ip_in_text, user_in_text};

    #[test]
    fn finds_the_address_a_line_names() {
        // Hand-written lines: the address is wherever the line puts it, never the date.
        assert_eq!(ip_in_text("2024-07-05 07:00:00 WARNING login failed for bob from 192.0.2.9"), Some("192.0.2.9"));
        assert_eq!(ip_in_text("203.0.113.5 login failed"), Some("203.0.113.5"));
        assert_eq!(ip_in_text("login failed (ip=10.0.0.1, user=x)"), Some("10.0.0.1"));
        assert_eq!(ip_in_text("Failed password for root from 2001:db8::1 port 22 ssh2"), Some("2001:db8::1"));
        assert_eq!(ip_in_text("2024-07-05 07:00:00 login failed"), None);
        assert_eq!(ip_in_text("version 1.2.3.4.5 failed"), None);
    }

    #[test]
    fn finds_the_user_a_line_names() {
        assert_eq!(user_in_text("login failed for user=alice from 192.0.2.9"), Some("alice"));
        assert_eq!(user_in_text("login failed: User: 'bob', ip 1.2.3.4"), Some("bob"));
        assert_eq!(user_in_text("authentication failed username=\"carol\""), Some("carol"));
        assert_eq!(user_in_text("login failed for user dave."), Some("dave"));
        assert_eq!(user_in_text("login failed"), None);
        assert_eq!(user_in_text("login failed users=3"), None);
    }
}

//! Checks declared as data: the `[[checks]]` of a policy file (TOML) or the same shape in
//! JSON (for the C ABI), turned into `CheckDefinition`s.
//!
//! ```toml
//! version = 1
//!
//! [[checks]]
//! name = "api"
//! type = "http"
//! url = "http://127.0.0.1:8000/health"
//! timeout = "2s"
//! tags = ["readiness"]
//! thresholds.latency = { warn = { at_or_above = 100 }, crit = { above = 500 } }
//! ```
//!
//! Common keys: `name`, `type`, `timeout`, `cache_ttl`, `failures_before_critical`,
//! `tags`, `thresholds` (by measurement name; each `warn`/`crit` is Nagios range text,
//! words such as `"above 80"`, or a table `{ above = 80 }`). Each type has its own keys;
//! unknown keys and wrong types are errors naming the check and the key. Secrets are never
//! literal: a Redis URL or PostgreSQL DSN with a password must come from `url_env` /
//! `dsn_env`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::duration::parse_duration;
use crate::error::{Error, Result};
use crate::runner::{CheckDefinition, Probe, Runner};
use crate::threshold::{Range, Threshold, ThresholdForm};

const COMMON: [&str; 7] = ["name", "type", "timeout", "cache_ttl", "failures_before_critical", "tags", "thresholds"];

/// Parses a TOML policy (`version = 1` and `[[checks]]`; its other tables are checked too)
/// into a Runner.
pub fn runner_from_toml(text: &str) -> Result<Runner> {
    crate::policy::Policy::from_toml(text)?.runner()
}

/// Parses a JSON document of the same shape (`{"version": 1, "checks": [...]}`).
pub fn runner_from_json(text: &str) -> Result<Runner> {
    crate::policy::Policy::from_json(text)?.runner()
}

/// Parses a YAML document of the same shape (`version: 1`, `checks:`).
pub fn runner_from_yaml(text: &str) -> Result<Runner> {
    crate::policy::Policy::from_yaml(text)?.runner()
}

/// Reads a policy file (TOML, YAML by `.yaml`/`.yml`, JSON by `.json`); errors name the file
/// and the line.
pub fn runner_from_path(path: &std::path::Path) -> Result<Runner> {
    crate::policy::Policy::from_path(path)?.runner()
}

fn invalid(field: &str, value: &str, reason: impl Into<String>) -> Error {
    Error::InvalidValue { field: field.into(), value: value.into(), reason: reason.into() }
}

/// Whether building checks reads the environment variables their secrets are named by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnvMode {
    /// Read each variable: a check that will connect needs its URL or DSN.
    Read,
    /// Check the names only (validating a policy, exporting its rules): nothing connects,
    /// so an unset variable is not an error.
    NamesOnly,
}

/// The `checks` array of a policy (absent: a Runner without checks).
pub(crate) fn runner_from_checks(checks: Option<&Value>, env: EnvMode) -> Result<Runner> {
    let mut runner = Runner::new();
    let checks = match checks {
        None => return Ok(runner),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(invalid("checks", &other.to_string(), "expected an array of tables ([[checks]])")),
    };
    for (i, item) in checks.iter().enumerate() {
        runner.add(check_from_value(i, item, env)?)?;
    }
    Ok(runner)
}

fn check_from_value(index: usize, item: &Value, env: EnvMode) -> Result<CheckDefinition> {
    let table = item.as_object().ok_or_else(|| invalid(&format!("checks[{index}]"), "", "expected a table"))?;
    let name = match table.get("name") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(invalid(&format!("checks[{index}].name"), &other.to_string(), "expected text")),
        None => return Err(invalid(&format!("checks[{index}].name"), "", "missing")),
    };
    let at = |key: &str| format!("checks[{index}] ({name}).{key}");
    let kind = match table.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(invalid(&at("type"), &other.to_string(), "expected text")),
        None => return Err(invalid(&at("type"), "", "missing")),
    };
    let rest: Map<String, Value> =
        table.iter().filter(|(k, _)| !COMMON.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    let probe = probe_from(&kind, Value::Object(rest), env).map_err(|reason| invalid(&at("type"), &kind, reason))?;
    let mut def = CheckDefinition::new(name.clone(), probe)?;
    def.thresholds = default_thresholds(&kind);
    let text = |key: &str| -> Result<Option<String>> {
        match table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(invalid(&at(key), &other.to_string(), "expected a duration such as \"2s\"")),
        }
    };
    if let Some(t) = text("timeout")? {
        def.timeout = parse_duration(&at("timeout"), &t)?;
        if def.timeout.is_zero() {
            return Err(invalid(&at("timeout"), &t, "must be longer than 0"));
        }
    }
    if let Some(t) = text("cache_ttl")? {
        def.cache_ttl = Some(parse_duration(&at("cache_ttl"), &t)?);
    }
    match table.get("failures_before_critical") {
        None => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| (1..=1000).contains(&n)) => {
            def.failures_before_critical = n.as_u64().unwrap_or(1) as u32;
        }
        Some(other) => {
            return Err(invalid(
                &at("failures_before_critical"),
                &other.to_string(),
                "expected a whole number from 1 to 1000",
            ));
        }
    }
    match table.get("tags") {
        None => {}
        Some(Value::Array(tags)) => {
            for t in tags {
                let Value::String(t) = t else {
                    return Err(invalid(&at("tags"), &t.to_string(), "expected a list of text"));
                };
                def.tags.insert(t.clone());
            }
        }
        Some(other) => return Err(invalid(&at("tags"), &other.to_string(), "expected a list of text")),
    }
    match table.get("thresholds") {
        None => {}
        Some(Value::Object(by_measurement)) => {
            for (measurement, spec) in by_measurement {
                let field = at(&format!("thresholds.{measurement}"));
                def.thresholds.insert(measurement.clone(), threshold_from(&field, spec)?);
            }
        }
        Some(other) => {
            return Err(invalid(&at("thresholds"), &other.to_string(), "expected a table by measurement name"));
        }
    }
    Ok(def)
}

/// `{ warn = ..., crit = ... }` with either limit optional.
fn threshold_from(field: &str, spec: &Value) -> Result<Threshold> {
    let table =
        spec.as_object().ok_or_else(|| invalid(field, &spec.to_string(), "expected { warn = ..., crit = ... }"))?;
    for key in table.keys() {
        if key != "warn" && key != "crit" {
            return Err(invalid(&format!("{field}.{key}"), "", "unknown key (known: warn, crit)"));
        }
    }
    let limit = |key: &str| -> Result<Option<Range>> {
        let field = format!("{field}.{key}");
        match table.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Range::parse(&field, text).map(Some),
            Some(Value::Object(form)) if form.len() == 1 => {
                let (name, bound) = form.iter().next().expect("one entry");
                let bound = bound
                    .as_f64()
                    .ok_or_else(|| invalid(&format!("{field}.{name}"), &bound.to_string(), "expected a number"))?;
                ThresholdForm::from_name(&field, name, bound)?.to_range(&field).map(Some)
            }
            Some(other) => Err(invalid(
                &field,
                &other.to_string(),
                "expected range text or one of { above | at_or_above | below | at_or_below = N }",
            )),
        }
    };
    Ok(Threshold::new(limit("warn")?, limit("crit")?))
}

/// The manuals' thresholds for the host checks, used unless the policy sets its own.
fn default_thresholds(kind: &str) -> BTreeMap<String, Threshold> {
    #[cfg(feature = "system")]
    {
        if let Some((m, t)) = crate::probe::system::SystemThresholds::default().for_kind(kind) {
            return BTreeMap::from([(m.to_owned(), t)]);
        }
    }
    if kind == "backup" {
        // Any problem found verifying the newest backup is CRITICAL; its age is judged by the
        // check's own thresholds (the recovery point objective).
        if let Ok(range) = Range::parse("problems", "above 0") {
            return BTreeMap::from([("problems".to_owned(), Threshold::new(None, Some(range)))]);
        }
    }
    BTreeMap::new()
}

/// A duration in a spec: text in the duration grammar.
#[derive(Deserialize)]
#[serde(transparent)]
struct Span(String);

impl Span {
    fn get(&self, field: &str) -> std::result::Result<Duration, String> {
        parse_duration(field, &self.0).map_err(|e| e.to_string())
    }
}

/// The value of the variable `env` names; with [`EnvMode::NamesOnly`], `placeholder` (a
/// value of the right shape that nothing connects to) once the name is known to be valid.
fn secret(env: &str, value_kind: &str, mode: EnvMode, placeholder: &str) -> std::result::Result<String, String> {
    if env.is_empty()
        || !env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || env.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!(
            "{env:?} is not an environment variable name (letters, digits and _, not starting with a digit)"
        ));
    }
    match mode {
        EnvMode::NamesOnly => Ok(placeholder.to_owned()),
        EnvMode::Read => {
            std::env::var(env).map_err(|_| format!("environment variable {env} (the {value_kind}) is not set"))
        }
    }
}

/// A URL or DSN given literally must not carry a password; one that does belongs in an
/// environment variable.
fn literal_without_secret(key: &str, value: &str, env_key: &str) -> std::result::Result<String, String> {
    if crate::redact::redact(value) != value {
        return Err(format!(
            "{key} holds a password: put the whole {key} in an environment variable and name it with {env_key}"
        ));
    }
    Ok(value.to_owned())
}

fn from_json<T: for<'de> Deserialize<'de>>(kind: &str, v: Value) -> std::result::Result<T, String> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        // The key a wrong value was given for is named, so the error can point at its line.
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || inner.to_string().starts_with("unknown field") {
            format!("{kind} check: {inner}")
        } else {
            format!("{kind} check: key `{path}`: {inner}")
        }
    })
}

fn probe_from(kind: &str, rest: Value, env_mode: EnvMode) -> std::result::Result<Arc<dyn Probe>, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Empty {}
    match kind {
        #[cfg(feature = "system")]
        "cpu" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Cpu {
                sample: Option<Span>,
            }
            let c: Cpu = from_json(kind, rest)?;
            let sample = c.sample.map(|s| s.get("sample")).transpose()?.unwrap_or(Duration::from_millis(500));
            Ok(Arc::new(crate::probe::system::CpuProbe { sample }))
        }
        #[cfg(feature = "system")]
        "memory" => {
            from_json::<Empty>(kind, rest).map(|_| Arc::new(crate::probe::system::MemoryProbe) as Arc<dyn Probe>)
        }
        #[cfg(feature = "system")]
        "swap" => from_json::<Empty>(kind, rest).map(|_| Arc::new(crate::probe::system::SwapProbe) as Arc<dyn Probe>),
        #[cfg(feature = "system")]
        "load" => from_json::<Empty>(kind, rest).map(|_| Arc::new(crate::probe::system::LoadProbe) as Arc<dyn Probe>),
        #[cfg(feature = "system")]
        "disk" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Disk {
                #[serde(default)]
                mounts: Vec<std::path::PathBuf>,
            }
            let d: Disk = from_json(kind, rest)?;
            Ok(Arc::new(crate::probe::system::DiskProbe { mounts: d.mounts }))
        }
        #[cfg(feature = "system")]
        "diskio" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct DiskIo {
                sample: Option<Span>,
                #[serde(default)]
                devices: Vec<String>,
            }
            let d: DiskIo = from_json(kind, rest)?;
            let sample = d.sample.map(|s| s.get("sample")).transpose()?.unwrap_or(Duration::from_secs(1));
            Ok(Arc::new(crate::probe::io::DiskIoProbe { sample, devices: d.devices }))
        }
        #[cfg(feature = "system")]
        "network" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Network {
                sample: Option<Span>,
                #[serde(default)]
                interfaces: Vec<String>,
            }
            let n: Network = from_json(kind, rest)?;
            let sample = n.sample.map(|s| s.get("sample")).transpose()?.unwrap_or(Duration::from_secs(1));
            Ok(Arc::new(crate::probe::io::NetworkProbe { sample, interfaces: n.interfaces }))
        }
        #[cfg(feature = "system")]
        "process" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Process {
                process_name: Option<String>,
                pid_file: Option<std::path::PathBuf>,
            }
            let p: Process = from_json(kind, rest)?;
            let selector = match (p.process_name, p.pid_file) {
                (Some(name), None) => crate::probe::process::ProcessSelector::Name(name),
                (None, Some(path)) => crate::probe::process::ProcessSelector::PidFile(path),
                _ => return Err("process check: give exactly one of process_name, pid_file".into()),
            };
            Ok(Arc::new(crate::probe::process::ProcessProbe { selector }))
        }
        #[cfg(feature = "tls")]
        "tls" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Tls {
                host: Option<String>,
                port: Option<u16>,
                server_name: Option<String>,
                pem_file: Option<std::path::PathBuf>,
            }
            let t: Tls = from_json(kind, rest)?;
            use crate::probe::tls::TlsSource;
            let source = match (t.host, t.port, t.pem_file) {
                (Some(host), Some(port), None) => TlsSource::Remote { host, port, server_name: t.server_name },
                (None, None, Some(path)) if t.server_name.is_none() => TlsSource::PemFile(path),
                _ => return Err("tls check: give host and port (and optionally server_name), or pem_file".into()),
            };
            Ok(Arc::new(crate::probe::tls::TlsProbe { source, at: None }))
        }
        #[cfg(feature = "net")]
        "tcp" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Tcp {
                host: String,
                port: u16,
            }
            let t: Tcp = from_json(kind, rest)?;
            Ok(Arc::new(crate::probe::tcp::TcpProbe { host: t.host, port: t.port }))
        }
        #[cfg(feature = "command")]
        "command" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Command {
                argv: Vec<String>,
            }
            let c: Command = from_json(kind, rest)?;
            if c.argv.is_empty() {
                return Err("command check: argv must name a program".into());
            }
            Ok(Arc::new(crate::probe::command::CommandProbe { argv: c.argv }))
        }
        #[cfg(feature = "files")]
        "file" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct File {
                pattern: String,
            }
            let f: File = from_json(kind, rest)?;
            glob::Pattern::new(&f.pattern).map_err(|e| format!("file check: pattern {:?}: {e}", f.pattern))?;
            Ok(Arc::new(crate::probe::files::FileFreshnessProbe { pattern: f.pattern }))
        }
        #[cfg(feature = "backup")]
        "backup" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Backup {
                dir: std::path::PathBuf,
                #[serde(default)]
                verify: bool,
                pattern: Option<String>,
            }
            let b: Backup = from_json(kind, rest)?;
            let pattern = b
                .pattern
                .map(|p| glob::Pattern::new(&p).map_err(|e| format!("backup check: pattern {p:?}: {e}")))
                .transpose()?;
            Ok(Arc::new(crate::probe::backup::BackupProbe { dir: b.dir, verify: b.verify, pattern }))
        }
        #[cfg(feature = "logs")]
        "log_analysis" => {
            let mut table = rest.as_object().cloned().unwrap_or_default();
            table.insert("name".into(), Value::String("log_analysis".into()));
            let spec = crate::logs::policy::AnalysisSpec::from_value(&Value::Object(table), "log_analysis")
                .map_err(|e| e.to_string())?;
            Ok(Arc::new(crate::probe::loganalysis::LogAnalysisProbe { spec }))
        }
        #[cfg(feature = "logscan")]
        "log" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Log {
                path: std::path::PathBuf,
                pattern: String,
                last_lines: Option<usize>,
            }
            let l: Log = from_json(kind, rest)?;
            use crate::probe::logscan::{LogScanProbe, ScanWindow};
            let window = l.last_lines.map(ScanWindow::LastLines).unwrap_or(ScanWindow::SinceLastScan);
            LogScanProbe::new(l.path, &l.pattern, window)
                .map(|p| Arc::new(p) as Arc<dyn Probe>)
                .map_err(|e| e.to_string())
        }
        #[cfg(feature = "http")]
        "http" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Http {
                url: Option<String>,
                url_env: Option<String>,
                #[serde(default)]
                method: Option<String>,
                #[serde(default)]
                headers: BTreeMap<String, String>,
                #[serde(default)]
                expect_status: Option<u16>,
                #[serde(default)]
                body_contains: Option<String>,
                #[serde(default)]
                json_pointer: Option<String>,
                #[serde(default)]
                json_equals: Option<Value>,
            }
            let h: Http = from_json(kind, rest)?;
            let url = match (h.url, h.url_env) {
                (Some(url), None) => literal_without_secret("url", &url, "url_env")?,
                (None, Some(env)) => secret(&env, "URL", env_mode, "http://unset.invalid/")?,
                _ => return Err("http check: give exactly one of url, url_env".into()),
            };
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "http check: url {:?} must start with http:// or https://",
                    crate::redact::redact(&url)
                ));
            }
            let mut p = crate::probe::http::HttpProbe::get(url);
            p.method = h.method.unwrap_or_else(|| "GET".into()).to_ascii_uppercase();
            p.headers = h.headers.into_iter().collect();
            p.expect_status = h.expect_status.unwrap_or(200);
            p.body_contains = h.body_contains;
            p.json_pointer = h.json_pointer;
            p.json_equals = h.json_equals;
            Ok(Arc::new(p))
        }
        #[cfg(feature = "redis")]
        "redis" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Redis {
                url: Option<String>,
                url_env: Option<String>,
            }
            let r: Redis = from_json(kind, rest)?;
            let url = match (r.url, r.url_env) {
                (Some(url), None) => literal_without_secret("url", &url, "url_env")?,
                (None, Some(env)) => secret(&env, "Redis URL", env_mode, "redis://unset.invalid/")?,
                _ => return Err("redis check: give exactly one of url, url_env".into()),
            };
            Ok(Arc::new(crate::probe::redis::RedisProbe { url }))
        }
        #[cfg(feature = "postgres")]
        "postgres" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Postgres {
                dsn: Option<String>,
                dsn_env: Option<String>,
                long_query: Option<Span>,
            }
            let p: Postgres = from_json(kind, rest)?;
            let dsn = match (p.dsn, p.dsn_env) {
                (Some(dsn), None) => literal_without_secret("dsn", &dsn, "dsn_env")?,
                (None, Some(env)) => secret(&env, "PostgreSQL DSN", env_mode, "host=unset.invalid")?,
                _ => return Err("postgres check: give exactly one of dsn, dsn_env".into()),
            };
            let mut probe = crate::probe::postgres::PostgresProbe::new(dsn);
            if let Some(span) = p.long_query {
                probe.long_query = span.get("long_query")?;
            }
            Ok(Arc::new(probe))
        }
        other => Err(format!(
            "unknown check type {other:?} (known: cpu, memory, swap, load, disk, diskio, network, process, tcp, http, tls, command, file, backup, log, log_analysis, redis, postgres)"
        )),
    }
}

//! The policy's `[logs]` table: the analyses a report runs (`[[logs.analyses]]`: files, line
//! format, window, limits) and the lifecycle rules of log directories (`[[logs.lifecycle]]`).

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::logs::analyze::{Analysis, LogReport, Options};
use crate::logs::format::LineFormat;
use crate::logs::lifecycle::Rules;

/// `--since`/`since`: a duration back from `now_ms` (`24h`) or a time (RFC 3339, Unix seconds).
pub fn since_ms(field: &str, text: &str, now_ms: i64) -> Result<i64> {
    match crate::duration::parse_duration(field, text) {
        Ok(d) => Ok(now_ms - d.as_millis() as i64),
        Err(e) => Ok(crate::check::parse_time(field, text).map_err(|_| e)?.as_millisecond()),
    }
}

/// One analysis of the policy.
#[derive(Debug, Clone)]
pub struct AnalysisSpec {
    pub name: String,
    pub files: Vec<PathBuf>,
    pub input_format: String,
    format: LineFormat,
    pub since: Option<String>,
    options: Options,
}

impl AnalysisSpec {
    /// Reads the files (gzip included) and analyses the lines of the window ending at `now_ms`.
    pub fn run(&self, now_ms: i64) -> Result<LogReport> {
        let mut options = self.options.clone();
        if let Some(since) = &self.since {
            options.since_ms = Some(since_ms(&format!("logs.{}.since", self.name), since, now_ms)?);
        }
        let mut analysis = Analysis::new(options);
        for file in &self.files {
            analysis.add_file(file, &self.format)?;
        }
        Ok(analysis.finish())
    }
}

/// One directory's lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleSpec {
    pub dir: PathBuf,
    pub rules: Rules,
}

/// The `[logs]` table.
#[derive(Debug, Clone, Default)]
pub struct LogsSpec {
    pub analyses: Vec<AnalysisSpec>,
    pub lifecycle: Vec<LifecycleSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSpec {
    #[serde(default)]
    analyses: Vec<Value>,
    #[serde(default)]
    lifecycle: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalysisTable {
    name: String,
    files: Vec<PathBuf>,
    #[serde(default = "iso_level")]
    input_format: String,
    since: Option<String>,
    top: Option<u64>,
    ip_limit: Option<u64>,
    failed_login: Option<String>,
    failed_login_limit: Option<u64>,
}

fn iso_level() -> String {
    "iso-level".into()
}

impl AnalysisSpec {
    /// One analysis from its table (`name`, `files`, `input_format`, `since`, `top`,
    /// `ip_limit`, `failed_login`, `failed_login_limit`); `at` names it in errors.
    pub fn from_value(v: &Value, at: &str) -> Result<AnalysisSpec> {
        let a: AnalysisTable = crate::error::deserialize_at(v, at)?;
        AnalysisSpec::from_table(a, at)
    }

    fn from_table(a: AnalysisTable, at: &str) -> Result<AnalysisSpec> {
        {
            if a.files.is_empty() {
                return Err(Error::invalid_value(&format!("{at}.files"), "[]", "name at least one file"));
            }
            let format = LineFormat::parse(&a.input_format).map_err(|e| match e {
                Error::InvalidValue { value, reason, .. } => {
                    Error::InvalidValue { field: format!("{at}.input_format"), value, reason }
                }
                other => other,
            })?;
            if let Some(since) = &a.since {
                since_ms(&format!("{at}.since"), since, 0)?;
            }
            let mut options = serde_json::Map::new();
            for (k, v) in [("top", a.top), ("ip_limit", a.ip_limit), ("failed_login_limit", a.failed_login_limit)] {
                if let Some(v) = v {
                    options.insert(k.into(), v.into());
                }
            }
            if let Some(re) = &a.failed_login {
                options.insert("failed_login".into(), re.clone().into());
            }
            let options = Options::from_value(&Value::Object(options)).map_err(|e| match e {
                Error::InvalidValue { field, value, reason } => Error::InvalidValue {
                    field: format!("{at}.{}", field.trim_start_matches("options.")),
                    value,
                    reason,
                },
                other => other,
            })?;
            Ok(AnalysisSpec {
                name: a.name,
                files: a.files,
                input_format: a.input_format,
                format,
                since: a.since,
                options,
            })
        }
    }
}

impl LogsSpec {
    /// From the `[logs]` table; errors name `logs.analyses[0].input_format` and the value.
    pub fn from_value(v: &Value) -> Result<LogsSpec> {
        let table: TableSpec = crate::error::deserialize_at(v, "logs")?;
        let mut analyses: Vec<AnalysisSpec> = Vec::new();
        for (i, a) in table.analyses.iter().enumerate() {
            let at = format!("logs.analyses[{i}]");
            let a = AnalysisSpec::from_value(a, &at)?;
            if analyses.iter().any(|x| x.name == a.name) {
                return Err(Error::invalid_value(&format!("{at}.name"), &a.name, "two analyses have this name"));
            }
            analyses.push(a);
        }
        let mut lifecycle = Vec::new();
        for (i, entry) in table.lifecycle.iter().enumerate() {
            let at = format!("logs.lifecycle[{i}]");
            let mut entry = entry
                .as_object()
                .cloned()
                .ok_or_else(|| Error::invalid_value(&at, &entry.to_string(), "expected a table"))?;
            let dir = match entry.remove("dir") {
                Some(Value::String(d)) if !d.is_empty() => PathBuf::from(d),
                other => {
                    return Err(Error::invalid_value(
                        &format!("{at}.dir"),
                        &other.map(|v| v.to_string()).unwrap_or_default(),
                        "the directory of the logs",
                    ));
                }
            };
            lifecycle.push(LifecycleSpec { dir, rules: Rules::from_value(&Value::Object(entry), &at)? });
        }
        Ok(LogsSpec { analyses, lifecycle })
    }
}

//! The result model every probe produces and every rendering consumes:
//! `Measurement` → `CheckResult` → `HealthReport`.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;

use crate::error::{Error, Result};
use crate::format::fmt_number;
use crate::status::Status;
use crate::threshold::{self, Range};

/// One observed value with its unit, thresholds and bounds.
///
/// `value` is NaN when there is no reading (it then evaluates to UNKNOWN and prints `U` in
/// Nagios perfdata). `labels` tell apart measurements of the same name (`mount="/data"`)
/// and become Prometheus labels and the health+json `componentId`.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub name: String,
    pub value: f64,
    pub unit: Option<String>,
    pub warn: Option<Range>,
    pub crit: Option<Range>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub labels: BTreeMap<String, String>,
}

impl Measurement {
    /// A measurement with no unit, thresholds, bounds or labels. The name must not be empty.
    pub fn new(name: impl Into<String>, value: f64) -> Result<Measurement> {
        let name = name.into();
        validate_name("measurement name", &name)?;
        Ok(Measurement {
            name,
            value,
            unit: None,
            warn: None,
            crit: None,
            min: None,
            max: None,
            labels: BTreeMap::new(),
        })
    }

    pub fn with_unit(mut self, unit: impl Into<String>) -> Measurement {
        self.unit = Some(unit.into());
        self
    }

    pub fn with_thresholds(mut self, warn: Option<Range>, crit: Option<Range>) -> Measurement {
        self.warn = warn;
        self.crit = crit;
        self
    }

    pub fn with_bounds(mut self, min: Option<f64>, max: Option<f64>) -> Measurement {
        self.min = min;
        self.max = max;
        self
    }

    /// Adds a label; names follow Prometheus' rule `[a-zA-Z_][a-zA-Z0-9_]*` (not `__`-prefixed).
    pub fn with_label(mut self, name: impl Into<String>, value: impl Into<String>) -> Result<Measurement> {
        let name = name.into();
        validate_label_name(&name)?;
        self.labels.insert(name, value.into());
        Ok(self)
    }

    /// The status of this value against its own thresholds.
    pub fn status(&self) -> Status {
        threshold::evaluate(self.warn.as_ref(), self.crit.as_ref(), self.value)
    }

    /// Label values joined by `,` in label-name order: the component this value belongs to.
    pub fn component_id(&self) -> Option<String> {
        if self.labels.is_empty() { None } else { Some(self.labels.values().cloned().collect::<Vec<_>>().join(",")) }
    }

    /// `value unit` as a person reads it (`75%`, `12 ms`, `no value`).
    pub fn display_value(&self) -> String {
        let mut out = String::new();
        self.write_display_value(&mut out);
        out
    }

    fn write_display_value(&self, out: &mut String) {
        use std::fmt::Write;
        if self.value.is_nan() {
            out.push_str("no value");
            return;
        }
        out.push_str(&fmt_number(self.value));
        match self.unit.as_deref() {
            None | Some("") => {}
            Some("%") | Some("percent") => out.push('%'),
            Some(unit) => {
                let _ = write!(out, " {unit}");
            }
        }
    }
}

/// The outcome of one check run.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub name: String,
    pub status: Status,
    pub summary: String,
    pub measurements: Vec<Measurement>,
    /// How long the check took.
    pub duration: Option<Duration>,
    /// When the check ran.
    pub time: Option<Timestamp>,
    /// What went wrong when the check could not do its job (its status is then CRITICAL or UNKNOWN).
    pub error: Option<String>,
    /// IETF health+json `componentType` (`system`, `datastore`, `component`, ...).
    pub component_type: Option<String>,
}

impl CheckResult {
    /// A result with an explicit status and summary. The name must not be empty.
    pub fn new(name: impl Into<String>, status: Status, summary: impl Into<String>) -> Result<CheckResult> {
        let name = name.into();
        validate_name("check name", &name)?;
        Ok(CheckResult {
            name,
            status,
            summary: summary.into(),
            measurements: Vec::new(),
            duration: None,
            time: None,
            error: None,
            component_type: None,
        })
    }

    /// A result whose status is the worst of its measurements' statuses and whose summary
    /// lists them (`used[/data] 93.5% (CRITICAL), free[/data] 12884901888 B`).
    pub fn from_measurements(name: impl Into<String>, measurements: Vec<Measurement>) -> Result<CheckResult> {
        let name = name.into();
        validate_name("check name", &name)?;
        Ok(CheckResult::from_valid_measurements(name, measurements))
    }

    /// `from_measurements` for a name already known to be valid (the runner's checks).
    pub(crate) fn from_valid_measurements(name: String, measurements: Vec<Measurement>) -> CheckResult {
        let status = Status::worst(measurements.iter().map(Measurement::status));
        let summary = summarize(&measurements);
        CheckResult {
            name,
            status,
            summary,
            measurements,
            duration: None,
            time: None,
            error: None,
            component_type: None,
        }
    }
}

/// `used[/data] 93.5% (CRITICAL), free[/data] 12884901888 B`, written into one string.
fn summarize(measurements: &[Measurement]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(32 * measurements.len());
    for (i, m) in measurements.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&m.name);
        if !m.labels.is_empty() {
            out.push('[');
            for (j, v) in m.labels.values().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(v);
            }
            out.push(']');
        }
        out.push(' ');
        m.write_display_value(&mut out);
        let status = m.status();
        if status != Status::Ok {
            let _ = write!(out, " ({status})");
        }
    }
    out
}

/// A set of check results and their aggregate status.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HealthReport {
    pub checks: Vec<CheckResult>,
    /// health+json `description` (what service this is).
    pub description: Option<String>,
    /// health+json `serviceId`.
    pub service_id: Option<String>,
    /// health+json `version` (the public version of the service).
    pub version: Option<String>,
    /// health+json `releaseId`.
    pub release_id: Option<String>,
}

impl HealthReport {
    pub fn new(checks: Vec<CheckResult>) -> HealthReport {
        HealthReport { checks, ..HealthReport::default() }
    }

    /// Worst of the checks' statuses (OK when there are none).
    pub fn status(&self) -> Status {
        Status::worst(self.checks.iter().map(|c| c.status))
    }
}

pub(crate) fn validate_name(field: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid_value(field, name, "must not be empty"));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid_value(field, name, "must not contain control characters"));
    }
    Ok(())
}

fn validate_label_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') || name.starts_with("__") {
        return Err(Error::invalid_value(
            "label name",
            name,
            "must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __",
        ));
    }
    Ok(())
}

/// Reads a measured value: a decimal number, `NaN` (no value) or `inf`/`-inf`.
pub fn parse_value(field: &str, text: &str) -> Result<f64> {
    let t = text.trim();
    let plain = t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && t.bytes().any(|b| b.is_ascii_digit());
    let special = matches!(t.to_ascii_lowercase().as_str(), "nan" | "inf" | "+inf" | "-inf");
    match t.parse::<f64>() {
        Ok(v) if plain || special => Ok(v),
        _ => Err(Error::invalid_value(field, text, "not a number")),
    }
}

/// Parses an RFC 3339 timestamp (`2018-01-17T03:36:48Z`); `field` names the setting in errors.
pub fn parse_time(field: &str, text: &str) -> Result<Timestamp> {
    text.parse::<Timestamp>().map_err(|e| Error::invalid_value(field, text, format!("not an RFC 3339 timestamp ({e})")))
}

/// A duration from seconds; negative, NaN or infinite seconds are refused.
pub fn duration_from_secs(field: &str, seconds: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| Error::invalid_value(field, &fmt_number(seconds), "must be a finite number of seconds ≥ 0"))
}

//! opsbook's own JSON form of a report: everything the model holds (statuses, summaries,
//! errors, durations, every measurement with its thresholds), for programs that want more
//! than health+json says.

use serde_json::{Map, Value, json};

use crate::check::{CheckResult, HealthReport, Measurement};
use crate::format::{fmt_number, json_number};

/// Renders the report as compact JSON. Non-finite values are written as the strings
/// `"NaN"`, `"+Inf"`, `"-Inf"` (JSON has no numbers for them).
pub fn to_json(report: &HealthReport) -> String {
    let status = report.status();
    let mut doc = Map::new();
    doc.insert("status".into(), status.as_str().into());
    doc.insert("exit_code".into(), status.nagios_code().into());
    for (key, value) in [
        ("description", &report.description),
        ("service_id", &report.service_id),
        ("version", &report.version),
        ("release_id", &report.release_id),
    ] {
        if let Some(v) = value {
            doc.insert(key.into(), v.clone().into());
        }
    }
    doc.insert("checks".into(), Value::Array(report.checks.iter().map(check).collect()));
    Value::Object(doc).to_string()
}

fn number(v: f64) -> Value {
    json_number(v).unwrap_or_else(|| fmt_number(v).into())
}

fn check(c: &CheckResult) -> Value {
    json!({
        "name": c.name,
        "status": c.status.as_str(),
        "summary": c.summary,
        "error": c.error,
        "component_type": c.component_type,
        "time": c.time.map(|t| t.to_string()),
        "duration_seconds": c.duration.map(|d| number(d.as_secs_f64())),
        "measurements": c.measurements.iter().map(measurement).collect::<Vec<_>>(),
    })
}

fn measurement(m: &Measurement) -> Value {
    json!({
        "name": m.name,
        "value": number(m.value),
        "unit": m.unit,
        "warn": m.warn.map(|r| r.to_string()),
        "crit": m.crit.map(|r| r.to_string()),
        "min": m.min.map(number),
        "max": m.max.map(number),
        "labels": m.labels,
        "status": m.status().as_str(),
    })
}

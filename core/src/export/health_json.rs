//! IETF draft-inadarei-api-health-check (`application/health+json`).

use serde_json::{Map, Value};

use crate::check::{CheckResult, HealthReport, Measurement};
use crate::format::json_number;
use crate::status::Status;

/// How much a health document tells: `Public` is the status only (safe for an open
/// `/health`), `Detailed` adds `checks` with values (for an endpoint the embedder protects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthDetail {
    Public,
    Detailed,
}

/// Renders the report as compact `application/health+json`.
///
/// `checks` is keyed `check:measurement` (or the check name for a check without
/// measurements); each key maps to an array, one object per measurement of that name.
/// An entry's status is its measurement's own threshold evaluation when it has thresholds;
/// a measurement without thresholds passes when its check has thresholded measurements
/// (they carry the verdict) and otherwise reports its check's status. `output` is given only for entries that do not pass.
pub fn to_health_json(report: &HealthReport, detail: HealthDetail) -> String {
    let mut doc = Map::new();
    doc.insert("status".into(), report.status().health().as_str().into());
    if detail == HealthDetail::Detailed {
        let optional = [
            ("version", &report.version),
            ("releaseId", &report.release_id),
            ("serviceId", &report.service_id),
            ("description", &report.description),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                doc.insert(key.into(), v.clone().into());
            }
        }
        let mut checks: Map<String, Value> = Map::new();
        for check in &report.checks {
            if check.measurements.is_empty() {
                push(&mut checks, check.name.clone(), entry(check, None));
            }
            for m in &check.measurements {
                push(&mut checks, format!("{}:{}", check.name, m.name), entry(check, Some(m)));
            }
        }
        doc.insert("checks".into(), Value::Object(checks));
    }
    Value::Object(doc).to_string()
}

fn push(checks: &mut Map<String, Value>, key: String, item: Value) {
    match checks.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
        Value::Array(items) => items.push(item),
        _ => unreachable!("every checks entry is created as an array"),
    }
}

fn entry(check: &CheckResult, measurement: Option<&Measurement>) -> Value {
    let mut obj = Map::new();
    if let Some(id) = measurement.and_then(Measurement::component_id) {
        obj.insert("componentId".into(), id.into());
    }
    if let Some(t) = &check.component_type {
        obj.insert("componentType".into(), t.clone().into());
    }
    let status = match measurement {
        Some(m) if has_thresholds(m) => m.status(),
        // The check's verdict came from its thresholded measurements; this one passes.
        Some(_) if check.measurements.iter().any(has_thresholds) => Status::Ok,
        _ => check.status,
    };
    if let Some(m) = measurement {
        if let Some(v) = json_number(m.value) {
            obj.insert("observedValue".into(), v);
        }
        if let Some(unit) = m.unit.as_deref().filter(|u| !u.is_empty()) {
            obj.insert("observedUnit".into(), unit.into());
        }
    }
    obj.insert("status".into(), status.health().as_str().into());
    if let Some(time) = check.time {
        obj.insert("time".into(), time.to_string().into());
    }
    if status != Status::Ok {
        let output = check.error.clone().unwrap_or_else(|| check.summary.clone());
        obj.insert("output".into(), output.into());
    }
    Value::Object(obj)
}

fn has_thresholds(m: &Measurement) -> bool {
    m.warn.is_some() || m.crit.is_some()
}

//! `Measurement`, `CheckResult`, `HealthReport` (wrap `opsbook::check`) and the report's
//! renderings (`opsbook::export`).

use std::collections::HashMap;

use napi_derive::napi;

use crate::errors::IntoJsResult;
use crate::status::Status;
use crate::threshold::{Range, limit};

/// Optional parts of a measurement. `warn`/`crit` are range text (`"~:80"`, `"above 80"`,
/// or `String(range)` for a `Range`).
#[napi(object)]
pub struct MeasurementOptions {
    pub unit: Option<String>,
    pub warn: Option<String>,
    pub crit: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub labels: Option<HashMap<String, String>>,
}

/// One observed value with unit, thresholds, bounds and labels. NaN means no value.
#[napi]
#[derive(Clone)]
pub struct Measurement {
    pub(crate) inner: opsbook::Measurement,
}

#[napi]
impl Measurement {
    #[napi(constructor)]
    pub fn new(name: String, value: f64, options: Option<MeasurementOptions>) -> napi::Result<Measurement, String> {
        let mut inner = opsbook::Measurement::new(name, value).js_err()?;
        if let Some(o) = options {
            inner = inner.with_thresholds(limit("warn", o.warn)?, limit("crit", o.crit)?).with_bounds(o.min, o.max);
            inner.unit = o.unit;
            // Labels live in a sorted map, so the order of JS keys cannot change any output.
            let labels = o.labels.unwrap_or_default();
            for (k, v) in labels {
                inner = inner.with_label(k, v).js_err()?;
            }
        }
        Ok(Measurement { inner })
    }

    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }
    #[napi(getter)]
    pub fn value(&self) -> f64 {
        self.inner.value
    }
    #[napi(getter)]
    pub fn unit(&self) -> Option<String> {
        self.inner.unit.clone()
    }
    #[napi(getter)]
    pub fn warn(&self) -> Option<Range> {
        self.inner.warn.map(|inner| Range { inner })
    }
    #[napi(getter)]
    pub fn crit(&self) -> Option<Range> {
        self.inner.crit.map(|inner| Range { inner })
    }
    #[napi(getter)]
    pub fn min(&self) -> Option<f64> {
        self.inner.min
    }
    #[napi(getter)]
    pub fn max(&self) -> Option<f64> {
        self.inner.max
    }
    #[napi(getter)]
    pub fn labels(&self) -> HashMap<String, String> {
        self.inner.labels.clone().into_iter().collect()
    }
    /// The value's status against its own thresholds.
    #[napi(getter)]
    pub fn status(&self) -> Status {
        self.inner.status().into()
    }
}

/// Optional parts of a check result.
#[napi(object)]
pub struct CheckOptions {
    /// How long the check took, in seconds.
    pub duration_seconds: Option<f64>,
    /// When the check ran, RFC 3339 text (`date.toISOString()` works).
    pub time: Option<String>,
    /// What went wrong when the check could not do its job.
    pub error: Option<String>,
    /// health+json componentType ("system", "datastore", ...).
    pub component_type: Option<String>,
}

/// The outcome of one check.
#[napi]
#[derive(Clone)]
pub struct CheckResult {
    pub(crate) inner: opsbook::CheckResult,
}

fn apply(mut inner: opsbook::CheckResult, options: Option<CheckOptions>) -> napi::Result<CheckResult, String> {
    if let Some(o) = options {
        inner.duration = o
            .duration_seconds
            .map(|d| opsbook::check::duration_from_secs("durationSeconds", d))
            .transpose()
            .js_err()?;
        inner.time = o.time.map(|t| opsbook::check::parse_time("time", &t)).transpose().js_err()?;
        inner.error = o.error;
        inner.component_type = o.component_type;
    }
    Ok(CheckResult { inner })
}

#[napi]
impl CheckResult {
    /// A result with an explicit status and summary; `measurements` are copied.
    #[napi(constructor)]
    pub fn new(
        name: String,
        status: Status,
        summary: String,
        measurements: Option<Vec<&Measurement>>,
        options: Option<CheckOptions>,
    ) -> napi::Result<CheckResult, String> {
        let mut inner = opsbook::CheckResult::new(name, status.into(), summary).js_err()?;
        inner.measurements = measurements.unwrap_or_default().into_iter().map(|m| m.inner.clone()).collect();
        apply(inner, options)
    }

    /// A result whose status is the worst of its measurements and whose summary lists them.
    #[napi(factory)]
    pub fn from_measurements(
        name: String,
        measurements: Vec<&Measurement>,
        options: Option<CheckOptions>,
    ) -> napi::Result<CheckResult, String> {
        let ms = measurements.into_iter().map(|m| m.inner.clone()).collect();
        apply(opsbook::CheckResult::from_measurements(name, ms).js_err()?, options)
    }

    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }
    #[napi(getter)]
    pub fn status(&self) -> Status {
        self.inner.status.into()
    }
    #[napi(getter)]
    pub fn summary(&self) -> String {
        self.inner.summary.clone()
    }
    #[napi(getter)]
    pub fn measurements(&self) -> Vec<Measurement> {
        self.inner.measurements.iter().cloned().map(|inner| Measurement { inner }).collect()
    }
    #[napi(getter)]
    pub fn duration_seconds(&self) -> Option<f64> {
        self.inner.duration.map(|d| d.as_secs_f64())
    }
    /// When the check ran, as RFC 3339 text.
    #[napi(getter)]
    pub fn time(&self) -> Option<String> {
        self.inner.time.map(|t| t.to_string())
    }
    #[napi(getter)]
    pub fn error(&self) -> Option<String> {
        self.inner.error.clone()
    }
    #[napi(getter)]
    pub fn component_type(&self) -> Option<String> {
        self.inner.component_type.clone()
    }
}

/// Nagios plugin output and its exit code.
#[napi(object)]
pub struct NagiosOutput {
    pub text: String,
    pub exit_code: u32,
}

/// Descriptive fields of a report (health+json names).
#[napi(object)]
pub struct ReportInfo {
    pub description: Option<String>,
    pub service_id: Option<String>,
    pub version: Option<String>,
    pub release_id: Option<String>,
}

/// Check results, their aggregate status, and their renderings.
#[napi]
pub struct HealthReport {
    pub(crate) inner: opsbook::HealthReport,
}

#[napi]
impl HealthReport {
    /// A report of copies of `checks`.
    #[napi(constructor)]
    pub fn new(checks: Vec<&CheckResult>, info: Option<ReportInfo>) -> HealthReport {
        let info = info.unwrap_or(ReportInfo { description: None, service_id: None, version: None, release_id: None });
        HealthReport {
            inner: opsbook::HealthReport {
                checks: checks.into_iter().map(|c| c.inner.clone()).collect(),
                description: info.description,
                service_id: info.service_id,
                version: info.version,
                release_id: info.release_id,
            },
        }
    }

    #[napi(getter)]
    pub fn checks(&self) -> Vec<CheckResult> {
        self.inner.checks.iter().cloned().map(|inner| CheckResult { inner }).collect()
    }

    /// Worst of the checks' statuses (OK when there are none).
    #[napi(getter)]
    pub fn status(&self) -> Status {
        self.inner.status().into()
    }

    /// `application/health+json`; `detailed = false` gives the status only (public form).
    #[napi]
    pub fn to_health_json(&self, detailed: Option<bool>) -> String {
        let detail =
            if detailed.unwrap_or(true) { opsbook::HealthDetail::Detailed } else { opsbook::HealthDetail::Public };
        opsbook::to_health_json(&self.inner, detail)
    }

    /// Nagios plugin output with perfdata, and the exit code.
    #[napi]
    pub fn to_nagios(&self) -> NagiosOutput {
        let out = opsbook::to_nagios(&self.inner);
        NagiosOutput { text: out.text, exit_code: u32::from(out.exit_code) }
    }

    /// Prometheus text exposition.
    #[napi]
    pub fn to_prometheus(&self) -> String {
        opsbook::to_prometheus(&self.inner)
    }

    /// The report as the samples rules evaluate: `opsbook_check_status{check}` and each
    /// measurement under its exported metric name, in base units.
    #[napi]
    pub fn samples(&self) -> Vec<crate::rules::Sample> {
        opsbook::rules::pipeline::samples_from_report(&self.inner)
            .into_iter()
            .map(|s| crate::rules::Sample {
                metric: s.metric,
                value: s.value,
                labels: Some(s.labels.into_iter().collect()),
            })
            .collect()
    }

    /// A plain-text table for people.
    #[napi]
    pub fn to_table(&self) -> String {
        opsbook::to_table(&self.inner)
    }

    /// opsbook's JSON: every check with status, summary, error, time, duration, measurements.
    #[napi]
    pub fn to_json(&self) -> String {
        opsbook::to_json(&self.inner)
    }
}

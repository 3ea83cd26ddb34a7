//! `opsbook.Measurement`, `opsbook.CheckResult`, `opsbook.HealthReport` (wrap
//! `opsbook::check`) and the report's renderings (`opsbook::export`).

use std::collections::BTreeMap;

use jiff::Timestamp;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::errors::IntoPyResult;
use crate::status::Status;
use crate::threshold::{Range, limit};

/// One observed value with unit, thresholds, bounds and labels. NaN means no value.
#[pyclass(frozen, eq, from_py_object, module = "opsbook")]
#[derive(Clone, PartialEq)]
pub struct Measurement {
    pub inner: opsbook::Measurement,
}

#[pymethods]
impl Measurement {
    #[new]
    #[pyo3(signature = (name, value, unit = None, warn = None, crit = None, min = None, max = None, labels = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: &str,
        value: f64,
        unit: Option<String>,
        warn: Option<&Bound<'_, PyAny>>,
        crit: Option<&Bound<'_, PyAny>>,
        min: Option<f64>,
        max: Option<f64>,
        labels: Option<BTreeMap<String, String>>,
    ) -> PyResult<Measurement> {
        let mut inner = opsbook::Measurement::new(name, value)
            .py_err()?
            .with_thresholds(limit("warn", warn)?, limit("crit", crit)?)
            .with_bounds(min, max);
        inner.unit = unit;
        for (k, v) in labels.unwrap_or_default() {
            inner = inner.with_label(k, v).py_err()?;
        }
        Ok(Measurement { inner })
    }

    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    #[getter]
    fn value(&self) -> f64 {
        self.inner.value
    }
    #[getter]
    fn unit(&self) -> Option<&str> {
        self.inner.unit.as_deref()
    }
    #[getter]
    fn warn(&self) -> Option<Range> {
        self.inner.warn.map(|inner| Range { inner })
    }
    #[getter]
    fn crit(&self) -> Option<Range> {
        self.inner.crit.map(|inner| Range { inner })
    }
    #[getter]
    fn min(&self) -> Option<f64> {
        self.inner.min
    }
    #[getter]
    fn max(&self) -> Option<f64> {
        self.inner.max
    }
    #[getter]
    fn labels(&self) -> BTreeMap<String, String> {
        self.inner.labels.clone()
    }
    /// The value's status against its own thresholds.
    #[getter]
    fn status(&self) -> Status {
        self.inner.status().into()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Measurement({}, {})", py_repr(py, &self.inner.name)?, opsbook::fmt_number(self.inner.value)))
    }
}

/// Python's own repr of a string, quotes and escapes included.
fn py_repr(py: Python<'_>, text: &str) -> PyResult<String> {
    Ok(pyo3::types::PyString::new(py, text).repr()?.to_string())
}

/// Reads a time argument: an aware `datetime` or RFC 3339 text.
fn time_arg(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Timestamp>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(text) = value.extract::<String>() {
        return opsbook::check::parse_time("time", &text).py_err().map(Some);
    }
    value
        .extract::<Timestamp>()
        .map(Some)
        .map_err(|_| PyTypeError::new_err("time must be a timezone-aware datetime or RFC 3339 text"))
}

/// The outcome of one check.
#[pyclass(frozen, eq, from_py_object, module = "opsbook")]
#[derive(Clone, PartialEq)]
pub struct CheckResult {
    pub inner: opsbook::CheckResult,
}

fn measurements_of(list: Vec<Measurement>) -> Vec<opsbook::Measurement> {
    list.into_iter().map(|m| m.inner).collect()
}

impl CheckResult {
    fn with_details(
        mut inner: opsbook::CheckResult,
        duration: Option<f64>,
        time: Option<&Bound<'_, PyAny>>,
        error: Option<String>,
        component_type: Option<String>,
    ) -> PyResult<CheckResult> {
        inner.duration = duration.map(|d| opsbook::check::duration_from_secs("duration", d)).transpose().py_err()?;
        inner.time = time_arg(time)?;
        inner.error = error;
        inner.component_type = component_type;
        Ok(CheckResult { inner })
    }
}

#[pymethods]
impl CheckResult {
    /// A result with an explicit status and summary. `duration` is in seconds.
    #[new]
    #[pyo3(signature = (name, status, summary, measurements = Vec::new(), duration = None, time = None, error = None, component_type = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: &str,
        status: Status,
        summary: &str,
        measurements: Vec<Measurement>,
        duration: Option<f64>,
        time: Option<&Bound<'_, PyAny>>,
        error: Option<String>,
        component_type: Option<String>,
    ) -> PyResult<CheckResult> {
        let mut inner = opsbook::CheckResult::new(name, status.into(), summary).py_err()?;
        inner.measurements = measurements_of(measurements);
        CheckResult::with_details(inner, duration, time, error, component_type)
    }

    /// A result whose status is the worst of its measurements and whose summary lists them.
    #[staticmethod]
    #[pyo3(signature = (name, measurements, duration = None, time = None, error = None, component_type = None))]
    fn from_measurements(
        name: &str,
        measurements: Vec<Measurement>,
        duration: Option<f64>,
        time: Option<&Bound<'_, PyAny>>,
        error: Option<String>,
        component_type: Option<String>,
    ) -> PyResult<CheckResult> {
        let inner = opsbook::CheckResult::from_measurements(name, measurements_of(measurements)).py_err()?;
        CheckResult::with_details(inner, duration, time, error, component_type)
    }

    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    #[getter]
    fn status(&self) -> Status {
        self.inner.status.into()
    }
    #[getter]
    fn summary(&self) -> &str {
        &self.inner.summary
    }
    #[getter]
    fn measurements(&self) -> Vec<Measurement> {
        self.inner.measurements.iter().cloned().map(|inner| Measurement { inner }).collect()
    }
    /// Seconds the check took.
    #[getter]
    fn duration(&self) -> Option<f64> {
        self.inner.duration.map(|d| d.as_secs_f64())
    }
    /// When the check ran (an aware datetime).
    #[getter]
    fn time(&self) -> Option<Timestamp> {
        self.inner.time
    }
    #[getter]
    fn error(&self) -> Option<&str> {
        self.inner.error.as_deref()
    }
    #[getter]
    fn component_type(&self) -> Option<&str> {
        self.inner.component_type.as_deref()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (name, summary) = (py_repr(py, &self.inner.name)?, py_repr(py, &self.inner.summary)?);
        Ok(format!("CheckResult({name}, Status.{}, {summary})", self.inner.status))
    }
}

/// Nagios plugin output and the exit code that goes with it.
#[pyclass(frozen, module = "opsbook")]
pub struct NagiosOutput {
    #[pyo3(get)]
    text: String,
    #[pyo3(get)]
    exit_code: u8,
}

#[pymethods]
impl NagiosOutput {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("NagiosOutput(text={}, exit_code={})", py_repr(py, &self.text)?, self.exit_code))
    }
}

/// Check results, their aggregate status, and their renderings.
#[pyclass(frozen, module = "opsbook")]
pub struct HealthReport {
    pub inner: opsbook::HealthReport,
}

#[pymethods]
impl HealthReport {
    #[new]
    #[pyo3(signature = (checks = Vec::new(), description = None, service_id = None, version = None, release_id = None))]
    fn new(
        checks: Vec<CheckResult>,
        description: Option<String>,
        service_id: Option<String>,
        version: Option<String>,
        release_id: Option<String>,
    ) -> HealthReport {
        HealthReport {
            inner: opsbook::HealthReport {
                checks: checks.into_iter().map(|c| c.inner).collect(),
                description,
                service_id,
                version,
                release_id,
            },
        }
    }

    #[getter]
    fn checks(&self) -> Vec<CheckResult> {
        self.inner.checks.iter().cloned().map(|inner| CheckResult { inner }).collect()
    }
    /// Worst of the checks' statuses (OK when there are none).
    #[getter]
    fn status(&self) -> Status {
        self.inner.status().into()
    }
    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }
    #[getter]
    fn service_id(&self) -> Option<&str> {
        self.inner.service_id.as_deref()
    }
    #[getter]
    fn version(&self) -> Option<&str> {
        self.inner.version.as_deref()
    }
    #[getter]
    fn release_id(&self) -> Option<&str> {
        self.inner.release_id.as_deref()
    }

    /// `application/health+json`; `detailed=False` gives the status only (public form).
    #[pyo3(signature = (detailed = true))]
    fn to_health_json(&self, detailed: bool) -> String {
        let detail = if detailed { opsbook::HealthDetail::Detailed } else { opsbook::HealthDetail::Public };
        opsbook::to_health_json(&self.inner, detail)
    }

    /// Nagios plugin output with perfdata, and the exit code.
    fn to_nagios(&self) -> NagiosOutput {
        let out = opsbook::to_nagios(&self.inner);
        NagiosOutput { text: out.text, exit_code: out.exit_code }
    }

    /// Prometheus text exposition.
    fn to_prometheus(&self) -> String {
        opsbook::to_prometheus(&self.inner)
    }

    /// The report as the samples rules evaluate: `opsbook_check_status{check}` and each
    /// measurement under its exported metric name, in base units.
    fn samples(&self) -> Vec<crate::rules::Sample> {
        opsbook::rules::pipeline::samples_from_report(&self.inner)
            .into_iter()
            .map(crate::rules::Sample::from_core)
            .collect()
    }

    /// A plain-text table for people.
    fn to_table(&self) -> String {
        opsbook::to_table(&self.inner)
    }

    /// opsbook's JSON: every check with status, summary, error, time, duration, measurements.
    fn to_json(&self) -> String {
        opsbook::to_json(&self.inner)
    }

    fn __repr__(&self) -> String {
        format!("HealthReport(status=Status.{}, checks={})", self.inner.status(), self.inner.checks.len())
    }
}

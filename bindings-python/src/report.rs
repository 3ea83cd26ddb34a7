//! `opsbook.report` (wraps `opsbook::report`) and `opsbook.maintenance` (wraps
//! `opsbook::maintenance`): the daily check and monthly maintenance report, from a policy
//! (checks run with the GIL released) or from parts; what the maintenance plan says is due.

use pyo3::prelude::*;

use opsbook::maintenance::{Plan, Record};
use opsbook::report::{ReportFormat, ReportKind};

use crate::alert::now_ms;
use crate::errors::IntoPyResult;
use crate::json::{from_py, to_py};
use crate::status::Status;

/// A report: sections of items marked ✓ / ⚠ / ✗ / ☐, rendered as daily_check.sh's text,
/// markdown or JSON.
#[pyclass(frozen, module = "opsbook")]
pub struct Report {
    inner: opsbook::report::Report,
}

impl Report {
    pub(crate) fn from_core(inner: opsbook::report::Report) -> Report {
        Report { inner }
    }
}

#[pymethods]
impl Report {
    /// A report from its parts: `{"time", "tz", "language", "kind", "title", "checks",
    /// "backups", "alerts", "logs", "capacity", "maintenance", "checklists"}`.
    #[staticmethod]
    fn from_parts(parts: &Bound<'_, PyAny>) -> PyResult<Report> {
        let value = from_py(parts)?;
        let inner = parts.py().detach(|| opsbook::report::report_from_value(&value)).py_err()?;
        Ok(Report { inner })
    }

    /// The report a policy file asks for at `now` (Unix seconds; default the clock): its
    /// checks run now, the alerts its rules hold (`state`: a state file; default the
    /// policy's `[state]`; neither: the rules evaluated once on these results), its
    /// `[logs]`, `[capacity]` and `[maintenance]`.
    #[staticmethod]
    #[pyo3(signature = (policy, kind = "daily", now = None, state = None))]
    fn from_policy(
        py: Python<'_>,
        policy: std::path::PathBuf,
        kind: &str,
        now: Option<f64>,
        state: Option<std::path::PathBuf>,
    ) -> PyResult<Report> {
        let kind = ReportKind::parse("kind", kind).py_err()?;
        let now = now_ms(now)?;
        let inner = py.detach(|| opsbook::report::from_policy_path(&policy, kind, now, state.as_deref())).py_err()?;
        Ok(Report { inner })
    }

    /// The worst item (☐ and figures count as OK).
    #[getter]
    fn status(&self) -> Status {
        self.inner.status().into()
    }

    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }

    /// `智能教育平台每日检查` / `smart-edu daily check`.
    #[getter]
    fn headline(&self) -> String {
        self.inner.headline()
    }

    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }

    fn to_json(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &self.inner.to_json())
    }

    /// `format`: text, markdown or json.
    #[pyo3(signature = (format = "text"))]
    fn render(&self, format: &str) -> PyResult<String> {
        Ok(self.inner.render(ReportFormat::parse("format", format).py_err()?))
    }

    /// Writes the report rendered as `format` to `path` (a temporary file renamed over it).
    #[pyo3(signature = (path, format = "text"))]
    fn write(&self, py: Python<'_>, path: std::path::PathBuf, format: &str) -> PyResult<()> {
        let text = self.render(format)?;
        py.detach(|| opsbook::report::write_report(&path, &text)).py_err()
    }

    fn __repr__(&self) -> String {
        format!("<Report {} {}>", self.inner.headline(), self.inner.status().as_str())
    }
}

/// Where each task of a maintenance plan (the `[maintenance]` table as a dict) stands at
/// `now` given `records` (dicts as `read_records` returns them): most urgent first.
#[pyfunction]
#[pyo3(signature = (plan, records = None, now = None))]
pub fn maintenance_due(
    py: Python<'_>,
    plan: &Bound<'_, PyAny>,
    records: Option<&Bound<'_, PyAny>>,
    now: Option<f64>,
) -> PyResult<Py<PyAny>> {
    let plan = Plan::from_value(&from_py(plan)?).py_err()?;
    let records = match records {
        None => Vec::new(),
        Some(r) => opsbook::maintenance::records_from_value(&from_py(r)?, "records").py_err()?,
    };
    let due = plan.due(&records, now_ms(now)?).py_err()?;
    to_py(py, &serde_json::Value::Array(due.iter().map(|d| d.to_json()).collect()))
}

/// The records kept in a JSON-lines file (none when it does not exist), oldest first.
#[pyfunction]
pub fn read_records(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Py<PyAny>> {
    let records = py.detach(|| opsbook::maintenance::read_records(&path)).py_err()?;
    to_py(py, &serde_json::Value::Array(records.iter().map(Record::to_json).collect()))
}

/// Appends a record (`{"time", "operator", "kind", "task", "description", "impact",
/// "result", "notes"}`; kind 例行维护/routine, 故障处理/incident, 版本更新/release) under a lock.
#[pyfunction]
pub fn append_record(py: Python<'_>, path: std::path::PathBuf, record: &Bound<'_, PyAny>) -> PyResult<()> {
    let record = Record::from_value(&from_py(record)?, "record").py_err()?;
    py.detach(|| opsbook::maintenance::append_record(&path, &record)).py_err()
}

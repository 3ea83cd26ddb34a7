//! `opsbook.run_policy` (wraps `opsbook::pass`): one whole maintenance pass over a policy file, with
//! the GIL released while it runs.

use pyo3::prelude::*;

use opsbook::pass::PassOptions;
use opsbook::report::ReportKind;

use crate::alert::now_ms;
use crate::errors::IntoPyResult;
use crate::json::to_py;
use crate::report::Report;
use crate::status::Status;

/// What one pass found and did: its status, its report (with the notifications and plans in
/// it) and everything as data.
#[pyclass(frozen, module = "opsbook")]
pub struct Pass {
    json: serde_json::Value,
    status: opsbook::Status,
    report: Py<Report>,
}

#[pymethods]
impl Pass {
    /// The worst item of the pass.
    #[getter]
    fn status(&self) -> Status {
        self.status.into()
    }

    /// The daily (or monthly) report, notifications, retention and log lifecycle included.
    #[getter]
    fn report(&self, py: Python<'_>) -> Py<Report> {
        self.report.clone_ref(py)
    }

    /// `{"time", "status", "state", "health", "events", "escalations", "opened",
    /// "notifications", "retention", "log_lifecycle", "report"}`.
    fn to_json(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &self.json)
    }

    fn __repr__(&self) -> String {
        format!("<Pass {}>", self.status.as_str())
    }
}

/// One maintenance pass of the policy file at `policy` at `now` (Unix seconds; default the
/// clock): the checks, the rules with their state kept (`state`: a state file; default the
/// policy's `[state]`, else a file named after the policy under `$OPSBOOK_STATE_DIR`,
/// `$XDG_STATE_HOME/opsbook` or `~/.local/state/opsbook`) under a lock so passes never
/// overlap, the notifications rendered (delivered when `send`), the capacity plan, the
/// backup checks and retention plan, the logs and their lifecycle plan, and the report.
#[pyfunction]
#[pyo3(signature = (policy, *, state = None, now = None, send = false, report = "daily"))]
pub fn run_policy(
    py: Python<'_>,
    policy: std::path::PathBuf,
    state: Option<std::path::PathBuf>,
    now: Option<f64>,
    send: bool,
    report: &str,
) -> PyResult<Pass> {
    let kind = ReportKind::parse("report", report).py_err()?;
    let options = PassOptions { now_ms: now_ms(now)?, kind, send };
    let outcome = py.detach(|| opsbook::pass::run_path(&policy, state.as_deref(), options)).py_err()?;
    Ok(Pass {
        json: outcome.to_json(),
        status: outcome.status(),
        report: Py::new(py, Report::from_core(outcome.report))?,
    })
}

//! `opsbook.logs` (wraps `opsbook::logs`): the manuals' log analyses over files (plain or
//! gzip) or lines, with the GIL released while reading.

use pyo3::prelude::*;

use opsbook::logs::{Analysis, LineFormat, Options, analyze_lines};

use crate::errors::IntoPyResult;
use crate::json::{from_py, to_py};

/// Analyses log `files` (paths; rotated .gz read as they are) or `lines` (strings) in
/// `format` (iso-level, nginx, json, or a regex with named captures). `options`: `{"since",
/// "top", "ip_limit", "failed_login", "failed_login_limit"}`. Returns the report as a dict.
#[pyfunction]
#[pyo3(signature = (files = None, lines = None, format = "iso-level", options = None))]
pub fn analyze(
    py: Python<'_>,
    files: Option<Vec<std::path::PathBuf>>,
    lines: Option<Vec<String>>,
    format: &str,
    options: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let format = LineFormat::parse(format).py_err()?;
    let options = match options {
        Some(o) => Options::from_value(&from_py(o)?).py_err()?,
        None => Options::default(),
    };
    let report = match (files, lines) {
        (Some(files), None) => py
            .detach(|| {
                let mut a = Analysis::new(options);
                for f in &files {
                    a.add_file(f, &format)?;
                }
                Ok(a.finish())
            })
            .py_err()?,
        (None, Some(lines)) => py.detach(|| analyze_lines(lines.iter().map(String::as_str), &format, options)),
        _ => {
            return Err(crate::errors::to_py_err(opsbook::Error::InvalidValue {
                field: "files".into(),
                value: String::new(),
                reason: "give files or lines".into(),
            }));
        }
    };
    to_py(py, &report.to_json())
}

/// The log lifecycle of a directory as the manuals' find rules (`rules`: `{"compress_after",
/// "delete_compressed_after", "delete_after", "tiers": [{"name", "after_days", "dir"}]}`):
/// what to compress, move or delete at `now` (Unix seconds; default the clock). Planning
/// touches nothing; `apply()` carries the plan out, leaving alone a file changed since.
#[pyclass(frozen, module = "opsbook")]
pub struct LogPlan {
    planned: Vec<opsbook::logs::lifecycle::Planned>,
}

#[pymethods]
impl LogPlan {
    #[new]
    #[pyo3(signature = (dir, rules, now = None))]
    fn new(py: Python<'_>, dir: std::path::PathBuf, rules: &Bound<'_, PyAny>, now: Option<f64>) -> PyResult<LogPlan> {
        let rules = opsbook::logs::lifecycle::Rules::from_value(&from_py(rules)?, "rules").py_err()?;
        let now = match now {
            None => jiff::Timestamp::now().as_millisecond(),
            Some(s) => opsbook::forecast::input::time_ms("now", s).py_err()?,
        };
        let planned = py.detach(|| opsbook::logs::lifecycle::plan(&dir, &rules, now)).py_err()?;
        Ok(LogPlan { planned })
    }

    /// Each planned action: `{"path", "days_old", "size", "action", "to", "reason"}`.
    #[getter]
    fn actions(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &serde_json::Value::Array(self.planned.iter().map(|p| p.to_json()).collect()))
    }

    /// Carries the plan out; each action with `done` and `error`.
    fn apply(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let done = py.detach(|| opsbook::logs::lifecycle::apply(&self.planned));
        to_py(py, &serde_json::Value::Array(done.iter().map(|d| d.to_json()).collect()))
    }

    fn __len__(&self) -> usize {
        self.planned.len()
    }
}

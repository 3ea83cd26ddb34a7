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

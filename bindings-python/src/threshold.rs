//! `opsbook.Range` and `opsbook.Threshold` (wrap `opsbook::threshold`).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::errors::IntoPyResult;
use crate::status::Status;

/// A Nagios range `[@]start:end` (or a plain form such as "above 70").
#[pyclass(frozen, eq, from_py_object, module = "opsbook")]
#[derive(Clone, PartialEq)]
pub struct Range {
    pub inner: opsbook::Range,
}

#[pymethods]
impl Range {
    /// Parses Nagios range text; `field` names the setting in error messages.
    #[new]
    #[pyo3(signature = (text, field = "range"))]
    fn new(text: &str, field: &str) -> PyResult<Range> {
        opsbook::Range::parse(field, text).py_err().map(|inner| Range { inner })
    }

    /// A range from a plain form: "above", "at_or_above", "below" or "at_or_below".
    #[staticmethod]
    #[pyo3(signature = (form, bound, field = "range"))]
    fn from_form(form: &str, bound: f64, field: &str) -> PyResult<Range> {
        opsbook::ThresholdForm::from_name(field, form, bound)
            .and_then(|f| f.to_range(field))
            .py_err()
            .map(|inner| Range { inner })
    }

    /// Start of the range (-inf for `~`).
    #[getter]
    fn start(&self) -> f64 {
        self.inner.start()
    }

    /// End of the range (inf when open).
    #[getter]
    fn end(&self) -> f64 {
        self.inner.end()
    }

    /// True when a value inside the range alerts (`@`).
    #[getter]
    fn inside(&self) -> bool {
        self.inner.inside()
    }

    /// Whether `value` raises an alert against this range.
    fn alerts(&self, value: f64) -> bool {
        self.inner.alerts(value)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Range('{}')", self.inner) // range text holds no quotes
    }
}

/// Reads a warn/crit argument: a `Range`, Nagios text, or None.
pub fn limit(field: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<opsbook::Range>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(range) = value.cast::<Range>() {
        return Ok(Some(range.get().inner));
    }
    if let Ok(text) = value.extract::<String>() {
        return opsbook::Range::parse(field, &text).py_err().map(Some);
    }
    Err(PyTypeError::new_err(format!("{field} must be a Range, range text or None, not {}", value.get_type().name()?)))
}

/// Warn and crit ranges; critical is checked first, NaN is UNKNOWN.
#[pyclass(frozen, eq, from_py_object, module = "opsbook")]
#[derive(Clone, PartialEq)]
pub struct Threshold {
    inner: opsbook::Threshold,
}

#[pymethods]
impl Threshold {
    #[new]
    #[pyo3(signature = (warn = None, crit = None))]
    fn new(warn: Option<&Bound<'_, PyAny>>, crit: Option<&Bound<'_, PyAny>>) -> PyResult<Threshold> {
        Ok(Threshold { inner: opsbook::Threshold::new(limit("warn", warn)?, limit("crit", crit)?) })
    }

    #[getter]
    fn warn(&self) -> Option<Range> {
        self.inner.warn.map(|inner| Range { inner })
    }

    #[getter]
    fn crit(&self) -> Option<Range> {
        self.inner.crit.map(|inner| Range { inner })
    }

    /// The status of `value` against these thresholds.
    fn evaluate(&self, value: f64) -> Status {
        self.inner.evaluate(value).into()
    }

    /// The status of each value, in order; the GIL is released while they are evaluated.
    fn evaluate_many(&self, py: Python<'_>, values: Vec<f64>) -> Vec<Status> {
        let statuses = py.detach(|| self.inner.evaluate_many(&values));
        statuses.into_iter().map(Status::from).collect()
    }

    fn __repr__(&self) -> String {
        let show = |r: Option<opsbook::Range>| r.map(|r| format!("'{r}'")).unwrap_or("None".into());
        format!("Threshold(warn={}, crit={})", show(self.inner.warn), show(self.inner.crit))
    }
}

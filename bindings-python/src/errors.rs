//! The exception hierarchy rooted at `opsbook.OpsbookError`, one class per core error
//! variant. Input errors are also `ValueError`s and I/O errors also `OSError`s, so callers
//! can catch them either way; Python's `type()` builds the multiple-inheritance classes.

use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

static OPSBOOK_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INVALID_RANGE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INVALID_VALUE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PROBE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static IO_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn make_type<'py>(py: Python<'py>, name: &str, doc: &str, bases: Vec<Bound<'py, PyType>>) -> PyResult<Py<PyType>> {
    let namespace = PyDict::new(py);
    namespace.set_item("__module__", "opsbook")?;
    namespace.set_item("__doc__", doc)?;
    let bases = PyTuple::new(py, bases)?;
    let created = py.get_type::<PyType>().call1((name, bases, namespace))?;
    Ok(created.cast_into::<PyType>()?.unbind())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = make_type(py, "OpsbookError", "Base class of every opsbook error.", vec![py.get_type::<PyException>()])?;
    let base_bound = base.bind(py).clone();
    let subclasses = [
        (
            &INVALID_RANGE,
            "InvalidRangeError",
            "A Nagios range or threshold form could not be read.",
            Some(py.get_type::<PyValueError>()),
        ),
        (
            &INVALID_VALUE,
            "InvalidValueError",
            "A value was not acceptable where it was given.",
            Some(py.get_type::<PyValueError>()),
        ),
        (&PROBE_ERROR, "ProbeError", "A probe could not take its reading.", None),
        (&IO_ERROR, "OpsbookIOError", "Input/output failed.", Some(py.get_type::<PyOSError>())),
    ];
    m.add("OpsbookError", base.clone_ref(py))?;
    let _ = OPSBOOK_ERROR.set(py, base);
    for (cell, name, doc, extra) in subclasses {
        let mut bases = vec![base_bound.clone()];
        bases.extend(extra);
        let ty = make_type(py, name, doc, bases)?;
        m.add(name, ty.clone_ref(py))?;
        let _ = cell.set(py, ty);
    }
    Ok(())
}

/// The Python exception for a core error: one arm per variant.
pub fn to_py_err(err: opsbook::Error) -> PyErr {
    Python::attach(|py| {
        let cell = match &err {
            opsbook::Error::InvalidRange { .. } => &INVALID_RANGE,
            opsbook::Error::InvalidValue { .. } => &INVALID_VALUE,
            opsbook::Error::Probe { .. } => &PROBE_ERROR,
            opsbook::Error::Io { .. } => &IO_ERROR,
            _ => &OPSBOOK_ERROR,
        };
        match cell.get(py) {
            Some(ty) => PyErr::from_type(ty.bind(py).clone(), err.to_string()),
            None => PyValueError::new_err(err.to_string()),
        }
    })
}

/// `InvalidValueError` for input the binding itself refuses before it reaches core (a
/// Python object of the wrong shape), worded as core words its own.
pub fn invalid_value(field: &str, value: &str, reason: impl Into<String>) -> PyErr {
    to_py_err(opsbook::Error::invalid_value(field, value, reason))
}

pub trait IntoPyResult<T> {
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for opsbook::Result<T> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py_err)
    }
}

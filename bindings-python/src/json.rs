//! Python objects to and from JSON values, through Python's own `json` module (so dicts,
//! lists, str, int, float, bool and None map exactly as `json.dumps` does).

use pyo3::prelude::*;

pub fn to_py(py: Python<'_>, v: &serde_json::Value) -> PyResult<Py<PyAny>> {
    Ok(py.import("json")?.call_method1("loads", (v.to_string(),))?.unbind())
}

pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    let text: String = obj.py().import("json")?.call_method1("dumps", (obj,))?.extract()?;
    serde_json::from_str(&text)
        .map_err(|e| crate::errors::invalid_value("value", "", format!("not representable as JSON: {e}")))
}

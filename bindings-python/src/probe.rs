//! Probes (wrap `opsbook::probe`); the GIL is released while they run.

use pyo3::prelude::*;

use crate::check::HealthReport;
use crate::errors::IntoPyResult;

/// Checks this host (CPU sampled for `cpu_sample` seconds, memory, swap, load, every
/// mounted disk) against the manuals' default thresholds. Blocks for the sample, without
/// holding the GIL.
#[pyfunction]
#[pyo3(signature = (cpu_sample = 0.5))]
pub fn check_system(py: Python<'_>, cpu_sample: f64) -> PyResult<HealthReport> {
    let sample = opsbook::check::duration_from_secs("cpu_sample", cpu_sample).py_err()?;
    let checks = py
        .detach(|| opsbook::probe::system::probe_system(&opsbook::probe::system::SystemThresholds::default(), sample));
    Ok(HealthReport { inner: opsbook::HealthReport::new(checks) })
}

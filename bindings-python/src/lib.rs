//! The native module `opsbook._opsbook`. Thin: converts types, maps errors, releases the
//! GIL around probes. One file per core module.

use pyo3::prelude::*;

mod check;
mod errors;
mod probe;
mod runner;
mod status;
mod threshold;

#[pymodule]
fn _opsbook(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    m.add_class::<status::Status>()?;
    m.add_class::<threshold::Range>()?;
    m.add_class::<threshold::Threshold>()?;
    m.add_class::<check::Measurement>()?;
    m.add_class::<check::CheckResult>()?;
    m.add_class::<check::HealthReport>()?;
    m.add_class::<check::NagiosOutput>()?;
    m.add_class::<runner::Runner>()?;
    m.add_function(wrap_pyfunction!(probe::check_system, m)?)?;
    Ok(())
}

//! The native module `opsbook._opsbook`. Thin: converts types, maps errors, releases the
//! GIL around probes. One file per core module.

use pyo3::prelude::*;

// The allocator of this extension's Rust code (Python's objects keep theirs): glibc's
// malloc, contended from the threads that render and hash, took ~40% of a batch render.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod alert;
mod backup;
mod check;
mod errors;
mod forecast;
mod json;
mod logs;
mod pass;
mod probe;
mod report;
mod rules;
mod runner;
mod state;
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
    m.add_class::<rules::Sample>()?;
    m.add_class::<rules::AlertEvent>()?;
    m.add_class::<rules::Alert>()?;
    m.add_class::<rules::RuleEngine>()?;
    m.add_class::<rules::Dispatcher>()?;
    m.add_class::<state::Store>()?;
    m.add_class::<state::DeliveryLog>()?;
    m.add_function(wrap_pyfunction!(state::delivery_id, m)?)?;
    m.add_class::<rules::IncidentManager>()?;
    m.add_class::<rules::AlertPipeline>()?;
    m.add_function(wrap_pyfunction!(rules::fingerprint, m)?)?;
    m.add_class::<alert::Channel>()?;
    m.add_function(wrap_pyfunction!(alert::render_template, m)?)?;
    m.add_function(wrap_pyfunction!(logs::analyze, m)?)?;
    m.add_class::<logs::LogPlan>()?;
    m.add_class::<report::Report>()?;
    m.add_class::<pass::Pass>()?;
    m.add_function(wrap_pyfunction!(pass::run_policy, m)?)?;
    m.add_function(wrap_pyfunction!(report::maintenance_due, m)?)?;
    m.add_function(wrap_pyfunction!(report::read_records, m)?)?;
    m.add_function(wrap_pyfunction!(report::append_record, m)?)?;
    m.add_class::<backup::Manifest>()?;
    m.add_class::<backup::Problem>()?;
    m.add_class::<backup::Verification>()?;
    m.add_function(wrap_pyfunction!(backup::verify, m)?)?;
    m.add_function(wrap_pyfunction!(backup::retention, m)?)?;
    m.add_function(wrap_pyfunction!(backup::find_mtime, m)?)?;
    m.add_function(wrap_pyfunction!(backup::parse_sums, m)?)?;
    m.add_class::<forecast::Crossing>()?;
    m.add_class::<forecast::InitialState>()?;
    m.add_class::<forecast::HoltWinters>()?;
    m.add_class::<forecast::HoltWintersFit>()?;
    m.add_class::<forecast::CapacityPlan>()?;
    for f in [
        wrap_pyfunction!(forecast::predict_linear, m)?,
        wrap_pyfunction!(forecast::deriv, m)?,
        wrap_pyfunction!(forecast::double_exponential_smoothing, m)?,
        wrap_pyfunction!(forecast::time_to_threshold, m)?,
        wrap_pyfunction!(forecast::compound, m)?,
        wrap_pyfunction!(forecast::rate_between, m)?,
        wrap_pyfunction!(forecast::doubling_time, m)?,
        wrap_pyfunction!(forecast::growth_rate, m)?,
        wrap_pyfunction!(forecast::capacity_plan, m)?,
        wrap_pyfunction!(forecast::resource_needs, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}

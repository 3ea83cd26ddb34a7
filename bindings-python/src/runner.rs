//! `opsbook.Runner` (wraps `opsbook::runner` and `opsbook::spec`): checks declared in TOML
//! or JSON, run as a real awaitable on opsbook's Tokio runtime, or blocking. The GIL is
//! held only to hand the report back.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::check::HealthReport;
use crate::errors::IntoPyResult;

/// Checks with their options (timeouts, caching, failure tolerance, tags). One Runner may
/// be shared by many requests and threads; they share its result cache.
#[pyclass(frozen, module = "opsbook")]
pub struct Runner {
    inner: Arc<opsbook::runner::Runner>,
}

/// Two small Python helpers: `resolve` sets a future's result unless it was cancelled;
/// `run` makes `Runner.run()` a real coroutine, so it touches the event loop only once
/// awaited (`asyncio.run(runner.run())` works).
static HELPERS: PyOnceLock<(Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();

const HELPER_CODE: &std::ffi::CStr = c"
def resolve(fut, value):
    if not fut.done():
        fut.set_result(value)

async def run(start, tag):
    return await start(tag)
";

fn helpers(py: Python<'_>) -> PyResult<&(Py<PyAny>, Py<PyAny>)> {
    HELPERS.get_or_try_init(py, || {
        let namespace = pyo3::types::PyDict::new(py);
        py.run(HELPER_CODE, Some(&namespace), None)?;
        let get = |name: &str| -> PyResult<Py<PyAny>> {
            namespace
                .get_item(name)?
                .map(Bound::unbind)
                .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err(name.to_owned()))
        };
        Ok((get("resolve")?, get("run")?))
    })
}

#[pymethods]
impl Runner {
    /// A runner from a TOML policy (`version = 1` and `[[checks]]`).
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<Runner> {
        Ok(Runner { inner: Arc::new(opsbook::spec::runner_from_toml(text).py_err()?) })
    }

    /// A runner from JSON of the same shape (`{"version": 1, "checks": [...]}`).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Runner> {
        Ok(Runner { inner: Arc::new(opsbook::spec::runner_from_json(text).py_err()?) })
    }

    /// A runner from a YAML policy (`version: 1` and `checks:`).
    #[staticmethod]
    fn from_yaml(text: &str) -> PyResult<Runner> {
        Ok(Runner { inner: Arc::new(opsbook::spec::runner_from_yaml(text).py_err()?) })
    }

    /// A runner from a policy file: TOML, YAML (`.yaml`, `.yml`) or JSON (`.json`); an
    /// error names the file, the line and the key.
    #[staticmethod]
    fn from_file(path: std::path::PathBuf) -> PyResult<Runner> {
        Ok(Runner { inner: Arc::new(opsbook::spec::runner_from_path(&path).py_err()?) })
    }

    /// The names of the checks, in order.
    #[getter]
    fn check_names(&self) -> Vec<String> {
        self.inner.checks().iter().map(|c| c.name.clone()).collect()
    }

    /// Runs the checks (those tagged `tag`, if given) concurrently on opsbook's runtime: a
    /// coroutine that resolves to a HealthReport.
    #[pyo3(signature = (tag = None))]
    fn run<'py>(slf: &Bound<'py, Self>, tag: Option<String>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let start = slf.getattr("_start")?;
        helpers(py)?.1.bind(py).call1((start, tag))
    }

    /// Starts the run on the running event loop and returns its future (use `run`).
    #[pyo3(signature = (tag = None))]
    fn _start<'py>(&self, py: Python<'py>, tag: Option<String>) -> PyResult<Bound<'py, PyAny>> {
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let future = event_loop.call_method0("create_future")?;
        let resolve = helpers(py)?.0.clone_ref(py);
        let (loop_ref, future_ref) = (event_loop.unbind(), future.clone().unbind());
        let inner = Arc::clone(&self.inner);
        opsbook::runtime::shared().spawn(async move {
            let report = inner.run(tag.as_deref()).await;
            Python::attach(|py| {
                let delivered = Py::new(py, HealthReport { inner: report }).and_then(|report| {
                    loop_ref.call_method1(py, "call_soon_threadsafe", (resolve, future_ref, report))
                });
                // The loop may have closed while the checks ran; nobody is waiting then.
                drop(delivered);
            });
        });
        Ok(future)
    }

    /// Runs the checks and blocks until the report is ready, without holding the GIL.
    #[pyo3(signature = (tag = None))]
    fn run_sync(&self, py: Python<'_>, tag: Option<String>) -> HealthReport {
        let inner = Arc::clone(&self.inner);
        let report = py.detach(move || inner.run_blocking(tag.as_deref()));
        HealthReport { inner: report }
    }

    fn __repr__(&self) -> String {
        format!("Runner(checks={:?})", self.check_names())
    }
}

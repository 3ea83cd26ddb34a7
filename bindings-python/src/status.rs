//! `opsbook.Status` (wraps `opsbook::status`).

use pyo3::prelude::*;

use crate::errors::IntoPyResult;

/// The outcome of a check; its integer value is the Nagios exit code.
#[pyclass(eq, eq_int, frozen, hash, from_py_object, module = "opsbook")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum Status {
    OK = 0,
    WARNING = 1,
    CRITICAL = 2,
    UNKNOWN = 3,
}

impl From<opsbook::Status> for Status {
    fn from(s: opsbook::Status) -> Self {
        match s {
            opsbook::Status::Ok => Status::OK,
            opsbook::Status::Warning => Status::WARNING,
            opsbook::Status::Critical => Status::CRITICAL,
            opsbook::Status::Unknown => Status::UNKNOWN,
        }
    }
}

impl From<Status> for opsbook::Status {
    fn from(s: Status) -> Self {
        match s {
            Status::OK => opsbook::Status::Ok,
            Status::WARNING => opsbook::Status::Warning,
            Status::CRITICAL => opsbook::Status::Critical,
            Status::UNKNOWN => opsbook::Status::Unknown,
        }
    }
}

#[pymethods]
impl Status {
    /// Parses a status name in any case ("ok", "Warning", "CRITICAL").
    #[staticmethod]
    fn parse(name: &str) -> PyResult<Status> {
        name.parse::<opsbook::Status>().py_err().map(Status::from)
    }

    /// Worst of the statuses: OK < UNKNOWN < WARNING < CRITICAL; OK for none.
    #[staticmethod]
    fn worst(statuses: Vec<Status>) -> Status {
        opsbook::Status::worst(statuses.into_iter().map(opsbook::Status::from)).into()
    }

    /// Nagios plugin exit code (0-3).
    #[getter]
    fn exit_code(&self) -> u8 {
        opsbook::Status::from(*self).nagios_code()
    }

    /// IETF health status: "pass", "warn" or "fail".
    #[getter]
    fn health(&self) -> &'static str {
        opsbook::Status::from(*self).health().as_str()
    }

    /// HTTP status of a health endpoint: 503 for CRITICAL, else 200.
    #[getter]
    fn http_status(&self) -> u16 {
        opsbook::Status::from(*self).http_status()
    }

    /// Rank for aggregation (higher is worse).
    #[getter]
    fn severity(&self) -> u8 {
        opsbook::Status::from(*self).severity()
    }

    fn __str__(&self) -> &'static str {
        opsbook::Status::from(*self).as_str()
    }
}

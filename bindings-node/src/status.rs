//! `Status` (wraps `opsbook::status`): a string enum, with functions for its mappings.

use napi_derive::napi;

use crate::errors::IntoJsResult;

/// The outcome of a check.
#[napi(string_enum)]
#[allow(clippy::upper_case_acronyms)]
pub enum Status {
    OK,
    WARNING,
    CRITICAL,
    UNKNOWN,
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

/// Parses a status name in any case ("ok", "Warning").
#[napi]
pub fn parse_status(name: String) -> napi::Result<Status, String> {
    name.parse::<opsbook::Status>().js_err().map(Status::from)
}

/// Worst of the statuses: OK < UNKNOWN < WARNING < CRITICAL; OK for none.
#[napi]
pub fn worst_status(statuses: Vec<Status>) -> Status {
    opsbook::Status::worst(statuses.into_iter().map(opsbook::Status::from)).into()
}

/// Nagios plugin exit code (0-3).
#[napi]
pub fn status_exit_code(status: Status) -> u32 {
    u32::from(opsbook::Status::from(status).nagios_code())
}

/// IETF health status: "pass", "warn" or "fail".
#[napi]
pub fn status_health(status: Status) -> &'static str {
    opsbook::Status::from(status).health().as_str()
}

/// HTTP status of a health endpoint: 503 for CRITICAL, else 200.
#[napi]
pub fn status_http(status: Status) -> u32 {
    u32::from(opsbook::Status::from(status).http_status())
}

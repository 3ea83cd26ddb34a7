//! Check status and its mappings onto Nagios, IETF health+json and HTTP.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The outcome of a check. Ordered by severity for aggregation:
/// OK < UNKNOWN < WARNING < CRITICAL (monitoring-plugins' `max_state_alt`), so an unknown
/// probe never hides a critical one and is never reported as healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Ok,
    Warning,
    Critical,
    Unknown,
}

/// IETF draft-inadarei-api-health-check status values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HealthStatus {
    Pass,
    Warn,
    Fail,
}

impl HealthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Pass => "pass",
            HealthStatus::Warn => "warn",
            HealthStatus::Fail => "fail",
        }
    }

    /// HTTP status code for a health endpoint: fail → 503, otherwise 200.
    pub fn http_status(self) -> u16 {
        match self {
            HealthStatus::Fail => 503,
            HealthStatus::Pass | HealthStatus::Warn => 200,
        }
    }
}

impl fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Status {
    /// Every status, in Nagios exit-code order.
    pub const ALL: [Status; 4] = [Status::Ok, Status::Warning, Status::Critical, Status::Unknown];

    /// Rank used for worst-of aggregation (higher is worse).
    pub fn severity(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Unknown => 1,
            Status::Warning => 2,
            Status::Critical => 3,
        }
    }

    /// The worse of two statuses.
    pub fn worse(self, other: Status) -> Status {
        if other.severity() > self.severity() { other } else { self }
    }

    /// Worst-of aggregation; an empty set is OK (nothing is wrong).
    pub fn worst<I: IntoIterator<Item = Status>>(statuses: I) -> Status {
        statuses.into_iter().fold(Status::Ok, Status::worse)
    }

    /// Nagios plugin exit code: OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3.
    pub fn nagios_code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Critical => 2,
            Status::Unknown => 3,
        }
    }

    /// The status a Nagios exit code stands for.
    pub fn from_nagios_code(code: i64) -> Result<Status> {
        match code {
            0 => Ok(Status::Ok),
            1 => Ok(Status::Warning),
            2 => Ok(Status::Critical),
            3 => Ok(Status::Unknown),
            _ => Err(Error::invalid_value("exit code", &code.to_string(), "a Nagios exit code is 0, 1, 2 or 3")),
        }
    }

    /// IETF health status: OK → pass, WARNING and UNKNOWN → warn, CRITICAL → fail.
    pub fn health(self) -> HealthStatus {
        match self {
            Status::Ok => HealthStatus::Pass,
            Status::Warning | Status::Unknown => HealthStatus::Warn,
            Status::Critical => HealthStatus::Fail,
        }
    }

    /// HTTP status for a health endpoint reporting this status (503 only for CRITICAL).
    pub fn http_status(self) -> u16 {
        self.health().http_status()
    }

    /// Upper-case name as Nagios prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = Error;

    /// Accepts the names in any case (`ok`, `Warning`, `CRITICAL`, `unknown`).
    fn from_str(s: &str) -> Result<Status> {
        match s.to_ascii_uppercase().as_str() {
            "OK" => Ok(Status::Ok),
            "WARNING" => Ok(Status::Warning),
            "CRITICAL" => Ok(Status::Critical),
            "UNKNOWN" => Ok(Status::Unknown),
            _ => Err(Error::invalid_value("status", s, "expected one of OK, WARNING, CRITICAL, UNKNOWN")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_does_not_hide_critical_nor_pass_as_ok() {
        assert_eq!(Status::worst([Status::Unknown, Status::Critical]), Status::Critical);
        assert_eq!(Status::worst([Status::Ok, Status::Unknown]), Status::Unknown);
        assert_eq!(Status::worst([Status::Unknown, Status::Warning]), Status::Warning);
        assert_eq!(Status::worst([]), Status::Ok);
    }

    #[test]
    fn exit_codes_round_trip_and_reject_others() {
        for s in Status::ALL {
            assert_eq!(Status::from_nagios_code(s.nagios_code().into()).unwrap(), s);
        }
        let err = Status::from_nagios_code(4).unwrap_err();
        assert!(err.to_string().contains("exit code"), "{err}");
    }
}

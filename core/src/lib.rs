//! opsbook: the ops runbook as a library.
//!
//! Statuses, thresholds (Nagios ranges and the manuals' plain forms), check results and
//! health reports, rendered as IETF health+json, Nagios plugin output and Prometheus
//! exposition. Every front door (Python, Node, C, the `opsbook` command) wraps this crate,
//! so they all give the same answers.

pub mod alert;
#[cfg(feature = "backup")]
pub mod backup;
pub mod check;
#[cfg(feature = "spec")]
pub mod document;
pub mod duration;
pub mod error;
pub mod export;
pub mod forecast;
mod format;
#[cfg(feature = "logs")]
pub mod logs;
#[cfg(feature = "maintenance")]
pub mod maintenance;
#[cfg(all(feature = "report", feature = "spec"))]
pub mod pass;
#[cfg(feature = "spec")]
pub mod policy;
#[cfg(feature = "runtime")]
pub mod probe;
pub mod redact;
#[cfg(feature = "report")]
pub mod report;
pub mod rules;
#[cfg(feature = "runtime")]
pub mod runner;
#[cfg(feature = "runtime")]
pub mod runtime;
#[cfg(feature = "spec")]
pub mod spec;
pub mod state;
pub mod status;
pub mod threshold;

pub use check::{CheckResult, HealthReport, Measurement};
pub use error::{Error, Result};
pub use export::{HealthDetail, NagiosOutput, to_health_json, to_json, to_nagios, to_prometheus, to_table};
pub use format::{fmt_number, json_number, timestamp_ms_rfc3339};
pub use status::{HealthStatus, Status};
pub use threshold::{Range, Threshold, ThresholdForm};

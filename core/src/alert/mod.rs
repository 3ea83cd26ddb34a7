//! Alert messages: Prometheus-compatible template functions (and, to come, the templates,
//! channel renderers and delivery of the alert-messages issue).

pub mod gofmt;
pub mod humanize;
#[cfg(feature = "alert")]
pub mod sign;
pub mod truncate;

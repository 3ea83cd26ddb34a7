//! Alert messages: the alert model of Alertmanager, Prometheus-compatible templates, a
//! renderer per channel (the exact request: URL, headers, body), escaping, truncation,
//! signing, and delivery.

#[cfg(feature = "alert")]
pub mod channel;
#[cfg(feature = "alert")]
pub mod deliver;
pub mod escape;
pub mod gofmt;
#[cfg(feature = "alert")]
pub mod gotime;
#[cfg(feature = "alert")]
pub mod gotmpl;
pub mod humanize;
#[cfg(feature = "alert")]
pub mod message;
#[cfg(feature = "alert")]
pub mod model;
#[cfg(feature = "alert")]
pub mod sign;
#[cfg(feature = "alert")]
pub mod template;
pub mod truncate;

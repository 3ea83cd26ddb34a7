//! Alert rules evaluated in-process with Prometheus' semantics, Nagios flap detection and
//! Alertmanager's fingerprints; exported to Prometheus rule files and promtool tests.

pub mod alerting;
#[cfg(feature = "http")]
pub mod alertmanager;
pub mod annotate;
pub mod condition;
pub mod engine;
pub mod escalation;
pub mod export;
pub mod fingerprint;
pub mod flapping;
pub mod incident;
pub mod notify;
pub mod pipeline;
pub mod replay;
#[cfg(feature = "spec")]
pub mod spec;

pub use alerting::{Alert, AlertState, AlertingRule, Event, EventKind, Rule};
pub use condition::{Condition, Labels, Sample, Selector};
pub use engine::RuleEngine;

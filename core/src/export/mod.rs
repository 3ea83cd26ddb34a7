//! Renderings of a `HealthReport` in the formats monitoring systems read.

mod health_json;
mod json;
mod nagios;
pub mod prometheus;
mod table;

pub use health_json::{HealthDetail, to_health_json};
pub use json::to_json;
pub use nagios::{NagiosOutput, to_nagios};
pub use prometheus::{Scale, metric_name, to_prometheus};
pub use table::to_table;

//! Renderings of a `HealthReport` in the formats monitoring systems read.

mod health_json;
mod json;
mod nagios;
mod prometheus;
mod table;

pub use health_json::{to_health_json, HealthDetail};
pub use json::to_json;
pub use nagios::{to_nagios, NagiosOutput};
pub use prometheus::{metric_name, to_prometheus, Scale};
pub use table::to_table;

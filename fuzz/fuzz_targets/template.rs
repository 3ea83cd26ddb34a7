//! Go templates as Prometheus and Alertmanager run them: translated and rendered, or refused,
//! within the fuel and nesting limits — never a panic, never a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::alert::escape::Markup;
use opsbook::alert::template::{TemplateData, render_template};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let value = serde_json::json!({
        "Labels": {"alertname": "HighCPU", "instance": "web-1"},
        "Value": 93.25,
        "Alerts": [{"Labels": {"a": "b"}}],
    });
    let _ = render_template(text, TemplateData::Json(&value), &jiff::tz::TimeZone::UTC, Markup::Plain);
});

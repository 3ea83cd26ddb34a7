//! Forecast and capacity inputs (CSV and JSON series; capacity plans in TOML, JSON, CSV):
//! read or refused; a plan that reads is planned without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::forecast::capacity::PlanInput;
use opsbook::forecast::input::{InputFormat, parse_series};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_series(text, InputFormat::Csv);
    let _ = parse_series(text, InputFormat::Json);
    for format in ["toml", "json", "csv"] {
        if let Ok(input) = PlanInput::parse(text, format) {
            let _ = input.plan();
            let _ = input.sizing();
        }
    }
});

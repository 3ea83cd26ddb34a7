//! Report parts (JSON and TOML): rendered in every format, or refused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::report::{ReportFormat, report_from_document};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for toml in [false, true] {
        if let Ok(report) = report_from_document(text, toml) {
            for format in [ReportFormat::Text, ReportFormat::Markdown, ReportFormat::Json] {
                let _ = report.render(format);
            }
        }
    }
});

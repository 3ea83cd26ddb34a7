//! Maintenance records (JSON lines) and plans: read or refused; a plan that reads says what
//! is due at any time without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else { return };
    let _ = opsbook::maintenance::Record::from_value(&value, "record");
    if let Ok(plan) = opsbook::maintenance::Plan::from_value(&value) {
        for now in [i64::MIN, -1, 0, 1_720_000_000_000, i64::MAX] {
            let _ = plan.due(&[], now);
        }
    }
});

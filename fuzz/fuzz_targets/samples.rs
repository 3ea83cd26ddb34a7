//! The command's sample files for rules (JSON lines of samples): read or refused.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = opsbook::rules::replay::parse_samples_jsonl(text);
});

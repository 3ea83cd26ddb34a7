//! A policy file, as TOML and as JSON: accepted or refused with an error, never a panic; a
//! policy that loads summarises. Loading starts no probe.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for policy in [opsbook::policy::Policy::from_toml(text), opsbook::policy::Policy::from_json(text)] {
        if let Ok(p) = policy {
            let _ = p.summary();
            let _ = p.alert_pipeline();
        }
    }
});

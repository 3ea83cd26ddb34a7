//! The one duration grammar (`1h30m`, `1y2mo3d`): never a panic, never an overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = opsbook::duration::parse_duration("for", text);
    let _ = opsbook::duration::parse_calendar_span("within", text);
    let _ = opsbook::maintenance::parse_frequency("every", text);
});

//! sha256sum files (text and binary mode, escaped names): read or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = opsbook::backup::sums::parse_sums(data);
});

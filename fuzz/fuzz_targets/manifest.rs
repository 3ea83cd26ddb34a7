//! PostgreSQL's backup_manifest: any bytes are read or refused; what is read writes back to
//! the same bytes (the manifest checksum makes any other reading impossible).
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::backup::manifest::Manifest;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Manifest::parse(data) {
        let written = m.to_bytes();
        let again = Manifest::parse(&written).expect("a manifest written by opsbook reads back");
        assert_eq!(again, m);
    }
});

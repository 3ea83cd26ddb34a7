//! The committed C header must be exactly what cbindgen (pinned in Cargo.toml) generates
//! from the code. `OPSBOOK_UPDATE_HEADER=1` rewrites it instead of failing.

use std::path::Path;

#[test]
fn header_matches_the_code() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).unwrap();
    let path = crate_dir.join("include/opsbook.h");
    if std::env::var_os("OPSBOOK_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ffi/include/opsbook.h is out of date: run `OPSBOOK_UPDATE_HEADER=1 cargo test -p opsbook-ffi --test header` and commit it"
    );
}

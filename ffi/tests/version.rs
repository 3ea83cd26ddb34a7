//! One version everywhere: the workspace's Cargo version, the Node package, the Python
//! package (maturin takes it from Cargo), the C header's macros, opsbook_version(), the
//! CHANGELOG's newest entry.

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{}/../{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn every_front_door_has_the_same_version() {
    let version = env!("CARGO_PKG_VERSION");
    let package: serde_json::Value = serde_json::from_str(&read("bindings-node/package.json")).unwrap();
    assert_eq!(package["version"], version, "bindings-node/package.json");
    let pyproject = read("bindings-python/pyproject.toml");
    assert!(pyproject.contains("dynamic = [\"version\"]"), "pyproject.toml must take its version from Cargo");
    assert!(read("bindings-python/Cargo.toml").contains("version.workspace = true"));
    let header = read("ffi/include/opsbook.h");
    let parts: Vec<&str> = version.split('.').collect();
    for (name, want) in [("MAJOR", parts[0]), ("MINOR", parts[1]), ("PATCH", parts[2])] {
        assert!(header.contains(&format!("#define OPSBOOK_VERSION_{name} {want}")), "opsbook.h OPSBOOK_VERSION_{name}");
    }
    let c = unsafe { std::ffi::CStr::from_ptr(opsbook_ffi::opsbook_version()) };
    assert_eq!(c.to_str().unwrap(), version);
    let changelog = read("CHANGELOG.md");
    let newest = changelog.lines().find(|l| l.starts_with("## ")).unwrap();
    assert!(newest.starts_with(&format!("## {version} ")), "CHANGELOG.md's newest entry: {newest}");
}

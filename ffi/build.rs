//! The shared library answers to `libopsbook.so.MAJOR` wherever it is installed
//! (scripts/install-c.sh renames the file and makes the links).

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets it");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libopsbook.so.{major}");
    }
}

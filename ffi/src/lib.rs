//! The C ABI of opsbook (`opsbook.h`).
//!
//! Conventions (as rustls-ffi's):
//! - Every function returns an `opsbook_result` (or a plain value where nothing can fail);
//!   on failure the thread-local last error holds a message that `opsbook_last_error`
//!   copies into a caller's buffer.
//! - Handles (`opsbook_range`, `opsbook_threshold`, `opsbook_measurement`,
//!   `opsbook_check_result`, `opsbook_report`) are opaque, created by `*_new`/`*_parse`
//!   functions into an out-pointer and released by their `*_free` function; freeing NULL
//!   is a no-op. Functions that take another handle copy what they need: the caller keeps
//!   ownership of what it passed.
//! - Strings returned through `char **out` are owned by the caller and released with
//!   `opsbook_string_free`; `const char *` returns are static and never freed.
//! - Input strings are NUL-terminated UTF-8. NULL arguments are answered with
//!   `OPSBOOK_RESULT_NULL_ARGUMENT`, never a crash; every body runs inside a panic
//!   boundary.
//! - Status values cross the ABI as `uint32_t` holding an `opsbook_status` (the Nagios
//!   exit code), and are validated on the way in.
//! - Threads: a handle is plain data with no internal locking. It may move between threads
//!   and be read from several at once; a handle being changed must not be used elsewhere
//!   at the same time. opsbook starts no threads and installs no signal handlers.

#![allow(non_camel_case_types)]
// Every extern function checks its pointers for NULL; the remaining contract (valid,
// live handles) is the C caller's, as documented in the header.
#![allow(clippy::missing_safety_doc, clippy::not_unsafe_ptr_arg_deref)]

mod alert;
mod backup;
mod error;
mod forecast;
mod handles;
mod logs;
mod notify;
mod pass;
mod pipeline;
mod report;
mod rules;
mod runner;
mod state;
mod status;

pub use error::{opsbook_last_error, opsbook_result};
pub use forecast::*;
pub use handles::*;
pub use notify::*;
pub use rules::*;
pub use runner::*;
pub use state::*;
pub use status::*;

/// The version this header belongs to (a test keeps these equal to the crate's version).
pub const OPSBOOK_VERSION_MAJOR: u32 = 0;
pub const OPSBOOK_VERSION_MINOR: u32 = 1;
pub const OPSBOOK_VERSION_PATCH: u32 = 0;

/// The opsbook version, e.g. "0.1.0". Static; do not free.
#[unsafe(no_mangle)]
pub extern "C" fn opsbook_version() -> *const std::ffi::c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

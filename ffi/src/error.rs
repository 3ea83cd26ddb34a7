//! Result codes, the thread-local last error, and the panic boundary.

use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What a call came to. One code per kind of core error, plus the ABI's own.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum opsbook_result {
    OPSBOOK_RESULT_OK = 0,
    /// A required pointer argument was NULL.
    OPSBOOK_RESULT_NULL_ARGUMENT = 1,
    /// A string argument was not valid UTF-8.
    OPSBOOK_RESULT_INVALID_UTF8 = 2,
    /// A Nagios range or threshold form could not be read.
    OPSBOOK_RESULT_INVALID_RANGE = 3,
    /// A value was not acceptable (unknown status, bad name, bad timestamp, ...).
    OPSBOOK_RESULT_INVALID_VALUE = 4,
    /// A probe could not take its reading.
    OPSBOOK_RESULT_PROBE = 5,
    /// Input/output failed.
    OPSBOOK_RESULT_IO = 6,
    /// The caller's buffer was too small; the message was truncated.
    OPSBOOK_RESULT_BUFFER_TOO_SMALL = 7,
    /// opsbook panicked: a bug. The call had no effect on its out-pointers.
    OPSBOOK_RESULT_PANIC = 8,
    /// An error of a kind this build of the ABI does not name yet.
    OPSBOOK_RESULT_OTHER = 99,
}

use opsbook_result::*;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

pub(crate) fn set_last_error(message: String) {
    LAST_ERROR.with(|e| *e.borrow_mut() = message);
}

/// Records a core error as the last error and returns its code.
pub(crate) fn fail(err: opsbook::Error) -> opsbook_result {
    let code = match &err {
        opsbook::Error::InvalidRange { .. } => OPSBOOK_RESULT_INVALID_RANGE,
        opsbook::Error::InvalidValue { .. } => OPSBOOK_RESULT_INVALID_VALUE,
        opsbook::Error::Probe { .. } => OPSBOOK_RESULT_PROBE,
        opsbook::Error::Io { .. } => OPSBOOK_RESULT_IO,
        _ => OPSBOOK_RESULT_OTHER,
    };
    set_last_error(err.to_string());
    code
}

pub(crate) fn null_argument(name: &str) -> opsbook_result {
    set_last_error(format!("argument {name} must not be NULL"));
    OPSBOOK_RESULT_NULL_ARGUMENT
}

/// Runs an FFI body inside a panic boundary; a panic becomes `OPSBOOK_RESULT_PANIC`.
/// A successful call clears the last error.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), opsbook_result>) -> opsbook_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            set_last_error(String::new());
            OPSBOOK_RESULT_OK
        }
        Ok(Err(code)) => code,
        Err(_) => {
            set_last_error("internal error: opsbook panicked (please report this bug)".to_owned());
            OPSBOOK_RESULT_PANIC
        }
    }
}

/// Copies the calling thread's last error message into `buf` (NUL-terminated, at most
/// `len` bytes including the NUL, never cutting a UTF-8 character) and its full length in
/// bytes into `*out_len` when `out_len` is not NULL. An empty message means the last call
/// succeeded. Returns `OPSBOOK_RESULT_BUFFER_TOO_SMALL` when the message was truncated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_last_error(buf: *mut c_char, len: usize, out_len: *mut usize) -> opsbook_result {
    let caught = catch_unwind(AssertUnwindSafe(|| {
        if buf.is_null() || len == 0 {
            return OPSBOOK_RESULT_NULL_ARGUMENT;
        }
        LAST_ERROR.with(|e| {
            let message = e.borrow();
            if !out_len.is_null() {
                unsafe { *out_len = message.len() };
            }
            let mut n = message.len().min(len - 1);
            while !message.is_char_boundary(n) {
                n -= 1;
            }
            unsafe {
                std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), n);
                *buf.add(n) = 0;
            }
            if n < message.len() { OPSBOOK_RESULT_BUFFER_TOO_SMALL } else { OPSBOOK_RESULT_OK }
        })
    }));
    caught.unwrap_or(OPSBOOK_RESULT_PANIC)
}

/// A static, NUL-terminated name for a result code ("OPSBOOK_RESULT_INVALID_RANGE").
#[unsafe(no_mangle)]
pub extern "C" fn opsbook_result_name(result: u32) -> *const c_char {
    let name: &'static str = match result {
        0 => "OPSBOOK_RESULT_OK\0",
        1 => "OPSBOOK_RESULT_NULL_ARGUMENT\0",
        2 => "OPSBOOK_RESULT_INVALID_UTF8\0",
        3 => "OPSBOOK_RESULT_INVALID_RANGE\0",
        4 => "OPSBOOK_RESULT_INVALID_VALUE\0",
        5 => "OPSBOOK_RESULT_PROBE\0",
        6 => "OPSBOOK_RESULT_IO\0",
        7 => "OPSBOOK_RESULT_BUFFER_TOO_SMALL\0",
        8 => "OPSBOOK_RESULT_PANIC\0",
        _ => "OPSBOOK_RESULT_OTHER\0",
    };
    name.as_ptr().cast()
}

//! `opsbook_status` and its mappings.

use std::ffi::c_char;

use opsbook::Status;

use crate::error::{guard, null_argument, opsbook_result, set_last_error};

/// A check status; the value is the Nagios exit code.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum opsbook_status {
    OPSBOOK_STATUS_OK = 0,
    OPSBOOK_STATUS_WARNING = 1,
    OPSBOOK_STATUS_CRITICAL = 2,
    OPSBOOK_STATUS_UNKNOWN = 3,
}

pub(crate) fn to_c(status: Status) -> u32 {
    u32::from(status.nagios_code())
}

/// Reads a status from C, where any integer may arrive.
pub(crate) fn from_c(status: u32) -> Result<Status, opsbook_result> {
    Status::from_nagios_code(i64::from(status)).map_err(crate::error::fail)
}

/// Worst of `len` statuses (OK < UNKNOWN < WARNING < CRITICAL) into `*out`; OK for none.
/// `statuses` may be NULL only when `len` is 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_status_worst(statuses: *const u32, len: usize, out: *mut u32) -> opsbook_result {
    guard(|| {
        if out.is_null() {
            return Err(null_argument("out"));
        }
        if statuses.is_null() && len > 0 {
            return Err(null_argument("statuses"));
        }
        let items: &[u32] = if len == 0 { &[] } else { unsafe { std::slice::from_raw_parts(statuses, len) } };
        let parsed = items.iter().map(|&s| from_c(s)).collect::<Result<Vec<_>, _>>()?;
        unsafe { *out = to_c(Status::worst(parsed)) };
        Ok(())
    })
}

fn static_str(s: &'static str) -> *const c_char {
    s.as_ptr().cast()
}

/// "OK", "WARNING", "CRITICAL" or "UNKNOWN"; NULL for a value that is no status. Static.
#[unsafe(no_mangle)]
pub extern "C" fn opsbook_status_name(status: u32) -> *const c_char {
    match Status::from_nagios_code(i64::from(status)) {
        Ok(Status::Ok) => static_str("OK\0"),
        Ok(Status::Warning) => static_str("WARNING\0"),
        Ok(Status::Critical) => static_str("CRITICAL\0"),
        Ok(Status::Unknown) => static_str("UNKNOWN\0"),
        _ => {
            set_last_error(format!("invalid value for status: {status}: not an opsbook_status"));
            std::ptr::null()
        }
    }
}

/// IETF health status "pass", "warn" or "fail"; NULL for a value that is no status. Static.
#[unsafe(no_mangle)]
pub extern "C" fn opsbook_status_health(status: u32) -> *const c_char {
    match Status::from_nagios_code(i64::from(status)).map(|s| s.health()) {
        Ok(opsbook::HealthStatus::Pass) => static_str("pass\0"),
        Ok(opsbook::HealthStatus::Warn) => static_str("warn\0"),
        Ok(opsbook::HealthStatus::Fail) => static_str("fail\0"),
        Err(_) => {
            set_last_error(format!("invalid value for status: {status}: not an opsbook_status"));
            std::ptr::null()
        }
    }
}

/// HTTP status of a health endpoint reporting `status` (503 for CRITICAL, else 200);
/// 0 for a value that is no status.
#[unsafe(no_mangle)]
pub extern "C" fn opsbook_status_http(status: u32) -> u16 {
    Status::from_nagios_code(i64::from(status)).map(Status::http_status).unwrap_or(0)
}

/// Parses a status name in any case ("ok", "Warning", ...) into `*out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_status_parse(name: *const c_char, out: *mut u32) -> opsbook_result {
    guard(|| {
        let name = unsafe { crate::handles::c_str(name, "name") }?;
        if out.is_null() {
            return Err(null_argument("out"));
        }
        let status: Status = name.parse().map_err(crate::error::fail)?;
        unsafe { *out = to_c(status) };
        Ok(())
    })
}

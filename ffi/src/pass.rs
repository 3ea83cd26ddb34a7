//! One whole maintenance pass (`opsbook::pass`), as `opsbook run` does it.

use std::ffi::c_char;

use opsbook::pass::PassOptions;
use opsbook::report::{ReportFormat, ReportKind};

use crate::alert::now_ms;
use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, put_string};

/// One maintenance pass of the policy file at `policy_path` at `now` (Unix seconds; NaN for
/// the clock), blocking while it runs: the checks, the rules with their state kept
/// (`state_path`: a state file, or NULL for the policy's `[state]`, else a file named after
/// the policy under `$OPSBOOK_STATE_DIR`, `$XDG_STATE_HOME/opsbook` or
/// `~/.local/state/opsbook`) under a lock so passes never overlap, the notifications
/// rendered (delivered when `send` is non-zero), the capacity plan, the backup checks and
/// retention plan, the logs and their lifecycle plan, and the report (`kind`: "daily" or
/// "monthly"). `format` "text" or "markdown": the report; "json": everything the pass found
/// and did. `*status`: the worst item as an `opsbook_status`. Free `*out` with
/// `opsbook_string_free`.
// A C function takes its options flat, as the rest of this ABI does.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_run(
    policy_path: *const c_char,
    state_path: *const c_char,
    now: f64,
    send: i32,
    kind: *const c_char,
    format: *const c_char,
    out: *mut *mut c_char,
    status: *mut u32,
) -> opsbook_result {
    guard(|| {
        let policy = unsafe { c_str(policy_path, "policy_path") }?;
        let state = if state_path.is_null() { None } else { Some(unsafe { c_str(state_path, "state_path") }?) };
        let kind = ReportKind::parse("kind", unsafe { c_str(kind, "kind") }?).map_err(fail)?;
        let format_text = unsafe { c_str(format, "format") }?;
        let format = ReportFormat::parse("format", format_text).map_err(fail)?;
        if status.is_null() {
            return Err(null_argument("status"));
        }
        let options = PassOptions { now_ms: now_ms(now)?, kind, send: send != 0 };
        let outcome = opsbook::pass::run_path(std::path::Path::new(policy), state.map(std::path::Path::new), options)
            .map_err(fail)?;
        put_string(out, outcome.render(format))?;
        unsafe { *status = u32::from(outcome.status().nagios_code()) };
        Ok(())
    })
}

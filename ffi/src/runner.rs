//! `opsbook_runner`: checks declared in JSON or TOML, run blocking (wraps
//! `opsbook::runner` and `opsbook::spec`).

use std::ffi::c_char;

use opsbook::runner::Runner;

use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, opsbook_report, put_report, put_string};

/// A set of checks with their options. May be shared between threads: runs from several
/// threads at once are safe and share the result cache.
pub struct opsbook_runner {
    inner: Runner,
}

fn put_runner(out: *mut *mut opsbook_runner, inner: Runner) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    unsafe { *out = Box::into_raw(Box::new(opsbook_runner { inner })) };
    Ok(())
}

/// A runner from a JSON description: `{"version": 1, "checks": [{"name": ..., "type": ...}, ...]}`
/// (the same keys as a policy file's `[[checks]]`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_runner_from_json(
    json: *const c_char,
    out: *mut *mut opsbook_runner,
) -> opsbook_result {
    guard(|| {
        let text = unsafe { c_str(json, "json") }?;
        put_runner(out, opsbook::spec::runner_from_json(text).map_err(fail)?)
    })
}

/// A runner from a TOML policy document (`version = 1` and `[[checks]]`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_runner_from_toml(
    toml: *const c_char,
    out: *mut *mut opsbook_runner,
) -> opsbook_result {
    guard(|| {
        let text = unsafe { c_str(toml, "toml") }?;
        put_runner(out, opsbook::spec::runner_from_toml(text).map_err(fail)?)
    })
}

/// A runner from a YAML policy document (`version: 1` and `checks:`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_runner_from_yaml(
    yaml: *const c_char,
    out: *mut *mut opsbook_runner,
) -> opsbook_result {
    guard(|| {
        let text = unsafe { c_str(yaml, "yaml") }?;
        put_runner(out, opsbook::spec::runner_from_yaml(text).map_err(fail)?)
    })
}

/// A runner from a policy file: TOML, YAML (`.yaml`, `.yml`) or JSON (`.json`); an error
/// names the file, the line and the key.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_runner_from_file(
    path: *const c_char,
    out: *mut *mut opsbook_runner,
) -> opsbook_result {
    guard(|| {
        let path = unsafe { c_str(path, "path") }?;
        put_runner(out, opsbook::spec::runner_from_path(std::path::Path::new(path)).map_err(fail)?)
    })
}

/// Runs every check (or, when `tag` is not NULL, those carrying it), blocking until all
/// are done or timed out, into a new report. Starts opsbook's worker threads on first use.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_runner_run(
    runner: *const opsbook_runner,
    tag: *const c_char,
    out: *mut *mut opsbook_report,
) -> opsbook_result {
    guard(|| {
        let runner = unsafe { runner.as_ref() }.ok_or_else(|| null_argument("runner"))?;
        let tag = if tag.is_null() { None } else { Some(unsafe { c_str(tag, "tag") }?) };
        if out.is_null() {
            return Err(null_argument("out"));
        }
        put_report(out, runner.inner.run_blocking(tag))
    })
}

/// The names of the runner's checks as a JSON array (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_runner_check_names(
    runner: *const opsbook_runner,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let runner = unsafe { runner.as_ref() }.ok_or_else(|| null_argument("runner"))?;
        let names: Vec<&str> = runner.inner.checks().iter().map(|c| c.name.as_str()).collect();
        put_string(out, serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned()))
    })
}

/// Frees a runner. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_runner_free(runner: *mut opsbook_runner) {
    if !runner.is_null() {
        drop(unsafe { Box::from_raw(runner) });
    }
}

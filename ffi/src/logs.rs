//! Log analysis (`opsbook::logs`): lines or files in, the report as JSON text out.

use std::ffi::c_char;

use opsbook::logs::{Analysis, LineFormat, Options, analyze_lines};

use crate::error::{fail, guard, opsbook_result};
use crate::handles::{c_str, json_or_empty, json_required, put_string};

fn format_and_options(
    format: *const c_char,
    options_json: *const c_char,
) -> Result<(LineFormat, Options), opsbook_result> {
    let format = LineFormat::parse(unsafe { c_str(format, "format") }?).map_err(fail)?;
    let options = if options_json.is_null() {
        Options::default()
    } else {
        Options::from_value(&json_or_empty(options_json, "options_json")?).map_err(fail)?
    };
    Ok((format, options))
}

fn strings(value: serde_json::Value, field: &str) -> Result<Vec<String>, opsbook_result> {
    serde_json::from_value(value).map_err(|_| {
        fail(opsbook::Error::InvalidValue {
            field: field.into(),
            value: String::new(),
            reason: "expected a list of strings".into(),
        })
    })
}

/// Analyses `lines_json` (a JSON list of lines) in `format` ("iso-level", "nginx", "json",
/// or a regex with named captures); `options_json` (NULL for defaults): `{"since", "top",
/// "ip_limit", "failed_login", "failed_login_limit"}`. `*out`: the report as JSON; free with
/// `opsbook_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_logs_analyze_lines(
    lines_json: *const c_char,
    format: *const c_char,
    options_json: *const c_char,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let lines = strings(json_required(lines_json, "lines_json")?, "lines_json")?;
        let (format, options) = format_and_options(format, options_json)?;
        put_string(out, analyze_lines(lines.iter().map(String::as_str), &format, options).to_json().to_string())
    })
}

/// Analyses log files (`paths_json`: a JSON list of paths; rotated .gz read as they are).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_logs_analyze_files(
    paths_json: *const c_char,
    format: *const c_char,
    options_json: *const c_char,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let paths = strings(json_required(paths_json, "paths_json")?, "paths_json")?;
        let (format, options) = format_and_options(format, options_json)?;
        let mut a = Analysis::new(options);
        for p in &paths {
            a.add_file(std::path::Path::new(p), &format).map_err(fail)?;
        }
        put_string(out, a.finish().to_json().to_string())
    })
}

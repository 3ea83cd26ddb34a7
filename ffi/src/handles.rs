//! Opaque handles over the core model, and the string helpers they share.

use std::ffi::{CStr, CString, c_char};

use opsbook::check::{duration_from_secs, parse_time};
use opsbook::probe::system::{SystemThresholds, probe_system};
use opsbook::{
    CheckResult, HealthDetail, HealthReport, Measurement, Range, Threshold, ThresholdForm, to_health_json, to_nagios,
    to_prometheus, to_table,
};

use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::status::{from_c, to_c};

/// A Nagios range (`[@]start:end`).
pub struct opsbook_range {
    inner: Range,
}

/// A pair of optional warn/crit ranges.
pub struct opsbook_threshold {
    inner: Threshold,
}

/// One observed value with unit, thresholds, bounds and labels.
pub struct opsbook_measurement {
    inner: Measurement,
}

/// The outcome of one check.
pub struct opsbook_check_result {
    inner: CheckResult,
}

/// Check results and their aggregate status, with its renderings.
pub struct opsbook_report {
    inner: HealthReport,
}

// ---- helpers ----

pub(crate) unsafe fn c_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, opsbook_result> {
    if p.is_null() {
        return Err(null_argument(name));
    }
    unsafe { CStr::from_ptr(p) }.to_str().map_err(|_| {
        crate::error::set_last_error(format!("argument {name} is not valid UTF-8"));
        opsbook_result::OPSBOOK_RESULT_INVALID_UTF8
    })
}

/// JSON text, or `{}` for NULL.
pub(crate) fn json_or_empty(text: *const c_char, field: &str) -> Result<serde_json::Value, opsbook_result> {
    if text.is_null() {
        return Ok(serde_json::json!({}));
    }
    let t = unsafe { c_str(text, field) }?;
    serde_json::from_str(t).map_err(|e| {
        crate::error::fail(opsbook::Error::InvalidValue {
            field: field.into(),
            value: String::new(),
            reason: format!("not JSON: {e}"),
        })
    })
}

/// JSON text that must be given.
pub(crate) fn json_required(text: *const c_char, field: &str) -> Result<serde_json::Value, opsbook_result> {
    if text.is_null() {
        return Err(null_argument(field));
    }
    json_or_empty(text, field)
}

unsafe fn get<'a, T>(p: *const T, name: &str) -> Result<&'a T, opsbook_result> {
    unsafe { p.as_ref() }.ok_or_else(|| null_argument(name))
}

unsafe fn get_mut<'a, T>(p: *mut T, name: &str) -> Result<&'a mut T, opsbook_result> {
    unsafe { p.as_mut() }.ok_or_else(|| null_argument(name))
}

fn put<T>(out: *mut *mut T, value: T) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    unsafe { *out = Box::into_raw(Box::new(value)) };
    Ok(())
}

fn put_value<T>(out: *mut T, value: T) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    unsafe { *out = value };
    Ok(())
}

pub(crate) fn put_string(out: *mut *mut c_char, text: String) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    // Inputs arrive as C strings, so no output can hold a NUL; replace defensively.
    let c = CString::new(text.replace('\0', "\u{FFFD}")).expect("NUL bytes were replaced");
    unsafe { *out = c.into_raw() };
    Ok(())
}

pub(crate) fn put_report(out: *mut *mut opsbook_report, inner: HealthReport) -> Result<(), opsbook_result> {
    put(out, opsbook_report { inner })
}

unsafe fn free<T>(p: *mut T) {
    if !p.is_null() {
        drop(unsafe { Box::from_raw(p) });
    }
}

/// Frees a string opsbook returned through a `char **out`. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_string_free(s: *mut c_char) {
    if !s.is_null() {
        drop(unsafe { CString::from_raw(s) });
    }
}

// ---- opsbook_range ----

/// Parses Nagios range text (`10`, `10:`, `~:10`, `10:20`, `@10:20`) or a plain form in
/// words (`above 70`). `field` names the setting in error messages (e.g. "warn").
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_range_parse(
    field: *const c_char,
    text: *const c_char,
    out: *mut *mut opsbook_range,
) -> opsbook_result {
    guard(|| {
        let field = unsafe { c_str(field, "field") }?;
        let text = unsafe { c_str(text, "text") }?;
        let inner = Range::parse(field, text).map_err(fail)?;
        put(out, opsbook_range { inner })
    })
}

/// A range from a plain form: `form` is "above" (alert when value > bound), "at_or_above"
/// (≥), "below" (<) or "at_or_below" (≤).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_range_from_form(
    field: *const c_char,
    form: *const c_char,
    bound: f64,
    out: *mut *mut opsbook_range,
) -> opsbook_result {
    guard(|| {
        let field = unsafe { c_str(field, "field") }?;
        let form = unsafe { c_str(form, "form") }?;
        let inner = ThresholdForm::from_name(field, form, bound).and_then(|f| f.to_range(field)).map_err(fail)?;
        put(out, opsbook_range { inner })
    })
}

/// Start of the range (-INFINITY for `~`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_range_start(range: *const opsbook_range, out: *mut f64) -> opsbook_result {
    guard(|| put_value(out, unsafe { get(range, "range") }?.inner.start()))
}

/// End of the range (INFINITY when open).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_range_end(range: *const opsbook_range, out: *mut f64) -> opsbook_result {
    guard(|| put_value(out, unsafe { get(range, "range") }?.inner.end()))
}

/// Whether a value inside the range alerts (`@`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_range_inside(range: *const opsbook_range, out: *mut bool) -> opsbook_result {
    guard(|| put_value(out, unsafe { get(range, "range") }?.inner.inside()))
}

/// Whether `value` raises an alert against the range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_range_alerts(
    range: *const opsbook_range,
    value: f64,
    out: *mut bool,
) -> opsbook_result {
    guard(|| put_value(out, unsafe { get(range, "range") }?.inner.alerts(value)))
}

/// The canonical Nagios text of the range into `*out` (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_range_to_string(range: *const opsbook_range, out: *mut *mut c_char) -> opsbook_result {
    guard(|| put_string(out, unsafe { get(range, "range") }?.inner.to_string()))
}

/// Frees a range. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_range_free(range: *mut opsbook_range) {
    unsafe { free(range) }
}

// ---- opsbook_threshold ----

/// A threshold from optional warn and crit ranges (NULL = none); both are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_threshold_new(
    warn: *const opsbook_range,
    crit: *const opsbook_range,
    out: *mut *mut opsbook_threshold,
) -> opsbook_result {
    guard(|| {
        let warn = unsafe { warn.as_ref() }.map(|r| r.inner);
        let crit = unsafe { crit.as_ref() }.map(|r| r.inner);
        put(out, opsbook_threshold { inner: Threshold::new(warn, crit) })
    })
}

/// Status of `value`: UNKNOWN for NaN, CRITICAL if crit alerts, else WARNING if warn
/// alerts, else OK.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_threshold_evaluate(
    threshold: *const opsbook_threshold,
    value: f64,
    out: *mut u32,
) -> opsbook_result {
    guard(|| put_value(out, to_c(unsafe { get(threshold, "threshold") }?.inner.evaluate(value))))
}

/// The status of each of `len` values into `out` (room for `len` statuses). `values` and
/// `out` may be NULL only when `len` is 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_threshold_evaluate_many(
    threshold: *const opsbook_threshold,
    values: *const f64,
    len: usize,
    out: *mut u32,
) -> opsbook_result {
    guard(|| {
        let t = unsafe { get(threshold, "threshold") }?;
        if len == 0 {
            return Ok(());
        }
        if values.is_null() {
            return Err(null_argument("values"));
        }
        if out.is_null() {
            return Err(null_argument("out"));
        }
        let values = unsafe { std::slice::from_raw_parts(values, len) };
        let out = unsafe { std::slice::from_raw_parts_mut(out, len) };
        for (slot, status) in out.iter_mut().zip(t.inner.evaluate_many(values)) {
            *slot = to_c(status);
        }
        Ok(())
    })
}

/// Frees a threshold. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_threshold_free(threshold: *mut opsbook_threshold) {
    unsafe { free(threshold) }
}

// ---- opsbook_measurement ----

/// A measurement named `name` (not empty) with `value` (NAN for no value).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_measurement_new(
    name: *const c_char,
    value: f64,
    out: *mut *mut opsbook_measurement,
) -> opsbook_result {
    guard(|| {
        let name = unsafe { c_str(name, "name") }?;
        let inner = Measurement::new(name, value).map_err(fail)?;
        put(out, opsbook_measurement { inner })
    })
}

/// Sets the unit (`%`, `ms`, `s`, `B`, ...); NULL removes it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_measurement_set_unit(
    m: *mut opsbook_measurement,
    unit: *const c_char,
) -> opsbook_result {
    guard(|| {
        let m = unsafe { get_mut(m, "measurement") }?;
        m.inner.unit = if unit.is_null() { None } else { Some(unsafe { c_str(unit, "unit") }?.to_owned()) };
        Ok(())
    })
}

/// Sets warn and crit (NULL = none); the ranges are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_measurement_set_thresholds(
    m: *mut opsbook_measurement,
    warn: *const opsbook_range,
    crit: *const opsbook_range,
) -> opsbook_result {
    guard(|| {
        let m = unsafe { get_mut(m, "measurement") }?;
        m.inner.warn = unsafe { warn.as_ref() }.map(|r| r.inner);
        m.inner.crit = unsafe { crit.as_ref() }.map(|r| r.inner);
        Ok(())
    })
}

/// Sets the minimum and maximum the value can take; NAN leaves a bound unset.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_measurement_set_bounds(
    m: *mut opsbook_measurement,
    min: f64,
    max: f64,
) -> opsbook_result {
    guard(|| {
        let m = unsafe { get_mut(m, "measurement") }?;
        m.inner.min = Some(min).filter(|v| !v.is_nan());
        m.inner.max = Some(max).filter(|v| !v.is_nan());
        Ok(())
    })
}

/// Adds a label (`mount` = `/data`); names follow Prometheus' `[a-zA-Z_][a-zA-Z0-9_]*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_measurement_add_label(
    m: *mut opsbook_measurement,
    name: *const c_char,
    value: *const c_char,
) -> opsbook_result {
    guard(|| {
        let m = unsafe { get_mut(m, "measurement") }?;
        let name = unsafe { c_str(name, "name") }?;
        let value = unsafe { c_str(value, "value") }?;
        m.inner = m.inner.clone().with_label(name, value).map_err(fail)?;
        Ok(())
    })
}

/// The measurement's status against its own thresholds.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_measurement_status(m: *const opsbook_measurement, out: *mut u32) -> opsbook_result {
    guard(|| put_value(out, to_c(unsafe { get(m, "measurement") }?.inner.status())))
}

/// Frees a measurement. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_measurement_free(m: *mut opsbook_measurement) {
    unsafe { free(m) }
}

// ---- opsbook_check_result ----

/// A check result with an explicit status (an `opsbook_status` value) and summary.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_new(
    name: *const c_char,
    status: u32,
    summary: *const c_char,
    out: *mut *mut opsbook_check_result,
) -> opsbook_result {
    guard(|| {
        let name = unsafe { c_str(name, "name") }?;
        let summary = unsafe { c_str(summary, "summary") }?;
        let inner = CheckResult::new(name, from_c(status)?, summary).map_err(fail)?;
        put(out, opsbook_check_result { inner })
    })
}

/// A check result whose status is the worst of `len` measurements (copied) and whose
/// summary lists them. `measurements` may be NULL only when `len` is 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_from_measurements(
    name: *const c_char,
    measurements: *const *const opsbook_measurement,
    len: usize,
    out: *mut *mut opsbook_check_result,
) -> opsbook_result {
    guard(|| {
        let name = unsafe { c_str(name, "name") }?;
        if measurements.is_null() && len > 0 {
            return Err(null_argument("measurements"));
        }
        let ptrs: &[*const opsbook_measurement] =
            if len == 0 { &[] } else { unsafe { std::slice::from_raw_parts(measurements, len) } };
        let ms = ptrs
            .iter()
            .map(|&p| unsafe { get(p, "measurements[i]") }.map(|m| m.inner.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let inner = CheckResult::from_measurements(name, ms).map_err(fail)?;
        put(out, opsbook_check_result { inner })
    })
}

/// Appends a copy of a measurement (the status and summary stay as they are).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_add_measurement(
    c: *mut opsbook_check_result,
    m: *const opsbook_measurement,
) -> opsbook_result {
    guard(|| {
        let c = unsafe { get_mut(c, "check_result") }?;
        c.inner.measurements.push(unsafe { get(m, "measurement") }?.inner.clone());
        Ok(())
    })
}

/// Sets when the check ran, as RFC 3339 text ("2026-11-22T02:00:00Z"); NULL unsets it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_set_time(
    c: *mut opsbook_check_result,
    time: *const c_char,
) -> opsbook_result {
    guard(|| {
        let c = unsafe { get_mut(c, "check_result") }?;
        c.inner.time = if time.is_null() {
            None
        } else {
            Some(parse_time("time", unsafe { c_str(time, "time") }?).map_err(fail)?)
        };
        Ok(())
    })
}

/// Sets how long the check took, in seconds (finite, ≥ 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_set_duration(
    c: *mut opsbook_check_result,
    seconds: f64,
) -> opsbook_result {
    guard(|| {
        let c = unsafe { get_mut(c, "check_result") }?;
        c.inner.duration = Some(duration_from_secs("duration", seconds).map_err(fail)?);
        Ok(())
    })
}

/// Sets (or with NULL unsets) the error text of a check that could not do its job.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_set_error(
    c: *mut opsbook_check_result,
    error: *const c_char,
) -> opsbook_result {
    guard(|| {
        let c = unsafe { get_mut(c, "check_result") }?;
        c.inner.error = if error.is_null() { None } else { Some(unsafe { c_str(error, "error") }?.to_owned()) };
        Ok(())
    })
}

/// Sets (or with NULL unsets) the health+json componentType ("system", "datastore", ...).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_set_component_type(
    c: *mut opsbook_check_result,
    component_type: *const c_char,
) -> opsbook_result {
    guard(|| {
        let c = unsafe { get_mut(c, "check_result") }?;
        c.inner.component_type = if component_type.is_null() {
            None
        } else {
            Some(unsafe { c_str(component_type, "component_type") }?.to_owned())
        };
        Ok(())
    })
}

/// The check's status.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_status(c: *const opsbook_check_result, out: *mut u32) -> opsbook_result {
    guard(|| put_value(out, to_c(unsafe { get(c, "check_result") }?.inner.status)))
}

/// The check's summary into `*out` (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_summary(
    c: *const opsbook_check_result,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| put_string(out, unsafe { get(c, "check_result") }?.inner.summary.clone()))
}

/// Frees a check result. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_result_free(c: *mut opsbook_check_result) {
    unsafe { free(c) }
}

// ---- opsbook_report ----

/// An empty health report.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_new(out: *mut *mut opsbook_report) -> opsbook_result {
    guard(|| put(out, opsbook_report { inner: HealthReport::default() }))
}

/// Appends a copy of a check result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_add_check(
    r: *mut opsbook_report,
    c: *const opsbook_check_result,
) -> opsbook_result {
    guard(|| {
        let r = unsafe { get_mut(r, "report") }?;
        r.inner.checks.push(unsafe { get(c, "check_result") }?.inner.clone());
        Ok(())
    })
}

/// Which descriptive field of a report `opsbook_report_set_info` sets (health+json names).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub enum opsbook_report_info {
    OPSBOOK_REPORT_DESCRIPTION = 0,
    OPSBOOK_REPORT_SERVICE_ID = 1,
    OPSBOOK_REPORT_VERSION = 2,
    OPSBOOK_REPORT_RELEASE_ID = 3,
}

/// Sets (or with NULL unsets) a descriptive field: `field` is an `opsbook_report_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_set_info(
    r: *mut opsbook_report,
    field: u32,
    value: *const c_char,
) -> opsbook_result {
    guard(|| {
        let r = unsafe { get_mut(r, "report") }?;
        let value = if value.is_null() { None } else { Some(unsafe { c_str(value, "value") }?.to_owned()) };
        let slot = match field {
            0 => &mut r.inner.description,
            1 => &mut r.inner.service_id,
            2 => &mut r.inner.version,
            3 => &mut r.inner.release_id,
            other => {
                return Err(fail(opsbook::Error::InvalidValue {
                    field: "field".into(),
                    value: other.to_string(),
                    reason: "not an opsbook_report_info".into(),
                }));
            }
        };
        *slot = value;
        Ok(())
    })
}

/// The aggregate (worst) status of the report.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_status(r: *const opsbook_report, out: *mut u32) -> opsbook_result {
    guard(|| put_value(out, to_c(unsafe { get(r, "report") }?.inner.status())))
}

/// The report as `application/health+json`: `detailed` adds the checks and values,
/// otherwise only the status (for a public endpoint). Free `*out` with `opsbook_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_health_json(
    r: *const opsbook_report,
    detailed: bool,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let detail = if detailed { HealthDetail::Detailed } else { HealthDetail::Public };
        put_string(out, to_health_json(&unsafe { get(r, "report") }?.inner, detail))
    })
}

/// The report as Nagios plugin output into `*out` (free with `opsbook_string_free`) and
/// its exit code into `*exit_code` (may be NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_nagios(
    r: *const opsbook_report,
    out: *mut *mut c_char,
    exit_code: *mut i32,
) -> opsbook_result {
    guard(|| {
        let rendered = to_nagios(&unsafe { get(r, "report") }?.inner);
        put_string(out, rendered.text)?;
        if !exit_code.is_null() {
            unsafe { *exit_code = i32::from(rendered.exit_code) };
        }
        Ok(())
    })
}

/// The report in Prometheus text exposition format (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_prometheus(r: *const opsbook_report, out: *mut *mut c_char) -> opsbook_result {
    guard(|| put_string(out, to_prometheus(&unsafe { get(r, "report") }?.inner)))
}

/// The report as the samples rules evaluate, a JSON list of `{"metric", "labels", "value"}`:
/// `opsbook_check_status{check}` and each measurement under its exported metric name, in
/// base units (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_samples(r: *const opsbook_report, out: *mut *mut c_char) -> opsbook_result {
    guard(|| {
        let samples = opsbook::rules::pipeline::samples_from_report(&unsafe { get(r, "report") }?.inner);
        let list: Vec<serde_json::Value> = samples
            .into_iter()
            .map(
                |s| serde_json::json!({"metric": s.metric, "labels": s.labels, "value": opsbook::json_number(s.value)}),
            )
            .collect();
        put_string(out, serde_json::Value::Array(list).to_string())
    })
}

/// The report as opsbook's JSON: every check with status, summary, error, time, duration
/// and measurements (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_json(r: *const opsbook_report, out: *mut *mut c_char) -> opsbook_result {
    guard(|| put_string(out, opsbook::to_json(&unsafe { get(r, "report") }?.inner)))
}

/// The report as a plain-text table for people (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_table(r: *const opsbook_report, out: *mut *mut c_char) -> opsbook_result {
    guard(|| put_string(out, to_table(&unsafe { get(r, "report") }?.inner)))
}

/// Frees a report. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_free(r: *mut opsbook_report) {
    unsafe { free(r) }
}

/// Probes this host (CPU sampled for `cpu_sample_ms`, memory, swap, load, every mounted
/// disk) against the manuals' default thresholds into a new report. Blocks for the sample.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_check_system(cpu_sample_ms: u32, out: *mut *mut opsbook_report) -> opsbook_result {
    guard(|| {
        if out.is_null() {
            return Err(null_argument("out"));
        }
        let checks =
            probe_system(&SystemThresholds::default(), std::time::Duration::from_millis(u64::from(cpu_sample_ms)));
        put(out, opsbook_report { inner: HealthReport::new(checks) })
    })
}

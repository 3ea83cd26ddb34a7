//! A policy's rules, notifications and incidents together (`opsbook::rules::pipeline`):
//! samples in as `opsbook_sample` arrays, each step's outcome out as JSON text
//! (`{"events", "notifications", "escalations", "opened"}`).

use std::ffi::c_char;

use opsbook::policy::Policy;
use opsbook::rules::incident::IncidentManager;
use opsbook::rules::pipeline::AlertPipeline;

use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, put_string};
use crate::rules::{opsbook_sample, samples_from};
use crate::state::{opsbook_store, store};

/// Rules, dispatcher and incident manager of one policy.
pub struct opsbook_alert_pipeline {
    inner: AlertPipeline,
}

fn put_pipeline(out: *mut *mut opsbook_alert_pipeline, policy: Policy) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    let inner = policy.alert_pipeline().map_err(fail)?;
    unsafe { *out = Box::into_raw(Box::new(opsbook_alert_pipeline { inner })) };
    Ok(())
}

fn pipeline<'a>(p: *mut opsbook_alert_pipeline) -> Result<&'a mut AlertPipeline, opsbook_result> {
    unsafe { p.as_mut() }.map(|p| &mut p.inner).ok_or_else(|| null_argument("pipeline"))
}

fn manager<'a>(p: *mut opsbook_alert_pipeline) -> Result<&'a mut IncidentManager, opsbook_result> {
    pipeline(p)?.incidents.as_mut().ok_or_else(|| {
        fail(opsbook::Error::InvalidValue {
            field: "escalation.levels".into(),
            value: String::new(),
            reason: "the policy declares no escalation levels, so it keeps no incidents".into(),
        })
    })
}

fn time_ms(t: f64) -> Result<i64, opsbook_result> {
    opsbook::forecast::input::time_ms("time", t).map_err(fail)
}

/// A pipeline from a JSON policy (`{"version": 1, "rules": [...], "escalation": {...}}`;
/// every table is checked).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_from_json(
    policy: *const c_char,
    out: *mut *mut opsbook_alert_pipeline,
) -> opsbook_result {
    guard(|| put_pipeline(out, Policy::from_json(unsafe { c_str(policy, "policy") }?).map_err(fail)?))
}

/// A pipeline from a TOML policy.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_from_toml(
    policy: *const c_char,
    out: *mut *mut opsbook_alert_pipeline,
) -> opsbook_result {
    guard(|| put_pipeline(out, Policy::from_toml(unsafe { c_str(policy, "policy") }?).map_err(fail)?))
}

/// Evaluates the rules at `time` over `len` samples; the outcome as JSON text in `*out`
/// (free it with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_evaluate(
    p: *mut opsbook_alert_pipeline,
    time: f64,
    samples: *const opsbook_sample,
    len: usize,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let p = pipeline(p)?;
        let outcome = p.evaluate(time_ms(time)?, &samples_from(samples, len)?).map_err(fail)?;
        put_string(out, outcome.to_json().to_string())
    })
}

/// Sends what is due and escalates what ran out of time by `time`, without new samples.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_advance(
    p: *mut opsbook_alert_pipeline,
    time: f64,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let p = pipeline(p)?;
        put_string(out, p.advance(time_ms(time)?).to_json().to_string())
    })
}

/// Acknowledges an open incident: its escalation stops.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_acknowledge(
    p: *mut opsbook_alert_pipeline,
    id: *const c_char,
    by: *const c_char,
    time: f64,
) -> opsbook_result {
    guard(|| unsafe { crate::notify::acknowledge_on(manager(p)?, id, by, time) })
}

/// Resolves an incident with a note.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_resolve(
    p: *mut opsbook_alert_pipeline,
    id: *const c_char,
    by: *const c_char,
    note: *const c_char,
    time: f64,
) -> opsbook_result {
    guard(|| unsafe { crate::notify::resolve_on(manager(p)?, id, by, note, time) })
}

/// Adds a line to an incident's timeline (what a recovery step you ran did).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_record(
    p: *mut opsbook_alert_pipeline,
    id: *const c_char,
    what: *const c_char,
    time: f64,
) -> opsbook_result {
    guard(|| unsafe { crate::notify::record_on(manager(p)?, id, what, time) })
}

/// Every incident as `{"incidents": [...]}` (empty without escalation levels).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_incidents_json(
    p: *mut opsbook_alert_pipeline,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let p = pipeline(p)?;
        let all: Vec<serde_json::Value> = p.incidents.iter().flat_map(|m| m.incidents()).map(|i| i.to_json()).collect();
        put_string(out, serde_json::json!({"incidents": all}).to_string())
    })
}

/// Saves rule, notification and incident state under `<prefix>rules`, `<prefix>notifications`
/// and `<prefix>incidents` (`prefix` NULL: none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_save(
    p: *mut opsbook_alert_pipeline,
    s: *const opsbook_store,
    prefix: *const c_char,
) -> opsbook_result {
    guard(|| {
        let p = pipeline(p)?;
        let prefix = if prefix.is_null() { "" } else { unsafe { c_str(prefix, "prefix") }? };
        p.save(store(s)?.as_ref(), prefix).map_err(fail)
    })
}

/// Loads what `opsbook_alert_pipeline_save` saved; parts never saved start empty.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_load(
    p: *mut opsbook_alert_pipeline,
    s: *const opsbook_store,
    prefix: *const c_char,
) -> opsbook_result {
    guard(|| {
        let p = pipeline(p)?;
        let prefix = if prefix.is_null() { "" } else { unsafe { c_str(prefix, "prefix") }? };
        p.load(store(s)?.as_ref(), prefix).map_err(fail)
    })
}

/// Frees a pipeline. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_alert_pipeline_free(p: *mut opsbook_alert_pipeline) {
    if !p.is_null() {
        drop(unsafe { Box::from_raw(p) });
    }
}

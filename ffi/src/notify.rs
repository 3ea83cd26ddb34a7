//! Notifications and incidents over the events `opsbook_rule_engine_evaluate` returns
//! (JSON text in, JSON text out): Alertmanager's grouping, silences and inhibition, and
//! incidents with escalation.

use std::ffi::c_char;

use opsbook::rules::incident::{EscalationPolicy, IncidentManager, escalation_from_value};
use opsbook::rules::notify::{Dispatcher, dispatcher_from_value};
use opsbook::rules::replay::events_from_json;

use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, put_string};

/// Alertmanager's grouping, deduplication, repeats, silences and inhibition.
pub struct opsbook_dispatcher {
    inner: Dispatcher,
}

/// Incidents with escalation and acknowledgement.
pub struct opsbook_incidents {
    inner: IncidentManager,
}

fn bad(field: &str, reason: String) -> opsbook_result {
    fail(opsbook::Error::InvalidValue { field: field.into(), value: String::new(), reason })
}

fn json(text: &str, field: &str) -> Result<serde_json::Value, opsbook_result> {
    serde_json::from_str(text).map_err(|e| bad(field, format!("not JSON: {e}")))
}

fn time_ms(t: f64) -> Result<i64, opsbook_result> {
    opsbook::forecast::input::time_ms("time", t).map_err(fail)
}

fn put_box<T>(out: *mut *mut T, v: T) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    unsafe { *out = Box::into_raw(Box::new(v)) };
    Ok(())
}

/// A dispatcher from `{"route": {...}, "silences": [...], "inhibit_rules": [...]}`;
/// NULL: Alertmanager's defaults (group by alertname, 30s, 5m, 4h).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_dispatcher_from_json(
    config: *const c_char,
    out: *mut *mut opsbook_dispatcher,
) -> opsbook_result {
    guard(|| {
        let doc =
            if config.is_null() { serde_json::json!({}) } else { json(unsafe { c_str(config, "config") }?, "config")? };
        put_box(out, opsbook_dispatcher { inner: dispatcher_from_value(&doc).map_err(fail)? })
    })
}

fn dispatcher<'a>(p: *mut opsbook_dispatcher) -> Result<&'a mut Dispatcher, opsbook_result> {
    unsafe { p.as_mut() }.map(|d| &mut d.inner).ok_or_else(|| null_argument("dispatcher"))
}

/// Takes the events of one evaluation (`{"events": [...]}` as evaluate returned them) with
/// the rule's annotations (`{"summary": ...}` or NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_dispatcher_receive(
    d: *mut opsbook_dispatcher,
    events_json: *const c_char,
    annotations_json: *const c_char,
) -> opsbook_result {
    guard(|| {
        let d = dispatcher(d)?;
        let events = events_from_json(unsafe { c_str(events_json, "events_json") }?).map_err(fail)?;
        let annotations: opsbook::rules::Labels = if annotations_json.is_null() {
            Default::default()
        } else {
            serde_json::from_value(json(unsafe { c_str(annotations_json, "annotations_json") }?, "annotations_json")?)
                .map_err(|e| bad("annotations_json", e.to_string()))?
        };
        for e in &events {
            d.receive(e, &annotations);
        }
        Ok(())
    })
}

/// The notifications due at `time` as `{"notifications": [webhook payloads]}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_dispatcher_tick(
    d: *mut opsbook_dispatcher,
    time: f64,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let d = dispatcher(d)?;
        let sent: Vec<serde_json::Value> = d.tick(time_ms(time)?).iter().map(|n| n.to_json()).collect();
        put_string(out, serde_json::json!({"notifications": sent}).to_string())
    })
}

/// Frees a dispatcher. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_dispatcher_free(d: *mut opsbook_dispatcher) {
    if !d.is_null() {
        drop(unsafe { Box::from_raw(d) });
    }
}

/// Incidents under an escalation policy (`{"levels": [...], "severities": {...}}`, levels
/// most urgent first); NULL: the manuals' P0-P3.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_new(
    escalation: *const c_char,
    out: *mut *mut opsbook_incidents,
) -> opsbook_result {
    guard(|| {
        let policy = if escalation.is_null() {
            EscalationPolicy::manual_p0_p3()
        } else {
            escalation_from_value(&json(unsafe { c_str(escalation, "escalation") }?, "escalation")?).map_err(fail)?
        };
        put_box(out, opsbook_incidents { inner: IncidentManager::new(policy).map_err(fail)? })
    })
}

fn incidents<'a>(p: *mut opsbook_incidents) -> Result<&'a mut IncidentManager, opsbook_result> {
    unsafe { p.as_mut() }.map(|m| &mut m.inner).ok_or_else(|| null_argument("incidents"))
}

/// The incident calls shared by `opsbook_incidents_*` and `opsbook_alert_pipeline_*`.
pub(crate) unsafe fn acknowledge_on(
    m: &mut IncidentManager,
    id: *const c_char,
    by: *const c_char,
    time: f64,
) -> Result<(), opsbook_result> {
    m.acknowledge(unsafe { c_str(id, "id") }?, unsafe { c_str(by, "by") }?, time_ms(time)?).map_err(fail)
}

pub(crate) unsafe fn resolve_on(
    m: &mut IncidentManager,
    id: *const c_char,
    by: *const c_char,
    note: *const c_char,
    time: f64,
) -> Result<(), opsbook_result> {
    let (id, by, note) = unsafe { (c_str(id, "id")?, c_str(by, "by")?, c_str(note, "note")?) };
    m.resolve(id, by, note, time_ms(time)?).map_err(fail)
}

pub(crate) unsafe fn record_on(
    m: &mut IncidentManager,
    id: *const c_char,
    what: *const c_char,
    time: f64,
) -> Result<(), opsbook_result> {
    m.record(unsafe { c_str(id, "id") }?, unsafe { c_str(what, "what") }?, time_ms(time)?).map_err(fail)
}

/// Opens incidents for firing events and auto-resolves them on resolved ones.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_on_events(
    m: *mut opsbook_incidents,
    events_json: *const c_char,
) -> opsbook_result {
    guard(|| {
        let m = incidents(m)?;
        for e in events_from_json(unsafe { c_str(events_json, "events_json") }?).map_err(fail)? {
            m.on_event(&e);
        }
        Ok(())
    })
}

/// Acknowledges an open incident: its escalation stops.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_acknowledge(
    m: *mut opsbook_incidents,
    id: *const c_char,
    by: *const c_char,
    time: f64,
) -> opsbook_result {
    guard(|| unsafe { acknowledge_on(incidents(m)?, id, by, time) })
}

/// Resolves an incident with a note.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_resolve(
    m: *mut opsbook_incidents,
    id: *const c_char,
    by: *const c_char,
    note: *const c_char,
    time: f64,
) -> opsbook_result {
    guard(|| unsafe { resolve_on(incidents(m)?, id, by, note, time) })
}

/// Adds a line to an incident's timeline (what a recovery step you ran did).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_record(
    m: *mut opsbook_incidents,
    id: *const c_char,
    what: *const c_char,
    time: f64,
) -> opsbook_result {
    guard(|| unsafe { record_on(incidents(m)?, id, what, time) })
}

/// Escalates what ran out of time; the steps as `{"escalations": [{"id", "level"}]}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_tick(
    m: *mut opsbook_incidents,
    time: f64,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let m = incidents(m)?;
        let steps: Vec<serde_json::Value> = m
            .tick(time_ms(time)?)
            .into_iter()
            .map(|(id, level)| serde_json::json!({"id": id, "level": level}))
            .collect();
        put_string(out, serde_json::json!({"escalations": steps}).to_string())
    })
}

/// Every incident as `{"incidents": [...]}` (id, kind, labels, level, status, timeline, ...).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_json(m: *mut opsbook_incidents, out: *mut *mut c_char) -> opsbook_result {
    guard(|| {
        let m = incidents(m)?;
        let all: Vec<serde_json::Value> = m.incidents().map(|i| i.to_json()).collect();
        put_string(out, serde_json::json!({"incidents": all}).to_string())
    })
}

/// Frees an incident manager. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_free(m: *mut opsbook_incidents) {
    if !m.is_null() {
        drop(unsafe { Box::from_raw(m) });
    }
}

/// Saves the dispatcher's groups (alerts, timers, last notifications) under `key`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_dispatcher_save(
    d: *mut opsbook_dispatcher,
    s: *const crate::state::opsbook_store,
    key: *const c_char,
) -> opsbook_result {
    guard(|| dispatcher(d)?.save(crate::state::store(s)?.as_ref(), unsafe { c_str(key, "key") }?).map_err(fail))
}

/// Restores the groups saved under `key`; `*found` (may be NULL) says whether there were any.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_dispatcher_load(
    d: *mut opsbook_dispatcher,
    s: *const crate::state::opsbook_store,
    key: *const c_char,
    found: *mut bool,
) -> opsbook_result {
    guard(|| {
        let f = dispatcher(d)?.load(crate::state::store(s)?.as_ref(), unsafe { c_str(key, "key") }?).map_err(fail)?;
        if let Some(out) = unsafe { found.as_mut() } {
            *out = f;
        }
        Ok(())
    })
}

/// Saves every incident and the alert → incident index under `key`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_save(
    m: *mut opsbook_incidents,
    s: *const crate::state::opsbook_store,
    key: *const c_char,
) -> opsbook_result {
    guard(|| incidents(m)?.save(crate::state::store(s)?.as_ref(), unsafe { c_str(key, "key") }?).map_err(fail))
}

/// Restores the incidents saved under `key`; `*found` (may be NULL) says whether there were any.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_incidents_load(
    m: *mut opsbook_incidents,
    s: *const crate::state::opsbook_store,
    key: *const c_char,
    found: *mut bool,
) -> opsbook_result {
    guard(|| {
        let f = incidents(m)?.load(crate::state::store(s)?.as_ref(), unsafe { c_str(key, "key") }?).map_err(fail)?;
        if let Some(out) = unsafe { found.as_mut() } {
            *out = f;
        }
        Ok(())
    })
}

//! Alert rules: an `opsbook_rule_engine` from a policy's `rules` (JSON or TOML), evaluated
//! over caller samples; events come back as JSON text (their label sets vary).

use std::ffi::c_char;

use opsbook::rules::replay::events_to_json;
use opsbook::rules::{Labels, RuleEngine, Sample};

use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, put_string};

/// Rules and the state of their alerts.
pub struct opsbook_rule_engine {
    inner: RuleEngine,
}

/// A label: name and value, NUL-terminated UTF-8.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct opsbook_label {
    pub name: *const c_char,
    pub value: *const c_char,
}

/// One sample of one series at an evaluation.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct opsbook_sample {
    pub metric: *const c_char,
    pub labels: *const opsbook_label,
    pub labels_len: usize,
    pub value: f64,
}

fn slice<'a, T>(p: *const T, len: usize, name: &str) -> Result<&'a [T], opsbook_result> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(null_argument(name));
    }
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

fn labels(p: *const opsbook_label, len: usize, name: &str) -> Result<Labels, opsbook_result> {
    let mut out = Labels::new();
    for (i, l) in slice(p, len, name)?.iter().enumerate() {
        let k = unsafe { c_str(l.name, &format!("{name}[{i}].name")) }?;
        let v = unsafe { c_str(l.value, &format!("{name}[{i}].value")) }?;
        out.insert(k.to_owned(), v.to_owned());
    }
    Ok(out)
}

/// The caller's samples as the core's.
pub(crate) fn samples_from(samples: *const opsbook_sample, len: usize) -> Result<Vec<Sample>, opsbook_result> {
    let mut list = Vec::with_capacity(len);
    for (i, s) in slice(samples, len, "samples")?.iter().enumerate() {
        let metric = unsafe { c_str(s.metric, &format!("samples[{i}].metric")) }?;
        list.push(Sample {
            metric: metric.to_owned(),
            labels: labels(s.labels, s.labels_len, &format!("samples[{i}].labels"))?,
            value: s.value,
        });
    }
    Ok(list)
}

fn put_engine(out: *mut *mut opsbook_rule_engine, inner: RuleEngine) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    unsafe { *out = Box::into_raw(Box::new(opsbook_rule_engine { inner })) };
    Ok(())
}

/// A rule engine from a JSON policy's `rules` (`{"rules": [{"name": ..., "metric": ...,
/// "alert_when": "above 80", "for": "5m"}]}`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_rule_engine_from_json(
    json: *const c_char,
    out: *mut *mut opsbook_rule_engine,
) -> opsbook_result {
    guard(|| {
        let text = unsafe { c_str(json, "json") }?;
        let rules = opsbook::rules::spec::rules_from_json(text).map_err(fail)?;
        put_engine(out, RuleEngine::new(rules))
    })
}

/// A rule engine from a TOML policy's `[[rules]]`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_rule_engine_from_toml(
    toml: *const c_char,
    out: *mut *mut opsbook_rule_engine,
) -> opsbook_result {
    guard(|| {
        let text = unsafe { c_str(toml, "toml") }?;
        let rules = opsbook::rules::spec::rules_from_toml(text).map_err(fail)?;
        put_engine(out, RuleEngine::new(rules))
    })
}

fn engine<'a>(p: *mut opsbook_rule_engine) -> Result<&'a mut RuleEngine, opsbook_result> {
    unsafe { p.as_mut() }.map(|e| &mut e.inner).ok_or_else(|| null_argument("engine"))
}

/// Evaluates every rule at `time` (Unix seconds) over `len` samples; the events as JSON
/// (`{"events": [{"time", "kind", "rule", "labels", "fingerprint", "value", "notify", ...}]}`)
/// into `*events_json` (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_rule_engine_evaluate(
    engine_: *mut opsbook_rule_engine,
    time: f64,
    samples: *const opsbook_sample,
    len: usize,
    events_json: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let e = engine(engine_)?;
        let t = opsbook::forecast::input::time_ms("time", time).map_err(fail)?;
        let events = e.evaluate(t, &samples_from(samples, len)?).map_err(fail)?;
        put_string(events_json, events_to_json(&events))
    })
}

/// Evaluates at each of `len` times with this one series as the only sample present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_rule_engine_evaluate_series(
    engine_: *mut opsbook_rule_engine,
    metric: *const c_char,
    labels_: *const opsbook_label,
    labels_len: usize,
    times: *const f64,
    values: *const f64,
    len: usize,
    events_json: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let e = engine(engine_)?;
        let metric = unsafe { c_str(metric, "metric") }?;
        let l = labels(labels_, labels_len, "labels")?;
        let times_ms = slice(times, len, "times")?
            .iter()
            .enumerate()
            .map(|(i, &t)| opsbook::forecast::input::time_ms(&format!("times[{i}]"), t))
            .collect::<opsbook::Result<Vec<_>>>()
            .map_err(fail)?;
        let events = e.evaluate_series(metric, &l, &times_ms, slice(values, len, "values")?).map_err(fail)?;
        put_string(events_json, events_to_json(&events))
    })
}

/// The rules as a Prometheus rule file (YAML), one group named `group`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_rule_engine_prometheus_rules(
    engine_: *mut opsbook_rule_engine,
    group: *const c_char,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let e = engine(engine_)?;
        let group = unsafe { c_str(group, "group") }?;
        let rules: Vec<_> = e.rules().iter().map(|r| r.rule.clone()).collect();
        put_string(out, opsbook::rules::export::prometheus_rules(&rules, group, None))
    })
}

/// Every alert's state, flap histories and predictive samples as JSON text into `*out`
/// (free with `opsbook_string_free`): give it to `opsbook_rule_engine_restore` after a restart.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_rule_engine_snapshot(
    engine_: *mut opsbook_rule_engine,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| put_string(out, engine(engine_)?.snapshot()))
}

/// Continues from a snapshot.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_rule_engine_restore(
    engine_: *mut opsbook_rule_engine,
    snapshot: *const c_char,
) -> opsbook_result {
    guard(|| {
        let e = engine(engine_)?;
        e.restore(unsafe { c_str(snapshot, "snapshot") }?).map_err(fail)
    })
}

/// Frees a rule engine. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_rule_engine_free(engine: *mut opsbook_rule_engine) {
    if !engine.is_null() {
        drop(unsafe { Box::from_raw(engine) });
    }
}

/// The Alertmanager fingerprint of `len` labels as 16 hex digits and a NUL into `out`,
/// which must have room for 17 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_fingerprint(
    labels_: *const opsbook_label,
    len: usize,
    out: *mut c_char,
) -> opsbook_result {
    guard(|| {
        let l = labels(labels_, len, "labels")?;
        if out.is_null() {
            return Err(null_argument("out"));
        }
        let hex = opsbook::rules::fingerprint::fingerprint_hex(&l);
        let dst = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), 17) };
        dst[..16].copy_from_slice(hex.as_bytes());
        dst[16] = 0;
        Ok(())
    })
}

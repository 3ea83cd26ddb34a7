//! Recorded samples for replaying rules: JSON lines of
//! `{"time": 1700000000 | "2026-11-22T08:00:00Z", "metric": "cpu_usage_percent", "labels": {...}, "value": 91.5}`;
//! a line `{"time": ...}` alone is an evaluation at which no sample is present.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::rules::alerting::Event;
use crate::rules::condition::{Labels, Sample};
use crate::rules::export::Replay;

/// Reads JSON lines of samples into evaluation time (ms) → samples. Blank lines are skipped;
/// errors name the line.
pub fn parse_samples_jsonl(text: &str) -> Result<Replay> {
    let mut replay: Replay = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let at = |key: &str| format!("line {n} {key}");
        let v: Value = serde_json::from_str(line)
            .map_err(|e| Error::invalid_value(&format!("line {n}"), "", format!("not JSON: {e}")))?;
        let t_ms = match v.get("time") {
            Some(Value::Number(s)) => crate::forecast::input::time_ms(&at("time"), s.as_f64().unwrap_or(f64::NAN))?,
            Some(Value::String(s)) => crate::check::parse_time(&at("time"), s)?.as_millisecond(),
            _ => return Err(Error::invalid_value(&at("time"), "", "missing: Unix seconds or RFC 3339")),
        };
        // A line with a time alone is an evaluation at which nothing is present.
        if v.as_object().is_some_and(|o| o.len() == 1) {
            replay.entry(t_ms).or_default();
            continue;
        }
        let metric = v
            .get("metric")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid_value(&at("metric"), "", "missing"))?
            .to_owned();
        let labels: Labels = match v.get("labels") {
            None | Some(Value::Null) => Labels::new(),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    other => Err(Error::invalid_value(
                        &at(&format!("labels.{k}")),
                        &other.to_string(),
                        "label values are strings",
                    )),
                })
                .collect::<Result<_>>()?,
            Some(other) => return Err(Error::invalid_value(&at("labels"), &other.to_string(), "expected an object")),
        };
        let value = match v.get("value") {
            Some(Value::Number(x)) => x.as_f64().unwrap_or(f64::NAN),
            Some(Value::String(s)) => crate::check::parse_value(&at("value"), s)?,
            _ => return Err(Error::invalid_value(&at("value"), "", "missing")),
        };
        replay.entry(t_ms).or_default().push(Sample { metric, labels, value });
    }
    Ok(replay)
}

/// The replay on a grid of `interval_ms` from the first sample's time: at each step, each
/// series' latest sample in (step − interval, step]; a series without one is absent.
pub fn regrid(replay: &Replay, interval_ms: i64) -> Result<Replay> {
    if interval_ms <= 0 {
        return Err(Error::invalid_value("interval", &interval_ms.to_string(), "must be positive"));
    }
    let (Some(first), Some(last)) = (replay.keys().next().copied(), replay.keys().next_back().copied()) else {
        return Ok(Replay::new());
    };
    let mut out = Replay::new();
    let mut t = first;
    while t < last + interval_ms {
        let mut latest: BTreeMap<(String, Labels), Sample> = BTreeMap::new();
        for (_, samples) in replay.range(t - interval_ms + 1..=t) {
            for s in samples {
                latest.insert((s.metric.clone(), s.labels.clone()), s.clone());
            }
        }
        out.insert(t, latest.into_values().collect());
        t += interval_ms;
    }
    Ok(out)
}

fn labels_text(labels: &Labels) -> String {
    let l: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "alertname")
        .map(|(k, v)| format!("{k}={}", crate::rules::condition::go_quote(v)))
        .collect();
    format!("{{{}}}", l.join(", "))
}

/// One line per event: `2026-11-22T08:05:00Z firing HighCPU {instance="a"} value=91.5`.
pub fn events_to_text(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        out.push_str(&format!(
            "{} {} {} {} value={}{}\n",
            crate::format::timestamp_ms_rfc3339(e.at_ms),
            e.kind.as_str(),
            e.rule,
            labels_text(&e.labels),
            crate::fmt_number(e.value),
            if matches!(e.kind, crate::rules::EventKind::Firing | crate::rules::EventKind::Resolved) && !e.notify {
                " (notification suppressed: flapping)"
            } else {
                ""
            }
        ));
    }
    out
}

/// Every event as JSON.
pub fn events_to_json(events: &[Event]) -> String {
    let list: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({
                "time": crate::format::timestamp_ms_rfc3339(e.at_ms),
                "kind": e.kind.as_str(),
                "rule": e.rule,
                "labels": e.labels,
                "fingerprint": e.fingerprint,
                "value": crate::json_number(e.value),
                "active_since": crate::format::timestamp_ms_rfc3339(e.active_at_ms),
                "notify": e.notify,
                "delivery_id": crate::state::delivery_id(e),
            })
        })
        .collect();
    json!({"events": list}).to_string()
}

/// Events back from `events_to_json` (what the C API hands out and takes back).
pub fn events_from_json(text: &str) -> Result<Vec<Event>> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| Error::invalid_value("events", "", format!("not JSON: {e}")))?;
    let list = doc
        .get("events")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::invalid_value("events", "", "expected {\"events\": [...]}"))?;
    list.iter()
        .enumerate()
        .map(|(i, e)| {
            let f = |k: &str| format!("events[{i}].{k}");
            let text =
                |k: &str| e.get(k).and_then(Value::as_str).ok_or_else(|| Error::invalid_value(&f(k), "", "missing"));
            let name = text("kind")?;
            let kind = crate::rules::EventKind::from_name(name)
                .ok_or_else(|| Error::invalid_value(&f("kind"), name, "not an event kind"))?;
            let labels: Labels = e
                .get("labels")
                .and_then(Value::as_object)
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
                .unwrap_or_default();
            Ok(Event {
                kind,
                rule: text("rule")?.to_owned(),
                fingerprint: crate::rules::fingerprint::fingerprint_hex(&labels),
                labels,
                at_ms: crate::check::parse_time(&f("time"), text("time")?)?.as_millisecond(),
                value: e.get("value").and_then(Value::as_f64).unwrap_or(f64::NAN),
                active_at_ms: crate::check::parse_time(&f("active_since"), text("active_since")?)?.as_millisecond(),
                notify: e.get("notify").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect()
}

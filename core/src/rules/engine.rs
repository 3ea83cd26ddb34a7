//! Many rules evaluated together over the samples of each evaluation time, keeping the
//! history predictive conditions need.

use std::collections::HashMap;

use crate::error::Result;
use crate::forecast::Sample as TimedSample;
use crate::rules::alerting::{AlertingRule, Event, Rule};
use crate::rules::condition::{Condition, Labels, Sample};

/// Rules and their state.
#[derive(Debug, Clone)]
pub struct RuleEngine {
    rules: Vec<AlertingRule>,
    history: HashMap<(String, Labels), Vec<TimedSample>>,
    keep_ms: i64,
    last_ms: Option<i64>,
}

impl RuleEngine {
    pub fn new(rules: Vec<Rule>) -> RuleEngine {
        let keep_ms = rules.iter().map(|r| r.condition.history_ms()).max().unwrap_or(0);
        RuleEngine {
            rules: rules.into_iter().map(AlertingRule::new).collect(),
            history: HashMap::new(),
            keep_ms,
            last_ms: None,
        }
    }

    pub fn rules(&self) -> &[AlertingRule] {
        &self.rules
    }

    /// Evaluates every rule at `ts_ms` over the samples present then (a series without a
    /// sample is absent: its condition is false, as in Prometheus). Times must not go back.
    pub fn evaluate(&mut self, ts_ms: i64, samples: &[Sample]) -> Result<Vec<Event>> {
        if let Some(last) = self.last_ms
            && ts_ms < last
        {
            return Err(crate::Error::InvalidValue {
                field: "time".into(),
                value: ts_ms.to_string(),
                reason: format!("evaluations must not go back in time (the last was at {last})"),
            });
        }
        self.last_ms = Some(ts_ms);
        if self.keep_ms > 0 {
            for s in samples {
                let series = self.history.entry((s.metric.clone(), s.labels.clone())).or_default();
                if series.last().is_none_or(|last| last.t_ms < ts_ms) {
                    series.push(TimedSample::new(ts_ms, s.value));
                }
            }
            let oldest = ts_ms - self.keep_ms;
            self.history.retain(|_, v| {
                v.retain(|s| s.t_ms >= oldest);
                !v.is_empty()
            });
        }
        let history = &self.history;
        let lookup = |metric: &str, labels: &Labels| -> Vec<TimedSample> {
            history.get(&(metric.to_owned(), labels.clone())).cloned().unwrap_or_default()
        };
        let mut events = Vec::new();
        for rule in &mut self.rules {
            let results = rule.rule.condition.evaluate(samples, &lookup, ts_ms);
            events.extend(rule.eval(ts_ms, results)?);
        }
        Ok(events)
    }

    /// Evaluates at each of `times_ms` with this one series as the only sample present —
    /// a recorded history of one series replayed in one call (for engines watching that
    /// series; any other series is absent at these times). Threshold rules take a fast path
    /// without per-sample allocation; other conditions go through `evaluate`.
    pub fn evaluate_series(
        &mut self,
        metric: &str,
        labels: &Labels,
        times_ms: &[i64],
        values: &[f64],
    ) -> Result<Vec<Event>> {
        if times_ms.len() != values.len() {
            return Err(crate::Error::InvalidValue {
                field: "values".into(),
                value: values.len().to_string(),
                reason: format!("there are {} times but {} values", times_ms.len(), values.len()),
            });
        }
        let mut previous = self.last_ms.unwrap_or(i64::MIN);
        for (i, &t) in times_ms.iter().enumerate() {
            if t < previous {
                return Err(crate::Error::InvalidValue {
                    field: format!("times[{i}]"),
                    value: t.to_string(),
                    reason: format!("evaluations must not go back in time (the last was at {previous})"),
                });
            }
            previous = t;
        }
        let mut series_labels = labels.clone();
        series_labels.remove("__name__");
        let prepared: Vec<(Labels, u64)> = self.rules.iter().map(|r| r.labels_for(&series_labels)).collect();
        let fast = self.keep_ms == 0
            && self
                .rules
                .iter()
                .zip(&prepared)
                .all(|(r, (_, h))| matches!(r.rule.condition, Condition::Threshold { .. }) && r.only_holds(*h));
        let mut events = Vec::new();
        if !fast {
            for (&t, &v) in times_ms.iter().zip(values) {
                let s = Sample { metric: metric.to_owned(), labels: labels.clone(), value: v };
                events.extend(self.evaluate(t, std::slice::from_ref(&s))?);
            }
            return Ok(events);
        }
        let ranges: Vec<Option<crate::Range>> = self
            .rules
            .iter()
            .map(|r| match &r.rule.condition {
                Condition::Threshold { selector, range } if selector.matches(metric, labels) => Some(*range),
                _ => None,
            })
            .collect();
        for (&t, &v) in times_ms.iter().zip(values) {
            for ((rule, (alert_labels, h)), range) in self.rules.iter_mut().zip(&prepared).zip(&ranges) {
                let present = range.and_then(|r| r.alerts(v).then_some(v));
                rule.eval_one(*h, alert_labels, present, t, &mut events);
            }
        }
        self.last_ms = times_ms.last().copied().or(self.last_ms);
        Ok(events)
    }

    /// Everything the engine remembers — every alert's state, flap histories, the samples
    /// predictive rules keep, the last evaluation time — as JSON text, so that a restarted
    /// process (or another replica) continues where this one stopped.
    pub fn snapshot(&self) -> String {
        let rules: serde_json::Map<String, serde_json::Value> =
            self.rules.iter().map(|r| (r.rule.name.clone(), r.state_json())).collect();
        let history: Vec<serde_json::Value> = self
            .history
            .iter()
            .map(|((metric, labels), samples)| {
                // [time ms, value]; ±Inf and NaN as text, which JSON numbers cannot hold.
                let points: Vec<serde_json::Value> = samples
                    .iter()
                    .map(|s| {
                        let v = crate::json_number(s.value).unwrap_or_else(|| crate::fmt_number(s.value).into());
                        serde_json::json!([s.t_ms, v])
                    })
                    .collect();
                serde_json::json!({"metric": metric, "labels": labels, "samples": points})
            })
            .collect();
        serde_json::json!({"version": 1, "last": self.last_ms, "rules": rules, "history": history}).to_string()
    }

    /// Restores a snapshot; rules missing from it start empty, rules no longer defined are
    /// dropped.
    pub fn restore(&mut self, snapshot: &str) -> Result<()> {
        let bad = |reason: String| crate::Error::InvalidValue { field: "state".into(), value: String::new(), reason };
        let doc: serde_json::Value = serde_json::from_str(snapshot).map_err(|e| bad(format!("not JSON: {e}")))?;
        if doc.get("version").and_then(serde_json::Value::as_u64) != Some(1) {
            return Err(bad("not an opsbook rule-engine snapshot (version 1)".into()));
        }
        for rule in &mut self.rules {
            match doc["rules"].get(&rule.rule.name) {
                Some(v) => rule.restore_json(v)?,
                None => rule.restore_json(&serde_json::json!([]))?,
            }
        }
        self.history.clear();
        for h in doc["history"].as_array().into_iter().flatten() {
            let metric = h["metric"].as_str().unwrap_or_default().to_owned();
            let labels: Labels = serde_json::from_value(h["labels"].clone()).map_err(|e| bad(e.to_string()))?;
            let samples: Vec<TimedSample> = h["samples"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let t = p[0].as_i64().ok_or_else(|| bad(format!("bad sample {p}")))?;
                    let v = match &p[1] {
                        serde_json::Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
                        serde_json::Value::String(s) if s == "+Inf" => f64::INFINITY,
                        serde_json::Value::String(s) if s == "-Inf" => f64::NEG_INFINITY,
                        _ => f64::NAN,
                    };
                    Ok(TimedSample::new(t, v))
                })
                .collect::<Result<_>>()?;
            self.history.insert((metric, labels), samples);
        }
        self.last_ms = doc["last"].as_i64();
        Ok(())
    }

    /// Saves the snapshot under `key` in a store.
    pub fn save(&self, store: &dyn crate::state::StateStore, key: &str) -> Result<()> {
        crate::state::save_snapshot(store, key, self.snapshot())
    }

    /// Restores from `key` in a store; false when nothing was saved there.
    pub fn load(&mut self, store: &dyn crate::state::StateStore, key: &str) -> Result<bool> {
        crate::state::load_snapshot(store, key, |text| self.restore(text))
    }
}

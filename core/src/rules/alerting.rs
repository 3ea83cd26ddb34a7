//! One alerting rule's state per label set, following Prometheus' `rules/alerting.go`
//! (`AlertingRule.Eval`): inactive → pending → firing after `for`; a pending alert whose
//! condition clears is dropped without notice; a firing one becomes inactive (resolved) and
//! stays reported as resolved for 15 minutes; `keep_firing_for` holds a firing alert that
//! long after its condition clears; `for: 0` fires on the first evaluation; two results with
//! one label set are an error.

use std::collections::{BTreeMap, HashMap};

use crate::error::{Error, Result};
use crate::rules::condition::{Condition, Labels};
use crate::rules::fingerprint::{fingerprint, fingerprint_hex};
use crate::rules::flapping::{FlapChange, FlapDetector};

/// Prometheus' resolvedRetention.
pub const RESOLVED_RETENTION_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Inactive,
    Pending,
    Firing,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
        }
    }
}

/// A rule as written: name, condition, durations, labels and annotations.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub condition: Condition,
    pub for_ms: i64,
    pub keep_firing_for_ms: i64,
    pub severity: Option<String>,
    pub labels: Labels,
    pub annotations: Labels,
    /// Nagios flap detection for this rule's alerts (None: off).
    pub flapping: Option<(f64, f64)>,
}

impl Rule {
    pub fn new(name: &str, condition: Condition) -> Rule {
        Rule {
            name: name.to_owned(),
            condition,
            for_ms: 0,
            keep_firing_for_ms: 0,
            severity: None,
            labels: Labels::new(),
            annotations: Labels::new(),
            flapping: None,
        }
    }

    /// The labels an alert of this rule carries: the series' labels, the rule's labels
    /// (severity among them), and `alertname`.
    fn alert_labels(&self, series: &Labels) -> Labels {
        let mut l = series.clone();
        for (k, v) in &self.labels {
            l.insert(k.clone(), v.clone());
        }
        if let Some(s) = &self.severity {
            l.insert("severity".into(), s.clone());
        }
        l.insert("alertname".into(), self.name.clone());
        l
    }
}

/// One alert instance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Alert {
    pub labels: Labels,
    pub state: AlertState,
    #[serde(with = "float_text")]
    pub value: f64,
    pub active_at_ms: i64,
    pub fired_at_ms: Option<i64>,
    pub resolved_at_ms: Option<i64>,
    pub keep_firing_since_ms: Option<i64>,
}

/// What happened to an alert at an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Condition true for the first time: pending (or firing at once with `for: 0`).
    Pending,
    /// Pending for `for`: firing — notify.
    Firing,
    /// A firing alert's condition cleared (and `keep_firing_for` ran out) — notify resolved.
    Resolved,
    /// A pending alert's condition cleared before `for`: dropped, no notice.
    PendingCleared,
    /// Nagios flap detection: the alert started or stopped flapping.
    FlapStarted,
    FlapStopped,
}

impl EventKind {
    /// The kind named by `as_str`.
    pub fn from_name(name: &str) -> Option<EventKind> {
        [
            EventKind::Pending,
            EventKind::Firing,
            EventKind::Resolved,
            EventKind::PendingCleared,
            EventKind::FlapStarted,
            EventKind::FlapStopped,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Pending => "pending",
            EventKind::Firing => "firing",
            EventKind::Resolved => "resolved",
            EventKind::PendingCleared => "pending_cleared",
            EventKind::FlapStarted => "flap_started",
            EventKind::FlapStopped => "flap_stopped",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub rule: String,
    pub labels: Labels,
    pub fingerprint: String,
    pub at_ms: i64,
    pub value: f64,
    pub active_at_ms: i64,
    /// Whether a notification should go out: firing and resolved, unless the alert is flapping.
    pub notify: bool,
}

/// One label set's alert and flap history.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Slot {
    labels: Labels,
    fingerprint: String,
    alert: Option<Alert>,
    flap: Option<FlapDetector>,
}

/// A rule with the state of its alerts.
#[derive(Debug, Clone)]
pub struct AlertingRule {
    pub rule: Rule,
    slots: HashMap<u64, Slot>,
}

impl AlertingRule {
    pub fn new(rule: Rule) -> AlertingRule {
        AlertingRule { rule, slots: HashMap::new() }
    }

    /// The alerts and flap histories as JSON (for a StateStore).
    pub(crate) fn state_json(&self) -> serde_json::Value {
        let mut slots: Vec<&Slot> = self.slots.values().collect();
        slots.sort_by(|a, b| a.labels.cmp(&b.labels));
        serde_json::to_value(slots).unwrap_or_default()
    }

    /// Takes back what `state_json` wrote.
    pub(crate) fn restore_json(&mut self, v: &serde_json::Value) -> Result<()> {
        let slots: Vec<Slot> = serde_json::from_value(v.clone()).map_err(|e| Error::InvalidValue {
            field: format!("state.rules.{}", self.rule.name),
            value: String::new(),
            reason: format!("not opsbook rule state: {e}"),
        })?;
        self.slots = slots.into_iter().map(|s| (fingerprint(&s.labels), s)).collect();
        Ok(())
    }

    /// The alerts held now (pending, firing, and resolved within the retention), by labels.
    pub fn alerts(&self) -> Vec<&Alert> {
        let mut v: Vec<&Alert> = self.slots.values().filter_map(|s| s.alert.as_ref()).collect();
        v.sort_by(|a, b| a.labels.cmp(&b.labels));
        v
    }

    /// Evaluates the rule at `ts_ms` given the series that satisfy its condition.
    pub fn eval(&mut self, ts_ms: i64, results: Vec<(Labels, f64)>) -> Result<Vec<Event>> {
        let mut fresh: BTreeMap<u64, (Labels, f64)> = BTreeMap::new();
        for (series, value) in results {
            let labels = self.rule.alert_labels(&series);
            let h = fingerprint(&labels);
            if fresh.contains_key(&h) {
                return Err(Error::InvalidValue {
                    field: format!("rules.{}", self.rule.name),
                    value: fingerprint_hex(&labels),
                    reason: "vector contains metrics with the same labelset after applying alert labels".into(),
                });
            }
            fresh.insert(h, (labels, value));
        }
        let mut order: Vec<(Labels, u64)> = self.slots.iter().map(|(h, s)| (s.labels.clone(), *h)).collect();
        for (h, (labels, _)) in &fresh {
            if !self.slots.contains_key(h) {
                order.push((labels.clone(), *h));
            }
        }
        order.sort();
        let mut events = Vec::new();
        for (labels, h) in order {
            let present = fresh.remove(&h).map(|(_, v)| v);
            self.eval_one(h, &labels, present, ts_ms, &mut events);
        }
        Ok(events)
    }

    /// Evaluates one label set: `present` is the value when the condition holds for it.
    /// `labels` are the alert's labels (series labels, rule labels, alertname) and `h` their
    /// fingerprint.
    pub(crate) fn eval_one(
        &mut self,
        h: u64,
        labels: &Labels,
        present: Option<f64>,
        ts_ms: i64,
        events: &mut Vec<Event>,
    ) {
        let rule = &self.rule;
        // Nothing held and nothing new: nothing to do (the common case of a healthy series).
        if present.is_none() && rule.flapping.is_none() && !self.slots.contains_key(&h) {
            return;
        }
        let slot = self.slots.entry(h).or_insert_with(|| Slot {
            fingerprint: fingerprint_hex(labels),
            labels: labels.clone(),
            alert: None,
            flap: rule.flapping.map(|(low, high)| FlapDetector::new(low, high)),
        });
        let first = events.len();
        let event = |kind: EventKind, a: &Alert, slot_fp: &str| Event {
            kind,
            rule: rule.name.clone(),
            labels: a.labels.clone(),
            fingerprint: slot_fp.to_owned(),
            at_ms: ts_ms,
            value: a.value,
            active_at_ms: a.active_at_ms,
            notify: matches!(kind, EventKind::Firing | EventKind::Resolved),
        };
        if let Some(value) = present {
            match &mut slot.alert {
                Some(a) if a.state != AlertState::Inactive => a.value = value,
                _ => {
                    let a = Alert {
                        labels: slot.labels.clone(),
                        state: AlertState::Pending,
                        value,
                        active_at_ms: ts_ms,
                        fired_at_ms: None,
                        resolved_at_ms: None,
                        keep_firing_since_ms: None,
                    };
                    events.push(event(EventKind::Pending, &a, &slot.fingerprint));
                    slot.alert = Some(a);
                }
            }
        }
        let mut keep_slot_alert = true;
        if let Some(a) = &mut slot.alert {
            let mut advance = true;
            if present.is_none() {
                let mut keep_firing = false;
                if a.state == AlertState::Firing && rule.keep_firing_for_ms > 0 {
                    let since = *a.keep_firing_since_ms.get_or_insert(ts_ms);
                    keep_firing = ts_ms - since < rule.keep_firing_for_ms;
                }
                let remove = a.state == AlertState::Pending
                    || a.resolved_at_ms.is_some_and(|r| ts_ms - r > RESOLVED_RETENTION_MS);
                if a.state != AlertState::Inactive && !keep_firing {
                    let kind =
                        if a.state == AlertState::Pending { EventKind::PendingCleared } else { EventKind::Resolved };
                    a.state = AlertState::Inactive;
                    a.resolved_at_ms = Some(ts_ms);
                    events.push(event(kind, a, &slot.fingerprint));
                }
                keep_slot_alert = !remove;
                advance = keep_firing && !remove;
            } else {
                a.keep_firing_since_ms = None;
            }
            if advance && a.state == AlertState::Pending && ts_ms - a.active_at_ms >= rule.for_ms {
                a.state = AlertState::Firing;
                a.fired_at_ms = Some(ts_ms);
                events.push(event(EventKind::Firing, a, &slot.fingerprint));
            }
        }
        if !keep_slot_alert {
            slot.alert = None;
        }
        if let Some(detector) = &mut slot.flap {
            // Nagios records every result; a flapping alert's notifications are suppressed,
            // including the transition that made it flap.
            let firing = slot.alert.as_ref().is_some_and(|a| a.state == AlertState::Firing);
            let change = detector.record(u8::from(firing));
            if detector.flapping {
                events[first..].iter_mut().for_each(|e| e.notify = false);
            }
            let kind = match change {
                FlapChange::Started => Some(EventKind::FlapStarted),
                FlapChange::Stopped => Some(EventKind::FlapStopped),
                FlapChange::Unchanged => None,
            };
            if let Some(kind) = kind {
                events.push(Event {
                    kind,
                    rule: rule.name.clone(),
                    labels: slot.labels.clone(),
                    fingerprint: slot.fingerprint.clone(),
                    at_ms: ts_ms,
                    value: slot.alert.as_ref().map_or(f64::NAN, |a| a.value),
                    active_at_ms: slot.alert.as_ref().map_or(ts_ms, |a| a.active_at_ms),
                    notify: true,
                });
            }
        }
        let idle = slot.alert.is_none() && slot.flap.as_ref().is_none_or(|d| !d.flapping && !detector_has_changes(d));
        if idle {
            self.slots.remove(&h);
        }
    }

    /// The labels and fingerprint of this rule's alert for a series.
    pub(crate) fn labels_for(&self, series: &Labels) -> (Labels, u64) {
        let labels = self.rule.alert_labels(series);
        let h = fingerprint(&labels);
        (labels, h)
    }

    /// Whether every alert this rule holds belongs to the label set `h`.
    pub(crate) fn only_holds(&self, h: u64) -> bool {
        self.slots.keys().all(|k| *k == h)
    }
}

/// A detector whose history is all one state carries nothing worth keeping.
fn detector_has_changes(d: &FlapDetector) -> bool {
    d.percent_state_change > 0.0
}

/// ±Inf and NaN kept through JSON as text.
mod float_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() { s.serialize_f64(*v) } else { s.serialize_str(&crate::fmt_number(*v)) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(f64),
            Text(String),
        }
        match Either::deserialize(d)? {
            Either::Number(v) => Ok(v),
            Either::Text(t) => match t.as_str() {
                "+Inf" => Ok(f64::INFINITY),
                "-Inf" => Ok(f64::NEG_INFINITY),
                _ => Ok(f64::NAN),
            },
        }
    }
}

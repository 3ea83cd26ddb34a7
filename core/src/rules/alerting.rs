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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub labels: Labels,
    pub state: AlertState,
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

/// A rule with the state of its alerts.
#[derive(Debug, Clone)]
pub struct AlertingRule {
    pub rule: Rule,
    active: HashMap<u64, Alert>,
    flaps: HashMap<u64, (Labels, FlapDetector)>,
}

impl AlertingRule {
    pub fn new(rule: Rule) -> AlertingRule {
        AlertingRule { rule, active: HashMap::new(), flaps: HashMap::new() }
    }

    /// The alerts held now (pending, firing, and resolved within the retention), by labels.
    pub fn alerts(&self) -> Vec<&Alert> {
        let mut v: Vec<&Alert> = self.active.values().collect();
        v.sort_by(|a, b| a.labels.cmp(&b.labels));
        v
    }

    /// Evaluates the rule at `ts_ms` given the series that satisfy its condition.
    pub fn eval(&mut self, ts_ms: i64, results: Vec<(Labels, f64)>) -> Result<Vec<Event>> {
        let mut fresh: BTreeMap<u64, Alert> = BTreeMap::new();
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
            let alert = Alert {
                labels,
                state: AlertState::Pending,
                value,
                active_at_ms: ts_ms,
                fired_at_ms: None,
                resolved_at_ms: None,
                keep_firing_since_ms: None,
            };
            fresh.insert(h, alert);
        }
        let mut events = Vec::new();
        let event = |kind: EventKind, a: &Alert| Event {
            kind,
            rule: self.rule.name.clone(),
            labels: a.labels.clone(),
            fingerprint: fingerprint_hex(&a.labels),
            at_ms: ts_ms,
            value: a.value,
            active_at_ms: a.active_at_ms,
            notify: matches!(kind, EventKind::Firing | EventKind::Resolved),
        };
        for (h, a) in &fresh {
            match self.active.get_mut(h) {
                Some(existing) if existing.state != AlertState::Inactive => existing.value = a.value,
                _ => {
                    events.push(event(EventKind::Pending, a));
                    self.active.insert(*h, a.clone());
                }
            }
        }
        let mut hashes: Vec<u64> = self.active.keys().copied().collect();
        hashes.sort_by(|a, b| self.active[a].labels.cmp(&self.active[b].labels));
        for h in hashes {
            let a = self.active.get_mut(&h).expect("key taken from the map");
            if !fresh.contains_key(&h) {
                let mut keep_firing = false;
                if a.state == AlertState::Firing && self.rule.keep_firing_for_ms > 0 {
                    let since = *a.keep_firing_since_ms.get_or_insert(ts_ms);
                    keep_firing = ts_ms - since < self.rule.keep_firing_for_ms;
                }
                let remove = a.state == AlertState::Pending
                    || a.resolved_at_ms.is_some_and(|r| ts_ms - r > RESOLVED_RETENTION_MS);
                if a.state != AlertState::Inactive && !keep_firing {
                    let kind =
                        if a.state == AlertState::Pending { EventKind::PendingCleared } else { EventKind::Resolved };
                    a.state = AlertState::Inactive;
                    a.resolved_at_ms = Some(ts_ms);
                    events.push(event(kind, a));
                }
                if remove {
                    self.active.remove(&h);
                    continue;
                }
                if !keep_firing {
                    continue;
                }
            } else {
                a.keep_firing_since_ms = None;
            }
            if a.state == AlertState::Pending && ts_ms - a.active_at_ms >= self.rule.for_ms {
                a.state = AlertState::Firing;
                a.fired_at_ms = Some(ts_ms);
                events.push(event(EventKind::Firing, a));
            }
        }
        if let Some((low, high)) = self.rule.flapping {
            self.detect_flapping(ts_ms, low, high, &mut events);
        }
        Ok(events)
    }

    /// Records each known alert's state (firing or not) and suppresses notifications of
    /// flapping alerts, announcing flap start and stop.
    fn detect_flapping(&mut self, ts_ms: i64, low: f64, high: f64, events: &mut Vec<Event>) {
        for (h, a) in &self.active {
            self.flaps.entry(*h).or_insert_with(|| (a.labels.clone(), FlapDetector::new(low, high)));
        }
        let mut keys: Vec<u64> = self.flaps.keys().copied().collect();
        keys.sort_by(|a, b| self.flaps[a].0.cmp(&self.flaps[b].0));
        for h in keys {
            let firing = self.active.get(&h).is_some_and(|a| a.state == AlertState::Firing);
            let (labels, detector) = self.flaps.get_mut(&h).expect("key taken from the map");
            let change = detector.record(u8::from(firing));
            let flapping = detector.flapping;
            if flapping {
                // A flapping alert's notifications are suppressed (Nagios), including the
                // transition that made it flap.
                events.iter_mut().filter(|e| &e.labels == labels).for_each(|e| e.notify = false);
            }
            let kind = match change {
                FlapChange::Started => Some(EventKind::FlapStarted),
                FlapChange::Stopped => Some(EventKind::FlapStopped),
                FlapChange::Unchanged => None,
            };
            if let Some(kind) = kind {
                let a = self.active.get(&h);
                events.push(Event {
                    kind,
                    rule: self.rule.name.clone(),
                    labels: labels.clone(),
                    fingerprint: fingerprint_hex(labels),
                    at_ms: ts_ms,
                    value: a.map_or(f64::NAN, |a| a.value),
                    active_at_ms: a.map_or(ts_ms, |a| a.active_at_ms),
                    notify: true,
                });
            }
            if !flapping && !self.active.contains_key(&h) && !detector_has_changes(detector) {
                self.flaps.remove(&h);
            }
        }
    }
}

/// A detector whose history is all one state carries nothing worth keeping.
fn detector_has_changes(d: &FlapDetector) -> bool {
    d.percent_state_change > 0.0
}

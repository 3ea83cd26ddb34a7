//! Notification policy with Alertmanager's meanings (`dispatch/dispatch.go`,
//! `notify/notify.go`, `silence/`, `inhibit/`): alerts are grouped by `group_by` labels;
//! a new group is flushed after `group_wait`, then every `group_interval`; a flush notifies
//! when a firing alert was not in the last notification, when everything that was notified
//! as firing has resolved, when (with `send_resolved`) a resolved alert is new, or when
//! `repeat_interval` has passed; silences and inhibitions mute firing alerts.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::rules::alerting::{Event, EventKind};
use crate::rules::condition::Labels;
use crate::rules::fingerprint::{fingerprint, fingerprint_hex};

/// A label matcher as Alertmanager writes them: `name="v"`, `name!="v"`, `name=~"re"`,
/// `name!~"re"` (regexes anchored at both ends; a missing label matches as "").
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    regex: Option<Regex>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Matcher) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Matcher {
    pub fn new(name: &str, op: MatchOp, value: &str) -> Result<Matcher> {
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => Some(
                Regex::new(&format!("^(?:{value})$"))
                    .map_err(|e| Error::invalid_value(&format!("matcher {name}"), value, format!("bad regex: {e}")))?,
            ),
            _ => None,
        };
        Ok(Matcher { name: name.to_owned(), op, value: value.to_owned(), regex })
    }

    /// Parses `name=value`, `name!="value"`, `name=~"re.*"`, `name!~re`.
    pub fn parse(text: &str) -> Result<Matcher> {
        let bad =
            || Error::invalid_value("matcher", text, "expected name=value, name!=value, name=~regex or name!~regex");
        let (name, rest) = text.split_at(text.find(['=', '!']).ok_or_else(bad)?);
        let (op, value) = if let Some(v) = rest.strip_prefix("=~") {
            (MatchOp::Regex, v)
        } else if let Some(v) = rest.strip_prefix("!~") {
            (MatchOp::NotRegex, v)
        } else if let Some(v) = rest.strip_prefix("!=") {
            (MatchOp::NotEqual, v)
        } else if let Some(v) = rest.strip_prefix('=') {
            (MatchOp::Equal, v)
        } else {
            return Err(bad());
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad());
        }
        let value = value.trim();
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        Matcher::new(name, op, value)
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        let v = labels.get(&self.name).map(String::as_str).unwrap_or("");
        match self.op {
            MatchOp::Equal => v == self.value,
            MatchOp::NotEqual => v != self.value,
            MatchOp::Regex => self.regex.as_ref().is_some_and(|r| r.is_match(v)),
            MatchOp::NotRegex => !self.regex.as_ref().is_some_and(|r| r.is_match(v)),
        }
    }
}

fn all_match(matchers: &[Matcher], labels: &Labels) -> bool {
    matchers.iter().all(|m| m.matches(labels))
}

/// A silence: matchers and a time window [starts, ends).
#[derive(Debug, Clone, PartialEq)]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub created_by: String,
    pub comment: String,
}

impl Silence {
    pub fn mutes(&self, labels: &Labels, now_ms: i64) -> bool {
        self.starts_at_ms <= now_ms && now_ms < self.ends_at_ms && all_match(&self.matchers, labels)
    }
}

/// Alertmanager's inhibit rule: a firing alert matching `source` mutes alerts matching
/// `target` that have the same values for the `equal` labels (an alert never inhibits itself).
#[derive(Debug, Clone, PartialEq)]
pub struct InhibitRule {
    pub source: Vec<Matcher>,
    pub target: Vec<Matcher>,
    pub equal: Vec<String>,
}

/// The route: receiver and grouping timers (Alertmanager's defaults: 30s, 5m, 4h).
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub receiver: String,
    /// Labels to group by; None groups by every label (`...`).
    pub group_by: Option<Vec<String>>,
    pub group_wait_ms: i64,
    pub group_interval_ms: i64,
    pub repeat_interval_ms: i64,
    pub send_resolved: bool,
}

impl Default for Route {
    fn default() -> Route {
        Route {
            receiver: "default".into(),
            group_by: Some(vec!["alertname".into()]),
            group_wait_ms: 30_000,
            group_interval_ms: 300_000,
            repeat_interval_ms: 4 * 3_600_000,
            send_resolved: true,
        }
    }
}

/// An alert as Alertmanager holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AmAlert {
    pub labels: Labels,
    pub annotations: Labels,
    pub starts_at_ms: i64,
    /// Set when resolved.
    pub ends_at_ms: Option<i64>,
    pub fingerprint: String,
}

impl AmAlert {
    pub fn resolved(&self) -> bool {
        self.ends_at_ms.is_some()
    }

    /// Alertmanager's webhook/API shape.
    pub fn to_json(&self) -> Value {
        json!({
            "status": if self.resolved() { "resolved" } else { "firing" },
            "labels": self.labels,
            "annotations": self.annotations,
            "startsAt": crate::format::timestamp_ms_rfc3339(self.starts_at_ms),
            "endsAt": self.ends_at_ms.map(crate::format::timestamp_ms_rfc3339).unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
            "fingerprint": self.fingerprint,
        })
    }
}

/// One notification to a receiver: Alertmanager's notification group.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub at_ms: i64,
    pub receiver: String,
    pub group_key: String,
    pub group_labels: Labels,
    pub common_labels: Labels,
    pub common_annotations: Labels,
    pub alerts: Vec<AmAlert>,
}

impl Notification {
    /// "firing" when any alert fires, else "resolved".
    pub fn status(&self) -> &'static str {
        if self.alerts.iter().any(|a| !a.resolved()) { "firing" } else { "resolved" }
    }

    /// Alertmanager's webhook payload (version 4).
    pub fn to_webhook_json(&self, external_url: &str) -> Value {
        json!({
            "version": "4",
            "groupKey": self.group_key,
            "truncatedAlerts": 0,
            "status": self.status(),
            "receiver": self.receiver,
            "groupLabels": self.group_labels,
            "commonLabels": self.common_labels,
            "commonAnnotations": self.common_annotations,
            "externalURL": external_url,
            "alerts": self.alerts.iter().map(AmAlert::to_json).collect::<Vec<_>>(),
        })
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Group {
    labels: Labels,
    alerts: BTreeMap<u64, AmAlert>,
    next_flush_ms: i64,
    /// The last notification: firing and resolved fingerprints, and when.
    last: Option<(Vec<u64>, Vec<u64>, i64)>,
}

/// Groups alerts and decides when to notify.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    pub route: Route,
    pub silences: Vec<Silence>,
    pub inhibit_rules: Vec<InhibitRule>,
    groups: BTreeMap<String, Group>,
}

impl Dispatcher {
    pub fn new(route: Route) -> Dispatcher {
        Dispatcher { route, silences: Vec::new(), inhibit_rules: Vec::new(), groups: BTreeMap::new() }
    }

    fn group_labels(&self, labels: &Labels) -> Labels {
        match &self.route.group_by {
            None => labels.clone(),
            Some(names) => names.iter().filter_map(|n| labels.get(n).map(|v| (n.clone(), v.clone()))).collect(),
        }
    }

    /// Takes a firing or resolved event that should be notified (others are ignored), with
    /// the rule's annotations.
    pub fn receive(&mut self, event: &Event, annotations: &Labels) {
        if !event.notify || !matches!(event.kind, EventKind::Firing | EventKind::Resolved) {
            return;
        }
        let glabels = self.group_labels(&event.labels);
        let key = format!("{{}}:{}", labels_text(&glabels));
        let wait = self.route.group_wait_ms;
        let group = self.groups.entry(key).or_insert_with(|| Group {
            labels: glabels,
            alerts: BTreeMap::new(),
            next_flush_ms: event.at_ms + wait,
            last: None,
        });
        let h = fingerprint(&event.labels);
        let starts = match group.alerts.get(&h) {
            Some(a) if !a.resolved() => a.starts_at_ms,
            _ => event.active_at_ms.min(event.at_ms),
        };
        group.alerts.insert(
            h,
            AmAlert {
                labels: event.labels.clone(),
                annotations: annotations.clone(),
                starts_at_ms: if event.kind == EventKind::Firing { event.at_ms } else { starts },
                ends_at_ms: (event.kind == EventKind::Resolved).then_some(event.at_ms),
                fingerprint: fingerprint_hex(&event.labels),
            },
        );
    }

    /// Whether a firing alert is muted now by a silence or an inhibition.
    pub fn muted(&self, alert: &AmAlert, now_ms: i64) -> bool {
        if self.silences.iter().any(|s| s.mutes(&alert.labels, now_ms)) {
            return true;
        }
        self.inhibit_rules.iter().any(|rule| {
            all_match(&rule.target, &alert.labels)
                && self.groups.values().flat_map(|g| g.alerts.values()).any(|source| {
                    !source.resolved()
                        && source.fingerprint != alert.fingerprint
                        && all_match(&rule.source, &source.labels)
                        && rule.equal.iter().all(|l| source.labels.get(l) == alert.labels.get(l))
                })
        })
    }

    /// What the dispatcher remembers — every group's alerts, next flush time and last
    /// notification — as JSON text; the route, silences and inhibit rules come from the
    /// policy, not from the snapshot.
    pub fn snapshot(&self) -> String {
        serde_json::json!({"version": 1, "groups": self.groups}).to_string()
    }

    /// Restores a snapshot taken by [`Dispatcher::snapshot`].
    pub fn restore(&mut self, snapshot: &str) -> Result<()> {
        #[derive(serde::Deserialize)]
        struct Snapshot {
            version: u32,
            groups: BTreeMap<String, Group>,
        }
        let snap: Snapshot = serde_json::from_str(snapshot)
            .map_err(|e| Error::invalid_value("state", "", format!("not a dispatcher snapshot: {e}")))?;
        if snap.version != 1 {
            return Err(Error::invalid_value(
                "state",
                &snap.version.to_string(),
                "unknown dispatcher snapshot version",
            ));
        }
        self.groups = snap.groups;
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

    /// The next time a group is due, if any.
    pub fn next_due(&self) -> Option<i64> {
        self.groups.values().map(|g| g.next_flush_ms).min()
    }

    /// Flushes every group due at `now_ms` and returns the notifications to send.
    pub fn tick(&mut self, now_ms: i64) -> Vec<Notification> {
        let due: Vec<String> =
            self.groups.iter().filter(|(_, g)| g.next_flush_ms <= now_ms).map(|(k, _)| k.clone()).collect();
        let mut out = Vec::new();
        for key in due {
            let group = self.groups[&key].clone();
            let mut firing = Vec::new();
            let mut resolved = Vec::new();
            let mut alerts = Vec::new();
            for (h, a) in &group.alerts {
                if a.resolved() {
                    resolved.push(*h);
                    alerts.push(a.clone());
                } else if !self.muted(a, now_ms) {
                    firing.push(*h);
                    alerts.push(a.clone());
                }
            }
            // Muting everything stops the pipeline before the notification log (Alertmanager's
            // MultiStage): nothing is sent and the last notification stays as it was.
            let needs = !alerts.is_empty()
                && match &group.last {
                    None => !firing.is_empty(),
                    Some((last_firing, last_resolved, at)) => {
                        if !firing.iter().all(|h| last_firing.contains(h)) {
                            true
                        } else if firing.is_empty() {
                            !last_firing.is_empty()
                        } else if self.route.send_resolved && !resolved.iter().all(|h| last_resolved.contains(h)) {
                            true
                        } else {
                            *at < now_ms - self.route.repeat_interval_ms
                        }
                    }
                };
            let g = self.groups.get_mut(&key).expect("due groups exist");
            if needs {
                if !self.route.send_resolved {
                    alerts.retain(|a| !a.resolved());
                }
                if !alerts.is_empty() {
                    out.push(Notification {
                        at_ms: now_ms,
                        receiver: self.route.receiver.clone(),
                        group_key: key.clone(),
                        group_labels: g.labels.clone(),
                        common_labels: common(alerts.iter().map(|a| &a.labels)),
                        common_annotations: common(alerts.iter().map(|a| &a.annotations)),
                        alerts,
                    });
                }
                g.last = Some((firing, resolved.clone(), now_ms));
            }
            // Resolved alerts leave the group once flushed.
            for h in resolved {
                g.alerts.remove(&h);
            }
            g.next_flush_ms = now_ms + self.route.group_interval_ms;
            if g.alerts.is_empty() {
                self.groups.remove(&key);
            }
        }
        out
    }
}

/// The labels every map shares with the same value.
fn common<'a>(mut maps: impl Iterator<Item = &'a Labels>) -> Labels {
    let Some(first) = maps.next() else { return Labels::new() };
    let mut out = first.clone();
    for m in maps {
        out.retain(|k, v| m.get(k) == Some(v));
    }
    out
}

fn labels_text(labels: &Labels) -> String {
    let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={}", crate::rules::condition::go_quote(v))).collect();
    format!("{{{}}}", l.join(","))
}

pub use crate::rules::escalation::dispatcher_from_value;

impl Notification {
    /// opsbook's JSON for a notification: the webhook payload plus when it was sent.
    pub fn to_json(&self) -> Value {
        let mut v = self.to_webhook_json("");
        v["time"] = json!(crate::format::timestamp_ms_rfc3339(self.at_ms));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn matchers_as_alertmanager_reads_them() {
        let l = labels(&[("severity", "critical"), ("instance", "web-1")]);
        assert!(Matcher::parse("severity=\"critical\"").unwrap().matches(&l));
        assert!(Matcher::parse("severity!=warning").unwrap().matches(&l));
        assert!(Matcher::parse("instance=~\"web-.*\"").unwrap().matches(&l));
        // Anchored: "web" alone does not match "web-1".
        assert!(!Matcher::parse("instance=~web").unwrap().matches(&l));
        assert!(Matcher::parse("instance!~\"db-.*\"").unwrap().matches(&l));
        // A missing label is the empty string.
        assert!(Matcher::parse("team=\"\"").unwrap().matches(&l));
        assert!(Matcher::parse("team=~\".*\"").unwrap().matches(&l));
        assert!(Matcher::parse("nothing").is_err());
        let err = Matcher::parse("a=~\"(\"").unwrap_err().to_string();
        assert!(err.contains("bad regex"), "{err}");
    }
}

//! Incidents and escalation as the manuals run them: a firing alert opens an incident at the
//! level its severity maps to (P0 whole site down, 5 min ... P3 cosmetic, 2 h); nobody
//! acknowledging within the level's response time escalates it toward more urgent levels
//! (DESIGN: levels are ordered most urgent first; a manual numbered the other way maps its
//! names in the policy); acknowledge and resolve are calls; the alert resolving auto-resolves
//! it. Auto-recovery hooks (restart, clear cache, clean up) are callbacks the embedding
//! application registers — opsbook never acts on its own — and their outcome joins the
//! timeline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::rules::alerting::{Event, EventKind};
use crate::rules::condition::Labels;

/// One escalation level.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// "P0", "Level 3", ...
    pub name: String,
    /// Time to acknowledge before escalating.
    pub response_ms: i64,
    /// Who is called at this level.
    pub contacts: Vec<String>,
    /// Where notifications go at this level.
    pub channels: Vec<String>,
    /// Time to recover (the manuals' 恢复目标): an incident opened at this level and not
    /// resolved by then is past its target.
    pub recovery_ms: Option<i64>,
}

impl Level {
    /// ` (contact, contact)`, or nothing when nobody is named.
    fn who(&self) -> String {
        if self.contacts.is_empty() { String::new() } else { format!(" ({})", self.contacts.join(", ")) }
    }
}

/// Levels (most urgent first) and which severity opens at which level.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationPolicy {
    pub levels: Vec<Level>,
    /// severity label value → level name; unmapped severities open at the least urgent level.
    pub severity_levels: BTreeMap<String, String>,
    /// How long a closed (resolved or auto-resolved) incident is kept after its last
    /// timeline entry; None keeps it for ever. Kept state is rewritten at every save, so
    /// it must not grow without end.
    pub keep_closed_ms: Option<i64>,
}

/// How long closed incidents are kept unless the policy says (`keep_closed`): 90 days, the
/// longest retention the manuals keep records online.
pub const DEFAULT_KEEP_CLOSED_MS: i64 = 90 * 86_400_000;

impl EscalationPolicy {
    /// The manuals' P0-P3 (whole site down 5 min, core function 15 min, partial 30 min,
    /// cosmetic 2 h) with critical → P1, warning → P2, info → P3.
    pub fn manual_p0_p3() -> EscalationPolicy {
        let level = |name: &str, minutes: i64, contacts: &[&str]| Level {
            name: name.into(),
            response_ms: minutes * 60_000,
            contacts: contacts.iter().map(|c| c.to_string()).collect(),
            channels: Vec::new(),
            recovery_ms: None,
        };
        EscalationPolicy {
            levels: vec![
                level("P0", 5, &["cto"]),
                level("P1", 15, &["lead"]),
                level("P2", 30, &["engineer"]),
                level("P3", 120, &["engineer"]),
            ],
            severity_levels: [("critical", "P1"), ("warning", "P2"), ("info", "P3")]
                .into_iter()
                .map(|(s, l)| (s.to_owned(), l.to_owned()))
                .collect(),
            keep_closed_ms: Some(DEFAULT_KEEP_CLOSED_MS),
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.levels.is_empty() {
            return Err(Error::invalid_value("escalation.levels", "", "needs at least one level"));
        }
        for (i, l) in self.levels.iter().enumerate() {
            if l.response_ms <= 0 {
                return Err(Error::invalid_value(
                    &format!("escalation.levels[{i}].response"),
                    &l.name,
                    "must be positive",
                ));
            }
            if self.levels[..i].iter().any(|o| o.name == l.name) {
                return Err(Error::invalid_value(
                    &format!("escalation.levels[{i}].name"),
                    &l.name,
                    "two levels share this name",
                ));
            }
        }
        for (severity, level) in &self.severity_levels {
            if !self.levels.iter().any(|l| &l.name == level) {
                return Err(Error::invalid_value(&format!("escalation.severities.{severity}"), level, "no such level"));
            }
        }
        Ok(())
    }

    fn index_for(&self, severity: Option<&str>) -> usize {
        severity
            .and_then(|s| self.severity_levels.get(s))
            .and_then(|name| self.levels.iter().position(|l| &l.name == name))
            .unwrap_or(self.levels.len() - 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Open,
    Acknowledged,
    AutoResolved,
    Resolved,
}

impl IncidentStatus {
    /// The status `as_str` names.
    pub fn from_name(name: &str) -> Option<IncidentStatus> {
        [IncidentStatus::Open, IncidentStatus::Acknowledged, IncidentStatus::AutoResolved, IncidentStatus::Resolved]
            .into_iter()
            .find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Acknowledged => "acknowledged",
            IncidentStatus::AutoResolved => "auto_resolved",
            IncidentStatus::Resolved => "resolved",
        }
    }
}

/// One entry of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at_ms: i64,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    /// The rule (alert name): "service down", "high memory", ...
    pub kind: String,
    pub labels: Labels,
    pub severity: Option<String>,
    pub level: String,
    pub status: IncidentStatus,
    pub opened_at_ms: i64,
    /// When the current level's response time runs out.
    pub escalate_at_ms: Option<i64>,
    pub timeline: Vec<TimelineEntry>,
    /// When it should be resolved by: opened + the opening level's recovery target.
    #[serde(default)]
    pub recover_by_ms: Option<i64>,
}

/// One escalation step: when it fell due, which incident, the level it moved to.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    pub at_ms: i64,
    pub incident: String,
    pub level: String,
}

/// The outcome of an auto-recovery hook.
#[derive(Debug, Clone, PartialEq)]
pub struct HookOutcome {
    pub succeeded: bool,
    pub detail: String,
}

type Hook = Box<dyn Fn(&Incident) -> HookOutcome + Send + Sync>;

/// Open incidents by alert fingerprint, their escalation, and the registered hooks.
pub struct IncidentManager {
    pub policy: EscalationPolicy,
    incidents: BTreeMap<String, Incident>,
    by_alert: BTreeMap<String, String>,
    hooks: BTreeMap<String, Hook>,
    next_id: u64,
}

impl IncidentManager {
    pub fn new(policy: EscalationPolicy) -> Result<IncidentManager> {
        policy.validate()?;
        Ok(IncidentManager {
            policy,
            incidents: BTreeMap::new(),
            by_alert: BTreeMap::new(),
            hooks: BTreeMap::new(),
            next_id: 1,
        })
    }

    /// Every incident, the alert → incident index and the next id as JSON text, so that a
    /// later process (the next cron run, another replica) continues the same incidents.
    /// Hooks are code and are registered again by the embedding application.
    pub fn snapshot(&self) -> String {
        serde_json::json!({
            "version": 1,
            "next_id": self.next_id,
            "incidents": self.incidents.values().collect::<Vec<_>>(),
            "by_alert": self.by_alert,
        })
        .to_string()
    }

    /// Restores a snapshot taken by [`IncidentManager::snapshot`]. Incidents at a level the
    /// policy no longer has keep their level name and escalate from the most urgent one.
    pub fn restore(&mut self, snapshot: &str) -> Result<()> {
        #[derive(Deserialize)]
        struct Snapshot {
            version: u32,
            next_id: u64,
            incidents: Vec<Incident>,
            by_alert: BTreeMap<String, String>,
        }
        let snap: Snapshot = serde_json::from_str(snapshot)
            .map_err(|e| Error::invalid_value("state", "", format!("not an incident snapshot: {e}")))?;
        if snap.version != 1 {
            return Err(Error::invalid_value("state", &snap.version.to_string(), "unknown incident snapshot version"));
        }
        self.incidents = snap.incidents.into_iter().map(|i| (i.id.clone(), i)).collect();
        self.by_alert = snap.by_alert;
        self.next_id = snap.next_id;
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

    /// Registers an auto-recovery hook for incidents of one kind (the rule's name).
    pub fn register_hook(&mut self, kind: &str, hook: impl Fn(&Incident) -> HookOutcome + Send + Sync + 'static) {
        self.hooks.insert(kind.to_owned(), Box::new(hook));
    }

    pub fn incident(&self, id: &str) -> Option<&Incident> {
        self.incidents.get(id)
    }

    pub fn incidents(&self) -> impl Iterator<Item = &Incident> {
        self.incidents.values()
    }

    /// How many incidents are kept (open and closed).
    pub fn len(&self) -> usize {
        self.incidents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty()
    }

    /// Opens an incident for a firing alert (running its hook), or auto-resolves the one a
    /// resolved alert belongs to. Returns the incident's id when one was touched.
    pub fn on_event(&mut self, event: &Event) -> Option<String> {
        match event.kind {
            EventKind::Firing => {
                if let Some(id) = self.by_alert.get(&event.fingerprint) {
                    return Some(id.clone());
                }
                let severity = event.labels.get("severity").cloned();
                let index = self.policy.index_for(severity.as_deref());
                let level = &self.policy.levels[index];
                let id = format!("INC-{:04}", self.next_id);
                self.next_id += 1;
                let mut incident = Incident {
                    id: id.clone(),
                    kind: event.rule.clone(),
                    labels: event.labels.clone(),
                    severity,
                    level: level.name.clone(),
                    status: IncidentStatus::Open,
                    opened_at_ms: event.at_ms,
                    escalate_at_ms: Some(event.at_ms + level.response_ms),
                    recover_by_ms: level.recovery_ms.map(|r| event.at_ms + r),
                    timeline: vec![TimelineEntry {
                        at_ms: event.at_ms,
                        what: format!("opened at {}{}: {} firing", level.name, level.who(), event.rule),
                    }],
                };
                if let Some(hook) = self.hooks.get(&event.rule) {
                    let outcome = hook(&incident);
                    incident.timeline.push(TimelineEntry {
                        at_ms: event.at_ms,
                        what: format!(
                            "auto-recovery {}: {}",
                            if outcome.succeeded { "succeeded" } else { "failed" },
                            outcome.detail
                        ),
                    });
                }
                self.by_alert.insert(event.fingerprint.clone(), id.clone());
                self.incidents.insert(id.clone(), incident);
                Some(id)
            }
            EventKind::Resolved => {
                let id = self.by_alert.remove(&event.fingerprint)?;
                let incident = self.incidents.get_mut(&id)?;
                if matches!(incident.status, IncidentStatus::Open | IncidentStatus::Acknowledged) {
                    incident.status = IncidentStatus::AutoResolved;
                    incident.escalate_at_ms = None;
                    incident
                        .timeline
                        .push(TimelineEntry { at_ms: event.at_ms, what: "alert resolved: auto-resolved".into() });
                }
                Some(id)
            }
            _ => None,
        }
    }

    fn get_mut(&mut self, id: &str) -> Result<&mut Incident> {
        self.incidents.get_mut(id).ok_or_else(|| Error::invalid_value("incident", id, "no such incident"))
    }

    /// Adds a line to an incident's timeline (what a recovery step run by the caller did).
    pub fn record(&mut self, id: &str, what: &str, at_ms: i64) -> Result<()> {
        let incident = self.get_mut(id)?;
        incident.timeline.push(TimelineEntry { at_ms, what: what.to_owned() });
        Ok(())
    }

    /// Someone took it: escalation stops.
    pub fn acknowledge(&mut self, id: &str, by: &str, at_ms: i64) -> Result<()> {
        let incident = self.get_mut(id)?;
        if incident.status != IncidentStatus::Open {
            return Err(Error::invalid_value("incident", id, format!("is {}, not open", incident.status.as_str())));
        }
        incident.status = IncidentStatus::Acknowledged;
        incident.escalate_at_ms = None;
        incident.timeline.push(TimelineEntry { at_ms, what: format!("acknowledged by {by}") });
        Ok(())
    }

    /// Closed by a person, with what was done.
    pub fn resolve(&mut self, id: &str, by: &str, note: &str, at_ms: i64) -> Result<()> {
        let incident = self.get_mut(id)?;
        if matches!(incident.status, IncidentStatus::Resolved | IncidentStatus::AutoResolved) {
            return Err(Error::invalid_value("incident", id, format!("is already {}", incident.status.as_str())));
        }
        incident.status = IncidentStatus::Resolved;
        incident.escalate_at_ms = None;
        incident.timeline.push(TimelineEntry { at_ms, what: format!("resolved by {by}: {note}") });
        self.by_alert.retain(|_, v| v != id);
        Ok(())
    }

    /// Escalates every open incident whose response time ran out by `now_ms`, one level
    /// toward the most urgent per response time; returns (id, new level) for each step.
    pub fn tick(&mut self, now_ms: i64) -> Vec<(String, String)> {
        self.escalate(now_ms).into_iter().map(|e| (e.incident, e.level)).collect()
    }

    /// The next time an open incident escalates, if any.
    pub fn next_due(&self) -> Option<i64> {
        self.incidents.values().filter(|i| i.status == IncidentStatus::Open).filter_map(|i| i.escalate_at_ms).min()
    }

    /// As [`IncidentManager::tick`], with the time each step fell due. Closed incidents past
    /// the policy's `keep_closed` are forgotten here.
    pub fn escalate(&mut self, now_ms: i64) -> Vec<Escalation> {
        if let Some(keep) = self.policy.keep_closed_ms {
            self.incidents.retain(|_, i| {
                let open = matches!(i.status, IncidentStatus::Open | IncidentStatus::Acknowledged);
                open || i.timeline.last().map_or(i.opened_at_ms, |e| e.at_ms) >= now_ms - keep
            });
        }
        let mut out = Vec::new();
        for incident in self.incidents.values_mut() {
            while incident.status == IncidentStatus::Open && incident.escalate_at_ms.is_some_and(|t| t <= now_ms) {
                let due = incident.escalate_at_ms.unwrap_or(now_ms);
                let index = self.policy.levels.iter().position(|l| l.name == incident.level).unwrap_or(0);
                if index == 0 {
                    // The most urgent level: call it again every response time.
                    let level = &self.policy.levels[0];
                    incident.timeline.push(TimelineEntry {
                        at_ms: due,
                        what: if level.contacts.is_empty() {
                            format!("not acknowledged at {}: calling again", level.name)
                        } else {
                            format!("not acknowledged at {}: calling {} again", level.name, level.contacts.join(", "))
                        },
                    });
                    incident.escalate_at_ms = Some(due + level.response_ms);
                    out.push(Escalation { at_ms: due, incident: incident.id.clone(), level: level.name.clone() });
                    continue;
                }
                let next = &self.policy.levels[index - 1];
                incident.timeline.push(TimelineEntry {
                    at_ms: due,
                    what: format!("not acknowledged at {}: escalated to {}{}", incident.level, next.name, next.who()),
                });
                incident.level = next.name.clone();
                incident.escalate_at_ms = Some(due + next.response_ms);
                out.push(Escalation { at_ms: due, incident: incident.id.clone(), level: next.name.clone() });
            }
        }
        out
    }
}

pub use crate::rules::escalation::escalation_from_value;

impl Incident {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "kind": self.kind,
            "labels": self.labels,
            "severity": self.severity,
            "level": self.level,
            "status": self.status.as_str(),
            "opened_at": crate::format::timestamp_ms_rfc3339(self.opened_at_ms),
            "escalate_at": self.escalate_at_ms.map(crate::format::timestamp_ms_rfc3339),
            "recover_by": self.recover_by_ms.map(crate::format::timestamp_ms_rfc3339),
            "timeline": self.timeline.iter().map(|e| serde_json::json!({
                "time": crate::format::timestamp_ms_rfc3339(e.at_ms), "what": e.what
            })).collect::<Vec<_>>(),
        })
    }
}

/// A table of incidents: id, status, level, kind, opened, labels (without alertname).
pub fn incidents_to_text<'a>(incidents: impl IntoIterator<Item = &'a Incident>) -> String {
    let mut out = String::from("ID        STATUS         LEVEL     OPENED                KIND  LABELS\n");
    for i in incidents {
        let labels: Vec<String> =
            i.labels.iter().filter(|(k, _)| *k != "alertname").map(|(k, v)| format!("{k}={v}")).collect();
        out.push_str(&format!(
            "{:<9} {:<14} {:<9} {:<21} {}  {}\n",
            i.id,
            i.status.as_str(),
            i.level,
            crate::format::timestamp_ms_rfc3339(i.opened_at_ms),
            i.kind,
            labels.join(",")
        ));
    }
    out
}

impl Incident {
    /// The incident and its timeline, one line per entry.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} {} at {} ({}), opened {}\n",
            self.id,
            self.status.as_str(),
            self.level,
            self.kind,
            crate::format::timestamp_ms_rfc3339(self.opened_at_ms)
        );
        for e in &self.timeline {
            out.push_str(&format!("  {} {}\n", crate::format::timestamp_ms_rfc3339(e.at_ms), e.what));
        }
        out
    }
}

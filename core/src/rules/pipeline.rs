//! Rules, notifications and incidents run together, as a policy declares them: each
//! evaluation's events go to the dispatcher (grouped, silenced, inhibited; flushed at the
//! times Alertmanager would) and to the incident manager (opened, escalated when nobody
//! acknowledges, auto-resolved). Notification groups and escalations that fall due between
//! two evaluations happen at their own times, before the later evaluation's events.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::rules::alerting::{Event, Rule};
use crate::rules::condition::{Labels, Sample};
use crate::rules::engine::RuleEngine;
use crate::rules::incident::{Escalation, IncidentManager};
use crate::rules::notify::{Dispatcher, Notification};
use crate::state::StateStore;

/// What one step produced, each list in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub events: Vec<Event>,
    pub notifications: Vec<Notification>,
    pub escalations: Vec<Escalation>,
    /// Incidents opened by this step's firing events, with the event's time.
    pub opened: Vec<(i64, String)>,
}

impl Outcome {
    fn extend(&mut self, other: Outcome) {
        self.events.extend(other.events);
        self.notifications.extend(other.notifications);
        self.escalations.extend(other.escalations);
        self.opened.extend(other.opened);
    }
}

/// A rule engine with an optional dispatcher and an optional incident manager.
pub struct AlertPipeline {
    pub engine: RuleEngine,
    pub dispatcher: Option<Dispatcher>,
    pub incidents: Option<IncidentManager>,
    annotations: BTreeMap<String, Labels>,
}

impl AlertPipeline {
    pub fn new(rules: Vec<Rule>, dispatcher: Option<Dispatcher>, incidents: Option<IncidentManager>) -> AlertPipeline {
        let annotations = rules.iter().map(|r| (r.name.clone(), r.annotations.clone())).collect();
        AlertPipeline { engine: RuleEngine::new(rules), dispatcher, incidents, annotations }
    }

    /// Flushes notification groups and escalates incidents due strictly before `now_ms`,
    /// each at its own time.
    pub fn advance_before(&mut self, now_ms: i64) -> Outcome {
        let mut out = Outcome::default();
        if let Some(d) = &mut self.dispatcher {
            while let Some(due) = d.next_due().filter(|t| *t < now_ms) {
                out.notifications.extend(d.tick(due));
            }
        }
        if let Some(m) = &mut self.incidents {
            out.escalations.extend(m.escalate(now_ms - 1));
        }
        out
    }

    /// Everything due up to and including `now_ms`, without evaluating rules (a timer tick).
    pub fn advance(&mut self, now_ms: i64) -> Outcome {
        let mut out = self.advance_before(now_ms);
        if let Some(d) = &mut self.dispatcher {
            out.notifications.extend(d.tick(now_ms));
        }
        if let Some(m) = &mut self.incidents {
            out.escalations.extend(m.escalate(now_ms));
        }
        out
    }

    /// Evaluates the rules at `ts_ms` over `samples` and passes the events on.
    pub fn evaluate(&mut self, ts_ms: i64, samples: &[Sample]) -> Result<Outcome> {
        let mut out = self.advance_before(ts_ms);
        let events = self.engine.evaluate(ts_ms, samples)?;
        let none = Labels::new();
        for e in &events {
            if let Some(m) = &mut self.incidents {
                let known = m.len();
                if let Some(id) = m.on_event(e)
                    && m.len() > known
                {
                    out.opened.push((e.at_ms, id));
                }
            }
            if let Some(d) = &mut self.dispatcher {
                let annotations = self.annotations.get(&e.rule).unwrap_or(&none);
                d.receive(e, &crate::rules::annotate::expand(annotations, &e.labels, e.value));
            }
        }
        out.events = events;
        out.extend(self.advance(ts_ms));
        Ok(out)
    }

    /// Evaluates at each recorded time in order.
    pub fn replay(&mut self, recorded: &BTreeMap<i64, Vec<Sample>>) -> Result<Outcome> {
        let mut out = Outcome::default();
        for (t, samples) in recorded {
            out.extend(self.evaluate(*t, samples)?);
        }
        Ok(out)
    }

    /// Saves the engine, dispatcher and incident state under `<prefix>rules`,
    /// `<prefix>notifications` and `<prefix>incidents`.
    pub fn save(&self, store: &dyn StateStore, prefix: &str) -> Result<()> {
        self.engine.save(store, &format!("{prefix}rules"))?;
        if let Some(d) = &self.dispatcher {
            d.save(store, &format!("{prefix}notifications"))?;
        }
        if let Some(m) = &self.incidents {
            m.save(store, &format!("{prefix}incidents"))?;
        }
        Ok(())
    }

    /// Loads what [`AlertPipeline::save`] saved; parts never saved start empty.
    pub fn load(&mut self, store: &dyn StateStore, prefix: &str) -> Result<()> {
        self.engine.load(store, &format!("{prefix}rules"))?;
        if let Some(d) = &mut self.dispatcher {
            d.load(store, &format!("{prefix}notifications"))?;
        }
        if let Some(m) = &mut self.incidents {
            m.load(store, &format!("{prefix}incidents"))?;
        }
        Ok(())
    }
}

impl Notification {
    /// One line: `<time> notify <receiver> <status> <group key> [<fingerprint>:<status>, ...]`.
    pub fn to_text_line(&self) -> String {
        let alerts: Vec<String> = self
            .alerts
            .iter()
            .map(|a| format!("{}:{}", a.fingerprint, if a.resolved() { "resolved" } else { "firing" }))
            .collect();
        format!(
            "{} notify {} {} {} [{}]",
            crate::format::timestamp_ms_rfc3339(self.at_ms),
            self.receiver,
            self.status(),
            self.group_key,
            alerts.join(", ")
        )
    }
}

impl Escalation {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "time": crate::format::timestamp_ms_rfc3339(self.at_ms),
            "incident": self.incident,
            "level": self.level,
        })
    }
}

impl Outcome {
    /// Events (one line each, as `events_to_text`), then notifications, incidents opened and
    /// escalations; `incidents` looks up what was opened.
    pub fn to_text(&self, incidents: Option<&IncidentManager>) -> String {
        let mut out = crate::rules::replay::events_to_text(&self.events);
        for n in &self.notifications {
            out.push_str(&n.to_text_line());
            out.push('\n');
        }
        for (at, id) in &self.opened {
            let what = incidents.and_then(|m| m.incident(id));
            out.push_str(&format!(
                "{} incident {id} opened at {}: {}\n",
                crate::format::timestamp_ms_rfc3339(*at),
                what.map_or("?", |i| i.level.as_str()),
                what.map_or("?", |i| i.kind.as_str()),
            ));
        }
        for e in &self.escalations {
            out.push_str(&format!(
                "{} incident {} escalated to {}\n",
                crate::format::timestamp_ms_rfc3339(e.at_ms),
                e.incident,
                e.level
            ));
        }
        out
    }

    /// `{"events", "notifications", "escalations", "opened": [{"time", "incident"}]}`, each
    /// in time order (events as `events_to_json`, notifications as Alertmanager's webhook).
    pub fn to_json(&self) -> serde_json::Value {
        let mut doc: serde_json::Value =
            serde_json::from_str(&crate::rules::replay::events_to_json(&self.events)).expect("own JSON");
        doc["notifications"] = self.notifications.iter().map(Notification::to_json).collect();
        doc["escalations"] = self.escalations.iter().map(Escalation::to_json).collect();
        doc["opened"] = self
            .opened
            .iter()
            .map(|(at, id)| serde_json::json!({"time": crate::format::timestamp_ms_rfc3339(*at), "incident": id}))
            .collect();
        doc
    }
}

/// A health report as the samples rules see: `opsbook_check_status{check="..."}` (0-3) and
/// each measurement under its Prometheus name in base units (DESIGN's names), so a rule
/// written against the exported metrics evaluates the same in process.
pub fn samples_from_report(report: &crate::check::HealthReport) -> Vec<Sample> {
    let mut out = Vec::new();
    for c in &report.checks {
        let mut labels = Labels::new();
        labels.insert("check".into(), c.name.clone());
        out.push(Sample { metric: "opsbook_check_status".into(), labels, value: f64::from(c.status.nagios_code()) });
        for m in &c.measurements {
            let (metric, scale) = crate::export::prometheus::metric_name(&c.name, &m.name, m.unit.as_deref());
            let value = if m.value.is_finite() { scale.apply(m.value) } else { m.value };
            out.push(Sample { metric, labels: m.labels.clone(), value });
        }
    }
    out
}

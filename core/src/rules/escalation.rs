//! The `[escalation]` table of a policy: who is called at which level and how soon, and how
//! notifications are grouped, silenced and inhibited (Alertmanager's route, silences and
//! inhibit rules — they decide who hears of an alert and when, which is what escalation is).
//!
//! ```toml
//! [escalation]
//! severities = { critical = "P1", warning = "P2", info = "P3" }
//!
//! keep_closed = "90d"              # closed incidents kept (the default; "forever")
//!
//! [[escalation.levels]]            # most urgent first
//! name = "P0"
//! response = "5m"
//! contacts = ["cto"]
//! channels = ["dingtalk-oncall"]
//!
//! [escalation.route]
//! receiver = "ops"
//! group_by = ["alertname"]         # ["..."] groups by every label
//! group_wait = "30s"
//! group_interval = "5m"
//! repeat_interval = "4h"
//! send_resolved = true
//!
//! [[escalation.inhibit_rules]]
//! source = ['severity="critical"']
//! target = ['severity="warning"']
//! equal = ["instance"]
//!
//! [[escalation.silences]]          # e.g. a maintenance window
//! id = "db-upgrade"
//! matchers = ['instance=~"db-.*"']
//! starts_at = "2026-11-22T02:00:00Z"
//! ends_at = "2026-11-22T04:00:00Z"
//! created_by = "ops"
//! comment = "PostgreSQL 17 upgrade"
//! ```
//!
//! Unknown keys and wrong types are errors naming the key's path (`escalation.levels[0].respons`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::duration::parse_duration;
use crate::error::{Error, Result};
use crate::rules::incident::{EscalationPolicy, Level};
use crate::rules::notify::{Dispatcher, InhibitRule, Matcher, Route, Silence};

/// The `[escalation]` table as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationSpec {
    #[serde(default)]
    pub levels: Vec<LevelSpec>,
    /// severity label value → level name.
    #[serde(default)]
    pub severities: BTreeMap<String, String>,
    pub route: Option<RouteSpec>,
    #[serde(default)]
    pub silences: Vec<SilenceSpec>,
    #[serde(default)]
    pub inhibit_rules: Vec<InhibitSpec>,
    /// How long closed incidents are kept (default 90d; "forever" keeps them).
    pub keep_closed: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelSpec {
    pub name: String,
    /// Time to acknowledge before escalating, e.g. "15m".
    pub response: String,
    #[serde(default)]
    pub contacts: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    /// Time to recover (恢复目标), e.g. "2h".
    pub recovery: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    pub receiver: Option<String>,
    pub group_by: Option<Vec<String>>,
    pub group_wait: Option<String>,
    pub group_interval: Option<String>,
    pub repeat_interval: Option<String>,
    pub send_resolved: Option<bool>,
}

/// Unix seconds or RFC 3339 text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TimeSpec {
    Seconds(f64),
    Text(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SilenceSpec {
    #[serde(default)]
    pub id: String,
    pub matchers: Vec<String>,
    pub starts_at: TimeSpec,
    pub ends_at: TimeSpec,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InhibitSpec {
    #[serde(default)]
    pub source: Vec<String>,
    #[serde(default)]
    pub target: Vec<String>,
    #[serde(default)]
    pub equal: Vec<String>,
}

/// Reads an `[escalation]` table (TOML turned into JSON values, or JSON).
pub fn escalation_spec(doc: &Value) -> Result<EscalationSpec> {
    let spec: EscalationSpec = serde_path_to_error::deserialize(doc).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "escalation".to_owned() } else { format!("escalation.{path}") };
        Error::invalid_value(&field, "", e.into_inner().to_string())
    })?;
    // Validate every part, so a policy is accepted or refused as a whole.
    if !spec.levels.is_empty() {
        spec.policy()?;
    } else if !spec.severities.is_empty() {
        return Err(Error::invalid_value("escalation.severities", "", "needs [[escalation.levels]] to map onto"));
    }
    spec.dispatcher()?;
    Ok(spec)
}

impl EscalationSpec {
    /// The escalation levels (an error when none are declared).
    pub fn policy(&self) -> Result<EscalationPolicy> {
        let mut levels = Vec::with_capacity(self.levels.len());
        for (i, l) in self.levels.iter().enumerate() {
            let field = format!("escalation.levels[{i}].response");
            levels.push(Level {
                name: l.name.clone(),
                response_ms: parse_duration(&field, &l.response)?.as_millis() as i64,
                contacts: l.contacts.clone(),
                channels: l.channels.clone(),
                recovery_ms: l
                    .recovery
                    .as_deref()
                    .map(|r| {
                        parse_duration(&format!("escalation.levels[{i}].recovery"), r).map(|d| d.as_millis() as i64)
                    })
                    .transpose()?,
            });
        }
        let keep_closed_ms = match self.keep_closed.as_deref() {
            None => Some(crate::rules::incident::DEFAULT_KEEP_CLOSED_MS),
            Some("forever") => None,
            Some(text) => {
                let ms = parse_duration("escalation.keep_closed", text)?.as_millis() as i64;
                if ms <= 0 {
                    return Err(Error::invalid_value("escalation.keep_closed", text, "must be longer than 0"));
                }
                Some(ms)
            }
        };
        let policy = EscalationPolicy { levels, severity_levels: self.severities.clone(), keep_closed_ms };
        policy.validate()?;
        Ok(policy)
    }

    /// The notification dispatcher: the route (Alertmanager's defaults where unset),
    /// silences and inhibit rules.
    pub fn dispatcher(&self) -> Result<Dispatcher> {
        let mut route = Route::default();
        if let Some(r) = &self.route {
            let ms = |key: &str, v: &str| -> Result<i64> {
                let field = format!("escalation.route.{key}");
                let ms = parse_duration(&field, v)?.as_millis() as i64;
                if ms <= 0 {
                    return Err(Error::invalid_value(&field, v, "must be longer than 0"));
                }
                Ok(ms)
            };
            if let Some(v) = &r.receiver {
                route.receiver = v.clone();
            }
            if let Some(names) = &r.group_by {
                route.group_by = if names.iter().any(|n| n == "...") { None } else { Some(names.clone()) };
            }
            if let Some(v) = &r.group_wait {
                // group_wait may be 0: notify at the first flush.
                route.group_wait_ms = parse_duration("escalation.route.group_wait", v)?.as_millis() as i64;
            }
            if let Some(v) = &r.group_interval {
                route.group_interval_ms = ms("group_interval", v)?;
            }
            if let Some(v) = &r.repeat_interval {
                route.repeat_interval_ms = ms("repeat_interval", v)?;
            }
            if let Some(v) = r.send_resolved {
                route.send_resolved = v;
            }
        }
        let matchers = |field: String, list: &[String]| -> Result<Vec<Matcher>> {
            list.iter().map(|m| Matcher::parse(m).map_err(|e| Error::invalid_value(&field, m, e.to_string()))).collect()
        };
        let time = |field: String, t: &TimeSpec| -> Result<i64> {
            match t {
                TimeSpec::Seconds(s) => crate::forecast::input::time_ms(&field, *s),
                TimeSpec::Text(s) => Ok(crate::check::parse_time(&field, s)?.as_millisecond()),
            }
        };
        let mut d = Dispatcher::new(route);
        for (i, s) in self.silences.iter().enumerate() {
            let f = |k: &str| format!("escalation.silences[{i}].{k}");
            if s.matchers.is_empty() {
                return Err(Error::invalid_value(&f("matchers"), "", "a silence needs at least one matcher"));
            }
            let silence = Silence {
                id: s.id.clone(),
                matchers: matchers(f("matchers"), &s.matchers)?,
                starts_at_ms: time(f("starts_at"), &s.starts_at)?,
                ends_at_ms: time(f("ends_at"), &s.ends_at)?,
                created_by: s.created_by.clone(),
                comment: s.comment.clone(),
            };
            if silence.ends_at_ms <= silence.starts_at_ms {
                return Err(Error::invalid_value(
                    &f("ends_at"),
                    &crate::format::timestamp_ms_rfc3339(silence.ends_at_ms),
                    "must be after starts_at",
                ));
            }
            d.silences.push(silence);
        }
        for (i, r) in self.inhibit_rules.iter().enumerate() {
            let f = |k: &str| format!("escalation.inhibit_rules[{i}].{k}");
            d.inhibit_rules.push(InhibitRule {
                source: matchers(f("source"), &r.source)?,
                target: matchers(f("target"), &r.target)?,
                equal: r.equal.clone(),
            });
        }
        Ok(d)
    }
}

/// An escalation policy from an `[escalation]` table (JSON values):
/// `{"levels": [{"name": "P0", "response": "5m", "contacts": [...], "channels": [...]}, ...],
///   "severities": {"critical": "P1"}}`, levels most urgent first. Route, silences and
/// inhibit rules may be present too (they are the dispatcher's).
pub fn escalation_from_value(doc: &Value) -> Result<EscalationPolicy> {
    let spec = escalation_spec(doc)?;
    if spec.levels.is_empty() {
        return Err(Error::invalid_value("escalation.levels", "", "needs at least one level, most urgent first"));
    }
    spec.policy()
}

/// A dispatcher from an `[escalation]` table (JSON values): `{"route": {"receiver",
/// "group_by": ["alertname"] | ["..."], "group_wait": "30s", "group_interval": "5m",
/// "repeat_interval": "4h", "send_resolved": true}, "silences": [{"id", "matchers":
/// ["instance=~web-.*"], "starts_at": RFC 3339 | seconds, "ends_at", "created_by", "comment"}],
/// "inhibit_rules": [{"source": [...], "target": [...], "equal": ["instance"]}]}`; levels and
/// severities may be present too (they are the incident manager's).
pub fn dispatcher_from_value(doc: &Value) -> Result<Dispatcher> {
    escalation_spec(doc)?.dispatcher()
}

//! One policy file, loaded identically by every front door: `version = 1` and the top-level
//! tables of DESIGN's Contract. The tables implemented so far are `[[checks]]`, `[[rules]]`,
//! `[escalation]`, `[[channels]]`, `[backups]`, `[capacity]`, `[logs]`, `[maintenance]` and
//! `[state]`; a policy is accepted or refused as a whole, and an error
//! names the key's path.

use std::path::Path;

use serde_json::Value;

use crate::document::Format;
use crate::error::{Error, Result};
use crate::rules::Rule;
use crate::rules::escalation::{EscalationSpec, escalation_spec};
use crate::rules::pipeline::AlertPipeline;
use crate::runner::Runner;
use crate::state::StateConfig;

/// The top-level keys known today.
pub const KNOWN_KEYS: [&str; 10] =
    ["version", "checks", "rules", "escalation", "channels", "backups", "capacity", "logs", "maintenance", "state"];

/// An environment variable a policy names for a secret, and whether it is set here.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EnvironmentVariable {
    /// The key that names it, e.g. `checks[3].dsn_env`.
    pub key: String,
    /// The variable's name, e.g. `EDU_PG_DSN`.
    pub name: String,
    pub set: bool,
}

/// A checked policy.
#[derive(Debug, Clone)]
pub struct Policy {
    doc: Value,
    pub rules: Vec<Rule>,
    pub escalation: Option<EscalationSpec>,
    pub state: Option<StateConfig>,
    /// `[[channels]]`, checked (templates compiled, secrets named by variable).
    #[cfg(feature = "alert")]
    pub channels: Vec<crate::alert::channel::ChannelSpec>,
    /// `[[backups.locations]]`.
    #[cfg(feature = "backup")]
    pub backups: Vec<crate::backup::policy::Location>,
    /// `[capacity]`: a capacity plan's input (months, growth limit, resources, sizing).
    pub capacity: Option<crate::forecast::capacity::PlanInput>,
    /// `[logs]`: the analyses a report runs and the lifecycle of log directories.
    #[cfg(feature = "logs")]
    pub logs: Option<crate::logs::policy::LogsSpec>,
    /// `[maintenance]`: the plan's tasks and where records are kept.
    #[cfg(feature = "maintenance")]
    pub maintenance: Option<crate::maintenance::Plan>,
}

impl Policy {
    pub fn from_toml(text: &str) -> Result<Policy> {
        Policy::from_text(text, Format::Toml)
    }

    pub fn from_json(text: &str) -> Result<Policy> {
        Policy::from_text(text, Format::Json)
    }

    pub fn from_yaml(text: &str) -> Result<Policy> {
        Policy::from_text(text, Format::Yaml)
    }

    /// A policy written in `format`; an error names the line of the key it is about.
    pub fn from_text(text: &str, format: Format) -> Result<Policy> {
        crate::document::parse(text, format).and_then(Policy::from_value).map_err(|e| at_line(e, text, format, None))
    }

    /// Reads a policy file: YAML when its name ends in `.yaml` or `.yml`, JSON in `.json`,
    /// TOML otherwise. Errors name the file, the line and the key
    /// (`policy.toml:12: checks[2] (disk).thresholds.used.warn`).
    pub fn from_path(path: &Path) -> Result<Policy> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::Io { path: shown.clone(), reason: e.to_string() })?;
        let format = Format::of_path(path);
        crate::document::parse(&text, format)
            .and_then(Policy::from_value)
            .map_err(|e| at_line(e, &text, format, Some(&shown)))
    }

    /// Checks every table (checks included) and keeps the parsed parts.
    pub fn from_value(doc: Value) -> Result<Policy> {
        let top = doc.as_object().ok_or_else(|| Error::invalid_value("policy", "", "expected a table at the top"))?;
        for key in top.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                return Err(Error::invalid_value(
                    key,
                    "",
                    format!("unknown top-level key (known here: {})", KNOWN_KEYS.join(", ")),
                ));
            }
        }
        match top.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
            Some(other) => return Err(Error::invalid_value("version", &other.to_string(), "only version 1 exists")),
            None => return Err(Error::invalid_value("version", "", "missing: write version = 1")),
        }
        let rules = top.get("rules").map(crate::rules::spec::rules_from_value).transpose()?.unwrap_or_default();
        let escalation = top.get("escalation").map(escalation_spec).transpose()?;
        let state = top.get("state").map(StateConfig::from_value).transpose()?;
        #[cfg(feature = "alert")]
        let channels: Vec<crate::alert::channel::ChannelSpec> = top
            .get("channels")
            .map(crate::alert::channel::channels_from_value)
            .transpose()?
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.spec)
            .collect();
        #[cfg(not(feature = "alert"))]
        if top.contains_key("channels") {
            return Err(Error::invalid_value("channels", "", "this build of opsbook has no alert messages"));
        }
        #[cfg(feature = "maintenance")]
        let maintenance = top.get("maintenance").map(crate::maintenance::Plan::from_value).transpose()?;
        #[cfg(not(feature = "maintenance"))]
        if top.contains_key("maintenance") {
            return Err(Error::invalid_value("maintenance", "", "this build of opsbook has no maintenance plans"));
        }
        let capacity =
            top.get("capacity").map(|v| crate::forecast::capacity::PlanInput::from_value(v, "capacity")).transpose()?;
        #[cfg(feature = "logs")]
        let logs = top.get("logs").map(crate::logs::policy::LogsSpec::from_value).transpose()?;
        #[cfg(not(feature = "logs"))]
        if top.contains_key("logs") {
            return Err(Error::invalid_value("logs", "", "this build of opsbook has no log analysis"));
        }
        #[cfg(feature = "backup")]
        let backups =
            top.get("backups").map(crate::backup::policy::locations_from_value).transpose()?.unwrap_or_default();
        #[cfg(not(feature = "backup"))]
        if top.contains_key("backups") {
            return Err(Error::invalid_value("backups", "", "this build of opsbook has no backup support"));
        }
        let policy = Policy {
            doc,
            rules,
            escalation,
            state,
            #[cfg(feature = "alert")]
            channels,
            #[cfg(feature = "backup")]
            backups,
            capacity,
            #[cfg(feature = "logs")]
            logs,
            #[cfg(feature = "maintenance")]
            maintenance,
        };
        // Every check is built to find its errors; secrets stay unread (nothing connects yet).
        crate::spec::runner_from_checks(policy.doc.get("checks"), crate::spec::EnvMode::NamesOnly)?;
        Ok(policy)
    }

    /// The `[[channels]]` entry called `name`, ready to render.
    #[cfg(feature = "alert")]
    pub fn channel(&self, name: &str) -> Result<crate::alert::channel::Channel> {
        let (i, spec) = self.channels.iter().enumerate().find(|(_, c)| c.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.channels.iter().map(|c| c.name.as_str()).collect();
            Error::invalid_value(
                "channel",
                name,
                format!("no such channel in [[channels]] (declared: {})", names.join(", ")),
            )
        })?;
        crate::alert::channel::Channel::new(spec.clone(), &format!("channels[{i}]"))
    }

    /// The `[[channels]]` a notification to `receiver` goes to: the one named so and every one
    /// declaring `receiver = "..."`, in the order declared. None: an error naming the
    /// receiver and the channels there are.
    #[cfg(feature = "alert")]
    pub fn channels_for(&self, receiver: &str) -> Result<Vec<crate::alert::channel::Channel>> {
        let chosen: Vec<crate::alert::channel::Channel> = self
            .channels
            .iter()
            .enumerate()
            .filter(|(_, c)| c.serves(receiver))
            .map(|(i, spec)| crate::alert::channel::Channel::new(spec.clone(), &format!("channels[{i}]")))
            .collect::<Result<_>>()?;
        if chosen.is_empty() {
            let names: Vec<&str> = self.channels.iter().map(|c| c.name.as_str()).collect();
            return Err(Error::invalid_value(
                "receiver",
                receiver,
                format!(
                    "no [[channels]] entry is named so or has receiver = {receiver:?} (declared: {})",
                    names.join(", ")
                ),
            ));
        }
        Ok(chosen)
    }

    /// Delivers each notification (of `AlertPipeline` outcomes) to every `[[channels]]` entry
    /// its route receiver names ([`Policy::channels_for`]): rendered at the notification's
    /// time, sent with `sender`'s retries and rate limits, secrets from `secrets`. One answer
    /// per notification and channel: its deliveries, or why it could not be sent (no such
    /// channel, a secret missing).
    #[cfg(feature = "alert")]
    pub fn deliver(
        &self,
        notifications: &[crate::rules::notify::Notification],
        sender: &crate::alert::deliver::Sender,
        secrets: &dyn crate::alert::channel::Secrets,
    ) -> Vec<NotificationDelivery> {
        let mut channels: std::collections::HashMap<String, Vec<crate::alert::channel::Channel>> =
            std::collections::HashMap::new();
        let mut out = Vec::with_capacity(notifications.len());
        for n in notifications {
            if !channels.contains_key(&n.receiver) {
                match self.channels_for(&n.receiver) {
                    Ok(list) => {
                        channels.insert(n.receiver.clone(), list);
                    }
                    Err(e) => {
                        out.push(NotificationDelivery {
                            receiver: n.receiver.clone(),
                            channel: String::new(),
                            at_ms: n.at_ms,
                            result: Err(e),
                        });
                        continue;
                    }
                }
            }
            for channel in &channels[&n.receiver] {
                let result = channel
                    .render(&crate::alert::model::AlertGroup::from(n), n.at_ms, secrets)
                    .and_then(|requests| sender.send_blocking(channel, &requests));
                out.push(NotificationDelivery {
                    receiver: n.receiver.clone(),
                    channel: channel.spec.name.clone(),
                    at_ms: n.at_ms,
                    result,
                });
            }
        }
        out
    }

    /// The names of the `[[checks]]` of one `type` (`backup`, `disk`, ...).
    pub fn check_names_of_type(&self, kind: &str) -> Vec<String> {
        self.doc
            .get("checks")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter(|c| c.get("type").and_then(Value::as_str) == Some(kind))
                    .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The state store: `file` when given, else the policy's `[state]`, else none.
    pub fn open_state(&self, file: Option<&Path>) -> Result<Option<Box<dyn crate::state::StateStore>>> {
        match (file, &self.state) {
            (Some(path), _) => Ok(Some(StateConfig::file(path).open()?)),
            (None, Some(config)) => Ok(Some(config.open()?)),
            (None, None) => Ok(None),
        }
    }

    /// The `[[checks]]` as a Runner.
    pub fn runner(&self) -> Result<Runner> {
        crate::spec::runner_from_checks(self.doc.get("checks"), crate::spec::EnvMode::Read)
    }

    /// Every environment variable the policy names (`url_env`, `dsn_env`, `token_env`,
    /// `secret_env`, `password_env`, ...), with the key naming it, in document order. A
    /// policy is valid without them; the commands that connect read them.
    pub fn environment(&self) -> Vec<EnvironmentVariable> {
        fn walk(path: &str, v: &Value, out: &mut Vec<EnvironmentVariable>) {
            match v {
                Value::Object(table) => {
                    for (key, value) in table {
                        let at = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                        match value {
                            Value::String(name) if key.ends_with("_env") => {
                                out.push(EnvironmentVariable {
                                    key: at,
                                    name: name.clone(),
                                    set: std::env::var_os(name).is_some_and(|v| !v.is_empty()),
                                });
                            }
                            _ => walk(&at, value, out),
                        }
                    }
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        walk(&format!("{path}[{i}]"), item, out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk("", &self.doc, &mut out);
        out
    }

    /// The rules with the escalation's dispatcher and incident manager (each present when
    /// `[escalation]` declares a route or levels).
    pub fn alert_pipeline(&self) -> Result<AlertPipeline> {
        let (dispatcher, incidents) = match &self.escalation {
            None => (None, None),
            Some(spec) => (
                spec.route.is_some().then(|| spec.dispatcher()).transpose()?,
                (!spec.levels.is_empty())
                    .then(|| spec.policy().and_then(crate::rules::incident::IncidentManager::new))
                    .transpose()?,
            ),
        };
        Ok(AlertPipeline::new(self.rules.clone(), dispatcher, incidents))
    }
}

/// `error` with the file (when known) and the line of the key it names in front of its
/// field: `policy.toml:12: checks[2] (disk).thresholds.used.warn`. A key the reason names
/// (`unknown field `x``, a check type's `key `x``) is looked up itself.
fn at_line(error: Error, text: &str, format: Format, file: Option<&str>) -> Error {
    let (field, value, reason, range) = match error {
        Error::InvalidValue { field, value, reason } => (field, value, reason, false),
        Error::InvalidRange { field, value, reason } => (field, value, reason, true),
        other => return other,
    };
    let unknown = reason
        .split_once("unknown field `")
        .or_else(|| reason.split_once("key `"))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(key, _)| key.to_owned());
    let line = unknown
        .and_then(|key| {
            let parent = field.rsplit_once('.').map_or(String::new(), |(p, last)| {
                // A check's own keys are reported at `.type`: the unknown key is its sibling.
                if last == "type" { format!("{p}.") } else { format!("{field}.") }
            });
            crate::document::line_of(text, format, &format!("{parent}{key}"))
        })
        .or_else(|| crate::document::line_of(text, format, &field));
    let place = match (file, line) {
        (Some(f), Some(l)) => format!("{f}:{l}: "),
        (Some(f), None) => format!("{f}: "),
        (None, Some(l)) => format!("line {l}: "),
        (None, None) => String::new(),
    };
    let field = format!("{place}{field}");
    if range { Error::InvalidRange { field, value, reason } } else { Error::InvalidValue { field, value, reason } }
}

/// What became of one notification.
#[cfg(feature = "alert")]
#[derive(Debug)]
pub struct NotificationDelivery {
    pub receiver: String,
    /// The channel it went to (empty when the receiver has none).
    pub channel: String,
    pub at_ms: i64,
    /// The deliveries (one per request), or why nothing was sent.
    pub result: Result<Vec<crate::alert::deliver::Delivery>>,
}

#[cfg(feature = "alert")]
impl NotificationDelivery {
    /// Every request delivered.
    pub fn delivered(&self) -> bool {
        self.result.as_ref().is_ok_and(|d| d.iter().all(|d| d.delivered))
    }
}

impl Policy {
    /// What the policy declares, one line per table: the answer of `opsbook policy check`.
    pub fn summary(&self) -> String {
        let checks = self.doc.get("checks").and_then(Value::as_array).map_or(0, Vec::len);
        let mut out = format!("policy OK: version 1\nchecks: {checks}\nrules: {}\n", self.rules.len());
        if let Some(e) = &self.escalation {
            let levels: Vec<String> = e.levels.iter().map(|l| format!("{} ({})", l.name, l.response)).collect();
            out.push_str(&format!(
                "escalation: {} levels{}{}, {} silences, {} inhibit rules\n",
                e.levels.len(),
                if levels.is_empty() { String::new() } else { format!(" [{}]", levels.join(", ")) },
                if e.route.is_some() { ", a route" } else { "" },
                e.silences.len(),
                e.inhibit_rules.len()
            ));
        }
        #[cfg(feature = "alert")]
        for c in &self.channels {
            // Variable names only: the tokens and secrets stay in the environment.
            let secrets: Vec<String> = [&c.url_env, &c.token_env, &c.secret_env, &c.password_env]
                .into_iter()
                .flatten()
                .map(|v| format!("${v}"))
                .collect();
            let secrets = if secrets.is_empty() { String::new() } else { format!(" ({})", secrets.join(", ")) };
            let receiver = c.receiver.as_deref().map(|r| format!(" for receiver {r}")).unwrap_or_default();
            out.push_str(&format!("channel: {} ({}){receiver}{secrets}\n", c.name, c.kind));
        }
        #[cfg(feature = "backup")]
        for l in &self.backups {
            let rule = match &l.rule {
                crate::backup::policy::Rule::Forever => "kept for ever".to_owned(),
                crate::backup::policy::Rule::FindMtime(d) => format!("find -mtime +{d}"),
                crate::backup::policy::Rule::Restic(_) => "restic rules".to_owned(),
            };
            out.push_str(&format!("backups: {} at {} ({rule})\n", l.name, l.dir.display()));
        }
        if let Some(c) = &self.capacity {
            out.push_str(&format!(
                "capacity: {} resources over {} months (flag above {}%)\n",
                c.resources.len(),
                c.months,
                crate::fmt_number(c.growth_limit_percent)
            ));
        }
        #[cfg(feature = "logs")]
        if let Some(l) = &self.logs {
            for a in &l.analyses {
                out.push_str(&format!("logs: {} ({} files, {})\n", a.name, a.files.len(), a.input_format));
            }
            for d in &l.lifecycle {
                out.push_str(&format!("log lifecycle: {}\n", d.dir.display()));
            }
        }
        #[cfg(feature = "maintenance")]
        if let Some(m) = &self.maintenance {
            let records = m.records.as_ref().map(|p| format!(", records in {}", p.display())).unwrap_or_default();
            out.push_str(&format!("maintenance: {} tasks ({}){records}\n", m.tasks.len(), m.zone_name));
        }
        if let Some(s) = &self.state {
            // The Redis URL itself stays in the environment: only the variable's name is shown.
            let place = match s.backend {
                crate::state::StateBackend::File => {
                    format!("file {}", s.path.as_deref().unwrap_or(Path::new("")).display())
                }
                crate::state::StateBackend::Redis => {
                    format!("redis from ${}", s.url_env.as_deref().unwrap_or_default())
                }
                crate::state::StateBackend::Memory => "memory".to_owned(),
            };
            out.push_str(&format!("state: {place}\n"));
        }
        for var in self.environment().into_iter().filter(|v| !v.set) {
            out.push_str(&format!(
                "note: ${} ({}) is not set here: the commands that connect or deliver need it\n",
                var.name, var.key
            ));
        }
        out
    }
}

//! The `[backups]` table of a policy: where backups are kept and how long, per location, as
//! the manuals state it (local 7 days, remote 90 days, offsite for ever).
//!
//! ```toml
//! [[backups.locations]]
//! name = "local"
//! dir = "/var/backups/platform"        # its entries are the backups
//! retention = { keep_within = "7d" }   # restic's keys, or { find_mtime = 7 }; none: kept for ever
//! group_by = []                        # restic's grouping (default: host, paths)
//! pattern = "db_backup_*"               # only entries named so (default: every entry)
//! ```

use serde::Deserialize;
use serde_json::Value;

use crate::backup::retention::{GroupBy, Policy, policy_from_value};
use crate::error::{Error, Result};

/// One place backups are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub name: String,
    pub dir: std::path::PathBuf,
    /// Only entries whose names match are this location's backups (a glob: `20*`).
    pub pattern: Option<String>,
    pub rule: Rule,
    pub group_by: GroupBy,
}

/// How long a location keeps backups.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Nothing is ever forgotten (offsite archives).
    Forever,
    Restic(Box<Policy>),
    /// `find -mtime +N -delete`.
    FindMtime(u32),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    #[serde(default)]
    locations: Vec<LocationSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocationSpec {
    name: String,
    dir: std::path::PathBuf,
    retention: Option<serde_json::Map<String, Value>>,
    group_by: Option<Vec<String>>,
    pattern: Option<String>,
}

/// Reads the `[backups]` table.
pub fn locations_from_value(doc: &Value) -> Result<Vec<Location>> {
    let spec: Spec = serde_path_to_error::deserialize(doc).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "backups".to_owned() } else { format!("backups.{path}") };
        Error::invalid_value(&field, "", e.into_inner().to_string())
    })?;
    let mut out: Vec<Location> = Vec::new();
    for (i, l) in spec.locations.into_iter().enumerate() {
        let at = |k: &str| format!("backups.locations[{i}].{k}");
        if out.iter().any(|o| o.name == l.name) {
            return Err(Error::invalid_value(&at("name"), &l.name, "two locations share this name"));
        }
        let rule = match l.retention {
            None => Rule::Forever,
            Some(mut map) => match map.remove("find_mtime") {
                Some(days) => {
                    if !map.is_empty() {
                        return Err(Error::invalid_value(&at("retention"), "", "find_mtime stands alone"));
                    }
                    let days = days.as_u64().and_then(|d| u32::try_from(d).ok()).ok_or_else(|| {
                        Error::invalid_value(&at("retention.find_mtime"), &days.to_string(), "expected days")
                    })?;
                    Rule::FindMtime(days)
                }
                None => {
                    let policy = policy_from_value(&Value::Object(map)).map_err(|e| match e {
                        Error::InvalidValue { field, value, reason } => Error::InvalidValue {
                            field: field.replacen("retention", &at("retention"), 1),
                            value,
                            reason,
                        },
                        other => other,
                    })?;
                    if policy.is_empty() {
                        return Err(Error::invalid_value(
                            &at("retention"),
                            "",
                            "an empty rule would forget every backup; leave retention out to keep them for ever",
                        ));
                    }
                    Rule::Restic(Box::new(policy))
                }
            },
        };
        let group_by = match l.group_by {
            None => GroupBy::default(),
            Some(names) => GroupBy::from_names(&at("group_by"), &names)?,
        };
        if let Some(p) = &l.pattern {
            glob::Pattern::new(p).map_err(|e| Error::invalid_value(&at("pattern"), p, e.to_string()))?;
        }
        out.push(Location { name: l.name, dir: l.dir, rule, group_by, pattern: l.pattern });
    }
    Ok(out)
}

impl Location {
    /// What the location's rule keeps and forgets of the backups in its directory now.
    pub fn decide(
        &self,
        now: jiff::Timestamp,
    ) -> Result<Vec<(crate::backup::retention::GroupKey, crate::backup::retention::Decision)>> {
        use crate::backup::retention::{Decision, GroupKey, Kept, apply_grouped, backups_in_dir, find_mtime};
        let mut backups = backups_in_dir(&self.dir)?;
        if let Some(p) = self.pattern.as_deref().and_then(|p| glob::Pattern::new(p).ok()) {
            backups.retain(|b| p.matches(&b.id));
        }
        Ok(match &self.rule {
            Rule::Forever => {
                let mut d = Decision::default();
                let mut list = backups;
                list.sort_by_key(|b| std::cmp::Reverse(b.time.timestamp()));
                d.keep = list
                    .into_iter()
                    .map(|backup| Kept { backup, reasons: vec!["kept for ever".into()], counters: Default::default() })
                    .collect();
                vec![(GroupKey::default(), d)]
            }
            Rule::FindMtime(days) => vec![(GroupKey::default(), find_mtime(&backups, *days, now))],
            Rule::Restic(policy) => apply_grouped(&backups, policy, self.group_by, now)?,
        })
    }
}

//! Capacity planning as the manuals do it each quarter: each resource's value in N months
//! at its monthly growth rate (10 % when unknown), the increase, a flag above a growth
//! limit (70 %), and sizing from the user count.

use serde_json::json;

use crate::error::{Error, Result};
use crate::forecast::growth::{DEFAULT_MONTHLY_GROWTH, compound, periods_to_reach};

/// The growth over the horizon above which a resource needs expansion planning (需要扩容规划).
pub const DEFAULT_GROWTH_LIMIT_PERCENT: f64 = 70.0;

/// A resource to plan: its name, current value, monthly growth rate (None: the default) and
/// the capacity it must stay under (None: no limit known, no time to exhaustion).
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub name: String,
    pub current: f64,
    pub monthly_growth: Option<f64>,
    pub limit: Option<f64>,
}

impl Resource {
    /// A resource at its last observed value, growing at the monthly rate measured from its
    /// history (`growth::growth_rate`; `counter` undoes counter resets).
    pub fn from_history(
        name: &str,
        samples: &[crate::forecast::Sample],
        counter: bool,
        limit: Option<f64>,
    ) -> Result<Resource> {
        let rate = crate::forecast::growth::growth_rate(samples, crate::forecast::growth::MONTH_SECONDS, counter)
            .map_err(|e| match e {
                Error::InvalidValue { field, value, reason } => {
                    Error::InvalidValue { field: format!("{name}.{field}"), value, reason }
                }
                other => other,
            })?;
        let current = samples.last().map(|s| s.value).unwrap_or(f64::NAN);
        Ok(Resource { name: name.to_owned(), current, monthly_growth: Some(rate), limit })
    }
}

/// One row of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePlan {
    pub name: String,
    pub current: f64,
    pub monthly_growth: f64,
    pub predicted: f64,
    pub increase_percent: f64,
    pub needs_expansion: bool,
    pub limit: Option<f64>,
    /// Months until the limit is reached at this growth (0: reached already; None: no
    /// limit, or not growing).
    pub months_to_exhaustion: Option<f64>,
}

/// The plan over `months` for every resource.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityPlan {
    pub months: u32,
    pub growth_limit_percent: f64,
    pub resources: Vec<ResourcePlan>,
}

/// Plans every resource: predicted = current × (1 + g)^months, increase % against the
/// current value, flagged when the increase is above `growth_limit_percent`.
pub fn plan(resources: &[Resource], months: u32, growth_limit_percent: f64) -> Result<CapacityPlan> {
    let mut rows = Vec::with_capacity(resources.len());
    for r in resources {
        if r.current == 0.0 || !r.current.is_finite() {
            return Err(Error::InvalidValue {
                field: format!("{}.current", r.name),
                value: crate::fmt_number(r.current),
                reason: "growth is planned from a finite, non-zero current value".into(),
            });
        }
        let g = r.monthly_growth.unwrap_or(DEFAULT_MONTHLY_GROWTH);
        if let Some(limit) = r.limit
            && !(limit.is_finite() && limit > 0.0)
        {
            return Err(Error::InvalidValue {
                field: format!("{}.limit", r.name),
                value: crate::fmt_number(limit),
                reason: "must be a positive number".into(),
            });
        }
        let predicted = compound(r.current, g, f64::from(months))?;
        let increase_percent = (predicted - r.current) / r.current * 100.0;
        rows.push(ResourcePlan {
            name: r.name.clone(),
            current: r.current,
            monthly_growth: g,
            predicted,
            increase_percent,
            needs_expansion: increase_percent > growth_limit_percent,
            limit: r.limit,
            months_to_exhaustion: r.limit.and_then(|limit| periods_to_reach(r.current, g, limit)),
        });
    }
    Ok(CapacityPlan { months, growth_limit_percent, resources: rows })
}

/// Headings and phrases of the report in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    ZhCn,
    En,
}

impl Language {
    /// `zh-CN` (also `zh-cn`) or `en`.
    pub fn from_name(name: &str) -> Result<Language> {
        match name {
            "zh-CN" | "zh-cn" => Ok(Language::ZhCn),
            "en" => Ok(Language::En),
            other => Err(Error::invalid_value("language", other, "expected zh-CN or en")),
        }
    }
}

impl CapacityPlan {
    /// The quarterly report in markdown, laid out as the education platform's
    /// capacity_planning.py prints it (生成时间 is `date`, e.g. "2026-11-22").
    pub fn to_markdown(&self, date: &str, language: Language) -> String {
        let (exhaustion, months_word, never) = match language {
            Language::ZhCn => ("## 资源耗尽时间", "个月", "不增长，不会耗尽"),
            Language::En => ("## Time to exhaustion", "months", "not growing; never"),
        };
        let (title, generated, current, trends, monthly, forecast, header, advice, needs) = match language {
            Language::ZhCn => (
                "# 季度容量规划报告",
                "生成时间",
                "## 当前资源使用情况",
                "## 增长趋势分析",
                "月增长率",
                format!("## {}个月容量预测", self.months),
                "| 资源 | 当前值 | 预测值 | 增长率 |",
                "## 扩容建议",
                "需要扩容规划",
            ),
            Language::En => (
                "# Quarterly capacity plan",
                "Generated",
                "## Current usage",
                "## Growth trends",
                "monthly growth",
                format!("## {}-month forecast", self.months),
                "| Resource | Current | Predicted | Growth |",
                "## Expansion advice",
                "needs expansion planning",
            ),
        };
        let mut lines = vec![format!("{title}\n"), format!("{generated}: {date}\n"), current.to_owned()];
        for r in &self.resources {
            lines.push(format!("- {}: {}", r.name, crate::fmt_number(r.current)));
        }
        lines.push(format!("\n{trends}"));
        for r in &self.resources {
            lines.push(format!("- {}_growth_rate: {:.1}% {monthly}", r.name, r.monthly_growth * 100.0));
        }
        lines.push(format!("\n{forecast}"));
        lines.push(header.to_owned());
        lines.push("|-----|--------|--------|--------|".to_owned());
        for r in &self.resources {
            lines.push(format!(
                "| {} | {} | {:.0} | {:.1}% |",
                r.name,
                crate::fmt_number(r.current),
                r.predicted,
                r.increase_percent
            ));
        }
        lines.push(format!("\n{advice}"));
        for r in self.resources.iter().filter(|r| r.needs_expansion) {
            lines.push(format!("⚠ {} {needs}", r.name));
        }
        // Only resources with a known limit have a time to exhaustion; without any, the
        // report is exactly the manual's.
        if self.resources.iter().any(|r| r.limit.is_some()) {
            lines.push(format!("\n{exhaustion}"));
            for r in self.resources.iter().filter(|r| r.limit.is_some()) {
                let when = match r.months_to_exhaustion {
                    Some(m) => format!("{m:.1} {months_word}"),
                    None => never.to_owned(),
                };
                lines.push(format!("- {} ({}): {when}", r.name, crate::fmt_number(r.limit.unwrap_or_default())));
            }
        }
        lines.join("\n")
    }

    /// An aligned plain-text table: resource, current, predicted, growth %, months to the
    /// limit (`-` without one, `never` when not growing), and `expand` where flagged.
    pub fn to_text(&self) -> String {
        let header = ["resource", "current", "predicted", "growth", "months to limit", "action"];
        let mut rows: Vec<[String; 6]> = vec![header.map(str::to_owned)];
        for r in &self.resources {
            rows.push([
                r.name.clone(),
                crate::fmt_number(r.current),
                format!("{:.0}", r.predicted),
                format!("{:.1}%", r.increase_percent),
                match (r.limit, r.months_to_exhaustion) {
                    (None, _) => "-".into(),
                    (Some(_), None) => "never".into(),
                    (Some(_), Some(m)) => format!("{m:.1}"),
                },
                if r.needs_expansion { "expand".into() } else { String::new() },
            ]);
        }
        let widths: Vec<usize> = (0..6).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        let mut out = format!(
            "{}-month plan, expansion above {}% growth\n",
            self.months,
            crate::fmt_number(self.growth_limit_percent)
        );
        for row in &rows {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out
    }

    /// The plan as JSON (for programs and the other front doors).
    pub fn to_json(&self) -> String {
        let rows: Vec<_> = self
            .resources
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "current": crate::json_number(r.current),
                    "monthly_growth": crate::json_number(r.monthly_growth),
                    "predicted": crate::json_number(r.predicted),
                    "increase_percent": crate::json_number(r.increase_percent),
                    "needs_expansion": r.needs_expansion,
                    "limit": r.limit.map(crate::json_number),
                    "months_to_exhaustion": r.months_to_exhaustion.map(crate::json_number),
                })
            })
            .collect();
        json!({"months": self.months, "growth_limit_percent": crate::json_number(self.growth_limit_percent), "resources": rows})
            .to_string()
    }
}

/// How one resource is sized from the user count.
#[derive(Debug, Clone, PartialEq)]
pub enum SizingRule {
    /// `max(minimum, floor(users / per))` (Python's `users // per` on a float).
    PerUsers { resource: String, per: f64, minimum: f64 },
    /// `max(minimum, users × factor)`.
    Scaled { resource: String, factor: f64, minimum: f64 },
}

impl SizingRule {
    pub fn resource(&self) -> &str {
        match self {
            SizingRule::PerUsers { resource, .. } | SizingRule::Scaled { resource, .. } => resource,
        }
    }

    pub fn size(&self, users: f64) -> f64 {
        match self {
            SizingRule::PerUsers { per, minimum, .. } => minimum.max((users / per).floor()),
            SizingRule::Scaled { factor, minimum, .. } => minimum.max(users * factor),
        }
    }
}

/// The AI tutoring backend manual's rules: cpu_cores = max(2, users // 1000),
/// memory_gb = max(4, users // 500), storage_gb = max(20, users × 0.1).
impl SizingRule {
    /// A rule as a policy writes it: `per_users = 1000` (one unit per 1000 users, rounded
    /// down) or `per_user = 0.1` (0.1 units per user), with a minimum.
    pub fn from_spec(
        resource: &str,
        per_users: Option<f64>,
        per_user: Option<f64>,
        minimum: f64,
    ) -> Result<SizingRule> {
        let field = |k: &str| format!("sizing.{resource}.{k}");
        if !minimum.is_finite() || minimum < 0.0 {
            return Err(Error::invalid_value(&field("minimum"), &crate::fmt_number(minimum), "must be a number ≥ 0"));
        }
        match (per_users, per_user) {
            (Some(per), None) if per > 0.0 && per.is_finite() => {
                Ok(SizingRule::PerUsers { resource: resource.to_owned(), per, minimum })
            }
            (None, Some(factor)) if factor >= 0.0 && factor.is_finite() => {
                Ok(SizingRule::Scaled { resource: resource.to_owned(), factor, minimum })
            }
            (Some(v), None) | (None, Some(v)) => {
                Err(Error::invalid_value(&field("per_users"), &crate::fmt_number(v), "must be a positive number"))
            }
            _ => Err(Error::invalid_value(&field("per_users"), "", "give exactly one of per_users or per_user")),
        }
    }
}

pub fn manual_sizing_rules() -> Vec<SizingRule> {
    vec![
        SizingRule::PerUsers { resource: "cpu_cores".into(), per: 1000.0, minimum: 2.0 },
        SizingRule::PerUsers { resource: "memory_gb".into(), per: 500.0, minimum: 4.0 },
        SizingRule::Scaled { resource: "storage_gb".into(), factor: 0.1, minimum: 20.0 },
    ]
}

/// Users after `months` of growth and each rule's size for them (calculate_resource_needs).
pub fn resource_needs(
    users: f64,
    monthly_growth: f64,
    months: f64,
    rules: &[SizingRule],
) -> Result<(f64, Vec<(String, f64)>)> {
    let future = compound(users, monthly_growth, months)?;
    Ok((future, rules.iter().map(|r| (r.resource().to_owned(), r.size(future))).collect()))
}

/// A capacity plan's input as a document: `months` (default 6), `growth_limit_percent`
/// (default 70) and `[[resources]]` with `name`, and either `current` (+ optional
/// `monthly_growth`) or `history` (`[[seconds, value], ...]`, + `counter = true` for counters);
/// `limit` optional. TOML, JSON, or CSV with the columns `name,current,monthly_growth,limit`
/// (empty cells: default growth, no limit).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    #[serde(default = "default_months")]
    pub months: u32,
    #[serde(default = "default_limit")]
    pub growth_limit_percent: f64,
    pub resources: Vec<ResourceInput>,
    /// Resources sized from the user count (the AI tutoring manual's rules by default).
    pub sizing: Option<SizingInput>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizingInput {
    pub users: f64,
    pub monthly_growth: Option<f64>,
    pub rules: Option<Vec<SizingRuleInput>>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizingRuleInput {
    pub resource: String,
    pub per_users: Option<f64>,
    pub per_user: Option<f64>,
    #[serde(default)]
    pub minimum: f64,
}

/// Users now and at the horizon, and what each sized resource needs then.
#[derive(Debug, Clone, PartialEq)]
pub struct Sizing {
    pub users: f64,
    pub future_users: f64,
    pub needs: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceInput {
    pub name: String,
    pub current: Option<f64>,
    pub monthly_growth: Option<f64>,
    pub limit: Option<f64>,
    pub history: Option<Vec<(f64, f64)>>,
    #[serde(default)]
    pub counter: bool,
}

fn default_months() -> u32 {
    6
}

fn default_limit() -> f64 {
    DEFAULT_GROWTH_LIMIT_PERCENT
}

impl PlanInput {
    /// From a document already read (a policy's `[capacity]`, a report's parts), checked by
    /// planning it once; errors name the key under `at`.
    pub fn from_value(v: &serde_json::Value, at: &str) -> Result<PlanInput> {
        let input: PlanInput = crate::error::deserialize_at(v, at)?;
        input.plan()?;
        Ok(input)
    }

    /// Reads `text` as `format`: "toml", "json" or "csv".
    pub fn parse(text: &str, format: &str) -> Result<PlanInput> {
        match format {
            "json" => serde_json::from_str(text).map_err(|e| Error::invalid_value("input", "", e.to_string())),
            "toml" => toml_input(text),
            "csv" => csv_input(text),
            other => Err(Error::invalid_value("input-format", other, "expected toml, json or csv")),
        }
    }

    /// The sizing this input asks for, if any.
    pub fn sizing(&self) -> Result<Option<Sizing>> {
        let Some(sz) = &self.sizing else { return Ok(None) };
        let rules = match &sz.rules {
            None => manual_sizing_rules(),
            Some(list) => list
                .iter()
                .map(|r| SizingRule::from_spec(&r.resource, r.per_users, r.per_user, r.minimum))
                .collect::<Result<_>>()?,
        };
        let growth = sz.monthly_growth.unwrap_or(DEFAULT_MONTHLY_GROWTH);
        let (future_users, needs) = resource_needs(sz.users, growth, f64::from(self.months), &rules)?;
        Ok(Some(Sizing { users: sz.users, future_users, needs }))
    }

    /// The plan this input asks for.
    pub fn plan(&self) -> Result<CapacityPlan> {
        let resources = self
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| match (&r.history, r.current) {
                (Some(history), None) => {
                    let field = format!("resources[{i}].history");
                    let mut t = Vec::with_capacity(history.len());
                    for (j, (s, _)) in history.iter().enumerate() {
                        t.push(crate::forecast::input::time_ms(&format!("{field}[{j}]"), *s)?);
                    }
                    let v: Vec<f64> = history.iter().map(|(_, v)| *v).collect();
                    let samples = crate::forecast::samples(&t, &v)?;
                    if r.monthly_growth.is_some() {
                        return Err(Error::invalid_value(
                            &format!("resources[{i}].monthly_growth"),
                            &r.name,
                            "give a history or a monthly growth, not both",
                        ));
                    }
                    Resource::from_history(&r.name, &samples, r.counter, r.limit)
                }
                (None, Some(current)) => {
                    Ok(Resource { name: r.name.clone(), current, monthly_growth: r.monthly_growth, limit: r.limit })
                }
                _ => Err(Error::invalid_value(
                    &format!("resources[{i}]"),
                    &r.name,
                    "needs either `current` or `history`",
                )),
            })
            .collect::<Result<Vec<_>>>()?;
        plan(&resources, self.months, self.growth_limit_percent)
    }
}

#[cfg(feature = "spec")]
fn toml_input(text: &str) -> Result<PlanInput> {
    toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| {
            let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}")
        });
        Error::invalid_value(&at.unwrap_or_else(|| "input".into()), "", e.message().to_owned())
    })
}

#[cfg(not(feature = "spec"))]
fn toml_input(_text: &str) -> Result<PlanInput> {
    Err(Error::invalid_value("input-format", "toml", "this build has no TOML support (feature `spec`)"))
}

fn csv_input(text: &str) -> Result<PlanInput> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| Error::invalid_value("line 1", "", e.to_string()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(name_col), Some(current_col)) = (column("name"), column("current")) else {
        return Err(Error::invalid_value(
            "line 1",
            &headers.iter().collect::<Vec<_>>().join(","),
            "the header needs name and current (and optionally monthly_growth, limit)",
        ));
    };
    let (growth_col, limit_col) = (column("monthly_growth"), column("limit"));
    let mut resources = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| Error::invalid_value(&format!("line {line}"), "", e.to_string()))?;
        let number = |col: Option<usize>, what: &str| -> Result<Option<f64>> {
            match col.and_then(|c| record.get(c)).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => s
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| Error::invalid_value(&format!("line {line} {what}"), s, "not a number")),
            }
        };
        resources.push(ResourceInput {
            name: record.get(name_col).unwrap_or("").to_owned(),
            current: Some(
                number(Some(current_col), "current")?
                    .ok_or_else(|| Error::invalid_value(&format!("line {line} current"), "", "is required"))?,
            ),
            monthly_growth: number(growth_col, "monthly_growth")?,
            limit: number(limit_col, "limit")?,
            history: None,
            counter: false,
        });
    }
    Ok(PlanInput { months: default_months(), growth_limit_percent: default_limit(), resources, sizing: None })
}

impl Sizing {
    /// Appended to the markdown report: users now → at the horizon, and each resource's need.
    pub fn to_markdown(&self, months: u32, language: Language) -> String {
        let (title, users) = match language {
            Language::ZhCn => (format!("## {months}个月资源需求"), "用户数"),
            Language::En => (format!("## Resources needed in {months} months"), "users"),
        };
        let mut lines = vec![
            format!("\n\n{title}"),
            format!("- {users}: {} → {:.0}", crate::fmt_number(self.users), self.future_users),
        ];
        for (name, need) in &self.needs {
            lines.push(format!("- {name}: {}", crate::fmt_number((need * 100.0).round() / 100.0)));
        }
        lines.join("\n")
    }

    pub fn to_json(&self) -> serde_json::Value {
        let needs: serde_json::Map<String, serde_json::Value> = self
            .needs
            .iter()
            .map(|(k, v)| (k.clone(), crate::json_number(*v).unwrap_or(serde_json::Value::Null)))
            .collect();
        json!({"users": crate::json_number(self.users), "future_users": crate::json_number(self.future_users), "needs": needs})
    }
}

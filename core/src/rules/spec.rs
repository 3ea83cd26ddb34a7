//! `[[rules]]` of a policy file:
//!
//! ```toml
//! [[rules]]
//! name = "HighCPU"
//! metric = "cpu_usage_percent"           # or numerator + denominator for a ratio
//! match = { instance = "web-1" }          # optional label equality
//! alert_when = "above 80"                 # a Nagios range or a plain form
//! for = "5m"
//! keep_firing_for = "10m"
//! severity = "warning"
//! labels = { team = "ops" }
//! annotations = { summary = "CPU above 80 %" }
//! flapping = { low = 5, high = 20 }       # or true for Nagios' defaults
//!
//! [[rules]]
//! name = "DiskFillingUp"
//! metric = "node_filesystem_avail_bytes"
//! predict = { window = "6h", ahead = "24h", below = 0 }
//! ```

use serde::Deserialize;
use serde_json::Value;

use crate::duration::parse_duration;
use crate::error::{Error, Result};
use crate::forecast::RangeMode;
use crate::forecast::crossing::Breach;
use crate::forecast::predictive::PredictiveCondition;
use crate::rules::alerting::Rule;
use crate::rules::condition::{Condition, Labels, Selector};
use crate::rules::flapping::{DEFAULT_HIGH, DEFAULT_LOW};
use crate::threshold::Range;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    name: String,
    metric: Option<String>,
    numerator: Option<String>,
    denominator: Option<String>,
    #[serde(rename = "match", default)]
    matchers: Labels,
    alert_when: Option<String>,
    predict: Option<PredictSpec>,
    #[serde(rename = "for")]
    for_: Option<String>,
    keep_firing_for: Option<String>,
    severity: Option<String>,
    #[serde(default)]
    labels: Labels,
    #[serde(default)]
    annotations: Labels,
    flapping: Option<FlapSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PredictSpec {
    window: String,
    ahead: String,
    below: Option<f64>,
    above: Option<f64>,
    #[serde(default)]
    closed_range: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FlapSpec {
    On(bool),
    Thresholds { low: f64, high: f64 },
}

fn invalid(field: String, value: &str, reason: impl Into<String>) -> Error {
    Error::InvalidValue { field, value: value.into(), reason: reason.into() }
}

/// The `rules` array of a policy document (TOML turned into JSON values, or JSON).
pub fn rules_from_value(rules: &Value) -> Result<Vec<Rule>> {
    let items = rules
        .as_array()
        .ok_or_else(|| invalid("rules".into(), &rules.to_string(), "expected an array of tables ([[rules]])"))?;
    let mut out: Vec<Rule> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let name = item.get("name").and_then(Value::as_str).unwrap_or("");
        let at = |key: &str| {
            if name.is_empty() { format!("rules[{i}].{key}") } else { format!("rules[{i}] ({name}).{key}") }
        };
        let spec: RuleSpec = serde_json::from_value(item.clone()).map_err(|e| invalid(at("*"), "", e.to_string()))?;
        crate::check::validate_name(&at("name"), &spec.name)?;
        if out.iter().any(|r| r.name == spec.name) {
            return Err(invalid(at("name"), &spec.name, "two rules share this name"));
        }
        let range = |text: &Option<String>| -> Result<Range> {
            let text = text
                .as_deref()
                .ok_or_else(|| invalid(at("alert_when"), "", "missing: e.g. alert_when = \"above 80\""))?;
            // Nagios text, or a plain form in words ("above 80").
            Range::parse(&at("alert_when"), text)
        };
        let selector = |metric: &str| Selector { metric: metric.to_owned(), matchers: spec.matchers.clone() };
        let condition = match (&spec.metric, &spec.numerator, &spec.denominator, &spec.predict) {
            (Some(m), None, None, None) => {
                Condition::Threshold { selector: selector(m), range: range(&spec.alert_when)? }
            }
            (None, Some(n), Some(d), None) => {
                Condition::Ratio { numerator: selector(n), denominator: selector(d), range: range(&spec.alert_when)? }
            }
            (Some(m), None, None, Some(p)) => {
                if spec.alert_when.is_some() {
                    return Err(invalid(
                        at("alert_when"),
                        "",
                        "a predictive rule says its limit in predict.below/above",
                    ));
                }
                let (breach, limit) = match (p.below, p.above) {
                    (Some(b), None) => (Breach::Below, b),
                    (None, Some(a)) => (Breach::Above, a),
                    _ => return Err(invalid(at("predict"), "", "give exactly one of below or above")),
                };
                Condition::Predictive {
                    selector: selector(m),
                    predictive: PredictiveCondition {
                        window_ms: parse_duration(&at("predict.window"), &p.window)?.as_millis() as i64,
                        mode: if p.closed_range { RangeMode::Closed } else { RangeMode::LeftOpen },
                        predict_s: parse_duration(&at("predict.ahead"), &p.ahead)?.as_secs_f64(),
                        breach,
                        limit,
                    },
                }
            }
            _ => {
                return Err(invalid(
                    at("metric"),
                    "",
                    "give metric (with alert_when or predict), or numerator and denominator (with alert_when)",
                ));
            }
        };
        let millis = |key: &str, v: &Option<String>| -> Result<i64> {
            Ok(v.as_deref().map(|t| parse_duration(&at(key), t)).transpose()?.map_or(0, |d| d.as_millis() as i64))
        };
        let flapping = match spec.flapping {
            None | Some(FlapSpec::On(false)) => None,
            Some(FlapSpec::On(true)) => Some((DEFAULT_LOW, DEFAULT_HIGH)),
            Some(FlapSpec::Thresholds { low, high }) => {
                if !(0.0 <= low && low < high && high <= 100.0) {
                    return Err(invalid(at("flapping"), &format!("{low}..{high}"), "need 0 ≤ low < high ≤ 100"));
                }
                Some((low, high))
            }
        };
        for key in spec.labels.keys().chain(spec.matchers.keys()) {
            if key.is_empty() || key.starts_with("__") || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(invalid(at("labels"), key, "label names are [a-zA-Z_][a-zA-Z0-9_]*, not starting with __"));
            }
        }
        out.push(Rule {
            for_ms: millis("for", &spec.for_)?,
            keep_firing_for_ms: millis("keep_firing_for", &spec.keep_firing_for)?,
            severity: spec.severity,
            labels: spec.labels,
            annotations: spec.annotations,
            flapping,
            name: spec.name,
            condition,
        });
    }
    Ok(out)
}

/// The `[[rules]]` of a TOML policy.
#[cfg(feature = "spec")]
pub fn rules_from_toml(text: &str) -> Result<Vec<Rule>> {
    let value: toml::Value = toml::from_str(text).map_err(|e| invalid("policy".into(), "", e.to_string()))?;
    let json = serde_json::to_value(value).map_err(|e| invalid("policy".into(), "", e.to_string()))?;
    json.get("rules").map(rules_from_value).unwrap_or_else(|| Ok(Vec::new()))
}

/// The `rules` of a JSON policy.
pub fn rules_from_json(text: &str) -> Result<Vec<Rule>> {
    let json: Value = serde_json::from_str(text).map_err(|e| invalid("policy".into(), "", format!("not JSON: {e}")))?;
    json.get("rules").map(rules_from_value).unwrap_or_else(|| Ok(Vec::new()))
}

//! Rules as a Prometheus rule file, and recorded samples with the alerts opsbook's evaluator
//! produced as a promtool unit-test file: `promtool test rules` then checks that Prometheus
//! fires the same alerts at the same times.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::duration::format_duration;
use crate::error::{Error, Result};
use crate::rules::alerting::{AlertState, Rule};
use crate::rules::condition::{Labels, Sample, go_quote};
use crate::rules::engine::RuleEngine;

fn duration(ms: i64) -> String {
    format_duration(std::time::Duration::from_millis(ms.max(0) as u64))
}

fn yaml_map(out: &mut String, indent: &str, map: &Labels) {
    for (k, v) in map {
        let _ = writeln!(out, "{indent}{k}: {}", go_quote(v));
    }
}

/// A Prometheus rule file (YAML) with one group of every rule.
pub fn prometheus_rules(rules: &[Rule], group: &str, interval_ms: Option<i64>) -> String {
    let mut out = String::from("groups:\n");
    let _ = writeln!(out, "  - name: {}", go_quote(group));
    if let Some(ms) = interval_ms {
        let _ = writeln!(out, "    interval: {}", duration(ms));
    }
    out.push_str("    rules:\n");
    for r in rules {
        let _ = writeln!(out, "      - alert: {}", go_quote(&r.name));
        let _ = writeln!(out, "        expr: {}", go_quote(&r.condition.to_promql()));
        if r.for_ms > 0 {
            let _ = writeln!(out, "        for: {}", duration(r.for_ms));
        }
        if r.keep_firing_for_ms > 0 {
            let _ = writeln!(out, "        keep_firing_for: {}", duration(r.keep_firing_for_ms));
        }
        let mut labels = r.labels.clone();
        if let Some(s) = &r.severity {
            labels.insert("severity".into(), s.clone());
        }
        if !labels.is_empty() {
            out.push_str("        labels:\n");
            yaml_map(&mut out, "          ", &labels);
        }
        if !r.annotations.is_empty() {
            out.push_str("        annotations:\n");
            yaml_map(&mut out, "          ", &r.annotations);
        }
    }
    out
}

/// The samples of a replay: evaluation time (ms) → samples present then.
pub type Replay = BTreeMap<i64, Vec<Sample>>;

fn series_text(metric: &str, labels: &Labels) -> String {
    if labels.is_empty() {
        return metric.to_owned();
    }
    let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={}", go_quote(v))).collect();
    format!("{metric}{{{}}}", l.join(","))
}

/// A promtool unit-test file for `rule_file`: the replay's samples on a grid of
/// `interval_ms` from 0 (a missing sample after a present one is written `stale`, so
/// Prometheus' 5-minute lookback does not keep it alive), and at every step the firing
/// alerts opsbook's own evaluator produced. Annotations with templates cannot be expected
/// before the template engine exists, so such rules are refused.
pub fn promtool_test(rules: &[Rule], rule_file: &str, replay: &Replay, interval_ms: i64) -> Result<String> {
    if interval_ms <= 0 {
        return Err(Error::invalid_value("interval", &interval_ms.to_string(), "must be positive"));
    }
    if let Some(r) = rules.iter().find(|r| r.annotations.values().any(|v| v.contains("{{"))) {
        return Err(Error::invalid_value(
            &format!("rules.{}.annotations", r.name),
            "",
            "templated annotations cannot be expected in a promtool test yet",
        ));
    }
    if let Some(t) = replay.keys().find(|t| **t < 0 || *t % interval_ms != 0) {
        return Err(Error::invalid_value(
            "samples",
            &t.to_string(),
            format!("sample times must lie on the {interval_ms} ms grid starting at 0"),
        ));
    }
    let last = replay.keys().next_back().copied().unwrap_or(0);
    let steps = (last / interval_ms) as usize + 1;
    // Every series, and its value at each step.
    let mut series: BTreeMap<(String, Labels), Vec<Option<f64>>> = BTreeMap::new();
    for (t, samples) in replay {
        for s in samples {
            let slot = series.entry((s.metric.clone(), s.labels.clone())).or_insert_with(|| vec![None; steps]);
            slot[(*t / interval_ms) as usize] = Some(s.value);
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "rule_files:\n  - {}\nevaluation_interval: {}\ntests:",
        go_quote(rule_file),
        duration(interval_ms)
    );
    let _ = writeln!(out, "  - interval: {}\n    input_series:", duration(interval_ms));
    for ((metric, labels), values) in &series {
        let mut words = Vec::with_capacity(steps);
        let mut present = false;
        for v in values {
            words.push(match v {
                Some(x) => {
                    present = true;
                    prom_value(*x)
                }
                None if present => {
                    present = false;
                    "stale".to_owned()
                }
                None => "_".to_owned(),
            });
        }
        let _ = writeln!(
            out,
            "      - series: {}\n        values: {}",
            go_quote(&series_text(metric, labels)),
            go_quote(&words.join(" "))
        );
    }
    out.push_str("    alert_rule_test:\n");
    let mut engine = RuleEngine::new(rules.to_vec());
    let empty = Vec::new();
    for step in 0..steps {
        let t = step as i64 * interval_ms;
        engine.evaluate(t, replay.get(&t).unwrap_or(&empty))?;
        for rule in engine.rules() {
            let _ =
                writeln!(out, "      - eval_time: {}\n        alertname: {}", duration(t), go_quote(&rule.rule.name));
            let firing: Vec<_> = rule.alerts().into_iter().filter(|a| a.state == AlertState::Firing).collect();
            if firing.is_empty() {
                out.push_str("        exp_alerts: []\n");
                continue;
            }
            out.push_str("        exp_alerts:\n");
            for a in firing {
                let mut labels = a.labels.clone();
                labels.remove("alertname");
                out.push_str("          - exp_labels:\n");
                yaml_map(&mut out, "              ", &labels);
                if !rule.rule.annotations.is_empty() {
                    out.push_str("            exp_annotations:\n");
                    yaml_map(&mut out, "              ", &rule.rule.annotations);
                }
            }
        }
    }
    Ok(out)
}

/// A value as promtool's series notation writes it.
fn prom_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        crate::fmt_number(v)
    }
}

//! Many rules evaluated together over the samples of each evaluation time, keeping the
//! history predictive conditions need.

use std::collections::HashMap;

use crate::error::Result;
use crate::forecast::Sample as TimedSample;
use crate::rules::alerting::{AlertingRule, Event, Rule};
use crate::rules::condition::{Labels, Sample};

/// Rules and their state.
#[derive(Debug, Clone)]
pub struct RuleEngine {
    rules: Vec<AlertingRule>,
    history: HashMap<(String, Labels), Vec<TimedSample>>,
    keep_ms: i64,
    last_ms: Option<i64>,
}

impl RuleEngine {
    pub fn new(rules: Vec<Rule>) -> RuleEngine {
        let keep_ms = rules.iter().map(|r| r.condition.history_ms()).max().unwrap_or(0);
        RuleEngine {
            rules: rules.into_iter().map(AlertingRule::new).collect(),
            history: HashMap::new(),
            keep_ms,
            last_ms: None,
        }
    }

    pub fn rules(&self) -> &[AlertingRule] {
        &self.rules
    }

    /// Evaluates every rule at `ts_ms` over the samples present then (a series without a
    /// sample is absent: its condition is false, as in Prometheus). Times must not go back.
    pub fn evaluate(&mut self, ts_ms: i64, samples: &[Sample]) -> Result<Vec<Event>> {
        if let Some(last) = self.last_ms
            && ts_ms < last
        {
            return Err(crate::Error::InvalidValue {
                field: "time".into(),
                value: ts_ms.to_string(),
                reason: format!("evaluations must not go back in time (the last was at {last})"),
            });
        }
        self.last_ms = Some(ts_ms);
        if self.keep_ms > 0 {
            for s in samples {
                let series = self.history.entry((s.metric.clone(), s.labels.clone())).or_default();
                if series.last().is_none_or(|last| last.t_ms < ts_ms) {
                    series.push(TimedSample::new(ts_ms, s.value));
                }
            }
            let oldest = ts_ms - self.keep_ms;
            self.history.retain(|_, v| {
                v.retain(|s| s.t_ms >= oldest);
                !v.is_empty()
            });
        }
        let history = &self.history;
        let lookup = |metric: &str, labels: &Labels| -> Vec<TimedSample> {
            history.get(&(metric.to_owned(), labels.clone())).cloned().unwrap_or_default()
        };
        let mut events = Vec::new();
        for rule in &mut self.rules {
            let results = rule.rule.condition.evaluate(samples, &lookup, ts_ms);
            events.extend(rule.eval(ts_ms, results)?);
        }
        Ok(events)
    }
}

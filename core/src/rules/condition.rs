//! What a rule alerts on, evaluated over the samples present at one evaluation time the way
//! the equivalent PromQL would: a filter by a Nagios range, a one-to-one ratio of two series,
//! or a `predict_linear` forecast.

use std::collections::BTreeMap;

use crate::Range;
use crate::forecast::Sample as TimedSample;
use crate::forecast::crossing::Breach;
use crate::forecast::predictive::PredictiveCondition;

pub type Labels = BTreeMap<String, String>;

/// One sample of one series at an evaluation time.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub metric: String,
    pub labels: Labels,
    pub value: f64,
}

/// A metric name and label equality matchers, as `metric{a="b"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub metric: String,
    pub matchers: Labels,
}

impl Selector {
    pub fn new(metric: &str) -> Selector {
        Selector { metric: metric.to_owned(), matchers: Labels::new() }
    }

    pub fn matches(&self, metric: &str, labels: &Labels) -> bool {
        metric == self.metric && self.matchers.iter().all(|(k, v)| labels.get(k) == Some(v))
    }

    /// PromQL text: `metric` or `metric{a="b"}`.
    pub fn to_promql(&self) -> String {
        if self.matchers.is_empty() {
            return self.metric.clone();
        }
        let m: Vec<String> = self.matchers.iter().map(|(k, v)| format!("{k}={}", go_quote(v))).collect();
        format!("{}{{{}}}", self.metric, m.join(","))
    }
}

/// A string as a PromQL/Go double-quoted literal (Go's `strconv.Quote`).
pub(crate) use crate::alert::gofmt::go_quote;

/// The condition of a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Every selected series whose value the range alerts on (`cpu_usage_percent > 80`).
    Threshold { selector: Selector, range: Range },
    /// numerator / denominator per identical label set, then the range (`errors / total > 0.05`).
    Ratio { numerator: Selector, denominator: Selector, range: Range },
    /// `predict_linear(selector[window], predict_s)` past a limit.
    Predictive { selector: Selector, predictive: PredictiveCondition },
}

fn without_name(labels: &Labels) -> Labels {
    let mut l = labels.clone();
    l.remove("__name__");
    l
}

impl Condition {
    /// How much history the condition needs (the predictive window), in ms.
    pub fn history_ms(&self) -> i64 {
        match self {
            Condition::Predictive { predictive, .. } => predictive.window_ms,
            _ => 0,
        }
    }

    /// The series that satisfy the condition at this evaluation: (labels without the metric
    /// name, value). `history` holds each series' recent samples for predictive conditions.
    pub fn evaluate(
        &self,
        now: &[Sample],
        history: &dyn Fn(&str, &Labels) -> Vec<TimedSample>,
        ts_ms: i64,
    ) -> Vec<(Labels, f64)> {
        match self {
            Condition::Threshold { selector, range } => now
                .iter()
                .filter(|s| selector.matches(&s.metric, &s.labels) && range.alerts(s.value))
                .map(|s| (without_name(&s.labels), s.value))
                .collect(),
            Condition::Ratio { numerator, denominator, range } => {
                let dens: Vec<(Labels, f64)> = now
                    .iter()
                    .filter(|s| denominator.matches(&s.metric, &s.labels))
                    .map(|s| (without_name(&s.labels), s.value))
                    .collect();
                now.iter()
                    .filter(|s| numerator.matches(&s.metric, &s.labels))
                    .filter_map(|s| {
                        let labels = without_name(&s.labels);
                        let den = dens.iter().find(|(l, _)| *l == labels)?.1;
                        // As PromQL: x/0 is ±Inf, 0/0 NaN (which never alerts).
                        let v = s.value / den;
                        range.alerts(v).then_some((labels, v))
                    })
                    .collect()
            }
            Condition::Predictive { selector, predictive } => now
                .iter()
                .filter(|s| selector.matches(&s.metric, &s.labels))
                .filter_map(|s| {
                    let series = history(&s.metric, &s.labels);
                    let v = predictive.predicted(&series, ts_ms)?;
                    predictive.holds(&series, ts_ms).then_some((without_name(&s.labels), v))
                })
                .collect(),
        }
    }

    /// The equivalent PromQL expression.
    pub fn to_promql(&self) -> String {
        match self {
            Condition::Threshold { selector, range } => range_promql(&selector.to_promql(), range),
            Condition::Ratio { numerator, denominator, range } => {
                range_promql(&format!("({} / {})", numerator.to_promql(), denominator.to_promql()), range)
            }
            Condition::Predictive { selector, predictive } => {
                let window = crate::duration::format_duration(std::time::Duration::from_millis(
                    predictive.window_ms.max(0) as u64,
                ));
                let op = match predictive.breach {
                    Breach::Below => "<",
                    Breach::Above => ">",
                };
                format!(
                    "predict_linear({}[{window}], {}) {op} {}",
                    selector.to_promql(),
                    crate::fmt_number(predictive.predict_s),
                    crate::fmt_number(predictive.limit)
                )
            }
        }
    }
}

/// `expr` filtered to the values a Nagios range alerts on.
fn range_promql(expr: &str, range: &Range) -> String {
    let (start, end) = (range.start(), range.end());
    let n = crate::fmt_number;
    if range.inside() {
        // @start:end alerts inside [start, end].
        match (start.is_finite(), end.is_finite()) {
            (true, true) => format!("{expr} >= {} and {expr} <= {}", n(start), n(end)),
            (true, false) => format!("{expr} >= {}", n(start)),
            (false, true) => format!("{expr} <= {}", n(end)),
            (false, false) => expr.to_owned(),
        }
    } else {
        // start:end alerts outside [start, end].
        match (start.is_finite(), end.is_finite()) {
            (true, true) => format!("{expr} < {} or {expr} > {}", n(start), n(end)),
            (true, false) => format!("{expr} < {}", n(start)),
            (false, true) => format!("{expr} > {}", n(end)),
            (false, false) => format!("{expr} != {expr}"),
        }
    }
}

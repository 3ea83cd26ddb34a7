//! Annotation templates expanded as Prometheus expands them at each evaluation
//! (`rules/alerting.go`): `{{ $labels.instance }}`, `{{ $value }}`, `{{ $value |
//! humanizePercentage }}` over the alert's labels and value. A template that fails becomes
//! `<error expanding template: ...>`, as in Prometheus, rather than stopping the evaluation.

use crate::rules::condition::Labels;

/// `annotations` with every template in them expanded for an alert with `labels` and `value`.
pub fn expand(annotations: &Labels, labels: &Labels, value: f64) -> Labels {
    if !annotations.values().any(|v| v.contains("{{")) {
        return annotations.clone();
    }
    #[cfg(feature = "alert")]
    {
        let mut alert = crate::alert::model::Alert::firing(labels.clone(), Labels::new(), 0);
        alert.value = Some(value);
        annotations
            .iter()
            .map(|(k, v)| {
                let text = if v.contains("{{") {
                    crate::alert::template::expand_once(v, &alert, &jiff::tz::TimeZone::UTC)
                        .unwrap_or_else(|e| format!("<error expanding template: {e}>"))
                } else {
                    v.clone()
                };
                (k.clone(), text)
            })
            .collect()
    }
    #[cfg(not(feature = "alert"))]
    {
        let _ = (labels, value);
        annotations.clone()
    }
}

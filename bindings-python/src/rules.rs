//! `opsbook.rules` (wraps `opsbook::rules`): alert rules evaluated with Prometheus'
//! semantics, Nagios flap detection, Alertmanager fingerprints, Prometheus export.

use std::collections::BTreeMap;

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use opsbook::rules::{Event, Labels, RuleEngine as CoreEngine, Sample as CoreSample};

use crate::errors::IntoPyResult;

fn time_ms(field: &str, seconds: f64) -> PyResult<i64> {
    opsbook::forecast::input::time_ms(field, seconds).py_err()
}

/// One sample of one series at an evaluation.
#[pyclass(frozen, from_py_object, module = "opsbook")]
#[derive(Clone)]
pub struct Sample {
    #[pyo3(get)]
    metric: String,
    #[pyo3(get)]
    value: f64,
    #[pyo3(get)]
    labels: BTreeMap<String, String>,
}

#[pymethods]
impl Sample {
    #[new]
    #[pyo3(signature = (metric, value, labels = None))]
    fn new(metric: String, value: f64, labels: Option<BTreeMap<String, String>>) -> Sample {
        Sample { metric, value, labels: labels.unwrap_or_default() }
    }

    fn __repr__(&self) -> String {
        format!("Sample({:?}, {}, {:?})", self.metric, self.value, self.labels)
    }
}

/// Something that happened to an alert: kind is "pending", "firing", "resolved",
/// "pending_cleared", "flap_started" or "flap_stopped"; notify says whether it should be sent.
#[pyclass(frozen, module = "opsbook")]
pub struct AlertEvent {
    #[pyo3(get)]
    time: f64,
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    rule: String,
    #[pyo3(get)]
    labels: BTreeMap<String, String>,
    #[pyo3(get)]
    fingerprint: String,
    #[pyo3(get)]
    value: f64,
    #[pyo3(get)]
    active_since: f64,
    #[pyo3(get)]
    notify: bool,
}

#[pymethods]
impl AlertEvent {
    fn __repr__(&self) -> String {
        format!("AlertEvent(time={}, kind='{}', rule='{}', labels={:?})", self.time, self.kind, self.rule, self.labels)
    }
}

fn event(e: Event) -> AlertEvent {
    AlertEvent {
        time: e.at_ms as f64 / 1e3,
        kind: e.kind.as_str(),
        rule: e.rule,
        labels: e.labels,
        fingerprint: e.fingerprint,
        value: e.value,
        active_since: e.active_at_ms as f64 / 1e3,
        notify: e.notify,
    }
}

/// An alert held by a rule now.
#[pyclass(frozen, module = "opsbook")]
pub struct Alert {
    #[pyo3(get)]
    rule: String,
    #[pyo3(get)]
    labels: BTreeMap<String, String>,
    /// "pending", "firing" or "inactive" (resolved, kept 15 minutes as Prometheus does).
    #[pyo3(get)]
    state: &'static str,
    #[pyo3(get)]
    value: f64,
    #[pyo3(get)]
    active_since: f64,
}

/// Rules and the state of their alerts. Build from policy-shaped rule dicts (the keys of
/// `[[rules]]`), or from a policy file's text.
#[pyclass(module = "opsbook")]
pub struct RuleEngine {
    inner: CoreEngine,
}

fn engine_from_json(text: &str) -> PyResult<RuleEngine> {
    let rules = opsbook::rules::spec::rules_from_json(text).py_err()?;
    Ok(RuleEngine { inner: CoreEngine::new(rules) })
}

#[pymethods]
impl RuleEngine {
    /// `rules` are dicts with the keys of a policy's `[[rules]]` (name, metric, alert_when,
    /// for, keep_firing_for, severity, labels, annotations, numerator/denominator, predict,
    /// flapping).
    #[new]
    fn new(py: Python<'_>, rules: &Bound<'_, PyAny>) -> PyResult<RuleEngine> {
        let json = py.import("json")?;
        let doc = pyo3::types::PyDict::new(py);
        doc.set_item("rules", rules)?;
        let text: String = json.call_method1("dumps", (doc,))?.extract()?;
        engine_from_json(&text)
    }

    /// The `[[rules]]` of a TOML policy.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<RuleEngine> {
        let rules = opsbook::rules::spec::rules_from_toml(text).py_err()?;
        Ok(RuleEngine { inner: CoreEngine::new(rules) })
    }

    /// The `rules` of a JSON policy.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<RuleEngine> {
        engine_from_json(text)
    }

    /// Evaluates every rule at `time` (Unix seconds) over the samples present then.
    fn evaluate(&mut self, time: f64, samples: Vec<Sample>) -> PyResult<Vec<AlertEvent>> {
        let t = time_ms("time", time)?;
        let samples: Vec<CoreSample> =
            samples.into_iter().map(|s| CoreSample { metric: s.metric, labels: s.labels, value: s.value }).collect();
        Ok(self.inner.evaluate(t, &samples).py_err()?.into_iter().map(event).collect())
    }

    /// Evaluates at each of `times` with this one series as the only sample present (a
    /// recorded history replayed in one call); float64 buffers are read in place, and the
    /// GIL is released while the rules run.
    fn evaluate_series(
        &mut self,
        py: Python<'_>,
        metric: &str,
        labels: BTreeMap<String, String>,
        times: &Bound<'_, PyAny>,
        values: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<AlertEvent>> {
        let times_ms: Vec<i64> = match PyBuffer::<f64>::get(times) {
            Ok(b) if b.is_c_contiguous() => {
                let ptr = b.as_slice_ptr().ok_or_else(|| PyValueError::new_err("times is not contiguous"))?;
                // SAFETY: a C-contiguous float64 buffer kept alive by `b`, read under the GIL.
                let slice = unsafe { ptr.as_ref() };
                slice.iter().map(|&s| time_ms("times", s)).collect::<PyResult<_>>()?
            }
            _ => times.extract::<Vec<f64>>()?.into_iter().map(|s| time_ms("times", s)).collect::<PyResult<_>>()?,
        };
        let values: Vec<f64> = match PyBuffer::<f64>::get(values) {
            Ok(b) if b.is_c_contiguous() => b.to_vec(py)?,
            _ => values.extract()?,
        };
        let labels: Labels = labels;
        let engine = &mut self.inner;
        let events = py.detach(|| engine.evaluate_series(metric, &labels, &times_ms, &values)).py_err()?;
        Ok(events.into_iter().map(event).collect())
    }

    /// Every alert held now, by rule then labels.
    fn alerts(&self) -> Vec<Alert> {
        let mut out = Vec::new();
        for r in self.inner.rules() {
            for a in r.alerts() {
                out.push(Alert {
                    rule: r.rule.name.clone(),
                    labels: a.labels.clone(),
                    state: a.state.as_str(),
                    value: a.value,
                    active_since: a.active_at_ms as f64 / 1e3,
                });
            }
        }
        out
    }

    /// The rules as a Prometheus rule file (YAML), one group named `group`.
    #[pyo3(signature = (group = "opsbook"))]
    fn to_prometheus_rules(&self, group: &str) -> String {
        let rules: Vec<_> = self.inner.rules().iter().map(|r| r.rule.clone()).collect();
        opsbook::rules::export::prometheus_rules(&rules, group, None)
    }
}

/// The Alertmanager fingerprint of a label set: 16 hex digits.
#[pyfunction]
pub fn fingerprint(labels: BTreeMap<String, String>) -> String {
    opsbook::rules::fingerprint::fingerprint_hex(&labels)
}

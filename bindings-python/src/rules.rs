//! `opsbook.rules` (wraps `opsbook::rules`): alert rules evaluated with Prometheus'
//! semantics, Nagios flap detection, Alertmanager fingerprints, Prometheus export.

use std::collections::BTreeMap;

use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;

use opsbook::rules::{Event, Labels, RuleEngine as CoreEngine, Sample as CoreSample};

use crate::errors::IntoPyResult;
use crate::json::{from_py, to_py};

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

impl Sample {
    pub fn from_core(s: opsbook::rules::condition::Sample) -> Sample {
        Sample { metric: s.metric, value: s.value, labels: s.labels }
    }
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
                let ptr = b
                    .as_slice_ptr()
                    .ok_or_else(|| crate::errors::invalid_value("times", "", "the array is not contiguous"))?;
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

    /// Every alert's state, flap histories and predictive samples as JSON text.
    fn snapshot(&self) -> String {
        self.inner.snapshot()
    }

    /// Continues from a snapshot (after a restart, or in another process).
    fn restore(&mut self, snapshot: &str) -> PyResult<()> {
        self.inner.restore(snapshot).py_err()
    }

    /// Saves the snapshot under `key` in a store.
    fn save(&self, store: &crate::state::Store, key: &str) -> PyResult<()> {
        self.inner.save(store.store(), key).py_err()
    }

    /// Restores from `key` in a store; False when nothing was saved there.
    fn load(&mut self, store: &crate::state::Store, key: &str) -> PyResult<bool> {
        self.inner.load(store.store(), key).py_err()
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

pub(crate) fn core_event(e: &AlertEvent) -> PyResult<Event> {
    // AlertEvents are made by opsbook, so their kind always names one.
    let kind = opsbook::rules::EventKind::from_name(e.kind).unwrap_or(opsbook::rules::EventKind::FlapStopped);
    Ok(Event {
        kind,
        rule: e.rule.clone(),
        labels: e.labels.clone(),
        fingerprint: e.fingerprint.clone(),
        at_ms: time_ms("time", e.time)?,
        value: e.value,
        active_at_ms: time_ms("active_since", e.active_since)?,
        notify: e.notify,
    })
}

/// Alertmanager's grouping, deduplication, repeats, silences and inhibition, in-process.
#[pyclass(module = "opsbook")]
pub struct Dispatcher {
    inner: opsbook::rules::notify::Dispatcher,
}

#[pymethods]
impl Dispatcher {
    /// `config`: `{"route": {...}, "silences": [...], "inhibit_rules": [...]}` (see the README).
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(config: Option<&Bound<'_, PyAny>>) -> PyResult<Dispatcher> {
        let doc = match config {
            Some(c) => from_py(c)?,
            None => serde_json::json!({}),
        };
        opsbook::rules::notify::dispatcher_from_value(&doc).py_err().map(|inner| Dispatcher { inner })
    }

    /// Takes a firing or resolved event (others, and suppressed ones, are ignored).
    #[pyo3(signature = (event, annotations = None))]
    fn receive(&mut self, event: &AlertEvent, annotations: Option<BTreeMap<String, String>>) -> PyResult<()> {
        self.inner.receive(&core_event(event)?, &annotations.unwrap_or_default());
        Ok(())
    }

    /// The notifications due at `time`, as Alertmanager webhook payloads (dicts) with `time`.
    fn tick(&mut self, py: Python<'_>, time: f64) -> PyResult<Vec<Py<PyAny>>> {
        let t = time_ms("time", time)?;
        self.inner.tick(t).iter().map(|n| to_py(py, &n.to_json())).collect()
    }

    /// When the next group is due (Unix seconds), if any.
    fn next_due(&self) -> Option<f64> {
        self.inner.next_due().map(|t| t as f64 / 1e3)
    }

    /// Every group's alerts and timers as JSON text (the route comes from the config).
    fn snapshot(&self) -> String {
        self.inner.snapshot()
    }

    fn restore(&mut self, snapshot: &str) -> PyResult<()> {
        self.inner.restore(snapshot).py_err()
    }

    fn save(&self, store: &crate::state::Store, key: &str) -> PyResult<()> {
        self.inner.save(store.store(), key).py_err()
    }

    fn load(&mut self, store: &crate::state::Store, key: &str) -> PyResult<bool> {
        self.inner.load(store.store(), key).py_err()
    }
}

/// A Python hook as the core's hook: `hook(incident: dict) -> (succeeded, detail)`, an
/// exception counting as a failure with its message.
fn py_hook(hook: Py<PyAny>) -> impl Fn(&opsbook::rules::incident::Incident) -> opsbook::rules::incident::HookOutcome {
    move |incident| {
        Python::attach(|py| {
            let run = || -> PyResult<(bool, String)> {
                let arg = to_py(py, &incident.to_json())?;
                hook.call1(py, (arg,))?.extract(py)
            };
            match run() {
                Ok((succeeded, detail)) => opsbook::rules::incident::HookOutcome { succeeded, detail },
                Err(e) => opsbook::rules::incident::HookOutcome { succeeded: false, detail: e.to_string() },
            }
        })
    }
}

/// Incidents with escalation, acknowledgement and auto-recovery hooks.
#[pyclass(module = "opsbook")]
pub struct IncidentManager {
    inner: opsbook::rules::incident::IncidentManager,
}

#[pymethods]
impl IncidentManager {
    /// `escalation`: `{"levels": [{"name", "response", "contacts", "channels"}], "severities": {...}}`,
    /// levels most urgent first; None for the manuals' P0-P3.
    #[new]
    #[pyo3(signature = (escalation = None))]
    fn new(escalation: Option<&Bound<'_, PyAny>>) -> PyResult<IncidentManager> {
        let policy = match escalation {
            Some(e) => opsbook::rules::incident::escalation_from_value(&from_py(e)?).py_err()?,
            None => opsbook::rules::incident::EscalationPolicy::manual_p0_p3(),
        };
        opsbook::rules::incident::IncidentManager::new(policy).py_err().map(|inner| IncidentManager { inner })
    }

    /// `hook(incident: dict) -> (succeeded, detail)` runs when an incident of `kind` opens;
    /// an exception counts as a failure with its message.
    fn register_hook(&mut self, kind: &str, hook: Py<PyAny>) {
        self.inner.register_hook(kind, py_hook(hook));
    }

    /// Adds a line to an incident's timeline (a recovery step taken by the caller).
    fn record(&mut self, id: &str, what: &str, time: f64) -> PyResult<()> {
        self.inner.record(id, what, time_ms("time", time)?).py_err()
    }

    /// Every incident and the alert → incident index as JSON text.
    fn snapshot(&self) -> String {
        self.inner.snapshot()
    }

    fn restore(&mut self, snapshot: &str) -> PyResult<()> {
        self.inner.restore(snapshot).py_err()
    }

    fn save(&self, store: &crate::state::Store, key: &str) -> PyResult<()> {
        self.inner.save(store.store(), key).py_err()
    }

    fn load(&mut self, store: &crate::state::Store, key: &str) -> PyResult<bool> {
        self.inner.load(store.store(), key).py_err()
    }

    /// Opens or auto-resolves the incident of an event; its id when one was touched.
    fn on_event(&mut self, event: &AlertEvent) -> PyResult<Option<String>> {
        Ok(self.inner.on_event(&core_event(event)?))
    }

    fn acknowledge(&mut self, id: &str, by: &str, time: f64) -> PyResult<()> {
        self.inner.acknowledge(id, by, time_ms("time", time)?).py_err()
    }

    fn resolve(&mut self, id: &str, by: &str, note: &str, time: f64) -> PyResult<()> {
        self.inner.resolve(id, by, note, time_ms("time", time)?).py_err()
    }

    /// Escalates what ran out of time; (id, new level) per step.
    fn tick(&mut self, time: f64) -> PyResult<Vec<(String, String)>> {
        Ok(self.inner.tick(time_ms("time", time)?))
    }

    /// One incident as a dict (id, kind, labels, severity, level, status, opened_at,
    /// escalate_at, timeline), or None.
    fn incident(&self, py: Python<'_>, id: &str) -> PyResult<Option<Py<PyAny>>> {
        self.inner.incident(id).map(|i| to_py(py, &i.to_json())).transpose()
    }

    fn incidents(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.inner.incidents().map(|i| to_py(py, &i.to_json())).collect()
    }
}

/// A policy's rules, notifications and incidents run together: each evaluation's events go
/// to the dispatcher and the incident manager; groups and escalations due between
/// evaluations happen at their own times.
#[pyclass(module = "opsbook")]
pub struct AlertPipeline {
    inner: opsbook::rules::pipeline::AlertPipeline,
}

fn outcome(py: Python<'_>, o: opsbook::rules::pipeline::Outcome) -> PyResult<Py<PyAny>> {
    let dict = to_py(py, &o.to_json())?;
    let events: Vec<AlertEvent> = o.events.into_iter().map(event).collect();
    dict.bind(py).set_item("events", events)?;
    Ok(dict)
}

impl AlertPipeline {
    fn manager(&mut self) -> PyResult<&mut opsbook::rules::incident::IncidentManager> {
        self.inner.incidents.as_mut().ok_or_else(|| {
            crate::errors::to_py_err(opsbook::Error::InvalidValue {
                field: "escalation.levels".into(),
                value: String::new(),
                reason: "the policy declares no escalation levels, so it keeps no incidents".into(),
            })
        })
    }
}

#[pymethods]
impl AlertPipeline {
    /// From a TOML policy (`[[rules]]`, `[escalation]`; its other tables are checked too).
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<AlertPipeline> {
        let policy = opsbook::policy::Policy::from_toml(text).py_err()?;
        Ok(AlertPipeline { inner: policy.alert_pipeline().py_err()? })
    }

    /// From a JSON policy of the same shape.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<AlertPipeline> {
        let policy = opsbook::policy::Policy::from_json(text).py_err()?;
        Ok(AlertPipeline { inner: policy.alert_pipeline().py_err()? })
    }

    /// Evaluates at `time` (Unix seconds): `{"events": [AlertEvent], "notifications":
    /// [webhook dict], "escalations": [{"time", "incident", "level"}], "opened": [{"time",
    /// "incident"}]}`.
    fn evaluate(&mut self, py: Python<'_>, time: f64, samples: Vec<Sample>) -> PyResult<Py<PyAny>> {
        let t = time_ms("time", time)?;
        let samples: Vec<CoreSample> =
            samples.into_iter().map(|s| CoreSample { metric: s.metric, labels: s.labels, value: s.value }).collect();
        let o = self.inner.evaluate(t, &samples).py_err()?;
        outcome(py, o)
    }

    /// Sends what is due and escalates what ran out of time by `time`, without new samples.
    fn advance(&mut self, py: Python<'_>, time: f64) -> PyResult<Py<PyAny>> {
        let o = self.inner.advance(time_ms("time", time)?);
        outcome(py, o)
    }

    fn acknowledge(&mut self, id: &str, by: &str, time: f64) -> PyResult<()> {
        let t = time_ms("time", time)?;
        self.manager()?.acknowledge(id, by, t).py_err()
    }

    fn resolve(&mut self, id: &str, by: &str, note: &str, time: f64) -> PyResult<()> {
        let t = time_ms("time", time)?;
        self.manager()?.resolve(id, by, note, t).py_err()
    }

    fn record(&mut self, id: &str, what: &str, time: f64) -> PyResult<()> {
        let t = time_ms("time", time)?;
        self.manager()?.record(id, what, t).py_err()
    }

    /// `hook(incident: dict) -> (succeeded, detail)` runs when an incident of `kind` opens.
    fn register_hook(&mut self, kind: &str, hook: Py<PyAny>) -> PyResult<()> {
        self.manager()?.register_hook(kind, py_hook(hook));
        Ok(())
    }

    fn incident(&self, py: Python<'_>, id: &str) -> PyResult<Option<Py<PyAny>>> {
        self.inner.incidents.as_ref().and_then(|m| m.incident(id)).map(|i| to_py(py, &i.to_json())).transpose()
    }

    fn incidents(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.inner.incidents.iter().flat_map(|m| m.incidents()).map(|i| to_py(py, &i.to_json())).collect()
    }

    /// Saves rule, notification and incident state under `<prefix>rules`,
    /// `<prefix>notifications`, `<prefix>incidents`.
    #[pyo3(signature = (store, prefix = ""))]
    fn save(&self, py: Python<'_>, store: &crate::state::Store, prefix: &str) -> PyResult<()> {
        let inner = &self.inner;
        let store = store.store();
        py.detach(|| inner.save(store, prefix)).py_err()
    }

    #[pyo3(signature = (store, prefix = ""))]
    fn load(&mut self, store: &crate::state::Store, prefix: &str) -> PyResult<()> {
        self.inner.load(store.store(), prefix).py_err()
    }
}

//! Alert rules (wrap `opsbook::rules`): Prometheus' alerting-rule semantics, Nagios flap
//! detection, Alertmanager fingerprints, Prometheus export. Times are Unix seconds.

use std::collections::HashMap;

use napi::bindgen_prelude::{Either, Float64Array};
use napi_derive::napi;

use opsbook::rules::{Event, Labels, RuleEngine as CoreEngine, Sample as CoreSample};

use crate::errors::IntoJsResult;

fn time_ms(field: &str, seconds: f64) -> napi::Result<i64, String> {
    opsbook::forecast::input::time_ms(field, seconds).js_err()
}

fn labels_of(map: Option<HashMap<String, String>>) -> Labels {
    map.unwrap_or_default().into_iter().collect()
}

/// One sample of one series at an evaluation.
#[napi(object)]
pub struct Sample {
    pub metric: String,
    pub value: f64,
    pub labels: Option<HashMap<String, String>>,
}

/// A transition: kind is "pending", "firing", "resolved", "pending_cleared",
/// "flap_started" or "flap_stopped"; `notify` says whether it should be sent.
#[napi(object)]
pub struct AlertEvent {
    pub time: f64,
    pub kind: String,
    pub rule: String,
    pub labels: HashMap<String, String>,
    pub fingerprint: String,
    pub value: f64,
    pub active_since: f64,
    pub notify: bool,
}

fn event(e: Event) -> AlertEvent {
    AlertEvent {
        time: e.at_ms as f64 / 1e3,
        kind: e.kind.as_str().to_owned(),
        rule: e.rule,
        labels: e.labels.into_iter().collect(),
        fingerprint: e.fingerprint,
        value: e.value,
        active_since: e.active_at_ms as f64 / 1e3,
        notify: e.notify,
    }
}

/// An alert a rule holds now; state "pending", "firing" or "inactive" (resolved, kept 15 min).
#[napi(object)]
pub struct Alert {
    pub rule: String,
    pub labels: HashMap<String, String>,
    pub state: String,
    pub value: f64,
    pub active_since: f64,
}

/// `predict_linear(metric[window], ahead) < below` (or `> above`).
#[napi(object)]
pub struct PredictSpec {
    pub window: String,
    pub ahead: String,
    pub below: Option<f64>,
    pub above: Option<f64>,
    /// Prometheus 2's closed range selection instead of Prometheus 3's left-open one.
    pub closed_range: Option<bool>,
}

/// Nagios flap thresholds in percent.
#[napi(object)]
pub struct FlapThresholds {
    pub low: f64,
    pub high: f64,
}

/// A rule: the keys of a policy's `[[rules]]`, in camelCase.
#[napi(object)]
pub struct RuleSpec {
    pub name: String,
    pub metric: Option<String>,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    /// Label equality matchers.
    #[napi(js_name = "match")]
    pub matchers: Option<HashMap<String, String>>,
    /// A Nagios range or plain form: "above 80", "10:".
    pub alert_when: Option<String>,
    pub predict: Option<PredictSpec>,
    #[napi(js_name = "for")]
    pub for_: Option<String>,
    pub keep_firing_for: Option<String>,
    pub severity: Option<String>,
    pub labels: Option<HashMap<String, String>>,
    pub annotations: Option<HashMap<String, String>>,
    /// true for Nagios' 5 %/20 %, or explicit thresholds.
    pub flapping: Option<Either<bool, FlapThresholds>>,
}

fn spec_json(r: RuleSpec) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let mut m = Map::new();
    m.insert("name".into(), json!(r.name));
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.into(), v);
        }
    };
    put("metric", r.metric.map(Value::from));
    put("numerator", r.numerator.map(Value::from));
    put("denominator", r.denominator.map(Value::from));
    put("match", r.matchers.map(|x| json!(x)));
    put("alert_when", r.alert_when.map(Value::from));
    put(
        "predict",
        r.predict.map(|p| {
            let mut o = json!({"window": p.window, "ahead": p.ahead});
            if let Some(b) = p.below {
                o["below"] = json!(b);
            }
            if let Some(a) = p.above {
                o["above"] = json!(a);
            }
            if let Some(c) = p.closed_range {
                o["closed_range"] = json!(c);
            }
            o
        }),
    );
    put("for", r.for_.map(Value::from));
    put("keep_firing_for", r.keep_firing_for.map(Value::from));
    put("severity", r.severity.map(Value::from));
    put("labels", r.labels.map(|x| json!(x)));
    put("annotations", r.annotations.map(|x| json!(x)));
    put(
        "flapping",
        r.flapping.map(|f| match f {
            Either::A(on) => json!(on),
            Either::B(t) => json!({"low": t.low, "high": t.high}),
        }),
    );
    Value::Object(m)
}

/// Rules and the state of their alerts.
#[napi]
pub struct RuleEngine {
    inner: CoreEngine,
}

#[napi]
impl RuleEngine {
    /// Rules as objects: `{ name, metric, alertWhen: 'above 80', for: '5m', severity }`.
    #[napi(constructor)]
    pub fn new(rules: Vec<RuleSpec>) -> napi::Result<RuleEngine, String> {
        let list = serde_json::Value::Array(rules.into_iter().map(spec_json).collect());
        let rules = opsbook::rules::spec::rules_from_value(&list).js_err()?;
        Ok(RuleEngine { inner: CoreEngine::new(rules) })
    }

    /// The `rules` of a JSON policy.
    #[napi(factory)]
    pub fn from_json(text: String) -> napi::Result<RuleEngine, String> {
        let rules = opsbook::rules::spec::rules_from_json(&text).js_err()?;
        Ok(RuleEngine { inner: CoreEngine::new(rules) })
    }

    /// The `[[rules]]` of a TOML policy.
    #[napi(factory)]
    pub fn from_toml(text: String) -> napi::Result<RuleEngine, String> {
        let rules = opsbook::rules::spec::rules_from_toml(&text).js_err()?;
        Ok(RuleEngine { inner: CoreEngine::new(rules) })
    }

    /// Evaluates every rule at `time` over the samples present then.
    #[napi]
    pub fn evaluate(&mut self, time: f64, samples: Vec<Sample>) -> napi::Result<Vec<AlertEvent>, String> {
        let t = time_ms("time", time)?;
        let samples: Vec<CoreSample> = samples
            .into_iter()
            .map(|s| CoreSample { metric: s.metric, labels: labels_of(s.labels), value: s.value })
            .collect();
        Ok(self.inner.evaluate(t, &samples).js_err()?.into_iter().map(event).collect())
    }

    /// Evaluates at each of `times` with this one series as the only sample present.
    #[napi]
    pub fn evaluate_series(
        &mut self,
        metric: String,
        labels: Option<HashMap<String, String>>,
        times: Either<Float64Array, Vec<f64>>,
        values: Either<Float64Array, Vec<f64>>,
    ) -> napi::Result<Vec<AlertEvent>, String> {
        let times: &[f64] = match &times {
            Either::A(t) => t,
            Either::B(t) => t,
        };
        let values: &[f64] = match &values {
            Either::A(v) => v,
            Either::B(v) => v,
        };
        let times_ms = times.iter().map(|&s| time_ms("times", s)).collect::<napi::Result<Vec<_>, String>>()?;
        let events = self.inner.evaluate_series(&metric, &labels_of(labels), &times_ms, values).js_err()?;
        Ok(events.into_iter().map(event).collect())
    }

    /// Every alert held now, by rule then labels.
    #[napi]
    pub fn alerts(&self) -> Vec<Alert> {
        let mut out = Vec::new();
        for r in self.inner.rules() {
            for a in r.alerts() {
                out.push(Alert {
                    rule: r.rule.name.clone(),
                    labels: a.labels.clone().into_iter().collect(),
                    state: a.state.as_str().to_owned(),
                    value: a.value,
                    active_since: a.active_at_ms as f64 / 1e3,
                });
            }
        }
        out
    }

    /// Every alert's state, flap histories and predictive samples as JSON text.
    #[napi]
    pub fn snapshot(&self) -> String {
        self.inner.snapshot()
    }

    /// Continues from a snapshot (after a restart, or in another process).
    #[napi]
    pub fn restore(&mut self, snapshot: String) -> napi::Result<(), String> {
        self.inner.restore(&snapshot).js_err()
    }

    /// Saves the snapshot under `key` in a store.
    #[napi]
    pub fn save(&self, store: &crate::state::Store, key: String) -> napi::Result<(), String> {
        self.inner.save(store.store(), &key).js_err()
    }

    /// Restores from `key` in a store; false when nothing was saved there.
    #[napi]
    pub fn load(&mut self, store: &crate::state::Store, key: String) -> napi::Result<bool, String> {
        self.inner.load(store.store(), &key).js_err()
    }

    /// The rules as a Prometheus rule file (YAML).
    #[napi]
    pub fn to_prometheus_rules(&self, group: Option<String>) -> String {
        let rules: Vec<_> = self.inner.rules().iter().map(|r| r.rule.clone()).collect();
        opsbook::rules::export::prometheus_rules(&rules, group.as_deref().unwrap_or("opsbook"), None)
    }
}

/// The Alertmanager fingerprint of a label set: 16 hex digits.
#[napi]
pub fn fingerprint(labels: HashMap<String, String>) -> String {
    opsbook::rules::fingerprint::fingerprint_hex(&labels.into_iter().collect())
}

pub(crate) fn core_event(e: &AlertEvent) -> napi::Result<Event, String> {
    let Some(kind) = opsbook::rules::EventKind::from_name(&e.kind) else {
        return Err(opsbook::Error::InvalidValue {
            field: "event.kind".into(),
            value: e.kind.clone(),
            reason: "not an alert event kind".into(),
        })
        .js_err();
    };
    Ok(Event {
        kind,
        rule: e.rule.clone(),
        labels: e.labels.clone().into_iter().collect(),
        fingerprint: e.fingerprint.clone(),
        at_ms: time_ms("event.time", e.time)?,
        value: e.value,
        active_at_ms: time_ms("event.activeSince", e.active_since)?,
        notify: e.notify,
    })
}

/// Alertmanager's grouping, deduplication, repeats, silences and inhibition, in-process.
#[napi]
pub struct Dispatcher {
    inner: opsbook::rules::notify::Dispatcher,
}

#[napi]
impl Dispatcher {
    /// `config`: `{ route: { receiver, group_by, group_wait, group_interval, repeat_interval,
    /// send_resolved }, silences: [...], inhibit_rules: [...] }` (the policy's snake_case keys).
    #[napi(constructor)]
    pub fn new(config: Option<serde_json::Value>) -> napi::Result<Dispatcher, String> {
        let doc = config.unwrap_or_else(|| serde_json::json!({}));
        opsbook::rules::notify::dispatcher_from_value(&doc).js_err().map(|inner| Dispatcher { inner })
    }

    /// Takes a firing or resolved event (others, and suppressed ones, are ignored).
    #[napi]
    pub fn receive(
        &mut self,
        event: AlertEvent,
        annotations: Option<HashMap<String, String>>,
    ) -> napi::Result<(), String> {
        self.inner.receive(&core_event(&event)?, &labels_of(annotations));
        Ok(())
    }

    /// The notifications due at `time`: Alertmanager webhook payloads with `time`.
    #[napi]
    pub fn tick(&mut self, time: f64) -> napi::Result<Vec<serde_json::Value>, String> {
        Ok(self.inner.tick(time_ms("time", time)?).iter().map(|n| n.to_json()).collect())
    }

    /// When the next group is due (Unix seconds), or null.
    #[napi]
    pub fn next_due(&self) -> Option<f64> {
        self.inner.next_due().map(|t| t as f64 / 1e3)
    }

    /// Every group's alerts and timers as JSON text (the route comes from the config).
    #[napi]
    pub fn snapshot(&self) -> String {
        self.inner.snapshot()
    }

    #[napi]
    pub fn restore(&mut self, snapshot: String) -> napi::Result<(), String> {
        self.inner.restore(&snapshot).js_err()
    }

    #[napi]
    pub fn save(&self, store: &crate::state::Store, key: String) -> napi::Result<(), String> {
        self.inner.save(store.store(), &key).js_err()
    }

    #[napi]
    pub fn load(&mut self, store: &crate::state::Store, key: String) -> napi::Result<bool, String> {
        self.inner.load(store.store(), &key).js_err()
    }
}

/// An escalation step: the incident and its new level.
#[napi(object)]
pub struct EscalationStep {
    pub id: String,
    pub level: String,
}

/// Incidents with escalation and acknowledgement. Recovery hooks run in your code: call
/// `record(id, what)` with their outcome.
#[napi]
pub struct IncidentManager {
    inner: opsbook::rules::incident::IncidentManager,
}

#[napi]
impl IncidentManager {
    /// `escalation`: `{ levels: [{ name, response, contacts, channels }], severities: {...} }`,
    /// most urgent first; omitted: the manuals' P0-P3.
    #[napi(constructor)]
    pub fn new(escalation: Option<serde_json::Value>) -> napi::Result<IncidentManager, String> {
        let policy = match escalation {
            Some(e) => opsbook::rules::incident::escalation_from_value(&e).js_err()?,
            None => opsbook::rules::incident::EscalationPolicy::manual_p0_p3(),
        };
        opsbook::rules::incident::IncidentManager::new(policy).js_err().map(|inner| IncidentManager { inner })
    }

    /// Opens or auto-resolves the incident of an event; its id when one was touched.
    #[napi]
    pub fn on_event(&mut self, event: AlertEvent) -> napi::Result<Option<String>, String> {
        Ok(self.inner.on_event(&core_event(&event)?))
    }

    #[napi]
    pub fn acknowledge(&mut self, id: String, by: String, time: f64) -> napi::Result<(), String> {
        self.inner.acknowledge(&id, &by, time_ms("time", time)?).js_err()
    }

    #[napi]
    pub fn resolve(&mut self, id: String, by: String, note: String, time: f64) -> napi::Result<(), String> {
        self.inner.resolve(&id, &by, &note, time_ms("time", time)?).js_err()
    }

    /// Adds a line to the timeline (e.g. what a recovery step did).
    #[napi]
    pub fn record(&mut self, id: String, what: String, time: f64) -> napi::Result<(), String> {
        self.inner.record(&id, &what, time_ms("time", time)?).js_err()
    }

    /// Escalates what ran out of time.
    #[napi]
    pub fn tick(&mut self, time: f64) -> napi::Result<Vec<EscalationStep>, String> {
        Ok(self
            .inner
            .tick(time_ms("time", time)?)
            .into_iter()
            .map(|(id, level)| EscalationStep { id, level })
            .collect())
    }

    #[napi]
    pub fn incident(&self, id: String) -> Option<serde_json::Value> {
        self.inner.incident(&id).map(|i| i.to_json())
    }

    #[napi]
    pub fn incidents(&self) -> Vec<serde_json::Value> {
        self.inner.incidents().map(|i| i.to_json()).collect()
    }

    /// Every incident and the alert → incident index as JSON text.
    #[napi]
    pub fn snapshot(&self) -> String {
        self.inner.snapshot()
    }

    #[napi]
    pub fn restore(&mut self, snapshot: String) -> napi::Result<(), String> {
        self.inner.restore(&snapshot).js_err()
    }

    #[napi]
    pub fn save(&self, store: &crate::state::Store, key: String) -> napi::Result<(), String> {
        self.inner.save(store.store(), &key).js_err()
    }

    #[napi]
    pub fn load(&mut self, store: &crate::state::Store, key: String) -> napi::Result<bool, String> {
        self.inner.load(store.store(), &key).js_err()
    }
}

/// What one pipeline step produced, each list in time order: events, Alertmanager webhook
/// payloads (with `time`), escalations `{ time, incident, level }` and incidents opened
/// `{ time, incident }` (times RFC 3339).
#[napi(object)]
pub struct PipelineOutcome {
    pub events: Vec<AlertEvent>,
    pub notifications: Vec<serde_json::Value>,
    pub escalations: Vec<serde_json::Value>,
    pub opened: Vec<serde_json::Value>,
}

fn outcome(o: opsbook::rules::pipeline::Outcome) -> PipelineOutcome {
    let doc = o.to_json();
    let list = |k: &str| doc[k].as_array().cloned().unwrap_or_default();
    PipelineOutcome {
        notifications: list("notifications"),
        escalations: list("escalations"),
        opened: list("opened"),
        events: o.events.into_iter().map(event).collect(),
    }
}

/// A policy's rules, notifications ([escalation] route) and incidents ([escalation] levels)
/// run together; groups and escalations due between evaluations happen at their own times.
#[napi]
pub struct AlertPipeline {
    inner: opsbook::rules::pipeline::AlertPipeline,
}

impl AlertPipeline {
    fn manager(&mut self) -> napi::Result<&mut opsbook::rules::incident::IncidentManager, String> {
        self.inner.incidents.as_mut().ok_or_else(|| {
            crate::errors::to_js_err(opsbook::Error::InvalidValue {
                field: "escalation.levels".into(),
                value: String::new(),
                reason: "the policy declares no escalation levels, so it keeps no incidents".into(),
            })
        })
    }
}

#[napi]
impl AlertPipeline {
    /// From a TOML policy (`[[rules]]`, `[escalation]`; its other tables are checked too).
    #[napi(factory)]
    pub fn from_toml(text: String) -> napi::Result<AlertPipeline, String> {
        let policy = opsbook::policy::Policy::from_toml(&text).js_err()?;
        Ok(AlertPipeline { inner: policy.alert_pipeline().js_err()? })
    }

    /// From a JSON policy of the same shape.
    #[napi(factory)]
    pub fn from_json(text: String) -> napi::Result<AlertPipeline, String> {
        let policy = opsbook::policy::Policy::from_json(&text).js_err()?;
        Ok(AlertPipeline { inner: policy.alert_pipeline().js_err()? })
    }

    /// Evaluates the rules at `time` (Unix seconds) and passes the events on.
    #[napi]
    pub fn evaluate(&mut self, time: f64, samples: Vec<Sample>) -> napi::Result<PipelineOutcome, String> {
        let t = time_ms("time", time)?;
        let samples: Vec<CoreSample> = samples
            .into_iter()
            .map(|s| CoreSample { metric: s.metric, labels: labels_of(s.labels), value: s.value })
            .collect();
        Ok(outcome(self.inner.evaluate(t, &samples).js_err()?))
    }

    /// Sends what is due and escalates what ran out of time by `time`, without new samples.
    #[napi]
    pub fn advance(&mut self, time: f64) -> napi::Result<PipelineOutcome, String> {
        Ok(outcome(self.inner.advance(time_ms("time", time)?)))
    }

    #[napi]
    pub fn acknowledge(&mut self, id: String, by: String, time: f64) -> napi::Result<(), String> {
        let t = time_ms("time", time)?;
        self.manager()?.acknowledge(&id, &by, t).js_err()
    }

    #[napi]
    pub fn resolve(&mut self, id: String, by: String, note: String, time: f64) -> napi::Result<(), String> {
        let t = time_ms("time", time)?;
        self.manager()?.resolve(&id, &by, &note, t).js_err()
    }

    /// Adds a line to the timeline (e.g. what a recovery step did).
    #[napi]
    pub fn record(&mut self, id: String, what: String, time: f64) -> napi::Result<(), String> {
        let t = time_ms("time", time)?;
        self.manager()?.record(&id, &what, t).js_err()
    }

    #[napi]
    pub fn incident(&self, id: String) -> Option<serde_json::Value> {
        self.inner.incidents.as_ref().and_then(|m| m.incident(&id)).map(|i| i.to_json())
    }

    #[napi]
    pub fn incidents(&self) -> Vec<serde_json::Value> {
        self.inner.incidents.iter().flat_map(|m| m.incidents()).map(|i| i.to_json()).collect()
    }

    /// Saves rule, notification and incident state under `<prefix>rules`,
    /// `<prefix>notifications`, `<prefix>incidents`.
    #[napi]
    pub fn save(&self, store: &crate::state::Store, prefix: Option<String>) -> napi::Result<(), String> {
        self.inner.save(store.store(), prefix.as_deref().unwrap_or("")).js_err()
    }

    #[napi]
    pub fn load(&mut self, store: &crate::state::Store, prefix: Option<String>) -> napi::Result<(), String> {
        self.inner.load(store.store(), prefix.as_deref().unwrap_or("")).js_err()
    }
}

//! The alert model of Alertmanager: an alert (status, labels, annotations, startsAt, endsAt,
//! generatorURL, fingerprint, and the value that fired it) and a notification group
//! (receiver, groupKey, groupLabels, commonLabels, commonAnnotations, externalURL, alerts).
//!
//! Read from what ops already have: Alertmanager's webhook payload, a list of alerts in
//! its API v2 form, one alert, or the manuals' flat `{severity, summary, description,
//! timestamp, labels}` dict. Written back as the webhook payload (version "4") with
//! Alertmanager's field order.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::rules::Labels;
use crate::rules::fingerprint::fingerprint_hex;

/// Go's zero time, which Alertmanager writes as the `endsAt` of an alert still firing.
pub const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// firing or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    Firing,
    Resolved,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Firing => "firing",
            AlertStatus::Resolved => "resolved",
        }
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub status: AlertStatus,
    pub labels: Labels,
    pub annotations: Labels,
    pub starts_at_ms: i64,
    pub ends_at_ms: Option<i64>,
    pub generator_url: String,
    pub fingerprint: String,
    /// The value that fired the alert (`$value`), when known.
    pub value: Option<f64>,
}

impl Alert {
    /// A firing alert with its fingerprint computed from the labels.
    pub fn firing(labels: Labels, annotations: Labels, starts_at_ms: i64) -> Alert {
        let fingerprint = fingerprint_hex(&labels);
        Alert {
            status: AlertStatus::Firing,
            labels,
            annotations,
            starts_at_ms,
            ends_at_ms: None,
            generator_url: String::new(),
            fingerprint,
            value: None,
        }
    }

    pub fn is_firing(&self) -> bool {
        self.status == AlertStatus::Firing
    }

    /// The `severity` label, or "" when there is none.
    pub fn severity(&self) -> &str {
        self.labels.get("severity").map_or("", String::as_str)
    }

    /// The `summary` annotation, else the `alertname` label.
    pub fn summary(&self) -> &str {
        self.annotations.get("summary").or_else(|| self.labels.get("alertname")).map_or("", String::as_str)
    }

    /// The `description` annotation (or `message`), or "".
    pub fn description(&self) -> &str {
        self.annotations.get("description").or_else(|| self.annotations.get("message")).map_or("", String::as_str)
    }

    /// Alertmanager's JSON form of an alert in the webhook payload.
    pub fn to_json(&self) -> Value {
        json!({
            "status": self.status.as_str(),
            "labels": self.labels,
            "annotations": self.annotations,
            "startsAt": crate::format::timestamp_ms_rfc3339(self.starts_at_ms),
            "endsAt": self.ends_at_ms.map(crate::format::timestamp_ms_rfc3339).unwrap_or_else(|| GO_ZERO_TIME.into()),
            "generatorURL": self.generator_url,
            "fingerprint": self.fingerprint,
        })
    }
}

/// A notification group: what one message to one receiver is about.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertGroup {
    pub receiver: String,
    pub group_key: String,
    pub group_labels: Labels,
    pub common_labels: Labels,
    pub common_annotations: Labels,
    pub external_url: String,
    pub alerts: Vec<Alert>,
    /// Alerts Alertmanager left out of the payload (`max_alerts`).
    pub truncated_alerts: u64,
}

impl AlertGroup {
    /// A group of `alerts` with common labels and annotations computed as Alertmanager does
    /// (those with the same value in every alert).
    pub fn new(receiver: &str, group_labels: Labels, alerts: Vec<Alert>) -> AlertGroup {
        let common_labels = common(alerts.iter().map(|a| &a.labels));
        let common_annotations = common(alerts.iter().map(|a| &a.annotations));
        AlertGroup {
            receiver: receiver.to_owned(),
            group_key: format!("{{}}:{}", label_set(&group_labels)),
            group_labels,
            common_labels,
            common_annotations,
            external_url: String::new(),
            alerts,
            truncated_alerts: 0,
        }
    }

    /// "firing" when any alert fires, else "resolved".
    pub fn status(&self) -> AlertStatus {
        if self.alerts.iter().any(Alert::is_firing) { AlertStatus::Firing } else { AlertStatus::Resolved }
    }

    pub fn firing(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().filter(|a| a.is_firing())
    }

    pub fn resolved(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().filter(|a| !a.is_firing())
    }

    /// The most severe `severity` among firing alerts (critical, error, warning, info, then
    /// anything else), or among all when none fires.
    pub fn severity(&self) -> &str {
        let rank = |s: &str| match s {
            "critical" | "disaster" | "page" => 0,
            "high" | "error" | "major" => 1,
            "warning" | "warn" | "minor" => 2,
            "info" | "notice" => 3,
            "" => 5,
            _ => 4,
        };
        let firing = self.status() == AlertStatus::Firing;
        self.alerts
            .iter()
            .filter(|a| !firing || a.is_firing())
            .map(|a| a.severity())
            .min_by_key(|s| rank(s))
            .unwrap_or("")
    }

    /// Alertmanager's webhook payload, version "4", fields in its order.
    pub fn to_webhook_json(&self) -> Value {
        json!({
            "receiver": self.receiver,
            "status": self.status().as_str(),
            "alerts": self.alerts.iter().map(Alert::to_json).collect::<Vec<_>>(),
            "groupLabels": self.group_labels,
            "commonLabels": self.common_labels,
            "commonAnnotations": self.common_annotations,
            "externalURL": self.external_url,
            "version": "4",
            "groupKey": self.group_key,
            "truncatedAlerts": self.truncated_alerts,
        })
    }

    /// Reads alerts as JSON text (see `from_value`).
    pub fn from_json(text: &str) -> Result<AlertGroup> {
        group_from_slice(text.as_bytes())
    }

    /// Reads alerts as JSON bytes (see `from_value`).
    pub fn from_json_bytes(bytes: &[u8]) -> Result<AlertGroup> {
        group_from_slice(bytes)
    }

    /// Reads a webhook payload (`{"alerts": [...], ...}`), a list of alerts, one alert, or
    /// the manuals' flat dict. Errors name the field (`alerts[1].startsAt`) and its value.
    pub fn from_value(value: &Value) -> Result<AlertGroup> {
        match value {
            Value::Array(items) => {
                let alerts = parse_alerts(items, "alerts")?;
                Ok(AlertGroup::new("opsbook", Labels::new(), alerts))
            }
            Value::Object(o) if o.contains_key("alerts") => parse_payload(o),
            Value::Object(o) if o.contains_key("labels") && !o.contains_key("summary") => {
                Ok(AlertGroup::new("opsbook", Labels::new(), vec![parse_alert(value, "alert")?]))
            }
            Value::Object(_) => Ok(AlertGroup::new("opsbook", Labels::new(), vec![parse_manual_alert(value)?])),
            other => Err(Error::invalid_value(
                "alerts",
                &excerpt(&other.to_string()),
                "expected an object or a list of alerts",
            )),
        }
    }
}

/// The first 80 characters of `text`, for an error.
pub(crate) fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        s.push('…');
    }
    s
}

/// `{a="1", b="2"}` as Alertmanager writes a label set.
pub fn label_set(labels: &Labels) -> String {
    let parts: Vec<String> =
        labels.iter().map(|(k, v)| format!("{k}={}", serde_json::to_string(v).expect("string"))).collect();
    format!("{{{}}}", parts.join(", "))
}

fn common<'a>(mut sets: impl Iterator<Item = &'a Labels>) -> Labels {
    let Some(first) = sets.next() else { return Labels::new() };
    let mut out = first.clone();
    for set in sets {
        out.retain(|k, v| set.get(k) == Some(v));
    }
    out
}

fn parse_payload(o: &Map<String, Value>) -> Result<AlertGroup> {
    let Some(Value::Array(items)) = o.get("alerts") else {
        return Err(Error::invalid_value("alerts", &excerpt(&o["alerts"].to_string()), "expected a list of alerts"));
    };
    let alerts = parse_alerts(items, "alerts")?;
    let truncated_alerts = match o.get("truncatedAlerts") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64().ok_or_else(|| Error::invalid_value("truncatedAlerts", &v.to_string(), "expected a count"))?,
        ),
    };
    let version = match o.get("version") {
        None | Some(Value::Null) => None,
        Some(Value::String(v)) => Some(v.clone()),
        Some(other) => Some(other.to_string()),
    };
    let optional_labels = |key: &str| o.get(key).map(|v| labels_of(Some(v), key)).transpose();
    WirePayload {
        receiver: opt_str(o, "receiver", "")?.map(str::to_owned),
        _status: None,
        alerts: Vec::new(),
        group_labels: labels_of(o.get("groupLabels"), "groupLabels")?,
        common_labels: optional_labels("commonLabels")?,
        common_annotations: optional_labels("commonAnnotations")?,
        external_url: opt_str(o, "externalURL", "")?.map(str::to_owned),
        version,
        group_key: opt_str(o, "groupKey", "")?.map(str::to_owned),
        truncated_alerts,
    }
    .build_with(alerts)
}

fn parse_alerts(items: &[Value], field: &str) -> Result<Vec<Alert>> {
    items.iter().enumerate().map(|(i, item)| parse_alert(item, &format!("{field}[{i}]"))).collect()
}

fn opt_str<'a>(o: &'a Map<String, Value>, key: &str, prefix: &str) -> Result<Option<&'a str>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => {
            Err(Error::invalid_value(&format!("{prefix}{key}"), &excerpt(&other.to_string()), "expected text"))
        }
    }
}

fn labels_of(value: Option<&Value>, field: &str) -> Result<Labels> {
    match value {
        None | Some(Value::Null) => Ok(Labels::new()),
        Some(Value::Object(m)) => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => {
                        return Err(Error::invalid_value(
                            &format!("{field}.{k}"),
                            &excerpt(&other.to_string()),
                            "expected text",
                        ));
                    }
                };
                out.insert(k.clone(), text);
            }
            Ok(out)
        }
        Some(other) => {
            Err(Error::invalid_value(field, &excerpt(&other.to_string()), "expected an object of names to text"))
        }
    }
}

/// An RFC 3339 time (or Go's zero time, as `None`).
fn parse_time(text: &str, field: &str) -> Result<Option<i64>> {
    if text.is_empty() || text == GO_ZERO_TIME || text.starts_with("0001-01-01T00:00:00") {
        return Ok(None);
    }
    let ts: jiff::Timestamp = text.parse().map_err(|e| {
        Error::invalid_value(field, text, format!("expected an RFC 3339 time such as 2024-05-01T08:00:00Z: {e}"))
    })?;
    Ok(Some(ts.as_millisecond()))
}

fn parse_value(v: &Value, field: &str) -> Result<Option<f64>> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) => crate::alert::humanize::parse_go_float(s)
            .map(Some)
            .ok_or_else(|| Error::invalid_value(field, s, "expected a number")),
        other => Err(Error::invalid_value(field, &excerpt(&other.to_string()), "expected a number")),
    }
}

fn parse_alert(item: &Value, field: &str) -> Result<Alert> {
    let Value::Object(o) = item else {
        return Err(Error::invalid_value(field, &excerpt(&item.to_string()), "expected an alert object"));
    };
    if let Some(k) = o.keys().find(|k| !KNOWN_ALERT_KEYS.contains(&k.as_str())) {
        return Err(Error::invalid_value(
            &format!("{field}.{k}"),
            k,
            format!("unknown field (known: {})", KNOWN_ALERT_KEYS[..8].join(", ")),
        ));
    }
    let prefix = format!("{field}.");
    build_alert(
        field,
        WireAlert {
            status: opt_str(o, "status", &prefix)?.map(str::to_owned),
            labels: labels_of(o.get("labels"), &format!("{field}.labels"))?,
            annotations: labels_of(o.get("annotations"), &format!("{field}.annotations"))?,
            starts_at: opt_str(o, "startsAt", &prefix)?.map(str::to_owned),
            ends_at: opt_str(o, "endsAt", &prefix)?.map(str::to_owned),
            generator_url: opt_str(o, "generatorURL", &prefix)?.map(str::to_owned),
            fingerprint: opt_str(o, "fingerprint", &prefix)?.map(str::to_owned),
            value: parse_value(o.get("value").unwrap_or(&Value::Null), &format!("{field}.value"))?,
            _updated_at: None,
            _receivers: None,
            _silenced_by: None,
            _inhibited_by: None,
        },
    )
}

const KNOWN_ALERT_KEYS: &[&str] = &[
    "status",
    "labels",
    "annotations",
    "startsAt",
    "endsAt",
    "generatorURL",
    "fingerprint",
    "value",
    "updatedAt",
    "receivers",
    "silencedBy",
    "inhibitedBy",
];

/// An alert as the webhook payload and API v2 write it. Deserialised directly on the fast
/// path; anything it refuses goes through the `Value` path, whose errors name the field.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WireAlert {
    status: Option<String>,
    #[serde(default)]
    labels: Labels,
    #[serde(default)]
    annotations: Labels,
    #[serde(rename = "startsAt")]
    starts_at: Option<String>,
    #[serde(rename = "endsAt")]
    ends_at: Option<String>,
    #[serde(rename = "generatorURL")]
    generator_url: Option<String>,
    fingerprint: Option<String>,
    value: Option<f64>,
    // API v2 fields an alert may carry that a message does not use.
    #[serde(rename = "updatedAt")]
    _updated_at: Option<serde::de::IgnoredAny>,
    #[serde(rename = "receivers")]
    _receivers: Option<serde::de::IgnoredAny>,
    #[serde(rename = "silencedBy")]
    _silenced_by: Option<serde::de::IgnoredAny>,
    #[serde(rename = "inhibitedBy")]
    _inhibited_by: Option<serde::de::IgnoredAny>,
}

/// The webhook payload, typed (the fast path of `from_json`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePayload {
    receiver: Option<String>,
    #[serde(rename = "status")]
    _status: Option<String>,
    alerts: Vec<WireAlert>,
    #[serde(rename = "groupLabels", default)]
    group_labels: Labels,
    #[serde(rename = "commonLabels")]
    common_labels: Option<Labels>,
    #[serde(rename = "commonAnnotations")]
    common_annotations: Option<Labels>,
    #[serde(rename = "externalURL")]
    external_url: Option<String>,
    version: Option<String>,
    #[serde(rename = "groupKey")]
    group_key: Option<String>,
    #[serde(rename = "truncatedAlerts")]
    truncated_alerts: Option<u64>,
}

impl WirePayload {
    fn build(mut self) -> Result<AlertGroup> {
        let alerts = std::mem::take(&mut self.alerts)
            .into_iter()
            .enumerate()
            .map(|(i, a)| build_alert(&format!("alerts[{i}]"), a))
            .collect::<Result<Vec<_>>>()?;
        self.build_with(alerts)
    }

    /// The group of `alerts` with this payload's other fields.
    fn build_with(self, alerts: Vec<Alert>) -> Result<AlertGroup> {
        if let Some(version) = self.version.as_deref().filter(|v| *v != "4") {
            return Err(Error::invalid_value("version", version, "only Alertmanager's webhook version \"4\" is known"));
        }
        let mut group = AlertGroup::new(self.receiver.as_deref().unwrap_or("opsbook"), self.group_labels, alerts);
        if let Some(l) = self.common_labels {
            group.common_labels = l;
        }
        if let Some(a) = self.common_annotations {
            group.common_annotations = a;
        }
        if let Some(k) = self.group_key {
            group.group_key = k;
        }
        if let Some(u) = self.external_url {
            group.external_url = u;
        }
        group.truncated_alerts = self.truncated_alerts.unwrap_or(0);
        Ok(group)
    }
}

/// Reads JSON: the typed fast path for a webhook payload or a list of alerts, else the
/// general one (which also gives the precise error).
fn group_from_slice(bytes: &[u8]) -> Result<AlertGroup> {
    if let Ok(payload) = serde_json::from_slice::<WirePayload>(bytes) {
        return payload.build();
    }
    if let Ok(list) = serde_json::from_slice::<Vec<WireAlert>>(bytes) {
        let alerts = list
            .into_iter()
            .enumerate()
            .map(|(i, a)| build_alert(&format!("alerts[{i}]"), a))
            .collect::<Result<Vec<_>>>()?;
        return Ok(AlertGroup::new("opsbook", Labels::new(), alerts));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::invalid_value(
            "alerts",
            &excerpt(&String::from_utf8_lossy(&bytes[..bytes.len().min(120)])),
            format!("not JSON: {e}"),
        )
    })?;
    AlertGroup::from_value(&value)
}

fn build_alert(field: &str, w: WireAlert) -> Result<Alert> {
    let starts_at_ms = match w.starts_at.as_deref() {
        Some(t) => parse_time(t, &format!("{field}.startsAt"))?.unwrap_or(0),
        None => 0,
    };
    let ends_at_ms = match w.ends_at.as_deref() {
        Some(t) => parse_time(t, &format!("{field}.endsAt"))?,
        None => None,
    };
    let status = match w.status.as_deref() {
        Some("firing") => AlertStatus::Firing,
        Some("resolved") => AlertStatus::Resolved,
        None if ends_at_ms.is_some() => AlertStatus::Resolved,
        None => AlertStatus::Firing,
        Some(other) => {
            return Err(Error::invalid_value(&format!("{field}.status"), other, "expected firing or resolved"));
        }
    };
    let fingerprint = match w.fingerprint {
        Some(f) => f,
        None => fingerprint_hex(&w.labels),
    };
    Ok(Alert {
        status,
        labels: w.labels,
        annotations: w.annotations,
        starts_at_ms,
        ends_at_ms,
        generator_url: w.generator_url.unwrap_or_default(),
        fingerprint,
        value: w.value,
    })
}

/// The manuals' `{severity, summary, description, timestamp, labels}`.
fn parse_manual_alert(item: &Value) -> Result<Alert> {
    let Value::Object(o) = item else { unreachable!("checked by the caller") };
    let mut labels = labels_of(o.get("labels"), "alert.labels")?;
    let mut annotations = Labels::new();
    let mut starts_at_ms = 0;
    let mut value = None;
    for (k, v) in o {
        match k.as_str() {
            "labels" => {}
            "severity" | "alertname" | "instance" | "service" => {
                let text = opt_str(o, k, "alert.")?.unwrap_or("");
                labels.insert(k.clone(), text.to_owned());
            }
            "summary" | "description" => {
                annotations.insert(k.clone(), opt_str(o, k, "alert.")?.unwrap_or("").to_owned());
            }
            "timestamp" => {
                starts_at_ms = match v {
                    Value::Number(n) => {
                        let s = n.as_f64().unwrap_or(0.0);
                        (s * 1000.0).round() as i64
                    }
                    Value::String(s) => parse_manual_time(s)?,
                    other => {
                        return Err(Error::invalid_value(
                            "alert.timestamp",
                            &excerpt(&other.to_string()),
                            "expected a time",
                        ));
                    }
                }
            }
            "value" => value = parse_value(v, "alert.value")?,
            other => {
                return Err(Error::invalid_value(
                    &format!("alert.{other}"),
                    other,
                    "unknown field (an alert is Alertmanager's {labels, annotations, startsAt, ...} or {severity, summary, description, timestamp, labels})",
                ));
            }
        }
    }
    let mut alert = Alert::firing(labels, annotations, starts_at_ms);
    alert.value = value;
    Ok(alert)
}

/// RFC 3339, or the manuals' `datetime.now().isoformat()` (no zone: UTC).
fn parse_manual_time(s: &str) -> Result<i64> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let civil: jiff::civil::DateTime =
        s.parse().map_err(|e| Error::invalid_value("alert.timestamp", s, format!("expected an ISO 8601 time: {e}")))?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| Error::invalid_value("alert.timestamp", s, e.to_string()))
}

impl From<&crate::rules::notify::Notification> for AlertGroup {
    fn from(n: &crate::rules::notify::Notification) -> AlertGroup {
        let alerts = n
            .alerts
            .iter()
            .map(|a| Alert {
                status: if a.resolved() { AlertStatus::Resolved } else { AlertStatus::Firing },
                labels: a.labels.clone(),
                annotations: a.annotations.clone(),
                starts_at_ms: a.starts_at_ms,
                ends_at_ms: a.ends_at_ms,
                generator_url: String::new(),
                fingerprint: a.fingerprint.clone(),
                value: None,
            })
            .collect();
        AlertGroup {
            receiver: n.receiver.clone(),
            group_key: n.group_key.clone(),
            group_labels: n.group_labels.clone(),
            common_labels: n.common_labels.clone(),
            common_annotations: n.common_annotations.clone(),
            external_url: String::new(),
            alerts,
            truncated_alerts: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_webhook_payload_and_writes_it_back() {
        let text = r#"{"receiver":"ops","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighCPU","severity":"warning"},"annotations":{"summary":"CPU"},"startsAt":"2024-05-01T08:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://p/graph","fingerprint":"abc"}],"groupLabels":{"alertname":"HighCPU"},"commonLabels":{"alertname":"HighCPU","severity":"warning"},"commonAnnotations":{"summary":"CPU"},"externalURL":"http://am","version":"4","groupKey":"{}:{alertname=\"HighCPU\"}","truncatedAlerts":0}"#;
        let group = AlertGroup::from_json(text).unwrap();
        assert_eq!(group.alerts[0].starts_at_ms, 1_714_550_400_000);
        assert_eq!(group.to_webhook_json().to_string(), text);
    }

    #[test]
    fn errors_name_the_field() {
        let e =
            AlertGroup::from_json(r#"[{"labels":{}},{"labels":{},"startsAt":"yesterday"}]"#).unwrap_err().to_string();
        assert!(e.contains("alerts[1].startsAt") && e.contains("yesterday"), "{e}");
        let e = AlertGroup::from_json(r#"[{"labels":{"a":[1]}}]"#).unwrap_err().to_string();
        assert!(e.contains("alerts[0].labels.a"), "{e}");
        let e = AlertGroup::from_json(r#"{"alerts":[], "version":"3"}"#).unwrap_err().to_string();
        assert!(e.contains("version"), "{e}");
    }

    #[test]
    fn common_labels_and_the_manual_form() {
        let group = AlertGroup::from_json(
            r#"{"severity":"critical","summary":"服务 api 已停止","description":"超过2分钟","timestamp":"2024-05-01T16:00:00","labels":{"instance":"api:8000"}}"#,
        )
        .unwrap();
        let a = &group.alerts[0];
        assert_eq!(a.severity(), "critical");
        assert_eq!(a.summary(), "服务 api 已停止");
        assert_eq!(a.starts_at_ms, 1_714_579_200_000);
        assert_eq!(group.common_labels.get("instance").unwrap(), "api:8000");
        let two = AlertGroup::from_json(
            r#"[{"labels":{"a":"1","b":"2"}},{"labels":{"a":"1","b":"3"},"endsAt":"2024-05-01T08:00:00Z"}]"#,
        )
        .unwrap();
        assert_eq!(two.common_labels.len(), 1);
        assert_eq!(two.alerts[1].status, AlertStatus::Resolved);
        assert_eq!(two.status(), AlertStatus::Firing);
    }
}

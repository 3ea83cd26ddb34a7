//! Scaling out to a real Alertmanager: push alerts with its API v2 (`POST /api/v2/alerts`,
//! startsAt/endsAt as Prometheus sends them) and read them back (`GET /api/v2/alerts`).

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::redact::redact;
use crate::rules::alerting::AlertState;
use crate::rules::engine::RuleEngine;
use crate::rules::notify::AmAlert;

fn io(url: &str, reason: impl std::fmt::Display) -> Error {
    Error::Io { path: redact(url).into_owned(), reason: reason.to_string() }
}

/// The alerts Prometheus would send now (`rules/manager.go` SendAlerts): firing alerts with
/// startsAt = when they fired, and resolved ones (within the retention) with endsAt = when
/// they resolved. Firing alerts carry endsAt = `now_ms + valid_for_ms` (Prometheus: four
/// evaluation intervals), so Alertmanager resolves them if the pushes stop.
pub fn alerts_to_send(engine: &RuleEngine, now_ms: i64, valid_for_ms: i64) -> Vec<AmAlert> {
    let mut out = Vec::new();
    for r in engine.rules() {
        for a in r.alerts() {
            let (starts, ends) = match (a.state, a.fired_at_ms, a.resolved_at_ms) {
                (AlertState::Firing, Some(fired), _) => (fired, now_ms + valid_for_ms),
                (AlertState::Inactive, Some(fired), Some(resolved)) => (fired, resolved),
                _ => continue,
            };
            out.push(AmAlert {
                labels: a.labels.clone(),
                annotations: crate::rules::annotate::expand(&r.rule.annotations, &a.labels, a.value),
                starts_at_ms: starts,
                ends_at_ms: Some(ends),
                fingerprint: crate::rules::fingerprint::fingerprint_hex(&a.labels),
            });
        }
    }
    out
}

/// The API v2 body for alerts (`postableAlerts`).
pub fn postable(alerts: &[AmAlert], generator_url: &str) -> Value {
    Value::Array(
        alerts
            .iter()
            .map(|a| {
                let mut v = json!({
                    "labels": a.labels,
                    "annotations": a.annotations,
                    "startsAt": crate::format::timestamp_ms_rfc3339(a.starts_at_ms),
                    "generatorURL": generator_url,
                });
                if let Some(end) = a.ends_at_ms {
                    v["endsAt"] = json!(crate::format::timestamp_ms_rfc3339(end));
                }
                v
            })
            .collect(),
    )
}

async fn request(method: reqwest::Method, url: String, body: Option<Value>) -> Result<Value> {
    crate::probe::crypto_provider();
    let client = reqwest::Client::builder().build().map_err(|e| io(&url, e))?;
    let mut req = client.request(method, &url);
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_string());
    }
    let response = req.send().await.map_err(|e| io(&url, e))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| io(&url, e))?;
    if !status.is_success() {
        return Err(io(&url, format!("HTTP {status}: {}", text.trim())));
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(|e| io(&url, format!("not JSON: {e}")))
}

fn endpoint(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Pushes alerts to Alertmanager at `base` (e.g. `http://127.0.0.1:9093`).
pub async fn push(base: &str, alerts: &[AmAlert], generator_url: &str) -> Result<()> {
    request(reqwest::Method::POST, endpoint(base, "/api/v2/alerts"), Some(postable(alerts, generator_url)))
        .await
        .map(|_| ())
}

/// Alertmanager's current alerts (`GET /api/v2/alerts`).
pub async fn fetch(base: &str) -> Result<Vec<Value>> {
    match request(reqwest::Method::GET, endpoint(base, "/api/v2/alerts"), None).await? {
        Value::Array(list) => Ok(list),
        other => Err(io(base, format!("expected an array of alerts, got {other}"))),
    }
}

/// Creates a silence (`POST /api/v2/silences`) from matchers; returns its id.
pub async fn create_silence(
    base: &str,
    matchers: &[crate::rules::notify::Matcher],
    starts_at_ms: i64,
    ends_at_ms: i64,
    created_by: &str,
    comment: &str,
) -> Result<String> {
    use crate::rules::notify::MatchOp;
    let ms: Vec<Value> = matchers
        .iter()
        .map(|m| {
            json!({
                "name": m.name,
                "value": m.value,
                "isRegex": matches!(m.op, MatchOp::Regex | MatchOp::NotRegex),
                "isEqual": matches!(m.op, MatchOp::Equal | MatchOp::Regex),
            })
        })
        .collect();
    let body = json!({
        "matchers": ms,
        "startsAt": crate::format::timestamp_ms_rfc3339(starts_at_ms),
        "endsAt": crate::format::timestamp_ms_rfc3339(ends_at_ms),
        "createdBy": created_by,
        "comment": comment,
    });
    let answer = request(reqwest::Method::POST, endpoint(base, "/api/v2/silences"), Some(body)).await?;
    answer
        .get("silenceID")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| io(base, format!("no silenceID in {answer}")))
}

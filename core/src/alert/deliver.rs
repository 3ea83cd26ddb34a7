//! Delivery: HTTP POST with a timeout, retries with doubling backoff on 5xx, 429 and
//! network errors (429's `Retry-After` honoured), per-channel rate limits, SMTP for email,
//! and an outcome for every attempt.
//!
//! DingTalk, WeCom and Feishu answer HTTP 200 with a non-zero `errcode`/`code` when they
//! refuse a message, so success is decided from the body. DingTalk's "send too fast"
//! (130101) means the robot is throttled for 10 minutes: the channel is held back locally
//! for that long rather than hammered. URLs, errors and bodies in outcomes have the
//! request's secrets masked.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::alert::channel::{Channel, ChannelKind, EmailMessage, Request, SmtpTls};
use crate::error::{Error, Result};

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    /// A non-2xx status.
    HttpError,
    /// HTTP 2xx, but the body says the message was refused.
    ApiError,
    Timeout,
    ConnectError,
    /// Held back by the local rate limit or refused by the service as too frequent.
    RateLimited,
    SmtpError,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Delivered => "delivered",
            AttemptOutcome::HttpError => "http_error",
            AttemptOutcome::ApiError => "api_error",
            AttemptOutcome::Timeout => "timeout",
            AttemptOutcome::ConnectError => "connect_error",
            AttemptOutcome::RateLimited => "rate_limited",
            AttemptOutcome::SmtpError => "smtp_error",
        }
    }
}

/// One attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub attempt: u32,
    pub status: Option<u16>,
    pub outcome: AttemptOutcome,
    pub detail: String,
    pub elapsed_ms: u64,
}

/// All attempts at one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub channel: String,
    /// Where it went, secrets masked.
    pub url: String,
    pub delivered: bool,
    pub attempts: Vec<Attempt>,
}

impl Delivery {
    /// Why it was not delivered: the last attempt's outcome and detail (None when it was).
    pub fn failure(&self) -> Option<String> {
        if self.delivered {
            return None;
        }
        self.attempts.last().map(|a| format!("{} {}", a.outcome.as_str(), a.detail))
    }

    pub fn to_json(&self) -> Value {
        json!({
            "channel": self.channel,
            "url": self.url,
            "delivered": self.delivered,
            "attempts": self.attempts.iter().map(|a| json!({
                "attempt": a.attempt,
                "status": a.status,
                "outcome": a.outcome.as_str(),
                "detail": a.detail,
                "elapsed_ms": a.elapsed_ms,
            })).collect::<Vec<_>>(),
        })
    }
}

#[derive(Debug, Default)]
struct Window {
    sent: VecDeque<i64>,
    blocked_until: i64,
}

/// Sends rendered requests; keeps each channel's rate-limit window between sends.
pub struct Sender {
    windows: Mutex<HashMap<String, Window>>,
    clock: Arc<dyn Fn() -> i64 + Send + Sync>,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl Default for Sender {
    fn default() -> Self {
        Sender::new()
    }
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// DingTalk's throttle after its limit is passed.
const DINGTALK_THROTTLE_MS: i64 = 10 * 60_000;
/// The longest wait between attempts.
const MAX_BACKOFF_MS: u64 = 60_000;

impl Sender {
    pub fn new() -> Sender {
        Sender::with_clock(Arc::new(now_ms))
    }

    /// A sender whose rate limits use `clock` (milliseconds since the epoch).
    pub fn with_clock(clock: Arc<dyn Fn() -> i64 + Send + Sync>) -> Sender {
        Sender { windows: Mutex::new(HashMap::new()), clock }
    }

    /// Reserves a slot in the channel's window, or says when one frees up.
    fn admit(&self, channel: &Channel) -> std::result::Result<(), String> {
        let now = (self.clock)();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let w = windows.entry(channel.spec.name.clone()).or_default();
        if now < w.blocked_until {
            return Err(format!(
                "throttled by the service until {}",
                crate::format::timestamp_ms_rfc3339(w.blocked_until)
            ));
        }
        if let Some((limit, per)) = channel.rate_limit {
            while w.sent.front().is_some_and(|t| *t <= now - per) {
                w.sent.pop_front();
            }
            if w.sent.len() >= limit as usize {
                return Err(format!("local rate limit of {limit} per {} ms reached", per));
            }
            w.sent.push_back(now);
        }
        Ok(())
    }

    fn block(&self, channel: &Channel, for_ms: i64) {
        let now = (self.clock)();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.entry(channel.spec.name.clone()).or_default().blocked_until = now + for_ms;
    }

    /// Sends each request (in order), retrying as the channel says.
    pub async fn send(&self, channel: &Channel, requests: &[Request]) -> Result<Vec<Delivery>> {
        if matches!(channel.kind, ChannelKind::Text | ChannelKind::Markdown) {
            return Err(Error::invalid_value(
                &format!("{}.type", channel.spec.name),
                channel.kind.name(),
                "text and markdown channels only render; send through a webhook, chat or email channel",
            ));
        }
        let mut out = Vec::with_capacity(requests.len());
        for request in requests {
            out.push(self.send_one(channel, request).await);
        }
        Ok(out)
    }

    /// `send` on the shared runtime, for callers without one.
    pub fn send_blocking(&self, channel: &Channel, requests: &[Request]) -> Result<Vec<Delivery>> {
        crate::runtime::block_on(self.send(channel, requests))
    }

    async fn send_one(&self, channel: &Channel, request: &Request) -> Delivery {
        let mut attempts = Vec::new();
        let mut delivered = false;
        let shown_url = request.redact(&request.url);
        for n in 1..=channel.retries + 1 {
            if let Err(why) = self.admit(channel) {
                attempts.push(Attempt {
                    attempt: n,
                    status: None,
                    outcome: AttemptOutcome::RateLimited,
                    detail: why,
                    elapsed_ms: 0,
                });
                break;
            }
            let start = Instant::now();
            let result = match &request.email {
                Some(email) => send_email(email, channel.timeout_ms).await,
                None => send_http(channel.kind, request, channel.timeout_ms).await,
            };
            let elapsed_ms = start.elapsed().as_millis() as u64;
            let Judged { outcome, status, detail, retry, retry_after_ms, throttle_ms } = result;
            if let Some(ms) = throttle_ms {
                self.block(channel, ms);
            }
            attempts.push(Attempt { attempt: n, status, outcome, detail: request.redact(&detail), elapsed_ms });
            if outcome == AttemptOutcome::Delivered {
                delivered = true;
                break;
            }
            if !retry || n == channel.retries + 1 {
                break;
            }
            let backoff = channel.backoff_ms.saturating_mul(1 << (n - 1).min(16)).min(MAX_BACKOFF_MS);
            let wait = retry_after_ms.map_or(backoff, |r| r.max(backoff)).min(MAX_BACKOFF_MS);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        Delivery { channel: channel.spec.name.clone(), url: shown_url, delivered, attempts }
    }
}

struct Judged {
    outcome: AttemptOutcome,
    status: Option<u16>,
    detail: String,
    retry: bool,
    retry_after_ms: Option<u64>,
    /// Hold the channel back this long (the service throttles it).
    throttle_ms: Option<i64>,
}

impl Judged {
    fn new(outcome: AttemptOutcome, status: Option<u16>, detail: String, retry: bool) -> Judged {
        Judged { outcome, status, detail, retry, retry_after_ms: None, throttle_ms: None }
    }
}

fn excerpt(body: &str) -> String {
    crate::alert::model::excerpt(body.trim())
}

async fn send_http(kind: ChannelKind, request: &Request, timeout_ms: u64) -> Judged {
    crate::probe::crypto_provider();
    let client = match reqwest::Client::builder().timeout(Duration::from_millis(timeout_ms)).build() {
        Ok(c) => c,
        Err(e) => {
            return Judged::new(AttemptOutcome::ConnectError, None, format!("building the HTTP client: {e}"), false);
        }
    };
    let mut builder = client.post(&request.url);
    for (k, v) in &request.headers {
        builder = builder.header(k, v);
    }
    let response = match builder.body(request.body.clone()).send().await {
        Ok(r) => r,
        Err(e) => {
            let outcome = if e.is_timeout() { AttemptOutcome::Timeout } else { AttemptOutcome::ConnectError };
            let mut chain = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                chain.push_str(&format!(": {s}"));
                source = s.source();
            }
            return Judged::new(outcome, None, chain, true);
        }
    };
    let status = response.status().as_u16();
    let retry_after_ms = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| s.saturating_mul(1000));
    let body = match tokio::time::timeout(Duration::from_millis(timeout_ms), response.text()).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            return Judged::new(AttemptOutcome::ConnectError, Some(status), format!("reading the response: {e}"), true);
        }
        Err(_) => {
            return Judged::new(AttemptOutcome::Timeout, Some(status), "reading the response timed out".into(), true);
        }
    };
    let mut judged = judge(kind, status, &body);
    judged.retry_after_ms = retry_after_ms;
    judged
}

/// Decides an HTTP answer: the status first, then (for the chat robots, Slack and
/// PagerDuty) the body.
fn judge(kind: ChannelKind, status: u16, body: &str) -> Judged {
    if status == 429 {
        return Judged::new(AttemptOutcome::RateLimited, Some(status), format!("HTTP 429: {}", excerpt(body)), true);
    }
    if status >= 500 {
        return Judged::new(AttemptOutcome::HttpError, Some(status), format!("HTTP {status}: {}", excerpt(body)), true);
    }
    if !(200..300).contains(&status) {
        return Judged::new(
            AttemptOutcome::HttpError,
            Some(status),
            format!("HTTP {status}: {}", excerpt(body)),
            false,
        );
    }
    let json: Option<Value> = serde_json::from_str(body).ok();
    let code = |keys: &[&str]| -> Option<i64> { keys.iter().find_map(|k| json.as_ref()?.get(*k)?.as_i64()) };
    let message = |keys: &[&str]| -> String {
        keys.iter().find_map(|k| json.as_ref()?.get(*k)?.as_str().map(str::to_owned)).unwrap_or_default()
    };
    let ok = Judged::new(AttemptOutcome::Delivered, Some(status), String::new(), false);
    match kind {
        ChannelKind::DingTalk | ChannelKind::WeCom => match code(&["errcode"]) {
            Some(0) => ok,
            Some(c) => {
                let detail = format!("errcode {c}: {}", message(&["errmsg"]));
                // DingTalk 130101: sent too fast, throttled 10 minutes; WeCom 45009: over
                // the minute's limit.
                if kind == ChannelKind::DingTalk && c == 130_101 {
                    let mut j = Judged::new(AttemptOutcome::RateLimited, Some(status), detail, false);
                    j.throttle_ms = Some(DINGTALK_THROTTLE_MS);
                    j
                } else if kind == ChannelKind::WeCom && c == 45_009 {
                    let mut j = Judged::new(AttemptOutcome::RateLimited, Some(status), detail, false);
                    j.throttle_ms = Some(60_000);
                    j
                } else {
                    Judged::new(AttemptOutcome::ApiError, Some(status), detail, false)
                }
            }
            None => Judged::new(
                AttemptOutcome::ApiError,
                Some(status),
                format!("no errcode in the answer: {}", excerpt(body)),
                false,
            ),
        },
        ChannelKind::Feishu | ChannelKind::Lark => match code(&["code", "StatusCode"]) {
            Some(0) => ok,
            Some(c) => {
                let detail = format!("code {c}: {}", message(&["msg", "StatusMessage"]));
                // 9499 / 11232: too many requests.
                if c == 9_499 || c == 11_232 {
                    Judged::new(AttemptOutcome::RateLimited, Some(status), detail, true)
                } else {
                    Judged::new(AttemptOutcome::ApiError, Some(status), detail, false)
                }
            }
            None => Judged::new(
                AttemptOutcome::ApiError,
                Some(status),
                format!("no code in the answer: {}", excerpt(body)),
                false,
            ),
        },
        ChannelKind::Slack if body.trim() != "ok" => {
            Judged::new(AttemptOutcome::ApiError, Some(status), format!("Slack answered {}", excerpt(body)), false)
        }
        ChannelKind::PagerDuty if message(&["status"]) != "success" => {
            Judged::new(AttemptOutcome::ApiError, Some(status), format!("PagerDuty answered {}", excerpt(body)), false)
        }
        _ => ok,
    }
}

async fn send_email(email: &EmailMessage, timeout_ms: u64) -> Judged {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};

    crate::probe::crypto_provider();
    let from: Option<lettre::Address> = email.from.parse::<lettre::message::Mailbox>().ok().map(|m| m.email);
    let to: Vec<lettre::Address> =
        email.to.iter().filter_map(|t| t.parse::<lettre::message::Mailbox>().ok().map(|m| m.email)).collect();
    let envelope = match Envelope::new(from, to) {
        Ok(e) => e,
        Err(e) => return Judged::new(AttemptOutcome::SmtpError, None, format!("envelope: {e}"), false),
    };
    let tls = match email.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::StartTls | SmtpTls::Tls => match TlsParameters::new(email.smtp_host.clone()) {
            Ok(p) if email.tls == SmtpTls::Tls => Tls::Wrapper(p),
            Ok(p) => Tls::Required(p),
            Err(e) => return Judged::new(AttemptOutcome::SmtpError, None, format!("TLS: {e}"), false),
        },
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(email.smtp_host.clone())
        .port(email.smtp_port)
        .tls(tls)
        .timeout(Some(Duration::from_millis(timeout_ms)));
    if let (Some(user), Some(password)) = (&email.username, &email.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    let transport = builder.build();
    match tokio::time::timeout(Duration::from_millis(timeout_ms), transport.send_raw(&envelope, email.mime.as_bytes()))
        .await
    {
        Err(_) => Judged::new(AttemptOutcome::Timeout, None, "SMTP timed out".into(), true),
        Ok(Ok(response)) => {
            let code: u16 = response.code().to_string().parse().unwrap_or(250);
            Judged::new(AttemptOutcome::Delivered, Some(code), response.message().collect::<Vec<_>>().join(" "), false)
        }
        Ok(Err(e)) => {
            let status = e.status().and_then(|c| c.to_string().parse().ok());
            // Permanent (5xx) refusals are not retried; transient ones and network errors are.
            let retry = !e.is_permanent();
            Judged::new(AttemptOutcome::SmtpError, status, e.to_string(), retry)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_is_decided_from_the_body() {
        let j = judge(ChannelKind::DingTalk, 200, r#"{"errcode":0,"errmsg":"ok"}"#);
        assert_eq!(j.outcome, AttemptOutcome::Delivered);
        let j = judge(ChannelKind::DingTalk, 200, r#"{"errcode":310000,"errmsg":"sign not match"}"#);
        assert_eq!((j.outcome, j.retry), (AttemptOutcome::ApiError, false));
        assert!(j.detail.contains("310000"));
        let j = judge(ChannelKind::DingTalk, 200, r#"{"errcode":130101,"errmsg":"send too fast"}"#);
        assert_eq!((j.outcome, j.throttle_ms), (AttemptOutcome::RateLimited, Some(600_000)));
        let j = judge(
            ChannelKind::Feishu,
            200,
            r#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#,
        );
        assert_eq!(j.outcome, AttemptOutcome::ApiError);
        let j = judge(ChannelKind::Feishu, 200, r#"{"StatusCode":0,"StatusMessage":"success"}"#);
        assert_eq!(j.outcome, AttemptOutcome::Delivered);
        assert!(judge(ChannelKind::Webhook, 503, "").retry);
        assert!(!judge(ChannelKind::Webhook, 404, "").retry);
        assert_eq!(judge(ChannelKind::Slack, 200, "invalid_blocks").outcome, AttemptOutcome::ApiError);
        assert_eq!(
            judge(ChannelKind::PagerDuty, 202, r#"{"status":"success","dedup_key":"x"}"#).outcome,
            AttemptOutcome::Delivered
        );
    }
}

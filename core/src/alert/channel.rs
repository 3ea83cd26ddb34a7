//! A renderer per channel, each returning the exact request(s) a notification becomes:
//! URL (with any signature), headers and body — or, for email, the MIME message and its
//! SMTP envelope.
//!
//! Channels are declared as the policy's `[[channels]]` (or the same object in JSON).
//! Tokens, webhook URLs that hold a token, signing secrets, routing keys and SMTP passwords
//! come from environment variables named in the declaration (`token_env`, `url_env`,
//! `secret_env`, `password_env`), never from the file; anything shown (`Request::to_json`,
//! errors) has them replaced by `***`.

use std::collections::HashMap;

use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::alert::escape::{Markup, escape};
use crate::alert::gotime::time_zone;
use crate::alert::message::{self, Fields, Lang, fit_sections, markdown_section, show_time, text_block, text_message};
use crate::alert::model::{Alert, AlertGroup, AlertStatus};
use crate::alert::sign;
use crate::alert::template::Templates;
use crate::alert::truncate::{Unit, truncate};
use crate::error::{Error, Result};

/// Alertmanager 0.25's `default.tmpl` subject, used verbatim (the email oracle test holds
/// opsbook to what Alertmanager sends).
pub const ALERTMANAGER_SUBJECT: &str = r#"{{ define "__subject" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}{{ end }}{{ template "__subject" . }}"#;

/// The kinds of channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    Text,
    Markdown,
    Email,
    DingTalk,
    WeCom,
    Feishu,
    Lark,
    Slack,
    PagerDuty,
    Webhook,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 10] = [
        ChannelKind::Text,
        ChannelKind::Markdown,
        ChannelKind::Email,
        ChannelKind::DingTalk,
        ChannelKind::WeCom,
        ChannelKind::Feishu,
        ChannelKind::Lark,
        ChannelKind::Slack,
        ChannelKind::PagerDuty,
        ChannelKind::Webhook,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChannelKind::Text => "text",
            ChannelKind::Markdown => "markdown",
            ChannelKind::Email => "email",
            ChannelKind::DingTalk => "dingtalk",
            ChannelKind::WeCom => "wecom",
            ChannelKind::Feishu => "feishu",
            ChannelKind::Lark => "lark",
            ChannelKind::Slack => "slack",
            ChannelKind::PagerDuty => "pagerduty",
            ChannelKind::Webhook => "webhook",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|k| k.name() == text).ok_or_else(|| {
            let names: Vec<&str> = ChannelKind::ALL.iter().map(|k| k.name()).collect();
            Error::invalid_value(field, text, format!("unknown channel type (known: {})", names.join(", ")))
        })
    }

    /// Where requests go when no `url` is given (the token, where there is one, is added).
    fn default_url(self) -> Option<&'static str> {
        match self {
            ChannelKind::DingTalk => Some("https://oapi.dingtalk.com/robot/send"),
            ChannelKind::WeCom => Some("https://qyapi.weixin.qq.com/cgi-bin/webhook/send"),
            ChannelKind::Feishu => Some("https://open.feishu.cn/open-apis/bot/v2/hook"),
            ChannelKind::Lark => Some("https://open.larksuite.com/open-apis/bot/v2/hook"),
            ChannelKind::Slack => Some("https://hooks.slack.com/services"),
            ChannelKind::PagerDuty => Some("https://events.pagerduty.com/v2/enqueue"),
            _ => None,
        }
    }

    /// The markup printed values are escaped for.
    pub fn markup(self, format: Option<&str>) -> Markup {
        match self {
            ChannelKind::Text | ChannelKind::Webhook => Markup::Plain,
            ChannelKind::Markdown | ChannelKind::DingTalk => Markup::Markdown,
            ChannelKind::Feishu | ChannelKind::Lark if format == Some("card") => Markup::Markdown,
            ChannelKind::Feishu | ChannelKind::Lark | ChannelKind::PagerDuty => Markup::Plain,
            ChannelKind::WeCom => Markup::WeComMarkdown,
            ChannelKind::Slack => Markup::Slack,
            ChannelKind::Email => Markup::Html,
        }
    }

    /// The default rate limit: (messages, per milliseconds).
    pub fn default_rate_limit(self) -> Option<(u32, i64)> {
        match self {
            // DingTalk: 20 a minute per robot, then a 10-minute throttle; WeCom: 20 a minute.
            ChannelKind::DingTalk | ChannelKind::WeCom => Some((20, 60_000)),
            // Feishu/Lark custom bots: 5 a second (100 a minute).
            ChannelKind::Feishu | ChannelKind::Lark => Some((5, 1_000)),
            // Slack incoming webhooks: 1 a second.
            ChannelKind::Slack => Some((1, 1_000)),
            _ => None,
        }
    }
}

/// A channel as declared in a policy's `[[channels]]`.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Base URL, overriding the channel's (tests, Lark, proxies, a self-hosted relay).
    pub url: Option<String>,
    /// The variable holding the whole webhook URL (when the URL itself is the secret).
    pub url_env: Option<String>,
    /// The variable holding the robot's token (DingTalk access_token, WeCom key, Feishu hook
    /// id, Slack path, PagerDuty routing key).
    pub token_env: Option<String>,
    /// The variable holding the signing secret (DingTalk, Feishu/Lark).
    pub secret_env: Option<String>,
    /// zh-CN (default) or en.
    pub lang: Option<String>,
    /// IANA time zone for times in messages (default UTC).
    pub tz: Option<String>,
    /// Mobiles to @ (DingTalk, WeCom) when a mentioned severity fires.
    #[serde(default)]
    pub at_mobiles: Vec<String>,
    /// User ids to @ (DingTalk, WeCom `<@userid>`, Feishu open ids).
    #[serde(default)]
    pub at_user_ids: Vec<String>,
    /// Severities that @ everyone (default: critical, as the manuals do). `[]` never does.
    pub at_all: Option<Vec<String>>,
    /// Severities that @ the listed mobiles and users (default: critical).
    pub mention: Option<Vec<String>>,
    /// feishu/lark: post (default) or card; webhook: alertmanager (default) or manual;
    /// email subject: alertmanager (default) or severity.
    pub format: Option<String>,
    /// Go templates over the notification group replacing the built-in title and body.
    pub title: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    /// Email.
    pub from: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    /// `host:port` of the SMTP server.
    pub smtp: Option<String>,
    /// none, starttls (default) or tls.
    pub smtp_tls: Option<String>,
    pub username: Option<String>,
    pub password_env: Option<String>,
    /// PagerDuty: payload.source (default "opsbook") and the severity when an alert has none
    /// PagerDuty knows (default "error").
    pub source: Option<String>,
    pub severity: Option<String>,
    /// Delivery: per-attempt timeout (default 10s), retries after the first attempt
    /// (default 3), first backoff (default 1s, doubled each time), rate limit `N/DURATION`.
    pub timeout: Option<String>,
    pub retries: Option<u32>,
    pub backoff: Option<String>,
    pub rate_limit: Option<String>,
    /// The route receiver this channel serves besides its own name: as an Alertmanager
    /// receiver holds several configs, every channel naming one receiver gets its
    /// notifications (`receiver = "ops"` on a DingTalk robot and on an email channel).
    pub receiver: Option<String>,
}

impl ChannelSpec {
    /// Whether notifications to `receiver` go to this channel: its name, or its `receiver`.
    pub fn serves(&self, receiver: &str) -> bool {
        self.name == receiver || self.receiver.as_deref() == Some(receiver)
    }
}

/// Where secrets come from: the environment, or a map (tests, embedders).
pub trait Secrets {
    fn get(&self, name: &str) -> Option<String>;
}

/// Secrets from the process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvSecrets;

impl Secrets for EnvSecrets {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// Secrets from a map when one is given (tests, embedders with a vault), else from the
/// environment.
#[derive(Debug, Clone, Default)]
pub struct MapOrEnv(pub Option<HashMap<String, String>>);

impl Secrets for MapOrEnv {
    fn get(&self, name: &str) -> Option<String> {
        match &self.0 {
            Some(map) => map.get(name).cloned(),
            None => EnvSecrets.get(name),
        }
    }
}

impl Secrets for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        HashMap::get(self, name).cloned()
    }
}

/// SMTP transport security.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    None,
    StartTls,
    Tls,
}

/// An email ready to send: its envelope and MIME text.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailMessage {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub mime: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub(crate) password: Option<String>,
}

/// One request a notification becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub channel: String,
    pub kind: ChannelKind,
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub email: Option<EmailMessage>,
    /// Values to mask wherever the request is shown.
    pub(crate) secrets: Vec<String>,
}

impl Request {
    /// `text` with every secret of this request replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        crate::redact::mask_secrets(text, &self.secrets).into_owned()
    }

    /// The request as shown: method, URL, headers and body (parsed when JSON), secrets
    /// masked. Email: the envelope, subject, bodies and MIME text.
    pub fn to_json(&self) -> Value {
        if let Some(e) = &self.email {
            return json!({
                "channel": self.channel,
                "type": self.kind.name(),
                "smtp": format!("{}:{}", e.smtp_host, e.smtp_port),
                "from": e.from,
                "to": e.to,
                "subject": e.subject,
                "text": e.text,
                "html": e.html,
                "mime": self.redact(&e.mime),
            });
        }
        let body = serde_json::from_str::<Value>(&self.redact(&self.body))
            .unwrap_or_else(|_| Value::String(self.redact(&self.body)));
        json!({
            "channel": self.channel,
            "type": self.kind.name(),
            "method": self.method,
            "url": self.redact(&self.url),
            "headers": self.headers.iter().map(|(k, v)| json!([k, self.redact(v)])).collect::<Vec<_>>(),
            "body": body,
        })
    }
}

/// A channel ready to render: its declaration checked, its templates compiled.
pub struct Channel {
    pub spec: ChannelSpec,
    pub kind: ChannelKind,
    pub lang: Lang,
    pub zone: TimeZone,
    templates: Templates,
    subject: Templates,
    pub(crate) timeout_ms: u64,
    pub(crate) retries: u32,
    pub(crate) backoff_ms: u64,
    pub(crate) rate_limit: Option<(u32, i64)>,
    /// The last DingTalk signature (time, secret, sign): renders at the same time, as a
    /// batch is, sign once.
    last_sign: std::sync::Mutex<Option<(i64, String, String)>>,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel").field("name", &self.spec.name).field("kind", &self.kind).finish()
    }
}

fn field(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
}

fn severities_include(list: &Option<Vec<String>>, default: &[&str], severity: &str) -> bool {
    match list {
        Some(l) => l.iter().any(|s| s == severity),
        None => default.contains(&severity),
    }
}

impl Channel {
    /// Checks a declaration; `at` names it in errors (`channels[2]`).
    pub fn new(spec: ChannelSpec, at: &str) -> Result<Channel> {
        let kind = ChannelKind::parse(&field(at, "type"), &spec.kind)?;
        if spec.name.trim().is_empty() {
            return Err(Error::invalid_value(&field(at, "name"), &spec.name, "a channel needs a name"));
        }
        let lang = Lang::parse(&field(at, "lang"), spec.lang.as_deref().unwrap_or("zh-CN"))?;
        let zone = time_zone(spec.tz.as_deref().unwrap_or("UTC")).map_err(|_| {
            Error::invalid_value(
                &field(at, "tz"),
                spec.tz.as_deref().unwrap_or(""),
                "unknown time zone (IANA names, e.g. Asia/Shanghai)",
            )
        })?;
        let allowed_formats: &[&str] = match kind {
            ChannelKind::Feishu | ChannelKind::Lark => &["post", "card"],
            ChannelKind::Webhook => &["alertmanager", "manual"],
            ChannelKind::Email => &["alertmanager", "severity"],
            _ => &[],
        };
        if let Some(f) = &spec.format {
            if !allowed_formats.contains(&f.as_str()) {
                let known = if allowed_formats.is_empty() {
                    "none for this type".to_owned()
                } else {
                    allowed_formats.join(", ")
                };
                return Err(Error::invalid_value(&field(at, "format"), f, format!("unknown format (known: {known})")));
            }
        }
        if let Some(u) = &spec.url {
            if holds_a_token(kind, u) {
                return Err(Error::invalid_value(
                    &field(at, "url"),
                    &without_token(kind, u),
                    "the URL holds the robot's token: put the token in an environment variable named by token_env (or the whole URL in url_env)",
                ));
            }
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(Error::invalid_value(
                    &field(at, "url"),
                    &without_token(kind, u),
                    "expected an http:// or https:// URL",
                ));
            }
            if kind == ChannelKind::Email {
                return Err(Error::invalid_value(
                    &field(at, "url"),
                    u,
                    "email is sent over SMTP: use smtp = \"host:port\"",
                ));
            }
        }
        for (name, value) in [
            ("url_env", &spec.url_env),
            ("token_env", &spec.token_env),
            ("secret_env", &spec.secret_env),
            ("password_env", &spec.password_env),
        ] {
            if let Some(v) = value {
                if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(Error::invalid_value(
                        &field(at, name),
                        v,
                        "expected the name of an environment variable",
                    ));
                }
            }
        }
        if spec.secret_env.is_some() && !matches!(kind, ChannelKind::DingTalk | ChannelKind::Feishu | ChannelKind::Lark)
        {
            return Err(Error::invalid_value(
                &field(at, "secret_env"),
                spec.secret_env.as_deref().unwrap_or(""),
                "only DingTalk and Feishu/Lark sign requests",
            ));
        }
        match kind {
            ChannelKind::Email => {
                if spec.from.is_none() {
                    return Err(Error::invalid_value(&field(at, "from"), "", "an email channel needs a from address"));
                }
                if spec.to.is_empty() {
                    return Err(Error::invalid_value(
                        &field(at, "to"),
                        "[]",
                        "an email channel needs at least one recipient",
                    ));
                }
                for (i, addr) in spec.to.iter().chain(spec.from.iter()).enumerate() {
                    if addr.parse::<lettre::message::Mailbox>().is_err() {
                        let name = if i < spec.to.len() { format!("to[{i}]") } else { "from".to_owned() };
                        return Err(Error::invalid_value(&field(at, &name), addr, "not an email address"));
                    }
                }
                let smtp = spec.smtp.as_deref().unwrap_or("localhost:25");
                parse_host_port(smtp)
                    .ok_or_else(|| Error::invalid_value(&field(at, "smtp"), smtp, "expected host:port"))?;
                if let Some(t) = &spec.smtp_tls {
                    if !["none", "starttls", "tls"].contains(&t.as_str()) {
                        return Err(Error::invalid_value(&field(at, "smtp_tls"), t, "expected none, starttls or tls"));
                    }
                }
            }
            ChannelKind::Webhook if spec.url.is_none() && spec.url_env.is_none() => {
                return Err(Error::invalid_value(&field(at, "url"), "", "a webhook channel needs url or url_env"));
            }
            ChannelKind::PagerDuty if spec.token_env.is_none() => {
                return Err(Error::invalid_value(
                    &field(at, "token_env"),
                    "",
                    "PagerDuty needs the variable holding the routing key",
                ));
            }
            ChannelKind::PagerDuty => {
                if let Some(s) = &spec.severity {
                    if !["critical", "error", "warning", "info"].contains(&s.as_str()) {
                        return Err(Error::invalid_value(
                            &field(at, "severity"),
                            s,
                            "expected critical, error, warning or info",
                        ));
                    }
                }
            }
            _ => {}
        }
        let markup = kind.markup(spec.format.as_deref());
        let _ = markup;
        let mut templates = Templates::new();
        for (name, source) in [("title", &spec.title), ("text", &spec.text), ("html", &spec.html)] {
            if let Some(src) = source {
                templates
                    .add(name, src)
                    .map_err(|e| Error::invalid_value(&field(at, name), &e.to_string(), "template does not compile"))?;
            }
        }
        let mut subject = Templates::new();
        subject.add("subject", ALERTMANAGER_SUBJECT)?;
        let duration_ms = |name: &str, value: &Option<String>, default: u64| -> Result<u64> {
            match value {
                None => Ok(default),
                Some(v) => Ok(crate::duration::parse_duration(&field(at, name), v)?.as_millis() as u64),
            }
        };
        let timeout_ms = duration_ms("timeout", &spec.timeout, 10_000)?;
        if timeout_ms == 0 {
            return Err(Error::invalid_value(
                &field(at, "timeout"),
                spec.timeout.as_deref().unwrap_or(""),
                "must be more than 0",
            ));
        }
        let backoff_ms = duration_ms("backoff", &spec.backoff, 1_000)?;
        let retries = spec.retries.unwrap_or(3);
        if retries > 10 {
            return Err(Error::invalid_value(&field(at, "retries"), &retries.to_string(), "at most 10"));
        }
        let rate_limit = match &spec.rate_limit {
            None => kind.default_rate_limit(),
            Some(text) if text == "none" => None,
            Some(text) => Some(parse_rate(&field(at, "rate_limit"), text)?),
        };
        Ok(Channel {
            kind,
            lang,
            zone,
            templates,
            subject,
            timeout_ms,
            retries,
            backoff_ms,
            rate_limit,
            last_sign: std::sync::Mutex::new(None),
            spec,
        })
    }

    /// A channel from its JSON or TOML-as-JSON object.
    pub fn from_value(value: &Value, at: &str) -> Result<Channel> {
        let spec: ChannelSpec = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            Error::invalid_value(
                &field(at, if path == "." { "" } else { &path }),
                &crate::alert::model::excerpt(&value.to_string()),
                e.inner().to_string(),
            )
        })?;
        Channel::new(spec, at)
    }

    fn markup(&self) -> Markup {
        self.kind.markup(self.spec.format.as_deref())
    }

    fn secret(&self, secrets: &dyn Secrets, key: &str, var: &Option<String>) -> Result<Option<String>> {
        match var {
            None => Ok(None),
            Some(name) => secrets.get(name).map(Some).ok_or_else(|| {
                Error::invalid_value(&format!("{}.{key}", self.spec.name), name, "the environment variable is not set")
            }),
        }
    }

    /// The URL requests go to, and the secrets it holds.
    fn target(&self, secrets: &dyn Secrets) -> Result<(String, Vec<String>)> {
        let mut hidden = Vec::new();
        if let Some(url) = self.secret(secrets, "url_env", &self.spec.url_env)? {
            hidden.push(url.clone());
            // The token inside the URL too, wherever it is shown alone.
            return Ok((url, hidden));
        }
        let base = match (&self.spec.url, self.kind.default_url()) {
            (Some(u), _) => u.clone(),
            (None, Some(d)) => d.to_owned(),
            (None, None) => {
                return Err(Error::invalid_value(&format!("{}.url", self.spec.name), "", "no URL to send to"));
            }
        };
        let token = self.secret(secrets, "token_env", &self.spec.token_env)?;
        let Some(token) = token else { return Ok((base, hidden)) };
        hidden.push(token.clone());
        let joiner = if base.contains('?') { '&' } else { '?' };
        let url = match self.kind {
            ChannelKind::DingTalk => format!("{base}{joiner}access_token={token}"),
            ChannelKind::WeCom => format!("{base}{joiner}key={token}"),
            ChannelKind::Feishu | ChannelKind::Lark | ChannelKind::Slack => {
                format!("{}/{token}", base.trim_end_matches('/'))
            }
            // PagerDuty's routing key goes in the body.
            _ => base,
        };
        Ok((url, hidden))
    }

    fn custom(&self, name: &str, group: &AlertGroup, markup: Markup) -> Result<Option<String>> {
        if !self.templates.contains(name) {
            return Ok(None);
        }
        self.templates.render_group(name, group, &self.zone, markup).map(Some)
    }

    fn mentions_on(&self, group: &AlertGroup) -> (bool, bool) {
        let severity = group.severity();
        let firing = group.status() == AlertStatus::Firing;
        let all = firing && severities_include(&self.spec.at_all, &["critical"], severity);
        let some = firing && severities_include(&self.spec.mention, &["critical"], severity);
        (all, some)
    }

    /// Renders the notification group as the request(s) this channel sends. `now_ms` is
    /// the signing and Date time.
    pub fn render(&self, group: &AlertGroup, now_ms: i64, secrets: &dyn Secrets) -> Result<Vec<Request>> {
        match self.kind {
            ChannelKind::Text => Ok(vec![self.plain_request(self.body_text(group)?)]),
            ChannelKind::Markdown => {
                Ok(vec![self.plain_request(self.markdown_text(group, usize::MAX, &|s: &str| s.len())?)])
            }
            ChannelKind::DingTalk => self.dingtalk(group, now_ms, secrets),
            ChannelKind::WeCom => self.wecom(group, secrets),
            ChannelKind::Feishu | ChannelKind::Lark => self.feishu(group, now_ms, secrets),
            ChannelKind::Slack => self.slack(group, secrets),
            ChannelKind::PagerDuty => self.pagerduty(group, secrets),
            ChannelKind::Webhook => self.webhook(group, secrets),
            ChannelKind::Email => self.email(group, now_ms, secrets).map(|r| vec![r]),
        }
    }

    /// Each alert of `group` rendered as a notification of its own (its group's receiver,
    /// group labels and external URL kept; common labels and annotations its own): the
    /// request(s) per alert, in order, rendered on every core. For fanning a webhook payload
    /// out to one message per alert.
    pub fn render_each(
        &self,
        group: AlertGroup,
        now_ms: i64,
        secrets: &(dyn Secrets + Sync),
    ) -> Result<Vec<Vec<Request>>> {
        use rayon::prelude::*;
        let AlertGroup { receiver, group_key, group_labels, external_url, alerts, .. } = group;
        alerts
            .into_par_iter()
            .map(|a| {
                let one = AlertGroup {
                    receiver: receiver.clone(),
                    group_key: group_key.clone(),
                    group_labels: group_labels.clone(),
                    common_labels: a.labels.clone(),
                    common_annotations: a.annotations.clone(),
                    external_url: external_url.clone(),
                    alerts: vec![a],
                    truncated_alerts: 0,
                };
                self.render(&one, now_ms, secrets)
            })
            .collect()
    }

    /// `render_each`, keeping only what is sent: each request's body (JSON text; the MIME
    /// message of an email), secrets masked, flattened in alert order (an alert that becomes
    /// two requests, as WeCom mentions do, gives two bodies one after the other).
    pub fn render_bodies(&self, group: AlertGroup, now_ms: i64, secrets: &(dyn Secrets + Sync)) -> Result<Vec<String>> {
        Ok(self
            .render_each(group, now_ms, secrets)?
            .into_iter()
            .flatten()
            .map(|r| {
                let body = match r.email {
                    Some(e) => e.mime,
                    None => r.body,
                };
                crate::redact::mask_secrets(&body, &r.secrets).into_owned()
            })
            .collect())
    }

    fn plain_request(&self, body: String) -> Request {
        Request {
            channel: self.spec.name.clone(),
            kind: self.kind,
            method: "",
            url: String::new(),
            headers: Vec::new(),
            body,
            email: None,
            secrets: Vec::new(),
        }
    }

    fn json_request(&self, url: String, body: &Value, secrets: Vec<String>) -> Request {
        self.request_with_body(url, body.to_string(), secrets)
    }

    fn request_with_body(&self, url: String, body: String, secrets: Vec<String>) -> Request {
        Request {
            channel: self.spec.name.clone(),
            kind: self.kind,
            method: "POST",
            url,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body,
            email: None,
            secrets,
        }
    }

    /// The manual's text block(s), or the `text` template.
    pub fn body_text(&self, group: &AlertGroup) -> Result<String> {
        match self.custom("text", group, Markup::Plain)? {
            Some(t) => Ok(t),
            None => Ok(text_message(group, self.lang, &self.zone)),
        }
    }

    fn title_text(&self, group: &AlertGroup, markup: Markup) -> Result<String> {
        match self.custom("title", group, markup)? {
            Some(t) => Ok(t),
            None => Ok(message::title(group, self.lang)),
        }
    }

    /// Markdown sections fitted into `limit` as `measure` counts.
    fn markdown_text(&self, group: &AlertGroup, limit: usize, measure: message::Measure) -> Result<String> {
        let markup = self.markup();
        if let Some(t) = self.custom("text", group, markup)? {
            return Ok(fit_plain(&t, limit, measure));
        }
        let sections: Vec<String> =
            group.alerts.iter().map(|a| markdown_section(a, self.lang, &self.zone, markup)).collect();
        Ok(fit_sections("", &sections, "\n---\n\n", "", limit, measure, self.lang))
    }

    fn dingtalk_sign(&self, secret: &str, now_ms: i64) -> String {
        let mut last = self.last_sign.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((t, s, sign)) = last.as_ref() {
            if *t == now_ms && s == secret {
                return sign.clone();
            }
        }
        let sign = sign::dingtalk_sign(secret, now_ms);
        *last = Some((now_ms, secret.to_owned(), sign.clone()));
        sign
    }

    fn dingtalk(&self, group: &AlertGroup, now_ms: i64, secrets: &dyn Secrets) -> Result<Vec<Request>> {
        let (mut url, mut hidden) = self.target(secrets)?;
        if let Some(secret) = self.secret(secrets, "secret_env", &self.spec.secret_env)? {
            let joiner = if url.contains('?') { '&' } else { '?' };
            url = format!("{url}{joiner}timestamp={now_ms}&sign={}", self.dingtalk_sign(&secret, now_ms));
            hidden.push(secret);
        }
        let title = self.title_text(group, Markup::Raw)?;
        let (at_all, mention) = self.mentions_on(group);
        let at_mobiles: &[String] = if mention { &self.spec.at_mobiles } else { &[] };
        let at_user_ids: &[String] = if mention { &self.spec.at_user_ids } else { &[] };
        // atMobiles notify only when @mobile is also in the text.
        let mut tail = String::new();
        if !at_mobiles.is_empty() || !at_user_ids.is_empty() {
            let ats: Vec<String> = at_mobiles.iter().chain(at_user_ids).map(|m| format!("@{m}")).collect();
            tail = format!("\n{}\n", ats.join(" "));
        }
        let body_with = |text: String| {
            json!({
                "msgtype": "markdown",
                "markdown": {"title": title, "text": text},
                "at": {"atMobiles": at_mobiles, "atUserIds": at_user_ids, "isAtAll": at_all},
            })
        };
        // Most messages fit whole: write the body once (in the field order of body_with),
        // and fit sections only when it is too long.
        let whole = self.markdown_text_with_tail(group, usize::MAX, &|s: &str| s.len(), &tail)?;
        let mut body = String::with_capacity(whole.len() + title.len() + 160);
        body.push_str(r#"{"msgtype":"markdown","markdown":{"title":"#);
        json_string(&mut body, &title);
        body.push_str(r#","text":"#);
        json_string(&mut body, &whole);
        body.push_str(r#"},"at":{"atMobiles":["#);
        json_list(&mut body, at_mobiles);
        body.push_str(r#"],"atUserIds":["#);
        json_list(&mut body, at_user_ids);
        body.push_str(if at_all { r#"],"isAtAll":true}}"# } else { r#"],"isAtAll":false}}"# });
        if body.len() <= DINGTALK_BODY_LIMIT {
            return Ok(vec![self.request_with_body(url, body, hidden)]);
        }
        let overhead = body_with(String::new()).to_string().len();
        let measure = |s: &str| serde_json::to_string(s).map(|j| j.len() - 2).unwrap_or(s.len());
        let text = self.markdown_text_with_tail(group, DINGTALK_BODY_LIMIT - overhead, &measure, &tail)?;
        Ok(vec![self.json_request(url, &body_with(text), hidden)])
    }

    fn markdown_text_with_tail(
        &self,
        group: &AlertGroup,
        limit: usize,
        measure: message::Measure,
        tail: &str,
    ) -> Result<String> {
        let markup = self.markup();
        if let Some(t) = self.custom("text", group, markup)? {
            let budget_tail = measure(tail);
            return Ok(format!("{}{tail}", fit_plain(&t, limit.saturating_sub(budget_tail), measure)));
        }
        let sections: Vec<String> =
            group.alerts.iter().map(|a| markdown_section(a, self.lang, &self.zone, markup)).collect();
        Ok(fit_sections("", &sections, "\n---\n\n", tail, limit, measure, self.lang))
    }

    fn wecom(&self, group: &AlertGroup, secrets: &dyn Secrets) -> Result<Vec<Request>> {
        let (url, hidden) = self.target(secrets)?;
        let markup = Markup::WeComMarkdown;
        let (at_all, mention) = self.mentions_on(group);
        let user_ids: Vec<String> = if mention { self.spec.at_user_ids.clone() } else { Vec::new() };
        // Markdown mentions only <@userid>.
        let tail = if user_ids.is_empty() {
            String::new()
        } else {
            format!("\n{}", user_ids.iter().map(|u| format!("<@{u}>")).collect::<Vec<_>>().join(" "))
        };
        let bytes = |s: &str| s.len();
        let content = match self.custom("text", group, markup)? {
            Some(t) => format!("{}{tail}", fit_plain(&t, WECOM_CONTENT_LIMIT - tail.len(), &bytes)),
            None => {
                let sections: Vec<String> =
                    group.alerts.iter().map(|a| wecom_section(a, self.lang, &self.zone)).collect();
                fit_sections("", &sections, "\n", &tail, WECOM_CONTENT_LIMIT, &bytes, self.lang)
            }
        };
        let mut out = vec![self.json_request(
            url.clone(),
            &json!({"msgtype": "markdown", "markdown": {"content": content}}),
            hidden.clone(),
        )];
        // Mobiles and @all need a text message alongside.
        let mobiles: Vec<String> = if mention { self.spec.at_mobiles.clone() } else { Vec::new() };
        if at_all || !mobiles.is_empty() {
            let mut mentioned_list: Vec<String> = Vec::new();
            if at_all {
                mentioned_list.push("@all".into());
            }
            let text = message::title(group, self.lang);
            let body = json!({
                "msgtype": "text",
                "text": {"content": text, "mentioned_list": mentioned_list, "mentioned_mobile_list": mobiles},
            });
            out.push(self.json_request(url, &body, hidden));
        }
        Ok(out)
    }

    fn feishu(&self, group: &AlertGroup, now_ms: i64, secrets: &dyn Secrets) -> Result<Vec<Request>> {
        let (url, mut hidden) = self.target(secrets)?;
        let markup = self.markup();
        let title = self.title_text(group, Markup::Raw)?;
        let (at_all, mention) = self.mentions_on(group);
        let mut ats: Vec<Value> = Vec::new();
        if at_all {
            ats.push(json!({"tag": "at", "user_id": "all"}));
        }
        if mention {
            ats.extend(self.spec.at_user_ids.iter().map(|u| json!({"tag": "at", "user_id": u})));
        }
        let mut body = if self.spec.format.as_deref() == Some("card") {
            let mut md_tail = String::new();
            if at_all {
                md_tail.push_str("\n<at id=all></at>");
            }
            if mention {
                for u in &self.spec.at_user_ids {
                    md_tail.push_str(&format!("\n<at id={u}></at>"));
                }
            }
            let measure = |s: &str| serde_json::to_string(s).map(|j| j.len() - 2).unwrap_or(s.len());
            let skeleton = json!({"msg_type": "interactive", "card": {"header": {"title": {"tag": "plain_text", "content": title}, "template": feishu_color(group)}, "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": ""}}]}});
            let budget = FEISHU_BODY_LIMIT - skeleton.to_string().len() - 80;
            let content = self.markdown_text_with_tail(group, budget, &measure, &md_tail)?;
            let mut b = skeleton;
            b["card"]["elements"][0]["text"]["content"] = Value::String(content);
            b
        } else {
            let lines: Vec<Vec<Value>> = match self.custom("text", group, Markup::Raw)? {
                Some(t) => t.lines().map(|l| vec![json!({"tag": "text", "text": l})]).collect(),
                None => {
                    // The manual's block without its underline: a post has its own layout.
                    let mut lines = Vec::new();
                    for a in &group.alerts {
                        for l in text_block(a, self.lang, &self.zone).lines().filter(|l| !l.starts_with("====")) {
                            lines.push(vec![json!({"tag": "text", "text": l})]);
                        }
                        lines.push(vec![json!({"tag": "text", "text": ""})]);
                    }
                    lines.pop();
                    lines
                }
            };
            let _ = markup;
            let locale = if self.lang == Lang::ZhCn { "zh_cn" } else { "en_us" };
            let mut content: Vec<Value> = Vec::new();
            let mut size = 0;
            let total = lines.len();
            for (i, line) in lines.into_iter().enumerate() {
                let piece = Value::Array(line);
                size += piece.to_string().len() + 1;
                if size > FEISHU_BODY_LIMIT - 2_000 {
                    content.push(json!([{"tag": "text", "text": format!("{}", self.lang.left_out_lines(total - i))}]));
                    break;
                }
                content.push(piece);
            }
            if !ats.is_empty() {
                content.push(Value::Array(ats));
            }
            json!({"msg_type": "post", "content": {"post": {locale: {"title": title, "content": content}}}})
        };
        if let Some(secret) = self.secret(secrets, "secret_env", &self.spec.secret_env)? {
            let ts = now_ms.div_euclid(1000);
            let signed = json!({"timestamp": ts.to_string(), "sign": sign::feishu_sign(&secret, ts)});
            let mut merged = signed;
            if let (Value::Object(m), Value::Object(b)) = (&mut merged, body) {
                for (k, v) in b {
                    m.insert(k, v);
                }
            }
            body = merged;
            hidden.push(secret);
        }
        Ok(vec![self.json_request(url, &body, hidden)])
    }

    fn slack(&self, group: &AlertGroup, secrets: &dyn Secrets) -> Result<Vec<Request>> {
        let (url, hidden) = self.target(secrets)?;
        let title = truncate(&self.title_text(group, Markup::Raw)?, 150, Unit::Chars);
        let mut blocks = vec![json!({"type": "header", "text": {"type": "plain_text", "text": title}})];
        let sections: Vec<String> = match self.custom("text", group, Markup::Slack)? {
            Some(t) => vec![t],
            None => group.alerts.iter().map(|a| slack_section(a, self.lang, &self.zone)).collect(),
        };
        // ≤ 50 blocks: the header, up to 48 sections, and a context block for the rest.
        let room = SLACK_MAX_BLOCKS - 2;
        for s in sections.iter().take(room) {
            blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": fit_plain(s, SLACK_SECTION_LIMIT, &|x: &str| x.chars().count()), "verbatim": true}}));
        }
        if sections.len() > room {
            blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": self.lang.left_out(sections.len() - room)}]}));
        }
        let body = json!({"text": title, "blocks": blocks});
        Ok(vec![self.json_request(url, &body, hidden)])
    }

    fn pagerduty(&self, group: &AlertGroup, secrets: &dyn Secrets) -> Result<Vec<Request>> {
        let (url, mut hidden) = self.target(secrets)?;
        let key = self.secret(secrets, "token_env", &self.spec.token_env)?.unwrap_or_default();
        hidden.push(key.clone());
        let firing = group.status() == AlertStatus::Firing;
        let summary = match self.custom("title", group, Markup::Raw)? {
            Some(t) => t,
            None => self.subject.render_group("subject", group, &self.zone, Markup::Raw)?,
        };
        let severity = match group.severity() {
            s @ ("critical" | "error" | "warning" | "info") => s.to_owned(),
            _ => self.spec.severity.clone().unwrap_or_else(|| "error".into()),
        };
        let details = json!({
            "firing": group.firing().map(|a| text_block(a, self.lang, &self.zone)).collect::<Vec<_>>().join("\n"),
            "resolved": group.resolved().map(|a| text_block(a, self.lang, &self.zone)).collect::<Vec<_>>().join("\n"),
            "num_firing": group.firing().count(),
            "num_resolved": group.resolved().count(),
        });
        let mut body = json!({
            "routing_key": key,
            "event_action": if firing { "trigger" } else { "resolve" },
            // Alertmanager's dedup key: the SHA-256 of the group key.
            "dedup_key": group_key_hash(&group.group_key),
        });
        if firing {
            body["payload"] = json!({
                "summary": truncate(&summary, PAGERDUTY_SUMMARY_LIMIT, Unit::Chars),
                "source": self.spec.source.clone().unwrap_or_else(|| "opsbook".into()),
                "severity": severity,
                "custom_details": details,
            });
            body["client"] = json!("opsbook");
            if !group.external_url.is_empty() {
                body["client_url"] = json!(group.external_url);
            }
        }
        Ok(vec![self.json_request(url, &body, hidden)])
    }

    fn webhook(&self, group: &AlertGroup, secrets: &dyn Secrets) -> Result<Vec<Request>> {
        let (url, hidden) = self.target(secrets)?;
        if self.spec.format.as_deref() == Some("manual") {
            // The manuals send {text, alert} once per alert.
            return group
                .alerts
                .iter()
                .map(|a| {
                    let one = AlertGroup { alerts: vec![a.clone()], ..group.clone() };
                    let text = self.body_text(&one)?;
                    let alert = json!({
                        "severity": a.severity(),
                        "summary": a.summary(),
                        "description": a.description(),
                        "timestamp": show_time(a.starts_at_ms, &self.zone),
                        "status": a.status.as_str(),
                        "labels": a.labels,
                    });
                    Ok(self.json_request(url.clone(), &json!({"text": text, "alert": alert}), hidden.clone()))
                })
                .collect();
        }
        Ok(vec![self.json_request(url, &group.to_webhook_json(), hidden)])
    }

    /// The email subject: Alertmanager's `[FIRING:n] ...` (default) or the manual's
    /// `[severity] summary`, or the `title` template. Never more than one line.
    pub fn subject(&self, group: &AlertGroup) -> Result<String> {
        let s = match self.custom("title", group, Markup::Raw)? {
            Some(t) => t,
            None if self.spec.format.as_deref() == Some("severity") => {
                let first = group.firing().next().or(group.alerts.first());
                format!("[{}] {}", group.severity(), first.map_or("", |a| a.summary()))
            }
            None => self.subject.render_group("subject", group, &self.zone, Markup::Raw)?,
        };
        Ok(s.replace(['\r', '\n'], " "))
    }

    fn html_body(&self, group: &AlertGroup) -> Result<String> {
        if let Some(h) = self.custom("html", group, Markup::Html)? {
            return Ok(h);
        }
        let w = self.lang.words();
        let mut out = String::from("<!DOCTYPE html>\n<html><body>\n");
        for a in &group.alerts {
            let f = Fields::of(a, &self.zone, Markup::Html);
            let head = if f.firing { w.notification } else { w.resolved_notification };
            out.push_str(&format!("<h2>{head}</h2>\n<table>\n"));
            let mut row =
                |k: &str, v: &str| out.push_str(&format!("<tr><th align=\"left\">{k}</th><td>{v}</td></tr>\n"));
            row(w.summary, &f.summary);
            row(w.details, &f.details);
            row(w.severity, &f.severity);
            row(w.time, &f.time);
            if let Some(at) = &f.resolved_at {
                row(w.resolved_at, at);
            }
            row(w.labels, &escape(&crate::alert::message::labels_line(a), Markup::Html));
            out.push_str("</table>\n");
        }
        out.push_str("</body></html>\n");
        Ok(out)
    }

    fn email(&self, group: &AlertGroup, now_ms: i64, secrets: &dyn Secrets) -> Result<Request> {
        use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
        let subject = self.subject(group)?;
        let text = self.body_text(group)?;
        let html = self.html_body(group)?;
        let from: Mailbox = self.spec.from.as_deref().unwrap_or_default().parse().map_err(|_| {
            Error::invalid_value(
                &format!("{}.from", self.spec.name),
                self.spec.from.as_deref().unwrap_or_default(),
                "not an email address",
            )
        })?;
        // Deterministic Date, Message-ID and boundary: the same notification renders to the
        // same bytes (golden files), and different ones differ.
        let digest = group_key_hash(&format!("{}\n{}\n{now_ms}", group.group_key, subject));
        let mut builder = lettre::Message::builder()
            .from(from)
            .subject(subject.clone())
            .date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(now_ms.max(0) as u64))
            .message_id(Some(format!("<{}.{now_ms}@opsbook>", &digest[..16])));
        for to in &self.spec.to {
            let mb: Mailbox = to
                .parse()
                .map_err(|_| Error::invalid_value(&format!("{}.to", self.spec.name), to, "not an email address"))?;
            builder = builder.to(mb);
        }
        let body = MultiPart::alternative()
            .boundary(format!("opsbook-{}", &digest[..32]))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text.clone()))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.clone()));
        let message = builder
            .multipart(body)
            .map_err(|e| Error::invalid_value(&format!("{}.email", self.spec.name), "", e.to_string()))?;
        let mime = String::from_utf8_lossy(&message.formatted()).into_owned();
        let smtp = self.spec.smtp.clone().unwrap_or_else(|| "localhost:25".into());
        let (host, port) = parse_host_port(&smtp).expect("checked in Channel::new");
        let password = self.secret(secrets, "password_env", &self.spec.password_env)?;
        let tls = match self.spec.smtp_tls.as_deref() {
            Some("none") => SmtpTls::None,
            Some("tls") => SmtpTls::Tls,
            _ => SmtpTls::StartTls,
        };
        let hidden: Vec<String> = password.iter().cloned().collect();
        Ok(Request {
            channel: self.spec.name.clone(),
            kind: ChannelKind::Email,
            method: "SMTP",
            url: format!("smtp://{host}:{port}"),
            headers: Vec::new(),
            body: mime.clone(),
            email: Some(EmailMessage {
                from: self.spec.from.clone().unwrap_or_default(),
                to: self.spec.to.clone(),
                subject,
                text,
                html,
                mime,
                smtp_host: host,
                smtp_port: port,
                tls,
                username: self.spec.username.clone(),
                password,
            }),
            secrets: hidden,
        })
    }
}

/// DingTalk's limit on a request body.
pub const DINGTALK_BODY_LIMIT: usize = 20_000;
/// WeCom's limit on markdown content.
pub const WECOM_CONTENT_LIMIT: usize = 4_096;
/// Feishu/Lark's limit on a request body.
pub const FEISHU_BODY_LIMIT: usize = 20_000;
/// Slack's limits: section text characters, blocks per message.
pub const SLACK_SECTION_LIMIT: usize = 3_000;
pub const SLACK_MAX_BLOCKS: usize = 50;
/// PagerDuty's limit on payload.summary.
pub const PAGERDUTY_SUMMARY_LIMIT: usize = 1_024;

impl Lang {
    fn left_out_lines(self, n: usize) -> String {
        match self {
            Lang::ZhCn => format!("…另有 {n} 行未显示"),
            Lang::En => format!("…{n} more lines not shown"),
        }
    }
}

/// `text` as a JSON string, appended, escaped exactly as serde_json escapes (`"`, `\\`,
/// and control characters; everything else as it is).
fn json_string(out: &mut String, text: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if escaped.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escaped);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// Comma-separated JSON strings, appended.
fn json_list(out: &mut String, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(out, item);
    }
}

/// A rendered template fitted into `limit` (cut at a safe point, marked).
fn fit_plain(text: &str, limit: usize, measure: message::Measure) -> String {
    if measure(text) <= limit {
        return text.to_owned();
    }
    fit_sections("", &[text.to_owned()], "", "", limit, measure, Lang::En)
}

/// Alertmanager's `GroupKey.Hash()`: hex SHA-256 of the key.
pub fn group_key_hash(key: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn feishu_color(group: &AlertGroup) -> &'static str {
    if group.status() == AlertStatus::Resolved {
        return "green";
    }
    match group.severity() {
        "critical" | "error" | "high" | "page" => "red",
        "warning" | "warn" => "orange",
        _ => "blue",
    }
}

/// WeCom's colours: warning (orange-red), comment (grey), info (green).
fn wecom_color(alert: &Alert) -> &'static str {
    if !alert.is_firing() {
        return "info";
    }
    match alert.severity() {
        "critical" | "error" | "high" | "page" => "warning",
        "info" => "info",
        _ => "comment",
    }
}

fn wecom_section(alert: &Alert, lang: Lang, zone: &TimeZone) -> String {
    let w = lang.words();
    let f = Fields::of(alert, zone, Markup::WeComMarkdown);
    let color = wecom_color(alert);
    let mark = if f.firing { String::new() } else { format!("[{}] ", w.resolved) };
    let mut out = format!(
        "## <font color=\"{color}\">{mark}{}</font>\n> {}: {}\n> {}: <font color=\"{color}\">{}</font>\n> {}: {}\n",
        f.summary, w.details, f.details, w.severity, f.severity, w.time, f.time
    );
    if let Some(at) = &f.resolved_at {
        out.push_str(&format!("> {}: {at}\n", w.resolved_at));
    }
    out
}

fn slack_section(alert: &Alert, lang: Lang, zone: &TimeZone) -> String {
    let w = lang.words();
    let f = Fields::of(alert, zone, Markup::Slack);
    let mark = if f.firing { String::new() } else { format!("[{}] ", w.resolved) };
    let mut out = format!(
        "*{mark}{}*\n*{}*: {}\n*{}*: {}\n*{}*: {}",
        f.summary, w.details, f.details, w.severity, f.severity, w.time, f.time
    );
    if let Some(at) = &f.resolved_at {
        out.push_str(&format!("\n*{}*: {at}", w.resolved_at));
    }
    out.push_str(&format!("\n*{}*: {}", w.labels, escape(&crate::alert::message::labels_line(alert), Markup::Slack)));
    out
}

fn parse_host_port(text: &str) -> Option<(String, u16)> {
    let (host, port) = text.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    if host.is_empty() || port == 0 {
        return None;
    }
    Some((host.trim_start_matches('[').trim_end_matches(']').to_owned(), port))
}

/// Whether a declared base URL carries a robot's token (which must come from the environment).
fn holds_a_token(kind: ChannelKind, url: &str) -> bool {
    let after = |marker: &str| url.split_once(marker).is_some_and(|(_, rest)| !rest.trim_matches('/').is_empty());
    match kind {
        ChannelKind::DingTalk => url.contains("access_token="),
        ChannelKind::WeCom => url.contains("key="),
        ChannelKind::Feishu | ChannelKind::Lark => after("/hook/"),
        ChannelKind::Slack => after("/services/"),
        _ => false,
    }
}

/// A URL that holds a robot token, shown with the token as `***` (query tokens by `redact`,
/// Feishu's and Slack's path tokens here).
fn without_token(kind: ChannelKind, url: &str) -> String {
    let marker = match kind {
        ChannelKind::Feishu | ChannelKind::Lark => "/hook/",
        ChannelKind::Slack => "/services/",
        _ => return crate::redact::redact(url).into_owned(),
    };
    match url.split_once(marker) {
        Some((base, _)) => format!("{base}{marker}***"),
        None => crate::redact::redact(url).into_owned(),
    }
}

/// `20/1m` → (20, 60000).
fn parse_rate(field: &str, text: &str) -> Result<(u32, i64)> {
    let (n, per) =
        text.split_once('/').ok_or_else(|| Error::invalid_value(field, text, "expected N/DURATION, e.g. 20/1m"))?;
    let n: u32 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Error::invalid_value(field, text, "expected a count above 0 before /"))?;
    let per = crate::duration::parse_duration(field, per.trim())?;
    if per.is_zero() {
        return Err(Error::invalid_value(field, text, "the window must be more than 0"));
    }
    Ok((n, per.as_millis() as i64))
}

/// Channels from a policy's `[[channels]]` array (JSON form); names must be unique.
pub fn channels_from_value(value: &Value) -> Result<Vec<Channel>> {
    let Value::Array(items) = value else {
        return Err(Error::invalid_value(
            "channels",
            &crate::alert::model::excerpt(&value.to_string()),
            "expected [[channels]] tables",
        ));
    };
    let mut out: Vec<Channel> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let channel = Channel::from_value(item, &format!("channels[{i}]"))?;
        if out.iter().any(|c| c.spec.name == channel.spec.name) {
            return Err(Error::invalid_value(
                &format!("channels[{i}].name"),
                &channel.spec.name,
                "two channels have this name",
            ));
        }
        out.push(channel);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_strings_as_serde_json_writes_them() {
        for text in
            ["", "plain", "q\"b\\s", "line\nnext\ttab\r", "\u{1}\u{1f}\u{8}\u{c}\u{7f}", "中文 ✓ \u{2028}", "end\\"]
        {
            let mut ours = String::new();
            super::json_string(&mut ours, text);
            assert_eq!(ours, serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }
}

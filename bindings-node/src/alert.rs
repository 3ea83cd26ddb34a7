//! Alert messages (wraps `opsbook::alert`): a `Channel` renders a notification as the exact
//! request(s) it sends and sends them off the JS thread; `renderTemplate` runs Go templates
//! as Prometheus and Alertmanager do.

use std::collections::HashMap;
use std::sync::Arc;

use napi_derive::napi;

use opsbook::alert::channel::{Channel as CoreChannel, MapOrEnv};
use opsbook::alert::deliver::Sender;
use opsbook::alert::escape::Markup;
use opsbook::alert::model::AlertGroup;
use opsbook::alert::template::render_template_json;

use crate::errors::IntoJsResult;

/// Options of `render` and `send`.
#[napi(object)]
pub struct RenderOptions {
    /// The signing and Date time, Unix seconds (default now).
    pub now: Option<f64>,
    /// Secrets by variable name, instead of the environment.
    pub secrets: Option<HashMap<String, String>>,
}

pub(crate) fn now_ms(now: Option<f64>) -> napi::Result<i64, String> {
    match now {
        None => Ok(jiff::Timestamp::now().as_millisecond()),
        Some(s) => opsbook::forecast::input::time_ms("now", s).js_err(),
    }
}

/// A notification channel declared as in a policy's `[[channels]]`.
#[napi]
pub struct Channel {
    inner: Arc<CoreChannel>,
    sender: Arc<Sender>,
}

#[napi]
impl Channel {
    /// `spec`: `{name, type, token_env, secret_env, lang, tz, ...}` (the policy's keys).
    #[napi(constructor)]
    pub fn new(spec: serde_json::Value) -> napi::Result<Self, String> {
        let inner = CoreChannel::from_value(&spec, "channel").js_err()?;
        Ok(Channel { inner: Arc::new(inner), sender: Arc::new(Sender::new()) })
    }

    /// The `[[channels]]` entry `name` of a policy file.
    #[napi(factory)]
    pub fn from_policy(path: String, name: String) -> napi::Result<Self, String> {
        let policy = opsbook::policy::Policy::from_path(std::path::Path::new(&path)).js_err()?;
        Ok(Channel { inner: Arc::new(policy.channel(&name).js_err()?), sender: Arc::new(Sender::new()) })
    }

    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.spec.name.clone()
    }

    #[napi(getter, js_name = "type")]
    pub fn kind(&self) -> String {
        self.inner.kind.name().to_owned()
    }

    /// The request(s) for `alerts` (a webhook payload, a list of alerts, one alert, or the
    /// manuals' object): `{channel, type, method, url, headers, body}`, secrets as ***.
    #[napi]
    pub fn render(
        &self,
        alerts: serde_json::Value,
        options: Option<RenderOptions>,
    ) -> napi::Result<Vec<serde_json::Value>, String> {
        let (now, secrets) = options.map_or((None, None), |o| (o.now, o.secrets));
        let group = AlertGroup::from_value(&alerts).js_err()?;
        let requests = self.inner.render(&group, now_ms(now)?, &MapOrEnv(secrets)).js_err()?;
        Ok(requests.iter().map(|r| r.to_json()).collect())
    }

    /// Each alert as a notification of its own: the request bodies as sent (JSON text),
    /// secrets as ***, in alert order. `alerts` may be JSON text (read without building JS
    /// objects) or objects.
    #[napi]
    pub fn render_bodies(
        &self,
        #[napi(ts_arg_type = "string | any")] alerts: serde_json::Value,
        options: Option<RenderOptions>,
    ) -> napi::Result<Vec<String>, String> {
        let (now, secrets) = options.map_or((None, None), |o| (o.now, o.secrets));
        let group = match &alerts {
            serde_json::Value::String(text) => AlertGroup::from_json(text),
            other => AlertGroup::from_value(other),
        }
        .js_err()?;
        self.inner.render_bodies(group, now_ms(now)?, &MapOrEnv(secrets)).js_err()
    }

    /// Renders now (bad input throws with its OPSBOOK_ code) and sends off the JS thread,
    /// retrying as the channel says; resolves to one delivery per request.
    #[napi(ts_return_type = "Promise<Array<any>>")]
    pub fn send(
        &self,
        alerts: serde_json::Value,
        options: Option<RenderOptions>,
    ) -> napi::Result<napi::bindgen_prelude::AsyncTask<SendTask>, String> {
        let (now, secrets) = options.map_or((None, None), |o| (o.now, o.secrets));
        let group = AlertGroup::from_value(&alerts).js_err()?;
        let requests = self.inner.render(&group, now_ms(now)?, &MapOrEnv(secrets)).js_err()?;
        Ok(napi::bindgen_prelude::AsyncTask::new(SendTask {
            channel: Arc::clone(&self.inner),
            sender: Arc::clone(&self.sender),
            requests,
            failure: Default::default(),
        }))
    }
}

/// Sends on the libuv pool (outcomes are data: it never rejects for a refused message).
pub struct SendTask {
    failure: crate::errors::Failure,
    channel: Arc<CoreChannel>,
    sender: Arc<Sender>,
    requests: Vec<opsbook::alert::channel::Request>,
}

impl napi::Task for SendTask {
    type Output = Vec<serde_json::Value>;
    type JsValue = Vec<serde_json::Value>;

    fn compute(&mut self) -> napi::Result<Vec<serde_json::Value>> {
        let sent = self.sender.send_blocking(&self.channel, &self.requests);
        self.failure.keep(sent.map(|ds| ds.iter().map(|d| d.to_json()).collect()))
    }

    fn resolve(&mut self, _env: napi::Env, output: Vec<serde_json::Value>) -> napi::Result<Vec<serde_json::Value>> {
        Ok(output)
    }

    fn reject(&mut self, env: napi::Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.reject(env, err))
    }
}

/// What `renderTemplate` runs over: one of `data` (any JSON), `alert` or `group`.
#[napi(object)]
pub struct TemplateOptions {
    pub data: Option<serde_json::Value>,
    pub alert: Option<serde_json::Value>,
    pub group: Option<serde_json::Value>,
    /// plain (default), html, markdown, wecom or slack.
    pub markup: Option<String>,
    /// IANA time zone (default UTC).
    pub tz: Option<String>,
}

/// Expands a Go template (Prometheus/Alertmanager syntax).
#[napi]
pub fn render_template(template: String, options: Option<TemplateOptions>) -> napi::Result<String, String> {
    let o = options.unwrap_or(TemplateOptions { data: None, alert: None, group: None, markup: None, tz: None });
    let markup = Markup::from_name("markup", o.markup.as_deref().unwrap_or("plain")).js_err()?;
    render_template_json(
        &template,
        o.data.as_ref(),
        o.alert.as_ref(),
        o.group.as_ref(),
        o.tz.as_deref().unwrap_or("UTC"),
        markup,
    )
    .js_err()
}

//! Alert messages (`opsbook::alert`): a channel (an opaque handle) renders a notification
//! as the exact request(s) it sends and sends them; Go templates run as Prometheus and
//! Alertmanager run them. Alerts, requests and deliveries are JSON text.

use std::ffi::c_char;

use opsbook::alert::channel::{Channel, MapOrEnv};
use opsbook::alert::deliver::Sender;
use opsbook::alert::escape::Markup;
use opsbook::alert::model::AlertGroup;
use opsbook::alert::template::render_template_json;

use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, json_required, put_string};

/// A notification channel, with its own rate-limit windows.
pub struct opsbook_channel {
    inner: Channel,
    sender: Sender,
}

fn bad(field: &str, value: &str, reason: &str) -> opsbook_result {
    fail(opsbook::Error::InvalidValue { field: field.into(), value: value.into(), reason: reason.into() })
}

fn secrets(secrets_json: *const c_char) -> Result<MapOrEnv, opsbook_result> {
    if secrets_json.is_null() {
        return Ok(MapOrEnv(None));
    }
    let value = json_required(secrets_json, "secrets_json")?;
    serde_json::from_value(value)
        .map(|m| MapOrEnv(Some(m)))
        .map_err(|_| bad("secrets_json", "", "expected an object of variable names to text"))
}

pub(crate) fn now_ms(now: f64) -> Result<i64, opsbook_result> {
    if now.is_nan() {
        return Ok(jiff::Timestamp::now().as_millisecond());
    }
    opsbook::forecast::input::time_ms("now", now).map_err(fail)
}

fn channel<'a>(c: *const opsbook_channel) -> Result<&'a opsbook_channel, opsbook_result> {
    unsafe { c.as_ref() }.ok_or_else(|| null_argument("channel"))
}

/// The channel, and the requests it renders for `alerts_json` — what render and send share.
fn rendered<'a>(
    channel: *const opsbook_channel,
    alerts_json: *const c_char,
    now: f64,
    secrets_json: *const c_char,
) -> Result<(&'a opsbook_channel, Vec<opsbook::alert::channel::Request>), opsbook_result> {
    let c = self::channel(channel)?;
    let group = AlertGroup::from_value(&json_required(alerts_json, "alerts_json")?).map_err(fail)?;
    let requests = c.inner.render(&group, now_ms(now)?, &secrets(secrets_json)?).map_err(fail)?;
    Ok((c, requests))
}

/// A channel from its declaration (`spec_json`: the keys of a policy's `[[channels]]`
/// entry). Free with `opsbook_channel_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_channel_new(
    spec_json: *const c_char,
    out: *mut *mut opsbook_channel,
) -> opsbook_result {
    guard(|| {
        if out.is_null() {
            return Err(null_argument("out"));
        }
        let inner = Channel::from_value(&json_required(spec_json, "spec_json")?, "channel").map_err(fail)?;
        unsafe { *out = Box::into_raw(Box::new(opsbook_channel { inner, sender: Sender::new() })) };
        Ok(())
    })
}

/// Frees a channel. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_channel_free(channel: *mut opsbook_channel) {
    if !channel.is_null() {
        drop(unsafe { Box::from_raw(channel) });
    }
}

/// The request(s) for `alerts_json` (a webhook payload, a list of alerts, one alert, or
/// the manuals' object) as a JSON array of `{channel, type, method, url, headers, body}`,
/// secrets shown as ***. `now`: Unix seconds (NaN for the clock); `secrets_json`: NULL for
/// the environment. Free `*out` with `opsbook_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_channel_render(
    channel: *const opsbook_channel,
    alerts_json: *const c_char,
    now: f64,
    secrets_json: *const c_char,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let (_, requests) = rendered(channel, alerts_json, now, secrets_json)?;
        let shown: Vec<serde_json::Value> = requests.iter().map(|r| r.to_json()).collect();
        put_string(out, serde_json::Value::Array(shown).to_string())
    })
}

/// Each alert as a notification of its own: a JSON array of the request bodies as sent
/// (JSON text strings; the MIME message of an email), secrets as ***, in alert order,
/// rendered on every core. Free `*out` with `opsbook_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_channel_render_bodies(
    channel: *const opsbook_channel,
    alerts_json: *const c_char,
    now: f64,
    secrets_json: *const c_char,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let c = self::channel(channel)?;
        let text = unsafe { c_str(alerts_json, "alerts_json") }?;
        let group = AlertGroup::from_json(text).map_err(fail)?;
        let bodies = c.inner.render_bodies(group, now_ms(now)?, &secrets(secrets_json)?).map_err(fail)?;
        put_string(out, serde_json::Value::from(bodies).to_string())
    })
}

/// Renders and sends (blocking; retries as the channel says). `*out`: a JSON array of
/// deliveries `{channel, url, delivered, attempts}`; a refused message is data, not an
/// error. Free with `opsbook_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_channel_send(
    channel: *const opsbook_channel,
    alerts_json: *const c_char,
    now: f64,
    secrets_json: *const c_char,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let (c, requests) = rendered(channel, alerts_json, now, secrets_json)?;
        let deliveries = c.sender.send_blocking(&c.inner, &requests).map_err(fail)?;
        let shown: Vec<serde_json::Value> = deliveries.iter().map(|d| d.to_json()).collect();
        put_string(out, serde_json::Value::Array(shown).to_string())
    })
}

/// Expands a Go template. `kind`: "data" (any JSON as the dot), "alert" (one alert:
/// `$labels`, `$value`, ...) or "group" (a notification group: `.Alerts`, ...);
/// `markup`: "plain", "html", "markdown", "wecom" or "slack" (NULL: plain); `tz`: IANA
/// name (NULL: UTC). Free `*out` with `opsbook_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_render_template(
    template: *const c_char,
    kind: *const c_char,
    data_json: *const c_char,
    markup: *const c_char,
    tz: *const c_char,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let template = unsafe { c_str(template, "template") }?;
        let kind = unsafe { c_str(kind, "kind") }?;
        let markup =
            Markup::from_name("markup", if markup.is_null() { "plain" } else { unsafe { c_str(markup, "markup") }? })
                .map_err(fail)?;
        let tz = if tz.is_null() { "UTC" } else { unsafe { c_str(tz, "tz") }? };
        let data = if data_json.is_null() { None } else { Some(json_required(data_json, "data_json")?) };
        let text = match kind {
            "data" => render_template_json(template, data.as_ref(), None, None, tz, markup),
            "alert" => render_template_json(
                template,
                None,
                Some(data.as_ref().unwrap_or(&serde_json::Value::Null)),
                None,
                tz,
                markup,
            ),
            "group" => render_template_json(
                template,
                None,
                None,
                Some(data.as_ref().unwrap_or(&serde_json::Value::Null)),
                tz,
                markup,
            ),
            other => return Err(bad("kind", other, "expected data, alert or group")),
        }
        .map_err(fail)?;
        put_string(out, text)
    })
}

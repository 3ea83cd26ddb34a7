//! Signing the chat robots' requests, each robot its own way:
//!
//! - DingTalk: HMAC-SHA256 with the secret as key over `timestamp_ms + "\n" + secret`,
//!   base64, URL-encoded, sent as the `timestamp` and `sign` query parameters;
//! - Feishu/Lark: HMAC-SHA256 with `timestamp_s + "\n" + secret` as key over an empty
//!   message, base64, sent as `timestamp` and `sign` in the JSON body.
//!
//! The secret never appears in anything returned here but the signature.

use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What Python's `urllib.parse.quote_plus` leaves alone (DingTalk's own example uses it).
const QUOTE_PLUS: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn hmac_sha256_base64(key: &[u8], message: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    base64::engine::general_purpose::STANDARD.encode(ring::hmac::sign(&key, message).as_ref())
}

/// DingTalk's `sign` parameter (already URL-encoded) for a request made at `timestamp_ms`.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let signature = hmac_sha256_base64(secret.as_bytes(), format!("{timestamp_ms}\n{secret}").as_bytes());
    utf8_percent_encode(&signature, QUOTE_PLUS).to_string()
}

/// The robot's webhook URL with `timestamp` and `sign` appended (DingTalk).
pub fn dingtalk_signed_url(webhook: &str, secret: &str, timestamp_ms: i64) -> String {
    let joiner = if webhook.contains('?') { '&' } else { '?' };
    format!("{webhook}{joiner}timestamp={timestamp_ms}&sign={}", dingtalk_sign(secret, timestamp_ms))
}

/// Feishu's `sign` body field for a request made at `timestamp_s`.
pub fn feishu_sign(secret: &str, timestamp_s: i64) -> String {
    hmac_sha256_base64(format!("{timestamp_s}\n{secret}").as_bytes(), b"")
}

//! HTTP(S): status and latency of a request, with optional body and JSON-field matches.
//! reqwest with rustls (no OpenSSL); the system trust store and HTTPS_PROXY are honoured.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::check::Measurement;
use crate::probe::{elapsed_ms, probe_error};
use crate::redact::redact;
use crate::runner::{Probe, ProbeFuture, Reading};
use crate::threshold::{Range, Threshold};

/// A request whose answer is judged: `status_code` must equal `expect_status` (CRITICAL
/// otherwise), `latency` is in ms for the check's thresholds, and `body_match` /
/// `json_match` are 1 when the body holds `body_contains` / the JSON value at
/// `json_pointer` equals `json_equals` (CRITICAL when 0).
#[derive(Debug, Clone)]
pub struct HttpProbe {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub expect_status: u16,
    pub body_contains: Option<String>,
    pub json_pointer: Option<String>,
    pub json_equals: Option<serde_json::Value>,
}

/// The client TLS configuration of every HTTP probe: the system trust store through the
/// platform verifier reqwest itself uses, ALPN for HTTP/2 and 1.1. Plain data, so it is safe
/// to share across runtimes and a fork.
fn tls_config() -> Result<rustls::ClientConfig, crate::Error> {
    static CONFIG: std::sync::OnceLock<std::result::Result<rustls::ClientConfig, String>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = crate::probe::crypto_provider();
            let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| e.to_string())?;
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .dangerous()
                .with_custom_certificate_verifier(std::sync::Arc::new(verifier))
                .with_no_client_auth();
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
        .map_err(|e| probe_error("http", format!("TLS configuration: {e}")))
}

impl HttpProbe {
    /// A GET of `url` expecting 200.
    pub fn get(url: impl Into<String>) -> HttpProbe {
        HttpProbe {
            url: url.into(),
            method: "GET".into(),
            headers: Vec::new(),
            expect_status: 200,
            body_contains: None,
            json_pointer: None,
            json_equals: None,
        }
    }
}

fn must_be(expected: f64) -> Threshold {
    let text = crate::fmt_number(expected);
    Threshold::new(None, Range::parse("crit", &format!("{text}:{text}")).ok())
}

impl Probe for HttpProbe {
    fn kind(&self) -> &'static str {
        "http"
    }
    fn default_thresholds(&self) -> BTreeMap<String, Threshold> {
        BTreeMap::from([
            ("status_code".to_owned(), must_be(f64::from(self.expect_status))),
            ("body_match".to_owned(), must_be(1.0)),
            ("json_match".to_owned(), must_be(1.0)),
        ])
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            crate::probe::crypto_provider();
            let shown = redact(&self.url);
            let method = reqwest::Method::from_bytes(self.method.as_bytes())
                .map_err(|_| probe_error("http", format!("invalid method {:?}", self.method)))?;
            // A fresh client per run: each check measures a fresh connection, and no pool
            // outlives a runtime (embedders fork). The TLS configuration (the system's roots,
            // ~40 ms to load) is built once per process and shared.
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::limited(5))
                .use_preconfigured_tls(tls_config()?)
                .build()
                .map_err(|e| probe_error("http", e))?;
            let mut request = client.request(method, &self.url);
            for (k, v) in &self.headers {
                request = request.header(k, v);
            }
            let start = Instant::now();
            let response = request
                .send()
                .await
                .map_err(|e| probe_error("http", format!("{} {shown}: {}", self.method, redact(&error_chain(&e)))))?;
            let status = response.status();
            let body =
                response.bytes().await.map_err(|e| probe_error("http", format!("reading the body of {shown}: {e}")))?;
            let latency = elapsed_ms(start);
            let mut ms = vec![
                Measurement::new("status_code", f64::from(status.as_u16()))?,
                Measurement::new("latency", latency)?.with_unit("ms"),
                Measurement::new("body_size", body.len() as f64)?.with_unit("B"),
            ];
            if let Some(needle) = &self.body_contains {
                let found = String::from_utf8_lossy(&body).contains(needle.as_str());
                ms.push(Measurement::new("body_match", if found { 1.0 } else { 0.0 })?);
            }
            if let Some(pointer) = &self.json_pointer {
                let value: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
                let actual = value.as_ref().and_then(|v| v.pointer(pointer));
                let matched = match (&self.json_equals, actual) {
                    (Some(expected), Some(actual)) => actual == expected,
                    (None, Some(_)) => true,
                    _ => false,
                };
                ms.push(Measurement::new("json_match", if matched { 1.0 } else { 0.0 })?);
            }
            let mut reading = Reading::new(ms);
            reading.summary = Some(format!("{} {shown}: HTTP {} in {latency:.1} ms", self.method, status.as_u16()));
            Ok(reading)
        })
    }
}

/// reqwest's top-level message hides the cause ("error sending request"); the chain tells
/// "connection refused" or the TLS failure.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

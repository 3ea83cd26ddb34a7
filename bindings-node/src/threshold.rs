//! `Range` and `Threshold` (wrap `opsbook::threshold`).

use napi_derive::napi;

use crate::errors::IntoJsResult;
use crate::status::Status;

/// A Nagios range `[@]start:end` (or a plain form such as "above 70").
#[napi]
#[derive(Clone, Copy)]
pub struct Range {
    pub(crate) inner: opsbook::Range,
}

#[napi]
impl Range {
    /// Parses Nagios range text; `field` names the setting in error messages.
    #[napi(constructor)]
    pub fn new(text: String, field: Option<String>) -> napi::Result<Range, String> {
        let field = field.unwrap_or_else(|| "range".to_owned());
        opsbook::Range::parse(&field, &text).js_err().map(|inner| Range { inner })
    }

    /// A range from a plain form: "above", "at_or_above", "below" or "at_or_below".
    #[napi(factory)]
    pub fn from_form(form: String, bound: f64, field: Option<String>) -> napi::Result<Range, String> {
        let field = field.unwrap_or_else(|| "range".to_owned());
        opsbook::ThresholdForm::from_name(&field, &form, bound)
            .and_then(|f| f.to_range(&field))
            .js_err()
            .map(|inner| Range { inner })
    }

    /// Start of the range (-Infinity for `~`).
    #[napi(getter)]
    pub fn start(&self) -> f64 {
        self.inner.start()
    }

    /// End of the range (Infinity when open).
    #[napi(getter)]
    pub fn end(&self) -> f64 {
        self.inner.end()
    }

    /// True when a value inside the range alerts (`@`).
    #[napi(getter)]
    pub fn inside(&self) -> bool {
        self.inner.inside()
    }

    /// Whether `value` raises an alert against this range.
    #[napi]
    pub fn alerts(&self, value: f64) -> bool {
        self.inner.alerts(value)
    }

    /// The canonical Nagios text, which parses back to this range.
    #[napi(js_name = "toString")]
    #[allow(clippy::wrong_self_convention)] // napi methods take &self
    pub fn to_text(&self) -> String {
        self.inner.to_string()
    }
}

/// Parses an optional warn/crit argument given as range text.
pub(crate) fn limit(field: &str, text: Option<String>) -> napi::Result<Option<opsbook::Range>, String> {
    text.map(|t| opsbook::Range::parse(field, &t)).transpose().js_err()
}

/// Warn and crit ranges; critical is checked first, NaN is UNKNOWN.
#[napi]
pub struct Threshold {
    inner: opsbook::Threshold,
}

#[napi]
impl Threshold {
    /// Thresholds from range text (`"30"`, `"~:70"`, `"above 70"`); null or omitted for none.
    #[napi(constructor)]
    pub fn new(warn: Option<String>, crit: Option<String>) -> napi::Result<Threshold, String> {
        Ok(Threshold { inner: opsbook::Threshold::new(limit("warn", warn)?, limit("crit", crit)?) })
    }

    /// Thresholds from `Range` objects (null for none).
    #[napi(factory)]
    pub fn from_ranges(warn: Option<&Range>, crit: Option<&Range>) -> Threshold {
        Threshold { inner: opsbook::Threshold::new(warn.map(|r| r.inner), crit.map(|r| r.inner)) }
    }

    #[napi(getter)]
    pub fn warn(&self) -> Option<Range> {
        self.inner.warn.map(|inner| Range { inner })
    }

    #[napi(getter)]
    pub fn crit(&self) -> Option<Range> {
        self.inner.crit.map(|inner| Range { inner })
    }

    /// The status of `value` against these thresholds.
    #[napi]
    pub fn evaluate(&self, value: f64) -> Status {
        self.inner.evaluate(value).into()
    }

    /// The status of each value, in order.
    #[napi]
    pub fn evaluate_many(&self, values: Vec<f64>) -> Vec<Status> {
        self.inner.evaluate_many(&values).into_iter().map(Status::from).collect()
    }
}

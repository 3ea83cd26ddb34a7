//! One forecast of one series by a chosen method, with the time the series reaches a limit —
//! what `opsbook forecast` prints and what the front doors return.

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::forecast::crossing::{Breach, Crossing, time_to_threshold};
use crate::forecast::holt_winters::{HoltWinters, Initialization, Params};
use crate::forecast::input::Series;
use crate::forecast::linear::{deriv, predict_linear};
use crate::forecast::smoothing::smoothing_state;
use crate::forecast::{RangeMode, Sample, select};
use crate::{fmt_number, json_number};

/// How to forecast.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Prometheus' `predict_linear` over the window.
    Linear,
    /// Prometheus' `double_exponential_smoothing(sf, tf)`, extended ahead as Holt's linear
    /// method: level + k·trend, k = horizon / the median sample spacing.
    Smoothing { sf: f64, tf: f64 },
    /// Additive Holt-Winters over the window (evenly spaced samples): fitted, or with the
    /// given parameters.
    HoltWinters { season_length: Option<usize>, damped: bool, init: Initialization, params: Option<Params> },
}

impl Method {
    pub fn name(&self) -> &'static str {
        match self {
            Method::Linear => "linear",
            Method::Smoothing { .. } => "smoothing",
            Method::HoltWinters { .. } => "holt-winters",
        }
    }
}

/// What to forecast: from `at_ms` (default: the last sample), over the samples of the last
/// `window_ms` before it (default: every sample given, as with Prometheus' `@` modifier),
/// `horizon_s` ahead; with a limit, when it is reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub at_ms: Option<i64>,
    pub horizon_s: f64,
    pub window_ms: Option<i64>,
    pub mode: RangeMode,
    pub limit: Option<f64>,
    pub breach: Breach,
    /// Prediction-interval coverage for Holt-Winters (0.95).
    pub coverage: f64,
}

impl Request {
    pub fn new(method: Method, horizon_s: f64) -> Request {
        Request {
            method,
            at_ms: None,
            horizon_s,
            window_ms: None,
            mode: RangeMode::LeftOpen,
            limit: None,
            breach: Breach::Above,
            coverage: 0.95,
        }
    }
}

/// The answer for one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesForecast {
    pub name: String,
    pub method: &'static str,
    pub at_ms: i64,
    pub samples_used: usize,
    pub horizon_s: f64,
    /// The forecast at the horizon.
    pub predicted: f64,
    /// Its prediction interval (Holt-Winters only).
    pub interval: Option<(f64, f64)>,
    /// Trend per second (`deriv` for linear; the smoothed or fitted trend otherwise).
    pub slope_per_second: f64,
    /// When the limit is reached, if a limit was given.
    pub crossing: Option<Crossing>,
    pub limit: Option<f64>,
    pub breach: Breach,
    /// Holt-Winters only: the parameters used and the fit's squared error.
    pub model: Option<(Params, f64)>,
}

fn invalid(field: &str, value: &str, reason: impl Into<String>) -> Error {
    Error::invalid_value(field, value, reason)
}

/// Forecasts one series.
pub fn forecast_series(series: &Series, req: &Request) -> Result<SeriesForecast> {
    if !(req.horizon_s >= 0.0 && req.horizon_s.is_finite()) {
        return Err(invalid("horizon", &fmt_number(req.horizon_s), "must be a finite number of seconds ≥ 0"));
    }
    let last = series.samples.last().ok_or_else(|| invalid("samples", "0", "the series is empty"))?;
    let at_ms = req.at_ms.unwrap_or(last.t_ms);
    let window = match req.window_ms {
        Some(w) => select(&series.samples, at_ms, w, req.mode),
        None => &series.samples[..],
    };
    let mut out = SeriesForecast {
        name: series.name.clone(),
        method: req.method.name(),
        at_ms,
        samples_used: window.len(),
        horizon_s: req.horizon_s,
        predicted: f64::NAN,
        interval: None,
        slope_per_second: f64::NAN,
        crossing: None,
        limit: req.limit,
        breach: req.breach,
        model: None,
    };
    match &req.method {
        Method::Linear => {
            out.predicted = predict_linear(window, at_ms, req.horizon_s)?;
            out.slope_per_second = deriv(window)?;
            if let Some(limit) = req.limit {
                out.crossing = Some(time_to_threshold(window, at_ms, limit, req.breach, req.horizon_s)?);
            }
        }
        Method::Smoothing { sf, tf } => {
            let (level, trend) = smoothing_state(window, *sf, *tf)?;
            let step_s = median_spacing_s(window);
            out.at_ms = window[window.len() - 1].t_ms;
            out.predicted = level + trend * req.horizon_s / step_s;
            out.slope_per_second = trend / step_s;
            if let Some(limit) = req.limit {
                out.crossing = Some(linear_crossing(level, trend / step_s, limit, req.breach, req.horizon_s));
            }
        }
        Method::HoltWinters { season_length, damped, init, params } => {
            let step_s = even_spacing_s(window)?;
            out.at_ms = window[window.len() - 1].t_ms;
            let values: Vec<f64> = window.iter().map(|s| s.value).collect();
            let model = HoltWinters::new(*season_length, *damped)?;
            let fit = match params {
                Some(p) => model.smooth(&values, *p, init)?,
                None => model.fit(&values, init)?,
            };
            out.model = Some((fit.params, fit.sse));
            let steps = ((req.horizon_s / step_s).ceil() as usize).max(1);
            let points = fit.forecast_intervals(steps, req.coverage)?;
            let end = points[steps - 1];
            out.predicted = end.mean;
            out.interval = Some((end.lower, end.upper));
            out.slope_per_second = fit.trend * fit.params.phi / step_s;
            if let Some(limit) = req.limit {
                let past = |v: f64| match req.breach {
                    Breach::Above => v >= limit,
                    Breach::Below => v <= limit,
                };
                // Pessimistic bound first, optimistic last.
                let means: Vec<f64> = points.iter().map(|p| p.mean).collect();
                let (soon, late): (Vec<f64>, Vec<f64>) = match req.breach {
                    Breach::Above => {
                        (points.iter().map(|p| p.upper).collect(), points.iter().map(|p| p.lower).collect())
                    }
                    Breach::Below => {
                        (points.iter().map(|p| p.lower).collect(), points.iter().map(|p| p.upper).collect())
                    }
                };
                let first = |xs: &[f64]| xs.iter().position(|v| past(*v)).map(|i| (i + 1) as f64 * step_s);
                out.crossing = Some(if past(fit.level) {
                    Crossing::AlreadyCrossed
                } else {
                    match first(&means) {
                        Some(seconds) => Crossing::In {
                            seconds,
                            earliest: first(&soon).unwrap_or(seconds),
                            latest: first(&late).unwrap_or(f64::INFINITY),
                        },
                        None => {
                            let moving_towards = match req.breach {
                                Breach::Above => fit.trend > 0.0,
                                Breach::Below => fit.trend < 0.0,
                            };
                            if moving_towards {
                                Crossing::NotWithinHorizon { seconds: f64::NAN }
                            } else {
                                Crossing::FlatOrMovingAway
                            }
                        }
                    }
                });
            }
        }
    }
    Ok(out)
}

fn linear_crossing(now: f64, slope: f64, limit: f64, breach: Breach, horizon_s: f64) -> Crossing {
    let (crossed, approaching) = match breach {
        Breach::Above => (now >= limit, slope > 0.0),
        Breach::Below => (now <= limit, slope < 0.0),
    };
    if crossed {
        return Crossing::AlreadyCrossed;
    }
    if !approaching {
        return Crossing::FlatOrMovingAway;
    }
    let seconds = (limit - now) / slope;
    if seconds > horizon_s {
        Crossing::NotWithinHorizon { seconds }
    } else {
        Crossing::In { seconds, earliest: seconds, latest: seconds }
    }
}

fn median_spacing_s(samples: &[Sample]) -> f64 {
    let mut gaps: Vec<i64> = samples.windows(2).map(|w| w[1].t_ms - w[0].t_ms).collect();
    gaps.sort_unstable();
    gaps[gaps.len() / 2] as f64 / 1e3
}

fn even_spacing_s(samples: &[Sample]) -> Result<f64> {
    if samples.len() < 2 {
        return Err(crate::forecast::too_few("holt-winters", 2, samples.len()));
    }
    let step = samples[1].t_ms - samples[0].t_ms;
    if let Some(i) = samples.windows(2).position(|w| w[1].t_ms - w[0].t_ms != step) {
        let gap = samples[i + 1].t_ms - samples[i].t_ms;
        return Err(invalid(
            &format!("samples[{}]", i + 1),
            &fmt_number(gap as f64 / 1e3),
            format!(
                "holt-winters needs evenly spaced samples: {} s after the previous one, expected {} s",
                fmt_number(gap as f64 / 1e3),
                fmt_number(step as f64 / 1e3)
            ),
        ));
    }
    Ok(step as f64 / 1e3)
}

/// "45 seconds", "12.5 minutes", "3.2 hours", "3.2 days".
pub fn humanize_seconds(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "never".into();
    }
    let (value, unit) = if seconds < 60.0 {
        (seconds, "seconds")
    } else if seconds < 3600.0 {
        (seconds / 60.0, "minutes")
    } else if seconds < 86_400.0 {
        (seconds / 3600.0, "hours")
    } else {
        (seconds / 86_400.0, "days")
    };
    format!("{value:.1} {unit}")
}

fn crossing_json(c: &Crossing) -> Value {
    let mut v = json!({"kind": c.kind()});
    let (seconds, earliest, latest) = c.times();
    for (key, t) in [("seconds", seconds), ("earliest", earliest), ("latest", latest)] {
        if let Some(t) = t {
            v[key] = json!(json_number(t));
        }
    }
    v
}

impl SeriesForecast {
    /// Whether the limit is reached by the horizon (or already): what makes the CLI exit 2.
    pub fn limit_reached(&self) -> bool {
        matches!(self.crossing, Some(Crossing::AlreadyCrossed | Crossing::In { .. }))
    }

    pub fn to_json_value(&self) -> Value {
        json!({
            "name": self.name,
            "method": self.method,
            "at": crate::format::timestamp_ms_rfc3339(self.at_ms),
            "samples": self.samples_used,
            "horizon_seconds": json_number(self.horizon_s),
            "predicted": json_number(self.predicted),
            "lower": self.interval.and_then(|i| json_number(i.0)),
            "upper": self.interval.and_then(|i| json_number(i.1)),
            "slope_per_second": json_number(self.slope_per_second),
            "limit": self.limit.and_then(json_number),
            "breach": self.breach.as_str(),
            "crossing": self.crossing.as_ref().map(crossing_json),
            "model": self.model.map(|(p, sse)| json!({
                "alpha": json_number(p.alpha), "beta": json_number(p.beta), "gamma": json_number(p.gamma),
                "phi": json_number(p.phi), "sse": json_number(sse)
            })),
        })
    }

    /// One line for people: `disk: linear, in 1.0 days 95.3 (trend +0.0001/s); reaches 100 in 3.2 days (2.9 days – 3.6 days)`.
    pub fn to_text(&self) -> String {
        let mut line = format!(
            "{}: {}, in {} {}",
            self.name,
            self.method,
            humanize_seconds(self.horizon_s),
            fmt_number(round_sig(self.predicted))
        );
        if let Some((lo, hi)) = self.interval {
            line.push_str(&format!(" [{} … {}]", fmt_number(round_sig(lo)), fmt_number(round_sig(hi))));
        }
        line.push_str(&format!(" (trend {}/s)", fmt_number(round_sig(self.slope_per_second))));
        if let (Some(limit), Some(c)) = (self.limit, &self.crossing) {
            let side = self.breach.as_str();
            let what = match c {
                Crossing::AlreadyCrossed => "already there".to_owned(),
                Crossing::In { seconds, earliest, latest } => format!(
                    "in {} ({} – {})",
                    humanize_seconds(*seconds),
                    humanize_seconds(*earliest),
                    humanize_seconds(*latest)
                ),
                Crossing::NotWithinHorizon { .. } => "not within the horizon".to_owned(),
                Crossing::FlatOrMovingAway => "never: the trend is flat or moving away".to_owned(),
            };
            line.push_str(&format!("; {side} {}: {what}", fmt_number(limit)));
        }
        line
    }
}

/// Six significant digits, for people.
fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 6 - v.abs().log10().ceil() as i32;
    let scale = 10f64.powi(digits);
    (v * scale).round() / scale
}

/// Every forecast as one JSON document.
pub fn forecasts_to_json(forecasts: &[SeriesForecast]) -> String {
    json!({"forecasts": forecasts.iter().map(SeriesForecast::to_json_value).collect::<Vec<_>>()}).to_string()
}

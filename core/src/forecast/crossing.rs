//! Time to threshold: when a series' linear trend (fitted as `predict_linear` fits it)
//! reaches a limit — "disk /data full in 3.2 days" — with a band, or why it will not.

use crate::error::{Error, Result};
use crate::forecast::linear::linear_regression;
use crate::forecast::{Sample, too_few};

/// The z-score of the band: 95 % of normally distributed residuals lie within ±1.96 σ.
pub const BAND_Z: f64 = 1.96;

/// Which side of the limit is trouble: disk *used* above 90 %, or *free* space below 10 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    Above,
    Below,
}

impl Breach {
    /// `above` or `below`.
    pub fn from_name(name: &str) -> Result<Breach> {
        match name {
            "above" => Ok(Breach::Above),
            "below" => Ok(Breach::Below),
            other => Err(Error::invalid_value("breach", other, "expected above or below")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Breach::Above => "above",
            Breach::Below => "below",
        }
    }
}

/// When the trend reaches the limit, seen from the evaluation time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossing {
    /// The fitted value at the evaluation time is already on the trouble side (or at the limit).
    AlreadyCrossed,
    /// The trend reaches the limit after `seconds`; `earliest`/`latest` are when the
    /// trend shifted by ∓1.96 residual standard deviations reaches it (a band for the
    /// noise around the trend, not for the uncertainty of the slope).
    In { seconds: f64, earliest: f64, latest: f64 },
    /// The trend reaches the limit, but only after the horizon.
    NotWithinHorizon { seconds: f64 },
    /// The trend is flat or moves away from the limit.
    FlatOrMovingAway,
}

impl Crossing {
    /// `already_crossed`, `in`, `not_within_horizon` or `flat_or_moving_away`.
    pub fn kind(&self) -> &'static str {
        match self {
            Crossing::AlreadyCrossed => "already_crossed",
            Crossing::In { .. } => "in",
            Crossing::NotWithinHorizon { .. } => "not_within_horizon",
            Crossing::FlatOrMovingAway => "flat_or_moving_away",
        }
    }

    /// (seconds, earliest, latest), each where the kind has it.
    pub fn times(&self) -> (Option<f64>, Option<f64>, Option<f64>) {
        match *self {
            Crossing::In { seconds, earliest, latest } => (Some(seconds), Some(earliest), Some(latest)),
            Crossing::NotWithinHorizon { seconds } => (Some(seconds), None, None),
            Crossing::AlreadyCrossed | Crossing::FlatOrMovingAway => (None, None, None),
        }
    }
}

/// When the trend of `samples` reaches `limit` from the safe side, looking `horizon_s`
/// seconds past `eval_ms`.
pub fn time_to_threshold(
    samples: &[Sample],
    eval_ms: i64,
    limit: f64,
    breach: Breach,
    horizon_s: f64,
) -> Result<Crossing> {
    if samples.len() < 2 {
        return Err(too_few("time_to_threshold", 2, samples.len()));
    }
    if !limit.is_finite() {
        return Err(Error::InvalidValue {
            field: "limit".into(),
            value: crate::fmt_number(limit),
            reason: "must be a finite number".into(),
        });
    }
    let (slope, now) = linear_regression(samples, eval_ms);
    if slope.is_nan() || now.is_nan() {
        return Err(Error::InvalidValue {
            field: "samples".into(),
            value: String::new(),
            reason: "the series holds infinite or NaN values; no trend can be fitted".into(),
        });
    }
    let (crossed, approaching) = match breach {
        Breach::Above => (now >= limit, slope > 0.0),
        Breach::Below => (now <= limit, slope < 0.0),
    };
    if crossed {
        return Ok(Crossing::AlreadyCrossed);
    }
    if !approaching {
        return Ok(Crossing::FlatOrMovingAway);
    }
    let seconds = (limit - now) / slope;
    if seconds > horizon_s {
        return Ok(Crossing::NotWithinHorizon { seconds });
    }
    // Residual standard deviation around the fitted line (n - 2 degrees of freedom).
    let n = samples.len() as f64;
    let sse: f64 = samples
        .iter()
        .map(|s| {
            let fitted = now + slope * (s.t_ms - eval_ms) as f64 / 1e3;
            (s.value - fitted).powi(2)
        })
        .sum();
    let sigma = if samples.len() > 2 { (sse / (n - 2.0)).sqrt() } else { 0.0 };
    let shift = BAND_Z * sigma * slope.signum();
    let earliest = ((limit - shift - now) / slope).max(0.0);
    let latest = (limit + shift - now) / slope;
    Ok(Crossing::In { seconds, earliest, latest })
}

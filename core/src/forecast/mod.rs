//! Forecasts: Prometheus' `predict_linear`/`deriv` and `double_exponential_smoothing`
//! with their exact semantics, and the manuals' compound growth.

pub mod capacity;
pub mod crossing;
pub mod growth;
pub mod holt_winters;
pub mod input;
pub mod linear;
pub mod normal;
mod optimize;
pub mod predictive;
pub mod report;
pub mod smoothing;

use crate::error::{Error, Result};

/// One observation: time in milliseconds since the Unix epoch (as Prometheus stores it)
/// and its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub t_ms: i64,
    pub value: f64,
}

impl Sample {
    pub fn new(t_ms: i64, value: f64) -> Sample {
        Sample { t_ms, value }
    }
}

/// Builds samples from parallel arrays, refusing arrays of different lengths and times
/// that go backwards (Prometheus' series are ordered by time).
pub fn samples(times_ms: &[i64], values: &[f64]) -> Result<Vec<Sample>> {
    if times_ms.len() != values.len() {
        return Err(Error::InvalidValue {
            field: "values".into(),
            value: values.len().to_string(),
            reason: format!("there are {} timestamps but {} values", times_ms.len(), values.len()),
        });
    }
    if let Some(i) = times_ms.windows(2).position(|w| w[1] <= w[0]) {
        return Err(Error::InvalidValue {
            field: "timestamps".into(),
            value: times_ms[i + 1].to_string(),
            reason: format!("timestamps must increase; {} follows {}", times_ms[i + 1], times_ms[i]),
        });
    }
    Ok(times_ms.iter().zip(values).map(|(&t_ms, &value)| Sample { t_ms, value }).collect())
}

/// Samples from times in Unix seconds (rounded to milliseconds, as Prometheus stores them)
/// and values — the arrays the front doors receive.
pub fn samples_from_seconds(times_s: &[f64], values: &[f64]) -> Result<Vec<Sample>> {
    let ms = times_s
        .iter()
        .enumerate()
        .map(|(i, &t)| input::time_ms(&format!("timestamps[{i}]"), t))
        .collect::<Result<Vec<_>>>()?;
    samples(&ms, values)
}

/// How a range selector `[5m]` picks samples at evaluation time t.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeMode {
    /// Prometheus 3: (t − range, t], the start excluded.
    LeftOpen,
    /// Prometheus 2: [t − range, t], both ends included.
    Closed,
}

impl RangeMode {
    /// `left-open` (Prometheus 3) or `closed` (Prometheus 2), as the front doors spell it.
    pub fn from_name(name: &str) -> Result<RangeMode> {
        match name {
            "left-open" => Ok(RangeMode::LeftOpen),
            "closed" => Ok(RangeMode::Closed),
            other => {
                Err(Error::invalid_value("mode", other, "expected left-open (Prometheus 3) or closed (Prometheus 2)"))
            }
        }
    }
}

/// The samples a range selector of `range_ms` ending at `eval_ms` selects.
pub fn select(samples: &[Sample], eval_ms: i64, range_ms: i64, mode: RangeMode) -> &[Sample] {
    let start = eval_ms.saturating_sub(range_ms);
    let first = samples.partition_point(|s| match mode {
        RangeMode::LeftOpen => s.t_ms <= start,
        RangeMode::Closed => s.t_ms < start,
    });
    let end = samples.partition_point(|s| s.t_ms <= eval_ms);
    if first >= end { &[] } else { &samples[first..end] }
}

pub(crate) fn too_few(what: &str, needed: usize, got: usize) -> Error {
    Error::InvalidValue {
        field: "samples".into(),
        value: got.to_string(),
        reason: format!("{what} needs at least {needed} samples"),
    }
}

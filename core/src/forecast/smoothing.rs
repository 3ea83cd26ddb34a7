//! `double_exponential_smoothing(v, sf, tf)` (named `holt_winters` before Prometheus 3),
//! with Prometheus' initialisation (level = first value, trend = second − first) and
//! recurrence; the result is the last smoothed value.

use crate::error::{Error, Result};
use crate::forecast::{Sample, too_few};

fn factor(field: &str, v: f64) -> Result<()> {
    if v > 0.0 && v < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidValue {
            field: field.into(),
            value: crate::fmt_number(v),
            reason: "must be strictly between 0 and 1".into(),
        })
    }
}

/// The smoothed value after the last sample; `sf` weights new values, `tf` the trend.
pub fn double_exponential_smoothing(samples: &[Sample], sf: f64, tf: f64) -> Result<f64> {
    Ok(smoothing_state(samples, sf, tf)?.0)
}

/// The smoothed level after the last sample and the trend per sample updated with it
/// (Holt's linear method): a forecast k samples ahead is `level + k·trend`.
pub fn smoothing_state(samples: &[Sample], sf: f64, tf: f64) -> Result<(f64, f64)> {
    factor("smoothing factor", sf)?;
    factor("trend factor", tf)?;
    if samples.len() < 2 {
        return Err(too_few("double_exponential_smoothing", 2, samples.len()));
    }
    let (mut s0, mut s1) = (0.0, samples[0].value);
    let mut b = samples[1].value - samples[0].value;
    for (i, s) in samples.iter().enumerate().skip(1) {
        let x = sf * s.value;
        // The trend is updated from the second step on (Prometheus' calcTrendValue).
        if i > 1 {
            b = tf * (s1 - s0) + (1.0 - tf) * b;
        }
        let y = (1.0 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
    }
    Ok((s1, tf * (s1 - s0) + (1.0 - tf) * b))
}

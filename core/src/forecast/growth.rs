//! Compound growth as the manuals plan capacity: `predicted = current × (1 + g)^months`
//! (default g = 10 % a month), the monthly rate implied by two readings, and the doubling
//! time.

use crate::error::{Error, Result};

/// The manuals' default monthly growth rate.
pub const DEFAULT_MONTHLY_GROWTH: f64 = 0.10;

fn finite(field: &str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidValue {
            field: field.into(),
            value: crate::fmt_number(v),
            reason: "must be a finite number".into(),
        })
    }
}

/// `current × (1 + rate)^periods`.
pub fn compound(current: f64, rate: f64, periods: f64) -> Result<f64> {
    finite("current", current)?;
    finite("rate", rate)?;
    finite("periods", periods)?;
    if rate <= -1.0 {
        return Err(Error::InvalidValue {
            field: "rate".into(),
            value: crate::fmt_number(rate),
            reason: "must be above -1 (-100 %)".into(),
        });
    }
    Ok(current * (1.0 + rate).powf(periods))
}

/// The rate per period that takes `from` to `to` in `periods` periods.
pub fn rate_between(from: f64, to: f64, periods: f64) -> Result<f64> {
    finite("from", from)?;
    finite("to", to)?;
    if from <= 0.0 || to <= 0.0 {
        return Err(Error::InvalidValue {
            field: if from <= 0.0 { "from" } else { "to" }.into(),
            value: crate::fmt_number(if from <= 0.0 { from } else { to }),
            reason: "growth is measured between positive values".into(),
        });
    }
    if !(periods > 0.0 && periods.is_finite()) {
        return Err(Error::InvalidValue {
            field: "periods".into(),
            value: crate::fmt_number(periods),
            reason: "must be above 0".into(),
        });
    }
    Ok((to / from).powf(1.0 / periods) - 1.0)
}

/// Periods until a quantity growing at `rate` per period doubles; None when it does not grow.
pub fn doubling_time(rate: f64) -> Option<f64> {
    (rate > 0.0 && rate.is_finite()).then(|| std::f64::consts::LN_2 / rate.ln_1p())
}

/// Seconds in the manuals' month: 30 days.
pub const MONTH_SECONDS: f64 = 30.0 * 86_400.0;

/// The compound growth rate per `period_s` seconds measured from history: the least-squares
/// line through ln(value) against time, so rate = e^(slope·period) − 1. With `counter` set,
/// the series is a Prometheus counter and a drop is a reset: later values are shifted up by
/// the value before the drop, as `rate()`/`increase()` do. Values must be positive (after
/// reset correction); at least two samples with different times are needed.
pub fn growth_rate(samples: &[crate::forecast::Sample], period_s: f64, counter: bool) -> Result<f64> {
    if samples.len() < 2 {
        return Err(crate::forecast::too_few("growth_rate", 2, samples.len()));
    }
    if !(period_s > 0.0 && period_s.is_finite()) {
        return Err(Error::InvalidValue {
            field: "period".into(),
            value: crate::fmt_number(period_s),
            reason: "must be a positive number of seconds".into(),
        });
    }
    let mut offset = 0.0;
    let mut previous = f64::NAN;
    let mut logs = Vec::with_capacity(samples.len());
    for (i, s) in samples.iter().enumerate() {
        finite(&format!("values[{i}]"), s.value)?;
        if counter && s.value < previous {
            offset += previous;
        }
        previous = s.value;
        let v = s.value + offset;
        if v <= 0.0 {
            return Err(Error::InvalidValue {
                field: format!("values[{i}]"),
                value: crate::fmt_number(s.value),
                reason: "growth is measured between positive values".into(),
            });
        }
        logs.push(crate::forecast::Sample { t_ms: s.t_ms, value: v.ln() });
    }
    let (slope, _) = crate::forecast::linear::linear_regression(&logs, samples[0].t_ms);
    if !slope.is_finite() {
        return Err(Error::InvalidValue {
            field: "timestamps".into(),
            value: samples[0].t_ms.to_string(),
            reason: "all samples share one time; no rate can be measured".into(),
        });
    }
    Ok((slope * period_s).exp_m1())
}

/// Periods until `current` growing at `rate` per period reaches `limit`: 0 when it is there
/// already, None when it does not grow.
pub fn periods_to_reach(current: f64, rate: f64, limit: f64) -> Option<f64> {
    if current >= limit {
        return Some(0.0);
    }
    (rate > 0.0 && current > 0.0).then(|| (limit / current).ln() / rate.ln_1p())
}

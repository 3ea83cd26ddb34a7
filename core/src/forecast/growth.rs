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

//! Least-squares regression exactly as Prometheus' `promql/functions.go` computes it:
//! x in seconds relative to an intercept time, Kahan-Neumaier compensated sums, a constant
//! series has slope 0 (NaN when the constant is ±Inf), ±Inf elsewhere yields NaN.

use crate::error::{Error, Result};
use crate::forecast::RangeMode;
use crate::forecast::{Sample, too_few};

/// Neumaier's compensated addition, with Prometheus' reset of the compensation at ±Inf.
fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    // Both corrections are computed so the choice compiles to a select, not a branch.
    let sum_larger = (sum - t) + inc;
    let inc_larger = (inc - t) + sum;
    let correction = if sum.abs() >= inc.abs() { sum_larger } else { inc_larger };
    let c = if t.is_infinite() { 0.0 } else { c + correction };
    (t, c)
}

/// Slope (per second) and the value of the fitted line at `intercept_ms`.
pub fn linear_regression(samples: &[Sample], intercept_ms: i64) -> (f64, f64) {
    regression(samples.iter().map(|s| (s.t_ms, s.value)), intercept_ms)
}

/// The regression over (time in ms, value) pairs, however they are stored.
fn regression(points: impl Iterator<Item = (i64, f64)>, intercept_ms: i64) -> (f64, f64) {
    let (mut n, mut sum_x, mut c_x, mut sum_y, mut c_y) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut sum_xy, mut c_xy, mut sum_x2, mut c_x2) = (0.0, 0.0, 0.0, 0.0);
    let mut init_y = f64::NAN;
    let mut const_y = true;
    for (i, (t_ms, value)) in points.enumerate() {
        if i == 0 {
            init_y = value;
        } else if const_y && value != init_y {
            const_y = false;
        }
        n += 1.0;
        let x = (t_ms - intercept_ms) as f64 / 1e3;
        (sum_x, c_x) = kahan_inc(x, sum_x, c_x);
        (sum_y, c_y) = kahan_inc(value, sum_y, c_y);
        (sum_xy, c_xy) = kahan_inc(x * value, sum_xy, c_xy);
        (sum_x2, c_x2) = kahan_inc(x * x, sum_x2, c_x2);
    }
    if const_y {
        if init_y.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init_y);
    }
    sum_x += c_x;
    sum_y += c_y;
    sum_xy += c_xy;
    sum_x2 += c_x2;
    let cov_xy = sum_xy - sum_x * sum_y / n;
    let var_x = sum_x2 - sum_x * sum_x / n;
    let slope = cov_xy / var_x;
    let intercept = sum_y / n - slope * sum_x / n;
    (slope, intercept)
}

/// `deriv`: the per-second slope, the line anchored at the first sample.
pub fn deriv(samples: &[Sample]) -> Result<f64> {
    if samples.len() < 2 {
        return Err(too_few("deriv", 2, samples.len()));
    }
    Ok(linear_regression(samples, samples[0].t_ms).0)
}

/// `predict_linear`: the value the fitted line reaches `seconds` after the evaluation
/// time `eval_ms`.
pub fn predict_linear(samples: &[Sample], eval_ms: i64, seconds: f64) -> Result<f64> {
    if samples.len() < 2 {
        return Err(too_few("predict_linear", 2, samples.len()));
    }
    let (slope, intercept) = linear_regression(samples, eval_ms);
    Ok(slope * seconds + intercept)
}

/// A series held as two parallel arrays: times in Unix seconds (rounded to milliseconds,
/// as Prometheus stores them) and values — what the front doors pass without copying.
#[derive(Debug, Clone, Copy)]
pub struct ArraySeries<'a> {
    times_s: &'a [f64],
    values: &'a [f64],
}

impl<'a> ArraySeries<'a> {
    /// Checks equal lengths, finite times and increasing milliseconds.
    pub fn new(times_s: &'a [f64], values: &'a [f64]) -> Result<ArraySeries<'a>> {
        if times_s.len() != values.len() {
            return Err(Error::invalid_value(
                "values",
                &values.len().to_string(),
                format!("there are {} timestamps but {} values", times_s.len(), values.len()),
            ));
        }
        let mut previous = i64::MIN;
        for (i, &t) in times_s.iter().enumerate() {
            let ms = t * 1000.0;
            // Only a bad time pays for building its field name.
            if !ms.is_finite() || ms.abs() > 8.64e18 {
                return Err(Error::invalid_value(
                    &format!("timestamps[{i}]"),
                    &crate::fmt_number(t),
                    "not a time in Unix seconds",
                ));
            }
            let ms = round_ms(ms);
            if ms <= previous {
                return Err(Error::invalid_value(
                    "timestamps",
                    &crate::fmt_number(t),
                    format!("timestamps must increase; timestamps[{i}] does not follow the one before"),
                ));
            }
            previous = ms;
        }
        Ok(ArraySeries { times_s, values })
    }

    fn ms(&self, i: usize) -> i64 {
        round_ms(self.times_s[i] * 1000.0)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The index range a selector of `window_s` ending at `at_s` picks (everything without one).
    fn range(&self, at_ms: i64, window: Option<(f64, RangeMode)>) -> Result<std::ops::Range<usize>> {
        let Some((window_s, mode)) = window else { return Ok(0..self.len()) };
        if !(window_s >= 0.0 && window_s.is_finite()) {
            return Err(Error::invalid_value("window", &crate::fmt_number(window_s), "must be seconds ≥ 0"));
        }
        let start = at_ms.saturating_sub((window_s * 1000.0).round() as i64);
        let first = self.partition_point(|ms| match mode {
            RangeMode::LeftOpen => ms <= start,
            RangeMode::Closed => ms < start,
        });
        let end = self.partition_point(|ms| ms <= at_ms);
        Ok(first..end.max(first))
    }

    /// The first index whose time fails `before` (times increase, so `before` is monotone).
    fn partition_point(&self, before: impl Fn(i64) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if before(self.ms(mid)) { lo = mid + 1 } else { hi = mid }
        }
        lo
    }

    fn points(&self, r: std::ops::Range<usize>) -> impl Iterator<Item = (i64, f64)> + '_ {
        r.map(|i| (self.ms(i), self.values[i]))
    }

    /// `predict_linear` at `at_s`, `seconds` ahead, over the window (or every sample).
    pub fn predict_linear(&self, at_s: f64, seconds: f64, window: Option<(f64, RangeMode)>) -> Result<f64> {
        let at_ms = crate::forecast::input::time_ms("at", at_s)?;
        let r = self.range(at_ms, window)?;
        if r.len() < 2 {
            return Err(too_few("predict_linear", 2, r.len()));
        }
        let (slope, intercept) = regression(self.points(r), at_ms);
        Ok(slope * seconds + intercept)
    }

    /// `deriv` over the window ending at `at_s` (or every sample).
    pub fn deriv(&self, at_s: Option<f64>, window: Option<(f64, RangeMode)>) -> Result<f64> {
        let at_ms = match at_s {
            Some(a) => crate::forecast::input::time_ms("at", a)?,
            None => i64::MAX,
        };
        let r = self.range(at_ms, window)?;
        if r.len() < 2 {
            return Err(too_few("deriv", 2, r.len()));
        }
        let first = self.ms(r.start);
        Ok(regression(self.points(r), first).0)
    }
}

/// `x.round() as i64` (half away from zero) without the libm call `round` costs on
/// baseline x86-64, for |x| below 2^53 as every checked time is.
fn round_ms(x: f64) -> i64 {
    let whole = x as i64; // truncates toward zero, one instruction
    let frac = x - whole as f64;
    if frac >= 0.5 {
        whole + 1
    } else if frac <= -0.5 {
        whole - 1
    } else {
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::round_ms;

    #[test]
    fn round_ms_rounds_half_away_from_zero_like_f64_round() {
        for x in [0.0, 0.4, 0.5, 0.6, 1.5, 2.5, -0.5, -1.5, -2.4, 1.7e12 + 0.5, 1.7e12 + 0.49, -1.7e12 - 0.5, 999.9999]
        {
            assert_eq!(round_ms(x), x.round() as i64, "{x}");
        }
        let mut x = -5000.0;
        while x < 5000.0 {
            assert_eq!(round_ms(x), x.round() as i64, "{x}");
            x += 0.0625;
        }
    }
}

//! Least-squares regression exactly as Prometheus' `promql/functions.go` computes it:
//! x in seconds relative to an intercept time, Kahan-Neumaier compensated sums, a constant
//! series has slope 0 (NaN when the constant is ±Inf), ±Inf elsewhere yields NaN.

use crate::error::Result;
use crate::forecast::{Sample, too_few};

/// Neumaier's compensated addition, with Prometheus' reset of the compensation at ±Inf.
fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// Slope (per second) and the value of the fitted line at `intercept_ms`.
pub fn linear_regression(samples: &[Sample], intercept_ms: i64) -> (f64, f64) {
    let (mut n, mut sum_x, mut c_x, mut sum_y, mut c_y) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut sum_xy, mut c_xy, mut sum_x2, mut c_x2) = (0.0, 0.0, 0.0, 0.0);
    let init_y = samples.first().map(|s| s.value).unwrap_or(f64::NAN);
    let mut const_y = true;
    for (i, s) in samples.iter().enumerate() {
        if const_y && i > 0 && s.value != init_y {
            const_y = false;
        }
        n += 1.0;
        let x = (s.t_ms - intercept_ms) as f64 / 1e3;
        (sum_x, c_x) = kahan_inc(x, sum_x, c_x);
        (sum_y, c_y) = kahan_inc(s.value, sum_y, c_y);
        (sum_xy, c_xy) = kahan_inc(x * s.value, sum_xy, c_xy);
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

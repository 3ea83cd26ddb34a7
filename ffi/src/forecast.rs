//! Forecasts over caller-owned arrays (pointer + length; read in place, never kept):
//! Prometheus' predict_linear/deriv and double exponential smoothing, time to a limit,
//! growth, Holt-Winters (`opsbook_hw_fit` handles) and capacity plans.
//! Times are Unix seconds as doubles (rounded to milliseconds, as Prometheus stores them).

use std::ffi::c_char;

use opsbook::forecast::capacity::{CapacityPlan, Language, Resource, plan};
use opsbook::forecast::crossing::{Breach, Crossing, time_to_threshold};
use opsbook::forecast::growth;
use opsbook::forecast::holt_winters::{Fit, HoltWinters, InitialState, Initialization, Params};
use opsbook::forecast::linear::ArraySeries;
use opsbook::forecast::{RangeMode, Sample};

use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, put_string};

/// How a window selects samples: `OPSBOOK_RANGE_LEFT_OPEN` (t − w, t] as Prometheus 3,
/// `OPSBOOK_RANGE_CLOSED` [t − w, t] as Prometheus 2. Passed as `uint32_t`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum opsbook_range_mode {
    OPSBOOK_RANGE_LEFT_OPEN = 0,
    OPSBOOK_RANGE_CLOSED = 1,
}

/// Which side of a limit is trouble. Passed as `uint32_t`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum opsbook_breach {
    OPSBOOK_BREACH_ABOVE = 0,
    OPSBOOK_BREACH_BELOW = 1,
}

/// What `opsbook_crossing.kind` holds.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum opsbook_crossing_kind {
    /// Already at or past the limit.
    OPSBOOK_CROSSING_ALREADY = 0,
    /// Reaches it in `seconds` (band `earliest`..`latest`).
    OPSBOOK_CROSSING_IN = 1,
    /// Reaches it in `seconds`, after the horizon.
    OPSBOOK_CROSSING_NOT_WITHIN_HORIZON = 2,
    /// The trend is flat or moves away from the limit.
    OPSBOOK_CROSSING_FLAT_OR_MOVING_AWAY = 3,
}

/// When a trend reaches a limit; fields that do not apply to `kind` are NaN.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct opsbook_crossing {
    /// An `opsbook_crossing_kind`.
    pub kind: u32,
    pub seconds: f64,
    pub earliest: f64,
    pub latest: f64,
}

/// Holt-Winters smoothing parameters (`gamma` counts with a season, `phi` when damped).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct opsbook_hw_params {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

/// A known Holt-Winters initial state: `seasonal` holds `seasonal_len` values (the season
/// length; 0 and NULL without a season), `seasonal[j]` being the term of the j-th value.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct opsbook_hw_initial {
    pub level: f64,
    pub trend: f64,
    pub seasonal: *const f64,
    pub seasonal_len: usize,
}

/// A Holt-Winters model applied to data.
pub struct opsbook_hw_fit {
    inner: Fit,
}

/// A capacity plan over many resources.
pub struct opsbook_capacity_plan {
    inner: CapacityPlan,
}

/// One resource of a capacity plan: `monthly_growth` NaN means the manuals' default 10 %,
/// `limit` NaN means none.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct opsbook_capacity_resource {
    pub name: *const c_char,
    pub current: f64,
    pub monthly_growth: f64,
    pub limit: f64,
}

fn array<'a>(p: *const f64, len: usize, name: &str) -> Result<&'a [f64], opsbook_result> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(null_argument(name));
    }
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

fn array_mut<'a>(p: *mut f64, len: usize, name: &str) -> Result<&'a mut [f64], opsbook_result> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(null_argument(name));
    }
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

fn put<T>(out: *mut T, value: T) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    unsafe { *out = value };
    Ok(())
}

fn put_box<T>(out: *mut *mut T, value: T) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    unsafe { *out = Box::into_raw(Box::new(value)) };
    Ok(())
}

fn invalid(field: &str, value: String, reason: &str) -> opsbook_result {
    fail(opsbook::Error::InvalidValue { field: field.into(), value, reason: reason.into() })
}

fn mode_of(mode: u32) -> Result<RangeMode, opsbook_result> {
    match mode {
        0 => Ok(RangeMode::LeftOpen),
        1 => Ok(RangeMode::Closed),
        other => Err(invalid("mode", other.to_string(), "expected OPSBOOK_RANGE_LEFT_OPEN or OPSBOOK_RANGE_CLOSED")),
    }
}

fn breach_of(breach: u32) -> Result<Breach, opsbook_result> {
    match breach {
        0 => Ok(Breach::Above),
        1 => Ok(Breach::Below),
        other => Err(invalid("breach", other.to_string(), "expected OPSBOOK_BREACH_ABOVE or OPSBOOK_BREACH_BELOW")),
    }
}

fn window(p: *const f64, mode: u32) -> Result<Option<(f64, RangeMode)>, opsbook_result> {
    let mode = mode_of(mode)?;
    Ok(unsafe { p.as_ref() }.map(|w| (*w, mode)))
}

/// `predict_linear`: the least-squares line through `len` (time, value) pairs anchored at
/// `at`, evaluated `seconds` later. `window_seconds` (NULL: every sample) selects the
/// samples as `x[window]` at `at` would, by `mode` (an `opsbook_range_mode`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_predict_linear(
    times: *const f64,
    values: *const f64,
    len: usize,
    at: f64,
    seconds: f64,
    window_seconds: *const f64,
    mode: u32,
    out: *mut f64,
) -> opsbook_result {
    guard(|| {
        let series = ArraySeries::new(array(times, len, "times")?, array(values, len, "values")?).map_err(fail)?;
        put(out, series.predict_linear(at, seconds, window(window_seconds, mode)?).map_err(fail)?)
    })
}

/// `deriv`: the per-second slope; `at` (NULL: the end of the data) ends the window.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_deriv(
    times: *const f64,
    values: *const f64,
    len: usize,
    at: *const f64,
    window_seconds: *const f64,
    mode: u32,
    out: *mut f64,
) -> opsbook_result {
    guard(|| {
        let series = ArraySeries::new(array(times, len, "times")?, array(values, len, "values")?).map_err(fail)?;
        let at = unsafe { at.as_ref() }.copied();
        put(out, series.deriv(at, window(window_seconds, mode)?).map_err(fail)?)
    })
}

/// `double_exponential_smoothing(values, sf, tf)` with Prometheus' recurrence.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_double_exponential_smoothing(
    values: *const f64,
    len: usize,
    sf: f64,
    tf: f64,
    out: *mut f64,
) -> opsbook_result {
    guard(|| {
        let v = array(values, len, "values")?;
        let s: Vec<Sample> = v.iter().enumerate().map(|(i, &x)| Sample::new(i as i64, x)).collect();
        put(out, opsbook::forecast::smoothing::double_exponential_smoothing(&s, sf, tf).map_err(fail)?)
    })
}

/// When the `predict_linear` trend reaches `limit` from the safe side (`breach`, an
/// `opsbook_breach`), looking `horizon_seconds` past `at`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_time_to_threshold(
    times: *const f64,
    values: *const f64,
    len: usize,
    at: f64,
    limit: f64,
    breach: u32,
    horizon_seconds: f64,
    out: *mut opsbook_crossing,
) -> opsbook_result {
    guard(|| {
        let s = opsbook::forecast::samples_from_seconds(array(times, len, "times")?, array(values, len, "values")?)
            .map_err(fail)?;
        let at_ms = opsbook::forecast::input::time_ms("at", at).map_err(fail)?;
        let c = time_to_threshold(&s, at_ms, limit, breach_of(breach)?, horizon_seconds).map_err(fail)?;
        let kind = match c {
            Crossing::AlreadyCrossed => opsbook_crossing_kind::OPSBOOK_CROSSING_ALREADY,
            Crossing::In { .. } => opsbook_crossing_kind::OPSBOOK_CROSSING_IN,
            Crossing::NotWithinHorizon { .. } => opsbook_crossing_kind::OPSBOOK_CROSSING_NOT_WITHIN_HORIZON,
            Crossing::FlatOrMovingAway => opsbook_crossing_kind::OPSBOOK_CROSSING_FLAT_OR_MOVING_AWAY,
        };
        let (seconds, earliest, latest) = c.times();
        let nan = f64::NAN;
        let crossing = opsbook_crossing {
            kind: kind as u32,
            seconds: seconds.unwrap_or(nan),
            earliest: earliest.unwrap_or(nan),
            latest: latest.unwrap_or(nan),
        };
        put(out, crossing)
    })
}

/// `current × (1 + rate)^periods`, the manuals' growth formula.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_compound(current: f64, rate: f64, periods: f64, out: *mut f64) -> opsbook_result {
    guard(|| put(out, growth::compound(current, rate, periods).map_err(fail)?))
}

/// The rate per period that takes `start` to `end` in `periods` periods.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_rate_between(start: f64, end: f64, periods: f64, out: *mut f64) -> opsbook_result {
    guard(|| put(out, growth::rate_between(start, end, periods).map_err(fail)?))
}

/// Periods until a quantity growing at `rate` per period doubles; NaN when not growing.
#[unsafe(no_mangle)]
pub extern "C" fn opsbook_doubling_time(rate: f64) -> f64 {
    growth::doubling_time(rate).unwrap_or(f64::NAN)
}

/// The compound growth rate per `period_seconds` (2592000 for a 30-day month) measured
/// from history; `counter` undoes counter resets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_growth_rate(
    times: *const f64,
    values: *const f64,
    len: usize,
    period_seconds: f64,
    counter: bool,
    out: *mut f64,
) -> opsbook_result {
    guard(|| {
        let s = opsbook::forecast::samples_from_seconds(array(times, len, "times")?, array(values, len, "values")?)
            .map_err(fail)?;
        put(out, growth::growth_rate(&s, period_seconds, counter).map_err(fail)?)
    })
}

fn model(season_length: usize, damped: bool) -> Result<HoltWinters, opsbook_result> {
    HoltWinters::new((season_length > 0).then_some(season_length), damped).map_err(fail)
}

/// Fits additive Holt-Winters (season of `season_length` values, 0 for none) to `len`
/// evenly spaced values: alpha, beta, gamma (and phi when `damped`) by least squares, the
/// initial state by statsmodels' heuristic or, with `estimated`, by least squares.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_hw_fit_new(
    values: *const f64,
    len: usize,
    season_length: usize,
    damped: bool,
    estimated: bool,
    out: *mut *mut opsbook_hw_fit,
) -> opsbook_result {
    guard(|| {
        let v = array(values, len, "values")?;
        let init = if estimated { Initialization::Estimated } else { Initialization::Heuristic };
        let inner = model(season_length, damped)?.fit(v, &init).map_err(fail)?;
        put_box(out, opsbook_hw_fit { inner })
    })
}

/// Applies Holt-Winters with given parameters; `initial` NULL means statsmodels' heuristic.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_hw_smooth(
    values: *const f64,
    len: usize,
    season_length: usize,
    damped: bool,
    params: *const opsbook_hw_params,
    initial: *const opsbook_hw_initial,
    out: *mut *mut opsbook_hw_fit,
) -> opsbook_result {
    guard(|| {
        let v = array(values, len, "values")?;
        let p = unsafe { params.as_ref() }.ok_or_else(|| null_argument("params"))?;
        let init = match unsafe { initial.as_ref() } {
            None => Initialization::Heuristic,
            Some(s) => Initialization::Known(InitialState {
                level: s.level,
                trend: s.trend,
                seasonal: array(s.seasonal, s.seasonal_len, "initial.seasonal")?.to_vec(),
            }),
        };
        let params = Params { alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi };
        let inner = model(season_length, damped)?.smooth(v, params, &init).map_err(fail)?;
        put_box(out, opsbook_hw_fit { inner })
    })
}

fn fit_ref<'a>(fit: *const opsbook_hw_fit) -> Result<&'a Fit, opsbook_result> {
    unsafe { fit.as_ref() }.map(|f| &f.inner).ok_or_else(|| null_argument("fit"))
}

/// The parameters of a fit.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_hw_fit_params(
    fit: *const opsbook_hw_fit,
    out: *mut opsbook_hw_params,
) -> opsbook_result {
    guard(|| {
        let p = fit_ref(fit)?.params;
        put(out, opsbook_hw_params { alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi })
    })
}

/// The sum of squared one-step errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_hw_fit_sse(fit: *const opsbook_hw_fit, out: *mut f64) -> opsbook_result {
    guard(|| put(out, fit_ref(fit)?.sse))
}

/// The initial state: level and trend, and the season into `seasonal` (room for
/// `seasonal_len`, which must be the season length; 0 and NULL without a season).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_hw_fit_initial(
    fit: *const opsbook_hw_fit,
    level: *mut f64,
    trend: *mut f64,
    seasonal: *mut f64,
    seasonal_len: usize,
) -> opsbook_result {
    guard(|| {
        let f = fit_ref(fit)?;
        if seasonal_len != f.initial.seasonal.len() {
            return Err(invalid(
                "seasonal_len",
                seasonal_len.to_string(),
                &format!("the season has {} values", f.initial.seasonal.len()),
            ));
        }
        array_mut(seasonal, seasonal_len, "seasonal")?.copy_from_slice(&f.initial.seasonal);
        put(level, f.initial.level)?;
        put(trend, f.initial.trend)
    })
}

/// The one-step-ahead predictions into `out` (room for `len`, which must be the number of
/// values fitted).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_hw_fit_fitted(
    fit: *const opsbook_hw_fit,
    out: *mut f64,
    len: usize,
) -> opsbook_result {
    guard(|| {
        let f = fit_ref(fit)?;
        if len != f.fitted.len() {
            return Err(invalid("len", len.to_string(), &format!("{} values were fitted", f.fitted.len())));
        }
        array_mut(out, len, "out")?.copy_from_slice(&f.fitted);
        Ok(())
    })
}

/// Forecasts for steps 1..=h into `mean`, and the prediction interval at `coverage`
/// (0.95 for 95 %) into `lower`/`upper`; each has room for `h`; `lower` and `upper` may be
/// NULL when not wanted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_hw_fit_forecast(
    fit: *const opsbook_hw_fit,
    h: usize,
    coverage: f64,
    mean: *mut f64,
    lower: *mut f64,
    upper: *mut f64,
) -> opsbook_result {
    guard(|| {
        let points = fit_ref(fit)?.forecast_intervals(h, coverage).map_err(fail)?;
        let mean = array_mut(mean, h, "mean")?;
        for (slot, p) in mean.iter_mut().zip(&points) {
            *slot = p.mean;
        }
        if !lower.is_null() {
            for (slot, p) in array_mut(lower, h, "lower")?.iter_mut().zip(&points) {
                *slot = p.lower;
            }
        }
        if !upper.is_null() {
            for (slot, p) in array_mut(upper, h, "upper")?.iter_mut().zip(&points) {
                *slot = p.upper;
            }
        }
        Ok(())
    })
}

/// Frees a fit. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_hw_fit_free(fit: *mut opsbook_hw_fit) {
    if !fit.is_null() {
        drop(unsafe { Box::from_raw(fit) });
    }
}

/// Plans `len` resources `months` ahead, flagging growth above `growth_limit_percent`
/// (70 in the manuals).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_capacity_plan_new(
    resources: *const opsbook_capacity_resource,
    len: usize,
    months: u32,
    growth_limit_percent: f64,
    out: *mut *mut opsbook_capacity_plan,
) -> opsbook_result {
    guard(|| {
        let list = if len == 0 {
            &[][..]
        } else if resources.is_null() {
            return Err(null_argument("resources"));
        } else {
            unsafe { std::slice::from_raw_parts(resources, len) }
        };
        let mut rows = Vec::with_capacity(len);
        for (i, r) in list.iter().enumerate() {
            let name = unsafe { c_str(r.name, &format!("resources[{i}].name")) }?;
            rows.push(Resource {
                name: name.to_owned(),
                current: r.current,
                monthly_growth: (!r.monthly_growth.is_nan()).then_some(r.monthly_growth),
                limit: (!r.limit.is_nan()).then_some(r.limit),
            });
        }
        let inner = plan(&rows, months, growth_limit_percent).map_err(fail)?;
        put_box(out, opsbook_capacity_plan { inner })
    })
}

fn plan_ref<'a>(p: *const opsbook_capacity_plan) -> Result<&'a CapacityPlan, opsbook_result> {
    unsafe { p.as_ref() }.map(|p| &p.inner).ok_or_else(|| null_argument("plan"))
}

/// The markdown report as the manuals print it; `language` "zh-CN" or "en".
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_capacity_plan_markdown(
    plan: *const opsbook_capacity_plan,
    date: *const c_char,
    language: *const c_char,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let p = plan_ref(plan)?;
        let date = unsafe { c_str(date, "date") }?;
        let lang = Language::from_name(unsafe { c_str(language, "language") }?).map_err(fail)?;
        put_string(out, p.to_markdown(date, lang))
    })
}

/// The plan as an aligned text table.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_capacity_plan_text(
    plan: *const opsbook_capacity_plan,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| put_string(out, plan_ref(plan)?.to_text()))
}

/// The plan as JSON.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_capacity_plan_json(
    plan: *const opsbook_capacity_plan,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| put_string(out, plan_ref(plan)?.to_json()))
}

/// Frees a plan. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_capacity_plan_free(plan: *mut opsbook_capacity_plan) {
    if !plan.is_null() {
        drop(unsafe { Box::from_raw(plan) });
    }
}

/// How one resource is sized from the user count: `per_users` > 0 gives one unit per that
/// many users (rounded down), otherwise `per_user` units per user; never below `minimum`.
/// Set the one not used to NaN.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct opsbook_sizing_rule {
    pub resource: *const c_char,
    pub per_users: f64,
    pub per_user: f64,
    pub minimum: f64,
}

/// Users `months` ahead at `monthly_growth` into `*future_users`, and each resource's need
/// into `needs` (room for `len`, in the rules' order). With `len` 0 and `rules` NULL, the AI
/// tutoring manual's rules (cpu_cores, memory_gb, storage_gb) are used and `needs` must have
/// room for 3.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_resource_needs(
    users: f64,
    monthly_growth: f64,
    months: f64,
    rules: *const opsbook_sizing_rule,
    len: usize,
    future_users: *mut f64,
    needs: *mut f64,
) -> opsbook_result {
    guard(|| {
        let list = if len == 0 {
            opsbook::forecast::capacity::manual_sizing_rules()
        } else {
            if rules.is_null() {
                return Err(null_argument("rules"));
            }
            let raw = unsafe { std::slice::from_raw_parts(rules, len) };
            let mut out = Vec::with_capacity(len);
            for (i, r) in raw.iter().enumerate() {
                let name = unsafe { c_str(r.resource, &format!("rules[{i}].resource")) }?;
                let per_users = (!r.per_users.is_nan()).then_some(r.per_users);
                let per_user = (!r.per_user.is_nan()).then_some(r.per_user);
                out.push(
                    opsbook::forecast::capacity::SizingRule::from_spec(name, per_users, per_user, r.minimum)
                        .map_err(fail)?,
                );
            }
            out
        };
        let (future, sized) =
            opsbook::forecast::capacity::resource_needs(users, monthly_growth, months, &list).map_err(fail)?;
        let out = array_mut(needs, sized.len(), "needs")?;
        for (slot, (_, v)) in out.iter_mut().zip(&sized) {
            *slot = *v;
        }
        put(future_users, future)
    })
}

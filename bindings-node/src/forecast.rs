//! Forecasts (wrap `opsbook::forecast`): Prometheus' predict_linear/deriv and double
//! exponential smoothing, Holt-Winters, time to a limit, growth and capacity plans.
//! Arrays are `Float64Array`s (read in place) or arrays of numbers; times in Unix seconds.

use napi::bindgen_prelude::{Either, Float64Array};
use napi_derive::napi;

use opsbook::forecast::capacity::{CapacityPlan as CorePlan, Language, Resource, plan};
use opsbook::forecast::crossing::{Breach, Crossing as CoreCrossing, time_to_threshold as core_ttt};
use opsbook::forecast::growth;
use opsbook::forecast::holt_winters::{
    Fit, HoltWinters as CoreModel, InitialState as CoreState, Initialization, Params,
};
use opsbook::forecast::linear::ArraySeries;
use opsbook::forecast::{RangeMode, Sample};

use crate::errors::IntoJsResult;

fn slice(a: &Either<Float64Array, Vec<f64>>) -> &[f64] {
    match a {
        Either::A(typed) => typed,
        Either::B(list) => list,
    }
}

fn invalid<T>(field: &str, value: &str, reason: &str) -> napi::Result<T, String> {
    Err(opsbook::Error::InvalidValue { field: field.into(), value: value.into(), reason: reason.into() }).js_err()
}

fn mode_of(mode: Option<&str>) -> napi::Result<RangeMode, String> {
    RangeMode::from_name(mode.unwrap_or("left-open")).js_err()
}

fn breach_of(breach: Option<&str>) -> napi::Result<Breach, String> {
    Breach::from_name(breach.unwrap_or("above")).js_err()
}

/// Range selection for `predictLinear`/`deriv`.
#[napi(object)]
pub struct WindowOptions {
    /// Evaluation time for `deriv`'s window (Unix seconds).
    pub at: Option<f64>,
    /// Use only the samples of this many seconds before `at`, as `x[window]`.
    pub window: Option<f64>,
    /// "left-open" (Prometheus 3, default) or "closed" (Prometheus 2).
    pub mode: Option<String>,
}

/// `predict_linear`: the least-squares line through (times, values) anchored at `at`,
/// evaluated `seconds` later.
#[napi]
pub fn predict_linear(
    times: Either<Float64Array, Vec<f64>>,
    values: Either<Float64Array, Vec<f64>>,
    at: f64,
    seconds: f64,
    options: Option<WindowOptions>,
) -> napi::Result<f64, String> {
    let (window, mode) = options.map(|o| (o.window, o.mode)).unwrap_or((None, None));
    let mode = mode_of(mode.as_deref())?;
    let series = ArraySeries::new(slice(&times), slice(&values)).js_err()?;
    series.predict_linear(at, seconds, window.map(|w| (w, mode))).js_err()
}

/// `deriv`: the per-second slope of the least-squares line.
#[napi]
pub fn deriv(
    times: Either<Float64Array, Vec<f64>>,
    values: Either<Float64Array, Vec<f64>>,
    options: Option<WindowOptions>,
) -> napi::Result<f64, String> {
    let (at, window, mode) = options.map(|o| (o.at, o.window, o.mode)).unwrap_or((None, None, None));
    let mode = mode_of(mode.as_deref())?;
    let series = ArraySeries::new(slice(&times), slice(&values)).js_err()?;
    series.deriv(at, window.map(|w| (w, mode))).js_err()
}

/// `double_exponential_smoothing(values, sf, tf)` with Prometheus' recurrence.
#[napi]
pub fn double_exponential_smoothing(
    values: Either<Float64Array, Vec<f64>>,
    sf: f64,
    tf: f64,
) -> napi::Result<f64, String> {
    let s: Vec<Sample> = slice(&values).iter().enumerate().map(|(i, &x)| Sample::new(i as i64, x)).collect();
    opsbook::forecast::smoothing::double_exponential_smoothing(&s, sf, tf).js_err()
}

/// When a trend reaches a limit: `kind` is "already_crossed", "in", "not_within_horizon" or
/// "flat_or_moving_away"; `earliest`/`latest` bound "in" by ±1.96 residual σ.
#[napi(object)]
pub struct Crossing {
    pub kind: String,
    pub seconds: Option<f64>,
    pub earliest: Option<f64>,
    pub latest: Option<f64>,
}

impl From<CoreCrossing> for Crossing {
    fn from(c: CoreCrossing) -> Crossing {
        let (seconds, earliest, latest) = c.times();
        Crossing { kind: c.kind().into(), seconds, earliest, latest }
    }
}

#[napi(object)]
pub struct ThresholdOptions {
    /// How far past `at` to look, in seconds.
    pub horizon: f64,
    /// "above" (default: trouble is above the limit) or "below".
    pub breach: Option<String>,
}

/// When the `predict_linear` trend of the series reaches `limit`.
#[napi]
pub fn time_to_threshold(
    times: Either<Float64Array, Vec<f64>>,
    values: Either<Float64Array, Vec<f64>>,
    at: f64,
    limit: f64,
    options: ThresholdOptions,
) -> napi::Result<Crossing, String> {
    let s = opsbook::forecast::samples_from_seconds(slice(&times), slice(&values)).js_err()?;
    let at_ms = opsbook::forecast::input::time_ms("at", at).js_err()?;
    let breach = breach_of(options.breach.as_deref())?;
    core_ttt(&s, at_ms, limit, breach, options.horizon).js_err().map(Crossing::from)
}

/// `current × (1 + rate)^periods`.
#[napi]
pub fn compound(current: f64, rate: f64, periods: f64) -> napi::Result<f64, String> {
    growth::compound(current, rate, periods).js_err()
}

/// The rate per period that takes `start` to `end` in `periods` periods.
#[napi]
pub fn rate_between(start: f64, end: f64, periods: f64) -> napi::Result<f64, String> {
    growth::rate_between(start, end, periods).js_err()
}

/// Periods until a quantity growing at `rate` per period doubles; null when not growing.
#[napi]
pub fn doubling_time(rate: f64) -> Option<f64> {
    growth::doubling_time(rate)
}

#[napi(object)]
pub struct GrowthOptions {
    /// The period of the rate in seconds (default 2,592,000: a 30-day month).
    pub period: Option<f64>,
    /// Undo counter resets.
    pub counter: Option<bool>,
}

/// The compound growth rate per period measured from history.
#[napi]
pub fn growth_rate(
    times: Either<Float64Array, Vec<f64>>,
    values: Either<Float64Array, Vec<f64>>,
    options: Option<GrowthOptions>,
) -> napi::Result<f64, String> {
    let s = opsbook::forecast::samples_from_seconds(slice(&times), slice(&values)).js_err()?;
    let (period, counter) = options.map(|o| (o.period, o.counter)).unwrap_or((None, None));
    growth::growth_rate(&s, period.unwrap_or(growth::MONTH_SECONDS), counter.unwrap_or(false)).js_err()
}

/// A Holt-Winters initial state; `seasonal[j]` is the seasonal term of the j-th value.
#[napi(object)]
#[derive(Clone)]
pub struct InitialState {
    pub level: f64,
    pub trend: f64,
    pub seasonal: Option<Vec<f64>>,
}

/// Holt-Winters smoothing parameters (`gamma` with a season, `phi` when damped).
#[napi(object)]
pub struct SmoothingParams {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: Option<f64>,
    pub phi: Option<f64>,
}

fn initialization(init: Option<Either<String, InitialState>>) -> napi::Result<Initialization, String> {
    match init {
        None => Ok(Initialization::Heuristic),
        Some(Either::B(s)) => Ok(Initialization::Known(CoreState {
            level: s.level,
            trend: s.trend,
            seasonal: s.seasonal.unwrap_or_default(),
        })),
        Some(Either::A(name)) => match name.as_str() {
            "heuristic" => Ok(Initialization::Heuristic),
            "estimated" => Ok(Initialization::Estimated),
            other => invalid("initialization", other, "expected \"heuristic\", \"estimated\" or an initial state"),
        },
    }
}

/// Additive Holt-Winters: level, additive (optionally damped) trend, optional additive
/// season; statsmodels' recurrences and heuristic initial state.
#[napi]
pub struct HoltWinters {
    inner: CoreModel,
}

#[napi]
impl HoltWinters {
    #[napi(constructor)]
    pub fn new(season_length: Option<u32>, damped: Option<bool>) -> napi::Result<HoltWinters, String> {
        CoreModel::new(season_length.map(|m| m as usize), damped.unwrap_or(false))
            .js_err()
            .map(|inner| HoltWinters { inner })
    }

    /// Fits alpha, beta, gamma (and phi) by least squares. Synchronous: a 10,000-value
    /// fit takes milliseconds.
    #[napi]
    pub fn fit(
        &self,
        values: Either<Float64Array, Vec<f64>>,
        initialization: Option<Either<String, InitialState>>,
    ) -> napi::Result<HoltWintersFit, String> {
        let init = self::initialization(initialization)?;
        self.inner.fit(slice(&values), &init).js_err().map(|inner| HoltWintersFit { inner })
    }

    /// Applies the model with the given parameters.
    #[napi]
    pub fn smooth(
        &self,
        values: Either<Float64Array, Vec<f64>>,
        params: SmoothingParams,
        initialization: Option<Either<String, InitialState>>,
    ) -> napi::Result<HoltWintersFit, String> {
        let init = self::initialization(initialization)?;
        let p = Params {
            alpha: params.alpha,
            beta: params.beta,
            gamma: params.gamma.unwrap_or(0.0),
            phi: params.phi.unwrap_or(1.0),
        };
        self.inner.smooth(slice(&values), p, &init).js_err().map(|inner| HoltWintersFit { inner })
    }

    #[napi(getter)]
    pub fn season_length(&self) -> Option<u32> {
        self.inner.season_length.map(|m| m as u32)
    }

    #[napi(getter)]
    pub fn damped(&self) -> bool {
        self.inner.damped
    }
}

/// A forecast with its prediction interval.
#[napi(object)]
pub struct ForecastPoint {
    pub mean: f64,
    pub lower: f64,
    pub upper: f64,
}

/// A Holt-Winters model applied to data.
#[napi]
pub struct HoltWintersFit {
    inner: Fit,
}

#[napi]
impl HoltWintersFit {
    #[napi(getter)]
    pub fn alpha(&self) -> f64 {
        self.inner.params.alpha
    }
    #[napi(getter)]
    pub fn beta(&self) -> f64 {
        self.inner.params.beta
    }
    #[napi(getter)]
    pub fn gamma(&self) -> f64 {
        self.inner.params.gamma
    }
    #[napi(getter)]
    pub fn phi(&self) -> f64 {
        self.inner.params.phi
    }
    #[napi(getter)]
    pub fn initial(&self) -> InitialState {
        let s = &self.inner.initial;
        InitialState { level: s.level, trend: s.trend, seasonal: Some(s.seasonal.clone()) }
    }
    /// One-step-ahead predictions for every value.
    #[napi(getter)]
    pub fn fitted(&self) -> Vec<f64> {
        self.inner.fitted.clone()
    }
    /// The sum of squared one-step errors.
    #[napi(getter)]
    pub fn sse(&self) -> f64 {
        self.inner.sse
    }
    /// Point forecasts for steps 1..=h.
    #[napi]
    pub fn forecast(&self, h: u32) -> Vec<f64> {
        self.inner.forecast(h as usize)
    }
    /// Forecasts with prediction intervals (coverage 0.95 by default).
    #[napi]
    pub fn forecast_intervals(&self, h: u32, coverage: Option<f64>) -> napi::Result<Vec<ForecastPoint>, String> {
        let points = self.inner.forecast_intervals(h as usize, coverage.unwrap_or(0.95)).js_err()?;
        Ok(points.into_iter().map(|p| ForecastPoint { mean: p.mean, lower: p.lower, upper: p.upper }).collect())
    }
}

/// A resource to plan (`monthlyGrowth` defaults to 10 %).
#[napi(object)]
pub struct CapacityResource {
    pub name: String,
    pub current: f64,
    pub monthly_growth: Option<f64>,
    pub limit: Option<f64>,
}

/// One row of a plan.
#[napi(object)]
pub struct ResourcePlan {
    pub name: String,
    pub current: f64,
    pub monthly_growth: f64,
    pub predicted: f64,
    pub increase_percent: f64,
    pub needs_expansion: bool,
    pub limit: Option<f64>,
    pub months_to_exhaustion: Option<f64>,
}

#[napi(object)]
pub struct PlanOptions {
    /// Months ahead (6).
    pub months: Option<u32>,
    /// Growth over the horizon, in percent, above which expansion is needed (70).
    pub growth_limit_percent: Option<f64>,
}

/// A capacity plan over many resources.
#[napi]
pub struct CapacityPlan {
    inner: CorePlan,
}

#[napi]
impl CapacityPlan {
    /// The markdown report as the manuals print it; `language` "zh-CN" (default) or "en".
    #[napi]
    pub fn to_markdown(&self, date: String, language: Option<String>) -> napi::Result<String, String> {
        let lang = Language::from_name(language.as_deref().unwrap_or("zh-CN")).js_err()?;
        Ok(self.inner.to_markdown(&date, lang))
    }
    #[napi]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }
    #[napi(getter)]
    pub fn resources(&self) -> Vec<ResourcePlan> {
        self.inner
            .resources
            .iter()
            .map(|r| ResourcePlan {
                name: r.name.clone(),
                current: r.current,
                monthly_growth: r.monthly_growth,
                predicted: r.predicted,
                increase_percent: r.increase_percent,
                needs_expansion: r.needs_expansion,
                limit: r.limit,
                months_to_exhaustion: r.months_to_exhaustion,
            })
            .collect()
    }
}

/// Plans each resource months ahead, flagging growth above the limit.
#[napi]
pub fn capacity_plan(
    resources: Vec<CapacityResource>,
    options: Option<PlanOptions>,
) -> napi::Result<CapacityPlan, String> {
    let (months, limit) = options.map(|o| (o.months, o.growth_limit_percent)).unwrap_or((None, None));
    let list: Vec<Resource> = resources
        .into_iter()
        .map(|r| Resource { name: r.name, current: r.current, monthly_growth: r.monthly_growth, limit: r.limit })
        .collect();
    plan(&list, months.unwrap_or(6), limit.unwrap_or(opsbook::forecast::capacity::DEFAULT_GROWTH_LIMIT_PERCENT))
        .js_err()
        .map(|inner| CapacityPlan { inner })
}

/// How one resource is sized from the user count: `perUsers` (one unit per that many users,
/// rounded down) or `perUser` (units per user), never below `minimum`.
#[napi(object)]
pub struct SizingRuleSpec {
    pub resource: String,
    pub per_users: Option<f64>,
    pub per_user: Option<f64>,
    pub minimum: Option<f64>,
}

#[napi(object)]
pub struct SizingOptions {
    /// Monthly growth of the users (0.1).
    pub monthly_growth: Option<f64>,
    /// Months ahead (6).
    pub months: Option<f64>,
    /// The rules (default: the AI tutoring manual's cpu/memory/storage per user).
    pub rules: Option<Vec<SizingRuleSpec>>,
}

#[napi(object)]
pub struct ResourceNeeds {
    /// Users at the horizon.
    pub users: f64,
    pub needs: std::collections::HashMap<String, f64>,
}

/// Users months ahead and what each resource needs then.
#[napi]
pub fn resource_needs(users: f64, options: Option<SizingOptions>) -> napi::Result<ResourceNeeds, String> {
    let (growth, months, rules) = options.map(|o| (o.monthly_growth, o.months, o.rules)).unwrap_or((None, None, None));
    let rules = match rules {
        None => opsbook::forecast::capacity::manual_sizing_rules(),
        Some(list) => list
            .into_iter()
            .map(|r| {
                opsbook::forecast::capacity::SizingRule::from_spec(
                    &r.resource,
                    r.per_users,
                    r.per_user,
                    r.minimum.unwrap_or(0.0),
                )
            })
            .collect::<opsbook::Result<Vec<_>>>()
            .js_err()?,
    };
    let (future, needs) =
        opsbook::forecast::capacity::resource_needs(users, growth.unwrap_or(0.1), months.unwrap_or(6.0), &rules)
            .js_err()?;
    Ok(ResourceNeeds { users: future, needs: needs.into_iter().collect() })
}

//! `opsbook.forecast` (wraps `opsbook::forecast`): Prometheus' predict_linear/deriv and
//! double exponential smoothing, Holt-Winters, time to a limit, growth and capacity plans.
//!
//! Arrays: any object with a C-contiguous float64 buffer (a NumPy array, `array('d')`,
//! a memoryview) is read in place, without a copy; anything else is read as a sequence of
//! floats. Buffers are read under the GIL (another thread could otherwise change them while
//! opsbook reads); Holt-Winters copies its input once and fits with the GIL released.

use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::collections::BTreeMap;

use opsbook::forecast::capacity::{CapacityPlan as CorePlan, Language, Resource, plan};
use opsbook::forecast::crossing::{Breach, Crossing as CoreCrossing, time_to_threshold as core_ttt};
use opsbook::forecast::growth;
use opsbook::forecast::holt_winters::{
    Fit, HoltWinters as CoreModel, InitialState as CoreState, Initialization, Params,
};
use opsbook::forecast::linear::ArraySeries;
use opsbook::forecast::{RangeMode, Sample};

use crate::errors::IntoPyResult;

/// A float64 array borrowed from a buffer, or copied from a sequence.
enum Floats {
    Buffer(PyBuffer<f64>),
    Owned(Vec<f64>),
}

impl Floats {
    fn read(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<Floats> {
        if let Ok(buffer) = PyBuffer::<f64>::get(obj)
            && buffer.is_c_contiguous()
            && buffer.dimensions() <= 1
        {
            return Ok(Floats::Buffer(buffer));
        }
        obj.extract::<Vec<f64>>().map(Floats::Owned).map_err(|_| {
            let type_name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            crate::errors::invalid_value(field, &type_name, "must be a sequence of numbers or a float64 array")
        })
    }

    fn as_slice(&self) -> &[f64] {
        match self {
            // SAFETY: a C-contiguous float64 buffer of item_count elements, kept alive by
            // `self` (the exporter may not resize it while exported); read under the GIL.
            Floats::Buffer(b) => match b.as_slice_ptr() {
                Some(ptr) => unsafe { ptr.as_ref() },
                None => &[],
            },
            Floats::Owned(v) => v,
        }
    }
}

fn mode_of(mode: &str) -> PyResult<RangeMode> {
    RangeMode::from_name(mode).py_err()
}

fn breach_of(breach: &str) -> PyResult<Breach> {
    Breach::from_name(breach).py_err()
}

/// `predict_linear`: the least-squares line through (times in Unix seconds, values),
/// anchored at `at`, evaluated `seconds` later; `window` (seconds) selects the samples
/// as `x[window]` at `at` would (`mode` "left-open" as Prometheus 3, "closed" as 2).
#[pyfunction]
#[pyo3(signature = (times, values, at, seconds, *, window = None, mode = "left-open"))]
pub fn predict_linear(
    times: &Bound<'_, PyAny>,
    values: &Bound<'_, PyAny>,
    at: f64,
    seconds: f64,
    window: Option<f64>,
    mode: &str,
) -> PyResult<f64> {
    let (t, v) = (Floats::read("times", times)?, Floats::read("values", values)?);
    let mode = mode_of(mode)?;
    let series = ArraySeries::new(t.as_slice(), v.as_slice()).py_err()?;
    series.predict_linear(at, seconds, window.map(|w| (w, mode))).py_err()
}

/// `deriv`: the per-second slope of the least-squares line.
#[pyfunction]
#[pyo3(signature = (times, values, *, at = None, window = None, mode = "left-open"))]
pub fn deriv(
    times: &Bound<'_, PyAny>,
    values: &Bound<'_, PyAny>,
    at: Option<f64>,
    window: Option<f64>,
    mode: &str,
) -> PyResult<f64> {
    let (t, v) = (Floats::read("times", times)?, Floats::read("values", values)?);
    let mode = mode_of(mode)?;
    let series = ArraySeries::new(t.as_slice(), v.as_slice()).py_err()?;
    series.deriv(at, window.map(|w| (w, mode))).py_err()
}

/// `double_exponential_smoothing(values, sf, tf)` with Prometheus' recurrence.
#[pyfunction]
pub fn double_exponential_smoothing(values: &Bound<'_, PyAny>, sf: f64, tf: f64) -> PyResult<f64> {
    let v = Floats::read("values", values)?;
    let s: Vec<Sample> = v.as_slice().iter().enumerate().map(|(i, &x)| Sample::new(i as i64, x)).collect();
    opsbook::forecast::smoothing::double_exponential_smoothing(&s, sf, tf).py_err()
}

/// When the trend of a series reaches a limit.
#[pyclass(frozen, eq, from_py_object, module = "opsbook")]
#[derive(Clone, PartialEq)]
pub struct Crossing {
    /// "already_crossed", "in", "not_within_horizon" or "flat_or_moving_away".
    #[pyo3(get)]
    kind: &'static str,
    /// Seconds until the trend reaches the limit ("in", "not_within_horizon").
    #[pyo3(get)]
    seconds: Option<f64>,
    /// The band: when the trend shifted by ∓1.96 residual σ reaches it ("in").
    #[pyo3(get)]
    earliest: Option<f64>,
    #[pyo3(get)]
    latest: Option<f64>,
}

#[pymethods]
impl Crossing {
    fn __repr__(&self) -> String {
        format!(
            "Crossing(kind='{}', seconds={:?}, earliest={:?}, latest={:?})",
            self.kind, self.seconds, self.earliest, self.latest
        )
    }
}

impl From<CoreCrossing> for Crossing {
    fn from(c: CoreCrossing) -> Crossing {
        let (seconds, earliest, latest) = c.times();
        Crossing { kind: c.kind(), seconds, earliest, latest }
    }
}

/// When the `predict_linear` trend of the series reaches `limit` from the safe side
/// (`breach` "above": trouble is above it), looking `horizon` seconds past `at`.
#[pyfunction]
#[pyo3(signature = (times, values, at, limit, *, horizon, breach = "above"))]
pub fn time_to_threshold(
    times: &Bound<'_, PyAny>,
    values: &Bound<'_, PyAny>,
    at: f64,
    limit: f64,
    horizon: f64,
    breach: &str,
) -> PyResult<Crossing> {
    let (t, v) = (Floats::read("times", times)?, Floats::read("values", values)?);
    let s = opsbook::forecast::samples_from_seconds(t.as_slice(), v.as_slice()).py_err()?;
    let at_ms = opsbook::forecast::input::time_ms("at", at).py_err()?;
    core_ttt(&s, at_ms, limit, breach_of(breach)?, horizon).py_err().map(Crossing::from)
}

/// `current × (1 + rate)^periods`, the manuals' growth formula.
#[pyfunction]
pub fn compound(current: f64, rate: f64, periods: f64) -> PyResult<f64> {
    growth::compound(current, rate, periods).py_err()
}

/// The rate per period that takes `start` to `end` in `periods` periods.
#[pyfunction]
pub fn rate_between(start: f64, end: f64, periods: f64) -> PyResult<f64> {
    growth::rate_between(start, end, periods).py_err()
}

/// Periods until a quantity growing at `rate` per period doubles; None when not growing.
#[pyfunction]
pub fn doubling_time(rate: f64) -> Option<f64> {
    growth::doubling_time(rate)
}

/// The compound growth rate per `period` seconds (default a 30-day month, 2,592,000 s) measured from
/// history; `counter=True` undoes counter resets.
#[pyfunction]
#[pyo3(signature = (times, values, *, period = 2_592_000.0, counter = false))]
pub fn growth_rate(times: &Bound<'_, PyAny>, values: &Bound<'_, PyAny>, period: f64, counter: bool) -> PyResult<f64> {
    let (t, v) = (Floats::read("times", times)?, Floats::read("values", values)?);
    let s = opsbook::forecast::samples_from_seconds(t.as_slice(), v.as_slice()).py_err()?;
    growth::growth_rate(&s, period, counter).py_err()
}

/// An initial Holt-Winters state: `seasonal[j]` is the seasonal term of the j-th value.
#[pyclass(frozen, eq, from_py_object, module = "opsbook")]
#[derive(Clone, PartialEq)]
pub struct InitialState {
    #[pyo3(get)]
    level: f64,
    #[pyo3(get)]
    trend: f64,
    #[pyo3(get)]
    seasonal: Vec<f64>,
}

#[pymethods]
impl InitialState {
    #[new]
    #[pyo3(signature = (level, trend, seasonal = Vec::new()))]
    fn new(level: f64, trend: f64, seasonal: Vec<f64>) -> InitialState {
        InitialState { level, trend, seasonal }
    }

    fn __repr__(&self) -> String {
        format!("InitialState(level={}, trend={}, seasonal={:?})", self.level, self.trend, self.seasonal)
    }
}

fn initialization(init: &Bound<'_, PyAny>) -> PyResult<Initialization> {
    if let Ok(state) = init.cast::<InitialState>() {
        let s = state.get();
        return Ok(Initialization::Known(CoreState { level: s.level, trend: s.trend, seasonal: s.seasonal.clone() }));
    }
    match init.extract::<String>()?.as_str() {
        "heuristic" => Ok(Initialization::Heuristic),
        "estimated" => Ok(Initialization::Estimated),
        other => Err(opsbook::Error::InvalidValue {
            field: "initialization".into(),
            value: other.into(),
            reason: "expected \"heuristic\", \"estimated\" or an InitialState".into(),
        })
        .py_err(),
    }
}

/// Additive Holt-Winters: level, additive (optionally damped) trend, optional additive
/// season of `season_length` steps; statsmodels' recurrences and heuristic initial state.
#[pyclass(frozen, module = "opsbook")]
pub struct HoltWinters {
    inner: CoreModel,
}

#[pymethods]
impl HoltWinters {
    #[new]
    #[pyo3(signature = (season_length = None, damped = false))]
    fn new(season_length: Option<usize>, damped: bool) -> PyResult<HoltWinters> {
        CoreModel::new(season_length, damped).py_err().map(|inner| HoltWinters { inner })
    }

    /// Fits alpha, beta, gamma (and phi) by least squares, with the GIL released.
    #[pyo3(signature = (values, initialization = None))]
    fn fit(
        &self,
        py: Python<'_>,
        values: &Bound<'_, PyAny>,
        initialization: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<HoltWintersFit> {
        let v = Floats::read("values", values)?.as_slice().to_vec();
        let init = match initialization {
            Some(i) => self::initialization(i)?,
            None => Initialization::Heuristic,
        };
        let model = self.inner;
        py.detach(move || model.fit(&v, &init)).py_err().map(|inner| HoltWintersFit { inner })
    }

    /// Applies the model with given parameters (`phi` only counts when damped).
    #[pyo3(signature = (values, alpha, beta, gamma = 0.0, phi = 1.0, initialization = None))]
    #[allow(clippy::too_many_arguments)]
    fn smooth(
        &self,
        py: Python<'_>,
        values: &Bound<'_, PyAny>,
        alpha: f64,
        beta: f64,
        gamma: f64,
        phi: f64,
        initialization: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<HoltWintersFit> {
        let v = Floats::read("values", values)?.as_slice().to_vec();
        let init = match initialization {
            Some(i) => self::initialization(i)?,
            None => Initialization::Heuristic,
        };
        let model = self.inner;
        let params = Params { alpha, beta, gamma, phi };
        py.detach(move || model.smooth(&v, params, &init)).py_err().map(|inner| HoltWintersFit { inner })
    }

    #[getter]
    fn season_length(&self) -> Option<usize> {
        self.inner.season_length
    }

    #[getter]
    fn damped(&self) -> bool {
        self.inner.damped
    }
}

/// A Holt-Winters model applied to data.
#[pyclass(frozen, module = "opsbook")]
pub struct HoltWintersFit {
    inner: Fit,
}

#[pymethods]
impl HoltWintersFit {
    #[getter]
    fn alpha(&self) -> f64 {
        self.inner.params.alpha
    }
    #[getter]
    fn beta(&self) -> f64 {
        self.inner.params.beta
    }
    #[getter]
    fn gamma(&self) -> f64 {
        self.inner.params.gamma
    }
    #[getter]
    fn phi(&self) -> f64 {
        self.inner.params.phi
    }
    #[getter]
    fn initial(&self) -> InitialState {
        let s = &self.inner.initial;
        InitialState { level: s.level, trend: s.trend, seasonal: s.seasonal.clone() }
    }
    /// One-step-ahead predictions for every value.
    #[getter]
    fn fitted(&self) -> Vec<f64> {
        self.inner.fitted.clone()
    }
    /// The sum of squared one-step errors.
    #[getter]
    fn sse(&self) -> f64 {
        self.inner.sse
    }
    /// Point forecasts for steps 1..=h.
    fn forecast(&self, h: usize) -> Vec<f64> {
        self.inner.forecast(h)
    }
    /// (mean, lower, upper) for steps 1..=h at the given coverage.
    #[pyo3(signature = (h, coverage = 0.95))]
    fn forecast_intervals(&self, h: usize, coverage: f64) -> PyResult<Vec<(f64, f64, f64)>> {
        let points = self.inner.forecast_intervals(h, coverage).py_err()?;
        Ok(points.into_iter().map(|p| (p.mean, p.lower, p.upper)).collect())
    }
}

/// A capacity plan; see `capacity_plan`.
#[pyclass(frozen, module = "opsbook")]
pub struct CapacityPlan {
    inner: CorePlan,
}

#[pymethods]
impl CapacityPlan {
    /// The report in markdown as the manuals print it; `language` "zh-CN" or "en".
    #[pyo3(signature = (date, language = "zh-CN"))]
    fn to_markdown(&self, date: &str, language: &str) -> PyResult<String> {
        Ok(self.inner.to_markdown(date, Language::from_name(language).py_err()?))
    }
    fn to_text(&self) -> String {
        self.inner.to_text()
    }
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    /// Every row as a dict: name, current, monthly_growth, predicted, increase_percent,
    /// needs_expansion, limit, months_to_exhaustion.
    #[getter]
    fn resources<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .resources
            .iter()
            .map(|r| {
                let d = PyDict::new(py);
                d.set_item("name", &r.name)?;
                d.set_item("current", r.current)?;
                d.set_item("monthly_growth", r.monthly_growth)?;
                d.set_item("predicted", r.predicted)?;
                d.set_item("increase_percent", r.increase_percent)?;
                d.set_item("needs_expansion", r.needs_expansion)?;
                d.set_item("limit", r.limit)?;
                d.set_item("months_to_exhaustion", r.months_to_exhaustion)?;
                Ok(d)
            })
            .collect()
    }
}

/// Plans each resource (a dict with name, current, and optional monthly_growth (default
/// 10 %) and limit) `months` ahead, flagging growth above `growth_limit_percent`.
#[pyfunction]
#[pyo3(signature = (resources, months = 6, growth_limit_percent = 70.0))]
pub fn capacity_plan(
    resources: Vec<Bound<'_, PyDict>>,
    months: u32,
    growth_limit_percent: f64,
) -> PyResult<CapacityPlan> {
    let mut list = Vec::with_capacity(resources.len());
    for (i, r) in resources.iter().enumerate() {
        let get = |key: &str| r.get_item(key);
        let name: String = get("name")?
            .ok_or_else(|| crate::errors::invalid_value(&format!("resources[{i}].name"), "", "missing"))?
            .extract()?;
        let current: f64 = get("current")?
            .ok_or_else(|| crate::errors::invalid_value(&format!("resources[{i}] ({name}).current"), "", "missing"))?
            .extract()?;
        let optional = |key: &str| -> PyResult<Option<f64>> {
            match get(key)? {
                Some(v) if !v.is_none() => Ok(Some(v.extract()?)),
                _ => Ok(None),
            }
        };
        list.push(Resource { monthly_growth: optional("monthly_growth")?, limit: optional("limit")?, name, current });
    }
    plan(&list, months, growth_limit_percent).py_err().map(|inner| CapacityPlan { inner })
}

/// Users `months` ahead at `monthly_growth`, and what each resource needs then: the AI
/// tutoring manual's rules by default, or dicts `{"resource", "per_users" | "per_user", "minimum"}`.
#[pyfunction]
#[pyo3(signature = (users, monthly_growth = 0.1, months = 6.0, rules = None))]
pub fn resource_needs(
    users: f64,
    monthly_growth: f64,
    months: f64,
    rules: Option<Vec<Bound<'_, PyDict>>>,
) -> PyResult<(f64, BTreeMap<String, f64>)> {
    let rules = match rules {
        None => opsbook::forecast::capacity::manual_sizing_rules(),
        Some(list) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, r) in list.iter().enumerate() {
                let resource: String = r
                    .get_item("resource")?
                    .ok_or_else(|| crate::errors::invalid_value(&format!("rules[{i}].resource"), "", "missing"))?
                    .extract()?;
                let opt = |key: &str| -> PyResult<Option<f64>> {
                    match r.get_item(key)? {
                        Some(v) if !v.is_none() => Ok(Some(v.extract()?)),
                        _ => Ok(None),
                    }
                };
                out.push(
                    opsbook::forecast::capacity::SizingRule::from_spec(
                        &resource,
                        opt("per_users")?,
                        opt("per_user")?,
                        opt("minimum")?.unwrap_or(0.0),
                    )
                    .py_err()?,
                );
            }
            out
        }
    };
    let (future, needs) =
        opsbook::forecast::capacity::resource_needs(users, monthly_growth, months, &rules).py_err()?;
    Ok((future, needs.into_iter().collect()))
}

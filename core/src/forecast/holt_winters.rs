//! Additive Holt-Winters: level, additive trend (optionally damped) and an optional additive
//! season of length m, with the recurrences and initialisations of statsmodels'
//! `ExponentialSmoothing` (0.15), so fitted values agree with it when given the same
//! parameters and initial state:
//!
//! ```text
//! ŷ(t)   = l(t−1) + φ·b(t−1) + s(t−m)
//! l(t)   = α·(y(t) − s(t−m)) + (1 − α)·(l(t−1) + φ·b(t−1))
//! b(t)   = β·(l(t) − l(t−1)) + (1 − β)·φ·b(t−1)
//! s(t)   = γ·(y(t) − l(t−1) − φ·b(t−1)) + (1 − γ)·s(t−m)
//! ```
//!
//! Forecasts follow the textbook formula (Hyndman & Athanasopoulos, *Forecasting: principles
//! and practice*): ŷ(T+h) = l(T) + (φ + … + φʰ)·b(T) + s(T+h−m(k+1)), k = ⌊(h−1)/m⌋. statsmodels
//! 0.15 agrees except at horizons that are whole multiples of m, where it takes the seasonal
//! term from one season too early.
//!
//! Prediction intervals are the analytic ones of the equivalent state-space model ETS(A,A[d],A)
//! (Hyndman et al. 2008, class 1): Var(h) = σ²·(1 + Σⱼ₌₁ʰ⁻¹ cⱼ²), cⱼ = α + αβ·(φ + … + φʲ) + γ·[m | j],
//! σ² = SSE / n — what statsmodels' `ETSModel` computes for the same model.
//!
//! Values are taken as evenly spaced observations; every value must be finite (fill or drop
//! gaps before fitting: a NaN is an error naming its index).

use crate::error::{Error, Result};
use crate::forecast::normal::normal_quantile;
use crate::forecast::optimize::nelder_mead;

/// The model: which components it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoltWinters {
    /// Length of the season (m ≥ 2), or None for Holt's linear trend without a season.
    pub season_length: Option<usize>,
    /// Whether the trend is damped by φ.
    pub damped: bool,
}

/// Smoothing parameters. `gamma` is ignored without a season, `phi` is 1 without damping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

/// The state before the first observation: `seasonal[j]` is the seasonal term of the j-th
/// observation (statsmodels' `initial_seasons`).
#[derive(Debug, Clone, PartialEq)]
pub struct InitialState {
    pub level: f64,
    pub trend: f64,
    pub seasonal: Vec<f64>,
}

/// Where the initial state comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Initialization {
    /// statsmodels' `heuristic` (Hyndman et al. §2.6): a centred moving average over up to
    /// five seasons, averaged detrended seasons, and a regression on the first ten trend values.
    Heuristic,
    /// The initial state that minimises the squared error for the parameters (statsmodels'
    /// default `estimated`); solved exactly by least squares, since the errors are affine in it.
    Estimated,
    /// Given by the caller.
    Known(InitialState),
}

/// A point forecast with its prediction interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastPoint {
    pub mean: f64,
    pub lower: f64,
    pub upper: f64,
}

/// A model applied to data: parameters, initial state, fitted values and the final state.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub model: HoltWinters,
    pub params: Params,
    pub initial: InitialState,
    /// One-step-ahead predictions ŷ(t) for every observation.
    pub fitted: Vec<f64>,
    /// Σ (y − ŷ)².
    pub sse: f64,
    /// l(T), b(T) after the last observation.
    pub level: f64,
    pub trend: f64,
    /// The seasonal terms of the next m steps, T+1 first.
    pub next_seasons: Vec<f64>,
}

/// statsmodels' bounds: φ ∈ [0.8, 0.995] when it is fitted.
pub const PHI_BOUNDS: (f64, f64) = (0.8, 0.995);

fn invalid(field: &str, value: impl ToString, reason: impl Into<String>) -> Error {
    Error::InvalidValue { field: field.into(), value: value.to_string(), reason: reason.into() }
}

impl HoltWinters {
    pub fn new(season_length: Option<usize>, damped: bool) -> Result<HoltWinters> {
        if let Some(m) = season_length
            && m < 2
        {
            return Err(invalid("season_length", m, "a season has at least 2 steps (omit it for no season)"));
        }
        Ok(HoltWinters { season_length, damped })
    }

    fn m(&self) -> usize {
        self.season_length.unwrap_or(0)
    }

    /// Applies the model with the given parameters (no fitting).
    pub fn smooth(&self, values: &[f64], params: Params, init: &Initialization) -> Result<Fit> {
        check_values(values)?;
        let params = self.check_params(params)?;
        let initial = match init {
            Initialization::Known(state) => self.check_state(state)?,
            Initialization::Heuristic => self.heuristic(values)?,
            Initialization::Estimated => {
                self.need(values.len(), self.min_fit_len(), "estimated initialization")?;
                self.estimate_state(values, &params)
            }
        };
        Ok(self.run(values, params, initial))
    }

    /// Fits α, β, γ (and φ when damped) by minimising the squared one-step error over
    /// statsmodels' region (β ≤ α, γ ≤ 1 − α, φ ∈ [0.8, 0.995]): a coarse grid, then
    /// Nelder-Mead from the best points.
    pub fn fit(&self, values: &[f64], init: &Initialization) -> Result<Fit> {
        check_values(values)?;
        self.need(values.len(), self.min_fit_len(), "fitting")?;
        let start_state = match init {
            Initialization::Known(state) => self.check_state(state)?,
            Initialization::Heuristic => self.heuristic(values)?,
            Initialization::Estimated => match self.heuristic(values) {
                Ok(state) => state,
                Err(_) => self.simple(values),
            },
        };
        let dims = 1 + 1 + usize::from(self.season_length.is_some()) + usize::from(self.damped);
        let mut fixed = |u: &[f64]| self.sse(values, self.params_at(u), &start_state);
        let grid = [0.01, 0.1, 0.3, 0.6, 0.9];
        let mut candidates: Vec<(Vec<f64>, f64)> = Vec::new();
        let mut point = vec![0usize; dims];
        loop {
            let u: Vec<f64> = point.iter().map(|&i| grid[i]).collect();
            let v = fixed(&u);
            candidates.push((u, if v.is_nan() { f64::INFINITY } else { v }));
            let mut d = 0;
            while d < dims {
                point[d] += 1;
                if point[d] < grid.len() {
                    break;
                }
                point[d] = 0;
                d += 1;
            }
            if d == dims {
                break;
            }
        }
        candidates.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut best = (candidates[0].0.clone(), f64::INFINITY);
        // With an estimated state the fixed-state search only finds a start for the final one.
        let (starts, evals) = if matches!(init, Initialization::Estimated) { (1, 40 * dims) } else { (2, 100 * dims) };
        for (start, _) in candidates.iter().take(starts) {
            let found = nelder_mead(&mut fixed, start, evals, 1e-11);
            if found.1 < best.1 {
                best = found;
            }
        }
        let (u, initial) = if matches!(init, Initialization::Estimated) {
            // Profile out the initial state: for each parameter vector, the best state.
            let mut concentrated = |u: &[f64]| {
                let p = self.params_at(u);
                let state = self.estimate_state(values, &p);
                self.sse(values, p, &state)
            };
            let (u, _) = nelder_mead(&mut concentrated, &best.0, 30 * dims, 1e-10);
            let state = self.estimate_state(values, &self.params_at(&u));
            (u, state)
        } else {
            (best.0, start_state)
        };
        Ok(self.run(values, self.params_at(&u), initial))
    }

    fn min_fit_len(&self) -> usize {
        match self.season_length {
            Some(m) => (2 * m).max(m + 5),
            None => 4,
        }
    }

    fn need(&self, n: usize, needed: usize, what: &str) -> Result<()> {
        if n < needed {
            return Err(invalid(
                "values",
                n,
                format!("holt-winters {what} needs at least {needed} values for this model"),
            ));
        }
        Ok(())
    }

    /// Unit box → statsmodels' constrained region.
    fn params_at(&self, u: &[f64]) -> Params {
        let alpha = u[0];
        let beta = u[1] * alpha;
        let mut i = 2;
        let gamma = if self.season_length.is_some() {
            i += 1;
            u[2] * (1.0 - alpha)
        } else {
            0.0
        };
        let phi = if self.damped { PHI_BOUNDS.0 + u[i] * (PHI_BOUNDS.1 - PHI_BOUNDS.0) } else { 1.0 };
        Params { alpha, beta, gamma, phi }
    }

    fn check_params(&self, p: Params) -> Result<Params> {
        for (field, v) in [("alpha", p.alpha), ("beta", p.beta), ("gamma", p.gamma)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(invalid(field, crate::fmt_number(v), "must be between 0 and 1"));
            }
        }
        let phi = if self.damped {
            if !(p.phi > 0.0 && p.phi <= 1.0) {
                return Err(invalid("phi", crate::fmt_number(p.phi), "the damping factor must be in (0, 1]"));
            }
            p.phi
        } else {
            1.0
        };
        let gamma = if self.season_length.is_some() { p.gamma } else { 0.0 };
        Ok(Params { phi, gamma, ..p })
    }

    fn check_state(&self, s: &InitialState) -> Result<InitialState> {
        for (field, v) in [("initial level", s.level), ("initial trend", s.trend)] {
            if !v.is_finite() {
                return Err(invalid(field, crate::fmt_number(v), "must be a finite number"));
            }
        }
        if s.seasonal.len() != self.m() {
            return Err(invalid(
                "initial seasonal",
                s.seasonal.len(),
                format!("needs one value per step of the season ({})", self.m()),
            ));
        }
        if let Some(i) = s.seasonal.iter().position(|v| !v.is_finite()) {
            return Err(invalid(&format!("initial seasonal[{i}]"), crate::fmt_number(s.seasonal[i]), "must be finite"));
        }
        Ok(s.clone())
    }

    /// The recurrence; calls `on_error(t, y − ŷ)` for every observation and returns the
    /// final (level, trend) with the seasonal ring left in `season`.
    #[inline]
    fn filter(
        &self,
        len: usize,
        value: impl Fn(usize) -> f64,
        p: &Params,
        (level, trend): (f64, f64),
        season: &mut [f64],
        mut on_error: impl FnMut(usize, f64),
    ) -> (f64, f64) {
        let (alpha, beta, gamma, phi) = (p.alpha, p.beta, p.gamma, p.phi);
        let (alphac, betac, gammac) = (1.0 - alpha, 1.0 - beta, 1.0 - gamma);
        let (mut l, mut b) = (level, trend);
        let m = season.len();
        let mut j = 0;
        for t in 0..len {
            let y = value(t);
            let damped_trend = phi * b;
            let trended = l + damped_trend;
            if m > 0 {
                let s = season[j];
                on_error(t, y - (trended + s));
                let l_new = alpha * y - alpha * s + alphac * trended;
                b = beta * (l_new - l) + betac * damped_trend;
                season[j] = gamma * y - gamma * trended + gammac * s;
                l = l_new;
                j += 1;
                if j == m {
                    j = 0;
                }
            } else {
                on_error(t, y - trended);
                let l_new = alpha * y + alphac * trended;
                b = beta * (l_new - l) + betac * damped_trend;
                l = l_new;
            }
        }
        // Rotate so that season[0] is the term of step T+1.
        season.rotate_left(j);
        (l, b)
    }

    fn sse(&self, values: &[f64], p: Params, state: &InitialState) -> f64 {
        let mut season = state.seasonal.clone();
        let mut sse = 0.0;
        self.filter(values.len(), |t| values[t], &p, (state.level, state.trend), &mut season, |_, e| sse += e * e);
        sse
    }

    fn run(&self, values: &[f64], params: Params, initial: InitialState) -> Fit {
        let mut season = initial.seasonal.clone();
        let mut fitted = Vec::with_capacity(values.len());
        let mut sse = 0.0;
        let (level, trend) = self.filter(
            values.len(),
            |t| values[t],
            &params,
            (initial.level, initial.trend),
            &mut season,
            |t, e| {
                fitted.push(values[t] - e);
                sse += e * e;
            },
        );
        Fit { model: *self, params, initial, fitted, sse, level, trend, next_seasons: season }
    }

    /// The least-squares initial state for the parameters. The one-step errors are affine in
    /// the initial state: e(x) = e(0) + M·x. The recurrence is time-invariant, so the response
    /// to a unit in season slot k is the response to slot 0 delayed by k steps, and M'M needs
    /// only one seasonal response and its lagged products — O(n·m) instead of O(n·m²).
    /// A unit added to every season equals a unit of level, so the level column is left out
    /// and the seasons are centred afterwards (the same forecasts).
    fn estimate_state(&self, values: &[f64], p: &Params) -> InitialState {
        let m = self.m();
        let n = values.len();
        let response = |level: f64, trend: f64, slot0: f64, with_data: bool| -> Vec<f64> {
            let mut season = vec![0.0; m];
            if m > 0 {
                season[0] = slot0;
            }
            let mut out = vec![0.0; n];
            if with_data {
                self.filter(n, |t| values[t], p, (level, trend), &mut season, |t, e| out[t] = e);
            } else {
                self.filter(n, |_| 0.0, p, (level, trend), &mut season, |t, e| out[t] = e);
            }
            out
        };
        let e0 = response(0.0, 0.0, 0.0, true);
        let rb = response(0.0, 1.0, 0.0, false);
        if m == 0 {
            let rl = response(1.0, 0.0, 0.0, false);
            let mut a = vec![dot(&rl, &rl), 0.0, dot(&rb, &rl), dot(&rb, &rb)];
            let mut rhs = vec![-dot(&e0, &rl), -dot(&e0, &rb)];
            let x = solve_symmetric(&mut a, &mut rhs, 2);
            return InitialState { level: x[0], trend: x[1], seasonal: Vec::new() };
        }
        let r0 = response(0.0, 0.0, 1.0, false);
        // Unknowns: trend, then season slots 0..m-1; column of slot k = r0 delayed by k.
        let k = m + 1;
        let mut a = vec![0.0; k * k];
        let mut rhs = vec![0.0; k];
        a[0] = dot(&rb, &rb);
        rhs[0] = -dot(&e0, &rb);
        // Full lagged products of r0: full[l] = Σ_u r0(u)·r0(u + l).
        let full: Vec<f64> = (0..m).map(|l| dot(&r0[..n.saturating_sub(l)], &r0[l.min(n)..])).collect();
        for i in 0..m {
            let delayed = &r0[..n.saturating_sub(i)];
            a[(i + 1) * k] = dot(&rb[i.min(n)..], delayed);
            rhs[i + 1] = -dot(&e0[i.min(n)..], delayed);
            for j in 0..=i {
                // Σ_{t ≥ i} r0(t − i)·r0(t − j) = Σ_{u=0}^{n−1−i} r0(u)·r0(u + i − j).
                let lag = i - j;
                let tail: f64 = (n.saturating_sub(i)..n.saturating_sub(lag)).map(|u| r0[u] * r0[u + lag]).sum();
                a[(i + 1) * k + (j + 1)] = full[lag] - tail;
            }
        }
        let x = solve_symmetric(&mut a, &mut rhs, k);
        let level = x[1..].iter().sum::<f64>() / m as f64;
        InitialState { level, trend: x[0], seasonal: x[1..].iter().map(|s| s - level).collect() }
    }

    /// statsmodels' `_initialization_heuristic` for additive trend and season.
    pub fn heuristic(&self, values: &[f64]) -> Result<InitialState> {
        check_values(values)?;
        let n = values.len();
        self.need(n, 10, "heuristic initialization")?;
        let (trend_series, seasonal) = match self.season_length {
            None => (values.to_vec(), Vec::new()),
            Some(m) => {
                self.need(n, 2 * m, "heuristic initialization (two full seasons)")?;
                let min_obs = 10 + 2 * (m / 2);
                self.need(n, min_obs, "heuristic initialization")?;
                let cycles = (n / m).min(5).max(min_obs.div_ceil(m));
                let series = &values[..n.min(m * cycles)];
                let moving = centred_moving_average(series, m);
                let mut seasonal = vec![0.0; m];
                for (j, slot) in seasonal.iter_mut().enumerate() {
                    let detrended: Vec<f64> =
                        (j..series.len()).step_by(m).filter_map(|i| moving[i].map(|ma| series[i] - ma)).collect();
                    *slot = detrended.iter().sum::<f64>() / detrended.len() as f64;
                }
                let mean = seasonal.iter().sum::<f64>() / m as f64;
                seasonal.iter_mut().for_each(|s| *s -= mean);
                (moving.into_iter().flatten().collect(), seasonal)
            }
        };
        // Least squares of the first ten trend values on t = 1..10; the level is at t = 0.
        let ys = &trend_series[..10];
        let y_mean = ys.iter().sum::<f64>() / 10.0;
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for (i, y) in ys.iter().enumerate() {
            let dx = (i + 1) as f64 - 5.5;
            sxy += dx * (y - y_mean);
            sxx += dx * dx;
        }
        let trend = sxy / sxx;
        Ok(InitialState { level: y_mean - trend * 5.5, trend, seasonal })
    }

    /// statsmodels' `_initialization_simple`: the first season's mean and the change of the
    /// seasonal means (or the first two values without a season).
    fn simple(&self, values: &[f64]) -> InitialState {
        match self.season_length {
            None => InitialState { level: values[0], trend: values[1] - values[0], seasonal: Vec::new() },
            Some(m) => {
                let first = values[..m].iter().sum::<f64>() / m as f64;
                let second = values[m..2 * m].iter().sum::<f64>() / m as f64;
                InitialState {
                    level: first,
                    trend: (second - first) / m as f64,
                    seasonal: values[..m].iter().map(|v| v - first).collect(),
                }
            }
        }
    }
}

impl Fit {
    /// Point forecasts for steps 1..=h after the last observation.
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        let m = self.next_seasons.len();
        let mut damp = 0.0;
        let mut power = 1.0;
        (1..=h)
            .map(|step| {
                power *= self.params.phi;
                damp += power;
                let season = if m > 0 { self.next_seasons[(step - 1) % m] } else { 0.0 };
                self.level + damp * self.trend + season
            })
            .collect()
    }

    /// σ² = SSE / n, the one-step error variance.
    pub fn residual_variance(&self) -> f64 {
        self.sse / self.fitted.len() as f64
    }

    /// Forecasts with prediction intervals of the given coverage (0.95 for 95 %).
    pub fn forecast_intervals(&self, h: usize, coverage: f64) -> Result<Vec<ForecastPoint>> {
        if !(coverage > 0.0 && coverage < 1.0) {
            return Err(invalid("coverage", crate::fmt_number(coverage), "must be strictly between 0 and 1"));
        }
        let z = normal_quantile(0.5 + coverage / 2.0);
        let sigma2 = self.residual_variance();
        let Params { alpha, beta, gamma, phi } = self.params;
        let m = self.next_seasons.len();
        let mut sum_c2 = 0.0;
        let (mut damp, mut power) = (0.0, 1.0);
        Ok(self
            .forecast(h)
            .into_iter()
            .enumerate()
            .map(|(i, mean)| {
                let step = i + 1;
                if step > 1 {
                    let j = step - 1;
                    power *= phi;
                    damp += power;
                    let seasonal = if m > 0 && j % m == 0 { gamma } else { 0.0 };
                    let c = alpha + alpha * beta * damp + seasonal;
                    sum_c2 += c * c;
                }
                let half = z * (sigma2 * (1.0 + sum_c2)).sqrt();
                ForecastPoint { mean, lower: mean - half, upper: mean + half }
            })
            .collect())
    }
}

fn check_values(values: &[f64]) -> Result<()> {
    if values.is_empty() {
        return Err(invalid("values", 0, "holt-winters needs at least one value"));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(invalid(
            &format!("values[{i}]"),
            crate::fmt_number(values[i]),
            "holt-winters needs evenly spaced finite values; fill or drop gaps first",
        ));
    }
    Ok(())
}

/// Σ a·b with eight partial sums, so the compiler can use SIMD lanes.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    lanes.iter().sum::<f64>() + tail
}

/// pandas' `rolling(m, center=True).mean()`, followed for even m by `.shift(-1).rolling(2).mean()`
/// (the 2×m moving average); None where the window does not fit.
fn centred_moving_average(series: &[f64], m: usize) -> Vec<Option<f64>> {
    let n = series.len();
    // pandas centres a window of w at i over [i − w/2, i + (w − 1)/2].
    let window = |i: usize| -> Option<f64> {
        let lo = i.checked_sub(m / 2)?;
        let hi = i + (m - 1) / 2;
        (hi < n).then(|| series[lo..=hi].iter().sum::<f64>() / m as f64)
    };
    (0..n).map(|i| if m % 2 == 1 { window(i) } else { Some((window(i)? + window(i + 1)?) / 2.0) }).collect()
}

/// Solves A·x = b for a symmetric positive semi-definite A given by its lower triangle,
/// scaling to unit diagonal first (the trend column grows with t) and adding a tiny ridge
/// when the matrix is singular.
fn solve_symmetric(a: &mut [f64], b: &mut [f64], k: usize) -> Vec<f64> {
    let scale: Vec<f64> = (0..k).map(|i| if a[i * k + i] > 0.0 { a[i * k + i].sqrt() } else { 1.0 }).collect();
    for i in 0..k {
        b[i] /= scale[i];
        for j in 0..=i {
            a[i * k + j] /= scale[i] * scale[j];
        }
    }
    let mut ridge = 0.0;
    loop {
        let mut l = vec![0.0; k * k];
        let mut ok = true;
        'rows: for i in 0..k {
            for j in 0..=i {
                let mut sum = a[i * k + j] + if i == j { ridge } else { 0.0 };
                for p in 0..j {
                    sum -= l[i * k + p] * l[j * k + p];
                }
                if i == j {
                    if sum <= 0.0 || !sum.is_finite() {
                        ok = false;
                        break 'rows;
                    }
                    l[i * k + i] = sum.sqrt();
                } else {
                    l[i * k + j] = sum / l[j * k + j];
                }
            }
        }
        if ok {
            let mut y = vec![0.0; k];
            for i in 0..k {
                y[i] = (b[i] - (0..i).map(|p| l[i * k + p] * y[p]).sum::<f64>()) / l[i * k + i];
            }
            let mut x = vec![0.0; k];
            for i in (0..k).rev() {
                x[i] = (y[i] - (i + 1..k).map(|p| l[p * k + i] * x[p]).sum::<f64>()) / l[i * k + i];
            }
            return x.iter().zip(&scale).map(|(x, s)| x / s).collect();
        }
        ridge = if ridge == 0.0 { 1e-12 } else { ridge * 100.0 };
        if ridge > 1.0 {
            return vec![0.0; k];
        }
    }
}

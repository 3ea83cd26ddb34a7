"""Forecasts: opsbook vs numpy.polyfit and statsmodels, the same work in one run.

1. predict_linear over 1,000,000 points (15 s spacing) from a NumPy array against
   numpy.polyfit(deg=1) on the same arrays (x relative to the evaluation time, as
   predict_linear anchors it); both predictions 24 h ahead are cross-checked.
2. Holt-Winters fitting on 10,000 hourly points with a daily season (additive trend and
   season), heuristic and estimated initial state, against statsmodels' ExponentialSmoothing
   with the same initialization method; opsbook's squared error must be no worse.

Run (release build; statsmodels and numpy are in bindings-python/requirements-dev.txt):
  (cd bindings-python && ../.venv/bin/maturin develop --release) && .venv/bin/python benches/compare/forecast.py
"""

import statistics
import sys
import time
import warnings

import numpy as np
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from opsbook import forecast


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def linear() -> None:
    n = 1_000_000
    rng = np.random.default_rng(7)
    t = 1.7e9 + np.arange(n) * 15.0
    y = 40.0 + 2e-6 * (t - t[0]) + rng.normal(0, 0.5, n)
    at = float(t[-1])

    def numpy_way():
        slope, intercept = np.polyfit(t - at, y, 1)
        return slope * 86400.0 + intercept

    ours_t, ours = best_of(lambda: forecast.predict_linear(t, y, at, 86400.0), 7)
    numpy_t, theirs = best_of(numpy_way, 7)
    if abs(ours - theirs) > 1e-6 * abs(theirs):
        sys.exit(f"predict_linear disagrees: opsbook {ours!r}, numpy {theirs!r}")
    print(
        f"predict_linear 1M points: opsbook {ours_t * 1e3:.1f} ms, numpy.polyfit {numpy_t * 1e3:.1f} ms, "
        f"opsbook/numpy {ours_t / numpy_t:.2f}"
    )


def holt_winters() -> None:
    n, m = 10_000, 24
    rng = np.random.default_rng(1)
    steps = np.arange(n)
    y = 100 + 0.05 * steps + 10 * np.sin(2 * np.pi * steps / m) + rng.normal(0, 2, n)
    for init in ("heuristic", "estimated"):
        ours_t, ours = best_of(lambda: forecast.HoltWinters(m).fit(y, initialization=init), 3)

        def statsmodels_fit():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ExponentialSmoothing(
                    y, trend="add", seasonal="add", seasonal_periods=m, initialization_method=init
                ).fit()

        theirs_t, theirs = best_of(statsmodels_fit, 3)
        if ours.sse > theirs.sse * (1 + 1e-6):
            sys.exit(f"holt-winters ({init}) fits worse: opsbook SSE {ours.sse}, statsmodels {theirs.sse}")
        print(
            f"holt-winters fit 10k, m=24, {init}: opsbook {ours_t * 1e3:.1f} ms (SSE {ours.sse:.1f}), "
            f"statsmodels {theirs_t * 1e3:.0f} ms (SSE {theirs.sse:.1f}), statsmodels/opsbook {theirs_t / ours_t:.1f}"
        )


if __name__ == "__main__":
    linear()
    holt_winters()

"""Writes tests/vectors/holt_winters.json from statsmodels 0.15.0.

Run with the test virtualenv: .venv/bin/python tests/vectors/generators/holt_winters.py
The inputs are fixed series (stored in the output); the expectations are statsmodels'
ExponentialSmoothing (fitted values, SSE, heuristic initial state) with given parameters,
textbook forecasts from statsmodels' final state, and ETSModel's analytic prediction intervals.
"""

import json
import math
import pathlib
import warnings

import numpy as np
import pandas as pd
import statsmodels
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.holtwinters import ExponentialSmoothing

warnings.simplefilter("ignore")
OUT = pathlib.Path(__file__).resolve().parents[1] / "holt_winters.json"


def series(n, m, seed, trend=0.4, amp=8.0, noise=1.5, base=50.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    season = amp * np.sin(2 * np.pi * t / m) if m else 0.0
    return [round(float(v), 2) for v in base + trend * t + season + rng.normal(0, noise, n)]


def textbook_forecast(res, m, h, phi):
    level, trend = res.level[-1], res.trend[-1] if res.trend is not None else 0.0
    seasons = res.season[-m:] if m else None
    out = []
    damp = 0.0
    for step in range(1, h + 1):
        damp += phi**step
        s = 0.0
        if m:
            k = (step - 1) // m
            # s(T + h − m(k+1)) — the last m seasonal states are s(T−m+1) .. s(T).
            s = seasons[m - 1 + step - m * (k + 1)]
        out.append(level + damp * trend + s)
    return out


def case(name, values, m, damped, params, init, h, known=None):
    kw = dict(trend="add", damped_trend=damped, seasonal="add" if m else None, seasonal_periods=m or None)
    if known is not None:
        model = ExponentialSmoothing(values, initialization_method="known", initial_level=known["level"],
                                     initial_trend=known["trend"],
                                     initial_seasonal=known["seasonal"] if m else None, **kw)
    else:
        model = ExponentialSmoothing(values, initialization_method=init, **kw)
    fit_kw = dict(smoothing_level=params["alpha"], smoothing_trend=params["beta"], optimized=False)
    if m:
        fit_kw["smoothing_seasonal"] = params["gamma"]
    if damped:
        fit_kw["damping_trend"] = params["phi"]
    res = model.fit(**fit_kw)
    phi = params["phi"] if damped else 1.0
    initial = {
        "level": float(res.params["initial_level"]),
        "trend": float(res.params["initial_trend"]),
        "seasonal": [float(v) for v in res.params["initial_seasons"]] if m else [],
    }
    forecast = textbook_forecast(res, m, h, phi)
    sm_forecast = [float(v) for v in res.forecast(h)]
    # The same model as a state space ETS(A,A[d],A): β_ETS = α·β, same γ and φ.
    ets_kw = dict(error="add", trend="add", damped_trend=damped, seasonal="add" if m else None,
                  seasonal_periods=m or None, initialization_method="known",
                  initial_level=initial["level"], initial_trend=initial["trend"])
    if m:
        ets_kw["initial_seasonal"] = initial["seasonal"]
    ets = ETSModel(pd.Series(values, dtype=float), **ets_kw)
    ets_params = [params["alpha"], params["alpha"] * params["beta"]]
    if m:
        ets_params.append(params["gamma"])
    if damped:
        ets_params.append(params["phi"])
    ets_res = ets.smooth(ets_params)
    assert np.allclose(ets_res.fittedvalues, res.fittedvalues, rtol=1e-9, atol=1e-9), name
    pred = ets_res.get_prediction(start=len(values), end=len(values) + h - 1)
    frame = pred.summary_frame(alpha=0.05)
    return {
        "id": name,
        "values": values,
        "season_length": m,
        "damped": damped,
        "params": {**params, "phi": phi},
        "initialization": "known" if known is not None else init,
        "known": known,
        "expect": {
            "initial": initial,
            "fitted": [float(v) for v in res.fittedvalues],
            "sse": float(res.sse),
            "horizon": h,
            "forecast": forecast,
            "statsmodels_forecast": sm_forecast,
            "coverage": 0.95,
            # Half the interval's width: the centre is ETSModel's own forecast, which
            # shares statsmodels' season-multiple difference.
            "half_width": [float(u - lo) / 2 for lo, u in zip(frame["pi_lower"], frame["pi_upper"])],
        },
    }


def main():
    cases = [
        case("seasonal-12-heuristic", series(60, 12, 1), 12, False,
             {"alpha": 0.3, "beta": 0.1, "gamma": 0.2}, "heuristic", 26),
        case("seasonal-7-damped-heuristic", series(49, 7, 2, trend=0.8, amp=5), 7, True,
             {"alpha": 0.5, "beta": 0.2, "gamma": 0.3, "phi": 0.9}, "heuristic", 15),
        case("seasonal-4-short-heuristic", series(18, 4, 3, trend=-0.3), 4, False,
             {"alpha": 0.2, "beta": 0.05, "gamma": 0.4}, "heuristic", 9),
        case("seasonal-24-heuristic", series(150, 24, 4, noise=3), 24, True,
             {"alpha": 0.1, "beta": 0.01, "gamma": 0.05, "phi": 0.98}, "heuristic", 49),
        case("no-season-heuristic", series(30, 0, 5, trend=1.2), 0, False,
             {"alpha": 0.6, "beta": 0.3}, "heuristic", 5),
        case("no-season-damped-known", series(20, 0, 6), 0, True,
             {"alpha": 0.4, "beta": 0.4, "phi": 0.85}, None, 6,
             known={"level": 50.0, "trend": 0.5, "seasonal": []}),
        case("seasonal-4-known", series(16, 4, 7), 4, False,
             {"alpha": 0.25, "beta": 0.15, "gamma": 0.35}, None, 8,
             known={"level": 49.0, "trend": 0.3, "seasonal": [0.0, 8.0, 0.0, -8.0]}),
    ]
    doc = {
        "source": f"statsmodels {statsmodels.__version__} ExponentialSmoothing (fitted values, SSE, heuristic "
                  "initial state; optimized=False with the given parameters) and ETSModel (95 % analytic "
                  "prediction intervals of the same model, beta_ETS = alpha*beta); written by "
                  "tests/vectors/generators/holt_winters.py",
        "format": "values evenly spaced; interval = forecast ± half_width; season_length 0 = none; expect.forecast is the textbook forecast from "
                  "statsmodels' final state (statsmodels_forecast differs at whole multiples of the season); "
                  "compare with tolerance 1e-6 relative",
        "cases": cases,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()

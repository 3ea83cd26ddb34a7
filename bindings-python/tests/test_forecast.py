"""opsbook.forecast: the vectors, NumPy buffers read in place, and statsmodels compared live."""

import array
import json
import math
import warnings
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pytest

import opsbook
from opsbook import forecast

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def num(v: Any) -> float:
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[v]
    return float(v)


def nums(v: Any) -> list[float]:
    return [num(x) for x in v]


FORECASTS = load("forecasts.json")["cases"]
HOLT_WINTERS = load("holt_winters.json")["cases"]


def test_vector_counts() -> None:
    assert len(FORECASTS) == 33
    assert len(HOLT_WINTERS) == 7


def run(c: dict[str, Any]) -> Any:
    kind = c["kind"]
    window: Optional[float] = c.get("window")
    if kind == "predict_linear":
        return forecast.predict_linear(
            nums(c["times"]), nums(c["values"]), num(c["at"]), num(c["seconds"]), window=window, mode=c["mode"]
        )
    if kind == "deriv":
        at = None if c["at"] is None else num(c["at"])
        return forecast.deriv(nums(c["times"]), nums(c["values"]), at=at, window=window, mode=c["mode"])
    if kind == "smoothing":
        return forecast.double_exponential_smoothing(nums(c["values"]), num(c["sf"]), num(c["tf"]))
    if kind == "time_to_threshold":
        return forecast.time_to_threshold(
            nums(c["times"]), nums(c["values"]), num(c["at"]), num(c["limit"]),
            horizon=num(c["horizon"]), breach=c["breach"],
        )
    if kind == "compound":
        return forecast.compound(num(c["current"]), num(c["rate"]), num(c["periods"]))
    if kind == "growth_rate":
        return forecast.growth_rate(nums(c["times"]), nums(c["values"]), period=num(c["period"]), counter=c["counter"])
    if kind == "capacity":
        plan = forecast.capacity_plan(c["resources"], months=c["months"], growth_limit_percent=num(c["growth_limit_percent"]))
        return plan.to_markdown(c["date"], c["language"])
    if kind == "sizing":
        return forecast.resource_needs(num(c["users"]), num(c["monthly_growth"]), num(c["months"]), rules=c["rules"])
    raise AssertionError(kind)


def close(got: float, want: float, rel: float = 1e-9) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    return abs(got - want) <= rel * max(abs(want), 1.0)


@pytest.mark.parametrize("case", FORECASTS, ids=[c["id"] for c in FORECASTS])
def test_forecast_vector(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(opsbook.InvalidValueError) as info:
            run(case)
        assert case["error"]["field"] in str(info.value)
        return
    got = run(case)
    want = case["expect"]
    if case["kind"] == "sizing":
        users, needs = got
        assert close(users, num(want["users"]))
        assert needs.keys() == want["needs"].keys()
        assert all(close(needs[k], num(v)) for k, v in want["needs"].items())
    elif isinstance(want, dict):
        assert isinstance(got, forecast.Crossing)
        assert got.kind == want["kind"]
        for key in ("seconds", "earliest", "latest"):
            if key in want:
                value = getattr(got, key)
                assert value is not None and close(value, num(want[key])), (key, value)
    elif case["kind"] == "capacity":
        assert got == want
    else:
        assert close(got, num(want)), (got, want)


def model_of(c: dict[str, Any]) -> forecast.HoltWinters:
    return forecast.HoltWinters(c["season_length"] or None, damped=c["damped"])


def init_of(c: dict[str, Any]) -> Any:
    if c["initialization"] == "known":
        k = c["known"]
        return forecast.InitialState(k["level"], k["trend"], k["seasonal"])
    return c["initialization"]


@pytest.mark.parametrize("case", HOLT_WINTERS, ids=[c["id"] for c in HOLT_WINTERS])
def test_holt_winters_vector(case: dict[str, Any]) -> None:
    p = case["params"]
    fit = model_of(case).smooth(
        case["values"], p["alpha"], p["beta"], p.get("gamma", 0.0), p["phi"], initialization=init_of(case)
    )
    e = case["expect"]
    assert close(fit.initial.level, e["initial"]["level"], 1e-6)
    assert close(fit.initial.trend, e["initial"]["trend"], 1e-6)
    assert all(close(a, b, 1e-6) for a, b in zip(fit.initial.seasonal, e["initial"]["seasonal"], strict=True))
    assert all(close(a, b, 1e-6) for a, b in zip(fit.fitted, e["fitted"], strict=True))
    assert close(fit.sse, e["sse"], 1e-6)
    h = e["horizon"]
    assert all(close(a, b, 1e-6) for a, b in zip(fit.forecast(h), e["forecast"], strict=True))
    intervals = fit.forecast_intervals(h, e["coverage"])
    assert all(close((hi - lo) / 2, w, 1e-6) for (_, lo, hi), w in zip(intervals, e["half_width"], strict=True))


def test_numpy_and_array_buffers_are_read_in_place() -> None:
    t = np.arange(0.0, 600.0, 60.0)
    v = 3.0 + 0.5 * t
    assert forecast.predict_linear(t, v, 540.0, 60.0) == pytest.approx(3.0 + 0.5 * 600.0, rel=1e-12)
    # A float64 array('d') and a memoryview are buffers too; the answers are the list's.
    from_list = forecast.deriv(list(t), list(v))
    assert forecast.deriv(array.array("d", t), array.array("d", v)) == from_list == 0.5
    assert forecast.deriv(memoryview(array.array("d", t)), memoryview(array.array("d", v))) == 0.5
    # A strided view is not contiguous: read as a sequence, same answer.
    assert forecast.deriv(t[::2], v[::2]) == pytest.approx(0.5)
    # Other dtypes go through the sequence path.
    assert forecast.deriv(t.astype(np.float32), v.astype(np.int64)) == pytest.approx(0.5)
    # Refused as every bad input is: an InvalidValueError naming the field and the value.
    with pytest.raises(opsbook.InvalidValueError, match='values: "str": must be a sequence'):
        forecast.deriv(t, "abc")  # type: ignore[arg-type]
    with pytest.raises(opsbook.InvalidValueError, match="timestamps"):
        forecast.deriv([0.0, 10.0, 10.0], [1.0, 2.0, 3.0])
    with pytest.raises(opsbook.InvalidValueError, match="2 timestamps but 3 values"):
        forecast.deriv([0.0, 10.0], [1.0, 2.0, 3.0])


def series(n: int, m: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 50.0 + 0.3 * t + 6.0 * np.sin(2 * np.pi * t / m) + rng.normal(0, 1.5, n)


@pytest.mark.parametrize(
    ("n", "m", "damped", "init", "seed"),
    [
        (96, 12, False, "heuristic", 11),
        (96, 12, True, "heuristic", 12),
        (140, 7, False, "estimated", 13),
        (72, 4, True, "estimated", 14),
        (120, 24, False, "heuristic", 15),
    ],
)
def test_fit_no_worse_than_statsmodels(n: int, m: int, damped: bool, init: str, seed: int) -> None:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # type: ignore[import-untyped]

    y = series(n, m, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = forecast.HoltWinters(m, damped=damped).fit(y, initialization=init)
        theirs = ExponentialSmoothing(
            y, trend="add", damped_trend=damped, seasonal="add", seasonal_periods=m, initialization_method=init
        ).fit()
    assert ours.sse <= theirs.sse * (1 + 1e-6), (ours.sse, theirs.sse)
    # statsmodels' region: beta <= alpha, gamma <= 1 - alpha, phi in [0.8, 0.995].
    assert 0 <= ours.beta <= ours.alpha + 1e-12 and 0 <= ours.gamma <= 1 - ours.alpha + 1e-12
    if damped:
        assert 0.8 <= ours.phi <= 0.995
    # Given statsmodels' parameters and initial state, the fitted values agree to 1e-6.
    state = forecast.InitialState(
        float(theirs.params["initial_level"]), float(theirs.params["initial_trend"]),
        [float(s) for s in theirs.params["initial_seasons"]],
    )
    phi = float(theirs.params["damping_trend"]) if damped else 1.0
    again = forecast.HoltWinters(m, damped=damped).smooth(
        y, float(theirs.params["smoothing_level"]), float(theirs.params["smoothing_trend"]),
        float(theirs.params["smoothing_seasonal"]), phi, initialization=state,
    )
    assert np.allclose(again.fitted, theirs.fittedvalues, rtol=1e-6, atol=1e-6)
    # Forecasts agree except at whole multiples of the season, where statsmodels takes
    # the seasonal term one season early (the textbook formula is followed there).
    ours_f = np.array(again.forecast(2 * m + 3))
    theirs_f = np.asarray(theirs.forecast(2 * m + 3))
    steps = np.arange(1, 2 * m + 4)
    off_multiple = steps % m != 0
    assert np.allclose(ours_f[off_multiple], theirs_f[off_multiple], rtol=1e-6, atol=1e-6)
    # There, the textbook value from statsmodels' own final state: l + (phi + ... + phi^h) b + s(T+h-m(k+1)).
    level, trend, seasons = float(theirs.level[-1]), float(theirs.trend[-1]), np.asarray(theirs.season)[-m:]
    for h in steps[~off_multiple]:
        damp = sum(phi**i for i in range(1, h + 1))
        assert ours_f[h - 1] == pytest.approx(level + damp * trend + seasons[(h - 1) % m], rel=1e-6)


def test_capacity_plan_rows_and_errors() -> None:
    plan = forecast.capacity_plan([{"name": "disk_gb", "current": 500, "monthly_growth": 0.05, "limit": 1000}])
    row = plan.resources[0]
    assert row["predicted"] == pytest.approx(500 * 1.05**6)
    assert row["months_to_exhaustion"] == pytest.approx(math.log(2) / math.log(1.05))
    assert json.loads(plan.to_json())["resources"][0]["needs_expansion"] is False
    assert "disk_gb" in plan.to_text()
    with pytest.raises(opsbook.InvalidValueError, match="disk.limit"):
        forecast.capacity_plan([{"name": "disk", "current": 1, "limit": -1}])
    with pytest.raises(opsbook.InvalidValueError, match="language"):
        plan.to_markdown("2026-11-22", "fr")
    # Missing keys are InvalidValueErrors naming the key, never bare ValueErrors.
    with pytest.raises(opsbook.InvalidValueError, match=r"resources\[0\]\.name"):
        forecast.capacity_plan([{"current": 1}])
    with pytest.raises(opsbook.InvalidValueError, match=r"resources\[0\] \(disk\)\.current"):
        forecast.capacity_plan([{"name": "disk"}])
    with pytest.raises(opsbook.InvalidValueError, match=r"rules\[0\]\.resource"):
        forecast.resource_needs(1000, rules=[{"per_users": 100}])

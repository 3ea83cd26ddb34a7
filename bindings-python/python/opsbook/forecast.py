"""Capacity forecasts with Prometheus' semantics and the manuals' formulas.

Times are Unix seconds (rounded to milliseconds, as Prometheus stores them). Arrays may be
lists or float64 buffers such as NumPy arrays, which are read in place without a copy.
"""

from ._opsbook import (
    CapacityPlan,
    Crossing,
    HoltWinters,
    HoltWintersFit,
    InitialState,
    capacity_plan,
    compound,
    deriv,
    double_exponential_smoothing,
    doubling_time,
    growth_rate,
    predict_linear,
    rate_between,
    resource_needs,
    time_to_threshold,
)

__all__ = [
    "MONTH_SECONDS",
    "CapacityPlan",
    "Crossing",
    "HoltWinters",
    "HoltWintersFit",
    "InitialState",
    "capacity_plan",
    "compound",
    "deriv",
    "double_exponential_smoothing",
    "doubling_time",
    "growth_rate",
    "predict_linear",
    "rate_between",
    "resource_needs",
    "time_to_threshold",
]

#: Seconds in the manuals' month (30 days), the default period of ``growth_rate``.
MONTH_SECONDS = 30 * 86400

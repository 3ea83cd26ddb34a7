"""opsbook: the ops runbook as a library.

Statuses, Nagios ranges and thresholds, check results and health reports, rendered as
IETF health+json, Nagios plugin output and Prometheus exposition; capacity forecasts
(Prometheus' predict_linear/deriv/double_exponential_smoothing, Holt-Winters, time to a
limit, growth and capacity plans) in ``opsbook.forecast``; alert rules with Prometheus'
semantics in ``opsbook.rules``; alert messages for every channel in ``opsbook.alert``;
log analysis and the log lifecycle in ``opsbook.logs``; the maintenance plan in
``opsbook.maintenance``; the daily and monthly reports in ``opsbook.report``; a whole
maintenance pass over a policy (checks, rules, notifications, plans, report) in
``run_policy``.
The logic lives in a
Rust core shared with the Node, C and command-line front doors, so all of them give the
same answers.
"""

from . import alert, backup, forecast, logs, maintenance, report, rules, state
from ._opsbook import (
    CheckResult,
    HealthReport,
    InvalidRangeError,
    InvalidValueError,
    Measurement,
    NagiosOutput,
    OpsbookError,
    OpsbookIOError,
    Pass,
    ProbeError,
    Range,
    Runner,
    Status,
    Threshold,
    __version__,
    check_system,
    run_policy,
)

__all__ = [
    "alert",
    "backup",
    "forecast",
    "logs",
    "maintenance",
    "report",
    "rules",
    "state",
    "CheckResult",
    "HealthReport",
    "InvalidRangeError",
    "InvalidValueError",
    "Measurement",
    "NagiosOutput",
    "OpsbookError",
    "OpsbookIOError",
    "Pass",
    "ProbeError",
    "Range",
    "Runner",
    "Status",
    "Threshold",
    "__version__",
    "check_system",
    "run_policy",
]

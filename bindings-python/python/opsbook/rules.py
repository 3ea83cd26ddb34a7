"""Alert rules evaluated in-process with Prometheus' alerting-rule semantics.

Rules are dicts with the keys of a policy's ``[[rules]]`` (``name``, ``metric``,
``alert_when``, ``for``, ``keep_firing_for``, ``severity``, ``labels``, ``annotations``,
``numerator``/``denominator``, ``predict``, ``flapping``); times are Unix seconds.
"""

from ._opsbook import Alert, AlertEvent, AlertPipeline, Dispatcher, IncidentManager, RuleEngine, Sample, fingerprint

__all__ = [
    "Alert",
    "AlertEvent",
    "AlertPipeline",
    "Dispatcher",
    "IncidentManager",
    "RuleEngine",
    "Sample",
    "fingerprint",
]

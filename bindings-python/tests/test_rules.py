"""opsbook.rules: tests/vectors/rules.json replayed, and the batch path."""

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import opsbook
from opsbook import rules

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
CASES = json.loads((VECTORS / "rules.json").read_text(encoding="utf-8"))["cases"]


def test_vector_count() -> None:
    assert len(CASES) == 14


def run(c: dict[str, Any]) -> list[dict[str, Any]]:
    engine = rules.RuleEngine(c["rules"])
    events = []
    for e in c["evaluations"]:
        samples = [rules.Sample(s["metric"], s["value"], s["labels"]) for s in e["samples"]]
        for ev in engine.evaluate(e["time"], samples):
            events.append({"time": ev.time, "kind": ev.kind, "rule": ev.rule, "labels": ev.labels, "notify": ev.notify})
    return events


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_rules_vector(case: dict[str, Any]) -> None:
    if case["kind"] == "fingerprint":
        assert rules.fingerprint(case["labels"]) == case["expect"]
    elif "error" in case:
        with pytest.raises(opsbook.OpsbookError) as info:
            run(case)
        assert case["error"]["field"] in str(info.value)
    else:
        assert run(case) == case["expect"]


def test_batch_equals_single_evaluations_and_is_fast() -> None:
    rule = [{"name": "HighCPU", "metric": "cpu", "alert_when": "above 80", "for": "5m", "keep_firing_for": "2m"}]
    rng = np.random.default_rng(3)
    n = 1_000_000
    values = np.where(rng.random(n) < 0.02, 95.0, 50.0)
    times = np.arange(n, dtype=np.float64) * 15.0
    one = rules.RuleEngine(rule)
    expected = []
    for t, v in zip(times[:20_000], values[:20_000]):
        expected += [(e.time, e.kind) for e in one.evaluate(float(t), [rules.Sample("cpu", float(v), {"host": "a"})])]
    batch = rules.RuleEngine(rule)
    got = [(e.time, e.kind) for e in batch.evaluate_series("cpu", {"host": "a"}, times[:20_000], values[:20_000])]
    assert got == expected and len(got) > 10
    # The whole million through the batch path; the figure is measured, not asserted.
    engine = rules.RuleEngine(rule)
    start = time.perf_counter()
    engine.evaluate_series("cpu", {"host": "a"}, times, values)
    elapsed = time.perf_counter() - start
    print(f"evaluate_series: {n / elapsed / 1e6:.1f} M samples/s")
    with pytest.raises(opsbook.InvalidValueError, match="back in time"):
        engine.evaluate_series("cpu", {"host": "a"}, [0.0], [1.0])


def test_policy_text_and_export() -> None:
    engine = rules.RuleEngine.from_toml(
        'version = 1\n[[rules]]\nname = "Down"\nmetric = "up"\nalert_when = "below 1"\nfor = "2m"\n'
    )
    assert 'expr: "up < 1"' in engine.to_prometheus_rules()
    engine.evaluate(0, [rules.Sample("up", 0, {"job": "api"})])
    (alert,) = engine.alerts()
    assert (alert.rule, alert.state, alert.labels) == ("Down", "pending", {"alertname": "Down", "job": "api"})
    with pytest.raises(opsbook.InvalidValueError, match=r"rules\[0\] \(Down\)\.for"):
        rules.RuleEngine([{"name": "Down", "metric": "up", "alert_when": "below 1", "for": "1mo"}])


def test_dispatcher_and_incidents_from_python() -> None:
    engine = rules.RuleEngine([{"name": "Down", "metric": "up", "alert_when": "below 1", "severity": "critical"}])
    dispatcher = rules.Dispatcher(
        {"route": {"group_by": ["alertname"], "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}}
    )
    incidents = rules.IncidentManager()  # the manuals' P0-P3
    seen: list[str] = []

    def restart(incident: dict[str, Any]) -> tuple[bool, str]:
        seen.append(incident["labels"]["job"])
        return True, "restarted " + incident["labels"]["job"]

    incidents.register_hook("Down", restart)
    ids = []
    for e in engine.evaluate(0, [rules.Sample("up", 0, {"job": "api"})]):
        dispatcher.receive(e, {"summary": "api down"})
        if (i := incidents.on_event(e)) is not None:
            ids.append(i)
    assert dispatcher.next_due() == 30.0
    (sent,) = dispatcher.tick(30)
    assert sent["status"] == "firing" and sent["groupKey"] == '{}:{alertname="Down"}'
    assert sent["alerts"][0]["annotations"] == {"summary": "api down"}
    (inc,) = incidents.incidents()
    assert inc["level"] == "P1" and inc["timeline"][1]["what"] == "auto-recovery succeeded: restarted api"
    assert seen == ["api"]
    assert incidents.tick(15 * 60) == [(ids[0], "P0")]
    incidents.acknowledge(ids[0], "alice", 16 * 60)
    with pytest.raises(opsbook.InvalidValueError, match="not open"):
        incidents.acknowledge(ids[0], "bob", 17 * 60)
    with pytest.raises(opsbook.InvalidValueError, match=r"route\.group_wait"):
        rules.Dispatcher({"route": {"group_wait": "soon"}})
    custom = rules.IncidentManager({"levels": [{"name": "Level 3", "response": "15m"}, {"name": "Level 1", "response": "4h"}]})
    assert custom.incidents() == []


def test_a_health_report_as_the_samples_rules_evaluate() -> None:
    # DESIGN's names: opsbook_<check>_<measurement> in base units (250 ms is 0.25 s), labels
    # kept, and opsbook_check_status{check} as the Nagios code.
    from opsbook import CheckResult, HealthReport, Measurement

    api = CheckResult.from_measurements(
        "api", [Measurement("latency", 250.0, unit="ms", crit="~:100"), Measurement("used", 50.0, unit="%", labels={"mount": "/"})]
    )
    samples = HealthReport([api]).samples()
    got = sorted((s.metric, tuple(sorted(s.labels.items())), s.value) for s in samples)
    assert got == [
        ("opsbook_api_latency_seconds", (), 0.25),
        ("opsbook_api_used_percent", (("mount", "/"),), 50.0),
        ("opsbook_check_status", (("check", "api"),), 2.0),
    ]

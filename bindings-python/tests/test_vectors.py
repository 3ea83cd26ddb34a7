"""Replays tests/vectors/*.json through opsbook's typed Python API."""

import json
import math
from pathlib import Path
from typing import Any, Optional

import pytest

import opsbook
from opsbook import CheckResult, HealthReport, Measurement, Range, Status, Threshold

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def num(v: Any) -> float:
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[v]
    return float(v)


def limit(field: str, v: Any) -> Optional[Range]:
    if v is None:
        return None
    if isinstance(v, str):
        return Range(v, field=field)
    (form, bound), = v.items()
    return Range.from_form(form, num(bound), field=field)


RANGES = load("ranges.json")["cases"]
THRESHOLDS = load("thresholds.json")["cases"]
STATUS = load("status.json")
REPORTS = load("reports.json")["cases"]


def test_vector_counts() -> None:
    # Every case below is replayed as its own test; these are the counts the files hold.
    assert (len(RANGES), len(THRESHOLDS), len(STATUS["mappings"]) + len(STATUS["aggregation"]), len(REPORTS)) == (32, 31, 14, 5)


@pytest.mark.parametrize("case", RANGES, ids=[c["id"] for c in RANGES])
def test_range(case: Any) -> None:
    if "error" in case:
        with pytest.raises(opsbook.InvalidRangeError, match="invalid range for range"):
            Range(case["range"])
        with pytest.raises(ValueError):
            Range(case["range"])
        return
    r = Range(case["range"])
    assert r.start == num(case["start"])
    assert r.end == num(case["end"])
    assert r.inside is case["inside"]
    assert str(r) == case["text"]
    for value, alerts in case["alerts"]:
        assert r.alerts(num(value)) is alerts, value


@pytest.mark.parametrize("case", THRESHOLDS, ids=[c["id"] for c in THRESHOLDS])
def test_threshold(case: Any) -> None:
    if "error" in case:
        err = case["error"]
        assert err["code"] == "OPSBOOK_INVALID_RANGE"
        with pytest.raises(opsbook.InvalidRangeError, match=f"invalid range for {err['field']}"):
            Threshold(limit("warn", case["warn"]), limit("crit", case["crit"]))
        return
    t = Threshold(limit("warn", case["warn"]), limit("crit", case["crit"]))
    assert t.evaluate(num(case["value"])) == Status.parse(case["status"])
    assert t.evaluate_many([num(case["value"])] * 2) == [Status.parse(case["status"])] * 2


@pytest.mark.parametrize("case", STATUS["mappings"], ids=[m["status"] for m in STATUS["mappings"]])
def test_status_mapping(case: Any) -> None:
    s = Status.parse(case["status"])
    assert (s.exit_code, s.health, s.http_status) == (case["exit_code"], case["health"], case["http"])
    assert int(s) == case["exit_code"]


@pytest.mark.parametrize("case", STATUS["aggregation"], ids=[",".join(a["statuses"]) or "none" for a in STATUS["aggregation"]])
def test_status_aggregation(case: Any) -> None:
    assert Status.worst([Status.parse(s) for s in case["statuses"]]) == Status.parse(case["worst"])


def build_report(spec: Any) -> HealthReport:
    checks = []
    for c in spec["checks"]:
        ms = [
            Measurement(
                m["name"],
                num(m["value"]),
                unit=m.get("unit"),
                warn=limit("warn", m.get("warn")),
                crit=limit("crit", m.get("crit")),
                min=num(m["min"]) if "min" in m else None,
                max=num(m["max"]) if "max" in m else None,
                labels=m.get("labels"),
            )
            for m in c["measurements"]
        ]
        details = dict(
            duration=c.get("duration_seconds"),
            time=c.get("time"),
            error=c.get("error"),
            component_type=c.get("component_type"),
        )
        if "status" in c:
            checks.append(CheckResult(c["name"], Status.parse(c["status"]), c["summary"], ms, **details))
        else:
            checks.append(CheckResult.from_measurements(c["name"], ms, **details))
    return HealthReport(
        checks,
        description=spec.get("description"),
        service_id=spec.get("service_id"),
        version=spec.get("version"),
        release_id=spec.get("release_id"),
    )


@pytest.mark.parametrize("case", REPORTS, ids=[c["id"] for c in REPORTS])
def test_report(case: Any) -> None:
    report = build_report(case["report"])
    assert report.status == Status.parse(case["status"])
    assert [c.summary for c in report.checks] == case["summaries"]
    assert report.to_health_json() == case["health_json"]
    assert report.to_health_json(detailed=False) == case["health_json_public"]
    nagios = report.to_nagios()
    assert nagios.text == case["nagios"]
    assert nagios.exit_code == case["exit_code"]
    assert report.to_prometheus() == case["prometheus"]


POLICIES = load("policies.json")["cases"]


@pytest.mark.parametrize("case", POLICIES, ids=[c["id"] for c in POLICIES])
def test_policy(case: Any) -> None:
    assert len(POLICIES) == 12
    text = json.dumps(case["policy"])
    if "error" in case:
        err = case["error"]
        exc = {"OPSBOOK_INVALID_VALUE": opsbook.InvalidValueError, "OPSBOOK_INVALID_RANGE": opsbook.InvalidRangeError}[err["code"]]
        with pytest.raises(exc) as info:
            opsbook.Runner.from_json(text)
        for needle in err["contains"]:
            assert needle in str(info.value)
        for needle in err.get("absent", []):
            assert needle not in str(info.value)
        return
    runner = opsbook.Runner.from_json(text)
    assert runner.check_names == case["names"]
    report = runner.run_sync()
    assert [str(c.status) for c in report.checks] == case["statuses"]
    assert str(report.status) == case["status"]
    assert [c.name for c in runner.run_sync(tag="liveness").checks] == case["tag_liveness"]

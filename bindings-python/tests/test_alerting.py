"""opsbook.rules.AlertPipeline: tests/vectors/alerting.json replayed (rules → notifications →
incidents), state kept in a Store across pipelines, and hooks on the pipeline's incidents."""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import opsbook
from opsbook import rules
from opsbook.state import Store

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
CASES = json.loads((VECTORS / "alerting.json").read_text(encoding="utf-8"))["cases"]


def seconds(rfc3339: str) -> int:
    return int(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp())


def notification(n: dict[str, Any]) -> dict[str, Any]:
    alerts = sorted(
        ",".join(f"{k}={v}" for k, v in sorted(a["labels"].items())) + ":" + a["status"] for a in n["alerts"]
    )
    return {
        "time": seconds(n["time"]),
        "receiver": n["receiver"],
        "status": n["status"],
        "group_labels": n["groupLabels"],
        "alerts": alerts,
    }


def step(p: rules.AlertPipeline, s: dict[str, Any]) -> Any:
    t = s["time"]
    if "samples" in s:
        return p.evaluate(t, [rules.Sample(x["metric"], x["value"], x["labels"]) for x in s["samples"]])
    if "advance" in s:
        return p.advance(t)
    if "acknowledge" in s:
        p.acknowledge(s["acknowledge"]["incident"], s["acknowledge"]["by"], t)
    elif "resolve" in s:
        p.resolve(s["resolve"]["incident"], s["resolve"]["by"], s["resolve"]["note"], t)
    elif "record" in s:
        p.record(s["record"]["incident"], s["record"]["what"], t)
    else:
        raise AssertionError(f"unknown step {s}")
    return None


def replay(case: dict[str, Any], restart_each_step: bool) -> dict[str, Any]:
    """Runs the steps; with restart_each_step a new pipeline loads the state before each."""
    text = json.dumps(case["policy"])
    store = Store.memory()
    p = rules.AlertPipeline.from_json(text)
    got: dict[str, Any] = {"notifications": [], "escalations": [], "opened": []}
    for s in case["steps"]:
        if restart_each_step:
            p = rules.AlertPipeline.from_json(text)
            p.load(store, "vec:")
        if "error" in s:
            with pytest.raises(opsbook.OpsbookError) as info:
                step(p, s)
            assert s["error"]["field"] in str(info.value)
            continue
        out = step(p, s)
        if out is not None:
            got["notifications"] += [notification(n) for n in out["notifications"]]
            got["escalations"] += [
                {"time": seconds(e["time"]), "incident": e["incident"], "level": e["level"]} for e in out["escalations"]
            ]
            got["opened"] += [{"time": seconds(o["time"]), "incident": o["incident"]} for o in out["opened"]]
            assert all(isinstance(e, rules.AlertEvent) for e in out["events"])
        if restart_each_step:
            p.save(store, "vec:")
    got["incidents"] = [
        {
            "id": i["id"],
            "kind": i["kind"],
            "status": i["status"],
            "level": i["level"],
            "timeline": [{"time": seconds(e["time"]), "what": e["what"]} for e in i["timeline"]],
        }
        for i in p.incidents()
    ]
    return got


def test_vector_count() -> None:
    assert len(CASES) == 15


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_alerting_vector(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(opsbook.InvalidValueError) as info:
            rules.AlertPipeline.from_json(json.dumps(case["policy"]))
        assert case["error"]["field"] in str(info.value)
        return
    assert replay(case, restart_each_step=False) == case["expect"]
    # The same answers when every step runs in a fresh pipeline restored from the store.
    assert replay(case, restart_each_step=True) == case["expect"]


POLICY = """
version = 1
[[rules]]
name = "ServiceDown"
metric = "up"
alert_when = "below 1"
severity = "critical"

[escalation]
severities = { critical = "P1" }
[[escalation.levels]]
name = "P0"
response = "5m"
[[escalation.levels]]
name = "P1"
response = "15m"
"""


def test_hooks_on_pipeline_incidents_and_file_state(tmp_path: Path) -> None:
    p = rules.AlertPipeline.from_toml(POLICY)
    seen: list[str] = []

    def restart(incident: dict[str, Any]) -> tuple[bool, str]:
        seen.append(incident["labels"]["instance"])
        return True, "systemctl restart edu-api exited 0"

    p.register_hook("ServiceDown", restart)
    out = p.evaluate(0, [rules.Sample("up", 0, {"instance": "edu-api"})])
    assert [o["incident"] for o in out["opened"]] == ["INC-0001"] and seen == ["edu-api"]
    timeline = [e["what"] for e in p.incident("INC-0001")["timeline"]]  # type: ignore[index]
    assert timeline == ["opened at P1: ServiceDown firing", "auto-recovery succeeded: systemctl restart edu-api exited 0"]
    store = Store.from_config({"backend": "file", "path": str(tmp_path / "state.json")})
    p.save(store)
    again = rules.AlertPipeline.from_toml(POLICY)
    again.load(store)
    assert again.incidents() == p.incidents()
    # 15 minutes unacknowledged: P1 → P0.
    assert again.advance(900)["escalations"] == [{"time": "1970-01-01T00:15:00Z", "incident": "INC-0001", "level": "P0"}]
    with pytest.raises(opsbook.InvalidValueError, match="state.url_env"):
        Store.from_config({"backend": "redis"})
    no_levels = rules.AlertPipeline.from_toml('version = 1\n[[rules]]\nname = "X"\nmetric = "x"\nalert_when = "above 1"\n')
    with pytest.raises(opsbook.InvalidValueError, match="escalation.levels"):
        no_levels.acknowledge("INC-0001", "alice", 0)

"""opsbook.state: stores and once-only delivery, on memory, a file and the real Redis."""

import os
from pathlib import Path

import pytest

import opsbook
from opsbook import rules, state


def stores(tmp_path: Path) -> list[state.Store]:
    out = [state.Store.memory(), state.Store.file(tmp_path / "state.json")]
    url = os.environ.get("OPSBOOK_TEST_REDIS_URL")
    if url:
        out.append(state.Store.redis(url, prefix=f"pytest-{os.getpid()}:"))
    elif os.environ.get("CI") == "true":
        pytest.fail("OPSBOOK_TEST_REDIS_URL is not set: run scripts/test.sh")
    return out


def test_delivery_once_across_replicas(tmp_path: Path) -> None:
    engine = rules.RuleEngine([{"name": "Down", "metric": "up", "alert_when": "below 1"}])
    events = [e for e in engine.evaluate(0, [rules.Sample("up", 0, {"job": "api"})]) if e.notify]
    (firing,) = events
    ident = state.delivery_id(firing)
    assert ident.startswith("Down:") and ident.endswith(":firing:0")
    for store in stores(tmp_path):
        sent: list[str] = []
        a = state.DeliveryLog(store, "replica-a", lease=5)
        b = state.DeliveryLog(store, "replica-b", lease=5)
        # Another replica holds the lease: busy, nothing sent.
        assert store.acquire("lease:" + ident, "replica-c", 5)
        assert a.deliver(ident, lambda: sent.append("a")) == "busy"
        store.release("lease:" + ident, "replica-c")

        def fail() -> None:
            raise RuntimeError("sink down")

        with pytest.raises(RuntimeError, match="sink down"):
            a.deliver(ident, fail)
        assert a.deliver(ident, lambda: sent.append("a")) == "sent"
        assert b.deliver(ident, lambda: sent.append("b")) == "already_sent"
        assert sent == ["a"]
        store.put("k", "v", ttl=60)
        assert store.get("k") == "v"
        store.delete("k")
        assert store.get("k") is None
    with pytest.raises(opsbook.InvalidValueError, match="lease"):
        state.DeliveryLog(state.Store.memory(), "x", lease=-1)


def test_engine_state_survives_a_restart(tmp_path: Path) -> None:
    rule = [{"name": "HighCPU", "metric": "cpu", "alert_when": "above 80", "for": "2m", "keep_firing_for": "1m"}]
    values = [90, 90, 90, 50, 90, 90, 50, 50, 95, 95, 95, 95]
    whole = rules.RuleEngine(rule)
    expected = [(e.time, e.kind) for i, v in enumerate(values) for e in whole.evaluate(i * 60, [rules.Sample("cpu", v)])]
    store = state.Store.file(tmp_path / "engine.json")
    engine = rules.RuleEngine(rule)
    got = []
    for i, v in enumerate(values):
        if i % 3 == 0:
            engine.save(store, "engine")
            engine = rules.RuleEngine(rule)
            assert engine.load(store, "engine")
        got += [(e.time, e.kind) for e in engine.evaluate(i * 60, [rules.Sample("cpu", v)])]
    assert got == expected and any(k == "firing" for _, k in got)
    fresh = rules.RuleEngine(rule)
    fresh.restore(whole.snapshot())
    assert [a.state for a in fresh.alerts()] == [a.state for a in whole.alerts()]
    with pytest.raises(opsbook.InvalidValueError, match="snapshot"):
        fresh.restore('{"version": 9}')

"""opsbook.run_policy: a whole maintenance pass from Python against a real socket and a real
HTTP receiver (state kept between passes, the run lock, bad options), and policies in YAML
read by Runner.from_yaml / Runner.from_file with errors naming the file and the line."""

import fcntl
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import opsbook

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "policies"))
import standins  # noqa: E402


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def hook() -> Iterator[standins.StandIn]:
    """The example stand-ins' receiver (examples/policies/standins.py), for the webhook."""
    r = standins.start("receiver")
    yield r
    r.stop()


def write_policy(tmp_path: Path, port: int, hook_port: int) -> Path:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f"""version = 1
[[checks]]
name = "api"
type = "tcp"
host = "127.0.0.1"
port = {port}

[[rules]]
name = "APIDown"
metric = "opsbook_check_status"
match = {{ check = "api" }}
alert_when = "at_or_above 2"
severity = "critical"
annotations = {{ summary = "接口无响应" }}

[escalation.route]
receiver = "ops"
group_wait = "0s"

[[channels]]
name = "hook"
receiver = "ops"
type = "webhook"
url = "http://127.0.0.1:{hook_port}/alerts"

[maintenance]
title = "示例平台"
tz = "Asia/Shanghai"
""",
        encoding="utf-8",
    )
    return policy


def test_a_pass_sends_once_and_keeps_state(tmp_path: Path, hook: standins.StandIn) -> None:
    policy = write_policy(tmp_path, closed_port(), hook.port)
    state = tmp_path / "state.json"
    first = opsbook.run_policy(policy, state=state, now=1795400000.0, send=True)
    assert first.status == opsbook.Status.CRITICAL
    assert isinstance(first.report, opsbook.report.Report)
    text = first.report.to_text()
    assert text.startswith("=== 示例平台每日检查 ")
    assert "  ✓ firing → ops/hook (webhook): APIDown 已发送" in text
    data = first.to_json()
    assert [n["state"] for n in data["notifications"]] == ["delivered"]
    assert len(hook.bodies()) == 1 and hook.bodies()[0]["status"] == "firing"
    second = opsbook.run_policy(policy, state=state, now=1795400060.0, send=True)
    assert second.to_json()["notifications"] == []
    assert len(hook.bodies()) == 1
    assert repr(second) == "<Pass CRITICAL>"


def test_without_send_the_notification_is_rendered_only(tmp_path: Path, hook: standins.StandIn) -> None:
    policy = write_policy(tmp_path, closed_port(), hook.port)
    out = opsbook.run_policy(policy, state=tmp_path / "s.json", now=1795400000.0).to_json()
    [note] = out["notifications"]
    assert note["state"] == "rendered" and note["requests"][0]["body"]["commonLabels"]["alertname"] == "APIDown"
    assert hook.bodies() == []


def test_the_run_lock_and_bad_options(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, closed_port(), closed_port())
    state = tmp_path / "state.json"
    with open(tmp_path / "state.json.run.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(opsbook.OpsbookIOError, match="another opsbook run holds this lock"):
            opsbook.run_policy(policy, state=state)
    with pytest.raises(opsbook.InvalidValueError, match="report"):
        opsbook.run_policy(policy, state=state, report="weekly")
    with pytest.raises(opsbook.OpsbookIOError, match="missing.toml"):
        opsbook.run_policy(tmp_path / "missing.toml", state=state)


def test_yaml_policies(tmp_path: Path) -> None:
    text = "version: 1\nchecks:\n  - name: up\n    type: command\n    argv: [\"true\"]\n"
    runner = opsbook.Runner.from_yaml(text)
    assert runner.check_names == ["up"]
    assert runner.run_sync().status == opsbook.Status.OK
    path = tmp_path / "p.yml"
    path.write_text(text + "  - name: bad\n    type: command\n    argv: [\"true\"]\n    timeout: 5 seconds\n")
    with pytest.raises(opsbook.InvalidValueError) as info:
        opsbook.Runner.from_file(path)
    assert f"{path}:9: checks[1] (bad).timeout" in str(info.value)
    path.write_text(text)
    assert opsbook.Runner.from_file(path).check_names == ["up"]

"""opsbook.Runner: checks declared in TOML/JSON, awaited or blocking, across fork()."""

import asyncio
import inspect
import json
import os
import socket
import time

import pytest

import opsbook
from opsbook import Runner, Status


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


POLICY = f"""
version = 1

[[checks]]
name = "nginx"
type = "command"
argv = ["sh", "-c", "sleep 0.5; echo active"]
tags = ["liveness"]

[[checks]]
name = "backend-port"
type = "tcp"
host = "127.0.0.1"
port = {closed_port()}
tags = ["readiness"]
"""


def test_run_is_awaitable_and_does_not_block_the_loop() -> None:
    runner = Runner.from_toml(POLICY)
    assert runner.check_names == ["nginx", "backend-port"]

    async def main() -> tuple[opsbook.HealthReport, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        report = await runner.run()
        task.cancel()
        return report, ticks

    report, ticks = asyncio.run(main())
    assert ticks >= 10, f"the event loop turned only {ticks} times during a 0.5 s check"
    assert [c.status for c in report.checks] == [Status.OK, Status.CRITICAL]
    assert report.status == Status.CRITICAL
    assert "refused" in (report.checks[1].error or "")


def test_run_sync_and_tags() -> None:
    runner = Runner.from_toml(POLICY)
    live = runner.run_sync(tag="liveness")
    assert [c.name for c in live.checks] == ["nginx"] and live.status == Status.OK
    doc = json.loads(runner.run_sync().to_json())
    assert doc["status"] == "CRITICAL" and doc["exit_code"] == 2


def test_run_is_a_coroutine_that_asyncio_run_accepts() -> None:
    runner = Runner.from_toml(POLICY)
    coroutine = runner.run(tag="liveness")
    assert inspect.iscoroutine(coroutine)
    assert asyncio.run(coroutine).status == Status.OK
    with pytest.raises(RuntimeError, match="no running event loop"):
        runner._start()


def test_bad_policies_raise_with_the_key() -> None:
    with pytest.raises(opsbook.InvalidValueError, match="prot"):
        Runner.from_toml('version = 1\n[[checks]]\nname = "x"\ntype = "tcp"\nhost = "h"\nport = 1\nprot = 2\n')
    with pytest.raises(ValueError, match="not JSON"):
        Runner.from_json("{")


def server(var: str) -> str:
    url = os.environ.get(var)
    if url is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{var} is not set: run scripts/test.sh")
        pytest.skip(f"{var} is not set")
    return url


def test_real_redis_and_postgres_from_env_secrets() -> None:
    server("OPSBOOK_TEST_REDIS_URL")
    server("OPSBOOK_TEST_POSTGRES_URL")
    runner = Runner.from_json(
        json.dumps(
            {
                "version": 1,
                "checks": [
                    {"name": "cache", "type": "redis", "url_env": "OPSBOOK_TEST_REDIS_URL"},
                    {"name": "db", "type": "postgres", "dsn_env": "OPSBOOK_TEST_POSTGRES_URL",
                     "thresholds": {"connections_used": {"warn": {"at_or_above": 80}, "crit": {"at_or_above": 90}}}},
                ],
            }
        )
    )
    report = asyncio.run(runner.run())
    assert report.status == Status.OK, report.to_table()


def test_runner_works_in_a_forked_child() -> None:
    runner = Runner.from_toml(POLICY)
    assert runner.run_sync(tag="liveness").status == Status.OK  # the parent's runtime exists now
    pid = os.fork()
    if pid == 0:
        try:
            ok = runner.run_sync(tag="liveness").status == Status.OK
            ok = ok and asyncio.run(runner.run(tag="liveness")).status == Status.OK
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(2)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    pytest.fail("the forked child hung running checks")

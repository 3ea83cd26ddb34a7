"""The embedding examples started as users start them and queried over HTTP:
examples/fastapi_app.py under uvicorn, examples/express_app.js under node, and
examples/c/health_server.c compiled against the C library. Each serves examples/service.toml:
its /health must report the upstream stand-in as passing, its /metrics the upstream's
latency; then the upstream is stopped and /health must answer 503 — and the Python and Node
services, which evaluate the policy's rules in the background, must deliver the
UpstreamDown notification to the webhook (Alertmanager's payload) and list it as firing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "policies"))
import standins  # noqa: E402

TARGET = ROOT / "target" / "x86_64-unknown-linux-gnu"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def webhook() -> Iterator[standins.StandIn]:
    """The stand-ins' receiver, standing for the alert webhook."""
    r = standins.start("receiver")
    yield r
    r.stop()


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def wait_until(what: str, ok: Any, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = ok()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def serve(argv: list[str], port: int, env: dict[str, str], cwd: Path = ROOT) -> subprocess.Popen[str]:
    proc = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"{argv[0]} exited {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    wait_until(f"{argv} to listen on {port}", up, 60)
    return proc


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def upstream_status(body: str) -> str:
    """The upstream check's status in a health+json body: fail if any of its entries fails."""
    doc = json.loads(body)
    statuses = {e["status"] for k, v in doc["checks"].items() if k.split(":")[0] == "upstream" for e in v}
    assert statuses, body
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"


def exercise(base: str, upstream: standins.StandIn, webhook: standins.StandIn, evaluates: bool) -> None:
    status, ctype, body = get(f"{base}/health")
    assert ctype.startswith("application/health+json"), ctype
    assert upstream_status(body) == "pass", body
    assert status in (200, 503)  # this machine's disk and memory decide the rest
    status, _, body = get(f"{base}/metrics")
    assert status == 200 and "opsbook_upstream_latency_seconds " in body, body
    assert 'opsbook_check_status{check="upstream"} 0' in body

    upstream.stop()
    status, _, body = get(f"{base}/health")
    assert status == 503 and upstream_status(body) == "fail", body
    if evaluates:
        payload = wait_until(
            "the UpstreamDown notification",
            lambda: next((b for b in webhook.bodies() if b["groupLabels"] == {"alertname": "UpstreamDown"}), None),
        )
        assert payload["version"] == "4" and payload["status"] == "firing" and payload["receiver"] == "ops"
        assert payload["alerts"][0]["annotations"]["description"] == "upstream /health: status 2"
        firing = wait_until("/ops/alerts", lambda: json.loads(get(f"{base}/ops/alerts")[2]))
        assert [a["alertname"] for a in firing] == ["UpstreamDown"]


def env_for(upstream: standins.StandIn, hook_url: str) -> dict[str, str]:
    return {
        "EXAMPLE_UPSTREAM_URL": f"http://127.0.0.1:{upstream.port}/health",
        "EXAMPLE_ALERT_WEBHOOK": hook_url,
        "OPSBOOK_EVAL_SECONDS": "0.5",
    }


def test_fastapi_app(webhook: standins.StandIn) -> None:
    upstream = standins.start("http")
    port = free_port()
    proc = serve([sys.executable, "-m", "uvicorn", "examples.fastapi_app:app", "--port", str(port), "--log-level", "warning"],
                 port, env_for(upstream, f"{webhook.url}/alerts"))
    try:
        assert get(f"http://127.0.0.1:{port}/api/hello")[2] == '{"hello":"world"}'
        exercise(f"http://127.0.0.1:{port}", upstream, webhook, evaluates=True)
    finally:
        stop(proc)
        upstream.stop()


def test_express_app(webhook: standins.StandIn, tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "node is not installed"
    # `require("opsbook")` resolves to the package built in bindings-node, Express to its devDependency.
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "opsbook").symlink_to(ROOT / "bindings-node")
    upstream = standins.start("http")
    port = free_port()
    env = {**env_for(upstream, f"{webhook.url}/alerts"), "PORT": str(port),
           "NODE_PATH": f"{tmp_path / 'modules'}:{ROOT / 'bindings-node' / 'node_modules'}"}
    proc = serve([node, "examples/express_app.js"], port, env)
    try:
        exercise(f"http://127.0.0.1:{port}", upstream, webhook, evaluates=True)
    finally:
        stop(proc)
        upstream.stop()


def test_c_health_server(webhook: standins.StandIn, tmp_path: Path) -> None:
    lib = TARGET / "debug" / "libopsbook_ffi.a"
    assert lib.exists(), f"{lib}: build opsbook-ffi first"
    exe = tmp_path / "health_server"
    subprocess.run(
        ["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", str(ROOT / "ffi" / "include"),
         str(ROOT / "examples" / "c" / "health_server.c"), str(lib), "-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm",
         "-ldl", "-o", str(exe)],
        check=True,
    )
    upstream = standins.start("http")
    port = free_port()
    proc = serve([str(exe), str(ROOT / "examples" / "service.toml"), str(port)], port, env_for(upstream, f"{webhook.url}/alerts"))
    try:
        assert get(f"http://127.0.0.1:{port}/nosuch")[0] == 404
        exercise(f"http://127.0.0.1:{port}", upstream, webhook, evaluates=False)
    finally:
        stop(proc)
        upstream.stop()

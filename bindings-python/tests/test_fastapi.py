"""opsbook.fastapi with a real FastAPI app served by uvicorn (two worker processes) and real
HTTP requests."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator, Tuple

import pytest


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


def get(url: str) -> Tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


APP = """
from pathlib import Path
from fastapi import FastAPI
import opsbook
from opsbook.fastapi import mount_health

app = FastAPI()
mount_health(app, opsbook.Runner.from_toml(Path("policy.toml").read_text()), detailed={detailed})
"""


def serve(tmp: Path, detailed: bool, workers: int, gunicorn: bool = False) -> Iterator[str]:
    (tmp / "policy.toml").write_text(
        textwrap.dedent(
            f"""
            version = 1
            [[checks]]
            name = "nginx"
            type = "command"
            argv = ["sh", "-c", "echo active"]
            tags = ["liveness"]
            [[checks]]
            name = "backend-port"
            type = "tcp"
            host = "127.0.0.1"
            port = {free_port()}
            tags = ["readiness"]
            """
        )
    )
    app = APP.format(detailed=detailed)
    if gunicorn:
        # Run the checks once in the master, so its runtime exists before the workers fork.
        app += "\nassert opsbook.Runner.from_toml(Path('policy.toml').read_text()).run_sync(tag='liveness').status == opsbook.Status.OK\n"
    (tmp / "app.py").write_text(app)
    port = free_port()
    if gunicorn:
        command = [sys.executable, "-m", "gunicorn", "--preload", "-k", "uvicorn_worker.UvicornWorker",
                   "-w", str(workers), "-b", f"127.0.0.1:{port}", "app:app"]
    else:
        command = [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(workers)]
    proc = subprocess.Popen(
        command,
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(base + "/health/live")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"uvicorn did not start: {err}")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def detailed_server(tmp_path: Path) -> Iterator[str]:
    yield from serve(tmp_path, detailed=True, workers=2)


@pytest.fixture
def gunicorn_server(tmp_path: Path) -> Iterator[str]:
    yield from serve(tmp_path, detailed=True, workers=2, gunicorn=True)


@pytest.fixture
def public_server(tmp_path: Path) -> Iterator[str]:
    yield from serve(tmp_path, detailed=False, workers=1)


def test_health_endpoints_with_two_workers(detailed_server: str) -> None:
    for _ in range(6):  # spread over both worker processes
        status, ctype, body = get(detailed_server + "/health/live")
        assert (status, ctype) == (200, "application/health+json")
        doc = json.loads(body)
        assert doc["status"] == "pass"
        assert doc["checks"]["nginx:exit_code"][0]["observedValue"] == 0
    status, _, body = get(detailed_server + "/health/ready")
    assert status == 503
    doc = json.loads(body)
    assert doc["status"] == "fail"
    assert "refused" in doc["checks"]["backend-port"][0]["output"]
    status, _, body = get(detailed_server + "/health")
    assert status == 503 and set(json.loads(body)["checks"]) >= {"nginx:exit_code", "backend-port"}
    status, ctype, body = get(detailed_server + "/metrics")
    assert status == 200 and ctype.startswith("text/plain; version=0.0.4")
    assert 'opsbook_check_status{check="backend-port"} 2' in body
    assert 'opsbook_check_status{check="nginx"} 0' in body


def test_public_health_shows_only_the_status(public_server: str) -> None:
    status, _, body = get(public_server + "/health")
    assert (status, body) == (503, '{"status":"fail"}')
    assert get(public_server + "/health/live")[2] == '{"status":"pass"}'


def test_gunicorn_workers_forked_after_the_runtime_started(gunicorn_server: str) -> None:
    for _ in range(6):
        status, _, body = get(gunicorn_server + "/health/live")
        assert status == 200 and json.loads(body)["status"] == "pass"
    assert get(gunicorn_server + "/health/ready")[0] == 503

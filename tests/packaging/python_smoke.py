"""Imports and uses the opsbook wheel installed in a fresh virtualenv (run from outside the
source tree), then serves the FastAPI example from it.

Usage: python python_smoke.py SOURCE_TREE
"""

import importlib.util
import pathlib
import sys
import tomllib

root = pathlib.Path(sys.argv[1])
# Nothing from the source tree (the virtualenv itself may live under it, in target/).
sys.path = [p for p in sys.path if not p.startswith(str(root)) or p.startswith(sys.prefix)]

import opsbook  # noqa: E402
from opsbook import backup, rules  # noqa: E402

installed = pathlib.Path(opsbook.__file__).parent
assert pathlib.Path(sys.prefix) in installed.parents, f"opsbook not imported from the virtualenv: {installed}"
version = tomllib.loads((root / "Cargo.toml").read_text())["workspace"]["package"]["version"]
assert opsbook.__version__ == version, (opsbook.__version__, version)
assert (installed / "py.typed").exists() and (installed / "_opsbook.pyi").exists(), "stubs missing from the wheel"

t = opsbook.Threshold(warn="above 70", crit="above 90")
assert t.evaluate(95.0) == opsbook.Status.CRITICAL
engine = rules.RuleEngine([{"name": "HighCPU", "metric": "cpu", "alert_when": "above 80"}])
assert [e.kind for e in engine.evaluate(0, [rules.Sample("cpu", 91.0)])] == ["pending", "firing"]
case = next(c for c in __import__("json").loads((root / "tests/vectors/manifests.json").read_text())["cases"] if "files" in c)
assert backup.Manifest.parse(case["manifest"].encode()).to_bytes() == case["manifest"].encode()

# The FastAPI example serves examples/service.toml: its upstream is a local server here, and
# its rules are evaluated in the background (an upstream that answers fires nothing).
import http.server  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402


class Upstream(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
threading.Thread(target=upstream.serve_forever, daemon=True).start()
os.environ["EXAMPLE_UPSTREAM_URL"] = f"http://127.0.0.1:{upstream.server_address[1]}/health"
os.environ["EXAMPLE_ALERT_WEBHOOK"] = "http://127.0.0.1:9/alerts"
spec = importlib.util.spec_from_file_location("example_app", root / "examples/fastapi_app.py")
assert spec and spec.loader
app_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app_module)
import warnings  # noqa: E402

warnings.simplefilter("ignore", DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

with TestClient(app_module.app) as client:
    assert client.get("/api/hello").json() == {"hello": "world"}
    health = client.get("/health")
    assert health.status_code in (200, 503) and health.headers["content-type"].startswith("application/health+json")
    # Liveness reports this host's health too (a full disk answers 503): either answer is a working endpoint.
    assert client.get("/health/live").status_code in (200, 503)
    assert client.get("/health/ready").status_code == 200, "the upstream answers"
upstream.shutdown()
print(f"opsbook {opsbook.__version__} from {installed}: import, use and the FastAPI example work")

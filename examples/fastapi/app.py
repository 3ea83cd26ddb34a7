"""A FastAPI service that reports its health with opsbook.

Run:  OPSBOOK_POLICY=examples/fastapi/policy.toml uvicorn examples.fastapi.app:app --port 8000
Then: curl -i localhost:8000/health ; curl localhost:8000/health/ready ; curl localhost:8000/metrics
"""

import os
from pathlib import Path

from fastapi import FastAPI, Request

import opsbook
from opsbook.fastapi import mount_health

POLICY = Path(os.environ.get("OPSBOOK_POLICY", Path(__file__).with_name("policy.toml")))

app = FastAPI(title="education-api")
runner = opsbook.Runner.from_toml(POLICY.read_text(encoding="utf-8"))


def is_operator(request: Request) -> bool:
    # Details (checks and values) only for callers on this host.
    return request.client is not None and request.client.host in ("127.0.0.1", "::1")


mount_health(app, runner, detailed=is_operator)


@app.get("/api/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}

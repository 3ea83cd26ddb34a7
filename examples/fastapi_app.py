"""A FastAPI service embedding opsbook: its health endpoints and its alert rules, in process.

- ``GET /health``: ``application/health+json`` (200, or 503 when a check is CRITICAL); the
  checks and their values only for callers on this host, the status alone for others.
- ``GET /health/live`` and ``/health/ready``: the checks tagged liveness / readiness.
- ``GET /metrics``: Prometheus text (``opsbook_<check>_<measurement>``).
- In the background, every ``OPSBOOK_EVAL_SECONDS`` (default 15): the checks run, the
  policy's rules are evaluated on their results (Prometheus' semantics: pending, firing,
  resolved) and each notification is delivered to the policy's webhook channel.
- ``GET /ops/alerts``: what fires now.

Run::

    EXAMPLE_UPSTREAM_URL=http://127.0.0.1:8001/health EXAMPLE_ALERT_WEBHOOK=http://127.0.0.1:9000/alerts \\
        uvicorn examples.fastapi_app:app --port 8000
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request

import opsbook
from opsbook.alert import Channel
from opsbook.fastapi import mount_health
from opsbook.rules import AlertPipeline

POLICY = Path(os.environ.get("OPSBOOK_POLICY", Path(__file__).with_name("service.toml")))
EVERY = float(os.environ.get("OPSBOOK_EVAL_SECONDS", "15"))

runner = opsbook.Runner.from_file(POLICY)
pipeline = AlertPipeline.from_toml(POLICY.read_text(encoding="utf-8"))
webhook = Channel.from_policy(POLICY, "ops-webhook")
firing: dict[str, dict[str, Any]] = {}
log = logging.getLogger("example")


async def evaluate_rules() -> None:
    while True:
        report = await runner.run()
        outcome = pipeline.evaluate(time.time(), report.samples())
        for event in outcome["events"]:
            if event.kind == "firing":
                firing[event.fingerprint] = {"alertname": event.rule, "labels": event.labels, "value": event.value}
            elif event.kind == "resolved":
                firing.pop(event.fingerprint, None)
        for notification in outcome["notifications"]:
            # Delivery blocks on the network: off the event loop.
            for delivery in await asyncio.to_thread(webhook.send, notification):
                if not delivery["delivered"]:
                    log.warning("alert not delivered: %s", delivery["attempts"][-1])
        await asyncio.sleep(EVERY)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    task = asyncio.create_task(evaluate_rules())
    yield
    task.cancel()


app = FastAPI(title="education-api", lifespan=lifespan)


def is_operator(request: Request) -> bool:
    # Details (checks and values) only for callers on this host.
    return request.client is not None and request.client.host in ("127.0.0.1", "::1")


mount_health(app, runner, detailed=is_operator)


@app.get("/ops/alerts")
async def alerts() -> list[dict[str, Any]]:
    return list(firing.values())


@app.get("/api/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}

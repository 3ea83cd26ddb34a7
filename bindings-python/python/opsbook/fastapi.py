"""Health endpoints for FastAPI apps, served from an opsbook Runner.

    from fastapi import FastAPI
    import opsbook
    from opsbook.fastapi import mount_health

    app = FastAPI()
    runner = opsbook.Runner.from_toml(open("policy.toml").read())
    mount_health(app, runner)

mounts ``GET /health`` (application/health+json; 200, or 503 when a check is CRITICAL),
``/health/live`` and ``/health/ready`` (checks tagged ``liveness`` / ``readiness``) and
``/metrics`` (Prometheus text exposition). ``/health`` is public (status only) unless
``detailed`` is True or a function of the request that returns True: checks and values
can reveal internals, so the embedder decides who sees them.
"""

from __future__ import annotations

from typing import Callable as _Callable
from typing import Optional as _Optional
from typing import Union as _Union

# Imported under private names so that this module exports only its own API.
import fastapi as _fastapi

from ._opsbook import HealthReport as _HealthReport
from ._opsbook import Runner as _Runner

HEALTH_JSON = "application/health+json"
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"

Detailed = _Union[bool, _Callable[[_fastapi.Request], bool]]


def health_router(runner: _Runner, *, detailed: Detailed = False, prefix: str = "") -> _fastapi.APIRouter:
    """An APIRouter with the health and metrics endpoints of `runner`."""
    router = _fastapi.APIRouter(prefix=prefix)

    def respond(report: _HealthReport, request: _fastapi.Request) -> _fastapi.Response:
        show = detailed(request) if callable(detailed) else detailed
        return _fastapi.Response(
            content=report.to_health_json(detailed=show),
            status_code=report.status.http_status,
            media_type=HEALTH_JSON,
            headers={"Cache-Control": "no-store"},
        )

    async def run(tag: _Optional[str]) -> _HealthReport:
        return await runner.run(tag=tag)

    @router.get("/health", include_in_schema=False)
    async def health(request: _fastapi.Request) -> _fastapi.Response:
        return respond(await run(None), request)

    @router.get("/health/live", include_in_schema=False)
    async def live(request: _fastapi.Request) -> _fastapi.Response:
        return respond(await run("liveness"), request)

    @router.get("/health/ready", include_in_schema=False)
    async def ready(request: _fastapi.Request) -> _fastapi.Response:
        return respond(await run("readiness"), request)

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> _fastapi.Response:
        report = await run(None)
        return _fastapi.Response(content=report.to_prometheus(), media_type=PROMETHEUS_TEXT)

    return router


def mount_health(app: _fastapi.FastAPI, runner: _Runner, *, detailed: Detailed = False, prefix: str = "") -> None:
    """Adds the health and metrics endpoints of `runner` to `app`."""
    app.include_router(health_router(runner, detailed=detailed, prefix=prefix))

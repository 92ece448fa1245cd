"""The FastAPI application: API under /api/v1, the dashboard at /.

>>> from border21.service.config import ServiceConfig
>>> app = create_app(ServiceConfig(data_dir=None))
>>> app.openapi_url
'/api/v1/openapi.json'
>>> app.state.service.close()  # the lifespan does this when a server stops
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from border21 import __version__
from border21.i18n.http import request_language
from border21.service import (
    dashboard,
    problems,
    routes_agency,
    routes_border,
    routes_data,
    routes_frontier,
    routes_ports,
    routes_regions,
)
from border21.service.admission import EarlyRefusal
from border21.service.config import ServiceConfig
from border21.service.state import ServiceState

DESCRIPTION = """Decision support for a 21st-century US–Mexico border: port simulation,
indicators, risk scoring and the security–trade frontier, with agency-scoped records.

Every endpoint except health and readiness needs `Authorization: Bearer <token>`
(`border21 users add`). Errors are RFC 9457 `application/problem+json`.
Request bodies over the documented limit (1 MiB by default) get 413."""


def create_app(config: ServiceConfig, *, state: ServiceState | None = None) -> FastAPI:
    """Build the app over ``config`` (or an existing ``state``, for tests and the CLI)."""
    service = state or ServiceState(config)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if state is None:
            service.close()

    app = FastAPI(
        title="border21",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; the service works offline
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    problems.install(app)
    app.add_middleware(problems.BodyLimit, max_bytes=service.config.max_body_bytes)
    # added last, so outermost: a refused heavy request never reaches the body limit or routing
    app.add_middleware(EarlyRefusal, gate=service.gate, tokens=service.known_tokens)

    @app.get("/api/v1/health", tags=["health"], summary="Liveness")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get(
        "/api/v1/ready",
        tags=["health"],
        summary="Readiness: database and scenarios available",
        responses={503: {"description": "Not ready"}},
    )
    def ready(request: Request) -> JSONResponse:
        from border21.ports.catalog import shipped_scenarios

        try:
            service.db.query("SELECT 1")
            ok = bool(shipped_scenarios())
        except Exception:  # readiness must answer, whatever broke
            ok = False
        if not ok:
            return problems.problem(
                503,
                "database or scenarios unavailable",
                slug="not-ready",
                lang=request_language(request),
            )
        return JSONResponse({"status": "ready"})

    for module in (
        routes_ports,
        routes_data,
        routes_frontier,
        routes_border,
        routes_regions,
        routes_agency,
    ):
        app.include_router(module.router)
    app.include_router(dashboard.router)
    return app

"""RFC 9457 problem details for every error, and the request-body size limit.

Every 4xx (and the 500 that should never happen) is ``application/problem+json``
with ``type``, ``title``, ``status`` and ``detail``; validation problems add an
``errors`` list naming each bad field. No response ever carries a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from border21.errors import InputError, NotFoundError
from border21.i18n import DEFAULT, N_, translate
from border21.i18n.http import request_language, scope_language
from border21.service.access import AccessDenied
from border21.service.gate import Busy
from border21.service.jobs import TooManyJobs

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://border21.invalid/problems/"
log = logging.getLogger("border21.service")

# Titles are translated by the request's language (Accept-Language, ?lang=, the
# dashboard's cookie); ``type`` URIs and ``detail`` stay as they are.
_TITLES = {
    400: N_("Bad request"), 401: N_("Unauthorized"), 403: N_("Forbidden"), 404: N_("Not found"),
    405: N_("Method not allowed"), 406: N_("Not acceptable"), 409: N_("Conflict"),
    413: N_("Content too large"), 415: N_("Unsupported media type"), 422: N_("Invalid input"),
    429: N_("Too many requests"), 500: N_("Internal server error"),
    503: N_("Service unavailable"),
}  # fmt: skip
_ERROR = N_("Error")


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    lang: str = DEFAULT,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response, its ``title`` in ``lang``."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": translate(lang, _TITLES.get(status, _ERROR)),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = {"Content-Language": lang, "Vary": "Accept-Language, Cookie", **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class ProblemException(Exception):
    """Raised by handlers to return a specific problem."""

    def __init__(
        self, status: int, detail: str, *, slug: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.slug, self.headers = status, detail, slug, headers


def _validation_errors(exc: RequestValidationError) -> tuple[int, str, list[dict[str, Any]]]:
    errors = []
    malformed = False
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if err.get("type") == "json_invalid":
            malformed = True
        errors.append({"field": ".".join(loc), "message": str(err.get("msg", "invalid"))})
    if malformed:
        return 400, "the request body is not valid JSON", errors[:1]
    first = errors[0] if errors else {"field": "", "message": "invalid"}
    return 422, f"{first['field']}: {first['message']}", errors[:20]


def _at(request: Request) -> dict[str, Any]:
    """A problem's ``instance`` and the language of its title, from the request."""
    return {"instance": request.url.path, "lang": request_language(request)}


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        status, detail, errors = _validation_errors(exc)
        slug = "malformed-json" if status == 400 else "invalid-input"
        return problem(
            status,
            detail,
            slug=slug,
            **_at(request),
            errors=errors,
        )

    async def on_input(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InputError)
        errors = [{"field": exc.field, "message": exc.reason}]
        return problem(
            422,
            str(exc),
            slug="invalid-input",
            **_at(request),
            errors=errors,
        )

    async def on_not_found(request: Request, exc: Exception) -> JSONResponse:
        return problem(404, str(exc), slug="not-found", **_at(request))

    async def on_denied(request: Request, exc: Exception) -> JSONResponse:
        return problem(403, str(exc), slug="forbidden", **_at(request))

    async def on_busy(request: Request, exc: Exception) -> JSONResponse:
        return problem(429, str(exc), slug="too-many-jobs", **_at(request),
                       headers={"Retry-After": "10"})  # fmt: skip

    async def on_gate(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Busy)
        return problem(429, str(exc), slug="busy", **_at(request),
                       headers={"Retry-After": str(exc.retry_after_s)})  # fmt: skip

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemException)
        return problem(
            exc.status,
            exc.detail,
            slug=exc.slug,
            **_at(request),
            headers=exc.headers,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        return problem(
            exc.status_code,
            detail,
            **_at(request),
            headers=dict(exc.headers) if exc.headers else None,
        )

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "internal error; the server log has the details",
                       **_at(request))  # fmt: skip

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(InputError, on_input)
    app.add_exception_handler(NotFoundError, on_not_found)
    app.add_exception_handler(AccessDenied, on_denied)
    app.add_exception_handler(TooManyJobs, on_busy)
    app.add_exception_handler(Busy, on_gate)
    app.add_exception_handler(ProblemException, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with 413 problem+json.

    Checks ``Content-Length`` first, then counts streamed chunks (a chunked
    upload cannot slip past the limit).
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._reject(scope, receive, send)
            return
        if length is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            chunks: list[bytes] = []
            size = 0
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_bytes:
                    await self._reject(scope, receive, send)
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
            body = b"".join(chunks)
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            f"request body larger than the limit of {self.max_bytes} bytes",
            slug="too-large",
            instance=scope.get("path"),
            lang=scope_language(scope),
            limit_bytes=self.max_bytes,
        )
        await response(scope, receive, send)

"""The language of an HTTP request: ``?lang=`` > the dashboard's cookie >
``Accept-Language`` > English.

>>> choose(query="es", cookie="en", accept="en")
'es'
>>> choose(query=None, cookie=None, accept="es-MX,es;q=0.9,en;q=0.8")
'es'
>>> choose(query="xx", cookie=None, accept=None)
'en'
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import Scope

from border21.i18n import DEFAULT, negotiate, normalize

COOKIE = "border21_lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600


def choose(*, query: str | None, cookie: str | None, accept: str | None) -> str:
    return normalize(query) or normalize(cookie) or negotiate(accept) or DEFAULT


def request_language(request: HTTPConnection) -> str:
    return choose(
        query=request.query_params.get("lang"),
        cookie=request.cookies.get(COOKIE),
        accept=request.headers.get("accept-language"),
    )


def scope_language(scope: Scope) -> str:
    """The same choice from a raw ASGI scope (for middleware that has no Request)."""
    if scope.get("type") not in ("http", "websocket"):
        return DEFAULT
    return request_language(HTTPConnection(scope))

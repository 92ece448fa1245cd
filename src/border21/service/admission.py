"""Refuse a heavy request of a user already at their cap before the web stack touches it.

A client that sends fifty simulations at once gets forty-nine 429s from the work
gate; if it comes back in bursts, each refusal through routing, body parsing
and validation costs a millisecond or two of the event loop, and a burst of
fifty delays everyone's cheap requests by tens of milliseconds. This ASGI
middleware answers those refusals from the ``Authorization`` header alone
(SHA-256 of the token → the user id remembered from an earlier successful
sign-in → :meth:`WorkGate.check`), in well under a millisecond. A token it has
not seen takes the normal path (authentication, then the same check).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from starlette.types import ASGIApp, Receive, Scope, Send

from border21.i18n.http import scope_language
from border21.service.auth import hash_token
from border21.service.gate import Busy, WorkGate
from border21.service.problems import problem

HEAVY_PATHS = frozenset({"/api/v1/simulations", "/api/v1/frontier"})


class KnownTokens:
    """Token hash → user id of recent successful sign-ins (at most ``size``, LRU)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, token_hash: str, user_id: int) -> None:
        with self._lock:
            self._ids[token_hash] = user_id
            self._ids.move_to_end(token_hash)
            while len(self._ids) > self.size:
                self._ids.popitem(last=False)

    def user(self, token_hash: str) -> int | None:
        with self._lock:
            return self._ids.get(token_hash)


class EarlyRefusal:
    """ASGI middleware: 429 for a known user's heavy POST while the gate would refuse it."""

    def __init__(self, app: ASGIApp, *, gate: WorkGate, tokens: KnownTokens) -> None:
        self.app, self.gate, self.tokens = app, gate, tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and scope.get("path") in HEAVY_PATHS
        ):
            header = dict(scope.get("headers") or []).get(b"authorization", b"")
            scheme, _, token = header.decode("latin-1").partition(" ")
            user = self.tokens.user(hash_token(token)) if scheme.lower() == "bearer" else None
            if user is not None:
                try:
                    self.gate.check(user)
                except Busy as exc:
                    response = problem(429, str(exc), slug="busy", instance=scope.get("path"),
                                       lang=scope_language(scope),
                                       headers={"Retry-After": str(exc.retry_after_s)})  # fmt: skip
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)

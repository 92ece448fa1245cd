"""Test support: a service with users and demo records, and a warning-free test client.

Used by border21's own tests and handy for integrators' tests::

    with make_service(tmp_path, users={"ana": ("us-cbp", "admin")}) as svc:
        client = svc.client()
        client.get("/api/v1/me", headers=svc.auth("ana"))

Leaving the ``with`` block (or calling :meth:`TestService.close`) stops the
job threads and closes the service's databases.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from border21._closing import Closing
from border21.service.access import utc_now
from border21.service.config import ServiceConfig
from border21.service.state import ServiceState


def client_class() -> Any:
    """Starlette's TestClient, imported without its httpx-vs-httpx2 deprecation warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
        )
        from fastapi.testclient import TestClient
    return TestClient


@dataclass
class TestService(Closing):
    """A built app with its state and the tokens of its users."""

    __test__ = False  # not a pytest test class

    state: ServiceState
    app: Any
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def client(self) -> Any:
        return client_class()(self.app, raise_server_exceptions=False)

    def close(self) -> None:
        """Stop the jobs and close the databases (the app's lifespan leaves them open)."""
        self.state.close()


def make_service(
    data_dir: Path | None,
    *,
    users: dict[str, tuple[str, str]],
    demo_data: bool = True,
    clock: Callable[[], str] = utc_now,
    **config: Any,
) -> TestService:
    """A service over ``data_dir`` with ``users`` (name → (agency, role)) created."""
    from border21.service.app import create_app
    from border21.service.auth import add_user

    state = ServiceState(ServiceConfig(data_dir=data_dir, **config), clock=clock)
    try:
        if demo_data:
            from border21.service.demo_data import seed_demo_records

            seed_demo_records(state.data)
        tokens = {
            name: add_user(state.db, name, agency=agency, role=role, now=utc_now())
            for name, (agency, role) in users.items()
        }
        return TestService(state=state, app=create_app(state.config, state=state), tokens=tokens)
    except BaseException:
        state.close()
        raise

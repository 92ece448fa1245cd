"""E2E (property-based): Schemathesis generates requests from the OpenAPI spec —
valid and invalid — and no response may be a server error.

Bounded: a few examples per operation, small work limits on the service.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from border21.service.budget import RoleLimits  # noqa: E402
from border21.service.testing import TestService, make_service  # noqa: E402


@pytest.fixture(scope="module")
def service() -> Iterator[TestService]:
    small = RoleLimits(max_crossings=600_000, max_frontier_work=12)
    svc = make_service(
        None,
        users={"ana": ("us-cbp", "admin")},
        sync_max_crossings=150_000,
        role_limits={"viewer": small, "analyst": small, "admin": small},
        sync_max_frontier_work=6,
    )
    yield svc
    svc.state.close()


@pytest.fixture(scope="module")
def api_schema(service: TestService) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", service.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case: Any, service: TestService) -> None:
    headers = dict(case.headers or {})
    headers.setdefault("Authorization", f"Bearer {service.tokens['ana']}")
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
    assert "Traceback" not in response.text

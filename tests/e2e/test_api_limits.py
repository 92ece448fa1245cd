"""API: out-of-bounds scenario values and work are 422 problems naming key and bound, never 500;
``staffed_booths`` works as an override."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from border21.service.testing import TestService, make_service


@pytest.fixture(scope="module")
def svc() -> Iterator[TestService]:
    users = {"ana": ("us-cbp", "analyst"), "vic": ("analyst", "viewer")}
    service = make_service(None, users=users, demo_data=False, sync_per_user=1)
    yield service
    service.state.close()


@pytest.fixture(scope="module")
def client(svc: TestService) -> Any:
    return svc.client()


def _problem(response: Any) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text
    detail: str = response.json()["detail"]
    return detail


OVERRIDES = [
    ("lanes.general.lanes=1000000000", "lanes.general.lanes = 1000000000: ", "equal to 200"),
    ("streams.trucks.primary_service.mean_seconds=inf", "mean_seconds = inf", "finite number"),
    ("streams.trucks.primary_service.mean_seconds=nan", "mean_seconds = nan", "finite number"),
    ("streams.trucks.crossings_per_day=1e7", "crossings_per_day = 10000000.0", "1000000"),
    ("secondary.truck_secondary.bays=501", "secondary.truck_secondary.bays = 501", "equal to 500"),
    ("lanes.general.staffed_booths=16", "lanes.general.staffed_booths = 16", "15 booths"),
    ("lanes.nowhere.staffed_booths=3", "lanes.nowhere.staffed_booths = 'nowhere'", "no such"),
]


@pytest.mark.parametrize(("override", "field", "bound"), OVERRIDES)
def test_overrides_out_of_bounds_are_422(client, svc, override, field, bound) -> None:
    body = {"scenario": "laredo_wtb", "overrides": [override]}
    started = time.perf_counter()
    detail = _problem(client.post("/api/v1/simulations", json=body, headers=svc.auth("ana")))
    assert field in detail and bound in detail, detail
    assert time.perf_counter() - started < 5  # refused before anything is simulated


def test_too_much_work_is_422_naming_the_bound(client, svc) -> None:
    body = {"scenario": "san_ysidro", "days": 28, "replications": 20}
    detail = _problem(client.post("/api/v1/simulations", json=body, headers=svc.auth("ana")))
    assert detail.startswith("days × replications = '28 × 20'") and "20,000,000" in detail


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/api/v1/simulations", b'{"scenario": "laredo_wtb", "booth_scale": NaN}'),
        ("/api/v1/simulations", b'{"scenario": "laredo_wtb", "referral_rate": Infinity}'),
        ("/api/v1/frontier", b'{"scenario": "laredo_wtb", "rates": [-Infinity]}'),
        ("/api/v1/frontier", b'{"scenario": "laredo_wtb", "booth_scale": NaN}'),
    ],
)
def test_nan_and_infinity_in_the_body_are_422(client, svc, path, raw) -> None:
    headers = dict(svc.auth("ana"), **{"Content-Type": "application/json"})
    assert "finite number" in _problem(client.post(path, content=raw, headers=headers))


def test_staffed_booths_override_runs(client, svc) -> None:
    def mean_wait(overrides: list[str]) -> float:
        body = {"scenario": "laredo_wtb", "seed": 2, "overrides": overrides}
        r = client.post("/api/v1/simulations", json=body, headers=svc.auth("ana"))
        assert r.status_code == 200, r.text
        rows = {row["lane_group"]: row for row in r.json()["summary"]}
        return float(rows["general"]["mean_wait_min"])

    assert mean_wait(["lanes.general.staffed_booths=15"]) < mean_wait([])


NON_FINITE = [
    ("/api/v1/score", '{"declarations": [{"date": "2024-01-01", "value": Infinity}]}'),
    ("/api/v1/score", '{"declarations": [{"date": "2024-01-01"}], "budget_pct": -Infinity}'),
    ("/api/v1/records", '{"kind": "seizure", "records": [{"pounds": NaN}]}'),
]


@pytest.mark.parametrize(("path", "body"), NON_FINITE)
def test_non_finite_numbers_in_a_body_are_422(client: Any, svc: TestService, path, body) -> None:
    headers = {**svc.auth("ana"), "content-type": "application/json"}
    _problem(client.post(path, content=body, headers=headers))


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_non_finite_numbers_in_a_query_are_422(client: Any, svc: TestService, value: str) -> None:
    url = f"/api/v1/targeting/selection?budget_pct={value}"
    _problem(client.get(url, headers=svc.auth("ana")))


VIEWER_LIMITS = [
    ({"overrides": ["lanes.general.lanes=150"]}, "lanes = 168: at most 120 in one port"),
    ({"overrides": ["lanes.general.booths_per_lane=20"]}, "booths = 318: at most 250"),
    ({"overrides": ["secondary.truck_secondary.bays=200"]}, "bays = 224: at most 120"),
    ({"days": 28, "replications": 4}, "days × replications = '28 × 4': at most 100"),
]


@pytest.mark.parametrize(("body", "message"), VIEWER_LIMITS)
def test_a_viewer_is_held_to_the_viewer_limits(client, svc, body, message) -> None:
    started = time.perf_counter()
    request = {"scenario": "laredo_wtb", **body}
    detail = _problem(client.post("/api/v1/simulations", json=request, headers=svc.auth("vic")))
    assert detail.startswith(message) and detail.endswith("for the viewer role"), detail
    assert time.perf_counter() - started < 5  # refused before anything is simulated


def test_the_analyst_role_has_its_own_larger_limits(svc) -> None:
    from border21.ports.catalog import load_scenario
    from border21.service.budget import check_simulation

    sc = load_scenario("laredo_wtb", ["lanes.general.lanes=150"])
    limits = svc.state.config.limits_for("analyst")
    assert check_simulation(sc, days=28, replications=4, limits=limits, role="analyst") > 0


def test_a_viewer_sweep_is_bounded(client, svc) -> None:
    body = {"scenario": "laredo_wtb", "variants": ["baseline", "ucp", "enrolment"],
            "policies": ["random", "trusted", "targeted"], "rates": [0.01, 0.02, 0.05, 0.1],
            "days": 3, "replications": 1}  # fmt: skip
    detail = _problem(client.post("/api/v1/frontier", json=body, headers=svc.auth("vic")))
    assert detail == "sweep = 108: too many task-days (at most 100 for the viewer role)"


def test_one_user_gets_429_with_retry_after_while_their_run_holds_the_gate(client, svc) -> None:
    from border21.service.access import utc_now
    from border21.service.auth import add_user

    token = add_user(svc.state.db, "wes", agency="analyst", role="viewer", now=utc_now())
    headers = {"Authorization": f"Bearer {token}"}
    user = svc.state.db.query("SELECT id FROM users WHERE name = 'wes'")[0]["id"]
    body = {"scenario": "laredo_wtb"}
    with svc.state.gate.slot(user):  # as if wes's previous simulation were still running
        # first request: an unseen token, refused after sign-in (the dependency)
        first = client.post("/api/v1/simulations", json=body, headers=headers)
        # then: refused from the header alone, before the body is even read (the middleware):
        # a body that is not even JSON gets the 429, not a 400
        raw = {**headers, "Content-Type": "application/json"}
        again = client.post("/api/v1/simulations", content=b"{not json", headers=raw)
        for r in (first, again):
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
            assert r.json()["type"].endswith("/busy") and "limit 1" in r.json()["detail"]
        # the early path trusts no token it has not seen sign in
        stranger = {"Authorization": "Bearer b21_not-a-token"}
        assert client.post("/api/v1/simulations", json=body, headers=stranger).status_code == 401
    ok = client.post("/api/v1/simulations", json=body, headers=headers)
    assert ok.status_code == 200

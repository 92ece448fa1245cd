"""E2E (API test client): regions listed, and a region solved per toll as a job, with the
same answer as the CLI's --json; only shipped regions, bounded before work starts."""

from __future__ import annotations

import time
from typing import Any

import pytest

from border21.service.testing import TestService


def test_regions_are_listed_with_their_build_options(client: Any, svc: TestService) -> None:
    body = client.get("/api/v1/regions", headers=svc.auth("out")).json()
    sd = next(r for r in body["regions"] if r["name"] == "san_diego")
    assert sd["ports"] == ["san_ysidro", "otay_mesa", "tecate"]
    assert sd["build_options"] == ["otay_mesa_east"] and "car_general" in sd["segments"]
    # the wait each segment's officers hold, or [] where its lanes keep the schedule
    bands = sd["officers_bands"]
    assert bands["san_ysidro"]["car_general"] == [
        {"lane_group": "general", "min_wait_minutes": 60.0, "max_wait_minutes": 65.0}
    ]
    assert bands["san_ysidro"]["car_sentri"] == []
    assert bands["otay_mesa_east"]["car_ready"][0]["lane_group"] == "ready"  # a build option too
    assert client.get("/api/v1/regions").status_code == 401


def test_a_region_is_solved_per_toll_as_a_job(client: Any, svc: TestService) -> None:
    from border21.regions.config import load_region, with_toll
    from border21.regions.equilibrium import solve

    h = svc.auth("out")
    body = {"region": "san_diego", "build": ["otay_mesa_east"], "tolls": [20],
            "replications": 2, "seed": 3}  # fmt: skip
    r = client.post("/api/v1/regions/simulations", json=body, headers=h)
    assert r.status_code == 202, r.text
    job = r.json()
    deadline = time.monotonic() + 180
    while job["status"] not in ("succeeded", "failed") and time.monotonic() < deadline:
        time.sleep(0.3)
        job = client.get(f"/api/v1/jobs/{job['id']}", headers=h).json()
    assert job["status"] == "succeeded", job
    result = client.get(job["result_url"], headers=h).json()
    (run,) = result["runs"]
    assert run["toll_usd"] == 20 and sum(run["share"].values()) == pytest.approx(1.0)
    # the same seed gives the CLI's answer
    region = with_toll(load_region("san_diego"), ["otay_mesa_east"], 20.0)
    direct = solve(region, build=["otay_mesa_east"], seed=3, replications=2).summary(20.0)
    assert run["share"] == pytest.approx(direct["share"])
    waits: dict[str, dict[str, float]] = direct["wait_min"]  # type: ignore[assignment]
    for port, by_segment in waits.items():
        assert run["wait_min"][port] == pytest.approx(by_segment), port


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"region": "atlantis"}, 404, "atlantis"),
        ({"region": "../etc/passwd"}, 422, "region"),
        ({"region": "san_diego", "build": ["san_ysidro"]}, 422, "build = 'san_ysidro'"),
        ({"region": "el_paso", "build": ["otay_mesa_east"]}, 422, "build = 'otay_mesa_east'"),
        ({"region": "san_diego", "tolls": [5]}, 422, "tolls"),
        ({"region": "san_diego", "build": ["otay_mesa_east"], "tolls": [-1]}, 422, "tolls"),
        ({"region": "san_diego", "replications": 11}, 422, "replications"),
        ({"region": "san_diego", "replications": 1}, 422, "replications"),
        ({"region": "san_diego", "overrides": ["equilibrium.days=14"]}, 422, "overrides"),
        ({"region": "san_diego", "seed": -1}, 422, "seed"),
    ],
)
def test_region_requests_are_checked_before_work(
    client: Any, svc: TestService, body: dict[str, Any], status: int, field: str
) -> None:
    r = client.post("/api/v1/regions/simulations", json=body, headers=svc.auth("ana"))
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in r.json()["detail"]

"""E2E (API test client): the whole border — every port with its simulated wait, and a
border-wide officer allocation run as a job — with bounds checked before any work."""

from __future__ import annotations

import time
from typing import Any

import pytest

from border21.service.testing import TestService


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text
    body: dict[str, Any] = response.json()
    return body


def _finished(client: Any, job: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    status = job["status"]
    while status not in ("succeeded", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()["status"]
    assert status == "succeeded", client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()
    result: dict[str, Any] = client.get(job["result_url"], headers=headers).json()
    return result


def test_border_ports_list_every_port_with_its_simulated_wait(
    client: Any, svc: TestService
) -> None:
    from border21.ports.catalog import border_ports

    body = client.get("/api/v1/border/ports", headers=svc.auth("out")).json()
    rows = {p["port_code"]: p for p in body["ports"]}
    assert set(rows) == {p.port_code for p in border_ports()} and len(rows) >= 25
    sy = rows["2504"]
    assert sy["name"] == "San Ysidro" and sy["state"] == "California"
    assert sy["scenario"] == "san_ysidro" and sy["provenance"] == "curated"
    assert 32 < sy["latitude"] < 33 and -118 < sy["longitude"] < -116
    assert sy["crossings_per_day"] > 50_000 and "pedestrians" in sy["modes"]
    # a calibrated port waits, with an interval; every port has a figure or says none
    assert sy["nb_mean_wait_min"] > 5 and sy["nb_mean_wait_min_ci95"] > 0
    assert all(p["nb_mean_wait_min"] is None or p["nb_mean_wait_min"] >= 0 for p in rows.values())
    assert "3 replications" in body["wait_basis"]
    assert client.get("/api/v1/border/ports").status_code == 401


def test_allocation_runs_as_a_job_and_places_every_officer_hour(
    client: Any, svc: TestService
) -> None:
    h = svc.auth("ana")
    body = {"officers": 1, "shift_hours": 4, "days": 1, "replications": 2,
            "ports": ["2504", "2506"]}  # fmt: skip
    r = client.post("/api/v1/border/allocations", json=body, headers=h)
    assert r.status_code == 202 and r.headers["location"].startswith("/api/v1/jobs/")
    _problem(client.get(r.headers["location"], headers=svc.auth("out")), 404)  # not yours
    result = _finished(client, r.json(), h)
    assert result["total_officers"] == 1 and result["shift_hours"] == 4
    placed = {row["port_code"]: row["officer_hours"] for row in result["allocation"]}
    assert set(placed) <= {"2504", "2506"} and sum(placed.values()) == 4
    assert result["delay_cost_saved_usd"] == pytest.approx(
        sum(row["delay_cost_saved_usd"] for row in result["allocation"])
    )
    assert result["delay_cost_saved_usd"] > 0
    assert all("delay_cost_saved_usd_ci95" in row for row in result["allocation"])


@pytest.mark.parametrize(
    ("user", "body", "field"),
    [
        ("out", {"officers": 51}, "officers"),  # the viewer's cap
        ("out", {"officers": -51}, "officers"),
        ("ana", {"officers": 1001}, "officers"),
        ("ana", {"officers": 10_001}, "officers"),
        ("ana", {"officers": 0}, "officers"),
        ("ana", {"officers": 1, "replications": 1}, "replications"),
        ("ana", {"officers": 1, "shift_hours": 13}, "shift_hours"),
        ("ana", {"officers": 1, "days": 8}, "days"),
        ("ana", {"officers": 1, "ports": ["9999"]}, "ports"),
        ("ana", {"officers": 1, "ports": ["../etc"]}, "ports"),
        ("ana", {"officers": "Infinity"}, "officers"),
        ("ana", {"officers": 1, "budget": 3}, "budget"),
        ("out", {"officers": 5, "days": 7, "replications": 30}, "days × replications"),
    ],
)
def test_allocation_bounds_are_checked_before_work(
    client: Any, svc: TestService, user: str, body: dict[str, Any], field: str
) -> None:
    problem = _problem(
        client.post("/api/v1/border/allocations", json=body, headers=svc.auth(user)), 422
    )
    assert field in problem["detail"], problem


def test_allocation_notes_follow_the_language_of_the_request(client: Any, svc: TestService) -> None:
    h = dict(svc.auth("ana"), **{"Accept-Language": "es-MX"})
    body = {"officers": -1, "shift_hours": 2, "days": 1, "replications": 2, "ports": ["2408"]}
    result = _finished(
        client, client.post("/api/v1/border/allocations", json=body, headers=h).json(), h
    )
    assert result["notes"][0].startswith("Las detecciones no cambian")
    assert sum(row["officer_hours"] for row in result["allocation"]) == -2

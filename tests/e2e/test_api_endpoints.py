"""E2E (API test client): ports, simulations and jobs, indicators, frontier, scoring,
and bad input — always a 4xx problem+json, never a 500, never a traceback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from border21.service.testing import TestService, make_service

USERS = {"ana": ("us-cbp", "analyst"), "out": ("analyst", "viewer")}
DECL = {"date": "2024-02-01", "importer_id": "I1", "hs6": "870323", "value": 1000.0}


@pytest.fixture(scope="module")
def svc() -> Iterator[TestService]:
    # a small sync limit so that a two-day Laredo run becomes a background job
    service = make_service(None, users=USERS, demo_data=False, sync_max_crossings=10_000,
                           max_body_bytes=64 * 1024)  # fmt: skip
    yield service
    service.state.close()


@pytest.fixture(scope="module")
def client(svc: TestService) -> Any:
    return svc.client()


def is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


def test_health_and_readiness_need_no_token(client: Any) -> None:
    assert client.get("/api/v1/health").json()["status"] == "ok"
    assert client.get("/api/v1/ready").json() == {"status": "ready"}


def test_openapi_lists_versioned_routes(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    for path in ("/api/v1/ports", "/api/v1/simulations", "/api/v1/jobs/{job_id}",
                 "/api/v1/indicators/crossings", "/api/v1/trends", "/api/v1/score",
                 "/api/v1/frontier", "/api/v1/records", "/api/v1/agreements",
                 "/api/v1/health", "/api/v1/ready"):  # fmt: skip
        assert path in paths
    assert all(p.startswith("/api/v1/") for p in paths)
    assert "token" in spec["components"]["securitySchemes"]


def test_ports_and_scenario(client: Any, svc: TestService) -> None:
    ports = client.get("/api/v1/ports", headers=svc.auth("ana")).json()
    assert {"san_ysidro", "laredo_wtb"} <= {p["scenario"] for p in ports}
    sc = client.get("/api/v1/scenarios/laredo_wtb", headers=svc.auth("ana")).json()
    assert sc["config"]["port"]["name"] == "Laredo World Trade Bridge" and sc["offered_load"]


def test_small_simulation_is_synchronous_and_seeded(client: Any, svc: TestService) -> None:
    body = {"scenario": "laredo_wtb", "days": 1, "seed": 3}
    one = client.post("/api/v1/simulations", json=body, headers=svc.auth("ana"))
    # laredo draws ~6,000 trucks a day: under 10,000, so synchronous
    assert one.status_code == 200, one.text
    out = one.json()
    assert out["seed"] == 3 and len(out["tables"]["wait_by_hour"]) == 24 * 2
    assert {"queue_length", "utilisation"} <= set(out["tables"])
    assert out["notes"] == [
        "one replication: no intervals; ask for 2 or more replications for 95% intervals"
    ]
    again = client.post("/api/v1/simulations", json=body, headers=svc.auth("ana")).json()
    assert again["summary"] == out["summary"]
    fewer = dict(body, booth_scale=0.7, referral_rate=0.3)
    slower = client.post("/api/v1/simulations", json=fewer, headers=svc.auth("ana")).json()
    assert slower["summary"][0]["mean_wait_min"] > out["summary"][0]["mean_wait_min"]


def test_large_simulation_becomes_a_job(client: Any, svc: TestService) -> None:
    body = {"scenario": "laredo_wtb", "days": 2, "seed": 1}
    r = client.post("/api/v1/simulations", json=body, headers=svc.auth("ana"))
    assert r.status_code == 202 and r.headers["location"].startswith("/api/v1/jobs/")
    job = r.json()
    # another user cannot see it
    is_problem(client.get(r.headers["location"], headers=svc.auth("out")), 404)
    deadline = time.monotonic() + 60
    status = job["status"]
    while status not in ("succeeded", "failed") and time.monotonic() < deadline:
        if status in ("queued", "running"):
            early = client.get(job["result_url"], headers=svc.auth("ana"))
            assert early.status_code in (200, 409)
        time.sleep(0.2)
        status = client.get(r.headers["location"], headers=svc.auth("ana")).json()["status"]
    assert status == "succeeded"
    result = client.get(job["result_url"], headers=svc.auth("ana")).json()
    assert result["days"] == 2


def test_indicators_and_trends(client: Any, svc: TestService) -> None:
    h = svc.auth("out")
    cross = client.get("/api/v1/indicators/crossings", params={"freq": "year"}, headers=h).json()
    assert cross["columns"][:3] == ["period", "group", "value"] and len(cross["rows"]) > 20
    trends = client.get("/api/v1/trends", headers=h).json()
    assert set(trends) == {"crossings", "trade", "seizures", "homicides", "events"}
    assert trends["events"]["rows"]
    prof = client.get("/api/v1/indicators/wait-profile", headers=h).json()
    assert len(prof["rows"]) == 24
    is_problem(client.get("/api/v1/indicators/wait-profile", params={"port": "atlantis"},
                          headers=h), 404)  # fmt: skip
    is_problem(client.get("/api/v1/indicators/crossings", params={"freq": "decade"},
                          headers=h), 422)  # fmt: skip


def test_effect_carries_calibrated_inference_and_diagnostics(client: Any, svc: TestService) -> None:
    h = svc.auth("out")
    params = {"series": "homicides", "state": "Chihuahua", "event": "operativo_chihuahua"}
    r = client.get("/api/v1/indicators/effect", params=params, headers=h)
    assert r.status_code == 200, r.text
    est = r.json()["estimate"]
    assert est["event"] == "2008-03" and est["level_p"] < 0.05 < est["level_ci_low"]
    assert est["hac_p"] < est["level_p"] and est["n_placebos"] > 300
    for key in ("pretrend_p", "placebo_rank", "other_events", "missing_months", "caveat"):
        assert key in est
    assert "2007-12 us_recession_start" in est["other_events"]
    placebos = r.json()["placebos"]
    assert placebos["columns"] == ["period", "level_change", "t"]
    assert len(placebos["rows"]) == est["n_placebos"]
    is_problem(client.get("/api/v1/indicators/effect", params={**params, "event": "2008-13"},
                          headers=h), 422)  # fmt: skip
    is_problem(client.get("/api/v1/indicators/effect", params={**params, "event": "nope"},
                          headers=h), 404)  # fmt: skip
    is_problem(client.get("/api/v1/indicators/effect", params={**params, "method": "did"},
                          headers=h), 422)  # fmt: skip


def test_frontier_small_sweep(client: Any, svc: TestService) -> None:
    body = {"scenario": "laredo_wtb", "variants": ["baseline"], "policies": ["random", "targeted"],
            "rates": [0.05, 0.2], "seed": 1}  # fmt: skip
    r = client.post("/api/v1/frontier", json=body, headers=svc.auth("out"))
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert {(x["policy"], x["rate"]) for x in rows} == {
        ("random", 0.05),
        ("random", 0.2),
        ("targeted", 0.05),
        ("targeted", 0.2),
    }
    assert all(0 <= x["detection_rate"] <= 1 for x in rows)
    # Every figure from replications carries its interval; the default runs five.
    assert r.json()["replications"] == 5
    assert all(x["detection_rate_ci95"] > 0 and x["mean_delay_min_ci95"] > 0 for x in rows)
    assert any("too small to tell" in n for n in r.json()["notes"])  # 5 are few at Laredo
    one = client.post("/api/v1/frontier", json={**body, "replications": 1}, headers=svc.auth("out"))
    assert one.json()["notes"][0].startswith("one replication: no intervals")


def test_score_a_batch(client: Any, svc: TestService) -> None:
    batch = [dict(DECL, declaration_id=f"D{i}", value=100.0 * (i + 1)) for i in range(20)]
    r = client.post("/api/v1/score", json={"declarations": batch, "budget_pct": 10},
                    headers=svc.auth("ana"))  # fmt: skip
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["k"] == 2 and len(out["scores"]) == 20
    assert [s["rank"] for s in out["selected"]] == [1, 2]
    assert out["selected"][0]["risk"] >= out["selected"][1]["risk"]


BAD_BODIES = [
    ("/api/v1/simulations", {"scenario": "atlantis"}, 404),
    ("/api/v1/simulations", {"scenario": "../../etc/passwd"}, 422),
    ("/api/v1/simulations", {"scenario": "laredo_wtb", "days": 0}, 422),
    ("/api/v1/simulations", {"scenario": "laredo_wtb", "days": "many"}, 422),
    ("/api/v1/simulations", {"scenario": "laredo_wtb", "surprise": 1}, 422),
    ("/api/v1/simulations", {"scenario": "laredo_wtb", "overrides": ["lanes.general.lanes=-3"]},
     422),
    ("/api/v1/simulations", {"scenario": "laredo_wtb", "overrides": ["streams.x.kind=truck"]},
     422),
    ("/api/v1/simulations",
     {"scenario": "laredo_wtb", "days": 28, "replications": 20,
      "overrides": ["streams.trucks.crossings_per_day=1e6"]}, 422),
    ("/api/v1/frontier", {"variants": ["ucp"], "scenario": "san_ysidro"}, 422),
    ("/api/v1/frontier", {"rates": [0]}, 422),
    ("/api/v1/frontier", {"rates": [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08],
                          "replications": 10, "days": 7}, 422),
    ("/api/v1/score", {"declarations": []}, 422),
    ("/api/v1/score", {"declarations": [{"date": "2024-01-01"}]}, 422),
    ("/api/v1/score", {"declarations": [dict(DECL, date="not a date")]}, 422),
    ("/api/v1/score", {"declarations": [dict(DECL, value="lots")]}, 422),
    ("/api/v1/score", {"declarations": [dict(DECL, value={"nested": 1})]}, 422),
    ("/api/v1/score", {"declarations": [DECL], "budget_pct": 150}, 422),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "status"), BAD_BODIES)
def test_bad_input_is_a_problem(
    client: Any, svc: TestService, path: str, body: Any, status: int
) -> None:
    is_problem(client.post(path, json=body, headers=svc.auth("ana")), status)


def test_malformed_json_is_400(client: Any, svc: TestService) -> None:
    headers = dict(svc.auth("ana"), **{"Content-Type": "application/json"})
    body = is_problem(client.post("/api/v1/simulations", content=b'{"scenario": ', headers=headers),
                      400)  # fmt: skip
    assert body["type"].endswith("/malformed-json")


def test_oversized_body_is_413(client: Any, svc: TestService) -> None:
    big = {"declarations": [dict(DECL, importer_id="X" * 1000) for _ in range(100)]}
    body = is_problem(client.post("/api/v1/score", json=big, headers=svc.auth("ana")), 413)
    assert body["limit_bytes"] == 64 * 1024

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    streamed = client.post(
        "/api/v1/score",
        content=chunks(),
        headers=dict(svc.auth("ana"), **{"Content-Type": "application/json"}),
    )
    is_problem(streamed, 413)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nowhere", 404),
        ("get", "/api/v1/scenarios/atlantis", 404),
        ("get", "/api/v1/records?kind=gossip", 422),
        ("get", "/api/v1/records/0", 422),
        ("get", "/api/v1/records/999999", 404),
        ("get", "/api/v1/jobs/nope", 404),
        ("delete", "/api/v1/ports", 405),
        ("get", "/api/v1/records?kind=seizure&limit=100000", 422),
    ],
)
def test_bad_paths_and_parameters(
    client: Any, svc: TestService, method: str, path: str, status: int
) -> None:
    is_problem(getattr(client, method)(path, headers=svc.auth("ana")), status)


def test_dashboard_pages_and_assets_are_local(client: Any) -> None:
    for page in ("/", "/port", "/frontier", "/trends", "/targeting"):
        r = client.get(page)
        assert r.status_code == 200 and "/static/vega.js" in r.text
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert "cdn" not in r.text.lower() and "https://" not in r.text
    assert "vegaEmbed" in client.get("/static/vega.js").text
    assert client.get("/static/app.js").status_code == 200
    is_problem(client.get("/static/secrets.txt"), 404)
    is_problem(client.get("/nowhere"), 404)

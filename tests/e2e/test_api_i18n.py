"""E2E (API test client): problem titles and dashboard pages in the request's language.

``type`` URIs and ``detail`` never change with the language; the ``title`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from border21.service.testing import TestService, make_service

ES = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


@pytest.fixture(scope="module")
def svc() -> Iterator[TestService]:
    service = make_service(None, users={"ana": ("us-cbp", "analyst")}, demo_data=False,
                           max_body_bytes=1024)  # fmt: skip
    yield service
    service.state.close()


@pytest.fixture
def client(svc: TestService) -> Any:
    return svc.client()  # a fresh cookie jar per test


def test_problem_titles_follow_accept_language(client: Any, svc: TestService) -> None:
    response = client.get("/api/v1/ports/nowhere", headers={**svc.auth("ana"), **ES})
    assert response.headers["content-language"] == "es"
    assert "Accept-Language" in response.headers["vary"]
    en = client.get("/api/v1/ports/nowhere", headers=svc.auth("ana")).json()
    es = response.json()
    assert en["title"] == "Not found" and es["title"] == "No encontrado"
    assert es["type"] == en["type"] and es["detail"] == en["detail"] and es["status"] == 404
    assert client.get("/api/v1/ports", headers=ES).json()["title"] == "No autorizado"
    bad = client.post("/api/v1/simulations", headers={**svc.auth("ana"), **ES}, json={"days": -1})
    assert bad.json()["title"] == "Entrada no válida"
    big = client.post("/api/v1/simulations", headers={**svc.auth("ana"), **ES},
                      content=b"x" * 2048)  # fmt: skip
    assert big.status_code == 413 and big.json()["title"] == "Contenido demasiado grande"
    assert big.json()["type"].endswith("/too-large")


def test_query_overrides_cookie_overrides_accept_language(client: Any) -> None:
    assert client.get("/nowhere", headers=ES).json()["title"] == "No encontrado"
    assert client.get("/nowhere?lang=en", headers=ES).json()["title"] == "Not found"
    client.cookies.set("border21_lang", "en")
    assert client.get("/nowhere", headers=ES).json()["title"] == "Not found"


def test_dashboard_page_in_spanish(client: Any) -> None:
    page = client.get("/port", headers=ES)
    assert '<html lang="es">' in page.text and page.headers["content-language"] == "es"
    assert "<h1>Garita</h1>" in page.text and "Iniciar sesión" in page.text
    assert '"Staffed booths": "Casetas con personal"' in page.text  # the script's table
    assert "set-cookie" not in page.headers  # only an explicit choice is remembered
    english = client.get("/port")
    assert '<html lang="en">' in english.text and "<h1>Port</h1>" in english.text
    assert '<script id="messages" type="application/json">{}</script>' in english.text


def test_explicit_choice_sets_the_cookie(client: Any) -> None:
    page = client.get("/frontier?lang=es")
    assert '<html lang="es">' in page.text
    assert "border21_lang=es" in page.headers["set-cookie"]
    assert '<html lang="es">' in client.get("/trends", headers={"Accept-Language": "en"}).text


def test_words_core_code_writes_follow_the_request_language(client: Any, svc: TestService) -> None:
    """Warnings, notes and caveats are Messages: each reader gets them in their language,
    a background job's result included; the numbers in them do not change."""
    es, en = {**svc.auth("ana"), **ES}, svc.auth("ana")
    sim = {"scenario": "san_ysidro", "days": 1, "replications": 1, "seed": 1}
    spanish = client.post("/api/v1/simulations", json=sim, headers=es).json()
    english = client.post("/api/v1/simulations", json=sim, headers=en).json()
    assert english["warnings"][0].startswith("stream cars_general at general: utilisation")
    assert spanish["warnings"][0].startswith("flujo cars_general en general: utilización ≥ 1")
    assert "casetas abiertas" in spanish["warnings"][0] and "1.94" in spanish["warnings"][0]
    assert spanish["notes"] == ["una réplica: sin intervalos; pide 2 o más réplicas para "
                                "intervalos de 95%"]  # fmt: skip
    body = {"scenario": "laredo_wtb", "policies": ["random"], "rates": [0.05],
            "replications": 2, "seed": 1}  # fmt: skip
    notes = client.post("/api/v1/frontier", json=body, headers=es).json()["notes"]
    assert notes and notes[0].startswith("demasiado pequeño para distinguir")
    q = "series=homicides&state=Chihuahua&event=merida_announced"
    effect = client.get(f"/api/v1/indicators/effect?{q}", headers=es).json()["estimate"]
    assert effect["caveat"].startswith("Léase con cuidado: el cambio no es inusual")
    assert all(not w.startswith("the ") for w in effect["warnings"])
    job = client.post(
        "/api/v1/border/allocations", headers=en,
        json={"officers": 1, "shift_hours": 1, "days": 1, "replications": 2, "ports": ["2408"]},
    ).json()  # fmt: skip
    import time

    deadline = time.monotonic() + 60
    while client.get(f"/api/v1/jobs/{job['id']}", headers=en).json()["status"] not in (
        "succeeded", "failed",
    ) and time.monotonic() < deadline:  # fmt: skip
        time.sleep(0.2)
    # the job ran once; each reader gets its notes in their own language
    assert client.get(job["result_url"], headers=en).json()["notes"][0].startswith("Detections")
    assert (
        client.get(job["result_url"], headers=es).json()["notes"][0].startswith("Las detecciones")
    )

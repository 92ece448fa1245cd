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

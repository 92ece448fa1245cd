"""E2E (real browser): Debian's headless Chromium, driven by Playwright, signs in,
opens every dashboard page, moves a slider and sees the chart change.

Skips cleanly when /usr/bin/chromium or the playwright package is missing (the
``server`` and ``browser`` fixtures are in conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from _browser import chart_svg, sign_in

from border21.service.testing import TestService

pytestmark = pytest.mark.browser


def _sign_in(page: Any, base: str, svc: TestService, path: str) -> None:
    sign_in(page, base, svc, path)
    assert "us-cbp" in page.inner_text("#who")


def _move_slider(page: Any, slider: str, steps: int) -> None:
    page.focus(slider)
    for _ in range(steps):
        page.keyboard.press("ArrowRight")


def test_pages_sign_in_and_slider_redraws(server: tuple[str, TestService], browser: Any) -> None:
    base, svc = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) else external.append(r.url))

    _sign_in(page, base, svc, "/port")
    for chart in ("wait", "queue", "util"):
        chart_svg(page, chart)
    page.select_option("#scenario", "san_ysidro")  # has a published CBP profile to overlay
    page.wait_for_function("document.querySelector('#status').textContent.includes('San Ysidro')",
                           timeout=60_000)  # fmt: skip
    assert "observed (CBP)" in chart_svg(page, "wait")

    page.goto(base + "/frontier")  # the token persists in localStorage
    before = chart_svg(page, "frontier")
    page.wait_for_function("document.querySelector('#status').textContent.includes('caught')",
                           timeout=60_000)  # fmt: skip
    drawn = page.get_attribute("#frontier", "data-drawn")
    _move_slider(page, "#rate", 10)
    page.wait_for_function(
        f"document.querySelector('#frontier').dataset.drawn !== '{drawn}'", timeout=60_000
    )
    after = chart_svg(page, "frontier")
    assert after != before
    assert "15%" in page.inner_text("#rate-out")

    page.goto(base + "/trends")
    for chart in ("crossings", "trade", "seizures", "homicides", "effect"):
        chart_svg(page, chart)
    page.wait_for_selector("#effect-caveat", timeout=60_000)
    assert "placebo rank" in page.inner_text("#effect-diag")
    assert "us_recession_start" in page.inner_text("#effect-diag")
    caveat = page.inner_text("#effect-caveat")
    page.select_option("#effect-pick", index=1)  # Mérida: the break is five months later
    page.wait_for_function(
        "document.querySelector('#effect-caveat').textContent.includes('sharpest break')",
        timeout=60_000,
    )
    assert page.inner_text("#effect-caveat") != caveat

    page.goto(base + "/targeting")
    chart_svg(page, "risk")
    rows_before = page.locator("#ranked tr").count()
    _move_slider(page, "#budget", 10)
    page.wait_for_function(
        f"document.querySelectorAll('#ranked tr').length !== {rows_before}", timeout=30_000
    )
    assert "US" in page.inner_text("#ranked") and "MX0" not in page.inner_text("#ranked")
    assert not errors, errors
    assert not external, external  # everything is served locally
    page.close()


def test_phone_layout_has_no_horizontal_scroll(
    server: tuple[str, TestService], browser: Any
) -> None:
    base, svc = server
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    _sign_in(page, base, svc, "/port")
    chart_svg(page, "wait")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    page.close()


def test_language_follows_the_browser_and_the_switch(
    server: tuple[str, TestService], browser: Any
) -> None:
    """A Spanish browser gets the dashboard in Spanish; the EN/ES switch (keyboard)
    changes it, and the choice outlives Accept-Language on the next page."""
    base, svc = server
    context = browser.new_context(locale="es-MX", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    lang = "document.documentElement.lang"

    page.goto(base + "/port")
    assert page.evaluate(lang) == "es"
    assert "Inicia sesión" in page.inner_text("#status")
    _sign_in(page, base, svc, "/port")
    chart_svg(page, "wait")
    page.wait_for_selector("#summary table", timeout=60_000)
    assert page.inner_text("h1") == "Garita"
    assert "Casetas con personal" in page.inner_text("#controls")
    assert "grupo de carriles" in page.inner_text("#summary")
    assert page.get_attribute("#wait", "aria-label").startswith("Gráfica de líneas")
    assert "minutos" in chart_svg(page, "wait")  # the axis title
    # Vega's own English ARIA text (axes, legends, marks) is off in Spanish
    english = (
        "Array.from(document.querySelectorAll('#wait [aria-label]'), "
        "e => e.getAttribute('aria-label')).filter(t => /axis|legend/i.test(t))"
    )
    assert page.evaluate(english) == []
    assert page.get_attribute("nav.lang a[lang=es]", "aria-current") == "true"
    assert page.get_by_role("link", name="EN — English", exact=True).count() == 1

    page.focus("nav.lang a[lang=en]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate(lang) == "en"
    chart_svg(page, "wait")
    assert page.inner_text("h1") == "Port" and "Staffed booths" in page.inner_text("#controls")
    page.wait_for_selector("#summary table", timeout=60_000)
    assert page.evaluate(english)  # in English Vega names its axes itself
    assert "?lang" not in page.url  # the choice is in the cookie, not the address

    page.goto(base + "/targeting")  # Accept-Language still says Spanish; the switch won
    assert page.evaluate(lang) == "en" and page.inner_text("h1") == "Targeting"
    with page.expect_navigation():
        page.click("nav.lang a[lang=es]")
    assert page.evaluate(lang) == "es" and page.inner_text("h1") == "Selección de riesgo"
    page.wait_for_selector("#ranked table", timeout=30_000)
    assert "pedimento" in page.inner_text("#ranked")
    assert not errors, errors
    context.close()


def test_border_page_maps_the_ports_and_places_officers(
    server: tuple[str, TestService], browser: Any
) -> None:
    """The Border page draws every port on a map from locally served outlines, then the
    allocation the button asks for (a background job), with its table and intervals."""
    base, svc = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) else external.append(r.url))
    _sign_in(page, base, svc, "/border")
    # Vega puts the <svg> in before its outlines (a URL it fetches) are drawn: wait for them
    page.wait_for_function(
        "document.querySelectorAll('#ports-map svg path').length >= 3", timeout=60_000
    )
    svg = chart_svg(page, "ports-map")
    assert svg.count("<path") >= 3  # the outlines drawn, not only the circles
    assert "San Ysidro" in page.get_attribute("#ports-map", "aria-label")
    assert page.locator("#ports tr").count() >= 26  # a header and every port
    page.wait_for_selector("#allocation table", timeout=120_000)
    first = page.inner_text("#allocation")
    assert "±" in first and "+" in first
    assert "10 officers" in page.inner_text("#status")
    page.fill("#officers", "-5")
    page.click("#allocate")
    page.wait_for_function(
        "document.querySelector('#status').textContent.includes('-5 officers × 8 h:')",
        timeout=120_000,
    )
    assert page.inner_text("#allocation") != first and "-" in page.inner_text("#allocation")
    assert not errors, errors
    assert not external, external
    page.close()


def test_regions_page_draws_the_demand_curve_and_hourly_waits(
    server: tuple[str, TestService], browser: Any
) -> None:
    """The Regions page solves san_diego with Otay Mesa East at four tolls (a job), draws
    the new port's share by toll and each port's hourly wait; the segment picker redraws."""
    base, svc = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, base, svc, "/regions")
    page.wait_for_selector("#region-table table", timeout=180_000)
    assert "otay_mesa_east" in page.get_attribute("#curve", "aria-label")
    assert "4 equilibrium run(s)" in page.inner_text("#status")
    table = page.inner_text("#region-table")
    assert "san_ysidro" in table and "truck_fast" in table and "±" in table
    # each group's officers' band, or that its lanes keep the scenario's schedule
    assert "officers' band (min)" in table and "60–65" in table
    assert "none: the scenario's booths" in table
    hourly = page.get_attribute("#hourly", "aria-label")
    assert "car_general" in hourly
    page.select_option("#segment", "car_sentri")
    page.wait_for_function(
        "document.querySelector('#hourly').getAttribute('aria-label').includes('car_sentri')",
        timeout=30_000,
    )
    page.select_option("#region", "el_paso")  # no planned port: one run, no curve
    assert page.locator("#build option").count() == 1
    page.click("#solve")
    page.wait_for_function(
        "document.querySelector('#status').textContent.includes('el_paso: 1 equilibrium')",
        timeout=180_000,
    )
    assert "no build option" in page.inner_text("#curve")
    assert "el_paso_bota" in page.inner_text("#region-table")
    assert not errors, errors
    page.close()

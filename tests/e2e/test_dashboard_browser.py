"""E2E (real browser): Debian's headless Chromium, driven by Playwright, signs in,
opens every dashboard page, moves a slider and sees the chart change.

Skips cleanly when /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from border21.service.testing import TestService, make_service

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, TestService]]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    import uvicorn

    with make_service(
        tmp_path_factory.mktemp("service"), users={"ana": ("us-cbp", "analyst")}
    ) as svc:
        port = _free_port()
        config = uvicorn.Config(svc.app, host="127.0.0.1", port=port, log_level="warning",
                                lifespan="off")  # fmt: skip
        srv = uvicorn.Server(config)
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while not srv.started and time.monotonic() < deadline:
                time.sleep(0.05)
            assert srv.started, "uvicorn did not start"
            yield f"http://127.0.0.1:{port}", svc
        finally:
            srv.should_exit = True
            thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(server: tuple[str, TestService]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _chart_svg(page: Any, chart_id: str) -> str:
    page.wait_for_selector(f"#{chart_id} svg", timeout=60_000)
    return str(page.inner_html(f"#{chart_id}"))


def _sign_in(page: Any, base: str, svc: TestService, path: str) -> None:
    page.goto(base + path)
    page.fill("#token", svc.tokens["ana"])
    page.click("#signin button")
    page.wait_for_selector("#whoami:not([hidden])", timeout=20_000)
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
        _chart_svg(page, chart)
    page.select_option("#scenario", "san_ysidro")  # has a published CBP profile to overlay
    page.wait_for_function("document.querySelector('#status').textContent.includes('San Ysidro')",
                           timeout=60_000)  # fmt: skip
    assert "observed (CBP)" in _chart_svg(page, "wait")

    page.goto(base + "/frontier")  # the token persists in localStorage
    before = _chart_svg(page, "frontier")
    page.wait_for_function("document.querySelector('#status').textContent.includes('caught')",
                           timeout=60_000)  # fmt: skip
    drawn = page.get_attribute("#frontier", "data-drawn")
    _move_slider(page, "#rate", 10)
    page.wait_for_function(
        f"document.querySelector('#frontier').dataset.drawn !== '{drawn}'", timeout=60_000
    )
    after = _chart_svg(page, "frontier")
    assert after != before
    assert "15%" in page.inner_text("#rate-out")

    page.goto(base + "/trends")
    for chart in ("crossings", "trade", "seizures", "homicides", "effect"):
        _chart_svg(page, chart)
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
    _chart_svg(page, "risk")
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
    _chart_svg(page, "wait")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    page.close()

"""Fixtures for the browser tests: the app on a real port, and Debian's Chromium."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from _browser import ARGS, CHROMIUM

from border21.service.testing import TestService, make_service


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _need_chromium() -> None:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, TestService]]:
    """The whole app (API and dashboard) served by uvicorn on a free local port."""
    _need_chromium()
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
def svc() -> Iterator[TestService]:
    """The API in memory with an agency analyst (ana) and an outside viewer (out), no
    records; a test module that needs another service defines its own ``svc``."""
    service = make_service(
        None, users={"ana": ("us-cbp", "analyst"), "out": ("analyst", "viewer")}, demo_data=False
    )
    yield service
    service.state.close()


@pytest.fixture(scope="module")
def client(svc: TestService) -> Any:
    return svc.client()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A small `border21 demo` report in each language (every chart kind and table the
    full one has), from one run: language → path."""
    from border21.cli.demo import write_report
    from border21.data.samples import load_samples
    from border21.data.store import open_store
    from border21.frontier.demo import DemoPlan, run_demo

    tmp = tmp_path_factory.mktemp("report")
    plan = DemoPlan(
        ports={"san_ysidro": ("baseline", "southbound"), "laredo_wtb": ("baseline", "ucp")},
        budgets=(0.05, 0.1),
        replications=2,
        calibration_days=1,
        calibration_scales=(1.0,),
        calibration_hourly_rounds=0,
    )
    paths = {lang: tmp / f"report-{lang}.html" for lang in ("en", "es")}
    with open_store(tmp / "w.duckdb") as store:
        load_samples(store)
        result = run_demo(store, plan)
        for lang, path in paths.items():
            write_report(store, result, path, lang=lang)
    return paths

"""Helpers for the browser tests: Debian's headless Chromium driven by Playwright.

The ``server`` and ``browser`` fixtures are in ``conftest.py``; both skip cleanly when
/usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from border21.service.testing import TestService

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
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def chart_svg(page: Any, chart_id: str) -> str:
    page.wait_for_selector(f"#{chart_id} svg", timeout=60_000)
    return str(page.inner_html(f"#{chart_id}"))


def sign_in(page: Any, base: str, svc: TestService, path: str, user: str = "ana") -> None:
    page.goto(base + path)
    page.fill("#token", svc.tokens[user])
    page.click("#signin button")
    page.wait_for_selector("#whoami:not([hidden])", timeout=20_000)


def axe_violations(page: Any, tags: tuple[str, ...] = WCAG21_AA) -> list[dict[str, Any]]:
    """Run the vendored axe-core over the whole page with the given rule tags."""
    # evaluated through the DevTools protocol: no <script> tag, so the page's CSP allows it
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => (await axe.run(document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
        })).violations""",
        list(tags),
    )
    return found


def unnamed_charts(page: Any) -> dict[str, str]:
    """Charts whose accessible name says nothing: vega-embed labels every chart container
    "Vega visualization" unless its spec has a ``description``, which axe accepts."""
    names: dict[str, str] = page.evaluate(
        """Object.fromEntries(Array.from(document.querySelectorAll(".chart"), (c) => {
            const view = c.matches("[role=graphics-document]") ? c
                : c.querySelector("[role=graphics-document]");
            return [c.id, (view && view.getAttribute("aria-label")) || ""];
        }))"""
    )
    return {k: v for k, v in names.items() if v.strip() in ("", "Vega visualization")}


def describe(violations: list[dict[str, Any]]) -> str:
    """One block per violation: rule id, impact, what it asks, and the failing nodes."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} nodes]")
        lines += [f"    {n['target']}: {n['failureSummary']!r}"[:400] for n in v["nodes"][:8]]
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)

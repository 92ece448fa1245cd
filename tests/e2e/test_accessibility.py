"""E2E (real browser): every dashboard page and the HTML report pass axe-core's
WCAG 2.1 AA rules (Section 508 refers to WCAG 2.0 AA; 2.1 AA contains it).

axe-core is vendored in ``vendor/axe-core`` (no network). Each page is checked
signed in, after its charts are drawn, so the checks see the SVG charts, tables
and controls a user sees. Beside axe, every chart must have a text alternative of
its own: vega-embed names each chart "Vega visualization" unless its spec has a
``description``, and axe accepts that name. Skips cleanly when /usr/bin/chromium or
the playwright package is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import axe_violations, chart_svg, describe, sign_in, unnamed_charts

from border21.service.testing import TestService

pytestmark = pytest.mark.browser

# The dashboard's languages, with the query that chooses each and the words the
# ready selectors wait for in it.
LANGUAGES = {"en": "?lang=en", "es": "?lang=es"}
WORDS = {"en": {"caught": "caught", "sign_in": "Sign in"},
         "es": {"caught": "detectados", "sign_in": "Inicia sesión"}}  # fmt: skip
# page path → (charts it draws, a selector present once its last request has answered)
PAGES = {
    "/": (("wait", "queue", "util"), "#summary table"),
    "/port": (("wait", "queue", "util"), "#summary table"),
    "/frontier": (("frontier",), "#status:has-text('{caught}')"),
    "/trends": (("crossings", "trade", "seizures", "homicides", "effect"), "#effect-caveat"),
    "/targeting": (("risk",), "#ranked table"),
    "/border": (("ports-map", "allocation-map"), "#allocation table"),
    "/regions": (("curve", "hourly"), "#region-table table"),
}


@pytest.fixture(scope="module")
def signed_in(server: tuple[str, TestService], browser: Any) -> Iterator[Any]:
    """A browser context whose localStorage holds ana's token."""
    base, svc = server
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, base, svc, "/port")
    page.close()
    yield context
    context.close()


def _assert_accessible(page: Any, where: str) -> None:
    """axe-core's WCAG 2.1 AA rules, and a specific text alternative on every chart."""
    problems = []
    if unnamed := unnamed_charts(page):
        problems.append(f"charts without a text alternative (id: aria-label): {unnamed}")
    if violations := axe_violations(page):
        problems.append("axe-core WCAG 2.1 AA violations:\n" + describe(violations))
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_signed_out_page_is_accessible(
    server: tuple[str, TestService], browser: Any, lang: str
) -> None:
    base, _ = server
    page = browser.new_page()
    page.goto(base + "/" + LANGUAGES[lang])
    page.wait_for_selector(f"#status:has-text('{WORDS[lang]['sign_in']}')")
    assert page.evaluate("document.documentElement.lang") == lang
    _assert_accessible(page, "/ (signed out)")
    page.close()


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_dashboard_page_is_accessible(
    server: tuple[str, TestService], signed_in: Any, lang: str, path: str
) -> None:
    base, _ = server
    charts, ready = PAGES[path]
    page = signed_in.new_page()
    page.goto(base + path + LANGUAGES[lang])
    for chart in charts:
        chart_svg(page, chart)
    page.wait_for_selector(ready.format(**WORDS[lang]), timeout=60_000)
    assert page.evaluate("document.documentElement.lang") == lang
    _assert_accessible(page, path)
    page.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_report_is_accessible(browser: Any, demo_reports: dict[str, Path], lang: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(demo_reports[lang].as_uri())
    charts = page.locator(".chart").count()
    assert charts >= 10
    page.wait_for_function(
        f"document.querySelectorAll('.chart svg.marks').length === {charts}", timeout=60_000
    )
    assert page.evaluate("document.documentElement.lang") == lang
    _assert_accessible(page, f"the HTML report ({lang})")
    assert _month_label(page) == {"en": "Jan", "es": "ene"}[lang]  # Vega's time axes
    page.close()


# draws a one-point chart by month with the page's own options; returns its axis label
_MONTH_JS = """async () => {
  const div = document.createElement('div');
  document.body.append(div);
  const spec = {data: {values: [{d: '2020-01-15'}]}, mark: 'point',
                encoding: {x: {field: 'd', type: 'ordinal', timeUnit: 'month'}}};
  await vegaEmbed(div, spec, Object.assign({renderer: 'svg', actions: false}, OPTIONS.embed));
  const label = div.querySelector('.role-axis-label text').textContent;
  div.remove();
  return label;
}"""


def _month_label(page: Any) -> str:
    return str(page.evaluate(_MONTH_JS))

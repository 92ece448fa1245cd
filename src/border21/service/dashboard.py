"""The web dashboard: four pages served by the API app, every asset local (no CDN).

Pages are static shells; ``static/app.js`` signs in with an API token (kept in
the browser's localStorage), calls the API and draws Vega-Lite charts with the
Vega bundle that vl-convert ships (served as ``/static/vega.js``).
"""

from __future__ import annotations

import html
import threading
from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from border21.errors import NotFoundError

router = APIRouter(include_in_schema=False)

PAGES = {
    "port": ("Port", "Hourly waits, queues and booth utilisation at one port of entry."),
    "frontier": ("Frontier", "Detection against waiting, per referral policy and cooperation."),
    "trends": (
        "Trends",
        "Crossings, trade, seizures and homicides, with program events marked; program "
        "effects with calibrated p-values and their diagnostics.",
    ),
    "targeting": ("Targeting", "Your agency's pending declarations, ranked, with reasons."),
}
_STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
_BUNDLE_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
SECURITY_HEADERS = {
    # Everything comes from this server; Vega compiles chart expressions with
    # Function() (hence 'unsafe-eval') and vega-embed injects its own styles.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_bundle: dict[str, str] = {}
_bundle_lock = threading.Lock()


def static_dir() -> Path:
    return Path(str(resources.files("border21.service") / "static"))


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script, built once per process."""
    with _bundle_lock:
        if "js" not in _bundle:
            import vl_convert as vlc

            from border21.reports.charts import vega_lite_version

            _bundle["js"] = vlc.javascript_bundle(_BUNDLE_GLOBALS, vl_version=vega_lite_version())
        return _bundle["js"]


def page_html(page: str) -> str:
    """The HTML shell of one page."""
    title, blurb = PAGES[page]
    nav = "".join(
        f'<a href="/{key}"{" aria-current=page" if key == page else ""}>{name}</a>'
        for key, (name, _) in PAGES.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>border21 · {html.escape(title)}</title>
<link rel="stylesheet" href="/static/app.css"><link rel="icon" href="data:,">
<script src="/static/vega.js"></script>
<script src="/static/app.js" defer></script></head>
<body data-page="{page}">
<header><a class="brand" href="/">border21</a><nav>{nav}</nav>
<form id="signin" autocomplete="off">
 <input id="token" type="password" placeholder="API token" aria-label="API token">
 <button type="submit">Sign in</button></form>
<div id="whoami" hidden><span id="who"></span> <button id="signout" type="button">Sign out</button>
</div></header>
<main><h1>{html.escape(title)}</h1><p class="muted">{html.escape(blurb)}</p>
<div id="status" role="status"></div><section id="controls"></section>
<section id="content"></section></main></body></html>"""


@router.get("/", response_class=HTMLResponse)
def home() -> HTMLResponse:
    return HTMLResponse(page_html("port"), headers=SECURITY_HEADERS)


@router.get("/static/vega.js")
def vega_js() -> Response:
    return Response(
        vega_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    if name not in _STATIC:
        raise NotFoundError(f"static file {name!r} does not exist")
    return FileResponse(static_dir() / name, media_type=_STATIC[name])


@router.get("/{page}", response_class=HTMLResponse)
def dashboard_page(page: str) -> HTMLResponse:
    if page not in PAGES:
        raise NotFoundError(f"page {page!r} does not exist (pages: {', '.join(PAGES)})")
    return HTMLResponse(page_html(page), headers=SECURITY_HEADERS)

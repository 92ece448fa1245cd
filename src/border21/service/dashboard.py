"""The web dashboard: six pages served by the API app, every asset local (no CDN).

Pages are static shells; ``static/app.js`` signs in with an API token (kept in
the browser's localStorage), calls the API and draws Vega-Lite charts with the
Vega bundle that vl-convert ships (served as ``/static/vega.js``).

Each page is in the request's language (``?lang=`` > the ``border21_lang`` cookie
the EN/ES switch sets > ``Accept-Language`` > English): the shell is translated
here and carries the catalog's messages as JSON for the script's ``t("…")``.
"""

from __future__ import annotations

import html
import json
import threading
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from border21.errors import NotFoundError
from border21.i18n import LANGUAGES, N_, NAMES, messages, normalize, translate
from border21.i18n.http import COOKIE, COOKIE_MAX_AGE_S, request_language

router = APIRouter(include_in_schema=False)

PAGES = {
    "port": (N_("Port"), N_("Hourly waits, queues and booth utilisation at one port of entry.")),
    "frontier": (
        N_("Frontier"),
        N_("Detection against waiting, per referral policy and cooperation."),
    ),
    "trends": (
        N_("Trends"),
        N_(
            "Crossings, trade, seizures and homicides, with program events marked; program "
            "effects with calibrated p-values and their diagnostics."
        ),
    ),
    "targeting": (
        N_("Targeting"),
        N_("Your agency's pending declarations, ranked, with reasons."),
    ),
    "border": (
        N_("Border"),
        N_(
            "Every US–Mexico land port on a map, with its crossings and simulated wait; "
            "where added officers save the most delay, or a cut costs the least."
        ),
    ),
    "regions": (
        N_("Regions"),
        N_(
            "Ports travellers choose among, solved to equilibrium: shares and waits by port, "
            "and a planned port's demand curve by toll."
        ),
    ),
}
_STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
# Natural Earth's country outlines (world-atlas, ISC; reports/assets/PROVENANCE.md) for maps
_ASSETS = {"countries-110m.json": "application/json"}
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


def _messages_json(lang: str) -> str:
    # inside <script>: no "</" may close the element early
    return json.dumps(messages(lang), ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


def _switch(page: str, lang: str) -> str:
    """The EN/ES switch: links (keyboard-usable, work without the script) that the
    script upgrades to set the cookie, so the choice persists. Each is named
    "EN — English" / "ES — Español" (the visible code first, for voice control)."""
    current = ' aria-current="true"'
    links = "".join(
        f'<a href="/{page}?lang={code}" lang="{code}" hreflang="{code}" data-lang="{code}"'
        f"{current if code == lang else ''}>{code.upper()}"
        f'<span class="sr-only"> — {NAMES[code]}</span></a>'
        for code in LANGUAGES
    )
    label = html.escape(translate(lang, N_("Language")))
    return f'<nav class="lang" aria-label="{label}">{links}</nav>'


def page_html(page: str, lang: str = "en") -> str:
    """The HTML shell of one page, in ``lang``."""

    def _(message: str) -> str:
        return html.escape(translate(lang, message))

    title, blurb = PAGES[page]
    pages, token, sign_in, sign_out = _("Pages"), _("API token"), _("Sign in"), _("Sign out")
    nav = "".join(
        f'<a href="/{key}"{" aria-current=page" if key == page else ""}>{_(name)}</a>'
        for key, (name, _blurb) in PAGES.items()
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>border21 · {_(title)}</title>
<link rel="stylesheet" href="/static/app.css"><link rel="icon" href="data:,">
<script id="messages" type="application/json">{_messages_json(lang)}</script>
<script src="/static/vega.js"></script>
<script src="/static/app.js" defer></script></head>
<body data-page="{page}">
<header><a class="brand" href="/">border21</a><nav aria-label="{pages}">{nav}</nav>
{_switch(page, lang)}
<form id="signin" autocomplete="off">
 <input id="token" type="password" placeholder="{token}" aria-label="{token}">
 <button type="submit">{sign_in}</button></form>
<div id="whoami" hidden><span id="who"></span>
 <button id="signout" type="button">{sign_out}</button></div></header>
<main><h1>{_(title)}</h1><p class="muted">{_(blurb)}</p>
<div id="status" role="status"></div><section id="controls"></section>
<section id="content"></section></main></body></html>"""


def _page_response(request: Request, page: str) -> HTMLResponse:
    lang = request_language(request)
    headers = dict(
        SECURITY_HEADERS, **{"Content-Language": lang, "Vary": "Accept-Language, Cookie"}
    )
    response = HTMLResponse(page_html(page, lang), headers=headers)
    if normalize(request.query_params.get("lang")):  # an explicit choice persists
        response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE_S, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return _page_response(request, "port")


@router.get("/static/vega.js")
def vega_js() -> Response:
    return Response(
        vega_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    if name in _ASSETS:
        assets = Path(str(resources.files("border21.reports") / "assets"))
        return FileResponse(
            assets / name,
            media_type=_ASSETS[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )
    if name not in _STATIC:
        raise NotFoundError(f"static file {name!r} does not exist")
    return FileResponse(static_dir() / name, media_type=_STATIC[name])


@router.get("/{page}", response_class=HTMLResponse)
def dashboard_page(request: Request, page: str) -> HTMLResponse:
    if page not in PAGES:
        raise NotFoundError(f"page {page!r} does not exist (pages: {', '.join(PAGES)})")
    return _page_response(request, page)

"""Unit: which language a program and an HTTP request get, and translation itself."""

from __future__ import annotations

import pytest

from border21.i18n import NAMES, messages, negotiate, normalize, resolve, translate
from border21.i18n.http import choose


@pytest.mark.parametrize(
    ("tag", "lang"),
    [("es", "es"), ("es-MX", "es"), ("es_MX.UTF-8", "es"), ("EN-us", "en"), ("fr", None),
     ("", None), (None, None)],
)  # fmt: skip
def test_normalize(tag: str | None, lang: str | None) -> None:
    assert normalize(tag) == lang


def test_program_language_explicit_then_environment_then_english() -> None:
    assert resolve("es", environ={"BORDER21_LANG": "en"}) == "es"
    assert resolve(None, environ={"BORDER21_LANG": "es_MX.UTF-8"}) == "es"
    assert resolve("fr", environ={"BORDER21_LANG": "es"}) == "es"  # unsupported falls through
    assert resolve(None, environ={}) == "en"
    assert resolve(None, environ={"BORDER21_LANG": "de"}) == "en"


@pytest.mark.parametrize(
    ("header", "lang"),
    [("es-MX,es;q=0.9,en;q=0.8", "es"), ("en-US,en;q=0.9,es;q=0.8", "en"),
     ("fr-CA, es;q=0.5, en;q=0.4", "es"), ("en;q=0.2, es;q=0.7", "es"), ("es;q=0, en", "en"),
     ("es;q=abc", None), ("fr, de", None), ("*", None), ("", None), (None, None)],
)  # fmt: skip
def test_accept_language(header: str | None, lang: str | None) -> None:
    assert negotiate(header) == lang


def test_http_language_query_then_cookie_then_header() -> None:
    assert choose(query="en", cookie="es", accept="es") == "en"
    assert choose(query=None, cookie="es", accept="en") == "es"
    assert choose(query="xx", cookie="xx", accept="es-MX") == "es"
    assert choose(query=None, cookie=None, accept=None) == "en"


def test_translate_fills_placeholders_after_translating() -> None:
    message = "{rank} of {of}"
    assert translate("en", message, rank=3, of=20) == "3 of 20"
    assert translate("es", message, rank=3, of=20) == "3 de 20"
    assert translate("es", "Referral to secondary inspection") == "Envío a revisión secundaria"
    assert translate("es", "a message no catalog has") == "a message no catalog has"


def test_dashboard_table_is_the_spanish_catalog_and_english_is_empty() -> None:
    table = messages("es")
    assert table["Port"] == "Garita" and table["Staffed booths"] == "Casetas con personal"
    assert messages("en") == {}
    assert set(NAMES) == {"en", "es"}


def test_use_sets_the_program_language_for_resolve_and_gettext(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from border21.i18n import ENV_VAR, gettext, use

    monkeypatch.setenv(ENV_VAR, "")  # recorded, so the test's own changes are undone
    monkeypatch.delenv(ENV_VAR)
    assert use(None) == "en" and gettext("Port") == "Port"
    assert use("es-MX") == "es"
    assert resolve() == "es" and gettext("Port") == "Garita"
    with pytest.raises(ValueError, match="'xx'"):
        use("xx")
    assert resolve() == "es"  # a refused tag changes nothing


def test_lang_is_found_wherever_it_stands_before_a_double_dash() -> None:
    from border21.cli.main import split_lang

    assert split_lang(["ports", "list"]) == (None, ["ports", "list"])
    assert split_lang(["ports", "list", "--lang", "es"]) == ("es", ["ports", "list"])
    assert split_lang(["--lang=en", "simulate", "x"]) == ("en", ["simulate", "x"])
    assert split_lang(["data", "sql", "--", "--lang", "es"]) == (
        None,
        ["data", "sql", "--", "--lang", "es"],
    )
    assert split_lang(["simulate", "--lang"]) == (None, ["simulate", "--lang"])

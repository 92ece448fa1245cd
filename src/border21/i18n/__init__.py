"""Two languages, English and Spanish, on gettext with Babel-managed catalogs.

Messages are written in English in the code, marked ``_("…")`` (translated now)
or ``N_("…")`` (marked for extraction, translated later); the dashboard's
script marks its own with ``t("…")``. ``pybabel`` extracts all three into
``locale/border21.pot`` (see docs/i18n.md); the Spanish catalog
``locale/es/LC_MESSAGES/border21.po`` and its compiled ``.mo`` ship in the
package. Placeholders are named, ``{name}``, and filled after translation.

Which language:

* a program (CLI, report): the explicit choice (``--lang``), else
  ``BORDER21_LANG``, else English — :func:`resolve`; the CLI's ``--lang``
  calls :func:`use`, which sets ``BORDER21_LANG`` in the process, so any code
  that then calls ``resolve()`` (a report writer) or :func:`gettext` follows it;
* an HTTP request: ``?lang=``, else the ``border21_lang`` cookie the
  dashboard's switch sets, else ``Accept-Language``, else English —
  :func:`border21.i18n.http.request_language`.

>>> translate("es", "Port")
'Garita'
>>> translate("en", "Port")
'Port'
>>> resolve("es-MX", environ={})
'es'
>>> negotiate("fr-CA, es;q=0.8, en;q=0.5")
'es'
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

DOMAIN = "border21"
LANGUAGES = ("en", "es")
DEFAULT = "en"
ENV_VAR = "BORDER21_LANG"
NAMES = {"en": "English", "es": "Español"}

__all__ = [
    "DEFAULT",
    "ENV_VAR",
    "LANGUAGES",
    "N_",
    "locale_dir",
    "messages",
    "negotiate",
    "normalize",
    "gettext",
    "resolve",
    "translate",
    "translations",
    "use",
]


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (module-level tables)."""
    return message


def locale_dir() -> Path:
    return Path(str(resources.files("border21") / "locale"))


def normalize(tag: str | None) -> str | None:
    """The supported language a tag names (``es-MX`` → ``es``), or None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].split(".")[0].lower()
    return primary if primary in LANGUAGES else None


def resolve(explicit: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """The language of a program: ``explicit`` > ``BORDER21_LANG`` > English.

    An explicit language that is not supported falls through to the next choice.
    """
    env = os.environ if environ is None else environ
    return normalize(explicit) or normalize(env.get(ENV_VAR)) or DEFAULT


def use(lang: str | None) -> str:
    """Make ``lang`` the program's language (``BORDER21_LANG`` in this process); return it.

    Refuses an unsupported tag with :class:`ValueError`, so a caller can name the
    bad value; None leaves the environment as it is and returns :func:`resolve`'s choice.
    """
    if lang is None:
        return resolve()
    chosen = normalize(lang)
    if chosen is None:
        raise ValueError(f"unsupported language {lang!r} (supported: {', '.join(LANGUAGES)})")
    os.environ[ENV_VAR] = chosen
    return chosen


def gettext(message: str) -> str:
    """``message`` in the program's language (:func:`resolve`), read at each call.

    Programs import it as ``_``: ``_("{n} ports").format(n=3)``.
    """
    return translations(resolve()).gettext(message)


def negotiate(accept_language: str | None) -> str | None:
    """The supported language an ``Accept-Language`` header prefers most, or None."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = normalize(tag)
        if lang and q > 0:
            ranked.append((-q, i, lang))
    return min(ranked)[2] if ranked else None


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> _gettext.NullTranslations:
    """The gettext catalog of ``lang`` (English: the identity)."""
    if lang == DEFAULT:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, str(locale_dir()), languages=[lang], fallback=True)


def translate(lang: str, message: str, /, **params: object) -> str:
    """``message`` in ``lang``, with its ``{name}`` placeholders filled."""
    text = translations(lang).gettext(message)
    return text.format(**params) if params else text


@lru_cache(maxsize=len(LANGUAGES))
def messages(lang: str) -> dict[str, str]:
    """Every translated message of ``lang``, msgid → msgstr (the dashboard's table)."""
    if lang == DEFAULT:
        return {}
    path = locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as f:
        catalog = _gettext.GNUTranslations(f)
    table: dict[str, str] = getattr(catalog, "_catalog", {})
    return {k: v for k, v in table.items() if isinstance(k, str) and k and v}

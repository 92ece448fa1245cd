"""`border21 report` commands.

A report is in the program's language (``--lang``, else ``BORDER21_LANG``, else English:
:func:`border21.i18n.resolve`); the help in the language of the environment, read when
the commands are defined.
"""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import cli_errors, console
from border21.cli.data import DbOption, resolve_db
from border21.i18n import N_, resolve, translate


def _(message: str) -> str:
    """``message`` in the environment's language (Typer reads help text at import)."""
    return translate(resolve(), message)


app = typer.Typer(help=_("Self-contained HTML reports over the warehouse."), no_args_is_help=True)


@app.command(
    help=_("Crossings, trade, seizures, apprehensions, homicides and wait times in one HTML file.")
)
@cli_errors
def trends(
    out: Path = typer.Option(..., "--out", help=_("HTML file to write.")),
    title: str | None = typer.Option(
        None, "--title", help=_("The report's title (default: US–Mexico border trends).")
    ),
    db: Path | None = DbOption,
    lang: str | None = typer.Option(
        None, "--lang", help=_("Language of the report: en or es (else BORDER21_LANG, else en).")
    ),
) -> None:
    """Crossings, trade, seizures, apprehensions, homicides and wait times in one HTML file."""
    from border21.data.store import open_store
    from border21.errors import InputError
    from border21.reports.trends import trends_report

    language = resolve(lang)
    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError("--out", str(out), translate(language, MUST_BE_HTML))
    with open_store(resolve_db(db), read_only=True) as store:
        page = trends_report(store, title=title, lang=language)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    size = f"{len(page) / 1e6:.1f}"
    console.print(translate(language, REPORT_WRITTEN, out=out, size=size), highlight=False)


MUST_BE_HTML = N_("must end in .html")
REPORT_WRITTEN = N_("report: {out} ({size} MB, self-contained)")

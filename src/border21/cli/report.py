"""`border21 report` commands."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import cli_errors, console
from border21.cli.data import DbOption, resolve_db

app = typer.Typer(help="Self-contained HTML reports over the warehouse.", no_args_is_help=True)


@app.command()
@cli_errors
def trends(
    out: Path = typer.Option(..., "--out", help="HTML file to write."),
    title: str = typer.Option("US–Mexico border trends", "--title"),
    db: Path | None = DbOption,
) -> None:
    """Crossings, trade, seizures, apprehensions, homicides and wait times in one HTML file."""
    from border21.data.store import open_store
    from border21.errors import InputError
    from border21.reports.trends import trends_report

    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError("--out", str(out), "must end in .html")
    with open_store(resolve_db(db), read_only=True) as store:
        page = trends_report(store, title=title)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    console.print(f"report: {out} ({len(page) / 1e6:.1f} MB, self-contained)", highlight=False)

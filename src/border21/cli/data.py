"""`border21 data` commands: build, load, inspect and query the warehouse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from border21.cli._common import cli_errors, console
from border21.i18n import gettext as _

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store

app = typer.Typer(
    help=_("The border data warehouse (DuckDB): init, load, fetch, status, sql."),
    no_args_is_help=True,
)

DB_HELP = _("Database file (default: $BORDER21_DB, else the user data directory).")
DbOption = typer.Option(None, "--db", help=DB_HELP, show_default=False)
FORMATS = ("table", "csv", "json")


def resolve_db(db: Path | None) -> Path:
    """The adapter's job: flag, then environment, then platformdirs."""
    from border21.data.store import default_db_path

    return db if db is not None else default_db_path(os.environ)


@contextmanager
def warehouse_with_waits(db: Path | None) -> Iterator[Store]:
    """The warehouse at ``--db`` (or the default), built from the shipped samples first if
    it has no CBP wait times or no Texas bridge counts yet (what calibration and region
    fits read; a warehouse built before the bridges were added gains them)."""
    from border21.cli._common import err_console
    from border21.data.store import open_store

    path = resolve_db(db)
    with open_store(path) as store:
        empty = [
            table for table in ("wait_times", "bridge_crossings")
            if not store.sql(f"SELECT count(*) AS n FROM {table}")["n"].iloc[0]
        ]  # fmt: skip
        if empty:
            from border21.data.samples import load_samples

            err_console.print(
                _("building the warehouse from shipped samples at {path}").format(path=path)
            )
            load_samples(store)
        yield store


def print_frame(frame: pd.DataFrame, fmt: str = "table", *, title: str | None = None) -> None:
    """Print a DataFrame as a rich table, CSV or JSON records."""
    from border21.errors import InputError

    if fmt not in FORMATS:
        raise InputError(
            "--format", fmt, _("must be one of {choices}").format(choices=", ".join(FORMATS))
        )
    if fmt == "csv":
        typer.echo(frame.to_csv(index=False), nl=False)
        return
    if fmt == "json":
        typer.echo(frame.to_json(orient="records", date_format="iso", indent=1))
        return
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if frame[col].dtype.kind in "iuf" else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def _cell(value: Any) -> str:
    """Readable cell text: dates without midnight, big numbers with separators."""
    import pandas as pd

    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1_000 else f"{value:.4g}"
    return str(value)


def _print_results(results: list[Any]) -> None:
    import pandas as pd

    frame = pd.DataFrame(  # a table for people only: its headers follow the language
        [
            {
                _("source"): r.source,
                _("file"): r.file_name,
                _("read"): r.rows_read,
                _("loaded"): r.rows_loaded,
                _("quarantined"): r.rows_quarantined,
                _("skipped"): r.rows_skipped,
                _("status"): _("unchanged") if r.unchanged else _("load {id}").format(id=r.load_id),
            }
            for r in results
        ]
    )
    if any(r.rows_replaced for r in results):  # a --force reload: say what it replaced
        frame.insert(6, _("replaced"), [r.rows_replaced for r in results])
    print_frame(frame)


@app.command(
    help=_("Build a working database from the samples shipped in the package (no network).")
)
@cli_errors
def init(
    db: Path | None = DbOption,
    force: bool = typer.Option(False, "--force", help=_("Reload samples already loaded.")),
) -> None:
    from border21.data.samples import load_samples
    from border21.data.store import open_store

    path = resolve_db(db)
    with open_store(path) as store:
        results = load_samples(store, force=force)
    _print_results(results)
    console.print(_("database: {path}").format(path=path), highlight=False)


@app.command(help=_("Validate and load one file; bad rows go to the quarantine table."))
@cli_errors
def load(
    source: str = typer.Argument(..., help=_("Source name (see `border21 data sources`).")),
    file: Path = typer.Argument(..., help=_("CSV, Parquet or XLSX file from the publisher.")),
    db: Path | None = DbOption,
    force: bool = typer.Option(False, "--force", help=_("Reload even if this file was loaded.")),
) -> None:
    from border21.data.loaders import load_source
    from border21.data.store import open_store

    with open_store(resolve_db(db)) as store:
        result = load_source(store, source, file, force=force)
    console.print(result.summary(), highlight=False)


@app.command(help=_("List the sources the loaders know, with the columns each expects."))
@cli_errors
def sources() -> None:
    import pandas as pd

    from border21.data.loaders import SOURCES

    rows = [
        {_("source"): name, _("layout"): spec.description, _("columns"): ", ".join(spec.columns)}
        for name, specs in SOURCES.items()
        for spec in specs
    ]
    print_frame(pd.DataFrame(rows))


@app.command(help=_("What is loaded, from which file, when; row counts per table."))
@cli_errors
def status(
    db: Path | None = DbOption,
    fmt: str = typer.Option("table", "--format", help=_("table, csv or json.")),
) -> None:
    import pandas as pd

    from border21.data.store import open_store

    path = resolve_db(db)
    with open_store(path, read_only=True) as store:
        frame = store.status()
        counts = store.table_counts()
    print_frame(frame, fmt, title=_("latest load per source — {path}").format(path=path))
    if fmt == "table":
        print_frame(pd.DataFrame([counts]), title=_("rows per table"))


@app.command(help=_("Show quarantined rows with their reason and source line number."))
@cli_errors
def quarantine(
    db: Path | None = DbOption,
    source: str | None = typer.Option(None, "--source", help=_("Only this source.")),
    limit: int = typer.Option(20, "--limit", min=1, help=_("Rows to show.")),
    fmt: str = typer.Option("table", "--format", help=_("table, csv or json.")),
) -> None:
    from border21.data.store import open_store

    with open_store(resolve_db(db), read_only=True) as store:
        frame = store.sql(
            """SELECT q.source, l.file_name, q.line_number, q.reason, q.raw_row
               FROM quarantine q JOIN loads l USING (load_id)
               WHERE ? IS NULL OR q.source = ? ORDER BY q.load_id DESC, q.line_number LIMIT ?""",
            [source, source, limit],
        )
    print_frame(frame, fmt)


@app.command(
    help=_(
        "Run an ad-hoc query against the warehouse: read-only, and sandboxed (DuckDB's "
        "external access off): no file reads or writes beyond the warehouse, no extension "
        "installs."
    )
)
@cli_errors
def sql(
    query: str = typer.Argument(
        ..., help=_("A SQL query (DuckDB dialect); read-only, no files or extensions.")
    ),
    db: Path | None = DbOption,
    fmt: str = typer.Option("table", "--format", help=_("table, csv or json.")),
    limit: int = typer.Option(1000, "--limit", min=1, help=_("Maximum rows printed.")),
) -> None:
    from border21.data.store import open_store

    with open_store(resolve_db(db), read_only=True, sandboxed=True) as store:
        frame = store.sql(query)
    if len(frame) > limit:
        shown = _("showing {n} of {total} rows").format(n=limit, total=len(frame))
        console.print(f"[dim]{shown}[/]")
    print_frame(frame.head(limit), fmt)


@app.command(help=_("Download a publisher's current release and load it (needs a network)."))
@cli_errors
def fetch(
    source: str = typer.Argument("crossings", help=_("Source to download.")),
    url: str | None = typer.Option(None, "--url", help=_("Download this release instead.")),
    db: Path | None = DbOption,
    timeout: float = typer.Option(60.0, "--timeout", min=1.0, help=_("Seconds before giving up.")),
) -> None:
    from border21.data.fetch import fetch_source
    from border21.data.store import open_store

    path = resolve_db(db)
    with open_store(path) as store:
        result = fetch_source(store, source, path.parent / "downloads", url=url, timeout_s=timeout)
    console.print(result.summary(), highlight=False)

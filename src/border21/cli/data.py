"""`border21 data` commands: build, load, inspect and query the warehouse."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from border21.cli._common import cli_errors, console

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    help="The border data warehouse (DuckDB): init, load, fetch, status, sql.",
    no_args_is_help=True,
)

DB_HELP = "Database file (default: $BORDER21_DB, else the user data directory)."
DbOption = typer.Option(None, "--db", help=DB_HELP, show_default=False)
FORMATS = ("table", "csv", "json")


def resolve_db(db: Path | None) -> Path:
    """The adapter's job: flag, then environment, then platformdirs."""
    from border21.data.store import default_db_path

    return db if db is not None else default_db_path(os.environ)


def print_frame(frame: pd.DataFrame, fmt: str = "table", *, title: str | None = None) -> None:
    """Print a DataFrame as a rich table, CSV or JSON records."""
    from border21.errors import InputError

    if fmt not in FORMATS:
        raise InputError("--format", fmt, f"must be one of {', '.join(FORMATS)}")
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

    frame = pd.DataFrame(
        [
            {
                "source": r.source,
                "file": r.file_name,
                "read": r.rows_read,
                "loaded": r.rows_loaded,
                "quarantined": r.rows_quarantined,
                "skipped": r.rows_skipped,
                "status": "unchanged" if r.unchanged else f"load {r.load_id}",
            }
            for r in results
        ]
    )
    if any(r.rows_replaced for r in results):  # a --force reload: say what it replaced
        frame.insert(6, "replaced", [r.rows_replaced for r in results])
    print_frame(frame)


@app.command()
@cli_errors
def init(
    db: Path | None = DbOption,
    force: bool = typer.Option(False, "--force", help="Reload samples already loaded."),
) -> None:
    """Build a working database from the samples shipped in the package (no network)."""
    from border21.data.samples import load_samples
    from border21.data.store import open_store

    path = resolve_db(db)
    with open_store(path) as store:
        results = load_samples(store, force=force)
    _print_results(results)
    console.print(f"database: {path}", highlight=False)


@app.command()
@cli_errors
def load(
    source: str = typer.Argument(..., help="Source name (see `border21 data sources`)."),
    file: Path = typer.Argument(..., help="CSV, Parquet or XLSX file from the publisher."),
    db: Path | None = DbOption,
    force: bool = typer.Option(False, "--force", help="Reload even if this file was loaded."),
) -> None:
    """Validate and load one file; bad rows go to the quarantine table."""
    from border21.data.loaders import load_source
    from border21.data.store import open_store

    with open_store(resolve_db(db)) as store:
        result = load_source(store, source, file, force=force)
    console.print(result.summary(), highlight=False)


@app.command()
@cli_errors
def sources() -> None:
    """List the sources the loaders know, with the columns each expects."""
    import pandas as pd

    from border21.data.loaders import SOURCES

    rows = [
        {"source": name, "layout": spec.description, "columns": ", ".join(spec.columns)}
        for name, specs in SOURCES.items()
        for spec in specs
    ]
    print_frame(pd.DataFrame(rows))


@app.command()
@cli_errors
def status(
    db: Path | None = DbOption,
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """What is loaded, from which file, when; row counts per table."""
    import pandas as pd

    from border21.data.store import open_store

    path = resolve_db(db)
    with open_store(path, read_only=True) as store:
        frame = store.status()
        counts = store.table_counts()
    print_frame(frame, fmt, title=f"latest load per source — {path}")
    if fmt == "table":
        print_frame(pd.DataFrame([counts]), title="rows per table")


@app.command()
@cli_errors
def quarantine(
    db: Path | None = DbOption,
    source: str | None = typer.Option(None, "--source", help="Only this source."),
    limit: int = typer.Option(20, "--limit", min=1, help="Rows to show."),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """Show quarantined rows with their reason and source line number."""
    from border21.data.store import open_store

    with open_store(resolve_db(db), read_only=True) as store:
        frame = store.sql(
            """SELECT q.source, l.file_name, q.line_number, q.reason, q.raw_row
               FROM quarantine q JOIN loads l USING (load_id)
               WHERE ? IS NULL OR q.source = ? ORDER BY q.load_id DESC, q.line_number LIMIT ?""",
            [source, source, limit],
        )
    print_frame(frame, fmt)


@app.command()
@cli_errors
def sql(
    query: str = typer.Argument(
        ..., help="A SQL query (DuckDB dialect); read-only, no files or extensions."
    ),
    db: Path | None = DbOption,
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    limit: int = typer.Option(1000, "--limit", min=1, help="Maximum rows printed."),
) -> None:
    """Run an ad-hoc query against the warehouse: read-only, and sandboxed (DuckDB's external
    access off): no file reads or writes beyond the warehouse, no extension installs."""
    from border21.data.store import open_store

    with open_store(resolve_db(db), read_only=True, sandboxed=True) as store:
        frame = store.sql(query)
    if len(frame) > limit:
        console.print(f"[dim]showing {limit} of {len(frame)} rows[/]")
    print_frame(frame.head(limit), fmt)


@app.command()
@cli_errors
def fetch(
    source: str = typer.Argument("crossings", help="Source to download."),
    url: str | None = typer.Option(None, "--url", help="Download this release instead."),
    db: Path | None = DbOption,
    timeout: float = typer.Option(60.0, "--timeout", min=1.0, help="Seconds before giving up."),
) -> None:
    """Download a publisher's current release and load it (needs a network)."""
    from border21.data.fetch import fetch_source
    from border21.data.store import open_store

    path = resolve_db(db)
    with open_store(path) as store:
        result = fetch_source(store, source, path.parent / "downloads", url=url, timeout_s=timeout)
    console.print(result.summary(), highlight=False)

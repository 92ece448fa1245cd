"""`border21 audit`: check and read the service's hash-chained audit log."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import cli_errors, console, err_console
from border21.cli.serve import (
    AuditKeyOption,
    DataDirOption,
    resolve_audit_key,
    resolve_service_dir,
)
from border21.i18n import gettext as _

app = typer.Typer(help=_("The audit log: verify the hash chain, show entries."),
                  no_args_is_help=True)  # fmt: skip


def _open(data_dir: Path | None, audit_key: Path | None):  # type: ignore[no-untyped-def]
    from border21.errors import InputError
    from border21.service.config import ServiceConfig
    from border21.service.db import DB_FILE_NAME
    from border21.service.state import open_service_db

    path = resolve_service_dir(data_dir)
    if not (path / DB_FILE_NAME).exists():
        raise InputError("--data-dir", str(path), _("no {file} there").format(file=DB_FILE_NAME))
    return open_service_db(ServiceConfig(data_dir=path, audit_key=resolve_audit_key(audit_key)))


@app.command(
    "verify",
    help=_(
        "Recompute the keyed chain and its head; exit 1 if any entry was edited, removed, "
        "reordered or re-hashed, or the head is missing (exit 2 if the key is missing)."
    ),
)
@cli_errors
def verify_cmd(
    data_dir: Path | None = DataDirOption, audit_key: Path | None = AuditKeyOption
) -> None:
    from border21.service.audit import verify

    db, log = _open(data_dir, audit_key)
    try:
        report = verify(log)
    finally:
        db.close()
    if report.ok:
        console.print(
            _("audit log intact: {n} entries, keyed chain and head match").format(n=report.entries),
            highlight=False,
        )
        return
    tampered = _("tampered:")
    for problem in report.problems:
        err_console.print(f"[bold red]{tampered}[/] {problem}", highlight=False)
    raise typer.Exit(code=1)


@app.command("show", help=_("The latest audit entries, newest first."))
@cli_errors
def show(
    limit: int = typer.Option(20, "--limit", min=1, help=_("Latest entries shown.")),
    agency: str | None = typer.Option(
        None, "--agency", help=_("Only this agency's entries and those about its records.")
    ),
    data_dir: Path | None = DataDirOption,
    audit_key: Path | None = AuditKeyOption,
) -> None:
    from rich.table import Table

    db, log = _open(data_dir, audit_key)
    try:
        rows = log.entries(agency=agency, limit=limit)
    finally:
        db.close()
    table = Table("seq", "time", "actor", "agency", "owner")
    table.add_column("action", no_wrap=True)  # the column one greps for stays whole
    table.add_column("resource")
    table.add_column("outcome", no_wrap=True)
    for r in rows:
        table.add_row(str(r["seq"]), r["ts"], r["actor"], r["agency"], r["owner"], r["action"],
                      r["resource"], r["outcome"])  # fmt: skip
    console.print(table)

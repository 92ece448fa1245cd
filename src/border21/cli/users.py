"""`border21 users`: API users and their tokens (shown once, stored hashed)."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import cli_errors, console
from border21.cli.serve import (
    AuditKeyOption,
    DataDirOption,
    resolve_audit_key,
    resolve_service_dir,
)
from border21.i18n import gettext as _

app = typer.Typer(help=_("API users: add (prints the token once), list, revoke."),
                  no_args_is_help=True)  # fmt: skip


def _open(data_dir: Path | None, audit_key: Path | None):  # type: ignore[no-untyped-def]
    from border21.service.config import ServiceConfig
    from border21.service.state import open_service_db

    config = ServiceConfig(
        data_dir=resolve_service_dir(data_dir), audit_key=resolve_audit_key(audit_key)
    )
    return open_service_db(config)


@app.command(
    "add",
    help=_("Create a user and print their API token (it is not stored and cannot be shown again)."),
)
@cli_errors
def add(
    name: str = typer.Argument(..., help=_("User name (letters, digits, . _ @ -).")),
    agency: str = typer.Option(..., "--agency", help=_("us-cbp, mx-customs or analyst.")),
    role: str = typer.Option("viewer", "--role", help=_("viewer, analyst or admin.")),
    data_dir: Path | None = DataDirOption,
    audit_key: Path | None = AuditKeyOption,
) -> None:
    from border21.service.access import utc_now
    from border21.service.auth import add_user

    db, log = _open(data_dir, audit_key)
    try:
        with db.transaction():  # the user and its audit entry, together or not at all
            token = add_user(db, name, agency=agency, role=role, now=utc_now())
            log.append(actor="cli", agency=agency, action="users.add", resource=f"users/{name}",
                       outcome="allowed", detail={"role": role}, now=utc_now())  # fmt: skip
    finally:
        db.close()
    console.print(
        _("user {name} ({agency}, {role}) created. Token (shown once):").format(
            name=name, agency=agency, role=role
        ),
        highlight=False,
    )
    typer.echo(token)


@app.command("list", help=_("Active users (never their tokens)."))
@cli_errors
def list_(data_dir: Path | None = DataDirOption, audit_key: Path | None = AuditKeyOption) -> None:
    from rich.table import Table

    from border21.service.auth import list_users

    db, _log = _open(data_dir, audit_key)
    try:
        users = list_users(db)
    finally:
        db.close()
    table = Table(_("name"), _("agency"), _("role"), _("created"))
    for u in users:
        table.add_row(u["name"], u["agency"], u["role"], u["created_at"])
    console.print(table)


@app.command("revoke", help=_("Disable a user's token for good."))
@cli_errors
def revoke(
    name: str = typer.Argument(..., help=_("User name.")),
    data_dir: Path | None = DataDirOption,
    audit_key: Path | None = AuditKeyOption,
) -> None:
    from border21.service.access import utc_now
    from border21.service.auth import revoke_user

    db, log = _open(data_dir, audit_key)
    try:
        with db.transaction():
            revoke_user(db, name, now=utc_now())
            log.append(actor="cli", agency="-", action="users.revoke", resource=f"users/{name}",
                       outcome="allowed", detail={}, now=utc_now())  # fmt: skip
    finally:
        db.close()
    console.print(_("user {name} revoked").format(name=name), highlight=False)

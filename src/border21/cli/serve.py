"""`border21 serve`: the REST API and the dashboard, on uvicorn."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from border21.cli._common import cli_errors, console
from border21.i18n import gettext as _

SERVICE_DIR_ENV = "BORDER21_SERVICE_DIR"
DataDirOption = typer.Option(
    None,
    "--data-dir",
    help=_(
        "Service state (users, records, audit log). Default: ${env}, else the user data directory."
    ).format(env=SERVICE_DIR_ENV),
    show_default=False,
)


AUDIT_KEY_ENV = "BORDER21_AUDIT_KEY"
AuditKeyOption = typer.Option(
    None,
    "--audit-key",
    help=_(
        "The audit chain's key file (made on first use). Default: ${env}, else audit.key in "
        "the data directory; keep it elsewhere for a stronger audit."
    ).format(env=AUDIT_KEY_ENV),
    show_default=False,
)


def resolve_audit_key(audit_key: Path | None) -> Path | None:
    """Flag, then environment; None means the data directory's ``audit.key``."""
    if audit_key is not None:
        return audit_key.expanduser()
    if os.environ.get(AUDIT_KEY_ENV):
        return Path(os.environ[AUDIT_KEY_ENV]).expanduser()
    return None


def resolve_service_dir(data_dir: Path | None) -> Path:
    """The adapter's job: flag, then environment, then platformdirs."""
    if data_dir is not None:
        return data_dir.expanduser()
    if os.environ.get(SERVICE_DIR_ENV):
        return Path(os.environ[SERVICE_DIR_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("border21", appauthor=False)) / "service"


HELP = _("Serve the API (/api/v1, OpenAPI at /api/v1/openapi.json) and the dashboard (/).")


@cli_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help=_("Interface to listen on.")),
    port: int = typer.Option(8021, "--port", min=1, max=65535, help=_("TCP port.")),
    data_dir: Path | None = DataDirOption,
    audit_key: Path | None = AuditKeyOption,
    db: Path | None = typer.Option(
        None,
        "--db",
        help=_(
            "Data warehouse (DuckDB). Default: $BORDER21_DB or the user data "
            "directory if it exists, else the samples shipped in the package."
        ),
        show_default=False,
    ),
    demo_data: bool = typer.Option(
        False, "--demo-data", help=_("Seed synthetic agency records if the service has none.")
    ),
    max_body_bytes: int = typer.Option(
        1_048_576, "--max-body-bytes", min=1024, help=_("Largest request body accepted.")
    ),
    limits: Path | None = typer.Option(
        None,
        "--limits",
        help=_(
            "TOML file of per-role work limits ([viewer] max_crossings = 500000, …; "
            "see docs/service.md). Default: the built-in limits."
        ),
        show_default=False,
    ),
) -> None:
    import uvicorn

    from border21.data.store import default_db_path
    from border21.service.app import create_app
    from border21.service.budget import DEFAULT_ROLE_LIMITS, load_role_limits
    from border21.service.config import ServiceConfig
    from border21.service.state import ServiceState

    warehouse = db if db is not None else default_db_path(os.environ)
    role_limits = DEFAULT_ROLE_LIMITS if limits is None else load_role_limits(limits)
    config = ServiceConfig(
        data_dir=resolve_service_dir(data_dir),
        audit_key=resolve_audit_key(audit_key),
        warehouse=warehouse if warehouse.exists() else None,
        max_body_bytes=max_body_bytes,
        role_limits=role_limits,
    )
    state = ServiceState(config)
    if demo_data:
        from border21.service.demo_data import seed_demo_records

        added = seed_demo_records(state.data)
        if added:
            console.print(_("demo records added: {n}").format(n=added), highlight=False)
    console.print(
        _("border21 service: {url}  (data: {data}; warehouse: {warehouse})").format(
            url=f"http://{host}:{port}/",
            data=config.data_dir,
            warehouse=config.warehouse or _("shipped samples"),
        ),
        highlight=False,
    )
    import sys

    # A simulation's Python parts hold the GIL; the default 5 ms switch interval makes every
    # cheap request wait up to 5 ms per hand-over while one runs (bench_fairness.py)
    sys.setswitchinterval(0.001)
    try:
        uvicorn.run(create_app(config, state=state), host=host, port=port, log_level="warning")
    finally:
        state.close()

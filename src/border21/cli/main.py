"""The ``border21`` command. Sub-commands live in sibling modules.

Each sub-command module imports only Typer at module level so that
``border21 --help`` stays instant; NumPy, Numba, DuckDB and LightGBM are
imported inside the commands that need them.
"""

from __future__ import annotations

import typer

from border21 import __version__
from border21.cli import (
    audit,
    border,
    calibrate,
    data,
    demo,
    frontier,
    indicators,
    ports,
    region,
    report,
    serve,
    simulate,
    staff,
    sweep,
    target,
    users,
)

app = typer.Typer(
    name="border21",
    help="Decision support for a 21st-century US–Mexico border.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(ports.app, name="ports")
app.add_typer(border.app, name="border")
app.add_typer(data.app, name="data")
app.add_typer(indicators.app, name="indicators")
app.add_typer(report.app, name="report")
app.add_typer(target.app, name="target")
app.add_typer(region.app, name="region")
app.command("simulate")(simulate.simulate)
app.command("frontier")(frontier.frontier)
app.command("sweep")(sweep.sweep)
app.command("staff")(staff.staff)
app.command("calibrate")(calibrate.calibrate)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"border21 {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """border21: ports, targeting, border data and the security–trade frontier."""


def run() -> None:
    """Console-script entry point."""
    app()

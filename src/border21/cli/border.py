"""`border21 border list`: every US–Mexico land port and its shipped scenarios."""

from __future__ import annotations

import json

import typer

from border21.cli._common import cli_errors, console

_SHORT = {"personal_vehicles": "car", "pedestrians": "ped", "trucks": "truck", "buses": "bus"}

app = typer.Typer(help="The whole US–Mexico border, port by port.", no_args_is_help=True)


@app.command("list")
@cli_errors
def list_border(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
) -> None:
    """List every US–Mexico land port: code, name, state, coordinates, modes, scenarios."""
    from border21.ports.catalog import border_ports

    ports = border_ports()
    if as_json:
        rows = [
            {
                "port_code": p.port_code,
                "name": p.name,
                "state": p.state,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "modes": p.modes,
                "provenance": p.provenance,
                "scenarios": [{"name": n, "provenance": v} for n, v in p.scenarios.items()],
                "year": p.year,
                "crossings_per_year": p.crossings_per_year,
            }
            for p in ports
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    year = ports[0].year if ports else ""
    table = Table(title=f"US–Mexico land ports (BTS {year} northbound modes)")
    for col in ("code", "port", "state", "lat", "lon", "modes", "scenarios", "provenance"):
        table.add_column(
            col,
            justify="right" if col in ("lat", "lon") else "left",
            no_wrap=col in ("code", "lat", "lon"),
        )
    for p in ports:
        table.add_row(
            p.port_code,
            p.name,
            p.state,
            f"{p.latitude:.3f}",
            f"{p.longitude:.3f}",
            " ".join(_SHORT[m] for m in p.modes),
            ", ".join(p.scenarios),
            p.provenance,
        )
    console.print(table)
    curated = sum("curated" in p.scenarios.values() for p in ports)
    console.print(
        f"{len(ports)} ports; {curated} with a curated scenario, "
        f"{sum('generated' in p.scenarios.values() for p in ports)} with a generated one "
        '(docs/ports.md, "Generated scenarios").',
        highlight=False,
    )

"""`border21 border list`: every US–Mexico land port and its shipped scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from border21.cli._common import cli_errors, console, said, wrote
from border21.i18n import N_
from border21.i18n import gettext as _

_SHORT = {"personal_vehicles": "car", "pedestrians": "ped", "trucks": "truck", "buses": "bus"}

app = typer.Typer(help=_("The whole US–Mexico border, port by port."), no_args_is_help=True)


@app.command(
    "list",
    help=_("List every US–Mexico land port: code, name, state, coordinates, modes, scenarios."),
)
@cli_errors
def list_border(
    as_json: bool = typer.Option(False, "--json", help=_("Print a JSON list of objects.")),
    chart: Path | None = typer.Option(
        None, "--chart", help=_("Also write a map of the ports' volumes (.html/.svg/.png/.json).")
    ),
) -> None:
    from border21.ports.catalog import border_ports

    ports = border_ports()
    if chart is not None:
        _volume_map(chart)
    if as_json:
        rows = [p.as_dict() for p in ports]
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    year = ports[0].year if ports else ""
    table = Table(title=_("US–Mexico land ports (BTS {year} northbound modes)").format(year=year))
    for col in (
        N_("code"),
        N_("port"),
        N_("state"),
        N_("lat"),
        N_("lon"),
        N_("modes"),
        N_("scenarios"),
        N_("provenance"),
    ):
        table.add_column(
            _(col),
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
    generated = sum("generated" in p.scenarios.values() for p in ports)
    console.print(
        _(
            "{n} ports; {curated} with a curated scenario, {generated} with a generated one "
            '(docs/ports.md, "Generated scenarios").'
        ).format(n=len(ports), curated=curated, generated=generated),
        highlight=False,
    )


@app.command(
    "allocate",
    help=_(
        "Place officer-hours across the border's ports and hours where they save the most "
        "delay cost of trade and travel (or, for a cut, cost the least)."
    ),
)
@cli_errors
def allocate_officers(
    officers: int = typer.Option(
        ..., "--officers", help=_("Officers to add (negative: to cut), each one shift a day.")
    ),
    shift_hours: int = typer.Option(8, "--shift-hours", help=_("Hours one officer works a day.")),
    days: int = typer.Option(2, "--days", help=_("Days per replication (the first is a warm-up).")),
    replications: int = typer.Option(4, "--replications", "-r", help=_("Replications (2–30).")),
    seed: int = typer.Option(0, "--seed", help=_("Root seed.")),
    ports: str = typer.Option("", "--ports", help=_("Port codes to consider (default: all 28).")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the allocation as JSON.")),
    out: Path | None = typer.Option(None, "--out", help=_("Write allocation.json and .csv here.")),
) -> None:
    from border21.cli._common import err_console, ready_out
    from border21.ports.allocate import allocate
    from border21.ports.limits import check_seed

    check_seed(seed)
    ready_out(out)
    codes = [c.strip() for c in ports.split(",") if c.strip()] or None
    result = allocate(
        officers,
        shift_hours=shift_hours,
        days=days,
        warm_up_days=1 if days > 1 else 0,
        replications=replications,
        seed=seed,
        ports=codes,
        progress=lambda msg: err_console.print(said(msg), highlight=False) if not as_json else None,
    )
    from border21.i18n import resolve
    from border21.i18n.message import localize

    data = localize(result.as_json(), resolve())  # its notes in the CLI's language
    if out is not None:
        import pandas as pd

        out.mkdir(parents=True, exist_ok=True)
        (out / "allocation.json").write_text(json.dumps(data, indent=1))
        rows = [{k: v for k, v in p.items() if k != "booths_by_hour"} for p in result.as_rows()]
        pd.DataFrame(rows).to_csv(out / "allocation.csv", index=False)
        _allocation_map(result, out / "allocation_map.html")
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    _print_allocation(result)
    if out is not None:
        wrote(out)


def _print_allocation(result: object) -> None:
    from rich.table import Table

    from border21.ports.allocate import Allocation
    from border21.stats import pm

    assert isinstance(result, Allocation)
    title = (
        _("{officers} officers × {hours} h added: {officer_hours} officer-hours a day")
        if result.officers > 0
        else _("{officers} officers × {hours} h removed: {officer_hours} officer-hours a day")
    )
    table = Table(
        title=title.format(
            officers=f"{abs(result.officers):,}",
            hours=result.shift_hours,
            officer_hours=f"{abs(result.officer_hours):,}",
        )
    )
    for col in (
        N_("code"),
        N_("port"),
        N_("officer-hours"),
        N_("waiting hours saved/day"),
        N_("delay cost saved $/day"),
        N_("where (group: hours)"),
    ):
        table.add_column(
            _(col), justify="left" if col in ("code", "port", "where (group: hours)") else "right"
        )
    for p in result.ports:
        if not p.officer_hours:
            continue
        where = "; ".join(
            f"{g}: "
            + ",".join(f"{h:02d}h{'+' if d > 0 else ''}{d}" for h, d in enumerate(delta) if d)
            for g, delta in p.by_group.items()
        )
        table.add_row(
            p.port_code,
            p.name,
            f"{p.officer_hours:+,}",
            pm(p.delay_hours_saved, p.delay_hours_saved_ci95, "{:,.0f}"),
            pm(p.delay_cost_saved_usd, p.delay_cost_saved_usd_ci95, "{:,.0f}"),
            where,
        )
    console.print(table)
    saved = sum(p.delay_cost_saved_usd for p in result.ports)
    console.print(
        _(
            "Delay cost saved across the border: ${saved} a day (negative: added). ± is the "
            "95% interval over {reps} replications, paired (the same crossings before and "
            "after). Untouched ports are not listed."
        ).format(saved=f"{saved:,.0f}", reps=result.replications),
        highlight=False,
    )
    prefix = _("note:")
    for text in result.notes:
        console.print(f"{prefix} {said(text)}", highlight=False)


def _allocation_map(result: object, path: Path) -> None:
    """The border map: each port's volume (area) and the delay cost the allocation saves."""

    from border21.ports.allocate import Allocation
    from border21.ports.catalog import border_ports_frame
    from border21.reports.charts import border_map, save_chart

    assert isinstance(result, Allocation)
    ports = border_ports_frame()
    saved = {p.port_code: p.delay_cost_saved_usd for p in result.ports}
    hours = {p.port_code: p.officer_hours for p in result.ports}
    ports["delay_cost_saved_usd"] = ports["port_code"].map(saved).fillna(0.0)
    ports["officer_hours"] = ports["port_code"].map(hours).fillna(0)
    chart = border_map(
        ports,
        size="crossings_per_day",
        size_title="crossings a day (BTS)",
        color="delay_cost_saved_usd",
        color_title="delay cost saved $/day",
        title=f"{result.officers:+,} officers × {result.shift_hours} h: delay cost saved a day",
        top=("delay_cost_saved_usd", "${:,.0f}"),
        closing="The table printed with the map gives every figure.",
    )
    save_chart(chart, path)


def _volume_map(path: Path) -> None:

    from border21.ports.catalog import border_ports_frame
    from border21.reports.charts import CHART_FORMATS, border_map, save_chart

    if path.suffix.lower() not in CHART_FORMATS:
        from border21.errors import InputError

        raise InputError(
            "--chart",
            str(path),
            _("extension must be one of {formats}").format(formats=", ".join(CHART_FORMATS)),
        )
    chart = border_map(
        border_ports_frame(),
        size="crossings_per_day",
        size_title="crossings a day (BTS)",
        title="US–Mexico land ports: northbound crossings a day (BTS)",
        top=("crossings_per_day", "{:,.0f}"),
        closing="`border21 border list` prints every port.",
    )
    save_chart(chart, path)

"""`border21 ports list|show`: the shipped port scenarios."""

from __future__ import annotations

import sys

import typer

from border21.cli._common import cli_errors, console

app = typer.Typer(help="Shipped port-of-entry scenarios.", no_args_is_help=True)


@app.command("list")
@cli_errors
def list_ports() -> None:
    """List the shipped port scenarios."""
    from rich.table import Table

    from border21.ports.catalog import load_scenario, shipped_scenarios

    table = Table(title="Shipped port scenarios")
    for col in ("name", "port", "code", "provenance", "streams", "booths", "crossings/day"):
        table.add_column(col, justify="right" if col in ("booths", "crossings/day") else "left")
    for name in shipped_scenarios():
        sc = load_scenario(name)
        booths = sum(g.booths for g in sc.lanes.values())
        per_day = sum(s.crossings_per_day for s in sc.streams.values())
        table.add_row(
            name,
            sc.port.name,
            sc.port.port_code or "",
            sc.port.provenance,
            ", ".join(sc.streams),
            str(booths),
            f"{per_day:,.0f}",
        )
    console.print(table)


@app.command("show")
@cli_errors
def show_port(
    name: str = typer.Argument(..., help="Shipped scenario name or path to a TOML file."),
    toml: bool = typer.Option(False, "--toml", help="Print the scenario file itself."),
) -> None:
    """Show one scenario: streams, lanes, staffing, secondary and offered load."""
    from rich.table import Table

    from border21.ports.catalog import load_scenario, resolve_scenario
    from border21.ports.results import offered_load

    if toml:
        # Written as is: a console would wrap long lines at the terminal's width
        # and break the TOML (comments that spill onto a line of their own).
        text = resolve_scenario(name).read_text(encoding="utf-8")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    sc = load_scenario(name)
    console.print(f"[bold]{sc.port.name}[/] (port code {sc.port.port_code or '—'})")
    if sc.port.description:
        console.print(sc.port.description, markup=False)
    streams = Table(title="Streams")
    for col in (
        "stream",
        "kind",
        "direction",
        "crossings/day",
        "programs",
        "primary s",
        "referral",
        "secondary",
    ):
        streams.add_column(col)
    for sname, st in sc.streams.items():
        shares = ", ".join(f"{p} {v:.0%}" for p, v in st.program_shares.items())
        streams.add_row(
            sname,
            st.kind,
            st.direction,
            f"{st.crossings_per_day:,.0f}",
            shares,
            f"{st.primary_service.distribution} {st.primary_service.mean_seconds:g}",
            f"{st.referral_probability:.1%}",
            st.secondary or "—",
        )
    console.print(streams)
    lanes = Table(title="Primary lane groups")
    for col in (
        "group",
        "program",
        "accepts",
        "streams",
        "lanes",
        "booths/lane",
        "open booths (min–max)",
    ):
        lanes.add_column(col)
    for gname, g in sc.lanes.items():
        opens = g.open_booths()
        lanes.add_row(
            gname,
            g.program,
            ",".join(g.accepted_programs),
            ",".join(g.streams),
            str(g.lanes),
            str(g.booths_per_lane),
            f"{min(opens)}–{max(opens)}",
        )
    console.print(lanes)
    coop = sc.cooperation
    export, imports = coop.export_inspection, coop.import_inspection
    console.print(
        f"cooperation: shared intelligence {'on' if coop.shared_intelligence else 'off'}, "
        f"UCP {'on' if coop.unified_cargo_processing else 'off'}, trusted enrolment × "
        f"{coop.trusted_enrolment_scale:g}, southbound inspection "
        f"{coop.southbound_inspection_probability:.0%}; Mexican export inspection "
        + (
            f"{export.booths} booths, semáforo {export.semaforo_probability:.0%}"
            if export
            else "not described"
        )
        + "; Mexican import inspection "
        + (
            f"{imports.bays} bays, semáforo {imports.semaforo_probability:.0%}"
            if imports
            else "not described"
        ),
        highlight=False,
    )
    load = offered_load(sc)
    peak = load.loc[load.groupby("where")["utilisation"].idxmax()]
    util = Table(title="Peak offered utilisation (peak weekday)")
    for col in ("where", "streams", "hour", "utilisation"):
        util.add_column(col)
    for r in peak.itertuples():
        util.add_row(str(r.where), str(r.streams), f"{int(r.hour):02d}:00", f"{r.utilisation:.2f}")
    console.print(util)

"""`border21 ports list|show`: the shipped port scenarios."""

from __future__ import annotations

import sys

import typer

from border21.cli._common import cli_errors, console
from border21.i18n import N_
from border21.i18n import gettext as _

app = typer.Typer(help=_("Shipped port-of-entry scenarios."), no_args_is_help=True)


@app.command("list", help=_("List the shipped port scenarios."))
@cli_errors
def list_ports() -> None:
    from rich.table import Table

    from border21.ports.catalog import load_scenario, shipped_scenarios

    table = Table(title=_("Shipped port scenarios"))
    names = (N_("name"), N_("port"), N_("code"), N_("provenance"), N_("streams"))
    for col in (*names, N_("booths"), N_("crossings/day")):
        table.add_column(_(col), justify="left" if col in names else "right")
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


@app.command(
    "show", help=_("Show one scenario: streams, lanes, staffing, secondary and offered load.")
)
@cli_errors
def show_port(
    name: str = typer.Argument(..., help=_("Shipped scenario name or path to a TOML file.")),
    toml: bool = typer.Option(False, "--toml", help=_("Print the scenario file itself.")),
) -> None:
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
    code = _("port code {code}").format(code=sc.port.port_code or "—")
    console.print(f"[bold]{sc.port.name}[/] ({code})")
    if sc.port.description:
        console.print(sc.port.description, markup=False)
    streams = Table(title=_("Streams"))
    for col in (
        N_("stream"),
        N_("kind"),
        N_("direction"),
        N_("crossings/day"),
        N_("programs"),
        N_("primary s"),
        N_("referral"),
        N_("secondary"),
    ):
        streams.add_column(_(col))
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
    lanes = Table(title=_("Primary lane groups"))
    for col in (
        N_("group"),
        N_("program"),
        N_("accepts"),
        N_("streams"),
        N_("lanes"),
        N_("booths/lane"),
        N_("open booths (min–max)"),
    ):
        lanes.add_column(_(col))
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
    on, off = _("on"), _("off")
    missing = _("not described")
    console.print(
        _(
            "cooperation: shared intelligence {shared}, UCP {ucp}, trusted enrolment × "
            "{scale}, southbound inspection {southbound}; Mexican export inspection "
            "{export}; Mexican import inspection {imports}"
        ).format(
            shared=on if coop.shared_intelligence else off,
            ucp=on if coop.unified_cargo_processing else off,
            scale=f"{coop.trusted_enrolment_scale:g}",
            southbound=f"{coop.southbound_inspection_probability:.0%}",
            export=_("{booths} booths, semáforo {share}").format(
                booths=export.booths, share=f"{export.semaforo_probability:.0%}"
            )
            if export
            else missing,
            imports=_("{bays} bays, semáforo {share}").format(
                bays=imports.bays, share=f"{imports.semaforo_probability:.0%}"
            )
            if imports
            else missing,
        ),
        highlight=False,
    )
    load = offered_load(sc)
    peak = load.loc[load.groupby("where")["utilisation"].idxmax()]
    util = Table(title=_("Peak offered utilisation (peak weekday)"))
    for col in (N_("where"), N_("streams"), N_("hour"), N_("utilisation")):
        util.add_column(_(col))
    for r in peak.itertuples():
        util.add_row(str(r.where), str(r.streams), f"{int(r.hour):02d}:00", f"{r.utilisation:.2f}")
    console.print(util)

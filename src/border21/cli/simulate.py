"""`border21 simulate`: run a port scenario and write records and summaries."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import (
    cli_errors,
    console,
    err_console,
    note,
    print_marked_note,
    ready_out,
    warn,
)
from border21.i18n import N_
from border21.i18n import gettext as _
from border21.stats import NONNEGATIVE, pm

HELP = _("Simulate a port of entry and print waits by lane group, each flow apart.")


@cli_errors
def simulate(
    scenario: str = typer.Argument(..., help=_("Shipped scenario name or path to a TOML file.")),
    days: int = typer.Option(1, "--days", min=1, help=_("Simulated days per replication.")),
    replications: int = typer.Option(1, "--replications", "-r", min=1, help=_("Replications.")),
    seed: int = typer.Option(
        0, "--seed", min=0, help=_("Root seed (one SeedSequence for the run).")
    ),
    overrides: list[str] = typer.Option(
        [], "--set", help=_("Override a scenario key, e.g. --set lanes.sentri.lanes=6.")
    ),
    out: Path | None = typer.Option(None, "--out", help=_("Write records and summaries here.")),
    records: bool = typer.Option(
        True, "--records/--no-records", help=_("With --out, also write per-crossing records.")
    ),
    csv: bool = typer.Option(
        False,
        "--csv",
        help=_("With --out, write CSV beside the Parquet files (records are large)."),
    ),
    warm_up_days: int | None = typer.Option(
        None,
        "--warm-up-days",
        min=0,
        help=_(
            "Days simulated and left out of the summaries (default: 1 when --days > 1, else 0)."
        ),
    ),
) -> None:
    from border21.errors import InputError
    from border21.ports.catalog import load_scenario
    from border21.ports.edits import inert_overrides, with_overrides
    from border21.ports.limits import DEFAULT_LIMITS
    from border21.ports.runs import refuse_targeting_only
    from border21.ports.runs import simulate as run_simulation

    if out is None and (csv or not records):
        flag = "--csv" if csv else "--no-records"
        raise InputError(flag, True, _("says what --out writes; give --out DIR"))
    DEFAULT_LIMITS.check_counts(days=days, replications=replications)
    base = load_scenario(scenario)
    sc = with_overrides(base, overrides)
    DEFAULT_LIMITS.check_run(sc, days=days, replications=replications)
    refuse_targeting_only(sc)
    ready_out(out)
    for text in inert_overrides(base, overrides):
        note(text)
    if replications * days < 20:  # too quick for a progress bar: skip importing rich's
        result = run_simulation(
            sc, days=days, replications=replications, seed=seed, warm_up_days=warm_up_days
        )
    else:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"{sc.port.name}: {days} d × {replications}", total=replications)
            result = run_simulation(
                sc,
                days=days,
                replications=replications,
                seed=seed,
                progress=lambda k: bar.advance(task, k),
                warm_up_days=warm_up_days,
            )
    for warning in result.warnings:
        warn(warning)
    print_summary(result)
    if out is not None:
        from border21.ports.output import write_result

        notes: list[str] = []
        written = write_result(result, out, records=records, csv=csv, notes=notes)
        for text in notes:
            note(text)
        console.print(_("wrote {n} files to {path}").format(n=len(written), path=out))


def print_summary(result: object) -> None:
    """Print the waits table of a :class:`SimulationResult`, each flow on its own rows."""
    from rich.table import Table

    from border21.ports.runs import SimulationResult

    assert isinstance(result, SimulationResult)
    sc = result.scenario
    table = Table(
        title=_("{port}: {days} day(s) × {reps} replication(s), seed {seed}").format(
            port=sc.port.name, days=result.days, reps=len(result.replications), seed=result.seed
        )
    )
    held = any(r["held_per_day"] > 0 for r in result.summary_rows)
    columns = [N_("where"), N_("flow"), N_("crossings/day")]
    columns += [N_("held/day")] if held else []
    columns += [N_("mean wait min"), N_("p50"), N_("p95"), N_("max")]
    for col in columns:
        table.add_column(_(col), justify="left" if col in ("where", "flow") else "right")
    marked: list[str] = []
    for r in result.summary_rows:
        flow = _flow(str(r["direction"]), str(r["kind"]))
        cells = [_where(r), flow, f"{r['crossings_per_day']:,.0f}"]
        cells += [f"{r['held_per_day']:,.0f}"] if held else []
        figures = [
            pm(r[f"{s}_wait_min"], r[f"{s}_wait_min_ci95"], "{:.1f}", NONNEGATIVE)
            for s in WAIT_COLUMNS
        ]
        marked += figures
        cells += figures
        table.add_row(*cells)
    console.print(table)
    print_marked_note(marked)
    console.print(result.describe_warm_up(_), highlight=False)
    if len(result.replications) < 2:
        console.print(
            _("one replication: no intervals; run two or more (-r) for 95% intervals"),
            highlight=False,
        )
    else:
        console.print(
            _(
                "each wait figure: its mean over replications ± the half-width of its 95% "
                "interval (p50, p95 and max are taken in each replication)"
            ),
            highlight=False,
        )
    if held:
        console.print(
            _(
                "held/day: crossings that arrived while all their lanes were closed and waited "
                "at the gate for the opening (not counted in the wait)"
            ),
            highlight=False,
        )
    totals = result.interdiction_totals().items()
    console.print(
        _("interdictions (all replications): {list}").format(
            list="; ".join(_interdiction(s, *counts) for s, counts in totals)
        ),
        highlight=False,
    )


def _interdiction(stream: str, detected: int, carriers: int, referred: int, mx: int) -> str:
    """``cars 6/29 carriers caught (21%, 95% CI 10–39%), 579 referred``."""
    from border21.stats import wilson_interval

    text = _("{stream} {detected}/{carriers} carriers caught").format(
        stream=stream, detected=f"{detected:,}", carriers=f"{carriers:,}"
    )
    if carriers:
        low, high = wilson_interval(detected, carriers)
        text += _(" ({share}, 95% CI {low}–{high})").format(
            share=f"{detected / carriers:.0%}", low=f"{low:.0%}", high=f"{high:.0%}"
        )
    text += _(", {n} referred").format(n=f"{referred:,}")
    return text + (_(", {n} Mexican red-light exams").format(n=f"{mx:,}") if mx else "")


def _where(row: dict[str, object]) -> str:
    stage, group = row["stage"], row["lane_group"]
    if stage == "primary":
        program = row["program"]
        return f"{group}" if group == program else f"{group} ({program})"
    if stage == "secondary":
        return _("secondary: {group}").format(group=group)
    return _(_MX_STAGES[str(stage)]) if str(stage) in _MX_STAGES else str(stage)


_MX_STAGES = {
    "mx_export": N_("MX export booths"),
    "mx_secondary": N_("MX export exam"),
    "mx_import": N_("MX import exam"),
}
WAIT_COLUMNS = ("mean", "p50", "p95", "max")


_KINDS = {
    "personal_vehicle": N_("cars"),
    "pedestrian": N_("walkers"),
    "truck": N_("trucks"),
    "bus": N_("buses"),
}
_WAYS = {"northbound": N_("NB {who}"), "southbound": N_("SB {who}")}  # whole, per way


def _flow(direction: str, kind: str) -> str:
    """``NB cars``, ``SB trucks``: which way, and who."""
    who = "+".join(_(_KINDS[k]) if k in _KINDS else k for k in kind.split("+") if k)
    if direction in _WAYS:
        return _(_WAYS[direction]).format(who=who).strip()
    way = direction.replace("bound", "")
    return _("{way} {who}").format(way=way, who=who).strip()

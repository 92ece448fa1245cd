"""`border21 simulate`: run a port scenario and write records and summaries."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import cli_errors, console, err_console


@cli_errors
def simulate(
    scenario: str = typer.Argument(..., help="Shipped scenario name or path to a TOML file."),
    days: int = typer.Option(1, "--days", min=1, help="Simulated days per replication."),
    replications: int = typer.Option(1, "--replications", "-r", min=1, help="Replications."),
    seed: int = typer.Option(0, "--seed", help="Root seed (one SeedSequence for the run)."),
    overrides: list[str] = typer.Option(
        [], "--set", help="Override a scenario key, e.g. --set lanes.sentri.lanes=6."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write records and summaries here."),
    records: bool = typer.Option(
        True, "--records/--no-records", help="With --out, also write per-crossing records."
    ),
) -> None:
    """Simulate a port of entry and print waits by lane type."""
    from border21.ports.catalog import load_scenario
    from border21.ports.limits import DEFAULT_LIMITS
    from border21.ports.simulate import simulate as run_simulation

    DEFAULT_LIMITS.check_counts(days=days, replications=replications)
    sc = load_scenario(scenario, overrides)
    DEFAULT_LIMITS.check_run(sc, days=days, replications=replications)
    if replications * days < 20:  # too quick for a progress bar: skip importing rich's
        result = run_simulation(sc, days=days, replications=replications, seed=seed)
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
            )
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    print_summary(result)
    if out is not None:
        from border21.ports.output import write_result

        written = write_result(result, out, records=records)
        console.print(f"wrote {len(written)} files to {out}")


def print_summary(result: object) -> None:
    """Print the waits-by-lane-type table of a :class:`SimulationResult`."""
    from rich.table import Table

    from border21.ports.simulate import SimulationResult

    assert isinstance(result, SimulationResult)
    sc = result.scenario
    table = Table(
        title=f"{sc.port.name}: {result.days} day(s) × {len(result.replications)} "
        f"replication(s), seed {result.seed}"
    )
    for col in (
        "lane group",
        "program",
        "crossings/day",
        "mean wait min",
        "±95% CI",
        "p50",
        "p90",
        "p95",
    ):
        table.add_column(col, justify="left" if col in ("lane group", "program") else "right")
    for r in result.summary_rows:
        half = r["ci95_half_width_min"]
        table.add_row(
            str(r["lane_group"]),
            str(r["program"]),
            f"{r['crossings_per_day']:,.0f}",
            f"{r['mean_wait_min']:.1f}",
            "—" if half != half else f"{half:.1f}",
            f"{r['p50_wait_min']:.1f}",
            f"{r['p90_wait_min']:.1f}",
            f"{r['p95_wait_min']:.1f}",
        )
    console.print(table)
    console.print(
        "interdictions: "
        + "; ".join(
            f"{s} {det}/{car} carriers caught, {ref} referred"
            for s, (det, car, ref) in result.interdiction_totals().items()
        ),
        highlight=False,
    )

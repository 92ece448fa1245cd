"""`border21 demo`: the main job — every shipped port scenario, summarised."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import cli_errors, console, err_console


@cli_errors
def demo(
    days: int = typer.Option(2, "--days", min=1, help="Simulated days per replication."),
    replications: int = typer.Option(4, "--replications", "-r", min=1, help="Replications."),
    seed: int = typer.Option(2026, "--seed", help="Root seed."),
    out: Path | None = typer.Option(None, "--out", help="Also write each port's summaries here."),
) -> None:
    """Simulate every shipped port scenario and print one summary table."""
    import time

    from rich.progress import Progress
    from rich.table import Table

    from border21.ports.catalog import load_scenario, shipped_scenarios
    from border21.ports.simulate import simulate

    names = list(shipped_scenarios())
    started = time.perf_counter()
    results = []
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("simulating ports", total=len(names) * replications)
        for name in names:
            result = simulate(
                load_scenario(name),
                days=days,
                replications=replications,
                seed=seed,
                progress=lambda k: bar.advance(task, k),
            )
            results.append(result)
    table = Table(
        title=f"border21 demo: {days} day(s) × {replications} replications per port, seed {seed}"
    )
    for col in ("port", "lane group", "crossings/day", "mean wait min", "±95% CI", "p95 min"):
        table.add_column(col, justify="left" if col in ("port", "lane group") else "right")
    for result in results:
        for r in result.summary_rows:
            table.add_row(
                result.scenario.port.name,
                str(r["lane_group"]),
                f"{r['crossings_per_day']:,.0f}",
                f"{r['mean_wait_min']:.1f}",
                f"{r['ci95_half_width_min']:.1f}",
                f"{r['p95_wait_min']:.1f}",
            )
        totals = result.interdiction_totals().values()
        caught, carried = sum(t[0] for t in totals), sum(t[1] for t in totals)
        table.add_row(
            result.scenario.port.name,
            "[i]interdictions[/]",
            "",
            "",
            "",
            f"{caught}/{carried}",
            end_section=True,
        )
        if out is not None:
            from border21.ports.output import write_result

            write_result(
                result, out / result.scenario.port.name.lower().replace(" ", "_"), records=False
            )
    console.print(table)
    crossings = sum(len(r) for res in results for r in res.replications)
    console.print(f"simulated {crossings:,} crossings in {time.perf_counter() - started:.1f} s")

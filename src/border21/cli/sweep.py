"""`border21 sweep`: a what-if grid over a port scenario, with its frontier."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import (
    cli_errors,
    console,
    err_console,
    note,
    pct,
    print_marked_note,
    ready_out,
    said,
    wrote,
)
from border21.i18n import N_
from border21.i18n import gettext as _
from border21.stats import NONNEGATIVE, pm

FRONTIER_ROWS = 30


HELP = _(
    "Simulate every combination of the --vary values; print the detection–delay "
    "frontier.\n\n"
    "Variants that differ only after primary inspection (referral, detection, "
    "secondary bays and exams) share one simulated primary stage per replication, so "
    "grids over those keys are cheap."
)


@cli_errors
def sweep(
    scenario: str = typer.Argument(..., help=_("Shipped scenario name or path to a TOML file.")),
    vary: list[str] = typer.Option(
        [],
        "--vary",
        help=(
            _(
                "KEY=VALUES to sweep (repeat for more axes): comma-separated values or "
                "START:STOP:COUNT, e.g. streams.trucks.referral_probability=0.01:0.2:20 or "
                "lanes.general.staffed_booths=10,12,14."
            )
        ),
    ),
    days: int = typer.Option(7, "--days", min=1, help=_("Simulated days per scenario.")),
    replications: int = typer.Option(3, "--replications", "-r", min=1, help=_("Replications.")),
    seed: int = typer.Option(0, "--seed", min=0, help=_("Root seed.")),
    overrides: list[str] = typer.Option([], "--set", help=_("Override a scenario key first.")),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help=_("Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ),
    workers: int | None = typer.Option(
        None, "--workers", help=_("Local threads (default: cores).")
    ),
    out: Path | None = typer.Option(
        None, "--out", help=_("Write tables, chart and run.json here.")
    ),
    warm_up_days: int | None = typer.Option(
        None,
        "--warm-up-days",
        min=0,
        help=_("Days simulated and left out of the metrics (default: 1 when --days > 1, else 0)."),
    ),
) -> None:
    import time

    from rich.progress import Progress

    from border21.errors import InputError
    from border21.frontier.grid import build_grid, grid_size, parse_axis, summarise_grid
    from border21.frontier.sweep import execute
    from border21.ports.catalog import load_scenario
    from border21.ports.limits import DEFAULT_LIMITS
    from border21.ports.runs import warm_up_note

    if not vary:
        raise InputError("--vary", None, _("give at least one KEY=VALUES axis to sweep"))
    DEFAULT_LIMITS.check_counts(days=days, replications=replications)
    base = load_scenario(scenario, overrides)
    axes = [parse_axis(v) for v in vary]
    DEFAULT_LIMITS.check_grid(grid_size(axes))  # refused before any scenario is built
    DEFAULT_LIMITS.check_tasks(grid_size(axes) * replications)
    grid = build_grid(base, axes)
    tasks = grid.tasks(replications=replications, days=days, seed=seed, warm_up_days=warm_up_days)
    ready_out(out)
    for key, stage in (("export_inspection", N_("export")), ("import_inspection", N_("import"))):
        if getattr(base.cooperation, key) is not None:
            note(
                _(
                    "sweep models CBP alone: the Mexican {stage} stage of cooperation.{key} "
                    "is not simulated (border21 frontier --vary runs it)"
                ).format(stage=_(stage), key=key)
            )
    started = time.perf_counter()
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task(
            f"{base.port.name}: {len(grid.scenarios)} scenarios × {replications} reps",
            total=len(tasks),
        )
        rows = execute(
            tasks, scheduler=scheduler, workers=workers, progress=lambda k: bar.advance(task, k)
        )
    seconds = time.perf_counter() - started
    table = summarise_grid(rows, grid)
    title = _("{port}: {days} d × {reps} reps, seed {seed}").format(
        port=base.port.name, days=days, reps=replications, seed=seed
    )
    _print(table, grid, title=title)
    console.print(warm_up_note(tasks[0].warm_up_days, days, _), highlight=False)
    crossings = sum(r["crossings"] for r in rows)
    console.print(
        _(
            "{scenarios} scenarios × {reps} replications, {crossings} M simulated crossings "
            "in {seconds} s."
        ).format(
            scenarios=f"{len(grid.scenarios):,}",
            reps=replications,
            crossings=f"{crossings / 1e6:,.1f}",
            seconds=f"{seconds:.1f}",
        )
    )
    if out is not None:
        _write(table, rows, grid, out, scenario=scenario, days=days, reps=replications, seed=seed)
        wrote(out)


def _print(table: object, grid: object, *, title: str) -> None:
    import pandas as pd
    from rich.table import Table

    from border21.frontier.grid import Grid
    from border21.frontier.sweep import precision

    assert isinstance(table, pd.DataFrame) and isinstance(grid, Grid)
    checked = precision(table)
    front = table[table["on_frontier"]].sort_values("mean_delay_min")
    frontier_table = Table(
        title=_("{title} — frontier ({n} of {of} scenarios)").format(
            title=title, n=len(front), of=len(table)
        )
    )
    for axis in grid.axes:
        frontier_table.add_column(axis.label, justify="right", overflow="fold")
    south = "sb_mean_delay_min" in table.columns
    cols = [N_("caught %"), N_("delay min"), N_("p95 wait"), N_("licit/1000"), N_("cost k$")]
    for col in cols + ([N_("SB delay min")] if south else []):
        frontier_table.add_column(_(col), justify="right")
    cells: list[str] = []
    for r in front.head(FRONTIER_ROWS).to_dict("records"):
        figures = [
            pct(r["detection_rate"], r["detection_rate_ci95"]),
            *(
                pm(r[k] / scale, r[f"{k}_ci95"] / scale, fmt, NONNEGATIVE)
                for k, scale, fmt in (
                    ("mean_delay_min", 1, "{:.2f}"),
                    ("p95_wait_min", 1, "{:.1f}"),
                    ("licit_per_1000", 1, "{:.1f}"),
                    ("delay_cost_usd", 1000, "{:,.0f}"),
                    *([("sb_mean_delay_min", 1, "{:.2f}")] if south else []),
                )
            ),
        ]
        cells += figures
        frontier_table.add_row(*(_short(r[a.key]) for a in grid.axes), *figures)
    console.print(frontier_table)
    if len(front) > FRONTIER_ROWS:
        console.print(
            _("(first {n} frontier points by delay; all in --out)").format(n=FRONTIER_ROWS)
        )
    console.print(
        (
            _(
                "Northbound figures; SB: southbound alone, never averaged in. Frontier: no "
                "other scenario has both less mean delay and a larger share caught. ± is the "
                "95% CI half-width over replications."
            )
            if south
            else _(
                "Northbound figures. Frontier: no other scenario has both less mean delay and "
                "a larger share caught. ± is the 95% CI half-width over replications."
            )
        ),
        highlight=False,
    )
    print_marked_note(cells)
    for line in checked.notes():
        console.print(said(line), highlight=False)


def _short(value: object) -> str:
    """A table cell for an axis value: lists (hourly schedules) summarised."""
    if isinstance(value, list) and value:
        if all(v == value[0] for v in value):
            return f"{value[0]} ×{len(value)}"
        return f"{min(value)}–{max(value)} ({len(value)})"
    return str(value)


def _write(
    table: object,
    rows: list[dict[str, object]],
    grid: object,
    out: Path,
    *,
    scenario: str,
    days: int,
    reps: int,
    seed: int,
) -> None:
    import json

    import pandas as pd

    from border21.frontier.charts import sweep_chart
    from border21.frontier.grid import Grid
    from border21.ports.runs import config_hash
    from border21.reports.charts import save_chart

    assert isinstance(table, pd.DataFrame) and isinstance(grid, Grid)
    out.mkdir(parents=True, exist_ok=True)
    flat = table.copy()
    for axis in grid.axes:  # list-valued axes (schedules) as text for CSV/Parquet
        flat[axis.key] = flat[axis.key].map(lambda v: json.dumps(v) if isinstance(v, list) else v)
    flat.to_csv(out / "sweep.csv", index=False)
    flat.astype({a.key: str for a in grid.axes}).to_parquet(out / "sweep.parquet", index=False)
    pd.DataFrame(rows).to_csv(out / "replications.csv", index=False)
    first = next(iter(grid.scenarios.values()))
    save_chart(
        sweep_chart(table, grid.axes[0].key, title=f"{first.port.name}: what-if grid"),
        out / "sweep.html",
    )
    run = {
        "scenario": scenario,
        "axes": {a.key: a.values for a in grid.axes},
        "days": days,
        "replications": reps,
        "seed": seed,
        "config_hash": {name: config_hash(sc) for name, sc in grid.scenarios.items()},
    }
    (out / "run.json").write_text(json.dumps(run, indent=1, default=str))

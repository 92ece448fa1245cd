"""`border21 frontier`: detection against waiting, per policy and cooperation variant."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from border21.cli._common import (
    cli_errors,
    console,
    err_console,
    pct,
    print_marked_note,
    ready_out,
    said,
    warn,
    wrote,
)
from border21.i18n import N_
from border21.i18n import gettext as _
from border21.stats import NONNEGATIVE, pm

if TYPE_CHECKING:
    from border21.frontier.sweep import SweepTask
    from border21.ports.config import PortScenario


def _csv_floats(text: str, field: str) -> list[float]:
    from border21.errors import InputError

    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(field, text, _("expected comma-separated numbers")) from None
    if not values:
        raise InputError(field, text, _("expected at least one number"))
    return values


def _csv_words(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


HELP = _("Sweep referral budgets per policy; print and chart the Pareto frontier.")


@cli_errors
def frontier(
    scenario: str = typer.Argument(..., help=_("Shipped scenario name or path to a TOML file.")),
    policies: str = typer.Option(
        "random,trusted,targeted", "--policies", help=_("random, trusted, targeted.")
    ),
    budgets: str = typer.Option(
        "1,2,5,10,20,30", "--budgets", help=_("Referral budgets in percent of governed crossings.")
    ),
    variants: str = typer.Option(
        "baseline",
        "--variants",
        help=_("baseline, shared_intelligence, ucp, enrolment, southbound (comma-separated)."),
    ),
    enrolment_scale: float = typer.Option(1.5, "--enrolment-scale", help=_("For 'enrolment'.")),
    southbound_budget: float = typer.Option(
        1.0,
        "--southbound-budget",
        help=_("Percent of southbound crossings the 'southbound' variant inspects."),
    ),
    carrier_rate: float = typer.Option(
        2.0, "--carrier-rate", help=_("Percent of governed crossings that carry (targeting model).")
    ),
    days: int = typer.Option(2, "--days", min=1, help=_("Simulated days per replication.")),
    replications: int = typer.Option(
        30,
        "--replications",
        "-r",
        min=2,
        help=_(
            "Replications (30: the headline 95% intervals within ±5 pp caught and ±10% delay "
            "on the shipped ports)."
        ),
    ),
    seed: int = typer.Option(0, "--seed", min=0, help=_("Root seed.")),
    overrides: list[str] = typer.Option([], "--set", help=_("Override a scenario key.")),
    vary: list[str] = typer.Option(
        [],
        "--vary",
        help=(
            _(
                "Also sweep KEY=VALUES (as in `border21 sweep`), e.g. "
                "secondary.truck_secondary.bays=12,24 or lanes.general.staffed_booths=10:14:3; "
                "each policy's frontier then spans budgets and these values."
            )
        ),
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help=_("Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ),
    workers: int | None = typer.Option(
        None, "--workers", help=_("Local threads (default: cores).")
    ),
    out: Path | None = typer.Option(None, "--out", help=_("Write the table and chart here.")),
    warm_up_days: int | None = typer.Option(
        None,
        "--warm-up-days",
        min=0,
        help=_("Days simulated and left out of the metrics (default: 1 when --days > 1, else 0)."),
    ),
) -> None:
    from rich.progress import Progress

    from border21.errors import InputError
    from border21.frontier.policies import NOT_A_POLICY, POLICY_NAMES
    from border21.frontier.risk import RiskSetup
    from border21.frontier.sweep import (
        execute,
        mark_unstable,
        precision,
        shifts,
        summarise,
        unstable_points,
        unstable_warnings,
    )
    from border21.frontier.sweep import frontier as pareto
    from border21.frontier.variants import build_variants, risk_pools
    from border21.ports.catalog import load_scenario
    from border21.ports.limits import DEFAULT_LIMITS
    from border21.ports.runs import warm_up_for, warm_up_note

    DEFAULT_LIMITS.check_counts(days=days, replications=replications)
    policy_list = _csv_words(policies)
    for p in policy_list:
        if p in NOT_A_POLICY:
            raise InputError("--policies", p, NOT_A_POLICY[p])
        if p not in POLICY_NAMES:
            raise InputError(
                "--policies",
                p,
                _("unknown policy (known: {known})").format(known=", ".join(POLICY_NAMES)),
            )
    rates = [b / 100.0 for b in _csv_floats(budgets, "--budgets")]
    for b in rates:
        if not 0 < b <= 1:
            raise InputError("--budgets", 100 * b, _("each budget must be in (0, 100]"))
    if not 0 < southbound_budget <= 100:
        raise InputError("--southbound-budget", southbound_budget, _("must be in (0, 100]"))
    base = load_scenario(scenario, overrides)
    chosen = build_variants(
        base,
        _csv_words(variants),
        enrolment_scale=enrolment_scale,
        southbound_rate=southbound_budget / 100.0,
    )
    setup = RiskSetup(carrier_rate=carrier_rate / 100.0)
    warm_up = warm_up_for(days, warm_up_days)
    tasks = _tasks(  # before training the risk models: a sweep out of bounds fails fast
        chosen,
        vary,
        policy_list,
        rates,
        replications=replications,
        days=days,
        seed=seed,
        warm_up_days=warm_up,
    )
    ready_out(out)
    pools = risk_pools(
        chosen, policy_list, setup=setup, seed=seed, progress=lambda msg: err_console.print(msg)
    )
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task(
            _("{port}: {n} runs").format(port=base.port.name, n=len(tasks)), total=len(tasks)
        )
        rows = execute(
            tasks,
            risks=pools,
            scheduler=scheduler,
            workers=workers,
            progress=lambda k: bar.advance(task, k),
        )
    unstable = unstable_points(tasks)
    table = mark_unstable(pareto(summarise(rows)), unstable)
    for line in unstable_warnings(unstable):
        warn(line)
    checked = precision(table)
    table = table.assign(ci_outside_range=checked.out_of_range)
    title = _("{port}: {days} d × {reps} reps, seed {seed}").format(
        port=base.port.name, days=days, reps=replications, seed=seed
    )
    print_frontier(table, title=title)
    for note in checked.notes():
        console.print(said(note), highlight=False)
    console.print(warm_up_note(warm_up, days, _), highlight=False)
    moved = shifts(rows) if "baseline" in chosen and len(chosen) > 1 else None
    if moved is not None and not moved.empty:
        print_shifts(moved)
    if out is not None:
        write_frontier(table, rows, out)
        if moved is not None:
            moved.to_csv(out / "shifts.csv", index=False)
        wrote(out)


def _tasks(
    variants: dict[str, PortScenario],
    vary: list[str],
    policies: list[str],
    rates: list[float],
    *,
    replications: int,
    days: int,
    seed: int,
    warm_up_days: int,
) -> list[SweepTask]:
    """Every cooperation variant × grid point × policy × budget × replication."""
    from border21.errors import InputError
    from border21.frontier.grid import build_grid, grid_size, parse_axis
    from border21.frontier.sweep import build_tasks
    from border21.ports.limits import DEFAULT_LIMITS, expected_crossings

    if not vary:
        return build_tasks(
            variants,
            policies,
            rates,
            replications=replications,
            days=days,
            seed=seed,
            warm_up_days=warm_up_days,
        )
    axes = [parse_axis(v) for v in vary]
    for axis in axes:
        if axis.key.startswith("cooperation."):
            raise InputError(
                "--vary", axis.key, _("cooperation switches are chosen with --variants")
            )
    # the whole sweep is bounded before any grid is built
    DEFAULT_LIMITS.check_grid(grid_size(axes))
    DEFAULT_LIMITS.check_tasks(
        len(variants) * grid_size(axes) * len(policies) * len(rates) * replications
    )
    grids = {name: build_grid(sc, axes) for name, sc in variants.items()}
    DEFAULT_LIMITS.check_sweep_crossings(
        sum(
            expected_crossings(scenario, days=days)
            for grid in grids.values()
            for scenario in grid.scenarios.values()
        )
        * len(policies)
        * len(rates)
        * replications
    )
    tasks: list[SweepTask] = []
    for name, grid in grids.items():
        for point, scenario in grid.scenarios.items():
            tasks += build_tasks(
                {name: scenario},
                policies,
                rates,
                replications=replications,
                days=days,
                seed=seed,
                grid=point,
                warm_up_days=warm_up_days,
            )
    return tasks


def print_frontier(table: object, *, title: str) -> None:
    """One row per variant, policy and budget; frontier points starred."""
    import pandas as pd
    from rich.table import Table

    assert isinstance(table, pd.DataFrame)
    out = Table(title=title)
    has_grid = "grid" in table.columns
    shown = table[table["on_frontier"]] if has_grid else table  # a grid: frontiers only
    if has_grid:
        out.title = _("{title} — each policy's frontier over budgets and the grid").format(
            title=title
        )
    one_variant = table["variant"].nunique() == 1
    any_unstable = "unstable" in table.columns and bool((table["unstable"] != "").any())
    south = "sb_detection_rate" in table.columns

    for col in (
        *([] if one_variant else [N_("variant")]),
        *([N_("grid")] if has_grid else []),
        N_("policy"),
        N_("budget %"),
        N_("caught %"),
        N_("delay min"),
        N_("p95 wait"),
        N_("licit/1000"),
        N_("delay cost $"),
        *([N_("SB caught %"), N_("SB delay min")] if south else []),
        N_("frontier"),
        *([N_("stable")] if any_unstable else []),
    ):
        out.add_column(_(col), justify="left" if col in ("variant", "grid", "policy") else "right")
    cells: list[str] = []
    for r in shown.itertuples():
        figures = [
            pct(r.detection_rate, r.detection_rate_ci95),
            pm(r.mean_delay_min, r.mean_delay_min_ci95, "{:.1f}", NONNEGATIVE),
            pm(r.p95_wait_min, r.p95_wait_min_ci95, "{:.1f}", NONNEGATIVE),
            pm(r.licit_per_1000, r.licit_per_1000_ci95, "{:.1f}", NONNEGATIVE),
            pm(r.delay_cost_usd, r.delay_cost_usd_ci95, "{:,.0f}", NONNEGATIVE),
        ]
        if south:
            figures += [
                pct(r.sb_detection_rate, r.sb_detection_rate_ci95),
                pm(r.sb_mean_delay_min, r.sb_mean_delay_min_ci95, "{:.1f}", NONNEGATIVE),
            ]
        cells += figures
        out.add_row(
            *([] if one_variant else [str(r.variant)]),
            *([str(r.grid)] if has_grid else []),
            str(r.policy),
            f"{100 * r.rate:g}",
            *figures,
            "★" if r.on_overall_frontier else ("·" if r.on_frontier else ""),
            *([(_("NO") if r.unstable else _("yes"))] if any_unstable else []),
        )
    console.print(out)
    parts = [_("Northbound figures (its carriers: drugs and contraband);")]
    if south:
        parts.append(_("SB: southbound alone (firearms and currency), never averaged in."))
    parts.append(
        _(
            "★ on the variant's overall frontier; · on the policy's own frontier. ± is the "
            "95% CI half-width over replications."
        )
    )
    if any_unstable:
        parts.append(
            _(
                "stable NO: a queue is overloaded in some hours (warnings above), so the "
                "figures depend on the days simulated, not a steady state."
            )
        )
    console.print(" ".join(parts))
    print_marked_note(cells)


def print_shifts(moved: object) -> None:
    """How each cooperation variant moves detection and delay against the baseline."""
    import pandas as pd
    from rich.table import Table

    assert isinstance(moved, pd.DataFrame)
    south = "d_sb_delay_min" in moved.columns
    shift_table = Table(title=_("Shift against baseline (paired by replication)"))
    for col in (
        N_("variant"),
        N_("policy"),
        N_("budget %"),
        N_("NB Δ caught pp"),
        N_("NB Δ delay min"),
        N_("NB Δ delay cost $"),
        *([N_("SB Δ caught pp"), N_("SB Δ delay min")] if south else []),
    ):
        shift_table.add_column(_(col), justify="left" if col in ("variant", "policy") else "right")
    for r in moved.itertuples():
        shift_table.add_row(
            str(r.variant),
            str(r.policy),
            f"{100 * r.rate:g}",
            pm(100 * r.d_detection, 100 * r.d_detection_ci95, "{:+.1f}"),
            pm(r.d_delay_min, r.d_delay_min_ci95, "{:+.2f}"),
            pm(r.d_delay_cost_usd, r.d_delay_cost_usd_ci95, "{:+,.0f}"),
            *(
                [
                    pm(100 * r.d_sb_detection, 100 * r.d_sb_detection_ci95, "{:+.1f}"),
                    pm(r.d_sb_delay_min, r.d_sb_delay_min_ci95, "{:+.2f}"),
                ]
                if south
                else []
            ),
        )
    console.print(shift_table)
    console.print(
        _(
            "NB: northbound; SB: southbound, apart (— where no replication had southbound "
            "carriers). ± is the 95% CI half-width of the paired difference."
        )
        if south
        else _("NB: northbound. ± is the 95% CI half-width of the paired difference."),
        highlight=False,
    )


def write_frontier(table: object, rows: list[dict[str, object]], out: Path) -> None:
    """Summary and per-replication rows as CSV/Parquet, the chart as HTML and PNG."""
    import pandas as pd

    from border21.frontier.charts import frontier_chart
    from border21.reports.charts import save_chart

    assert isinstance(table, pd.DataFrame)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "frontier.csv", index=False)
    table.to_parquet(out / "frontier.parquet", index=False)
    pd.DataFrame(rows).to_csv(out / "replications.csv", index=False)
    chart = frontier_chart(table)
    save_chart(chart, out / "frontier.html")
    save_chart(chart, out / "frontier.png")

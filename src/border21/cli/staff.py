"""`border21 staff`: the booths to open each hour for a wait target at the fewest officer-hours."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import cli_errors, console, err_console, ready_out


@cli_errors
def staff(
    scenario: str = typer.Argument(..., help="Shipped scenario name or path to a TOML file."),
    target_p95: float | None = typer.Option(
        None, "--target-p95", help="Minutes the p95 wait of each hour's crossings may reach."
    ),
    target_mean: float | None = typer.Option(
        None, "--target-mean", help="Minutes the mean wait of each hour's crossings may reach."
    ),
    group_target: list[str] = typer.Option(
        [],
        "--group-target",
        help="A lane group's own target: GROUP=MIN (p95, or mean when only --target-mean is "
        "given), GROUP.p95=MIN or GROUP.mean=MIN; repeat for more groups.",
    ),
    officers_max: int | None = typer.Option(
        None, "--officers-max", help="Officers on duty at once: booths open in any hour, port-wide."
    ),
    days: int = typer.Option(3, "--days", help="Simulated days per replication (1–28)."),
    replications: int = typer.Option(
        8, "--replications", "-r", help="Replications (common random numbers for every candidate)."
    ),
    seed: int = typer.Option(0, "--seed", min=0, help="Root seed."),
    warm_up_days: int | None = typer.Option(
        None,
        "--warm-up-days",
        min=0,
        help="Days simulated and left out of the check (default: 1 when --days > 1, else 0).",
    ),
    overrides: list[str] = typer.Option([], "--set", help="Override a scenario key first."),
    out: Path | None = typer.Option(
        None, "--out", help="Write the staffed scenario (TOML), hourly table and chart here."
    ),
    holdout: int = typer.Option(
        0,
        "--holdout",
        help="Re-check every schedule on this many fresh replications the search never saw.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
) -> None:
    """Search the booths to open by hour, per lane group, for a wait target (vs SIPP)."""
    from border21.ports.catalog import load_scenario
    from border21.ports.edits import with_overrides
    from border21.ports.limits import DEFAULT_LIMITS
    from border21.ports.runs import refuse_targeting_only
    from border21.ports.staffing import WaitTarget, group_targets
    from border21.ports.staffing import staff as run_staffing

    target = WaitTarget(target_p95, target_mean)
    DEFAULT_LIMITS.check_counts(days=days, replications=replications)
    sc = with_overrides(load_scenario(scenario), overrides)
    targets = group_targets(sc, target, group_target)
    DEFAULT_LIMITS.check_staffing(sc, days=days, replications=replications)
    if holdout:
        if holdout < 0:
            from border21.errors import InputError

            raise InputError("--holdout", holdout, "must be 0 (none) or more replications")
        DEFAULT_LIMITS.check_staffing(sc, days=days, replications=holdout)
    refuse_targeting_only(sc)
    if officers_max is not None and officers_max < 1:
        from border21.errors import InputError

        raise InputError("--officers-max", officers_max, "must be at least 1")
    ready_out(out)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}: {task.completed} schedules simulated"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task(f"{sc.port.name}: {days} d × {replications}", total=None)
        result = run_staffing(
            sc,
            targets,
            days=days,
            replications=replications,
            seed=seed,
            warm_up_days=warm_up_days,
            officers_max=officers_max,
            progress=lambda k: bar.advance(task, k),
        )
    held = None
    if holdout:
        from border21.ports.staffing import holdout_check

        held = holdout_check(result, holdout)
    if as_json:
        import json

        data = result.as_json()
        if held is not None:
            for group in data["groups"]:  # type: ignore[attr-defined]
                misses = held[group["lane_group"]]
                group["holdout"] = {k: m.as_json() for k, m in misses.items()}
                group["holdout_replications"] = holdout
        typer.echo(json.dumps(data, allow_nan=False))
    else:
        print_staffing(result)
        if held is not None:
            for line in holdout_lines(held, holdout):
                console.print(line, highlight=False)
    if out is not None:
        write_staffing(result, out, Path(scenario).stem if scenario.endswith(".toml") else scenario)
        if not as_json:
            console.print(f"wrote {out}")


def print_staffing(result: object) -> None:
    """The summary per group, then each group's booths and waits by hour."""
    from rich.table import Table

    from border21.ports.staffing import StaffingResult

    assert isinstance(result, StaffingResult)
    summary = Table(
        title=f"{result.scenario.port.name}: staffing for the wait target "
        f"({result.days} day(s), warm-up {result.warm_up_days}, × {result.replications} "
        f"replications, seed {result.seed})"
    )
    columns = (
        "lane group",
        "target",
        "officer-h/day: opt / SIPP / lagged",
        "p95 min (day): opt / SIPP / lagged",
        "unmet hours",
    )
    for col in columns:
        summary.add_column(col, justify="left" if col == "lane group" else "right")
    for g in result.groups:
        summary.add_row(
            g.lane_group,
            g.target.describe(),
            f"{g.officer_hours} / {sum(g.sipp_schedule)} / {sum(g.lagged_schedule)}",
            " / ".join(_pm(*g.day_stat(k)) for k in ("optimiser", "sipp", "lagged")),
            _hours(g.unmet_hours()),
        )
    console.print(summary)
    for g in result.groups:
        _print_hours(g)
    for line in verdicts(result):
        console.print(line, highlight=False)
    console.print(
        "check: an hour meets the target when the upper end of the 95% interval over "
        "replications of its p95 (or mean) wait — from arrival at the booths to service, "
        "time held at a closed gate included — is at most the target; officer-hours = "
        "Σ booths open × hours, per day",
        highlight=False,
    )
    for note in result.notes:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
    if result.stopped:
        err_console.print(
            f"[yellow]warning:[/] the search stopped after {result.evaluations:,} schedules "
            "(the limit): the result may not be the cheapest",
            highlight=False,
        )


def verdicts(result: object) -> list[str]:
    """Where SIPP misses the target, where it over-staffs, and what cannot be met."""
    import math

    from border21.ports.staffing import RHO_DAY_MAX, StaffingResult

    assert isinstance(result, StaffingResult)
    lines = []
    for g in result.groups:
        unmet = g.unmet_hours()
        if unmet:
            lines.append(
                f"{g.lane_group}: the target cannot be met in hours {_hours(unmet)} "
                f"(physical booths: {g.booths}"
                + (
                    f", officers at most {result.officers_max} at once"
                    if result.officers_max
                    else ""
                )
                + ")"
            )
        if g.officer_hours <= math.ceil(g.load_erlang_hours / RHO_DAY_MAX - 1e-9):
            lines.append(
                f"{g.lane_group}: the daily floor binds: {g.officer_hours} officer-hours clear "
                f"the day's {g.load_erlang_hours:.1f} erlang-hours of work at "
                f"{g.daily_utilisation:.1%} (at most {RHO_DAY_MAX:.0%}, or the queue grows "
                "from day to day)"
            )
        for which, label, plan in (
            ("sipp", "SIPP", g.sipp_schedule),
            ("lagged", "lagged SIPP", g.lagged_schedule),
        ):
            missed = [h for h in g.unmet_hours(which) if h not in unmet]
            extra = sum(plan) - g.officer_hours
            if missed:
                p95, _ = g.hour_stat(which)
                worst = max(missed, key=lambda h: p95[h] if p95[h] == p95[h] else 0.0)
                lines.append(
                    f"{g.lane_group}: {label} misses the target in hours {_hours(missed)} "
                    f"(worst {worst:02d}:00, p95 {p95[worst]:.1f} min) with "
                    f"{sum(plan)} officer-hours against the optimiser's {g.officer_hours}"
                )
            elif extra > 0:
                lines.append(
                    f"{g.lane_group}: {label} over-staffs: {extra} officer-hours a day more "
                    f"than the optimiser ({sum(plan)} vs {g.officer_hours}, "
                    f"{extra / max(g.officer_hours, 1):.0%}) for the same target met"
                )
            elif extra < 0:
                lines.append(
                    f"{g.lane_group}: {label} uses {-extra} officer-hours fewer than the "
                    "optimiser and meets the target too"
                )
    return lines


def holdout_lines(held: object, replications: int) -> list[str]:
    """Per group: the hours each schedule misses on the fresh replications."""
    from border21.ports.staffing import HoldoutMiss

    assert isinstance(held, dict)
    lines = [f"held-out check on {replications} fresh replications (the search never saw them):"]
    labels = {"optimiser": "optimiser", "sipp": "SIPP", "lagged": "lagged SIPP"}
    for group, misses in held.items():
        parts = []
        for which, label in labels.items():
            m = misses[which]
            assert isinstance(m, HoldoutMiss)
            if not m.upper_missed:
                parts.append(f"{label} meets every hour")
                continue
            text = f"{label} misses {_hours(m.upper_missed)} by its upper bound"
            if m.estimate_missed:
                text += (
                    f", {_hours(m.estimate_missed)} by its estimate "
                    f"(worst {m.worst_minutes:.1f} min over)"
                )
            parts.append(text)
        lines.append(f"  {group}: " + "; ".join(parts))
    return lines


def _print_hours(g: object) -> None:
    from rich.table import Table

    from border21.ports.staffing import GroupStaffing

    assert isinstance(g, GroupStaffing)
    table = Table(
        title=f"{g.lane_group}: booths and p95 wait (min) by hour ({g.booths} booths; "
        "✗ misses the target)"
    )
    columns = ("hour", "crossings/day", "booths: opt/SIPP/lag", "p95", "SIPP p95", "lagged p95")
    for col in columns:
        table.add_column(col, justify="right")
    unmet = {k: set(g.unmet_hours(k)) for k in ("optimiser", "sipp", "lagged")}
    stats = {k: g.hour_stat(k) for k in unmet}

    def cell(which: str, h: int) -> str:
        value, half = stats[which][0][h], stats[which][1][h]
        return _pm(value, half) + (" ✗" if h in unmet[which] else "")

    for h in range(24):
        table.add_row(
            f"{h:02d}",
            f"{g.crossings_by_hour[h]:,.0f}",
            f"{g.schedule[h]} / {g.sipp_schedule[h]} / {g.lagged_schedule[h]}",
            cell("optimiser", h),
            cell("sipp", h),
            cell("lagged", h),
        )
    console.print(table)
    console.print(
        f"✗: misses the target; lagged SIPP's lag: {g.lag_minutes:.1f} min", highlight=False
    )


def _pm(value: float, half: float) -> str:
    from border21.stats import NONNEGATIVE, pm

    return pm(value, half, "{:.1f}", NONNEGATIVE)


def _hours(hours: list[int]) -> str:
    from border21.ports.results import hour_ranges

    return hour_ranges(hours) if hours else "—"


def write_staffing(result: object, out: Path, name: str) -> None:
    """The staffed scenario as TOML, the hourly table as CSV, the JSON and the chart."""
    import json

    import tomli_w

    from border21.ports.staffing import StaffingResult
    from border21.reports.charts import save_chart
    from border21.reports.staffing_chart import staffing_chart

    assert isinstance(result, StaffingResult)
    data = result.staffed.model_dump(mode="json", exclude_none=True)
    (out / f"{name}_staffed.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    hourly = result.hourly()
    hourly.to_csv(out / "staffing_by_hour.csv", index=False)
    (out / "staffing.json").write_text(json.dumps(result.as_json(), indent=1))
    chart = staffing_chart(hourly[["lane_group", "hour", "schedule", "booths"]])
    save_chart(chart, out / "staffing.png")
    save_chart(chart, out / "staffing.html")

"""`border21 staff`: the booths to open each hour for a wait target at the fewest officer-hours."""

from __future__ import annotations

from pathlib import Path

import typer

from border21.cli._common import cli_errors, console, err_console, note, ready_out, warn, wrote
from border21.i18n import N_
from border21.i18n import gettext as _

HELP = _("Search the booths to open by hour, per lane group, for a wait target (vs SIPP).")


@cli_errors
def staff(
    scenario: str = typer.Argument(..., help=_("Shipped scenario name or path to a TOML file.")),
    target_p95: float | None = typer.Option(
        None, "--target-p95", help=_("Minutes the p95 wait of each hour's crossings may reach.")
    ),
    target_mean: float | None = typer.Option(
        None, "--target-mean", help=_("Minutes the mean wait of each hour's crossings may reach.")
    ),
    group_target: list[str] = typer.Option(
        [],
        "--group-target",
        help=_(
            "A lane group's own target: GROUP=MIN (p95, or mean when only --target-mean is "
            "given), GROUP.p95=MIN or GROUP.mean=MIN; repeat for more groups."
        ),
    ),
    officers_max: int | None = typer.Option(
        None,
        "--officers-max",
        help=_("Officers on duty at once: booths open in any hour, port-wide."),
    ),
    days: int = typer.Option(3, "--days", help=_("Simulated days per replication (1–28).")),
    replications: int = typer.Option(
        8,
        "--replications",
        "-r",
        help=_("Replications (common random numbers for every candidate)."),
    ),
    seed: int = typer.Option(0, "--seed", min=0, help=_("Root seed.")),
    warm_up_days: int | None = typer.Option(
        None,
        "--warm-up-days",
        min=0,
        help=_("Days simulated and left out of the check (default: 1 when --days > 1, else 0)."),
    ),
    overrides: list[str] = typer.Option([], "--set", help=_("Override a scenario key first.")),
    out: Path | None = typer.Option(
        None, "--out", help=_("Write the staffed scenario (TOML), hourly table and chart here.")
    ),
    holdout: int = typer.Option(
        0,
        "--holdout",
        help=_("Re-check every schedule on this many fresh replications the search never saw."),
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Print the result as JSON on stdout.")),
) -> None:
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

            raise InputError("--holdout", holdout, _("must be 0 (none) or more replications"))
        DEFAULT_LIMITS.check_staffing(sc, days=days, replications=holdout)
    refuse_targeting_only(sc)
    if officers_max is not None and officers_max < 1:
        from border21.errors import InputError

        raise InputError("--officers-max", officers_max, _("must be at least 1"))
    ready_out(out)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn(_("{task.description}: {task.completed} schedules simulated")),
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
            wrote(out)


def print_staffing(result: object) -> None:
    """The summary per group, then each group's booths and waits by hour."""
    from rich.table import Table

    from border21.ports.staffing import StaffingResult

    assert isinstance(result, StaffingResult)
    summary = Table(
        title=_(
            "{port}: staffing for the wait target ({days} day(s), warm-up {warm_up}, × "
            "{reps} replications, seed {seed})"
        ).format(
            port=result.scenario.port.name,
            days=result.days,
            warm_up=result.warm_up_days,
            reps=result.replications,
            seed=result.seed,
        )
    )
    columns = (
        N_("lane group"),
        N_("target"),
        N_("officer-h/day: opt / SIPP / lagged"),
        N_("p95 min (day): opt / SIPP / lagged"),
        N_("unmet hours"),
    )
    for col in columns:
        summary.add_column(_(col), justify="left" if col == "lane group" else "right")
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
        _(
            "check: an hour meets the target when the upper end of the 95% interval over "
            "replications of its p95 (or mean) wait — from arrival at the booths to service, "
            "time held at a closed gate included — is at most the target; officer-hours = "
            "Σ booths open × hours, per day"
        ),
        highlight=False,
    )
    for text in result.notes:
        note(text)
    if result.stopped:
        warn(
            _(
                "the search stopped after {n} schedules (the limit): the result may not be "
                "the cheapest"
            ).format(n=f"{result.evaluations:,}")
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
            cap = (
                _(", officers at most {n} at once").format(n=result.officers_max)
                if result.officers_max
                else ""
            )
            lines.append(
                _(
                    "{group}: the target cannot be met in hours {hours} (physical booths: "
                    "{booths}{cap})"
                ).format(group=g.lane_group, hours=_hours(unmet), booths=g.booths, cap=cap)
            )
        if g.officer_hours <= math.ceil(g.load_erlang_hours / RHO_DAY_MAX - 1e-9):
            lines.append(
                _(
                    "{group}: the daily floor binds: {hours} officer-hours clear the day's "
                    "{erlangs} erlang-hours of work at {rho} (at most {rho_max}, or the queue "
                    "grows from day to day)"
                ).format(
                    group=g.lane_group,
                    hours=g.officer_hours,
                    erlangs=f"{g.load_erlang_hours:.1f}",
                    rho=f"{g.daily_utilisation:.1%}",
                    rho_max=f"{RHO_DAY_MAX:.0%}",
                )
            )
        for which, label, plan in (
            ("sipp", _("SIPP"), g.sipp_schedule),
            ("lagged", _("lagged SIPP"), g.lagged_schedule),
        ):
            missed = [h for h in g.unmet_hours(which) if h not in unmet]
            extra = sum(plan) - g.officer_hours
            if missed:
                p95, _half = g.hour_stat(which)
                worst = max(missed, key=lambda h: p95[h] if p95[h] == p95[h] else 0.0)
                lines.append(
                    _(
                        "{group}: {label} misses the target in hours {hours} (worst {worst}, "
                        "p95 {p95} min) with {plan} officer-hours against the optimiser's "
                        "{best}"
                    ).format(
                        group=g.lane_group,
                        label=label,
                        hours=_hours(missed),
                        worst=f"{worst:02d}:00",
                        p95=f"{p95[worst]:.1f}",
                        plan=sum(plan),
                        best=g.officer_hours,
                    )
                )
            elif extra > 0:
                lines.append(
                    _(
                        "{group}: {label} over-staffs: {extra} officer-hours a day more than "
                        "the optimiser ({plan} vs {best}, {share}) for the same target met"
                    ).format(
                        group=g.lane_group,
                        label=label,
                        extra=extra,
                        plan=sum(plan),
                        best=g.officer_hours,
                        share=f"{extra / max(g.officer_hours, 1):.0%}",
                    )
                )
            elif extra < 0:
                lines.append(
                    _(
                        "{group}: {label} uses {fewer} officer-hours fewer than the optimiser "
                        "and meets the target too"
                    ).format(group=g.lane_group, label=label, fewer=-extra)
                )
    return lines


def holdout_lines(held: object, replications: int) -> list[str]:
    """Per group: the hours each schedule misses on the fresh replications."""
    from border21.ports.staffing import HoldoutMiss

    assert isinstance(held, dict)
    lines = [
        _("held-out check on {n} fresh replications (the search never saw them):").format(
            n=replications
        )
    ]
    labels = {"optimiser": _("optimiser"), "sipp": _("SIPP"), "lagged": _("lagged SIPP")}
    for group, misses in held.items():
        parts = []
        for which, label in labels.items():
            m = misses[which]
            assert isinstance(m, HoldoutMiss)
            if not m.upper_missed:
                parts.append(_("{label} meets every hour").format(label=label))
                continue
            text = _("{label} misses {hours} by its upper bound").format(
                label=label, hours=_hours(m.upper_missed)
            )
            if m.estimate_missed:
                text += _(", {hours} by its estimate (worst {minutes} min over)").format(
                    hours=_hours(m.estimate_missed), minutes=f"{m.worst_minutes:.1f}"
                )
            parts.append(text)
        lines.append(f"  {group}: " + "; ".join(parts))
    return lines


def _print_hours(g: object) -> None:
    from rich.table import Table

    from border21.ports.staffing import GroupStaffing

    assert isinstance(g, GroupStaffing)
    table = Table(
        title=_(
            "{group}: booths and p95 wait (min) by hour ({booths} booths; ✗ misses the target)"
        ).format(group=g.lane_group, booths=g.booths)
    )
    columns = (
        N_("hour"),
        N_("crossings/day"),
        N_("booths: opt/SIPP/lag"),
        N_("p95"),
        N_("SIPP p95"),
        N_("lagged p95"),
    )
    for col in columns:
        table.add_column(_(col), justify="right")
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
        _("✗: misses the target; lagged SIPP's lag: {minutes} min").format(
            minutes=f"{g.lag_minutes:.1f}"
        ),
        highlight=False,
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

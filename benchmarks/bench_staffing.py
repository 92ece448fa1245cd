"""Staffing search: wall time, officer-hours against SIPP and lagged SIPP, and a held-out check.

Runs ``border21.ports.staffing.staff`` on San Ysidro (p95 ≤ 30 min, the general
lanes ≤ 90 min: with all 16 general booths open all day their noon p95 is
about 88 min) and on Laredo World Trade Bridge (p95 ≤ 30 min), as

    border21 staff san_ysidro --target-p95 30 --group-target general=90
    border21 staff laredo_wtb --target-p95 30

and prints, per lane group, the officer-hours a day of the optimiser, SIPP and
lagged SIPP, each schedule's p95 over the day with its 95% interval and the
hours it misses. The search sees only its own replications (common random
numbers, root seed 0), so each schedule is then checked again on
``--holdout-replications`` fresh replications (``holdout_check``: the root
seed's children after the search's own; ``border21 staff --holdout R``): the
hours it misses there show how much the in-sample check flatters it.

    python benchmarks/bench_staffing.py
    python benchmarks/bench_staffing.py --ports laredo_wtb --holdout-replications 4
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from border21.ports.catalog import load_scenario
from border21.ports.staffing import HoldoutMiss, WaitTarget, group_targets, holdout_check, staff

TARGETS = {"san_ysidro": (30.0, ["general=90"]), "laredo_wtb": (30.0, [])}


def _held(miss: HoldoutMiss) -> str:
    return f"{len(miss.upper_missed)}/{len(miss.estimate_missed)}/{miss.worst_minutes:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", default="san_ysidro,laredo_wtb")
    parser.add_argument("--holdout-replications", type=int, default=8)
    parser.add_argument(
        "--long-days", type=int, default=10, help="long run: days (the last 4 checked), 4 reps"
    )
    args = parser.parse_args()
    for port in args.ports.split(","):
        p95, overrides = TARGETS.get(port, (30.0, []))
        scenario = load_scenario(port)
        targets = group_targets(scenario, WaitTarget(p95), overrides)
        start = time.perf_counter()
        result = staff(scenario, targets)
        wall = time.perf_counter() - start
        held = holdout_check(result, args.holdout_replications)
        long_run = dataclasses.replace(
            result, days=args.long_days, warm_up_days=max(args.long_days - 4, 0)
        )
        later = holdout_check(long_run, 4)
        print(
            f"\n{scenario.port.name}: {wall:.1f} s wall, {result.evaluations} schedules "
            f"simulated ({result.days} d, warm-up {result.warm_up_days}, "
            f"× {result.replications} replications)"
        )
        print(
            f"{'group':12} {'target':>6} {'opt':>5} {'SIPP':>5} {'lag':>5}   "
            f"{'p95 opt':>11} {'p95 SIPP':>11} {'p95 lag':>11}   missed"
        )
        for g in result.groups:
            cells = [
                f"{v:5.1f} ± {h:3.1f}"
                for v, h in (g.day_stat(k) for k in ("optimiser", "sipp", "lagged"))
            ]
            missed = "; ".join(
                f"{label} {len(g.unmet_hours(k))} | {_held(held[g.lane_group][k])} | "
                f"{_held(later[g.lane_group][k])}"
                for label, k in (("opt", "optimiser"), ("SIPP", "sipp"), ("lag", "lagged"))
            )
            print(
                f"{g.lane_group:12} {g.target.p95_minutes or 0:6.0f} {g.officer_hours:5d} "
                f"{sum(g.sipp_schedule):5d} {sum(g.lagged_schedule):5d}   "
                f"{cells[0]:>11} {cells[1]:>11} {cells[2]:>11}   {missed}"
            )
        print(
            "missed: hours in-sample | held-out | long run (days "
            f"{long_run.warm_up_days}–{args.long_days - 1} of {args.long_days}, 4 fresh "
            "replications): hours whose upper end misses / hours whose estimate misses / "
            "worst estimate above the target (min)"
        )


if __name__ == "__main__":
    main()

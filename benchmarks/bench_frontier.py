"""Scenario sweep throughput: Laredo World Trade Bridge, 365 simulated days per scenario.

``--mode port`` (default) sweeps the port simulator: a grid of staffing
levels (open general booths) × secondary bays × referral rates ×
replications of the shipped Laredo scenario, each a full year of trucks
(about 2.3 million crossings), through ``border21.frontier.sweep.execute``:
variants that differ only after primary inspection share one primary stage per
replication (see ``border21.frontier.staged``). The default grid is
5 × 5 × 40 × 1 = 1,000 scenarios, built by ``border21.frontier.grid`` exactly as
``border21 sweep`` builds it (the script prints the equivalent command).
``--mode coupled`` runs the frontier's coupled replication (Mexican export
inspection, bridge transit, CBP, random referral policy, full metrics) for
``--scenarios`` staffing × rate variants; with ``--budgets B`` each variant
runs three policies × B budgets, which share one replication base
(``border21.frontier.experiment.prepare_replication``).

Each sweep runs on local threads (all cores) and on a 2-worker Dask
LocalCluster on loopback; the script checks both give identical rows and
prints wall time, scenario-crossings per second and core-nanoseconds per
scenario-crossing.

    python benchmarks/bench_frontier.py                       # 1,000 scenarios
    python benchmarks/bench_frontier.py --rates 8 --replications 5 --bays 5 --staffing 5
    python benchmarks/bench_frontier.py --mode coupled --scenarios 4

The issue's target: 1,000 such scenarios in under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any


def port_axes(args: argparse.Namespace) -> list[str]:
    """The grid as ``border21 sweep --vary`` axes (the CLI runs the same sweep)."""
    return [
        f"lanes.general.staffed_booths={16 - args.staffing}:15:{args.staffing}",
        f"secondary.truck_secondary.bays=16:{16 + 4 * (args.bays - 1)}:{args.bays}",
        f"streams.trucks.referral_probability=0.005:0.2:{args.rates}",
    ]


def port_tasks(args: argparse.Namespace) -> list[Any]:
    from border21.frontier.grid import build_grid, parse_axis
    from border21.ports.catalog import load_scenario

    grid = build_grid(load_scenario("laredo_wtb"), [parse_axis(a) for a in port_axes(args)])
    return grid.tasks(replications=args.replications, days=args.days, seed=1)


def coupled_tasks(args: argparse.Namespace) -> list[Any]:
    from border21.frontier.sweep import build_tasks
    from border21.ports.catalog import load_scenario
    from border21.ports.config import validate_scenario

    base = load_scenario("laredo_wtb")
    variants = {}
    for i in range(args.scenarios):
        booths = 10 + i % 5
        data = base.model_dump(mode="python")
        data["lanes"]["general"]["open_booths_by_hour"] = [
            min(booths, n) if n else 0 for n in base.lanes["general"].open_booths()
        ]
        data["streams"]["trucks"]["referral_probability"] = 0.05 + 0.05 * (i // 5 % 4)
        variants[f"s{i:04d}"] = validate_scenario(data)
    rates = [0.15] if args.budgets == 1 else [0.01 + 0.29 * k / (args.budgets - 1) for k in
                                              range(args.budgets)]  # fmt: skip
    policies = ["random"] if args.budgets == 1 else ["random", "semaforo", "trusted"]
    return build_tasks(variants, policies, rates, replications=1, days=args.days, seed=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("port", "coupled"), default="port")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--staffing", type=int, default=5, help="port mode: staffing levels")
    parser.add_argument("--bays", type=int, default=5, help="port mode: secondary bay levels")
    parser.add_argument("--rates", type=int, default=40, help="port mode: referral rates")
    parser.add_argument("--replications", type=int, default=1, help="port mode")
    parser.add_argument("--scenarios", type=int, default=4, help="coupled mode")
    parser.add_argument(
        "--budgets",
        type=int,
        default=1,
        help="coupled mode: budgets 1–30%% per policy (>1 also sweeps 3 policies)",
    )
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from border21.frontier.staged_sweep import group_units
    from border21.frontier.sweep import _port_item, _replication_groups, build_tasks, execute
    from border21.ports.catalog import load_scenario

    tasks = port_tasks(args) if args.mode == "port" else coupled_tasks(args)
    if args.mode == "port":
        vary = " ".join(f"--vary {a}" for a in port_axes(args))
        print(f"same sweep: border21 sweep laredo_wtb {vary} --days {args.days} "
              f"-r {args.replications} --seed 1")  # fmt: skip
    if args.mode == "port":
        stages = len(group_units([_port_item(t) for t in tasks]))
    else:
        stages = len(_replication_groups(tasks))
    print(
        f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
        f"{len(tasks)} scenarios × {args.days} days, {stages} shared stages"
    )
    # warm-up: compile and cache kernels in this process
    base = load_scenario("laredo_wtb")
    small = argparse.Namespace(
        **{**vars(args), "days": 1, "rates": 2, "staffing": 2, "bays": 1, "replications": 1}
    )
    warm = build_tasks({"w": base}, ["random"], [0.1], replications=1, days=1, seed=0)
    warm += port_tasks(small)
    execute(warm)

    started = time.perf_counter()
    local = execute(tasks)
    local_s = time.perf_counter() - started
    crossings = sum(r["crossings"] for r in local)
    report("local threads (2 cores)", local_s, crossings, len(tasks))

    if not args.skip_dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster:  # fmt: skip
            execute(warm, scheduler=cluster.scheduler_address)
            started = time.perf_counter()
            remote = execute(tasks, scheduler=cluster.scheduler_address)
            dask_s = time.perf_counter() - started
        report("Dask LocalCluster, 2 workers", dask_s, crossings, len(tasks))
        print(f"identical rows local vs Dask: {remote == local}")


def report(label: str, seconds: float, crossings: float, scenarios: int) -> None:
    ns = 1e9 * seconds / crossings * 2  # core-nanoseconds per crossing on 2 cores
    print(
        f"{label}: {scenarios} scenarios, {crossings / 1e9:.2f} G scenario-crossings in "
        f"{seconds:.1f} s = {crossings / seconds / 1e6:.1f} M/s, {ns:.1f} core-ns per "
        f"scenario-crossing; 1,000 scenarios ≈ {seconds * 1000 / scenarios:.0f} s"
    )


if __name__ == "__main__":
    main()

"""Scenario sweep throughput: Laredo World Trade Bridge, 365 simulated days per scenario.

Runs the same sweep (staffing × referral-rate variants of the shipped Laredo
scenario, each a full year of trucks) on local threads and on a 2-worker Dask
LocalCluster on loopback, checks both give identical rows, and prints wall
time, crossings per second and nanoseconds per simulated crossing.

``--mode port`` (default) sweeps the port simulator itself (CBP primary and
secondary, the scenario's random referral at the variant's rate);
``--mode coupled`` runs the frontier's coupled replication (Mexican export
inspection, bridge transit, CBP, random referral policy, full metrics).

    python benchmarks/bench_frontier.py --scenarios 16 --days 365
    python benchmarks/bench_frontier.py --scenarios 8 --days 365 --mode coupled

The issue's target is 1,000 such scenarios in under 60 s on 2 cores (about
40 ns per crossing); the script extrapolates from the measured rate.
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=16)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--mode", choices=("port", "coupled"), default="port")
    args = parser.parse_args()

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from border21.frontier.sweep import PortTask, build_tasks, execute
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
    if args.mode == "coupled":
        tasks = build_tasks(variants, ["random"], [0.15], replications=1, days=args.days, seed=1)
    else:
        tasks = [
            PortTask(
                variant=k,
                scenario=v.model_dump(mode="python"),
                replication=0,
                root_seed=1,
                days=args.days,
            )
            for k, v in variants.items()
        ]
    # warm-up: compile and cache kernels in this process
    execute(build_tasks({"w": base}, ["random"], [0.1], replications=1, days=1, seed=0))

    started = time.perf_counter()
    local = execute(tasks)
    local_s = time.perf_counter() - started
    crossings = sum(r["crossings"] for r in local)
    report("local threads (2 cores)", local_s, crossings, args.scenarios)

    if not args.skip_dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster:  # fmt: skip
            execute(build_tasks({"w": base}, ["random"], [0.1], replications=2, days=1, seed=0),
                    scheduler=cluster.scheduler_address)  # fmt: skip
            started = time.perf_counter()
            remote = execute(tasks, scheduler=cluster.scheduler_address)
            dask_s = time.perf_counter() - started
        report("Dask LocalCluster, 2 workers", dask_s, crossings, args.scenarios)
        print(f"identical rows local vs Dask: {remote == local}")


def report(label: str, seconds: float, crossings: float, scenarios: int) -> None:
    ns = 1e9 * seconds / crossings * 2  # core-nanoseconds per crossing on 2 cores
    print(
        f"{label}: {scenarios} scenarios, {crossings / 1e6:.1f} M crossings in {seconds:.1f} s "
        f"= {crossings / seconds / 1e6:.2f} M crossings/s, {ns:.0f} core-ns per crossing; "
        f"1,000 scenarios ≈ {seconds * 1000 / scenarios / 60:.1f} min"
    )


if __name__ == "__main__":
    main()

"""Regions: one region-day at equilibrium, beside the single-port simulation of its ports.

Run: ``python benchmarks/bench_regions.py`` (``--regions a,b``, ``--repeats N``,
``--replications R``).

For each shipped region (``border21 region simulate``): ``solve`` to equilibrium
(choice, officers' lane bands and simulation iterated until flows and waits
agree, then ``--replications`` evaluation runs), timed after a warm-up run so
that Numba's kernels are compiled, median of ``--repeats``; then, side by side,
the same ports simulated alone (each port scenario as shipped, the same days and
replications, models built in advance) — the ratio is what the equilibrium
costs over simulating the ports once. Otay Mesa East (san_diego's build option)
is timed with a 5 and a 20 USD toll. The issue's target: one region-day under
2 s on one core once compiled. No peer tool runs this loop (SANDAG's SR-11
model iterates TransCAD and an R simulation; it is not open to run here).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def _median_seconds(fn, repeats: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", default="", help="comma-separated regions (default all)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--replications", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from border21.ports.catalog import load_scenario
    from border21.ports.model import PortModel
    from border21.regions import load_region, shipped_regions, solve
    from border21.regions.config import with_toll

    names = [r.strip() for r in args.regions.split(",") if r.strip()] or list(shipped_regions())
    print(f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("| region | run | iterations | gap | region-day (median) | ports alone | ratio |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        region = load_region(name)
        days = region.equilibrium.days
        runs: list[tuple[str, object, list[str]]] = [("base", region, [])]
        for port, cfg in region.ports.items():
            if cfg.build:
                for usd in (5.0, 20.0):
                    runs.append((f"+ {port}, {usd:g} USD", with_toll(region, [port], usd), [port]))
        for label, reg, build in runs:
            solve(reg, build=build, seed=0, replications=args.replications)  # warm-up
            seconds, result = _median_seconds(
                lambda reg=reg, build=build: solve(
                    reg, build=build, seed=0, replications=args.replications
                ),
                args.repeats,
            )
            models = [PortModel(load_scenario(reg.ports[p].scenario)) for p in result.ports]  # type: ignore[attr-defined]
            for m in models:
                m.simulate(days=days, seed=0)  # warm-up
            alone, _ = _median_seconds(
                lambda models=models, days=days: [
                    m.simulate(days=days, seed=r) for m in models for r in range(args.replications)
                ],
                args.repeats,
            )
            print(
                f"| {name} | {label} | {result.iterations} | {100 * result.gap:.1f}% | "  # type: ignore[attr-defined]
                f"{seconds:.2f} s | {alone:.2f} s | {seconds / alone:.0f}× |"
            )


if __name__ == "__main__":
    main()

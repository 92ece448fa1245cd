"""The whole border: every US–Mexico land port simulated for one day.

Run: ``python benchmarks/bench_border.py`` (``--days N``, ``--replications R``,
``--workers W``; ``--ports a,b`` for a subset).

One scenario per port (``border21 border list``): the generated whole-port
scenario where a port has both a curated bridge and a generated whole port
(Laredo, El Paso), the curated one where it is the only one (San Ysidro, Otay
Mesa). Each port is compiled first (``PortModel``: scenario validation, kernel
tables; timed apart, since a user who runs the border again keeps the models),
then every port's day is simulated on a thread pool of ``--workers`` threads
(the kernels release the GIL), and the wall time of that step is the figure the
issue's target reads: the whole border, one day, under 10 s on 2 cores. No
peer tool simulates the whole border; the per-crossing ratios against SimPy
and Ciw are ``bench_ports.py``'s.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor


def whole_port_scenarios() -> dict[str, str]:
    """Port name -> the scenario that covers the whole port."""
    from border21.ports.catalog import border_ports

    chosen = {}
    for port in border_ports():
        generated = [n for n, v in port.scenarios.items() if v == "generated"]
        chosen[port.name] = generated[0] if generated else next(iter(port.scenarios))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--replications", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--ports", default="", help="comma-separated port names (default all)")
    args = parser.parse_args()

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from border21.ports.catalog import load_scenario
    from border21.ports.model import PortModel

    scenarios = whole_port_scenarios()
    if args.ports:
        wanted = {p.strip() for p in args.ports.split(",")}
        scenarios = {k: v for k, v in scenarios.items() if k in wanted}
    print(
        f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
        f"{len(scenarios)} ports × {args.days} day(s) × {args.replications} replication(s), "
        f"{args.workers} worker thread(s)"
    )
    started = time.perf_counter()
    models = {port: PortModel(load_scenario(name)) for port, name in scenarios.items()}
    compile_s = time.perf_counter() - started
    # warm-up: the kernels compile (or load from the cache) on first call
    next(iter(models.values())).simulate(days=1, seed=0)

    jobs = [(port, r) for port in models for r in range(args.replications)]

    def one(job: tuple[str, int]) -> int:
        port, rep = job
        return len(models[port].simulate(days=args.days, seed=rep))

    started = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        counts = list(pool.map(one, jobs))
    run_s = time.perf_counter() - started
    crossings = sum(counts)
    print(f"models built (validation, tables) in {compile_s:.2f} s")
    print(
        f"whole border: {len(models)} ports, {crossings:,} crossings in {run_s:.2f} s wall "
        f"({1e9 * run_s * args.workers / max(crossings, 1):.0f} core-ns per crossing); "
        f"target: one day under 10 s on 2 cores"
    )


if __name__ == "__main__":
    main()

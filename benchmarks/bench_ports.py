"""Port simulator throughput: border21 against SimPy and Ciw, side by side.

Run: ``python benchmarks/bench_ports.py`` (add ``--quick`` for a smoke run).

Case: M/M/10 with λ = 9/s and μ = 1/s (ρ = 0.9). border21 simulates 10^6
customers; SimPy and Ciw, being pure Python, simulate fewer (10^5 and 2·10^4 by
default) and are compared by customers per second. border21's full-pipeline
figure includes drawing every random number (arrivals by the same
non-homogeneous Poisson sampler the scenarios use, exponential services); the
replay-driver figure queues pre-drawn arrays. The one-pass row is the driver
behind ``PortModel.simulate``: its own generators, arrivals, services and the
queue in one compiled pass, on one thread. The all-core row runs several
independent such runs at once on a thread pool (``runs.run_replications``)
and is timed by the wall clock. Mean waits are checked against Erlang C. Then
one simulated day of the shipped San Ysidro scenario (or an equivalent port if
that file is absent), median of 20 runs after compilation, one-pass and
draw + replay; and 365 days of the shipped Laredo scenario in ns per crossing,
CBP alone (one-pass) and with the Mexican export stage in front.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

LAM, MU, SERVERS = 9.0, 1.0, 10
WARM_UP = 0.1
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}
_clock = CLOCKS["wall"]


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    below = sum(a**k / math.factorial(k) for k in range(c))
    return top / (below + top) / (c * mu - lam)


def steady_mean(wait: np.ndarray) -> float:
    return float(np.mean(wait[int(WARM_UP * len(wait)) :]))


# Rows measured once (not in rounds) take the median of 15 calls: each call allocates
# fresh 8 MB arrays, and whether the allocator hands back warm pages depends on what
# ran before, so the first calls of a process vary by up to 50% (median of 5 was not
# stable between runs).
ONCE = 15


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Median wall time over ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = _clock()
        out = fn()
        times.append(_clock() - t0)
    return statistics.median(times), out


# ------------------------------------------------------------------ border21


def border21_mmc(customers: int, seed: int) -> dict[str, float]:
    """NumPy's generator draws, the replay driver queues (``kernels.replay.serve_lanes``)."""
    from border21.ports.draws import poisson_arrivals
    from border21.ports.kernels.replay import serve_lanes
    from border21.ports.kernels.rng import reading_source
    from border21.ports.layout import build_layout

    layout = build_layout([("q", "general", 1, SERVERS, [SERVERS] * 24)], [[0]])

    def run_lanes(
        arrival: np.ndarray, cls: np.ndarray, service: np.ndarray, tie: Any
    ) -> tuple[np.ndarray, ...]:
        return serve_lanes(arrival, cls, service, tie, layout.tables)  # type: ignore[no-any-return]

    hours = math.ceil(customers / (LAM * 3600.0))
    rates = np.full(hours, LAM)
    rng = np.random.default_rng(seed)

    def draws() -> tuple[Any, ...]:
        arrival = poisson_arrivals(rates, rng)
        n = arrival.shape[0]
        service = rng.standard_exponential(n) / MU
        return arrival, np.zeros(n, np.int32), service, reading_source(np.zeros(n))

    def full() -> np.ndarray:
        arrival, cls, service, tie = draws()
        return run_lanes(arrival, cls, service, tie)[2] - arrival

    full()  # compile / load the cache and fault in memory
    t_full, wait = best_of(ONCE, full)
    fixed = draws()
    t_kernel, _ = best_of(ONCE, lambda: run_lanes(*fixed))
    t_draws, _ = best_of(ONCE, draws)
    # The floor for any pipeline that draws with NumPy: two exponentials a customer.
    t_floor, _ = best_of(ONCE, lambda: rng.standard_exponential(2 * len(fixed[0])))
    n = len(wait)
    return {
        "rng_floor_rate": len(fixed[0]) / t_floor,
        "customers": n,
        "full_rate": n / t_full,
        "kernel_rate": len(fixed[0]) / t_kernel,
        "draws_rate": len(fixed[0]) / t_draws,
        "mean_wait": steady_mean(wait),
    }


def mmc_tables(customers: int) -> tuple[Any, ...]:
    """The one-pass driver's tables for M/M/10: one stream, one lane of ten booths.

    The scenario supplies the stream (exponential service, mean 1/mu), the lane
    and the layout; the rates make the horizon just long enough. Returns the
    random model, its record capacity and the primary and secondary tables.
    """
    from border21.ports.config import validate_scenario
    from border21.ports.layout import random_model
    from border21.ports.model import PortModel

    model = PortModel(
        validate_scenario(
            {
                "port": {"name": "M/M/10"},
                "streams": {
                    "s": {
                        "kind": "pedestrian",
                        "crossings_per_day": LAM * 86_400,
                        "primary_service": {"mean_seconds": 1.0 / MU},
                    }
                },
                "lanes": {"q": {"streams": ["s"], "lanes": 1, "booths_per_lane": SERVERS}},
            }
        )
    )
    hours = math.ceil(customers / (LAM * 3600.0))
    rm, capacity = random_model(model.scenario, model.layout, np.full((1, hours), LAM))
    return rm, capacity, model.layout.primary.tables, model.layout.secondary.tables


def border21_fused_mmc(customers: int, seed: int, repeats: int = 5) -> dict[str, float]:
    """The one-pass driver (``engine.run_one_pass``): RNG, arrivals, services and queue.

    Each run's records are kept while the next one runs, then released (a
    caller that keeps results: leased buffers come back after one run).
    """
    from border21.ports.engine import run_one_pass
    from border21.ports.kernels.rng import state_words

    tables = mmc_tables(customers)
    state = state_words(seed)
    held: list[Any] = [run_one_pass(*tables, state, lease=True)]  # compile / load the cache

    def one() -> Any:
        out = run_one_pass(*tables, state, lease=True)
        held.append(out)
        held.pop(0).lease.release()
        return out

    t, out = best_of(repeats, one)
    arrival, start = out.times[0], out.times[1]
    result = {
        "customers": len(arrival),
        "rate": len(arrival) / t,
        "mean_wait": steady_mean(start - arrival),
    }
    held.pop(0).lease.release()
    return result


def border21_parallel_mmc(
    customers: int, seed: int, replications: int, workers: int, repeats: int = 5
) -> dict[str, float]:
    """``replications`` independent M/M/10 runs of ``customers`` each, on ``workers`` threads.

    Through the engine's own replication machinery (``runs.run_replications``,
    the thread pool behind ``simulate``; the fused kernel releases the GIL), each
    replication seeded by a ``SeedSequence`` child. Timed by the wall clock
    whatever ``--clock`` says: a thread's CPU time does not measure a
    multi-thread run. Rate = all customers / wall time, median of ``repeats``.
    """
    from border21.ports.engine import run_one_pass
    from border21.ports.kernels.rng import state_words
    from border21.ports.runs import replication_seeds, run_replications

    tables = mmc_tables(customers)

    def one(child: np.random.SeedSequence) -> tuple[int, float]:
        # Each run is reduced to its mean wait (as a sweep would) and released,
        # so the next run on this thread reuses its record buffers.
        # mean(start - arrival) as a difference of means: no temporary array.
        out = run_one_pass(*tables, state_words(child), lease=True)
        arrival, start = out.times[0], out.times[1]
        k = int(WARM_UP * len(arrival))
        result = len(arrival), float(np.mean(start[k:]) - np.mean(arrival[k:]))
        out.lease.release()
        return result

    # Warm every thread of the (long-lived) pool: compiled code and record buffers.
    run_replications(one, replication_seeds(seed, 4 * workers), workers)
    times, out = [], []
    for r in range(repeats):
        seeds = replication_seeds(seed + 1 + r, replications)
        t0 = time.perf_counter()
        out = run_replications(one, seeds, workers)
        times.append(time.perf_counter() - t0)
    n = sum(c for c, _ in out)
    return {
        "customers": n,
        "rate": n / statistics.median(times),
        "mean_wait": float(np.mean([w for _, w in out])),
        "workers": workers,
        "replications": replications,
    }


def border21_scenario_mm4(customers: int, seed: int) -> dict[str, float]:
    """The scenario path (validate → PortModel.simulate, leased records) on M/M/4, ρ = 0.9."""
    from border21.ports.config import validate_scenario
    from border21.ports.model import PortModel

    lam = 3.6
    model = PortModel(
        validate_scenario(
            {
                "port": {"name": "M/M/4"},
                "streams": {
                    "s": {
                        "kind": "pedestrian",
                        "crossings_per_day": lam * 86_400,
                        "primary_service": {"mean_seconds": 1.0},
                    }
                },
                "lanes": {"q": {"streams": ["s"], "lanes": 1, "booths_per_lane": 4}},
            }
        )
    )
    days = max(1, round(customers / (lam * 86_400)))
    model.simulate(1, seed, lease=True).release()
    held: list[Any] = [model.simulate(days, seed, lease=True)]

    def one() -> Any:
        # A caller that keeps each run until the next is done, then releases it
        # (the leased buffers come back for the run after).
        rec = model.simulate(days, seed, lease=True)
        held.append(rec)
        held.pop(0).release()
        return rec

    t, rec = best_of(5, one)
    # simulate's summaries would discard day 0 of a multi-day run; the
    # record-level mean below drops the first 10% of customers instead.
    result = {
        "customers": len(rec),
        "rate": len(rec) / t,
        "mean_wait": steady_mean(rec.wait_seconds),
        "theory": erlang_c_wait(lam, 1.0, 4),
    }
    held.pop(0).release()
    return result


# ------------------------------------------------------------------ SimPy / Ciw


def simpy_mmc(customers: int, seed: int) -> dict[str, float]:
    import simpy

    rnd = random.Random(seed)
    env = simpy.Environment()
    booths = simpy.Resource(env, capacity=SERVERS)
    waits: list[float] = []

    def crossing(env: simpy.Environment) -> Any:
        arrived = env.now
        with booths.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(rnd.expovariate(MU))

    def source(env: simpy.Environment) -> Any:
        for _ in range(customers):
            yield env.timeout(rnd.expovariate(LAM))
            env.process(crossing(env))

    env.process(source(env))
    t0 = _clock()
    env.run()
    dt = _clock() - t0
    return {
        "customers": len(waits),
        "rate": len(waits) / dt,
        "mean_wait": steady_mean(np.array(waits)),
    }


def ciw_mmc(customers: int, seed: int) -> dict[str, float]:
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(LAM)],
        service_distributions=[ciw.dists.Exponential(MU)],
        number_of_servers=[SERVERS],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    t0 = _clock()
    sim.simulate_until_max_customers(customers, method="Finish")
    dt = _clock() - t0
    records = sorted(sim.get_all_records(), key=lambda r: r.arrival_date)
    waits = np.array([r.waiting_time for r in records])
    return {"customers": len(waits), "rate": len(waits) / dt, "mean_wait": steady_mean(waits)}


# ------------------------------------------------------------------ interleaved rounds

# The rows compared against SimPy and Ciw, measured in rounds: each round runs
# border21 (one thread, then all cores), SimPy and Ciw back to back, and each
# ratio is taken within its round. The machine is shared and its speed drifts
# by up to 2x over tens of seconds, which moves a ratio between rows measured
# seconds apart; within a round every engine sees the same machine.
ROUND_ROWS = ("fused", "par1", "par", "simpy", "ciw")


def interleaved_rounds(opts: argparse.Namespace, workers: int) -> list[dict[str, dict[str, float]]]:
    """Rounds of: border21's rows, SimPy, Ciw, border21's rows again.

    border21 is measured on both sides of SimPy and Ciw and its two rates are
    combined as one (customers over total time), so a drift in machine speed
    during a round moves both sides of a ratio alike.
    """

    def ours(seed: int) -> dict[str, dict[str, float]]:
        return {
            "fused": border21_fused_mmc(opts.customers, seed, repeats=3),
            "par1": border21_parallel_mmc(opts.customers, seed, opts.replications, 1, repeats=1),
            "par": border21_parallel_mmc(
                opts.customers, seed, opts.replications, workers, repeats=1
            ),
        }

    def both(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
        return {
            "customers": a["customers"] + b["customers"],
            "rate": 2.0 / (1.0 / a["rate"] + 1.0 / b["rate"]),
            "mean_wait": (a["mean_wait"] + b["mean_wait"]) / 2.0,
        }

    out = []
    for r in range(opts.rounds):
        seed = opts.seed + 1000 * r
        before = ours(seed)
        row = {
            "simpy": simpy_mmc(opts.simpy_customers, seed),
            "ciw": ciw_mmc(opts.ciw_customers, seed),
        }
        after = ours(seed + 500)
        row.update({k: both(before[k], after[k]) for k in before})
        out.append(row)
    return out


def round_ratio(rounds: list[dict[str, dict[str, float]]], row: str, base: str) -> list[float]:
    """``row``'s rate over ``base``'s, one value per round."""
    return [r[row]["rate"] / r[base]["rate"] for r in rounds]


def median_row(rounds: list[dict[str, dict[str, float]]], row: str) -> dict[str, float]:
    """Median rate over the rounds; customers and mean wait of the rounds pooled."""
    rates = [r[row]["rate"] for r in rounds]
    return {
        "rate": statistics.median(rates),
        "customers": sum(int(r[row]["customers"]) for r in rounds),
        "mean_wait": float(np.mean([r[row]["mean_wait"] for r in rounds])),
    }


# ------------------------------------------------------------------ San Ysidro


def san_ysidro_day(repeats: int) -> dict[str, Any]:
    """One day, one-pass (``PortModel.simulate``) and draw + replay (``draw`` + ``run``)."""
    from border21.ports.model import PortModel

    scenario, source = load_port()
    model = PortModel(scenario)
    model.simulate(1, 0)
    model.run(model.draw(1, np.random.default_rng(0)), 1)
    times, old_times = [], []
    n = 0
    for seed in range(repeats):
        t0 = _clock()
        rec = model.simulate(1, seed)
        times.append(_clock() - t0)
        n = len(rec)
        t0 = _clock()
        model.run(model.draw(1, np.random.default_rng(seed)), 1)
        old_times.append(_clock() - t0)
    return {
        "source": source,
        "crossings": n,
        "booths": model.layout.primary.n_booths,
        "bays": model.layout.secondary.n_booths,
        "median_ms": 1e3 * statistics.median(times),
        "p90_ms": 1e3 * float(np.percentile(times, 90)),
        "numpy_median_ms": 1e3 * statistics.median(old_times),
        "numpy_p90_ms": 1e3 * float(np.percentile(old_times, 90)),
    }


def laredo_year(days: int, repeats: int, *, export: bool) -> dict[str, float]:
    """``PortModel.simulate`` over ``days`` days of the shipped laredo_wtb scenario.

    ``export``: with its Mexican export stage in front of CBP (draw, the Mexican
    booths and bays, the bridge, CBP: draw and replay drivers); else CBP alone
    (``cooperation.export_inspection`` removed: the one-pass driver).
    """
    from border21.ports.catalog import load_scenario
    from border21.ports.edits import with_value
    from border21.ports.model import PortModel

    scenario = load_scenario("laredo_wtb")
    if not export:
        scenario = with_value(scenario, "cooperation.export_inspection", None)
    model = PortModel(scenario)
    model.simulate(1, 0)
    times = []
    n = 0
    for seed in range(repeats):
        t0 = _clock()
        rec = model.simulate(days, seed)
        times.append(_clock() - t0)
        n = len(rec)
    t = statistics.median(times)
    return {"days": days, "crossings": n, "seconds": t, "ns_per_crossing": 1e9 * t / n}


def load_port() -> tuple[Any, str]:
    from border21.ports.catalog import load_scenario, shipped_scenarios
    from border21.ports.config import validate_scenario

    if "san_ysidro" in shipped_scenarios():
        return load_scenario("san_ysidro"), "shipped san_ysidro.toml"
    shape = [2, 2, 2, 3, 5, 8, 9, 9, 8, 7, 6, 6, 6, 6, 6, 6, 6, 6, 5, 5, 4, 4, 3, 3]
    data = {
        "port": {"name": "San Ysidro-sized"},
        "streams": {
            "cars": {
                "kind": "personal_vehicle",
                "crossings_per_day": 50_000,
                "hour_of_day_shape": shape,
                "program_shares": {"general": 0.5, "ready": 0.3, "sentri": 0.2},
                "primary_service": {"distribution": "lognormal", "mean_seconds": 55, "cv": 0.6},
                "referral_probability": 0.02,
                "secondary": "vehicles",
            },
            "walkers": {
                "kind": "pedestrian",
                "crossings_per_day": 25_000,
                "hour_of_day_shape": shape,
                "primary_service": {"mean_seconds": 40},
                "referral_probability": 0.01,
                "secondary": "walkers",
            },
        },
        "lanes": {
            "general": {"streams": ["cars"], "lanes": 12, "booths_per_lane": 2},
            "ready": {"program": "ready", "streams": ["cars"], "lanes": 8, "booths_per_lane": 2},
            "sentri": {"program": "sentri", "streams": ["cars"], "lanes": 6},
            "peds": {"streams": ["walkers"], "lanes": 14},
        },
        "secondary": {
            "vehicles": {"bays": 30, "service": {"mean_seconds": 900}},
            "walkers": {"bays": 6, "service": {"mean_seconds": 600}},
        },
    }
    return validate_scenario(data), "built-in equivalent (no san_ysidro.toml)"


# ------------------------------------------------------------------ main


def verdict(vs_simpy: list[float], vs_ciw: list[float]) -> str:
    """The median ratio of the rounds against each target, with the rounds' range."""

    def one(rr: list[float], name: str, bar: float) -> str:
        m = statistics.median(rr)
        return (
            f"{m:,.0f}x {name} ({'met' if m >= bar else 'MISSED'}; rounds "
            f"{min(rr):,.0f}-{max(rr):,.0f}, {sum(x >= bar for x in rr)}/{len(rr)} at the bar)"
        )

    return f"{one(vs_simpy, 'SimPy', 1000)}, {one(vs_ciw, 'Ciw', 2000)}"


def _row(result: dict[str, float], key: str, wait: bool = True) -> dict[str, Any]:
    return {
        "rate": result[key],
        "customers": result["customers"],
        "mean_wait": result["mean_wait"] if wait else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--simpy-customers", type=int, default=50_000, help="per round")
    parser.add_argument("--ciw-customers", type=int, default=10_000, help="per round")
    parser.add_argument(
        "--rounds", type=int, default=9, help="interleaved rounds of border21, SimPy and Ciw"
    )
    parser.add_argument("--repeats", type=int, default=20, help="San Ysidro runs")
    parser.add_argument("--laredo-days", type=int, default=365, help="0 skips the Laredo run")
    parser.add_argument("--laredo-repeats", type=int, default=5)
    parser.add_argument(
        "--replications", type=int, default=16, help="runs of --customers for the all-core row"
    )
    parser.add_argument("--workers", type=int, default=0, help="all-core row threads (0: all)")
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall time, or this thread's CPU time (steadier on a shared machine)",
    )
    opts = parser.parse_args()
    global _clock
    _clock = CLOCKS[opts.clock]
    if opts.quick:
        opts.customers, opts.simpy_customers, opts.ciw_customers, opts.repeats = (
            100_000,
            5_000,
            2_000,
            3,
        )
        opts.rounds = 2
        opts.laredo_days, opts.laredo_repeats, opts.replications = 7, 1, 4

    import ciw
    import numba
    import simpy

    theory = erlang_c_wait(LAM, MU, SERVERS)
    print(
        f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
        f"clock: {opts.clock}"
    )
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, numba "
        f"{numba.__version__}, simpy {simpy.__version__}, ciw {ciw.__version__}"
    )
    print(
        f"M/M/{SERVERS}, lambda={LAM:g}/s, mu={MU:g}/s, rho={LAM / (SERVERS * MU):g}; "
        f"Erlang C mean wait {theory:.4f} s (first {WARM_UP:.0%} of customers dropped)\n"
    )

    b21 = border21_mmc(opts.customers, opts.seed)
    workers = opts.workers or os.cpu_count() or 1
    load_par = os.getloadavg()[0]
    rounds = interleaved_rounds(opts, workers)
    fused, par1, par, sp, cw = (median_row(rounds, row) for row in ROUND_ROWS)
    scen = border21_scenario_mm4(opts.customers, opts.seed)

    def ratios(row: str) -> tuple[list[float], list[float]]:
        return round_ratio(rounds, row, "simpy"), round_ratio(rounds, row, "ciw")

    rows = [
        ("border21 one-pass (RNG + queue)", fused, ratios("fused")),
        (f"border21 one-pass, {opts.replications} runs on 1 thread*", par1, ratios("par1")),
        (f"border21 one-pass, {opts.replications} runs on {workers} thr.*", par, ratios("par")),
        ("border21 NumPy draws + replay driver", _row(b21, "full_rate"), None),
        ("border21 replay driver only (serve_lanes)", _row(b21, "kernel_rate", wait=False), None),
        ("border21 NumPy draws only (NHPP + exp)", _row(b21, "draws_rate", wait=False), None),
        (
            "NumPy RNG alone (2 exponentials/customer)",
            _row(b21, "rng_floor_rate", wait=False),
            None,
        ),
        ("SimPy 4 (Resource, pure Python)", sp, ratios("simpy")),
        ("Ciw 3 (pure Python)", cw, ratios("ciw")),
    ]
    print(
        f"{'engine':46s} {'customers':>10s} {'customers/s':>14s} {'x SimPy':>9s} "
        f"{'x Ciw':>9s} {'mean wait':>10s}"
    )
    for name, row, rr in rows:
        w = f"{row['mean_wait']:10.4f}" if row.get("mean_wait") is not None else f"{'':>10s}"
        if rr is None:  # measured once, before the rounds: against the rounds' medians
            a, b = row["rate"] / sp["rate"], row["rate"] / cw["rate"]
        else:
            a, b = statistics.median(rr[0]), statistics.median(rr[1])
        print(
            f"{name:46s} {int(row['customers']):10,d} {row['rate']:14,.0f} {a:9,.0f} {b:9,.0f} {w}"
        )
    print(
        f"\nRows with ratios per round: {opts.rounds} rounds, each running border21 "
        f"(one thread: median of 3 runs; * all customers / wall time whatever --clock says), "
        f"SimPy ({opts.simpy_customers:,d} customers), Ciw ({opts.ciw_customers:,d}) and "
        f"border21 again, back to back (border21's two sides combined); rates are medians "
        f"over rounds, ratios the median of the rounds' ratios "
        f"(load average {load_par:.2f} before the rounds). Other rows ran once, before.\n"
        f"Erlang C: {theory:.4f} s. Targets, >= 1000x SimPy and >= 2000x Ciw:\n"
        f"  one thread: {verdict(*ratios('fused'))}; "
        f"{1e9 / fused['rate']:.1f} ns per customer, RNG included.\n"
        f"  all cores ({workers} threads): {verdict(*ratios('par'))}; "
        f"{par['rate'] / par1['rate']:.2f}x the same runs on one thread."
    )
    print(
        f"Scenario path, M/M/4 rho=0.9 via PortModel.simulate: {scen['rate']:,.0f} "
        f"customers/s over {scen['customers']:,d}; mean wait {scen['mean_wait']:.4f} "
        f"(Erlang C {scen['theory']:.4f})."
    )

    sy = san_ysidro_day(opts.repeats)
    print(
        f"\nSan Ysidro, one day ({sy['source']}): {sy['crossings']:,d} crossings, "
        f"{sy['booths']} primary booths + {sy['bays']} secondary bays; "
        f"median {sy['median_ms']:.1f} ms, p90 {sy['p90_ms']:.1f} ms over {opts.repeats} runs "
        f"(target < 50 ms: {'met' if sy['median_ms'] < 50 else 'MISSED'}); "
        f"draw + replay (draw + run) median {sy['numpy_median_ms']:.1f} ms, "
        f"p90 {sy['numpy_p90_ms']:.1f} ms."
    )
    if opts.laredo_days:
        for export, what in ((False, "CBP alone, one-pass"), (True, "with the export stage")):
            lr = laredo_year(opts.laredo_days, opts.laredo_repeats, export=export)
            print(
                f"Laredo (laredo_wtb, {what}), {lr['days']} days via PortModel.simulate: "
                f"{lr['crossings']:,d} crossings in {lr['seconds']:.2f} s "
                f"(median of {opts.laredo_repeats}), {lr['ns_per_crossing']:.1f} ns per crossing."
            )


if __name__ == "__main__":
    main()

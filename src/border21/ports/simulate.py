"""Replicated simulation runs with one root seed, in parallel on all cores.

>>> from border21.ports.catalog import load_scenario
>>> result = simulate(load_scenario("laredo_wtb"), days=1, replications=2, seed=3)
>>> result.summary_rows[0]["replications"]
2
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from border21.errors import InputError
from border21.ports import results
from border21.ports.config import PortScenario
from border21.ports.limits import DEFAULT_LIMITS, RunLimits
from border21.ports.model import CrossingRecords, PortModel
from border21.stats import ci95_half_width

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")


def config_hash(scenario: PortScenario) -> str:
    """A short, stable hash of the validated scenario (recorded with every result)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def replication_seeds(seed: int | None, replications: int) -> list[np.random.SeedSequence]:
    """Independent child seeds of one root ``SeedSequence``."""
    return np.random.SeedSequence(seed).spawn(replications)


_WORKER_PREFIX = "border21-replication"
_EXECUTORS: dict[int, ThreadPoolExecutor] = {}
_EXECUTORS_LOCK = threading.Lock()


def _executor(workers: int) -> ThreadPoolExecutor:
    """A long-lived pool of ``workers`` threads (one per size asked for).

    Long-lived so that each thread keeps the fused engine's record buffers
    between calls (see ``fused._record_buffers``): fresh threads would fill
    fresh pages on every call.
    """
    with _EXECUTORS_LOCK:
        pool = _EXECUTORS.get(workers)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=_WORKER_PREFIX)
            _EXECUTORS[workers] = pool
        return pool


def run_replications(
    one: Callable[[np.random.SeedSequence], T],
    seeds: Sequence[np.random.SeedSequence],
    workers: int | None = None,
) -> list[T]:
    """``one(seed)`` for every seed, on ``workers`` threads (default: all cores).

    The engines' compiled kernels release the GIL, so replications run in
    parallel in one process, on a pool of threads kept for the next call.
    Results come back in seed order, so they do not depend on ``workers``.
    Called from one of those threads (a replication that replicates), it runs
    the seeds in turn instead of waiting on its own pool.

    >>> run_replications(lambda s: s.spawn_key, replication_seeds(1, 3), workers=2)
    [(0,), (1,), (2,)]
    """
    n_workers = min(workers or os.cpu_count() or 1, len(seeds))
    if n_workers <= 1 or threading.current_thread().name.startswith(_WORKER_PREFIX):
        return [one(s) for s in seeds]
    return list(_executor(n_workers).map(one, seeds))


@dataclass(frozen=True)
class SimulationResult:
    """Everything one ``simulate`` call produced, with its seed and config hash."""

    scenario: PortScenario
    days: int
    seed: int | None
    config_hash: str
    replications: list[CrossingRecords]
    summary_rows: list[results.Row]
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> pd.DataFrame:
        """Waits by lane group across replications (mean with 95% CI, pooled percentiles)."""
        return results.frame(self.summary_rows)

    def interdiction_totals(self) -> dict[str, tuple[int, int, int]]:
        """Per stream, summed over replications: (detected, carriers, referred)."""
        out = {}
        for s, name in enumerate(self.replications[0].stream_names):
            det = car = ref = 0
            for r in self.replications:
                mask = r.stream == s
                det += int(r.detected[mask].sum())
                car += int(r.carrier[mask].sum())
                ref += int(r.referred[mask].sum())
            out[name] = (det, car, ref)
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """Named summary tables (replications stacked, with a ``replication`` column)."""
        makers: dict[str, Callable[[CrossingRecords], pd.DataFrame]] = {
            "wait_by_lane_type": results.wait_by_lane_type,
            "wait_by_hour": results.wait_by_hour,
            "throughput": results.throughput,
            "utilisation": lambda r: results.booth_utilisation(r, self.scenario),
            "queue_length": results.queue_length,
            "interdictions": results.interdictions,
        }
        import pandas as pd

        out = {"summary": self.summary}
        for name, make in makers.items():
            out[name] = pd.concat(
                [make(r).assign(replication=i) for i, r in enumerate(self.replications)],
                ignore_index=True,
            )
        return out


def summarise(replications: list[CrossingRecords]) -> list[results.Row]:
    """Across replications: mean wait per lane group with a 95% CI, pooled percentiles."""
    per_rep = [results.wait_rows(r) for r in replications]
    pooled_wait = np.concatenate([r.wait_seconds for r in replications]) / 60.0
    pooled_group = np.concatenate([r.group for r in replications])
    first = replications[0]
    rows = []
    n = len(replications)
    for i, row in enumerate(per_rep[0]):
        means = np.array([p[i]["mean_wait_min"] for p in per_rep], dtype=float)
        crossings = np.array([p[i]["crossings"] for p in per_rep], dtype=float)
        half = ci95_half_width(float(means.std(ddof=1)), n) if n > 1 else np.nan
        if row["lane_group"] == "secondary":
            waits = (
                np.concatenate([r.secondary_wait_seconds[r.referred] for r in replications]) / 60.0
            )
        else:
            waits = pooled_wait[pooled_group == first.group_names.index(row["lane_group"])]
        q = np.quantile(waits, results.QUANTILES) if waits.size else [np.nan] * 3
        rows.append(
            {
                "lane_group": row["lane_group"],
                "program": row["program"],
                "crossings_per_day": float(crossings.mean() / first.days),
                "mean_wait_min": float(np.nanmean(means)) if np.isfinite(means).any() else np.nan,
                "ci95_half_width_min": float(half),
                "p50_wait_min": float(q[0]),
                "p90_wait_min": float(q[1]),
                "p95_wait_min": float(q[2]),
                "replications": n,
            }
        )
    return rows


def simulate(
    scenario: PortScenario,
    *,
    days: int = 1,
    replications: int = 1,
    seed: int | None = 0,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    limits: RunLimits = DEFAULT_LIMITS,
) -> SimulationResult:
    """Run ``replications`` independent replications of ``days`` days each.

    Replications run on a thread pool (the Numba kernels release the GIL);
    each owns a generator spawned from the root ``SeedSequence(seed)``, so the
    result does not depend on ``workers``. A run larger than ``limits`` (days,
    replications, expected crossings) is refused before anything is allocated.
    """
    if days < 1:
        raise InputError("days", days, "must be at least 1")
    if replications < 1:
        raise InputError("replications", replications, "must be at least 1")
    limits.check_run(scenario, days=days, replications=replications)
    model = PortModel(scenario)
    seeds = replication_seeds(seed, replications)

    def one(child: np.random.SeedSequence) -> CrossingRecords:
        rec = model.simulate(days=days, seed=np.random.default_rng(child))
        if progress is not None:
            progress(1)
        return rec

    reps = run_replications(one, seeds, workers)
    return SimulationResult(
        scenario=scenario,
        days=days,
        seed=seed,
        config_hash=config_hash(scenario),
        replications=reps,
        summary_rows=summarise(reps),
        warnings=results.unstable_hours(scenario),
    )

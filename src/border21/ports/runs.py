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
from border21.i18n import N_
from border21.i18n.message import Message
from border21.ports import results
from border21.ports.config import PortScenario
from border21.ports.kernels.rng import seed_sequence
from border21.ports.limits import DEFAULT_LIMITS, RunLimits
from border21.ports.model import CrossingRecords, PortModel
from border21.stats import ci95_half_width

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")
S = TypeVar("S")


def config_hash(scenario: PortScenario) -> str:
    """A short, stable hash of the validated scenario (recorded with every result)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def replication_seeds(seed: int | None, replications: int) -> list[np.random.SeedSequence]:
    """Independent child seeds of one root ``SeedSequence``."""
    return seed_sequence(seed).spawn(replications)


_WORKER_PREFIX = "border21-replication"
_EXECUTORS: dict[int, ThreadPoolExecutor] = {}
_EXECUTORS_LOCK = threading.Lock()


def _forget_executors() -> None:
    """In a forked child: the parent's pools have no threads here, so work sent to them
    would wait forever (``multiprocessing`` with ``fork``, pre-forking servers)."""
    global _EXECUTORS_LOCK
    _EXECUTORS.clear()
    _EXECUTORS_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_executors)


def _executor(workers: int) -> ThreadPoolExecutor:
    """A long-lived pool of ``workers`` threads (one per size asked for).

    Long-lived so that each thread keeps its record buffers between calls
    (see ``engine.RecordPool``): fresh threads would fill fresh pages on every
    call. A forked child starts with no pools.
    """
    with _EXECUTORS_LOCK:
        pool = _EXECUTORS.get(workers)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=_WORKER_PREFIX)
            _EXECUTORS[workers] = pool
        return pool


def run_replications(
    one: Callable[[S], T],
    seeds: Sequence[S],
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
    """Everything one ``simulate`` call produced, with its seed and config hash.

    ``scenario`` is the scenario as given, ``effective`` the one that ran (its
    cooperation applied). ``replications`` hold every crossing simulated; the
    summaries and tables cover the days after the first ``warm_up_days``,
    which are discarded (:meth:`reported`).
    """

    scenario: PortScenario
    days: int
    seed: int | None
    config_hash: str
    replications: list[CrossingRecords]
    summary_rows: list[results.Row]
    warnings: list[str] = field(default_factory=list)
    effective: PortScenario | None = None
    warm_up_days: int = 0

    @property
    def ran(self) -> PortScenario:
        """The scenario that ran (cooperation applied)."""
        return self.effective if self.effective is not None else self.scenario

    @property
    def reported_days(self) -> int:
        return self.days - self.warm_up_days

    def reported(self) -> list[CrossingRecords]:
        """Each replication's crossings after the warm-up."""
        return [r.after_warm_up(self.warm_up_days) for r in self.replications]

    @property
    def warm_up_note(self) -> str:
        """What the summaries discarded, in one line."""
        return self.describe_warm_up()

    def describe_warm_up(self, gettext: Callable[[str], str] = N_) -> str:
        """:attr:`warm_up_note`, its words passed through ``gettext`` (an adapter's language)."""
        _ = gettext
        if not self.warm_up_days:
            return _("no warm-up discarded: the port starts empty at 00:00 of day 0")
        dropped = sum(len(r) for r in self.replications) - sum(len(r) for r in self.reported())
        return _(
            "warm-up: {days} discarded ({dropped} crossings over {reps} replication(s)); "
            "summaries cover the {after} day(s) after"
        ).format(
            days=_warm_up_days(self.warm_up_days, _),
            dropped=f"{dropped:,}",
            reps=len(self.replications),
            after=self.reported_days,
        )

    @property
    def summary(self) -> pd.DataFrame:
        """Waits by lane group and area across replications (mean, 95% CI, percentiles)."""
        return results.frame(self.summary_rows)

    def interdiction_totals(self) -> dict[str, tuple[int, int, int, int]]:
        """Per stream, over replications after the warm-up: (detected, carriers,
        referred, Mexican red-light exams)."""
        reported = self.reported()
        out = {}
        for s, name in enumerate(reported[0].stream_names):
            det = car = ref = mx = 0
            for r in reported:
                mask = r.stream == s
                det += int(r.detected[mask].sum())
                car += int(r.carrier[mask].sum())
                ref += int(r.referred[mask].sum())
                mx += int(r.mx_exams[mask].sum())
            out[name] = (det, car, ref, mx)
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """Named summary tables (replications stacked, with a ``replication`` column)."""
        ran = self.ran
        makers: dict[str, Callable[[CrossingRecords], pd.DataFrame]] = {
            "wait_by_lane_type": lambda r: results.wait_by_lane_type(r, ran),
            "wait_by_hour": results.wait_by_hour,
            "throughput": results.throughput,
            "utilisation": lambda r: results.booth_utilisation(r, ran),
            "interdictions": results.interdictions,
        }
        import pandas as pd

        reported = self.reported()
        out = {"summary": self.summary}
        for name, make in makers.items():
            out[name] = pd.concat(
                [make(r).assign(replication=i) for i, r in enumerate(reported)],
                ignore_index=True,
            )
        out["queue_length"] = pd.concat(
            [
                results.queue_length(r, first_day=self.warm_up_days).assign(replication=i)
                for i, r in enumerate(self.replications)
            ],
            ignore_index=True,
        )
        return out


def warm_up_for(days: int, warm_up_days: int | None = None) -> int:
    """The warm-up a run of ``days`` days discards: as asked, or one day when days > 1.

    >>> warm_up_for(1), warm_up_for(7), warm_up_for(7, 2)
    (0, 1, 2)
    """
    warm = (1 if days > 1 else 0) if warm_up_days is None else warm_up_days
    if not 0 <= warm < days:
        raise InputError(
            "warm_up_days",
            warm,
            Message("must be at least 0 and less than days ({days})", days=days),
        )
    return warm


def warm_up_note(warm_up_days: int, days: int, gettext: Callable[[str], str] = N_) -> str:
    """What a summary discarded, in one line; its words passed through ``gettext``.

    >>> warm_up_note(1, 3)
    'warm-up: day 0 of each replication discarded; the figures cover the 2 day(s) after'
    """
    _ = gettext
    if not warm_up_days:
        return _("no warm-up discarded: each replication starts empty at 00:00 of day 0")
    return _(
        "warm-up: {which} of each replication discarded; the figures cover the {after} day(s) after"
    ).format(which=_warm_up_days(warm_up_days, _), after=days - warm_up_days)


def _warm_up_days(warm_up_days: int, _: Callable[[str], str]) -> str:
    """``day 0`` or ``days 0–2``, through the gettext ``_`` (so Babel extracts them)."""
    if warm_up_days == 1:
        return _("day 0")
    return _("days 0–{last}").format(last=warm_up_days - 1)


WAIT_STATS = ("mean", "p50", "p90", "p95", "max")


def _replication_stats(waits: np.ndarray) -> list[float]:
    """One replication's mean, p50, p90, p95 and max wait (NaN when nobody waited there)."""
    if not waits.size:
        return [np.nan] * len(WAIT_STATS)
    q = np.quantile(waits, results.QUANTILES)
    return [float(waits.mean()), float(q[0]), float(q[1]), float(q[2]), float(waits.max())]


def summarise(replications: list[CrossingRecords], scenario: PortScenario) -> list[results.Row]:
    """Across replications: each row's wait statistics, each with its 95% interval.

    ``replications`` are the crossings to summarise (after any warm-up); rows
    as :func:`border21.ports.results.wait_samples`. Each statistic (mean, p50,
    p90, p95, max wait) is taken in every replication and averaged over them,
    with the half-width of its 95% t-interval over replications beside it
    (``{stat}_wait_min_ci95``; NaN with one replication). Replications in
    which nobody reached a row (an idle exam area) are left out of its figures.
    """
    samples = [results.wait_samples(r, scenario) for r in replications]
    days = replications[0].days
    n = len(replications)
    rows = []
    for i, (row, _) in enumerate(samples[0]):
        per_rep = np.array([_replication_stats(s[i][1]) for s in samples], dtype=float)
        crossings = np.array([s[i][0]["crossings"] for s in samples], dtype=float)
        held = np.array([s[i][0]["held"] for s in samples], dtype=float)
        out: results.Row = {
            "stage": row["stage"],
            "lane_group": row["lane_group"],
            "program": row["program"],
            "direction": row["direction"],
            "kind": row["kind"],
            "crossings_per_day": float(crossings.mean() / days),
            "held_per_day": float(held.mean() / days),
        }
        for k, stat in enumerate(WAIT_STATS):
            finite = per_rep[:, k][np.isfinite(per_rep[:, k])]
            sd = float(finite.std(ddof=1)) if finite.size > 1 else np.nan
            out[f"{stat}_wait_min"] = float(finite.mean()) if finite.size else np.nan
            out[f"{stat}_wait_min_ci95"] = ci95_half_width(sd, finite.size)
        out["replications"] = n
        rows.append(out)
    return rows


def simulate(
    scenario: PortScenario,
    *,
    days: int = 1,
    replications: int = 1,
    seed: int | None = 0,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    warm_up_days: int | None = None,
    limits: RunLimits = DEFAULT_LIMITS,
) -> SimulationResult:
    """Run ``replications`` independent replications of ``days`` days each.

    Replications run on a thread pool (the Numba kernels release the GIL);
    each owns a generator spawned from the root ``SeedSequence(seed)``, so the
    result does not depend on ``workers``. The first ``warm_up_days`` (default:
    one day when ``days`` > 1) are simulated and then left out of every
    summary, so the reported days do not start from an empty port.

    >>> from border21.ports.catalog import load_scenario
    >>> result = simulate(load_scenario("laredo_wtb"), days=1, replications=2, seed=3)
    >>> result.summary_rows[0]["replications"]
    2
    """
    if days < 1:
        raise InputError("days", days, Message("must be at least 1"))
    if replications < 1:
        raise InputError("replications", replications, Message("must be at least 1"))
    warm = warm_up_for(days, warm_up_days)
    refuse_targeting_only(scenario)
    limits.check_run(scenario, days=days, replications=replications)
    model = PortModel(scenario)
    seeds = replication_seeds(seed, replications)

    def one(child: np.random.SeedSequence) -> CrossingRecords:
        rec = model.simulate(days=days, seed=np.random.default_rng(child))
        if progress is not None:
            progress(1)
        return rec

    reps = run_replications(one, seeds, workers)
    reported = [r.after_warm_up(warm) for r in reps]
    return SimulationResult(
        scenario=scenario,
        days=days,
        seed=seed,
        config_hash=config_hash(scenario),
        replications=reps,
        summary_rows=summarise(reported, model.scenario),
        warnings=results.unstable_hours(model.scenario),
        effective=model.scenario,
        warm_up_days=warm,
    )


def refuse_targeting_only(scenario: PortScenario) -> None:
    """Refuse the switches that act only on targeting (``simulate`` has no risk model)."""
    if scenario.cooperation.shared_intelligence:
        raise InputError(
            "cooperation.shared_intelligence",
            True,
            Message(
                "acts on targeting only, which `border21 frontier` runs (shared risk "
                "profiles); `simulate` has no risk model: leave it false here"
            ),
        )

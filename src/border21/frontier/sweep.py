"""Sweeps over policies, budgets and cooperation variants; the Pareto frontier.

A sweep is a list of independent tasks (variant × policy × rate × replication).
Tasks run on a local thread pool (the Numba kernels release the GIL) or on a
Dask distributed cluster (``scheduler="tcp://host:port"``). A task's seed is
``SeedSequence(root, spawn_key=(replication,))``: it depends only on the root
seed and the replication index, so results are identical wherever and in
whatever order tasks run, and every policy and rate of one replication sees
the same crossings (common random numbers).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from border21.errors import InputError
from border21.frontier.costs import DelayCosts
from border21.frontier.experiment import (
    PolicySpec,
    PreparedScenario,
    ReplicationBase,
    finish_replication,
    prepare_replication,
)
from border21.frontier.metrics import FLOW_METRICS, flows_row
from border21.frontier.risk import RiskPool
from border21.frontier.staged_sweep import (
    SharedUnit,
    StagedUnit,
    UnitItem,
    group_units,
    run_shared,
    run_units_local,
    split_evenly,
    split_units,
    unit_rows,
)
from border21.i18n.message import Message
from border21.ports.config import PortScenario
from border21.ports.limits import DEFAULT_LIMITS, RunLimits, check_seed
from border21.ports.runs import warm_up_for
from border21.stats import t_quantile_975

if TYPE_CHECKING:
    import pandas as pd

    from border21.ports.results import Overload

Row = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepTask:
    """One replication of one policy at one budget in one cooperation variant."""

    variant: str
    scenario: PortScenario
    policy: PolicySpec
    replication: int
    root_seed: int
    days: int
    warm_up_days: int = 0  # simulated, left out of the metrics
    costs: DelayCosts = field(default_factory=DelayCosts)
    grid: str = ""  # the what-if grid point (e.g. ``truck_secondary.bays=12``), if any


@dataclass(frozen=True, slots=True, kw_only=True)
class PortTask:
    """One replication of a plain port scenario (its own random referral), no coupling.

    The unit of large what-if sweeps over staffing, booths and referral rates.
    Cooperation switches that reshape the scenario (enrolment, southbound
    inspection, UCP's joint bays) apply; the Mexican export stage and
    targeting do not (the coupled sweeps of ``border21 frontier`` run them).
    """

    variant: str
    scenario: PortScenario
    replication: int
    root_seed: int
    days: int
    warm_up_days: int = 0  # simulated, left out of the metrics
    costs: DelayCosts = field(default_factory=DelayCosts)


_PREPARED: dict[str, PreparedScenario] = {}


def _scenario_key(scenario: PortScenario) -> str:
    """A content hash of a validated scenario (equal scenarios share a key across processes)."""
    import hashlib

    return hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()


def _prepared(scenario: PortScenario) -> PreparedScenario:
    """The scenario transformed and compiled once per process (tasks carry it validated)."""
    key = _scenario_key(scenario)
    if key not in _PREPARED:
        _PREPARED[key] = PreparedScenario(scenario)
    return _PREPARED[key]


def run_task(task: SweepTask | PortTask, risk: RiskPool | None = None) -> Row:
    """Run one task and return one result row (importable, so Dask workers can run it).

    ``risk`` is the scored declaration pool of the task's variant (shipped to
    Dask workers once, not with every task). A :class:`PortTask` run alone
    gives the same row as in a sweep (see :mod:`border21.ports.staged`).
    """
    if isinstance(task, PortTask):
        (unit,) = group_units([_port_item(task)])
        return unit_rows(unit, task.replication)[0][1]
    return _policy_row(task, _replication_base(task, risk))


def _replication_base(task: SweepTask, risk: RiskPool | None) -> ReplicationBase:
    seed = np.random.SeedSequence(task.root_seed, spawn_key=(task.replication,))
    return prepare_replication(
        _prepared(task.scenario),
        days=task.days,
        seed=seed,
        risk=risk,
        warm_up_days=task.warm_up_days,
    )


def _policy_row(task: SweepTask, base: ReplicationBase) -> Row:
    out = finish_replication(base, task.policy, task.costs)
    row: Row = {
        "variant": task.variant,
        **({"grid": task.grid} if task.grid else {}),
        "policy": task.policy.policy,
        "rate": task.policy.rate,
        "replication": task.replication,
    }
    row.update(flows_row(out.northbound, out.southbound))
    return row


def _replication_groups(tasks: Sequence[SweepTask]) -> list[list[int]]:
    """Task indices grouped by shared replication (variant, scenario, seed, days).

    Policies and budgets of one replication share its crossings, export stage
    and CBP primary (:class:`~border21.frontier.experiment.ReplicationBase`).
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    keys: dict[int, str] = {}
    for i, t in enumerate(tasks):
        if id(t.scenario) not in keys:
            keys[id(t.scenario)] = _scenario_key(t.scenario)
        k = (t.variant, keys[id(t.scenario)], t.replication, t.root_seed, t.days, t.warm_up_days)
        groups.setdefault(k, []).append(i)
    return list(groups.values())


def replication_rows(tasks: Sequence[SweepTask], risk: RiskPool | None) -> list[Row]:
    """Rows of tasks that share one replication, in this process (Dask's unit of work)."""
    base = _replication_base(tasks[0], risk)
    return [_policy_row(t, base) for t in tasks]


def _port_item(task: PortTask) -> UnitItem:
    """The task as a staged unit's member (the staged engine applies its cooperation)."""
    return (
        task.variant,
        task.scenario,
        task.replication,
        task.root_seed,
        task.days,
        task.warm_up_days,
        task.costs,
    )


def _port_units(tasks: Sequence[PortTask]) -> tuple[list[StagedUnit], list[int]]:
    """Port tasks grouped by shared primary stage, with each unit's replication."""
    units = group_units([_port_item(t) for t in tasks])
    return units, [tasks[u.members[0][0]].replication for u in units]


def execute(
    tasks: Sequence[SweepTask | PortTask],
    *,
    risks: dict[str, RiskPool | None] | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    connect_timeout_s: float = 10.0,
) -> list[Row]:
    """Run tasks locally (threads) or on the Dask cluster at ``scheduler``.

    Port tasks that differ only downstream of primary inspection share one
    primary stage per replication (:mod:`border21.ports.staged`); rows come
    back in task order either way.
    """
    risks = risks or {}
    port_at = [i for i, t in enumerate(tasks) if isinstance(t, PortTask)]
    port_tasks = [t for t in tasks if isinstance(t, PortTask)]
    other_at = [i for i, t in enumerate(tasks) if not isinstance(t, PortTask)]
    other = [t for t in tasks if isinstance(t, SweepTask)]
    rows: list[Row | None] = [None] * len(tasks)
    units, reps = _port_units(port_tasks)
    if scheduler:
        port_rows, other_rows = _execute_dask(
            other, units, reps, risks, scheduler, progress, connect_timeout_s
        )
    else:
        n = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
        port_rows = run_units_local(units, reps, n, progress) if units else {}
        other_rows = _execute_local(other, risks, n, progress)
    for k, i in enumerate(port_at):
        rows[i] = port_rows[k]
    for k, i in enumerate(other_at):
        rows[i] = other_rows[k]
    return [r for r in rows if r is not None]


def _execute_local(
    tasks: Sequence[SweepTask],
    risks: dict[str, RiskPool | None],
    n: int,
    progress: Callable[[int], None] | None,
) -> list[Row]:
    units: list[SharedUnit] = []
    for group in _replication_groups(tasks):
        first = tasks[group[0]]
        rows: list[tuple[int, Callable[[Any], Row]]] = [
            (i, functools.partial(_policy_row, tasks[i])) for i in group
        ]
        base = functools.partial(_replication_base, first, risks.get(first.variant))
        units.append((base, rows))
    done = run_shared(units, n, progress)
    return [done[i] for i in range(len(tasks))]


def _split_groups(groups: list[list[int]], pieces: int) -> list[list[int]]:
    """Groups split into at least ``pieces`` parts when there are fewer groups."""
    if not groups or len(groups) >= pieces:
        return groups
    per = -(-pieces // len(groups))
    return [part for g in groups for part in split_evenly(g, per)]


class SchedulerUnavailable(InputError):
    """The Dask scheduler did not answer."""


def _execute_dask(
    tasks: Sequence[SweepTask],
    units: Sequence[StagedUnit],
    reps: Sequence[int],
    risks: dict[str, RiskPool | None],
    scheduler: str,
    progress: Callable[[int], None] | None,
    timeout: float,
) -> tuple[dict[int, Row], list[Row]]:
    from distributed import Client

    try:
        client = Client(scheduler, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerUnavailable(
            "--scheduler",
            scheduler,
            Message(
                "no Dask scheduler answered within {timeout:g} s ({error}); run "
                "without --scheduler to use the local cores",
                timeout=timeout,
                error=type(exc).__name__,
            ),
        ) from None
    try:
        shipped = {
            k: client.scatter(v, broadcast=True) if v is not None else None
            for k, v in risks.items()
        }
        # One Dask task per shared replication or primary stage (split further when
        # there are fewer than worker threads, at the price of recomputing it).
        threads = sum(client.nthreads().values()) or 1
        groups = _split_groups(_replication_groups(tasks), threads)
        futures = client.map(
            replication_rows,
            [[tasks[i] for i in g] for g in groups],
            [shipped.get(tasks[g[0]].variant) for g in groups],
            pure=False,
        )
        pieces = split_units(units, reps, threads)
        unit_futures = client.map(
            unit_rows, [u for u, _ in pieces], [r for _, r in pieces], pure=False
        )
        if progress is not None:
            for fut, g in zip(futures, groups, strict=True):
                fut.add_done_callback(lambda _, k=len(g): progress(k))
            for ufut, (unit, _) in zip(unit_futures, pieces, strict=True):
                ufut.add_done_callback(lambda _, k=len(unit.members): progress(k))
        rows: list[Row | None] = [None] * len(tasks)
        for g, part in zip(groups, client.gather(futures), strict=True):
            for i, row in zip(g, part, strict=True):
                rows[i] = row
        port_rows = dict(pair for part in client.gather(unit_futures) for pair in part)
        return port_rows, [r for r in rows if r is not None]
    finally:
        client.close()


# ------------------------------------------------------------------ summaries


SUMMARY_METRICS = (*FLOW_METRICS, "truck_delay_hours")


def summarise(rows: list[Row]) -> pd.DataFrame:
    """Mean and 95% CI half-width over replications per (variant, [grid,] policy, rate)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    metrics = [m for m in SUMMARY_METRICS if m in frame.columns]
    metrics += [
        c for c in frame.columns if c.startswith(("sb_", "nb_", "wait_min:", "p95_wait_min:"))
    ]
    keys = (
        ["variant", "grid", "policy", "rate"] if "grid" in frame else ["variant", "policy", "rate"]
    )
    grouped = frame.groupby(keys, sort=False)
    out = grouped[metrics].mean()
    n = grouped.size()
    half = (
        grouped[metrics]
        .std(ddof=1)
        .mul(n.map(lambda k: t_quantile_975(k - 1)), axis=0)
        .div(np.sqrt(n), axis=0)
    )
    out = out.join(half.add_suffix("_ci95"))
    out["replications"] = n
    return out.reset_index()


EXAM_QUEUES = (
    "secondary:",
    "mx_export:",
    "mx_import:",
)  # queues whose load the policy or variant sets


def unstable_points(tasks: Sequence[SweepTask]) -> dict[tuple[str, str, float], list[Overload]]:
    """Every (variant, grid point, budget) with an overloaded queue, and its overloads.

    The offered load of every queue (primary lanes, secondary areas, the
    southbound inspection, the Mexican export booths and bays) is checked hour
    by hour as in ``simulate`` (:func:`border21.ports.results.overloaded`),
    with the budget as the referral rate of the northbound streams the policy
    governs. Stable points are left out.
    """
    from border21.ports.cooperation import effective_scenario
    from border21.ports.results import overloaded

    out: dict[tuple[str, str, float], list[Overload]] = {}
    seen: set[tuple[str, str, float]] = set()
    effective: dict[int, PortScenario] = {}
    for task in tasks:
        key = (task.variant, task.grid, task.policy.rate)
        if key in seen:
            continue
        seen.add(key)
        sc = effective.get(id(task.scenario))
        if sc is None:
            sc = effective[id(task.scenario)] = effective_scenario(task.scenario)
        found = overloaded(sc, governed_referral=task.policy.rate)
        if found:
            out[key] = found
    return out


def mark_unstable(
    table: pd.DataFrame, unstable: dict[tuple[str, str, float], list[Overload]]
) -> pd.DataFrame:
    """``table`` with a column ``unstable``: the exam queues overloaded at each row, or "".

    Exam queues (secondary areas, the southbound inspection, the Mexican export
    stage) are the ones whose load a variant or budget sets; an overloaded
    primary lane group is the same at every budget and is reported by
    :func:`unstable_warnings` instead.
    """
    from border21.ports.results import hour_ranges

    grid = table["grid"] if "grid" in table.columns else [""] * len(table)
    marks = [
        "; ".join(
            f"{o.where} {hour_ranges(o.hours)}"
            for o in unstable.get(k, [])
            if o.where.startswith(EXAM_QUEUES)
        )
        for k in zip(table["variant"], grid, table["rate"], strict=True)
    ]
    return table.assign(unstable=marks)


def unstable_warnings(unstable: dict[tuple[str, str, float], list[Overload]]) -> list[str]:
    """One line per variant, grid point and overloaded queue, with the budgets.

    Primary lanes are named once per variant (their load does not depend on
    the budget); an exam queue with the budgets at which it is overloaded,
    described at the largest of them.
    """
    found: dict[tuple[str, str, str], dict[float, Overload]] = {}
    for (variant, grid, rate), overloads in unstable.items():
        at = f"variant {variant}" + (f" at {grid}" if grid else "")
        for o in overloads:
            found.setdefault((at, o.where, o.streams), {})[rate] = o
    out = []
    for (at, where, _), by_rate in found.items():
        worst = by_rate[max(by_rate)]
        if where.startswith(EXAM_QUEUES):
            budgets = ", ".join(f"{100 * r:g}" for r in sorted(by_rate))
            at = f"{at} at budget(s) {budgets}%"
        out.append(f"{at}: {worst.describe()}")
    return out


# Precision a headline figure needs to tell budgets and policies apart (issue: "uncertainty
# you can use"): the share caught within ±5 percentage points, mean delay within ±10%.
DETECTION_HALF_WIDTH = 0.05
DELAY_HALF_WIDTH = 0.10


@dataclass(frozen=True)
class Precision:
    """How precise a summary's headline figures are, and what would make them precise.

    ``imprecise`` rows miss :data:`DETECTION_HALF_WIDTH` or :data:`DELAY_HALF_WIDTH`;
    ``needed`` is the replication count that would meet both at every row (the
    half-width shrinks with the square root of the replications); ``out_of_range``
    marks (a bool per row) the headline intervals that reach outside what the
    quantity can be (a share below 0 or above 1, a negative delay): the
    ``ci_outside_range`` column of ``frontier --out``. Printed tables mark every
    such interval ``‡`` themselves (:func:`border21.stats.pm`).
    """

    rows: int
    replications: int
    imprecise: list[int]
    needed: int
    out_of_range: np.ndarray

    def notes(self) -> list[str]:
        out: list[str] = []  # Messages: translated where they are shown
        if self.imprecise:
            out.append(
                Message(
                    "too small to tell: at {k} of {n} points the 95% interval is wider than "
                    "±{pp:g} pp for the share caught or ±{pct:g}% of the mean delay; about "
                    "{needed} replications would do (-r {needed})",
                    k=len(self.imprecise), n=self.rows, pp=100 * DETECTION_HALF_WIDTH,
                    pct=100 * DELAY_HALF_WIDTH, needed=self.needed,
                )
            )  # fmt: skip
        return out


def precision(table: pd.DataFrame) -> Precision:
    """Check a :func:`summarise` table's headline intervals (share caught, mean delay)."""
    n = int(table["replications"].min()) if len(table) else 0
    det, det_hw = table["detection_rate"].to_numpy(), table["detection_rate_ci95"].to_numpy()
    delay, delay_hw = table["mean_delay_min"].to_numpy(), table["mean_delay_min_ci95"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.fmax(det_hw / DETECTION_HALF_WIDTH, delay_hw / (DELAY_HALF_WIDTH * delay))
    ratio = np.where(np.isfinite(ratio), ratio, np.nan)  # no carriers: nothing to tell
    imprecise = np.flatnonzero(ratio > 1)
    worst = float(np.nanmax(ratio)) if np.isfinite(ratio).any() else 0.0
    needed = max(n, int(np.ceil(n * worst**2))) if imprecise.size else n
    outside = (det - det_hw < 0) | (det + det_hw > 1) | (delay - delay_hw < 0)
    return Precision(
        rows=len(table),
        replications=n,
        imprecise=imprecise.tolist(),
        needed=needed,
        out_of_range=outside & np.isfinite(det_hw),
    )


def pareto_mask(delay: np.ndarray, detection: np.ndarray) -> np.ndarray:
    """Points not dominated by another with no more delay and no less detection.

    >>> pareto_mask(np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.1, 0.5])).tolist()
    [True, False, True]
    """
    order = np.lexsort((-detection, delay))
    keep = np.zeros(delay.shape[0], np.bool_)
    best = -np.inf
    for i in order:
        if detection[i] > best:
            keep[i] = True
            best = detection[i]
    return keep


def frontier(
    summary: pd.DataFrame, x: str = "mean_delay_min", y: str = "detection_rate"
) -> pd.DataFrame:
    """``summary`` with ``on_frontier`` (per variant and policy) and ``on_overall_frontier``."""
    out = summary.copy()
    out["on_frontier"] = False
    out["on_overall_frontier"] = False
    for _, idx in out.groupby(["variant", "policy"]).groups.items():
        sub = out.loc[idx]
        out.loc[idx, "on_frontier"] = pareto_mask(sub[x].to_numpy(), sub[y].to_numpy())
    for _, idx in out.groupby("variant").groups.items():
        sub = out.loc[idx]
        out.loc[idx, "on_overall_frontier"] = pareto_mask(sub[x].to_numpy(), sub[y].to_numpy())
    return out


@dataclass(frozen=True)
class SweepResult:
    """Per-replication rows, their summary with CIs, and the frontier flags."""

    rows: list[Row]
    summary: pd.DataFrame
    seed: int
    days: int


def build_tasks(
    variants: dict[str, PortScenario],
    policies: Sequence[str],
    rates: Sequence[float],
    *,
    replications: int,
    days: int,
    seed: int,
    costs: DelayCosts | None = None,
    grid: str = "",
    limits: RunLimits = DEFAULT_LIMITS,
    warm_up_days: int | None = None,
) -> list[SweepTask]:
    """The task grid: every variant × policy × rate × replication (at one ``grid`` point).

    Each task carries its variant's validated scenario (no re-validation per
    task). Refused before any task is made beyond ``limits`` (days,
    replications, tasks, one replication's expected crossings). The first
    ``warm_up_days`` (default: one day when days > 1) are left out of the metrics.
    """
    limits.check_counts(days=days, replications=replications)
    check_seed(seed)
    warm_up = warm_up_for(days, warm_up_days)
    per_variant = len(policies) * len(rates) * replications
    limits.check_tasks(len(variants) * per_variant)
    work = [limits.check_run(sc, days=days, replications=1) for sc in variants.values()]
    limits.check_sweep_crossings(sum(work) * per_variant)
    costs = costs or DelayCosts()
    tasks = []
    for vname, sc in variants.items():
        for policy in policies:
            for rate in rates:
                spec = PolicySpec(policy=policy, rate=rate)
                for rep in range(replications):
                    tasks.append(
                        SweepTask(
                            variant=vname,
                            scenario=sc,
                            policy=spec,
                            replication=rep,
                            root_seed=seed,
                            days=days,
                            warm_up_days=warm_up,
                            costs=costs,
                            grid=grid,
                        )
                    )
    return tasks


def shifts(rows: list[Row], reference: str = "baseline") -> pd.DataFrame:
    """How each variant moves the frontier relative to ``reference``.

    Differences are paired by replication (the variants share crossings by
    common random numbers), so their CIs are much tighter than the levels'.
    Columns: ``d_detection`` (share of carriers caught, variant − reference),
    ``d_delay_min`` (mean delay per crossing), ``d_delay_cost_usd`` (northbound,
    the headline) and, for a port with southbound traffic, ``d_sb_detection``
    and ``d_sb_delay_min``, each with a 95% CI half-width over the replications
    where both have the figure (a replication without southbound carriers has
    no southbound share caught).
    """
    import pandas as pd

    frame = pd.DataFrame(rows)
    keys = (
        ["grid", "policy", "rate", "replication"]
        if "grid" in frame
        else ["policy", "rate", "replication"]
    )
    metrics = {
        "detection_rate": "d_detection",
        "mean_delay_min": "d_delay_min",
        "delay_cost_usd": "d_delay_cost_usd",
    }
    if "sb_mean_delay_min" in frame:
        metrics |= {"sb_detection_rate": "d_sb_detection", "sb_mean_delay_min": "d_sb_delay_min"}
    ref = frame[frame["variant"] == reference].set_index(keys)[list(metrics)]
    out = []
    for variant, sub in frame[frame["variant"] != reference].groupby("variant", sort=False):
        diff = (sub.set_index(keys)[list(metrics)] - ref).rename(columns=metrics)
        diff = diff[diff.notna().any(axis=1)]  # keys the reference ran too
        grouped = diff.groupby(level=keys[:-1], sort=False)
        mean = grouped.mean()
        n = grouped.count()  # per column: replications with the figure in both
        t = n.map(lambda k: t_quantile_975(int(k) - 1))
        half = grouped.std(ddof=1) * t / np.sqrt(n)
        table = mean.join(half.add_suffix("_ci95")).reset_index()
        table.insert(0, "variant", variant)
        out.append(table)
    if not out:
        return pd.DataFrame()
    return pd.concat(out, ignore_index=True)

"""Staged port sweeps: the metrics of many variants that share primary stages.

The engine is :mod:`border21.ports.staged` (a primary stage simulated once,
every downstream variant on it). This module groups a sweep's variants by
shared primary stage into units, runs the units on threads (or splits them
for a scheduler that cannot share state), and turns each variant's sums into
:class:`~border21.frontier.metrics.RunMetrics` with the delay costs. The
metrics equal :func:`border21.frontier.metrics.run_metrics` on the
equivalent crossing records (tested); waits, their 95th percentile and the
per-group means are primary quantities computed once per stage.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from border21.frontier.costs import DelayCosts
from border21.frontier.metrics import RunMetrics, flows_row
from border21.ports.config import PortScenario
from border21.ports.kernels.common import HOUR
from border21.ports.model import CrossingRecords
from border21.ports.staged import (
    PrimaryStage,
    primary_key,
    run_downstream,
    run_primary,
)

Row = dict[str, Any]
T = TypeVar("T")

# ------------------------------------------------------------------ stages


#: The flows a port's metrics are kept apart by (never averaged together).
FLOWS = ("northbound", "southbound")


@dataclass(frozen=True, slots=True)
class StageMetrics:
    """A primary stage with the wait metrics every variant on it shares.

    ``wait_metrics`` holds them for each flow apart: ``"northbound"`` (always,
    the headline) and ``"southbound"`` when the port has southbound traffic.
    """

    stage: PrimaryStage
    wait_metrics: dict[str, RunMetrics]  # costs-independent wait fields (primary only)
    wait_hours_by_stream: np.ndarray
    warm_up_days: int = 0  # left out of every metric


def stage_metrics(
    scenario: PortScenario, seed: np.random.SeedSequence, days: int, warm_up_days: int = 0
) -> StageMetrics:
    """Simulate a primary stage (:func:`border21.ports.staged.run_primary`) and its waits.

    The metrics leave out crossings that arrived in the first ``warm_up_days``.
    """
    stage = run_primary(scenario, seed, days)
    records = stage.records.after_warm_up(warm_up_days)
    waits_h = records.wait_seconds / HOUR
    by_stream = np.bincount(records.stream, weights=waits_h, minlength=len(scenario.streams))
    metrics = {}
    for flow in FLOWS:
        mask = flow_streams(scenario, flow)[records.stream]
        if flow == "northbound" or mask.any():  # the headline is always there
            metrics[flow] = wait_metrics(records.subset(mask), scenario)
    return StageMetrics(
        stage=stage,
        wait_metrics=metrics,
        wait_hours_by_stream=by_stream,
        warm_up_days=warm_up_days,
    )


def flow_streams(scenario: PortScenario, flow: str) -> np.ndarray:
    """A bool per stream: whether it belongs to ``flow`` (its direction)."""
    return np.array([st.direction == flow for st in scenario.streams.values()])


def wait_metrics(records: CrossingRecords, scenario: PortScenario) -> RunMetrics:
    """:func:`run_metrics` of records without referral (no secondary), in a few passes."""
    n = len(records)
    wait = records.wait_seconds / 60.0
    kinds = [st.kind for st in scenario.streams.values()]
    truck = np.array([k == "truck" for k in kinds], np.bool_)[records.stream]
    groups = len(records.group_names)
    count = np.bincount(records.group, minlength=groups)
    total = np.bincount(records.group, weights=wait, minlength=groups)
    by_group = np.argsort(records.group, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(count)))
    sorted_wait = wait[by_group]
    p95 = {
        name: float(np.quantile(sorted_wait[bounds[g] : bounds[g + 1]], 0.95))
        for g, name in enumerate(records.group_names)
        if count[g]
    }
    delay_h = wait / 60.0
    value = np.array([DelayCosts().per_crossing_hour(k) for k in kinds])[records.stream]
    return RunMetrics(
        crossings=n,
        carriers=0,
        detected=0,
        referred=0,
        licit_referred=0,
        mean_wait_min=float(wait.mean()) if n else np.nan,
        p95_wait_min=float(np.quantile(wait, 0.95)) if n else np.nan,
        truck_mean_wait_min=float(wait[truck].mean()) if truck.any() else np.nan,
        truck_delay_hours=float(delay_h[truck].sum()),
        delay_hours=float(delay_h.sum()),
        delay_cost_usd=float((delay_h * value).sum()),
        wait_by_group={
            name: float(total[g] / count[g])
            for g, name in enumerate(records.group_names)
            if count[g]
        },
        p95_wait_by_group=p95,
    )


def variant_metrics(
    staged: StageMetrics, scenario: PortScenario, costs: DelayCosts | None = None
) -> dict[str, RunMetrics]:
    """One variant's :class:`RunMetrics` on a primary stage, for each flow the stage
    has (``"northbound"``, and ``"southbound"`` when there is southbound traffic)."""
    costs = costs or DelayCosts()
    streams = list(scenario.streams.values())
    value = np.array([costs.per_crossing_hour(st.kind) for st in streams])
    truck = np.array([st.kind == "truck" for st in streams], np.bool_)
    out = run_downstream(staged.stage, scenario, value.tolist(), warm_up_days=staged.warm_up_days)
    sums = {"northbound": out.northbound, "southbound": out.southbound}
    return {
        flow: _flow_metrics(staged, scenario, value, truck, sums[flow], flow)
        for flow in staged.wait_metrics
    }


def _flow_metrics(
    staged: StageMetrics,
    scenario: PortScenario,
    value: np.ndarray,
    truck: np.ndarray,
    sums: dict[str, float],
    flow: str,
) -> RunMetrics:
    base = staged.wait_metrics[flow]
    wait_h = np.where(flow_streams(scenario, flow), staged.wait_hours_by_stream, 0.0)
    return RunMetrics(
        crossings=base.crossings,
        carriers=int(sums["carriers"]),
        detected=int(sums["detected"]),
        referred=int(sums["referred"]),
        licit_referred=int(sums["licit_referred"]),
        mean_wait_min=base.mean_wait_min,
        p95_wait_min=base.p95_wait_min,
        truck_mean_wait_min=base.truck_mean_wait_min,
        truck_delay_hours=float(wait_h[truck].sum()) + sums["truck_extra_hours"],
        delay_hours=float(wait_h.sum()) + sums["extra_hours"],
        delay_cost_usd=float((wait_h * value).sum()) + sums["weighted_extra_hours"],
        wait_by_group=base.wait_by_group,
        p95_wait_by_group=base.p95_wait_by_group,
    )


# ------------------------------------------------------------------ sweeps


@dataclass(frozen=True, slots=True, kw_only=True)
class StagedUnit:
    """Variants of one replication that share a primary stage."""

    scenario: PortScenario  # any member: the primary configuration
    seed: np.random.SeedSequence
    days: int
    warm_up_days: int = 0
    members: list[tuple[int, str, PortScenario, DelayCosts]] = field(default_factory=list)


#: A staged sweep item: (variant, scenario, replication, root seed, days, warm-up days, costs).
UnitItem = tuple[str, PortScenario, int, int, int, int, DelayCosts]


def group_units(items: Sequence[UnitItem]) -> list[StagedUnit]:
    """Group items by shared primary stage.

    Members keep their index in ``items`` so rows can be put back in order.
    """
    units: dict[tuple[str, int, int, int, int], StagedUnit] = {}
    for index, (variant, scenario, rep, root, days, warm_up, costs) in enumerate(items):
        k = (primary_key(scenario), rep, root, days, warm_up)
        if k not in units:
            seed = np.random.SeedSequence(root, spawn_key=(rep,))
            units[k] = StagedUnit(scenario=scenario, seed=seed, days=days, warm_up_days=warm_up)
        units[k].members.append((index, variant, scenario, costs))
    return list(units.values())


def unit_rows(
    unit: StagedUnit, replication: int, progress: Callable[[int], None] | None = None
) -> list[tuple[int, Row]]:
    """Run a unit in this thread: its primary once, then every member downstream."""
    stage = stage_metrics(unit.scenario, unit.seed, unit.days, unit.warm_up_days)
    out = []
    for index, variant, scenario, costs in unit.members:
        out.append((index, _row(variant, replication, scenario, costs, stage)))
        if progress is not None:
            progress(1)
    return out


def _row(
    variant: str, replication: int, scenario: PortScenario, costs: DelayCosts, stage: StageMetrics
) -> Row:
    metrics = variant_metrics(stage, scenario, costs)
    row = flows_row(metrics["northbound"], metrics.get("southbound"))
    return {"variant": variant, "replication": replication, **row}


#: A unit of shared work: a thunk computing the shared state, and the rows
#: that use it (each its index in the caller's task list and a function of
#: the shared state).
SharedUnit = tuple[Callable[[], Any], list[tuple[int, Callable[[Any], Row]]]]


def run_shared(
    units: Sequence[SharedUnit],
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> dict[int, Row]:
    """Run units on ``workers`` threads, each unit's rows spread over all of them.

    At most ``workers`` shared states are held in memory at a time; a unit's
    rows start as soon as its shared state is ready, so a sweep of one unit
    still keeps every core busy. Rows come back by task index.
    """
    rows: dict[int, Row] = {}
    pending = list(units)[::-1]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        running: dict[Future[Any], tuple[str, Any]] = {}
        alive: dict[int, int] = {}  # unit id -> rows left

        def launch() -> None:
            unit = pending.pop()
            running[pool.submit(unit[0])] = ("shared", unit)

        for _ in range(min(workers, len(pending))):
            launch()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                kind, info = running.pop(fut)
                if kind == "shared":
                    unit = info
                    state = fut.result()
                    alive[id(unit)] = len(unit[1])
                    for index, finish in unit[1]:
                        running[pool.submit(finish, state)] = ("row", (index, unit))
                    if not unit[1] and pending:
                        launch()
                else:
                    index, unit = info
                    rows[index] = fut.result()
                    if progress is not None:
                        progress(1)
                    alive[id(unit)] -= 1
                    if alive[id(unit)] == 0 and pending:
                        launch()
    return rows


def run_units_local(
    units: Sequence[StagedUnit],
    replications: Sequence[int],
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> dict[int, Row]:
    """Staged port units on local threads (see :func:`run_shared`)."""
    shared: list[SharedUnit] = []
    for unit, rep in zip(units, replications, strict=True):
        rows: list[tuple[int, Callable[[Any], Row]]] = [
            (index, functools.partial(_row, variant, rep, scenario, costs))
            for index, variant, scenario, costs in unit.members
        ]
        stage = functools.partial(
            stage_metrics, unit.scenario, unit.seed, unit.days, unit.warm_up_days
        )
        shared.append((stage, rows))
    return run_shared(shared, workers, progress)


def split_evenly(members: Sequence[T], parts: int) -> list[list[T]]:
    """``members`` dealt round-robin into ``min(parts, len(members))`` lists."""
    k = max(1, min(parts, len(members)))
    return [list(members[part::k]) for part in range(k)]


def split_units(
    units: Sequence[StagedUnit], replications: Sequence[int], pieces: int
) -> list[tuple[StagedUnit, int]]:
    """Units split by members into at least ``pieces`` parts when there are fewer units.

    For schedulers that cannot share a primary stage between tasks (each part
    recomputes it): results are unchanged, only the work is spread.
    """
    pairs = list(zip(units, replications, strict=True))
    if not pairs or len(pairs) >= pieces:
        return pairs
    per_unit = -(-pieces // len(pairs))
    return [
        (dataclasses.replace(unit, members=members), rep)
        for unit, rep in pairs
        for members in split_evenly(unit.members, per_unit)
    ]

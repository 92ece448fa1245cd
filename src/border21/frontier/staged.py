"""Staged port sweeps: simulate a primary stage once, run every downstream variant on it.

Most what-if sweeps vary what happens *after* primary inspection (referral
rates, officers' detection, secondary bays and exam times) far more often than
the primary staffing itself, and primary inspection does not depend on any of
it: a crossing's wait and departure at primary are the same whether it is then
referred or not (secondary never blocks primary). So a sweep is run in two
stages:

1. **Primary**, once per distinct primary configuration and replication: the
   fused engine simulates arrivals, lanes, booths and primary service of the
   scenario with referral and carriers switched off (no downstream draws).
2. **Downstream**, once per variant: a compiled pass over the crossings in
   order of primary departure draws each crossing's referral, carrier,
   suspicion and secondary-finding variates and its secondary service, queues
   the referred crossings at the secondary bays and accumulates the metrics.

Downstream variates come from a counter-based generator: crossing ``i`` of a
replication has its own SplitMix64 stream seeded by hashing ``i`` with the
replication's key. Every variant of one replication therefore sees the same
trucks carrying contraband and the same uniforms for referral (common random
numbers), and a variant's results do not depend on which other variants share
its primary stage, on how the sweep is split into tasks, or where they run.

The metrics equal :func:`border21.frontier.metrics.run_metrics` on the
equivalent crossing records (tested), but are sums and counts accumulated in
the pass: waits, their 95th percentile and the per-group means are primary
quantities computed once per primary stage.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from numba import njit

from border21.errors import InputError
from border21.frontier.costs import DelayCosts
from border21.frontier.metrics import HOUR, RunMetrics
from border21.ports.config import PortScenario
from border21.ports.engine import run_lanes
from border21.ports.fused import _mix, _unit_variate, area_tables
from border21.ports.layout import compile_scenario
from border21.ports.model import CrossingRecords, PortModel

Row = dict[str, Any]
T = TypeVar("T")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
#: Stream fields that act only after primary inspection.
DOWNSTREAM_STREAM_FIELDS = (
    "referral_probability",
    "referral_probability_by_program",
    "carrier_probability",
    "primary_detection_probability",
    "secondary_detection_probability",
    "secondary",
)


# ------------------------------------------------------------------ configuration


def primary_only(scenario: PortScenario) -> PortScenario:
    """The scenario with referral and carriers off: what primary inspection sees."""
    streams = {
        name: st.model_copy(
            update={
                "referral_probability": 0.0,
                "referral_probability_by_program": {},
                "carrier_probability": 0.0,
                "primary_detection_probability": 0.0,
                "secondary_detection_probability": 0.0,
            }
        )
        for name, st in scenario.streams.items()
    }
    return scenario.model_copy(update={"streams": streams})


def primary_key(scenario: PortScenario) -> str:
    """A hash of everything that shapes primary inspection (downstream fields left out).

    Two scenarios with the same key have identical primary stages for the same seed.
    """
    data = scenario.model_dump(mode="json")
    data.pop("secondary", None)
    for st in data["streams"].values():
        for name in DOWNSTREAM_STREAM_FIELDS:
            st.pop(name, None)
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------ kernels


@njit(cache=True, nogil=True, inline="always")
def _replace_top(heap: np.ndarray, lo: int, size: int, key: float) -> None:  # pragma: no cover
    """Replace the minimum of the min-heap ``heap[lo:lo + size]`` by ``key``."""
    j = 0
    while True:
        child = 2 * j + 1
        if child >= size:
            break
        if child + 1 < size and heap[lo + child + 1] < heap[lo + child]:
            child += 1
        if key <= heap[lo + child]:
            break
        heap[lo + j] = heap[lo + child]
        j = child
    heap[lo + j] = key


@njit(cache=True, nogil=True)
def downstream_pass(  # pragma: no cover - compiled
    key: np.uint64,
    idx: np.ndarray,
    dep: np.ndarray,
    cls: np.ndarray,
    u: np.ndarray,
    z: np.ndarray,
    cls_ref_p: np.ndarray,
    cls_prob: np.ndarray,
    cls_area: np.ndarray,
    cls_value: np.ndarray,
    cls_truck: np.ndarray,
    area_dist: np.ndarray,
    area_par: np.ndarray,
    bays_only: bool,
    area_first_bay: np.ndarray,
    area_nbays: np.ndarray,
    keep: bool,
    out_ref: np.ndarray,
    out_carrier: np.ndarray,
    out_detected: np.ndarray,
    out_sec_start: np.ndarray,
    out_leave: np.ndarray,
    s_class_ptr: np.ndarray,
    s_class_lanes: np.ndarray,
    s_lane_group: np.ndarray,
    s_lane_first_booth: np.ndarray,
    s_lane_nbooths: np.ndarray,
    s_booth_rank: np.ndarray,
    s_sched: np.ndarray,
    s_always_open: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Referral, carriers, detection and secondary queueing for one variant.

    Crossings come in order of primary departure: ``idx`` (index into the
    primary records), ``dep`` (primary departure), ``cls`` (stream × program
    class), ``u`` (rows: uniforms for referral, carrier, officer's suspicion,
    secondary finding) and ``z`` (rows: a standard normal and a standard
    exponential for the secondary service), all drawn once per primary stage.
    Gamma services, which need a variable number of variates, come from a
    xoshiro generator seeded by hashing ``key`` with the crossing's index.

    With ``bays_only`` (every area's bays always open) secondary is a FIFO
    queue per area on a min-heap of bay free times; otherwise the general
    lane kernel. Returns the sums ``(carriers, detected, referred, licit
    referred, extra delay hours, extra truck delay hours, extra delay cost)``,
    extra delay being the time from primary departure to leaving the port,
    and ``orphan``: the first class whose crossing was referred without a
    secondary area, or -1. With ``keep`` the per-crossing outcomes are written
    to the ``out_`` arrays (indexed like the primary records).
    """
    n = idx.shape[0]
    sj = np.empty(n, np.int64)  # pages never touched cost nothing
    sdep = np.empty(n, np.float64)
    sarea = np.empty(n, np.int32)
    sserv = np.empty(n, np.float64)
    st = np.empty(4, np.uint64)
    spare = np.zeros(2, np.float64)
    heap = np.zeros(area_first_bay[-1] if bays_only else 0, np.float64)
    carriers = 0
    detected = 0
    licit = 0
    referred = 0
    m = 0
    orphan = -1
    extra_h = 0.0
    truck_h = 0.0
    cost = 0.0
    u_ref = u[0]
    u_car = u[1]
    for j in range(n):
        c = cls[j]
        ref = u_ref[j] < cls_ref_p[c]
        carrier = u_car[j] < cls_prob[c, 0]
        if carrier:
            carriers += 1
            if u[2, j] < cls_prob[c, 1]:
                ref = True
        if keep:
            i = idx[j]
            out_ref[i] = ref
            out_carrier[i] = carrier
            out_detected[i] = False
            out_sec_start[i] = dep[j]
            out_leave[i] = dep[j]
        if not ref:
            continue
        referred += 1
        if carrier:
            if u[3, j] < cls_prob[c, 2]:
                detected += 1
                if keep:
                    out_detected[idx[j]] = True
        else:
            licit += 1
        a = cls_area[c]
        if a < 0:
            if orphan < 0:
                orphan = c
            continue
        dist = area_dist[a]
        if dist == 2:  # lognormal
            service = math.exp(area_par[a, 0] + area_par[a, 1] * z[0, j])
        elif dist == 1:  # exponential
            service = z[1, j]
        elif dist == 0:  # deterministic
            service = 1.0
        else:  # gamma: a generator of its own for this crossing
            h = _mix(key + np.uint64(idx[j] + 1) * _GOLDEN)
            for w in range(4):
                st[w] = _mix(h + np.uint64(w + 1) * _GOLDEN)
            spare[0] = 0.0
            service = _unit_variate(st, spare, dist, area_par[a, 0], area_par[a, 1])
        service *= area_par[a, 2]
        if bays_only:
            lo = area_first_bay[a]
            t = dep[j]
            start = max(t, heap[lo])
            leave = start + service
            _replace_top(heap, lo, area_nbays[a], leave)
            extra = (leave - t) / 3600.0
            extra_h += extra
            cost += cls_value[c] * extra
            if cls_truck[c]:
                truck_h += extra
            if keep:
                out_sec_start[idx[j]] = start
                out_leave[idx[j]] = leave
        else:
            sj[m] = j
            sdep[m] = dep[j]
            sarea[m] = a
            sserv[m] = service
            m += 1

    if m > 0:
        _, _, s_start, s_depart = run_lanes(
            sdep[:m],
            sarea[:m],
            sserv[:m],
            np.zeros(m),
            s_class_ptr,
            s_class_lanes,
            s_lane_group,
            s_lane_first_booth,
            s_lane_nbooths,
            s_booth_rank,
            s_sched,
            s_always_open,
        )
        for k in range(m):
            j = sj[k]
            c = cls[j]
            extra = (s_depart[k] - sdep[k]) / 3600.0
            extra_h += extra
            cost += cls_value[c] * extra
            if cls_truck[c]:
                truck_h += extra
            if keep:
                out_sec_start[idx[j]] = s_start[k]
                out_leave[idx[j]] = s_depart[k]
    sums = np.array([carriers, detected, referred, licit, extra_h, truck_h, cost], np.float64)
    return sums, orphan


# ------------------------------------------------------------------ stages


@dataclass(frozen=True, slots=True)
class PrimaryStage:
    """One replication of a primary configuration, ready for downstream variants.

    Per-crossing columns are in order of primary departure (stable): ``idx``
    into the records, ``dep``, ``cls`` (stream × program class) and the
    downstream variates ``u`` (4 rows of uniforms) and ``z`` (a standard
    normal and a standard exponential).
    """

    key: str
    records: CrossingRecords
    idx: np.ndarray
    dep: np.ndarray
    cls: np.ndarray
    u: np.ndarray
    z: np.ndarray
    wait_metrics: RunMetrics  # costs-independent wait fields (primary only)
    wait_hours_by_stream: np.ndarray
    downstream_key: np.uint64


def run_primary(scenario: PortScenario, seed: np.random.SeedSequence, days: int) -> PrimaryStage:
    """Simulate the primary stage of ``scenario`` for one replication seed.

    The downstream variates are drawn here too, once, in arrival order from
    the replication's own child stream, so that each crossing keeps them
    whatever variants are run on the stage.
    """
    base = primary_only(scenario)
    records = PortModel(base).simulate(days=days, seed=np.random.default_rng(_child(seed, 0)))
    n = len(records)
    order = np.argsort(records.primary_departure, kind="stable")
    # Draws are i.i.d., so drawing them straight in departure order gives each
    # crossing its own fixed variates, as any other fixed assignment would.
    rng = np.random.default_rng(_child(seed, 1))
    u = rng.random((4, n), dtype=np.float32)
    z = np.empty((2, n), np.float32)
    rng.standard_normal(out=z[0], dtype=np.float32)
    rng.standard_exponential(out=z[1], dtype=np.float32)
    n_prog = len(records.program_names)
    cls = records.stream.astype(np.int32) * n_prog + records.program
    waits_h = records.wait_seconds / HOUR
    by_stream = np.bincount(records.stream, weights=waits_h, minlength=len(scenario.streams))
    return PrimaryStage(
        key=primary_key(scenario),
        records=records,
        idx=order,
        dep=records.primary_departure[order],
        cls=cls[order],
        u=u,
        z=z,
        wait_metrics=wait_metrics(records, base),
        wait_hours_by_stream=by_stream,
        downstream_key=_child(seed, 2).generate_state(1, np.uint64)[0],
    )


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


def _child(seed: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, i))


@dataclass(frozen=True, slots=True)
class DownstreamTables:
    """A variant's downstream parameters as arrays for :func:`downstream_pass`.

    Per class (``stream × n_programs + program``): referral probability,
    (carrier, suspicion, secondary finding) probabilities, secondary area,
    value of an hour of delay and whether it is a truck.
    """

    cls_ref_p: np.ndarray
    cls_prob: np.ndarray
    cls_area: np.ndarray
    cls_value: np.ndarray
    cls_truck: np.ndarray
    area_dist: np.ndarray
    area_par: np.ndarray
    bays_only: bool
    area_first_bay: np.ndarray
    area_nbays: np.ndarray
    secondary_args: tuple[np.ndarray, ...]


def downstream_tables(
    scenario: PortScenario, program_names: Sequence[str], costs: DelayCosts
) -> DownstreamTables:
    layout = compile_scenario(scenario)
    streams = list(scenario.streams.values())
    n_prog = len(program_names)
    pairs = [(st, p) for st in streams for p in program_names]
    areas = list(scenario.secondary.values())
    area_dist, area_par = area_tables(scenario)
    nbays = np.array([area.bays for area in areas], np.int64)
    first = np.zeros(len(areas) + 1, np.int64)
    np.cumsum(nbays, out=first[1:])
    return DownstreamTables(
        cls_ref_p=np.array([st.referral_for(p) for st, p in pairs], np.float64),
        cls_prob=np.array(
            [
                (
                    st.carrier_probability,
                    st.primary_detection_probability,
                    st.secondary_detection_probability,
                )
                for st, _ in pairs
            ],
            np.float64,
        ).reshape(len(pairs), 3),
        cls_area=np.repeat(np.asarray(layout.stream_area, np.int64), n_prog),
        cls_value=np.array([costs.per_crossing_hour(st.kind) for st, _ in pairs], np.float64),
        cls_truck=np.array([st.kind == "truck" for st, _ in pairs], np.bool_),
        area_dist=area_dist,
        area_par=area_par,
        bays_only=all(area.open_bays_by_hour is None for area in areas),
        area_first_bay=first,
        area_nbays=nbays if nbays.size else np.zeros(1, np.int64),
        secondary_args=layout.secondary.kernel_args(),
    )


@dataclass(frozen=True, slots=True)
class DownstreamResult:
    metrics: RunMetrics
    records: CrossingRecords | None = None


def run_downstream(
    stage: PrimaryStage,
    scenario: PortScenario,
    costs: DelayCosts | None = None,
    *,
    keep_records: bool = False,
) -> DownstreamResult:
    """One variant on a primary stage: its metrics (and, if asked, its full records)."""
    if primary_key(scenario) != stage.key:
        raise InputError(
            "scenario", scenario.port.name, "does not share this primary stage's configuration"
        )
    costs = costs or DelayCosts()
    rec = stage.records
    tables = downstream_tables(scenario, rec.program_names, costs)
    n = len(rec) if keep_records else 0
    out_ref = np.zeros(n, np.bool_)
    out_carrier = np.zeros(n, np.bool_)
    out_detected = np.zeros(n, np.bool_)
    out_sec = np.empty(n, np.float64)
    out_leave = np.empty(n, np.float64)
    sums, orphan = downstream_pass(
        stage.downstream_key,
        stage.idx,
        stage.dep,
        stage.cls,
        stage.u,
        stage.z,
        tables.cls_ref_p,
        tables.cls_prob,
        tables.cls_area,
        tables.cls_value,
        tables.cls_truck,
        tables.area_dist,
        tables.area_par,
        tables.bays_only,
        tables.area_first_bay,
        tables.area_nbays,
        keep_records,
        out_ref,
        out_carrier,
        out_detected,
        out_sec,
        out_leave,
        *tables.secondary_args,
    )
    if orphan >= 0:
        name = rec.stream_names[int(orphan) // len(rec.program_names)]
        raise InputError("referred", name, "stream has no secondary area to refer to")
    carriers, detected, referred, licit, extra_h, truck_extra, cost_extra = sums.tolist()
    base = stage.wait_metrics
    wait_h = stage.wait_hours_by_stream
    streams = list(scenario.streams.values())
    value = np.array([costs.per_crossing_hour(st.kind) for st in streams])
    truck = np.array([st.kind == "truck" for st in streams], np.bool_)
    metrics = RunMetrics(
        crossings=base.crossings,
        carriers=int(carriers),
        detected=int(detected),
        referred=int(referred),
        licit_referred=int(licit),
        mean_wait_min=base.mean_wait_min,
        p95_wait_min=base.p95_wait_min,
        truck_mean_wait_min=base.truck_mean_wait_min,
        truck_delay_hours=float(wait_h[truck].sum()) + truck_extra,
        delay_hours=float(wait_h.sum()) + extra_h,
        delay_cost_usd=float((wait_h * value).sum()) + cost_extra,
        wait_by_group=base.wait_by_group,
        p95_wait_by_group=base.p95_wait_by_group,
    )
    records = None
    if keep_records:
        records = dataclasses.replace(
            rec,
            secondary_start=out_sec,
            departure=out_leave,
            referred=out_ref,
            carrier=out_carrier,
            detected=out_detected,
        )
    return DownstreamResult(metrics=metrics, records=records)


# ------------------------------------------------------------------ sweeps


@dataclass(frozen=True, slots=True, kw_only=True)
class StagedUnit:
    """Variants of one replication that share a primary stage."""

    scenario: PortScenario  # any member: the primary configuration
    seed: np.random.SeedSequence
    days: int
    members: list[tuple[int, str, PortScenario, DelayCosts]] = field(default_factory=list)


def group_units(
    items: Sequence[tuple[str, PortScenario, int, int, int, DelayCosts]],
) -> list[StagedUnit]:
    """Group ``(variant, scenario, replication, root_seed, days, costs)`` by shared primary.

    Members keep their index in ``items`` so rows can be put back in order.
    """
    units: dict[tuple[str, int, int, int], StagedUnit] = {}
    for index, (variant, scenario, rep, root, days, costs) in enumerate(items):
        k = (primary_key(scenario), rep, root, days)
        if k not in units:
            seed = np.random.SeedSequence(root, spawn_key=(rep,))
            units[k] = StagedUnit(scenario=scenario, seed=seed, days=days)
        units[k].members.append((index, variant, scenario, costs))
    return list(units.values())


def unit_rows(
    unit: StagedUnit, replication: int, progress: Callable[[int], None] | None = None
) -> list[tuple[int, Row]]:
    """Run a unit in this thread: its primary once, then every member downstream."""
    stage = run_primary(unit.scenario, unit.seed, unit.days)
    out = []
    for index, variant, scenario, costs in unit.members:
        out.append((index, _row(variant, replication, scenario, costs, stage)))
        if progress is not None:
            progress(1)
    return out


def _row(
    variant: str, replication: int, scenario: PortScenario, costs: DelayCosts, stage: PrimaryStage
) -> Row:
    metrics = run_downstream(stage, scenario, costs).metrics
    return {"variant": variant, "replication": replication, **metrics.as_row()}


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
        shared.append((functools.partial(run_primary, unit.scenario, unit.seed, unit.days), rows))
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

"""Border-wide allocation: where added (or cut) officer-hours change delay cost most.

Marginal analysis over the simulator with common random numbers. Every port
of the border (one whole-port scenario each, :func:`whole_port_scenarios`)
has its crossings drawn once per replication, as they reach CBP's booths; a
schedule change at one lane group and hour is valued by queueing the *same*
crossings again (:class:`~border21.ports.staffing.CrnEvaluator`'s tables and
the replay driver) and pricing every crossing's wait at the value of time of
its kind (:class:`~border21.frontier.costs.DelayCosts`: cars at the vehicle
occupancy, trucks at the trucking cost per hour).

One officer-hour opens one more booth for one hour of the (repeating) day.
``officers × shift_hours`` officer-hours are placed one at a time where they
save the most delay cost per day (``officers < 0``: removed where they cost
the least), by lazy greedy: each candidate's saving is re-valued against the
current schedule of its port before it is taken. Lane groups that share a
class of crossings are valued together. Booths open never exceed a group's
physical booths, and an hour with arrivals keeps at least one booth.

The saving of each port is reported with a 95% interval over replications
(paired: the same crossings before and after). Detections do not change:
in this model the referral to secondary, and so detection, does not depend
on how many primary booths are open; the allocation says so.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from border21.errors import InputError
from border21.frontier.costs import DelayCosts
from border21.i18n.message import Message
from border21.ports.catalog import border_ports, load_scenario
from border21.ports.kernels.common import DAY, HOUR
from border21.ports.kernels.replay import serve_lanes
from border21.ports.kernels.rng import reading_source
from border21.ports.model import PortModel
from border21.ports.runs import replication_seeds, run_replications
from border21.ports.staffing import (
    CbpCrossings,
    CrnEvaluator,
    component_classes,
    components,
    draw_at_cbp,
)
from border21.stats import ci95_half_width

if TYPE_CHECKING:
    import pandas as pd

MAX_OFFICERS = 10_000

MAX_SHIFT_HOURS = 12


def whole_port_scenarios() -> dict[str, tuple[str, str]]:
    """Port code -> (port name, the scenario that covers the whole port).

    The generated whole-port scenario where a port has both a curated bridge
    and a generated whole port (Laredo, El Paso); the curated one where it is
    the only one (San Ysidro, Otay Mesa).
    """
    chosen = {}
    for port in border_ports():
        generated = [n for n, v in port.scenarios.items() if v == "generated"]
        chosen[port.port_code] = (
            port.name,
            generated[0] if generated else next(iter(port.scenarios)),
        )
    return chosen


@dataclass
class _Component:
    """Lane groups valued together at one port, and their current schedule."""

    port: str
    evaluator: CrnEvaluator
    value: np.ndarray  # $ per crossing-hour of waiting, per local group
    sched: np.ndarray  # int[groups, 24]
    most: np.ndarray  # int[groups]: physical booths
    demand: np.ndarray  # bool[groups, 24]: some crossing arrives in that hour
    cost: np.ndarray  # $ per day, per replication, under ``sched``
    hours: np.ndarray  # waiting hours per day, per replication, under ``sched``
    version: int = 0

    def priced(self, sched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Daily delay cost and waiting hours per replication under ``sched``."""
        ev = self.evaluator
        tables = ev.tables(sched)
        reported = ev.days - ev.warm_up_days

        def one(d: CbpCrossings) -> tuple[float, float]:
            lane, _, start, _ = serve_lanes(
                d.arrival, d.cls, d.service, reading_source(d.ties), tables
            )
            keep = d.arrival >= ev.warm_up_days * DAY
            wait_h = (start - d.arrival)[keep] / HOUR
            group = ev.local[tables.lane_group[lane[keep]]]
            return float(wait_h @ self.value[group]) / reported, float(wait_h.sum()) / reported

        out = np.array(run_replications(one, ev.draws, 1))
        return out[:, 0], out[:, 1]

    def moves(self, sign: int) -> list[tuple[int, int]]:
        """The (group, hour) cells where one booth may be added (+1) or removed (−1)."""
        if sign > 0:
            ok = self.sched < self.most[:, None]
        else:
            ok = self.sched > np.where(self.demand, 1, 0)
        return [(int(g), int(h)) for g, h in zip(*np.nonzero(ok), strict=True)]

    def change(self, g: int, h: int, sign: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The schedule with one booth more (or fewer) at (g, h), its cost and hours."""
        sched = self.sched.copy()
        sched[g, h] += sign
        cost, hours = self.priced(sched)
        return sched, cost, hours


@dataclass(frozen=True)
class PortAllocation:
    """One port's change: officer-hours added (negative: removed) and what they bought."""

    port_code: str
    name: str
    scenario: str
    officer_hours: int
    by_group: dict[str, list[int]]  # booths added per hour (negative: removed)
    delay_hours_saved: float
    delay_hours_saved_ci95: float
    delay_cost_saved_usd: float
    delay_cost_saved_usd_ci95: float
    delay_cost_before_usd: float


@dataclass(frozen=True)
class Allocation:
    """Officer-hours placed across the border, port by port."""

    officers: int
    shift_hours: int
    days: int
    replications: int
    ports: list[PortAllocation]
    evaluations: int
    unplaced_hours: int = 0  # nowhere left to add (or remove) a booth
    notes: list[str] = field(default_factory=list)  # Messages: translated where shown

    @property
    def officer_hours(self) -> int:
        return self.officers * self.shift_hours

    def as_json(self) -> dict[str, object]:
        return {
            "allocation": self.as_rows(),
            "total_officers": self.officers,
            "shift_hours": self.shift_hours,
            "days": self.days,
            "replications": self.replications,
            "unplaced_officer_hours": self.unplaced_hours,
            "notes": list(self.notes),
        }

    def as_rows(self) -> list[dict[str, object]]:
        """One plain row per port (the JSON's ``allocation``)."""
        return [
            {
                "port_code": p.port_code,
                "name": p.name,
                "scenario": p.scenario,
                "officers": p.officer_hours / self.shift_hours,
                "officer_hours": p.officer_hours,
                "booths_by_hour": p.by_group,
                "delay_hours_saved": p.delay_hours_saved,
                "delay_hours_saved_ci95": _finite(p.delay_hours_saved_ci95),
                "delay_cost_saved_usd": p.delay_cost_saved_usd,
                "delay_cost_saved_usd_ci95": _finite(p.delay_cost_saved_usd_ci95),
                "detections_change": 0,
            }
            for p in self.ports
        ]


def _finite(x: float) -> float | None:
    return None if x != x else x


def _group_values(model: PortModel, groups: list[int], costs: DelayCosts) -> np.ndarray:
    """Per group: the value of an hour of one of its crossings' waiting (volume-weighted)."""
    sc = model.scenario
    names = list(sc.lanes)
    out = np.zeros(len(groups))
    for k, g in enumerate(groups):
        streams = [sc.streams[s] for s in sc.lanes[names[g]].streams]
        volume = np.array([s.crossings_per_day for s in streams])
        value = np.array([costs.per_crossing_hour(s.kind) for s in streams])
        out[k] = float(volume @ value / volume.sum()) if volume.sum() > 0 else float(value.mean())
    return out


def allocate(
    officers: int,
    *,
    shift_hours: int = 8,
    days: int = 2,
    warm_up_days: int = 1,
    replications: int = 4,
    seed: int = 0,
    ports: list[str] | None = None,
    costs: DelayCosts | None = None,
    progress: Callable[[str], None] | None = None,
) -> Allocation:
    """Place ``officers × shift_hours`` officer-hours (negative: cut) where delay cost
    per day changes most; see the module docstring."""
    _check(officers, shift_hours, days, warm_up_days, replications)
    costs = costs or DelayCosts()
    say = progress or (lambda _msg: None)
    chosen = whole_port_scenarios()
    if ports:
        unknown = sorted(set(ports) - set(chosen))
        if unknown:
            raise InputError(
                "--ports",
                unknown[0],
                Message("not a US–Mexico land port code (see `border21 border list`)"),
            )
        chosen = {code: chosen[code] for code in ports}
    comps: list[_Component] = []
    seeds = replication_seeds(seed, replications)
    for code, (name, scenario) in chosen.items():
        say(Message("drawing {name}", name=name))
        model = PortModel(load_scenario(scenario))
        drawn = [draw_at_cbp(model, days, s) for s in seeds]
        totals = np.array([g.booths for g in model.scenario.lanes.values()], np.int64)
        for groups in components(model):
            classes = component_classes(model, groups)
            mine = []
            for arrival, cls, service, ties in drawn:  # this component's crossings only
                keep = np.isin(cls, classes)
                mine.append(CbpCrossings(arrival[keep], cls[keep], service[keep], ties[keep]))
            ev = CrnEvaluator(
                model, groups, mine, days=days, warm_up_days=warm_up_days,
                limits=np.zeros((len(groups), 24)), workers=1,
            )  # fmt: skip
            rate, _, _ = ev.demand()
            comp = _Component(
                port=code,
                evaluator=ev,
                value=_group_values(model, groups, costs),
                sched=ev.base.sched[groups].astype(np.int64),
                most=totals[groups],
                demand=rate > 0,
                cost=np.zeros(replications),
                hours=np.zeros(replications),
            )
            comp.cost, comp.hours = comp.priced(comp.sched)
            comps.append(comp)
    start = {id(c): (c.sched.copy(), c.cost.copy(), c.hours.copy()) for c in comps}
    sign = 1 if officers > 0 else -1
    left = abs(officers) * shift_hours
    evaluations = len(comps)

    def gain(c: _Component, g: int, h: int) -> float:
        """Delay cost saved per day by the move (for a cut: minus the cost it adds)."""
        nonlocal evaluations
        evaluations += 1
        valued[(id(c), g, h, c.version)] = moved = c.change(g, h, sign)
        return float((c.cost - moved[1]).mean())

    # each move valued against its component's current schedule, kept until taken or stale
    valued: dict[tuple[int, int, int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    say(Message("valuing every booth-hour"))
    heap: list[tuple[float, int, int, int, int]] = []
    for i, c in enumerate(comps):
        for g, h in c.moves(sign):
            heapq.heappush(heap, (-gain(c, g, h), i, g, h, c.version))
    while left > 0 and heap:
        _, i, g, h, version = heapq.heappop(heap)
        c = comps[i]
        if c.sched[g, h] + sign < (1 if c.demand[g, h] else 0) or c.sched[g, h] + sign > c.most[g]:
            continue
        if version != c.version:  # valued against an older schedule: value it again
            heapq.heappush(heap, (-gain(c, g, h), i, g, h, c.version))
            continue
        c.sched, c.cost, c.hours = valued[(id(c), g, h, version)]
        c.version += 1
        valued = {k: v for k, v in valued.items() if k[0] != id(c)}  # stale now
        left -= 1
        if (g, h) in c.moves(sign):
            heapq.heappush(heap, (-gain(c, g, h), i, g, h, c.version))
        if left % 50 == 0:
            say(Message("{n} officer-hours placed", n=abs(officers) * shift_hours - left))
    return _summarise(
        comps, start, chosen, officers, shift_hours, days, replications, evaluations, left, sign
    )


def _summarise(
    comps: list[_Component],
    start: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]],
    chosen: dict[str, tuple[str, str]],
    officers: int,
    shift_hours: int,
    days: int,
    replications: int,
    evaluations: int,
    left: int,
    sign: int,
) -> Allocation:
    out = []
    for code, (name, scenario) in chosen.items():
        mine = [c for c in comps if c.port == code]
        saved_cost = np.zeros(replications)
        saved_hours = np.zeros(replications)
        before = 0.0
        by_group: dict[str, list[int]] = {}
        hours = 0
        for c in mine:
            sched0, cost0, hours0 = start[id(c)]
            saved_cost += cost0 - c.cost
            saved_hours += hours0 - c.hours
            before += float(cost0.mean())
            names = [c.evaluator.model.layout.primary.group_names[g] for g in c.evaluator.groups]
            for k, name_g in enumerate(names):
                delta = (c.sched[k] - sched0[k]).astype(int)
                if delta.any():
                    by_group[name_g] = delta.tolist()
                    hours += int(delta.sum())
        out.append(
            PortAllocation(
                port_code=code,
                name=name,
                scenario=scenario,
                officer_hours=hours,
                by_group=by_group,
                delay_hours_saved=float(saved_hours.mean()),
                delay_hours_saved_ci95=ci95_half_width(
                    float(saved_hours.std(ddof=1)), replications
                ),
                delay_cost_saved_usd=float(saved_cost.mean()),
                delay_cost_saved_usd_ci95=ci95_half_width(
                    float(saved_cost.std(ddof=1)), replications
                ),
                delay_cost_before_usd=before,
            )
        )
    out.sort(key=lambda p: (-abs(p.officer_hours), p.port_code))
    notes: list[str] = [
        Message(
            "Detections do not change: in this model the referral to secondary inspection, "
            "and so detection, does not depend on how many primary booths are open."
        )
    ]
    if left:
        notes.append(
            Message("{hours} officer-hours not placed: nowhere left to add a booth.", hours=left)
            if sign > 0
            else Message(
                "{hours} officer-hours not placed: nowhere left to remove a booth.", hours=left
            )
        )
    return Allocation(
        officers=officers,
        shift_hours=shift_hours,
        days=days,
        replications=replications,
        ports=out,
        evaluations=evaluations,
        unplaced_hours=left,
        notes=notes,
    )


def _check(
    officers: int, shift_hours: int, days: int, warm_up_days: int, replications: int
) -> None:
    if officers == 0 or abs(officers) > MAX_OFFICERS:
        raise InputError(
            "--officers",
            officers,
            Message(
                "must be a non-zero count within ±{max_officers:,} (negative: a cut)",
                max_officers=MAX_OFFICERS,
            ),
        )
    if not 1 <= shift_hours <= MAX_SHIFT_HOURS:
        raise InputError(
            "--shift-hours",
            shift_hours,
            Message("must be 1–{max_shift_hours}", max_shift_hours=MAX_SHIFT_HOURS),
        )
    if not 1 <= days <= 7:
        raise InputError("--days", days, Message("must be 1–7 (the schedule repeats daily)"))
    if not 0 <= warm_up_days < days:
        raise InputError(
            "--warm-up-days",
            warm_up_days,
            Message("must be at least 0 and less than days ({days})", days=days),
        )
    if not 2 <= replications <= 30:
        raise InputError(
            "--replications", replications, Message("must be 2–30 (intervals need two)")
        )


def simulated_waits(*, days: int = 2, replications: int = 3, seed: int = 0) -> pd.DataFrame:
    """Per port (its whole-port scenario): the northbound mean wait at primary in minutes,
    its 95% half-width over ``replications`` runs of ``days`` days (the first a warm-up)."""
    import pandas as pd

    rows = []
    for code, (_, scenario) in whole_port_scenarios().items():
        model = PortModel(load_scenario(scenario))
        north = np.array([s.direction == "northbound" for s in model.scenario.streams.values()])
        means = []
        for child in replication_seeds(seed, replications):
            rec = model.simulate(days=days, seed=np.random.default_rng(child))
            rec = rec.after_warm_up(1) if days > 1 else rec
            waits = rec.wait_seconds[north[rec.stream]] / 60.0
            means.append(float(waits.mean()) if waits.size else float("nan"))
        values = np.array(means)
        rows.append(
            {
                "port_code": code,
                "scenario": scenario,
                "nb_mean_wait_min": float(values.mean()),
                "nb_mean_wait_min_ci95": ci95_half_width(float(values.std(ddof=1)), len(values)),
            }
        )
    return pd.DataFrame(rows)

"""Staffing: the booths to open each hour for a wait target at the fewest officer-hours.

Simulation-optimisation over the replay driver with common random numbers:
every replication's crossings are drawn once (at CBP, after any Mexican
export stage) and every candidate schedule queues the *same* crossings, so two
schedules differ only by their staffing. A schedule meets the target in an
hour when the upper end of the 95% t-interval over replications of that
hour's statistic (the p95, or mean, wait of the group's crossings arriving in
that hour of the day, from arrival at the booths to the start of service, so
time held at a closed gate counts) is at most the target.

The search (:func:`optimise`) starts from SIPP (:mod:`border21.ports.sipp`),
adds a booth where the earliest missed hour is fixed best (at that hour, at
one of the two latest hours before it with a booth to spare, since queues
carry over, or at the hour after), and then removes every booth whose
removal keeps each hour's verdict; it repeats both passes until nothing
changes. Lane groups that share a class of crossings are searched together
(one schedule matrix); other groups independently.

An officer staffs one open booth for one hour: a group's officer-hours per
day are Σ_h booths(h).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message
from border21.ports import sipp
from border21.ports.config import PortScenario
from border21.ports.kernels.common import DAY, HOUR
from border21.ports.kernels.quantiles import quantile_and_mean_by_key
from border21.ports.kernels.queue import lane_hours, lane_keys
from border21.ports.kernels.replay import serve_lanes
from border21.ports.kernels.rng import reading_source
from border21.ports.kernels.tables import QueueTables
from border21.ports.limits import DEFAULT_LIMITS, MAX_TARGET_MINUTES, RunLimits
from border21.ports.model import PortModel, seed_children
from border21.ports.runs import (
    refuse_targeting_only,
    replication_seeds,
    run_replications,
    warm_up_for,
)
from border21.stats import t_quantile_975

if TYPE_CHECKING:
    import pandas as pd

STATS = ("p95", "mean")
MAX_ROUNDS = 20  # add-and-remove rounds; each removes a booth, so a few suffice


# ------------------------------------------------------------------ targets


@dataclass(frozen=True, slots=True)
class WaitTarget:
    """Minutes the p95 and/or mean wait of each hour's crossings may reach (None: no target)."""

    p95_minutes: float | None = None
    mean_minutes: float | None = None

    def __post_init__(self) -> None:
        if self.p95_minutes is None and self.mean_minutes is None:
            raise InputError(
                "--target-p95", None, Message("give a target: --target-p95 or --target-mean")
            )
        for name, value in (
            ("--target-p95", self.p95_minutes),
            ("--target-mean", self.mean_minutes),
        ):
            check_minutes(name, value)

    def limits_seconds(self) -> np.ndarray:
        """(p95, mean) in seconds; infinite where no target is set."""
        return np.array(
            [
                math.inf if self.p95_minutes is None else 60.0 * self.p95_minutes,
                math.inf if self.mean_minutes is None else 60.0 * self.mean_minutes,
            ]
        )

    def describe(self) -> str:
        parts = []
        if self.p95_minutes is not None:
            parts.append(f"p95 ≤ {self.p95_minutes:g} min")
        if self.mean_minutes is not None:
            parts.append(f"mean ≤ {self.mean_minutes:g} min")
        return ", ".join(parts)


def check_minutes(name: str, value: float | None) -> None:
    """A target is a finite number of minutes in (0, MAX_TARGET_MINUTES]."""
    if value is None:
        return
    if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise InputError(name, value, Message("must be a finite number of minutes above 0"))
    if value > MAX_TARGET_MINUTES:
        raise InputError(
            name,
            value,
            Message(
                "at most {max_target_minutes:,} minutes (a day)",
                max_target_minutes=MAX_TARGET_MINUTES,
            ),
        )


def group_targets(
    scenario: PortScenario, default: WaitTarget, overrides: Sequence[str]
) -> dict[str, WaitTarget]:
    """Each lane group's target: the default, or ``GROUP=MIN``, ``GROUP.p95=``, ``GROUP.mean=``.

    ``GROUP=MIN`` sets the p95 target (the mean target when only a mean is given).
    """
    out = {name: default for name in scenario.lanes}
    for text in overrides:
        key, sep, raw = text.partition("=")
        group, _, stat = key.strip().partition(".")
        if not sep or not group:
            raise InputError("--group-target", text, Message("expected GROUP=MIN, e.g. general=45"))
        if group not in scenario.lanes:
            known = ", ".join(scenario.lanes)
            raise InputError(
                "--group-target",
                text,
                Message("unknown lane group {group!r} (known: {known})", group=group, known=known),
            )
        try:
            minutes = float(raw)
        except ValueError:
            raise InputError(
                "--group-target", text, Message("expected a number of minutes")
            ) from None
        stat = stat or ("p95" if default.p95_minutes is not None else "mean")
        if stat not in STATS:
            raise InputError("--group-target", text, Message("the statistic is p95 or mean"))
        check_minutes("--group-target", minutes)
        current = out[group]
        if stat == "p95":
            out[group] = WaitTarget(minutes, current.mean_minutes)
        else:
            out[group] = WaitTarget(current.p95_minutes, minutes)
    return out


# ------------------------------------------------------------------ evaluation


@dataclass(frozen=True, slots=True)
class HourCheck:
    """One schedule's verdict, per group (rows) and hour of the day (columns)."""

    estimate: np.ndarray  # float[stats, groups, 24]: mean over replications (seconds)
    half_width: np.ndarray  # float[stats, groups, 24]: 95% t half-width (NaN: < 2 reps)
    upper: np.ndarray  # float[stats, groups, 24]: the checked upper bound
    crossings: np.ndarray  # float[groups, 24]: crossings per replication (mean)
    day_estimate: np.ndarray  # float[stats, groups]: the whole reported period
    day_half_width: np.ndarray  # float[stats, groups]
    limits: np.ndarray  # float[stats, groups]: targets in seconds (inf: none)

    @property
    def excess(self) -> np.ndarray:
        """Seconds above target per group and hour (0 where met; inf where unbounded)."""
        limits = self.limits[:, :, None]
        with np.errstate(invalid="ignore"):
            over = np.where(np.isinf(limits), 0.0, self.upper - limits)  # inf: no target
        over = np.where(np.isnan(over), np.inf, over)
        return np.asarray(np.maximum(over, 0.0).max(axis=0))

    @property
    def missed(self) -> np.ndarray:
        """bool[groups, 24]: hours whose upper bound misses a target."""
        return np.asarray(self.excess > 0)


def _upper(values: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications (axis 0) of the present values, its half-width, the upper bound.

    An hour seen in one replication only is checked on its value; an hour nobody
    arrived in has no estimate and passes.
    """
    n = present.sum(axis=0)
    safe = np.where(present, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = safe.sum(axis=0) / np.maximum(n, 1)
        dev = np.where(present, values - mean, 0.0)
        sd = np.sqrt((dev**2).sum(axis=0) / np.maximum(n - 1, 1))
    t = np.array([_t975(int(k)) for k in n.ravel()])
    half = (t.reshape(n.shape) * sd / np.sqrt(np.maximum(n, 1))).astype(float)
    upper = np.where(n > 1, mean + half, mean)
    upper = np.where(np.isinf(mean), np.inf, upper)
    upper = np.where(n == 0, 0.0, upper)  # nobody arrived in that hour: nothing to check
    mean = np.where(n == 0, np.nan, mean)
    return mean, half, upper


@functools.lru_cache(maxsize=256)
def _t975(n: int) -> float:
    return t_quantile_975(n - 1) if n > 1 else math.nan


def _stats_by_key(wait: np.ndarray, key: np.ndarray, n_keys: int) -> tuple[np.ndarray, ...]:
    """Per key: count, p95 and mean of ``wait``."""
    return quantile_and_mean_by_key(wait, key, n_keys, sipp.WAIT_QUANTILE)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class CbpCrossings:
    """One replication's crossings of a component, as they reach CBP's booths."""

    arrival: np.ndarray
    cls: np.ndarray
    service: np.ndarray
    ties: np.ndarray


class CrnEvaluator:
    """Queues the same drawn crossings under any schedule of a set of lane groups.

    ``groups`` are the indices (in the scenario's lane order) of the groups
    searched together; their crossings are those of every class that may join
    one of them. Other groups' crossings never meet these lanes, so they are
    left out.
    """

    def __init__(
        self,
        model: PortModel,
        groups: Sequence[int],
        draws: Sequence[CbpCrossings],
        *,
        days: int,
        warm_up_days: int,
        limits: np.ndarray,
        workers: int | None = None,
    ) -> None:
        self.model = model
        self.groups = np.asarray(groups, np.int64)
        self.draws = list(draws)
        self.days = days
        self.warm_up_days = warm_up_days
        self.limits = limits
        self.workers = workers
        self.base: QueueTables = model.layout.primary.tables
        self.lanes = np.flatnonzero(np.isin(self.base.lane_group, self.groups))
        self.local = np.full(len(model.layout.primary.group_names), -1, np.int64)
        self.local[self.groups] = np.arange(len(self.groups))
        self.totals = np.array([g.booths for g in model.scenario.lanes.values()], np.int64)
        self.evaluations = 0

    def tables(self, sched: np.ndarray) -> QueueTables:
        """The primary tables with ``sched`` (groups × 24) for this component's groups."""
        b = self.base
        full = b.sched.copy()
        full[self.groups] = sched
        lanes = self.lanes
        lane_open, step = b.lane_open.copy(), b.lane_open_step.copy()
        key_base, key_den = b.lane_key_base.copy(), b.lane_key_den.copy()
        lo, st = lane_hours(
            b.lane_group[lanes],
            b.lane_first_booth[lanes],
            b.lane_nbooths[lanes],
            b.booth_rank,
            full,
        )
        kb, kd = lane_keys(lo, st)
        lane_open[lanes], step[lanes], key_base[lanes], key_den[lanes] = lo, st, kb, kd
        return b._replace(
            sched=full,
            always_open=np.asarray((full >= self.totals[:, None]).all(axis=1)),
            lane_open=lane_open,
            lane_open_step=step,
            lane_key_base=key_base,
            lane_key_den=key_den,
        )

    def _one(
        self, crossings: CbpCrossings, tables: QueueTables, with_day: bool
    ) -> tuple[np.ndarray, ...]:
        lane, _, start, _ = serve_lanes(
            crossings.arrival,
            crossings.cls,
            crossings.service,
            reading_source(crossings.ties),
            tables,
        )
        keep = crossings.arrival >= self.warm_up_days * DAY
        wait = (start - crossings.arrival)[keep]
        group = self.local[tables.lane_group[lane[keep]]]
        hour = (crossings.arrival[keep] // HOUR).astype(np.int64) % 24
        n_groups = len(self.groups)
        count, p95, mean = _stats_by_key(wait, group * 24 + hour, n_groups * 24)
        day_p95 = day_mean = np.full(n_groups, np.nan)
        if with_day:  # only for the report: a second sort of every wait
            _, day_p95, day_mean = _stats_by_key(wait, group, n_groups)
        shape = (n_groups, 24)
        return (
            count.reshape(shape),
            np.stack([p95.reshape(shape), mean.reshape(shape)]),
            np.stack([day_p95, day_mean]),
        )

    def check(self, sched: np.ndarray, *, with_day: bool = False) -> HourCheck:
        """Simulate every replication under ``sched`` and check each hour against the target.

        ``with_day`` also takes the statistics over the whole reported period (NaN without).
        """
        tables = self.tables(np.asarray(sched, np.int64))
        self.evaluations += 1
        per_rep = run_replications(
            lambda d: self._one(d, tables, with_day), self.draws, self.workers
        )
        counts = np.stack([r[0] for r in per_rep])
        by_hour = np.stack([r[1] for r in per_rep], axis=1)  # stats, reps, groups, 24
        by_day = np.stack([r[2] for r in per_rep], axis=1)  # stats, reps, groups
        present = counts > 0
        est, half, upper = _upper(by_hour.transpose(1, 0, 2, 3), present[:, None])
        day_est, day_half, _ = _upper(
            by_day.transpose(1, 0, 2), ~np.isnan(by_day.transpose(1, 0, 2))
        )
        return HourCheck(
            estimate=est,
            half_width=half,
            upper=upper,
            crossings=counts.mean(axis=0) / max(self.days - self.warm_up_days, 1),
            day_estimate=day_est,
            day_half_width=day_half,
            limits=self.limits,
        )

    def demand(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per group: arrivals per second by hour of day, mean service seconds and its scv.

        A class that may join several of these groups is split among them in
        proportion to their physical booths (what SIPP is told; the simulation
        lets each crossing choose).
        """
        n_groups = len(self.groups)
        rate = np.zeros((n_groups, 24))
        s1 = np.zeros(n_groups)
        s2 = np.zeros(n_groups)
        weight = np.zeros(n_groups)
        share = self._class_shares()
        reported = (self.days - self.warm_up_days) * len(self.draws) * HOUR
        for d in self.draws:
            keep = d.arrival >= self.warm_up_days * DAY
            hour = (d.arrival[keep] // HOUR).astype(np.int64) % 24
            w = share[d.cls[keep]]  # crossings × groups
            svc = d.service[keep]
            for g in range(n_groups):
                rate[g] += np.bincount(hour, weights=w[:, g], minlength=24) / reported
                s1[g] += float(w[:, g] @ svc)
                s2[g] += float(w[:, g] @ svc**2)
                weight[g] += float(w[:, g].sum())
        mean = np.where(weight > 0, s1 / np.maximum(weight, 1e-300), 1.0)
        second = np.where(weight > 0, s2 / np.maximum(weight, 1e-300), 1.0)
        scv = np.maximum(second / mean**2 - 1.0, 0.0)
        return rate, mean, scv

    def _class_shares(self) -> np.ndarray:
        """classes × groups: the share of each class's crossings attributed to each group."""
        b = self.base
        n_classes = len(b.class_ptr) - 1
        out = np.zeros((n_classes, len(self.groups)))
        for c in range(n_classes):
            lanes = b.class_lanes[b.class_ptr[c] : b.class_ptr[c + 1]]
            groups = self.local[b.lane_group[lanes]]
            for g in np.unique(groups[groups >= 0]):
                out[c, g] = self.totals[self.groups[g]]
            total = out[c].sum()
            if total > 0:
                out[c] /= total
        return out


def components(model: PortModel) -> list[list[int]]:
    """Lane groups linked by a class of crossings that may join either (each list sorted)."""
    b = model.layout.primary.tables
    n = len(model.layout.primary.group_names)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in range(len(b.class_ptr) - 1):
        groups = {int(g) for g in b.lane_group[b.class_lanes[b.class_ptr[c] : b.class_ptr[c + 1]]]}
        first = min(groups)
        for g in groups:
            parent[find(g)] = find(first)
    out: dict[int, list[int]] = {}
    for g in range(n):
        out.setdefault(find(g), []).append(g)
    return sorted(out.values())


def draw_at_cbp(
    model: PortModel, days: int, seed: np.random.SeedSequence
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One replication's crossings as they reach CBP (arrival, class, service, tie uniform).

    At a port with a Mexican export stage the trucks cross it first (as
    :meth:`PortModel.simulate_border`); its schedule is not searched.
    """
    if model.export is None:
        draws = model.draw(days, np.random.default_rng(seed))
    else:
        port_seed, border_seed = seed_children(seed, 2)
        first = model.draw(days, np.random.default_rng(port_seed))
        draws = model.export.cross(first, days, np.random.default_rng(border_seed)).draws
    return draws.arrival, draws.cls, draws.primary_seconds, draws.tie_u


# ------------------------------------------------------------------ search


@dataclass(frozen=True, slots=True)
class Search:
    """The result of a search over one component's schedule."""

    sched: np.ndarray  # int[groups, 24]
    check: HourCheck
    evaluations: int
    stopped: bool = False  # the evaluation budget ran out


def _officers_ok(sched: np.ndarray, others: np.ndarray, cap: int | None, h: int) -> bool:
    return cap is None or int(sched[:, h].sum() + others[h]) < cap


def _rank(check: HourCheck) -> tuple[int, float]:
    """Fewer missed hours first, then less total excess (seconds)."""
    ex = check.excess
    finite = np.where(np.isinf(ex), 1e12, ex)
    return int((ex > 0).sum()), float(finite.sum())


def optimise(
    evaluator: CrnEvaluator,
    start: np.ndarray,
    most: np.ndarray,
    *,
    others: np.ndarray | None = None,
    officers_max: int | None = None,
    loads: np.ndarray | None = None,
    max_evaluations: int = DEFAULT_LIMITS.max_staffing_evaluations,
    progress: Callable[[int], None] | None = None,
) -> Search:
    """Greedy additions from ``start``, then a removal pass; repeated until an add pass
    after a removal pass adds nothing, or a removal pass removes nothing.

    ``most[g]`` bounds group g's booths in any hour; ``others[h]`` counts
    officers of groups outside this search (for ``officers_max``, a cap on
    booths open at once across the port). An hour that stays missed with every
    booth that could fix it already open is *unmet*: it is reported, and the
    search moves on to the next. ``loads[g, h]`` (erlangs: arrivals × mean service)
    set each group's daily floor (:func:`daily_floor`): no schedule below it is kept.
    """
    sched = np.minimum(np.asarray(start, np.int64), most[:, None]).copy()
    others = np.zeros(24, np.int64) if others is None else others
    floors = np.zeros(len(most), np.int64) if loads is None else daily_floor(loads, most)
    if loads is not None:
        sched = _up_to_floor(sched, loads, floors, most, others, officers_max)
    done = 0

    def evaluate(s: np.ndarray) -> HourCheck:
        nonlocal done
        done += 1
        if progress is not None:
            progress(1)
        return evaluator.check(s)

    current = evaluate(sched)
    retry = np.ones(24, bool)  # the first removal pass tries every hour
    for _ in range(MAX_ROUNDS):
        before = sched.copy()
        sched, current, stopped = _add_pass(
            evaluator, sched, current, most, others, officers_max, evaluate,
            lambda: done >= max_evaluations,
        )  # fmt: skip
        if stopped:
            return Search(sched, current, done, stopped=True)
        # Later passes retry only near what changed since the last: a removal rejected
        # elsewhere is rejected again (a booth's effect fades within an hour or two).
        retry |= _near((before != sched).any(axis=0))
        sched, current, removed, stopped = _remove_pass(
            sched, current, evaluate, lambda: done >= max_evaluations, retry, floors
        )
        if stopped:
            return Search(sched, current, done, stopped=True)
        if not removed.any():
            break
        retry = _near(removed)
    return Search(sched, current, done)


def _add_pass(
    evaluator: CrnEvaluator,
    sched: np.ndarray,
    current: HourCheck,
    most: np.ndarray,
    others: np.ndarray,
    officers_max: int | None,
    evaluate: Callable[[np.ndarray], HourCheck],
    spent: Callable[[], bool],
) -> tuple[np.ndarray, HourCheck, bool]:
    """Fix the earliest missed hour by the best single added booth, until none can be fixed."""
    hopeless = np.zeros(sched.shape, bool)
    while True:
        todo = current.missed & ~hopeless
        if not todo.any():
            return sched, current, False
        if spent():
            return sched, current, True
        g, h = _earliest(todo)
        best: tuple[tuple[float, int, float], np.ndarray, HourCheck] | None = None
        for gg, hh in _fixes(sched, most, g, h):
            if sched[gg, hh] >= most[gg] or not _officers_ok(sched, others, officers_max, hh):
                continue
            trial = sched.copy()
            trial[gg, hh] += 1
            check = evaluate(trial)
            key = (float(check.excess[g, h]), *_rank(check))  # this hour first
            if best is None or key < best[0]:
                best = (key, trial, check)
        improved = best is not None and (
            best[2].excess[g, h] < current.excess[g, h] or _rank(best[2]) < _rank(current)
        )
        if best is None or not improved:
            hopeless[g, h] = True  # nothing that can still open helps: reported as unmet
            continue
        sched, current = best[1], best[2]


RHO_DAY_MAX = 0.98
"""Most of a day's booth-hours the day's work may fill (Σ_h arrivals × mean service over
Σ_h booths). At 1 or more the queue grows from day to day: a search checked on a few days
would find such a schedule cheap and it would fail within a week. 2% spare lets the daily
queue settle within the warm-up."""


def daily_floor(loads: np.ndarray, most: np.ndarray) -> np.ndarray:
    """Per group, the fewest officer-hours a day that clear the day's work (``RHO_DAY_MAX``),
    at most every booth all day."""
    need = np.ceil(loads.sum(axis=1) / RHO_DAY_MAX - 1e-9).astype(np.int64)
    return np.asarray(np.minimum(need, 24 * np.asarray(most, np.int64)))


def _up_to_floor(
    sched: np.ndarray,
    loads: np.ndarray,
    floors: np.ndarray,
    most: np.ndarray,
    others: np.ndarray,
    officers_max: int | None,
) -> np.ndarray:
    """Add booths where the load most exceeds them until each group reaches its floor."""
    out = sched.copy()
    for g in range(out.shape[0]):
        while out[g].sum() < floors[g]:
            room = (out[g] < most[g]) & np.array(
                [_officers_ok(out, others, officers_max, h) for h in range(24)]
            )
            if not room.any():
                break
            gap = np.where(room, loads[g] - out[g], -np.inf)
            out[g, int(np.argmax(gap))] += 1
    return out


def _earliest(todo: np.ndarray) -> tuple[int, int]:
    hours = np.flatnonzero(todo.any(axis=0))
    h = int(hours[0])
    g = int(np.flatnonzero(todo[:, h])[0])
    return g, h


def _fixes(sched: np.ndarray, most: np.ndarray, g: int, h: int) -> list[tuple[int, int]]:
    """Where one more booth may fix group g's hour h: there; the two latest hours before it
    that still have a booth to open (queues carry over: when the hours just before are full,
    the backlog was built earlier); the hour after (a booth opening then serves those still
    waiting in its lane); or another group of the search at h (a shared class may move)."""
    before = [(h - k) % 24 for k in range(1, 24) if sched[g, (h - k) % 24] < most[g]][:2]
    out = [(g, h), *((g, b) for b in before), (g, (h + 1) % 24)]
    out += [(k, h) for k in range(sched.shape[0]) if k != g]
    return out


def _remove_pass(
    sched: np.ndarray,
    current: HourCheck,
    evaluate: Callable[[np.ndarray], HourCheck],
    spent: Callable[[], bool],
    hours: np.ndarray,
    floors: np.ndarray,
) -> tuple[np.ndarray, HourCheck, np.ndarray, bool]:
    """Try one booth fewer in every group at each of ``hours`` (quietest first); keep what
    keeps every met hour met and no missed hour worse. Returns the hours it removed at."""
    removed = np.zeros(24, bool)
    quiet = np.argsort(current.crossings.sum(axis=0), kind="stable")
    for h in quiet[hours[quiet]]:
        for g in range(sched.shape[0]):
            if sched[g, h] == 0 or sched[g].sum() <= floors[g]:
                continue
            if spent():
                return sched, current, removed, True
            trial = sched.copy()
            trial[g, h] -= 1
            check = evaluate(trial)
            if _no_worse(check, current):
                sched, current = trial, check
                removed[h] = True
    return sched, current, removed, False


def _near(hours: np.ndarray, reach: int = 2) -> np.ndarray:
    """The hours within ``reach`` of any of ``hours`` (bool[24], around the clock)."""
    out = np.zeros(24, bool)
    for h in np.flatnonzero(hours):
        out[[(h + k) % 24 for k in range(-reach, reach + 1)]] = True
    return out


def _no_worse(check: HourCheck, current: HourCheck) -> bool:
    was, now = current.excess, check.excess
    met_stay_met = not (now[was == 0] > 0).any()
    missed_no_worse = bool((now[was > 0] <= was[was > 0]).all())
    return met_stay_met and missed_no_worse


# ------------------------------------------------------------------ the whole port


@dataclass(frozen=True, slots=True)
class GroupStaffing:
    """One lane group's schedule from the search, SIPP and lagged SIPP, each simulated."""

    lane_group: str
    target: WaitTarget
    booths: int  # physical booths
    schedule: list[int]
    sipp_schedule: list[int]
    lagged_schedule: list[int]
    lag_minutes: float
    check: HourCheck
    sipp_check: HourCheck
    lagged_check: HourCheck
    row: int  # this group's row in the checks
    crossings_by_hour: list[float]
    load_erlang_hours: float = 0.0  # a day's work: Σ_h arrivals × mean service

    @property
    def daily_utilisation(self) -> float:
        """The day's work over the booth-hours open (≥ 1: the queue grows day to day)."""
        return self.load_erlang_hours / self.officer_hours if self.officer_hours else math.inf

    @property
    def officer_hours(self) -> int:
        return sum(self.schedule)

    def checked(self, which: str) -> HourCheck:
        """The simulated check of the ``optimiser``'s, ``sipp``'s or ``lagged`` SIPP's schedule."""
        return {"optimiser": self.check, "sipp": self.sipp_check, "lagged": self.lagged_check}[
            which
        ]

    def unmet_hours(self, which: str = "optimiser") -> list[int]:
        check = self.checked(which)
        return [int(h) for h in np.flatnonzero(check.missed[self.row])]

    def hour_stat(self, which: str, stat: str = "p95") -> tuple[list[float], list[float]]:
        """Per hour, the statistic in minutes and its 95% half-width (NaN: no crossings)."""
        check = self.checked(which)
        k = STATS.index(stat)
        return (
            [float(v) / 60 for v in check.estimate[k, self.row]],
            [float(v) / 60 for v in check.half_width[k, self.row]],
        )

    def day_stat(self, which: str, stat: str = "p95") -> tuple[float, float]:
        check = self.checked(which)
        k = STATS.index(stat)
        return float(check.day_estimate[k, self.row]) / 60, float(
            check.day_half_width[k, self.row]
        ) / 60

    def as_json(self) -> dict[str, object]:
        p95, p95_ci = self.day_stat("optimiser")
        sipp_p95, sipp_ci = self.day_stat("sipp")
        lag_p95, lag_ci = self.day_stat("lagged")
        by_hour, by_hour_ci = self.hour_stat("optimiser")
        return {
            "lane_group": self.lane_group,
            "booths_by_hour": list(self.schedule),
            "officer_hours": self.officer_hours,
            "p95_min": _finite(p95),
            "p95_ci95": _finite(p95_ci),
            "sipp_officer_hours": sum(self.sipp_schedule),
            "sipp_p95_min": _finite(sipp_p95),
            "sipp_p95_ci95": _finite(sipp_ci),
            "sipp_booths_by_hour": list(self.sipp_schedule),
            "sipp_missed_hours": self.unmet_hours("sipp"),
            "lagged_sipp_officer_hours": sum(self.lagged_schedule),
            "lagged_sipp_p95_min": _finite(lag_p95),
            "lagged_sipp_p95_ci95": _finite(lag_ci),
            "lagged_sipp_booths_by_hour": list(self.lagged_schedule),
            "lagged_sipp_missed_hours": self.unmet_hours("lagged"),
            "lag_min": round(self.lag_minutes, 2),
            "p95_by_hour_min": [_finite(v) for v in by_hour],
            "p95_by_hour_ci95": [_finite(v) for v in by_hour_ci],
            "unmet_hours": self.unmet_hours(),
            "target_p95_min": self.target.p95_minutes,
            "target_mean_min": self.target.mean_minutes,
            "physical_booths": self.booths,
            "load_erlang_hours": round(self.load_erlang_hours, 2),
            "daily_utilisation": _finite(self.daily_utilisation),
        }


def _finite(value: float) -> float | None:
    return round(value, 3) if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class StaffingResult:
    """Every group's staffing, the staffed scenario and how the search was run."""

    scenario: PortScenario
    staffed: PortScenario
    groups: list[GroupStaffing]
    days: int
    warm_up_days: int
    replications: int
    seed: int | None
    evaluations: int
    officers_max: int | None = None
    stopped: bool = False
    notes: list[str] = field(default_factory=list)

    def hourly(self) -> pd.DataFrame:
        """One row per group, hour and schedule: booths, crossings, p95 and mean wait ± CI."""
        import pandas as pd

        rows = []
        names = {"optimiser": "optimiser", "sipp": "SIPP", "lagged": "lagged SIPP"}
        for g in self.groups:
            for which, label in names.items():
                plan = {
                    "optimiser": g.schedule,
                    "sipp": g.sipp_schedule,
                    "lagged": g.lagged_schedule,
                }
                p95, p95_ci = g.hour_stat(which, "p95")
                mean, mean_ci = g.hour_stat(which, "mean")
                missed = set(g.unmet_hours(which))
                for h in range(24):
                    rows.append(
                        {
                            "lane_group": g.lane_group,
                            "schedule": label,
                            "hour": h,
                            "booths": plan[which][h],
                            "crossings_per_day": g.crossings_by_hour[h],
                            "p95_wait_min": p95[h],
                            "p95_wait_min_ci95": p95_ci[h],
                            "mean_wait_min": mean[h],
                            "mean_wait_min_ci95": mean_ci[h],
                            "meets_target": h not in missed,
                        }
                    )
        return pd.DataFrame(rows)

    def as_json(self) -> dict[str, object]:
        return {
            "port": self.scenario.port.name,
            "days": self.days,
            "warm_up_days": self.warm_up_days,
            "replications": self.replications,
            "seed": self.seed,
            "evaluations": self.evaluations,
            "officers_max": self.officers_max,
            "search_stopped": self.stopped,
            "groups": [g.as_json() for g in self.groups],
            "notes": list(self.notes),
        }


def _sipp_schedule(
    rate: np.ndarray, mean: float, scv: float, target: WaitTarget, most: int
) -> list[int]:
    p95 = None if target.p95_minutes is None else 60.0 * target.p95_minutes
    avg = None if target.mean_minutes is None else 60.0 * target.mean_minutes
    return [
        min(
            sipp.sipp_servers(float(r), mean, scv, p95_seconds=p95, mean_seconds=avg, most=most),
            most,
        )
        for r in rate
    ]


def _sojourn_lag(rate: np.ndarray, schedule: list[int], mean: float, scv: float) -> float:
    """Mean time in the port (wait + service) under SIPP's staffing, weighted by arrivals."""
    total = float(rate.sum())
    if total <= 0:
        return 0.0
    waits = [
        sipp.mean_wait(c, float(r), mean, scv) if r > 0 else 0.0
        for r, c in zip(rate, schedule, strict=True)
    ]
    waits = [min(w, HOUR) for w in waits]  # an unstable hour: a lag of one hour at most
    return float(np.dot(rate, waits) / total) + mean


def staff(
    scenario: PortScenario,
    targets: Mapping[str, WaitTarget],
    *,
    days: int = 3,
    replications: int = 8,
    seed: int | None = 0,
    warm_up_days: int | None = None,
    officers_max: int | None = None,
    workers: int | None = None,
    limits: RunLimits = DEFAULT_LIMITS,
    progress: Callable[[int], None] | None = None,
) -> StaffingResult:
    """Search every lane group's booths by hour for its target (see the module doc)."""
    limits.check_staffing(scenario, days=days, replications=replications)
    refuse_targeting_only(scenario)
    warm = warm_up_for(days, warm_up_days)
    if officers_max is not None and officers_max < 1:
        raise InputError("--officers-max", officers_max, Message("must be at least 1"))
    model = PortModel(scenario)
    names = list(model.scenario.lanes)
    most = np.array([g.booths for g in model.scenario.lanes.values()], np.int64)
    seeds = replication_seeds(seed, replications)
    drawn = run_replications(lambda s: draw_at_cbp(model, days, s), seeds, workers)
    comps = components(model)
    evaluators = component_evaluators(model, comps, drawn, targets, days, warm, workers)
    sipp_all = np.zeros((len(names), 24), np.int64)
    lagged_all = np.zeros((len(names), 24), np.int64)
    lags = np.zeros(len(names))
    day_loads = np.zeros(len(names))
    for comp, ev in zip(comps, evaluators, strict=True):
        rate, mean, scv = ev.demand()
        for k, g in enumerate(comp):
            t = targets[names[g]]
            plan = _sipp_schedule(rate[k], float(mean[k]), float(scv[k]), t, int(most[g]))
            lag = _sojourn_lag(rate[k], plan, float(mean[k]), float(scv[k]))
            sipp_all[g] = plan
            day_loads[g] = float((rate[k] * mean[k]).sum())
            lags[g] = lag
            lagged = sipp.lagged_rates(list(rate[k]), lag)
            lagged_all[g] = _sipp_schedule(
                np.asarray(lagged), float(mean[k]), float(scv[k]), t, int(most[g])
            )
    _check_officers(officers_max, evaluators, comps, most)
    start = _capped(sipp_all, officers_max)
    final = start.copy()
    total_evals = 0
    stopped = False
    checks: list[tuple[HourCheck, HourCheck, HourCheck]] = []
    budget = limits.max_staffing_evaluations
    for comp, ev in zip(comps, evaluators, strict=True):
        others = final.sum(axis=0) - final[comp].sum(axis=0)
        rate, mean, _ = ev.demand()
        search = optimise(
            ev,
            final[comp],
            most[comp],
            others=others,
            officers_max=officers_max,
            loads=rate * mean[:, None],
            max_evaluations=max(1, budget - total_evals),
            progress=progress,
        )
        final[comp] = search.sched
        total_evals += search.evaluations
        stopped = stopped or search.stopped
        opt, sp, lg = (
            ev.check(s, with_day=True) for s in (search.sched, sipp_all[comp], lagged_all[comp])
        )
        checks.append((opt, sp, lg))
    groups = []
    for comp, (opt, sp, lg) in zip(comps, checks, strict=True):
        for k, g in enumerate(comp):
            groups.append(
                GroupStaffing(
                    lane_group=names[g],
                    target=targets[names[g]],
                    booths=int(most[g]),
                    schedule=[int(v) for v in final[g]],
                    sipp_schedule=[int(v) for v in sipp_all[g]],
                    lagged_schedule=[int(v) for v in lagged_all[g]],
                    lag_minutes=float(lags[g]) / 60,
                    check=opt,
                    sipp_check=sp,
                    lagged_check=lg,
                    row=k,
                    crossings_by_hour=[float(v) for v in opt.crossings[k]],
                    load_erlang_hours=float(day_loads[g]),
                )
            )
    order = {n: i for i, n in enumerate(names)}
    groups.sort(key=lambda gs: order[gs.lane_group])
    staffed, notes = staffed_scenario(
        scenario, {gs.lane_group: gs.schedule for gs in groups if gs.lane_group in scenario.lanes}
    )
    return StaffingResult(
        scenario=scenario,
        staffed=staffed,
        groups=groups,
        days=days,
        warm_up_days=warm,
        replications=replications,
        seed=seed,
        evaluations=total_evals,
        officers_max=officers_max,
        stopped=stopped,
        notes=notes,
    )


def component_evaluators(
    model: PortModel,
    comps: Sequence[Sequence[int]],
    drawn: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    targets: Mapping[str, WaitTarget],
    days: int,
    warm_up_days: int,
    workers: int | None = None,
) -> list[CrnEvaluator]:
    """One evaluator per component, each over its own classes' crossings of ``drawn``
    (:func:`draw_at_cbp` per replication)."""
    names = list(model.scenario.lanes)
    out = []
    for comp in comps:
        classes = component_classes(model, comp)
        reps = []
        for arrival, cls, service, ties in drawn:
            mine = np.isin(cls, classes)
            reps.append(CbpCrossings(arrival[mine], cls[mine], service[mine], ties[mine]))
        limits = np.stack([targets[names[g]].limits_seconds() for g in comp], axis=1)
        out.append(
            CrnEvaluator(
                model,
                comp,
                reps,
                days=days,
                warm_up_days=warm_up_days,
                limits=limits,
                workers=workers,
            )
        )
    return out


def component_classes(model: PortModel, comp: Sequence[int]) -> np.ndarray:
    """The classes whose crossings may join a group of ``comp``."""
    b = model.layout.primary.tables
    out = []
    for c in range(len(b.class_ptr) - 1):
        groups = b.lane_group[b.class_lanes[b.class_ptr[c] : b.class_ptr[c + 1]]]
        if np.isin(groups, comp).any():
            out.append(c)
    return np.asarray(out, np.int64)


def _check_officers(
    officers_max: int | None,
    evaluators: Sequence[CrnEvaluator],
    comps: Sequence[Sequence[int]],
    most: np.ndarray,
) -> None:
    """Refuse a cap below the booths the offered load needs for a stable queue in some hour."""
    if officers_max is None:
        return
    need = np.zeros(24)
    for comp, ev in zip(comps, evaluators, strict=True):
        rate, mean, _ = ev.demand()
        for k, g in enumerate(comp):
            need += np.minimum(np.ceil(rate[k] * mean[k] - 1e-9), most[g])
    peak = int(np.argmax(need))
    if need[peak] > officers_max:
        raise InputError(
            "--officers-max",
            officers_max,
            Message(
                "too small: in hour {peak:02d}:00 the offered load alone needs {need} "
                "booths open at once (arrivals × mean service); at least {need}",
                peak=peak,
                need=int(need[peak]),
            ),
        )


def _capped(sched: np.ndarray, officers_max: int | None) -> np.ndarray:
    """SIPP's start with at most ``officers_max`` booths open in any hour (largest groups cut)."""
    out = sched.copy()
    if officers_max is None:
        return out
    for h in range(24):
        while out[:, h].sum() > officers_max:
            out[int(np.argmax(out[:, h])), h] -= 1
    return out


@dataclass(frozen=True, slots=True)
class HoldoutMiss:
    """One schedule re-checked on fresh replications the search never saw."""

    upper_missed: list[int]  # hours whose interval's upper end misses a target
    estimate_missed: list[int]  # hours whose estimate misses one
    worst_minutes: float  # the largest estimate above a target (0: none)

    def as_json(self) -> dict[str, object]:
        return {
            "upper_missed_hours": self.upper_missed,
            "estimate_missed_hours": self.estimate_missed,
            "worst_over_target_min": round(self.worst_minutes, 3),
        }


SCHEDULES = {"optimiser": "schedule", "sipp": "sipp_schedule", "lagged": "lagged_schedule"}


def holdout_check(
    result: StaffingResult, replications: int, *, workers: int | None = None
) -> dict[str, dict[str, HoldoutMiss]]:
    """Per group and schedule (optimiser, sipp, lagged): the hours missed on ``replications``
    fresh replications (the root seed's children after the search's own).

    The search keeps the cheapest schedule that passes on its own replications, so it
    tends to pass there by luck in a few hours; this says how often that flatters it.
    """
    model = PortModel(result.scenario)
    names = list(model.scenario.lanes)
    days = result.days
    fresh = replication_seeds(result.seed, result.replications + replications)
    fresh = fresh[result.replications :]
    drawn = run_replications(lambda s: draw_at_cbp(model, days, s), fresh, workers)
    by_name = {g.lane_group: g for g in result.groups}
    targets = {name: g.target for name, g in by_name.items()}
    comps = components(model)
    evaluators = component_evaluators(
        model, comps, drawn, targets, days, result.warm_up_days, workers
    )
    out: dict[str, dict[str, HoldoutMiss]] = {}
    for comp, ev in zip(comps, evaluators, strict=True):
        for which, attr in SCHEDULES.items():
            check = ev.check(np.array([getattr(by_name[names[g]], attr) for g in comp]))
            with np.errstate(invalid="ignore"):
                over = np.nan_to_num(check.estimate - check.limits[:, :, None], nan=-np.inf).max(
                    axis=0
                )
            for k, g in enumerate(comp):
                out.setdefault(names[g], {})[which] = HoldoutMiss(
                    upper_missed=[int(h) for h in np.flatnonzero(check.missed[k])],
                    estimate_missed=[int(h) for h in np.flatnonzero(over[k] > 0)],
                    worst_minutes=max(float(over[k].max()) / 60, 0.0),
                )
    return out


def staffed_scenario(
    scenario: PortScenario, schedules: Mapping[str, Sequence[int]]
) -> tuple[PortScenario, list[str]]:
    """The scenario with these booths by hour (a group needing none keeps its own schedule)."""
    from border21.ports.edits import with_schedules

    notes = []
    usable = {}
    for name, plan in schedules.items():
        if any(plan):
            usable[name] = plan
        else:
            notes.append(
                f"{name}: no crossings needed a booth; its own schedule is kept in the staffed "
                "scenario (a schedule that opens no booth is refused)"
            )
    return with_schedules(scenario, usable), notes

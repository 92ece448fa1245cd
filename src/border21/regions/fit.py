"""`border21 region fit`: the behaviour fitted, and the model held against CBP's waits.

What is fitted: first each port's bias constant for each segment (its
``bias_by_segment``), so that the equilibrium reproduces each port's counted
crossings by segment — the volumes its scenario carries, from BTS or the Texas
bridge counts — by the standard update for a logit's constants, ``bias ← bias +
ln(counted / modelled)``, a few rounds (a constant whose volume stops answering
its moves — saturated lanes — is held where it is); then the officers behind every target
group whose lanes have a band (:func:`search_officers`): each banded port's
officers on duty in three shifts, for each kind of traffic (cars, trucks,
pedestrians) whose banded lanes a target joins, and the band minimum of each
banded group a target segment joins, searched against the fit months'
hour-of-day profiles.
Last, with ``elasticities``, the hour-shift and no-travel elasticities on a grid
(:func:`fit_elasticities`; kept only beyond the equilibria's noise). The choice
parameters (β, the port-time weight) stay SANDAG's; not fitted yet: zones,
service (docs/regions.md).

What is measured, per port and segment with a CBP counterpart
(:mod:`~border21.regions.observed`), on the fit months and, apart, on the
held-out months: on the hour-of-day profile, the mean absolute error and the
correlation; at the finest cells CBP publishes (month × weekday × hour), the
model's mean absolute error beside the naive forecast's, which repeats the fit
months' weekday × hour averages. Beside them, where SANDAG observed a 2017
weekday (San Ysidro's and Otay Mesa's car lanes), the model's hourly waits and
vehicles processed against SANDAG's (one day: measured, not held out, and not
searched on). CBP's waits are compared with the model's in
the hour the booth is reached (``reported_minutes``: CBP's are travel times known
when a vehicle reaches the booth). The prediction is the mean of EQUILIBRIA
equilibria on independent seeds. With a volume year (0, the default: one average
day for every month), the fitted region is solved once per month with each
port's demand scaled by its counted crossings that month, so each month's cells
get that month's prediction; weekdays are not modelled (no weekday volumes exist
for these ports).

Three more figures say how much any mechanism of that kind could gain: the naive
forecast scaled by each month's true level (``naive_known_level_cell_mae_min``:
knowing every month's mean wait, what the naive forecast's error would be); scaled
instead by the level of the fit months either side (``naive_neighbour_level_cell_mae_min``:
what a slowly moving level, such as staffing, carried from the neighbouring months
would give); and the correlation of the monthly mean waits with the counted
crossings (``volume_wait_corr``). Where the last is weak or negative, volumes cannot
tell the months apart, whatever the queue model.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message
from border21.regions.observed import correlation, profile_corr, profile_mae
from border21.stats import ci95_half_width, jackknife_ci95

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store
    from border21.regions.config import Region
    from border21.regions.equilibrium import RegionResult

DEFAULT_HOLDOUT = (3, 6, 9, 12)  # every third month: each season keeps three fit months
MAX_ROUNDS = 20
MIN_VOLUME_YEAR, MAX_VOLUME_YEAR = 1996, 2100  # BTS's monthly counts begin in 1996


@dataclass(frozen=True)
class Fit:
    """A region's fitted bias constants, the rounds that got there, and the figures."""

    region: str
    bias_utils: dict[str, dict[str, float]]  # port → segment → utils (bias_utils + by segment)
    # per round: the largest |ln(counted / modelled)| left of the constants still moved, and
    # the held ones' (saturated lanes: "port.segment" → ln(counted / modelled))
    rounds: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    volume_year: int = 0  # 0: one average day for every month
    search: list[dict[str, Any]] = field(default_factory=list)  # the officers' search, by stage
    # `--elasticities`: per (shift_hour_minutes, forgo_minutes) pair, its score; and the choice's
    elasticities: list[dict[str, Any]] = field(default_factory=list)
    choice: dict[str, float | None] = field(default_factory=dict)
    equilibria: int = 1  # equilibria (seeds) whose mean waits are the prediction
    # port → its officers on duty by hour (None: the scenario's schedule) and bands
    officers: dict[str, dict[str, Any]] = field(default_factory=dict)
    # port → segment → 12 factors: the month's counted crossings a day over the year's mean
    month_scales: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    # per (port, segment) SANDAG observed on a 2017 weekday: the model against its hourly
    # waits and vehicles processed (regions.observed.sandag_figures)
    sandag_2017: list[dict[str, Any]] = field(default_factory=list)


def counted_per_day(region: Region) -> dict[tuple[str, str], float]:
    """Each existing port's counted crossings a day by segment: its scenario's volumes of
    the streams the segment takes there (the base the choice redistributes)."""
    from border21.regions.equilibrium import _port_setup

    return {
        (p, s): float(f.sum())
        for p, port in region.ports.items()
        if not port.build
        for s, f in _port_setup(region, p).base_flows.items()
    }


def _modelled_per_day(result: RegionResult) -> dict[tuple[str, str], float]:
    from border21.regions.equilibrium import DAILY

    return {(r.port, r.segment): r.arrivals for r in result.rows if r.segment and r.hour == DAILY}


# The search's objective: a profile's MAE + 25 min × (1 − its correlation), so that the issue's
# bar (MAE 10 min, correlation 0.8) weighs its two halves alike (10 min ~ 25 × 0.2 … × 0.4).
CORR_WEIGHT_MIN = 25.0
BAND_STEP_MIN = 5.0  # minutes: band edges move in steps of 5
OFFICERS_RANGE = (0.85, 1.15)  # the search tries officers on duty within these × the start
BAND_RANGE_MIN = (-15.0, 15.0)  # … and band minima within these minutes of the start
EQUILIBRIA = 6  # equilibria on independent seeds whose mean waits are the fit's prediction
SEARCH_EQUILIBRIA = 2  # … and whose mean scores a candidate of the officers' search
CONFIRM_EQUILIBRIA = 6  # … and the best candidates again, before one is chosen
CONFIRMED = 2  # random candidates of each staff scored again (3 when staffs were searched together)
DEFAULT_SEARCH = 40  # candidates: half drawn at random, half refining the best
MAX_SEARCH = 200
SEARCH_REPLICATIONS = 6  # evaluation replications of each candidate (its profile's noise)
# The bias update holds a constant whose volume no longer answers it: after a move of at least
# MIN_BIAS_STEP utils, a volume that moved by less than MIN_VOLUME_ANSWER × the move (in logs;
# a logit share's own answer is 1 − share, 0.4–1 here) belongs to lanes at capacity, which
# carry what officers open whatever travellers prefer; chasing its count drifted the
# constant at every refit (San Ysidro's General cars 0.42 → 1.22 across six refits).
MIN_BIAS_STEP = 0.02
MIN_VOLUME_ANSWER = 0.2
# `--elasticities`: the (shift_hour_minutes, forgo_minutes) pairs tried, "off" first. Shifting an
# hour costs 30–120 minutes of driving; not travelling 300–600 (ASSUMPTION: the range earlier
# probes used, docs/regions.md; β = −0.025 makes 600 minutes −15 utils, a trip forgone only at
# waits of hours, and 300 one forgone at 1–2 hour waits).
ELASTICITY_GRID: tuple[tuple[float | None, float | None], ...] = (
    (None, None),
    (30.0, 300.0), (30.0, 600.0),
    (60.0, 300.0), (60.0, 600.0),
    (120.0, 300.0), (120.0, 600.0),
)  # fmt: skip

# Officers work in three shifts (ASSUMPTION: CBP's common 06:00–14:00, 14:00–22:00 and 22:00–06:00
# pattern; no port's shift times or staffing are public): the fit moves each shift's officers.
SHIFTS = {"day": range(6, 14), "swing": range(14, 22), "night": (22, 23, 0, 1, 2, 3, 4, 5)}


@dataclass(frozen=True)
class Knob:
    """One officers' parameter the fit moves: a port's officers on duty for one ``kind`` of
    traffic in one ``shift``, or the minimum of one banded ``group``'s band."""

    port: str
    shift: str = ""
    group: str = ""
    kind: str = "personal_vehicle"

    @property
    def name(self) -> str:
        if self.shift:
            return f"ports.{self.port}.officers_on_duty.{self.kind}[{self.shift}]"
        return f"ports.{self.port}.bands.{self.group}.min_wait_minutes"

    def get(self, data: Mapping[str, Any]) -> float:
        port = data["ports"][self.port]
        if self.shift:  # the shift's most (its hours may differ when it starts from a schedule)
            on_duty = port["officers_on_duty"][self.kind]
            return float(max(on_duty[h] for h in SHIFTS[self.shift]))
        return float(port["bands"][self.group]["min_wait_minutes"])

    def put(self, data: dict[str, Any], value: float) -> None:
        port = data["ports"][self.port]
        if self.shift:
            hours = SHIFTS[self.shift]
            on_duty = port["officers_on_duty"]
            on_duty[self.kind] = [
                int(value) if h in hours else v for h, v in enumerate(on_duty[self.kind])
            ]
        else:
            port["bands"][self.group]["min_wait_minutes"] = float(value)

    def candidates(self, start: float, most: float) -> np.ndarray:
        """The values the search may give the knob, around its ``start``."""
        if self.shift:
            fewest = max(1.0, math.floor(start * OFFICERS_RANGE[0]))
            most_here = min(most, math.ceil(start * OFFICERS_RANGE[1]))
            return np.arange(fewest, most_here + 1, dtype=float)
        low, high = start + BAND_RANGE_MIN[0], start + BAND_RANGE_MIN[1]
        return np.arange(max(BAND_STEP_MIN, low), high + 1e-9, BAND_STEP_MIN)


def knobs(region: Region, targets: Mapping[tuple[str, str], np.ndarray]) -> list[Knob]:
    """The officers' parameters behind the target groups: at each banded port, the
    officers on duty in each shift for every kind of traffic whose banded lanes a target
    segment joins, and the band minimum of each banded group a target segment joins (the
    maxima stay as sourced: SANDAG's for San Ysidro)."""
    from border21.regions.equilibrium import _port_setup

    out: list[Knob] = []
    for port in dict.fromkeys(p for p, _s in targets):
        rport = region.ports[port]
        if not rport.bands or rport.build:
            continue
        setup = _port_setup(region, port)
        for p, segment in targets:
            if p != port or segment not in setup.eligible:
                continue
            for i in setup.eligible[segment]:
                group = setup.groups[i]
                if group not in setup.banded:
                    continue
                kind = setup.kinds[setup.staff[setup.banded.index(group)]]
                for shift in SHIFTS if not region.ports[port].bands[group].own_officers else ():
                    if Knob(port, shift=shift, kind=kind) not in out:
                        out.append(Knob(port, shift=shift, kind=kind))
                if Knob(port, group=group) not in out:
                    out.append(Knob(port, group=group))
    return out


def officered(
    region: Region, targets: Mapping[tuple[str, str], np.ndarray]
) -> dict[tuple[str, str], np.ndarray]:
    """The targets whose segment joins a banded lane group at the port: the ones officers'
    knobs act on (a pedestrian or SENTRI line on a fixed schedule would only add its noise
    to the search's score)."""
    from border21.regions.equilibrium import _port_setup

    setups = {p: _port_setup(region, p) for p in dict.fromkeys(p for p, _s in targets)}
    return {
        (p, s): profile
        for (p, s), profile in targets.items()
        if any(setups[p].groups[i] in setups[p].banded for i in setups[p].eligible.get(s, ()))
    }


def objective(
    results: RegionResult | Sequence[RegionResult], targets: Mapping[tuple[str, str], np.ndarray]
) -> float:
    """Mean over the target groups of the profile's MAE + 25 min × (1 − correlation), the
    profile the mean over the equilibria given."""
    many = [results] if not isinstance(results, Sequence) else list(results)
    sim = _predictions({0: many}).droplevel("month")
    scores = []
    for (port, segment), observed in targets.items():
        model = sim.reindex([(port, segment, h) for h in range(24)]).to_numpy(float)
        both = ~np.isnan(observed) & ~np.isnan(model)
        if both.sum() < 3:
            continue
        o, m = observed[both], model[both]
        corr = correlation(o, m) or 0.0
        scores.append(float(np.abs(o - m).mean()) + CORR_WEIGHT_MIN * (1.0 - corr))
    return float(np.mean(scores)) if scores else 0.0


def paired_difference(
    runs: Sequence[RegionResult],
    base: Sequence[RegionResult],
    targets: Mapping[tuple[str, str], np.ndarray],
) -> tuple[float, float]:
    """The mean over equilibria of ``runs``' :func:`objective` minus ``base``'s, equilibrium by
    equilibrium (the same seeds: common random numbers), and its 95% t interval's half-width:
    a change is better beyond the equilibria's noise when mean + half-width < 0."""
    diffs = np.array(
        [objective(a, targets) - objective(b, targets) for a, b in zip(runs, base, strict=True)]
    )
    return float(diffs.mean()), ci95_half_width(float(diffs.std(ddof=1)), len(diffs))


def unanswered(
    modelled: Mapping[Any, float], steps: Mapping[Any, float], before: Mapping[Any, float]
) -> set[Any]:
    """The constants whose volume did not answer their last move: moved by ``steps`` (utils,
    at least MIN_BIAS_STEP) from a volume ``before``, the ``modelled`` volume changed by less
    than MIN_VOLUME_ANSWER × the move, in logs, or the wrong way.

    >>> sorted(unanswered({"a": 105.0, "b": 100.5, "c": 100.0}, {"a": 0.1, "b": 0.1, "c": 0.001},
    ...                   {"a": 100.0, "b": 100.0, "c": 99.0}))
    ['b']
    """
    return {
        key
        for key, step in steps.items()
        if abs(step) >= MIN_BIAS_STEP
        and modelled.get(key, 0.0) > 0.0
        and before.get(key, 0.0) > 0.0
        and math.log(modelled[key] / before[key]) / step < MIN_VOLUME_ANSWER
    }


def fit_bias(
    region: Region, *, rounds: int = 4, seed: int = 0, replications: int = 2
) -> tuple[Region, list[dict[str, Any]], RegionResult]:
    """Bias constants that reproduce each port's counted crossings (see the module)."""
    from border21.regions.config import validate_region
    from border21.regions.equilibrium import solve

    if not 0 <= rounds <= MAX_ROUNDS:  # 0: as shipped (El Paso with San Diego's behaviour)
        raise InputError("--rounds", rounds, Message("must be 0–{most}", most=MAX_ROUNDS))
    counted = counted_per_day(region)
    data = region.model_dump()
    trace = []
    result = solve(region, seed=seed, replications=replications)
    steps: dict[tuple[str, str], float] = {}  # each constant's last move
    before: dict[tuple[str, str], float] = {}  # … and the volume it moved from
    held: set[tuple[str, str]] = set()  # constants whose volume does not answer (saturated)
    for k in range(1, rounds + 1):
        modelled = _modelled_per_day(result)
        ratios = {
            key: math.log(counted[key] / modelled[key])
            for key in counted
            if counted[key] > 0 and modelled.get(key, 0) > 0
        }
        held |= unanswered(modelled, steps, before)
        trace.append({
            "round": k,
            "max_abs_log_ratio": max((abs(r) for key, r in ratios.items() if key not in held),
                                     default=0),
            "held": {f"{p}.{s}": ratios[p, s] for p, s in sorted(held) if (p, s) in ratios},
        })  # fmt: skip
        steps = {key: r for key, r in ratios.items() if key not in held}
        before = {key: modelled[key] for key in steps}
        for (p, sname), r in steps.items():
            by_segment = data["ports"][p]["bias_by_segment"]
            by_segment[sname] = float(np.clip(by_segment.get(sname, 0.0) + r, -50.0, 50.0))
        region = validate_region(data)
        result = solve(region, seed=seed, replications=replications)
    return region, trace, result


def _solved(
    candidates: list[dict[str, Any]],
    seeds: range,
    seed: int,
    replications: int,
    workers: int,
    scales: Sequence[Mapping[str, Mapping[str, float]] | None] | None = None,
) -> list[list[RegionResult]]:
    """Each candidate's equilibria on ``seed + i`` for i in ``seeds`` (the same seeds for every
    candidate, so candidates differ by their parameters alone), on ``workers`` processes;
    with ``scales``, candidate k's demand scaled by ``scales[k]`` (a month's volumes)."""
    each = list(scales) if scales is not None else [None] * len(candidates)
    tasks = [
        (d, seed + i, replications, scale)
        for d, scale in zip(candidates, each, strict=True)
        for i in seeds
    ]
    runs = map_processes(_solve_task, tasks, workers)
    n = len(seeds)
    return [runs[k * n : (k + 1) * n] for k in range(len(candidates))]


def staffs(
    region: Region, targets: Mapping[tuple[str, str], np.ndarray], moving: Sequence[Knob]
) -> list[tuple[str, list[Knob], dict[tuple[str, str], np.ndarray]]]:
    """The search's independent parts: per staff (a port's officers of one kind of traffic,
    ``port.kind``, or a banded group's own, ``port.lanes.GROUP``), its knobs and the target
    groups whose lanes it staffs. Staffs share no booth and no traveller (cars and pedestrians
    do not choose between each other's lanes), so each is searched on its own targets' score
    alone; a target whose segment joins lanes of several staffs joins them into one part."""
    from border21.regions.equilibrium import _port_setup

    setups = {p: _port_setup(region, p) for p in dict.fromkeys(k.port for k in moving)}

    def staff(port: str, group: str) -> str:
        setup = setups[port]
        return f"{port}.{setup.kinds[setup.staff[setup.banded.index(group)]]}"

    of_knob = [f"{k.port}.{k.kind}" if k.shift else staff(k.port, k.group) for k in moving]
    parts: list[set[str]] = [{name} for name in dict.fromkeys(of_knob)]
    of_target: dict[tuple[str, str], set[str]] = {}
    for port, segment in targets:
        if port not in setups:  # a build option: no knob acts on it
            of_target[port, segment] = set()
            continue
        groups = [setups[port].groups[i] for i in setups[port].eligible.get(segment, ())]
        mine = {staff(port, g) for g in groups if g in setups[port].banded}
        of_target[port, segment] = mine
        joined = [part for part in parts if part & mine]
        if len(joined) > 1:
            parts = [part for part in parts if not part & mine] + [set().union(*joined)]
    return [
        (
            ", ".join(name for name in dict.fromkeys(of_knob) if name in part),
            [k for k, name in zip(moving, of_knob, strict=True) if name in part],
            {t: profile for t, profile in targets.items() if of_target[t] & part},
        )
        for part in sorted(parts, key=lambda part: min(of_knob.index(n) for n in part))
    ]


def search_officers(
    region: Region,
    targets: Mapping[tuple[str, str], np.ndarray],
    *,
    size: int = DEFAULT_SEARCH,
    seed: int = 0,
    replications: int = SEARCH_REPLICATIONS,
    workers: int = 1,
) -> tuple[Region, list[dict[str, Any]]]:
    """Officers on duty by shift and band minima that bring the target profiles closest.

    Each staff (:func:`staffs`) is searched in turn, on its own target groups' score, with
    its share of the ``size`` candidates (by its knobs): half drawn at random (each knob
    uniformly among its candidates, a fixed seed), the region as it is among them; then,
    from the best, passes of one step of each knob up and down while they improve and the
    budget lasts. A candidate is scored by :func:`objective` on the fit months' profiles,
    the mean of SEARCH_EQUILIBRIA equilibria; one equilibrium's waits depend on its path, so
    the best of many such scores is mostly the luckiest: the CONFIRMED best random
    candidates and the region as it is, and each pass's best step, are solved again on
    CONFIRM_EQUILIBRIA equilibria, and a candidate replaces the incumbent only if it beats it
    beyond their noise (:func:`paired_difference`: its interval wholly below zero); among
    several that do, the best confirmed score. Until 2026-12-06 the best confirmed score
    alone chose, and a step 0.001 better took San Ysidro's day pedestrian officers 9 → 10
    (held out: correlation 0.93 → 0.88). Searched together, San Ysidro's pedestrian officers rode
    along with the car officers of a candidate whose cars scored well (2026-12-06: their
    held-out correlation 0.73 and 0.81 on two seeds, 0.93 as they were). Returns the best
    region and, per staff and stage, its objective and knobs. Officers on duty start from
    the region's, or from what its scenario's schedule staffs hour by hour: the region as it
    is. Until 2026-12-06 a kind without ``officers_on_duty`` started flat at the most its
    schedule staffs in any hour, a start worse than the schedule that nothing then beat
    beyond the noise (El Paso's own fit held out: BOTA's General cars 9.9 min and 0.71
    against 8.2 and 0.78 with no search at all).
    """
    from border21.regions.config import validate_region
    from border21.regions.equilibrium import _port_setup

    _check_search(size)
    targets = officered(region, targets)
    moving = knobs(region, targets)
    if not moving or size == 0:
        return region, []
    data = region.model_dump()
    most = {}
    for port, kind in dict.fromkeys((k.port, k.kind) for k in moving if k.shift):
        setup = _port_setup(region, port)
        k = setup.kinds.index(kind)
        most[port, kind] = float(setup.max_booths[setup.staff == k].sum())
        on_duty = data["ports"][port]["officers_on_duty"]
        if kind not in on_duty:  # the scenario's schedule, as the region staffs it hour by hour
            on_duty[kind] = [int(n) for n in setup.officers[k]]
    for port in dict.fromkeys(k.port for k in moving):  # officers_scale acts on no kind left
        setup = _port_setup(region, port)
        if all(kind in data["ports"][port]["officers_on_duty"] for kind in setup.kinds):
            data["ports"][port]["officers_scale"] = 1.0
    trace: list[dict[str, Any]] = []
    parts = staffs(region, targets, moving)
    shares = [size * len(part) // len(moving) for _name, part, _t in parts]
    shares[0] += size - sum(shares)
    known: list[RegionResult] = []  # the incumbent's equilibria: the next staff's start
    for b, ((name, part, mine), share) in enumerate(zip(parts, shares, strict=True)):
        search = _Search(part, mine, most, seed, replications, workers)
        data, known = search.run(data, share, np.random.SeedSequence([seed, 14, b]), known)
        trace += [{"staff": name, **stage} for stage in search.trace]
    return validate_region(data), trace


@dataclass
class _Search:
    """The search of one staff's knobs on its targets (:func:`search_officers`)."""

    moving: list[Knob]
    targets: Mapping[tuple[str, str], np.ndarray]
    most: Mapping[tuple[str, str], float]
    seed: int
    replications: int
    workers: int
    trace: list[dict[str, Any]] = field(default_factory=list)

    def _runs(self, candidates: list[dict[str, Any]], seeds: range) -> list[list[RegionResult]]:
        return _solved(candidates, seeds, self.seed, self.replications, self.workers)

    def _log(self, stage: str, candidates: int, score: float, data: dict[str, Any]) -> None:
        self.trace.append({"stage": stage, "candidates": candidates, "objective": score,
                           **{k.name: k.get(data) for k in self.moving}})  # fmt: skip

    def run(
        self,
        data: dict[str, Any],
        size: int,
        entropy: np.random.SeedSequence,
        known: list[RegionResult],
    ) -> tuple[dict[str, Any], list[RegionResult]]:
        """The best candidate and its CONFIRM_EQUILIBRIA equilibria, from ``data`` (whose
        equilibria are ``known`` when the staff searched before kept it: the same seeds give
        the same results, so they are not solved again; 7 s of a fit)."""
        moving, targets = self.moving, self.targets
        choices = [k.candidates(k.get(data), self.most.get((k.port, k.kind), 0.0)) for k in moving]
        rng = np.random.default_rng(entropy)
        pool: list[dict[str, Any]] = [data]
        while len(pool) <= size // 2:  # valid draws only (a band's minimum below its maximum)
            trial = copy.deepcopy(data)
            for knob, values in zip(moving, choices, strict=True):
                knob.put(trial, float(rng.choice(values)))
            if _valid(trial):
                pool.append(trial)
        quick, more = range(SEARCH_EQUILIBRIA), range(SEARCH_EQUILIBRIA, CONFIRM_EQUILIBRIA)

        def confirm(
            candidates: list[dict[str, Any]], runs: list[list[RegionResult]]
        ) -> list[list[RegionResult]]:
            extra = self._runs(candidates, more)
            return [a + b for a, b in zip(runs, extra, strict=True)]

        def beats(runs: list[RegionResult], incumbent: list[RegionResult]) -> bool:
            mean, half = paired_difference(runs, incumbent, targets)
            return mean + half < 0.0

        if known:
            runs = [known[: len(quick)], *self._runs(pool[1:], quick)]
        else:
            runs = self._runs(pool, quick)
        scores = [objective(r, targets) for r in runs]
        # the region as it is is always scored again: the search never leaves it on luck
        top = list(dict.fromkeys([0, *(int(i) for i in np.argsort(scores)[:CONFIRMED])]))
        if known:
            full = [known, *confirm([pool[i] for i in top[1:]], [runs[i] for i in top[1:]])]
        else:
            full = confirm([pool[i] for i in top], [runs[i] for i in top])
        confirmed = [objective(r, targets) for r in full]
        better = [j for j in range(1, len(top)) if beats(full[j], full[0])]
        j = min(better, key=lambda j: confirmed[j]) if better else 0
        data, score, incumbent = pool[top[j]], confirmed[j], full[j]
        self._log("random", len(pool), score, data)
        budget = size - (len(pool) - 1)
        while budget >= 2 * len(moving):  # refine: a step of each knob up and down
            steps = []
            for knob in moving:
                step = 1.0 if knob.shift else BAND_STEP_MIN
                for sign in (1, -1):
                    trial = copy.deepcopy(data)
                    knob.put(trial, knob.get(data) + sign * step)
                    if knob.get(trial) >= 1 and _valid(trial):
                        steps.append(trial)
            if not steps:
                break
            budget -= len(steps)
            step_runs = self._runs(steps, quick)
            pick = int(np.argmin([objective(r, targets) for r in step_runs]))
            (again,) = confirm([steps[pick]], [step_runs[pick]])
            if not beats(again, incumbent):
                break
            data, score, incumbent = steps[pick], objective(again, targets), again
            self._log("refine", len(steps), score, data)
        return data, incumbent


def fit_elasticities(
    region: Region,
    targets: Mapping[tuple[str, str], np.ndarray],
    *,
    seed: int = 0,
    replications: int = SEARCH_REPLICATIONS,
    workers: int = 1,
) -> tuple[Region, list[dict[str, Any]]]:
    """The hour-shift and no-travel elasticities (``choice.shift_hour_minutes``,
    ``choice.forgo_minutes``) that bring the target profiles closest, if any does so beyond
    the equilibria's noise.

    Each pair of ELASTICITY_GRID ("off" first) is solved on the same CONFIRM_EQUILIBRIA seeds
    (common random numbers) and each equilibrium scored by :func:`objective` on the fit
    months' profiles. A pair's gain is its paired difference from "off", with a 95%
    t interval over the seeds; the pair with the best mean difference among those whose
    interval lies wholly below zero is kept, else "off" (on San Diego two pairs that differ
    only in a forgone share of 0.3% scored 0.5 apart: the best of seven means alone is
    mostly luck). Returns the region and, per pair, its score (the mean profile's, as the
    officers' search scores), the difference from "off" and its interval, and the share of
    travellers who did not travel."""
    from border21.regions.config import validate_region

    candidates = []
    for shift, forgo in ELASTICITY_GRID:
        data = region.model_dump()
        data["choice"].update(shift_hour_minutes=shift, forgo_minutes=forgo)
        candidates.append(data)
    runs = _solved(candidates, range(CONFIRM_EQUILIBRIA), seed, replications, workers)
    mean, half = np.array([paired_difference(many, runs[0], targets) for many in runs]).T
    better = [k for k in range(1, len(candidates)) if mean[k] + half[k] < 0.0]
    best = min(better, key=lambda k: mean[k]) if better else 0
    trace = [
        {
            "shift_hour_minutes": shift,
            "forgo_minutes": forgo,
            "objective": objective(many, targets),
            "vs_off": float(mean[k]),
            "vs_off_ci95": [float(mean[k] - half[k]), float(mean[k] + half[k])],
            "forgone_share": float(np.mean([r.forgone_per_day / r.demand_per_day for r in many])),
            "chosen": k == best,
        }
        for k, ((shift, forgo), many) in enumerate(zip(ELASTICITY_GRID, runs, strict=True))
    ]
    return validate_region(candidates[best]), trace


def _check_search(size: int) -> None:
    if not 0 <= size <= MAX_SEARCH:
        raise InputError("--search", size, Message("must be 0–{most}", most=MAX_SEARCH))


def _valid(data: dict[str, Any]) -> bool:
    """Whether a candidate is a valid region (band edges ordered, counts in bounds)."""
    from border21.regions.config import validate_region

    try:
        validate_region(data)
    except InputError:
        return False
    return True


def _solve_task(
    args: tuple[dict[str, Any], int, int, Mapping[str, Mapping[str, float]] | None],
) -> RegionResult:
    """One equilibrium of a region mapping (a worker process's task)."""
    from border21.regions.config import validate_region
    from border21.regions.equilibrium import solve

    data, seed, replications, scale = args
    return solve(validate_region(data), seed=seed, replications=replications, demand_scale=scale)


def map_processes(fn: Callable[[Any], Any], tasks: list[Any], workers: int) -> list[Any]:
    """``fn`` over ``tasks``, in order; on ``workers`` processes when more than one."""
    if workers <= 1 or len(tasks) <= 1:
        return [fn(t) for t in tasks]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: the parent holds DuckDB's and Numba's threads
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as ex:
        return list(ex.map(fn, tasks))


def _predictions(results: Mapping[int, Sequence[RegionResult]], *, each: bool = False) -> pd.Series:
    """(port, segment, month, hour) → the simulated wait, the mean over the equilibria given
    for the month; month ``0`` stands for every month. ``each``: one wait per equilibrium,
    ``equilibrium`` (its place in the month's list) the last level of the index."""
    import pandas as pd

    from border21.regions.observed import simulated_profiles

    frames = [
        simulated_profiles(r).assign(month=m, equilibrium=i)
        for m, many in results.items()
        for i, r in enumerate(many)
    ]
    sim = pd.concat(frames, ignore_index=True)
    keys = ["port", "segment", "month", "hour", *(["equilibrium"] if each else [])]
    return sim.groupby(keys)["reported_min"].mean().sort_index()


def held_out_figures(
    cells: pd.DataFrame,
    results: RegionResult | Mapping[int, Sequence[RegionResult]],
    holdout: tuple[int, ...],
    volumes: Mapping[tuple[str, str], np.ndarray] | None = None,
) -> list[dict[str, Any]]:
    """Per port, segment and split (fit, holdout): the figures the module describes.

    ``results`` is one equilibrium (the same prediction in every month) or, per month (0:
    every month; or 1–12, each with that month's volumes), equilibria whose mean is the
    prediction. ``volumes`` gives, per (port, segment), the
    port's counted crossings a day in each month, for the correlation of the monthly mean
    waits with them.
    """
    import pandas as pd

    from border21.regions.observed import TARGET_MIN_OBSERVED

    by_month = results if isinstance(results, Mapping) else {0: [results]}
    per_month = set(by_month) != {0}
    each = _predictions(by_month, each=True)
    sim = each.groupby(level=["port", "segment", "month", "hour"]).mean()
    equilibria = min(len(many) for many in by_month.values())
    per_seed = [each.xs(i, level="equilibrium") for i in range(equilibria)]
    out = []
    for (port, segment), mine in cells.groupby(["port", "segment"], sort=False):
        fit = mine[~mine["month"].isin(holdout)]
        naive = fit.groupby(["weekday", "hour"])["observed_min"].mean()
        month_mean = mine.groupby("month")["observed_min"].mean()
        fit_month_mean = fit.groupby("month")["observed_min"].mean()
        fit_level = float(fit_month_mean.mean())
        target = bool(mine["observed_min"].mean() >= TARGET_MIN_OBSERVED)
        counted = (volumes or {}).get((port, segment))
        volume_corr = (
            correlation(counted, month_mean.reindex(range(1, 13)).to_numpy(float))
            if counted is not None and len(month_mean) == 12
            else None
        )
        for split, part in (("fit", fit), ("holdout", mine[mine["month"].isin(holdout)])):
            months = part["month"].to_numpy() if per_month else np.zeros(len(part), dtype=int)
            keys = list(zip([port] * len(part), [segment] * len(part), months, part["hour"],
                            strict=True))  # fmt: skip
            modelled = sim.reindex(keys).to_numpy(float)
            have = ~np.isnan(modelled)
            if not have.any():
                continue
            seen = part[have].assign(model=modelled[have])
            profiles = seen.groupby("hour")[["observed_min", "model"]].mean()
            obs_profile = profiles["observed_min"].to_numpy(float)
            model_profile = profiles["model"].to_numpy(float)
            guess = naive.reindex(list(zip(part["weekday"], part["hour"], strict=True)))
            guess_np = guess.to_numpy(float)
            level = month_mean.reindex(part["month"]).to_numpy(float) / fit_level
            near = neighbour_levels(fit_month_mean, part["month"].to_numpy()) / fit_level
            values = part["observed_min"].to_numpy(float)
            both = have & ~np.isnan(guess_np)
            # each equilibrium's waits over the cells: the spread of the level and the profile
            per_eq = np.array([one.reindex(keys).to_numpy(float)[have] for one in per_seed])
            levels = np.nanmean(per_eq, axis=1)
            by_hour = pd.DataFrame(per_eq.T).groupby(seen["hour"].to_numpy()).mean()
            per_profile = by_hour.to_numpy(float).T  # (equilibria, hours), as `profiles`
            out.append(
                {
                    "port": port,
                    "lane_group": segment,
                    "split": split,
                    "months": sorted(int(m) for m in part["month"].unique()),
                    "target": target,
                    "mae_min": float(np.abs(obs_profile - model_profile).mean()),
                    "mae_ci95": jackknife_ci95(per_profile, partial(profile_mae, obs_profile)),
                    "corr": correlation(obs_profile, model_profile),
                    "corr_ci95": jackknife_ci95(per_profile, partial(profile_corr, obs_profile)),
                    "observed_mean_min": float(values.mean()),
                    "modelled_mean_min": float(modelled[have].mean()),
                    "modelled_mean_ci95": (
                        ci95_half_width(float(levels.std(ddof=1)), equilibria)
                        if equilibria > 1
                        else None
                    ),
                    "cell_mae_min": float(np.abs(values[have] - modelled[have]).mean()),
                    "naive_cell_mae_min": _scaled_mae(values, guess_np, np.ones(len(values)), both),
                    "naive_known_level_cell_mae_min": _scaled_mae(values, guess_np, level, both),
                    # a persistence forecast: each month's level from the fit months beside it
                    "naive_neighbour_level_cell_mae_min": _scaled_mae(values, guess_np, near, both),
                    "volume_wait_corr": volume_corr,
                }
            )
    return out


def neighbour_levels(fit_month_mean: pd.Series, months: np.ndarray) -> np.ndarray:
    """Per month given, the mean of the fit months' mean waits in the calendar months either
    side of it (never its own), or of every fit month where neither side is one. No wrap
    from December to January: CBP's averages are one calendar year's, so December's next
    month is another year's. A persistence forecast of a month's level
    (:func:`held_out_figures`)."""
    known = {int(m): float(v) for m, v in fit_month_mean.items()}
    every = sum(known.values()) / len(known) if known else math.nan
    out = np.empty(len(months))
    for i, month in enumerate(months):
        near = [known[m] for m in (int(month) - 1, int(month) + 1) if m in known]
        out[i] = sum(near) / len(near) if near else every
    return out


def _scaled_mae(
    values: np.ndarray, guess: np.ndarray, scale: np.ndarray, cells: np.ndarray
) -> float | None:
    """The mean absolute error of ``guess × scale`` over ``cells`` (None where there are none
    or the scale is not finite: a fit level of zero)."""
    scaled = (guess * scale)[cells]
    if not len(scaled) or not np.isfinite(scaled).all():
        return None
    return float(np.abs(values[cells] - scaled).mean())


def month_scales(
    store: Store, region: Region, year: int
) -> tuple[dict[int, dict[str, dict[str, float]]], dict[tuple[str, str], np.ndarray]]:
    """Per month (1–12): port → segment → the port's counted crossings a day that month over
    the year's mean (cars or trucks, by the segment's stream there), and per (port, segment)
    the counts a day. A port without a complete year of counts keeps its average day."""
    from border21.regions.observed import monthly_per_day

    scales: dict[int, dict[str, dict[str, float]]] = {m: {} for m in range(1, 13)}
    counted: dict[tuple[str, str], np.ndarray] = {}
    for pname, port in region.ports.items():
        if port.build:
            continue
        for sname, segment in region.segments.items():
            stream = segment.streams.get(pname)
            if stream is None:
                continue
            per_day = monthly_per_day(store, pname, _kind(region, pname, stream), year)
            if per_day is None or not per_day.mean() > 0:
                continue
            counted[(pname, sname)] = per_day
            for m in range(1, 13):
                scales[m].setdefault(pname, {})[sname] = float(per_day[m - 1] / per_day.mean())
    return scales, counted


def _kind(region: Region, port: str, stream: str) -> str:
    """The counted series a port stream follows: cars, trucks or pedestrians (its kind)."""
    from border21.ports.catalog import load_scenario

    kind = load_scenario(region.ports[port].scenario).streams[stream].kind
    return {"truck": "trucks", "pedestrian": "pedestrians"}.get(kind, "cars")


def fit_region(
    store: Store,
    region: Region,
    *,
    holdout: tuple[int, ...] = DEFAULT_HOLDOUT,
    rounds: int = 4,
    seed: int = 0,
    replications: int = SEARCH_REPLICATIONS,
    volume_year: int = 0,
    search: int | None = None,
    elasticities: bool = False,
    workers: int = 1,
) -> Fit:
    """Fit ``region``'s bias constants to its counted crossings and measure it against
    CBP's waits with ``holdout`` months held out.

    With a ``volume_year`` (0, the default: one average day for every month), the fitted
    region is solved once per month with each port's demand scaled by that month's counted
    crossings (:func:`month_scales`), so the cells of each month get that month's
    prediction; the same seeds in every month, so months differ by their volumes alone.
    """
    from border21.regions.equilibrium import segment_bands
    from border21.regions.observed import TARGET_MIN_OBSERVED, observed_cells, sandag_figures

    bad = [m for m in holdout if not 1 <= m <= 12]
    if bad or not holdout or len(set(holdout)) >= 12:
        raise InputError(
            "--holdout", ",".join(map(str, holdout)),
            Message("months 1–12, at least one held out and one left to fit"),
        )  # fmt: skip
    if search is None:  # not given: DEFAULT_SEARCH candidates, none with the region as shipped
        search = DEFAULT_SEARCH if rounds else 0
    _check_search(search)
    for option, given in (("--search", search), ("--elasticities", elasticities)):
        if given and not rounds:
            raise InputError(
                option, given,
                Message("cannot act with --rounds 0 (the region as shipped, nothing fitted): "
                        "give rounds, or leave {option} out", option=option),
            )  # fmt: skip
    year = volume_year  # 0: one average day
    if year != 0 and not MIN_VOLUME_YEAR <= year <= MAX_VOLUME_YEAR:
        raise InputError(
            "--volume-year", year,
            Message("must be 0 (one average day) or a year {lo}–{hi}",
                    lo=MIN_VOLUME_YEAR, hi=MAX_VOLUME_YEAR),
        )  # fmt: skip
    scales: dict[int, dict[str, dict[str, float]]] = {}
    counted: dict[tuple[str, str], np.ndarray] = {}
    if year:
        scales, counted = month_scales(store, region, year)
        if not counted:
            raise InputError(
                "--volume-year", year,
                Message("no port of the region has 12 months of counted crossings that year"),
            )  # fmt: skip
    cells = observed_cells(store, region.open_ports())
    fit_cells = cells[~cells["month"].isin(holdout)]
    profiles = fit_cells.groupby(["port", "segment", "hour"])["observed_min"].mean()
    targets = {
        (port, segment): profiles.loc[(port, segment)].reindex(range(24)).to_numpy(float)
        for (port, segment), mine in fit_cells.groupby(["port", "segment"])
        if mine["observed_min"].mean() >= TARGET_MIN_OBSERVED
    }
    fitted, trace, _result = fit_bias(region, rounds=rounds, seed=seed, replications=replications)
    search_trace: list[dict[str, Any]] = []
    if search:
        fitted, search_trace = search_officers(
            fitted, targets, size=search, seed=seed, replications=replications, workers=workers
        )
    elasticity_trace: list[dict[str, Any]] = []
    if elasticities:
        fitted, elasticity_trace = fit_elasticities(
            fitted, targets, seed=seed, replications=replications, workers=workers
        )
    # the prediction: the mean of EQUILIBRIA equilibria on independent seeds (near saturation
    # a region's waits depend on its equilibrium's path), per month when months have volumes
    keys = list(range(1, 13)) if year else [0]
    solved = _solved(
        [fitted.model_dump()] * len(keys), range(EQUILIBRIA), seed, replications, workers,
        scales=[scales.get(m) for m in keys],
    )  # fmt: skip
    months = dict(zip(keys, solved, strict=True))
    bands = segment_bands(fitted)
    return Fit(
        region=region.region.name,
        bias_utils={
            p: {
                sname: port.bias(sname)
                for sname, segment in fitted.segments.items()
                if p in segment.streams
            }
            for p, port in fitted.ports.items()
        },
        rounds=trace,
        # banded: whether officers hold the group's wait in a band (its band: `officers`);
        # without one its lanes keep the port scenario's schedule, and its waits follow it
        groups=[
            dict(g, banded=bool(bands.get((g["port"], g["lane_group"]))))
            for g in held_out_figures(cells, months, tuple(holdout), counted)
        ],
        equilibria=EQUILIBRIA,
        volume_year=year,
        search=search_trace,
        elasticities=elasticity_trace,
        choice={
            "shift_hour_minutes": fitted.choice.shift_hour_minutes,
            "forgo_minutes": fitted.choice.forgo_minutes,
        },
        officers={
            p: {
                "officers_on_duty": port.officers_on_duty,
                "bands": {
                    g: [b.min_wait_minutes, b.max_wait_minutes] for g, b in port.bands.items()
                },
            }
            for p, port in fitted.ports.items()
            if port.bands
        },
        month_scales={
            p: {sname: [scales[m][p][sname] for m in range(1, 13)] for sname in by_segment}
            for p, by_segment in (scales[1] if year else {}).items()
        },
        sandag_2017=sandag_figures([r for many in solved for r in many]),
    )

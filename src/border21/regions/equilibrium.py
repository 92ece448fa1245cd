"""Choice, officers and the port simulator, iterated to equilibrium.

Each iteration simulates every open port for ``equilibrium.days`` days with
the current flows and schedules (only the streams the region's segments take),
moves each lane group's correction of the fluid queue towards the simulated
waits of the last day, and then

1. lets officers set each banded group's booths hour by hour on the corrected
   fluid queue (:mod:`border21.regions.officers`), up to iteration
   ``lane_rule_until``; after it the booths are frozen, so the rule cannot
   cycle and the flows settle;
2. splits each segment's demand among zones and, zone by zone and hour by
   hour, among the ports (:mod:`border21.regions.choice`), solving the flows
   to the corrected model's equilibrium by the method of successive averages.

It stops when, the booths frozen, the flow gap falls below ``flow_tolerance``
and the corrections move less than ``wait_tolerance_minutes``, or after
``max_iterations``. One root seed gives every iteration's and evaluation's
child seed, so the same seed gives the same equilibrium. The equilibrium is
then run again on independent seeds, ``replications`` times, for the waits'
intervals.

The demand of a segment in an hour is the sum of its streams' arrivals at the
ports open in the base year (a build option adds no demand; a port's
``arrival_shapes`` replace a stream's hours), an average day (weekday shapes
of chosen streams are flattened), scaled per port by ``demand_scale`` if given.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message
from border21.ports.catalog import load_scenario
from border21.ports.config import PortScenario, validate_scenario
from border21.ports.edits import validated
from border21.ports.kernels.common import DAY, HOUR, HOURS_PER_DAY
from border21.ports.model import PortModel
from border21.regions import choice, fluid, officers
from border21.regions.config import Region, RegionPort
from border21.stats import ci95_half_width

PREFIX = "region_"  # chosen streams are renamed region_<segment> in the ports they may use
DAILY = -1  # the hour of a row that holds the whole day (arrival-weighted mean wait)
OWN = "lanes."  # a staff of its own (Band.own_officers) is named lanes.<group>


@dataclass(frozen=True)
class PortSetup:
    """One open port: its scenario mapping with one stream per segment, and its banded groups."""

    name: str
    template: dict[str, Any]
    segments: tuple[str, ...]  # the segments that may use the port
    programs: dict[str, str]  # segment -> its program
    base_flows: dict[str, np.ndarray]  # segment -> (24,) arrivals in the base year (0 if built)
    banded: tuple[str, ...]  # lane groups with a band
    bands: np.ndarray  # (G, 2) min, max wait minutes
    max_booths: np.ndarray  # (G,)
    min_booths: np.ndarray  # (G,) the fewest booths an open hour keeps
    pool: np.ndarray  # (G,) bool: the banded groups whose lanes are flexible (one pool)
    pool_booths: int  # the booths of the flexible pool (its groups' booths together)
    balance: tuple[int, int, float, float] | None  # giver, favoured, ratio, max wait (indices)
    base_booths: np.ndarray  # (G, 24) the scenario's schedule
    officers: np.ndarray  # (K, 24) booths the port can staff, per kind of traffic (staff)
    staff: np.ndarray  # (G,) each banded group's row of officers (its kind of traffic)
    kinds: tuple[str, ...]  # (K,) the kinds of traffic, the rows of officers
    available: dict[str, np.ndarray]  # segment -> (24,) bool, some eligible booth open
    groups: tuple[str, ...]  # lane groups some segment may join (the fluid model's)
    eligible: dict[str, tuple[int, ...]]  # segment -> indices into groups
    schedule: np.ndarray  # (len(groups), 24) the scenario's open booths
    service_seconds: dict[str, np.ndarray]  # segment -> mean primary seconds (24,) by hour
    cv2: float  # squared cv of primary service, mean over the segments' streams


@dataclass(frozen=True)
class PortHour:
    """One row of the result: a port's segment (or banded lane group) in one hour.

    A segment's row with ``hour = DAILY`` (−1) holds its day: crossings a day and the
    arrival-weighted mean wait, its interval from the replications' daily means.

    ``wait_minutes`` is the wait of those who *arrived* in the hour (what a traveller
    choosing that hour faces); ``reported_minutes`` is the wait of those who *reached the
    booth* in the hour, which is what CBP publishes: its waits at the busy ports are travel
    times between two Bluetooth readers, known only when a vehicle passes the second one
    near the booth (docs/regions.md, "What CBP's hourly waits measure"). Under an hour-long
    queue the two differ by about an hour.
    """

    port: str
    segment: str
    lane_group: str
    hour: int
    arrivals: float
    wait_minutes: float
    wait_half_width: float
    open_booths: int
    reported_minutes: float  # by the hour the booth was reached (CBP's measure)
    reported_half_width: float
    processed: float = 0.0  # crossings that reached the booth in the hour (mean of replications)


@dataclass(frozen=True)
class RegionResult:
    """An equilibrium: flows, waits and booths by port, segment, group and hour."""

    region: str
    ports: tuple[str, ...]
    iterations: int
    gap: float
    converged: bool
    gaps: tuple[float, ...]
    wait_change_minutes: float
    seed: int | None
    replications: int
    seconds: float
    demand_per_day: float  # travellers who meant to cross; those not in flows stayed home
    flows: dict[str, dict[str, list[float]]]  # port -> segment -> 24 arrivals
    booths: dict[str, dict[str, list[int]]]  # port -> banded group -> 24 open booths
    rows: tuple[PortHour, ...] = field(repr=False)

    @property
    def forgone_per_day(self) -> float:
        """Travellers a day who gave up the trip (0 unless travellers may forgo it)."""
        crossed = sum(sum(x) for f in self.flows.values() for x in f.values())
        return max(0.0, self.demand_per_day - crossed)  # not −1e−12 when nobody may forgo

    def port_totals(self) -> dict[str, dict[str, Any]]:
        """Per port: arrivals a day, in all and by segment. No wait is pooled over segments:
        a port's General cars, trucks and pedestrians wait in different lines (the waits are
        per segment, :meth:`summary`)."""
        out: dict[str, dict[str, Any]] = {}
        for port in self.ports:
            rows = [r for r in self.rows if r.port == port and r.segment and r.hour == DAILY]
            out[port] = {
                "crossings_per_day": sum(r.arrivals for r in rows),
                "by_segment": {r.segment: r.arrivals for r in rows},
            }
        return out

    def shares(self) -> dict[str, dict[str, float]]:
        """Per segment (and ``"all"``, every traveller): each port's share of those who crossed."""
        daily = [r for r in self.rows if r.segment and r.hour == DAILY]
        out: dict[str, dict[str, float]] = {}
        for seg in ["all", *dict.fromkeys(r.segment for r in daily)]:
            mine = [r for r in daily if seg in ("all", r.segment)]
            total = sum(r.arrivals for r in mine)
            out[seg] = {
                port: sum(r.arrivals for r in mine if r.port == port) / total if total else 0.0
                for port in self.ports
            }
        return out

    def summary(self, toll_usd: float | None = None) -> dict[str, object]:
        """The answer per toll: each port's share (all travellers, and per segment) and each
        port's mean wait by segment — the segment's lane group there — with its 95% interval."""
        daily = [r for r in self.rows if r.segment and r.hour == DAILY]
        shares = self.shares()
        return {
            "toll_usd": toll_usd,
            "share": shares.pop("all"),
            "share_by_segment": shares,
            "wait_min": {
                p: {r.segment: r.wait_minutes for r in daily if r.port == p} for p in self.ports
            },
            "wait_min_ci95": {
                p: {r.segment: r.wait_half_width for r in daily if r.port == p} for p in self.ports
            },
        }


# ------------------------------------------------------------------ setup


def _chosen_stream(stream: dict[str, Any], program: str) -> dict[str, Any]:
    service = dict(stream["primary_service"])
    by_program = service.pop("mean_seconds_by_program", {}) or {}
    service["mean_seconds"] = by_program.get(program, service["mean_seconds"])
    out = dict(stream, primary_service=service, program_shares={program: 1.0})
    by_referral = out.pop("referral_probability_by_program", {}) or {}
    out["referral_probability"] = by_referral.get(program, stream["referral_probability"])
    out["weekday_shape"] = [1.0] * 7
    return out


def _hour_flows(stream: Any, program: str) -> np.ndarray:
    """A program's arrivals by hour on the region's day: a full working day of the stream.

    A stream whose weekday shape is flat runs its average day. One quieter or closed on
    some days (trucks: El Paso's and Otay Mesa's close on Sundays and half-close on
    Saturdays, BOTA's on weekends) runs its busiest weekday, 7 × its peak weight / the
    week's weights × its average day: CBP publishes no wait for closed days, the port's
    truck lanes are staffed for the working day, and SANDAG counts Otay Mesa's trucks on a
    weekday (3,488; this gives 3,488 from BTS 2017's 2,547 a day). At the week's average,
    a Sunday's zero spread over the week, Ysleta's trucks waited 1 minute against CBP's 35.
    """
    shape = np.asarray(stream.hour_of_day_shape, dtype=float)
    share = float(stream.program_shares.get(program, 0.0))
    week = np.asarray(stream.weekday_shape, dtype=float)
    per_day = stream.crossings_per_day * 7.0 * week.max() / week.sum()
    return np.asarray(per_day * share * shape / shape.sum())


def _region_streams_only(data: dict[str, Any], kept: set[str]) -> None:
    """Drop, in place, the scenario's streams no segment takes (southbound cars) and what
    serves only them: their own lane groups and Mexican inspections. They share no primary
    lane with the region's travellers, so the waits read are the same in law; the
    simulation does less work (before pedestrians chose, a san_diego region-day 2.9 → 1.8 s
    with them and the southbound cars dropped)."""
    data["streams"] = {n: v for n, v in data["streams"].items() if n in kept}
    lanes = {}
    for g, group in data["lanes"].items():
        mine = [s for s in group["streams"] if s in kept]
        if mine:
            lanes[g] = dict(group, streams=mine)
    data["lanes"] = lanes
    cooperation = data.get("cooperation")
    if cooperation:
        for key in ("import_inspection", "export_inspection"):
            stage = cooperation.get(key)
            if stage is not None:
                mine = [s for s in stage["streams"] if s in kept]
                cooperation[key] = dict(stage, streams=mine) if mine else None
        if cooperation.get("export_inspection") is None:
            cooperation["unified_cargo_processing"] = False


def _port_setup(region: Region, pname: str) -> PortSetup:
    rport = region.ports[pname]
    scenario = load_scenario(rport.scenario)
    data = scenario.model_dump()
    uses = {s: seg.streams[pname] for s, seg in region.segments.items() if pname in seg.streams}
    for sname, stream_name in uses.items():
        if stream_name not in scenario.streams:
            known = ", ".join(scenario.streams)
            raise InputError(
                f"segments.{sname}.streams.{pname}", stream_name,
                Message("no such stream in scenario {scenario!r} ({known})",
                        scenario=rport.scenario, known=known),
            )  # fmt: skip
    base: dict[str, np.ndarray] = {}
    for stream_name in dict.fromkeys(uses.values()):  # file order: a set would vary by process
        stream = scenario.streams[stream_name]
        takers = [s for s, used in uses.items() if used == stream_name]
        programs = {region.segments[s].program for s in takers}
        for program, share in stream.program_shares.items():
            if share > 0 and program not in programs:
                raise InputError(
                    f"ports.{pname}", rport.scenario,
                    Message("stream {stream!r} has {program} crossings that no segment takes",
                            stream=stream_name, program=program),
                )  # fmt: skip
        for s in takers:
            program = region.segments[s].program
            data["streams"][PREFIX + s] = _chosen_stream(data["streams"][stream_name], program)
            if s in rport.service_by_hour:  # the region's booth speeds over the day
                data["streams"][PREFIX + s]["primary_service"]["factor_by_hour"] = list(
                    rport.service_by_hour[s]
                )
            base[s] = np.zeros(24) if rport.build else _hour_flows(stream, program)
            if s in rport.arrival_shapes:  # the region's hours for the scenario's day
                shape = np.asarray(rport.arrival_shapes[s], dtype=float)
                base[s] = base[s].sum() * shape / shape.sum()
        del data["streams"][stream_name]
        for group in data["lanes"].values():
            if stream_name in group["streams"]:
                group["streams"] = [g for g in group["streams"] if g != stream_name] + [
                    PREFIX + s for s in takers
                ]
    for gname, band in rport.bands.items():
        if gname not in scenario.lanes:
            known = ", ".join(scenario.lanes)
            raise InputError(
                f"ports.{pname}.bands.{gname}", "{...}",
                Message("no such lane group in scenario {scenario!r} ({known})",
                        scenario=rport.scenario, known=known),
            )  # fmt: skip
        if band.min_booths > scenario.lanes[gname].booths:
            raise InputError(
                f"ports.{pname}.bands.{gname}.min_booths", band.min_booths,
                Message("more than the group's {booths} booths",
                        booths=scenario.lanes[gname].booths),
            )  # fmt: skip
    _region_streams_only(data, {PREFIX + s for s in uses})
    per_lane = {scenario.lanes[g].booths_per_lane for g in rport.flexible}
    if len(per_lane) > 1:
        raise InputError(
            f"ports.{pname}.flexible", list(rport.flexible),
            Message("the groups' lanes have different booths per lane; a lane cannot move"),
        )  # fmt: skip
    pool_lanes = sum(scenario.lanes[g].lanes for g in rport.flexible)
    for g in rport.flexible:  # each flexible group may take every lane of the pool
        data["lanes"][g] = dict(data["lanes"][g], lanes=pool_lanes)
    ported = validated(data)
    banded = tuple(rport.bands)
    base_booths = np.array([scenario.lanes[g].open_booths() for g in banded], dtype=np.int64)
    base_booths = base_booths.reshape(len(banded), 24)
    kinds, staff = _staffs(rport, scenario, banded, pname)
    most = np.array([ported.lanes[g].booths for g in banded], dtype=np.int64)
    balance = None
    if rport.balance is not None:
        favoured = banded.index(rport.balance.favoured)
        giver = banded.index(next(g for g in rport.flexible if g != rport.balance.favoured))
        if staff[giver] != staff[favoured]:
            raise InputError(
                f"ports.{pname}.balance", rport.balance.favoured,
                Message("cannot act: the pool's groups are staffed apart (own_officers); a "
                        "booth cannot move between staffs"),
            )  # fmt: skip
        balance = (giver, favoured, rport.balance.ratio, rport.balance.max_wait_minutes)

    def _staffed(kind: str, k: int) -> np.ndarray:
        """The booths a staff not given in officers_on_duty can staff in each hour: a group's
        own officers every booth it has (SANDAG's rule opens a SENTRI lane whenever the
        wait is over the band, up to the lanes there are), a kind's the booths its groups'
        schedules staff in the hour."""
        if kind.startswith(OWN):
            return np.full(24, float(most[staff == k].sum()))
        return np.asarray(base_booths[staff == k].sum(axis=0), dtype=float)

    available, eligible_names = {}, {}
    for s in uses:
        eligible_names[s] = ported.eligible_groups(PREFIX + s, region.segments[s].program)
        opened = np.array([ported.lanes[g].open_booths() for g in eligible_names[s]]).sum(axis=0)
        available[s] = opened > 0
    groups = tuple(sorted({g for names in eligible_names.values() for g in names}))
    streams = {s: ported.streams[PREFIX + s].primary_service for s in uses}
    return PortSetup(
        name=pname,
        template=data,
        segments=tuple(uses),
        programs={s: region.segments[s].program for s in uses},
        base_flows=base,
        banded=banded,
        bands=np.array(
            [[b.min_wait_minutes, b.max_wait_minutes] for b in rport.bands.values()]
        ).reshape(len(banded), 2),
        max_booths=most,
        min_booths=np.array([b.min_booths for b in rport.bands.values()], dtype=np.int64),
        pool=np.array([g in rport.flexible for g in banded], dtype=bool),
        pool_booths=sum(scenario.lanes[g].booths for g in rport.flexible),
        balance=balance,
        base_booths=base_booths,
        officers=np.array(
            [
                rport.officers_on_duty[kind]
                if kind in rport.officers_on_duty
                else np.floor(rport.officers_scale * _staffed(kind, k) + 1e-9)
                for k, kind in enumerate(kinds)
            ],
            dtype=np.int64,
        ).reshape(len(kinds), 24),
        staff=staff,
        kinds=tuple(kinds),
        available=available,
        groups=groups,
        eligible={s: tuple(groups.index(g) for g in names) for s, names in eligible_names.items()},
        schedule=np.array([ported.lanes[g].open_booths() for g in groups], dtype=np.int64).reshape(
            len(groups), 24
        ),
        service_seconds={
            s: np.asarray(service.hourly_means(region.segments[s].program))
            for s, service in streams.items()
        },
        cv2=float(np.mean([service.effective_cv**2 for service in streams.values()] or [1.0])),
    )


def segment_bands(
    region: Region, build: Sequence[str] = ()
) -> dict[tuple[str, str], tuple[tuple[str, float, float], ...]]:
    """Per open port (the existing ones and those in ``build``) and segment, the bands
    officers hold on the lane groups the segment uses there, as (group, minimum, maximum
    wait in minutes); empty where those lanes keep the port scenario's booth schedule
    (SENTRI at San Ysidro, say), so their waits follow that schedule, not the officers'
    response to the queue."""
    out: dict[tuple[str, str], tuple[tuple[str, float, float], ...]] = {}
    for port in region.open_ports(build):
        setup = _port_setup(region, port)
        for segment, eligible in setup.eligible.items():
            held = [setup.groups[i] for i in eligible if setup.groups[i] in setup.banded]
            out[(port, segment)] = tuple(
                (g, float(band[0]), float(band[1]))
                for g, band in ((g, setup.bands[setup.banded.index(g)]) for g in held)
            )
    return out


def band_text(bands: tuple[tuple[str, float, float], ...], unbanded: str) -> str:
    """A segment's bands (:func:`segment_bands`) as a table prints them: "60–65", each group
    named when the segment uses several, ``unbanded`` when its lanes keep the schedule."""
    if not bands:
        return unbanded
    if len(bands) == 1:
        return f"{bands[0][1]:g}–{bands[0][2]:g}"
    return "; ".join(f"{g} {low:g}–{high:g}" for g, low, high in bands)


def _staffs(
    rport: RegionPort, scenario: PortScenario, banded: tuple[str, ...], pname: str
) -> tuple[list[str], np.ndarray]:
    """The staffs of the port's banded groups and each group's index among them: car, truck
    and pedestrian lanes are staffed apart, each by its own officers on duty (a group's
    kind: its first stream's; no shipped lane mixes kinds), and a group with
    ``own_officers`` by a staff of its own, named ``lanes.GROUP``."""
    of_group = [
        f"{OWN}{g}"
        if rport.bands[g].own_officers
        else scenario.streams[scenario.lanes[g].streams[0]].kind
        for g in banded
    ]
    kinds: list[str] = list(dict.fromkeys(of_group))
    for kind in rport.officers_on_duty:
        if kind not in kinds:
            raise InputError(
                f"ports.{pname}.officers_on_duty.{kind}", "[...]",
                Message("cannot act: no banded lane group serves {kind} traffic without "
                        "own_officers (bands: {bands})",
                        kind=kind, bands=", ".join(banded) or Message("none")),
            )  # fmt: skip
    if rport.officers_scale != 1.0 and all(k in rport.officers_on_duty for k in kinds):
        raise InputError(
            f"ports.{pname}.officers_scale", rport.officers_scale,
            Message("cannot act: officers_on_duty gives every kind of traffic's officers"),
        )  # fmt: skip
    return kinds, np.array([kinds.index(k) for k in of_group], dtype=np.int64)


def _scaled(setup: PortSetup, scale: Mapping[str, Mapping[str, float]] | None) -> PortSetup:
    """The port with each segment's base flows times its factor (1 where none is given)."""
    factors = (scale or {}).get(setup.name, {})
    for s, f in factors.items():
        if not (np.isfinite(f) and 0 < f <= 10):
            raise InputError(f"demand_scale.{setup.name}.{s}", f, Message("must be in (0, 10]"))
    flows = {s: x * float(factors.get(s, 1.0)) for s, x in setup.base_flows.items()}
    return replace(setup, base_flows=flows)


def _scenario(
    setup: PortSetup, flows: Mapping[str, np.ndarray], booths: np.ndarray
) -> PortScenario:
    data = {**setup.template, "streams": dict(setup.template["streams"])}
    data["lanes"] = {g: dict(v) for g, v in setup.template["lanes"].items()}
    for s in setup.segments:
        x = np.maximum(flows[s], 0.0)
        stream = dict(data["streams"][PREFIX + s])
        stream["crossings_per_day"] = float(x.sum())
        stream["hour_of_day_shape"] = [float(v) for v in x] if x.sum() > 0 else [1.0] * 24
        data["streams"][PREFIX + s] = stream
    for g, row in zip(setup.banded, booths, strict=True):
        data["lanes"][g]["open_booths_by_hour"] = [int(n) for n in row]
        data["lanes"][g]["staffed_booths"] = None
    # Validated straight (no overrides to apply, so no deep copy first: 0.1 s a san_diego
    # region-day; pydantic does not change the mapping it validates).
    return validate_scenario(data)


# ------------------------------------------------------------------ one simulation


def _last_day(times: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``times`` (arrivals, or when the booth was reached) fall on the last simulated
    day, and their hours."""
    start = (days - 1) * DAY
    keep = (times >= start) & (times < start + DAY)
    hours = np.minimum(((times[keep] - start) // HOUR).astype(np.int64), 23)
    return keep, hours


@dataclass(frozen=True)
class PortWaits:
    segment_wait: dict[str, np.ndarray]  # minutes by the hour of arrival
    segment_count: dict[str, np.ndarray]
    group_wait: dict[str, np.ndarray]
    group_count: dict[str, np.ndarray]
    segment_reported: dict[str, np.ndarray] = field(default_factory=dict)  # by booth hour
    group_reported: dict[str, np.ndarray] = field(default_factory=dict)
    segment_processed: dict[str, np.ndarray] = field(default_factory=dict)  # count, booth hour


def _means_by(
    keys: np.ndarray, hours: np.ndarray, values: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per key (0 … n − 1) and hour: the mean of ``values`` and the count, (n, 24) each."""
    cell = keys.astype(np.int64) * HOURS_PER_DAY + hours
    count = np.bincount(cell, minlength=n * HOURS_PER_DAY).astype(float)
    total = np.bincount(cell, weights=values, minlength=n * HOURS_PER_DAY).astype(float)
    mean = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
    return mean.reshape(n, HOURS_PER_DAY), count.reshape(n, HOURS_PER_DAY)


def _simulate(scenario: PortScenario, setup: PortSetup, days: int, seed: Any) -> PortWaits:
    """One simulation's waits by group and segment: by arrival hour, and by the hour the booth
    was reached (CBP's measure), the crossings of the last day in each."""
    records = PortModel(scenario).simulate(days, np.random.default_rng(seed))
    waits = (records.service_start - records.arrival) / 60.0
    arrived, hours = _last_day(records.arrival, days)
    reached, booth_hours = _last_day(records.service_start, days)
    n_groups, n_streams = len(records.group_names), len(records.stream_names)
    group_wait, group_n = _means_by(records.group[arrived], hours, waits[arrived], n_groups)
    group_seen, group_m = _means_by(records.group[reached], booth_hours, waits[reached], n_groups)
    stream_wait, stream_n = _means_by(records.stream[arrived], hours, waits[arrived], n_streams)
    stream_seen, stream_m = _means_by(
        records.stream[reached], booth_hours, waits[reached], n_streams
    )
    index = {g: i for i, g in enumerate(records.group_names)}
    seg_wait, seg_count, seg_reported, seg_processed = {}, {}, {}, {}
    for s in setup.segments:
        code = records.stream_names.index(PREFIX + s)
        # An hour nobody of the segment used: the wait of the groups it may join.
        eligible = [index[g] for g in scenario.eligible_groups(PREFIX + s, setup.programs[s])]
        fallback = np.max(group_wait[eligible], axis=0, initial=0.0)
        seg_wait[s] = np.where(stream_n[code] > 0, stream_wait[code], fallback)
        seg_count[s] = stream_n[code]
        seg_reported[s] = np.where(stream_m[code] > 0, stream_seen[code], seg_wait[s])
        seg_processed[s] = stream_m[code]
    names = records.group_names
    return PortWaits(
        seg_wait,
        seg_count,
        {g: group_wait[i] for i, g in enumerate(names)},
        {g: group_n[i] for i, g in enumerate(names)},
        seg_reported,
        {g: np.where(group_m[i] > 0, group_seen[i], group_wait[i]) for i, g in enumerate(names)},
        seg_processed,
    )


# ------------------------------------------------------------------ the loop


def _demand(region: Region, setups: Sequence[PortSetup]) -> dict[str, np.ndarray]:
    demand = {s: np.zeros(HOURS_PER_DAY) for s in region.segments}
    for setup in setups:
        for s, flows in setup.base_flows.items():
            demand[s] += flows
    return demand


@dataclass(frozen=True)
class _Segment:
    """What a segment's choice holds fixed while the waits move: built once per MSA call
    (the arrays were rebuilt at each of its steps, 0.2 of a san_diego region-day's 2.5 s)."""

    name: str
    ports: tuple[str, ...]
    travel: np.ndarray  # (Z, P) minutes
    toll: np.ndarray  # (P,) USD
    bias: np.ndarray  # (P,) utils
    available: np.ndarray  # (Z, H, P) bool
    by_zone: np.ndarray  # (Z, H) who meant to cross when
    value_of_time: float


def _segments(region: Region, setups: Sequence[PortSetup]) -> list[_Segment]:
    demand = _demand(region, setups)
    zones = list(region.zones.values())
    out = []
    for sname, segment in region.segments.items():
        ports = [p for p in setups if sname in p.segments]
        if not ports:
            continue
        available = np.stack([p.available[sname] for p in ports], axis=1)[None, :, :]
        zone_share = np.array([z.shares.get(sname, 0.0) for z in zones])
        out.append(
            _Segment(
                name=sname,
                ports=tuple(p.name for p in ports),
                travel=np.array([[z.travel_minutes[p.name] for p in ports] for z in zones]),
                toll=np.array([region.ports[p.name].toll_usd.get(sname, 0.0) for p in ports]),
                bias=np.array([region.ports[p.name].bias(sname) for p in ports]),
                available=np.broadcast_to(available, (len(zones), *available.shape[1:])),
                by_zone=zone_share[:, None] * demand[sname][None, :],
                value_of_time=segment.value_of_time_usd_per_hour,
            )
        )
    return out


def _choose(
    region: Region, segments: Sequence[_Segment], waits: Mapping[str, PortWaits]
) -> dict[str, dict[str, np.ndarray]]:
    """Each segment's demand split among the open ports, zone by zone and hour by hour."""
    out: dict[str, dict[str, np.ndarray]] = {p: {} for p in waits}
    for seg in segments:
        wait = np.stack([waits[p].segment_wait[seg.name] for p in seg.ports], axis=1)
        utility = choice.utilities(
            seg.travel, wait, seg.toll, seg.bias,
            travel_minute_utils=region.choice.travel_minute_utils,
            port_time_weight=region.choice.port_time_weight,
            value_of_time_usd_per_hour=seg.value_of_time,
        )  # fmt: skip
        shares = choice.logit_shares(utility, seg.available)
        by_zone = seg.by_zone
        if region.choice.shift_hour_minutes is not None:
            moved = choice.hour_shares(
                choice.logsums(utility, seg.available),
                travel_minute_utils=region.choice.travel_minute_utils,
                shift_minutes=region.choice.shift_hour_minutes,
                forgo_minutes=region.choice.forgo_minutes or 0.0,
            )
            by_zone = np.einsum("zh,zhk->zk", by_zone, moved)[:, :HOURS_PER_DAY]
        flows = np.einsum("zh,zhp->ph", by_zone, shares)
        for i, p in enumerate(seg.ports):
            out[p][seg.name] = flows[i]
    return out


def _gap(
    target: Mapping[str, Mapping[str, np.ndarray]], flows: Mapping[str, Mapping[str, np.ndarray]]
) -> float:
    moved = sum(float(np.abs(target[p][s] - flows[p][s]).sum()) for p in flows for s in flows[p])
    total = sum(float(flows[p][s].sum()) for p in flows for s in flows[p])
    return moved / total if total > 0 else 0.0


def _seeds(
    seed: int | None, iterations: int, replications: int
) -> tuple[list[np.random.SeedSequence], list[np.random.SeedSequence]]:
    """One child seed per iteration and one per evaluation replication, from one root."""
    children = np.random.SeedSequence(seed).spawn(2)
    return children[0].spawn(iterations), children[1].spawn(replications)


def _open_booths(setup: PortSetup, booths: np.ndarray) -> np.ndarray:
    """Open booths of the fluid model's groups: the officers' where banded, else the schedule."""
    out = setup.schedule.copy()
    for gi, g in enumerate(setup.banded):
        if g in setup.groups:
            out[setup.groups.index(g)] = booths[gi]
    return out


@dataclass(frozen=True)
class _Lanes:
    """A port's lanes while its booths stay put: what turns flows into its groups' loads and
    its groups' waits into each segment's (the fluid model's hot path, built once per
    booth pattern rather than once per MSA step; a san_diego region-day 1.62 → 1.46 s, and
    with the simulated waits' bincounts (:func:`_means_by`) 1.62 → 1.30 s)."""

    open_booths: np.ndarray  # (G, 24)
    split: np.ndarray  # (S, G, 24): the share of a segment's arrivals each group takes
    service: np.ndarray  # (S, 24) the segment's mean primary seconds by hour
    plain: float  # the mean service of a group nobody joins
    none_open: np.ndarray  # (S, 24): no eligible booth open (the wait is the groups' worst)
    eligible: np.ndarray  # (S, G) bool


def _lanes(setup: PortSetup, booths: np.ndarray) -> _Lanes:
    open_booths = _open_booths(setup, booths)
    cap = open_booths.astype(float)
    segments = len(setup.segments)
    split = np.zeros((segments, *cap.shape))
    eligible = np.zeros((segments, cap.shape[0]), dtype=bool)
    for si, s in enumerate(setup.segments):
        idx = list(setup.eligible[s])
        eligible[si, idx] = True
        total = cap[idx].sum(axis=0)
        split[si, idx] = np.divide(cap[idx], total, out=np.zeros_like(cap[idx]), where=total > 0)
    return _Lanes(
        open_booths=open_booths,
        split=split,
        service=np.array([setup.service_seconds[s] for s in setup.segments]).reshape(segments, 24),
        plain=float(np.mean(list(setup.service_seconds.values()))),
        none_open=split.sum(axis=1) == 0,
        eligible=eligible,
    )


def _load(
    setup: PortSetup, flows: Mapping[str, np.ndarray], lanes: _Lanes
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrivals, open booths and mean service (G, 24) of the port's groups: each segment
    splits over its groups by open booths."""
    x = np.stack([flows[s] for s in setup.segments])
    arrivals = np.einsum("sgh,sh->gh", lanes.split, x)
    work = np.einsum("sgh,sh->gh", lanes.split, x * lanes.service)
    mean_service = np.divide(work, arrivals, out=np.zeros_like(work), where=arrivals > 0)
    return arrivals, lanes.open_booths, np.where(arrivals > 0, mean_service, lanes.plain)


def _fluid(setup: PortSetup, flows: Mapping[str, np.ndarray], lanes: _Lanes) -> np.ndarray:
    """Fluid waits (G, 24) of the port's groups."""
    arrivals, open_booths, mean_service = _load(setup, flows, lanes)
    return fluid.group_waits(arrivals, open_booths, mean_service, setup.cv2)


def _surrogate(
    setup: PortSetup, flows: Mapping[str, np.ndarray], lanes: _Lanes, offset: np.ndarray
) -> PortWaits:
    """The waits travellers and officers see: fluid waits plus the simulator's mean offset.
    A segment's wait is its groups' weighted by open booths (the worst where none is open)."""
    groups = np.maximum(_fluid(setup, flows, lanes) + offset, 0.0)
    mixed = np.einsum("sgh,gh->sh", lanes.split, groups)
    if lanes.none_open.any():
        worst = np.where(lanes.eligible[:, :, None], groups[None], -np.inf).max(axis=1)
        mixed = np.where(lanes.none_open, worst, mixed)
    seg_wait = dict(zip(setup.segments, mixed, strict=True))
    by_group = {g: groups[i] for i, g in enumerate(setup.groups)}
    for g in setup.banded:  # a banded group no segment joins: its simulated waits are not modelled
        by_group.setdefault(g, np.zeros(HOURS_PER_DAY))
    return PortWaits(seg_wait, {}, by_group, {})


def _offset_step(
    setup: PortSetup, offset: np.ndarray, simulated: PortWaits, fluid_waits: np.ndarray, k: int
) -> np.ndarray:
    """Move the offset 1/k towards this iteration's simulated − fluid wait, where anyone crossed."""
    new = offset.copy()
    for i, g in enumerate(setup.groups):
        seen = simulated.group_count[g] > 0
        diff = simulated.group_wait[g] - fluid_waits[i]
        new[i] = np.where(seen, offset[i] + (diff - offset[i]) / k, offset[i])
    return new


def _officers_act(
    setups: Sequence[PortSetup],
    booths: dict[str, np.ndarray],
    flows: Mapping[str, Mapping[str, np.ndarray]],
    offsets: Mapping[str, np.ndarray],
) -> bool:
    """Officers set every banded port's booths hour by hour (:func:`officers.hold_band`) on
    the corrected fluid model, in place; whether any booth opened or closed."""
    moved = False
    for p in setups:
        rows = [p.groups.index(g) for g in p.banded if g in p.groups]
        if len(rows) != len(p.banded):  # a banded group no segment joins: nothing to watch
            continue
        arrivals, _open, service = _load(p, flows[p.name], _lanes(p, booths[p.name]))
        new = officers.hold_band(
            arrivals[rows], booths[p.name], service[rows], p.cv2, p.bands, p.max_booths,
            p.officers, offsets[p.name][rows], pool=p.pool, pool_booths=p.pool_booths,
            staff=p.staff, min_booths=p.min_booths, balance=p.balance,
        )  # fmt: skip
        moved |= bool((new != booths[p.name]).any())
        booths[p.name] = new
    return moved


def _inner(
    region: Region,
    setups: Sequence[PortSetup],
    flows: Mapping[str, Mapping[str, np.ndarray]],
    booths: Mapping[str, np.ndarray],
    offsets: Mapping[str, np.ndarray],
    iterations: int,
    done: int,
) -> tuple[dict[str, dict[str, np.ndarray]], float]:
    """MSA on the corrected fluid model (smooth, deterministic, ~3 ms a step).

    The steps continue the count of earlier iterations (``done``, capped by the
    caller): the offsets move by 1/k between iterations, so the previous flows
    are already close and a restart at step 1/2 would throw them away. Returns
    the flows and their last gap.
    """
    x = {p: {s: v.copy() for s, v in f.items()} for p, f in flows.items()}
    lanes = {p.name: _lanes(p, booths[p.name]) for p in setups}  # booths stay put in here
    segments = _segments(region, setups)
    gap = float("inf")
    for j in range(done + 1, done + iterations + 1):
        seen = {p.name: _surrogate(p, x[p.name], lanes[p.name], offsets[p.name]) for p in setups}
        target = _choose(region, segments, seen)
        gap = _gap(target, x)
        for p in x:
            for s in x[p]:
                x[p][s] = x[p][s] + (target[p][s] - x[p][s]) / (j + 1)
    return x, gap


def solve(
    region: Region,
    *,
    build: Sequence[str] = (),
    seed: int | None = 0,
    replications: int = 3,
    demand_scale: Mapping[str, Mapping[str, float]] | None = None,
) -> RegionResult:
    """Solve the region to equilibrium and evaluate it on ``replications`` independent seeds.

    ``demand_scale`` (port → segment → factor, finite and in (0, 10]) scales the base
    flows each existing port contributes to a segment's demand: a month's volumes
    against the base year's average day (:func:`border21.regions.fit.month_scales`).

    >>> from border21.regions.config import load_region
    >>> region = load_region("san_diego", ["equilibrium.max_iterations=2"])
    >>> result = solve(region, seed=1, replications=2)
    >>> result.iterations, result.converged, result.ports
    (2, False, ('san_ysidro', 'otay_mesa', 'tecate'))
    """
    started = time.perf_counter()
    if replications < 1:
        raise InputError("replications", replications, Message("must be at least 1"))
    setups = [_scaled(_port_setup(region, p), demand_scale) for p in region.open_ports(build)]
    for pname, factors in (demand_scale or {}).items():
        known = next((p.segments for p in setups if p.name == pname), ())
        for s in set(factors) - set(known) if known else [pname]:
            raise InputError(
                f"demand_scale.{pname}" + (f".{s}" if known else ""), factors.get(s, pname),
                Message("names no open port and segment of the region"),
            )  # fmt: skip
    eq = region.equilibrium
    iteration_seeds, evaluation = _seeds(seed, eq.max_iterations, replications)
    flows = {p.name: {s: p.base_flows[s].copy() for s in p.segments} for p in setups}
    booths = {p.name: p.base_booths.copy() for p in setups}
    offsets = {p.name: np.zeros((len(p.groups), HOURS_PER_DAY)) for p in setups}
    gaps: list[float] = []
    changes: list[float] = []
    converged = False
    k = settled_since = 0
    for k in range(1, eq.max_iterations + 1):
        seeds = iteration_seeds[k - 1].spawn(len(setups))
        moved_minutes = crossed = 0.0
        for i, p in enumerate(setups):
            simulated = _simulate(_scenario(p, flows[p.name], booths[p.name]), p, eq.days, seeds[i])
            new = _offset_step(
                p,
                offsets[p.name],
                simulated,
                _fluid(p, flows[p.name], _lanes(p, booths[p.name])),
                k,
            )
            for gi, g in enumerate(p.groups):
                count = simulated.group_count[g]
                moved_minutes += float((count * np.abs(new[gi] - offsets[p.name][gi])).sum())
                crossed += float(count.sum())
            offsets[p.name] = new
        change = moved_minutes / crossed if crossed > 0 else 0.0
        lanes_moved = k <= eq.lane_rule_until and _officers_act(setups, booths, flows, offsets)
        if lanes_moved or k <= eq.lane_rule_until:
            settled_since = k
        before = flows
        # the steps continue from earlier iterations, but never below 1/(3 · inner): the
        # offsets keep moving, and flows stepped at 1/2000 cannot follow them (el_paso's gap
        # grew from 0.9% to 6% over 20 settled iterations; capped, it stays near 1%)
        done = min(k - settled_since, 2) * eq.inner_iterations
        # while officers still move lanes the flows need not settle: a fifth of the steps
        # (a san_diego region-day 3.6 → 2.9 s, the results within seed noise)
        steps = eq.inner_iterations if k > eq.lane_rule_until else max(1, eq.inner_iterations // 5)
        flows, inner_gap = _inner(region, setups, flows, booths, offsets, steps, done)
        moved = _gap(flows, before)
        gaps.append(max(inner_gap, moved))
        changes.append(change)
        if (
            gaps[-1] < eq.flow_tolerance
            and change < eq.wait_tolerance_minutes
            and not lanes_moved
            and k > eq.lane_rule_until
        ):
            converged = True
            break
    rows = _evaluate(setups, flows, booths, eq.days, evaluation)
    return RegionResult(
        region=region.region.name,
        ports=tuple(p.name for p in setups),
        iterations=k,
        gap=gaps[-1],
        converged=converged,
        gaps=tuple(gaps),
        wait_change_minutes=changes[-1],
        seed=seed,
        replications=replications,
        seconds=time.perf_counter() - started,
        demand_per_day=float(sum(x.sum() for x in _demand(region, setups).values())),
        flows={p: {s: [float(v) for v in x] for s, x in f.items()} for p, f in flows.items()},
        booths={
            p.name: {
                g: [int(n) for n in row] for g, row in zip(p.banded, booths[p.name], strict=True)
            }
            for p in setups
        },
        rows=tuple(rows),
    )


def _evaluate(
    setups: Sequence[PortSetup],
    flows: Mapping[str, Mapping[str, np.ndarray]],
    booths: Mapping[str, np.ndarray],
    days: int,
    seeds: Sequence[np.random.SeedSequence],
) -> list[PortHour]:
    """Waits at the equilibrium on independent seeds: mean and 95% half-width, by hour."""
    rows: list[PortHour] = []
    for p in setups:
        scenario = _scenario(p, flows[p.name], booths[p.name])
        runs = [_simulate(scenario, p, days, seed) for seed in seeds]
        for s in p.segments:
            waits = np.stack([r.segment_wait[s] for r in runs])
            reported = np.stack([r.segment_reported[s] for r in runs])
            processed = np.stack([r.segment_processed[s] for r in runs]).mean(axis=0)
            x = flows[p.name][s]
            daily = waits @ x / x.sum() if x.sum() > 0 else waits.mean(axis=1)
            rows.append(
                _row(p.name, s, "", DAILY, float(x.sum()), daily, 0, daily, processed.sum())
            )
            for h in range(HOURS_PER_DAY):
                rows.append(
                    _row(p.name, s, "", h, x[h], waits[:, h], 0, reported[:, h], processed[h])
                )
        for gi, g in enumerate(p.banded):
            waits = np.stack([r.group_wait[g] for r in runs])
            reported = np.stack([r.group_reported[g] for r in runs])
            for h in range(HOURS_PER_DAY):
                n = int(booths[p.name][gi, h])
                rows.append(_row(p.name, "", g, h, 0.0, waits[:, h], n, reported[:, h]))
    return rows


def _half(waits: np.ndarray) -> float:
    return ci95_half_width(float(waits.std(ddof=1)), len(waits)) if len(waits) > 1 else float("nan")


def _row(
    port: str,
    segment: str,
    group: str,
    hour: int,
    arrivals: float,
    waits: np.ndarray,
    booths: int,
    reported: np.ndarray,
    processed: float = 0.0,
) -> PortHour:
    """A row of replications' waits by arrival hour and by the hour the booth was reached."""
    return PortHour(
        port, segment, group, hour, float(arrivals), float(waits.mean()), _half(waits), booths,
        float(reported.mean()), _half(reported), float(processed),
    )  # fmt: skip

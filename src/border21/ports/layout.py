"""Compile a :class:`PortScenario` into the flat arrays the kernels read.

Lane groups become individual lanes, lanes become booths; every (stream,
program) pair with a positive share becomes a *class* with the list of lanes
its crossings may join. Secondary areas are laid out the same way: one class
and one lane per area, one booth per bay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from border21.ports.config import PortScenario
from border21.ports.kernels.arrivals import intensity_tables
from border21.ports.kernels.common import HOUR
from border21.ports.kernels.queue import lane_hours, lane_keys
from border21.ports.kernels.service import dist_params
from border21.ports.kernels.tables import QueueTables, RandomModel


@dataclass(frozen=True, slots=True)
class QueueLayout:
    """One queueing stage: its lane groups by name and program, and its kernel tables."""

    group_names: tuple[str, ...]
    group_program: tuple[str, ...]
    tables: QueueTables

    @property
    def n_lanes(self) -> int:
        return int(self.tables.lane_group.shape[0])

    @property
    def n_booths(self) -> int:
        return int(self.tables.booth_rank.shape[0])


def build_layout(
    groups: Sequence[tuple[str, str, int, int, list[int]]],
    class_groups: list[list[int]],
) -> QueueLayout:
    """Lay out lane groups ``(name, program, lanes, booths_per_lane, open_by_hour)``.

    ``class_groups[c]`` lists the group indices class ``c`` may use.
    """
    lane_group: list[int] = []
    lane_first: list[int] = []
    lane_nb: list[int] = []
    booth_rank: list[int] = []
    group_lanes: list[list[int]] = []
    for g, (_, _, n_lanes, per_lane, _) in enumerate(groups):
        lanes_here = []
        for i in range(n_lanes):
            lanes_here.append(len(lane_group))
            lane_group.append(g)
            lane_first.append(len(booth_rank))
            lane_nb.append(per_lane)
            booth_rank.extend(j * n_lanes + i for j in range(per_lane))
        group_lanes.append(lanes_here)
    class_ptr = [0]
    class_lanes: list[int] = []
    for gs in class_groups:
        for g in gs:
            class_lanes.extend(group_lanes[g])
        class_ptr.append(len(class_lanes))
    sched = np.array([g[4] for g in groups], dtype=np.int64).reshape(len(groups), 24)
    totals = np.array([g[2] * g[3] for g in groups], dtype=np.int64)
    return QueueLayout(
        group_names=tuple(g[0] for g in groups),
        group_program=tuple(g[1] for g in groups),
        tables=queue_tables(
            class_ptr=np.asarray(class_ptr, np.int64),
            class_lanes=np.asarray(class_lanes, np.int64),
            lane_group=np.asarray(lane_group, np.int32),
            lane_first_booth=np.asarray(lane_first, np.int64),
            lane_nbooths=np.asarray(lane_nb, np.int64),
            booth_rank=np.asarray(booth_rank, np.int64),
            sched=sched,
            always_open=np.asarray((sched >= totals[:, None]).all(axis=1)),
        ),
    )


def queue_tables(
    *,
    class_ptr: np.ndarray,
    class_lanes: np.ndarray,
    lane_group: np.ndarray,
    lane_first_booth: np.ndarray,
    lane_nbooths: np.ndarray,
    booth_rank: np.ndarray,
    sched: np.ndarray,
    always_open: np.ndarray,
) -> QueueTables:
    """The kernel tables of a stage, with each lane's open booths and opening times by hour."""
    lane_open, open_step = lane_hours(lane_group, lane_first_booth, lane_nbooths, booth_rank, sched)
    key_base, key_den = lane_keys(lane_open, open_step)
    return QueueTables(
        class_ptr=class_ptr,
        class_lanes=class_lanes,
        lane_group=lane_group,
        lane_first_booth=lane_first_booth,
        lane_nbooths=lane_nbooths,
        booth_rank=booth_rank,
        sched=sched,
        always_open=always_open,
        lane_open=lane_open,
        lane_open_step=open_step,
        lane_key_base=key_base,
        lane_key_den=key_den,
    )


@dataclass(frozen=True, slots=True)
class PortLayout:
    """The whole port in kernel form: primary lanes, secondary areas, classes."""

    stream_names: tuple[str, ...]
    class_stream: np.ndarray
    class_program: tuple[str, ...]
    primary: QueueLayout
    secondary: QueueLayout
    stream_area: np.ndarray  # secondary area index per stream, -1 for none
    program_names: tuple[str, ...]  # the programs with crossings, in class order
    class_program_code: np.ndarray  # int32: each class's index in program_names


def secondary_layout(scenario: PortScenario) -> tuple[QueueLayout, np.ndarray]:
    """The secondary areas in kernel form (one lane of ``bays`` booths each), and the
    area of each stream (-1 for none). Alone, for passes that queue only at secondary."""
    area_names = list(scenario.secondary)
    areas = [
        (name, "secondary", 1, a.bays, a.open_bays()) for name, a in scenario.secondary.items()
    ]
    stream_area = np.array(
        [
            area_names.index(st.secondary) if st.secondary else -1
            for st in scenario.streams.values()
        ],
        dtype=np.int64,
    )
    return build_layout(areas, [[a] for a in range(len(areas))]), stream_area


def compile_scenario(scenario: PortScenario) -> PortLayout:
    """Compile a validated scenario into kernel arrays."""
    stream_names = tuple(scenario.streams)
    group_names = list(scenario.lanes)
    groups = [
        (name, g.program, g.lanes, g.booths_per_lane, g.open_booths())
        for name, g in scenario.lanes.items()
    ]
    class_stream: list[int] = []
    class_program: list[str] = []
    class_groups: list[list[int]] = []
    for s, (sname, stream) in enumerate(scenario.streams.items()):
        for program, share in stream.program_shares.items():
            if share <= 0:
                continue
            class_stream.append(s)
            class_program.append(program)
            class_groups.append(
                [group_names.index(g) for g in scenario.eligible_groups(sname, program)]
            )
    secondary, stream_area = secondary_layout(scenario)
    programs = tuple(dict.fromkeys(class_program))
    return PortLayout(
        stream_names=stream_names,
        class_stream=np.asarray(class_stream, np.int64),
        class_program=tuple(class_program),
        primary=build_layout(groups, class_groups),
        secondary=secondary,
        stream_area=stream_area,
        program_names=programs,
        class_program_code=np.array([programs.index(p) for p in class_program], np.int32),
    )


def hourly_rates(
    crossings_per_day: float,
    hour_shape: Sequence[float],
    weekday_shape: Sequence[float],
    days: int,
    start_weekday: int = 0,
) -> np.ndarray:
    """Arrival rate per second for every hour of the horizon.

    The weekday shape is normalised to mean 1 (so ``crossings_per_day`` is the
    average day of the week) and the hour shape to sum 1.

    >>> hourly_rates(2400, [1.0] * 24, [1.0] * 7, days=1)[:2] * 3600
    array([100., 100.])
    """
    hours = np.asarray(hour_shape, float) / float(np.sum(hour_shape))
    week = np.asarray(weekday_shape, float) / float(np.mean(weekday_shape))
    day_of_week = (start_weekday + np.arange(days)) % 7
    per_hour = crossings_per_day * week[day_of_week][:, None] * hours[None, :]
    return np.asarray(per_hour.ravel() / HOUR)


def stream_rates(scenario: PortScenario, days: int) -> np.ndarray:
    """Streams × hours of the horizon: each stream's arrival rate per second."""
    return np.array(
        [
            hourly_rates(
                st.crossings_per_day,
                st.hour_of_day_shape,
                st.weekday_shape,
                days,
                scenario.port.start_weekday,
            )
            for st in scenario.streams.values()
        ]
    ).reshape(len(scenario.streams), 24 * days)


def area_tables(scenario: PortScenario) -> tuple[np.ndarray, np.ndarray]:
    """Per secondary area: exam-time distribution code and (p1, p2, mean seconds)."""
    areas = list(scenario.secondary.values())
    area_dist = np.zeros(max(1, len(areas)), np.int64)
    area_par = np.zeros((max(1, len(areas)), 3))
    for a, area in enumerate(areas):
        code, p1, p2 = dist_params(area.service)
        area_dist[a] = code
        area_par[a] = (p1, p2, area.service.mean_seconds)
    return area_dist, area_par


def random_model(
    scenario: PortScenario,
    layout: PortLayout,
    rates: np.ndarray,
) -> tuple[RandomModel, int]:
    """The scenario's random model as kernel tables, and a record capacity for it.

    ``rates`` (streams × hours, per second) are the arrival intensities of the
    horizon (:func:`stream_rates`). The capacity is the expected number of
    arrivals plus six standard deviations per stream: a run that draws more
    is repeated with more room (see :func:`border21.ports.engine.run_one_pass`).
    """
    streams = list(scenario.streams.values())
    cum, hours = intensity_tables(rates)
    n_classes = len(layout.class_program)
    ptr = [0]
    cls_order: list[int] = []
    cls_cum: list[float] = []
    class_mean = np.zeros(n_classes)
    class_ref_p = np.zeros(n_classes)
    for s, st in enumerate(streams):
        classes = [int(c) for c in np.flatnonzero(layout.class_stream == s)]
        shares = np.array([st.program_shares[layout.class_program[c]] for c in classes])  # type: ignore[index]
        cum_shares = np.cumsum(shares / shares.sum()) if classes else np.zeros(0)
        for c, cs in zip(classes, cum_shares, strict=True):
            program = layout.class_program[c]
            cls_order.append(c)
            cls_cum.append(float(cs))
            class_mean[c] = st.primary_service.mean_for(program)
            class_ref_p[c] = st.referral_for(program)
        ptr.append(len(cls_order))
    stream_dist = np.zeros(len(streams), np.int64)
    stream_par = np.zeros((len(streams), 2))
    stream_prob = np.zeros((len(streams), 3))
    for s, st in enumerate(streams):
        code, p1, p2 = dist_params(st.primary_service)
        stream_dist[s] = code
        stream_par[s] = (p1, p2)
        stream_prob[s] = (
            st.carrier_probability,
            st.primary_detection_probability,
            st.secondary_detection_probability,
        )
    area_dist, area_par = area_tables(scenario)
    hour_factors = np.array(
        [st.primary_service.hour_factors() for st in streams], np.float64
    ).reshape(len(streams), 24)
    totals = cum[:, -1]
    capacity = int(np.sum(totals + 6.0 * np.sqrt(totals) + 16.0))
    model = RandomModel(
        cum=cum,
        hours=hours,
        stream_cls_ptr=np.asarray(ptr, np.int64),
        stream_cls=np.asarray(cls_order, np.int64),
        stream_cls_cum=np.asarray(cls_cum, np.float64),
        stream_dist=stream_dist,
        stream_par=stream_par,
        stream_prob=stream_prob,
        stream_area=np.asarray(layout.stream_area, np.int64),
        stream_hour=hour_factors,
        stream_hourly=(hour_factors != 1.0).any(axis=1),
        class_mean=class_mean,
        class_ref_p=class_ref_p,
        class_prog=np.asarray(layout.class_program_code, np.int32),
        area_dist=area_dist,
        area_par=area_par,
    )
    return model, capacity

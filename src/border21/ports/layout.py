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


@dataclass(frozen=True, slots=True)
class QueueLayout:
    """Lanes, booths and schedules in kernel form.

    ``sched[g, h]`` is the number of open booths of group ``g`` in hour ``h``
    of the day; a booth is open when its ``booth_rank`` is below that number.
    """

    group_names: tuple[str, ...]
    group_program: tuple[str, ...]
    class_ptr: np.ndarray
    class_lanes: np.ndarray
    lane_group: np.ndarray
    lane_first_booth: np.ndarray
    lane_nbooths: np.ndarray
    booth_rank: np.ndarray
    sched: np.ndarray
    always_open: np.ndarray

    @property
    def n_lanes(self) -> int:
        return int(self.lane_group.shape[0])

    @property
    def n_booths(self) -> int:
        return int(self.booth_rank.shape[0])

    def kernel_args(self) -> tuple[np.ndarray, ...]:
        return (
            self.class_ptr,
            self.class_lanes,
            self.lane_group,
            self.lane_first_booth,
            self.lane_nbooths,
            self.booth_rank,
            self.sched,
            self.always_open,
        )


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
        class_ptr=np.asarray(class_ptr, np.int64),
        class_lanes=np.asarray(class_lanes, np.int64),
        lane_group=np.asarray(lane_group, np.int32),
        lane_first_booth=np.asarray(lane_first, np.int64),
        lane_nbooths=np.asarray(lane_nb, np.int64),
        booth_rank=np.asarray(booth_rank, np.int64),
        sched=sched,
        always_open=np.asarray((sched >= totals[:, None]).all(axis=1)),
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
    area_names = list(scenario.secondary)
    areas = [
        (name, "secondary", 1, a.bays, a.open_bays()) for name, a in scenario.secondary.items()
    ]
    secondary = build_layout(areas, [[a] for a in range(len(areas))])
    stream_area = np.array(
        [
            area_names.index(st.secondary) if st.secondary else -1
            for st in scenario.streams.values()
        ],
        dtype=np.int64,
    )
    return PortLayout(
        stream_names=stream_names,
        class_stream=np.asarray(class_stream, np.int64),
        class_program=tuple(class_program),
        primary=build_layout(groups, class_groups),
        secondary=secondary,
        stream_area=stream_area,
    )

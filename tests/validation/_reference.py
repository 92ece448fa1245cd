"""A pure-Python, event-driven reference simulator for the port kernels.

Written apart from ``border21.ports.engine``: the kernel assigns each crossing
a booth the moment it arrives, while this module keeps an explicit event list
(a heap of arrivals, departures and hour ticks), real FIFO queues per lane and
booths that are idle or busy, and dispatches the head of a lane's queue when a
booth of that lane is open and idle. Fed the same draws, both must produce the
same lane, booth, start and departure for every crossing.

Rules (the port's, not the kernel's code):

* a booth is open in hour ``h`` of the day iff ``booth_rank < sched[group, h]``;
* the lane closes behind its last vehicle: an idle booth may serve the head of
  its lane's queue if the booth is open now or has been open at some moment
  since that crossing arrived (it finishes the queue it had when it closed);
* an arriving crossing joins, among its class's lanes, the one with the fewest
  crossings in it (waiting plus being served) per open booth; lanes with no open
  booth come last, ordered by when they first open and then by crossings per
  booth open at that opening; ties go to candidate ``int(tie_u * n_tied)`` in
  the class's lane order;
* when several booths of a lane may serve, the lowest-indexed one does;
* all events at one instant are applied (departures, then the hour tick) before
  anyone is dispatched, and arrivals at that instant come after, in index order.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from border21.ports.model import PortModel

HOUR = 3600.0

DEPARTURE, TICK, ARRIVAL = 0, 1, 2


@dataclass
class Station:
    """Lanes and booths of one queueing stage (primary or secondary)."""

    class_lanes: list[list[int]]
    lane_group: list[int]
    lane_booths: list[list[int]]
    booth_rank: list[int]
    booth_lane: list[int]
    sched: list[list[int]]
    queues: list[deque[int]] = field(default_factory=list)
    serving: list[int] = field(default_factory=list)  # crossing id or -1
    jsq_ties: int = 0
    closed_choices: int = 0

    @classmethod
    def from_layout(cls, queue: object) -> Station:
        layout = queue.tables  # type: ignore[attr-defined]
        ptr = [int(x) for x in layout.class_ptr]  # type: ignore[attr-defined]
        lanes = [int(x) for x in layout.class_lanes]  # type: ignore[attr-defined]
        first = [int(x) for x in layout.lane_first_booth]  # type: ignore[attr-defined]
        nb = [int(x) for x in layout.lane_nbooths]  # type: ignore[attr-defined]
        booth_lane = [0] * len(layout.booth_rank)  # type: ignore[attr-defined]
        lane_booths = []
        for ln, (f, k) in enumerate(zip(first, nb, strict=True)):
            lane_booths.append(list(range(f, f + k)))
            for b in range(f, f + k):
                booth_lane[b] = ln
        return cls(
            class_lanes=[lanes[ptr[c] : ptr[c + 1]] for c in range(len(ptr) - 1)],
            lane_group=[int(g) for g in layout.lane_group],  # type: ignore[attr-defined]
            lane_booths=lane_booths,
            booth_rank=[int(r) for r in layout.booth_rank],  # type: ignore[attr-defined]
            booth_lane=booth_lane,
            sched=[[int(x) for x in row] for row in layout.sched],  # type: ignore[attr-defined]
            queues=[deque() for _ in first],
            serving=[-1] * len(booth_lane),
        )

    def is_open(self, booth: int, hour_of_day: int) -> bool:
        group = self.lane_group[self.booth_lane[booth]]
        return self.booth_rank[booth] < self.sched[group][hour_of_day]

    def open_booths(self, lane: int, hour_index: int) -> int:
        return sum(self.is_open(b, hour_index % 24) for b in self.lane_booths[lane])

    def hours_to_opening(self, lane: int, hour_index: int) -> int:
        """0 if ``lane`` is open in this hour, else hours until it opens (25: never)."""
        for step in range(25):
            if self.open_booths(lane, hour_index + step):
                return step
        return 25

    def choose_lane(self, cls: int, hour_index: int, tie_u: float) -> int:
        candidates = self.class_lanes[cls]
        if len(candidates) == 1:
            return candidates[0]
        keys = []
        for lane in candidates:
            booths = self.lane_booths[lane]
            step = self.hours_to_opening(lane, hour_index)
            n_open = self.open_booths(lane, hour_index + step) if step < 25 else 1
            busy = sum(self.serving[b] >= 0 for b in booths)
            keys.append((step, Fraction(len(self.queues[lane]) + busy, n_open)))
        best = min(keys)
        tied = [lane for lane, k in zip(candidates, keys, strict=True) if k == best]
        self.jsq_ties += len(tied) > 1
        self.closed_choices += best[0] > 0
        return tied[min(int(tie_u * len(tied)), len(tied) - 1)]

    def first_open_since(self, booth: int, t: float) -> float:
        """The first moment at or after ``t`` at which ``booth`` is open (inf: never)."""
        k = int(t // HOUR)
        for step in range(25):
            if self.is_open(booth, (k + step) % 24):
                return t if step == 0 else (k + step) * HOUR
        return math.inf

    def idle_booth_for(self, lane: int, arrived: float, now: float) -> int:
        """The lowest idle booth of ``lane`` that may serve a crossing that arrived then."""
        for b in self.lane_booths[lane]:
            if self.serving[b] < 0 and self.first_open_since(b, arrived) <= now:
                return b
        return -1


@dataclass
class ReferenceResult:
    lane: np.ndarray
    booth: np.ndarray
    start: np.ndarray
    depart: np.ndarray
    secondary_start: np.ndarray
    secondary_depart: np.ndarray
    jsq_ties: int
    closed_choices: int
    waited_for_opening: int


class ReferencePort:
    """Event-driven simulation of primary lanes and (optionally) secondary areas."""

    def __init__(self, primary: object, secondary: object | None = None) -> None:
        self.stations = [Station.from_layout(primary)]
        if secondary is not None:
            self.stations.append(Station.from_layout(secondary))

    def run(
        self,
        arrival: np.ndarray,
        cls: np.ndarray,
        service: np.ndarray,
        tie_u: np.ndarray,
        referred: np.ndarray | None = None,
        area: np.ndarray | None = None,
        secondary_service: np.ndarray | None = None,
    ) -> ReferenceResult:
        n = len(arrival)
        lane = np.full(n, -1, np.int64)
        booth = np.full(n, -1, np.int64)
        start = np.full(n, np.nan)
        depart = np.full(n, np.nan)
        s_start = np.full(n, np.nan)
        s_depart = np.full(n, np.nan)
        services = [np.asarray(service, float), np.asarray(secondary_service, float)]
        classes = [np.asarray(cls), np.asarray(area) if area is not None else None]
        referred = np.zeros(n, bool) if referred is None else np.asarray(referred, bool)
        starts, departs = [start, s_start], [depart, s_depart]

        events: list[tuple[float, int, int, int, int]] = []  # time, kind, stage, id, seq
        seq = 0
        for i in range(n):
            events.append((float(arrival[i]), ARRIVAL, 0, i, seq))
            seq += 1
        events.append((0.0, TICK, -1, 0, seq))
        heapq.heapify(events)
        hour_index = 0
        last_start_hour = 0
        waited_for_opening = 0

        def dispatch(stage: int, ln: int, now: float) -> None:
            nonlocal seq, waited_for_opening, last_start_hour
            st = self.stations[stage]
            while st.queues[ln]:
                i = st.queues[ln][0]
                arrived = float(arrival[i]) if stage == 0 else float(departs[0][i])
                b = st.idle_booth_for(ln, arrived, now)
                if b < 0:
                    return
                st.queues[ln].popleft()
                last_start_hour = hour_index
                st.serving[b] = i
                starts[stage][i] = now
                departs[stage][i] = now + services[stage][i]
                if stage == 0:
                    lane[i], booth[i] = ln, b
                    waited_for_opening += now == hour_index * HOUR and now > arrival[i]
                seq += 1
                heapq.heappush(events, (departs[stage][i], DEPARTURE, stage, b, seq))

        while events:
            now = events[0][0]
            batch_arrivals = []
            while events and events[0][0] == now and events[0][1] < ARRIVAL:
                _, kind, stage, who, _ = heapq.heappop(events)
                if kind == TICK:
                    hour_index = int(round(now / HOUR))
                    # With nothing in flight and a whole day without a start,
                    # the waiting crossings' booths never open: give up.
                    stuck = not events and hour_index > last_start_hour + 25
                    if not stuck and (events or any(q for st in self.stations for q in st.queues)):
                        seq += 1
                        heapq.heappush(events, ((hour_index + 1) * HOUR, TICK, -1, 0, seq))
                    continue
                st = self.stations[stage]
                i = st.serving[who]
                st.serving[who] = -1
                if stage == 0 and referred[i]:
                    seq += 1
                    heapq.heappush(events, (now, ARRIVAL, 1, i, seq))
            for stage, st in enumerate(self.stations):
                for ln in range(len(st.queues)):
                    dispatch(stage, ln, now)
            while events and events[0][0] == now and events[0][1] == ARRIVAL:
                batch_arrivals.append(heapq.heappop(events))
            # Primary arrivals in index order, then secondary arrivals ordered
            # by when (and, on a tie, in which index order) they left primary.
            batch_arrivals.sort(key=lambda e: (e[2], e[3]))
            for _, _, stage, i, _ in batch_arrivals:
                st = self.stations[stage]
                c = int(classes[stage][i])  # type: ignore[index]
                ln = st.choose_lane(c, hour_index, float(tie_u[i]) if stage == 0 else 0.0)
                st.queues[ln].append(i)
                dispatch(stage, ln, now)
        st0 = self.stations[0]
        return ReferenceResult(
            lane=lane,
            booth=booth,
            start=start,
            depart=depart,
            secondary_start=s_start,
            secondary_depart=s_depart,
            jsq_ties=st0.jsq_ties,
            closed_choices=st0.closed_choices,
            waited_for_opening=waited_for_opening,
        )


def fifo_multi_server(arrival: np.ndarray, service: np.ndarray, servers: int) -> np.ndarray:
    """Departure times of a plain FIFO G/G/c queue, always open (the earliest-free server)."""
    free = [0.0] * servers
    depart = np.empty(arrival.shape[0])
    for i in range(arrival.shape[0]):
        best = min(range(servers), key=free.__getitem__)
        s = max(float(arrival[i]), free[best])
        depart[i] = s + float(service[i])
        free[best] = depart[i]
    return depart


# ------------------------------------------------------------------ theory


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in M/M/c (``offered_load`` = λ/μ < c)."""
    a, c = offered_load, servers
    term = 1.0
    below = 0.0
    for k in range(c):
        below += term
        term *= a / (k + 1)
    top = term * c / (c - a)  # a^c / c! * c / (c - a)
    return top / (below + top)


def mmc_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of M/M/c: C(c, a) / (cμ - λ)."""
    a = arrival_rate / service_rate
    return erlang_c(servers, a) / (servers * service_rate - arrival_rate)


def pk_mean_wait(arrival_rate: float, mean_service: float, cv: float) -> float:
    """Pollaczek–Khinchine mean wait in queue of M/G/1."""
    rho = arrival_rate * mean_service
    return rho * mean_service * (1.0 + cv * cv) / (2.0 * (1.0 - rho))


def mean_ci(values: np.ndarray, level: float = 0.99) -> tuple[float, float]:
    """Mean and Student-t half-width across independent replications."""
    from scipy import stats

    v = np.asarray(values, float)
    half = stats.t.ppf(0.5 + level / 2.0, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
    return float(v.mean()), float(half)


# ------------------------------------------------------------ scenario helpers

DAY = 86_400.0


def one_queue(
    arrival_rate: float,
    servers: int,
    service: dict[str, object],
    *,
    referral: float = 0.0,
    secondary: dict[str, object] | None = None,
) -> PortModel:
    """A one-stream, one-lane port with a flat hour shape (times in seconds)."""
    from border21.ports.config import validate_scenario
    from border21.ports.model import PortModel

    stream: dict[str, object] = {
        "kind": "pedestrian",
        "crossings_per_day": arrival_rate * DAY,
        "primary_service": service,
    }
    data: dict[str, object] = {
        "port": {"name": "queue"},
        "streams": {"s": stream},
        "lanes": {"q": {"streams": ["s"], "lanes": 1, "booths_per_lane": servers}},
    }
    if secondary is not None:
        stream |= {"referral_probability": referral, "secondary": "sec"}
        data["secondary"] = {"sec": secondary}
    return PortModel(validate_scenario(data))


def assert_theory_in_ci(means: np.ndarray, theory: float, max_rel_half_width: float) -> None:
    """Theory lies inside the 99% CI of the replication means, and the CI is narrow."""
    mean, half = mean_ci(means)
    assert abs(mean - theory) <= half, f"theory {theory:.5g} outside 99% CI {mean:.5g} ± {half:.3g}"
    assert half <= max_rel_half_width * theory, (
        f"CI half-width {half:.3g} too wide for theory {theory:.5g}"
    )

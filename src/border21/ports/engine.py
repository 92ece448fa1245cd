"""Numba kernels: FIFO multi-server lanes with time-varying open booths.

The kernels see only arrays. Crossings are processed in arrival order; each
joins the eligible lane with the fewest crossings in it per open booth (ties
broken by a pre-drawn uniform), then takes the booth of that lane where its
service can start soonest (the lowest-indexed one on ties, so an idle open
booth is taken in index order). A booth's staffing schedule repeats every 24 hours;
a booth that closes while serving finishes its crossing. Because every crossing
takes the earliest possible start, service starts are non-decreasing within a
lane (FIFO), which lets the kernel keep each lane's queue as a linked list that
it pops as the clock moves on.
"""

from __future__ import annotations

import numpy as np
from numba import njit

HOUR = 3600.0
_CLOSED = 1.0e15


@njit(cache=True, nogil=True, inline="always")
def _next_open(t: float, rank: int, sched_row: np.ndarray) -> float:  # pragma: no cover
    """Earliest time >= t at which a booth of this rank is open (inf if never)."""
    k = int(t // HOUR)
    for step in range(25):
        if rank < sched_row[(k + step) % 24]:
            if step == 0:
                return t
            return (k + step) * HOUR
    return np.inf


@njit(cache=True, nogil=True)
def run_lanes(  # pragma: no cover - compiled
    arrival: np.ndarray,
    cls: np.ndarray,
    service: np.ndarray,
    tie_u: np.ndarray,
    class_ptr: np.ndarray,
    class_lanes: np.ndarray,
    lane_group: np.ndarray,
    lane_first_booth: np.ndarray,
    lane_nbooths: np.ndarray,
    booth_rank: np.ndarray,
    sched: np.ndarray,
    always_open: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Serve crossings (sorted by ``arrival``) through FIFO multi-booth lanes.

    Returns ``(lane, booth, start, depart)`` per crossing.
    """
    n = arrival.shape[0]
    n_lanes = lane_group.shape[0]
    n_booths = booth_rank.shape[0]
    lane = np.empty(n, np.int32)
    booth = np.empty(n, np.int32)
    start = np.empty(n, np.float64)
    depart = np.empty(n, np.float64)
    booth_free = np.zeros(n_booths, np.float64)
    booth_cur_dep = np.zeros(n_booths, np.float64)
    lane_head = np.full(n_lanes, -1, np.int64)
    lane_tail = np.full(n_lanes, -1, np.int64)
    lane_waiting = np.zeros(n_lanes, np.int64)
    max_choice = 1
    for c in range(class_ptr.shape[0] - 1):
        max_choice = max(max_choice, class_ptr[c + 1] - class_ptr[c])
    cand = np.empty(max_choice, np.int64)
    track_lanes = max_choice > 1
    next_in_lane = np.full(n if track_lanes else 0, -1, np.int64)

    for i in range(n):
        t = arrival[i]
        c = cls[i]
        p0 = class_ptr[c]
        p1 = class_ptr[c + 1]
        if p1 - p0 == 1:
            chosen = class_lanes[p0]
        else:
            hour = int(t // HOUR) % 24
            best = np.inf
            nbest = 0
            for p in range(p0, p1):
                ln = class_lanes[p]
                h = lane_head[ln]
                while h != -1 and start[h] <= t:
                    booth_cur_dep[booth[h]] = depart[h]
                    lane_waiting[ln] -= 1
                    h = next_in_lane[h]
                lane_head[ln] = h
                g = lane_group[ln]
                b0 = lane_first_booth[ln]
                in_service = 0
                n_open = 0
                first_open = np.inf
                for b in range(b0, b0 + lane_nbooths[ln]):
                    if booth_cur_dep[b] > t:
                        in_service += 1
                    if booth_rank[b] < sched[g, hour]:
                        n_open += 1
                    else:
                        first_open = min(first_open, _next_open(t, booth_rank[b], sched[g]))
                in_system = lane_waiting[ln] + in_service
                if n_open > 0:
                    key = in_system / n_open
                else:
                    key = _CLOSED + first_open
                if key < best:
                    best = key
                    cand[0] = ln
                    nbest = 1
                elif key == best:
                    cand[nbest] = ln
                    nbest += 1
            pick = int(tie_u[i] * nbest)
            if pick >= nbest:
                pick = nbest - 1
            chosen = cand[pick]

        g = lane_group[chosen]
        b0 = lane_first_booth[chosen]
        best_start = np.inf
        best_booth = b0
        if always_open[g]:
            # Same rule as the scheduled branch below: earliest start, lowest
            # index on ties; so every idle booth ties at t and the first wins.
            for b in range(b0, b0 + lane_nbooths[chosen]):
                s = booth_free[b]
                if s <= t:
                    best_start = t
                    best_booth = b
                    break
                if s < best_start:
                    best_start = s
                    best_booth = b
        else:
            for b in range(b0, b0 + lane_nbooths[chosen]):
                s = _next_open(max(t, booth_free[b]), booth_rank[b], sched[g])
                if s < best_start:
                    best_start = s
                    best_booth = b
        start[i] = best_start
        depart[i] = best_start + service[i]
        booth_free[best_booth] = depart[i]
        lane[i] = chosen
        booth[i] = best_booth
        if track_lanes:  # only JSQ reads the lane queues
            if lane_head[chosen] == -1:
                lane_head[chosen] = i
            else:
                next_in_lane[lane_tail[chosen]] = i
            lane_tail[chosen] = i
            lane_waiting[chosen] += 1
    return lane, booth, start, depart


@njit(cache=True, nogil=True)
def unit_poisson_to_times(  # pragma: no cover - compiled
    unit_gaps: np.ndarray, cum: np.ndarray, per_hour: np.ndarray
) -> tuple[np.ndarray, bool]:
    """Map a unit-rate Poisson process through a piecewise-linear cumulative intensity.

    ``cum`` is the cumulative expected count at each hour boundary and
    ``per_hour`` the expected count in each hour. The gaps are summed in order
    (as ``np.cumsum`` does) until the sum passes ``cum[-1]``; each point below
    that becomes ``(k + (point - cum[k]) / per_hour[k]) * HOUR`` for the last
    hour ``k`` whose boundary it has reached. Returns the times and whether the
    gaps were enough to pass ``cum[-1]``.
    """
    total = cum[-1]
    last_hour = per_hour.shape[0] - 1
    out = np.empty(unit_gaps.shape[0], np.float64)
    point = 0.0
    k = 0
    m = 0
    for i in range(unit_gaps.shape[0]):
        point += unit_gaps[i]
        if point > total:
            return out[:m], True
        while k < last_hour + 1 and cum[k + 1] <= point:
            k += 1
        h = min(k, last_hour)
        out[m] = (h + (point - cum[h]) / per_hour[h]) * HOUR
        m += 1
    return out[:m], False


@njit(cache=True, nogil=True)
def fifo_multi_server(
    arrival: np.ndarray, service: np.ndarray, servers: int
) -> np.ndarray:  # pragma: no cover
    """Departure times of a plain FIFO G/G/c queue, always open (for tests and benches)."""
    free = np.zeros(servers, np.float64)
    depart = np.empty(arrival.shape[0], np.float64)
    for i in range(arrival.shape[0]):
        best = 0
        for b in range(1, servers):
            if free[b] < free[best]:
                best = b
        s = max(arrival[i], free[best])
        depart[i] = s + service[i]
        free[best] = depart[i]
    return depart


def warm_up() -> None:
    """Compile (or load from cache) the kernels on a tiny input."""
    arrival = np.array([0.0, 1.0, 2.0])
    cls = np.zeros(3, np.int32)
    ones = np.ones(3)
    run_lanes(
        arrival,
        cls,
        ones,
        np.full(3, 0.5),
        np.array([0, 2], np.int64),
        np.array([0, 1], np.int64),
        np.zeros(2, np.int32),
        np.array([0, 1], np.int64),
        np.ones(2, np.int64),
        np.array([0, 1], np.int64),
        np.full((1, 24), 2, np.int64),
        np.zeros(1, np.bool_),
    )
    fifo_multi_server(arrival, ones, 2)

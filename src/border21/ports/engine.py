"""Numba kernels: FIFO multi-server lanes with time-varying open booths.

The kernels see only arrays. Crossings are processed in arrival order; each
joins the eligible lane with the fewest crossings in it per open booth (ties
broken by a pre-drawn uniform), then takes the booth of that lane where its
service can start soonest (the lowest-indexed one on ties, so an idle open
booth is taken in index order). A booth's staffing schedule repeats every 24 hours;
a booth that closes while serving finishes its crossing. Because every crossing
takes the earliest possible start, service starts are non-decreasing within a
lane (FIFO). A crossing is in a lane from its arrival until its departure, so
JSQ needs only a count per lane, kept with a min-heap of departures that the
kernel pops as the clock moves on.
"""

from __future__ import annotations

import numpy as np
from numba import njit

HOUR = 3600.0
_CLOSED_KEY = 1 << 40  # above any lane count: closed lanes come after open ones


@njit(cache=True, nogil=True, inline="always")
def _hour_index(t: float) -> int:  # pragma: no cover - compiled
    """``int(t // HOUR)`` for t >= 0, without the cost of Python's float floor division."""
    k = int(t / HOUR)
    if k * HOUR > t:  # t / HOUR rounded up onto the next whole hour
        k -= 1
    return k


@njit(cache=True, nogil=True, inline="always")
def _next_open(t: float, rank: int, sched_row: np.ndarray) -> float:  # pragma: no cover
    """Earliest time >= t at which a booth of this rank is open (inf if never)."""
    k = _hour_index(t)
    for step in range(25):
        if rank < sched_row[(k + step) % 24]:
            if step == 0:
                return t
            return (k + step) * HOUR
    return np.inf


@njit(cache=True, nogil=True, inline="always")
def _jsq_candidates(  # pragma: no cover - compiled
    hour: int,
    p0: int,
    p1: int,
    class_lanes: np.ndarray,
    lane_open: np.ndarray,
    lane_open_step: np.ndarray,
    in_lane: np.ndarray,
    cand: np.ndarray,
) -> int:
    """Fill ``cand`` with the class's lanes of least key; return how many tie.

    The key in_lane / n_open is compared as a fraction (exact, no division); a
    closed lane's key is _CLOSED_KEY + hours until it opens.
    """
    best_num = 0
    best_den = 1
    nbest = 0
    for p in range(p0, p1):
        ln = class_lanes[p]
        den = lane_open[ln, hour]
        if den > 0:
            num = in_lane[ln]
        else:
            num = _CLOSED_KEY + lane_open_step[ln, hour]
            den = 1
        if nbest == 0:
            lhs, rhs = 0, 1
        else:
            lhs = num * best_den
            rhs = best_num * den
        if lhs < rhs:
            best_num = num
            best_den = den
            cand[0] = ln
            nbest = 1
        elif lhs == rhs:
            cand[nbest] = ln
            nbest += 1
    return nbest


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
    max_choice = 1
    for c in range(class_ptr.shape[0] - 1):
        max_choice = max(max_choice, class_ptr[c + 1] - class_ptr[c])
    cand = np.empty(max_choice, np.int64)
    track_lanes = max_choice > 1
    lane_open, lane_open_step = _lane_hours(
        lane_group, lane_first_booth, lane_nbooths, booth_rank, sched
    )
    # Crossings in a lane (waiting or being served) are those not yet departed,
    # so JSQ keeps a count per lane and a min-heap of (departure, lane).
    in_lane = np.zeros(n_lanes, np.int64)
    heap_t = np.empty(n if track_lanes else 0, np.float64)
    heap_lane = np.empty(n if track_lanes else 0, np.int64)
    heap_size = 0

    for i in range(n):
        t = arrival[i]
        c = cls[i]
        p0 = class_ptr[c]
        p1 = class_ptr[c + 1]
        if p1 - p0 == 1:
            chosen = class_lanes[p0]
        else:
            while heap_size > 0 and heap_t[0] <= t:
                in_lane[heap_lane[0]] -= 1
                heap_size = _heap_pop(heap_t, heap_lane, heap_size)
            nbest = _jsq_candidates(
                _hour_index(t) % 24, p0, p1, class_lanes, lane_open, lane_open_step, in_lane, cand
            )
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
        if track_lanes:  # only JSQ reads the lane counts
            in_lane[chosen] += 1
            heap_size = _heap_push(heap_t, heap_lane, heap_size, depart[i], chosen)
    return lane, booth, start, depart


@njit(cache=True, nogil=True)
def _lane_hours(  # pragma: no cover - compiled
    lane_group: np.ndarray,
    lane_first_booth: np.ndarray,
    lane_nbooths: np.ndarray,
    booth_rank: np.ndarray,
    sched: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Open booths per lane and hour of day, and hours until a closed lane opens (25: never)."""
    n_lanes = lane_group.shape[0]
    lane_open = np.zeros((n_lanes, 24), np.int64)
    for ln in range(n_lanes):
        g = lane_group[ln]
        for h in range(24):
            for b in range(lane_first_booth[ln], lane_first_booth[ln] + lane_nbooths[ln]):
                if booth_rank[b] < sched[g, h]:
                    lane_open[ln, h] += 1
    open_step = np.full((n_lanes, 24), 25, np.int64)  # 25: never opens
    for ln in range(n_lanes):
        for h in range(24):
            for step in range(1, 25):
                if lane_open[ln, (h + step) % 24] > 0:
                    open_step[ln, h] = step
                    break
    return lane_open, open_step


@njit(cache=True, nogil=True, inline="always")
def _heap_push(  # pragma: no cover - compiled
    keys: np.ndarray, vals: np.ndarray, size: int, key: float, val: int
) -> int:
    j = size
    while j > 0:
        parent = (j - 1) >> 1
        if keys[parent] <= key:
            break
        keys[j] = keys[parent]
        vals[j] = vals[parent]
        j = parent
    keys[j] = key
    vals[j] = val
    return size + 1


@njit(cache=True, nogil=True, inline="always")
def _heap_pop(keys: np.ndarray, vals: np.ndarray, size: int) -> int:  # pragma: no cover
    size -= 1
    key = keys[size]
    val = vals[size]
    j = 0
    while True:
        child = 2 * j + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if key <= keys[child]:
            break
        keys[j] = keys[child]
        vals[j] = vals[child]
        j = child
    keys[j] = key
    vals[j] = val
    return size


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

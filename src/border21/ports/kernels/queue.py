"""The queue discipline: lane choice, booth choice, opening and closing. One place.

Every driver (the one-pass engine, the replay of given draws, the secondary
areas, the staged downstream pass) queues crossings with these steps, in
arrival order: :func:`choose_lane`, then :func:`choose_booth`, then
:func:`join`. A crossing is assigned its booth and start the moment it
arrives; that is exact because service within a lane is FIFO and a later
arrival never starts before an earlier one in the same lane.

The rules (docs/ports.md, "The queue discipline"):

* **Opening and closing.** A booth of rank r in a group is open in hour h
  of the day when r < the group's open booths in that hour; schedules repeat
  daily. A lane is open when any of its booths is.
* **Lane choice (JSQ).** A crossing joins, among its class's lanes, the one
  with the fewest crossings in it (waiting or in service) per open booth;
  ties are broken by a uniform. Lanes with no open booth come after every
  open lane, ordered by when they open and then by crossings per booth open
  at that opening.
* **Held for opening.** When none of its lanes is open, a crossing waits at
  the gate for the first of them to open (its queue entry, see
  :func:`queue_entry`): a counted outcome, reported apart from the wait.
* **Booth choice.** Within the lane, the booth where the crossing can start
  soonest; the lowest-indexed on ties (so idle booths are taken in order).
* **The lane closes behind its last vehicle.** A booth serves every crossing
  that joined its lane while it was open (or that was waiting when it
  opened), even after its scheduled closing; a closed booth takes no one who
  arrives after it closed. So a crossing can start at booth b from
  max(b's first open moment since the crossing arrived, b's free time).
  That is CBP practice: a lane is closed by switching its signal to red (and
  coning it) behind the last vehicle, and the officer clears the vehicles
  already in the lane. No crossing is stranded in a closing lane while others
  stay open.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from border21.ports.kernels.common import HOUR, hour_index
from border21.ports.kernels.common import U as _U
from border21.ports.kernels.rng import Source, uniform_of
from border21.ports.kernels.tables import QueueTables

NEVER = 25  # lane_open_step of a lane that never opens
TIE = 0  # the uniform slot of the JSQ tie-break


# ------------------------------------------------------------------ opening and closing


KEY_STEP = 1 << 40  # above any lane count: a lane opening later sorts after every open one


def lane_keys(lane_open: np.ndarray, open_step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each lane's JSQ key by hour of day, as an exact fraction (see :func:`jsq_candidates`).

    An open lane: crossings in it / its open booths (numerator base 0). A
    closed lane: KEY_STEP × hours until it opens, plus crossings in it per booth
    open at that opening; as one fraction, (step × KEY_STEP × den + count) / den.
    Cross-multiplied with another key it stays below 2^63 (step ≤ 25, den ≤ 64).
    """
    n_lanes = lane_open.shape[0]
    hours = np.arange(24)
    step = np.where(lane_open > 0, 0, open_step)
    at = (hours[None, :] + np.minimum(step, 24)) % 24
    den = np.where(step < NEVER, np.take_along_axis(lane_open, at, axis=1), 1)
    den = np.maximum(den, 1).astype(np.int64)
    base = (step * KEY_STEP * den).astype(np.int64)
    return base.reshape(n_lanes, 24), den.reshape(n_lanes, 24)


def lane_hours(
    lane_group: np.ndarray,
    lane_first_booth: np.ndarray,
    lane_nbooths: np.ndarray,
    booth_rank: np.ndarray,
    sched: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Open booths per lane and hour of day, and hours until a closed lane opens (NEVER: never)."""
    return _lane_hours(
        np.asarray(lane_group, np.int64),
        np.asarray(lane_first_booth, np.int64),
        np.asarray(lane_nbooths, np.int64),
        np.asarray(booth_rank, np.int64),
        np.asarray(sched, np.int64),
    )


# Compiled: every port model built calls it once per stage, and the regions' equilibrium
# builds ~70 a region-day; as Python over lanes and hours it took 0.13 of a san_diego
# region-day's 2.4 s (2026-12-06; the same tables to the last entry).
@njit(cache=True, nogil=True)
def _lane_hours(
    lane_group: np.ndarray,
    lane_first_booth: np.ndarray,
    lane_nbooths: np.ndarray,
    booth_rank: np.ndarray,
    sched: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    n_lanes = lane_group.shape[0]
    lane_open = np.zeros((n_lanes, 24), np.int64)
    for ln in range(n_lanes):
        for b in range(lane_first_booth[ln], lane_first_booth[ln] + lane_nbooths[ln]):
            for h in range(24):
                if booth_rank[b] < sched[lane_group[ln], h]:
                    lane_open[ln, h] += 1
    open_step = np.full((n_lanes, 24), NEVER, np.int64)
    for ln in range(n_lanes):
        for h in range(24):
            for step in range(1, 25):
                if lane_open[ln, (h + step) % 24] > 0:
                    open_step[ln, h] = step
                    break
    return lane_open, open_step


@njit(cache=True, nogil=True, inline="always")
def next_open(t: float, rank: int, sched_row: np.ndarray) -> float:  # pragma: no cover
    """Earliest time >= t at which a booth of this rank is open (inf if never)."""
    k = hour_index(t)
    for step in range(25):
        if rank < sched_row[(k + step) % 24]:
            if step == 0:
                return t
            return (k + step) * HOUR
    return np.inf


@njit(cache=True, nogil=True)
def queue_entry(  # pragma: no cover - compiled
    arrival: np.ndarray, lane: np.ndarray, q: QueueTables
) -> np.ndarray:
    """When each crossing joined its lane's queue: its arrival, or the lane's opening.

    A crossing whose lanes were all closed when it arrived was held at the
    gate until its lane opened (see the module doc).
    """
    out = np.empty(arrival.shape[0], np.float64)
    for i in range(arrival.shape[0]):
        t = arrival[i]
        k = hour_index(t)
        ln = lane[i]
        if q.lane_open[ln, k % 24] > 0:
            out[i] = t
        else:
            out[i] = (k + q.lane_open_step[ln, k % 24]) * HOUR
    return out


# ------------------------------------------------------------------ state


class QueueState(NamedTuple):
    """A stage's state while crossings are queued.

    ``booth_free`` is when each booth finishes its last crossing. JSQ needs the
    number of crossings in each lane; a crossing is in its lane from arrival
    to departure, so the count is kept with a min-heap of (departure, lane)
    that :func:`choose_lane` pops as the clock moves on (``heap_n[0]`` entries).
    No class with a choice of lanes, no heap (zero-length arrays).
    """

    booth_free: np.ndarray  # float64[booths]
    in_lane: np.ndarray  # int64[lanes]
    heap_t: np.ndarray  # float64[capacity or 0]
    heap_lane: np.ndarray  # int64[capacity or 0]
    heap_n: np.ndarray  # int64[1]
    cand: np.ndarray  # int64[most lanes of a class]: scratch for tied lanes


@njit(cache=True, nogil=True)
def max_choice(q: QueueTables) -> int:  # pragma: no cover - compiled
    """The most lanes any class may choose among."""
    most = 1
    for c in range(q.class_ptr.shape[0] - 1):
        most = max(most, q.class_ptr[c + 1] - q.class_ptr[c])
    return most


@njit(cache=True, nogil=True)
def new_queue_state(q: QueueTables, capacity: int) -> QueueState:  # pragma: no cover
    """Empty booths and lanes, for up to ``capacity`` crossings."""
    most = max_choice(q)
    heap = capacity if most > 1 else 0
    return QueueState(
        np.zeros(q.booth_rank.shape[0], np.float64),
        np.zeros(q.lane_group.shape[0], np.int64),
        np.empty(heap, np.float64),
        np.empty(heap, np.int64),
        np.zeros(1, np.int64),
        np.empty(most, np.int64),
    )


# ------------------------------------------------------------------ the departure heap


@njit(cache=True, nogil=True, inline="always")
def heap_push(  # pragma: no cover - compiled
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
def heap_pop(keys: np.ndarray, vals: np.ndarray, size: int) -> int:  # pragma: no cover
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


# ------------------------------------------------------------------ lane choice


@njit(cache=True, nogil=True, inline="always")
def jsq_candidates(  # pragma: no cover - compiled
    hour: int, p0: int, p1: int, q: QueueTables, in_lane: np.ndarray, cand: np.ndarray
) -> int:
    """Fill ``cand`` with the class's lanes of least key; return how many tie.

    A lane's key is (hours until it opens, 0 if open; crossings in it per
    booth open then), one exact fraction (``lane_key``): numerator
    ``base + in_lane``, denominator ``den``, compared by cross-multiplying.
    """
    best_num = 0
    best_den = 1
    nbest = 0
    for p in range(p0, p1):
        ln = q.class_lanes[_U(p)]
        uln = _U(ln)
        num = q.lane_key_base[uln, _U(hour)] + in_lane[uln]
        den = q.lane_key_den[uln, _U(hour)]
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


@njit(cache=True, nogil=True, inline="always")
def choose_lane(  # pragma: no cover - compiled
    t: float, c: int, i: int, q: QueueTables, qs: QueueState, src: Source
) -> int:
    """The lane crossing ``i`` of class ``c`` joins at time ``t`` (JSQ; see the module doc).

    The tie-break is uniform ``TIE`` of ``src`` for crossing ``i``, taken
    only when lanes tie.
    """
    uc = _U(c)
    p0 = q.class_ptr[uc]
    p1 = q.class_ptr[uc + _U(1)]
    if p1 - p0 == 1:
        return int(q.class_lanes[_U(p0)])
    heap_n = qs.heap_n[0]
    while heap_n > 0 and qs.heap_t[0] <= t:
        qs.in_lane[qs.heap_lane[0]] -= 1
        heap_n = heap_pop(qs.heap_t, qs.heap_lane, heap_n)
    qs.heap_n[0] = heap_n
    nbest = jsq_candidates(hour_index(t) % 24, p0, p1, q, qs.in_lane, qs.cand)
    if nbest == 1:
        return int(qs.cand[0])
    pick = int(uniform_of(src, TIE, i) * nbest)
    if pick >= nbest:
        pick = nbest - 1
    return int(qs.cand[pick])


# ------------------------------------------------------------------ booth choice


@njit(cache=True, nogil=True, inline="always")
def earliest_booth(  # pragma: no cover - compiled
    t: float, free: np.ndarray, first: int, n: int
) -> tuple[int, float]:
    """Among ``n`` always-open booths with free times ``free[first ..]``: ``(k, start)``.

    The booth that can start soonest, max(t, its free time); every idle
    booth ties at t, so the strict comparison keeps the first. Branch-free.
    """
    best_start = np.inf
    best_k = 0
    for k in range(n):
        sb = max(free[_U(first + k)], t)
        better = sb < best_start
        best_start = sb if better else best_start
        best_k = k if better else best_k
    return best_k, best_start


@njit(cache=True, nogil=True, inline="always")
def choose_booth(  # pragma: no cover - compiled
    t: float, ln: int, q: QueueTables, booth_free: np.ndarray
) -> tuple[int, float]:
    """The booth of lane ``ln`` that serves a crossing arriving at ``t``, and its start.

    The earliest possible start, the lowest-indexed booth on ties. Booth b
    can start the crossing at max(its first open moment from t on, its free
    time): the lane closes behind its last vehicle (see the module doc).
    """
    uln = _U(ln)
    g = q.lane_group[uln]
    b0 = q.lane_first_booth[uln]
    if q.always_open[_U(g)]:
        k, start = earliest_booth(t, booth_free, b0, q.lane_nbooths[uln])
        return int(b0 + k), start
    best_start = np.inf
    best_booth = b0
    for b in range(b0, b0 + q.lane_nbooths[uln]):
        sb = max(next_open(t, q.booth_rank[_U(b)], q.sched[g]), booth_free[_U(b)])
        if sb < best_start:
            best_start = sb
            best_booth = b
    return int(best_booth), best_start


@njit(cache=True, nogil=True, inline="always")
def join(  # pragma: no cover - compiled
    ln: int, booth: int, depart: float, qs: QueueState, track: bool
) -> None:
    """The crossing holds ``booth`` and stays in lane ``ln`` until ``depart``.

    The lane count is kept only when some class chooses among lanes (``track``).
    """
    qs.booth_free[_U(booth)] = depart
    if track:
        qs.in_lane[_U(ln)] += 1
        qs.heap_n[0] = heap_push(qs.heap_t, qs.heap_lane, qs.heap_n[0], depart, ln)

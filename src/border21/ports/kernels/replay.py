"""The replay driver: queue crossings whose draws are given (arrival order).

Used for the NumPy path (:meth:`PortModel.run`, where a targeting policy may
have replaced the referral flags), for every secondary area (the referred
crossings, in order of primary departure), and wherever a caller supplies its
own draws (common random numbers, the Mexican export stage's arrivals).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from border21.ports.kernels.common import borrow
from border21.ports.kernels.queue import (
    QueueState,
    choose_booth,
    choose_lane,
    join,
    new_queue_state,
)
from border21.ports.kernels.rng import Source
from border21.ports.kernels.tables import QueueTables


@njit(cache=True, nogil=True)
def serve_lanes(  # pragma: no cover - compiled
    arrival: np.ndarray,
    cls: np.ndarray,
    service: np.ndarray,
    ties: Source,
    q: QueueTables,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Serve crossings (sorted by ``arrival``) through one stage's lanes.

    ``cls`` is each crossing's class, ``service`` its service seconds and
    ``ties`` the source of the uniforms that break JSQ ties (a reading source
    over one uniform per crossing, or a drawing one). Returns
    ``(lane, booth, start, depart)`` per crossing.
    """
    n = arrival.shape[0]
    lane = np.empty(n, np.int32)
    booth = np.empty(n, np.int32)
    start = np.empty(n, np.float64)
    depart = np.empty(n, np.float64)
    _serve(arrival, cls, service, ties, q, new_queue_state(q, n), lane, booth, start, depart)
    return lane, booth, start, depart


@njit(cache=True, nogil=True)
def _serve(  # pragma: no cover - compiled
    arrival: np.ndarray,
    cls: np.ndarray,
    service: np.ndarray,
    ties: Source,
    q: QueueTables,
    qs: QueueState,
    lane: np.ndarray,
    booth: np.ndarray,
    start: np.ndarray,
    depart: np.ndarray,
) -> None:
    ties, q, qs = borrow((ties, q, qs))
    track = qs.heap_t.shape[0] > 0
    for i in range(arrival.shape[0]):
        t = arrival[i]
        ln = choose_lane(t, cls[i], i, q, qs, ties)
        b, s = choose_booth(t, ln, q, qs.booth_free)
        d = s + service[i]
        join(ln, b, d, qs, track)
        lane[i] = ln
        booth[i] = b
        start[i] = s
        depart[i] = d


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

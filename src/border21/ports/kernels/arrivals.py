"""Arrival sampling: each stream a Poisson process, piecewise constant per hour.

Time rescaling: a unit-rate Poisson process on a stream's cumulative
intensity, mapped back through its piecewise-linear inverse. Exact, and
sorted without a sort. Streams are merged by always taking the stream whose
next arrival is earliest.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from border21.ports.kernels.common import HOUR
from border21.ports.kernels.common import U as _U


def hour_table(cum: np.ndarray, inv_rate: np.ndarray) -> np.ndarray:
    """Per stream, 4 numbers an hour for :func:`advance`: end point, start point, 1 / count, k.

    One more entry after the last hour: end +inf (so the search for a point's
    hour always stops), and the last hour's constants (a point exactly at the
    horizon maps to its end).
    """
    n_streams, n_hours = inv_rate.shape
    out = np.empty((n_streams, n_hours + 1, 4))
    out[:, :n_hours, 0] = cum[:, 1:]
    out[:, :n_hours, 1] = cum[:, :n_hours]
    out[:, :n_hours, 2] = inv_rate
    out[:, :n_hours, 3] = np.arange(n_hours)
    out[:, n_hours, 0] = np.inf
    out[:, n_hours, 1] = cum[:, n_hours - 1]
    out[:, n_hours, 2] = inv_rate[:, n_hours - 1]
    out[:, n_hours, 3] = n_hours - 1
    return out.reshape(n_streams, 4 * (n_hours + 1))


def intensity_tables(rates_per_second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(cum, hours)`` for streams × hours of arrival rates per second.

    ``cum[s, k]`` is stream s's expected arrivals before hour k; ``hours`` is
    :func:`hour_table`. 1 / count is finite even for subnormal rates: the offset
    into such an hour is below its count, so the product stays below 1.
    """
    per_hour = np.asarray(rates_per_second, np.float64) * HOUR
    cum = np.zeros((per_hour.shape[0], per_hour.shape[1] + 1))
    np.cumsum(per_hour, axis=1, out=cum[:, 1:])
    inv_rate = np.where(per_hour > 0, 1.0 / np.maximum(per_hour, np.finfo(float).tiny), 0.0)
    return cum, hour_table(cum, inv_rate)


class Clock(NamedTuple):
    """Where each stream is: its point on the cumulative intensity, its hour, its next arrival."""

    point: np.ndarray  # float64[streams]
    hour_k: np.ndarray  # int64[streams]
    next_t: np.ndarray  # float64[streams]: next arrival time, inf when the stream is done


@njit(cache=True, nogil=True)
def new_clock(n_streams: int) -> Clock:  # pragma: no cover - compiled
    return Clock(
        np.zeros(n_streams, np.float64),
        np.zeros(n_streams, np.int64),
        np.full(n_streams, np.inf),
    )


@njit(cache=True, nogil=True, inline="always")
def locate(  # pragma: no cover - compiled
    p: float, k: int, us: np.uint64, cum: np.ndarray, hours: np.ndarray
) -> tuple[float, int]:
    """Point ``p`` of stream ``us``'s cumulative intensity as a time; its hour from ``k`` on.

    Point p in hour h maps to (h + (p - cum[h]) / count[h]) hours.
    ``hours[s, 4k : 4k + 4]`` holds hour k's end point, start point, 1 / count
    and k, so the common case (still in the same hour) is one compare and a few
    loads; the last entry's end is +inf (see :func:`hour_table`). Past the
    horizon the time is inf.
    """
    while hours[us, _U(4 * k)] <= p:
        k += 1
    j = _U(4 * k)
    t = (hours[us, j + _U(3)] + (p - hours[us, j + _U(1)]) * hours[us, j + _U(2)]) * HOUR
    return (t if p <= cum[us, _U(cum.shape[1] - 1)] else np.inf), k


@njit(cache=True, nogil=True, inline="always")
def advance(  # pragma: no cover - compiled
    s: int, gap: float, cum: np.ndarray, hours: np.ndarray, clock: Clock
) -> None:
    """Move stream ``s`` one unit-rate ``gap`` along its cumulative intensity (:func:`locate`)."""
    us = _U(s)
    p = clock.point[us] + gap
    clock.point[us] = p
    t, k = locate(p, clock.hour_k[us], us, cum, hours)
    clock.hour_k[us] = k
    clock.next_t[us] = t


@njit(cache=True, nogil=True, inline="always")
def earliest(next_t: np.ndarray) -> tuple[int, float]:  # pragma: no cover - compiled
    """The stream whose next arrival comes first (the lowest index on ties), and that time."""
    s = 0
    t = next_t[0]
    for j in range(1, next_t.shape[0]):
        if next_t[_U(j)] < t:
            t = next_t[_U(j)]
            s = j
    return s, t


@njit(cache=True, nogil=True)
def unit_poisson_to_times(  # pragma: no cover - compiled
    unit_gaps: np.ndarray, cum: np.ndarray, hours: np.ndarray
) -> tuple[np.ndarray, bool]:
    """One stream's arrival times from unit-rate gaps (:func:`locate`).

    Returns the times below the horizon and whether the gaps were enough to
    pass it. (The point and hour stay in registers: through a clock's arrays,
    each gap waited on the last store, 2× slower.)
    """
    out = np.empty(unit_gaps.shape[0], np.float64)
    p = 0.0
    k = 0
    us = _U(0)
    for i in range(unit_gaps.shape[0]):
        p += unit_gaps[i]
        t, k = locate(p, k, us, cum, hours)
        if t == np.inf:
            return out[:i], True
        out[i] = t
    return out, False

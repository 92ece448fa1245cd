"""A crossing as it is drawn: when it arrives, its class (stream × program), its service.

:func:`next_crossing` composes arrival sampling (:mod:`.arrivals`), the
program (class) choice and service sampling (:mod:`.service`); the one-pass
and draw drivers call it, and the draw driver's given-arrivals variant calls
the last two directly.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from border21.ports.kernels.arrivals import Clock, advance, earliest
from border21.ports.kernels.common import U as _U
from border21.ports.kernels.common import hour_index
from border21.ports.kernels.rng import Source, uniform_of
from border21.ports.kernels.service import simple_variate, unit_variate
from border21.ports.kernels.tables import RandomModel

CLASS = 0  # the uniform slot of the program (class) choice


@njit(cache=True, nogil=True, inline="always")
def unit_gap(gen: Source) -> float:  # pragma: no cover - compiled
    """A unit-rate Poisson gap: a standard exponential from the block buffer."""
    p = gen.pos[0]
    gen.pos[0] = p + 1
    return float(gen.ebuf[_U(p)])


@njit(cache=True, nogil=True, inline="always")
def choose_class(gen: Source, rm: RandomModel, s: int, i: int) -> int:  # pragma: no cover
    """The class of a crossing of stream ``s``: its program, by the stream's shares.

    The first class whose cumulative share exceeds a uniform (no draw when
    the stream has one class).
    """
    us = _U(s)
    q = rm.stream_cls_ptr[us]
    q1 = rm.stream_cls_ptr[us + _U(1)]
    if q1 - q > 1:
        u = uniform_of(gen, CLASS, i)
        while q < q1 - 1 and u >= rm.stream_cls_cum[_U(q)]:
            q += 1
    return int(rm.stream_cls[_U(q)])


@njit(cache=True, nogil=True, inline="always")
def primary_service(  # pragma: no cover - compiled
    gen: Source, rm: RandomModel, s: int, c: int, i: int, simple: bool, t: float
) -> float:
    """Primary service seconds of a crossing arriving at ``t``: the class's mean × the
    stream's factor for the hour of the day of ``t`` × a unit variate of the stream's
    distribution.

    ``simple``: the caller knows every distribution is exponential or
    deterministic (the short loop), so the lognormal and gamma call is not
    compiled in.
    """
    us = _U(s)
    dist = rm.stream_dist[us]
    if simple:
        unit = simple_variate(gen, i, dist)
    else:
        unit = unit_variate(gen, i, dist, rm.stream_par[us, _U(0)], rm.stream_par[us, _U(1)])
    mean = rm.class_mean[_U(c)]
    if rm.stream_hourly[us]:  # the lookup costs 4–13% of a run; most streams have no factors
        mean *= rm.stream_hour[us, _U(hour_index(t) % 24)]
    return float(mean * unit)


@njit(cache=True, nogil=True, inline="always")
def next_crossing(  # pragma: no cover - compiled
    gen: Source, rm: RandomModel, clock: Clock, i: int, simple: bool
) -> tuple[int, float, int, float]:
    """``(stream, arrival time, class, primary service seconds)`` of the next crossing.

    Time is inf when every stream is done.
    """
    s, t = earliest(clock.next_t)
    if t == np.inf:
        return s, t, 0, 0.0
    advance(s, unit_gap(gen), rm.cum, rm.hours, clock)
    c = choose_class(gen, rm, s, i)
    return s, t, c, primary_service(gen, rm, s, c, i, simple, t)

"""The draw driver: draw every crossing of a run up front, for the replay driver.

Used when the draws themselves matter (a targeting policy replaces the
referral flags, the frontier's experiments, the reference tests): the same
steps as the one-pass driver (:func:`~border21.ports.kernels.crossings.next_crossing`,
:func:`~border21.ports.kernels.referral.is_carrier`), but every variate a
crossing could need is drawn and kept: its tie-break uniform, the four
uniforms of the referral decisions (:mod:`~border21.ports.kernels.referral`'s
slots) and an exam time at its stream's secondary area, the last from a
stream of its own (:func:`~border21.ports.kernels.service.keyed_variate`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from border21.ports.kernels.arrivals import Clock, advance, new_clock
from border21.ports.kernels.common import U as _U
from border21.ports.kernels.common import borrow
from border21.ports.kernels.crossings import choose_class, next_crossing, primary_service, unit_gap
from border21.ports.kernels.referral import (
    is_carrier,
    is_found,
    is_random_referral,
    is_suspected,
)
from border21.ports.kernels.rng import Source, drawing_source, mix, top_up, uniform
from border21.ports.kernels.service import keyed_variate
from border21.ports.kernels.tables import RandomModel

BLOCK = 4096
_EXP_PER_CROSSING = 2  # arrival gap and primary service (exam times have their own stream)
EXAM_SALT = np.uint64(0x5EC0DA5EC0DA5EC0)  # keys the exam stream apart from other keyed uses


class DrawBuffers(NamedTuple):
    """One row per crossing: arrival, stream, class, services, tie-break, referral uniforms."""

    arrival: np.ndarray  # float64
    stream: np.ndarray  # int32
    cls: np.ndarray  # int32
    primary_seconds: np.ndarray  # float64
    secondary_seconds: np.ndarray  # float64 (0 for a stream without a secondary area)
    tie_u: np.ndarray  # float64
    u: np.ndarray  # float64[4, n]: referral, carrier, suspicion, finding


def new_draw_buffers(capacity: int) -> DrawBuffers:
    return DrawBuffers(
        np.empty(capacity, np.float64),
        np.empty(capacity, np.int32),
        np.empty(capacity, np.int32),
        np.empty(capacity, np.float64),
        np.empty(capacity, np.float64),
        np.empty(capacity, np.float64),
        np.empty((4, capacity), np.float64),
    )


class ExamStream(NamedTuple):
    """The exam times' own counter-based stream (see :func:`keyed_variate`)."""

    key: np.ndarray  # uint64[1]: from the run's seed
    state: np.ndarray  # uint64[4]: scratch
    spare: np.ndarray  # float64[2]: scratch


@njit(cache=True, nogil=True)
def new_exam_stream(seed_state: np.ndarray) -> ExamStream:  # pragma: no cover - compiled
    """Keyed by the run's seed words, before the run draws anything."""
    key = np.empty(1, np.uint64)
    key[0] = mix(seed_state[0] ^ mix(seed_state[1] ^ mix(seed_state[2] ^ EXAM_SALT)))
    return ExamStream(key, np.empty(4, np.uint64), np.zeros(2, np.float64))


@njit(cache=True, nogil=True, inline="always")
def _keep(  # pragma: no cover - compiled
    gen: Source,
    exam: ExamStream,
    rm: RandomModel,
    out: DrawBuffers,
    i: int,
    t: float,
    s: int,
    c: int,
    svc: float,
) -> None:
    """Store crossing ``i`` and draw what it may need later.

    Every crossing takes the same draws from the run's stream whatever its
    stream's secondary area; its exam time comes from :class:`ExamStream`. A
    variant that gives southbound cars an exam area (or changes an area's
    distribution) thus keeps every crossing's arrival, class, primary time and
    referral uniforms: the frontier's paired shifts compare like with like.
    """
    ui = _U(i)
    us = _U(s)
    out.arrival[ui] = t
    out.stream[ui] = s
    out.cls[ui] = c
    out.primary_seconds[ui] = svc
    out.tie_u[ui] = uniform(gen.state)
    for k in range(4):
        out.u[_U(k), ui] = uniform(gen.state)
    a = rm.stream_area[us]
    if a >= 0:
        ua = _U(a)
        out.secondary_seconds[ui] = rm.area_par[ua, _U(2)] * keyed_variate(
            exam.key[0],
            i,
            exam.state,
            exam.spare,
            rm.area_dist[ua],
            rm.area_par[ua, _U(0)],
            rm.area_par[ua, _U(1)],
        )
    else:
        out.secondary_seconds[ui] = 0.0


@njit(cache=True, nogil=True)
def _draw_block(  # pragma: no cover - compiled
    gen: Source,
    exam: ExamStream,
    rm: RandomModel,
    clock: Clock,
    n: int,
    limit: int,
    out: DrawBuffers,
) -> int:
    gen, exam, rm, clock, out = borrow((gen, exam, rm, clock, out))
    m = 0
    while m < limit:
        s, t, c, svc = next_crossing(gen, rm, clock, n + m, False)
        if t == np.inf:
            break
        _keep(gen, exam, rm, out, n + m, t, s, c, svc)
        m += 1
    return m


@njit(cache=True, nogil=True)
def draw_pass(state: np.ndarray, rm: RandomModel, out: DrawBuffers) -> int:  # pragma: no cover
    """Draw every crossing of the horizon into ``out``; ``state`` is advanced.

    Returns how many, or -1 if there were more arrivals than ``out`` holds.
    """
    n_streams = rm.cum.shape[0]
    n_hours = rm.cum.shape[1] - 1
    exam = new_exam_stream(state)
    gen = drawing_source(state, _EXP_PER_CROSSING * BLOCK)
    clock = new_clock(n_streams)
    for s in range(n_streams):
        if rm.cum[s, n_hours] > 0.0:
            advance(s, unit_gap(gen), rm.cum, rm.hours, clock)
    cap = out.arrival.shape[0]
    n = 0
    while True:
        limit = min(BLOCK, cap - n)
        if limit == 0:
            for s in range(n_streams):
                if clock.next_t[s] < np.inf:
                    return -1
            return n
        top_up(gen)
        m = _draw_block(gen, exam, rm, clock, n, limit, out)
        if m == 0:
            return n
        n += m


@njit(cache=True, nogil=True)
def _draw_given_block(  # pragma: no cover - compiled
    gen: Source,
    exam: ExamStream,
    rm: RandomModel,
    arrival: np.ndarray,
    stream: np.ndarray,
    n: int,
    m: int,
    out: DrawBuffers,
) -> None:
    gen, exam, rm, out = borrow((gen, exam, rm, out))
    for i in range(n, n + m):
        s = stream[i]
        c = choose_class(gen, rm, s, i)
        t = arrival[i]
        _keep(gen, exam, rm, out, i, t, s, c, primary_service(gen, rm, s, c, i, False, t))


@njit(cache=True, nogil=True)
def draw_given(  # pragma: no cover - compiled
    state: np.ndarray, rm: RandomModel, arrival: np.ndarray, stream: np.ndarray, out: DrawBuffers
) -> None:
    """Draw everything but the arrival for crossings arriving at given times, in their order."""
    exam = new_exam_stream(state)
    gen = drawing_source(state, _EXP_PER_CROSSING * BLOCK)
    n = 0
    while n < arrival.shape[0]:
        m = min(BLOCK, arrival.shape[0] - n)
        top_up(gen)
        _draw_given_block(gen, exam, rm, arrival, stream, n, m, out)
        n += m


@njit(cache=True, nogil=True)
def decide(  # pragma: no cover - compiled
    src: Source,
    stream: np.ndarray,
    cls: np.ndarray,
    rm: RandomModel,
    carrier_given: bool,
    carrier: np.ndarray,
    random_referral: np.ndarray,
    suspected: np.ndarray,
) -> None:
    """The referral decisions of drawn crossings (reading their uniforms from ``src``).

    Fills ``carrier`` (unless ``carrier_given``: a caller's carriers, e.g.
    from the targeting engine), ``random_referral`` and ``suspected``.
    """
    src, rm = borrow((src, rm))
    for i in range(stream.shape[0]):
        us = _U(stream[i])
        if not carrier_given:
            carrier[i] = is_carrier(src, i, rm.stream_prob[us, _U(0)])
        random_referral[i] = is_random_referral(src, i, rm.class_ref_p[_U(cls[i])])
        suspected[i] = is_suspected(src, i, carrier[i], rm.stream_prob[us, _U(1)])


@njit(cache=True, nogil=True)
def findings(  # pragma: no cover - compiled
    src: Source,
    stream: np.ndarray,
    referred: np.ndarray,
    carrier: np.ndarray,
    rm: RandomModel,
    detected: np.ndarray,
) -> None:
    """Whether secondary finds each referred carrier's contraband."""
    src, rm = borrow((src, rm))
    for i in range(stream.shape[0]):
        detected[i] = (
            referred[i] and carrier[i] and is_found(src, i, rm.stream_prob[_U(stream[i]), _U(2)])
        )

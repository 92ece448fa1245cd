"""Service sampling: a service time is its mean times a unit-mean variate.

The scenario gives a distribution by its mean and coefficient of variation
(:class:`~border21.ports.config.ServiceTime`); :func:`dist_params` turns that
into the numbers the compiled step reads, once, for every driver.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from border21.ports.config import ServiceTime
from border21.ports.kernels.common import U
from border21.ports.kernels.rng import (
    Source,
    exponential_of,
    gamma,
    normal,
    seed_counter_state,
    uniform,
)

DETERMINISTIC, EXPONENTIAL, LOGNORMAL, GAMMA = 0, 1, 2, 3
DIST_CODE = {"deterministic": 0, "exponential": 1, "lognormal": 2, "gamma": 3}


def dist_params(service: ServiceTime) -> tuple[int, float, float]:
    """``(code, p1, p2)`` of a mean-1 variate with the service's coefficient of variation.

    Lognormal: p1 = mu, p2 = sigma of the underlying normal (sigma² = log(1 +
    cv²), mu = −sigma²/2). Gamma: p1 = shape = 1 / cv². Otherwise 0.

    >>> dist_params(ServiceTime(distribution="gamma", mean_seconds=10, cv=0.5))
    (3, 4.0, 0.0)
    """
    code = DIST_CODE[service.distribution]
    cv = service.effective_cv
    if code == LOGNORMAL:
        sigma2 = math.log1p(cv * cv)
        return code, -sigma2 / 2.0, math.sqrt(sigma2)
    if code == GAMMA:
        return code, 1.0 / (cv * cv), 0.0
    return code, 0.0, 0.0


@njit(cache=True, nogil=True, inline="always")
def unit_variate(src: Source, i: int, dist: int, p1: float, p2: float) -> float:  # pragma: no cover
    """A variate with mean 1 of the distribution ``(dist, p1, p2)`` (see :func:`dist_params`)."""
    if dist <= EXPONENTIAL:
        return simple_variate(src, i, dist)
    if src.drawn:
        return shaped_variate(src.state, src.spare, dist, p1, p2)
    if dist == LOGNORMAL:  # a read and an exp, inline: a call cost the staged pass ~10%
        return math.exp(p1 + p2 * float(src.z[U(0), U(i)]))
    return gamma_read(src.index, src.key, src.state, src.spare, i, dist, p1, p2)


@njit(cache=True, nogil=True, inline="always")
def simple_variate(src: Source, i: int, dist: int) -> float:  # pragma: no cover - compiled
    """Exponential or deterministic (a loop that only meets these calls this directly)."""
    if dist == EXPONENTIAL:
        return exponential_of(src, i)
    return 1.0


@njit(cache=True, nogil=True)
def shaped_variate(  # pragma: no cover - compiled
    state: np.ndarray, spare: np.ndarray, dist: int, p1: float, p2: float
) -> float:
    """A lognormal or gamma unit variate drawn from ``state``.

    A call, not inlined: loops that rarely take it stay short and keep their
    registers (inlined, the untaken branch cost M/M/10 ~4–8%); it takes the two
    arrays it draws from, not a source (every array of a tuple passed to a call
    is counted).
    """
    if dist == LOGNORMAL:
        return math.exp(p1 + p2 * normal(state, spare))
    return gamma(state, spare, p1) / p1


@njit(cache=True, nogil=True)
def gamma_read(  # pragma: no cover - compiled
    index: np.ndarray,
    key: np.ndarray,
    state: np.ndarray,
    spare: np.ndarray,
    i: int,
    dist: int,
    p1: float,
    p2: float,
) -> float:
    """A gamma unit variate of a reading source (see :class:`Source`).

    A gamma takes a variable number of draws: a generator of the crossing's
    own, keyed by its number, so every reader sees the same variate.
    """
    seed_counter_state(key[0], index[U(i)], state)
    spare[0] = 0.0
    return shaped_variate(state, spare, dist, p1, p2)


@njit(cache=True, nogil=True)
def keyed_variate(  # pragma: no cover - compiled
    key: np.uint64, i: int, state: np.ndarray, spare: np.ndarray, dist: int, p1: float, p2: float
) -> float:
    """A unit variate of crossing ``i`` from a generator of its own, keyed by its number.

    It takes nothing from the run's stream, so whether a crossing draws one
    (whether its stream has a secondary area, and of which distribution) does
    not move any other crossing's draws: variants that add or change an exam
    area keep the baseline's crossings (common random numbers).
    """
    if dist < EXPONENTIAL:
        return 1.0
    seed_counter_state(key, i, state)
    if dist == EXPONENTIAL:
        return -math.log(1.0 - uniform(state))
    spare[0] = 0.0
    return shaped_variate(state, spare, dist, p1, p2)

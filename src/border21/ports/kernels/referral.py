"""Referral and detection: who carries contraband, who goes to secondary, who is caught.

A crossing carries contraband with its stream's carrier probability. It is
referred to secondary at random, at its class's referral probability, or
because it carries and the officer at primary suspects it. A referred
carrier's contraband is found in secondary with the stream's finding
probability. Each decision reads its own uniform (``slot``) from the source,
and only when it can matter, so a drawing source spends no draw on a
decision that cannot change (and a reading source gives every reader the same
decisions).
"""

from __future__ import annotations

from numba import njit

from border21.ports.kernels.rng import Source, uniform_of

REFERRAL, CARRIER, SUSPICION, FINDING = 0, 1, 2, 3  # uniform slots (rows of pre-drawn sources)


@njit(cache=True, nogil=True, inline="always")
def is_carrier(src: Source, i: int, cp: float) -> bool:  # pragma: no cover - compiled
    return cp > 0.0 and uniform_of(src, CARRIER, i) < cp


@njit(cache=True, nogil=True, inline="always")
def is_random_referral(src: Source, i: int, rp: float) -> bool:  # pragma: no cover - compiled
    return rp > 0.0 and uniform_of(src, REFERRAL, i) < rp


@njit(cache=True, nogil=True, inline="always")
def is_suspected(src: Source, i: int, carrier: bool, ps: float) -> bool:  # pragma: no cover
    """The officer at primary suspects a carrier (and so refers it)."""
    return carrier and ps > 0.0 and uniform_of(src, SUSPICION, i) < ps


@njit(cache=True, nogil=True, inline="always")
def is_found(src: Source, i: int, pf: float) -> bool:  # pragma: no cover - compiled
    """Secondary finds a referred carrier's contraband."""
    return pf > 0.0 and uniform_of(src, FINDING, i) < pf


@njit(cache=True, nogil=True, inline="always")
def referral_outcome(  # pragma: no cover - compiled
    src: Source, i: int, rp: float, cp: float, ps: float, pf: float
) -> tuple[bool, bool, bool]:
    """``(referred, carrier, detected)`` of crossing ``i``.

    ``rp``: random referral probability of its class; ``cp``: carrier
    probability, ``ps``: an officer's suspicion of a carrier at primary,
    ``pf``: secondary's finding, of its stream.
    """
    car = is_carrier(src, i, cp)
    ref = is_random_referral(src, i, rp) or is_suspected(src, i, car, ps)
    det = ref and car and is_found(src, i, pf)
    return ref, car, det

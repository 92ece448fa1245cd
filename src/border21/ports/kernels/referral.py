"""Referral and detection: who goes to secondary, who carries contraband, who is caught.

A crossing is referred at random, at its class's referral probability, or
because it carries contraband and the officer at primary suspects it. A
referred carrier's contraband is found in secondary with the stream's finding
probability. Each decision reads its own uniform (``slot``) from the source,
and only when it matters, so a drawing source spends no draw on a decision
that cannot change.
"""

from __future__ import annotations

from typing import Any

from numba import njit

from border21.ports.kernels.rng import uniform_of

REFERRAL, CARRIER, SUSPICION, FINDING = 0, 1, 2, 3  # uniform slots (rows of pre-drawn sources)


@njit(cache=True, nogil=True, inline="always")
def is_found(src: Any, i: int, pf: float) -> bool:  # pragma: no cover - compiled
    """Secondary finds a referred carrier's contraband."""
    return pf > 0.0 and uniform_of(src, FINDING, i) < pf


@njit(cache=True, nogil=True, inline="always")
def referral_outcome(  # pragma: no cover - compiled
    src: Any, i: int, rp: float, cp: float, ps: float, pf: float
) -> tuple[bool, bool, bool]:
    """``(referred, carrier, detected)`` of crossing ``i``.

    ``rp``: random referral probability of its class; ``cp``: carrier
    probability, ``ps``: an officer's suspicion of a carrier at primary,
    ``pf``: secondary's finding, of its stream.
    """
    ref = rp > 0.0 and uniform_of(src, REFERRAL, i) < rp
    car = cp > 0.0 and uniform_of(src, CARRIER, i) < cp
    det = False
    if car:
        if ps > 0.0 and uniform_of(src, SUSPICION, i) < ps:
            ref = True
        if ref:
            det = is_found(src, i, pf)
    return ref, car, det

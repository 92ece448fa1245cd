"""Referral policies: who, among the crossings at primary, goes to secondary.

A policy sees the drawn crossings (their stream, trusted-programme
membership and, when a risk model is attached, a risk score) and returns one
referral flag per crossing. Officers' own suspicion at primary still refers
the carriers they spot, whatever the policy. Every policy that draws owns its
generator, passed in by the caller.

>>> import numpy as np
>>> ctx = ReferralContext(programs=np.array(["general"] * 4), scores=None,
...                       inspected=np.ones(4, bool))
>>> RandomReferral(rate=0.5).decide(ctx, np.random.default_rng(0)).tolist()
[False, True, True, True]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message

TRUSTED_PROGRAMS = ("sentri", "fast")


@dataclass(frozen=True, slots=True)
class ReferralContext:
    """What a policy may look at: one entry per crossing.

    ``inspected`` marks the crossings of streams this policy governs (e.g. only
    trucks, or only southbound traffic); the others are never referred by it.
    ``scores`` are risk scores from a targeting model (higher is riskier), or
    None where no model is attached.
    """

    programs: np.ndarray
    scores: np.ndarray | None
    inspected: np.ndarray


class ReferralPolicy(Protocol):
    @property
    def name(self) -> str: ...

    def decide(self, ctx: ReferralContext, rng: np.random.Generator) -> np.ndarray: ...


def check_rate(rate: float, field: str = "rate") -> float:
    """A referral rate (share of crossings inspected) must lie in (0, 1]."""
    if not (0.0 < rate <= 1.0):
        raise InputError(field, rate, Message("must be in (0, 1] (a budget of (0, 100] percent)"))
    return float(rate)


@dataclass(frozen=True, slots=True)
class RandomReferral:
    """Refer each governed crossing independently with probability ``rate``."""

    rate: float
    name: str = "random"

    def __post_init__(self) -> None:
        check_rate(self.rate)

    def decide(self, ctx: ReferralContext, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(ctx.inspected & (rng.random(ctx.inspected.shape[0]) < self.rate))


@dataclass(frozen=True, slots=True)
class TrustedProgramReferral:
    """Random referral with members of trusted programmes (SENTRI, FAST) spared.

    Members are referred at ``rate × trusted_factor``; the others at the rate
    that keeps the overall share at ``rate`` where possible.
    """

    rate: float
    trusted_factor: float = 0.25
    name: str = "trusted"

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if not (0.0 <= self.trusted_factor <= 1.0):
            raise InputError("trusted_factor", self.trusted_factor, Message("must be in [0, 1]"))

    def decide(self, ctx: ReferralContext, rng: np.random.Generator) -> np.ndarray:
        trusted = np.isin(ctx.programs, TRUSTED_PROGRAMS) & ctx.inspected
        n_gov = max(int(ctx.inspected.sum()), 1)
        share_trusted = trusted.sum() / n_gov
        member_rate = self.rate * self.trusted_factor
        other_rate = min(
            1.0, (self.rate - share_trusted * member_rate) / max(1.0 - share_trusted, 1e-12)
        )
        p = np.where(trusted, member_rate, other_rate)
        return np.asarray(ctx.inspected & (rng.random(p.shape[0]) < p))


@dataclass(frozen=True, slots=True)
class TargetedReferral:
    """Refer crossings whose risk score is at or above a budget threshold.

    ``threshold`` is fixed in advance from scores of past traffic (see
    :func:`budget_threshold`) so that the expected share referred equals the
    budget: at primary an officer cannot wait for the whole day's ranking.
    """

    rate: float
    threshold: float
    name: str = "targeted"

    def __post_init__(self) -> None:
        check_rate(self.rate)

    def decide(self, ctx: ReferralContext, rng: np.random.Generator) -> np.ndarray:
        if ctx.scores is None:
            raise InputError("policy", self.name, Message("needs risk scores; attach a risk model"))
        return np.asarray(ctx.inspected & (ctx.scores >= self.threshold))


def budget_threshold(past_scores: np.ndarray, rate: float) -> float:
    """The score above which a share ``rate`` of past traffic lies.

    >>> budget_threshold(np.arange(100.0), 0.1)
    90.0
    """
    check_rate(rate)
    if past_scores.size == 0:
        raise InputError("past_scores", "empty", Message("need past scores to set a threshold"))
    k = max(int(round(rate * past_scores.size)), 1)
    return float(np.partition(past_scores, -k)[-k])


POLICY_NAMES = ("random", "trusted", "targeted")

# Mexico's semáforo fiscal is not a CBP referral policy: it runs at Mexican customs
# (``cooperation.export_inspection.semaforo_probability`` for northbound trucks).
NOT_A_POLICY = {
    "semaforo": Message(
        "Mexico's semáforo fiscal runs at Mexican customs, not at CBP: set "
        "cooperation.export_inspection.semaforo_probability (the red-light share of "
        "northbound export trucks, with its own exam bays and detection)"
    )
}

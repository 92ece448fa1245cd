"""Random draws for one run, made up front (the draw driver), for replay.

Everything random about a run (arrival times, programs, service times, tie
breaks, carriers and the uniforms of the referral decisions) is drawn by the
draw driver (:mod:`border21.ports.kernels.draw`) with the same steps the
one-pass engine uses; the replay driver then only queues. Keeping the draws
apart lets a targeting policy replace the referral flags, lets two policies
see the same crossings (common random numbers), and lets the tests feed the
very same draws to a pure-Python reference simulator.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message
from border21.ports.kernels.arrivals import intensity_tables, unit_poisson_to_times
from border21.ports.kernels.draw import (
    DrawBuffers,
    decide,
    draw_given,
    draw_pass,
    findings,
    new_draw_buffers,
)
from border21.ports.kernels.rng import reading_source, state_words
from border21.ports.kernels.tables import RandomModel


@dataclass(frozen=True, slots=True)
class CrossingDraws:
    """Everything random about one run, one row per crossing, sorted by arrival.

    ``u`` holds each crossing's uniforms for the referral decisions (rows:
    random referral, carrier, officer's suspicion, secondary's finding; see
    :mod:`border21.ports.kernels.referral`), from which ``carrier``,
    ``random_referral`` and ``suspected`` follow. A caller may replace the
    referral flags or the carriers (:meth:`with_flags`).
    """

    arrival: np.ndarray
    stream: np.ndarray
    cls: np.ndarray
    primary_seconds: np.ndarray
    secondary_seconds: np.ndarray
    tie_u: np.ndarray
    u: np.ndarray
    carrier: np.ndarray
    random_referral: np.ndarray
    suspected: np.ndarray
    model: RandomModel
    policy_referred: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.arrival.shape[0])

    @property
    def referred(self) -> np.ndarray:
        """The caller's referral flags if given, else random referral or suspicion."""
        if self.policy_referred is not None:
            return self.policy_referred
        return np.asarray(self.random_referral | self.suspected)

    def detected(self, referred: np.ndarray) -> np.ndarray:
        """Whether secondary finds the contraband of each referred carrier."""
        out = np.empty(len(self), np.bool_)
        findings(reading_source(self.u), self.stream, referred, self.carrier, self.model, out)
        return out

    def with_flags(
        self, *, referred: np.ndarray | None = None, carrier: np.ndarray | None = None
    ) -> CrossingDraws:
        """A copy whose referral decisions (and optionally carriers) come from the caller.

        With ``referred`` given, the caller's flags are the referrals, exactly
        (random referral and officers' suspicion are replaced; a caller that wants
        to keep suspicion passes ``policy | draws.suspected``). With ``carrier``
        given, officers' suspicion follows the new carriers.
        """
        n = len(self)
        out = self
        if carrier is not None:
            carrier = _flag_array(carrier, n, "carrier")
            suspected = np.empty(n, np.bool_)
            random_referral = np.empty(n, np.bool_)
            decide(
                reading_source(self.u),
                self.stream,
                self.cls,
                self.model,
                True,
                carrier,
                random_referral,
                suspected,
            )
            out = dataclasses.replace(out, carrier=carrier, suspected=suspected)
        if referred is not None:
            out = dataclasses.replace(out, policy_referred=_flag_array(referred, n, "referred"))
        return out

    def reordered(self, order: np.ndarray, arrival: np.ndarray | None = None) -> CrossingDraws:
        """The same crossings in ``order`` (and, if given, with new arrival times)."""
        changes: dict[str, np.ndarray | None] = {
            name: getattr(self, name)[order]
            for name in (
                "arrival",
                "stream",
                "cls",
                "primary_seconds",
                "secondary_seconds",
                "tie_u",
                "carrier",
                "random_referral",
                "suspected",
            )
        }
        changes["u"] = self.u[:, order]
        if arrival is not None:
            changes["arrival"] = arrival[order]
        if self.policy_referred is not None:
            changes["policy_referred"] = self.policy_referred[order]
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def _flag_array(flags: np.ndarray, n: int, name: str) -> np.ndarray:
    arr = np.asarray(flags)
    if arr.shape != (n,):
        raise InputError(
            name, f"shape {arr.shape}", Message("expected one flag per crossing ({n})", n=n)
        )
    return arr.astype(np.bool_)


def _draws(buffers: DrawBuffers, n: int, model: RandomModel) -> CrossingDraws:
    cols = {
        name: np.ascontiguousarray(getattr(buffers, name)[..., :n]) for name in DrawBuffers._fields
    }
    carrier = np.empty(n, np.bool_)
    random_referral = np.empty(n, np.bool_)
    suspected = np.empty(n, np.bool_)
    decide(
        reading_source(cols["u"]),
        cols["stream"],
        cols["cls"],
        model,
        False,
        carrier,
        random_referral,
        suspected,
    )
    return CrossingDraws(
        **cols,
        carrier=carrier,
        random_referral=random_referral,
        suspected=suspected,
        model=model,
    )


def draw_crossings(
    model: RandomModel, capacity: int, seed: int | np.random.Generator | None
) -> CrossingDraws:
    """Draw every crossing of the model's horizon (in arrival order)."""
    state = state_words(seed)
    start = state.copy()
    while True:
        buffers = new_draw_buffers(capacity)
        n = draw_pass(state, model, buffers)
        if n >= 0:
            return _draws(buffers, n, model)
        state[:] = start  # a tail event beyond six standard deviations: more room
        capacity = 2 * capacity + 16


def draw_at_arrivals(
    model: RandomModel,
    arrival: np.ndarray,
    stream: np.ndarray,
    seed: int | np.random.Generator | None,
) -> CrossingDraws:
    """Draw crossings whose arrival times and streams are given (e.g. by an upstream stage).

    ``arrival`` must be sorted; the result keeps the given order.
    """
    if arrival.shape != stream.shape:
        raise InputError("stream", f"shape {stream.shape}", Message("must match arrival"))
    if np.any(np.diff(arrival) < 0):
        raise InputError("arrival", "unsorted", Message("arrival times must be non-decreasing"))
    n_streams = model.cum.shape[0]
    if stream.size and (stream.min() < 0 or stream.max() >= n_streams):
        raise InputError(
            "stream", int(stream.max()), Message("must be in [0, {n_streams})", n_streams=n_streams)
        )
    buffers = new_draw_buffers(arrival.shape[0])
    draw_given(
        state_words(seed),
        model,
        np.ascontiguousarray(arrival, np.float64),
        np.ascontiguousarray(stream, np.int32),
        buffers,
    )
    return _draws(buffers, arrival.shape[0], model)


def poisson_arrivals(rate_per_second: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times of a Poisson process, piecewise constant per hour.

    Time rescaling (:mod:`border21.ports.kernels.arrivals`), from unit-rate
    gaps drawn by ``rng`` (for tests and benchmarks of the arrival step).
    """
    cum, hours = intensity_tables(np.asarray(rate_per_second, np.float64)[None, :])
    total = float(cum[0, -1])
    if total <= 0:
        return np.empty(0)
    chunk = int(total + 6.0 * np.sqrt(total) + 16)
    gaps = rng.standard_exponential(chunk)
    times, complete = unit_poisson_to_times(gaps, cum, hours)
    while not complete:  # a tail event: more gaps, from the same generator
        gaps = np.concatenate((gaps, rng.standard_exponential(chunk)))
        times, complete = unit_poisson_to_times(gaps, cum, hours)
    return np.asarray(times)

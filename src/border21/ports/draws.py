"""Random draws for one simulated run, made up front with NumPy.

Everything random about a run (arrival times, programs, service times, tie
breaks, referral, carriers, detection) is drawn here from one
``numpy.random.Generator``; the kernels then only queue. Keeping the draws
apart lets a targeting policy replace the referral flags, and lets the tests
feed the very same draws to a pure-Python reference simulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from border21.errors import InputError
from border21.ports.config import PortScenario, ServiceTime
from border21.ports.kernels.common import HOUR
from border21.ports.layout import PortLayout, hourly_rates

def poisson_arrivals(rate_per_second: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times of a Poisson process, piecewise constant per hour.

    Time rescaling (:mod:`border21.ports.kernels.arrivals`), from unit-rate
    gaps drawn by ``rng``.
    """
    from border21.ports.kernels.arrivals import intensity_tables, unit_poisson_to_times

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


def unit_variates(service: ServiceTime, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws with mean 1 and the distribution's coefficient of variation."""
    cv = service.effective_cv
    if service.distribution == "deterministic" or n == 0:
        return np.ones(n)
    if service.distribution == "exponential":
        return rng.standard_exponential(n)
    if service.distribution == "lognormal":
        sigma2 = float(np.log1p(cv * cv))
        return np.asarray(rng.lognormal(-sigma2 / 2.0, np.sqrt(sigma2), n))
    shape = 1.0 / (cv * cv)
    return np.asarray(rng.gamma(shape, 1.0 / shape, n))


@dataclass(frozen=True, slots=True)
class CrossingDraws:
    """Everything random about one run, one row per crossing, sorted by arrival.

    ``referred`` and ``carrier`` are the scenario's own draws (random referral
    at the stream's rate plus officers' suspicion of carriers at primary); a
    caller may replace them, see :meth:`with_flags`.
    """

    arrival: np.ndarray
    stream: np.ndarray
    cls: np.ndarray
    primary_seconds: np.ndarray
    tie_u: np.ndarray
    secondary_seconds: np.ndarray
    carrier: np.ndarray
    suspect_u: np.ndarray
    p_suspect: np.ndarray
    random_referral: np.ndarray
    found_u: np.ndarray

    def __len__(self) -> int:
        return int(self.arrival.shape[0])

    @property
    def suspected(self) -> np.ndarray:
        """Carriers an officer at primary suspects (and so refers)."""
        return np.asarray(self.carrier & (self.suspect_u < self.p_suspect))

    @property
    def referred(self) -> np.ndarray:
        return np.asarray(self.random_referral | self.suspected)

    def with_flags(
        self, *, referred: np.ndarray | None = None, carrier: np.ndarray | None = None
    ) -> CrossingDraws:
        """A copy whose referral decisions (and optionally carriers) come from the caller.

        With ``referred`` given, the caller's flags are the referrals, exactly
        (random referral and officers' suspicion are replaced; a caller that wants
        to keep suspicion passes ``policy | draws.suspected``). With ``carrier``
        given, officers' suspicion follows the new carriers.
        """
        from dataclasses import replace

        n = len(self)
        out = self
        if carrier is not None:
            carrier = _flag_array(carrier, n, "carrier")
            out = replace(out, carrier=carrier)
        if referred is not None:
            referred = _flag_array(referred, n, "referred")
            out = replace(out, random_referral=referred, p_suspect=np.zeros(n))
        return out


def _flag_array(flags: np.ndarray, n: int, name: str) -> np.ndarray:
    arr = np.asarray(flags)
    if arr.shape != (n,):
        raise InputError(name, f"shape {arr.shape}", f"expected one flag per crossing ({n})")
    return arr.astype(np.bool_)


def _stream_columns(
    scenario: PortScenario,
    layout: PortLayout,
    s: int,
    arrival: np.ndarray,
    rng: np.random.Generator,
) -> tuple[Any, ...]:
    """Everything but the tie-break drawn for the crossings of stream ``s``."""
    stream = list(scenario.streams.values())[s]
    n = arrival.shape[0]
    classes = np.flatnonzero(layout.class_stream == s)
    programs = [layout.class_program[c] for c in classes]
    shares = np.array([stream.program_shares[p] for p in programs])  # type: ignore[index]
    if len(classes) == 1:
        pick: Any = np.zeros(n, np.int64)
    else:
        pick = np.searchsorted(np.cumsum(shares / shares.sum()), rng.random(n), side="right")
        pick = np.minimum(pick, len(classes) - 1)
    cls = classes[pick]
    means = np.array([stream.primary_service.mean_for(p) for p in programs])
    primary = unit_variates(stream.primary_service, n, rng) * means[pick]
    ref_p = np.array([stream.referral_for(p) for p in programs])[pick]
    random_referral = rng.random(n) < ref_p if np.any(ref_p > 0) else np.zeros(n, np.bool_)
    carrier = (
        rng.random(n) < stream.carrier_probability
        if stream.carrier_probability > 0
        else np.zeros(n, np.bool_)
    )
    suspect_u = rng.random(n)
    p_suspect = np.full(n, stream.primary_detection_probability)
    found_u = rng.random(n)
    if stream.secondary is not None:
        area = scenario.secondary[stream.secondary].service
        secondary = unit_variates(area, n, rng) * area.mean_seconds
    else:
        secondary = np.zeros(n)
    return (
        arrival,
        np.full(n, s, np.int32),
        cls.astype(np.int32),
        primary,
        random_referral,
        carrier,
        suspect_u,
        p_suspect,
        found_u,
        secondary,
    )


def _assemble(cols: list[Any], layout: PortLayout, rng: np.random.Generator) -> CrossingDraws:
    n_total = cols[0].shape[0]
    multi_lane = np.diff(layout.primary.tables.class_ptr).max(initial=1) > 1
    tie_u = rng.random(n_total) if multi_lane else np.zeros(n_total)
    (
        arrival,
        stream_idx,
        cls,
        primary,
        random_referral,
        carrier,
        suspect_u,
        p_suspect,
        found_u,
        secondary,
    ) = cols
    return CrossingDraws(
        arrival=arrival,
        stream=stream_idx,
        cls=cls,
        primary_seconds=primary,
        tie_u=tie_u,
        secondary_seconds=secondary,
        carrier=carrier,
        suspect_u=suspect_u,
        p_suspect=p_suspect,
        random_referral=random_referral,
        found_u=found_u,
    )


def draw_crossings(
    scenario: PortScenario, layout: PortLayout, days: int, rng: np.random.Generator
) -> CrossingDraws:
    """Draw every crossing of ``days`` days, merged across streams in arrival order."""
    parts: list[tuple[Any, ...]] = []
    for s, stream in enumerate(scenario.streams.values()):
        rates = hourly_rates(
            stream.crossings_per_day,
            stream.hour_of_day_shape,
            stream.weekday_shape,
            days,
            scenario.port.start_weekday,
        )
        parts.append(_stream_columns(scenario, layout, s, poisson_arrivals(rates, rng), rng))
    if len(parts) == 1:
        return _assemble(list(parts[0]), layout, rng)
    cols: list[Any] = [np.concatenate(c) for c in zip(*parts, strict=True)]
    order = np.argsort(cols[0], kind="stable")
    return _assemble([c[order] for c in cols], layout, rng)


def draw_at_arrivals(
    scenario: PortScenario,
    layout: PortLayout,
    arrival: np.ndarray,
    stream: np.ndarray,
    rng: np.random.Generator,
) -> CrossingDraws:
    """Draw crossings whose arrival times and streams are given (e.g. by an upstream stage).

    ``arrival`` must be sorted; the result keeps the given order.
    """
    if arrival.shape != stream.shape:
        raise InputError("stream", f"shape {stream.shape}", "must match arrival")
    if np.any(np.diff(arrival) < 0):
        raise InputError("arrival", "unsorted", "arrival times must be non-decreasing")
    cols: list[Any] = [None] * 10
    for s in range(len(scenario.streams)):
        idx = np.flatnonzero(stream == s)
        part = _stream_columns(scenario, layout, s, arrival[idx], rng)
        for k, col in enumerate(part):
            if cols[k] is None:
                cols[k] = np.empty(arrival.shape[0], dtype=col.dtype)
            cols[k][idx] = col
    return _assemble(cols, layout, rng)

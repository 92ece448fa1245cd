"""SIPP: stationary independent period-by-period staffing on Erlang C.

Each hour is treated as its own steady-state M/G/c queue with that hour's
arrival rate, and gets the fewest servers whose wait target holds. The wait
distribution is Erlang C's, P(W > t) = C(c, a) · exp(−(cμ − λ) t), with the
Allen–Cunneen correction for a service time that is not exponential: waits
scale by (1 + cs²) / 2, so the decay rate is divided by it. Lagged SIPP
staffs hour h for the demand of the hour shifted back by a lag (Green,
Kolesar and Soares, Operations Research 49(4), 2001): work that arrived up
to a sojourn earlier is still in the port.

>>> round(erlang_c(2, 1.0), 4)   # two servers, one erlang offered
0.3333
>>> sipp_servers(100 / 3600, 120.0, 1.0, p95_seconds=600.0, mean_seconds=None, most=10)
4
"""

from __future__ import annotations

import math
from collections.abc import Sequence

WAIT_QUANTILE = 0.95


def erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (1 when c ≤ a).

    Through Erlang B's recursion, which stays finite for hundreds of servers.
    """
    if offered <= 0:
        return 0.0
    if servers <= offered:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = offered * b / (k + offered * b)
    rho = offered / servers
    return b / (1.0 - rho * (1.0 - b))


def wait_tail(servers: int, rate: float, mean_service: float, scv: float, t: float) -> float:
    """P(W > t) for ``servers`` booths, arrivals ``rate``/s, service mean and squared cv."""
    if rate <= 0:
        return 0.0
    mu = 1.0 / mean_service
    if servers * mu <= rate:
        return 1.0
    factor = (1.0 + scv) / 2.0
    return erlang_c(servers, rate * mean_service) * math.exp(-(servers * mu - rate) * t / factor)


def mean_wait(servers: int, rate: float, mean_service: float, scv: float) -> float:
    """Mean wait E[W] = C(c, a) / (cμ − λ) · (1 + cs²) / 2 (infinite when unstable)."""
    if rate <= 0:
        return 0.0
    mu = 1.0 / mean_service
    if servers * mu <= rate:
        return math.inf
    factor = (1.0 + scv) / 2.0
    return erlang_c(servers, rate * mean_service) / (servers * mu - rate) * factor


def sipp_servers(
    rate: float,
    mean_service: float,
    scv: float,
    *,
    p95_seconds: float | None,
    mean_seconds: float | None,
    most: int,
) -> int:
    """The fewest booths (0..most) meeting the targets; ``most + 1`` when even ``most`` misses."""
    if rate <= 0:
        return 0
    for c in range(max(1, math.floor(rate * mean_service)), most + 1):
        tail_ok = p95_seconds is None or (
            wait_tail(c, rate, mean_service, scv, p95_seconds) <= 1.0 - WAIT_QUANTILE
        )
        mean_ok = mean_seconds is None or mean_wait(c, rate, mean_service, scv) <= mean_seconds
        if tail_ok and mean_ok:
            return c
    return most + 1


def lagged_rates(rates: Sequence[float], lag_seconds: float) -> list[float]:
    """Each hour's mean arrival rate over the hour shifted back by ``lag_seconds`` (a day's loop).

    >>> lagged_rates([0.0, 3.0] + [0.0] * 22, 1800.0)[:3]
    [0.0, 1.5, 1.5]
    """
    hours = len(rates)
    shift = lag_seconds / 3600.0
    out = []
    for h in range(hours):
        lo, hi = h - shift, h + 1 - shift
        total = 0.0
        k = math.floor(lo)
        while k < hi:
            overlap = min(hi, k + 1) - max(lo, k)
            total += overlap * rates[k % hours]
            k += 1
        out.append(total)
    return out

"""SIPP on Erlang C: the formulas, minimality of the servers, the lagged demand."""

from __future__ import annotations

import math

import pytest

from border21.ports import sipp


def _erlang_c_direct(c: int, a: float) -> float:
    """Erlang C from its textbook sum (fine for small c)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize(("c", "a"), [(1, 0.5), (2, 1.0), (5, 4.2), (10, 8.0), (30, 27.5)])
def test_erlang_c_matches_the_textbook_sum(c: int, a: float):
    assert sipp.erlang_c(c, a) == pytest.approx(_erlang_c_direct(c, a), rel=1e-10)


def test_erlang_c_is_one_when_unstable_and_finite_for_hundreds_of_servers():
    assert sipp.erlang_c(3, 3.0) == 1.0 and sipp.erlang_c(3, 4.0) == 1.0
    assert 0.0 < sipp.erlang_c(500, 480.0) < 1.0


def test_wait_tail_is_erlang_cs_exponential_and_cunneen_scales_it():
    lam, mean = 100 / 3600, 120.0
    c, t = 5, 300.0
    expected = sipp.erlang_c(c, lam * mean) * math.exp(-(c / mean - lam) * t)
    assert sipp.wait_tail(c, lam, mean, 1.0, t) == pytest.approx(expected)
    # Deterministic service (scv 0): waits halve, so the tail at t is the M/M/c tail at 2t.
    assert sipp.wait_tail(c, lam, mean, 0.0, t) == pytest.approx(
        sipp.wait_tail(c, lam, mean, 1.0, 2 * t)
    )
    assert sipp.mean_wait(1, 0.5 / mean, mean, 1.0) == pytest.approx(mean)  # M/M/1, ρ = 0.5


@pytest.mark.parametrize("target_min", [2.0, 10.0, 45.0])
@pytest.mark.parametrize("per_hour", [30.0, 200.0, 900.0])
def test_sipp_servers_is_the_fewest_meeting_the_p95_target(per_hour: float, target_min: float):
    lam, mean, scv = per_hour / 3600, 110.0, 0.49
    c = sipp.sipp_servers(lam, mean, scv, p95_seconds=60 * target_min, mean_seconds=None, most=100)
    assert sipp.wait_tail(c, lam, mean, scv, 60 * target_min) <= 0.05
    assert sipp.wait_tail(c - 1, lam, mean, scv, 60 * target_min) > 0.05


def test_sipp_servers_says_when_the_booths_run_out_and_staffs_nobody_without_demand():
    assert sipp.sipp_servers(0.0, 100.0, 1.0, p95_seconds=60, mean_seconds=None, most=3) == 0
    assert sipp.sipp_servers(1.0, 100.0, 1.0, p95_seconds=60, mean_seconds=None, most=3) == 4
    # A mean target binds on its own.
    lam, mean = 200 / 3600, 100.0
    c = sipp.sipp_servers(lam, mean, 1.0, p95_seconds=None, mean_seconds=30.0, most=50)
    assert sipp.mean_wait(c, lam, mean, 1.0) <= 30.0 < sipp.mean_wait(c - 1, lam, mean, 1.0)


def test_lagged_rates_shift_the_day_and_keep_its_total():
    rates = [float(h % 7) for h in range(24)]
    assert sipp.lagged_rates(rates, 0.0) == pytest.approx(rates)
    assert sipp.lagged_rates(rates, 3600.0) == pytest.approx(rates[-1:] + rates[:-1])
    assert sum(sipp.lagged_rates(rates, 1234.0)) == pytest.approx(sum(rates))

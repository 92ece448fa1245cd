"""Intervals and how they are printed (border21.stats)."""

from __future__ import annotations

import math

import pytest

from border21.stats import (
    NONNEGATIVE,
    PERCENT,
    ci95_half_width,
    jackknife_ci95,
    pm,
    t_quantile_975,
    wilson_interval,
)


def test_t_interval_half_width() -> None:
    assert t_quantile_975(9) == pytest.approx(2.2622, abs=1e-4)
    assert math.isnan(t_quantile_975(0))
    assert ci95_half_width(2.0, 10) == pytest.approx(2.2622 * 2.0 / math.sqrt(10), abs=1e-4)
    assert math.isnan(ci95_half_width(2.0, 1))
    assert ci95_half_width(1.0, 2) == pytest.approx(12.706 / math.sqrt(2), abs=1e-3)


def test_jackknife_interval_by_hand() -> None:
    """A mean's jackknife is its t interval; a statistic that is not a mean (the absolute
    value of the mean, here) by hand; too few replications or an undefined statistic: None."""
    import numpy as np

    x = np.array([2.0, 5.0, 3.0, 9.0, 1.0])
    assert jackknife_ci95(x, np.mean) == pytest.approx(ci95_half_width(float(x.std(ddof=1)), 5))
    # |mean| of (−1, 0, 1) left one out: 0.5, 0.5, 0 → se √(2/3 · 1/6) = 1/3, t(2) = 4.303
    got = jackknife_ci95(np.array([-1.0, 0.0, 1.0]), lambda s: abs(float(s.mean())))
    assert got == pytest.approx(4.3027 / 3, abs=1e-4)
    assert jackknife_ci95(np.array([1.0, 2.0]), np.mean) is None
    # rows are the replications: a profile of two hours, its first hour's mean left one out
    rows = np.array([[-1.0, 7.0], [0.0, 7.0], [1.0, 7.0]])
    got_rows = jackknife_ci95(rows, lambda s: abs(float(s.mean(axis=0)[0])))
    assert got_rows == pytest.approx(4.3027 / 3, abs=1e-4)
    assert jackknife_ci95(x, lambda s: None) is None
    assert jackknife_ci95(x, lambda s: float("nan")) is None


def test_wilson_interval_by_hand() -> None:
    # 6 of 29: centre (p + z²/2n)/(1 + z²/n), half z·√(p(1−p)/n + z²/4n²)/(1 + z²/n)
    p, n, z = 6 / 29, 29, 1.959964
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = wilson_interval(6, 29)
    assert low == pytest.approx(centre - half, abs=1e-6)
    assert high == pytest.approx(centre + half, abs=1e-6)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    assert wilson_interval(1, 1) == pytest.approx((0.2065, 1.0), abs=1e-4)


def test_pm_text_and_the_out_of_range_mark() -> None:
    assert pm(12.345, 0.5, "{:.1f}") == "12.3 ± 0.5"
    assert pm(-0.25, 0.1, "{:+.2f}") == "-0.25 ± 0.10"  # the half-width unsigned
    assert pm(3.0, float("nan"), "{:.1f}") == "3.0"
    assert pm(float("nan"), 1.0, "{:.1f}") == "—"
    assert pm(4.0, 10.0, "{:.0f}", PERCENT) == "4 ± 10 ‡"  # below 0
    assert pm(95.0, 10.0, "{:.0f}", PERCENT) == "95 ± 10 ‡"  # above 100
    assert pm(50.0, 10.0, "{:.0f}", PERCENT) == "50 ± 10"
    assert pm(90.0, 10.0, "{:.0f}", PERCENT) == "90 ± 10"  # reaches 100 exactly: possible
    assert pm(5.0, 5.0, "{:.0f}", NONNEGATIVE) == "5 ± 5"  # reaches 0 exactly: possible
    assert pm(5.0, 5.5, "{:.1f}", NONNEGATIVE) == "5.0 ± 5.5 ‡"
    assert pm(-1.0, 0.5, "{:.1f}") == "-1.0 ± 0.5"  # no bounds, no mark
    # judged as printed: inside once rounded is not marked; thousands separators are read
    assert pm(0.004, 0.01, "{:.1f}", NONNEGATIVE) == "0.0 ± 0.0"
    assert pm(0.04, 0.06, "{:.1f}", NONNEGATIVE) == "0.0 ± 0.1 ‡"
    assert pm(1500.0, 1499.6, "{:,.0f}", NONNEGATIVE) == "1,500 ± 1,500"
    assert pm(1500.0, 1500.6, "{:,.0f}", NONNEGATIVE) == "1,500 ± 1,501 ‡"

"""Non-homogeneous Poisson arrivals: counts per hour match the configured rates.

Counts in disjoint hours of a Poisson process are independent Poisson variables
with mean rate × 3600, so Σ (n − m)² / m over the hours is approximately χ² with
one degree of freedom per hour; within an hour of constant rate the arrival
times are uniform and the gaps exponential.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats

from border21.ports.config import validate_scenario
from border21.ports.draws import poisson_arrivals
from border21.ports.kernels.common import DAY, HOUR
from border21.ports.layout import hourly_rates
from border21.ports.model import PortModel

SHAPE = [0, 0, 1, 2, 4, 8, 10, 9, 7, 6, 6, 6, 7, 8, 9, 9, 8, 6, 4, 3, 2, 2, 1, 0.5]
WEEK = [1.0, 1.0, 1.1, 1.1, 1.4, 0.8, 0.6]


def test_hourly_rates_normalise_hour_and_weekday_shapes() -> None:
    rates = hourly_rates(2400, SHAPE, WEEK, days=14, start_weekday=3) * HOUR
    # Two whole weeks: on average crossings_per_day a day, whatever the shapes.
    np.testing.assert_allclose(rates.sum() / 14, 2400)
    per_day = rates.reshape(14, 24).sum(axis=1)
    np.testing.assert_allclose(per_day[:7], 2400 * np.roll(WEEK, -3) / np.mean(WEEK))
    np.testing.assert_allclose(rates[:24] / rates[:24].sum(), np.array(SHAPE) / sum(SHAPE))


def chi_square_p(counts: np.ndarray, expected: np.ndarray) -> float:
    positive = expected > 0
    assert (counts[~positive] == 0).all(), "arrivals in a zero-rate hour"
    stat = float(np.sum((counts[positive] - expected[positive]) ** 2 / expected[positive]))
    return float(stats.chi2.sf(stat, int(positive.sum())))


def test_counts_per_hour_match_rates() -> None:
    days = 28
    rates = hourly_rates(20_000, SHAPE, WEEK, days)
    arrival = poisson_arrivals(rates, np.random.default_rng(2024))
    assert (np.diff(arrival) >= 0).all()
    assert arrival[0] >= 0 and arrival[-1] <= days * 24 * HOUR
    counts = np.bincount((arrival // HOUR).astype(np.int64), minlength=days * 24)
    expected = rates * HOUR
    p = chi_square_p(counts, expected)
    assert 0.001 < p < 0.999, f"chi-square p = {p:.4g}"
    # Totals per hour of the day, pooled over the 28 days: a 99.9% interval each.
    pooled, pooled_expected = counts.reshape(days, 24).sum(0), expected.reshape(days, 24).sum(0)
    z = (pooled - pooled_expected)[pooled_expected > 0] / np.sqrt(
        pooled_expected[pooled_expected > 0]
    )
    assert np.abs(z).max() < stats.norm.ppf(1 - 0.001 / 2 / 24)  # Bonferroni over 24 hours


def test_arrivals_within_an_hour_are_uniform_with_exponential_gaps() -> None:
    rates = np.array([0.0, 0.5, 0.02, 2.0])
    arrival = poisson_arrivals(np.tile(rates, 300), np.random.default_rng(9))
    hour = (arrival // HOUR).astype(np.int64) % 4
    assert not (hour == 0).any()
    for h in (1, 2, 3):
        t = arrival[hour == h]
        assert stats.kstest(t % HOUR / HOUR, "uniform").pvalue > 0.001
    busy = arrival[hour == 3]
    gaps = np.diff(busy)[np.diff(busy // HOUR) == 0]  # gaps inside one busy hour
    assert stats.kstest(gaps * 2.0, "expon").pvalue > 0.001


def _onepass(model: PortModel, days: int) -> tuple[np.ndarray, np.ndarray]:
    rec = model.simulate(days, seed=31)
    return rec.arrival, rec.stream


def _draw(model: PortModel, days: int) -> tuple[np.ndarray, np.ndarray]:
    draws = model.draw(days, np.random.default_rng(31))
    return draws.arrival, draws.stream


@pytest.mark.parametrize("driver", [_onepass, _draw], ids=["one-pass", "draw"])
def test_each_driver_follows_each_streams_hourly_rates(
    driver: Callable[[PortModel, int], tuple[np.ndarray, np.ndarray]],
) -> None:
    """The one-pass driver and the draw driver (behind draw + replay), one check."""
    scenario = validate_scenario(
        {
            "port": {"name": "two streams", "start_weekday": 5},
            "streams": {
                "cars": {
                    "kind": "personal_vehicle",
                    "crossings_per_day": 30_000,
                    "hour_of_day_shape": SHAPE,
                    "weekday_shape": WEEK,
                    "primary_service": {"mean_seconds": 1},
                },
                "walkers": {
                    "kind": "pedestrian",
                    "crossings_per_day": 8_000,
                    "hour_of_day_shape": SHAPE[12:] + SHAPE[:12],
                    "primary_service": {"mean_seconds": 1},
                },
            },
            "lanes": {"all": {"streams": ["cars", "walkers"], "lanes": 2}},
        }
    )
    days = 14
    arrival, stream = driver(PortModel(scenario), days)
    assert (np.diff(arrival) >= 0).all()
    assert arrival[0] >= 0 and arrival[-1] <= days * DAY
    for s, spec in enumerate(scenario.streams.values()):
        rates = hourly_rates(
            spec.crossings_per_day, spec.hour_of_day_shape, spec.weekday_shape, days, 5
        )
        t = arrival[stream == s]
        counts = np.bincount((t // HOUR).astype(np.int64), minlength=days * 24)
        p = chi_square_p(counts, rates * HOUR)
        assert 0.001 < p < 0.999, f"stream {s}: chi-square p = {p:.4g}"
        # Within an hour of constant rate the arrivals are uniform.
        busy = t[(t // HOUR).astype(np.int64) % 24 == 7]
        assert stats.kstest(busy % HOUR / HOUR, "uniform").pvalue > 0.001

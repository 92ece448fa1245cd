"""The compiled fluid queue equals the plain NumPy statement of the same model (the first
implementation, kept here as the reference) on random arrivals, booths, closures and days."""

from __future__ import annotations

import numpy as np
import pytest

from border21.regions.fluid import (
    CLOSED_WAIT_MINUTES,
    HOURS,
    RHO_CAP,
    group_waits,
    stationary_minutes,
)


def reference(arrivals, booths, service, cv2, days):  # type: ignore[no-untyped-def]
    groups = arrivals.shape[0]
    capacity = np.where(booths > 0, 3600.0 * booths / np.maximum(service, 1e-9), 0.0)
    backlog = np.zeros(groups)
    waits = np.zeros((groups, HOURS))
    for day in range(days):
        for h in range(HOURS):
            mu = capacity[:, h]
            before, now = booths[:, (h - 1) % HOURS], booths[:, h]
            closing = (now > 0) & (now < before)  # closing lanes clear their own queue
            backlog = backlog * np.where(closing, now / np.maximum(before, 1), 1.0)
            after = np.maximum(0.0, backlog + arrivals[:, h] - mu)
            if day == days - 1:
                waits[:, h] = np.where(
                    mu > 0, 60.0 * 0.5 * (backlog + after) / np.maximum(mu, 1e-9), 0.0
                )
            backlog = after
    rho = np.minimum(
        np.divide(arrivals, capacity, out=np.zeros_like(arrivals), where=capacity > 0), RHO_CAP
    )
    c = np.maximum(booths, 1)
    stationary = (1.0 + cv2) / 2.0 * rho ** (np.sqrt(2.0 * (c + 1)) - 1.0) / (c * (1.0 - rho))
    waits += np.where(capacity > 0, stationary * service / 60.0, 0.0)
    closed = capacity <= 0
    for g in range(groups):
        for hour in np.flatnonzero(closed[g]):
            h = int(hour)
            later = np.flatnonzero(~closed[g, h:])
            until = int(later[0]) if later.size else HOURS - h + int(np.flatnonzero(~closed[g])[0])
            waits[g, h] = CLOSED_WAIT_MINUTES * until
    return waits


@pytest.mark.parametrize("case", range(60))
def test_compiled_fluid_matches_the_reference(case: int) -> None:
    rng = np.random.default_rng(case)
    groups = int(rng.integers(1, 5))
    arrivals = rng.uniform(0, 400, (groups, HOURS))
    booths = rng.integers(0, 6, (groups, HOURS)).astype(float)
    if case % 3 == 0:
        booths[:, :5] = 0  # closed at night
    if case % 5 == 0:
        booths[:, 20:] = 0  # closed in the evening: waits for the next day's opening
    booths[:, 12] = np.maximum(booths[:, 12], 1)  # every group opens some hour
    service = rng.uniform(20, 120, (groups, HOURS))
    cv2, days = float(rng.uniform(0, 2)), int(rng.integers(1, 4))
    got = group_waits(arrivals, booths, service, cv2, days)
    np.testing.assert_allclose(got, reference(arrivals, booths, service, cv2, days), rtol=1e-9)


def test_closing_lanes_clear_their_own_queue() -> None:
    """600 an hour on 10 booths of 72 s (500 an hour) from 06:00 to 12:00 builds a backlog of
    600; at 12:00 half the booths close and arrivals stop: the closing half clears its own
    300, so the open half starts the hour with 300, not 600, on 250 an hour."""
    arrivals = np.zeros((1, HOURS))
    arrivals[0, 6:12] = 600.0
    booths = np.full((1, HOURS), 10.0)
    booths[0, 12:] = 5.0
    waits = group_waits(arrivals, booths, np.full((1, HOURS), 72.0), 0.0, days=1)
    queue = 60.0 * 0.5 * (500 + 600) / 500  # plus the stationary term at ρ capped
    assert waits[0, 11] == pytest.approx(queue + stationary_minutes(600.0, 10.0, 72.0, 0.0))
    assert waits[0, 12] == pytest.approx(60.0 * 0.5 * (300 + 50) / 250)  # no arrivals: no ρ


def test_a_group_never_open_waits_a_day() -> None:
    waits = group_waits(np.ones((1, HOURS)), np.zeros((1, HOURS)), np.full((1, HOURS), 60.0), 1.0)
    assert (waits == CLOSED_WAIT_MINUTES * HOURS).all()

from __future__ import annotations

import pytest

from border21.frontier.risk import CrossingRisk, RiskPool, RiskSetup


@pytest.fixture(scope="session")
def small_pool() -> RiskPool:
    """A quickly trained model's scored pool (small traffic, fixed seed)."""
    setup = RiskSetup(history_shipments=6000, pool_shipments=6000, carrier_rate=0.03)
    return CrossingRisk(setup, seed=5).pool

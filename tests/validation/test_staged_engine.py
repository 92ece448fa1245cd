"""The staged engine and the one-pass driver agree on the same model (replications, CIs).

They draw different random numbers (the staged engine draws downstream
variates once per primary stage, the one-pass driver inline), so agreement is
statistical: for each of seven metrics the 99.9% confidence interval of the
difference of replication means must cover zero (Bonferroni: a family-wise
1% chance of a false alarm for an arbitrary pair of random streams).
Referral share and detection are also checked against their exact values.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from border21.frontier.metrics import run_metrics
from border21.frontier.staged_sweep import stage_metrics, variant_metrics
from border21.ports.catalog import load_scenario
from border21.ports.edits import with_values
from border21.ports.model import PortModel

REPS = 60
METRICS = ("referred", "licit_per_1000", "mean_wait_min", "mean_delay_min", "truck_delay_hours")


@pytest.fixture(scope="module")
def scenario():
    # Richer in carriers than the shipped file so detection can be compared too.
    # CBP alone: staged runs model no Mexican export stage (see ports.staged).
    return with_values(
        load_scenario("laredo_wtb"),
        {"streams.trucks.carrier_probability": 0.02, "cooperation.export_inspection": None},
    )


def _rows(scenario, engine: str) -> dict[str, np.ndarray]:
    rows = []
    root = np.random.SeedSequence(2026)
    model = PortModel(scenario)
    for seed in root.spawn(REPS):
        if engine == "staged":
            staged = stage_metrics(scenario, seed, days=1)
            rows.append(variant_metrics(staged, scenario)["northbound"].as_row())  # trucks only
        else:
            rec = model.simulate(days=1, seed=np.random.default_rng(seed))
            rows.append(run_metrics(rec, scenario).as_row())
    keys = (*METRICS, "detected", "carriers", "crossings")
    return {k: np.array([r[k] for r in rows]) for k in keys}


def test_staged_matches_fused_simulator(scenario):
    staged, fused = _rows(scenario, "staged"), _rows(scenario, "fused")
    for key in (*METRICS, "detected", "carriers"):
        a, b = staged[key], fused[key]
        diff = a.mean() - b.mean()
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        half = stats.t.ppf(0.9995, 2 * REPS - 2) * se
        assert abs(diff) <= half, (
            f"{key}: staged {a.mean():.4g} vs fused {b.mean():.4g} ± {half:.3g}"
        )
    # Referred share: 15% at random, plus carriers (2%) suspected by officers (20%).
    expected_ref = 0.15 + 0.85 * 0.02 * 0.2
    for rows in (staged, fused):
        share = rows["referred"] / rows["crossings"]
        half = stats.t.ppf(0.9995, REPS - 1) * share.std(ddof=1) / np.sqrt(REPS)
        assert abs(share.mean() - expected_ref) <= half
    rate_staged = staged["detected"].sum() / staged["carriers"].sum()
    rate_fused = fused["detected"].sum() / fused["carriers"].sum()
    # carriers are caught by referral (15% or officers' 20% suspicion) then 60% found
    expected = (0.15 + 0.85 * 0.2) * 0.6
    for rate, n in ((rate_staged, staged["carriers"].sum()), (rate_fused, fused["carriers"].sum())):
        assert abs(rate - expected) < 3.3 * np.sqrt(expected * (1 - expected) / n)

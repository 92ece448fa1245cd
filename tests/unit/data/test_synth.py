"""Synthetic control: a treated unit that is a known convex combination of donors plus a
known step must give back the weights and the step; the interval is the test inverted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from border21.data.synth import constant_effect_interval, synthetic_control
from border21.errors import InputError

MONTHS = pd.date_range("2001-01-01", periods=72, freq="MS")
EVENT = "2004-01"
TRUE_WEIGHTS = {"d00": 0.5, "d03": 0.3, "d07": 0.2}


def _panel(step: float, *, seed: int, n_donors: int = 19, noise: float = 0.05) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    donors = {f"d{j:02d}": 20 + rng.normal(0, 1, len(MONTHS)).cumsum() for j in range(n_donors)}
    treated = sum(w * donors[name] for name, w in TRUE_WEIGHTS.items())
    treated = treated + step * (MONTHS >= EVENT) + rng.normal(0, noise, len(MONTHS))
    units = {**donors, "T": treated}
    rows = [(u, p, v) for u, y in units.items() for p, v in zip(MONTHS, y, strict=True)]
    return pd.DataFrame(rows, columns=["unit", "period", "value"])


def test_recovers_known_weights_and_step() -> None:
    est = synthetic_control(_panel(4.0, seed=1), "T", EVENT, window_months=None)
    for name, w in TRUE_WEIGHTS.items():
        assert est.weights[name] == pytest.approx(w, abs=0.02)
    assert est.weights.drop(list(TRUE_WEIGHTS)).sum() < 0.03
    assert est.estimate == pytest.approx(4.0, abs=0.05)
    assert est.ci[0] < 4.0 < est.ci[1] and est.ci[0] > 0
    assert est.pre_rmspe < 0.1 and est.placebo_rank == 1 and est.n_placebos == 19
    assert est.p == pytest.approx(1 / 20) and (est.n_pre, est.n_post) == (36, 36)
    assert set(est.path.columns) == {"period", "treated", "synthetic", "gap"}
    assert est.placebo_gaps["unit"].nunique() == 19


def test_no_effect_is_not_significant_and_interval_covers_zero() -> None:
    est = synthetic_control(_panel(0.0, seed=2), "T", EVENT, window_months=None)
    assert est.placebo_rank > 1 and est.ci[0] < 0.0 < est.ci[1]
    assert abs(est.estimate) < 0.1


def test_interval_is_the_inverted_placebo_test() -> None:
    """Brute force: p(c) of the shifted treated gaps is above alpha exactly inside."""
    rng = np.random.default_rng(3)
    post_gap = 3.0 + rng.normal(0, 0.5, 24)
    pre_rmspe, ratios, alpha = 0.4, rng.uniform(0.5, 3.0, 39), 0.05
    lo, hi = constant_effect_interval(post_gap, pre_rmspe, ratios, alpha)

    def p_of(c: float) -> float:
        ratio = np.sqrt(np.mean((post_gap - c) ** 2)) / pre_rmspe
        return float((1 + np.sum(ratios >= ratio)) / (1 + len(ratios)))

    for c in np.linspace(lo - 1, hi + 1, 401):
        if c < lo - 1e-9 or c > hi + 1e-9:
            assert p_of(c) <= alpha, c
        elif lo + 1e-9 < c < hi - 1e-9:
            assert p_of(c) > alpha, c
    assert constant_effect_interval(post_gap, pre_rmspe, ratios[:10], alpha) == (
        -np.inf, np.inf)  # fmt: skip


def test_refuses_bad_input() -> None:
    panel = _panel(1.0, seed=4, n_donors=8)
    with pytest.raises(InputError, match="at least 2 donors"):
        synthetic_control(panel, "T", EVENT, donors=["d00"])
    with pytest.raises(InputError, match="months before"):
        synthetic_control(panel, "T", "2001-06")
    with pytest.raises(InputError, match="no data"):
        synthetic_control(panel, "Atlantis", EVENT)
    partial = synthetic_control(panel, "T", EVENT, donors=["d00", "d03", "d07", "Atlantis"])
    assert partial.donors_dropped == ("Atlantis",) and "1 donors dropped" in partial.caveat
    few = synthetic_control(panel, "T", EVENT, window_months=None)
    assert few.ci == (-np.inf, np.inf) and "too few" in few.caveat


def test_unit_outside_the_donors_range_is_flagged() -> None:
    panel = _panel(0.0, seed=5)
    panel.loc[panel["unit"] == "T", "value"] += 100.0
    est = synthetic_control(panel, "T", EVENT, window_months=None)
    assert "outside the donors' range" in est.caveat and "poor pre-event fit" in est.caveat

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from border21.errors import InputError
from border21.targeting.generator import TrafficConfig, generate_traffic
from border21.targeting.models import EntityProfileModel, LightGBMRiskModel
from border21.targeting.online import run_online
from border21.targeting.policies import ExplorationPolicy, GreedyPolicy, UncertaintyPolicy

SEEN: list[set[str]] = []


class SpyModel(EntityProfileModel):
    """Records which declarations each weekly fit saw."""

    def fit(self, X: pd.DataFrame, y: Any = None) -> Any:
        SEEN.append(set(X["declaration_id"]))
        return super().fit(X, y)


def test_only_inspected_labels_are_revealed(synthetic: pd.DataFrame) -> None:
    SEEN.clear()
    res = run_online(synthetic, SpyModel(), GreedyPolicy(), budget_pct=5, warm_start_days=14)
    warm = set(
        synthetic.loc[(synthetic["date"] - synthetic["date"].min()).dt.days < 14, "declaration_id"]
    )
    assert SEEN[0] == warm
    growth = [len(b - a) for a, b in zip(SEEN, SEEN[1:], strict=False)]
    assert growth == res.weeks["n_inspected"].astype(int).tolist()[:-1]
    assert (res.weeks["n_inspected"] <= np.floor(res.weeks["n"] * 0.05)).all()


def test_weekly_metrics_and_reproducible(synthetic: pd.DataFrame) -> None:
    pol = ExplorationPolicy(explore_share=0.2, seed=9)
    a = run_online(synthetic, EntityProfileModel(), pol, budget_pct=10)
    b = run_online(synthetic, EntityProfileModel(), pol, budget_pct=10)
    pd.testing.assert_frame_equal(a.weeks, b.weeks)
    cols = {"precision", "recall", "normalised_precision", "revenue_share", "licit_per_1000"}
    assert cols <= set(a.weeks.columns)
    assert a.weeks["precision"].between(0, 1).all()
    assert 0 <= a.mean_last("precision", 5) <= 1


def test_drift_is_reported() -> None:
    cfg = TrafficConfig(n_shipments=5000, days=120, drift_start="2024-03-01", drift_share=0.05)
    us = generate_traffic(cfg, seed=5).us
    res = run_online(
        us,
        LightGBMRiskModel(n_estimators=30, random_state=0),
        UncertaintyPolicy(explore_share=0.2, seed=1),
        budget_pct=10,
    )
    assert res.drift_start is not None and res.drift_start >= pd.Timestamp("2024-03-01")
    weeks = res.weeks_to_catch(0.5)
    assert weeks is None or weeks >= 1
    assert "pattern_recall" in res.weeks.columns


def test_bad_online_input(synthetic: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="budget"):
        run_online(synthetic, EntityProfileModel(), GreedyPolicy(), budget_pct=0)
    with pytest.raises(InputError, match="empty"):
        run_online(synthetic.iloc[:0], EntityProfileModel(), GreedyPolicy())
    with pytest.raises(InputError, match="fraud"):
        run_online(synthetic.drop(columns="fraud"), EntityProfileModel(), GreedyPolicy())

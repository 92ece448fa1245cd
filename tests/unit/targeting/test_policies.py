from __future__ import annotations

import numpy as np
import pytest

from border21.errors import InputError
from border21.targeting.metrics import precision_recall_at, selection_metrics
from border21.targeting.policies import (
    ExplorationPolicy,
    GreedyPolicy,
    UncertaintyPolicy,
    budget_count,
    check_budget,
    top_k,
)


@pytest.mark.parametrize(
    ("n", "r", "k"),
    [(100, 5, 5), (8481, 5, 424), (8481, 10, 848), (19, 5, 0), (7, 100, 7), (1000, 0.1, 1)],
)
def test_budget_count(n: int, r: float, k: int) -> None:
    assert budget_count(n, r) == k


@pytest.mark.parametrize("bad", [0, -1, 100.5, float("nan"), float("inf"), "x", None])
def test_budget_outside_range(bad: object) -> None:
    with pytest.raises(InputError, match="budget"):
        check_budget(bad)  # type: ignore[arg-type]


def test_top_k_ties_and_nans() -> None:
    s = np.array([0.5, np.nan, 0.9, 0.5, 0.5, 0.1])
    assert top_k(s, 3).tolist() == [2, 0, 3]
    assert top_k(s, 6).tolist() == [2, 0, 3, 4, 5, 1]
    assert top_k(s, 0).tolist() == []
    big = np.repeat([1.0, 2.0], 500)
    assert top_k(big, 10).tolist() == list(range(500, 510))


def test_exploration_is_seeded_and_exact() -> None:
    s = np.linspace(0, 1, 1000)
    a = ExplorationPolicy(explore_share=0.3, seed=1).select(s, 5)
    b = ExplorationPolicy(explore_share=0.3, seed=1).select(s, 5)
    assert a.tolist() == b.tolist()
    assert len(a) == 50 and len(set(a.tolist())) == 50
    assert set(range(965, 1000)) <= set(a.tolist())
    with pytest.raises(InputError, match="explore_share"):
        ExplorationPolicy(explore_share=2).select(s, 5)


def test_uncertainty_policy_prefers_uncertain() -> None:
    s = np.linspace(0, 1, 100)
    u = np.zeros(100)
    u[[3, 7]] = 1.0
    sel = UncertaintyPolicy(explore_share=0.2, seed=0).select(s, 10, uncertainty=u)
    assert {3, 7} <= set(sel.tolist()) and len(sel) == 10
    assert len(UncertaintyPolicy(seed=0).select(s, 10)) == 10


def test_greedy_get_params() -> None:
    assert ExplorationPolicy(0.2, seed=3).get_params() == {"explore_share": 0.2, "seed": 3}
    assert GreedyPolicy().get_params() == {"seed": None}


def test_metrics() -> None:
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
    m = selection_metrics(y, np.array([0, 2]), revenue=np.array([10, 30, 0, 0, 60, 0, 0, 0, 0, 0]))
    assert m.precision == 0.5 and m.recall == pytest.approx(1 / 3)
    assert m.normalised_precision == 0.5 and m.revenue_share == 0.1
    assert m.licit_per_1000 == 100.0
    empty = selection_metrics(y, np.array([], dtype=int))
    assert np.isnan(empty.precision) and empty.licit_per_1000 == 0.0
    assert precision_recall_at(y, y.astype(float), 20) == (1.0, pytest.approx(2 / 3))


def test_select_for_inspection_api(synthetic: object) -> None:
    import pandas as pd

    from border21.targeting import EntityProfileModel, UncertaintyPolicy, select_for_inspection

    assert isinstance(synthetic, pd.DataFrame)
    model = EntityProfileModel().fit(synthetic.head(1500))
    batch = synthetic.tail(500).drop(columns="fraud")
    sel = select_for_inspection(model, batch, 10, policy=UncertaintyPolicy(0.3, seed=1))
    assert sel.k == 50 and sel.mask().sum() == 50
    assert set(sel.declaration_ids) <= set(batch["declaration_id"])
    empty = select_for_inspection(model, batch.iloc[:0], 10)
    assert empty.k == 0 and len(empty.scores) == 0


def test_public_api_exports_resolve() -> None:
    import border21.targeting as tg

    for name in tg.__all__:
        assert getattr(tg, name) is not None
    with pytest.raises(AttributeError):
        _ = tg.no_such_name

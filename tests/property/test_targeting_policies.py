"""Properties of selection: budget never exceeded, exact top-k, seeded."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from border21.targeting.policies import (
    ExplorationPolicy,
    GreedyPolicy,
    UncertaintyPolicy,
    budget_count,
    top_k,
)

scores = arrays(
    np.float64,
    st.integers(0, 300),
    elements=st.floats(0, 1) | st.sampled_from([0.0, 0.5, 1.0, float("nan")]),
)
budgets = st.floats(0.01, 100, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(scores, budgets)
def test_greedy_is_the_sorted_oracle(s: np.ndarray, r: float) -> None:
    k = budget_count(len(s), r)
    assert k <= len(s) * r / 100 + 1e-9
    key = np.where(np.isnan(s), -np.inf, s)
    oracle = sorted(range(len(s)), key=lambda i: (-key[i], i))[:k]
    assert GreedyPolicy().select(s, r).tolist() == oracle


@settings(max_examples=150, deadline=None)
@given(scores, budgets, st.floats(0, 1), st.integers(0, 2**32 - 1), st.booleans())
def test_exploring_policies_exact_distinct_seeded(
    s: np.ndarray, r: float, share: float, seed: int, uncertain: bool
) -> None:
    cls = UncertaintyPolicy if uncertain else ExplorationPolicy
    a = cls(explore_share=share, seed=seed).select(s, r)
    b = cls(explore_share=share, seed=seed).select(s, r)
    assert a.tolist() == b.tolist()
    assert len(a) == budget_count(len(s), r) == len(set(a.tolist()))
    assert all(0 <= i < len(s) for i in a)


@settings(max_examples=100, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 2000), elements=st.sampled_from([0.1, 0.2, 0.3])),
    st.integers(0, 2000),
)
def test_top_k_partition_path_matches_sort(s: np.ndarray, k: int) -> None:
    key = -s
    expected = np.argsort(key, kind="stable")[: min(k, len(s))]
    assert top_k(s, k).tolist() == expected.tolist()

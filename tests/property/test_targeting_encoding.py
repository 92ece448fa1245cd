"""Leakage: a training row's risk encoding never depends on its own or later labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from border21.targeting.features import DeclarationFeaturizer
from border21.targeting.generator import generate_declarations
from border21.targeting.records import validate_declarations

BASE = validate_declarations(generate_declarations(400, seed=21))


def _implied_fraud_sums(y: np.ndarray) -> np.ndarray:
    """Per row and key, the fraud count behind the encoding: rate·(n+m) − m·prior."""
    f = DeclarationFeaturizer()
    X = f.fit_transform(BASE, y)
    risk = [j for j, n in enumerate(f.feature_names_) if n.endswith(":risk")]
    counts = np.expm1(X[:, [j + 1 for j in risk]])
    return np.asarray(X[:, risk] * (counts + f.smoothing) - f.smoothing * y.mean())


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 399), st.integers(0, 2**32 - 1))
def test_time_encoding_ignores_same_day_and_future_labels(row: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = BASE["fraud"].to_numpy().astype(float)
    later = (BASE["date"] >= BASE["date"].iloc[row]).to_numpy()
    y2 = y.copy()
    y2[later] = rng.integers(0, 2, later.sum())
    s1, s2 = _implied_fraud_sums(y), _implied_fraud_sums(y2)
    np.testing.assert_allclose(s1[~later], s2[~later], atol=1e-8)
    np.testing.assert_allclose(s1[row], s2[row], atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_transform_is_row_independent(seed: int) -> None:
    rng = np.random.default_rng(seed)
    f = DeclarationFeaturizer().fit(BASE, BASE["fraud"])
    idx = rng.permutation(len(BASE))[:50]
    full = f.transform(BASE)
    part = f.transform(BASE.iloc[idx].reset_index(drop=True))
    np.testing.assert_array_equal(full[idx], part)
    shuffled = BASE.iloc[idx][BASE.columns[::-1]]
    np.testing.assert_array_equal(f.transform(pd.DataFrame(shuffled)), part)

"""One conformance suite, run on every risk model (river-style checks).

:func:`check_model` runs each check and raises :class:`AssertionError` naming
the first failure; the test suite parametrises it over every model.

>>> from border21.targeting.generator import generate_declarations
>>> from border21.targeting.models import EntityProfileModel
>>> passed = check_model(EntityProfileModel(), generate_declarations(400, seed=3))
>>> "pickle_round_trip" in passed
True
"""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

Check = Callable[[Any, pd.DataFrame], None]


def _scores(model: Any, X: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_proba(X))[:, 1]


def check_init_stores_params(model: Any, X: pd.DataFrame) -> None:
    """``get_params`` mirrors ``__init__``; ``set_params`` round-trips."""
    names = [p for p in inspect.signature(type(model).__init__).parameters if p != "self"]
    params = model.get_params()
    assert sorted(params) == sorted(names), f"get_params {sorted(params)} != __init__ {names}"
    assert model.set_params(**params) is model, "set_params must return self"


def check_clone(model: Any, X: pd.DataFrame) -> None:
    """A clone has equal parameters and no learned state."""
    fitted = clone(model).fit(X)
    copy = clone(fitted)
    assert copy.get_params() == model.get_params(), "clone changed the parameters"
    learned = [k for k in vars(copy) if k.endswith("_") and not k.startswith("_")]
    assert not learned, f"clone carries learned state {learned}"


def check_fit_returns_self(model: Any, X: pd.DataFrame) -> None:
    """``fit`` returns the estimator itself and does not mutate the input."""
    before = X.copy()
    est = clone(model)
    assert est.fit(X) is est, "fit must return self"
    pd.testing.assert_frame_equal(X, before)


def check_proba(model: Any, X: pd.DataFrame) -> None:
    """``predict_proba`` is ``(n, 2)``, in [0, 1], rows sum to 1."""
    p = np.asarray(clone(model).fit(X).predict_proba(X))
    assert p.shape == (len(X), 2), f"shape {p.shape}"
    assert np.all((p >= 0) & (p <= 1)), "probabilities outside [0, 1]"
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def check_pickle_round_trip(model: Any, X: pd.DataFrame) -> None:
    """A pickled and restored model predicts identically."""
    fitted = clone(model).fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(_scores(fitted, X), _scores(restored, X))


def check_seeding_idempotent(model: Any, X: pd.DataFrame) -> None:
    """Two fits with the same seed give identical predictions."""
    est = clone(model).set_params(random_state=42)
    a = _scores(clone(est).fit(X), X)
    b = _scores(clone(est).fit(X), X)
    np.testing.assert_array_equal(a, b)


def check_column_order_invariant(model: Any, X: pd.DataFrame) -> None:
    """Reversing the column order changes nothing (fit and predict)."""
    est = clone(model).set_params(random_state=7)
    a = _scores(clone(est).fit(X), X)
    rev = X[X.columns[::-1]]
    b = _scores(clone(est).fit(rev), rev)
    np.testing.assert_array_equal(a, b)


def check_unseen_and_missing(model: Any, X: pd.DataFrame) -> None:
    """Unseen IDs, NaNs and absent optional columns still score (finite)."""
    fitted = clone(model).fit(X)
    odd = X.head(20).copy()
    for col in ("importer_id", "declarant_id", "seller_id"):
        if col in odd.columns:
            odd[col] = [f"never-seen-{i}" for i in range(len(odd))]
    odd.loc[odd.index[::2], "value"] = np.nan
    odd = odd.drop(columns=[c for c in ("net_mass_kg", "courier_id") if c in odd.columns])
    assert np.all(np.isfinite(_scores(fitted, odd))), "non-finite score"


def check_empty_batch(model: Any, X: pd.DataFrame) -> None:
    """An empty batch scores to an empty ``(0, 2)`` array."""
    p = np.asarray(clone(model).fit(X).predict_proba(X.iloc[:0]))
    assert p.shape == (0, 2), f"shape {p.shape}"


CHECKS: dict[str, Check] = {
    "init_stores_params": check_init_stores_params,
    "clone": check_clone,
    "fit_returns_self": check_fit_returns_self,
    "proba": check_proba,
    "pickle_round_trip": check_pickle_round_trip,
    "seeding_idempotent": check_seeding_idempotent,
    "column_order_invariant": check_column_order_invariant,
    "unseen_and_missing": check_unseen_and_missing,
    "empty_batch": check_empty_batch,
}


def check_model(model: Any, X: pd.DataFrame) -> list[str]:
    """Run every check on ``model`` with labelled declarations ``X``; names passed."""
    for name, check in CHECKS.items():
        try:
            check(model, X)
        except AssertionError as exc:
            raise AssertionError(f"{type(model).__name__} fails {name}: {exc}") from exc
    return list(CHECKS)

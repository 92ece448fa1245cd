from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from border21.errors import InputError
from border21.targeting._forest import FlatForest
from border21.targeting.conformance import check_model
from border21.targeting.models import EntityProfileModel, LightGBMRiskModel

MODELS = [
    pytest.param(LightGBMRiskModel(n_estimators=30), id="lightgbm"),
    pytest.param(
        LightGBMRiskModel(n_estimators=20, encoding="kfold", pairs=False), id="lightgbm-kfold"
    ),
    pytest.param(EntityProfileModel(), id="entity-profile"),
]


@pytest.mark.parametrize("model", MODELS)
def test_conformance_synthetic(model: object, synthetic: pd.DataFrame) -> None:
    assert len(check_model(model, synthetic.head(1200))) == 9


@pytest.mark.parametrize("model", MODELS)
def test_conformance_kcs(model: object, kcs_train: pd.DataFrame) -> None:
    check_model(model, kcs_train)


def test_kcs_slice_beats_random(kcs_train: pd.DataFrame, kcs_test: pd.DataFrame) -> None:
    from sklearn.metrics import roc_auc_score

    model = LightGBMRiskModel(random_state=0).fit(kcs_train)
    auc = roc_auc_score(kcs_test["fraud"], model.risk_score(kcs_test))
    # 1,870 training rows rarely repeat an ID; the full-data benchmark carries the real claim
    assert auc > 0.55


def test_flat_forest_matches_lightgbm(kcs_train: pd.DataFrame, kcs_test: pd.DataFrame) -> None:
    model = LightGBMRiskModel(n_estimators=40, random_state=1).fit(kcs_train)
    X = model.featurizer_.transform(kcs_test)
    X[::7, 3] = np.nan  # exercise missing-value routing
    X[::5, 0] = 0.0
    expected = model.booster_.predict(X, num_threads=1)
    np.testing.assert_allclose(
        FlatForest.from_booster(model.booster_).predict_proba(X), expected, rtol=1e-12, atol=1e-12
    )


def test_explain_gives_positive_reasons(synthetic: pd.DataFrame) -> None:
    for model in (LightGBMRiskModel(n_estimators=30, random_state=0), EntityProfileModel()):
        model.fit(synthetic)
        reasons = model.explain(synthetic.head(10), top=3)
        assert len(reasons) == 10
        assert all(len(r) <= 3 and all(c > 0 for _, c in r) for r in reasons)
        assert any(reasons)


def test_single_class_gives_constant_model(synthetic: pd.DataFrame) -> None:
    licit = synthetic[synthetic["fraud"] == 0].head(100)
    for model in (LightGBMRiskModel(), EntityProfileModel()):
        p = model.fit(licit).risk_score(synthetic.head(5))
        assert np.all(p == 0.0)


def test_bad_inputs(synthetic: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="empty"):
        LightGBMRiskModel().fit(synthetic.iloc[:0])
    with pytest.raises(InputError, match="DataFrame"):
        LightGBMRiskModel().fit(np.zeros((3, 3)))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unfitted"):
        LightGBMRiskModel().risk_score(synthetic)
    with pytest.raises(InputError, match="0/1"):
        LightGBMRiskModel().fit(synthetic.head(4), [0, 1, 2, 0])
    with pytest.raises(InputError, match="importer_id"):
        LightGBMRiskModel(n_estimators=5).fit(synthetic).risk_score(
            synthetic.drop(columns="importer_id")
        )


def test_generator_seed_feeds_model(synthetic: pd.DataFrame) -> None:
    a = LightGBMRiskModel(n_estimators=10, random_state=np.random.default_rng(5)).fit(synthetic)
    b = LightGBMRiskModel(n_estimators=10, random_state=np.random.default_rng(5)).fit(synthetic)
    np.testing.assert_array_equal(a.risk_score(synthetic), b.risk_score(synthetic))

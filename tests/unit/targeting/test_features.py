from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from border21.errors import InputError
from border21.targeting.features import DeclarationFeaturizer
from border21.targeting.records import validate_declarations


def _toy() -> pd.DataFrame:
    return validate_declarations(
        pd.DataFrame(
            {
                "date": ["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-03", "2024-01-03"],
                "importer_id": ["A", "A", "A", "B", "A"],
                "hs6": ["010101"] * 5,
                "value": [1.0, 2.0, 3.0, 4.0, 5.0],
                "net_mass_kg": [1.0, 1.0, 1.0, 1.0, 0.0],
            }
        )
    )


def _col(f: DeclarationFeaturizer, X: np.ndarray, name: str) -> list[float]:
    return [round(float(v), 6) for v in X[:, f.feature_names_.index(name)]]


def test_time_encoding_uses_only_earlier_days() -> None:
    f = DeclarationFeaturizer(smoothing=0.0)
    X = f.fit_transform(_toy(), [1, 0, 1, 1, 0])
    # smoothing 0 with no history → prior (n=0 → rate = prior via 0/0 guard → 0)
    counts = _col(f, X, "importer_id:log_count")
    assert counts == [0.0, 0.0, round(np.log1p(2), 6), 0.0, round(np.log1p(3), 6)]
    rates = _col(f, X, "importer_id:risk")
    assert rates[2] == 0.5 and rates[4] == round(2 / 3, 6)


def test_transform_uses_all_labels_and_prior_for_unseen() -> None:
    f = DeclarationFeaturizer(smoothing=1.0).fit(_toy(), [1, 0, 1, 1, 0])
    new = validate_declarations(
        pd.DataFrame(
            {
                "date": ["2024-02-01", "2024-02-01"],
                "importer_id": ["A", "ZZZ"],
                "hs6": ["010101", "999999"],
                "value": [1.0, np.nan],
            }
        )
    )
    X = f.transform(new)
    rates = _col(f, X, "importer_id:risk")
    assert rates == [round((2 + 0.6) / 5, 6), 0.6]
    assert np.isnan(X[1, f.feature_names_.index("value")])


def test_kfold_is_seeded_and_excludes_own_label() -> None:
    df = _toy()
    y = [1, 0, 1, 1, 0]
    a = DeclarationFeaturizer(encoding="kfold", n_folds=5, seed=3, smoothing=0.0).fit_transform(
        df, y
    )
    b = DeclarationFeaturizer(encoding="kfold", n_folds=5, seed=3, smoothing=0.0).fit_transform(
        df, y
    )
    np.testing.assert_array_equal(a, b)


def test_zero_mass_gives_nan_unit_value() -> None:
    f = DeclarationFeaturizer()
    X = f.fit_transform(_toy(), [1, 0, 1, 1, 0])
    assert np.isnan(X[4, f.feature_names_.index("value_per_kg")])


def test_bad_parameters() -> None:
    with pytest.raises(InputError, match="encoding"):
        DeclarationFeaturizer(encoding="future").fit(_toy(), [0, 1, 0, 1, 0])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="length"):
        DeclarationFeaturizer().fit(_toy(), [0, 1])
    with pytest.raises(InputError, match="unfitted"):
        DeclarationFeaturizer().transform(_toy())


def test_pairs_and_partner_columns() -> None:
    df = _toy().assign(partner_importer_id_risk=[0.1, 0.2, 0.3, 0.4, 0.5])
    f = DeclarationFeaturizer().fit(df, [1, 0, 1, 1, 0])
    assert "partner_importer_id_risk" in f.feature_names_
    X = f.transform(_toy())
    assert np.isnan(X[:, f.feature_names_.index("partner_importer_id_risk")]).all()

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from border21.errors import InputError
from border21.targeting.records import REQUIRED_COLUMNS, validate_declarations


def _frame(**extra: object) -> pd.DataFrame:
    base = {
        "date": ["2024-01-02", "2024-01-03"],
        "importer_id": ["A", None],
        "hs6": [10121, "8471.30"],
        "value": [5.0, "7"],
    }
    base.update(extra)
    return pd.DataFrame(base)


def test_canonical_types_and_defaults() -> None:
    df = validate_declarations(_frame())
    assert df["hs6"].tolist() == ["010121", "847130"]
    assert df["importer_id"].tolist() == ["A", ""]
    assert df["value"].tolist() == [5.0, 7.0]
    assert df["declaration_id"].tolist() == ["0", "1"]
    assert df["seller_id"].tolist() == ["", ""]
    assert np.isnan(df["net_mass_kg"]).all()


@pytest.mark.parametrize("col", REQUIRED_COLUMNS)
def test_missing_required_column(col: str) -> None:
    with pytest.raises(InputError, match=f"missing required column.*{col}"):
        validate_declarations(_frame().drop(columns=col))


def test_label_required_and_checked() -> None:
    with pytest.raises(InputError, match="fraud"):
        validate_declarations(_frame(), require_label=True)
    with pytest.raises(InputError, match="0 or 1"):
        validate_declarations(_frame(fraud=[0, 2]))
    assert validate_declarations(_frame(fraud=["1", "0"]))["fraud"].tolist() == [1, 0]


def test_bad_number_and_date() -> None:
    with pytest.raises(InputError, match="value.*not a number"):
        validate_declarations(_frame(value=[1.0, "abc"]))
    with pytest.raises(InputError, match="date"):
        validate_declarations(_frame(date=["2024-01-01", "not a date"]))


def test_empty_frame_is_valid() -> None:
    df = validate_declarations(_frame().iloc[:0])
    assert len(df) == 0 and "seller_id" in df.columns


def test_extra_columns_kept_and_input_untouched() -> None:
    raw = _frame(pattern=["x", "y"])
    before = raw.copy()
    df = validate_declarations(raw)
    assert df["pattern"].tolist() == ["x", "y"]
    pd.testing.assert_frame_equal(raw, before)


def test_canonical_frame_round_trips(synthetic: pd.DataFrame) -> None:
    once = validate_declarations(synthetic)
    pd.testing.assert_frame_equal(validate_declarations(once), once)

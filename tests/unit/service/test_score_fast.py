"""Unit: the inline small-batch path answers exactly as the DataFrame path does."""

from __future__ import annotations

from typing import Any

import pytest

from border21.service.batcher import ScoreItem, score_rows, score_small
from border21.targeting.records import validate_declarations


class _PandasOnly:
    """The model without its fast path: every call goes through DataFrames."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def risk_score(self, frame: Any) -> Any:
        return self._model._scores(validate_declarations(frame))

    def explain(self, frame: Any) -> Any:
        return self._model.explain(frame)


@pytest.fixture(scope="module")
def model() -> Any:
    from border21.targeting.generator import generate_declarations
    from border21.targeting.models import LightGBMRiskModel

    return LightGBMRiskModel(n_estimators=20, random_state=0).fit(
        generate_declarations(2_000, seed=1)
    )


def _rows(n: int, seed: int) -> list[dict[str, Any]]:
    from border21.reports.charts import to_records
    from border21.targeting.generator import generate_declarations

    frame = generate_declarations(n, seed=seed).drop(columns=["fraud"])
    rows = to_records(frame)
    for i, row in enumerate(rows):
        if i % 4 == 1:
            row["importer_id"] = f"UNSEEN{i}"
        if i % 5 == 2:
            row.pop("seller_id", None)
        if i % 6 == 3:
            row["net_mass_kg"] = None
    return rows


@pytest.mark.parametrize("n", [1, 3, 10, 40, 100])
@pytest.mark.parametrize("explain", [True, False])
def test_inline_equals_dataframe_path(model: Any, n: int, explain: bool) -> None:
    item = ScoreItem(_rows(n, seed=n), 10.0, explain)
    fast = score_small(model, item)
    assert fast is not None
    assert fast == score_rows(_PandasOnly(model), [item])[0] == score_rows(model, [item])[0]


def test_unusual_rows_go_to_the_batcher(model: Any) -> None:
    rows = _rows(5, seed=3)
    rows[2]["date"] = "03/01/2024"
    assert score_small(model, ScoreItem(rows, 10.0, True)) is None

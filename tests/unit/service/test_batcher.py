"""Unit: micro-batched scoring gives each request the answer it would get alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from border21.errors import InputError
from border21.service.batcher import ScoreBatcher, ScoreItem, score_rows


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
    return to_records(frame)


def test_batched_equals_alone_and_matches_select_for_inspection(model: Any) -> None:
    import pandas as pd

    from border21.targeting.selection import select_for_inspection

    items = [ScoreItem(_rows(20 + 5 * i, seed=i), 10.0 * (i + 1), i % 2 == 0) for i in range(4)]
    together = score_rows(model, items)
    for item, result in zip(items, together, strict=True):
        alone = score_rows(model, [item])[0]
        assert result == alone
        sel = select_for_inspection(model, pd.DataFrame.from_records(item.rows), item.budget_pct)
        assert [s["row"] for s in result["selected"]] == sel.indices.tolist()


def test_bad_request_does_not_fail_its_batch_mates(model: Any) -> None:
    scorer = ScoreBatcher(lambda: model)
    good, bad = _rows(10, seed=5), [{"date": "not a date", "importer_id": "I", "hs6": "1",
                                     "value": 1.0}]  # fmt: skip
    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(scorer.score, bad if i % 4 == 0 else good, 20.0, False)
                       for i in range(16)]  # fmt: skip
        for i, fut in enumerate(futures):
            if i % 4 == 0:
                with pytest.raises(InputError):
                    fut.result()
            else:
                assert fut.result()["k"] == 2
    finally:
        scorer.close()


def test_rows_without_ids_are_numbered_within_their_own_request(model: Any) -> None:
    rows = [{k: v for k, v in r.items() if k != "declaration_id"} for r in _rows(10, seed=9)]
    items = [ScoreItem(rows, 30.0, False), ScoreItem(rows, 30.0, False)]
    first, second = score_rows(model, items)
    assert first == second == score_rows(model, items[:1])[0]
    assert {s["declaration_id"] for s in first["selected"]} <= {str(i) for i in range(10)}

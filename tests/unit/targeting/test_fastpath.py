"""The small-batch fast path gives exactly the pandas path's features, scores and reasons."""

from __future__ import annotations

import math
import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

from border21.errors import InputError
from border21.reports.charts import to_records
from border21.targeting import _fastpath
from border21.targeting.generator import generate_declarations
from border21.targeting.models import EntityProfileModel, LightGBMRiskModel
from border21.targeting.records import validate_declarations

HIDDEN = ["fraud", "revenue", "pattern", "shipment_id", "true_value"]
OPTIONAL = ["declarant_id", "seller_id", "courier_id", "office_id", "origin_country",
            "transport_mode", "net_mass_kg", "quantity", "tax_rate", "declaration_id"]  # fmt: skip


@pytest.fixture(scope="module")
def models() -> list[Any]:
    history = generate_declarations(3_000, seed=11, agency="US")
    return [
        LightGBMRiskModel(n_estimators=25, random_state=0).fit(history),
        EntityProfileModel().fit(history),
    ]


@pytest.fixture(scope="module")
def pool() -> list[dict[str, Any]]:
    fresh = generate_declarations(2_000, seed=12, agency="US").drop(columns=HIDDEN)
    return list(to_records(fresh))


def _mutate(row: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    row = dict(row)
    u = rng.random(12)
    if u[0] < 0.2:
        row["importer_id"] = f"NEW{rng.integers(1_000_000)}"  # unseen ID
    if u[1] < 0.15:
        row[str(rng.choice(["seller_id", "declarant_id", "courier_id", "origin_country"]))] = None
    if u[2] < 0.15:
        row[str(rng.choice(["value", "net_mass_kg", "quantity", "tax_rate"]))] = math.nan
    if u[3] < 0.1:
        row["net_mass_kg"] = None
    if u[4] < 0.1:
        row.pop(str(rng.choice(OPTIONAL)), None)  # absent in this row only
    if u[5] < 0.1:
        row["hs6"] = row["hs6"][:4] + "." + row["hs6"][4:]  # needs normalising
    if u[11] < 0.05:
        row["hs6"] = "99" + row["hs6"][2:]  # unseen HS chapter
    if u[6] < 0.05 and u[5] >= 0.1:
        row["hs6"] = int(row["hs6"])  # leading zeros lost
    if u[7] < 0.1:
        row["value"] = int(rng.integers(0, 10_000))
    if u[8] < 0.05:
        row["net_mass_kg"] = 0.0
    if u[9] < 0.05:
        row["quantity"] = -1.0
    if u[10] < 0.1:
        row["extra_column"] = "ignored"
    return row


def _batches(pool: list[dict[str, Any]], count: int, seed: int) -> list[list[dict[str, Any]]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        n = int(rng.choice([1, 2, 3, 5, 10, 17, 50, 100]))
        rows = [_mutate(pool[int(i)], rng) for i in rng.integers(0, len(pool), n)]
        if rng.random() < 0.3:  # an optional column absent from the whole batch
            drop = str(rng.choice(OPTIONAL))
            rows = [{k: v for k, v in r.items() if k != drop} for r in rows]
        out.append(rows)
    return out


def _slow(model: Any, rows: list[dict[str, Any]]) -> np.ndarray:
    return np.asarray(model._scores(validate_declarations(pd.DataFrame.from_records(rows))))


def test_features_equal_the_pandas_transform(models: list[Any], pool: list[dict[str, Any]]) -> None:
    for model in models:
        fast_taken = 0
        for rows in _batches(pool, 150, seed=1):
            fast = model.small_batch_features(rows)
            if fast is None:
                continue
            fast_taken += 1
            frame = validate_declarations(pd.DataFrame.from_records(rows))
            np.testing.assert_array_equal(fast, model.featurizer_.transform(frame))
        assert fast_taken == 150  # every well-formed batch takes the fast path


@pytest.mark.parametrize("which", [0, 1])
def test_scores_equal_on_random_batches(
    models: list[Any], pool: list[dict[str, Any]], which: int
) -> None:
    model = models[which]
    for rows in _batches(pool, 300, seed=2 + which):
        expected = _slow(model, rows)
        np.testing.assert_array_equal(model.risk_score_records(rows), expected)
        np.testing.assert_array_equal(model.risk_score(pd.DataFrame.from_records(rows)), expected)


def test_frame_input_with_datetimes_and_nans(models: list[Any]) -> None:
    frame = generate_declarations(400, seed=13).drop(columns=HIDDEN)  # datetime64 dates
    frame.loc[::7, "seller_id"] = None
    frame.loc[::5, "tax_rate"] = np.nan
    frame.loc[::9, "importer_id"] = "NEVER_SEEN"
    for model in models:
        for start, n in [(0, 1), (3, 10), (50, 100), (100, 256)]:
            part = frame.iloc[start : start + n]
            assert _fastpath.columns_from_frame(part) is not None
            expected = model._scores(validate_declarations(part))
            np.testing.assert_array_equal(model.risk_score(part), expected)
            smaller = part.drop(columns=["courier_id", "quantity"])
            np.testing.assert_array_equal(
                model.risk_score(smaller), model._scores(validate_declarations(smaller))
            )


def test_explanations_equal(models: list[Any], pool: list[dict[str, Any]]) -> None:
    for model in models:
        for rows in _batches(pool, 30, seed=7):
            fast = model.small_batch_features(rows)
            assert fast is not None
            assert model.explain_features(fast) == model.explain(pd.DataFrame.from_records(rows))


@pytest.mark.parametrize(
    "change",
    [
        {"date": "2024/01/05"},  # not ISO: pandas decides
        {"date": "2024-02-30"},  # invalid: InputError from the pandas path
        {"date": None},
        {"value": "12.5"},  # text number
        {"value": "abc"},
        {"importer_id": 3.0},  # float ID
        {"importer_id": True},
        {"hs6": "1234é6"},  # non-ASCII
        {"fraud": 2},
    ],
)
def test_unusual_input_falls_back(
    models: list[Any], pool: list[dict[str, Any]], change: dict[str, Any]
) -> None:
    rows = [dict(pool[0]), {**pool[1], **change}]
    model = models[0]
    assert model.small_batch_features(rows) is None
    try:
        expected = _slow(model, rows)
    except InputError as exc:
        with pytest.raises(InputError) as got:
            model.risk_score_records(rows)
        assert got.value.reason == exc.reason
    else:
        np.testing.assert_array_equal(model.risk_score_records(rows), expected)


def test_integer_ids_and_missing_required(models: list[Any], pool: list[dict[str, Any]]) -> None:
    model = models[0]
    rows = [{**pool[i], "courier_id": i, "declarant_id": None} for i in range(5)]
    assert model.small_batch_features(rows) is not None
    np.testing.assert_array_equal(model.risk_score_records(rows), _slow(model, rows))
    with pytest.raises(InputError):
        model.risk_score_records([{k: v for k, v in pool[0].items() if k != "value"}])


def test_large_batches_skip_the_fast_path(models: list[Any], pool: list[dict[str, Any]]) -> None:
    model = models[0]
    rows = pool[: _fastpath.FAST_MAX_ROWS + 1]
    assert model.small_batch_features(rows) is None
    np.testing.assert_array_equal(model.risk_score_records(rows), _slow(model, rows))


def test_pickle_drops_the_lookup_cache(models: list[Any], pool: list[dict[str, Any]]) -> None:
    model = models[0]
    before = model.risk_score_records(pool[:10])  # builds the cache
    assert "_fast_cache" in model.featurizer_.__dict__
    again = pickle.loads(pickle.dumps(model))
    assert "_fast_cache" not in again.featurizer_.__dict__
    np.testing.assert_array_equal(again.risk_score_records(pool[:10]), before)

"""Scoring for the endpoint: small batches inline, larger ones micro-batched.

A request of at most ``FAST_MAX_ROWS`` (256) well-formed declarations is
validated and featurised by the targeting core's small-batch fast path
(:meth:`~border21.targeting.models.LightGBMRiskModel.small_batch_features`,
about a millisecond), so :func:`score_small` answers it at once. Anything else
costs a roughly fixed ~30 ms of pandas work in
:func:`~border21.targeting.records.validate_declarations` and the featurizer,
whether it holds 10 declarations or 500. Under load, requests that arrive while
one batch is being scored wait and are scored together in the next call; each
request still gets its own exact top-k selection at its own budget. Scores are
per row (the featurizer looks each row up in tables learned at fit time), so a
request's answer does not depend on what it was batched with; a test checks it.

If a combined batch fails validation, its requests are retried one by one so
the error goes to the request that caused it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message

Json = dict[str, Any]


@dataclass
class ScoreItem:
    """One request's rows, budget and whether it wants reasons."""

    rows: list[dict[str, Any]]
    budget_pct: float
    explain: bool
    future: Future[Json] = field(default_factory=Future)


def _read_error(exc: Exception, n: int) -> InputError:
    return InputError("declarations", f"{n} rows", Message("cannot be scored: {exc}", exc=exc))


def _id(value: Any, row: int) -> str:
    """A declaration's id as the schema spells it (its row number in its request if absent)."""
    if value is None or value == "":
        return str(row)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fast_features(model: Any, rows: list[dict[str, Any]]) -> np.ndarray | None:
    """The core's small-batch feature matrix, or None (use the DataFrame path)."""
    small = getattr(model, "small_batch_features", None)
    return None if small is None else small(rows)


def score_small(model: Any, item: ScoreItem) -> Json | None:
    """:func:`score_rows` for one request if the fast path takes its rows, else None."""
    from border21.targeting.policies import check_budget

    check_budget(item.budget_pct)
    features = _fast_features(model, item.rows)
    return None if features is None else score_rows(model, [item], features=features)[0]


def score_rows(
    model: Any, items: list[ScoreItem], *, features: np.ndarray | None = None
) -> list[Json]:
    """Score several requests' rows in one model call and select for each.

    ``features`` (from the model's ``small_batch_features`` on exactly these
    rows) skips the DataFrame path; the answer is the same.
    """
    import pandas as pd

    from border21.targeting.policies import GreedyPolicy, check_budget

    rows = [r for item in items for r in item.rows]
    for item in items:
        check_budget(item.budget_pct)
    if features is None:
        features = _fast_features(model, rows)
    frame = None
    if features is not None:
        scores = np.asarray(model.score_features(features), dtype=float)
    else:
        try:
            frame = pd.DataFrame.from_records(rows)
            scores = np.asarray(model.risk_score(frame), dtype=float)  # validates the rows once
        except InputError:
            raise
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise _read_error(exc, len(rows)) from None
    policy = GreedyPolicy()
    picks, start = [], 0
    for item in items:
        stop = start + len(item.rows)
        picks.append((start, policy.select(scores[start:stop], item.budget_pct)))
        start = stop
    wanted = [s + i for (s, idx), item in zip(picks, items, strict=True) if item.explain
              for i in idx.tolist()]  # fmt: skip
    reasons = {}
    if wanted and features is not None:
        reasons = dict(zip(wanted, model.explain_features(features[wanted]), strict=True))
    elif wanted and frame is not None:
        reasons = dict(zip(wanted, model.explain(frame.iloc[wanted]), strict=True))
    ids = [_id(r.get("declaration_id"), i) for item in items for i, r in enumerate(item.rows)]
    out = []
    for (s, idx), item in zip(picks, items, strict=True):
        selected = []
        for rank, i in enumerate(idx.tolist(), start=1):
            entry: Json = {"rank": rank, "row": i, "declaration_id": str(ids[s + i]),
                           "risk": round(float(scores[s + i]), 6)}  # fmt: skip
            if item.explain:
                entry["reasons"] = [{"feature": f, "log_odds": v} for f, v in reasons[s + i]]
            selected.append(entry)
        part = scores[s : s + len(item.rows)]
        out.append({
            "budget_pct": item.budget_pct, "declarations": len(item.rows), "k": len(idx),
            "selected": selected, "scores": [round(float(x), 6) for x in part.tolist()],
        })  # fmt: skip
    return out


class ScoreBatcher:
    """One worker thread per model; requests queue and are scored in combined batches."""

    def __init__(self, model: Callable[[], Any], *, max_rows: int = 5_000) -> None:
        self._model = model
        self._max_rows = max_rows
        self._queue: queue.Queue[ScoreItem | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True, name="border21-scorer")
        self._thread.start()

    def score(
        self, rows: list[dict[str, Any]], budget_pct: float, explain: bool, timeout: float = 60.0
    ) -> Json:
        """Block until this request's rows are scored (raises its InputError, if any)."""
        return self.submit(rows, budget_pct, explain).result(timeout=timeout)

    def submit(self, rows: list[dict[str, Any]], budget_pct: float, explain: bool) -> Future[Json]:
        """Queue this request's rows; the future resolves to its result."""
        item = ScoreItem(rows, budget_pct, explain)
        self._queue.put(item)
        return item.future

    def close(self) -> None:
        self._queue.put(None)

    def _take(self) -> list[ScoreItem] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch, n = [first], len(first.rows)
        while n < self._max_rows:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                self._queue.put(None)
                break
            batch.append(nxt)
            n += len(nxt.rows)
        return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            try:
                model = self._model()
                results = score_rows(model, batch)
            except Exception:  # one bad request must not fail the others: retry singly
                for item in batch:
                    self._one(item)
                continue
            for item, result in zip(batch, results, strict=True):
                item.future.set_result(result)

    def _one(self, item: ScoreItem) -> None:
        try:
            item.future.set_result(score_rows(self._model(), [item])[0])
        except Exception as exc:  # delivered to the waiting request thread
            item.future.set_exception(exc)

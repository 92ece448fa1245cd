"""Small-batch fast path: validation and features in plain Python/NumPy.

:func:`~border21.targeting.records.validate_declarations` and
:meth:`~border21.targeting.features.DeclarationFeaturizer.transform` cost a
fixed 25–45 ms per call in pandas/Arrow overhead, whatever the batch size. For
batches of at most :data:`FAST_MAX_ROWS` rows this module does the same work
with dict lookups against the fitted featurizer's tables, for well-formed input
only: ASCII strings (or integers) for IDs and categories, numbers (or missing)
for numeric columns, ISO ``YYYY-MM-DD`` dates (or naive timestamps). Anything
else — and every error — returns ``None`` so the caller falls back to the
pandas path, which defines the behaviour. Results equal that path bit for bit
(``tests/unit/targeting/test_fastpath.py``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from border21.targeting.records import CATEGORICAL_COLUMNS, NUMERIC_COLUMNS, REQUIRED_COLUMNS

FAST_MAX_ROWS = 256
"""Largest batch the fast path takes (above it the vectorised path is as cheap)."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NON_DIGIT = re.compile(r"\D")
_MAX_EXACT_INT = 2**53
_YEARS = (1678, 2262)  # exclusive bounds of datetime64[ns]
_CHECKED = frozenset(
    (*CATEGORICAL_COLUMNS, *NUMERIC_COLUMNS, "date", "declaration_id", "fraud", "revenue")
)


@dataclass(frozen=True)
class FastBatch:
    """A validated small batch: canonical strings, float arrays, weekdays."""

    n: int
    text: dict[str, list[str]]  # categorical columns (hs6 normalised) plus hs4, hs2
    numbers: dict[str, np.ndarray]
    day_of_week: np.ndarray


def columns_from_records(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]] | None:
    """Column lists as ``DataFrame.from_records`` would see them (``None`` where absent)."""
    if not rows:
        return None
    names: set[str] = set()
    for row in rows:
        if not isinstance(row, Mapping):
            return None
        names.update(row)
    wanted = names & _CHECKED
    return {c: [row.get(c) for row in rows] for c in wanted}


def columns_from_frame(frame: pd.DataFrame) -> dict[str, list[Any]] | None:
    """Column lists of a small frame (``None`` for unusual column labels or index)."""
    if len(frame) == 0 or not frame.columns.is_unique:
        return None
    out: dict[str, list[Any]] = {}
    for c in frame.columns:
        if c in _CHECKED:
            col = frame[c]
            if isinstance(col.dtype, pd.CategoricalDtype):
                return None
            out[c] = col.tolist()
    return out


def validate(cols: dict[str, list[Any]]) -> FastBatch | None:
    """Canonical columns, or ``None`` when the pandas path must decide."""
    if any(c not in cols for c in REQUIRED_COLUMNS):
        return None
    n = len(cols["date"])
    if n == 0 or n > FAST_MAX_ROWS:
        return None
    days = _weekdays(cols["date"])
    if days is None:
        return None
    text: dict[str, list[str]] = {}
    for c in CATEGORICAL_COLUMNS:
        s = _strings(cols[c]) if c in cols else [""] * n
        if s is None:
            return None
        text[c] = s
    if "declaration_id" in cols and _strings(cols["declaration_id"]) is None:
        return None
    text["hs6"] = _hs6(text["hs6"])
    text["hs4"] = [h[:4] for h in text["hs6"]]
    text["hs2"] = [h[:2] for h in text["hs6"]]
    numbers: dict[str, np.ndarray] = {}
    for c in NUMERIC_COLUMNS:
        v = _floats(cols[c]) if c in cols else [math.nan] * n
        if v is None:
            return None
        numbers[c] = np.array(v, dtype=np.float64)
    if "revenue" in cols and _floats(cols["revenue"]) is None:
        return None
    if "fraud" in cols and not _labels_ok(cols["fraud"]):
        return None
    return FastBatch(n, text, numbers, np.array(days, dtype=np.float64))


def _missing(v: Any) -> bool:
    return v is None or (type(v) is float and math.isnan(v))


def _weekdays(values: list[Any]) -> list[int] | None:
    if all(type(v) is str for v in values):
        out = []
        for v in values:
            if len(v) != 10 or not v.isascii() or _ISO_DATE.fullmatch(v) is None:
                return None
            year = int(v[:4])
            if not _YEARS[0] < year < _YEARS[1]:
                return None
            try:
                out.append(dt.date(year, int(v[5:7]), int(v[8:10])).weekday())
            except ValueError:
                return None
        return out
    if all(
        type(v) is pd.Timestamp and v.tzinfo is None and _YEARS[0] < v.year < _YEARS[1]
        for v in values
    ):
        return [v.weekday() for v in values]
    return None


def _strings(values: list[Any]) -> list[str] | None:
    """As ``records._as_str``: str kept, missing → "", integers → decimal text."""
    kinds = {type(v) for v in values if not _missing(v)}
    if not kinds:
        return [""] * len(values)
    if not kinds <= {str, int}:
        return None
    out = []
    for v in values:
        if _missing(v):
            out.append("")
        elif type(v) is str:
            if not v.isascii():
                return None
            out.append(v)
        elif abs(v) < _MAX_EXACT_INT:
            out.append(str(v))
        else:
            return None
    return out


def _hs6(values: list[str]) -> list[str]:
    """As ``records._hs6`` (ASCII input only)."""
    if all(len(v) == 6 and v.isdigit() for v in values):
        return values
    out = []
    for v in values:
        digits = _NON_DIGIT.sub("", v)
        out.append((digits if len(digits) >= 6 else digits.zfill(6))[:6])
    return out


def _floats(values: list[Any]) -> list[float] | None:
    out = []
    for v in values:
        t = type(v)
        if v is None:
            out.append(math.nan)
        elif t is float:
            out.append(v)
        elif t is int and abs(v) < _MAX_EXACT_INT:
            out.append(float(v))
        else:
            return None
    return out


def _labels_ok(values: list[Any]) -> bool:
    return all(_missing(v) or (type(v) in (int, float) and v in (0, 1)) for v in values)

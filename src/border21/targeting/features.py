"""Feature engineering: leakage-free risk encodings and value features.

:class:`DeclarationFeaturizer` turns canonical declarations into a numeric
matrix. High-cardinality identifiers (importer, declarant, seller, courier,
HS6/HS4/HS2, origin, office, and a few pairs such as importer × HS6) become
*risk encodings*: the smoothed fraud rate ``(frauds + m·prior) / (n + m)`` and
the count ``n`` of labelled past declarations with that key.

Leakage. On the training rows, ``fit_transform`` never lets a row see its own
label or a later one:

* ``encoding="time"`` (default): a row's encoding uses only rows dated
  strictly before it (same-day rows are excluded too);
* ``encoding="kfold"``: out-of-fold statistics (seeded shuffle).

``transform`` on new rows uses all training labels; unseen keys get the prior
rate and ``n = 0``.

>>> import pandas as pd
>>> from border21.targeting.records import validate_declarations
>>> df = validate_declarations(pd.DataFrame({
...     "date": ["2024-01-01", "2024-01-02", "2024-01-03"],
...     "importer_id": ["A", "A", "A"], "hs6": ["1", "1", "2"], "value": [1.0, 2, 3]}))
>>> f = DeclarationFeaturizer(smoothing=1.0)
>>> X = f.fit_transform(df, [1, 1, 0])
>>> [round(float(v), 2) for v in X[:, f.feature_names_.index("importer_id:risk")]]
[0.67, 0.83, 0.89]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from border21.errors import InputError
from border21.i18n.message import Message
from border21.targeting._fastpath import FastBatch

RISK_KEYS: tuple[str, ...] = (
    "importer_id",
    "declarant_id",
    "seller_id",
    "courier_id",
    "hs6",
    "hs4",
    "hs2",
    "origin_country",
    "departure_country",
    "office_id",
    "tax_type",
)
RISK_PAIRS: tuple[tuple[str, str], ...] = (
    ("importer_id", "hs6"),
    ("declarant_id", "importer_id"),
    ("origin_country", "hs6"),
    ("office_id", "importer_id"),
    ("seller_id", "importer_id"),
    ("agency", "importer_id"),
    ("agency", "seller_id"),
    ("agency", "hs6"),
)
CODED_COLUMNS: tuple[str, ...] = (
    "office_id",
    "process_type",
    "import_type",
    "import_use",
    "payment_type",
    "transport_mode",
    "tax_type",
    "origin_indicator",
    "origin_country",
    "departure_country",
    "agency",
)
PARTNER_PREFIX = "partner_"
"""Numeric columns with this prefix (shared risk profiles) become features."""
_NUMERIC = ("value", "net_mass_kg", "quantity", "tax_rate")


@dataclass(frozen=True)
class _KeyStats:
    vocab: pd.Index  # pair keys only; base keys are indexed by code
    frauds: np.ndarray
    counts: np.ndarray
    rate_table: np.ndarray  # smoothed rate per key, plus the prior in the last slot
    log_count_table: np.ndarray


class DeclarationFeaturizer:
    """Fit on labelled declarations, transform any declarations to a matrix.

    Parameters follow the scikit-learn contract (stored, not validated, in
    ``__init__``). ``smoothing`` is the prior weight ``m``; ``pairs`` toggles
    the interaction keys; ``keys`` restricts the encoded keys (pairs are
    written ``"a*b"``); ``seed`` only matters for ``encoding="kfold"``.
    """

    def __init__(
        self,
        *,
        encoding: Literal["time", "kfold"] = "time",
        smoothing: float = 5.0,
        pairs: bool = True,
        n_folds: int = 5,
        keys: Sequence[str] | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.encoding = encoding
        self.smoothing = smoothing
        self.pairs = pairs
        self.n_folds = n_folds
        self.keys = keys
        self.seed = seed

    # -- public API -----------------------------------------------------
    def fit(self, frame: pd.DataFrame, y: Sequence[float] | np.ndarray) -> DeclarationFeaturizer:
        """Learn vocabularies and key statistics from labelled declarations."""
        self.fit_transform(frame, y)
        return self

    def fit_transform(self, frame: pd.DataFrame, y: Sequence[float] | np.ndarray) -> np.ndarray:
        """Fit, and return *leakage-free* features for the training rows."""
        if self.encoding not in ("time", "kfold"):
            raise InputError("encoding", self.encoding, Message("must be 'time' or 'kfold'"))
        if self.smoothing < 0:
            raise InputError("smoothing", self.smoothing, Message("must be >= 0"))
        labels = np.asarray(y, dtype=float)
        if len(labels) != len(frame):
            raise InputError(
                "y",
                len(labels),
                Message("length differs from the {rows} rows", rows=len(frame)),
            )
        raw = _raw_columns(frame)
        self.prior_ = float(labels.mean()) if len(labels) else 0.0
        wanted = list(self.keys) if self.keys is not None else _key_names(self.pairs)
        self.keys_ = [k for k in wanted if _informative(raw, k)]
        self.coded_ = [c for c in CODED_COLUMNS if c in frame.columns]
        self.extra_ = sorted(c for c in frame.columns if str(c).startswith(PARTNER_PREFIX))
        needed = sorted(set(_bases(self.keys_)) | set(self.coded_) | {"hs6"})
        self.vocab_ = {c: pc.unique(raw[c]) for c in needed if c in raw}
        codes = self._codes(raw)
        self.hs_log_unit_ = _median_log_unit(frame, codes["hs6"], len(self.vocab_["hs6"]))
        self.stats_: dict[str, _KeyStats] = {}
        blocks = []
        for name in self.keys_:
            key_codes, vocab = self._fit_key(codes, name)
            counts = np.bincount(key_codes, minlength=len(vocab)).astype(float)
            frauds = np.bincount(key_codes, weights=labels, minlength=len(vocab))
            self.stats_[name] = _KeyStats(
                vocab,
                frauds,
                counts,
                rate_table=np.append(self._rate(frauds, counts), self.prior_),
                log_count_table=np.append(np.log1p(counts), 0.0),
            )
            blocks.append(self._train_encoding(key_codes, len(vocab), labels, frame["date"]))
        self.feature_names_ = self._names()
        return self._assemble(blocks, frame, codes)

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Features for new declarations (all training labels; unseen → prior)."""
        if not hasattr(self, "stats_"):
            raise InputError("featurizer", "unfitted", Message("call fit before transform"))
        codes = self._codes(_raw_columns(frame))
        out = np.empty((len(frame), len(self.feature_names_)), dtype=np.float64, order="F")
        for j, name in enumerate(self.keys_):
            st = self.stats_[name]
            pos = self._lookup(codes, name)  # −1 (unseen) hits the table's last slot
            np.take(st.rate_table, pos, out=out[:, 2 * j])
            np.take(st.log_count_table, pos, out=out[:, 2 * j + 1])
        return self._fill_plain(out, 2 * len(self.keys_), frame, codes)

    def transform_fast(self, batch: FastBatch) -> np.ndarray:
        """:meth:`transform` of a small validated batch by dict lookups (same values)."""
        if not hasattr(self, "stats_"):
            raise InputError("featurizer", "unfitted", Message("call fit before transform"))
        tables = self._fast_tables()
        n = batch.n
        codes = {
            c: [table.get(v, -1) for v in batch.text[c]] for c, table in tables["vocab"].items()
        }
        out = np.empty((n, len(self.feature_names_)), dtype=np.float64, order="F")
        for j, name in enumerate(self.keys_):
            st = self.stats_[name]
            if "*" in name:
                a, b = name.split("*")
                width = len(self.vocab_[b]) + 1
                pairs = tables["pairs"][name]
                pos = [
                    pairs.get(x * width + y, -1) if x >= 0 and y >= 0 else -1
                    for x, y in zip(codes[a], codes[b], strict=True)
                ]
            else:
                pos = codes[name]
            idx = np.array(pos, dtype=np.int64)
            out[:, 2 * j] = st.rate_table[idx]
            out[:, 2 * j + 1] = st.log_count_table[idx]
        cols = [batch.numbers[c] for c in _NUMERIC]
        hs_num = np.array([float(h) if h.isdigit() else np.nan for h in batch.text["hs6"]])
        arrays = {c: np.array(v, dtype=np.int64) for c, v in codes.items()}
        for j, col in enumerate(
            self._plain_columns(cols, arrays, batch.day_of_week, hs_num),
            start=2 * len(self.keys_),
        ):
            out[:, j] = col
        return out

    def _fast_tables(self) -> dict[str, dict[str, dict[Any, int]]]:
        cached = self.__dict__.get("_fast_cache")
        if cached is None:
            cached = {
                "vocab": {
                    c: {v: i for i, v in enumerate(vocab.to_pylist())}
                    for c, vocab in self.vocab_.items()
                },
                "pairs": {
                    k: {int(v): i for i, v in enumerate(st.vocab)}
                    for k, st in self.stats_.items()
                    if "*" in k
                },
            }
            self.__dict__["_fast_cache"] = cached
        return cached

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_fast_cache", None)  # rebuilt on demand; not learned state
        return state

    def key_counts(self, frame: pd.DataFrame, key: str = "importer_id") -> np.ndarray:
        """Labelled training count of each row's ``key`` (0 if unseen)."""
        st = self.stats_.get(key)
        if st is None:
            return np.zeros(len(frame))
        pos = self._lookup(self._codes(_raw_columns(frame)), key)
        return np.where(pos >= 0, st.counts[pos], 0.0)

    # -- internals ------------------------------------------------------
    def _codes(self, raw: dict[str, pa.Array]) -> dict[str, np.ndarray]:
        """Integer code of each categorical value in the training vocabulary; −1 if unseen."""
        out = {}
        n = len(next(iter(raw.values()))) if raw else 0
        for col, vocab in self.vocab_.items():
            if col not in raw:
                out[col] = np.full(n, -1, dtype=np.int64)
                continue
            idx = pc.index_in(raw[col], value_set=vocab)
            out[col] = pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        return out

    def _pair_code(self, codes: dict[str, np.ndarray], name: str) -> np.ndarray:
        a, b = name.split("*")
        ca, cb = codes[a], codes[b]
        width = len(self.vocab_[b]) + 1
        return np.where((ca >= 0) & (cb >= 0), ca * width + cb, -1)

    def _fit_key(self, codes: dict[str, np.ndarray], name: str) -> tuple[np.ndarray, pd.Index]:
        if "*" not in name:
            return codes[name], pd.RangeIndex(len(self.vocab_[name]))
        key_codes, uniques = pd.factorize(self._pair_code(codes, name), sort=False)
        return key_codes, pd.Index(uniques)

    def _lookup(self, codes: dict[str, np.ndarray], name: str) -> np.ndarray:
        if "*" not in name:
            return codes[name]
        return np.asarray(self.stats_[name].vocab.get_indexer(self._pair_code(codes, name)))

    def _rate(self, s: np.ndarray, n: np.ndarray) -> np.ndarray:
        m = self.smoothing
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = (s + m * self.prior_) / (n + m)
        return np.where(n + m > 0, rate, self.prior_)

    def _train_encoding(
        self, codes: np.ndarray, n_keys: int, y: np.ndarray, dates: pd.Series
    ) -> np.ndarray:
        if self.encoding == "time":
            days = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
            s, n = _prior_day_stats(codes, days, y)
        else:
            s, n = _out_of_fold_stats(codes, n_keys, y, self.n_folds, self.seed)
        return np.column_stack([self._rate(s, n), np.log1p(n)])

    def _assemble(
        self, blocks: list[np.ndarray], frame: pd.DataFrame, codes: dict[str, np.ndarray]
    ) -> np.ndarray:
        out = np.empty((len(frame), len(self.feature_names_)), dtype=np.float64, order="F")
        for j, block in enumerate(blocks):
            out[:, 2 * j : 2 * j + 2] = block
        return self._fill_plain(out, 2 * len(blocks), frame, codes)

    def _fill_plain(
        self, out: np.ndarray, start: int, frame: pd.DataFrame, codes: dict[str, np.ndarray]
    ) -> np.ndarray:
        for j, col in enumerate(self._plain(frame, codes), start=start):
            out[:, j] = col
        return out

    def _plain(self, frame: pd.DataFrame, codes: dict[str, np.ndarray]) -> list[np.ndarray]:
        cols = [frame[c].to_numpy(dtype=float, na_value=np.nan) for c in _NUMERIC]
        plain = self._plain_columns(
            cols, codes, frame["date"].dt.day_of_week.to_numpy(dtype=float), _hs_number(frame)
        )
        extra = [
            pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            if c in frame.columns
            else np.full(len(frame), np.nan)
            for c in self.extra_
        ]
        return plain + extra

    def _plain_columns(
        self,
        cols: list[np.ndarray],
        codes: dict[str, np.ndarray],
        day_of_week: np.ndarray,
        hs_num: np.ndarray,
    ) -> list[np.ndarray]:
        value, mass, qty, tax = cols
        with np.errstate(divide="ignore", invalid="ignore"):
            per_kg = np.where(mass > 0, value / mass, np.nan)
            per_unit = np.where(qty > 0, value / qty, np.nan)
            log_kg = np.log(np.where(per_kg > 0, per_kg, np.nan))
        hs_code = codes["hs6"]
        ref = np.where(hs_code >= 0, self.hs_log_unit_[np.maximum(hs_code, 0)], np.nan)
        derived = [
            np.log1p(np.clip(value, 0, None)),
            per_kg,
            per_unit,
            value * tax / 100.0,
            log_kg - ref,
            day_of_week,
            np.floor(hs_num / 10_000),
            np.floor(hs_num / 100),
        ]
        coded = [np.where(codes[c] >= 0, codes[c], np.nan) for c in self.coded_]
        return cols + derived + coded

    def _names(self) -> list[str]:
        names: list[str] = []
        for k in self.keys_:
            names += [f"{k}:risk", f"{k}:log_count"]
        names += list(_NUMERIC)
        names += [
            "log_value",
            "value_per_kg",
            "value_per_unit",
            "duty_amount",
            "unit_value_vs_hs6_median",
            "day_of_week",
            "hs2_number",
            "hs4_number",
        ]
        names += [f"{c}:code" for c in self.coded_]
        names += list(self.extra_)
        return names


def _key_names(pairs: bool) -> list[str]:
    names = list(RISK_KEYS)
    if pairs:
        names += [f"{a}*{b}" for a, b in RISK_PAIRS]
    return names


def _bases(keys: Sequence[str]) -> list[str]:
    out: list[str] = []
    for k in keys:
        for part in k.split("*"):
            if part not in out:
                out.append(part)
    return out


def _raw_columns(frame: pd.DataFrame) -> dict[str, pa.Array]:
    """Arrow string arrays of the categorical columns (plus HS4/HS2 prefixes)."""
    names = set(RISK_KEYS) | set(CODED_COLUMNS) | {a for a, _ in RISK_PAIRS}
    raw = {c: _arrow(frame[c]) for c in names if c in frame.columns}
    raw["hs4"] = pc.utf8_slice_codeunits(raw["hs6"], 0, 4)
    raw["hs2"] = pc.utf8_slice_codeunits(raw["hs6"], 0, 2)
    return raw


def _arrow(col: pd.Series) -> pa.Array:
    arr = pa.array(col, from_pandas=True)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return pc.cast(pc.fill_null(arr, ""), pa.large_string())


def _hs_number(frame: pd.DataFrame) -> np.ndarray:
    hs = pa.array(frame["hs6"], from_pandas=True)
    ok = pc.utf8_is_digit(hs)
    clean = pc.if_else(ok, hs, pa.scalar("nan", hs.type))
    return np.asarray(pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


def _informative(raw: dict[str, pa.Array], name: str) -> bool:
    parts = name.split("*")
    return all(p in raw and pc.any(pc.not_equal(raw[p], "")).as_py() is True for p in parts)


def _median_log_unit(frame: pd.DataFrame, hs_codes: np.ndarray, n_hs: int) -> np.ndarray:
    mass = frame["net_mass_kg"].to_numpy(dtype=float, na_value=np.nan)
    value = frame["value"].to_numpy(dtype=float, na_value=np.nan)
    ok = (mass > 0) & (value > 0)
    out = np.full(max(n_hs, 1), np.nan)
    if ok.any():
        logs = pd.Series(np.log(value[ok] / mass[ok])).groupby(hs_codes[ok]).median()
        out[logs.index.to_numpy()] = logs.to_numpy()
    return out


def _prior_day_stats(
    codes: np.ndarray, days: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: frauds and count among rows with the same key on earlier days."""
    n = len(codes)
    order = np.lexsort((days, codes))
    k, d, ys = codes[order], days[order], y[order]
    cum = np.concatenate([[0.0], np.cumsum(ys)])
    idx = np.arange(n)
    new_key = np.ones(n, dtype=bool)
    new_key[1:] = k[1:] != k[:-1]
    new_block = new_key.copy()
    new_block[1:] |= d[1:] != d[:-1]
    key_start = np.maximum.accumulate(np.where(new_key, idx, 0))
    block_start = np.maximum.accumulate(np.where(new_block, idx, 0))
    s_sorted = cum[block_start] - cum[key_start]
    n_sorted = (block_start - key_start).astype(float)
    s, cnt = np.empty(n), np.empty(n)
    s[order], cnt[order] = s_sorted, n_sorted
    return s, cnt


def _out_of_fold_stats(
    codes: np.ndarray, n_keys: int, y: np.ndarray, n_folds: int, seed: Any
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    folds = rng.permutation(len(codes)) % max(n_folds, 2)
    tot_s = np.bincount(codes, weights=y, minlength=n_keys)
    tot_n = np.bincount(codes, minlength=n_keys).astype(float)
    s, n = np.empty(len(codes)), np.empty(len(codes))
    for f in range(max(n_folds, 2)):
        m = folds == f
        fs = np.bincount(codes[m], weights=y[m], minlength=n_keys)
        fn = np.bincount(codes[m], minlength=n_keys).astype(float)
        s[m] = (tot_s - fs)[codes[m]]
        n[m] = (tot_n - fn)[codes[m]]
    return s, n

"""The declaration schema: canonical column names, kinds and validation.

Every adapter (CSV, Parquet, DuckDB, KCS, the synthetic generator) produces a
:class:`pandas.DataFrame` in this schema, and every model, policy and loop in
:mod:`border21.targeting` consumes one. :func:`validate_declarations` is the one
gate: it checks required columns, coerces types and fills absent optional
columns with "missing", so the cores never see a surprise.

Handling of bad input (documented behaviour, tested):

* a missing **required** column (``date``, ``importer_id``, ``hs6``, ``value``)
  raises :class:`~border21.errors.InputError`;
* a missing **optional** column is added as all-missing (categorical ``""``,
  numeric ``NaN``); models treat it like an unseen category;
* NaN in a categorical column becomes the empty category ``""``; NaN in a
  numeric column stays NaN (LightGBM routes it natively);
* an unparsable or missing date raises :class:`InputError` (time order is what
  keeps risk encodings leakage-free);
* an empty frame is valid and yields empty scores and an empty selection.

>>> import pandas as pd
>>> df = validate_declarations(pd.DataFrame(
...     {"date": ["2024-01-02"], "importer_id": ["A"], "hs6": [10121], "value": [5.0]}))
>>> df.loc[0, "hs6"], df.loc[0, "declaration_id"], df.loc[0, "seller_id"]
('010121', '0', '')
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from border21.errors import InputError
from border21.i18n.message import Message

ID_COLUMNS: tuple[str, ...] = ("importer_id", "declarant_id", "seller_id", "courier_id")
"""High-cardinality party identifiers (risk-encoded, never used raw)."""

CATEGORICAL_COLUMNS: tuple[str, ...] = (
    "office_id",
    "process_type",
    "import_type",
    "import_use",
    "payment_type",
    "transport_mode",
    "importer_id",
    "declarant_id",
    "seller_id",
    "courier_id",
    "hs6",
    "departure_country",
    "origin_country",
    "tax_type",
    "origin_indicator",
    "agency",
)
NUMERIC_COLUMNS: tuple[str, ...] = ("value", "net_mass_kg", "quantity", "tax_rate")
OUTCOME_COLUMNS: tuple[str, ...] = ("fraud", "revenue")
REQUIRED_COLUMNS: tuple[str, ...] = ("date", "importer_id", "hs6", "value")

SCHEMA: Mapping[str, str] = {
    "declaration_id": "identifier of the declaration (row number if absent)",
    "date": "acceptance date (required)",
    "office_id": "customs office / port of entry",
    "process_type": "clearance process type",
    "import_type": "import regime",
    "import_use": "declared use of the goods",
    "payment_type": "duty payment type",
    "transport_mode": "mode of transport",
    "importer_id": "importer (required)",
    "declarant_id": "declarant / customs broker",
    "seller_id": "foreign seller / exporter",
    "courier_id": "courier or carrier",
    "hs6": "HS code, 6 digits (required; zero-padded)",
    "departure_country": "country of departure",
    "origin_country": "country of origin",
    "tax_type": "tariff type",
    "origin_indicator": "how origin was established",
    "agency": "agency that received the declaration (US, MX) when data are pooled",
    "value": "declared value in the agency's currency (required)",
    "net_mass_kg": "net mass in kilograms",
    "quantity": "quantity in the tariff unit",
    "tax_rate": "duty rate in percent",
    "fraud": "outcome: 1 if the inspection found fraud, 0 if licit",
    "revenue": "outcome: revenue raised by the inspection (where known)",
}
"""Column name → meaning, for documentation and the CLI."""


def validate_declarations(
    frame: pd.DataFrame, *, require_label: bool = False, source: str = "declarations"
) -> pd.DataFrame:
    """Return a copy of ``frame`` in the canonical schema, or raise InputError.

    Columns outside :data:`SCHEMA` are kept untouched (e.g. a generator's
    hidden ``pattern`` column). ``require_label`` demands a clean 0/1 ``fraud``.

    >>> try:
    ...     validate_declarations(pd.DataFrame({"date": []}))
    ... except InputError as exc:
    ...     print(exc.reason)
    missing required column(s) hs6, importer_id, value
    """
    missing = sorted(set(REQUIRED_COLUMNS) - set(frame.columns))
    if require_label and "fraud" not in frame.columns:
        missing.append("fraud")
    if missing:
        raise InputError(
            f"{source}.columns",
            list(frame.columns)[:8],
            Message("missing required column(s) {missing}", missing=", ".join(missing)),
        )
    df = frame.reset_index(drop=True)  # copy-on-write: the caller's frame is never modified
    df["date"] = _dates(df["date"], source)
    if "declaration_id" not in df.columns:
        df["declaration_id"] = np.arange(len(df)).astype(str)
    df["declaration_id"] = _as_str(df["declaration_id"])
    for col in CATEGORICAL_COLUMNS:
        df[col] = _as_str(df[col]) if col in df.columns else ""
    df["hs6"] = _hs6(df["hs6"])
    for col in NUMERIC_COLUMNS:
        df[col] = _as_float(df, col, source) if col in df.columns else np.nan
    if "fraud" in df.columns:
        df["fraud"] = _labels(df["fraud"], source, required=require_label)
    if "revenue" in df.columns:
        df["revenue"] = _as_float(df, "revenue", source)
    return df


def _dates(col: pd.Series, source: str) -> pd.Series:
    if col.dtype == "datetime64[ns]" and not col.hasnans:
        return col
    parsed = pd.to_datetime(col, errors="coerce")
    if parsed.isna().any():
        bad = col[parsed.isna()].iloc[0]
        raise InputError(f"{source}.date", bad, Message("missing or unparsable date"))
    return parsed.astype("datetime64[ns]")


def _as_str(col: pd.Series) -> pd.Series:
    if col.dtype == "str" and not col.hasnans:
        return col
    if pd.api.types.is_float_dtype(col):
        as_int = col.dropna()
        if len(as_int) and np.all(np.mod(as_int.to_numpy(), 1) == 0):
            col = col.astype("Int64")
    out = col.astype("string").fillna("").astype(object)
    return out.astype(str)


def _hs6(col: pd.Series) -> pd.Series:
    if bool(((col.str.len() == 6) & col.str.isdigit()).all()):
        return col
    digits = col.str.replace(r"\D", "", regex=True)
    return digits.where(digits.str.len() >= 6, digits.str.zfill(6)).str.slice(0, 6)


def _as_float(df: pd.DataFrame, col: str, source: str) -> pd.Series:
    if df[col].dtype == np.float64:
        return df[col]
    out = pd.to_numeric(df[col], errors="coerce").astype(float)
    bad = out.isna() & df[col].notna() & (df[col].astype(str).str.strip() != "")
    if bad.any():
        raise InputError(f"{source}.{col}", df[col][bad].iloc[0], Message("not a number"))
    return out


def _labels(col: pd.Series, source: str, *, required: bool) -> pd.Series:
    values = pd.to_numeric(col, errors="coerce")
    ok = values.isin([0, 1]) | (values.isna() & (not required))
    if not ok.all():
        raise InputError(f"{source}.fraud", col[~ok].iloc[0], Message("labels must be 0 or 1"))
    return values.astype(float) if values.isna().any() else values.astype(np.int64)

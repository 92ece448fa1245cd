"""Adapters: read declarations from CSV, Parquet, DuckDB and the KCS dataset.

These functions do the I/O; everything they return has been through
:func:`~border21.targeting.records.validate_declarations`.

>>> from pathlib import Path
>>> KCS_COLUMNS["Item Price"], KCS_COLUMNS["HS6 Code"]
('value', 'hs6')
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from border21.errors import InputError
from border21.i18n.message import Message
from border21.targeting.records import validate_declarations

KCS_COLUMNS: dict[str, str] = {
    "Declaration ID": "declaration_id",
    "Date": "date",
    "Office ID": "office_id",
    "Process Type": "process_type",
    "Import Type": "import_type",
    "Import Use": "import_use",
    "Payment Type": "payment_type",
    "Mode of Transport": "transport_mode",
    "Declarant ID": "declarant_id",
    "Importer ID": "importer_id",
    "Seller ID": "seller_id",
    "Courier ID": "courier_id",
    "HS6 Code": "hs6",
    "Country of Departure": "departure_country",
    "Country of Origin": "origin_country",
    "Tax Rate": "tax_rate",
    "Tax Type": "tax_type",
    "Country of Origin Indicator": "origin_indicator",
    "Net Mass": "net_mass_kg",
    "Item Price": "value",
    "Fraud": "fraud",
    "Critical Fraud": "critical_fraud",
}
"""KCS synthetic import declarations (Jeong et al. 2022) → border21 schema."""

KCS_SPLITS: dict[str, str] = {
    "train": "df_syn_train_eng.csv",
    "valid": "df_syn_valid_eng.csv",
    "test": "df_syn_test_eng.csv",
}
"""The authors' split: train = 2020, valid = 2021-Q1, test = 2021-Q2."""

_SUFFIXES = {".csv", ".parquet", ".pq", ".duckdb", ".db"}


def read_declarations(
    path: str | Path, *, table: str | None = None, require_label: bool = False
) -> pd.DataFrame:
    """Read declarations from a CSV, Parquet or DuckDB file (by suffix).

    KCS column names are recognised and renamed automatically. For DuckDB,
    ``table`` names the table or view (default ``declarations``).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(
            "path",
            str(path),
            Message("unsupported file type; use one of {suffixes}", suffixes=sorted(_SUFFIXES)),
        )
    if not path.exists():
        raise InputError("path", str(path), Message("file does not exist"))
    if suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=True)
    elif suffix in {".parquet", ".pq"}:
        frame = pd.read_parquet(path)
    else:
        frame = _read_duckdb(path, table or "declarations")
    return validate_declarations(
        frame.rename(columns=KCS_COLUMNS), require_label=require_label, source=path.name
    )


def _read_duckdb(path: Path, table: str) -> pd.DataFrame:
    import duckdb

    if not table.replace("_", "").replace(".", "").isalnum():
        raise InputError("table", table, Message("must be a plain table name"))
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if table not in names:
            raise InputError(
                "table",
                table,
                Message("not in {name}; tables: {names}", name=path.name, names=sorted(names)),
            )
        return con.execute(f'SELECT * FROM "{table}"').df()
    finally:
        con.close()


def write_declarations(
    frame: pd.DataFrame, path: str | Path, *, table: str = "declarations"
) -> None:
    """Write a frame to CSV, Parquet or a DuckDB table (replaced if it exists)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix in {".parquet", ".pq"}:
        frame.to_parquet(path, index=False)
    elif suffix in {".duckdb", ".db"}:
        import duckdb

        con = duckdb.connect(str(path))
        try:
            con.register("frame_view", frame)
            con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM frame_view')
        finally:
            con.close()
    else:
        raise InputError(
            "path",
            str(path),
            Message("unsupported file type; use one of {suffixes}", suffixes=sorted(_SUFFIXES)),
        )


def read_kcs(directory: str | Path, split: str = "train") -> pd.DataFrame:
    """Read one split (``train``, ``valid``, ``test``) of the KCS declarations.

    ``directory`` holds the three ``df_syn_*_eng.csv`` files.
    """
    if split not in KCS_SPLITS:
        raise InputError(
            "split", split, Message("must be one of {kcs_splits}", kcs_splits=sorted(KCS_SPLITS))
        )
    return read_declarations(Path(directory) / KCS_SPLITS[split], require_label=True)

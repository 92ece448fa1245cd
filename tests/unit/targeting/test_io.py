from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from border21.errors import InputError
from border21.targeting.io import read_declarations, read_kcs, write_declarations

from .conftest import FIXTURES


def test_kcs_slice_reads_in_schema(kcs_train: pd.DataFrame) -> None:
    assert len(kcs_train) == 1870
    assert kcs_train["date"].min() >= pd.Timestamp("2020-01-01")
    assert kcs_train["hs6"].str.len().eq(6).all()
    assert set(kcs_train["fraud"].unique()) <= {0, 1}
    assert 0.1 < kcs_train["fraud"].mean() < 0.35


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".duckdb"])
def test_round_trip(tmp_path: Path, synthetic: pd.DataFrame, suffix: str) -> None:
    path = tmp_path / f"decl{suffix}"
    write_declarations(synthetic.head(50), path)
    back = read_declarations(path, require_label=True)
    assert back["declaration_id"].tolist() == synthetic["declaration_id"].head(50).tolist()
    assert back["fraud"].tolist() == synthetic["fraud"].head(50).tolist()
    pd.testing.assert_series_equal(back["value"], synthetic["value"].head(50), check_names=False)


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported"):
        read_declarations(tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="does not exist"):
        read_declarations(tmp_path / "x.csv")
    with pytest.raises(InputError, match="split"):
        read_kcs(FIXTURES, "holdout")


def test_duckdb_missing_table(tmp_path: Path, synthetic: pd.DataFrame) -> None:
    path = tmp_path / "d.duckdb"
    write_declarations(synthetic.head(5), path, table="decl")
    with pytest.raises(InputError, match="not in d.duckdb"):
        read_declarations(path, table="other")
    with pytest.raises(InputError, match="plain table name"):
        read_declarations(path, table="x; drop")
    assert len(read_declarations(path, table="decl")) == 5

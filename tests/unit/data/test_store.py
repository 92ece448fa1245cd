from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from border21.data.schema import SCHEMA_VERSION, current_version, migrate
from border21.data.store import default_db_path, open_store
from border21.errors import InputError


def test_migrations_are_idempotent_and_versioned() -> None:
    con = duckdb.connect()
    assert current_version(con) == 0
    assert migrate(con) == SCHEMA_VERSION
    assert migrate(con) == SCHEMA_VERSION
    versions = [r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()]
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    assert con.execute("SELECT count(*) FROM mx_states WHERE border_state").fetchone() == (6,)


def test_reopening_a_file_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "w.duckdb"
    with open_store(path) as s:
        s.con.execute("INSERT INTO ports VALUES ('2504', 'San Ysidro', 'CA', 'x', 0, 0, NULL)")
    with open_store(path, read_only=True) as s:
        assert s.scalar("SELECT port_name FROM ports") == "San Ysidro"


def test_default_path_honours_env_then_platformdirs(tmp_path: Path) -> None:
    assert default_db_path({"BORDER21_DB": str(tmp_path / "x.duckdb")}) == tmp_path / "x.duckdb"
    fallback = default_db_path({})
    assert fallback.name == "border21.duckdb" and "border21" in str(fallback.parent)


def test_read_only_on_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="data init"):
        open_store(tmp_path / "none.duckdb", read_only=True)


def test_sql_errors_are_one_line_input_errors() -> None:
    with open_store(None) as s, pytest.raises(InputError, match="Binder Error"):
        s.sql("SELECT no_such_column FROM crossings")


def test_a_version_1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    from border21.data.schema import MIGRATIONS

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    current_version(con)
    for sql in MIGRATIONS[0]:
        con.execute(sql)
    con.execute("INSERT INTO schema_version (version) VALUES (1)")
    con.close()
    with open_store(path) as s:
        assert s.scalar("SELECT max(version) FROM schema_version") == SCHEMA_VERSION
        assert s.scalar("SELECT count(*) FROM mx_states") == 32


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with open_store(path) as s:
        s.con.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(InputError, match="newer border21"):
        open_store(path)


def test_read_only_open_of_an_older_file_upgrades_it_first(tmp_path: Path) -> None:
    from border21.data.schema import MIGRATIONS

    path = tmp_path / "v2.duckdb"
    con = duckdb.connect(str(path))
    current_version(con)
    for number, statements in enumerate(MIGRATIONS[:2], start=1):
        for sql in statements:
            if sql != "__seed_mx_states__":
                con.execute(sql)
        con.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
    con.close()
    with open_store(path, read_only=True) as s:
        assert s.scalar("SELECT max(version) FROM schema_version") == SCHEMA_VERSION
        assert s.table_counts()["hourly_volumes"] == 0

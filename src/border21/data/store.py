"""The embedded DuckDB warehouse: open, migrate, query, report status.

>>> store = open_store(None)          # in-memory, migrated
>>> store.scalar("SELECT count(*) FROM crossings")
0
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from border21._closing import Closing
from border21.data.schema import SCHEMA_VERSION
from border21.errors import InputError
from border21.i18n.message import Message

if TYPE_CHECKING:
    import pandas as pd

APP_NAME = "border21"
DB_FILE_NAME = "border21.duckdb"
ENV_VAR = "BORDER21_DB"


def default_db_path(environ: Mapping[str, str]) -> Path:
    """Where the warehouse lives: ``$BORDER21_DB``, else the user data directory.

    The caller passes the environment explicitly so this stays pure.

    >>> default_db_path({"BORDER21_DB": "/tmp/x.duckdb"})
    PosixPath('/tmp/x.duckdb')
    """
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DB_FILE_NAME


class Store(Closing):
    """An open warehouse. Use :func:`open_store` to get one; close it when done."""

    def __init__(self, con: Any, path: Path | None) -> None:
        self.con = con
        self.path = path

    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a query and return the result as a pandas DataFrame."""
        import duckdb

        try:
            return self.con.execute(query, params or []).df()
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise InputError(
                "sql", query if len(query) < 80 else query[:77] + "...", first
            ) from None

    def scalar(self, query: str, params: list[Any] | None = None) -> Any:
        """First column of the first row of a query (``None`` when empty)."""
        row = self.con.execute(query, params or []).fetchone()
        return None if row is None else row[0]

    def status(self) -> pd.DataFrame:
        """Latest load of every source, with row counts, file and time."""
        return self.sql(
            """SELECT source, file_name, left(sha256, 12) AS sha256, rows_read, rows_loaded,
                      rows_quarantined, rows_skipped, finished_at AS loaded_at, load_id
               FROM loads
               QUALIFY row_number() OVER (PARTITION BY source ORDER BY load_id DESC) = 1
               ORDER BY source"""
        )

    def table_counts(self) -> dict[str, int]:
        """Row count of every fact and reference table."""
        names = [
            "ports", "crossings", "trade", "seizures", "apprehensions", "homicides",
            "sesnsp_incidence", "population", "wait_times", "hourly_volumes", "bridge_crossings",
            "bridge_sites", "bridge_lanes", "events", "loads", "quarantine",
        ]  # fmt: skip
        return {n: int(self.scalar(f"SELECT count(*) FROM {n}")) for n in names}

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.con.close()


def _stored_version(path: Path, config: dict[str, Any]) -> int:
    """Schema version of an existing file, read without writing (0 if unversioned)."""
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.Error as exc:
        raise InputError("db", str(path), str(exc).splitlines()[0]) from None
    try:
        row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
        return int(row[0]) if row else 0
    except duckdb.CatalogException:
        return 0
    finally:
        con.close()


SANDBOX: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}
"""DuckDB settings for SQL a person typed: no file or network access beyond the database
file itself (no ``read_csv('/etc/passwd')``, no ``COPY … TO``, no ``ATTACH``), no extension
installs or loads, and no ``SET`` that could undo any of it."""


def open_store(
    path: str | Path | None,
    *,
    read_only: bool = False,
    threads: int | None = None,
    sandboxed: bool = False,
) -> Store:
    """Open (creating and migrating if needed) the warehouse at ``path``.

    ``path=None`` opens a private in-memory database, handy for tests.
    ``sandboxed=True`` (with ``read_only``) applies :data:`SANDBOX`, for ad-hoc SQL.

    >>> store = open_store(None, sandboxed=True)
    >>> try:
    ...     store.sql("SELECT * FROM read_text('/etc/hostname')")
    ... except InputError as exc:
    ...     print("disabled by configuration" in exc.reason)
    True
    >>> store.close()
    """
    import duckdb

    from border21.data.schema import migrate

    db_path = None if path is None else Path(path).expanduser()
    if db_path is not None and not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    if db_path is not None and read_only and not db_path.exists():
        raise InputError("db", str(db_path), Message("no database there; run `border21 data init`"))
    config: dict[str, str | bool | int | float | list[str]] = (
        {"threads": threads} if threads else {}
    )
    if db_path is not None and read_only and _stored_version(db_path, config) < SCHEMA_VERSION:
        # an older file: upgrade it once (short read-write open), then read as asked
        open_store(db_path, threads=threads).close()
    try:
        con = duckdb.connect(
            ":memory:" if db_path is None else str(db_path),
            read_only=read_only,
            config={**config, **SANDBOX} if sandboxed else config,
        )
    except duckdb.Error as exc:
        raise InputError("db", str(db_path), str(exc).splitlines()[0]) from None
    if not read_only:
        try:
            migrate(con)
        except BaseException:
            con.close()
            raise
    return Store(con, db_path)

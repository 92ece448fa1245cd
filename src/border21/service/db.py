"""The service's own SQLite file: users, sharing agreements, agency records, audit log.

One connection guarded by a lock (SQLite serialises writers anyway); WAL mode
so readers do not block the writer. The audit table is append-only at the
database level too: triggers abort any UPDATE or DELETE (the hash chain in
:mod:`border21.service.audit` detects edits made around them).

Whoever opens a :class:`ServiceDB` closes it: call :meth:`ServiceDB.close` or
use it as a context manager (Python 3.13 reports a connection left to the
garbage collector as a ``ResourceWarning``).

>>> with ServiceDB(None) as db:
...     db.query("SELECT count(*) AS n FROM users")
[{'n': 0}]
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from border21._closing import Closing

DB_FILE_NAME = "service.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    agency TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS agreements (
    id INTEGER PRIMARY KEY,
    grantor TEXT NOT NULL,
    grantee TEXT NOT NULL,
    kinds TEXT NOT NULL,
    fields TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    pseudonym_key TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    agency TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_owner ON records (agency, kind);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    actor TEXT NOT NULL,
    agency TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


def _add_audit_owner(con: sqlite3.Connection) -> None:
    """The ``owner`` column (whose records an entry is about) on a log made before it."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(audit)")}
    if "owner" not in columns:
        con.execute("ALTER TABLE audit ADD COLUMN owner TEXT NOT NULL DEFAULT ''")
    con.execute("CREATE INDEX IF NOT EXISTS audit_owner ON audit (owner, seq)")


def _add_pseudonym_keys(con: sqlite3.Connection) -> None:
    """A random pseudonym key for every agreement (those made before keys existed too)."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(agreements)")}
    if "pseudonym_key" not in columns:
        con.execute("ALTER TABLE agreements ADD COLUMN pseudonym_key TEXT NOT NULL DEFAULT ''")
    con.execute(
        "UPDATE agreements SET pseudonym_key = lower(hex(randomblob(32))) WHERE pseudonym_key = ''"
    )


def _private_file(path: Path) -> None:
    """Create ``path`` (and its directory) readable by this user only: the file holds agency
    records. SQLite gives its ``-wal`` and ``-shm`` files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077:  # made by an older version, or by hand
        os.chmod(path, 0o600)


class ServiceDB(Closing):
    """An open service database (``path=None``: private, in memory)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            _private_file(path)
        self.lock = threading.RLock()
        self._depth = 0  # open transaction() blocks of the thread holding the lock
        self.con = sqlite3.connect(
            ":memory:" if path is None else str(path),
            check_same_thread=False,
            isolation_level=None,
            timeout=10.0,
        )
        try:
            self.con.row_factory = sqlite3.Row
            if path is not None:
                self.con.execute("PRAGMA journal_mode=WAL")
                # FULL: every COMMIT (a record batch with its audit entry) is fsynced
                # before the request answers; NORMAL could lose the last ones on power loss
                self.con.execute("PRAGMA synchronous=FULL")
            self.con.executescript(_SCHEMA)
            _add_audit_owner(self.con)
            _add_pseudonym_keys(self.con)
        except BaseException:
            self.con.close()  # e.g. locked or not a database: nobody else can close it
            raise
        self._reader: sqlite3.Connection | None = None
        self._reader_lock = threading.Lock()
        if path is not None:  # WAL: a second connection reads while the writer commits
            self._reader = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
            self._reader.row_factory = sqlite3.Row

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only query, from the reader connection: it never waits for a
        writer's COMMIT and fsync (the token lookup of every request runs on the event loop).
        Sees every transaction committed before it starts."""
        if self._reader is None:
            return self.query(sql, params)
        with self._reader_lock:
            return [dict(r) for r in self._reader.execute(sql, params).fetchall()]

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Rows of a query as plain dicts."""
        with self.lock:
            return [dict(r) for r in self.con.execute(sql, params).fetchall()]

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run one statement; return the new row id (inserts) or the change count."""
        with self.lock:
            cur = self.con.execute(sql, params)
            return (
                int(cur.lastrowid or 0)
                if sql.lstrip().upper().startswith("INSERT")
                else (cur.rowcount)
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """An IMMEDIATE transaction: serialises writers across threads *and* processes
        (the CLI may append to the audit log while the server runs).

        Nested blocks join the outer one, so a batch of records and its audit entry
        commit together or not at all."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.con.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            else:
                self.con.execute("COMMIT")
            finally:
                self._depth = 0

    def close(self) -> None:
        """Close the connections (idempotent)."""
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
        with self.lock:
            self.con.close()

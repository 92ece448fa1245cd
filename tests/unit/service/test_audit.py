"""Unit: the hash-chained audit log detects edits, deletions and a truncated tail."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from border21.service.audit import AuditLog, verify
from border21.service.db import ServiceDB


@pytest.fixture
def closing() -> Iterator[ExitStack]:
    """Closes every database a test opens, even when the test fails."""
    with ExitStack() as stack:
        yield stack


def _open(closing: ExitStack, tmp_path: Path) -> AuditLog:
    db = closing.enter_context(ServiceDB(tmp_path / "service.sqlite3"))
    return AuditLog(db, head_path=tmp_path / "audit.head")


def _log(closing: ExitStack, tmp_path: Path, n: int = 5) -> AuditLog:
    log = _open(closing, tmp_path)
    for i in range(n):
        log.append(actor="ana", agency="us-cbp", action="records.read", resource=f"records/{i}",
                   outcome="allowed", detail={"i": i}, now=f"2026-01-01T00:00:0{i}Z")  # fmt: skip
    return log


def _raw(log: AuditLog, sql: str) -> None:
    """What an intruder with file access could do: drop the guard triggers, then write."""
    con = log.db.con
    con.execute("DROP TRIGGER IF EXISTS audit_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    con.execute(sql)


def test_intact_chain_verifies(closing: ExitStack, tmp_path: Path) -> None:
    report = verify(_log(closing, tmp_path))
    assert report.ok and report.entries == 5


def test_triggers_refuse_update_and_delete(closing: ExitStack, tmp_path: Path) -> None:
    log = _log(closing, tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        log.db.execute("UPDATE audit SET actor = 'eve' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        log.db.execute("DELETE FROM audit WHERE seq = 2")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("UPDATE audit SET actor = 'eve' WHERE seq = 3", "entry 3: contents changed"),
        ("UPDATE audit SET detail = '{\"i\": 9}' WHERE seq = 1", "entry 1: contents changed"),
        ("DELETE FROM audit WHERE seq = 2", "entries 2–2: missing"),
        ("DELETE FROM audit WHERE seq = 5", "head anchor"),
    ],
)
def test_tampering_is_detected(closing: ExitStack, tmp_path: Path, sql: str, expected: str) -> None:
    log = _log(closing, tmp_path)
    _raw(log, sql)
    report = verify(log)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


def test_rehashed_edit_still_breaks_the_next_link(closing: ExitStack, tmp_path: Path) -> None:
    from border21.service.audit import entry_hash

    log = _log(closing, tmp_path)
    row = log.db.query("SELECT * FROM audit WHERE seq = 2")[0]
    row["actor"] = "eve"
    forged = entry_hash(row["prev_hash"], row)
    _raw(log, f"UPDATE audit SET actor = 'eve', hash = '{forged}' WHERE seq = 2")
    assert any("entry 3: link" in p for p in verify(log).problems)


def test_reopened_log_continues_the_chain(closing: ExitStack, tmp_path: Path) -> None:
    log = _log(closing, tmp_path, 2)
    log.db.close()
    again = _open(closing, tmp_path)
    seq = again.append(actor="b", agency="mx-customs", action="x", resource="r",
                       outcome="allowed", detail={}, now="2026-01-02T00:00:00Z")  # fmt: skip
    assert seq == 3 and verify(again).ok


def test_concurrent_writers_in_separate_processes_keep_one_chain(
    closing: ExitStack, tmp_path: Path
) -> None:
    """The server and the CLI may append at once: IMMEDIATE transactions serialise them."""
    import subprocess
    import sys

    ServiceDB(tmp_path / "service.sqlite3").close()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from border21.service.audit import AuditLog\n"
        "from border21.service.db import ServiceDB\n"
        "d = Path(sys.argv[1])\n"
        "with ServiceDB(d / 'service.sqlite3') as db:\n"
        "    log = AuditLog(db, head_path=d / 'audit.head')\n"
        "    for i in range(60):\n"
        "        log.append(actor=sys.argv[2], agency='us-cbp', action='x', resource='r',\n"
        "                   outcome='allowed', detail={'i': i}, now='t')\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), name]) for name in "abc"]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    log = _open(closing, tmp_path)
    report = verify(log)
    assert report.ok and report.entries == 180, report.problems

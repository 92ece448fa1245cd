"""Unit: the keyed audit chain detects edits, deletions, reordering, rehashing, truncation,
wipes and a missing, forged or corrupt head."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from border21.errors import InputError
from border21.service.audit import AuditLog, open_audit_log, verify
from border21.service.db import ServiceDB


@pytest.fixture
def closing() -> Iterator[ExitStack]:
    """Closes every database a test opens, even when the test fails."""
    with ExitStack() as stack:
        yield stack


def _open(closing: ExitStack, tmp_path: Path) -> AuditLog:
    db = closing.enter_context(ServiceDB(tmp_path / "service.sqlite3"))
    return open_audit_log(db, tmp_path / "audit.key")


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
    con.executescript(sql)


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
        (
            "DELETE FROM audit WHERE seq = 5",
            "head says entry 5 is the latest but the log ends at 4",
        ),
        ("DELETE FROM audit", "head says entry 5 is the latest but the log ends at 0"),
        ("DELETE FROM audit_head", "head missing"),
        ("UPDATE audit_head SET seq = 4", "head forged"),
        ("UPDATE audit_head SET seq = 'x'", "head corrupt"),
        ("UPDATE audit SET seq = seq + 10 WHERE seq IN (2, 3)", "link to the previous entry"),
        (  # swap entries 2 and 3
            "UPDATE audit SET seq = 100 + seq WHERE seq IN (2, 3);"
            " UPDATE audit SET seq = 105 - seq WHERE seq > 100",
            "link to the previous entry",
        ),
    ],
)
def test_tampering_is_detected(closing: ExitStack, tmp_path: Path, sql: str, expected: str) -> None:
    log = _log(closing, tmp_path)
    _raw(log, sql)
    report = verify(log)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


def test_a_wiped_log_stays_wiped_when_reopened(closing: ExitStack, tmp_path: Path) -> None:
    log = _log(closing, tmp_path)
    _raw(log, "DELETE FROM audit")
    log.db.execute("DELETE FROM audit_head")
    log.db.close()
    again = _open(closing, tmp_path)  # the key file exists: no fresh genesis head is made
    assert any("head missing" in p for p in verify(again).problems)


def test_rehashing_the_whole_chain_without_the_key_is_detected(
    closing: ExitStack, tmp_path: Path
) -> None:
    """An intruder edits entry 2 and recomputes every hash and the head with a key of their
    own (they cannot read ours): each entry's MAC still fails."""
    from border21.service.audit import GENESIS, entry_hash, head_mac

    log = _log(closing, tmp_path)
    _raw(log, "UPDATE audit SET actor = 'eve' WHERE seq = 2")
    guess = b"\0" * 32
    prev = GENESIS
    for row in log.db.query("SELECT * FROM audit ORDER BY seq"):
        digest = entry_hash(guess, prev, row)
        log.db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                       (prev, digest, row["seq"]))  # fmt: skip
        prev = digest
    log.db.execute("UPDATE audit_head SET hash = ?, mac = ?", (prev, head_mac(guess, 5, prev)))
    problems = verify(log).problems
    assert any("entry 1: contents changed" in p for p in problems), problems
    assert any("head forged" in p for p in problems), problems


def test_a_missing_or_corrupt_key_is_a_one_line_error(closing: ExitStack, tmp_path: Path) -> None:
    log = _log(closing, tmp_path)
    log.db.close()
    key = tmp_path / "audit.key"
    key.write_bytes(b"short")
    with pytest.raises(InputError, match="audit key.*corrupt"):
        _open(closing, tmp_path)
    key.unlink()  # a new key now would hide the old chain: refused
    with pytest.raises(InputError, match="missing, but the audit log has entries"):
        _open(closing, tmp_path)
    assert not key.exists()


def test_the_key_file_is_private(closing: ExitStack, tmp_path: Path) -> None:
    _log(closing, tmp_path, 1)
    assert (tmp_path / "audit.key").stat().st_mode & 0o777 == 0o600


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

    _open(closing, tmp_path).db.close()  # the key and the genesis head, made once
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from border21.service.audit import open_audit_log\n"
        "from border21.service.db import ServiceDB\n"
        "d = Path(sys.argv[1])\n"
        "with ServiceDB(d / 'service.sqlite3') as db:\n"
        "    log = open_audit_log(db, d / 'audit.key')\n"
        "    for i in range(60):\n"
        "        log.append(actor=sys.argv[2], agency='us-cbp', action='x', resource='r',\n"
        "                   outcome='allowed', detail={'i': i}, now='t')\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), name]) for name in "abc"]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    log = _open(closing, tmp_path)
    report = verify(log)
    assert report.ok and report.entries == 180, report.problems

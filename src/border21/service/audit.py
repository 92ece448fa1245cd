"""An append-only, keyed hash chain of every access to agency data.

Each entry's ``hash`` is HMAC-SHA256, under a secret key kept *outside* the
database (a file of its own, :func:`audit_key`), of the previous entry's hash
and the entry's own canonical JSON. Editing an entry breaks its MAC; deleting
or reordering entries breaks the links; and recomputing the chain after an edit
("rehash") needs the key. The latest ``seq`` and ``hash`` are kept, with their
own MAC, in the one-row ``audit_head`` table, updated *in the same transaction*
as the entry: a truncated tail or a wiped log no longer matches the head, and a
crash between entry and head cannot happen (no false alarm). A missing head is
a problem, never "intact".

What someone with write access to the database but not the key can and cannot
do is in docs/service.md ("The audit trail").

>>> from border21.service.db import ServiceDB
>>> db = ServiceDB(None)
>>> log = AuditLog(db, key=b"k" * 32)
>>> _ = log.append(actor="ana", agency="us-cbp", action="records.read", resource="records/1",
...                outcome="allowed", detail={}, now="2026-01-01T00:00:00Z")
>>> verify(log).ok
True
>>> db.close()
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from border21.errors import InputError
from border21.i18n.message import Message
from border21.service.db import ServiceDB

GENESIS = "0" * 64
_FIELDS = ("seq", "ts", "actor", "agency", "owner", "action", "resource", "outcome", "detail")


KEY_BYTES = 32


def entry_hash(key: bytes, prev_hash: str, entry: dict[str, Any]) -> str:
    """The chain MAC of one entry (``detail`` is the stored JSON text)."""
    body = json.dumps({k: entry[k] for k in _FIELDS}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, (prev_hash + body).encode(), hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, digest: str) -> str:
    """The MAC that vouches for a head (``seq``, ``hash``) pair."""
    return hmac.new(key, f"head {seq} {digest}".encode(), hashlib.sha256).hexdigest()


def open_audit_log(db: ServiceDB, key_path: Path) -> AuditLog:
    """The audit log of ``db`` under the key at ``key_path`` (made with a new, empty log)."""
    fresh = not key_path.exists()
    key = audit_key(key_path, db)
    return AuditLog(db, key=key, genesis=fresh)


def audit_key(path: Path, db: ServiceDB) -> bytes:
    """The audit key at ``path``; made (0600) only together with a brand-new, empty log.

    A log that has entries or a head but no key file is an error: making a new key
    then would hide the old chain. A key file that is not 32 bytes is an error too.
    """
    if not path.exists():
        used = db.query(
            "SELECT (SELECT count(*) FROM audit) + (SELECT count(*) FROM audit_head) AS n"
        )[0]["n"]
        if used:
            raise InputError(
                "audit key",
                str(path),
                Message(
                    "missing, but the audit log has entries signed with it (restore the key "
                    "file, or point --audit-key at it)"
                ),
            )
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return _read_key(path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(path.parent)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    try:
        key = path.read_bytes()
    except OSError as exc:
        raise InputError("audit key", str(path), exc.strerror or Message("unreadable")) from None
    if len(key) != KEY_BYTES:
        raise InputError(
            "audit key",
            str(path),
            Message("corrupt (expected {key_bytes} bytes)", key_bytes=KEY_BYTES),
        )
    return key


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AuditLog:
    """Appends to the ``audit`` table and moves the MAC'd head in the same transaction.

    ``genesis=True`` (a new key, so a new log) writes the genesis head (seq 0) if the
    log is empty and headless. Otherwise a log whose head row has gone keeps
    appending, but :func:`verify` reports the missing head for good: wiping the
    table and the head does not start a clean log.
    """

    def __init__(self, db: ServiceDB, *, key: bytes, genesis: bool = True) -> None:
        self.db = db
        self._key = key
        if not genesis:
            return
        with db.transaction():
            empty = not db.query("SELECT 1 FROM audit LIMIT 1")
            if empty and not db.query("SELECT 1 FROM audit_head"):
                db.execute(
                    "INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, 0, ?, ?)",
                    (GENESIS, head_mac(key, 0, GENESIS)),
                )

    def append(
        self,
        *,
        actor: str,
        agency: str,
        action: str,
        resource: str,
        outcome: str,
        detail: dict[str, Any],
        now: str,
        owner: str = "",
    ) -> int:
        """Add one entry and return its sequence number.

        ``owner``: the agency whose records the entry is about ("" when none), so that the
        owner sees partners' reads of its data as well as its own users' actions."""
        with self.db.transaction():
            last = self.db.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            seq = int(last[0]["seq"]) + 1 if last else 1
            prev = str(last[0]["hash"]) if last else GENESIS
            entry = {
                "seq": seq, "ts": now, "actor": actor, "agency": agency, "owner": owner,
                "action": action,
                "resource": resource, "outcome": outcome,
                "detail": json.dumps(detail, sort_keys=True, default=str),
            }  # fmt: skip
            digest = entry_hash(self._key, prev, entry)
            self.db.execute(
                "INSERT INTO audit (seq, ts, actor, agency, owner, action, resource, outcome,"
                " detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*(entry[k] for k in _FIELDS), prev, digest),
            )
            self.db.execute(
                "UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1",
                (seq, digest, head_mac(self._key, seq, digest)),
            )
        return seq

    def head_problems(self, last: tuple[int, str]) -> list[str]:
        """What is wrong with the head, given the log's last (seq, hash); [] if nothing."""
        rows = self.db.query("SELECT seq, hash, mac FROM audit_head")
        if not rows:
            return ["head missing: the log was wiped or replaced (never 'intact' without it)"]
        seq, digest, mac = rows[0]["seq"], rows[0]["hash"], rows[0]["mac"]
        if not (isinstance(seq, int) and isinstance(digest, str) and isinstance(mac, str)):
            return ["head corrupt: not a (seq, hash, mac) row"]
        if not hmac.compare_digest(mac, head_mac(self._key, seq, digest)):
            return ["head forged: its MAC does not match the audit key"]
        if (seq, digest) == last:
            return []
        if seq > last[0]:
            return [f"head says entry {seq} is the latest but the log ends at {last[0]}"
                    " (entries removed from the end, or the log wiped)"]  # fmt: skip
        return [f"head says entry {seq} is the latest but the log ends at {last[0]}"
                " (an old head put back, or entries written around the service)"]  # fmt: skip

    def entries(
        self, *, agency: str | None = None, limit: int = 100, partners_only: bool = False
    ) -> list[dict[str, Any]]:
        """The latest entries, newest first. With ``agency``: its users' entries and every
        entry about its records; ``partners_only``: just other agencies' access to them."""
        params: tuple[str, ...] = ()
        if agency is None:
            where = ""
        elif partners_only:
            where, params = "WHERE owner = ? AND agency != ?", (agency, agency)
        else:
            where, params = "WHERE agency = ? OR owner = ?", (agency, agency)
        rows = self.db.query(
            f"SELECT * FROM audit {where} ORDER BY seq DESC LIMIT ?", (*params, limit)
        )
        for row in rows:
            row["detail"] = json.loads(row["detail"])
        return rows


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify` found: ``ok`` when the chain is intact end to end."""

    entries: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(log: AuditLog) -> VerifyReport:
    """Recompute the chain; report edits, deletions, reordering and a truncated tail."""
    rows = log.db.query("SELECT * FROM audit ORDER BY seq")
    problems: list[str] = []
    prev = GENESIS
    expected = 1
    for row in rows:
        if row["seq"] != expected:
            problems.append(f"entries {expected}–{row['seq'] - 1}: missing")
        expected = row["seq"] + 1
        if row["prev_hash"] != prev:
            problems.append(f"entry {row['seq']}: link to the previous entry is broken")
        if not hmac.compare_digest(entry_hash(log._key, row["prev_hash"], row), str(row["hash"])):
            problems.append(f"entry {row['seq']}: contents changed after it was written")
        prev = row["hash"]
        if len(problems) > 50:
            problems.append("… more problems not listed")
            break
    last = (rows[-1]["seq"], rows[-1]["hash"]) if rows else (0, GENESIS)
    problems.extend(log.head_problems(last))
    return VerifyReport(entries=len(rows), problems=problems)

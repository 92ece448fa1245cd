"""An append-only, hash-chained audit log of every access to agency data.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the
entry's own canonical JSON, so editing any entry breaks its hash and
deleting one breaks the next entry's link. Deleting entries from the *end*
leaves a valid shorter chain; to catch that, every append also writes the
latest ``seq`` and ``hash`` to a head file next to the database (the
"anchor"), which :func:`verify` compares with the last entry.

>>> from border21.service.db import ServiceDB
>>> log = AuditLog(ServiceDB(None), head_path=None)
>>> _ = log.append(actor="ana", agency="us-cbp", action="records.read", resource="records/1",
...                outcome="allowed", detail={}, now="2026-01-01T00:00:00Z")
>>> verify(log).ok
True
>>> log.db.close()
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from border21.service.db import ServiceDB

GENESIS = "0" * 64
_FIELDS = ("seq", "ts", "actor", "agency", "action", "resource", "outcome", "detail")


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """The chain hash of one entry (``detail`` is the stored JSON text)."""
    body = json.dumps({k: entry[k] for k in _FIELDS}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


class AuditLog:
    """Appends to the ``audit`` table and keeps the head anchor file current."""

    def __init__(self, db: ServiceDB, *, head_path: Path | None) -> None:
        self.db = db
        self.head_path = head_path

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
    ) -> int:
        """Add one entry and return its sequence number."""
        with self.db.transaction():
            last = self.db.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            seq = int(last[0]["seq"]) + 1 if last else 1
            prev = str(last[0]["hash"]) if last else GENESIS
            entry = {
                "seq": seq, "ts": now, "actor": actor, "agency": agency, "action": action,
                "resource": resource, "outcome": outcome,
                "detail": json.dumps(detail, sort_keys=True, default=str),
            }  # fmt: skip
            digest = entry_hash(prev, entry)
            self.db.execute(
                "INSERT INTO audit (seq, ts, actor, agency, action, resource, outcome, detail,"
                " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*(entry[k] for k in _FIELDS), prev, digest),
            )
            self._write_head(seq, digest)
        return seq

    def _write_head(self, seq: int, digest: str) -> None:
        if self.head_path is None:
            return
        tmp = self.head_path.with_suffix(".tmp")
        tmp.write_text(f"{seq} {digest}\n", encoding="utf-8")
        os.replace(tmp, self.head_path)

    def head(self) -> tuple[int, str] | None:
        """The anchored (seq, hash), or None when there is no head file."""
        if self.head_path is None or not self.head_path.exists():
            return None
        seq, digest = self.head_path.read_text(encoding="utf-8").split()
        return int(seq), digest

    def entries(self, *, agency: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The latest entries, newest first (optionally one agency's)."""
        where, params = ("WHERE agency = ?", (agency,)) if agency else ("", ())
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
        if entry_hash(row["prev_hash"], row) != row["hash"]:
            problems.append(f"entry {row['seq']}: contents changed after it was written")
        prev = row["hash"]
        if len(problems) > 50:
            problems.append("… more problems not listed")
            break
    head = log.head()
    last = (rows[-1]["seq"], rows[-1]["hash"]) if rows else (0, GENESIS)
    if head is not None and head != last:
        problems.append(
            f"head anchor says entry {head[0]} is the latest but the log ends at {last[0]}"
            " (entries removed from the end, or the log replaced)"
        )
    return VerifyReport(entries=len(rows), problems=problems)

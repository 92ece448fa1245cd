"""Agency-owned records and sharing agreements in the service database.

Every function takes the signed-in :class:`~border21.service.auth.Principal`,
applies :mod:`border21.service.access` and writes one audit entry, allowed or
denied, so the trail shows attempts as well as reads.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

from border21.errors import InputError, NotFoundError
from border21.i18n.message import Message
from border21.service import AGENCIES, RECORD_KINDS
from border21.service.access import (
    AccessDenied,
    Agreement,
    granting_agreements,
    project,
    readable_fields,
)
from border21.service.audit import AuditLog
from border21.service.auth import Principal
from border21.service.db import ServiceDB
from border21.service.record_schema import (
    check_agreement_fields,
    check_record,
    pseudonymised,
)

RECORD_AGENCIES = tuple(a for a in AGENCIES if a != "analyst")


class AgencyData:
    """Records, agreements and their audit trail, over one service database."""

    def __init__(self, db: ServiceDB, audit: AuditLog) -> None:
        self.db = db
        self.audit = audit

    # ------------------------------------------------------------------ audit
    def _log(
        self,
        who: Principal,
        action: str,
        resource: str,
        outcome: str,
        now: str,
        owner: str = "",
        **detail: Any,
    ) -> None:
        self.audit.append(
            actor=who.name, agency=who.agency, action=action, resource=resource,
            outcome=outcome, detail=detail, now=now, owner=owner,
        )  # fmt: skip

    def _deny(
        self, who: Principal, action: str, resource: str, now: str, why: str, owner: str = ""
    ) -> None:
        self._log(who, action, resource, "denied", now, owner, reason=why)
        raise AccessDenied(why)

    # ------------------------------------------------------------- agreements
    def agreements(self) -> list[Agreement]:
        rows = self.db.query(
            "SELECT id, grantor, grantee, kinds, fields, expires_at, purpose, created_by,"
            " created_at, revoked_at FROM agreements ORDER BY id"
        )  # never the pseudonym key: it stays in the service
        for row in rows:
            row["kinds"] = tuple(json.loads(row["kinds"]))
            row["fields"] = tuple(json.loads(row["fields"]))
        return [Agreement(**row) for row in rows]

    def list_agreements(self, who: Principal, now: str) -> list[dict[str, Any]]:
        """Agreements the user's agency grants or receives."""
        if not who.owns_records:
            self._deny(who, "agreements.list", "agreements", now, "analysts see aggregates only")
        return [a.as_dict(now) for a in self.agreements() if who.agency in (a.grantor, a.grantee)]

    def create_agreement(
        self,
        who: Principal,
        *,
        grantee: str,
        kinds: Sequence[str],
        fields: Sequence[str],
        expires_at: str,
        purpose: str,
        now: str,
    ) -> dict[str, Any]:
        """An admin shares their own agency's records with a partner agency."""
        if not (who.at_least("admin") and who.owns_records):
            self._deny(who, "agreements.create", "agreements", now,
                       "only an agency admin may create sharing agreements")  # fmt: skip
        if grantee not in RECORD_AGENCIES or grantee == who.agency:
            others = [a for a in RECORD_AGENCIES if a != who.agency]
            raise InputError(
                "grantee",
                grantee,
                Message("must be a partner agency: {others}", others=", ".join(others)),
            )
        bad = [k for k in kinds if k not in RECORD_KINDS]
        if bad or not kinds:
            raise InputError(
                "kinds",
                bad or [],
                Message("choose from {record_kinds}", record_kinds=", ".join(RECORD_KINDS)),
            )
        if not fields or any(not f or len(f) > 64 for f in fields):
            raise InputError(
                "fields", list(fields), Message("list the data fields to share (1–64 chars)")
            )
        check_agreement_fields(kinds, fields)
        if expires_at <= now:
            raise InputError("expires_at", expires_at, Message("must be in the future"))
        with self.db.transaction():
            new_id = self.db.execute(
                "INSERT INTO agreements (grantor, grantee, kinds, fields, expires_at, purpose,"
                " pseudonym_key, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (who.agency, grantee, json.dumps(sorted(set(kinds))),
                 json.dumps(sorted(set(fields))), expires_at, purpose, secrets.token_hex(32),
                 who.name, now),
            )  # fmt: skip
            deal = next(a for a in self.agreements() if a.id == new_id)
            self._log(who, "agreements.create", f"agreements/{new_id}", "allowed", now,
                      grantee=grantee, kinds=list(deal.kinds), fields=list(deal.fields),
                      expires_at=expires_at)  # fmt: skip
        return deal.as_dict(now)

    def revoke_agreement(self, who: Principal, agreement_id: int, now: str) -> dict[str, Any]:
        """The granting agency's admin ends an agreement now."""
        deal = next((a for a in self.agreements() if a.id == agreement_id), None)
        if deal is None:
            raise NotFoundError(
                Message("agreement = {agreement_id}: no such agreement", agreement_id=agreement_id)
            )
        if not (who.at_least("admin") and who.agency == deal.grantor):
            self._deny(who, "agreements.revoke", f"agreements/{agreement_id}", now,
                       "only an admin of the granting agency may revoke it")  # fmt: skip
        with self.db.transaction():
            if deal.revoked_at is None:
                self.db.execute("UPDATE agreements SET revoked_at = ? WHERE id = ?", (now, deal.id))
            self._log(who, "agreements.revoke", f"agreements/{agreement_id}", "allowed", now)
        return next(a for a in self.agreements() if a.id == agreement_id).as_dict(now)

    # ---------------------------------------------------------------- records
    def add_records(
        self, who: Principal, kind: str, items: Sequence[dict[str, Any]], now: str
    ) -> list[int]:
        """Store records owned by the user's agency (analyst role or above)."""
        if not (who.owns_records and who.at_least("analyst")):
            self._deny(who, "records.create", f"records/{kind}", now,
                       "only agency analysts and admins may add records")  # fmt: skip
        if kind not in RECORD_KINDS:
            raise InputError(
                "kind",
                kind,
                Message("must be one of {record_kinds}", record_kinds=", ".join(RECORD_KINDS)),
            )
        for index, item in enumerate(items):
            check_record(kind, item, index)
        rows = [(who.agency, kind, now, json.dumps(item, sort_keys=True, default=str))
                for item in items]  # fmt: skip
        with self.db.transaction():  # the batch and its audit entry commit together, or neither
            ids = [
                self.db.execute(
                    "INSERT INTO records (agency, kind, created_at, data) VALUES (?, ?, ?, ?)", row
                )
                for row in rows
            ]
            self._log(who, "records.create", f"records/{kind}", "allowed", now, who.agency,
                      count=len(ids), first_id=ids[0] if ids else None)  # fmt: skip
        return ids

    def read_records(
        self,
        who: Principal,
        *,
        owner: str,
        kind: str,
        now: str,
        limit: int = 100,
        offset: int = 0,
        audit: bool = True,
    ) -> list[dict[str, Any]]:
        """``owner``'s ``kind`` records as ``who`` may see them, or AccessDenied."""
        if owner not in RECORD_AGENCIES:
            raise InputError(
                "agency",
                owner,
                Message(
                    "must be one of {record_agencies}", record_agencies=", ".join(RECORD_AGENCIES)
                ),
            )
        if kind not in RECORD_KINDS:
            raise InputError(
                "kind",
                kind,
                Message("must be one of {record_kinds}", record_kinds=", ".join(RECORD_KINDS)),
            )
        deals = self.agreements()
        fields = readable_fields(who, owner, kind, deals, now=now)
        resource = f"records/{owner}/{kind}"
        if fields is None:
            why = (
                "analysts see aggregates only"
                if not who.owns_records
                else f"no sharing agreement in force grants {who.agency} {owner}'s {kind} records"
            )
            self._deny(who, "records.read", resource, now, why, owner)
            raise AssertionError  # unreachable: _deny raises
        rows = self.db.query(
            "SELECT * FROM records WHERE agency = ? AND kind = ? ORDER BY id LIMIT ? OFFSET ?",
            (owner, kind, limit, offset),
        )
        out = [self._shared(who, project(_decoded(r), fields), deals, now) for r in rows]
        if audit:
            self._log(who, "records.read", resource, "allowed", now, owner, count=len(out),
                      ids=[r["id"] for r in out][:1000], **_under(who, owner, kind, deals, now),
                      fields="*" if "*" in fields else sorted(fields))  # fmt: skip
        return out

    def read_record(self, who: Principal, record_id: int, now: str) -> dict[str, Any]:
        """One record by id, under the same rules. Absent and not-yours answer alike (404, one
        message, one audit entry each), so ids cannot be probed for existence."""
        rows = self.db.query("SELECT * FROM records WHERE id = ?", (record_id,))
        resource = f"records/{record_id}"
        rec = _decoded(rows[0]) if rows else None
        deals = self.agreements()
        fields = (
            None if rec is None
            else readable_fields(who, rec["agency"], rec["kind"], deals, now=now)
        )  # fmt: skip
        if rec is None or fields is None:
            why = "no such record" if rec is None else "not readable by your agency"
            owner = "" if rec is None else rec["agency"]
            self._log(who, "records.read", resource, "denied", now, owner, reason=why)
            raise NotFoundError(
                Message(
                    "record = {record_id}: no such record of yours or shared to you",
                    record_id=record_id,
                )
            )
        self._log(who, "records.read", resource, "allowed", now, rec["agency"],
                  **_under(who, rec["agency"], rec["kind"], deals, now),
                  fields="*" if "*" in fields else sorted(fields))  # fmt: skip
        return self._shared(who, project(rec, fields), deals, now)

    def _shared(
        self, who: Principal, record: dict[str, Any], deals: Sequence[Agreement], now: str
    ) -> dict[str, Any]:
        """The record as ``who`` may see it: identifiers pseudonymised for a partner, under
        the key of the oldest agreement in force that grants it (one key, so pseudonyms match
        across the partner's reads)."""
        if who.agency == record["agency"]:
            return record
        ids = granting_agreements(who, record["agency"], record["kind"], deals, now=now)
        row = self.db.query("SELECT pseudonym_key FROM agreements WHERE id = ?", (min(ids),))
        record = dict(record)
        record["data"] = pseudonymised(record["data"], bytes.fromhex(row[0]["pseudonym_key"]))
        return record

    def summary(self, who: Principal, now: str) -> list[dict[str, Any]]:
        """Counts of records per agency and kind: the aggregate everyone may see."""
        rows = self.db.query(
            "SELECT agency, kind, count(*) AS records FROM records GROUP BY 1, 2 ORDER BY 1, 2"
        )
        self._log(who, "records.summary", "records/summary", "allowed", now)
        return rows


def _under(
    who: Principal, owner: str, kind: str, deals: Sequence[Agreement], now: str
) -> dict[str, Any]:
    """For a partner's read: the agreements it was made under (the owner's audit shows them)."""
    if who.agency == owner:
        return {}
    return {"agreements": granting_agreements(who, owner, kind, deals, now=now)}


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["data"] = json.loads(row["data"])
    return row

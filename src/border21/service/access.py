"""Who may read which agency records: deny by default, share by agreement.

The rules, in order:

1. outside analysts (agency ``analyst``) never read records, only aggregates;
2. an agency reads all fields of its own records;
3. another agency reads a record only while a sharing agreement from the
   owner to it covers the record's kind and has not expired or been revoked,
   and then only the fields the agreement lists;
4. everything else is denied.

>>> from border21.service.auth import Principal
>>> mx = Principal("m", "mx-customs", "viewer")
>>> deal = Agreement(id=1, grantor="us-cbp", grantee="mx-customs", kinds=("seizure",),
...                  fields=("drug", "pounds"), expires_at="2030-01-01T00:00:00Z")
>>> sorted(readable_fields(mx, "us-cbp", "seizure", [deal], now="2026-01-01T00:00:00Z"))
['drug', 'pounds']
>>> readable_fields(mx, "us-cbp", "inspection", [deal], now="2026-01-01T00:00:00Z") is None
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from border21.errors import Border21Error
from border21.service.auth import Principal

ALL_FIELDS: frozenset[str] = frozenset({"*"})
RECORD_META = ("id", "agency", "kind", "created_at")
"""Shown with every readable record, whatever the agreement's fields."""


class AccessDenied(Border21Error):
    """The signed-in user may not do this (HTTP 403)."""


def utc_now() -> str:
    """Now as the service's timestamp text (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_timestamp(moment: datetime) -> str:
    """A datetime as timestamp text (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    """A SharingAgreement: ``grantor`` lets ``grantee`` read ``fields`` of ``kinds`` until
    ``expires_at``."""

    id: int
    grantor: str
    grantee: str
    kinds: tuple[str, ...]
    fields: tuple[str, ...]
    expires_at: str
    purpose: str = ""
    created_by: str = ""
    created_at: str = ""
    revoked_at: str | None = None

    def active(self, now: str) -> bool:
        """In force at ``now``: not revoked and not expired."""
        return self.revoked_at is None and now < self.expires_at

    def as_dict(self, now: str) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in self.__slots__}
        out["kinds"], out["fields"] = list(self.kinds), list(self.fields)
        out["active"] = self.active(now)
        return out


def readable_fields(
    principal: Principal, owner: str, kind: str, agreements: Iterable[Agreement], *, now: str
) -> frozenset[str] | None:
    """The fields of ``owner``'s ``kind`` records that ``principal`` may read (None: none)."""
    if not principal.owns_records:
        return None
    if principal.agency == owner:
        return ALL_FIELDS
    granted: set[str] = set()
    found = False
    for deal in agreements:
        if (
            deal.grantor == owner
            and deal.grantee == principal.agency
            and kind in deal.kinds
            and deal.active(now)
        ):
            found = True
            granted.update(deal.fields)
    return frozenset(granted) if found else None


def granting_agreements(
    principal: Principal, owner: str, kind: str, agreements: Iterable[Agreement], *, now: str
) -> list[int]:
    """Ids of the agreements in force under which ``principal`` reads ``owner``'s ``kind``."""
    return [
        deal.id
        for deal in agreements
        if deal.grantor == owner
        and deal.grantee == principal.agency
        and kind in deal.kinds
        and deal.active(now)
    ]


def project(record: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    """The record with only the readable fields of its ``data``."""
    out = {k: record[k] for k in RECORD_META}
    data = record["data"]
    out["data"] = dict(data) if fields == ALL_FIELDS else {k: data[k] for k in data if k in fields}
    return out

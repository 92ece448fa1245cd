"""The fields each kind of agency record may have, which of them identify someone, and the
keyed pseudonyms identifiers become when a record is shared.

Raw identifiers never leave an agency: when a partner reads a record under a
sharing agreement, every identifier field (``importer_id``, ``declaration_id``,
the id in a risk profile's ``entity`` …) is replaced by
``HMAC-SHA256(agreement key, raw id)`` (16 hex digits). The key is random per
agreement and never leaves the service, so within one agreement the partner
can match repeat traders across records and kinds, but cannot recover who they
are, nor link pseudonyms across agreements.

>>> key = bytes(32)
>>> shared = pseudonymised({"importer_id": "I00028", "value": 10.0}, key)
>>> hidden = shared["importer_id"]
>>> shared["value"], hidden == pseudonym(key, "I00028"), len(hidden)
(10.0, True, 18)
>>> pseudonymised({"entity": "importer:I00028"}, key)["entity"] == "importer:" + hidden
True
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from border21.errors import InputError
from border21.i18n.message import Message

_DECLARATION = (
    "declaration_id", "date", "office_id", "importer_id", "declarant_id", "seller_id",
    "courier_id", "hs6", "origin_country", "transport_mode", "value", "net_mass_kg",
    "quantity", "tax_rate",
)  # fmt: skip
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "declaration": _DECLARATION,
    "inspection": (*_DECLARATION, "fraud", "finding"),
    "seizure": (
        "declaration_id",
        "date",
        "office_id",
        "importer_id",
        "value",
        "finding",
        "drug",
        "pounds",
    ),  # fmt: skip
    "risk_profile": ("entity", "inspections", "fraud_rate"),
}
"""The data fields a record of each kind may carry (more is refused with 422)."""
IDENTIFIERS = frozenset(
    {"declaration_id", "office_id", "importer_id", "declarant_id", "seller_id", "courier_id",
     "entity"}
)  # fmt: skip
"""Fields that identify a trader, a declaration or an office: shared only as pseudonyms."""
PSEUDONYM_PREFIX = "p:"


def check_record(kind: str, record: dict[str, Any], index: int) -> None:
    """Refuse a record with a field its kind does not have, naming it."""
    allowed = RECORD_FIELDS[kind]
    for name in record:
        if name not in allowed:
            raise InputError(
                f"records.{index}.{name}",
                record[name],
                Message(
                    "not a {kind} field (fields: {allowed})", kind=kind, allowed=", ".join(allowed)
                ),
            )


def check_agreement_fields(kinds: Iterable[str], fields: Iterable[str]) -> None:
    """Refuse ``"*"`` and any field that none of the agreed kinds has (the partner would
    silently get nothing)."""
    kinds = list(kinds)
    known = {f for k in kinds for f in RECORD_FIELDS[k]}
    for name in fields:
        if name == "*":
            raise InputError("fields", name, Message("list the fields to share; '*' is refused"))
        if name not in known:
            listed = ", ".join(sorted(known))
            raise InputError(
                "fields",
                name,
                Message(
                    "no {kinds} record has it (fields: {listed})",
                    kinds=" or ".join(kinds),
                    listed=listed,
                ),
            )


def pseudonym(key: bytes, raw: object) -> str:
    """The keyed pseudonym of one raw identifier."""
    digest = hmac.new(key, str(raw).encode(), hashlib.sha256).hexdigest()[:16]
    return PSEUDONYM_PREFIX + digest


def pseudonymised(data: dict[str, Any], key: bytes) -> dict[str, Any]:
    """``data`` with every identifier field replaced by its pseudonym under ``key``."""
    out = dict(data)
    for name in IDENTIFIERS.intersection(out):
        value = out[name]
        if value is None:
            continue
        if name == "entity" and isinstance(value, str) and ":" in value:
            kind, _, raw = value.partition(":")  # "importer:I00028": keep what it is, hide who
            out[name] = f"{kind}:{pseudonym(key, raw)}"
        else:
            out[name] = pseudonym(key, value)
    return out

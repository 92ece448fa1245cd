"""Unit: deny-by-default access rules, sharing agreements, token storage."""

from __future__ import annotations

import pytest

from border21.errors import InputError, NotFoundError
from border21.service.access import ALL_FIELDS, Agreement, project, readable_fields
from border21.service.auth import Principal, add_user, authenticate, hash_token, revoke_user
from border21.service.db import ServiceDB

NOW = "2026-06-01T00:00:00Z"
US = Principal("u", "us-cbp", "viewer")
MX = Principal("m", "mx-customs", "admin")
ANALYST = Principal("a", "analyst", "admin")


def deal(**kw: object) -> Agreement:
    base: dict[str, object] = dict(id=1, grantor="us-cbp", grantee="mx-customs",
                                   kinds=("seizure",), fields=("date",),
                                   expires_at="2027-01-01T00:00:00Z")  # fmt: skip
    base.update(kw)
    return Agreement(**base)  # type: ignore[arg-type]


def test_own_records_are_fully_readable() -> None:
    assert readable_fields(US, "us-cbp", "inspection", [], now=NOW) == ALL_FIELDS


def test_default_is_deny() -> None:
    assert readable_fields(MX, "us-cbp", "seizure", [], now=NOW) is None


def test_analysts_never_read_records_even_with_an_agreement() -> None:
    assert readable_fields(ANALYST, "us-cbp", "seizure", [deal(grantee="analyst")], now=NOW) is None


@pytest.mark.parametrize(
    "agreement",
    [
        deal(expires_at="2026-05-31T23:59:59Z"),  # expired
        deal(expires_at=NOW),  # expires exactly now
        deal(revoked_at="2026-05-01T00:00:00Z"),  # revoked
        deal(kinds=("inspection",)),  # other kind
        deal(grantor="mx-customs", grantee="us-cbp"),  # other direction
    ],
)
def test_agreements_that_do_not_apply_deny(agreement: Agreement) -> None:
    assert readable_fields(MX, "us-cbp", "seizure", [agreement], now=NOW) is None


def test_agreement_grants_only_its_fields_and_unions_overlapping_ones() -> None:
    fields = readable_fields(MX, "us-cbp", "seizure",
                             [deal(), deal(id=2, fields=("value",))], now=NOW)  # fmt: skip
    assert fields == frozenset({"date", "value"})
    rec = {"id": 1, "agency": "us-cbp", "kind": "seizure", "created_at": NOW,
           "data": {"date": "2024-01-01", "value": 5.0, "importer_id": "I1"}}  # fmt: skip
    assert project(rec, fields)["data"] == {"date": "2024-01-01", "value": 5.0}


def test_tokens_are_stored_hashed_and_revocable() -> None:
    with ServiceDB(None) as db:
        token = add_user(db, "ana", agency="us-cbp", role="admin", now=NOW)
        stored = db.query("SELECT token_hash FROM users")[0]["token_hash"]
        assert token not in stored and stored == hash_token(token)
        assert authenticate(db, token) == Principal("ana", "us-cbp", "admin", user_id=1)
        assert authenticate(db, token + "x") is None and authenticate(db, None) is None
        revoke_user(db, "ana", now=NOW)
        assert authenticate(db, token) is None
        with pytest.raises(NotFoundError):
            revoke_user(db, "ana", now=NOW)


@pytest.mark.parametrize(
    ("name", "agency", "role"),
    [("bad name", "us-cbp", "viewer"), ("x", "cia", "viewer"), ("x", "us-cbp", "root")],
)
def test_bad_user_input(name: str, agency: str, role: str) -> None:
    with ServiceDB(None) as db, pytest.raises(InputError):
        add_user(db, name, agency=agency, role=role, now=NOW)


def test_role_order() -> None:
    assert MX.at_least("analyst") and not US.at_least("analyst")

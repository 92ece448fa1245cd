"""E2E (API test client): the authorisation matrix, sharing agreements, the audit trail.

Every role × agency × endpoint is checked against the expected status; reads of
another agency's records are denied unless an agreement in force grants them,
and then only the granted fields are visible.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from border21.service.testing import TestService, make_service

AGENCIES = ("us-cbp", "mx-customs", "analyst")
ROLES = ("viewer", "analyst", "admin")
USERS = {f"{a}.{r}": (a, r) for a in AGENCIES for r in ROLES}
PARTNER = {"us-cbp": "mx-customs", "mx-customs": "us-cbp", "analyst": "us-cbp"}
DECL = {"date": "2024-02-01", "importer_id": "I1", "hs6": "870323", "value": 1000.0}


class Clock:
    def __init__(self) -> None:
        self.now = "2026-06-01T00:00:00Z"

    def __call__(self) -> str:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def svc(clock: Clock) -> Iterator[TestService]:
    service = make_service(None, users=USERS, clock=clock)
    yield service
    service.state.close()


@pytest.fixture(scope="module")
def client(svc: TestService) -> Any:
    return svc.client()


def _record_id(svc: TestService, agency: str, kind: str) -> int:
    rows = svc.state.db.query(
        "SELECT id FROM records WHERE agency = ? AND kind = ? LIMIT 1", (agency, kind)
    )
    return int(rows[0]["id"])


def expected(agency: str, role: str, endpoint: str) -> int:
    owns = agency != "analyst"
    at_least = {"viewer": 0, "analyst": 1, "admin": 2}[role]
    rules = {
        "me": 200,
        "ports": 200,
        "records.summary": 200,
        "records.own": 200 if owns else 403,
        "records.us-cbp.seizure": 200 if agency == "us-cbp" else 403,
        "records.mx-customs.inspection": 200 if agency == "mx-customs" else 403,
        "record.us-cbp": 200 if agency == "us-cbp" else 404,  # absent and not-yours alike
        "records.create": 201 if owns and at_least >= 1 else 403,
        "agreements.list": 200 if owns else 403,
        "agreements.create": 201 if owns and at_least == 2 else 403,
        "audit": 200 if at_least == 2 else 403,
        "audit.verify": 200 if at_least == 2 else 403,
        "score": 200 if at_least >= 1 else 403,
        "targeting": 200 if owns else 403,
    }
    return rules[endpoint]


ENDPOINTS = [
    "me", "ports", "records.summary", "records.own", "records.us-cbp.seizure",
    "records.mx-customs.inspection", "record.us-cbp", "records.create", "agreements.list",
    "agreements.create", "audit", "audit.verify", "score", "targeting",
]  # fmt: skip


def call(client: Any, svc: TestService, user: str, endpoint: str) -> Any:
    agency = USERS[user][0]
    h = svc.auth(user)
    own_kind = "seizure"
    requests: dict[str, Any] = {
        "me": lambda: client.get("/api/v1/me", headers=h),
        "ports": lambda: client.get("/api/v1/ports", headers=h),
        "records.summary": lambda: client.get("/api/v1/records/summary", headers=h),
        "records.own": lambda: client.get("/api/v1/records", params={"kind": own_kind}, headers=h),
        "records.us-cbp.seizure": lambda: client.get(
            "/api/v1/records", params={"kind": "seizure", "agency": "us-cbp"}, headers=h),
        "records.mx-customs.inspection": lambda: client.get(
            "/api/v1/records", params={"kind": "inspection", "agency": "mx-customs"}, headers=h),
        "record.us-cbp": lambda: client.get(
            f"/api/v1/records/{_record_id(svc, 'us-cbp', 'inspection')}", headers=h),
        "records.create": lambda: client.post(
            "/api/v1/records", json={"kind": "inspection", "records": [dict(DECL, fraud=0)]},
            headers=h),
        "agreements.list": lambda: client.get("/api/v1/agreements", headers=h),
        "agreements.create": lambda: client.post("/api/v1/agreements", headers=h, json={
            "grantee": PARTNER[agency], "kinds": ["risk_profile"], "fields": ["entity"],
            "expires_at": "2026-06-02T00:00:00Z"}),
        "audit": lambda: client.get("/api/v1/audit", headers=h),
        "audit.verify": lambda: client.get("/api/v1/audit/verify", headers=h),
        "score": lambda: client.post("/api/v1/score", headers=h,
                                     json={"declarations": [DECL, DECL], "budget_pct": 50}),
        "targeting": lambda: client.get("/api/v1/targeting/selection", headers=h),
    }  # fmt: skip
    return requests[endpoint]()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("user", sorted(USERS))
def test_authorisation_matrix(client: Any, svc: TestService, user: str, endpoint: str) -> None:
    agency, role = USERS[user]
    response = call(client, svc, user, endpoint)
    assert response.status_code == expected(agency, role, endpoint), response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code


@pytest.mark.parametrize("endpoint", ["me", "records.own", "score", "audit"])
@pytest.mark.parametrize("token", [None, "b21_not-a-real-token", "Basic abc"])
def test_missing_or_wrong_token_is_401(client: Any, endpoint: str, token: str | None) -> None:
    path = {"me": "/api/v1/me", "records.own": "/api/v1/records?kind=seizure",
            "score": "/api/v1/score", "audit": "/api/v1/audit"}[endpoint]  # fmt: skip
    headers = {} if token is None else {
        "Authorization": token if token.startswith("Basic") else f"Bearer {token}"}  # fmt: skip
    method = client.post if endpoint == "score" else client.get
    kwargs: dict[str, Any] = {"json": {"declarations": [DECL]}} if endpoint == "score" else {}
    response = method(path, headers=headers, **kwargs)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"].endswith("/unauthorized")


def test_agency_sees_only_its_own_records(client: Any, svc: TestService) -> None:
    for user, prefix in (("us-cbp.viewer", "US"), ("mx-customs.viewer", "MX")):
        rows = client.get("/api/v1/records", params={"kind": "declaration"},
                          headers=svc.auth(user)).json()  # fmt: skip
        assert rows and all(r["data"]["declaration_id"].startswith(prefix) for r in rows)
        ranked = client.get("/api/v1/targeting/selection", headers=svc.auth(user)).json()
        assert ranked["k"] > 0
        assert all(s["declaration_id"].startswith(prefix) for s in ranked["selected"])
        assert ranked["selected"][0]["reasons"] is not None


def test_sharing_agreement_lifecycle(client: Any, svc: TestService, clock: Clock) -> None:
    mx, us_admin = svc.auth("mx-customs.viewer"), svc.auth("us-cbp.admin")
    query = {"kind": "seizure", "agency": "us-cbp", "limit": 5}
    assert client.get("/api/v1/records", params=query, headers=mx).status_code == 403
    made = client.post("/api/v1/agreements", headers=us_admin, json={
        "grantee": "mx-customs", "kinds": ["seizure"], "fields": ["date", "finding"],
        "expires_at": "2026-07-01T00:00:00Z", "purpose": "joint cargo targeting"})  # fmt: skip
    assert made.status_code == 201, made.text
    deal = made.json()
    shared = client.get("/api/v1/records", params=query, headers=mx)
    assert shared.status_code == 200
    assert {k for r in shared.json() for k in r["data"]} == {"date", "finding"}
    # the agreement covers seizures only
    other = dict(query, kind="inspection")
    assert client.get("/api/v1/records", params=other, headers=mx).status_code == 403
    # the partner cannot revoke it; an analyst-agency admin cannot either
    for user in ("mx-customs.admin", "analyst.admin"):
        r = client.delete(f"/api/v1/agreements/{deal['id']}", headers=svc.auth(user))
        assert r.status_code == 403
    # after expiry: denied
    clock.now = "2026-07-01T00:00:01Z"
    try:
        assert client.get("/api/v1/records", params=query, headers=mx).status_code == 403
    finally:
        clock.now = "2026-06-01T00:00:00Z"
    assert client.get("/api/v1/records", params=query, headers=mx).status_code == 200
    revoked = client.delete(f"/api/v1/agreements/{deal['id']}", headers=us_admin)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert client.get("/api/v1/records", params=query, headers=mx).status_code == 403


def test_agreement_validation(client: Any, svc: TestService) -> None:
    h = svc.auth("us-cbp.admin")
    bad = [
        {"grantee": "us-cbp", "kinds": ["seizure"], "fields": ["date"],
         "expires_at": "2026-07-01T00:00:00Z"},  # to itself
        {"grantee": "mx-customs", "kinds": ["seizure"], "fields": ["date"],
         "expires_at": "2020-01-01T00:00:00Z"},  # already expired
        {"grantee": "analyst", "kinds": ["seizure"], "fields": ["date"],
         "expires_at": "2026-07-01T00:00:00Z"},  # analysts get aggregates only
        {"grantee": "mx-customs", "kinds": ["passwords"], "fields": ["date"],
         "expires_at": "2026-07-01T00:00:00Z"},
        {"grantee": "mx-customs", "kinds": ["seizure"], "fields": [],
         "expires_at": "2026-07-01T00:00:00Z"},
        {"grantee": "mx-customs", "kinds": ["seizure"], "fields": ["date"],
         "expires_at": "9999-12-31T23:59:59-14:00"},  # past year 9999 in UTC: was a 500
        {"grantee": "mx-customs", "kinds": ["seizure"], "fields": ["date"],
         "expires_at": "0001-01-01T00:00:00+14:00"},  # before year 1 in UTC: was a 500
    ]  # fmt: skip
    for body in bad:
        r = client.post("/api/v1/agreements", headers=h, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    r = client.delete("/api/v1/agreements/999999", headers=h)
    assert r.status_code == 404


def test_access_is_audited_and_chain_verifies(client: Any, svc: TestService) -> None:
    # Counts are relative: under xdist this module's earlier tests may run elsewhere.
    def verify() -> dict[str, Any]:
        report: dict[str, Any] = client.get(
            "/api/v1/audit/verify", headers=svc.auth("us-cbp.admin")
        ).json()
        return report

    before = verify()["entries"]
    mx = svc.auth("mx-customs.viewer")
    client.get("/api/v1/records", params={"kind": "inspection", "agency": "us-cbp"}, headers=mx)
    client.get("/api/v1/records", params={"kind": "inspection"}, headers=mx)
    entries = client.get("/api/v1/audit", params={"limit": 5},
                         headers=svc.auth("mx-customs.admin")).json()  # fmt: skip
    assert all(e["agency"] == "mx-customs" for e in entries)
    actions = [(e["action"], e["resource"], e["outcome"]) for e in entries[:2]]
    assert actions == [
        ("records.read", "records/mx-customs/inspection", "allowed"),
        ("records.read", "records/us-cbp/inspection", "denied"),
    ]
    report = verify()
    assert report["ok"] and report["entries"] >= before + 2


def test_absent_and_not_yours_records_answer_alike(client: Any, svc: TestService) -> None:
    theirs = _record_id(svc, "us-cbp", "inspection")
    absent = 2**62
    mx = svc.auth("mx-customs.admin")
    a = client.get(f"/api/v1/records/{theirs}", headers=mx)
    b = client.get(f"/api/v1/records/{absent}", headers=mx)
    assert a.status_code == b.status_code == 404
    assert a.json()["detail"].replace(str(theirs), "N") == b.json()["detail"].replace(
        str(absent), "N"
    )
    # the owner's audit still shows the attempt on its record, with the real reason
    entries = svc.state.audit.entries(agency="mx-customs", limit=5)
    tried = next(e for e in entries if e["resource"] == f"records/{theirs}")
    assert tried["outcome"] == "denied" and tried["detail"]["reason"] == (
        "not readable by your agency"
    )


def test_failed_logins_are_audited_then_throttled() -> None:
    with make_service(None, users={"ana": ("us-cbp", "admin")}, demo_data=False,
                      failed_logins_per_window=3) as svc:  # fmt: skip
        client = svc.client()
        wrong = {"Authorization": "Bearer b21_guess"}
        codes = [client.get("/api/v1/me", headers=wrong).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        blocked = client.get("/api/v1/me", headers=svc.auth("ana"))  # even a good token waits
        assert blocked.status_code == 429 and 0 < int(blocked.headers["retry-after"]) <= 60
        assert blocked.json()["type"].endswith("/too-many-failed-logins")
        failed = [e for e in svc.state.audit.entries(limit=20) if e["action"] == "auth.failed"]
        assert len(failed) == 3 and all(e["outcome"] == "denied" for e in failed)
        assert "b21_guess" not in str(failed)


def test_a_recycled_user_name_does_not_see_the_old_users_jobs() -> None:
    from border21.service.access import utc_now
    from border21.service.auth import add_user, revoke_user

    with make_service(None, users={"ana": ("analyst", "viewer")}, demo_data=False,
                      sync_max_crossings=0) as svc:  # fmt: skip
        client = svc.client()
        job = client.post("/api/v1/simulations", headers=svc.auth("ana"),
                          json={"scenario": "laredo_wtb"})  # fmt: skip
        assert job.status_code == 202
        url = job.headers["location"]
        assert client.get(url, headers=svc.auth("ana")).status_code == 200
        revoke_user(svc.state.db, "ana", now=utc_now())
        token = add_user(svc.state.db, "ana", agency="analyst", role="viewer", now=utc_now())
        again = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert again.status_code == 404


def test_an_owner_sees_every_partner_read_of_its_records() -> None:
    users = {"us": ("us-cbp", "admin"), "mx": ("mx-customs", "viewer"),
             "mxa": ("mx-customs", "admin"), "out": ("analyst", "admin")}  # fmt: skip
    with make_service(None, users=users) as svc:
        client = svc.client()
        query = {"kind": "seizure", "agency": "us-cbp", "limit": 3}
        refused = client.get("/api/v1/records", params=query, headers=svc.auth("mx"))
        assert refused.status_code == 403
        deal = client.post("/api/v1/agreements", headers=svc.auth("us"), json={
            "grantee": "mx-customs", "kinds": ["seizure"], "fields": ["date"],
            "expires_at": "2099-01-01T00:00:00Z"}).json()  # fmt: skip
        rows = client.get("/api/v1/records", params=query, headers=svc.auth("mx")).json()
        one = client.get(f"/api/v1/records/{rows[0]['id']}", headers=svc.auth("mx"))
        assert one.status_code == 200
        client.get("/api/v1/records", params={"kind": "seizure"}, headers=svc.auth("us"))

        seen = client.get("/api/v1/audit/access", headers=svc.auth("us")).json()
        assert [(e["actor"], e["agency"], e["outcome"]) for e in seen] == [
            ("mx", "mx-customs", "allowed"),
            ("mx", "mx-customs", "allowed"),
            ("mx", "mx-customs", "denied"),
        ]  # newest first; the owner's own read is not a partner's
        for entry in seen[:2]:
            assert entry["owner"] == "us-cbp" and entry["ts"]
            assert entry["detail"]["agreements"] == [deal["id"]]
            assert entry["detail"]["fields"] == ["date"]
        assert seen[1]["detail"]["ids"] == [r["id"] for r in rows]
        # the full /audit of the owner lists them too; the partner's admin sees its own reads
        full = client.get("/api/v1/audit", headers=svc.auth("us")).json()
        assert {e["seq"] for e in seen} <= {e["seq"] for e in full}
        assert client.get("/api/v1/audit/access", headers=svc.auth("mxa")).json() == []
        assert client.get("/api/v1/audit/access", headers=svc.auth("out")).status_code == 403
        assert client.get("/api/v1/audit/access", headers=svc.auth("mx")).status_code == 403


def test_identifiers_leave_an_agency_only_as_per_agreement_pseudonyms() -> None:
    users = {"us": ("us-cbp", "admin"), "mx": ("mx-customs", "viewer")}
    with make_service(None, users=users) as svc:
        client = svc.client()
        us, mx = svc.auth("us"), svc.auth("mx")

        def share() -> dict[str, Any]:
            made = client.post("/api/v1/agreements", headers=us, json={
                "grantee": "mx-customs", "kinds": ["seizure", "risk_profile"],
                "fields": ["importer_id", "declaration_id", "entity", "value"],
                "expires_at": "2099-01-01T00:00:00Z"})  # fmt: skip
            assert made.status_code == 201, made.text
            assert "pseudonym_key" not in made.json()
            return dict(made.json())

        def read(headers: dict[str, str], kind: str) -> list[dict[str, Any]]:
            query = {"kind": kind, "agency": "us-cbp", "limit": 1000}
            rows = client.get("/api/v1/records", params=query, headers=headers).json()
            return [r["data"] for r in rows]

        deal = share()
        raw, seen = read(us, "seizure"), read(mx, "seizure")
        raw_ids = {r["importer_id"] for r in raw} | {r["declaration_id"] for r in raw}
        assert seen and not raw_ids & {v for r in seen for v in r.values()}
        assert all(r["importer_id"].startswith("p:") for r in seen)
        assert [r["value"] for r in seen] == [r["value"] for r in raw]  # non-identifiers as is
        # one trader, one pseudonym: repeat traders still match, across kinds too
        alias = {r["importer_id"]: s["importer_id"] for r, s in zip(raw, seen, strict=True)}
        assert len(set(alias.values())) == len(alias)
        profiles = {p["entity"] for p in read(mx, "risk_profile")}
        assert all(e.startswith("importer:p:") for e in profiles)
        assert {f"importer:{a}" for a in alias.values()} & profiles
        one = client.get(f"/api/v1/records/{_record_id(svc, 'us-cbp', 'seizure')}", headers=mx)
        assert one.json()["data"]["importer_id"].startswith("p:")
        # another agreement, other pseudonyms: they cannot be linked across agreements
        client.delete(f"/api/v1/agreements/{deal['id']}", headers=us)
        share()
        again = {r["importer_id"] for r in read(mx, "seizure")}
        assert again and not again & set(alias.values())


def test_agreement_fields_and_records_are_checked_against_the_record_schema(
    client: Any, svc: TestService
) -> None:
    h = svc.auth("us-cbp.admin")
    deal = {"grantee": "mx-customs", "kinds": ["seizure"], "expires_at": "2099-01-01T00:00:00Z"}
    for fields, message in ((["date", "colour"], "fields = 'colour': no seizure record has it"),
                            (["*"], "fields = '*': list the fields to share")):  # fmt: skip
        r = client.post("/api/v1/agreements", headers=h, json={**deal, "fields": fields})
        assert r.status_code == 422 and r.json()["detail"].startswith(message), r.text
    records = [{"date": "2024-01-01"}, {"pounds": 3, "shoe_size": 44}]
    bad = client.post("/api/v1/records", headers=h, json={"kind": "seizure", "records": records})
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("records.1.shoe_size = 44: not a seizure field")

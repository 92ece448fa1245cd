"""Agency data: records, sharing agreements, scoring, targeting, the audit trail."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from border21.service.access import as_timestamp
from border21.service.audit import verify
from border21.service.deps import State, User, require
from border21.service.schemas import AgreementRequest, Json, RecordsRequest, ScoreRequest

router = APIRouter(prefix="/api/v1", tags=["agency data"])

Agency = Literal["us-cbp", "mx-customs"]
Kind = Literal["declaration", "inspection", "seizure", "risk_profile"]
RecordId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/me", summary="Who the token belongs to", tags=["access"])
def me(who: User) -> Json:
    return {"name": who.name, "agency": who.agency, "role": who.role}


@router.get("/records/summary", summary="Record counts per agency and kind (aggregates)")
def records_summary(who: User, state: State) -> list[Json]:
    return state.data.summary(who, state.now())


@router.get("/records", summary="Agency records you may read (own, or shared to you)")
def list_records(
    who: User,
    state: State,
    kind: Kind,
    agency: Agency | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[Json]:
    owner = agency or (who.agency if who.owns_records else "us-cbp")
    return state.data.read_records(
        who, owner=owner, kind=kind, now=state.now(), limit=limit, offset=offset
    )


@router.get("/records/{record_id}", summary="One record, if you may read it")
def get_record(record_id: RecordId, who: User, state: State) -> Json:
    return state.data.read_record(who, record_id, state.now())


@router.post("/records", status_code=201, summary="Add records owned by your agency")
def add_records(body: RecordsRequest, who: User, state: State) -> Json:
    ids = state.data.add_records(who, body.kind, [dict(r) for r in body.records], state.now())
    return {"agency": who.agency, "kind": body.kind, "ids": ids}


@router.get("/agreements", summary="Sharing agreements your agency grants or receives",
            tags=["access"])  # fmt: skip
def list_agreements(who: User, state: State) -> list[Json]:
    return state.data.list_agreements(who, state.now())


@router.post("/agreements", status_code=201, summary="Share fields with a partner (admins)",
             tags=["access"])  # fmt: skip
def create_agreement(body: AgreementRequest, who: User, state: State) -> Json:
    return state.data.create_agreement(
        who, grantee=body.grantee, kinds=body.kinds, fields=body.fields,
        expires_at=as_timestamp(body.expires_at), purpose=body.purpose, now=state.now(),
    )  # fmt: skip


@router.delete("/agreements/{agreement_id}", summary="Revoke an agreement (granting admin)",
               tags=["access"])  # fmt: skip
def revoke_agreement(agreement_id: RecordId, who: User, state: State) -> Json:
    return state.data.revoke_agreement(who, agreement_id, state.now())


@router.get("/audit", summary="Your agency's entries and every access to its records (admins)",
            tags=["access"])  # fmt: skip
def audit_entries(
    who: User, state: State, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[Json]:
    require(who, "admin")
    return state.audit.entries(agency=who.agency, limit=limit)


@router.get("/audit/access", summary="Partners' reads of your agency's records (admins)",
            tags=["access"])  # fmt: skip
def audit_access(
    who: User, state: State, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[Json]:
    """Every read (and attempted read) of your agency's records by another agency, newest
    first: who (``actor``, ``agency``), when (``ts``), what (``resource``, ``detail.fields``,
    ``detail.ids``) and under which agreement (``detail.agreements``)."""
    require(who, "admin", agency_user=True)
    return state.audit.entries(agency=who.agency, limit=limit, partners_only=True)


@router.get("/audit/verify", summary="Check the audit hash chain (admins)", tags=["access"])
def audit_verify(who: User, state: State) -> Json:
    require(who, "admin")
    report = verify(state.audit)
    return {"ok": report.ok, "entries": report.entries, "problems": report.problems}


@router.post(
    "/score",
    summary="Score a batch of declarations and select what to inspect",
    tags=["targeting"],
    response_model=None,
    responses={200: {"description": "Scores of every row; the selection with reasons"}},
)
async def score(body: ScoreRequest, who: User, state: State) -> JSONResponse:
    # async: a small well-formed batch is scored right here (~1 ms, the core's fast path);
    # anything else waits on the micro-batcher's future without holding a thread
    require(who, "analyst")
    rows = [dict(r) for r in body.declarations]
    model = state.fitted_risk_model(who.agency)  # None until trained (the batcher trains it)
    if model is not None:
        from border21.service.batcher import ScoreItem, score_small

        answer = score_small(model, ScoreItem(rows, body.budget_pct, body.explain))
        if answer is not None:
            return JSONResponse(answer)
    future = state.scorer(who.agency).submit(rows, body.budget_pct, body.explain)
    return JSONResponse(await asyncio.wrap_future(future))


@router.get("/targeting/selection", summary="Your agency's pending declarations, ranked",
            tags=["targeting"])  # fmt: skip
def targeting_selection(
    who: User,
    state: State,
    budget_pct: Annotated[float, Query(gt=0, le=100)] = 10.0,
) -> Json:
    require(who, "viewer", agency_user=True)
    records = state.data.read_records(
        who, owner=who.agency, kind="declaration", now=state.now(), limit=1000
    )
    if not records:
        return {
            "agency": who.agency,
            "budget_pct": budget_pct,
            "declarations": 0,
            "k": 0,
            "selected": [],
            "scores": [],
        }
    from border21.service.batcher import ScoreItem, score_rows

    item = ScoreItem([r["data"] for r in records], budget_pct, True)
    out = score_rows(state.risk_model(who.agency), [item])[0]
    for entry in out["selected"]:
        entry["record_id"] = records[entry["row"]]["id"]
    out["agency"] = who.agency
    return out

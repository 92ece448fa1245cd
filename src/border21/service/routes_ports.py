"""Ports, scenarios, simulations and background jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response

from border21.errors import NotFoundError
from border21.i18n.message import Message, localize
from border21.service.budget import check_simulation
from border21.service.deps import HeavyUser, Lang, State, User
from border21.service.schemas import Json, SimulationRequest
from border21.service.whatif import apply_sliders

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from border21.ports.config import PortScenario
    from border21.ports.runs import SimulationResult
    from border21.service.state import ServiceState

router = APIRouter(prefix="/api/v1", tags=["ports"])
ONE_REPLICATION = Message(
    "one replication: no intervals; ask for 2 or more replications for 95% intervals"
)

_TABLE_KEYS = {
    "wait_by_hour": ["lane_group", "hour"],
    "queue_length": ["time_h"],
    "utilisation": ["lane_group"],
    "throughput": ["stream"],
    "interdictions": ["stream"],
}


def shipped_name(name: str) -> str:
    """A shipped scenario's key; never a path (the API reads no user-named files)."""
    from border21.ports.catalog import shipped_scenarios

    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    shipped = shipped_scenarios()
    if key not in shipped:
        raise NotFoundError(
            Message(
                "scenario = {name!r}: unknown scenario (shipped: {shipped})",
                name=name,
                shipped=", ".join(shipped),
            )
        )
    return key


def build_scenario(
    name: str, overrides: list[str], booth_scale: float = 1.0, referral: float | None = None
) -> PortScenario:
    """Load a shipped scenario with overrides and what-if sliders applied, validated.

    A value out of bounds (``lanes.general.lanes=1000000000``) is refused here,
    before anything is allocated (422).
    """
    from border21.ports.catalog import load_scenario

    scenario = load_scenario(shipped_name(name), list(overrides))
    return apply_sliders(scenario, booth_scale=booth_scale, referral_rate=referral)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    from border21.reports.charts import to_records

    return to_records(frame)


def result_json(result: SimulationResult) -> Json:
    """A simulation result as JSON: summary, tables averaged over replications."""
    tables = result.tables()
    out: Json = {
        "scenario": result.scenario.port.name,
        "days": result.days,
        "replications": len(result.replications),
        "seed": result.seed,
        "config_hash": result.config_hash,
        "warm_up_days": result.warm_up_days,
        "warm_up": result.warm_up_note,
        "warnings": list(result.warnings),
        "notes": [] if len(result.replications) > 1 else [ONE_REPLICATION],
        "summary": _records(tables["summary"]),
        "tables": {},
    }
    for name, keys in _TABLE_KEYS.items():
        frame = tables[name].drop(columns=["replication"])
        mean = frame.groupby(keys, sort=False).mean(numeric_only=True).reset_index()
        out["tables"][name] = _records(mean)
    return out


@router.get("/ports", summary="Shipped port scenarios")
def list_ports(who: User) -> list[Json]:
    from border21.ports.catalog import load_scenario, shipped_scenarios

    out = []
    for key in shipped_scenarios():
        sc = load_scenario(key)
        out.append({
            "scenario": key, "name": sc.port.name, "port_code": sc.port.port_code,
            "streams": list(sc.streams), "lane_groups": list(sc.lanes),
        })  # fmt: skip
    return out


@router.get("/scenarios/{name}", summary="One shipped scenario, validated")
def get_scenario(name: str, who: User) -> Json:
    from border21.ports.results import offered_load_rows

    sc = build_scenario(name, [])
    return {
        "scenario": shipped_name(name),
        "config": sc.model_dump(mode="json"),
        "offered_load": _records_rows(offered_load_rows(sc)),
    }


def _records_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import pandas as pd

    return _records(pd.DataFrame(rows))


def _simulate(sc: PortScenario, body: SimulationRequest) -> Json:
    from border21.ports.catalog import load_scenario
    from border21.ports.edits import inert_overrides
    from border21.ports.runs import simulate

    # workers=1: replications run in turn on the calling (low-priority) thread, so one
    # request holds one core and the other stays free for everyone else's requests
    result = simulate(sc, days=body.days, replications=body.replications, seed=body.seed,
                      workers=1, warm_up_days=body.warm_up_days)  # fmt: skip
    out = result_json(result)
    out["notes"] += inert_overrides(load_scenario(shipped_name(body.scenario)), body.overrides)
    return out


@router.post(
    "/simulations",
    summary="Simulate a port (synchronous when small, otherwise a background job)",
    responses={
        202: {"description": "Accepted as a background job; poll its status URL"},
        429: {"description": "Too many unfinished jobs or synchronous runs; see Retry-After"},
    },
)
def run_simulation(
    body: SimulationRequest, who: HeavyUser, state: State, response: Response, lang: Lang
) -> Json:
    from border21.ports.runs import refuse_targeting_only, warm_up_for

    sc = build_scenario(body.scenario, body.overrides, body.booth_scale, body.referral_rate)
    refuse_targeting_only(sc)
    warm_up_for(body.days, body.warm_up_days)  # refused before a job is queued
    work = check_simulation(sc, days=body.days, replications=body.replications,
                            limits=state.config.limits_for(who.role), role=who.role)  # fmt: skip
    if work <= state.config.sync_max_crossings:
        return localize(state.gate.run_in_process(who.user_id, _simulate, sc, body), lang)  # type: ignore[no-any-return]
    return accepted(state, who.user_id, "simulation", lambda: _simulate(sc, body), response)


def accepted(
    state: ServiceState, owner: int, kind: str, work: Callable[[], Any], response: Response
) -> Json:
    """``work`` queued as ``owner``'s background job: 202, its status URL in ``Location``."""
    job = state.jobs.submit(owner, kind, work, state.now())
    response.status_code = 202
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job.as_dict()


@router.get("/jobs/{job_id}", summary="A background job's status", tags=["jobs"])
def job_status(job_id: str, who: User, state: State) -> Json:
    return state.jobs.get(job_id, who.user_id).as_dict()


@router.get(
    "/jobs/{job_id}/result",
    summary="A finished job's result",
    tags=["jobs"],
    responses={409: {"description": "Not finished yet, or failed"}},
)
def job_result(job_id: str, who: User, state: State, lang: Lang) -> Any:
    from border21.service.problems import ProblemException

    job = state.jobs.get(job_id, who.user_id)
    if job.status != "succeeded":
        raise ProblemException(
            409, f"job is {job.status}" + (f": {job.error()}" if job.error() else ""),
            slug="job-not-ready",
        )  # fmt: skip
    return localize(job.future.result(), lang)  # core's words in the reader's language

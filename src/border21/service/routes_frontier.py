"""Security–trade frontier: small sweeps of policies × budgets × cooperation variants."""

from __future__ import annotations

from fastapi import APIRouter, Response

from border21.i18n.message import localize
from border21.service.budget import check_frontier, check_port
from border21.service.deps import HeavyUser, Lang, State
from border21.service.routes_ports import ONE_REPLICATION, accepted, build_scenario
from border21.service.schemas import FrontierRequest, Json
from border21.service.state import ServiceState

router = APIRouter(prefix="/api/v1", tags=["frontier"])


def run_frontier(state: ServiceState, body: FrontierRequest) -> Json:
    """Run the sweep and return the summary with frontier flags."""
    from border21.frontier.sweep import build_tasks, execute, frontier, precision, summarise
    from border21.frontier.variants import build_variants
    from border21.reports.charts import to_records

    base = build_scenario(body.scenario, [], body.booth_scale)
    variants = build_variants(base, list(dict.fromkeys(body.variants)))
    tasks = build_tasks(
        variants, list(dict.fromkeys(body.policies)), sorted(set(body.rates)),
        replications=body.replications, days=body.days, seed=body.seed,
    )  # fmt: skip
    risks = {
        name: state.risk_pool(sc.cooperation.shared_intelligence)
        if "targeted" in body.policies else None
        for name, sc in variants.items()
    }  # fmt: skip
    rows = execute(tasks, risks=risks, workers=1)  # one core per request (see routes_ports)
    table = frontier(summarise(rows))
    checked = precision(table)
    notes = checked.notes()
    if body.replications < 2:
        notes.insert(0, ONE_REPLICATION)
    return {
        "scenario": base.port.name,
        "seed": body.seed,
        "days": body.days,
        "replications": body.replications,
        "booth_scale": body.booth_scale,
        "notes": notes,
        "rows": to_records(table.assign(ci_outside_range=checked.out_of_range)),
    }


@router.post(
    "/frontier",
    summary="Detection vs delay per policy, budget and cooperation variant",
    responses={
        202: {"description": "Accepted as a background job; poll its status URL"},
        429: {"description": "Too many unfinished jobs or synchronous runs; see Retry-After"},
    },
)
def frontier(
    body: FrontierRequest, who: HeavyUser, state: State, response: Response, lang: Lang
) -> Json:
    work = (
        len(set(body.variants)) * len(set(body.policies)) * len(set(body.rates))
        * body.replications * body.days
    )  # fmt: skip
    limits = state.config.limits_for(who.role)
    check_frontier(work, limits=limits, role=who.role)
    check_port(build_scenario(body.scenario, [], body.booth_scale), limits=limits, role=who.role)
    if work <= state.config.sync_max_frontier_work:
        return localize(state.gate.run(who.user_id, lambda: run_frontier(state, body)), lang)  # type: ignore[no-any-return]
    return accepted(state, who.user_id, "frontier", lambda: run_frontier(state, body), response)

"""Regions: the ports travellers choose among, solved to equilibrium (docs/regions.md).

``GET /api/v1/regions`` lists the shipped regions with their ports, build
options and, per port and segment, the band of waits its officers hold
(``officers_bands``: empty where the lanes keep the port scenario's schedule).
``POST /api/v1/regions/simulations`` solves one to equilibrium as a background
job, once per toll at the build ports, and returns per toll the ports' shares
(all travellers and per segment) and waits by port and segment with their 95%
intervals, as ``border21 region simulate --json`` does. Only shipped regions,
as shipped: no file paths and no key overrides, so the work of a request is
bounded by its tolls and replications.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from border21.errors import InputError, NotFoundError
from border21.i18n.message import Message
from border21.service.deps import HeavyUser, State, User
from border21.service.jobs import JOB_RESPONSES
from border21.service.routes_ports import accepted
from border21.service.schemas import Json, RegionRequest

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])


@router.get("", summary="Shipped regions: their ports and build options")
def regions(who: User) -> Json:
    from border21.regions.config import load_region, shipped_regions
    from border21.regions.equilibrium import segment_bands

    out = []
    for name in shipped_regions():
        region = load_region(name)
        build = [p for p, cfg in region.ports.items() if cfg.build]
        bands: dict[str, dict[str, list[Json]]] = {}
        for (port, segment), held in segment_bands(region, build).items():
            bands.setdefault(port, {})[segment] = [
                {"lane_group": g, "min_wait_minutes": low, "max_wait_minutes": high}
                for g, low, high in held
            ]
        out.append(
            {
                "name": name,
                "description": region.region.description,
                "ports": [p for p, cfg in region.ports.items() if not cfg.build],
                "build_options": [p for p, cfg in region.ports.items() if cfg.build],
                "segments": list(region.segments),
                "days": region.equilibrium.days,
                "max_iterations": region.equilibrium.max_iterations,
                # per port and segment, the wait its officers hold by opening and closing
                # booths; [] where its lanes keep the port scenario's schedule (SENTRI)
                "officers_bands": bands,
            }
        )
    return {"regions": out}


def run_region(body: RegionRequest) -> Json:
    import dataclasses

    from border21.regions.config import load_region, with_toll
    from border21.regions.equilibrium import solve

    base = load_region(body.region)
    runs = []
    tolls: list[float | None] = list(body.tolls) or [None]
    for usd in tolls:
        chosen = with_toll(base, body.build, usd) if usd is not None else base
        result = solve(chosen, build=body.build, seed=body.seed, replications=body.replications)
        run = result.summary(usd)
        run.update(
            iterations=result.iterations,
            gap=result.gap,
            converged=result.converged,
            port_totals=result.port_totals(),
            booths=result.booths,
            rows=[dataclasses.asdict(r) for r in result.rows],
        )
        runs.append(run)
    return {"region": body.region, "seed": body.seed, "replications": body.replications,
            "runs": runs}  # fmt: skip


@router.post(
    "/simulations",
    summary="Solve a region to equilibrium, once per toll (a background job)",
    status_code=202,
    responses=JOB_RESPONSES,
)
def region_simulation(
    body: RegionRequest, who: HeavyUser, state: State, response: Response
) -> Json:
    from border21.regions.config import load_region, shipped_regions

    if body.region not in shipped_regions():
        raise NotFoundError(
            Message(
                "region = {region!r}: unknown region (shipped: {shipped})",
                region=body.region,
                shipped=", ".join(shipped_regions()),
            )
        )
    region = load_region(body.region)
    try:  # an unknown build option is refused before any work, named as the body names it
        region.open_ports(body.build)
    except InputError as exc:
        raise InputError("build", exc.value, exc.reason) from None
    if body.tolls and not body.build:
        raise InputError(
            "tolls", body.tolls, Message("needs build: tolls are charged at a built port")
        )
    limits = state.config.limits_for(who.role)
    work = len(body.tolls or [None]) * body.replications * region.equilibrium.days
    if work > limits.max_days_x_replications:
        raise InputError(
            "tolls × replications × days",
            work,
            Message(
                "at most {max_days_x_replications} for the {role} role",
                max_days_x_replications=limits.max_days_x_replications,
                role=who.role,
            ),
        )
    return accepted(state, who.user_id, "region", lambda: run_region(body), response)

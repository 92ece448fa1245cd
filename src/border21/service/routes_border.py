"""The whole border: every US–Mexico land port, and where officers do the most good.

``GET /api/v1/border/ports`` lists the ports (code, name, state, coordinates,
modes, BTS crossings a day, their scenarios and whether curated or generated)
with the northbound mean wait each one's whole-port scenario simulates, ± its
95% interval. ``POST /api/v1/border/allocations`` runs ``border21 border
allocate`` as a background job: officer-hours placed (or cut) port by port where
they change the delay cost of trade and travel most.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response

from border21.errors import InputError
from border21.i18n.message import Message
from border21.service.deps import HeavyUser, State, User
from border21.service.jobs import JOB_RESPONSES
from border21.service.routes_ports import accepted
from border21.service.schemas import AllocationRequest, Json

if TYPE_CHECKING:
    import pandas as pd

router = APIRouter(prefix="/api/v1/border", tags=["border"])

_waits: dict[str, pd.DataFrame] = {}
_waits_lock = threading.Lock()


def _simulated_waits() -> pd.DataFrame:
    """The ports' simulated northbound waits, computed once per process (fixed seed)."""
    from border21.ports.allocate import simulated_waits

    with _waits_lock:
        if "frame" not in _waits:
            _waits["frame"] = simulated_waits()
        return _waits["frame"]


def _number(x: Any) -> float | None:
    value = float(x)
    return None if value != value else value


@router.get("/ports", summary="Every US–Mexico land port, with its simulated northbound wait")
def border_ports(who: User) -> Json:
    from border21.ports.allocate import whole_port_scenarios
    from border21.ports.catalog import border_ports as ports

    waits = _simulated_waits().set_index("port_code")
    covering = whole_port_scenarios()
    rows = []
    for p in ports():
        wait = waits.loc[p.port_code] if p.port_code in waits.index else None
        rows.append(
            {
                **p.as_dict(),
                "crossings_per_day": sum(p.crossings_per_year.values()) / 365.25,
                "scenario": covering[p.port_code][1] if p.port_code in covering else None,
                "nb_mean_wait_min": None if wait is None else _number(wait["nb_mean_wait_min"]),
                "nb_mean_wait_min_ci95": None
                if wait is None
                else _number(wait["nb_mean_wait_min_ci95"]),
            }
        )
    return {
        "ports": rows,
        "wait_basis": (
            "northbound mean wait at primary of each port's whole-port scenario: one day "
            "after a warm-up day, 3 replications (seed 0), ± the 95% interval"
        ),
    }


def run_allocation(body: AllocationRequest) -> Json:
    from border21.ports.allocate import allocate

    result = allocate(
        body.officers,
        shift_hours=body.shift_hours,
        days=body.days,
        warm_up_days=1 if body.days > 1 else 0,
        replications=body.replications,
        seed=body.seed,
        ports=body.ports or None,
    )
    data = result.as_json()  # its notes are Messages: the result's reader translates them
    data["delay_cost_saved_usd"] = sum(p.delay_cost_saved_usd for p in result.ports)
    return data


@router.post(
    "/allocations",
    summary="Place (or cut) officers across the border where delay cost changes most",
    status_code=202,
    responses=JOB_RESPONSES,
)
def border_allocation(
    body: AllocationRequest, who: HeavyUser, state: State, response: Response
) -> Json:
    from border21.ports.allocate import whole_port_scenarios

    limits = state.config.limits_for(who.role)
    if abs(body.officers) > limits.max_allocation_officers:
        raise InputError(
            "officers",
            body.officers,
            Message(
                "at most ±{max_allocation_officers} for the {role} role",
                max_allocation_officers=limits.max_allocation_officers,
                role=who.role,
            ),
        )
    if body.days * body.replications > limits.max_days_x_replications:
        raise InputError(
            "days × replications",
            f"{body.days} × {body.replications}",
            Message(
                "at most {max_days_x_replications} for the {role} role",
                max_days_x_replications=limits.max_days_x_replications,
                role=who.role,
            ),
        )
    known = whole_port_scenarios()
    for code in body.ports:
        if code not in known:
            raise InputError(
                "ports", code, Message("not a US–Mexico land port code (GET /api/v1/border/ports)")
            )
    return accepted(state, who.user_id, "allocation", lambda: run_allocation(body), response)

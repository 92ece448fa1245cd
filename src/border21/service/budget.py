"""How much work one request may ask for, per role, checked before any work starts.

Every scenario already meets the model's own bounds (:mod:`border21.ports.limits`:
at most 200 lanes a group, 500 bays an area, …). A service shared by agencies
and outside analysts needs tighter ones, set per role in
:class:`~border21.service.config.ServiceConfig`: the port's size (lanes,
booths, bays, all groups together), days × replications, the expected
crossings of a run, and the task-days of a frontier sweep. A request over any
of them is a 422 naming the field, the value, the limit and the role.

>>> from border21.ports.catalog import load_scenario
>>> limits = DEFAULT_ROLE_LIMITS["viewer"]
>>> port_size(load_scenario("laredo_wtb"))
{'lanes': 33, 'booths': 33, 'bays': 48}
>>> check_simulation(load_scenario("laredo_wtb"), days=28, replications=20, limits=limits,
...                  role="viewer")
Traceback (most recent call last):
...
border21.errors.InputError: days × replications = '28 × 20': at most 100 for the viewer role
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from border21.errors import InputError
from border21.i18n.message import Message

if TYPE_CHECKING:
    from pathlib import Path

    from border21.ports.config import PortScenario


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleLimits:
    """The most one request of a role may ask for (defaults: the analyst and admin roles)."""

    max_lanes: int = 200
    """Lanes of the port, all lane groups and the export inspection's booths together."""
    max_booths: int = 500
    """Primary booths of the port (lanes × booths per lane, all groups together)."""
    max_bays: int = 500
    """Secondary and export inspection bays of the port, all areas together."""
    max_days_x_replications: int = 560
    """Simulated days over all replications of one run (28 days × 20 replications)."""
    max_crossings: int = 20_000_000
    """Expected crossings one simulation draws (about 1.3 GB of records)."""
    max_frontier_work: int = 400
    """Task-days of one frontier sweep (variants × policies × rates × replications × days)."""
    max_allocation_officers: int = 1_000
    """Officers one border-wide allocation may place or cut (100 take about a minute)."""


DEFAULT_ROLE_LIMITS: dict[str, RoleLimits] = {
    # a viewer (outside analysts' default) runs what-ifs on the shipped ports: San Ysidro
    # has 51 lanes, 69 booths, 36 bays; a year of it is 3.8e7 crossings
    "viewer": RoleLimits(
        max_lanes=120,
        max_booths=250,
        max_bays=120,
        max_days_x_replications=100,
        max_crossings=2_000_000,
        max_frontier_work=100,
        max_allocation_officers=50,
    ),
    "analyst": RoleLimits(),
    "admin": RoleLimits(),
}


def load_role_limits(path: Path) -> dict[str, RoleLimits]:
    """Per-role limits from a TOML file: a table per role, overriding that role's defaults.

    ``[viewer]`` ``max_crossings = 500000`` lowers the viewer's crossings and keeps the
    viewer's other defaults. An unknown role or key, or a value that is not a positive
    integer, is an InputError naming it."""
    import tomllib

    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError("--limits", str(path), exc.strerror or Message("unreadable")) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("--limits", str(path), Message("not TOML: {exc}", exc=exc)) from None
    keys = {f.name for f in dataclasses.fields(RoleLimits)}
    out = dict(DEFAULT_ROLE_LIMITS)
    for role, values in table.items():
        if role not in DEFAULT_ROLE_LIMITS or not isinstance(values, dict):
            raise InputError(
                "--limits", role, Message("not a role table ([{out}])", out="], [".join(out))
            )
        for key, value in values.items():
            if key not in keys:
                raise InputError(
                    f"{role}.{key}", value, Message("unknown limit ({keys})", keys=", ".join(keys))
                )
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{role}.{key}", value, Message("must be a positive integer"))
        out[role] = dataclasses.replace(out[role], **values)
    return out


def port_size(scenario: PortScenario) -> dict[str, int]:
    """Lanes, booths and bays of a port, all groups together."""
    lanes = sum(g.lanes for g in scenario.lanes.values())
    booths = sum(g.lanes * g.booths_per_lane for g in scenario.lanes.values())
    bays = sum(a.bays for a in scenario.secondary.values())
    export = scenario.cooperation.export_inspection
    if export is not None:
        lanes, booths, bays = lanes + export.booths, booths + export.booths, bays + export.bays
    if scenario.cooperation.southbound_inspection_probability > 0:
        bays += scenario.cooperation.southbound_bays
    return {"lanes": lanes, "booths": booths, "bays": bays}


def check_port(scenario: PortScenario, *, limits: RoleLimits, role: str) -> None:
    """Refuse a port larger than the role may simulate."""
    size = port_size(scenario)
    for key, most in (("lanes", limits.max_lanes), ("booths", limits.max_booths),
                      ("bays", limits.max_bays)):  # fmt: skip
        if size[key] > most:
            raise InputError(
                key,
                size[key],
                Message("at most {most:,} in one port for the {role} role", most=most, role=role),
            )


def check_simulation(
    scenario: PortScenario, *, days: int, replications: int, limits: RoleLimits, role: str
) -> float:
    """Refuse a run the role may not ask for; return its expected crossings."""
    from border21.ports.limits import DEFAULT_LIMITS

    check_port(scenario, limits=limits, role=role)
    if days * replications > limits.max_days_x_replications:
        raise InputError(
            "days × replications",
            f"{days} × {replications}",
            Message(
                "at most {max_days_x_replications:,} for the {role} role",
                max_days_x_replications=limits.max_days_x_replications,
                role=role,
            ),
        )
    run_limits = dataclasses.replace(
        DEFAULT_LIMITS, max_crossings=min(DEFAULT_LIMITS.max_crossings, limits.max_crossings)
    )
    return run_limits.check_run(scenario, days=days, replications=replications)


def check_frontier(work: int, *, limits: RoleLimits, role: str) -> None:
    """Refuse a frontier sweep of more task-days than the role may ask for."""
    if work > limits.max_frontier_work:
        raise InputError(
            "sweep",
            work,
            Message(
                "too many task-days (at most {max_frontier_work} for the {role} role)",
                max_frontier_work=limits.max_frontier_work,
                role=role,
            ),
        )

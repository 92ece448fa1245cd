"""What-if edits: each takes a validated :class:`PortScenario` and returns a validated one.

This is the one place that turns a change (a ``--set`` override, a sweep
axis value, a dashboard slider, a calibration step) into a new scenario. Each
edit writes its keys into the scenario's mapping and validates the result
once, so an edited scenario meets every bound and cross-check a scenario file
does, and errors name the full dotted key (``lanes.fast.lanes``). Callers
never edit mappings themselves, build TOML text or use ``model_copy(update=…)``
(which skips validation).

>>> from border21.ports.catalog import load_scenario
>>> laredo = load_scenario("laredo_wtb")
>>> with_value(laredo, "lanes.fast.lanes", 6).lanes["fast"].lanes
6
>>> with_overrides(laredo, ["lanes.general.staffed_booths=12"]).lanes["general"].open_booths()[9]
12
>>> with_value(laredo, "lanes.fast.lanes", 1000)
Traceback (most recent call last):
...
border21.errors.InputError: lanes.fast.lanes = 1000: Input should be less than or equal to 200
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from border21.errors import InputError
from border21.i18n import N_
from border21.i18n.message import Message
from border21.ports.config import (
    LaneGroup,
    PortScenario,
    apply_overrides,
    parse_override,
    set_key,
    validate_scenario,
)

Changes = Mapping[tuple[str, ...], Any]

_NO_SUCH = {  # a whole sentence per table, so a translator sees it whole
    "streams": N_("no such stream (have: {have})"),
    "lanes": N_("no such lane group (have: {have})"),
    "secondary": N_("no such secondary area (have: {have})"),
}
MIN_BOOTH_SCALE, MAX_BOOTH_SCALE = 0.1, 4.0
"""The dashboard's booth slider: from a tenth of the staffing to four times it."""


# ------------------------------------------------------------------ core


def _unknown_names(tables: Mapping[str, Any], paths: Sequence[Sequence[str]]) -> list[InputError]:
    """Errors for keys inside a stream, lane group or area the scenario does not have."""
    out = []
    for path in paths:
        if len(path) >= 3 and path[0] in _NO_SUCH:
            table = tables.get(path[0])
            if isinstance(table, Mapping) and path[1] not in table:
                have = ", ".join(table) or Message("none")
                out.append(
                    InputError(
                        ".".join(path),
                        path[1],
                        Message(_NO_SUCH[path[0]], have=have),
                    )
                )
    return out


def _validated(
    data: dict[str, Any], tables: Mapping[str, Any], paths: Sequence[Sequence[str]]
) -> PortScenario:
    """Validate edited ``data``; a failure caused by an unknown name (a stream, lane group
    or area not in ``tables`` before the edit) says so."""
    try:
        return validate_scenario(data)
    except InputError:
        unknown = _unknown_names(tables, paths)
        if unknown:
            raise unknown[0] from None
        raise


def _edit(scenario: PortScenario, changes: Changes) -> PortScenario:
    """The scenario with each path set to its value, validated once."""
    if not changes:
        return scenario
    data = scenario.model_dump()
    for path, value in changes.items():
        set_key(data, path, value)
    return _validated(data, _tables(scenario), list(changes))


def _tables(scenario: PortScenario) -> dict[str, Any]:
    return {"streams": scenario.streams, "lanes": scenario.lanes, "secondary": scenario.secondary}


def _path(key: str) -> tuple[str, ...]:
    path = tuple(p for p in key.strip().split(".") if p)
    if not path:
        raise InputError("key", key, Message("empty key"))
    return path


# ------------------------------------------------------------------ generic edits


def validated(data: Mapping[str, Any], overrides: Sequence[str] = ()) -> PortScenario:
    """A scenario mapping (a file's contents) with ``key.path=value`` overrides, validated once.

    >>> validated({"port": {"name": "Toy"}, "streams": {"cars": {"kind": "personal_vehicle",
    ...     "crossings_per_day": 100, "primary_service": {"mean_seconds": 30}}},
    ...     "lanes": {"general": {"streams": ["cars"], "lanes": 1}}},
    ...     ["lanes.general.lanes=3"]).lanes["general"].booths
    3
    """
    paths = [parse_override(text)[0] for text in overrides]
    return _validated(apply_overrides(data, overrides), data, paths)


def with_overrides(scenario: PortScenario, overrides: Sequence[str]) -> PortScenario:
    """The scenario with ``--set`` overrides (``key.path=TOML value``) applied."""
    if not overrides:
        return scenario
    paths = [parse_override(text)[0] for text in overrides]
    data = apply_overrides(scenario.model_dump(), overrides)
    return _validated(data, _tables(scenario), paths)


def with_values(scenario: PortScenario, values: Mapping[str, Any]) -> PortScenario:
    """The scenario with each dotted key set to a Python value, validated once.

    Several keys are set together, so a combination that is only valid as a
    whole (more lanes *and* a schedule that uses them) is accepted.
    """
    if not values:
        return scenario
    return _edit(scenario, {_path(key): value for key, value in values.items()})


def with_value(scenario: PortScenario, key: str, value: Any) -> PortScenario:
    """The scenario with one dotted key set to ``value``."""
    return with_values(scenario, {key: value})


# ------------------------------------------------------------------ staffing


def with_staffed_booths(scenario: PortScenario, group: str, booths: int | None) -> PortScenario:
    """Staff ``booths`` booths of lane group ``group`` in every hour its schedule opens.

    ``None`` goes back to the schedule's own counts (see ``LaneGroup``).
    """
    return with_value(scenario, f"lanes.{group}.staffed_booths", booths)


def with_schedules(scenario: PortScenario, schedules: Mapping[str, Iterable[int]]) -> PortScenario:
    """Replace the open booths by hour of the named lane groups (their staffed_booths cleared)."""
    changes: dict[tuple[str, ...], Any] = {}
    for group, schedule in schedules.items():
        changes[("lanes", group, "open_booths_by_hour")] = [int(n) for n in schedule]
        changes[("lanes", group, "staffed_booths")] = None
    return _edit(scenario, changes)


def with_booth_scale(scenario: PortScenario, factor: float) -> PortScenario:
    """Staffed primary booths of every lane group × ``factor`` (lanes added where needed).

    The dashboard's slider. Hours that are closed stay closed and open hours
    keep at least one booth; groups without a schedule scale their lanes.

    >>> from border21.ports.catalog import load_scenario
    >>> laredo = load_scenario("laredo_wtb")
    >>> max(laredo.lanes["general"].open_booths()), max(
    ...     with_booth_scale(laredo, 2.0).lanes["general"].open_booths())
    (12, 24)
    """
    if not (MIN_BOOTH_SCALE <= factor <= MAX_BOOTH_SCALE):
        raise InputError(
            "booth_scale",
            factor,
            Message(
                "must be in [{min_booth_scale:g}, {max_booth_scale:g}]",
                min_booth_scale=MIN_BOOTH_SCALE,
                max_booth_scale=MAX_BOOTH_SCALE,
            ),
        )
    changes: dict[tuple[str, ...], Any] = {}
    for name, g in scenario.lanes.items():
        if g.staffed_booths is not None:
            staffed = max(1, round(g.staffed_booths * factor))
            changes[("lanes", name, "staffed_booths")] = staffed
            changes[("lanes", name, "lanes")] = max(g.lanes, math.ceil(staffed / g.booths_per_lane))
        elif g.open_booths_by_hour is not None:
            new = [max(0 if n == 0 else 1, round(n * factor)) for n in g.open_booths_by_hour]
            changes[("lanes", name, "open_booths_by_hour")] = new
            changes[("lanes", name, "lanes")] = max(
                g.lanes, math.ceil(max(new) / g.booths_per_lane)
            )
        else:
            changes[("lanes", name, "lanes")] = max(1, round(g.lanes * factor))
    return _edit(scenario, changes)


# ------------------------------------------------------------------ referral and scales


def with_referral_rate(scenario: PortScenario, rate: float) -> PortScenario:
    """Every stream with a secondary area refers a share ``rate`` of its crossings.

    >>> from border21.ports.catalog import load_scenario
    >>> with_referral_rate(load_scenario("laredo_wtb"), 0.3).streams["trucks"].referral_for("fast")
    0.3
    """
    if not 0.0 <= rate <= 1.0:
        raise InputError("referral_rate", rate, Message("must be in [0, 1]"))
    changes: dict[tuple[str, ...], Any] = {}
    for name, stream in scenario.streams.items():
        if stream.secondary:
            changes[("streams", name, "referral_probability")] = rate
            changes[("streams", name, "referral_probability_by_program")] = {}
    return _edit(scenario, changes)


def _group_pairs(scenario: PortScenario, group: str) -> list[tuple[str, str]]:
    """(stream, program) pairs whose crossings use lane group ``group``."""
    g = scenario.lanes[group]
    return [
        (s, p)
        for s in g.streams
        for p, share in scenario.streams[s].program_shares.items()
        if share > 0 and p in g.accepted_programs
    ]


def scaled(
    scenario: PortScenario,
    service: Mapping[str, float] | None = None,
    staffing: Mapping[str, float] | None = None,
    volume: float = 1.0,
) -> PortScenario:
    """Per lane group, primary service × ``service[g]`` and open booths × ``staffing[g]``;
    every stream's crossings per day × ``volume`` (calibration's knobs).

    Service scales the mean primary time of each (stream, program) that uses
    the group; staffing rounds each open hour to at least one booth and at
    most the group's booths, closed hours stay closed (and clears
    ``staffed_booths``: the scaled schedule is the whole staffing).

    >>> from border21.ports.catalog import load_scenario
    >>> laredo = load_scenario("laredo_wtb")
    >>> scaled(laredo, volume=2.0).streams["trucks"].crossings_per_day
    12503.0
    """
    changes: dict[tuple[str, ...], Any] = {}
    for group, factor in (service or {}).items():
        _known_group(scenario, group)
        for s, p in _group_pairs(scenario, group):
            mean = scenario.streams[s].primary_service.mean_for(p) * factor
            changes[("streams", s, "primary_service", "mean_seconds_by_program", p)] = mean
    for group, factor in (staffing or {}).items():
        g = _known_group(scenario, group)
        changes[("lanes", group, "open_booths_by_hour")] = [
            min(g.booths, max(1 if n > 0 else 0, int(round(n * factor)))) for n in g.open_booths()
        ]
        changes[("lanes", group, "staffed_booths")] = None
    if volume != 1.0:
        for name, stream in scenario.streams.items():
            changes[("streams", name, "crossings_per_day")] = stream.crossings_per_day * volume
    return _edit(scenario, changes)


def _known_group(scenario: PortScenario, group: str) -> LaneGroup:
    if group not in scenario.lanes:
        have = ", ".join(scenario.lanes)
        raise InputError(
            f"lanes.{group}", group, Message("no such lane group (have: {have})", have=have)
        )
    return scenario.lanes[group]


# ------------------------------------------------------------------ edits that cannot act


def behaviour(scenario: PortScenario) -> str:
    """A hash of everything a simulation of ``scenario`` uses, and nothing else.

    Labels (the port's name, code, description) are left out, and so are lanes
    and booths the staffing schedule never opens: a lane that never opens
    changes nothing.
    """
    import hashlib
    import json

    import numpy as np

    from border21.ports.cooperation import effective_scenario
    from border21.ports.layout import compile_scenario

    effective = effective_scenario(scenario)
    layout = compile_scenario(effective)
    q = layout.primary.tables
    lane_of_booth = np.repeat(np.arange(q.lane_group.shape[0]), q.lane_nbooths)
    booth_open = q.booth_rank[:, None] < q.sched[q.lane_group[lane_of_booth]]  # booths × hours
    ever = booth_open.any(axis=1)
    lanes_used = np.unique(lane_of_booth[ever])
    renumber = {int(ln): k for k, ln in enumerate(lanes_used)}
    lanes = [  # per lane that ever opens: its group, and the hours of its booths that do
        (int(q.lane_group[ln]), booth_open[(lane_of_booth == ln) & ever].tolist())
        for ln in lanes_used
    ]
    classes = [
        [
            renumber[int(ln)]
            for ln in q.class_lanes[q.class_ptr[c] : q.class_ptr[c + 1]]
            if int(ln) in renumber
        ]
        for c in range(len(q.class_ptr) - 1)
    ]
    data = effective.model_dump()
    data["port"] = data["port"]["start_weekday"]  # the rest of [port] is labels
    data["lanes"] = {name: g["program"] for name, g in data["lanes"].items()}  # the rest: above
    text = json.dumps([data, lanes, classes], sort_keys=True)  # mappings' order is not simulated
    return hashlib.sha256(text.encode()).hexdigest()


def inert_overrides(scenario: PortScenario, overrides: Sequence[str]) -> list[str]:
    """One line for each ``--set`` override that changes nothing a simulation uses.

    ``scenario`` is the scenario before the overrides; each override is tried
    alone on it. Raising a group's lanes (or booths per lane) beyond what its
    staffing schedule ever opens is the common case, and the line says so.
    """
    base = behaviour(scenario)
    notes = []
    for text in overrides:
        path, value = parse_override(text)
        key = ".".join(path)
        try:
            edited = with_overrides(scenario, [text])
        except InputError:
            continue  # the full set of overrides was valid; this one needs the others
        if behaviour(edited) != base:
            continue
        if path[0] == "port":
            notes.append(f"{key} = {value!r} changes labels only, not what is simulated")
            continue
        if path[0] == "lanes" and len(path) == 3 and path[2] in ("lanes", "booths_per_lane"):
            group = edited.lanes[path[1]]
            most = max(group.open_booths())
            notes.append(
                f"{key} = {value!r} cannot act: the group's schedule opens at most {most} "
                f"booth(s) in any hour; raise lanes.{path[1]}.open_booths_by_hour or set "
                f"lanes.{path[1]}.staffed_booths"
            )
            continue
        notes.append(f"{key} = {value!r} changes nothing that is simulated")
    return notes

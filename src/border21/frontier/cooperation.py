"""Cooperation switches as pure scenario transforms.

Each function takes a validated :class:`PortScenario` and returns a new one;
nothing is modified in place. The runtime parts of cooperation (shared
intelligence in the risk model, the joint inspection of Unified Cargo
Processing) live in :mod:`border21.frontier.experiment`.
"""

from __future__ import annotations

from typing import Any

from border21.ports.config import PortScenario, validate_scenario

ENROLMENT_PROGRAMS = ("ready", "sentri", "fast")
NAMED = ("baseline", "shared_intelligence", "ucp", "enrolment", "southbound")


def _data(scenario: PortScenario) -> dict[str, Any]:
    return scenario.model_dump(mode="python")


def apply_enrolment(scenario: PortScenario, scale: float | None = None) -> PortScenario:
    """Scale trusted-traveller/trader enrolment (Ready, SENTRI, FAST) by ``scale``.

    Within each (kind, direction) the trusted volume of every stream grows by
    ``scale`` and the general volume shrinks by the same number of crossings,
    so total traffic is unchanged. Works both for streams that mix programs
    (``program_shares``) and for one stream per program.
    """
    scale = scenario.cooperation.trusted_enrolment_scale if scale is None else scale
    if scale == 1.0:
        return scenario
    data = _data(scenario)
    streams = data["streams"]
    groups: dict[tuple[str, str], list[str]] = {}
    for name, st in streams.items():
        groups.setdefault((st["kind"], st["direction"]), []).append(name)
    for names in groups.values():
        trusted = general = 0.0
        for n in names:
            st = streams[n]
            for p, share in st["program_shares"].items():
                vol = st["crossings_per_day"] * share
                if p in ENROLMENT_PROGRAMS:
                    trusted += vol
                else:
                    general += vol
        if trusted == 0 or general == 0 and scale > 1:
            continue
        extra = min(trusted * (scale - 1.0), general)
        trusted_factor = 1.0 + extra / trusted
        general_factor = 1.0 - extra / general if general else 1.0
        for n in names:
            st = streams[n]
            parts = {
                p: st["crossings_per_day"]
                * share
                * (trusted_factor if p in ENROLMENT_PROGRAMS else general_factor)
                for p, share in st["program_shares"].items()
            }
            total = sum(parts.values())
            st["crossings_per_day"] = total
            if total > 0:
                st["program_shares"] = {p: v / total for p, v in parts.items()}
    data["cooperation"]["trusted_enrolment_scale"] = 1.0
    return validate_scenario(data)


def apply_southbound(scenario: PortScenario) -> PortScenario:
    """Add the southbound firearms-and-cash inspection the scenario switches on.

    Southbound streams get a secondary area (``southbound_secondary``), the
    inspection rate as their referral probability, the screening seconds on
    their primary service and the southbound carrier share.
    """
    coop = scenario.cooperation
    if coop.southbound_inspection_probability <= 0:
        return scenario
    data = _data(scenario)
    data["secondary"]["southbound_secondary"] = {
        "bays": coop.southbound_bays,
        "service": coop.southbound_service.model_dump(mode="python"),
    }
    for st in data["streams"].values():
        if st["direction"] != "southbound":
            continue
        service = st["primary_service"]
        service["mean_seconds"] += coop.southbound_screening_seconds
        service["mean_seconds_by_program"] = {
            p: v + coop.southbound_screening_seconds
            for p, v in service["mean_seconds_by_program"].items()
        }
        st["secondary"] = "southbound_secondary"
        st["referral_probability"] = coop.southbound_inspection_probability
        st["referral_probability_by_program"] = {}
        st["carrier_probability"] = coop.southbound_carrier_probability
        st["secondary_detection_probability"] = coop.southbound_detection_probability
    data["cooperation"]["southbound_inspection_probability"] = 0.0
    return validate_scenario(data)


def apply_ucp(scenario: PortScenario) -> PortScenario:
    """Under Unified Cargo Processing the Mexican exam staff join CBP's secondary.

    The export streams' secondary areas gain the export inspection's bays (one
    joint exam replaces two); the joint primary booth time is added per
    crossing at run time (``joint_primary_extra_seconds``).
    """
    coop = scenario.cooperation
    export = coop.export_inspection
    if not coop.unified_cargo_processing or export is None:
        return scenario
    data = _data(scenario)
    areas = {scenario.streams[s].secondary for s in export.streams} - {None}
    for area in areas:
        data["secondary"][area]["bays"] += export.bays
        if data["secondary"][area]["open_bays_by_hour"] is not None:
            data["secondary"][area]["open_bays_by_hour"] = [
                b + export.bays for b in data["secondary"][area]["open_bays_by_hour"]
            ]
    return validate_scenario(data)


def export_scenario(scenario: PortScenario) -> PortScenario | None:
    """The Mexican export inspection as a port of its own (None if not described).

    One lane group of single-booth lanes and one secondary area; referral and
    carriers come from the caller (the *semáforo* and the crossing's cargo).
    """
    export = scenario.cooperation.export_inspection
    if export is None:
        return None
    streams = {
        name: {
            "kind": scenario.streams[name].kind,
            "direction": scenario.streams[name].direction,
            "crossings_per_day": scenario.streams[name].crossings_per_day,
            "primary_service": export.service.model_dump(mode="python"),
            "secondary": "mx_secondary",
            "secondary_detection_probability": export.detection_probability,
        }
        for name in export.streams
    }
    return validate_scenario(
        {
            "port": {"name": f"{scenario.port.name} (Mexican export inspection)"},
            "streams": streams,
            "lanes": {
                "mx_export": {
                    "streams": list(export.streams),
                    "lanes": export.booths,
                    "open_booths_by_hour": export.open_booths_by_hour,
                }
            },
            "secondary": {
                "mx_secondary": {
                    "bays": export.bays,
                    "service": export.secondary_service.model_dump(mode="python"),
                }
            },
        }
    )


def with_switches(scenario: PortScenario, **switches: Any) -> PortScenario:
    """A copy with cooperation keys replaced (validated), e.g. ``ucp=True``.

    >>> from border21.ports.catalog import load_scenario
    >>> sc = with_switches(load_scenario("laredo_wtb"), shared_intelligence=True)
    >>> sc.cooperation.shared_intelligence
    True
    """
    aliases = {"ucp": "unified_cargo_processing"}
    data = _data(scenario)
    for key, value in switches.items():
        data["cooperation"][aliases.get(key, key)] = value
    return validate_scenario(data)

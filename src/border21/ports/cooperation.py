"""Binational cooperation at a port: what the ``[cooperation]`` switches change.

Two kinds of switch, one path for every command (``simulate``, ``sweep``,
``frontier``, the API):

* **Scenario transforms** (:func:`effective_scenario`): trusted-traveller and
  trusted-trader enrolment scales the Ready, SENTRI and FAST shares;
  southbound inspection gives southbound streams a secondary area, a
  referral rate and carriers of firearms and cash; Unified Cargo Processing
  joins the Mexican exam bays to CBP's secondary. Each is a validated edit
  (:mod:`border21.ports.edits`).
* **The Mexican export stage** (:class:`ExportStage`): without UCP, trucks
  of the export streams queue at the Mexican export booths, a red
  *semáforo* sends some to a Mexican secondary inspection, they cross the
  bridge and then queue at CBP. With UCP both agencies inspect once,
  together, at CBP's booths (a longer joint primary), and the red-light
  trucks join the joint secondary.
* **The Mexican import stage** (:class:`ImportStage`): southbound crossings
  leaving the port press Mexico's import *semáforo*; a red light sends them
  to a Mexican exam at their own bays, with their own detection.

Shared intelligence acts only on targeting (``border21 frontier``).

>>> from border21.ports.catalog import load_scenario
>>> laredo = load_scenario("laredo_wtb")
>>> ExportStage.of(effective_scenario(laredo)).joint
False
>>> ExportStage.of(effective_scenario(with_switches(laredo, ucp=True))).joint
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from border21.ports.config import PortScenario, validate_scenario
from border21.ports.edits import with_values

if TYPE_CHECKING:
    from border21.ports.draws import CrossingDraws
    from border21.ports.model import CrossingRecords, PortModel

ENROLMENT_PROGRAMS = ("ready", "sentri", "fast")
SOUTHBOUND_AREA = "southbound_secondary"
_ALIASES = {"ucp": "unified_cargo_processing"}


def with_switches(scenario: PortScenario, **switches: Any) -> PortScenario:
    """A copy with cooperation keys replaced (validated), e.g. ``ucp=True``.

    >>> from border21.ports.catalog import load_scenario
    >>> sc = with_switches(load_scenario("laredo_wtb"), shared_intelligence=True)
    >>> sc.cooperation.shared_intelligence
    True
    """
    return with_values(
        scenario, {f"cooperation.{_ALIASES.get(k, k)}": v for k, v in switches.items()}
    )


# ------------------------------------------------------------------ scenario transforms


def with_enrolment(scenario: PortScenario, scale: float | None = None) -> PortScenario:
    """Scale trusted-traveller/trader enrolment (Ready, SENTRI, FAST) by ``scale``.

    Within each (kind, direction) the trusted volume of every stream grows by
    ``scale`` and the general volume shrinks by the same number of crossings,
    so total traffic is unchanged. Works both for streams that mix programs
    (``program_shares``) and for one stream per program. A (kind, direction)
    without trusted or without general crossings is left as it is: there is
    no volume to trade with. The result's ``trusted_enrolment_scale`` is 1
    (the scale has been applied).
    """
    scale = scenario.cooperation.trusted_enrolment_scale if scale is None else scale
    if scale == 1.0:
        return scenario
    groups: dict[tuple[str, str], list[str]] = {}
    for name, st in scenario.streams.items():
        groups.setdefault((st.kind, st.direction), []).append(name)
    changes: dict[str, Any] = {"cooperation.trusted_enrolment_scale": 1.0}
    for names in groups.values():
        trusted = general = 0.0
        for n in names:
            st = scenario.streams[n]
            for p, share in st.program_shares.items():
                vol = st.crossings_per_day * share
                if p in ENROLMENT_PROGRAMS:
                    trusted += vol
                else:
                    general += vol
        if trusted == 0 or general == 0:
            continue
        extra = min(trusted * (scale - 1.0), general)
        trusted_factor = 1.0 + extra / trusted
        general_factor = 1.0 - extra / general
        for n in names:
            st = scenario.streams[n]
            parts = {
                p: st.crossings_per_day
                * share
                * (trusted_factor if p in ENROLMENT_PROGRAMS else general_factor)
                for p, share in st.program_shares.items()
            }
            total = sum(parts.values())
            changes[f"streams.{n}.crossings_per_day"] = total
            if total > 0:
                changes[f"streams.{n}.program_shares"] = {p: v / total for p, v in parts.items()}
    return with_values(scenario, changes)


def with_southbound_inspection(scenario: PortScenario) -> PortScenario:
    """Add the southbound firearms-and-cash inspection the scenario switches on.

    Southbound streams get a secondary area (``southbound_secondary``), the
    inspection rate as their referral probability, the screening seconds on
    their primary service and the southbound carrier share. The result's
    ``southbound_inspection_probability`` is 0 (the switch has been applied).
    """
    coop = scenario.cooperation
    if coop.southbound_inspection_probability <= 0:
        return scenario
    data = scenario.model_dump()
    data["secondary"][SOUTHBOUND_AREA] = {
        "bays": coop.southbound_bays,
        "service": coop.southbound_service.model_dump(),
    }
    changes: dict[str, Any] = {
        "secondary": data["secondary"],
        "cooperation.southbound_inspection_probability": 0.0,
    }
    extra = coop.southbound_screening_seconds
    for name, st in scenario.streams.items():
        if st.direction != "southbound":
            continue
        service = st.primary_service
        changes[f"streams.{name}.primary_service.mean_seconds"] = service.mean_seconds + extra
        changes[f"streams.{name}.primary_service.mean_seconds_by_program"] = {
            p: v + extra for p, v in service.mean_seconds_by_program.items()
        }
        changes[f"streams.{name}.secondary"] = SOUTHBOUND_AREA
        changes[f"streams.{name}.referral_probability"] = coop.southbound_inspection_probability
        changes[f"streams.{name}.referral_probability_by_program"] = {}
        changes[f"streams.{name}.carrier_probability"] = coop.southbound_carrier_probability
        changes[f"streams.{name}.secondary_detection_probability"] = (
            coop.southbound_detection_probability
        )
    return with_values(scenario, changes)


def with_unified_cargo_processing(scenario: PortScenario) -> PortScenario:
    """Under Unified Cargo Processing the Mexican exam staff join CBP's secondary.

    The export streams' secondary areas gain the export inspection's bays (one
    joint exam replaces two); the joint primary booth time is added per
    crossing at run time (:class:`ExportStage`).
    """
    coop = scenario.cooperation
    export = coop.export_inspection
    if not coop.unified_cargo_processing or export is None:
        return scenario
    areas = {scenario.streams[s].secondary for s in export.streams} - {None}
    changes: dict[str, Any] = {}
    for area in sorted(a for a in areas if a is not None):
        current = scenario.secondary[area]
        changes[f"secondary.{area}.bays"] = current.bays + export.bays
        if current.open_bays_by_hour is not None:
            changes[f"secondary.{area}.open_bays_by_hour"] = [
                b + export.bays for b in current.open_bays_by_hour
            ]
    return with_values(scenario, changes)


def effective_scenario(scenario: PortScenario) -> PortScenario:
    """The scenario a port runs: enrolment, southbound inspection and UCP's bays applied."""
    return with_unified_cargo_processing(with_southbound_inspection(with_enrolment(scenario)))


def export_scenario(scenario: PortScenario) -> PortScenario | None:
    """The Mexican export inspection as a port of its own (None if not described).

    One lane group of single-booth lanes and one secondary area; referral and
    carriers come from the caller (the *semáforo* and the crossing's cargo).
    """
    export = scenario.cooperation.export_inspection
    if export is None:
        return None
    # The Mexican streams in the port's order, the order ExportStage numbers them in
    exporters = [name for name in scenario.streams if name in export.streams]
    streams = {
        name: {
            "kind": scenario.streams[name].kind,
            "direction": scenario.streams[name].direction,
            "crossings_per_day": scenario.streams[name].crossings_per_day,
            "primary_service": export.service.model_dump(),
            "secondary": "mx_secondary",
            "secondary_detection_probability": export.detection_probability,
        }
        for name in exporters
    }
    return validate_scenario(
        {
            "port": {"name": f"{scenario.port.name} (Mexican export inspection)"},
            "streams": streams,
            "lanes": {
                "mx_export": {
                    "streams": exporters,
                    "lanes": export.booths,
                    "open_booths_by_hour": export.open_booths_by_hour,
                }
            },
            "secondary": {
                "mx_secondary": {
                    "bays": export.bays,
                    "service": export.secondary_service.model_dump(),
                }
            },
        }
    )


# ------------------------------------------------------------------ the export stage


@dataclass(frozen=True, slots=True)
class BorderCrossings:
    """Crossings as they reach CBP's booths, after the Mexican export stage (or UCP).

    ``draws`` are in order of arrival at CBP; ``order`` maps that order back to
    the order drawn (None when unchanged). Per crossing (CBP order): ``origin``,
    when it first joined a queue (at the Mexican booths for export trucks);
    ``upstream_seconds``, its time upstream that is not delay (Mexican
    inspection and the bridge); ``mx_detected``, whether Mexican inspection
    found its contraband; ``red``, UCP's red *semáforo* (referred to the joint
    secondary), or None. ``upstream`` holds the Mexican stage's own records
    (rows ``upstream_rows`` of CBP's) and ``upstream_draws`` its draws, or None.
    """

    draws: CrossingDraws
    order: np.ndarray | None
    origin: np.ndarray
    upstream_seconds: np.ndarray
    mx_detected: np.ndarray
    red: np.ndarray | None
    upstream: CrossingRecords | None = None
    upstream_rows: np.ndarray | None = None
    upstream_draws: CrossingDraws | None = None

    @property
    def mx_exam(self) -> np.ndarray:
        """Whether each crossing (CBP order) had a Mexican red-light exam of its own.

        Under UCP there is none: a red light joins the joint exam at CBP (``red``).
        """
        out = np.zeros(len(self.origin), np.bool_)
        if self.upstream is not None and self.upstream_rows is not None:
            out[self.upstream_rows] = self.upstream.referred
        return out


class ExportStage:
    """The Mexican export inspection in front of a port's CBP booths.

    Built from an effective scenario (:func:`effective_scenario`); see
    :meth:`cross`.
    """

    def __init__(self, scenario: PortScenario) -> None:
        export = scenario.cooperation.export_inspection
        assert export is not None
        self.inspection = export
        self.joint = scenario.cooperation.unified_cargo_processing
        names = list(scenario.streams)
        self.streams = np.array(sorted(names.index(s) for s in export.streams))
        self.model: PortModel | None = None  # under UCP there is no Mexican stage to run
        if not self.joint:
            from border21.ports.model import PortModel

            mx = export_scenario(scenario)
            assert mx is not None
            self.model = PortModel(mx)

    @classmethod
    def of(cls, scenario: PortScenario) -> ExportStage | None:
        """The scenario's export stage, or None when it describes none."""
        return None if scenario.cooperation.export_inspection is None else cls(scenario)

    def cross(self, draws: CrossingDraws, days: int, rng: np.random.Generator) -> BorderCrossings:
        """Take drawn crossings through the Mexican stage (or UCP's joint booth) to CBP.

        The *semáforo* is drawn here, for every export truck, from ``rng``;
        so is everything random at the Mexican booths.
        """
        n = len(draws)
        is_export = np.isin(draws.stream, self.streams)
        red = is_export & (rng.random(n) < self.inspection.semaforo_probability)
        if self.joint:  # one joint inspection at CBP's booths
            primary = draws.primary_seconds.copy()
            primary[is_export] += self.inspection.joint_primary_extra_seconds
            return BorderCrossings(
                draws=replace(draws, primary_seconds=primary),
                order=None,
                origin=draws.arrival,
                upstream_seconds=np.zeros(n),
                mx_detected=np.zeros(n, np.bool_),
                red=red,
            )
        assert self.model is not None
        idx = np.flatnonzero(is_export)
        mx_stream = np.searchsorted(self.streams, draws.stream[idx])
        mx_draws = self.model.draw_at(draws.arrival[idx], mx_stream, rng).with_flags(
            referred=red[idx], carrier=draws.carrier[idx]
        )
        mx = self.model.run(mx_draws, days)
        transit = self.inspection.transit_seconds
        arrival = draws.arrival.copy()
        arrival[idx] = mx.departure + transit
        upstream = np.zeros(n)
        upstream[idx] = (mx.primary_departure - mx.service_start) + transit
        detected = np.zeros(n, np.bool_)
        detected[idx] = mx.detected
        order = np.argsort(arrival, kind="stable")
        rows = np.empty(n, np.int64)
        rows[order] = np.arange(n)  # draw order -> row at CBP
        return BorderCrossings(
            draws=draws.reordered(order, arrival),
            order=order,
            origin=draws.arrival[order],
            upstream_seconds=upstream[order],
            mx_detected=detected[order],
            red=None,
            upstream=mx,
            upstream_rows=rows[idx],
            upstream_draws=mx_draws,
        )


# ------------------------------------------------------------------ the import stage


def import_scenario(scenario: PortScenario) -> PortScenario | None:
    """The Mexican import inspection as a port of its own (None if not described).

    Its one secondary area is the red-light exam; its lane group is a
    placeholder that never runs (the crossings arrive from the port's
    southbound lanes, which are the garita's, see :class:`ImportStage`).
    """
    imports = scenario.cooperation.import_inspection
    if imports is None:
        return None
    names = [name for name in scenario.streams if name in imports.streams]
    return validate_scenario(
        {
            "port": {"name": f"{scenario.port.name} (Mexican import inspection)"},
            "streams": {
                name: {
                    "kind": scenario.streams[name].kind,
                    "direction": "southbound",
                    "crossings_per_day": scenario.streams[name].crossings_per_day,
                    "primary_service": {"distribution": "deterministic", "mean_seconds": 1.0},
                    "secondary": "mx_import",
                    "secondary_detection_probability": imports.detection_probability,
                }
                for name in names
            },
            "lanes": {"semaforo": {"streams": names, "lanes": 1}},
            "secondary": {"mx_import": {"bays": imports.bays, "service": imports.service}},
        }
    )


class ImportStage:
    """Mexico's import inspection behind a port's southbound lanes (the *semáforo fiscal*).

    Built from an effective scenario (:func:`effective_scenario`); see :meth:`cross`.
    """

    def __init__(self, scenario: PortScenario) -> None:
        from border21.ports.model import PortModel

        imports = scenario.cooperation.import_inspection
        assert imports is not None
        self.inspection = imports
        names = list(scenario.streams)
        self.streams = np.array(sorted(names.index(s) for s in imports.streams))
        mx = import_scenario(scenario)
        assert mx is not None
        self.model = PortModel(mx)

    @classmethod
    def of(cls, scenario: PortScenario) -> ImportStage | None:
        """The scenario's import stage, or None when it describes none."""
        return None if scenario.cooperation.import_inspection is None else cls(scenario)

    def cross(self, records: CrossingRecords, rng: np.random.Generator) -> CrossingRecords:
        """The port's records with the import stage after them.

        Every crossing of the stage's streams draws its light, exam time and
        finding from ``rng`` in the records' (arrival) order, so two variants of
        the same crossings give each crossing the same draws whatever the order
        they leave the port in (common random numbers); a red one queues FIFO at
        the Mexican bays from the moment it leaves the port, and leaves when its
        exam ends. Its ``departure`` moves there (the queue and exam are delay),
        a find counts as ``detected``, and the stage's own records are
        ``downstream`` (rows ``downstream_rows``; their ``primary_departure`` is
        when the crossing left the port).
        """
        from border21.ports.model import PrimaryOutcome

        rows = np.flatnonzero(np.isin(records.stream, self.streams))
        red = rng.random(rows.size) < self.inspection.semaforo_probability
        leave = records.departure[rows]
        stream = np.searchsorted(self.streams, records.stream[rows])
        draws = self.model.draw_at(records.arrival[rows], stream, rng).with_flags(
            referred=red, carrier=records.carrier[rows]
        )
        zeros = np.zeros(rows.size, np.int64)
        primary = PrimaryOutcome(lane=zeros, booth=zeros, start=leave, depart=leave)
        mx = self.model.run_secondary(draws, primary, red, records.days)
        departure = records.departure.copy()
        departure[rows] = mx.departure
        detected = records.detected.copy()
        detected[rows] |= mx.detected
        return replace(
            records,
            departure=departure,
            detected=detected,
            downstream=mx,
            downstream_rows=rows,
        )

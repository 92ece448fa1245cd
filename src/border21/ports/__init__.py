"""Ports: a fast, validated simulator of land ports of entry.

Scenarios (:mod:`~border21.ports.config`, :mod:`~border21.ports.catalog`),
what-if edits (:mod:`~border21.ports.edits`), cooperation
(:mod:`~border21.ports.cooperation`), the port model and its drivers
(:mod:`~border21.ports.model`, :mod:`~border21.ports.kernels`), replicated
runs and their summaries (:mod:`~border21.ports.runs`,
:mod:`~border21.ports.results`), staged runs (:mod:`~border21.ports.staged`).
Names are imported when first used.

>>> from border21.ports import PortModel, load_scenario
>>> records = PortModel(load_scenario("san_ysidro")).simulate(days=1, seed=7)
>>> bool((records.wait_seconds >= 0).all())
True
"""

from __future__ import annotations

from border21._lazy import lazy_exports

_EXPORTS = {
    "DAY": "kernels.common",
    "HOUR": "kernels.common",
    "CrossingDraws": "draws",
    "CrossingRecords": "model",
    "PortModel": "model",
    "PortScenario": "config",
    "PrimaryStage": "staged",
    "RunLimits": "limits",
    "SimulationResult": "runs",
    "effective_scenario": "cooperation",
    "load_scenario": "catalog",
    "offered_load": "results",
    "run_downstream": "staged",
    "run_primary": "staged",
    "shipped_scenarios": "catalog",
    "simulate": "runs",
    "validate_scenario": "config",
    "with_overrides": "edits",
    "with_switches": "cooperation",
    "with_value": "edits",
    "with_values": "edits",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

"""border21: decision support for a 21st-century US–Mexico border.

The public API is listed in ``__all__``; each name is imported when first
used, so ``import border21`` stays cheap.

>>> from border21 import load_scenario, simulate
>>> result = simulate(load_scenario("laredo_wtb"), days=1, seed=1)
>>> result.summary_rows[0]["lane_group"], result.summary_rows[0]["direction"]
('general', 'northbound')
"""

from __future__ import annotations

from border21._lazy import lazy_exports
from border21.errors import Border21Error, InputError, NotFoundError

__version__ = "0.1.0"

_EXPORTS = {
    "CrossingRecords": "ports.model",
    "PortModel": "ports.model",
    "PortScenario": "ports.config",
    "RunLimits": "ports.limits",
    "SimulationResult": "ports.runs",
    "load_scenario": "ports.catalog",
    "shipped_scenarios": "ports.catalog",
    "simulate": "ports.runs",
    "validate_scenario": "ports.config",
    "with_overrides": "ports.edits",
    "with_values": "ports.edits",
}

__all__ = [
    "Border21Error",
    "CrossingRecords",
    "InputError",
    "NotFoundError",
    "PortModel",
    "PortScenario",
    "RunLimits",
    "SimulationResult",
    "__version__",
    "load_scenario",
    "shipped_scenarios",
    "simulate",
    "validate_scenario",
    "with_overrides",
    "with_values",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

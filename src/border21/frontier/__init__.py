"""Frontier: targeting coupled to the port simulator, cooperation variants, calibration.

The security–trade frontier of each referral policy (detection against
waiting and delay), how cooperation shifts it, what-if sweeps over port
scenarios, and the calibration of scenarios to observed waits. Names are
imported when first used.
"""

from __future__ import annotations

from border21._lazy import lazy_exports

_EXPORTS = {
    "DelayCosts": "costs",
    "PolicySpec": "experiment",
    "PreparedScenario": "experiment",
    "RunMetrics": "metrics",
    "build_grid": "grid",
    "build_tasks": "sweep",
    "build_variants": "variants",
    "calibrate": "calibration",
    "execute": "sweep",
    "parse_axis": "grid",
    "run_demo": "demo",
    "run_metrics": "metrics",
    "run_replication": "experiment",
    "summarise": "sweep",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

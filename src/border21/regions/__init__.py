"""Regions: the ports travellers choose among, solved to equilibrium.

Region files (:mod:`~border21.regions.config`), travellers' port choice
(:mod:`~border21.regions.choice`), officers' lane rule
(:mod:`~border21.regions.officers`) and the loop joining them to the port
simulator (:mod:`~border21.regions.equilibrium`). See docs/regions.md.
"""

from __future__ import annotations

from border21._lazy import lazy_exports

_EXPORTS = {
    "Region": "config",
    "RegionResult": "equilibrium",
    "load_region": "config",
    "shipped_regions": "config",
    "solve": "equilibrium",
    "validate_region": "config",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

"""Charts (Altair/Vega-Lite) and self-contained HTML reports over the warehouse.

Names are imported when first used (Altair loads only then).
"""

from __future__ import annotations

from border21._lazy import lazy_exports

_EXPORTS = {
    "Chart": "charts",
    "save_chart": "charts",
    "time_chart": "charts",
    "trends_report": "trends",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

"""What-if transforms the dashboard's sliders apply to a scenario mapping before validation.

>>> data = {"lanes": {"general": {"lanes": 4, "open_booths_by_hour": [4] * 24}}}
>>> scaled = scale_booths(data, 1.5)["lanes"]["general"]
>>> scaled["lanes"], scaled["open_booths_by_hour"][0]
(6, 6)
"""

from __future__ import annotations

import copy
import math
from typing import Any

from border21.errors import InputError


def scale_booths(data: dict[str, Any], factor: float) -> dict[str, Any]:
    """Staffed primary booths of every lane group × ``factor`` (lanes added where needed)."""
    if not 0.1 <= factor <= 4.0:
        raise InputError("booth_scale", factor, "must be in [0.1, 4]")
    out = copy.deepcopy(data)
    for group in out.get("lanes", {}).values():
        if not isinstance(group, dict) or not isinstance(group.get("lanes"), int):
            continue
        per_lane = int(group.get("booths_per_lane", 1) or 1)
        schedule = group.get("open_booths_by_hour")
        if isinstance(schedule, list):
            new = [max(0 if n == 0 else 1, round(n * factor)) for n in schedule]
            group["open_booths_by_hour"] = new
            group["lanes"] = max(group["lanes"], math.ceil(max(new, default=0) / per_lane))
        else:
            group["lanes"] = max(1, round(group["lanes"] * factor))
    return out


def expected_crossings(scenario: Any, days: int, replications: int) -> float:
    """How many crossings a run will draw (bounds the work one request may ask for)."""
    per_day = sum(float(s.crossings_per_day) for s in scenario.streams.values())
    return per_day * days * replications


def set_referral(data: dict[str, Any], rate: float) -> dict[str, Any]:
    """Every stream with a secondary area refers a share ``rate`` of its crossings."""
    if not 0.0 <= rate <= 1.0:
        raise InputError("referral_rate", rate, "must be in [0, 1]")
    out = copy.deepcopy(data)
    for stream in out.get("streams", {}).values():
        if isinstance(stream, dict) and stream.get("secondary"):
            stream["referral_probability"] = rate
            stream["referral_probability_by_program"] = {}
    return out

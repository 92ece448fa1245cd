"""A toy region: two small ports, one segment, one or two zones; run in a fraction of a second."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

PORT = """
[port]
name = "{name}"

[streams.cars]
kind = "personal_vehicle"
crossings_per_day = {per_day}
hour_of_day_shape = [0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 2, 2, 2, 2, 2, 3, 3, 2, 1, 1, 0, 0, 0, 0]
program_shares = {{ general = 0.7, ready = 0.3 }}

[streams.cars.primary_service]
distribution = "lognormal"
mean_seconds = 60.0
cv = 0.7

[lanes.general]
program = "general"
streams = ["cars"]
lanes = {lanes}
booths_per_lane = 2
open_booths_by_hour = [0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0]

[lanes.ready]
program = "ready"
streams = ["cars"]
lanes = 2
"""


def write_ports(folder: Path) -> dict[str, str]:
    """Two ports: ``west`` (busy) and ``east`` (quiet); returns name -> path."""
    paths = {}
    for name, per_day, lanes in (("west", 2400, 3), ("east", 600, 3)):
        path = folder / f"{name}.toml"
        path.write_text(PORT.format(name=name, per_day=per_day, lanes=lanes), encoding="utf-8")
        paths[name] = str(path)
    return paths


def toy_region(folder: Path) -> dict[str, Any]:
    """The toy region's mapping (validate with ``validate_region``)."""
    ports = write_ports(folder)
    return copy.deepcopy(
        {
            "region": {"name": "Toy", "description": "two ports"},
            "choice": {"travel_minute_utils": -0.025, "port_time_weight": 2.5},
            "equilibrium": {
                "max_iterations": 8,
                "flow_tolerance": 0.04,
                "wait_tolerance_minutes": 1.0,
                "days": 2,
                "lane_rule_until": 2,
                "inner_iterations": 30,
            },
            "segments": {
                "car_general": {
                    "program": "general",
                    "value_of_time_usd_per_hour": 15.0,
                    "streams": {"west": "cars", "east": "cars"},
                },
                "car_ready": {
                    "program": "ready",
                    "value_of_time_usd_per_hour": 15.0,
                    "streams": {"west": "cars", "east": "cars"},
                },
            },
            "ports": {
                "west": {
                    "scenario": ports["west"],
                    "bias_utils": 0.0,
                    "officers_scale": 1.0,
                    "bands": {"general": {"min_wait_minutes": 5.0, "max_wait_minutes": 15.0}},
                },
                "east": {
                    "scenario": ports["east"],
                    "bias_utils": 0.0,
                    "toll_usd": {"car_general": 2.0, "car_ready": 2.0},
                    "officers_scale": 1.0,
                },
            },
            "zones": {
                "north": {
                    "shares": {"car_general": 0.6, "car_ready": 0.5},
                    "travel_minutes": {"west": 10.0, "east": 25.0},
                },
                "south": {
                    "shares": {"car_general": 0.4, "car_ready": 0.5},
                    "travel_minutes": {"west": 20.0, "east": 15.0},
                },
            },
        }
    )

from __future__ import annotations

import copy
from typing import Any

import pytest

TOY: dict[str, Any] = {
    "port": {"name": "Toy"},
    "streams": {
        "cars": {
            "kind": "personal_vehicle",
            "crossings_per_day": 20000,
            "program_shares": {"general": 0.8, "sentri": 0.2},
            "primary_service": {
                "distribution": "lognormal",
                "mean_seconds": 34,
                "cv": 0.5,
                "mean_seconds_by_program": {"sentri": 20},
            },
            "referral_probability": 0.02,
            "secondary": "veh",
            "carrier_probability": 0.002,
            "primary_detection_probability": 0.2,
            "secondary_detection_probability": 0.8,
        },
        "walkers": {
            "kind": "pedestrian",
            "crossings_per_day": 5000,
            "primary_service": {"mean_seconds": 40},
        },
    },
    "lanes": {
        "general": {"streams": ["cars"], "lanes": 5, "booths_per_lane": 2},
        "sentri": {"program": "sentri", "streams": ["cars"], "lanes": 2},
        "ped": {"streams": ["walkers"], "lanes": 4},
    },
    "secondary": {"veh": {"bays": 10, "service": {"mean_seconds": 900}}},
}


@pytest.fixture
def toy() -> dict[str, Any]:
    return copy.deepcopy(TOY)

"""Little's law measured from the records: time-average number waiting = λ · mean wait.

The time average comes from a sweep over the step function N(t) (+1 at each
arrival, -1 at each service start), integrated over a window; λ and the mean
wait come from the crossings arriving in that window. The two sides are
computed independently, so a record whose times are inconsistent (a start
before its arrival, a lost crossing) breaks the equality.
"""

from __future__ import annotations

import numpy as np
from _reference import mean_ci, mmc_mean_wait

from border21.ports.config import validate_scenario
from border21.ports.model import PortModel

DAY = 86_400.0


def time_average_in_system(enter: np.ndarray, leave: np.ndarray, t0: float, t1: float) -> float:
    """Mean over [t0, t1] of the number of crossings with enter <= t < leave."""
    times = np.concatenate((enter, leave, [t0, t1]))
    steps = np.concatenate((np.ones(enter.size), -np.ones(leave.size), [0.0, 0.0]))
    order = np.argsort(times, kind="stable")
    times, level = times[order], np.cumsum(steps[order])
    # level[k] holds on [times[k], times[k+1]); clip those pieces to the window.
    lo = np.clip(times[:-1], t0, t1)
    hi = np.clip(times[1:], t0, t1)
    return float(np.sum(level[:-1] * (hi - lo)) / (t1 - t0))


def little_sides(enter: np.ndarray, leave: np.ndarray, t0: float, t1: float) -> tuple[float, float]:
    inside = (enter >= t0) & (enter < t1)
    lam = inside.sum() / (t1 - t0)
    return time_average_in_system(enter, leave, t0, t1), float(lam * (leave - enter)[inside].mean())


def test_littles_law_in_mm4_queue_and_against_erlang_c() -> None:
    lam, mu, servers, days = 1.8, 0.5, 4, 2  # ρ = 0.9
    model = PortModel(
        validate_scenario(
            {
                "port": {"name": "q"},
                "streams": {
                    "s": {
                        "kind": "pedestrian",
                        "crossings_per_day": lam * DAY,
                        "primary_service": {"mean_seconds": 1 / mu},
                    }
                },
                "lanes": {"q": {"streams": ["s"], "lanes": 1, "booths_per_lane": servers}},
            }
        )
    )
    t0, t1 = 0.1 * days * DAY, days * DAY
    queue_lengths = []
    for child in np.random.SeedSequence(77).spawn(12):
        rec = model.simulate(days, np.random.default_rng(child))
        length, lam_w = little_sides(rec.arrival, rec.service_start, t0, t1)
        # Only the crossings straddling the window's ends separate the two sides.
        assert abs(length - lam_w) <= 0.01 * length
        queue_lengths.append(length)
    mean, half = mean_ci(np.array(queue_lengths))
    theory = lam * mmc_mean_wait(lam, mu, servers)
    assert abs(mean - theory) <= half
    assert half <= 0.06 * theory


def test_littles_law_for_a_whole_port_with_schedules_and_secondary() -> None:
    shape = [1, 1, 1, 2, 4, 8, 10, 9, 7, 6, 6, 6, 7, 8, 9, 9, 8, 6, 4, 3, 2, 2, 1, 1]
    model = PortModel(
        validate_scenario(
            {
                "port": {"name": "busy"},
                "streams": {
                    "cars": {
                        "kind": "personal_vehicle",
                        "crossings_per_day": 8_000,
                        "hour_of_day_shape": shape,
                        "program_shares": {"general": 0.8, "ready": 0.2},
                        "primary_service": {"distribution": "gamma", "mean_seconds": 55, "cv": 0.7},
                        "referral_probability": 0.04,
                        "secondary": "lot",
                    }
                },
                "lanes": {
                    "general": {
                        "streams": ["cars"],
                        "lanes": 4,
                        "booths_per_lane": 2,
                        "open_booths_by_hour": [3] * 5 + [8] * 14 + [5] * 5,
                    },
                    "ready": {
                        "program": "ready",
                        "accepts": ["ready"],
                        "streams": ["cars"],
                        "lanes": 2,
                    },
                },
                "secondary": {"lot": {"bays": 5, "service": {"mean_seconds": 1200}}},
            }
        )
    )
    days = 6
    rec = model.simulate(days, seed=11)
    t0, t1 = 1 * DAY, (days - 1) * DAY
    for leave in (rec.service_start, rec.departure):
        length, lam_w = little_sides(rec.arrival, leave, t0, t1)
        assert abs(length - lam_w) <= 0.01 * length
    assert rec.wait_seconds.mean() > 30  # the port is congested, so the check has teeth

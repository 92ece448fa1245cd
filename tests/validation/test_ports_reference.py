"""The Numba kernel against an independent event-driven reference simulator.

Booths close and open during the day, lanes are shared between classes (so JSQ
and its tie-breaks matter), and some crossings arrive when no booth is open.
Fed the same draws, the kernel and the reference (``_reference.py``) must give
the same lane, booth, start and departure for every crossing, to the bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from _reference import ReferencePort
from hypothesis import given, settings
from hypothesis import strategies as st

from border21.ports.config import validate_scenario
from border21.ports.draws import poisson_arrivals
from border21.ports.kernels.replay import serve_lanes
from border21.ports.kernels.rng import reading_source
from border21.ports.layout import QueueLayout, build_layout, hourly_rates
from border21.ports.model import PortModel


def run_lanes(
    arrival: np.ndarray,
    cls: np.ndarray,
    service: np.ndarray,
    tie_u: np.ndarray,
    layout: QueueLayout,
) -> tuple[np.ndarray, ...]:
    """The replay driver on one stage, ties from ``tie_u``."""
    return serve_lanes(arrival, cls, service, reading_source(tie_u), layout.tables)  # type: ignore[no-any-return]


GENERAL_OPEN = [2] * 6 + [4] * 4 + [6] * 6 + [3] * 4 + [0] * 2 + [1] * 2
SENTRI_OPEN = [0] * 3 + [1] * 5 + [3] * 10 + [2] * 6
HOUR_SHAPE = [1, 1, 1, 2, 4, 8, 10, 9, 7, 6, 6, 6, 7, 8, 9, 9, 8, 6, 4, 3, 2, 2, 1, 1]


def _layout() -> QueueLayout:
    groups = [
        ("general", "general", 3, 2, GENERAL_OPEN),
        ("ready", "ready", 2, 2, [4] * 24),  # always open: the kernel's fast path
        ("sentri", "sentri", 1, 3, SENTRI_OPEN),
    ]
    return build_layout(groups, [[0, 1], [1], [2, 0], [0]])


def _draws(
    rng: np.random.Generator, crossings_per_day: float, days: int, n_classes: int, mean_s: float
) -> tuple[np.ndarray, ...]:
    rates = hourly_rates(crossings_per_day, HOUR_SHAPE, [1.0] * 7, days)
    arrival = poisson_arrivals(rates, rng)
    n = arrival.shape[0]
    cls = rng.integers(0, n_classes, n).astype(np.int32)
    service = rng.exponential(mean_s, n)
    tie_u = rng.random(n)
    return arrival, cls, service, tie_u


def _assert_same(kernel: tuple[np.ndarray, ...], ref: object) -> None:
    lane, booth, start, depart = kernel
    np.testing.assert_array_equal(lane, ref.lane)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(booth, ref.booth)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(start, ref.start)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(depart, ref.depart)  # type: ignore[attr-defined]


def test_kernel_matches_reference_with_closing_booths_jsq_and_ties() -> None:
    layout = _layout()
    rng = np.random.default_rng(20260101)
    arrival, cls, service, tie_u = _draws(rng, 9000, days=3, n_classes=4, mean_s=55.0)
    kernel = run_lanes(arrival, cls, service, tie_u, layout)
    ref = ReferencePort(layout).run(arrival, cls, service, tie_u)
    _assert_same(kernel, ref)
    # The comparison only means something if the hard paths were exercised.
    assert len(arrival) > 20_000
    assert ref.jsq_ties > 1_000
    assert ref.closed_choices > 20
    assert ref.waited_for_opening > 10
    assert (kernel[2] - arrival).max() > 600  # real queues built up


def _port_scenario() -> dict[str, object]:
    return {
        "port": {"name": "Reference Port"},
        "streams": {
            "cars": {
                "kind": "personal_vehicle",
                "crossings_per_day": 7000,
                "hour_of_day_shape": HOUR_SHAPE,
                "program_shares": {"general": 0.6, "ready": 0.3, "sentri": 0.1},
                "primary_service": {
                    "distribution": "lognormal",
                    "mean_seconds": 60,
                    "cv": 0.6,
                    "mean_seconds_by_program": {"ready": 40, "sentri": 25},
                },
                "referral_probability": 0.05,
                "secondary": "vehicle_lot",
            },
            "walkers": {
                "kind": "pedestrian",
                "crossings_per_day": 3000,
                "hour_of_day_shape": HOUR_SHAPE[6:] + HOUR_SHAPE[:6],
                "primary_service": {"distribution": "gamma", "mean_seconds": 45, "cv": 0.8},
                "referral_probability": 0.08,
                "secondary": "ped_room",
            },
        },
        "lanes": {
            "general": {
                "streams": ["cars"],
                "lanes": 3,
                "booths_per_lane": 2,
                "open_booths_by_hour": GENERAL_OPEN,
            },
            "ready": {
                "program": "ready",
                "accepts": ["ready", "sentri"],
                "streams": ["cars"],
                "lanes": 2,
                "booths_per_lane": 2,
            },
            "sentri": {
                "program": "sentri",
                "streams": ["cars"],
                "lanes": 1,
                "booths_per_lane": 3,
                "open_booths_by_hour": SENTRI_OPEN,
            },
            "peds": {
                "streams": ["walkers"],
                "lanes": 2,
                "booths_per_lane": 2,
                "open_booths_by_hour": [1] * 6 + [4] * 14 + [2] * 4,
            },
        },
        "secondary": {
            "vehicle_lot": {
                "bays": 4,
                "open_bays_by_hour": [1] * 7 + [4] * 12 + [2] * 5,
                "service": {"mean_seconds": 900},
            },
            "ped_room": {
                "bays": 2,
                "service": {"distribution": "gamma", "mean_seconds": 400, "cv": 0.5},
            },
        },
    }


def test_port_model_matches_reference_through_primary_and_secondary() -> None:
    model = PortModel(validate_scenario(_port_scenario()))
    draws = model.draw(days=2, rng=np.random.default_rng(7))
    records = model.run(draws, days=2)
    lay = model.layout
    ref = ReferencePort(lay.primary, lay.secondary).run(
        draws.arrival,
        draws.cls,
        draws.primary_seconds,
        draws.tie_u,
        referred=draws.referred,
        area=lay.stream_area[draws.stream],
        secondary_service=draws.secondary_seconds,
    )
    kernel = (records.lane, records.booth, records.service_start, records.primary_departure)
    _assert_same(kernel, ref)
    ref_flag = records.referred
    assert 500 < ref_flag.sum() < 0.2 * len(records)
    np.testing.assert_array_equal(records.secondary_start[ref_flag], ref.secondary_start[ref_flag])
    np.testing.assert_array_equal(records.departure[ref_flag], ref.secondary_depart[ref_flag])
    np.testing.assert_array_equal(
        records.departure[~ref_flag], records.primary_departure[~ref_flag]
    )
    assert records.secondary_wait_seconds[ref_flag].max() > 600  # secondary queues formed
    assert ref.jsq_ties > 100 and ref.waited_for_opening > 0


@st.composite
def layouts(draw: st.DrawFn) -> QueueLayout:
    n_groups = draw(st.integers(1, 3))
    groups = []
    for g in range(n_groups):
        lanes = draw(st.integers(1, 3))
        per_lane = draw(st.integers(1, 4))
        total = lanes * per_lane
        if draw(st.booleans()):
            sched = [total] * 24
        else:
            sched = draw(st.lists(st.integers(0, total), min_size=24, max_size=24))
            sched[draw(st.integers(0, 23))] = draw(st.integers(1, total))
        groups.append((f"g{g}", "general", lanes, per_lane, sched))
    n_classes = draw(st.integers(1, 3))
    class_groups = [
        sorted(draw(st.sets(st.integers(0, n_groups - 1), min_size=1))) for _ in range(n_classes)
    ]
    return build_layout(groups, class_groups)


@settings(max_examples=30, deadline=None)
@given(
    layout=layouts(),
    seed=st.integers(0, 2**32 - 1),
    per_day=st.sampled_from([500.0, 2000.0, 6000.0]),
    mean_s=st.sampled_from([20.0, 90.0, 300.0]),
)
def test_kernel_matches_reference_on_random_layouts(
    layout: QueueLayout, seed: int, per_day: float, mean_s: float
) -> None:
    rng = np.random.default_rng(seed)
    n_classes = layout.tables.class_ptr.shape[0] - 1
    arrival, cls, service, tie_u = _draws(rng, per_day, days=1, n_classes=n_classes, mean_s=mean_s)
    kernel = run_lanes(arrival, cls, service, tie_u, layout)
    _assert_same(kernel, ReferencePort(layout).run(arrival, cls, service, tie_u))


@pytest.mark.parametrize("servers", [1, 3, 10])
def test_kernel_single_lane_equals_plain_fifo_multi_server(servers: int) -> None:
    from _reference import fifo_multi_server

    rng = np.random.default_rng(servers)
    arrival = np.cumsum(rng.exponential(1.0, 50_000))
    service = rng.exponential(0.9 * servers, 50_000)
    layout = build_layout([("q", "general", 1, servers, [servers] * 24)], [[0]])
    _, _, start, depart = run_lanes(
        arrival, np.zeros(50_000, np.int32), service, np.zeros(50_000), layout
    )
    np.testing.assert_array_equal(depart, fifo_multi_server(arrival, service, servers))
    assert (start >= arrival).all()

"""The Mexican export stage in front of CBP (ports.cooperation.ExportStage), on a toy port."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from border21.ports.config import PortScenario, validate_scenario
from border21.ports.cooperation import BorderCrossings, with_switches
from border21.ports.draws import CrossingDraws
from border21.ports.model import PortModel

DAYS = 2
TRANSIT = 900.0
JOINT_EXTRA = 30.0
SEMAFORO = 0.3


def _toy() -> PortScenario:
    truck: dict[str, Any] = {
        "kind": "truck",
        "primary_service": {"mean_seconds": 90},
        "referral_probability": 0.05,
        "secondary": "docks",
    }
    return validate_scenario(
        {
            "port": {"name": "Toy bridge"},
            "streams": {
                "cars": {
                    "kind": "personal_vehicle",
                    "crossings_per_day": 1500,
                    "primary_service": {"mean_seconds": 40},
                },
                "empty_trucks": {**truck, "crossings_per_day": 200},
                "loaded_trucks": {**truck, "crossings_per_day": 300},
            },
            "lanes": {
                "cars": {"streams": ["cars"], "lanes": 3},
                "trucks": {"streams": ["empty_trucks", "loaded_trucks"], "lanes": 3},
            },
            "secondary": {"docks": {"bays": 4, "service": {"mean_seconds": 900}}},
            "cooperation": {
                "export_inspection": {
                    "streams": ["loaded_trucks", "empty_trucks"],  # not the port's order
                    "booths": 3,
                    "service": {"mean_seconds": 60},
                    "semaforo_probability": SEMAFORO,
                    "bays": 4,
                    "secondary_service": {"mean_seconds": 600},
                    "transit_seconds": TRANSIT,
                    "joint_primary_extra_seconds": JOINT_EXTRA,
                }
            },
        }
    )


def _cross(
    scenario: PortScenario, seed: int = 2, tie_seconds: float = 0.0
) -> tuple[PortModel, CrossingDraws, BorderCrossings]:
    model = PortModel(scenario)
    assert model.export is not None
    draws = model.draw(DAYS, np.random.default_rng(1))
    if tie_seconds:  # arrivals on a coarse clock: many crossings arrive together
        arrival = np.floor(draws.arrival / tie_seconds) * tie_seconds
        draws = dataclasses.replace(draws, arrival=arrival)
    return model, draws, model.export.cross(draws, DAYS, np.random.default_rng(seed))


@pytest.fixture
def mexican() -> tuple[PortModel, CrossingDraws, BorderCrossings]:
    return _cross(_toy())


def _exporting(model: PortModel, stream: np.ndarray) -> np.ndarray:
    names = np.array(model.layout.stream_names)
    return np.isin(names[stream], ["empty_trucks", "loaded_trucks"])


def test_trucks_reach_cbp_when_they_leave_the_bridge(mexican):
    model, draws, crossing = mexican
    up, rows = crossing.upstream, crossing.upstream_rows
    assert up is not None and rows is not None and crossing.order is not None
    at_cbp = crossing.draws
    export = _exporting(model, at_cbp.stream)
    assert export.sum() == len(up) == len(rows) > 100
    assert crossing.upstream_draws is not None and len(crossing.upstream_draws) == len(up)
    assert np.array_equal(np.sort(rows), np.flatnonzero(export))
    # a truck arrives at CBP when it leaves Mexico's inspection plus the bridge
    assert at_cbp.arrival[rows] == pytest.approx(up.departure + TRANSIT)
    assert np.all(np.diff(at_cbp.arrival) >= 0)  # CBP's records are in order of arrival there
    # ... and first queued when it reached the Mexican booths: its drawn arrival
    assert np.array_equal(crossing.origin, draws.arrival[crossing.order])
    assert np.array_equal(up.arrival, crossing.origin[rows])
    assert np.array_equal(at_cbp.arrival[~export], crossing.origin[~export])
    # its time upstream that is not delay: Mexican primary service and the bridge
    assert crossing.upstream_seconds[rows] == pytest.approx(
        up.primary_departure - up.service_start + TRANSIT
    )
    assert np.all(crossing.upstream_seconds[~export] == 0.0)


def test_the_same_crossings_keep_their_draws_in_cbp_order(mexican):
    model, draws, crossing = mexican
    assert crossing.order is not None
    assert np.array_equal(np.sort(crossing.order), np.arange(len(draws)))
    for name in ("stream", "cls", "primary_seconds", "carrier"):
        assert np.array_equal(getattr(crossing.draws, name), getattr(draws, name)[crossing.order])


def test_mexican_records_name_the_trucks_streams(mexican):
    """The inspection lists its streams in another order than the port: names still match."""
    model, _, crossing = mexican
    up, rows = crossing.upstream, crossing.upstream_rows
    assert up is not None and rows is not None
    cbp_names = np.array(model.layout.stream_names)[crossing.draws.stream[rows]]
    mx_names = np.array(up.stream_names)[up.stream]
    assert np.array_equal(mx_names, cbp_names)
    assert set(mx_names) == {"empty_trucks", "loaded_trucks"}


def test_red_semaforo_sends_trucks_to_mexican_secondary(mexican):
    _, _, crossing = mexican
    up, rows = crossing.upstream, crossing.upstream_rows
    assert up is not None and rows is not None
    assert crossing.red is None  # the red lights were inspected in Mexico
    assert up.days == DAYS
    assert up.referred.mean() == pytest.approx(SEMAFORO, abs=0.06)
    assert np.all(up.secondary_start[up.referred] >= up.primary_departure[up.referred])
    assert np.array_equal(crossing.mx_detected[rows], up.detected)
    assert not crossing.mx_detected[np.setdiff1d(np.arange(len(crossing.draws)), rows)].any()


def test_the_same_generator_gives_the_same_crossings(mexican):
    _, _, first = mexican
    _, _, again = _cross(_toy())
    assert first.upstream is not None and again.upstream is not None
    assert np.array_equal(first.draws.arrival, again.draws.arrival)
    assert np.array_equal(first.upstream.departure, again.upstream.departure)
    _, _, other = _cross(_toy(), seed=3)
    assert not np.array_equal(first.draws.arrival, other.draws.arrival)


def test_crossings_arriving_together_keep_their_drawn_order():
    model, draws, crossing = _cross(_toy(), tie_seconds=600.0)
    assert crossing.order is not None
    cars = ~_exporting(model, draws.stream)
    assert len(np.unique(draws.arrival[cars])) < cars.sum() / 2  # many ties
    at_cbp = crossing.order[cars[crossing.order]]  # the cars, in CBP order
    assert np.array_equal(at_cbp, np.flatnonzero(cars))


def test_ucp_inspects_once_at_cbp_with_a_longer_joint_primary():
    model, draws, crossing = _cross(with_switches(_toy(), ucp=True))
    assert model.export is not None and model.export.joint and model.export.model is None
    export = _exporting(model, draws.stream)
    assert crossing.order is None and crossing.upstream is None and crossing.upstream_rows is None
    assert crossing.draws.primary_seconds == pytest.approx(
        draws.primary_seconds + np.where(export, JOINT_EXTRA, 0.0)
    )
    assert np.array_equal(crossing.draws.arrival, draws.arrival)
    assert np.array_equal(crossing.origin, draws.arrival)
    assert np.array_equal(crossing.upstream_seconds, np.zeros(len(draws)))
    assert not crossing.mx_detected.any()
    # the red lights join the joint secondary at CBP: export trucks only, at the semáforo's rate
    assert crossing.red is not None and not crossing.red[~export].any()
    assert crossing.red[export].mean() == pytest.approx(SEMAFORO, abs=0.06)

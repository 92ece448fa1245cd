"""Mexico's import semáforo behind a port's southbound lanes (ports.cooperation.ImportStage)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from border21.errors import InputError
from border21.frontier.experiment import PolicySpec, PreparedScenario, run_replication
from border21.frontier.metrics import run_metrics
from border21.ports.config import PortScenario, validate_scenario
from border21.ports.edits import with_value
from border21.ports.model import PortModel
from border21.ports.results import offered_load_rows, overloaded, wait_rows

RED = 0.2
EXAM = 400.0


def _toy(**imports: Any) -> PortScenario:
    return validate_scenario(
        {
            "port": {"name": "Toy garita"},
            "streams": {
                "north": {
                    "kind": "personal_vehicle",
                    "crossings_per_day": 2000,
                    "primary_service": {"mean_seconds": 30},
                },
                "south": {
                    "kind": "personal_vehicle",
                    "direction": "southbound",
                    "crossings_per_day": 3000,
                    "primary_service": {"mean_seconds": 10},
                    "carrier_probability": 0.1,
                },
            },
            "lanes": {
                "north": {"streams": ["north"], "lanes": 2},
                "south": {"streams": ["south"], "lanes": 2},
            },
            "cooperation": {
                "import_inspection": {
                    "streams": ["south"],
                    "semaforo_probability": RED,
                    "bays": 6,
                    "service": {"distribution": "deterministic", "mean_seconds": EXAM},
                    "detection_probability": 1.0,
                    **imports,
                }
            },
        }
    )


@pytest.fixture(scope="module")
def garita() -> PortScenario:
    return _toy()


def test_red_lights_are_random_at_their_own_rate_and_exam_southbound_only(garita):
    rec = PortModel(garita).simulate(days=2, seed=3)
    south = rec.stream == 1
    down, rows = rec.downstream, rec.downstream_rows
    assert down is not None and rows is not None
    assert np.array_equal(np.sort(rows), np.flatnonzero(south))  # every southbound car, no other
    red = down.referred
    share = red.mean()
    assert abs(share - RED) < 4 * np.sqrt(RED * (1 - RED) / red.size)
    # Random: carriers get red lights at the same rate as the rest.
    carrier = rec.carrier[rows]
    assert abs(red[carrier].mean() - red[~carrier].mean()) < 0.08
    # A red light's exam starts when the car leaves the port and takes exactly EXAM seconds.
    left_port = down.primary_departure[red]
    assert (down.secondary_start[red] >= left_port).all()
    assert np.allclose(down.departure[red] - down.secondary_start[red], EXAM)
    assert np.allclose(rec.departure[rows[red]], down.departure[red])
    green = rows[~red]
    assert np.array_equal(rec.departure[green], rec.primary_departure[green])
    # Detection 1: every red-lit carrier is found, and only those (no CBP exam southbound).
    assert np.array_equal(rec.detected[rows], red & carrier)
    assert np.array_equal(rec.mx_exams[rows], red.astype(np.int64))
    assert not rec.mx_exams[~south].any()


def test_the_exams_count_as_burden_and_delay_by_hand(garita):
    rec = PortModel(garita).simulate(days=1, seed=5)
    south = rec.stream == 1
    m = run_metrics(rec, garita, extra_exams=rec.mx_exams, mask=south)
    red = rec.mx_exams.astype(bool)
    assert m.referred == int(red.sum())
    assert m.licit_referred == int((red & ~rec.carrier).sum())
    assert m.detected == int((red & rec.carrier).sum())
    service = rec.primary_departure - rec.service_start
    by_hand = ((rec.departure - rec.arrival - service)[south]).sum() / 3600.0
    assert m.delay_hours == pytest.approx(by_hand)
    assert m.delay_hours * 3600 >= EXAM * red.sum()  # every exam is delay


def test_its_rows_differ_from_a_port_without_it_and_the_same_lights_serve_every_policy(garita):
    without = PreparedScenario(with_value(garita, "cooperation.import_inspection", None))
    seed = np.random.SeedSequence(2)
    a = run_replication(
        PreparedScenario(garita), PolicySpec(policy="random", rate=0.05), days=1, seed=seed
    )
    b = run_replication(
        PreparedScenario(garita), PolicySpec(policy="random", rate=0.2), days=1, seed=seed
    )
    c = run_replication(without, PolicySpec(policy="random", rate=0.05), days=1, seed=seed)
    assert a.southbound is not None and b.southbound is not None and c.southbound is not None
    np.testing.assert_equal(a.southbound.as_row(), b.southbound.as_row())  # CBP's is northbound
    assert c.southbound.referred == 0 < a.southbound.referred
    assert a.southbound.detected > c.southbound.detected == 0
    assert a.southbound.mean_delay_min > c.southbound.mean_delay_min
    np.testing.assert_equal(a.northbound.as_row(), c.northbound.as_row())  # NaN == NaN here


def test_its_bays_are_a_queue_checked_by_hour():
    rows = [r for r in offered_load_rows(_toy(bays=1)) if r["where"] == "mx_import:bays"]
    assert len(rows) == 24
    # 3000 cars a day, flat: 125 an hour, RED of them, EXAM seconds each, on one bay.
    assert rows[0]["offered_erlangs"] == pytest.approx(125 * RED * EXAM / 3600)
    assert rows[0]["utilisation"] == pytest.approx(125 * RED * EXAM / 3600)
    found = overloaded(_toy(bays=1))
    assert [o.where for o in found] == ["mx_import:bays"]
    assert overloaded(_toy()) == []


def test_its_waits_are_a_row_of_their_own(garita):
    rec = PortModel(garita).simulate(days=1, seed=1)
    row = [r for r in wait_rows(rec, garita) if r["stage"] == "mx_import"]
    assert len(row) == 1 and row[0]["direction"] == "southbound"
    assert row[0]["crossings"] == int(rec.mx_exams.sum())


def test_northbound_streams_are_refused_naming_the_stream():
    with pytest.raises(InputError, match="'north' is northbound"):
        _toy(streams=["south", "north"])
    with pytest.raises(InputError, match="unknown stream 'east'"):
        _toy(streams=["east"])


def test_warm_up_keeps_the_import_records_with_their_crossings(garita):
    rec = PortModel(garita).simulate(days=2, seed=4)
    kept = rec.after_warm_up(1)
    assert kept.downstream is not None and kept.downstream_rows is not None
    assert np.array_equal(kept.mx_exams, rec.mx_exams[rec.arrival >= 86400])
    assert np.array_equal(kept.departure[kept.downstream_rows], kept.downstream.departure)


def test_each_crossing_keeps_its_draws_when_the_port_reorders_departures(garita):
    """Common random numbers: a variant that delays some cars at the port (a CBP
    southbound exam) changes when they reach Mexico, not their light, exam or finding."""
    import dataclasses

    model = PortModel(garita)
    rec = model.simulate(days=1, seed=6)
    south = np.flatnonzero(rec.stream == 1)
    delayed = rec.departure.copy()
    delayed[south[::7]] += 900.0  # every seventh car held 15 minutes: departures reorder
    stage = model.imports
    assert stage is not None
    a = stage.cross(dataclasses.replace(rec, departure=rec.departure), np.random.default_rng(9))
    b = stage.cross(dataclasses.replace(rec, departure=delayed), np.random.default_rng(9))
    da, db = a.downstream, b.downstream
    assert da is not None and db is not None
    assert np.array_equal(a.downstream_rows, b.downstream_rows)
    assert np.array_equal(da.referred, db.referred)
    exam_a, exam_b = da.departure - da.secondary_start, db.departure - db.secondary_start
    assert np.allclose(exam_a, exam_b, rtol=0, atol=1e-6)  # the same exam, at other times
    assert (exam_a[da.referred] > 0).all()
    assert np.array_equal(a.detected, b.detected)

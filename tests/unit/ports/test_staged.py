"""Staged runs: one primary stage per configuration, shared exactly by downstream variants."""

from __future__ import annotations

import numpy as np
import pytest

from border21.errors import InputError
from border21.ports.catalog import load_scenario
from border21.ports.config import PortScenario, validate_scenario
from border21.ports.edits import with_values
from border21.ports.staged import primary_key, run_downstream, run_primary


def _seed(rep: int = 0) -> np.random.SeedSequence:
    return np.random.SeedSequence(11, spawn_key=(rep,))


def _with(sc: PortScenario, **values: object) -> PortScenario:
    return with_values(sc, values)


@pytest.fixture(scope="module")
def laredo() -> PortScenario:
    return load_scenario("laredo_wtb")


def test_primary_key_ignores_downstream_fields_only(laredo):
    key = primary_key(laredo)
    assert primary_key(_with(laredo, **{"streams.trucks.referral_probability": 0.3})) == key
    assert primary_key(_with(laredo, **{"secondary.truck_secondary.bays": 5})) == key
    assert primary_key(_with(laredo, **{"streams.trucks.carrier_probability": 0.1})) == key
    assert primary_key(_with(laredo, **{"lanes.general.lanes": 14})) != key
    assert primary_key(_with(laredo, **{"streams.trucks.crossings_per_day": 6000})) != key


def test_variant_on_other_primary_is_refused(laredo):
    stage = run_primary(laredo, _seed(), days=1)
    with pytest.raises(InputError, match="primary stage"):
        run_downstream(stage, _with(laredo, **{"lanes.general.lanes": 14}))


def test_always_open_bays_equal_an_all_open_schedule(laredo):
    """Always-open areas take the booth rule's short scan; an explicit all-open schedule
    takes its scheduled branch: the same exam starts and departures."""
    stage = run_primary(laredo, _seed(), days=2)
    few = _with(laredo, **{"secondary.truck_secondary.bays": 4})
    scheduled = _with(few, **{"secondary.truck_secondary.open_bays_by_hour": [4] * 24})
    a = run_downstream(stage, few, keep_records=True).records
    b = run_downstream(stage, scheduled, keep_records=True).records
    assert a is not None and b is not None
    assert np.array_equal(a.secondary_start, b.secondary_start)
    assert np.array_equal(a.departure, b.departure)
    assert (a.secondary_start > a.primary_departure).sum() > 10  # queues formed


def test_common_random_numbers_across_referral_rates(laredo):
    """A higher rate refers a superset of crossings; carriers are the same trucks."""
    stage = run_primary(laredo, _seed(), days=2)
    previous = None
    for rate in (0.0, 0.05, 0.15, 0.4, 1.0):
        sc = _with(laredo, **{"streams.trucks.referral_probability": rate})
        rec = run_downstream(stage, sc, keep_records=True).records
        assert rec is not None
        if previous is not None:
            assert np.all(rec.referred >= previous.referred)
            assert np.all(rec.detected >= previous.detected)
            assert np.array_equal(rec.carrier, previous.carrier)
        previous = rec
    assert previous is not None and previous.referred.all()


def test_gamma_secondary_service_has_its_mean(laredo):
    sc = _with(
        laredo,
        **{
            "secondary.truck_secondary.service.distribution": "gamma",
            "secondary.truck_secondary.bays": 200,
        },
    )
    stage = run_primary(sc, _seed(), days=7)
    rec = run_downstream(stage, sc, keep_records=True).records
    assert rec is not None
    idle = rec.referred & (rec.secondary_start == rec.primary_departure)
    service = (rec.departure - rec.secondary_start)[idle]
    # lognormal cv 1.5 replaced by gamma with the same mean (600 s) and cv
    half = 1.96 * 1.5 * 600 / np.sqrt(service.size)
    assert abs(service.mean() - 600) < half


def test_referral_without_an_area_is_refused_before_any_stage(laredo):
    data = laredo.model_dump(mode="python")
    data["streams"]["trucks"]["secondary"] = None
    with pytest.raises(InputError, match="secondary"):
        validate_scenario(data)


def test_sums_name_what_they_count(laredo):
    stage = run_primary(laredo, _seed(), days=1)
    out = run_downstream(stage, laredo, [2.0], keep_records=True)
    rec = out.records
    assert rec is not None
    extra_h = (rec.departure - rec.primary_departure) / 3600.0
    assert out.sums["referred"] == rec.referred.sum()
    assert out.sums["carriers"] == rec.carrier.sum()
    assert out.sums["detected"] == rec.detected.sum()
    assert out.sums["licit_referred"] == (rec.referred & ~rec.carrier).sum()
    assert out.sums["extra_hours"] == pytest.approx(extra_h.sum())
    assert out.sums["truck_extra_hours"] == pytest.approx(extra_h.sum())  # all trucks
    assert out.sums["weighted_extra_hours"] == pytest.approx(2.0 * extra_h.sum())

"""Staged sweeps: one primary stage per configuration, shared exactly by downstream variants."""

from __future__ import annotations

import numpy as np
import pytest

from border21.errors import InputError
from border21.frontier.metrics import run_metrics
from border21.frontier.staged import primary_key, run_downstream, run_primary
from border21.frontier.sweep import PortTask, execute, run_task
from border21.ports.catalog import load_scenario
from border21.ports.config import PortScenario, apply_overrides, validate_scenario


def _seed(rep: int = 0) -> np.random.SeedSequence:
    return np.random.SeedSequence(11, spawn_key=(rep,))


def _with(sc: PortScenario, **overrides: object) -> PortScenario:
    data = sc.model_dump(mode="python")
    return validate_scenario(apply_overrides(data, [f"{k}={v}" for k, v in overrides.items()]))


@pytest.fixture(scope="module")
def laredo() -> PortScenario:
    return load_scenario("laredo_wtb")


@pytest.mark.parametrize("name", ["laredo_wtb", "san_ysidro", "otay_mesa", "el_paso_bota"])
def test_metrics_equal_run_metrics_on_the_same_records(name):
    """The sums accumulated in the pass are run_metrics of the records it implies."""
    sc = load_scenario(name)
    stage = run_primary(sc, _seed(), days=1)
    out = run_downstream(stage, sc, keep_records=True)
    assert out.records is not None
    fast, slow = out.metrics.as_row(), run_metrics(out.records, sc).as_row()
    assert fast.keys() == slow.keys()
    for key in fast:
        assert fast[key] == pytest.approx(slow[key], rel=1e-9, nan_ok=True), key
    rec = out.records
    assert rec.referred.sum() > 0
    # Secondary is a FIFO multi-server queue fed in primary-departure order.
    assert np.all(rec.secondary_start >= rec.primary_departure)
    assert np.all(rec.departure >= rec.secondary_start)
    assert np.array_equal(rec.departure > rec.primary_departure, rec.referred)
    assert not np.any(rec.detected & ~(rec.referred & rec.carrier))


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


def test_heap_bays_equal_the_general_lane_kernel(laredo):
    """Always-open bays use a min-heap; an explicit all-open schedule uses run_lanes."""
    stage = run_primary(laredo, _seed(), days=2)
    scheduled = _with(laredo, **{"secondary.truck_secondary.open_bays_by_hour": [24] * 24})
    a = run_downstream(stage, laredo, keep_records=True).records
    b = run_downstream(stage, scheduled, keep_records=True).records
    assert a is not None and b is not None
    assert np.array_equal(a.secondary_start, b.secondary_start)
    assert np.array_equal(a.departure, b.departure)


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


def test_sweep_rows_do_not_depend_on_grouping_or_workers(laredo):
    """A port task gives the same row alone, in a shared-stage sweep, on 1 or 2 threads."""
    tasks = []
    for rep in range(2):
        for rate in (0.05, 0.2):
            for bays in (12, 24):
                sc = _with(
                    laredo,
                    **{
                        "streams.trucks.referral_probability": rate,
                        "secondary.truck_secondary.bays": bays,
                    },
                )
                tasks.append(
                    PortTask(
                        variant=f"r{rate}-b{bays}",
                        scenario=sc,
                        replication=rep,
                        root_seed=3,
                        days=1,
                    )
                )
    shared = execute(tasks, workers=2)
    serial = execute(tasks[::-1], workers=1)[::-1]
    alone = [run_task(t) for t in tasks]
    assert shared == serial == alone
    assert [r["variant"] for r in shared] == [t.variant for t in tasks]
    assert shared[0]["mean_wait_min"] == shared[3]["mean_wait_min"]  # same primary
    assert shared[0]["referred"] < shared[2]["referred"]  # higher rate, same crossings
    assert shared[2]["delay_hours"] > shared[3]["delay_hours"]  # fewer bays, longer delay


def test_splitting_units_keeps_every_member_once(laredo):
    from border21.frontier.costs import DelayCosts
    from border21.frontier.staged import group_units, split_evenly, split_units

    assert split_evenly([1, 2, 3, 4, 5], 2) == [[1, 3, 5], [2, 4]]
    assert split_evenly([1], 4) == [[1]]
    items = [(f"v{i}", laredo, 0, 1, 1, DelayCosts()) for i in range(5)]
    (unit,) = group_units(items)
    pieces = split_units([unit], [0], 3)
    assert len(pieces) == 3
    members = sorted(m[0] for piece, _ in pieces for m in piece.members)
    assert members == [0, 1, 2, 3, 4]
    assert all(piece.seed is unit.seed for piece, _ in pieces)

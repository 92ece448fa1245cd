"""Staged sweeps: variants grouped by shared primary stage; their metrics and rows."""

from __future__ import annotations

import numpy as np
import pytest

from border21.frontier.metrics import run_metrics
from border21.frontier.staged_sweep import stage_metrics, variant_metrics
from border21.frontier.sweep import PortTask, execute, run_task
from border21.ports.catalog import load_scenario
from border21.ports.config import PortScenario
from border21.ports.edits import with_values
from border21.ports.staged import run_downstream


def _seed(rep: int = 0) -> np.random.SeedSequence:
    return np.random.SeedSequence(11, spawn_key=(rep,))


def _with(sc: PortScenario, **values: object) -> PortScenario:
    return with_values(sc, values)


@pytest.fixture(scope="module")
def laredo() -> PortScenario:
    return load_scenario("laredo_wtb")


@pytest.mark.parametrize("name", ["laredo_wtb", "san_ysidro", "otay_mesa", "el_paso_bota"])
def test_metrics_equal_run_metrics_on_the_same_records(name):
    """The sums accumulated in the pass are run_metrics of the records it implies."""
    sc = load_scenario(name)
    staged = stage_metrics(sc, _seed(), days=1)
    out = run_downstream(staged.stage, sc, keep_records=True)
    assert out.records is not None
    by_flow = variant_metrics(staged, sc)
    south = np.array([st.direction == "southbound" for st in sc.streams.values()])
    masks = {"northbound": ~south[out.records.stream], "southbound": south[out.records.stream]}
    assert set(by_flow) == {"northbound"} | ({"southbound"} if south.any() else set())
    for flow, metrics in by_flow.items():
        fast = metrics.as_row()
        slow = run_metrics(out.records, sc, mask=masks[flow]).as_row()
        assert fast.keys() == slow.keys()
        for key in fast:
            assert fast[key] == pytest.approx(slow[key], rel=1e-9, nan_ok=True), (flow, key)
    rec = out.records
    assert rec.referred.sum() > 0
    # Secondary is a FIFO multi-server queue fed in primary-departure order.
    assert np.all(rec.secondary_start >= rec.primary_departure)
    assert np.all(rec.departure >= rec.secondary_start)
    assert np.array_equal(rec.departure > rec.primary_departure, rec.referred)
    assert not np.any(rec.detected & ~(rec.referred & rec.carrier))


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
    from border21.frontier.staged_sweep import group_units, split_evenly, split_units

    assert split_evenly([1, 2, 3, 4, 5], 2) == [[1, 3, 5], [2, 4]]
    assert split_evenly([1], 4) == [[1]]
    items = [(f"v{i}", laredo, 0, 1, 1, 0, DelayCosts()) for i in range(5)]
    (unit,) = group_units(items)
    pieces = split_units([unit], [0], 3)
    assert len(pieces) == 3
    members = sorted(m[0] for piece, _ in pieces for m in piece.members)
    assert members == [0, 1, 2, 3, 4]
    assert all(piece.seed is unit.seed for piece, _ in pieces)

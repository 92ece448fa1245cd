"""Border-wide allocation of officer-hours by marginal analysis (ports.allocate)."""

from __future__ import annotations

import numpy as np
import pytest

from border21.errors import InputError
from border21.ports.allocate import allocate, whole_port_scenarios

SMALL = ["2307", "2408"]  # Rio Grande City and Santa Teresa: small generated ports


@pytest.fixture(scope="module")
def added():
    return allocate(1, shift_hours=3, ports=SMALL, replications=3, seed=2)


def test_every_officer_hour_is_placed_within_the_physical_booths(added) -> None:
    assert sum(p.officer_hours for p in added.ports) == 3
    assert added.unplaced_hours == 0
    rows = added.as_json()["allocation"]
    assert {r["port_code"] for r in rows} == set(SMALL)  # type: ignore[index]
    for p in added.ports:
        for delta in p.by_group.values():
            assert len(delta) == 24 and all(d >= 0 for d in delta)
    assert added.as_json()["total_officers"] == 1


def test_added_booths_save_delay_with_a_paired_interval(added) -> None:
    used = [p for p in added.ports if p.officer_hours]
    assert used and all(p.delay_cost_saved_usd >= 0 for p in used)
    assert all(np.isfinite(p.delay_cost_saved_usd_ci95) for p in used)
    untouched = [p for p in added.ports if not p.officer_hours]
    assert all(p.delay_cost_saved_usd == 0 for p in untouched)


def test_the_first_hour_goes_where_a_single_booth_saves_most() -> None:
    """One officer-hour: the greedy choice is the best of every single move (brute force)."""
    from border21.ports import allocate as mod

    one = allocate(1, shift_hours=1, ports=SMALL, replications=2, seed=5)
    chosen = next(p for p in one.ports if p.officer_hours)
    best = 0.0
    for code in SMALL:
        alone = allocate(1, shift_hours=1, ports=[code], replications=2, seed=5)
        best = max(best, *(p.delay_cost_saved_usd for p in alone.ports))
    assert chosen.delay_cost_saved_usd == pytest.approx(best)
    assert mod.MAX_OFFICERS >= 1000


def test_a_cut_removes_booths_and_keeps_one_open_where_crossings_arrive() -> None:
    cut = allocate(-1, shift_hours=2, ports=["2307"], replications=2, seed=1)
    port = cut.ports[0]
    assert port.officer_hours == -2
    assert port.delay_cost_saved_usd <= 0  # a cut saves nothing; it costs
    assert all(d <= 0 for delta in port.by_group.values() for d in delta)


def test_same_seed_same_allocation() -> None:
    a = allocate(1, shift_hours=2, ports=SMALL, replications=2, seed=9)
    b = allocate(1, shift_hours=2, ports=SMALL, replications=2, seed=9)
    assert a.as_json() == b.as_json()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"officers": 0}, "--officers"),
        ({"officers": 10**6}, "--officers"),
        ({"officers": 1, "shift_hours": 0}, "--shift-hours"),
        ({"officers": 1, "replications": 1}, "--replications"),
        ({"officers": 1, "days": 9}, "--days"),
        ({"officers": 1, "ports": ["0000"]}, "--ports"),
    ],
)
def test_bad_input_is_refused_naming_it(kwargs, field) -> None:
    with pytest.raises(InputError) as err:
        allocate(**kwargs)
    assert err.value.field == field


def test_one_whole_port_scenario_per_port() -> None:
    chosen = whole_port_scenarios()
    assert len(chosen) == 28
    assert chosen["2304"][1] == "laredo"  # the generated whole port, not the curated bridge
    assert chosen["2504"][1] == "san_ysidro"


def test_simulated_waits_per_port_carry_their_interval() -> None:
    from border21.ports.allocate import simulated_waits

    waits = simulated_waits(days=2, replications=2, seed=0).set_index("port_code")
    assert len(waits) == 28
    assert (waits["nb_mean_wait_min"] >= 0).all()
    assert waits["nb_mean_wait_min_ci95"].notna().all()
    # The calibrated San Ysidro queues; a generated port sized from its volume barely does.
    assert waits.loc["2504", "nb_mean_wait_min"] > 5 > waits.loc["2408", "nb_mean_wait_min"]

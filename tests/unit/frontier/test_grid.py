"""What-if grids: axis parsing and expansion into validated scenarios."""

from __future__ import annotations

import pytest

from border21.errors import InputError
from border21.frontier.grid import build_grid, parse_axis
from border21.ports.catalog import load_scenario
from border21.ports.limits import RunLimits


def test_spans_and_lists():
    assert parse_axis("a.b=1:5:3").values == [1, 3, 5]
    assert parse_axis("a.b=1:2:3").values == [1.0, 1.5, 2.0]
    assert parse_axis("a.b=0.5:0.5:1").values == [0.5]
    assert parse_axis('a.b="x,y",z').values == ["x,y", "z"]
    assert parse_axis("a.b=[0, 1],[2, 3]").values == [[0, 1], [2, 3]]
    assert parse_axis("a.b=true,false").values == [True, False]


@pytest.mark.parametrize("text", ["ab=1", "a.b", "a.b=", "a.b=1:2:0", "a.b=[1,"])
def test_bad_axes(text):
    with pytest.raises(InputError):
        parse_axis(text)


def test_grid_is_the_cartesian_product_with_staffed_hours():
    base = load_scenario("laredo_wtb")
    grid = build_grid(
        base,
        [
            parse_axis("lanes.general.staffed_booths=10,15"),
            parse_axis("streams.trucks.referral_probability=0.1,0.2,0.3"),
        ],
    )
    assert len(grid.scenarios) == 6
    for name, sc in grid.scenarios.items():
        v = grid.values[name]
        booths = v["lanes.general.staffed_booths"]
        shipped = base.lanes["general"].open_booths()
        assert sc.lanes["general"].open_booths() == [booths if n else 0 for n in shipped]
        assert sc.streams["trucks"].referral_probability == v["streams.trucks.referral_probability"]
    tasks = grid.tasks(replications=2, days=1, seed=4)
    assert len(tasks) == 12 and {t.replication for t in tasks} == {0, 1}


def test_repeated_key_and_huge_grid_are_refused():
    base = load_scenario("laredo_wtb")
    axis = parse_axis("streams.trucks.referral_probability=0.1,0.2")
    with pytest.raises(InputError, match="once"):
        build_grid(base, [axis, axis])
    big = parse_axis("streams.trucks.referral_probability=0:1:1000")
    other = parse_axis("secondary.truck_secondary.bays=1:200:200")
    with pytest.raises(InputError, match="too large"):
        build_grid(base, [big, other])


def test_staffed_booths_is_a_scenario_key_in_the_grid():
    base = load_scenario("laredo_wtb")
    grid = build_grid(base, [parse_axis("lanes.general.staffed_booths=10,15")])
    assert [sc.lanes["general"].staffed_booths for sc in grid.scenarios.values()] == [10, 15]
    # the schedule still says when the group is open
    assert all(
        sc.lanes["general"].open_booths_by_hour == base.lanes["general"].open_booths_by_hour
        for sc in grid.scenarios.values()
    )
    with pytest.raises(InputError, match=r"^lanes\.general\.staffed_booths = 16: exceeds"):
        build_grid(base, [parse_axis("lanes.general.staffed_booths=16")])
    with pytest.raises(InputError, match=r"^lanes\.nowhere\.staffed_booths = .*no such lane group"):
        build_grid(base, [parse_axis("lanes.nowhere.staffed_booths=3")])


def test_tasks_carry_the_validated_scenarios():
    grid = build_grid(
        load_scenario("laredo_wtb"),
        [parse_axis("streams.trucks.referral_probability=0.1,0.2")],
    )
    tasks = grid.tasks(replications=3, days=1, seed=0)
    for t in tasks:
        assert t.scenario is grid.scenarios[t.variant]


def test_sweeps_are_bounded_before_they_are_built():
    base = load_scenario("laredo_wtb")
    with pytest.raises(InputError, match=r"COUNT at most 100,000"):
        parse_axis("streams.trucks.referral_probability=0:1:1000000000")
    with pytest.raises(InputError, match="finite"):
        parse_axis("streams.trucks.referral_probability=0:inf:3")
    with pytest.raises(InputError, match="finite number"):
        build_grid(base, [parse_axis("streams.trucks.primary_service.mean_seconds=nan")])
    small = RunLimits(max_grid_scenarios=3, max_sweep_tasks=4, max_crossings=10_000)
    axis = parse_axis("streams.trucks.referral_probability=0.1,0.2,0.3")
    with pytest.raises(InputError, match="at most 2 scenarios"):
        build_grid(base, [axis], RunLimits(max_grid_scenarios=2))
    grid = build_grid(base, [axis], small)
    with pytest.raises(InputError, match=r"^sweep = '6 tasks'"):
        grid.tasks(replications=2, days=1, seed=0, limits=small)
    with pytest.raises(InputError, match=r"^days × replications = '2 × 1'"):
        grid.tasks(replications=1, days=2, seed=0, limits=small)  # ~14,700 trucks a task
    with pytest.raises(InputError, match=r"scenario-crossings"):
        grid.tasks(replications=1, days=1, seed=0, limits=RunLimits(max_sweep_crossings=1e4))
    assert len(grid.tasks(replications=1, days=1, seed=0, limits=small)) == 3


def test_port_sweep_validates_no_scenario_per_task(monkeypatch):
    """Variants are validated when the grid is built; the sweep validates only each
    primary stage's derived scenario (referral off), once per stage, not per task."""
    from border21.frontier.sweep import execute
    from border21.ports import edits

    grid = build_grid(
        load_scenario("laredo_wtb"),
        [parse_axis("streams.trucks.referral_probability=0.1,0.2,0.3")],
    )
    tasks = grid.tasks(replications=2, days=1, seed=3)
    calls = []
    validate = edits.validate_scenario

    def counting(data):
        calls.append(1)
        return validate(data)

    monkeypatch.setattr(edits, "validate_scenario", counting)
    rows = execute(tasks, workers=1)
    assert len(rows) == 6
    assert len(calls) == 2  # one primary stage per replication

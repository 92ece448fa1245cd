"""What-if grids: axis parsing and expansion into validated scenarios."""

from __future__ import annotations

import pytest

from border21.errors import InputError
from border21.frontier.grid import build_grid, parse_axis
from border21.ports.catalog import load_scenario


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

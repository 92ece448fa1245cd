"""Every key of a region file changes the equilibrium or is refused (test_every_key for regions).

Each leaf key of the toy region is changed once; the solved result (flows, waits, booths,
iterations, gap) must differ from the toy's, or validation must refuse the change. A new key
without an entry here fails the completeness test.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from _toy import toy_region

from border21.errors import InputError
from border21.regions.config import validate_region
from border21.regions.equilibrium import solve

TEXT_ONLY = {"region.description"}  # read by people, not by the model


def _leaves(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict):
        return [k for key, v in node.items() for k in _leaves(v, f"{prefix}{key}.")]
    return [prefix[:-1]]


def _toy(folder: Path) -> dict[str, Any]:
    data = toy_region(folder)
    data["choice"].update(shift_hour_minutes=60.0, forgo_minutes=240.0)
    data["ports"]["west"]["bands"]["ready"] = {"min_wait_minutes": 5.0, "max_wait_minutes": 15.0}
    return data


# Keys the toy leaves out (their defaults are "none"): each is set once, alone.
SHAPE = [0, 0, 0, 0, 0, 0, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
OPTIONAL = {
    "ports.west.officers_on_duty": {
        "personal_vehicle": [1] * 24
    },  # fewer than the schedule's 4 (2 + 2)
    "ports.west.arrival_shapes": {"car_general": SHAPE},
    "ports.west.service_by_hour": {"car_general": [2.0] * 12 + [0.5] * 12},
    "ports.east.service_by_hour": {"car_bus": [1.0] * 24},  # refused: no such segment
    "ports.west.flexible": ["general", "ready"],
    "ports.east.officers_on_duty": {
        "personal_vehicle": [4] * 24
    },  # refused: east has no banded group
    "ports.east.arrival_shapes": {"car_bus": SHAPE},  # refused: no such segment
    "ports.east.flexible": ["general"],  # refused: east has no bands
    "ports.west.balance": {"favoured": "ready", "ratio": 1.45},  # refused: no flexible pool
    "ports.east.build": True,  # east closed: west alone
    "ports.west.bias_by_segment": {"car_ready": 2.0},
    "ports.west.bands.general.min_booths": 3,  # the officers keep 3 open at night
    "ports.west.bands.ready.min_booths": 99,  # refused: more than the group's booths
    "ports.west.bands.ready.own_officers": True,  # Ready staffed apart from General
    "ports.east.bias_by_segment": {"car_bus": 1.0},  # refused: no such segment
}


def _changes(folder: Path) -> dict[str, Any]:
    east = str(folder / "east.toml")
    return {
        "region.name": "Another",
        "choice.travel_minute_utils": -0.1,
        "choice.port_time_weight": 0.5,
        "choice.shift_hour_minutes": 5.0,
        "choice.forgo_minutes": 20.0,
        "equilibrium.max_iterations": 2,
        "equilibrium.flow_tolerance": 0.001,
        "equilibrium.wait_tolerance_minutes": 0.001,
        "equilibrium.days": 1,
        "equilibrium.lane_rule_until": 0,
        "equilibrium.inner_iterations": 3,
        "segments.car_general.program": "ready",  # refused: no segment takes the general cars
        "segments.car_general.value_of_time_usd_per_hour": 2.0,
        "segments.car_general.streams.west": "lorries",  # refused: no such stream
        "segments.car_general.streams.east": "lorries",
        "segments.car_ready.program": "sentri",  # refused: no lane takes SENTRI
        "segments.car_ready.value_of_time_usd_per_hour": 2.0,
        "segments.car_ready.streams.west": "lorries",
        "segments.car_ready.streams.east": "lorries",
        "ports.west.scenario": east,
        "ports.west.bias_utils": 1.0,
        "ports.west.officers_scale": 3.0,
        "ports.west.bands.general.min_wait_minutes": 14.0,
        "ports.west.bands.general.max_wait_minutes": 50.0,
        "ports.west.bands.ready.min_wait_minutes": 0.0,  # never closes: Ready waits under 5
        "ports.west.bands.ready.max_wait_minutes": 50.0,
        "ports.east.scenario": "no_such_port",  # refused: unknown scenario
        "ports.east.bias_utils": 1.0,
        "ports.east.toll_usd.car_general": 10.0,
        "ports.east.toll_usd.car_ready": 10.0,
        "ports.east.officers_scale": 0.5,  # refused: east has no banded group for officers
        "zones.north.shares.car_general": 0.5,  # refused: shares no longer sum to 1
        "zones.north.shares.car_ready": 0.4,
        "zones.north.travel_minutes.west": 40.0,
        "zones.north.travel_minutes.east": 40.0,
        "zones.south.shares.car_general": 0.5,
        "zones.south.shares.car_ready": 0.6,
        "zones.south.travel_minutes.west": 40.0,
        "zones.south.travel_minutes.east": 5.0,
    }


def _set(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    parts = key.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return out


def _fingerprint(data: dict[str, Any]) -> tuple[Any, ...]:
    r = solve(validate_region(data), seed=3, replications=2)
    return (r.region, r.iterations, r.gaps, r.flows, r.booths, r.rows)


def test_every_key_of_the_toy_is_walked(tmp_path: Path) -> None:
    from border21.regions.config import Balance, Band, RegionPort

    keys = set(_leaves(_toy(tmp_path)))
    assert keys - TEXT_ONLY == set(_changes(tmp_path))
    port_keys = {k.split(".")[2] for k in keys | set(OPTIONAL) if k.startswith("ports.")}
    assert port_keys == set(RegionPort.model_fields)
    band_keys = {k.split(".")[4] for k in keys | set(OPTIONAL) if ".bands." in k}
    assert band_keys == set(Band.model_fields)
    assert set(BALANCE) == set(Balance.model_fields)


def test_every_key_changes_the_result_or_is_refused(tmp_path: Path) -> None:
    data = _toy(tmp_path)
    base = _fingerprint(data)
    silent = []
    for key, value in {**_changes(tmp_path), **OPTIONAL}.items():
        try:
            changed = _fingerprint(_set(data, key, value))
        except (InputError, LookupError):
            continue
        if changed == base:
            silent.append(key)
    assert not silent, f"keys that changed nothing: {silent}"


def test_a_floor_above_the_group_s_booths_is_refused(tmp_path: Path) -> None:
    data = _set(_toy(tmp_path), "ports.west.bands.ready.min_booths", 99)
    with pytest.raises(InputError, match=r"bands\.ready\.min_booths.*more than the group's"):
        solve(validate_region(data), replications=1)


def test_shifting_hours_without_forgoing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="choice.shift_hour_minutes cannot act without"):
        validate_region(_set(toy_region(tmp_path), "choice.shift_hour_minutes", 60.0))


@pytest.mark.parametrize("key", ["ports.east.officers_scale"])
def test_officers_on_a_port_without_bands_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(InputError, match="no banded lane group"):
        validate_region(_set(toy_region(tmp_path), key, 0.5))


def test_officers_for_a_kind_of_traffic_no_band_serves_are_refused(tmp_path: Path) -> None:
    """Car, truck and pedestrian lanes are staffed apart: officers for trucks at a port whose
    only banded lanes are car lanes could staff nothing."""
    data = _set(toy_region(tmp_path), "ports.west.officers_on_duty", {"truck": [3] * 24})
    with pytest.raises(InputError, match=r"officers_on_duty\.truck.*no banded lane group serves"):
        solve(validate_region(data), replications=1)


def test_a_scale_with_every_kind_s_officers_given_is_refused(tmp_path: Path) -> None:
    data = _set(toy_region(tmp_path), "ports.west.officers_on_duty", {"personal_vehicle": [3] * 24})
    data = _set(data, "ports.west.officers_scale", 2.0)
    with pytest.raises(InputError, match=r"officers_scale.*every kind of traffic"):
        solve(validate_region(data), replications=1)


def test_own_officers_staff_a_group_apart_from_the_lanes_of_its_kind(tmp_path: Path) -> None:
    from border21.regions.equilibrium import _port_setup

    # one officer for the car lanes: both groups keep their one booth (their floors); Ready's
    # band wants a second booth whenever anyone waits a minute
    data = _set(_toy(tmp_path), "ports.west.officers_on_duty", {"personal_vehicle": [1] * 24})
    data = _set(data, "ports.west.bands.ready.max_wait_minutes", 1.0)
    data = _set(data, "ports.west.bands.ready.min_wait_minutes", 0.0)
    apart = _set(data, "ports.west.bands.ready.own_officers", True)
    shared_setup = _port_setup(validate_region(data), "west")
    apart_setup = _port_setup(validate_region(apart), "west")
    assert shared_setup.kinds == ("personal_vehicle",) and list(shared_setup.staff) == [0, 0]
    assert apart_setup.kinds == ("personal_vehicle", "lanes.ready")
    assert list(apart_setup.staff) == [0, 1]
    # Ready's own officers: officers_scale (1) × its booths, every hour
    assert (apart_setup.officers[1] == 2).all() and apart_setup.max_booths[1] == 2
    assert (apart_setup.officers[0] == 1).all()
    shared = solve(validate_region(data), seed=3, replications=1)
    alone = solve(validate_region(apart), seed=3, replications=1)
    assert max(shared.booths["west"]["ready"]) == 1  # the shortage held it to its floor
    assert max(alone.booths["west"]["ready"]) == 2  # its own officers open its second booth
    assert shared.booths["west"]["general"] == alone.booths["west"]["general"]


def test_officers_of_a_kind_every_banded_group_of_which_staffs_apart_are_refused(
    tmp_path: Path,
) -> None:
    data = _set(_toy(tmp_path), "ports.west.officers_on_duty", {"personal_vehicle": [1] * 24})
    data = _set(data, "ports.west.bands.ready.own_officers", True)
    data = _set(data, "ports.west.bands.general.own_officers", True)
    with pytest.raises(InputError, match=r"officers_on_duty\.personal_vehicle.*own_officers"):
        solve(validate_region(data), replications=1)


# A pool the toy can take: west's General lanes unstacked, as Ready's, so a lane can move.
BALANCE = {"favoured": "general", "ratio": 3.0, "max_wait_minutes": 1.0}


def _pooled(folder: Path) -> dict[str, Any]:
    data = _toy(folder)
    west = folder / "west_unstacked.toml"
    text = (folder / "west.toml").read_text(encoding="utf-8")
    west.write_text(text.replace("booths_per_lane = 2\n", "booths_per_lane = 1\n"), "utf-8")
    data["ports"]["west"]["scenario"] = str(west)
    data["ports"]["west"]["flexible"] = ["general", "ready"]
    data["ports"]["west"]["balance"] = {"favoured": "ready", "ratio": 1.45}
    return data


def test_every_key_of_the_balance_changes_the_result(tmp_path: Path) -> None:
    data = _pooled(tmp_path)
    base = _fingerprint(data)
    assert base != _fingerprint(_set(data, "ports.west.balance", None))  # it acts
    for key, value in BALANCE.items():
        assert _fingerprint(_set(data, f"ports.west.balance.{key}", value)) != base, key


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("ports.west.balance.favoured", "sentri", r"favoured = sentri.*flexible: general, ready"),
        ("ports.west.flexible", [], r"balance\.favoured = ready.*flexible: none"),
        ("ports.west.balance.ratio", 0.5, r"ratio"),
        ("ports.west.balance.max_wait_minutes", float("inf"), r"max_wait_minutes"),
    ],
)
def test_a_balance_it_cannot_apply_is_refused(
    tmp_path: Path, key: str, value: Any, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        validate_region(_set(_pooled(tmp_path), key, value))


def test_a_balance_between_staffs_apart_is_refused(tmp_path: Path) -> None:
    data = _set(_pooled(tmp_path), "ports.west.bands.ready.own_officers", True)
    with pytest.raises(InputError, match=r"ports\.west\.balance.*staffed apart"):
        solve(validate_region(data), replications=1)

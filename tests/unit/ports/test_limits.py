"""Bounds: every scenario number finite and bounded; the work of a run bounded before it starts."""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import Any

import pytest

from border21.errors import InputError
from border21.ports import limits
from border21.ports.catalog import load_scenario
from border21.ports.config import set_key, validate_scenario
from border21.ports.limits import DEFAULT_LIMITS, RunLimits, expected_crossings

EXPORT = {
    "streams": ["cars"],
    "booths": 4,
    "service": {"mean_seconds": 45},
    "secondary_service": {"mean_seconds": 1200},
}
BIG_GROUP = {"lanes.general.lanes": 125, "lanes.general.booths_per_lane": 4}  # 500 booths
HOUR = [1.0] * 24
WEEK = [1.0] * 7

# (key, bound (or: value accepted, bound named), value just above, other keys to set first)
BOUNDED: list[tuple[str, Any, Any, dict[str, Any]]] = [
    ("streams.cars.crossings_per_day", limits.MAX_CROSSINGS_PER_DAY, 1_000_001, {}),
    ("streams.cars.hour_of_day_shape.5", limits.MAX_SHAPE_WEIGHT, 1_000_001.0,
     {"streams.cars.hour_of_day_shape": HOUR}),
    ("streams.cars.weekday_shape.2", limits.MAX_SHAPE_WEIGHT, 1_000_001.0,
     {"streams.cars.weekday_shape": WEEK}),
    ("streams.cars.primary_service.mean_seconds", limits.MAX_SERVICE_SECONDS, 86_400.5, {}),
    ("streams.cars.primary_service.mean_seconds_by_program.sentri",
     limits.MAX_SERVICE_SECONDS, 86_401, {}),
    ("streams.cars.primary_service.cv", limits.MAX_CV, 10.01,
     {"streams.cars.primary_service.distribution": "lognormal"}),
    ("streams.cars.referral_probability", 1.0, 1.01, {}),
    ("lanes.general.lanes", limits.MAX_LANES, 201, {}),
    ("lanes.ped.booths_per_lane", limits.MAX_BOOTHS_PER_LANE, 65, {"lanes.ped.lanes": 1}),
    # 125 lanes × 4 booths = the 500 booths a group may have
    ("lanes.general.booths_per_lane", (4, limits.MAX_GROUP_BOOTHS), 5,
     {"lanes.general.lanes": 125}),
    ("lanes.general.open_booths_by_hour.0", limits.MAX_GROUP_BOOTHS, 501,
     {**BIG_GROUP, "lanes.general.open_booths_by_hour": [1] * 24}),
    ("lanes.general.staffed_booths", 10, 11, {}),  # the group's 5 × 2 booths
    ("lanes.general.open_booths_by_hour.0", 10, 11,
     {"lanes.general.open_booths_by_hour": [1] * 24}),
    ("secondary.veh.bays", limits.MAX_BAYS, 501, {}),
    ("secondary.veh.open_bays_by_hour.0", limits.MAX_BAYS, 501,
     {"secondary.veh.bays": 500, "secondary.veh.open_bays_by_hour": [1] * 24}),
    ("secondary.veh.service.mean_seconds", limits.MAX_SERVICE_SECONDS, 90_000, {}),
    ("port.start_weekday", 6, 7, {}),
    ("cooperation.trusted_enrolment_scale", limits.MAX_ENROLMENT_SCALE, 100.5, {}),
    ("cooperation.southbound_screening_seconds", limits.MAX_SERVICE_SECONDS, 86_401, {}),
    ("cooperation.southbound_bays", limits.MAX_BAYS, 501, {}),
    ("cooperation.southbound_service.mean_seconds", limits.MAX_SERVICE_SECONDS, 86_401, {}),
    ("cooperation.export_inspection.booths", limits.MAX_LANES, 201,
     {"cooperation.export_inspection": EXPORT}),
    ("cooperation.export_inspection.open_booths_by_hour.0", limits.MAX_LANES, 201,
     {"cooperation.export_inspection": EXPORT, "cooperation.export_inspection.booths": 200,
      "cooperation.export_inspection.open_booths_by_hour": [1] * 24}),
    ("cooperation.export_inspection.open_booths_by_hour.0", 4, 5,
     {"cooperation.export_inspection": EXPORT,
      "cooperation.export_inspection.open_booths_by_hour": [1] * 24}),
    ("secondary.veh.open_bays_by_hour.0", 10, 11, {"secondary.veh.open_bays_by_hour": [1] * 24}),
    ("cooperation.export_inspection.bays", limits.MAX_BAYS, 501,
     {"cooperation.export_inspection": EXPORT}),
    ("cooperation.export_inspection.transit_seconds", limits.MAX_SERVICE_SECONDS, 86_401,
     {"cooperation.export_inspection": EXPORT}),
    ("cooperation.export_inspection.joint_primary_extra_seconds", limits.MAX_SERVICE_SECONDS,
     86_401, {"cooperation.export_inspection": EXPORT}),
    ("cooperation.export_inspection.service.cv", limits.MAX_CV, 11,
     {"cooperation.export_inspection": EXPORT,
      "cooperation.export_inspection.service.distribution": "gamma"}),
]  # fmt: skip


def _with(toy: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(toy)
    for key, value in values.items():
        set_key(data, key.split("."), copy.deepcopy(value))
    return data


def _bound_text(bound: float) -> str:
    return f"{bound:g}" if not float(bound).is_integer() else str(int(bound))


@pytest.mark.parametrize(("key", "bound", "above", "extra"), BOUNDED, ids=[b[0] for b in BOUNDED])
def test_each_bound_accepts_its_value_and_refuses_one_above(toy, key, bound, above, extra):
    at, bound = bound if isinstance(bound, tuple) else (bound, bound)
    at = int(at) if isinstance(above, int) else at
    validate_scenario(_with(toy, {**extra, key: at}))
    with pytest.raises(InputError) as err:
        validate_scenario(_with(toy, {**extra, key: above}))
    msg = str(err.value)
    schedule, _, hour = key.rpartition(".")
    named = f"{key} = " if not hour.isdigit() or "exceeds" not in msg else f"{schedule} = "
    assert msg.startswith(named), msg  # a schedule checked against its group names the hour
    assert _bound_text(bound) in msg.split(": ", 1)[1], msg
    assert "\n" not in msg


@pytest.mark.parametrize("key", [b[0] for b in BOUNDED])
@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan], ids=["inf", "-inf", "nan"])
def test_inf_and_nan_are_refused_everywhere(toy, key, bad):
    extra = next(e for k, _, _, e in BOUNDED if k == key)
    with pytest.raises(InputError) as err:
        validate_scenario(_with(toy, {**extra, key: bad}))
    msg = str(err.value)
    assert msg.startswith(f"{key} = "), msg
    assert "finite number" in msg or "valid integer" in msg, msg


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("port.name", "x" * 201, "at most 200 characters"),
        ("port.description", "x" * 10_001, "at most 10000 characters"),
        ("lanes.general.streams", ["cars"] * 51, "at most 50 items"),
        ("lanes.general.accepts", ["general"] * 5, "at most 4 items"),
    ],
)
def test_text_and_list_lengths_are_bounded_and_shown_short(toy, key, value, words):
    with pytest.raises(InputError) as err:
        validate_scenario(_with(toy, {key: value}))
    msg = str(err.value)
    assert msg.startswith(key) and words in msg
    assert len(msg) < 250  # the long value is elided


@pytest.mark.parametrize("table", ["streams", "lanes", "secondary"])
def test_at_most_fifty_streams_groups_and_areas(toy, table):
    data = copy.deepcopy(toy)
    first = next(iter(data[table].values()))
    data[table] = {f"x{i}": copy.deepcopy(first) for i in range(51)}
    with pytest.raises(InputError, match=rf"^{table} = .*at most 50 items"):
        validate_scenario(data)


def test_a_billion_lanes_is_refused_without_allocating(toy):
    with pytest.raises(InputError, match=r"lanes\.general\.lanes = 1000000000: .*200"):
        validate_scenario(_with(toy, {"lanes.general.lanes": 1_000_000_000}))


def test_staffed_booths_zero_is_refused(toy):
    with pytest.raises(InputError, match=r"lanes\.general\.staffed_booths = 0: .*at least 1"):
        validate_scenario(_with(toy, {"lanes.general.staffed_booths": 0}))


def test_shipped_scenarios_are_within_bounds_and_limits():
    for name in ("san_ysidro", "laredo_wtb", "otay_mesa", "el_paso_bota"):
        DEFAULT_LIMITS.check_run(load_scenario(name), days=365, replications=1)


# ------------------------------------------------------------------ run limits


def test_expected_crossings_follows_weekday_shapes():
    laredo = load_scenario("laredo_wtb")
    per_day = laredo.streams["trucks"].crossings_per_day
    assert expected_crossings(laredo, days=14, replications=3) == pytest.approx(per_day * 42)
    week = laredo.streams["trucks"].weekday_shape
    monday = week[0] / (sum(week) / 7)
    assert expected_crossings(laredo, days=1) == pytest.approx(per_day * monday)
    # O(1) in days: a huge horizon is counted, not iterated
    assert expected_crossings(laredo, days=10**12) > 1e15


@pytest.mark.parametrize(
    ("kwargs", "field", "bound"),
    [
        ({"days": 3_661, "replications": 1}, "days", "3,660"),
        ({"days": 0, "replications": 1}, "days", "at least 1"),
        ({"days": 1, "replications": 1_001}, "replications", "1,000"),
        ({"days": 1, "replications": 0}, "replications", "at least 1"),
    ],
)
def test_days_and_replications(kwargs, field, bound):
    with pytest.raises(InputError) as err:
        DEFAULT_LIMITS.check_counts(**kwargs)
    assert str(err.value).startswith(f"{field} = ") and bound in str(err.value)
    at = {k: (3_660 if k == "days" else 1_000) if v > 1 else 1 for k, v in kwargs.items()}
    DEFAULT_LIMITS.check_counts(**at)


def test_expected_crossings_bound():
    san_ysidro = load_scenario("san_ysidro")
    year = expected_crossings(san_ysidro, days=365)
    assert year < DEFAULT_LIMITS.max_crossings < 2 * year
    assert DEFAULT_LIMITS.check_run(san_ysidro, days=365, replications=1) == year
    with pytest.raises(InputError) as err:
        DEFAULT_LIMITS.check_run(san_ysidro, days=365, replications=2)
    msg = str(err.value)
    assert msg.startswith("days × replications = '365 × 2'") and "50,000,000" in msg
    exact = RunLimits(max_crossings=int(year) + 1)
    exact.check_run(san_ysidro, days=365, replications=1)


def test_sweep_bounds():
    DEFAULT_LIMITS.check_grid(100_000)
    with pytest.raises(InputError, match=r"--vary = 100001: .*100,000 scenarios"):
        DEFAULT_LIMITS.check_grid(100_001)
    DEFAULT_LIMITS.check_tasks(200_000)
    with pytest.raises(InputError, match=r"sweep = '200,001 tasks': .*200,000"):
        DEFAULT_LIMITS.check_tasks(200_001)
    DEFAULT_LIMITS.check_sweep_crossings(1e12)
    with pytest.raises(InputError, match=r"1,000,000,000,000"):
        DEFAULT_LIMITS.check_sweep_crossings(1.01e12)
    DEFAULT_LIMITS.check_rounds(50)
    with pytest.raises(InputError, match=r"--hourly-rounds = 51: must be in \[0, 50\]"):
        DEFAULT_LIMITS.check_rounds(51)


def test_limits_are_a_frozen_value_object():
    strict = RunLimits(max_days=28, max_replications=20)
    with pytest.raises(dataclasses.FrozenInstanceError):
        strict.max_days = 1  # type: ignore[misc]
    with pytest.raises(InputError, match="at most 28 days"):
        strict.check_counts(days=29, replications=1)
    # the defaults keep the largest accepted run within the documented memory
    assert DEFAULT_LIMITS.max_crossings * limits.BYTES_PER_CROSSING < 4e9

"""Typed what-if edits: each returns a validated scenario; errors name the full key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from border21.errors import InputError
from border21.ports import edits
from border21.ports.catalog import load_scenario
from border21.ports.config import PortScenario, validate_scenario
from border21.ports.runs import config_hash


@pytest.fixture(scope="module")
def laredo() -> PortScenario:
    return load_scenario("laredo_wtb")


@pytest.fixture(scope="module")
def san_ysidro() -> PortScenario:
    return load_scenario("san_ysidro")


def test_with_overrides_parses_set_text(laredo):
    sc = edits.with_overrides(
        laredo, ["lanes.fast.lanes=6", "streams.trucks.primary_service.cv=0.8"]
    )
    assert sc.lanes["fast"].lanes == 6 and sc.streams["trucks"].primary_service.cv == 0.8
    assert laredo.lanes["fast"].lanes == 4  # the input is not modified
    assert edits.with_overrides(laredo, []) is laredo


def test_with_values_sets_several_keys_validated_together(laredo):
    # 30 open booths are valid only together with 30 lanes
    sc = edits.with_values(
        laredo, {"lanes.general.lanes": 30, "lanes.general.open_booths_by_hour": [30] * 24}
    )
    assert sc.lanes["general"].open_booths() == [30] * 24
    with pytest.raises(InputError, match=r"^lanes\.general\.open_booths_by_hour = .*exceeds"):
        edits.with_value(laredo, "lanes.general.open_booths_by_hour", [30] * 24)


@pytest.mark.parametrize(
    ("key", "value", "field", "words"),
    [
        ("lanes.fast.lanes", 1_000, "lanes.fast.lanes", "less than or equal to 200"),
        ("lanes.fast.lanes", -1, "lanes.fast.lanes", "greater than or equal to 1"),
        ("lanes.fast.colour", "red", "lanes.fast.colour", "unknown key"),
        ("lanes.fast.staffed_booths", 5, "lanes.fast.staffed_booths", "exceeds the group's 4"),
        ("lanes.nowhere.lanes", 3, "lanes.nowhere.lanes", "no such lane group (have: general"),
        ("streams.cars.crossings_per_day", 3, "streams.cars.crossings_per_day", "no such stream"),
        ("secondary.none.bays", 3, "secondary.none.bays", "no such secondary area"),
        (
            "streams.trucks.primary_service.mean_seconds",
            float("inf"),
            "streams.trucks.primary_service.mean_seconds",
            "finite number",
        ),
        (
            "lanes.general.open_booths_by_hour.30",
            1,
            "lanes.general.open_booths_by_hour.30",
            "index",
        ),
    ],
)
def test_errors_name_the_full_dotted_key(laredo, key, value, field, words):
    with pytest.raises(InputError) as err:
        edits.with_value(laredo, key, value)
    msg = str(err.value)
    assert msg.startswith(f"{field} = "), msg
    assert words in msg, msg


def test_a_new_group_can_still_be_added_whole(laredo):
    sc = edits.with_value(laredo, "lanes.extra", {"streams": ["trucks"], "lanes": 2})
    assert sc.lanes["extra"].booths == 2
    sc = edits.with_overrides(
        laredo, ['lanes.extra.streams=["trucks"]', "lanes.extra.lanes=2"]
    )  # several overrides that together make a valid group
    assert sc.lanes["extra"].lanes == 2


def test_validated_takes_a_file_mapping_with_overrides(laredo):
    data = laredo.model_dump(mode="python")
    sc = edits.validated(data, ["lanes.fast.staffed_booths=3"])
    assert sc.lanes["fast"].staffed_booths == 3
    with pytest.raises(InputError, match=r"^lanes\.fast\.lanes = 0"):
        edits.validated(data, ["lanes.fast.lanes=0"])


# ------------------------------------------------------------------ staffed booths


def test_staffed_booths_keeps_closed_hours_closed(laredo):
    shipped = laredo.lanes["general"].open_booths()
    sc = edits.with_staffed_booths(laredo, "general", 14)
    assert sc.lanes["general"].open_booths() == [14 if n else 0 for n in shipped]
    assert sc.lanes["general"].open_booths_by_hour == laredo.lanes["general"].open_booths_by_hour
    back = edits.with_staffed_booths(sc, "general", None)
    assert back.lanes["general"].open_booths() == shipped
    assert config_hash(back) == config_hash(laredo)


def test_staffed_booths_without_a_schedule_opens_every_hour(san_ysidro):
    assert san_ysidro.lanes["southbound"].open_booths_by_hour is None
    sc = edits.with_staffed_booths(san_ysidro, "southbound", 2)
    assert sc.lanes["southbound"].open_booths() == [2] * 24


def test_staffed_booths_is_part_of_the_hash_and_the_dump(laredo):
    sc = edits.with_staffed_booths(laredo, "general", 12)
    assert config_hash(sc) != config_hash(laredo)
    assert sc.model_dump()["lanes"]["general"]["staffed_booths"] == 12
    # unset, it is left out of the dump, so earlier hashes still hold
    assert "staffed_booths" not in laredo.model_dump()["lanes"]["general"]
    assert validate_scenario(sc.model_dump(mode="json")) == sc


def test_staffed_booths_in_a_scenario_file(tmp_path: Path):
    text = """
[port]
name = "Toy"
[streams.cars]
kind = "personal_vehicle"
crossings_per_day = 2400
[streams.cars.primary_service]
mean_seconds = 30
[lanes.general]
streams = ["cars"]
lanes = 4
open_booths_by_hour = [0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
staffed_booths = 3
"""
    path = tmp_path / "toy.toml"
    path.write_text(text)
    group = load_scenario(str(path)).lanes["general"]
    assert group.open_booths() == [0] * 6 + [3] * 18
    path.write_text(text.replace("staffed_booths = 3", "staffed_booths = 5"))
    with pytest.raises(InputError, match=r"^lanes\.general\.staffed_booths = 5: exceeds .* 4"):
        load_scenario(str(path))


# ------------------------------------------------------------------ sliders and scales


def test_booth_scale_matches_the_dashboard_slider(laredo):
    sc = edits.with_booth_scale(laredo, 1.5)
    old, new = laredo.lanes["general"], sc.lanes["general"]
    assert old.open_booths_by_hour is not None
    assert new.open_booths() == [max(0 if n == 0 else 1, round(n * 1.5)) for n in old.open_booths()]
    assert (old.lanes, new.lanes) == (15, 18)  # lanes grow to fit 18 open booths
    assert sc.lanes["fast"].lanes == 4  # 3 × 1.5 rounds to 4 open booths: the 4 lanes fit
    with pytest.raises(InputError, match=r"^booth_scale = 5.0: must be in \[0.1, 4\]"):
        edits.with_booth_scale(laredo, 5.0)


def test_booth_scale_scales_staffed_booths_and_adds_lanes(laredo):
    sc = edits.with_booth_scale(edits.with_staffed_booths(laredo, "general", 12), 2.0)
    assert sc.lanes["general"].staffed_booths == 24
    assert sc.lanes["general"].lanes == 24
    assert max(sc.lanes["general"].open_booths()) == 24


def test_referral_rate(laredo):
    sc = edits.with_referral_rate(laredo, 0.25)
    assert sc.streams["trucks"].referral_for("fast") == 0.25
    assert sc.streams["trucks"].referral_probability_by_program == {}
    with pytest.raises(InputError, match=r"^referral_rate = 1.5"):
        edits.with_referral_rate(laredo, 1.5)


def test_schedules_replace_staffing_and_clear_staffed_booths(laredo):
    staffed = edits.with_staffed_booths(laredo, "general", 12)
    sc = edits.with_schedules(staffed, {"general": [5] * 24})
    assert sc.lanes["general"].staffed_booths is None
    assert sc.lanes["general"].open_booths() == [5] * 24
    with pytest.raises(InputError, match=r"^lanes\.general\.open_booths_by_hour = .*exceeds"):
        edits.with_schedules(laredo, {"general": [99] * 24})
    with pytest.raises(InputError, match=r"^lanes\.nowhere\.open_booths_by_hour = .*no such"):
        edits.with_schedules(laredo, {"nowhere": [1] * 24})


def test_scaled_service_staffing_and_volume(san_ysidro):
    sc = edits.scaled(san_ysidro, {"sentri": 1.2}, {"general": 0.5}, volume=2.0)
    svc = sc.streams["cars_sentri"].primary_service
    before = san_ysidro.streams["cars_sentri"].primary_service.mean_for("sentri")
    assert svc.mean_for("sentri") == pytest.approx(1.2 * before)
    old = san_ysidro.lanes["general"].open_booths()
    assert sc.lanes["general"].open_booths() == [
        min(san_ysidro.lanes["general"].booths, max(1 if n else 0, round(n * 0.5))) for n in old
    ]
    for name, stream in sc.streams.items():
        assert stream.crossings_per_day == 2.0 * san_ysidro.streams[name].crossings_per_day
    assert edits.scaled(san_ysidro) is san_ysidro
    with pytest.raises(InputError, match=r"crossings_per_day = .*less than or equal to 1000000"):
        edits.scaled(san_ysidro, volume=1000.0)
    with pytest.raises(InputError, match=r"^lanes\.nowhere = 'nowhere': no such lane group"):
        edits.scaled(san_ysidro, {"nowhere": 1.1})


def test_scaled_service_uses_each_programs_own_mean(toy):
    sc = validate_scenario(toy)  # cars: 34 s in general, 20 s in SENTRI
    out = edits.scaled(sc, {"sentri": 1.5})
    assert out.streams["cars"].primary_service.mean_for("sentri") == pytest.approx(30.0)
    assert out.streams["cars"].primary_service.mean_for("general") == 34.0


def test_scaled_service_touches_only_the_programs_a_group_serves(san_ysidro):
    # pedestrians are 60% general (48 s) and 40% Ready (28 s); ped_general serves the general
    out = edits.scaled(san_ysidro, {"ped_general": 2.0})
    service = out.streams["pedestrians"].primary_service
    assert (service.mean_for("general"), service.mean_for("ready")) == (96.0, 28.0)
    # a program with no crossings is left alone: the scenario does not change
    nobody = edits.with_value(
        san_ysidro, "streams.pedestrians.program_shares", {"general": 1.0, "ready": 0.0}
    )
    assert edits.scaled(nobody, {"ped_ready": 2.0}) == nobody


def test_scaled_staffing_keeps_closed_hours_closed_and_open_hours_open(laredo):
    night, day = [0] * 7, [1] * 5 + [3] * 12  # 1 × 0.1 and 3 × 0.1 both round to 0
    sc = edits.with_schedules(laredo, {"fast": night + day})
    out = edits.scaled(sc, staffing={"fast": 0.1})
    assert out.lanes["fast"].open_booths() == night + [1] * 17
    out = edits.scaled(sc, staffing={"fast": 10.0})
    assert out.lanes["fast"].open_booths() == night + [4] * 17  # at most the group's 4 booths


def test_scaled_names_the_lane_groups_there_are(san_ysidro):
    with pytest.raises(InputError) as err:
        edits.scaled(san_ysidro, staffing={"nowhere": 1.1})
    assert str(err.value) == (
        "lanes.nowhere = 'nowhere': no such lane group "
        "(have: general, ready, sentri, ped_general, ped_ready, southbound)"
    )


@pytest.mark.parametrize("factor", [edits.MIN_BOOTH_SCALE, edits.MAX_BOOTH_SCALE])
def test_booth_scale_accepts_the_ends_of_the_slider(laredo, factor):
    sc = edits.with_booth_scale(laredo, factor)
    assert max(sc.lanes["general"].open_booths()) == round(12 * factor)


@pytest.mark.parametrize("factor", [0.09, 4.01])
def test_booth_scale_refuses_beyond_the_slider(laredo, factor):
    with pytest.raises(InputError) as err:
        edits.with_booth_scale(laredo, factor)
    assert str(err.value) == f"booth_scale = {factor!r}: must be in [0.1, 4]"


def test_booth_scale_keeps_one_booth_in_open_hours(laredo):
    sc = edits.with_booth_scale(laredo, 0.1)  # fast: 3 booths × 0.1 rounds to none
    assert sc.lanes["fast"].open_booths() == [0] * 7 + [1] * 17
    assert sc.lanes["general"].open_booths() == [0] * 7 + [1] * 17
    staffed = edits.with_booth_scale(edits.with_staffed_booths(laredo, "fast", 3), 0.1)
    assert staffed.lanes["fast"].staffed_booths == 1


def test_booth_scale_adds_lanes_of_several_booths(san_ysidro):
    """San Ysidro's general lanes have stacked booths: 8 lanes × 2 open 16 booths."""
    doubled = edits.with_booth_scale(san_ysidro, 2.0)
    assert max(doubled.lanes["general"].open_booths()) == 32
    assert doubled.lanes["general"].lanes == 16
    staffed = edits.with_staffed_booths(san_ysidro, "general", 16)
    doubled = edits.with_booth_scale(staffed, 2.0)
    assert (doubled.lanes["general"].staffed_booths, doubled.lanes["general"].lanes) == (32, 16)


@pytest.mark.parametrize(("factor", "lanes"), [(0.1, 1), (0.5, 2), (2.0, 10), (4.0, 20)])
def test_booth_scale_scales_the_lanes_of_a_group_without_schedule(san_ysidro, factor, lanes):
    assert san_ysidro.lanes["southbound"].open_booths_by_hour is None
    assert san_ysidro.lanes["southbound"].lanes == 5
    sc = edits.with_booth_scale(san_ysidro, factor)
    assert sc.lanes["southbound"].lanes == lanes
    assert sc.lanes["southbound"].open_booths() == [lanes] * 24


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_referral_rate_accepts_zero_and_one(laredo, rate):
    sc = edits.with_referral_rate(laredo, rate)
    assert sc.streams["trucks"].referral_for("general") == rate


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_referral_rate_refuses_beyond_zero_and_one(laredo, rate):
    with pytest.raises(InputError) as err:
        edits.with_referral_rate(laredo, rate)
    assert str(err.value) == f"referral_rate = {rate!r}: must be in [0, 1]"


# ------------------------------------------------------------------ keys and names


@pytest.mark.parametrize("key", ["", " ", "..", " . "])
def test_an_empty_key_is_refused(laredo, key):
    with pytest.raises(InputError) as err:
        edits.with_value(laredo, key, 1)
    assert (err.value.field, err.value.value, err.value.reason) == ("key", key, "empty key")


def test_an_unknown_name_is_named_with_the_ones_there_are(laredo):
    with pytest.raises(InputError) as err:
        edits.with_value(laredo, "lanes.nowhere.lanes", 3)
    assert str(err.value) == (
        "lanes.nowhere.lanes = 'nowhere': no such lane group (have: general, fast)"
    )
    no_secondary = validate_scenario(
        {
            "port": {"name": "Toy"},
            "streams": {"cars": {"kind": "personal_vehicle", "crossings_per_day": 100,
                                 "primary_service": {"mean_seconds": 30}}},
            "lanes": {"general": {"streams": ["cars"], "lanes": 1}},
        }
    )  # fmt: skip
    with pytest.raises(InputError) as err:
        edits.with_value(no_secondary, "secondary.exams.bays", 3)
    assert str(err.value) == "secondary.exams.bays = 'exams': no such secondary area (have: none)"


def test_a_new_group_that_is_invalid_says_why(laredo):
    """Adding a whole group is not an unknown name: the error is the group's own."""
    with pytest.raises(InputError) as err:
        edits.with_value(laredo, "lanes.extra", {"streams": ["nowhere"], "lanes": 2})
    assert "unknown stream 'nowhere'" in str(err.value)
    assert "no such lane group" not in str(err.value)


# ------------------------------------------------------------------ edits that cannot act


def test_each_override_that_cannot_act_gets_one_line(laredo):
    overrides = [
        "lanes.general.open_booths_by_hour=" + str([30] * 24),  # invalid alone: skipped
        "lanes.fast.staffed_booths=2",  # acts
        "port.start_weekday=3",  # acts: Saturday's traffic is lighter
        "port.name='Other'",
        "lanes.fast.lanes=6",
        "lanes.fast.booths_per_lane=2",
        "lanes.fast.program='fast'",  # its value already
    ]
    cannot = (
        "cannot act: the group's schedule opens at most 3 booth(s) in any hour; "
        "raise lanes.fast.open_booths_by_hour or set lanes.fast.staffed_booths"
    )
    assert edits.inert_overrides(laredo, overrides) == [
        "port.name = 'Other' changes labels only, not what is simulated",
        f"lanes.fast.lanes = 6 {cannot}",
        f"lanes.fast.booths_per_lane = 2 {cannot}",
        "lanes.fast.program = 'fast' changes nothing that is simulated",
    ]


def test_reordering_a_mapping_changes_nothing(laredo):
    key = "streams.trucks.primary_service.mean_seconds_by_program"
    sc = edits.with_value(laredo, key, {"fast": 27.0, "general": 110.0})
    assert edits.inert_overrides(sc, [f"{key}={{general=110.0, fast=27.0}}"]) == [
        f"{key} = {{'general': 110.0, 'fast': 27.0}} changes nothing that is simulated"
    ]


def test_a_lane_groups_program_acts_even_when_it_serves_the_same_crossings(laredo):
    sc = edits.with_value(laredo, "lanes.fast.accepts", ["fast"])
    assert edits.inert_overrides(sc, ["lanes.fast.program='general'"]) == []


def _small_port(lanes: dict[str, Any]) -> PortScenario:
    return validate_scenario(
        {
            "port": {"name": "Toy"},
            "streams": {
                name: {"kind": "personal_vehicle", "crossings_per_day": 500,
                       "primary_service": {"mean_seconds": 30}}
                for name in ("north", "south")
            },
            "lanes": lanes,
        }
    )  # fmt: skip


def test_which_lanes_a_stream_may_use_acts():
    sc = _small_port(
        {
            "a": {"streams": ["north"], "lanes": 1},
            "b": {"streams": ["north"], "lanes": 1},
            "c": {"streams": ["south"], "lanes": 1},
        }
    )
    moved = "lanes.b.streams=['south']"  # north loses lane b, south gains it
    shared = "lanes.b.streams=['north', 'south']"  # only south's lanes change
    assert edits.inert_overrides(sc, [moved, shared]) == []


def test_a_one_lane_halls_schedule_acts():
    sc = _small_port(
        {"hall": {"streams": ["north", "south"], "lanes": 1, "booths_per_lane": 3,
                  "open_booths_by_hour": [2] * 24}}
    )  # fmt: skip
    assert edits.inert_overrides(sc, ["lanes.hall.open_booths_by_hour=" + str([3] * 24)]) == []
    assert edits.inert_overrides(sc, ["lanes.hall.booths_per_lane=4"]) == [
        "lanes.hall.booths_per_lane = 4 cannot act: the group's schedule opens at most 2 "
        "booth(s) in any hour; raise lanes.hall.open_booths_by_hour or set "
        "lanes.hall.staffed_booths"
    ]

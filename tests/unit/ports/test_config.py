from __future__ import annotations

from pathlib import Path

import pytest

from border21.errors import InputError, NotFoundError
from border21.ports.catalog import load_scenario, resolve_scenario
from border21.ports.config import apply_overrides, parse_override, validate_scenario


def test_valid_toy_scenario(toy):
    sc = validate_scenario(toy)
    assert sc.lanes["general"].booths == 10
    assert sc.eligible_groups("cars", "sentri") == ["sentri"]
    assert sc.streams["cars"].primary_service.mean_for("sentri") == 20
    assert sc.streams["cars"].primary_service.mean_for("general") == 34


def test_config_is_frozen(toy):
    sc = validate_scenario(toy)
    with pytest.raises(Exception, match="frozen"):
        sc.port.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (
            ["streams", "cars", "referral_probability"],
            1.5,
            "streams.cars.referral_probability",
            "less than or equal to 1",
        ),
        (
            ["streams", "cars", "carrier_probability"],
            -0.1,
            "streams.cars.carrier_probability",
            "greater than or equal to 0",
        ),
        (["lanes", "general", "lanes"], -2, "lanes.general.lanes", "greater than or equal to 1"),
        (
            ["streams", "cars", "crossings_per_day"],
            "many",
            "streams.cars.crossings_per_day",
            "valid number",
        ),
        (["lanes", "general", "colour"], "red", "lanes.general.colour", "unknown key"),
        (
            ["streams", "cars", "primary_service", "distribution"],
            "weibull",
            "streams.cars.primary_service.distribution",
            "Input should be",
        ),
    ],
)
def test_bad_values_name_key_and_value(toy, path, value, field, words):
    node = toy
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    with pytest.raises(InputError) as err:
        validate_scenario(toy)
    msg = str(err.value)
    assert msg.startswith(field), msg
    assert repr(value) in msg
    assert words in msg


def test_missing_key_is_named(toy):
    del toy["streams"]["cars"]["primary_service"]
    with pytest.raises(InputError, match=r"streams\.cars\.primary_service .*missing"):
        validate_scenario(toy)


def test_program_shares_must_sum_to_one(toy):
    toy["streams"]["cars"]["program_shares"] = {"general": 0.5, "sentri": 0.2}
    with pytest.raises(InputError, match="sum to 1"):
        validate_scenario(toy)


def test_unknown_stream_reference(toy):
    toy["lanes"]["general"]["streams"] = ["trucks"]
    with pytest.raises(InputError, match="unknown stream 'trucks'") as err:
        validate_scenario(toy)
    # A check across keys names the key it found wrong, with its value (not the whole scenario).
    assert err.value.field == "lanes.general.streams"
    assert str(err.value).startswith("lanes.general.streams = ['trucks']: names unknown stream")


def test_program_without_lanes(toy):
    toy["streams"]["cars"]["program_shares"] = {"general": 0.6, "ready": 0.3, "sentri": 0.1}
    with pytest.raises(InputError, match="no lane group serves program 'ready'"):
        validate_scenario(toy)


def test_schedule_cannot_exceed_booths(toy):
    toy["lanes"]["sentri"]["open_booths_by_hour"] = [3] * 24
    with pytest.raises(InputError, match="exceeds"):
        validate_scenario(toy)


def test_schedule_that_never_opens_is_rejected(toy):
    toy["lanes"]["ped"]["open_booths_by_hour"] = [0] * 24
    with pytest.raises(InputError, match=r"lanes\.ped\.open_booths_by_hour = \[0, .*never open"):
        validate_scenario(toy)
    toy["lanes"]["ped"]["open_booths_by_hour"] = None
    toy["secondary"]["veh"]["open_bays_by_hour"] = [0] * 24
    with pytest.raises(InputError, match="secondary.veh.open_bays_by_hour.*never open"):
        validate_scenario(toy)


def test_overrides_parse_toml_values():
    assert parse_override("a.b=3") == (["a", "b"], 3)
    assert parse_override("a=[1, 2]") == (["a"], [1, 2])
    assert parse_override("a.name=San Ysidro") == (["a", "name"], "San Ysidro")
    with pytest.raises(InputError, match="key=value"):
        parse_override("nonsense")


def test_apply_overrides_sets_nested_keys(toy):
    data = apply_overrides(toy, ["lanes.sentri.lanes=4", "streams.cars.crossings_per_day=1e4"])
    sc = validate_scenario(data)
    assert sc.lanes["sentri"].lanes == 4
    assert sc.streams["cars"].crossings_per_day == 10000
    assert toy["lanes"]["sentri"]["lanes"] == 2  # the input is not modified


def test_unknown_scenario_name():
    with pytest.raises(NotFoundError, match="'no_such_port'"):
        resolve_scenario("no_such_port")


def test_unreadable_and_invalid_files(tmp_path: Path):
    with pytest.raises(InputError, match="file not found"):
        load_scenario(str(tmp_path / "missing.toml"))
    bad = tmp_path / "bad.toml"
    bad.write_text("[port\nname = 1")
    with pytest.raises(InputError, match="invalid TOML"):
        load_scenario(str(bad))

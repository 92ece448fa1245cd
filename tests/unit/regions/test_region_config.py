"""Region files: validation, every key bounded, bad input refused naming the key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from _toy import toy_region

from border21.errors import InputError
from border21.regions.config import load_region, shipped_regions, validate_region, with_toll


def test_san_diego_is_shipped_with_its_sourced_parameters() -> None:
    assert "san_diego" in shipped_regions()
    region = load_region("san_diego")
    assert (region.choice.travel_minute_utils, region.choice.port_time_weight) == (-0.025, 2.5)
    sy = region.ports["san_ysidro"]
    # the bands' maxima are SANDAG's (30–65, 30–55); the minima and officers are fitted
    assert sy.bands["general"].max_wait_minutes == 65 and sy.bands["ready"].max_wait_minutes == 55
    assert len(set(sy.officers_on_duty["personal_vehicle"])) == 3  # 3 shifts
    # SANDAG's minimum allowed lanes (docs/lane_update_logic.md): SY 4 / 6, OM and OME 2 / 2
    floors = {
        (p, g): region.ports[p].bands[g].min_booths
        for p in ("san_ysidro", "otay_mesa", "otay_mesa_east")
        for g in ("general", "ready")
    }
    assert floors == {
        ("san_ysidro", "general"): 4, ("san_ysidro", "ready"): 6,
        ("otay_mesa", "general"): 2, ("otay_mesa", "ready"): 2,
        ("otay_mesa_east", "general"): 2, ("otay_mesa_east", "ready"): 2,
    }  # fmt: skip


def test_the_arrival_shapes_are_the_survey_s_arrival_hours() -> None:
    """San Ysidro's and Otay Mesa's General and Ready shapes are SANDAG's 2017 survey trips
    by arrival hour (a copy of the file's northbound rows in tests/fixtures/data)."""
    import pandas as pd

    survey = pd.read_csv(Path(__file__).parents[2] / "fixtures" / "data" / "sandag_survey_nb.csv")
    region = load_region("san_diego")
    for port, poe in (("san_ysidro", "SY"), ("otay_mesa", "OM")):
        for segment, lane in (("car_general", "General"), ("car_ready", "Special")):
            mine = survey[(poe == survey.POE) & (survey.Lane == lane)]
            hourly = mine.groupby("hour_start")["trips_revwght"].sum().reindex(range(24))
            expected = hourly.fillna(0.0).tolist()  # the file's figures, to the 0.1 shipped
            assert region.ports[port].arrival_shapes[segment] == pytest.approx(expected, abs=0.051)
    assert region.ports["otay_mesa_east"].build
    assert region.open_ports() == ["san_ysidro", "otay_mesa", "tecate"]
    assert "otay_mesa_east" in region.open_ports(["otay_mesa_east"])


@pytest.mark.parametrize("name", sorted(shipped_regions()))
def test_every_number_in_the_shipped_file_has_a_source_or_is_an_assumption(name: str) -> None:
    text = shipped_regions()[name].read_text(encoding="utf-8")
    for line in text.splitlines():
        code = line.split("#", 1)[0]
        value = code.split("=", 1)[1].strip() if "=" in code else ""
        if value and not value.startswith('"') and any(ch.isdigit() for ch in value):
            if code.strip().startswith(("shares", "travel_minutes", "toll_usd")):
                continue  # their tables are marked ASSUMPTION in the comment above them
            assert "#" in line, f"no source next to: {line.strip()}"


def _set(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    parts = key.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return out


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("choice.travel_minute_utils", 0.01, "less than 0"),
        ("choice.port_time_weight", float("nan"), "finite"),
        ("equilibrium.max_iterations", 0, "greater than or equal to 1"),
        ("equilibrium.flow_tolerance", 0.0, "greater than 0"),
        ("ports.west.bias_utils", 1e9, "less than or equal to 50"),
        ("ports.west.officers_scale", 0.0, "greater than 0"),
        ("ports.east.toll_usd.car_general", -1.0, "greater than or equal to 0"),
        ("zones.north.travel_minutes.west", 1e6, "less than or equal to 600"),
        ("zones.north.shares.car_general", 0.9, "sum to 1.3"),
        ("segments.car_general.value_of_time_usd_per_hour", 0.0, "greater than 0"),
        ("segments.car_general.program", "bicycle", "general"),
        ("segments.car_general.streams.nowhere", "cars", "unknown port"),
        ("ports.west.bands.general.min_wait_minutes", 20.0, "must be below"),
        ("ports.east.toll_usd.car_ready_typo", 1.0, "cannot act"),
        ("zones.north.colour", "red", "unknown key"),
        ("ports.west.officers_on_duty", {"aircraft": [1] * 24}, "personal_vehicle"),
        ("ports.west.officers_on_duty", [1] * 24, "valid dictionary"),
    ],
)
def test_bad_values_are_refused_naming_the_key(
    tmp_path: Path, key: str, value: Any, says: str
) -> None:
    data = _set(toy_region(tmp_path), key, value)
    with pytest.raises(InputError, match=says) as err:
        validate_region(data)
    head = key.split(".")[0]
    assert str(err.value).startswith(head), str(err.value)
    assert not err.value.field.endswith(".") and "[key]" not in err.value.field


def test_every_port_a_build_option_is_refused(tmp_path: Path) -> None:
    data = toy_region(tmp_path)
    for port in data["ports"].values():
        port["build"] = True
    with pytest.raises(InputError, match="no demand"):
        validate_region(data)


def test_an_unknown_build_option_is_refused(tmp_path: Path) -> None:
    region = validate_region(toy_region(tmp_path))
    with pytest.raises(InputError, match="not a build option"):
        region.open_ports(["west"])


def test_with_toll_charges_every_segment_that_uses_the_port(tmp_path: Path) -> None:
    region = validate_region(toy_region(tmp_path))
    tolled = with_toll(region, ["east"], 4.0)
    assert tolled.ports["east"].toll_usd == {"car_general": 4.0, "car_ready": 4.0}
    with pytest.raises(InputError, match="less than or equal to 1000"):
        with_toll(region, ["east"], 5000.0)


def test_san_ysidro_s_booth_speeds_are_sandag_s_hourly_rates_an_hour_ahead() -> None:
    """Each factor is SANDAG's volume-weighted rate over the hour's (58.9 General, 69.8
    Ready; SY_GP_STV, SY_RE_STV; a copy in tests/fixtures/data), the rate of the hour after
    the arrival's (when the car reaches the booth), and it reaches the engine's stream."""
    import numpy as np
    import pandas as pd

    from border21.regions.equilibrium import _port_setup

    fixtures = Path(__file__).parents[2] / "fixtures" / "data"
    rates = pd.read_csv(fixtures / "sandag_poe_rates_sy_stv.csv")
    assert rates["TIME"].tolist() == list(range(1, 25))  # TIME 1 is 00:00–01:00
    region = load_region("san_diego")
    setup = _port_setup(region, "san_ysidro")
    for segment, column, weighted, mean in (
        ("car_general", "SY_GP_STV", 58.9, 122.0),
        ("car_ready", "SY_RE_STV", 69.8, 103.0),
    ):
        processed = weighted / rates[column].to_numpy(float)
        expected = np.roll(processed, -1)  # arrivals in hour h: the rate of hour h + 1
        shipped = region.ports["san_ysidro"].service_by_hour[segment]
        assert shipped == pytest.approx(expected.tolist(), abs=0.0051)
        assert setup.service_seconds[segment] == pytest.approx(mean * np.asarray(shipped))
    assert "car_sentri" not in region.ports["san_ysidro"].service_by_hour

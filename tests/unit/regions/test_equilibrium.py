"""The equilibrium: converges on a toy and on san_diego, same seed same result, flows conserved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _toy import toy_region

from border21.errors import InputError
from border21.regions.config import load_region, validate_region
from border21.regions.equilibrium import solve


def _total(result: object) -> float:
    flows = result.flows  # type: ignore[attr-defined]
    return sum(sum(x) for port in flows.values() for x in port.values())


def test_the_toy_converges_and_conserves_travellers(tmp_path: Path) -> None:
    region = validate_region(toy_region(tmp_path))
    result = solve(region, seed=1, replications=2)
    assert result.converged, result.gaps
    assert result.gap < region.equilibrium.flow_tolerance
    assert result.iterations > region.equilibrium.lane_rule_until
    assert np.isclose(_total(result), 3000.0, rtol=1e-9)  # 2400 + 600 a day, only redistributed
    assert len(result.gaps) == result.iterations


def test_the_same_seed_gives_the_same_result_and_another_seed_another(tmp_path: Path) -> None:
    region = validate_region(toy_region(tmp_path))
    first, again = solve(region, seed=5, replications=2), solve(region, seed=5, replications=2)
    assert first.flows == again.flows and first.rows == again.rows and first.gaps == again.gaps
    other = solve(region, seed=6, replications=2)
    assert other.rows != first.rows


def test_a_quiet_port_draws_travellers_from_a_busy_one(tmp_path: Path) -> None:
    result = solve(validate_region(toy_region(tmp_path)), seed=1, replications=2)
    totals = result.port_totals()
    # In the base year west carries 2400 and east 600; their waits at that split differ by
    # enough (2.5 × wait) that the equilibrium moves hundreds a day to east.
    assert totals["east"]["crossings_per_day"] > 900


def test_san_diego_converges_within_its_stated_tolerance() -> None:
    region = load_region("san_diego")
    result = solve(region, seed=1, replications=2)
    assert result.converged, result.gaps
    assert result.gap < region.equilibrium.flow_tolerance == 0.03
    assert result.wait_change_minutes < region.equilibrium.wait_tolerance_minutes
    assert result.ports == ("san_ysidro", "otay_mesa", "tecate")
    # Travellers are redistributed, never lost: the 2017 cars and pedestrians a day of the three
    # ports and their trucks on a weekday (Otay Mesa's 2,547 a day is 3,488 a weekday: SANDAG's).
    pedestrians = 22_682.9 + 9_209.6 + 2_113.6  # BTS 2017 / 365
    assert np.isclose(_total(result), 66_080.4 - 2_546.9 + 3_488.1 + pedestrians, rtol=1e-3)
    for group in ("general", "ready"):  # officers stay within San Ysidro's 16 / 20 stacked booths
        booths = result.booths["san_ysidro"][group]
        assert max(booths) <= (16 if group == "general" else 20) and min(booths) >= 1


def test_a_segment_naming_a_stream_the_port_lacks_is_refused(tmp_path: Path) -> None:
    data = toy_region(tmp_path)
    data["segments"]["car_general"]["streams"]["west"] = "trucks"
    with pytest.raises(InputError, match="segments.car_general.streams.west.*no such stream"):
        solve(validate_region(data), seed=1)


def test_a_band_on_a_missing_lane_group_is_refused(tmp_path: Path) -> None:
    data = toy_region(tmp_path)
    data["ports"]["west"]["bands"]["fast"] = {"min_wait_minutes": 1.0, "max_wait_minutes": 2.0}
    with pytest.raises(InputError, match="ports.west.bands.fast.*no such lane group"):
        solve(validate_region(data), seed=1)


def test_san_diego_with_otay_mesa_east_converges_and_a_toll_lowers_its_flows() -> None:
    from border21.regions.config import with_toll

    region = load_region("san_diego")
    free = solve(with_toll(region, ["otay_mesa_east"], 0.0), build=["otay_mesa_east"], seed=1,
                 replications=2)  # fmt: skip
    tolled = solve(region, build=["otay_mesa_east"], seed=1, replications=2)  # 5 / 20 USD
    assert free.converged and tolled.converged, (free.gaps, tolled.gaps)
    east = [r.port_totals()["otay_mesa_east"]["crossings_per_day"] for r in (free, tolled)]
    assert east[0] > east[1] > 1000


def test_long_waits_make_some_travellers_stay_home_or_shift_their_hour(tmp_path: Path) -> None:
    data = toy_region(tmp_path)
    data["choice"].update(shift_hour_minutes=30.0, forgo_minutes=60.0)
    result = solve(validate_region(data), seed=1, replications=2)
    assert result.converged, result.gaps
    assert np.isclose(result.demand_per_day, 3000.0)
    assert 0 < result.forgone_per_day < 3000
    assert np.isclose(_total(result) + result.forgone_per_day, 3000.0)
    # Shifting spreads travellers into hours nobody meant to cross in (the toy's demand is 0
    # before 06:00 and from 20:00): Ready lanes are open all day, so 05:00 and 20:00 see some
    # Ready cars; General lanes are closed then, so no General car shifts there.
    flows = result.flows
    ready = np.array(flows["west"]["car_ready"]) + np.array(flows["east"]["car_ready"])
    general = np.array(flows["west"]["car_general"]) + np.array(flows["east"]["car_general"])
    assert ready[5] > 0 and ready[20] > 0 and ready[2] == 0
    assert general[5] == 0 and general[20] == 0


def test_a_month_s_volumes_scale_each_port_s_demand(tmp_path: Path) -> None:
    """`demand_scale`: each existing port's base flows times its factor; the travellers then
    choose as before. Bad factors and names are refused, naming them."""
    region = validate_region(toy_region(tmp_path))
    base = solve(region, seed=1, replications=2)
    busier = solve(region, seed=1, replications=2, demand_scale={"west": {"car_general": 1.25}})
    assert np.isclose(_total(busier), 3000 + 0.7 * 2400 * 0.25, rtol=1e-9)  # general: 70%
    assert np.isclose(_total(base), 3000.0, rtol=1e-9)
    waits = [r.summary()["wait_min"]["west"]["car_general"] for r in (base, busier)]  # type: ignore[index]
    assert waits[1] > waits[0]
    totals = busier.port_totals()["west"]
    assert "wait_minutes" not in totals  # no wait pooled over a port's segments
    assert np.isclose(sum(totals["by_segment"].values()), totals["crossings_per_day"])
    for bad, key in (
        ({"west": {"car_general": 0.0}}, "demand_scale.west.car_general"),
        ({"west": {"car_ready": float("nan")}}, "demand_scale.west.car_ready"),
        ({"west": {"bus": 1.0}}, "demand_scale.west.bus"),
        ({"north": {"car_general": 1.0}}, "demand_scale.north"),
    ):
        with pytest.raises(InputError) as info:
            solve(region, seed=1, replications=2, demand_scale=bad)
        assert info.value.field == key


def test_waits_are_reported_by_the_hour_the_booth_is_reached_as_cbp_counts_them() -> None:
    """CBP's published wait for an hour is of vehicles that reached the booth in it (the
    second Bluetooth read); the model's ``segment_reported`` is that, recomputed here from
    the crossing records, and under an hour-long queue it lags the arrival-hour wait."""
    from border21.ports.kernels.common import DAY, HOUR
    from border21.ports.model import PortModel
    from border21.regions.equilibrium import _port_setup, _scenario, _simulate

    region = load_region("san_diego")
    setup = _port_setup(region, "san_ysidro")
    scenario = _scenario(setup, setup.base_flows, setup.base_booths)
    waits = _simulate(scenario, setup, 2, np.random.SeedSequence(3))
    records = PortModel(scenario).simulate(2, np.random.default_rng(np.random.SeedSequence(3)))
    general = records.stream_names.index("region_car_general")
    mine = records.stream == general
    reached = (records.service_start - DAY) // HOUR
    wait = (records.service_start - records.arrival) / 60.0
    for hour in (3, 9, 15, 21):
        here = mine & (reached == hour)
        assert waits.segment_reported["car_general"][hour] == pytest.approx(wait[here].mean())
        assert waits.segment_processed["car_general"][hour] == here.sum()  # SANDAG's volumes
        arrived = mine & ((records.arrival - DAY) // HOUR == hour)
        assert waits.segment_wait["car_general"][hour] == pytest.approx(wait[arrived].mean())
    # on the scenario's own schedule the queue builds in the small hours (the booths slow
    # overnight): those reaching the booth at 03:00 joined it earlier, when it was shorter,
    # than those arriving at 03:00
    assert waits.segment_reported["car_general"][3] < waits.segment_wait["car_general"][3]


def test_means_by_key_and_hour_by_hand_and_with_nobody() -> None:
    from border21.regions.equilibrium import _means_by

    keys, hours = np.array([0, 0, 1, 1, 1]), np.array([3, 3, 3, 23, 23])
    mean, count = _means_by(keys, hours, np.array([10.0, 20.0, 5.0, 1.0, 3.0]), 3)
    assert mean.shape == count.shape == (3, 24)
    assert (mean[0, 3], count[0, 3]) == (15.0, 2) and (mean[1, 3], count[1, 3]) == (5.0, 1)
    assert (mean[1, 23], count[1, 23]) == (2.0, 2) and count.sum() == 5 and not mean[2].any()
    empty = np.array([], dtype=np.int64)  # a built port nobody chose: zeros, as floats
    mean, count = _means_by(empty, empty, np.array([]), 2)
    assert mean.dtype == float and not mean.any() and not count.any()


def test_segment_bands_name_the_band_each_segment_s_officers_hold() -> None:
    """San Ysidro's General cars wait in the lanes banded 60–65 min, its SENTRI cars in lanes
    that keep the scenario's schedule; a band set with --set shows, and Otay Mesa East is
    listed only when built."""
    from border21.regions.equilibrium import segment_bands

    region = load_region("san_diego")
    shipped = segment_bands(region)
    assert shipped[("san_ysidro", "car_general")] == (("general", 60.0, 65.0),)
    assert shipped[("san_ysidro", "car_ready")] == (("ready", 40.0, 55.0),)
    assert shipped[("san_ysidro", "car_sentri")] == ()
    assert shipped[("tecate", "car_ready")] == (("general", 10.0, 30.0),)  # one lane for both
    assert not any(port == "otay_mesa_east" for port, _segment in shipped)
    banded = load_region(
        "san_diego",
        [
            "ports.san_ysidro.bands.sentri.min_wait_minutes=5",
            "ports.san_ysidro.bands.sentri.max_wait_minutes=15",
        ],
    )
    assert segment_bands(banded)[("san_ysidro", "car_sentri")] == (("sentri", 5.0, 15.0),)


def test_a_band_reads_as_the_tables_print_it() -> None:
    from border21.regions.equilibrium import band_text

    assert band_text((("general", 60.0, 65.0),), "none") == "60–65"
    assert band_text((("general", 10.0, 30.0), ("ready", 7.5, 20.0)), "none") == (
        "general 10–30; ready 7.5–20"
    )
    assert band_text((), "none: the scenario's booths") == "none: the scenario's booths"

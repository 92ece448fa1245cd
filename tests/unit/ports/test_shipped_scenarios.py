"""The shipped curated port scenarios: they validate, run, and keep their sourced volumes.

The published figures below are copied from the public sources cited in
``src/border21/ports/scenarios/SOURCES.md`` (BTS Border Crossing/Entry Data,
UNT/TxDOT CBP bridge counts, SANDAG/CBP 2017 profiles) so the tests never read
the shared data folder.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from border21.ports.catalog import load_scenario, shipped_scenarios
from border21.ports.model import PortModel

SHIPPED = {
    "san_ysidro": ("San Ysidro", "2504"),
    "otay_mesa": ("Otay Mesa", "2506"),
    "laredo_wtb": ("Laredo World Trade Bridge", "2304"),
    "el_paso_bota": ("El Paso Bridge of the Americas", "2402"),
    "el_paso_pdn": ("El Paso Paso del Norte", "2402"),
    "el_paso_stanton": ("El Paso Stanton Street DCL", "2402"),
    "el_paso_ysleta": ("Ysleta–Zaragoza", "2401"),
}

# BTS annual inbound counts (bts_us_mexico_annual_by_port_measure.csv).
BTS_2017_SAN_YSIDRO_PERSONAL_VEHICLES = 13_777_990
BTS_2017_SAN_YSIDRO_PEDESTRIANS = 8_279_253
BTS_2017_OTAY_MESA_PERSONAL_VEHICLES = 8_309_476
BTS_2017_OTAY_MESA_TRUCKS = 929_614
BTS_2017_OTAY_MESA_PEDESTRIANS = 3_361_489
# UNT (TxDOT) yearly northbound counts by bridge (yearly_crossings_2008_2025.csv).
UNT_2024_WTB_TRUCKS = 2_288_051
UNT_2024_BOTA_POVS = 3_342_622
UNT_2024_BOTA_TRUCKS = 133_841
UNT_2024_BOTA_PEDESTRIANS = 1_254_206
UNT_2024_PDN_POVS = 2_681_194
UNT_2024_PDN_PEDESTRIANS = 3_536_801
UNT_2024_GOOD_NEIGHBOR_POVS = 1_727_411  # the Stanton Street DCL
UNT_2024_YSLETA_POVS = 3_686_701
UNT_2024_YSLETA_TRUCKS = 670_717
UNT_2024_YSLETA_PEDESTRIANS = 1_455_681
# SANDAG/CBP 2017 Tue–Thu weekday counts (san_diego_poe_hourly_profile_weekday_2017.csv).
SANDAG_SY_NB = {"cars_general": 9_999, "cars_ready": 14_096, "cars_sentri": 15_298}
SANDAG_OM_NB = {"cars_general": 4_117, "cars_ready": 12_790, "cars_sentri": 4_951}
SANDAG_SY_SOUTHBOUND = 43_568
SANDAG_OM_TRUCKS_WEEKDAY = 3_488

DAYS_2017 = 365
DAYS_2024 = 366  # leap year


def _close(value: float, target: float, rel: float = 0.01) -> bool:
    return math.isclose(value, target, rel_tol=rel)


def test_the_curated_scenarios_are_shipped() -> None:
    assert set(SHIPPED) <= set(shipped_scenarios())


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_scenario_validates_with_name_and_port_code(name: str) -> None:
    sc = load_scenario(name)
    assert (sc.port.name, sc.port.port_code) == SHIPPED[name]
    for sname, stream in sc.streams.items():
        assert len(stream.hour_of_day_shape) == 24, sname
        assert len(stream.weekday_shape) == 7, sname
        assert stream.crossings_per_day > 0, sname
    for gname, group in sc.lanes.items():
        assert len(group.open_booths()) == 24, gname


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_one_day_run_has_no_negative_waits(name: str) -> None:
    records = PortModel(load_scenario(name)).simulate(days=1, seed=11)
    assert len(records) > 0
    assert bool((records.wait_seconds >= 0).all())
    assert bool((records.secondary_wait_seconds >= 0).all())
    assert bool((records.departure >= records.arrival).all())
    # every lane group that has traffic serves someone
    assert set(np.unique(records.group)) == set(range(len(records.group_names)))


def test_san_ysidro_volumes() -> None:
    sc = load_scenario("san_ysidro")
    nb = sum(sc.streams[s].crossings_per_day for s in SANDAG_SY_NB)
    assert _close(nb, BTS_2017_SAN_YSIDRO_PERSONAL_VEHICLES / DAYS_2017)
    total = sum(SANDAG_SY_NB.values())
    for s, count in SANDAG_SY_NB.items():
        assert _close(sc.streams[s].crossings_per_day / nb, count / total), s
    assert _close(
        sc.streams["pedestrians"].crossings_per_day, BTS_2017_SAN_YSIDRO_PEDESTRIANS / DAYS_2017
    )
    assert _close(sc.streams["cars_southbound"].crossings_per_day, SANDAG_SY_SOUTHBOUND)
    assert sc.streams["cars_southbound"].direction == "southbound"


def test_san_ysidro_stacked_booths_within_gsa_count() -> None:
    sc = load_scenario("san_ysidro")
    car_groups = [sc.lanes[g] for g in ("general", "ready", "sentri")]
    assert sum(g.booths for g in car_groups) <= 46  # GSA: 46 stacked booths (2014)
    assert sc.lanes["general"].booths_per_lane == 2
    assert sc.lanes["ready"].booths_per_lane == 2


def test_otay_mesa_volumes() -> None:
    sc = load_scenario("otay_mesa")
    nb = sum(sc.streams[s].crossings_per_day for s in SANDAG_OM_NB)
    assert _close(nb, BTS_2017_OTAY_MESA_PERSONAL_VEHICLES / DAYS_2017)
    trucks = sc.streams["trucks"]
    avg = BTS_2017_OTAY_MESA_TRUCKS / DAYS_2017
    assert _close(trucks.crossings_per_day, avg)
    # the weekday shape turns the BTS daily average into SANDAG's Tue–Thu count
    week = np.asarray(trucks.weekday_shape) / np.mean(trucks.weekday_shape)
    assert _close(trucks.crossings_per_day * week[1], SANDAG_OM_TRUCKS_WEEKDAY)
    # trucks cross 05:00–20:00 only
    shape = trucks.hour_of_day_shape
    assert all(v == 0 for v in shape[:5] + shape[20:])
    # at most 13 car lanes open at once (CBP), at most 10 truck booths staffed (SANDAG 2017)
    cars = np.sum([sc.lanes[g].open_booths() for g in ("general", "ready", "sentri")], axis=0)
    assert cars.max() <= 13
    trk = np.sum([sc.lanes[g].open_booths() for g in ("general_trucks", "fast")], axis=0)
    assert trk.max() <= 10
    assert sc.lanes["general_trucks"].booths + sc.lanes["fast"].booths == 16
    # pedestrians (the san_diego region's pedestrians choose among its ports)
    assert _close(sc.streams["pedestrians"].crossings_per_day, BTS_2017_OTAY_MESA_PEDESTRIANS / 365)


def test_laredo_wtb_volume_hours_and_fast() -> None:
    sc = load_scenario("laredo_wtb")
    trucks = sc.streams["trucks"]
    assert set(sc.streams) == {"trucks"}
    assert _close(trucks.crossings_per_day, UNT_2024_WTB_TRUCKS / DAYS_2024)
    assert _close(trucks.program_shares["fast"], 0.25)
    assert trucks.primary_service.mean_for("fast") == 27.0
    assert min(trucks.weekday_shape[5:]) < min(trucks.weekday_shape[:5])
    staffed = np.sum([g.open_booths() for g in sc.lanes.values()], axis=0)
    assert staffed[:7].sum() == 0  # closed before 07:00 (TxDOT: Mon–Fri 7am–midnight)
    assert staffed[7:].min() > 0
    assert staffed.max() <= 15  # 15 booths (2023)
    assert sum(g.lanes for g in sc.lanes.values()) == 19  # TxDOT: 19 lanes


def test_el_paso_bota_volumes_and_lanes() -> None:
    sc = load_scenario("el_paso_bota")
    assert _close(sc.streams["cars"].crossings_per_day, UNT_2024_BOTA_POVS / DAYS_2024)
    assert _close(sc.streams["trucks"].crossings_per_day, UNT_2024_BOTA_TRUCKS / DAYS_2024)
    assert _close(
        sc.streams["pedestrians"].crossings_per_day, UNT_2024_BOTA_PEDESTRIANS / DAYS_2024
    )
    lanes = {g: sc.lanes[g].lanes for g in sc.lanes}
    assert lanes["general"] + lanes["ready"] + lanes["sentri"] == 14  # TxDOT POV lanes
    assert lanes["general_trucks"] + lanes["fast"] == 6  # TxDOT commercial lanes
    assert lanes["ped_general"] + lanes["ped_ready"] == 4  # TxDOT pedestrian lanes
    assert sc.streams["trucks"].weekday_shape[5:] == [0.0, 0.0]  # Mon–Fri only


def test_el_paso_region_bridges_volumes_lanes_and_hours() -> None:
    pdn = load_scenario("el_paso_pdn")
    assert _close(pdn.streams["cars"].crossings_per_day, UNT_2024_PDN_POVS / DAYS_2024)
    assert _close(
        pdn.streams["pedestrians"].crossings_per_day, UNT_2024_PDN_PEDESTRIANS / DAYS_2024
    )
    assert "trucks" not in pdn.streams  # UNT: no commercial trucks at PDN
    assert sum(pdn.lanes[g].lanes for g in ("general", "ready", "sentri")) == 12  # TxDOT
    assert pdn.lanes["ped_general"].lanes + pdn.lanes["ped_ready"].lanes == 14  # TxDOT
    stanton = load_scenario("el_paso_stanton")
    cars = stanton.streams["cars"]
    assert _close(cars.crossings_per_day, UNT_2024_GOOD_NEIGHBOR_POVS / DAYS_2024)
    assert cars.program_shares == {"sentri": 1.0}  # TxDOT: a SENTRI-only commuter lane
    assert list(stanton.lanes) == ["sentri"] and stanton.lanes["sentri"].lanes == 3  # TxDOT
    booths = stanton.lanes["sentri"].open_booths()
    assert booths[:6] == [0] * 6 and min(booths[6:]) > 0  # TxDOT: opens 06:00 (weekdays)
    assert cars.hour_of_day_shape[:6] == [0.0] * 6
    ysleta = load_scenario("el_paso_ysleta")
    assert _close(ysleta.streams["cars"].crossings_per_day, UNT_2024_YSLETA_POVS / DAYS_2024)
    assert _close(ysleta.streams["trucks"].crossings_per_day, UNT_2024_YSLETA_TRUCKS / DAYS_2024)
    assert _close(
        ysleta.streams["pedestrians"].crossings_per_day, UNT_2024_YSLETA_PEDESTRIANS / DAYS_2024
    )
    assert sum(ysleta.lanes[g].lanes for g in ("general", "ready", "sentri")) == 10  # TxDOT
    assert ysleta.lanes["general_trucks"].lanes + ysleta.lanes["fast"].lanes == 8  # TxDOT
    assert ysleta.lanes["pedestrians"].lanes == 4  # TxDOT
    trucks = np.array(ysleta.lanes["general_trucks"].open_booths())
    assert trucks[:6].sum() == 0 and trucks[6:].min() > 0  # TxDOT: 06:00–24:00
    assert ysleta.streams["trucks"].weekday_shape[6] == 0.0  # TxDOT: closed Sundays


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_carrier_and_detection_probabilities_are_set(name: str) -> None:
    sc = load_scenario(name)
    for sname, stream in sc.streams.items():
        if stream.direction == "southbound":
            continue
        assert 0 < stream.carrier_probability <= 0.002, sname
        assert 0 < stream.primary_detection_probability < 1, sname
        assert 0 < stream.secondary_detection_probability < 1, sname
        assert 0 < stream.referral_probability <= 0.15, sname
        assert stream.secondary is not None, sname

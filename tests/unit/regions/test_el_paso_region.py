"""The shipped el_paso region: sourced parameters, the zones' travel minutes, a small solve."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from border21.regions.config import load_region, region_data, shipped_regions
from border21.regions.equilibrium import solve

# TX-MX-Border-Crossings-Coordinates.csv (UNT, waittimes/cbp_nb_crossings_texas_unt/), copied.
BRIDGES = {
    "el_paso_bota": (31.764479, -106.451596),  # Bridge of the Americas
    "el_paso_pdn": (31.747743, -106.486957),  # Paso del Norte Bridge
    "el_paso_stanton": (31.748237, -106.482685),  # Good Neighbor Bridge
    "el_paso_ysleta": (31.670966, -106.337869),  # Ysleta Bridge
}
# The scenarios' base-year cars and trucks a day (UNT 2024 / 366): what choice redistributes.
# Trucks run their working day (regions.equilibrium._hour_flows): BOTA's a weekday of five, 7 / 5
# × its average day; Ysleta's a weekday of 5.444 (Saturday 0.444), 7 / 5.444 × its average day.
# Pedestrians (UNT 2024 / 366): BOTA, PDN, Ysleta.
BASE_PER_DAY = 9132.8 + 365.7 * 7 / 5 + 7325.7 + 4719.7 + 10073.0 + 1832.6 * 7 / 5.444
BASE_PER_DAY += 3426.8 + 9663.4 + 3977.3


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def test_el_paso_is_shipped_with_san_diegos_behaviour_parameters() -> None:
    assert {"san_diego", "el_paso"} <= set(shipped_regions())
    region = load_region("el_paso")
    assert (region.choice.travel_minute_utils, region.choice.port_time_weight) == (-0.025, 2.5)
    assert region.open_ports() == [
        "el_paso_bota",
        "el_paso_pdn",
        "el_paso_stanton",
        "el_paso_ysleta",
    ]
    assert list(region.segments["car_sentri"].streams) == region.open_ports()
    for s in ("car_general", "car_ready"):
        assert "el_paso_stanton" not in region.segments[s].streams  # a SENTRI-only lane
    for s in ("truck_general", "truck_fast"):
        assert set(region.segments[s].streams) == {"el_paso_bota", "el_paso_ysleta"}
    bands = region.ports["el_paso_bota"].bands  # EP-BWT interquartile range, 06:00–21:00
    assert (bands["general"].min_wait_minutes, bands["general"].max_wait_minutes) == (49, 64)
    assert not region.ports["el_paso_stanton"].bands


def test_ysleta_s_trucks_arrive_as_the_truck_survey_says_and_hold_a_band() -> None:
    """Ysleta's General and FAST trucks arrive by the hours of SANDAG's 2017 truck survey at
    Otay Mesa (a copy of its northbound rows in tests/fixtures/data), GP and FAST lanes; their
    General lanes hold CBP's interquartile band with the truck lanes' own officers."""
    import pandas as pd

    survey = pd.read_csv(
        Path(__file__).parents[2] / "fixtures" / "data" / "sandag_truck_survey_nb.csv"
    )
    ysleta = load_region("el_paso").ports["el_paso_ysleta"]
    for segment, lane in (("truck_general", "GP"), ("truck_fast", "FAST")):
        mine = survey[survey.Lane == lane].groupby("hour_start")["trips_revwght"].sum()
        expected = mine.reindex(range(24)).fillna(0.0).tolist()
        assert ysleta.arrival_shapes[segment] == pytest.approx(expected, abs=0.051)
    band = ysleta.bands["general_trucks"]
    assert (band.min_wait_minutes, band.max_wait_minutes) == (26, 40)
    assert ysleta.officers_on_duty == {"truck": [7] * 24}  # cars keep their schedule's


def test_zone_travel_minutes_follow_the_documented_rule() -> None:
    """Great-circle km from the zone's centroid (in the file) to the bridge × 1.4 / 30 km/h."""
    text = shipped_regions()["el_paso"].read_text(encoding="utf-8")
    centroids = {
        m[1]: (float(m[2]), -float(m[3]))
        for m in re.finditer(r"\[zones\.(\w+)\].*?(\d+\.\d+) −(\d+\.\d+)", text)
    }
    region = load_region("el_paso")
    assert set(centroids) == set(region.zones)
    for zname, zone in region.zones.items():
        for port, minutes in zone.travel_minutes.items():
            expected = max(5, round(_km(centroids[zname], BRIDGES[port]) * 1.4 / 30 * 60))
            assert minutes == expected, (zname, port)


def _generalised(node: Any, prefix: str, names: set[str]) -> set[str]:
    if isinstance(node, dict):
        out: set[str] = set()
        for key, value in node.items():
            part = "*" if key in names else key
            out |= _generalised(value, f"{prefix}{part}.", names)
        return out
    return {prefix[:-1]}


def test_every_key_el_paso_uses_is_one_the_key_walk_covers() -> None:
    """test_every_region_key.py walks the toy's keys; el_paso may use no other kind of key."""
    from test_every_region_key import OPTIONAL, _changes

    def names(data: dict[str, Any]) -> set[str]:
        found = {n for table in ("segments", "ports", "zones") for n in data.get(table, {})}
        for port in data.get("ports", {}).values():
            found |= set(port.get("bands", {})) | set(port.get("toll_usd", {}))
            found |= set(port.get("officers_on_duty", {}))  # kinds of traffic
        for table in ("segments", "zones"):
            for item in data.get(table, {}).values():
                for sub in ("streams", "shares", "travel_minutes"):
                    found |= set(item.get(sub, {}))
        return found

    el_paso = region_data("el_paso")
    toy_keys: dict[str, Any] = {}
    for key, value in {**_changes(Path(".")), **OPTIONAL}.items():
        node = toy_keys
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value if isinstance(value, dict) else 0
    walked = _generalised(toy_keys, "", names(toy_keys)) | {"region.description"}
    used = _generalised(el_paso, "", names(el_paso))
    assert used <= walked, used - walked


def test_a_small_solve_conserves_travellers() -> None:
    region = load_region("el_paso", ["equilibrium.max_iterations=2", "equilibrium.days=1"])
    result = solve(region, seed=1, replications=2)
    assert result.iterations == 2 and len(result.gaps) == 2
    assert result.ports == ("el_paso_bota", "el_paso_pdn", "el_paso_stanton", "el_paso_ysleta")
    total = sum(sum(x) for port in result.flows.values() for x in port.values())
    assert np.isclose(total, BASE_PER_DAY, rtol=1e-3)  # redistributed, never lost
    assert np.isclose(result.demand_per_day, total, rtol=1e-9)
    stanton = np.array(result.flows["el_paso_stanton"]["car_sentri"])
    assert stanton[:6].sum() == 0  # closed before 06:00: nobody is sent there
    trucks = np.array(result.flows["el_paso_bota"]["truck_general"])
    assert trucks[16:].sum() == 0  # BOTA's commercial lanes close at 16:00 (TxDOT)
    for group in ("general", "ready"):  # officers stay within the bridges' lanes
        for port, lanes in (("el_paso_bota", (8, 5)), ("el_paso_pdn", (7, 3))):
            booths = result.booths[port][group]
            assert min(booths) >= 1 and max(booths) <= lanes[group == "ready"]
    rows = [r for r in result.rows if r.hour == -1]
    assert all(r.wait_minutes >= 0 for r in rows)


@pytest.mark.parametrize("port", sorted(BRIDGES))
def test_each_bridge_carries_someone(port: str) -> None:
    region = load_region("el_paso", ["equilibrium.max_iterations=1", "equilibrium.days=1"])
    result = solve(region, seed=2, replications=1)
    assert result.port_totals()[port]["crossings_per_day"] > 500

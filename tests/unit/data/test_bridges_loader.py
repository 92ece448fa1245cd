"""The Texas bridge-level crossings loader (source ``bridges``), on real slices."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from border21.data.loaders import load_source
from border21.data.samples import sample_path
from border21.data.store import Store

EL_PASO = (
    "Bridge of the Americas",
    "Paso del Norte Bridge",
    "Good Neighbor Bridge",
    "Ysleta Bridge",
)


def test_monthly_slice_sums_to_the_publishers_yearly_table(store: Store, fixtures: Path) -> None:
    result = load_source(store, "bridges", fixtures / "bridges_el_paso_2024_slice.csv")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (240, 240, 0)
    with (fixtures / "bridges_el_paso_2024_yearly.csv").open(newline="") as fh:
        yearly = {
            (r["Crossing"], r["Modes"]): int(r["Northbound Crossing"]) for r in csv.DictReader(fh)
        }
    got = dict(
        ((bridge, mode), int(total))
        for bridge, mode, total in store.con.execute(
            "SELECT bridge, mode, sum(crossings) FROM bridge_crossings GROUP BY ALL"
        ).fetchall()
    )
    assert got == yearly  # UNT's own yearly file, 20 bridge × mode totals
    # the figures the El Paso port scenarios are built on (SOURCES.md)
    assert yearly["Bridge of the Americas", "Passenger Vehicles"] == 3_342_622
    assert yearly["Good Neighbor Bridge", "Passenger Vehicles"] == 1_727_411
    assert yearly["Good Neighbor Bridge", "Pedestrians/ Bicyclists"] == 0  # SENTRI cars only


def test_columns_are_typed(store: Store, fixtures: Path) -> None:
    load_source(store, "bridges", fixtures / "bridges_el_paso_2024_slice.csv")
    types = dict(
        store.con.execute(
            "SELECT column_name, column_type FROM (DESCRIBE bridge_crossings)"
        ).fetchall()
    )
    assert types["month"] == "DATE" and types["crossings"] == "BIGINT"
    first = store.con.execute(
        "SELECT field_office, port, month, crossings FROM bridge_crossings "
        "WHERE bridge = 'Bridge of the Americas' AND mode = 'Commercial Trucks' ORDER BY month"
    ).fetchone()
    assert first == ("El Paso", "El Paso", date(2024, 1, 1), 10110)


def test_bad_rows_are_quarantined_with_the_reason(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    lines = (fixtures / "bridges_el_paso_2024_slice.csv").read_text().splitlines()
    bad = [
        lines[1].replace(",1007", ",-5"),  # negative count
        lines[2].replace(",10110", ",12.5"),  # not an integer
        lines[3].replace("Passenger Vehicles", "Hovercraft"),  # unknown mode
        lines[4].replace("2024,1,", "2024,13,"),  # no such month
        lines[5].replace("2024-01-", "2023-01-"),  # ID disagrees with Year/Month
        lines[6].replace("2024,1,", "2007,1,").replace("2024-01-", "2007-01-"),  # before 2008
    ]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([lines[0], *bad, *lines[7:]]) + "\n")
    result = load_source(store, "bridges", path)
    assert (result.rows_loaded, result.rows_quarantined) == (234, 6)
    reasons = [
        r
        for (r,) in store.con.execute(
            "SELECT reason FROM quarantine ORDER BY line_number"
        ).fetchall()
    ]
    assert reasons[0] == "negative count -5"
    assert reasons[1] == "count not an integer: 12.5"
    assert reasons[2] == "unknown mode Hovercraft"
    assert reasons[3] == "unparseable year/month 2024/13"
    assert reasons[4].startswith("ID 2023-01-") and reasons[4].endswith("disagrees with 2024-01")
    assert reasons[5].startswith("year 2007 outside the publisher's range 2008–")


def test_loads_are_idempotent_and_a_newer_release_replaces_by_key(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    path = fixtures / "bridges_el_paso_2024_slice.csv"
    load_source(store, "bridges", path)
    assert load_source(store, "bridges", path).unchanged
    again = load_source(store, "bridges", path, force=True)
    assert again.rows_replaced == 240
    assert store.scalar("SELECT count(*) FROM bridge_crossings") == 240
    lines = path.read_text().splitlines()
    revised = tmp_path / "revised.csv"
    revised.write_text("\n".join([lines[0], lines[1].replace(",1007", ",1008")]) + "\n")
    load_source(store, "bridges", revised)
    assert store.scalar("SELECT count(*) FROM bridge_crossings") == 240
    assert (
        store.scalar(
            "SELECT crossings FROM bridge_crossings WHERE bridge = 'Bridge of the Americas' "
            "AND mode = 'Buses' AND month = DATE '2024-01-01'"
        )
        == 1008
    )


def test_the_shipped_sample_loads_clean(store: Store) -> None:
    result = load_source(store, "bridges", sample_path("bridges_texas_monthly_2008_2025.parquet"))
    # waittimes/PROVENANCE.md §4: 34,090 rows
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (34_090, 34_090, 0)
    bridges = {
        b for (b,) in store.con.execute("SELECT DISTINCT bridge FROM bridge_crossings").fetchall()
    }
    assert set(EL_PASO) <= bridges


def test_sample_quirk_may_equals_june_2025_in_el_paso(store: Store) -> None:
    """The publisher's known defect (its Data-Pipeline-Documentation.md), kept as published."""
    load_source(store, "bridges", sample_path("bridges_texas_monthly_2008_2025.parquet"))
    same = store.scalar(
        """SELECT bool_and(may = june) FROM (
               SELECT bridge, sum(crossings) FILTER (WHERE month = DATE '2025-05-01') AS may,
                      sum(crossings) FILTER (WHERE month = DATE '2025-06-01') AS june
               FROM bridge_crossings
               WHERE field_office = 'El Paso' AND mode = 'Passenger Vehicles' AND port <> 'Presidio'
               GROUP BY bridge HAVING may > 0)"""
    )
    assert same is True


@pytest.mark.parametrize("bridge", EL_PASO)
def test_every_el_paso_bridge_has_twelve_months_in_2024(store: Store, bridge: str) -> None:
    load_source(store, "bridges", sample_path("bridges_texas_monthly_2008_2025.parquet"))
    months = store.scalar(
        "SELECT count(DISTINCT month) FROM bridge_crossings "
        "WHERE bridge = ? AND year(month) = 2024",
        [bridge],
    )
    assert months == 12


# ---------------------------------------------------------------- sites and lanes (TxDOT guide)


def test_sites_keep_the_coordinates_the_el_paso_region_uses(store: Store, fixtures: Path) -> None:
    result = load_source(store, "bridge_sites", fixtures / "bridge_sites_el_paso_slice.csv")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (6, 6, 0)
    got = dict(
        (code, (lat, lon))
        for code, lat, lon in store.con.execute(
            "SELECT code, latitude, longitude FROM bridge_sites"
        ).fetchall()
    )
    # tests/unit/regions/test_el_paso_region.py BRIDGES, which the zones' minutes are built on
    assert got["ELP-ELP-BRID"] == (31.764479, -106.451596)
    assert got["ELP-ELP-GOOD"] == (31.748237, -106.482685)
    assert got["ELP-YSL-YSLE"] == (31.670966, -106.337869)
    # an address written over two lines in the file is one line here
    address = store.scalar("SELECT address FROM bridge_sites WHERE code = 'ELP-ELP-ELPA-BNSF'")
    assert address == "805 S Santa Fe St, El Paso, TX 79901"


def test_sites_outside_the_border_are_quarantined(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    text = (fixtures / "bridge_sites_el_paso_slice.csv").read_text(encoding="utf-8-sig")
    bad = tmp_path / "sites.csv"
    bad.write_text(text.replace("31.748237,-106.482685", "-106.482685,31.748237"))
    result = load_source(store, "bridge_sites", bad)
    assert (result.rows_loaded, result.rows_quarantined) == (5, 1)
    assert store.scalar("SELECT reason FROM quarantine") == (
        "coordinates -106.482685, 31.748237 outside the Texas–Mexico border"
    )


def test_lanes_and_hours_as_published(store: Store, fixtures: Path) -> None:
    result = load_source(store, "bridge_lanes", fixtures / "bridge_lanes_el_paso_slice.csv")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (11, 11, 0)
    lanes = dict(
        ((code, mode), n)
        for code, mode, n in store.con.execute(
            "SELECT code, mode, inspection_lanes FROM bridge_lanes"
        ).fetchall()
    )
    # the counts the el_paso port scenarios cite (SOURCES.md, TXDOT)
    assert lanes["ELP-ELP-PASO", "Passenger Vehicles"] == 12
    assert lanes["ELP-ELP-PASO", "Pedestrians/ Bicyclists"] == 14
    assert lanes["ELP-ELP-GOOD", "Passenger Vehicles"] == 3
    assert lanes["ELP-ELP-GOOD", "Pedestrians/ Bicyclists"] is None  # no northbound hall
    assert lanes["ELP-YSL-YSLE", "Commercial Trucks"] == 8
    kiosk = store.con.execute(
        "SELECT inspection_lanes, inspection_lanes_text FROM bridge_lanes "
        "WHERE code = 'ELP-BOQ-BOQU'"
    ).fetchone()
    assert kiosk == (None, "CBP Kiosk")  # a word, not a count: kept as text
    hours = store.scalar(
        "SELECT cbp_hours FROM bridge_lanes "
        "WHERE code = 'ELP-YSL-YSLE' AND mode = 'Commercial Trucks'"
    )
    assert hours.splitlines() == ["Mon-Fri:  6am-Midnight MST", "Sat:  6am-2pm MST"]
    ucp = store.sql("SELECT code FROM bridge_lanes WHERE unified_cargo_processing")["code"]
    assert ucp.tolist() == ["ELP-YSL-YSLE"]


def test_lanes_that_are_not_a_count_are_quarantined(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    import csv as csv_module

    with (fixtures / "bridge_lanes_el_paso_slice.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv_module.reader(fh))
    rows[1][3] = "2.5"
    rows[2][2] = "Hovercraft"
    bad = tmp_path / "lanes.csv"
    with bad.open("w", newline="", encoding="utf-8") as fh:
        csv_module.writer(fh).writerows(rows)
    result = load_source(store, "bridge_lanes", bad)
    assert (result.rows_loaded, result.rows_quarantined) == (9, 2)
    reasons = sorted(r for (r,) in store.con.execute("SELECT reason FROM quarantine").fetchall())
    assert reasons == ["inspection lanes not a count: 2.5", "unknown mode Hovercraft"]
    assert load_source(store, "bridge_lanes", bad).unchanged

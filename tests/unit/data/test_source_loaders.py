"""Every loader other than crossings, on small real slices."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from border21.data.loaders import load_source
from border21.data.samples import sample_path
from border21.data.store import Store
from border21.errors import InputError, NotFoundError


def test_seizures_fiscal_months_become_calendar_months(store: Store, fixtures: Path) -> None:
    result = load_source(store, "seizures", fixtures / "seizures_fy2019_slice.csv")
    assert result.rows_loaded == 20 and result.rows_quarantined == 0
    got = store.con.execute(
        "SELECT DISTINCT fiscal_year, month FROM seizures ORDER BY month"
    ).fetchall()
    for fiscal_year, month in got:
        assert fiscal_year == (month.year + 1 if month.month >= 10 else month.year)
    assert (2019, date(2018, 10, 1)) in got or (2019, date(2019, 4, 1)) in got


def test_apprehensions_skip_subtotals_and_quarantine_na(store: Store, fixtures: Path) -> None:
    result = load_source(store, "apprehensions", fixtures / "apprehensions_fy2013_slice.csv")
    # tucson 12 months loaded; livermore 12 NA months quarantined; yearly totals and the
    # 'southwest border' subtotal sector skipped
    assert (result.rows_loaded, result.rows_quarantined, result.rows_skipped) == (12, 12, 15)
    reasons = store.sql("SELECT DISTINCT reason FROM quarantine")["reason"].tolist()
    assert reasons == ["apprehensions not published (NA)"]
    with (fixtures / "apprehensions_fy2013_slice.csv").open() as fh:
        published = next(
            int(r["total_apprehensions"])
            for r in csv.DictReader(fh)
            if r["sector"] == "tucson" and r["month"] == "yearly total"
        )
    assert store.scalar("SELECT sum(apprehensions)::BIGINT FROM apprehensions") == published
    first = store.con.execute("SELECT min(month), max(month) FROM apprehensions").fetchone()
    assert first == (date(2012, 10, 1), date(2013, 9, 1))


def test_homicides_check_state_names_against_codes(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    rows = (fixtures / "homicides_2008_slice.csv").read_text().splitlines()
    rows[1] = rows[1].replace("Chihuahua", "Sonora")  # name disagrees with code 8
    rows[2] = rows[2].replace("Chihuahua", "CHIHUAHUA")  # case/accents are fine
    bad = tmp_path / "h.csv"
    bad.write_text("\n".join(rows) + "\n")
    result = load_source(store, "homicides", bad)
    assert (result.rows_loaded, result.rows_quarantined) == (35, 1)
    assert store.scalar("SELECT reason FROM quarantine") == (
        "state name Sonora does not match code 8"
    )
    assert store.scalar("SELECT sum(homicides)::BIGINT FROM homicides WHERE state_code = 19") > 0


def test_population_keeps_totals_only(store: Store, fixtures: Path) -> None:
    result = load_source(store, "population", fixtures / "population_2008_slice.csv")
    assert result.rows_loaded == 4 and result.rows_skipped == 8
    assert store.scalar("SELECT population FROM population WHERE state_code = 0") > 100_000_000


def test_trade_monthly_matches_the_dot1_cross_check(store: Store, fixtures: Path) -> None:
    load_source(store, "trade", fixtures / "trade_monthly_2015_01_mexico.csv")
    exports = store.scalar(
        "SELECT sum(value_usd) FROM trade WHERE trade_type = 'Export' AND country = 'Mexico'"
    )
    # trade/PROVENANCE.md: Jan 2015 DOT1 Mexico exports 19.144 bn USD
    assert exports == pytest.approx(19.144e9, rel=5e-4)


def test_san_ysidro_wait_times_unpivot_lanes(store: Store, fixtures: Path) -> None:
    result = load_source(store, "waittimes", fixtures / "san_ysidro_hist_slice.csv")
    assert result.rows_read == 48 and result.rows_loaded == 48 * 5
    lanes = store.sql("SELECT DISTINCT lane || '/' || sub_lane AS l FROM wait_times ORDER BY 1")
    assert "Commercial/General" not in lanes["l"].tolist()
    assert (
        store.scalar(
            "SELECT wait_minutes FROM wait_times WHERE sub_lane = 'General' AND lane = 'Passenger' "
            "AND month = 1 AND weekday = 0 AND hour = 0"
        )
        == 33
    )


def test_el_paso_spreadsheet_hours_and_blank_rows(store: Store, fixtures: Path) -> None:
    result = load_source(store, "waittimes", fixtures / "el_paso_hist_slice.xlsx")
    assert result.rows_quarantined == 0
    hours = store.sql("SELECT DISTINCT hour FROM wait_times ORDER BY 1")["hour"].tolist()
    assert hours == list(range(24))
    assert store.scalar("SELECT DISTINCT port_code FROM wait_times") == "2402"


def test_events_timeline_has_a_source_for_every_date(store: Store) -> None:
    result = load_source(store, "events", sample_path("events.csv"))
    assert result.rows_quarantined == 0 and result.rows_loaded >= 25
    assert store.scalar("SELECT count(*) FROM events WHERE source_url NOT LIKE 'http%://%'") == 0
    ids = set(store.sql("SELECT event_id FROM events")["event_id"])
    assert {"merida_announced", "beyond_merida", "border_21st_declaration"} <= ids


def test_timeline_carries_the_confounders_an_analyst_must_see(store: Store) -> None:
    load_source(store, "events", sample_path("events.csv"))
    dates = dict(store.con.execute("SELECT event_id, event_date::VARCHAR FROM events").fetchall())
    expected = {
        "us_recession_start": "2007-12-01",  # NBER peak
        "us_recession_end": "2009-06-01",  # NBER trough
        "peso_depreciation_2008": "2008-10-01",
        "covid_restrictions": "2020-03-21",
        "border_reopens": "2021-11-08",
        "calderon_michoacan": "2006-12-11",
        "operativo_chihuahua": "2008-03-01",
    }
    assert {k: dates.get(k) for k in expected} == expected
    economy = store.sql("SELECT event_id FROM events WHERE category = 'economy'")["event_id"]
    assert set(economy) == {"us_recession_start", "us_recession_end", "peso_depreciation_2008"}
    operativos = [i for i in dates if i.startswith("operativo_")]
    assert len(operativos) >= 7  # the Joint Operations by state, each with a source


def test_unknown_source_is_not_found(store: Store, fixtures: Path) -> None:
    with pytest.raises(NotFoundError, match="known: apprehensions"):
        load_source(store, "nope", fixtures / "seizures_fy2019_slice.csv")


def test_sesnsp_official_wide_file_with_mangled_header(store: Store, fixtures: Path) -> None:
    path = fixtures / "sesnsp_official_chihuahua_slice.csv"
    assert "AÒo" in path.read_text(encoding="utf-8-sig").splitlines()[0]  # as circulated
    result = load_source(store, "sesnsp", path)
    assert result.rows_read == 16 and result.rows_quarantined == 0
    # 13 homicide/femicide rows × 12 months + the 2022 row's Jan–Mar; robbery rows skipped
    assert result.rows_loaded == 13 * 12 + 3
    got = store.scalar(
        "SELECT carpetas FROM sesnsp_incidence WHERE state_code = 8 AND month = DATE '2021-03-01'"
        " AND subtype = 'intentional_homicide' AND modality = 'firearm'"
    )
    assert got == 130
    modalities = set(store.sql("SELECT DISTINCT modality FROM sesnsp_incidence")["modality"])
    assert "traffic_accident" in modalities  # 'En accidente de tr·nsito' recognised


def test_transborder_raw_dot1_is_summed_over_us_states(store: Store, fixtures: Path) -> None:
    result = load_source(store, "trade", fixtures / "transborder_dot1_0115_laredo_truck.csv")
    assert result.rows_read == 1966 and result.rows_quarantined == 0
    total = store.scalar("SELECT sum(value_usd) FROM trade WHERE port_code = '2304'")
    assert round(total / 1e9, 2) == 12.52  # trade/PROVENANCE.md: Laredo truck, Jan 2015
    keys = store.scalar(
        "SELECT count(*) - count(DISTINCT (period_start, port_code, mx_state, mode, trade_type))"
        " FROM trade"
    )
    assert keys == 0
    states = set(store.sql("SELECT DISTINCT mx_state FROM trade")["mx_state"])
    assert {"19", "15", "UNKNOWN"} <= states  # Nuevo León, State of Mexico ('MX'), 'XX'
    assert store.scalar("SELECT DISTINCT mx_state FROM trade WHERE trade_type = 'Import'") == (
        "UNKNOWN"
    )


def _hourly_csv(tmp_path: Path) -> Path:
    # the layout of SANDAG's 2017 weekday profile; values made up for the test
    lines = ["port,direction,vehicle_type,lane_type,hour_start,volume,share_of_daily,"
             "open_lanes,wait_time_min,daily_volume"]  # fmt: skip
    for hour in range(24):
        lines.append(
            f"San Ysidro,Northbound,Passenger,General,{hour},{500 + hour},0.04,9,{50 + hour},1"
        )
        lines.append(f"San Ysidro,Northbound,Passenger,All_NB_lanes,{hour},{900 + hour},0.04,20,,1")
    lines.append("Atlantis,Northbound,Passenger,General,3,10,0.1,1,1,1")
    path = tmp_path / "hourly.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_hourly_profile_skips_derived_sums_and_joins_cbp_waits(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    from border21.data import indicators as ind

    result = load_source(store, "hourly", _hourly_csv(tmp_path))
    assert (result.rows_loaded, result.rows_skipped, result.rows_quarantined) == (24, 24, 1)
    assert store.scalar("SELECT reason FROM quarantine") == "unknown port Atlantis"
    load_source(store, "waittimes", fixtures / "san_ysidro_hist_slice.csv")  # Sun–Mon only
    frame = ind.hourly_wait_vs_volume(store, "san ysidro")
    assert frame["hour"].tolist() == list(range(24))
    assert frame["vehicles_per_lane_hour"].iloc[0] == pytest.approx(500 / 9)
    assert frame["cbp_wait_minutes"].isna().all()  # the slice has no Tue–Thu rows
    with pytest.raises(NotFoundError, match="no hourly volumes"):
        ind.hourly_wait_vs_volume(store, "Otay Mesa")


def _crossings_file(path: Path, dates: list[str]) -> Path:
    path.write_text(
        "Port Name,State,Port Code,Border,Date,Measure,Value\n"
        + "".join(f"San Ysidro,California,2504,US-Mexico Border,{d},Trucks,7\n" for d in dates)
    )
    return path


@pytest.mark.parametrize(
    ("source", "bad_year", "reason"),
    [
        ("crossings", "Jan 1000", "year 1000 outside the publisher's range 1996–"),
        ("crossings", "Mar 2999", "year 2999 outside the publisher's range 1996–"),
        ("crossings", "Dec 1995", "year 1995 outside the publisher's range 1996–"),
    ],
)
def test_years_outside_the_publishers_range_are_quarantined(
    store: Store, tmp_path: Path, source: str, bad_year: str, reason: str
) -> None:
    result = load_source(store, source, _crossings_file(tmp_path / "c.csv", ["Jan 1996", bad_year]))
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    line, why = store.con.execute("SELECT line_number, reason FROM quarantine").fetchone()
    assert line == 3 and why.startswith(reason)


def test_homicide_and_population_years_bounded(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    rows = (fixtures / "homicides_2008_slice.csv").read_text().splitlines()
    header = rows[0].split(",")
    cells = rows[1].split(",")
    cells[header.index("year")] = "1089"
    bad = tmp_path / "h.csv"
    bad.write_text("\n".join([rows[0], ",".join(cells), *rows[2:]]) + "\n")
    result = load_source(store, "homicides", bad)
    assert result.rows_quarantined == 1
    assert store.scalar("SELECT reason FROM quarantine").startswith(
        "year 1089 outside the publisher's range 1990–"
    )


def test_force_reload_reports_the_rows_it_replaced(store: Store, tmp_path: Path) -> None:
    path = _crossings_file(tmp_path / "c.csv", ["Jan 2020", "Feb 2020", "Mar 2020"])
    first = load_source(store, "crossings", path)
    assert first.rows_replaced == 0 and "replaced" not in first.summary()
    again = load_source(store, "crossings", path, force=True)
    assert (again.rows_loaded, again.rows_replaced) == (3, 3)
    assert "replaced 3 stored" in again.summary()
    newer = _crossings_file(tmp_path / "d.csv", ["Mar 2020", "Apr 2020"])
    assert load_source(store, "crossings", newer).rows_replaced == 1  # only March overlaps
    assert store.scalar("SELECT count(*) FROM crossings") == 4


def test_non_utf8_byte_names_its_line_and_the_encoding(store: Store, tmp_path: Path) -> None:
    path = _crossings_file(tmp_path / "c.csv", ["Jan 2020", "Feb 2020"])
    text = path.read_text().replace(
        "San Ysidro,California,2504,US-Mexico Border,Feb",
        "Ciudad Ju\xe1rez,California,2504,US-Mexico Border,Feb",
    )
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(InputError) as info:
        load_source(store, "crossings", path)
    message = str(info.value)
    assert "line 3, byte 10: 0xe1 is not valid utf-8" in message
    assert "cp1252" in message and "iconv -f cp1252 -t utf-8" in message
    assert store.scalar("SELECT count(*) FROM crossings") == 0

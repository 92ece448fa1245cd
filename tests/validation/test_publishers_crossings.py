"""BTS crossings loaded from the shipped sample match BTS's own published tables.

Figures: crossings/PROVENANCE.md (BTS State Transportation Statistics Table 4-15,
2010 and 2015 editions; Pocket Guide 2008). The warehouse de-duplicates the six
exact repeats BTS publishes for Jun 2019 / Feb 2021, so years before 2019 are
compared exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from border21.data import indicators as ind
from border21.data.samples import load_samples
from border21.data.store import Store, open_store


@pytest.fixture(scope="module")
def warehouse() -> Iterator[Store]:
    with open_store(None, threads=1) as store:
        load_samples(store)
        yield store


# BTS Table 4-15: US–Mexico personal vehicles entering the US
@pytest.mark.parametrize(
    ("year", "published"),
    [(2003, 88_068_391), (2008, 78_856_542), (2010, 64_044_852), (2012, 62_702_503),
     (2014, 69_623_693)],
)  # fmt: skip
def test_personal_vehicles_per_year_match_bts_table_4_15(
    warehouse: Store, year: int, published: int
) -> None:
    frame = ind.crossings(warehouse, freq="year")
    got = int(frame.loc[frame.period.dt.year == year, "value"].iloc[0])
    assert got == published


def test_2014_state_split_matches_bts(warehouse: Store) -> None:
    frame = ind.crossings(warehouse, by="state", freq="year", start="2014-01", end="2014-12")
    got = dict(zip(frame["group"], frame["value"], strict=True))
    assert got == {
        "Arizona": 8_518_851, "California": 27_593_261, "New Mexico": 821_490,
        "Texas": 32_690_091,
    }  # fmt: skip


def test_2006_top_ports_match_the_pocket_guide(warehouse: Store) -> None:
    frame = ind.crossings(warehouse, by="port", freq="year", start="2006-01", end="2006-12")
    top = frame.sort_values("value", ascending=False).head(5)
    assert top["group"].iloc[0] == "San Ysidro"
    assert round(top["value"].iloc[0] / 1000) == 17_135
    assert "Calexico" in top["group"].tolist()
    assert round(int(top.loc[top.group == "Calexico", "value"].iloc[0]) / 1000) == 6_110


def test_recent_years_and_trucks(warehouse: Store) -> None:
    pv = ind.crossings(warehouse, freq="year")
    by_year = dict(zip(pv.period.dt.year, pv.value, strict=True))
    assert round(by_year[2023] / 1e6, 2) == 75.89
    assert round(by_year[2024] / 1e6, 2) == 76.88
    trucks = ind.crossings(warehouse, measure="Trucks", freq="year")
    assert round(int(trucks.loc[trucks.period.dt.year == 2024, "value"].iloc[0]) / 1e6, 2) == 7.62


def test_san_ysidro_1996_gap_is_reported_not_filled(warehouse: Store) -> None:
    gaps = ind.crossing_gaps(warehouse)
    sy = gaps[gaps.port_code == "2504"]
    assert len(sy) == 1
    assert (sy.first_month.iloc[0].date(), sy.last_month.iloc[0].date()) == (
        date(1996, 1, 1), date(1997, 2, 1),
    )  # fmt: skip
    assert int(sy.months.iloc[0]) == 14
    series = ind.monthly_crossings(warehouse, "San Ysidro")
    early = series[series.month < "1997-03-01"]
    assert len(early) == 14 and (early.value == 0).all()  # zeros as published, not imputed
    calexico_east = gaps[gaps.port_code == "2507"]
    assert int(calexico_east.months.iloc[0]) == 12  # opened Dec 1996: zero all 1996


def test_1996_totals_are_low_because_of_the_gap(warehouse: Store) -> None:
    pv = ind.crossings(warehouse, freq="year")
    by_year = dict(zip(pv.period.dt.year, pv.value, strict=True))
    assert by_year[1996] == 62_429_373 and by_year[1997] == 80_052_978


def test_bts_duplicates_are_skipped_and_the_conflict_quarantined(warehouse: Store) -> None:
    status = warehouse.status().set_index("source")
    assert status.loc["crossings", "rows_read"] == 94_234
    assert status.loc["crossings", "rows_skipped"] == 6
    assert status.loc["crossings", "rows_quarantined"] == 1
    line = warehouse.scalar("SELECT line_number FROM quarantine WHERE source = 'crossings'")
    assert line == 84_960  # Sasabe Feb 2021 bus passengers: 0 on line 84,959, 2,175 here

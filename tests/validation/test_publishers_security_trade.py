"""Homicides, apprehensions, seizures, SESNSP and trade against publishers' figures.

Figures: homicides/, seizures/ and trade/ PROVENANCE.md (INEGI derived totals;
USBP southwest-border apprehensions; CBP fentanyl; Census/BTS Mexico trade).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from border21.data import indicators as ind
from border21.data.samples import load_samples
from border21.data.store import Store, open_store


@pytest.fixture(scope="module")
def warehouse() -> Iterator[Store]:
    with open_store(None, threads=1) as store:
        load_samples(store)
        yield store


@pytest.mark.parametrize(
    ("year", "national", "border"),
    [(2007, 8_715, 1_736), (2008, 13_787, 4_696), (2010, 25_011, 10_707),
     (2018, 34_282, 8_533), (2024, 31_315, 8_006)],
)  # fmt: skip
def test_inegi_homicide_totals(warehouse: Store, year: int, national: int, border: int) -> None:
    allr = ind.homicide_rate(warehouse, states="all")
    bor = ind.homicide_rate(warehouse, states="border")
    assert int(allr.loc[allr.period.dt.year == year, "homicides"].iloc[0]) == national
    assert int(bor.loc[bor.period.dt.year == year, "homicides"].iloc[0]) == border


def test_homicide_rate_uses_conapo_mid_year_population(warehouse: Store) -> None:
    chih = ind.homicide_rate(warehouse, states="Chihuahua")
    row = chih[chih.period.dt.year == 2010].iloc[0]
    # CONAPO 2023 edition, mid-2010 Chihuahua: 3,461,968 (population/PROVENANCE.md)
    assert row.population == 3_461_968
    assert row.rate_per_100k == pytest.approx(100_000 * row.homicides / 3_461_968)
    assert row.rate_per_100k > 150  # Ciudad Juárez years


@pytest.mark.parametrize(
    ("fiscal_year", "published"), [(2000, 1_643_679), (2010, 447_731), (2019, 851_508)]
)
def test_southwest_border_apprehensions(warehouse: Store, fiscal_year: int, published: int) -> None:
    frame = ind.apprehensions(warehouse)
    sw = frame[(frame.group == "Southwest Border") & (frame.period.dt.year == fiscal_year)]
    assert int(sw["value"].iloc[0]) == published


def test_tucson_fy2000(warehouse: Store) -> None:
    frame = ind.apprehensions(warehouse, by="sector")
    row = frame[(frame.group == "TUCSON") & (frame.period.dt.year == 2000)]
    assert int(row["value"].iloc[0]) == 616_346


@pytest.mark.parametrize(
    ("fiscal_year", "pounds"), [(2019, 2_633), (2021, 10_586), (2022, 14_104), (2023, 26_718)]
)
def test_southwest_border_fentanyl_pounds(warehouse: Store, fiscal_year: int, pounds: int) -> None:
    got = warehouse.scalar(
        "SELECT sum(quantity_lbs) FROM seizures WHERE region = 'Southwest Border' "
        "AND drug_type = 'Fentanyl' AND fiscal_year = ?",
        [fiscal_year],
    )
    assert round(got) == pounds


def test_usbp_marijuana_fy2019_agrees_across_sources(warehouse: Store) -> None:
    got = warehouse.scalar(
        "SELECT sum(quantity_lbs) FROM seizures WHERE region = 'Southwest Border' "
        "AND component = 'U.S. Border Patrol' AND drug_type = 'Marijuana' AND fiscal_year = 2019"
    )
    assert round(got) == 262_903


@pytest.mark.parametrize(
    ("year", "exports_bn", "imports_bn"), [(2023, 323.2, 475.6), (2024, 334.0, 505.9)]
)
def test_mexico_trade_matches_census(
    warehouse: Store, year: int, exports_bn: float, imports_bn: float
) -> None:
    frame = ind.trade(warehouse)
    got = {r.group: r.value_usd / 1e9 for r in frame[frame.period.dt.year == year].itertuples()}
    assert round(got["Export"], 1) == exports_bn
    assert round(got["Import"], 1) == imports_bn


@pytest.mark.parametrize(
    ("year", "carpetas"), [(2015, 16_120), (2018, 29_097), (2019, 29_480), (2021, 28_267)]
)
def test_sesnsp_intentional_homicide_carpetas(warehouse: Store, year: int, carpetas: int) -> None:
    got = warehouse.scalar(
        "SELECT sum(carpetas) FROM sesnsp_incidence WHERE subtype = 'intentional_homicide' "
        "AND year(month) = ?",
        [year],
    )
    assert got == carpetas


def test_san_ysidro_wait_summary(warehouse: Store) -> None:
    # waittimes/PROVENANCE.md: general PV mean 59 min (max 253), SENTRI 10, Ready 44
    got = warehouse.sql(
        "SELECT sub_lane, avg(wait_minutes) AS mean, max(wait_minutes) AS max FROM wait_times "
        "WHERE port = 'San Ysidro' AND lane = 'Passenger' GROUP BY 1"
    ).set_index("sub_lane")
    assert round(got.loc["General", "mean"]) == 59 and got.loc["General", "max"] == 253
    assert round(got.loc["Nexus/Sentri", "mean"]) == 10
    assert round(got.loc["Ready", "mean"]) == 44

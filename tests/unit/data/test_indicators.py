"""Indicators on a small warehouse built from fixtures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from border21.data import indicators as ind
from border21.data.loaders import load_source
from border21.data.samples import sample_path
from border21.data.store import Store
from border21.errors import InputError, NotFoundError
from border21.reports.charts import effect_chart, save_chart, time_chart, xy_chart


@pytest.fixture()
def small(store: Store, fixtures: Path) -> Store:
    load_source(store, "crossings", fixtures / "crossings_2024_slice.csv")
    load_source(store, "crossings", fixtures / "crossings_2024_slice_newer.csv")
    load_source(store, "events", sample_path("events.csv"))
    load_source(store, "waittimes", fixtures / "san_ysidro_hist_slice.csv")
    return store


def test_crossings_by_port_and_filters(small: Store) -> None:
    frame = ind.crossings(small, by="port", ports=["San Ysidro", "2506"], start="2024-02")
    assert set(frame["group"]) == {"San Ysidro", "Otay Mesa"}
    assert frame["period"].min() == pd.Timestamp("2024-02-01")
    with pytest.raises(NotFoundError, match="unknown port"):
        ind.crossings(small, ports=["Atlantis"])
    with pytest.raises(InputError):
        ind.crossings(small, freq="week")


def test_year_over_year_uses_the_same_month_a_year_earlier() -> None:
    frame = pd.DataFrame({
        "period": pd.to_datetime(["2023-01-01", "2023-02-01", "2024-01-01", "2024-02-01"]),
        "group": ["a"] * 4, "value": [100, 0, 110, 50],
    })  # fmt: skip
    got = ind._with_yoy(frame, "value", "month")
    assert got["yoy_pct"].iloc[2] == pytest.approx(10.0)
    assert pd.isna(got["yoy_pct"].iloc[3])  # growth from zero is undefined, not infinite


def test_vehicle_mix_shares(small: Store) -> None:
    mix = ind.vehicle_mix(small, by="port", freq="month")
    sy = mix[mix["group"] == "San Ysidro"]
    assert (sy["trucks"].fillna(0) == 0).all()  # San Ysidro has no cargo facility
    laredo = mix[mix["group"] == "Laredo"]
    assert ((laredo["truck_share"] > 0) & (laredo["truck_share"] < 1)).all()


def test_hourly_wait_profile_for_the_simulator(small: Store) -> None:
    prof = ind.hourly_wait_profile(small, "san ysidro", weekday=0)
    assert prof["hour"].tolist() == list(range(24))
    assert prof["cells"].eq(1).all()
    with pytest.raises(NotFoundError, match="known: San Ysidro"):
        ind.hourly_wait_profile(small, "otay")


def test_monthly_crossings_api(small: Store) -> None:
    frame = ind.monthly_crossings(small, "2504", "Personal Vehicles")
    assert frame["month"].dt.month.tolist() == [1, 2, 3]
    assert (frame["value"] > 0).all()


def test_seasonal_adjust_needs_two_years() -> None:
    idx = pd.date_range("2015-01-01", periods=48, freq="MS")
    season = [10.0 if d.month == 12 else 0.0 for d in idx]
    frame = pd.DataFrame({"period": idx, "group": "g", "value": [100.0 + s for s in season]})
    out = ind.seasonal_adjust(frame)
    assert out["adjusted"].std() < 1.0  # December spike removed
    short = ind.seasonal_adjust(frame.head(12))
    assert short["adjusted"].isna().all()


def test_charts_mark_events_and_save(small: Store, tmp_path: Path) -> None:
    frame = ind.crossings(small, by="port")
    events = ind.events(small)
    events = pd.concat([events, events.head(1).assign(event_date=pd.Timestamp("2024-02-15"))])
    spec = time_chart(frame, events=events, title="t").to_dict()
    assert len(spec["layer"]) == 2  # the line and the event rules
    rule_data = spec["datasets"][spec["layer"][1]["data"]["name"]]
    assert [r["event_date"] for r in rule_data] == ["2024-02-15"]
    assert save_chart(time_chart(frame), tmp_path / "c.json").read_text().startswith("{")
    html = save_chart(
        xy_chart(ind.hourly_wait_profile(small, "ysidro").assign(p="SY"), x="hour",
                 y="wait_minutes", color="p"),
        tmp_path / "w.html",
    ).read_text()  # fmt: skip
    assert "<script src=" not in html and "vegaEmbed" in html
    with pytest.raises(InputError, match="extension"):
        save_chart(time_chart(frame), tmp_path / "c.gif")


def test_effect_chart_has_counterfactual() -> None:
    from border21.data.effects import interrupted_time_series

    idx = pd.date_range("2000-01-01", periods=60, freq="MS")
    y = pd.Series([float(i % 12) + (5 if i >= 30 else 0) for i in range(60)], index=idx)
    spec = effect_chart(interrupted_time_series(y, "2002-07")).to_dict()
    lines = {r["line"] for data in spec["datasets"].values() for r in data if "line" in r}
    assert lines == {"observed", "fitted", "counterfactual"}


def _seizure_month(month: str, drug: str, events: int) -> str:
    return (
        f"2019,{month},Office of Field Operations,Southwest Border,Southwest Border,"
        f"SAN DIEGO FIELD OFFICE,{drug},{events},1.5"
    )


def test_seizure_rate_divides_by_every_crossing_of_the_year(store: Store, tmp_path: Path) -> None:
    """Hand-computed: 6,000 crossings in Oct–Dec 2018 (FY2019), fentanyl seized only in
    October. The rate divides 2 events by all 6,000 crossings, not by October's 1,000."""
    crossings = tmp_path / "c.csv"
    rows = [("Oct 2018", 1000), ("Nov 2018", 2000), ("Dec 2018", 3000)]
    crossings.write_text(
        "Port Name,State,Port Code,Border,Date,Measure,Value\n"
        + "".join(
            f"San Ysidro,California,2504,US-Mexico Border,{d},Personal Vehicles,{v}\n"
            for d, v in rows
        )
    )
    seizures = tmp_path / "s.csv"
    seizures.write_text(
        "FY,Month (abbv),Component,Region,Land Filter,Area of Responsibility,Drug Type,"
        "Count of Event,Sum Qty (lbs)\n"
        + "\n".join(
            [
                _seizure_month("OCT", "Fentanyl", 2),
                _seizure_month("NOV", "Cocaine", 1),
                _seizure_month("DEC", "Methamphetamine", 4),
            ]
        )
        + "\n"
    )
    load_source(store, "crossings", crossings)
    load_source(store, "seizures", seizures)
    fent = ind.seizures_per_1000_crossings(store, drug="Fentanyl").set_index("region")
    assert fent.loc["SAN DIEGO", "crossings"] == 6000
    assert fent.loc["SAN DIEGO", "per_1000"] == pytest.approx(1000 * 2 / 6000)
    heroin = ind.seizures_per_1000_crossings(store, drug="Heroin").set_index("region")
    assert heroin.loc["SOUTHWEST BORDER", "events"] == 0  # no seizure: rate 0, not missing
    assert heroin.loc["SOUTHWEST BORDER", "per_1000"] == 0.0
    every = ind.seizures_per_1000_crossings(store).set_index("region")
    assert every.loc["SOUTHWEST BORDER", "per_1000"] == pytest.approx(1000 * 7 / 6000)


def test_seizure_denominator_on_the_shipped_samples(store: Store) -> None:
    """FY2019 southwest border: 128,234,975 inbound personal vehicles, trucks, buses and
    pedestrians (BTS, Oct 2018 – Sep 2019, exact repeats counted once; summed by hand
    from the sample with pandas) — for fentanyl as for every drug."""
    load_source(store, "crossings", sample_path("crossings_us_mexico_1996_2025.parquet"))
    load_source(store, "seizures", sample_path("seizures_fy2019_2023.parquet"))
    for drug in ("Fentanyl", None):
        frame = ind.seizures_per_1000_crossings(store, drug=drug).set_index(
            ["region", "fiscal_year"]
        )
        assert frame.loc[("SOUTHWEST BORDER", 2019), "crossings"] == 128_234_975

"""CBP's observed waits beside a region's simulated ones: the join and the figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from border21.regions.equilibrium import PortHour, RegionResult
from border21.regions.observed import (
    CBP_LANES,
    compare,
    observed_cells,
    observed_profiles,
    simulated_profiles,
)


def _result(waits: dict[tuple[str, str], list[float]]) -> RegionResult:
    """A result whose waits by the hour the booth is reached (CBP's measure) are ``waits``;
    by arrival hour they are 100 min more, so a comparison using them fails."""
    rows = tuple(
        PortHour(port, segment, "", h, 10.0, w + 100.0, 1.0, 0, w, 1.0)
        for (port, segment), hourly in waits.items()
        for h, w in enumerate(hourly)
    )
    return RegionResult(
        region="toy", ports=tuple(dict.fromkeys(p for p, _s in waits)), iterations=1, gap=0.0,
        converged=True, gaps=(0.0,), wait_change_minutes=0.0, seed=0, replications=2,
        seconds=0.0, demand_per_day=0.0, flows={}, booths={}, rows=rows,
    )  # fmt: skip


def test_figures_on_the_hour_of_day_profile() -> None:
    hours = np.arange(24)
    observed_shape = 40 + 10 * np.sin(hours / 24 * 2 * np.pi)
    observed = pd.DataFrame(
        [{"port": "a", "segment": s, "hour": h, "observed_min": float(v), "cells": 84}
         for s in ("close", "flat", "quiet") for h, v in zip(hours, observed_shape, strict=True)]
    )  # fmt: skip
    observed.loc[observed["segment"] == "quiet", "observed_min"] = 5.0
    edge = observed[observed["segment"] == "close"].assign(segment="edge", observed_min=15.0)
    edge.loc[edge["hour"] % 2 == 0, "observed_min"] = 14.0
    edge.loc[edge["hour"] % 2 == 1, "observed_min"] = 16.0  # mean exactly 15: a target
    observed = pd.concat([observed, edge], ignore_index=True)
    result = _result({
        ("a", "close"): list(observed_shape + 3.0),  # 3 min off, same shape
        ("a", "flat"): [40.0] * 24,  # no shape: no correlation
        ("a", "quiet"): [6.0] * 24,
        ("a", "edge"): [26.0 if h % 2 == 0 else 4.0 for h in range(24)],  # 12 off, opposite
    })  # fmt: skip
    both, table = compare(result, observed)
    assert len(both) == 96 and list(both["hour"][:3]) == [0, 1, 2]
    assert list(table.columns[:4]) == ["port", "segment", "hours", "observed_mean_min"]
    rows = table.set_index("segment")
    assert list(rows.index) == ["close", "flat", "quiet", "edge"]  # in the order given
    assert (rows["hours"] == 24).all() and (table["port"] == "a").all()
    assert rows.loc["close", "mae_min"] == pytest.approx(3.0)
    assert rows.loc["close", "simulated_mean_min"] == pytest.approx(43.0)
    assert rows.loc["close", "corr"] == pytest.approx(1.0)
    assert rows.loc["close", "target"] and rows.loc["close", "meets"]
    assert rows.loc["edge", "target"] and rows.loc["edge", "corr"] == pytest.approx(-1.0)
    assert rows.loc["edge", "mae_min"] == pytest.approx(12.0) and not rows.loc["edge", "meets"]
    assert math.isnan(rows.loc["flat", "corr"]) and not rows.loc["flat", "meets"]
    assert not rows.loc["quiet", "target"] and not rows.loc["quiet", "meets"]  # under 15 min
    assert rows.loc["quiet", "observed_mean_min"] == pytest.approx(5.0)


def test_several_equilibria_are_compared_by_their_mean_with_the_spread_and_a_region_s_bar() -> None:
    from border21.regions.observed import BARS, bar

    observed = pd.DataFrame(
        [{"port": "a", "segment": "g", "hour": h, "observed_min": 40.0 + h, "cells": 84}
         for h in range(24)]
    )  # fmt: skip
    # two equilibria 12 min off either way: each alone misses San Diego's bar, their mean
    # is the observed profile; the group's mean is 40 + 11.5 ± t(0.975, 1) × 12
    low = _result({("a", "g"): [28.0 + h for h in range(24)]})
    high = _result({("a", "g"): [52.0 + h for h in range(24)]})
    _both, alone = compare(low, observed)
    assert alone.loc[0, "mae_min"] == pytest.approx(12.0) and not alone.loc[0, "meets"]
    assert math.isnan(alone.loc[0, "simulated_mean_ci95"]) and alone.loc[0, "equilibria"] == 1
    both, table = compare([low, high], observed)
    assert len(both) == 24 and both["reported_min"].tolist() == [40.0 + h for h in range(24)]
    row = table.iloc[0]
    assert row["mae_min"] == pytest.approx(0.0) and row["meets"] and row["equilibria"] == 2
    assert row["simulated_mean_min"] == pytest.approx(51.5)
    assert row["simulated_mean_ci95"] == pytest.approx(12.706205 * 12.0, rel=1e-6)
    assert math.isnan(row["mae_ci95"]) and math.isnan(row["corr_ci95"])  # two: no jackknife
    # a third on the observed profile: left out in turn, the mean is 6, 0 or 6 min off, so
    # the error's jackknife half-width is t(2) × √(2/3 · 24) = 4.303 × 4; the shape holds
    _both, three = compare([low, _result({("a", "g"): [40.0 + h for h in range(24)]}), high],
                           observed)  # fmt: skip
    assert three.loc[0, "mae_min"] == pytest.approx(0.0)
    assert three.loc[0, "mae_ci95"] == pytest.approx(4.3027 * 4.0, abs=1e-3)
    assert three.loc[0, "corr_ci95"] == pytest.approx(0.0, abs=1e-9)
    # El Paso's bar (the transfer) is looser than San Diego's; another region takes San Diego's
    assert bar("el_paso") == (15.0, 0.6) and bar("san_diego") == (10.0, 0.8) == bar("x")
    assert set(BARS) == {"san_diego", "el_paso"}
    _both, transfer = compare(low, observed, bar("el_paso"))
    assert transfer.loc[0, "meets"]  # 12 min off with the shape right: within 15
    shifted = _result({("a", "g"): [40.0 + (h + 12) % 24 for h in range(24)]})
    _both, wrong = compare(shifted, observed, bar("el_paso"))
    assert wrong.loc[0, "corr"] < 0.6 and not wrong.loc[0, "meets"]


def test_each_group_s_interval_is_its_own_and_an_error_at_the_bar_meets_it() -> None:
    observed = pd.DataFrame(
        [{"port": p, "segment": s, "hour": h, "observed_min": 40.0 + h, "cells": 84}
         for p, s in (("a", "g"), ("a", "r"), ("b", "g")) for h in range(24)]
    )  # fmt: skip

    # equilibria apart by 2 min at a·g, 20 at a·r, 0 at b·g: each group's spread is its own
    def hourly(start: float) -> list[float]:
        return [start + h for h in range(24)]

    one = _result({("a", "g"): hourly(39.0), ("a", "r"): hourly(30.0), ("b", "g"): hourly(50.0)})
    two = _result({("a", "g"): hourly(41.0), ("a", "r"): hourly(50.0), ("b", "g"): hourly(50.0)})
    _both, table = compare([one, two], observed)
    rows = table.set_index(["port", "segment"])
    assert rows.loc[("a", "g"), "simulated_mean_ci95"] == pytest.approx(12.706205 * 1.0, rel=1e-6)
    assert rows.loc[("a", "r"), "simulated_mean_ci95"] == pytest.approx(12.706205 * 10.0, rel=1e-6)
    assert rows.loc[("b", "g"), "simulated_mean_ci95"] == 0.0
    # b·g is 10 min off every hour with the shape right: exactly at San Diego's bar, it meets it
    assert rows.loc[("b", "g"), "mae_min"] == 10.0 and rows.loc[("b", "g"), "meets"]


def test_observed_profiles_read_cbp_lanes_from_the_warehouse(tmp_path: object) -> None:
    from border21.data.samples import load_samples
    from border21.data.store import open_store

    with open_store(None) as store:
        load_samples(store)
        got = observed_profiles(store, ["tecate", "san_ysidro", "el_paso_ysleta"])
        none = observed_cells(store, ["tecate", "otay_mesa"])
    assert set(got["port"]) == {"san_ysidro", "el_paso_ysleta"}  # Tecate: none published
    assert none.empty and list(none.columns) == [
        "port",
        "segment",
        "month",
        "weekday",
        "hour",
        "observed_min",
    ]
    sy = got[(got["port"] == "san_ysidro") & (got["segment"] == "car_general")]
    assert list(sy["hour"]) == list(range(24)) and (sy["cells"] == 84).all()
    assert 50 < sy["observed_min"].mean() < 70  # CBP's San Ysidro general lanes: 59 min
    assert set(got[got["port"] == "el_paso_ysleta"]["segment"]) == set(
        CBP_LANES["el_paso_ysleta"][1]
    )


def test_held_out_figures_and_the_naive_forecast() -> None:
    """Cells = a weekday × hour pattern + a level per month. The naive forecast repeats the
    fit months' weekday × hour means; the model's one profile is scored on each split."""
    from border21.regions.fit import held_out_figures

    rows = []
    for month in range(1, 13):
        for weekday in range(7):
            for hour in range(24):
                level = 40.0 if month <= 6 else 60.0  # a month effect the naive cannot see
                rows.append({"port": "a", "segment": "g", "month": month, "weekday": weekday,
                             "hour": hour, "observed_min": level + weekday + hour / 2})  # fmt: skip
    cells = pd.DataFrame(rows)
    profile = [50.0 + 3.0 + h / 2 for h in range(24)]  # the all-months mean profile
    figures = held_out_figures(cells, _result({("a", "g"): profile}), (6, 12))
    by_split = {f["split"]: f for f in figures}
    assert by_split["holdout"]["months"] == [6, 12] and len(by_split["fit"]["months"]) == 10
    held = by_split["holdout"]
    # held-out months 6 (level 40) and 12 (level 60): the model's profile is off by 10 in each
    assert held["mae_min"] == pytest.approx(0.0) and held["corr"] == pytest.approx(1.0)
    assert held["cell_mae_min"] == pytest.approx(10.0)
    # the naive forecast: fit months' mean level is (5·40 + 5·60) / 10 = 50, also 10 off
    assert held["naive_cell_mae_min"] == pytest.approx(10.0)
    assert held["observed_mean_min"] == pytest.approx(50.0 + 3.0 + 11.5 / 2)
    assert held["modelled_mean_min"] == pytest.approx(50.0 + 3.0 + 11.5 / 2)
    assert held["modelled_mean_ci95"] is None  # one equilibrium: no interval
    assert held["target"]
    # two equilibria 2 min apart: their mean is the prediction, their spread its interval
    low = _result({("a", "g"): [p - 1.0 for p in profile]})
    high = _result({("a", "g"): [p + 1.0 for p in profile]})
    two = held_out_figures(cells, {0: [low, high]}, (6, 12))
    held_two = next(f for f in two if f["split"] == "holdout")
    assert held_two["modelled_mean_min"] == pytest.approx(held["modelled_mean_min"])
    assert held_two["mae_min"] == pytest.approx(0.0)
    # t(1 df) = 12.706, sd = √2, n = 2: half-width 12.706 × √2 / √2
    assert held_two["modelled_mean_ci95"] == pytest.approx(12.706, abs=1e-3)
    assert held_two["mae_ci95"] is None and held_two["corr_ci95"] is None  # two: no jackknife
    # three equilibria 1 min apart: left one out, the mean profile is 0.5, 0 or 0.5 min off,
    # so the MAE's jackknife interval is t(2) × 1/3; every one keeps the shape: correlation ± 0
    three = held_out_figures(cells, {0: [low, _result({("a", "g"): profile}), high]}, (6, 12))
    held_three = next(f for f in three if f["split"] == "holdout")
    assert held_three["mae_min"] == pytest.approx(0.0)
    assert held_three["mae_ci95"] == pytest.approx(4.3027 / 3, abs=1e-4)
    assert held_three["corr_ci95"] == pytest.approx(0.0, abs=1e-9)


def test_simulated_profiles_keep_segment_hours_only() -> None:
    result = _result({("a", "g"): [1.0] * 24})
    rows = (
        *result.rows,
        PortHour("a", "g", "", -1, 240.0, 1.0, 0.5, 0, 1.0, 0.5),  # the day
        PortHour("a", "", "general", 3, 0.0, 9.0, 0.5, 4, 9.0, 0.5),  # a banded group's booths
    )
    frame = simulated_profiles(RegionResult(**{**result.__dict__, "rows": rows}))
    assert len(frame) == 24 and set(frame["hour"]) == set(range(24))
    assert list(frame.columns) == [
        "port", "segment", "hour", "simulated_min", "simulated_ci95", "reported_min",
        "reported_ci95", "processed",
    ]  # fmt: skip
    assert (frame["simulated_ci95"] == 1.0).all() and (frame["reported_ci95"] == 1.0).all()
    assert (frame["simulated_min"] == 101.0).all() and (frame["reported_min"] == 1.0).all()


def test_held_out_figures_per_month_see_the_months() -> None:
    """One result per month: each month's cells get that month's prediction, so a model that
    knows the month's level beats the naive forecast, which cannot see it; the naive forecast
    with each month's level known, and the waits' correlation with volumes, beside."""
    from border21.regions.fit import held_out_figures

    rows = []
    for month in range(1, 13):
        for weekday in range(7):
            for hour in range(24):
                level = 40.0 if month <= 6 else 60.0
                rows.append({"port": "a", "segment": "g", "month": month, "weekday": weekday,
                             "hour": hour, "observed_min": level + hour / 2})  # fmt: skip
    cells = pd.DataFrame(rows)
    months = {
        m: _result({("a", "g"): [(40.0 if m <= 6 else 60.0) + h / 2 for h in range(24)]})
        for m in range(1, 13)
    }
    volumes = {("a", "g"): np.array([1.0] * 6 + [2.0] * 6)}
    figures = held_out_figures(cells, {m: [r] for m, r in months.items()}, (6, 12), volumes)
    held = next(f for f in figures if f["split"] == "holdout")
    assert held["cell_mae_min"] == pytest.approx(0.0) and held["mae_min"] == pytest.approx(0.0)
    assert held["modelled_mean_min"] == pytest.approx(held["observed_mean_min"])  # 50 + 5.75
    assert held["naive_cell_mae_min"] == pytest.approx(10.0)  # the fit months' level is 50
    assert held["naive_known_level_cell_mae_min"] < 3.0  # scaled by 40/50 and 60/50
    # June from May and July (their mean is the fit months': the naive forecast, 10 off);
    # December from November alone (January is another year's): 65.75 against the fit
    # months' 55.75
    december = np.abs([60 + h / 2 - (50 + h / 2) * 65.75 / 55.75 for h in range(24)]).mean()
    assert held["naive_neighbour_level_cell_mae_min"] == pytest.approx((10.0 + december) / 2)
    assert held["volume_wait_corr"] == pytest.approx(1.0)
    # one result for every month: the same figures as before, no correlation without volumes
    single = held_out_figures(cells, months[1], (6, 12))
    held_single = next(f for f in single if f["split"] == "holdout")
    assert held_single["cell_mae_min"] == pytest.approx(10.0)
    assert held_single["volume_wait_corr"] is None


def test_neighbour_levels_take_the_fit_months_either_side() -> None:
    """A month's level from the fit months beside it, never its own, never across the year's
    end; every fit month's where neither side is one."""
    from border21.regions.fit import neighbour_levels

    fit = pd.Series({1: 10.0, 2: 20.0, 4: 40.0, 5: 50.0, 11: 110.0})
    got = neighbour_levels(fit, np.array([3, 1, 12, 8, 2, 6]))
    every = (10 + 20 + 40 + 50 + 110) / 5
    assert got.tolist() == pytest.approx([30.0, 20.0, 110.0, every, 10.0, 50.0])
    assert np.isnan(neighbour_levels(pd.Series(dtype=float), np.array([3]))).all()


def test_scaled_mae_is_none_without_cells_or_a_finite_scale() -> None:
    """The naive forecast's error scaled: over the cells given only; none where no cell is
    given or the scale is not finite (a fit level of zero)."""
    from border21.regions.fit import _scaled_mae

    values, guess = np.array([10.0, 20.0, 99.0]), np.array([5.0, 10.0, 1.0])
    cells = np.array([True, True, False])
    assert _scaled_mae(values, guess, np.array([2.0, 2.0, 2.0]), cells) == 0.0
    assert _scaled_mae(values, guess, np.ones(3), cells) == pytest.approx(7.5)
    assert _scaled_mae(values, guess, np.array([np.inf, 2.0, 2.0]), cells) is None
    assert _scaled_mae(values, guess, np.ones(3), np.zeros(3, dtype=bool)) is None


def test_sandag_s_2017_profile_is_shipped_with_the_publisher_s_totals() -> None:
    """SANDAG's observed weekday: northbound cars 39,393 at San Ysidro and 21,858 at Otay
    Mesa, the model's 61,250 control total (PROVENANCE §6a), three lanes × 24 hours each."""
    from border21.regions.observed import sandag_2017

    got = sandag_2017()
    assert len(got) == 2 * 3 * 24
    per_day = got.groupby("port")["volume"].sum()
    assert per_day["san_ysidro"] == pytest.approx(39392.6, abs=1.0)
    assert per_day["otay_mesa"] == pytest.approx(21858.3, abs=1.0)
    assert set(got["segment"]) == {"car_general", "car_ready", "car_sentri"}
    general = got[(got["port"] == "san_ysidro") & (got["segment"] == "car_general")]
    assert general["wait_minutes"].tolist()[:2] == [72.0, 66.0]  # the raw file's hours 1–2


def test_sandag_figures_compare_waits_by_booth_hour_and_vehicles_processed() -> None:
    """Two equilibria averaged; waits by the hour the booth is reached (the arrival-hour
    waits are 100 min off and must not be used); vehicles processed, not arrivals."""
    from border21.regions.observed import sandag_2017, sandag_figures

    observed = sandag_2017().set_index(["port", "segment", "hour"])
    general = observed.loc[("san_ysidro", "car_general")]

    def result(offset: float, volume_scale: float) -> RegionResult:
        rows = tuple(
            PortHour("san_ysidro", "car_general", "", h, 1.0, w + offset + 100.0, 1.0, 0,
                     w + offset, 1.0, float(v) * volume_scale)
            for h, (w, v) in enumerate(zip(general["wait_minutes"], general["volume"],
                                           strict=True))
        )  # fmt: skip
        return RegionResult(
            region="toy", ports=("san_ysidro",), iterations=1, gap=0.0, converged=True,
            gaps=(0.0,), wait_change_minutes=0.0, seed=0, replications=1, seconds=0.0,
            demand_per_day=0.0, flows={}, booths={}, rows=rows,
        )  # fmt: skip

    (row,) = sandag_figures([result(2.0, 0.5), result(6.0, 1.5)])  # means: +4 min, ×1
    assert (row["port"], row["lane_group"], row["target"]) == ("san_ysidro", "car_general", True)
    assert row["mae_min"] == pytest.approx(4.0) and row["corr"] == pytest.approx(1.0)
    assert row["observed_mean_min"] == pytest.approx(general["wait_minutes"].mean())
    assert row["observed_per_day"] == pytest.approx(general["volume"].sum())
    assert row["modelled_per_day"] == pytest.approx(general["volume"].sum())
    assert row["volume_corr"] == pytest.approx(1.0)
    assert row["equilibria"] == 2 and row["mae_ci95"] is None  # two: no interval
    assert row["modelled_per_day_ci95"] is None and row["volume_corr_ci95"] is None
    # three: +2, +4 and +6 min, volumes × 0.5, 1 and 1.5; left out in turn the mean is 5, 4
    # or 3 min off (the error's jackknife: t(2) × √(2/3 · 2) = 4.303 × 2/√3); a day's count
    # spreads by a half of it (t interval); every shape is CBP's (correlations ± 0)
    (three,) = sandag_figures([result(2.0, 0.5), result(4.0, 1.0), result(6.0, 1.5)])
    assert three["mae_min"] == pytest.approx(4.0) and three["equilibria"] == 3
    assert three["mae_ci95"] == pytest.approx(4.3027 * 2 / math.sqrt(3), abs=1e-3)
    day = general["volume"].sum()
    assert three["modelled_per_day_ci95"] == pytest.approx(4.3027 * 0.5 * day / math.sqrt(3),
                                                           rel=1e-4)  # fmt: skip
    assert three["corr_ci95"] == pytest.approx(0.0, abs=1e-9)
    assert three["volume_corr_ci95"] == pytest.approx(0.0, abs=1e-9)


def test_a_correlation_needs_three_points_and_both_sides_varying() -> None:
    from border21.regions.observed import correlation as _corr

    rising = np.array([1.0, 2.0, 3.0])
    assert _corr(rising, rising * 2) == pytest.approx(1.0)
    assert _corr(rising, np.full(3, 5.0)) is None and _corr(np.full(3, 5.0), rising) is None
    assert _corr(rising[:2], rising[:2]) is None

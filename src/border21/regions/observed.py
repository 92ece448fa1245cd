"""CBP's observed waits beside a region's simulated ones, hour by hour.

CBP publishes average waits by port, lane and sub-lane, month, weekday and hour
(the warehouse's ``wait_times``: San Ysidro and the El Paso bridges). A
region's segments are lane programs at ports, so each (port, segment) with a
published counterpart is compared on the hour-of-day profile — the mean over
the published months and weekdays of each hour — by mean absolute error and
correlation, the figures issue 14 sets targets on (a lane group whose observed
mean is at least 15 minutes: error ≤ 10 minutes, correlation ≥ 0.8 on held-out
months for San Diego). Segments stay apart: no wait is pooled across them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store
    from border21.regions.equilibrium import RegionResult

# port scenario → (CBP's port name in wait_times, segment → (lane, sub_lane))
CBP_LANES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "san_ysidro": (
        "San Ysidro",
        {
            "car_general": ("Passenger", "General"),
            "car_ready": ("Passenger", "Ready"),
            "car_sentri": ("Passenger", "Nexus/Sentri"),
            "ped_general": ("Pedestrian", "General"),
            "ped_ready": ("Pedestrian", "Ready"),
        },
    ),
    "el_paso_bota": (
        "El Paso - Bridge of the Americas (BOTA)",
        {
            "car_general": ("Passenger", "General"),
            "car_ready": ("Passenger", "Ready"),
            "truck_general": ("Commercial", "General"),
            "ped_general": ("Pedestrian", "General"),
            "ped_ready": ("Pedestrian", "Ready"),
        },  # its Nexus/Sentri cells are empty
    ),
    "el_paso_pdn": (
        "El Paso - Paso Del Norte (PDN)",
        {
            "car_general": ("Passenger", "General"),
            "car_ready": ("Passenger", "Ready"),
            "car_sentri": ("Passenger", "Nexus/Sentri"),
            "ped_general": ("Pedestrian", "General"),
            "ped_ready": ("Pedestrian", "Ready"),
        },
    ),
    "el_paso_ysleta": (
        "El Paso - Ysleta",
        {
            "car_general": ("Passenger", "General"),
            "car_ready": ("Passenger", "Ready"),
            "car_sentri": ("Passenger", "Nexus/Sentri"),
            "truck_general": ("Commercial", "General"),
            "ped_general": ("Pedestrian", "General"),  # one pedestrian line; CBP publishes General
        },
    ),
    # the Stanton DCL is SENTRI only; CBP labels its lane Passenger / General (3 months)
    "el_paso_stanton": ("El Paso - Stanton DCL", {"car_sentri": ("Passenger", "General")}),
}
TARGET_MIN_OBSERVED = 15.0  # issue 14: groups whose observed mean wait is at least this
TARGET_MAE_MIN = 10.0
TARGET_CORR = 0.8
# Issue 14's bar by region, (largest error in minutes, least correlation) on the hour-of-day
# profile: San Diego is the region the behaviour is fitted on; El Paso is predicted with San
# Diego's behaviour (the transfer), and its bar is looser. Another region: San Diego's.
BARS: dict[str, tuple[float, float]] = {
    "san_diego": (TARGET_MAE_MIN, TARGET_CORR),
    "el_paso": (15.0, 0.6),
}


def bar(region: str) -> tuple[float, float]:
    """The region's bar (largest error in minutes, least correlation)."""
    return BARS.get(region, (TARGET_MAE_MIN, TARGET_CORR))


def observed_cells(store: Store, ports: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Per (port, segment, month, weekday, hour): CBP's published mean wait, for the ports
    given that CBP publishes (an empty frame when none). Weekday 0 is Sunday."""
    import pandas as pd

    frames = []
    for port in ports:
        if port not in CBP_LANES:
            continue
        cbp, lanes = CBP_LANES[port]
        for segment, (lane, sub_lane) in lanes.items():
            got = store.sql(
                "SELECT month, weekday, hour, wait_minutes AS observed_min FROM wait_times "
                "WHERE port = ? AND lane = ? AND sub_lane = ? AND wait_minutes IS NOT NULL",
                [cbp, lane, sub_lane],
            )
            if len(got):
                frames.append(got.assign(port=port, segment=segment))
    columns = ["port", "segment", "month", "weekday", "hour", "observed_min"]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)[columns]
    for col in ("month", "weekday", "hour"):
        out[col] = out[col].astype(int)
    out["observed_min"] = out["observed_min"].astype(float)
    return out


def hour_profiles(cells: pd.DataFrame) -> pd.DataFrame:
    """Per (port, segment, hour): the mean of the cells, and how many there are."""
    grouped = cells.groupby(["port", "segment", "hour"], sort=False)["observed_min"]
    return grouped.agg(observed_min="mean", cells="count").reset_index()


def observed_profiles(store: Store, ports: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Per (port, segment, hour): CBP's mean wait over the published months and weekdays."""
    return hour_profiles(observed_cells(store, ports))


def simulated_profiles(result: RegionResult) -> pd.DataFrame:
    """Per (port, segment, hour): the equilibrium's simulated mean wait and its 95% half-width,
    by the hour travellers arrived (``simulated_``) and by the hour they reached the booth
    (``reported_``, the hour CBP's published wait is counted in; see :class:`PortHour`)."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "port": r.port,
                "segment": r.segment,
                "hour": r.hour,
                "simulated_min": r.wait_minutes,
                "simulated_ci95": r.wait_half_width,
                "reported_min": r.reported_minutes,
                "reported_ci95": r.reported_half_width,
                "processed": r.processed,
            }
            for r in result.rows
            if r.segment and r.hour >= 0
        ]  # fmt: skip
    )


def mean_profiles(results: Sequence[RegionResult]) -> pd.DataFrame:
    """Per (port, segment, hour): the mean over several equilibria of their simulated waits,
    by the hour of arrival and of the booth (``simulated_min``, ``reported_min``)."""
    import pandas as pd

    each = pd.concat([simulated_profiles(r) for r in results], ignore_index=True)
    keys = ["port", "segment", "hour"]
    return each.groupby(keys, sort=False)[["reported_min", "simulated_min"]].mean().reset_index()


def profile_mae(observed: np.ndarray, profiles: np.ndarray) -> float:
    """MAE of the mean of some equilibria's hour-of-day ``profiles`` (rows) against the
    ``observed`` profile (the same hours)."""
    return float(np.abs(observed - np.nanmean(profiles, axis=0)).mean())


def profile_corr(observed: np.ndarray, profiles: np.ndarray) -> float | None:
    """Correlation of the mean of some equilibria's ``profiles`` (rows) with ``observed``."""
    return correlation(observed, np.nanmean(profiles, axis=0))


def per_equilibrium(rows: pd.DataFrame, column: str, hours: Any) -> np.ndarray:
    """One group's simulated profiles, one row per equilibrium (``rows`` carry an
    ``equilibrium`` column), ``column`` at ``hours`` in their order."""
    table = rows.pivot_table(index="equilibrium", columns="hour", values=column)
    return np.asarray(table.reindex(columns=np.asarray(hours)), dtype=float)


def compare(
    results: RegionResult | Sequence[RegionResult],
    observed: pd.DataFrame,
    bar: tuple[float, float] = (TARGET_MAE_MIN, TARGET_CORR),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The hourly profiles side by side, and per (port, segment) the hour-of-day figures.

    With several equilibria (independent seeds) the simulated profile is their mean, as
    `region fit` predicts. Per group: observed and simulated means (unweighted over the hours
    both have) and the simulated mean's 95% half-width over the equilibria (t; NaN with one),
    the profile's mean absolute error and correlation with their 95% jackknife half-widths
    over the equilibria (NaN with fewer than three), whether the group is a target
    (observed mean ≥ 15 min) and whether it meets ``bar`` (largest error, least correlation;
    :func:`bar` gives a region's).
    """
    import pandas as pd

    from border21.stats import ci95_half_width, jackknife_ci95

    many = [results] if not isinstance(results, Sequence) else list(results)
    keys = ["port", "segment", "hour"]
    both = observed.merge(mean_profiles(many), on=keys)
    each = pd.concat(
        [simulated_profiles(r).assign(equilibrium=i) for i, r in enumerate(many)],
        ignore_index=True,
    )
    seen = observed.merge(each, on=keys)
    worst_mae, least_corr = bar
    rows = []
    for (port, segment), g in both.groupby(["port", "segment"], sort=False):
        obs, sim = g["observed_min"].to_numpy(float), g["reported_min"].to_numpy(float)
        r = correlation(obs, sim)
        corr = float("nan") if r is None else r
        mae = float(np.abs(obs - sim).mean())
        target = bool(obs.mean() >= TARGET_MIN_OBSERVED)
        mine = seen[(seen["port"] == port) & (seen["segment"] == segment)]
        levels = mine.groupby("equilibrium")["reported_min"].mean().to_numpy(float)
        half = ci95_half_width(float(levels.std(ddof=1)) if len(levels) > 1 else 0.0, len(levels))
        per_np = per_equilibrium(mine, "reported_min", g["hour"])  # (equilibria, g's hours)
        mae_half = jackknife_ci95(per_np, partial(profile_mae, obs))
        corr_half = jackknife_ci95(per_np, partial(profile_corr, obs))
        rows.append(
            {
                "port": port,
                "segment": segment,
                "hours": len(g),
                "observed_mean_min": float(obs.mean()),
                "simulated_mean_min": float(sim.mean()),
                "mae_min": mae,
                "corr": corr,
                "target": target,
                "meets": bool(target and mae <= worst_mae and corr >= least_corr),
                "simulated_mean_ci95": half,
                "mae_ci95": float("nan") if mae_half is None else mae_half,
                "corr_ci95": float("nan") if corr_half is None else corr_half,
                "equilibria": len(many),
            }  # fmt: skip
        )
    return both, pd.DataFrame(rows)


SANDAG_2017 = "sandag_2017_observed.csv"  # regions/scenarios/SOURCES.md


def sandag_2017() -> pd.DataFrame:
    """SANDAG's observed hourly profile of San Ysidro's and Otay Mesa's northbound car lanes
    on an average Tuesday to Thursday of 2017 (the SR-11 model's calibration target; shipped,
    regions/scenarios/SOURCES.md): per (port, segment, hour) the vehicles processed, the
    lanes open and the average wait."""
    from importlib import resources

    import pandas as pd

    with resources.files("border21.regions").joinpath("scenarios", SANDAG_2017).open("rb") as f:
        return pd.read_csv(f)


def sandag_figures(results: Sequence[RegionResult]) -> list[dict[str, Any]]:
    """Per (port, segment) SANDAG observed in 2017: the model (the mean of ``results``, e.g.
    a fit's equilibria) against SANDAG's hourly waits — mean absolute error and correlation
    of the hour-of-day profile, by the hour the booth was reached — and against its
    vehicles processed by hour (crossings a day, the hourly counts' correlation). Each
    figure from the model carries its 95% half-width over the results (``_ci95``: t for the
    crossings a day, the jackknife for the profile's error and correlations; None with
    fewer than three results)."""
    import pandas as pd

    from border21.stats import ci95_half_width, jackknife_ci95

    observed = sandag_2017()
    each = pd.concat(
        [simulated_profiles(r).assign(equilibrium=i) for i, r in enumerate(results)],
        ignore_index=True,
    )
    sim = (
        each.groupby(["port", "segment", "hour"])[["reported_min", "processed"]]
        .mean()
        .reset_index()
    )
    both = observed.merge(sim, on=["port", "segment", "hour"])
    out = []
    for (port, segment), g in both.groupby(["port", "segment"], sort=False):
        wait, model = g["wait_minutes"].to_numpy(float), g["reported_min"].to_numpy(float)
        volume, done = g["volume"].to_numpy(float), g["processed"].to_numpy(float)
        mine = each[(each["port"] == port) & (each["segment"] == segment)]
        waits = per_equilibrium(mine, "reported_min", g["hour"])
        counts = per_equilibrium(mine, "processed", g["hour"])
        days = counts.sum(axis=1)
        n = len(days)
        out.append(
            {
                "port": port,
                "lane_group": segment,
                "target": bool(wait.mean() >= TARGET_MIN_OBSERVED),
                "observed_mean_min": float(wait.mean()),
                "mae_min": float(np.abs(wait - model).mean()),
                "mae_ci95": jackknife_ci95(waits, partial(profile_mae, wait)),
                "corr": correlation(wait, model),
                "corr_ci95": jackknife_ci95(waits, partial(profile_corr, wait)),
                "observed_per_day": float(volume.sum()),
                "modelled_per_day": float(done.sum()),
                "modelled_per_day_ci95": (
                    ci95_half_width(float(days.std(ddof=1)), n) if n > 2 else None
                ),
                "volume_corr": correlation(volume, done),
                "volume_corr_ci95": jackknife_ci95(counts, partial(profile_corr, volume)),
                "equilibria": n,
            }
        )
    return out


def correlation(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson's correlation, or None with fewer than three points or either side constant
    (the regions' profiles, monthly levels and volumes all use it)."""
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


# The counted crossings each port's segments are scaled by, month by month (the cells' months
# differ in volume; `region fit` solves each month): the region's port → (table, key) for cars,
# trucks and pedestrians. BTS counts San Diego's ports (`crossings`, by port code); CBP's counts by
# bridge, as UNT processes them for TxDOT, give El Paso's bridges (`bridge_crossings`), which BTS
# reports as one.
VOLUME_SERIES: dict[str, dict[str, tuple[str, str, str]]] = {
    "san_ysidro": {
        "cars": ("crossings", "2504", "Personal Vehicles"),
        "pedestrians": ("crossings", "2504", "Pedestrians"),
    },
    "otay_mesa": {
        "cars": ("crossings", "2506", "Personal Vehicles"),
        "trucks": ("crossings", "2506", "Trucks"),
        "pedestrians": ("crossings", "2506", "Pedestrians"),
    },
    "tecate": {
        "cars": ("crossings", "2505", "Personal Vehicles"),
        "trucks": ("crossings", "2505", "Trucks"),
        "pedestrians": ("crossings", "2505", "Pedestrians"),
    },
    "el_paso_bota": {
        "cars": ("bridge_crossings", "Bridge of the Americas", "Passenger Vehicles"),
        "trucks": ("bridge_crossings", "Bridge of the Americas", "Commercial Trucks"),
        "pedestrians": ("bridge_crossings", "Bridge of the Americas", "Pedestrians/ Bicyclists"),
    },
    "el_paso_pdn": {
        "cars": ("bridge_crossings", "Paso del Norte Bridge", "Passenger Vehicles"),
        "pedestrians": ("bridge_crossings", "Paso del Norte Bridge", "Pedestrians/ Bicyclists"),
    },
    "el_paso_stanton": {"cars": ("bridge_crossings", "Good Neighbor Bridge", "Passenger Vehicles")},
    "el_paso_ysleta": {
        "cars": ("bridge_crossings", "Ysleta Bridge", "Passenger Vehicles"),
        "trucks": ("bridge_crossings", "Ysleta Bridge", "Commercial Trucks"),
        "pedestrians": ("bridge_crossings", "Ysleta Bridge", "Pedestrians/ Bicyclists"),
    },
}


def monthly_per_day(store: Store, port: str, kind: str, year: int) -> np.ndarray | None:
    """A port's counted crossings a day in each month of ``year`` (12 values), or None when
    the port has no series of that kind or the year is not complete."""
    import calendar

    series = VOLUME_SERIES.get(port, {}).get(kind)
    if series is None:
        return None
    table, key, measure = series
    sql = (
        "SELECT month(month) AS m, sum(value)::DOUBLE AS n FROM crossings "
        "WHERE port_code = ? AND measure = ? AND year(month) = ? GROUP BY ALL"
        if table == "crossings"
        else "SELECT month(month) AS m, sum(crossings)::DOUBLE AS n FROM bridge_crossings "
        "WHERE bridge = ? AND mode = ? AND year(month) = ? GROUP BY ALL"
    )
    got = store.sql(sql, [key, measure, year])
    if len(got) < 12:
        return None
    counts = got.set_index("m")["n"].reindex(range(1, 13)).to_numpy(float)
    days = np.array([calendar.monthrange(year, m)[1] for m in range(1, 13)], dtype=float)
    return np.asarray(counts / days, dtype=float)

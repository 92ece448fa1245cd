"""Calibrate a port scenario so that simulated hourly waits track CBP's published profiles.

For each primary lane group border21 fits two numbers: a *service-time
scale* (multiplying the mean primary time of the crossings that use the
group) and a *staffing scale* (multiplying the open booths of every hour).
The observed targets are CBP's historical average waits by hour of day
(``wait_times`` in the warehouse). Months are split into a fit set and a
held-out set; arrivals are scaled by the BTS volume of the months in each
set relative to the year's average. The fit is a grid search with common
random numbers (the same seeds for every grid point), so the comparison
between grid points is not blurred by simulation noise. Lane groups that
serve disjoint crossings do not interact, so one grid run fits all groups at
once.

The core takes the observed profiles as plain tables; reading them from the
warehouse is :func:`observed_profiles`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from border21.errors import InputError, NotFoundError
from border21.ports.config import PortScenario, validate_scenario
from border21.ports.model import PortModel

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store

KIND_TO_LANE = {"personal_vehicle": "Passenger", "pedestrian": "Pedestrian", "truck": "Commercial"}
PROGRAM_TO_SUB_LANE = {
    "general": "General",
    "ready": "Ready",
    "sentri": "Nexus/Sentri",
    "fast": "FAST",
}
DEFAULT_SERVICE_SCALES = (0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2)
DEFAULT_STAFFING_SCALES = (0.85, 1.0, 1.15)
# Shipped scenario → (wait-time port name, BTS year the scenario's volumes come from).
WAIT_PORTS = {"san_ysidro": ("San Ysidro", 2017), "el_paso_bota": ("BOTA", 2024)}


@dataclass(frozen=True, slots=True)
class GroupFit:
    """The fitted scales of one lane group and its errors (minutes)."""

    group: str
    service_scale: float
    staffing_scale: float
    rmse_before: float
    rmse_fit: float
    rmse_holdout: float
    corr_fit: float


@dataclass(frozen=True)
class CalibrationResult:
    """Fitted scenario, per-group fits and the hourly profiles behind them."""

    scenario: PortScenario
    fits: list[GroupFit]
    profiles: pd.DataFrame  # group, hour, set (fit/holdout), observed, before, after
    fit_months: tuple[int, ...]
    holdout_months: tuple[int, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([_asdict(f) for f in self.fits])


def _asdict(fit: GroupFit) -> dict[str, Any]:
    return {name: getattr(fit, name) for name in GroupFit.__slots__}


# ------------------------------------------------------------ scenario edits


def _group_pairs(scenario: PortScenario, group: str) -> list[tuple[str, str]]:
    """(stream, program) pairs whose crossings use ``group``."""
    g = scenario.lanes[group]
    return [
        (s, p)
        for s in g.streams
        for p, share in scenario.streams[s].program_shares.items()
        if share > 0 and p in g.accepted_programs
    ]


def scaled(
    scenario: PortScenario,
    service: dict[str, float],
    staffing: dict[str, float],
    volume: float = 1.0,
) -> PortScenario:
    """A copy with per-group service and staffing scales and all volumes × ``volume``."""
    data = scenario.model_dump(mode="python")
    for group, factor in service.items():
        for s, p in _group_pairs(scenario, group):
            svc = data["streams"][s]["primary_service"]
            svc["mean_seconds_by_program"][p] = (
                scenario.streams[s].primary_service.mean_for(p) * factor
            )
    for group, factor in staffing.items():
        g = scenario.lanes[group]
        data["lanes"][group]["open_booths_by_hour"] = [
            min(g.booths, max(1 if n > 0 else 0, int(round(n * factor)))) for n in g.open_booths()
        ]
    for st in data["streams"].values():
        st["crossings_per_day"] *= volume
    return validate_scenario(data)


def simulated_profile(
    scenario: PortScenario, *, days: int, seeds: list[int], warmup_days: int = 1
) -> pd.DataFrame:
    """Mean primary wait (minutes) by lane group and hour of arrival, after a warm-up."""
    import pandas as pd

    model = PortModel(scenario)
    parts = []
    for seed in seeds:
        # draw-then-queue keeps every random number fixed across grid points (common random
        # numbers); the fused engine draws lazily, so its stream would shift with parameters
        total = days + warmup_days
        rec = model.run(model.draw(total, np.random.default_rng(seed)), total)
        keep = rec.arrival >= warmup_days * 86400.0
        parts.append(
            pd.DataFrame(
                {
                    "group": np.asarray(rec.group_names)[rec.group[keep]],
                    "hour": ((rec.arrival[keep] // 3600) % 24).astype(int),
                    "wait": rec.wait_seconds[keep] / 60.0,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame.groupby(["group", "hour"], as_index=False)["wait"].mean()


def _errors(sim: pd.DataFrame, obs: pd.DataFrame) -> tuple[float, float]:
    merged = obs.merge(sim, on="hour", how="left").dropna()
    if len(merged) < 3:
        return float("nan"), float("nan")
    diff = merged["wait"] - merged["wait_minutes"]
    corr = float(np.corrcoef(merged["wait"], merged["wait_minutes"])[0, 1])
    return float(np.sqrt(np.mean(diff**2))), corr


# ------------------------------------------------------------------- the fit


def calibrate(
    scenario: PortScenario,
    observed_fit: dict[str, pd.DataFrame],
    observed_holdout: dict[str, pd.DataFrame],
    *,
    volume_fit: float = 1.0,
    volume_holdout: float = 1.0,
    days: int = 3,
    seeds: tuple[int, ...] = (1, 2),
    service_scales: tuple[float, ...] = DEFAULT_SERVICE_SCALES,
    staffing_scales: tuple[float, ...] = DEFAULT_STAFFING_SCALES,
    fit_months: tuple[int, ...] = (),
    holdout_months: tuple[int, ...] = (),
) -> CalibrationResult:
    """Fit per-group service and staffing scales to ``observed_fit``; check on the holdout.

    ``observed_*`` map a lane-group name to a table with ``hour`` and
    ``wait_minutes``. Groups without observations keep their parameters.
    """
    import pandas as pd

    groups = [g for g in scenario.lanes if g in observed_fit]
    if not groups:
        raise InputError("observed", "none", "no lane group of the scenario has observed waits")
    seed_list = list(seeds)
    before = simulated_profile(scaled(scenario, {}, {}, volume_fit), days=days, seeds=seed_list)
    best: dict[str, tuple[float, float, float]] = {g: (np.inf, 1.0, 1.0) for g in groups}
    for svc in service_scales:
        for staff in staffing_scales:
            trial = scaled(
                scenario, dict.fromkeys(groups, svc), dict.fromkeys(groups, staff), volume_fit
            )
            prof = simulated_profile(trial, days=days, seeds=seed_list)
            for g in groups:
                rmse, _ = _errors(prof[prof["group"] == g], observed_fit[g])
                if rmse < best[g][0]:
                    best[g] = (rmse, svc, staff)
    service = {g: best[g][1] for g in groups}
    staffing = {g: best[g][2] for g in groups}
    fitted = scaled(scenario, service, staffing)
    after_fit = simulated_profile(scaled(fitted, {}, {}, volume_fit), days=days, seeds=seed_list)
    after_hold = simulated_profile(
        scaled(fitted, {}, {}, volume_holdout), days=days, seeds=seed_list
    )
    before_hold = simulated_profile(
        scaled(scenario, {}, {}, volume_holdout), days=days, seeds=seed_list
    )
    fits, rows = [], []
    for g in groups:
        rmse_before, _ = _errors(before[before["group"] == g], observed_fit[g])
        rmse_fit, corr = _errors(after_fit[after_fit["group"] == g], observed_fit[g])
        hold = observed_holdout.get(g)
        rmse_hold = (
            _errors(after_hold[after_hold["group"] == g], hold)[0] if hold is not None else np.nan
        )
        fits.append(GroupFit(g, service[g], staffing[g], rmse_before, rmse_fit, rmse_hold, corr))
        for label, obs, sim_before, sim_after in (
            ("fit", observed_fit[g], before, after_fit),
            ("holdout", hold, before_hold, after_hold),
        ):
            if obs is None:
                continue
            frame = obs[["hour", "wait_minutes"]].rename(columns={"wait_minutes": "observed"})
            frame = frame.merge(
                sim_before[sim_before["group"] == g][["hour", "wait"]].rename(
                    columns={"wait": "before"}
                ),
                on="hour",
                how="left",
            ).merge(
                sim_after[sim_after["group"] == g][["hour", "wait"]].rename(
                    columns={"wait": "after"}
                ),
                on="hour",
                how="left",
            )
            rows.append(frame.assign(group=g, set=label))
    return CalibrationResult(
        scenario=fitted,
        fits=fits,
        profiles=pd.concat(rows, ignore_index=True),
        fit_months=fit_months,
        holdout_months=holdout_months,
        meta={
            "volume_fit": volume_fit,
            "volume_holdout": volume_holdout,
            "days": days,
            "seeds": seed_list,
        },
    )


# ------------------------------------------------------- reading the warehouse


def observed_profiles(
    store: Store, scenario: PortScenario, wait_port: str, months: tuple[int, ...]
) -> dict[str, pd.DataFrame]:
    """CBP's average wait by hour for each lane group, over ``months``."""
    import pandas as pd

    from border21.data.indicators import hourly_wait_profile

    out: dict[str, pd.DataFrame] = {}
    for gname, group in scenario.lanes.items():
        kinds = {scenario.streams[s].kind for s in group.streams}
        if len(kinds) != 1 or group.program not in PROGRAM_TO_SUB_LANE:
            continue
        kind = kinds.pop()
        if kind not in KIND_TO_LANE or any(
            scenario.streams[s].direction != "northbound" for s in group.streams
        ):
            continue
        parts = []
        for month in months:
            try:
                prof = hourly_wait_profile(
                    store,
                    wait_port,
                    lane=KIND_TO_LANE[kind],
                    sub_lane=PROGRAM_TO_SUB_LANE[group.program],
                    month=month,
                )
            except NotFoundError:
                continue
            parts.append(prof)
        if parts:
            frame = pd.concat(parts).groupby("hour", as_index=False)["wait_minutes"].mean()
            if frame["wait_minutes"].notna().sum() >= 12:
                out[gname] = frame
    return out


def volume_factor(store: Store, port_code: str, months: tuple[int, ...], year: int) -> float:
    """BTS inbound volume of ``months`` in ``year`` relative to that year's monthly mean."""
    frame = store.sql(
        """SELECT month(month) AS m, sum(value)::DOUBLE AS v FROM crossings
           WHERE port_code = ? AND year(month) = ?
             AND measure IN ('Personal Vehicles', 'Pedestrians', 'Trucks')
           GROUP BY 1""",
        [port_code, year],
    )
    if len(frame) < 12:
        raise NotFoundError(f"no full year {year} of BTS crossings for port {port_code}")
    by_month = dict(zip(frame["m"].astype(int), frame["v"], strict=True))
    mean = float(np.mean(list(by_month.values())))
    return float(np.mean([by_month[m] for m in months]) / mean)


def calibrate_port(
    store: Store,
    name: str,
    scenario: PortScenario,
    *,
    fit_months: tuple[int, ...] = (1, 3, 5, 7, 9, 11),
    holdout_months: tuple[int, ...] = (2, 4, 6, 8, 10, 12),
    year: int | None = None,
    days: int = 3,
    seeds: tuple[int, ...] = (1, 2),
    service_scales: tuple[float, ...] = DEFAULT_SERVICE_SCALES,
    staffing_scales: tuple[float, ...] = DEFAULT_STAFFING_SCALES,
) -> CalibrationResult:
    """Calibrate a shipped scenario against its CBP wait profiles in the warehouse."""
    if name not in WAIT_PORTS:
        raise InputError("port", name, f"no observed wait profile (known: {', '.join(WAIT_PORTS)})")
    for field_name, months in (("--fit-months", fit_months), ("--holdout-months", holdout_months)):
        bad = [m for m in months if not 1 <= m <= 12]
        if bad or not months:
            raise InputError(field_name, months, "months must be 1–12, at least one")
    if set(fit_months) & set(holdout_months):
        raise InputError("--holdout-months", holdout_months, "must not overlap the fit months")
    wait_port, base_year = WAIT_PORTS[name]
    year = year or base_year
    code = scenario.port.port_code
    if code is None:
        raise InputError("port.port_code", None, "needed to read BTS volumes")
    obs_fit = observed_profiles(store, scenario, wait_port, fit_months)
    obs_hold = observed_profiles(store, scenario, wait_port, holdout_months)
    if not obs_fit:
        raise NotFoundError(
            f"no CBP wait times for {wait_port} in the warehouse; run `border21 data init`"
        )
    return calibrate(
        scenario,
        obs_fit,
        obs_hold,
        volume_fit=volume_factor(store, code, fit_months, year),
        volume_holdout=volume_factor(store, code, holdout_months, year),
        days=days,
        seeds=seeds,
        service_scales=service_scales,
        staffing_scales=staffing_scales,
        fit_months=fit_months,
        holdout_months=holdout_months,
    )

"""Calibrate a port scenario so that simulated hourly waits track CBP's published profiles.

For each primary lane group border21 first fits two numbers: a *service-time
scale* (multiplying the mean primary time of the crossings that use the
group) and a *staffing scale* (multiplying the open booths of every hour).
A second stage then fits the open booths of every hour of the day — a fluid
model of the daily cycle gives the start, a simulated hill-climb the rest —
because two scales cannot change the *shape* of a profile (San Ysidro's
general lanes keep a queue all night, which the shipped schedule clears).
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
from border21.i18n.message import Message
from border21.ports.config import PortScenario
from border21.ports.edits import scaled, with_schedules
from border21.ports.kernels.common import DAY, HOUR, HOURS_PER_DAY
from border21.ports.limits import DEFAULT_LIMITS, RunLimits
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
    hourly_staffing: tuple[int, ...] = ()  # fitted open booths by hour (stage 2), if any


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
# ``scaled`` (service, staffing and volume scales) and ``with_schedules`` (hourly
# staffing) are typed edits of border21.ports.edits: every trial scenario is validated.


def simulated_profile(
    scenario: PortScenario, *, days: int, seeds: list[int], warmup_days: int = 1
) -> pd.DataFrame:
    """Mean primary wait (minutes) by lane group and hour of arrival, after a warm-up."""
    import pandas as pd

    model = PortModel(scenario)
    parts = []
    for seed in seeds:
        # draw-then-queue keeps every random number fixed across grid points (common random
        # numbers); the one-pass driver draws as it goes, so its stream would shift with
        # parameters
        total = days + warmup_days
        rec = model.run(model.draw(total, np.random.default_rng(seed)), total)
        keep = rec.arrival >= warmup_days * DAY
        parts.append(
            pd.DataFrame(
                {
                    "group": np.asarray(rec.group_names)[rec.group[keep]],
                    "hour": ((rec.arrival[keep] // HOUR) % HOURS_PER_DAY).astype(int),
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


# ------------------------------------------------------- hourly staffing (stage 2)


def group_arrival_rates(
    scenario: PortScenario, group: str, *, days: int, volume: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Crossings per hour of day using ``group`` and their mean primary time (hours).

    Averaged over the first ``days`` days of the scenario's week. A (stream,
    program) pair accepted by several groups is split among them in
    proportion to their open booths in each hour.
    """
    lam = np.zeros(24)
    work = np.zeros(24)  # crossings × mean service, to average the service time
    for sname, st in scenario.streams.items():
        shape = np.asarray(st.hour_of_day_shape, float)
        shape = shape / shape.sum()
        week = np.asarray(st.weekday_shape, float) / float(np.mean(st.weekday_shape))
        day_factor = float(np.mean(week[(scenario.port.start_weekday + np.arange(days)) % 7]))
        for program, share in st.program_shares.items():
            users = [
                g
                for g, lg in scenario.lanes.items()
                if sname in lg.streams and program in lg.accepted_programs
            ]
            if share <= 0 or group not in users:
                continue
            booths = np.array([scenario.lanes[g].open_booths() for g in users], float)
            total = booths.sum(axis=0)
            mine = booths[users.index(group)]
            split = np.where(total > 0, mine / np.maximum(total, 1), 0.0)
            rate = st.crossings_per_day * volume * day_factor * share * shape * split
            lam += rate
            work += rate * np.asarray(st.primary_service.hourly_means(program)) / HOUR
    mean_service = np.where(lam > 0, work / np.maximum(lam, 1e-12), 0.0)
    return lam, mean_service


def fluid_schedule(
    lam: np.ndarray, mean_service_h: np.ndarray, wait_h: np.ndarray, booths: int
) -> np.ndarray:
    """Open booths per hour that give a fluid queue with the target waits.

    Fluid model of a repeating day: the backlog ``Q`` carried into hour ``h``
    plus its arrivals, less what ``c`` booths serve, is the backlog left, and
    a wait of ``W`` hours means a backlog of ``W`` hours of service
    (``Q = W·c/s``). Solving for ``c`` each hour (three passes over the day so
    that the carried backlog settles) and rounding within ``[1, booths]`` in
    the hours with arrivals.
    """
    c = np.zeros(24)
    q = 0.0
    for _ in range(3):
        for h in range(24):
            s = mean_service_h[h]
            if lam[h] <= 0 or s <= 0:
                c[h] = 0.0
                q = 0.0
                continue
            need = (q + lam[h]) * s / (1.0 + wait_h[h])
            c[h] = min(max(need, 1.0), booths)
            q = max(0.0, q + lam[h] - c[h] / s)
    return np.where(lam > 0, np.clip(np.rint(c), 1, booths), 0).astype(int)


def _observed_hours(obs: pd.DataFrame) -> np.ndarray:
    """Observed mean wait by hour in hours, gaps filled from the neighbouring hours."""
    w = np.full(24, np.nan)
    for h, v in zip(obs["hour"].astype(int), obs["wait_minutes"], strict=True):
        w[h] = v / 60.0
    known = np.flatnonzero(~np.isnan(w))
    return np.asarray(np.interp(np.arange(24), known, w[known], period=24), float)


def fit_hourly_staffing(
    scenario: PortScenario,
    observed: dict[str, pd.DataFrame],
    *,
    volume: float,
    days: int,
    seeds: list[int],
    iterations: int = 4,
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Open booths per hour for each observed group: fluid start, then a simulated hill-climb.

    The start is, per group, the better of the scenario's own schedule and
    :func:`fluid_schedule`. Each of ``iterations`` rounds then tries one
    booth more and one fewer in each three-hour block (16 moves, each a
    simulation of the port with common random numbers) and makes, per group,
    the move that lowers its RMSE most (groups serve disjoint crossings, so
    one simulation scores a move for all of them). Stops early when no move
    helps. Returns the schedules and their RMSE (minutes).
    """
    groups = list(observed)
    targets = {g: _observed_hours(observed[g]) for g in groups}

    def score(schedules: dict[str, np.ndarray]) -> dict[str, float]:
        trial = scaled(with_schedules(scenario, schedules), {}, {}, volume)
        prof = simulated_profile(trial, days=days, seeds=seeds)
        return {g: _errors(prof[prof["group"] == g], observed[g])[0] for g in groups}

    own = {g: np.asarray(scenario.lanes[g].open_booths(), int) for g in groups}
    fluid = {}
    for g in groups:
        lam, svc = group_arrival_rates(scenario, g, days=days + 1, volume=volume)
        fluid[g] = fluid_schedule(lam, svc, targets[g], scenario.lanes[g].booths)
    own_rmse, fluid_rmse = score(own), score(fluid)
    cur = {g: fluid[g] if fluid_rmse[g] < own_rmse[g] else own[g] for g in groups}
    rmse = {g: min(fluid_rmse[g], own_rmse[g]) for g in groups}
    moves = [(block, step) for block in range(0, 24, 3) for step in (1, -1)]
    for _ in range(iterations):
        best_move: dict[str, tuple[float, np.ndarray]] = {}
        for block, step in moves:
            trial = {}
            for g in groups:
                moved = cur[g].copy()
                hours = slice(block, block + 3)
                moved[hours] = np.where(
                    moved[hours] > 0,
                    np.clip(moved[hours] + step, 1, scenario.lanes[g].booths),
                    0,
                )
                trial[g] = moved
            result = score(trial)
            for g in groups:
                if result[g] < best_move.get(g, (rmse[g] - 0.05, cur[g]))[0]:
                    best_move[g] = (result[g], trial[g])
        if not best_move:
            break
        for g, (value, sched) in best_move.items():
            cur[g], rmse[g] = sched, value
    return cur, rmse


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
    hourly_iterations: int = 4,
    limits: RunLimits = DEFAULT_LIMITS,
) -> CalibrationResult:
    """Fit per-group service and staffing to ``observed_fit``; check on the holdout.

    Stage 1 grid-searches a service-time scale and a staffing scale per
    group. Stage 2 (``hourly_iterations`` > 0) then fits the open booths of
    every hour (:func:`fit_hourly_staffing`) and keeps them where they fit
    better. ``observed_*`` map a lane-group name to a table with ``hour`` and
    ``wait_minutes``. Groups without observations keep their parameters.
    Each simulation (``days`` plus a warm-up day, one replication per seed,
    at the larger volume) must be within ``limits``, as must the rounds.
    """
    import pandas as pd

    groups = [g for g in scenario.lanes if g in observed_fit]
    if not groups:
        raise InputError(
            "observed", "none", Message("no lane group of the scenario has observed waits")
        )
    seed_list = list(seeds)
    limits.check_rounds(hourly_iterations)
    busiest = scaled(scenario, volume=max(volume_fit, volume_holdout))
    limits.check_run(busiest, days=days + 1, replications=len(seed_list))
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
    hourly: dict[str, tuple[int, ...]] = {}
    if hourly_iterations > 0:
        schedules, hourly_rmse = fit_hourly_staffing(
            fitted,
            {g: observed_fit[g] for g in groups},
            volume=volume_fit,
            days=days,
            seeds=seed_list,
            iterations=hourly_iterations,
        )
        keep = {g: sched for g, sched in schedules.items() if hourly_rmse[g] < best[g][0]}
        fitted = with_schedules(fitted, keep)
        hourly = {g: tuple(int(x) for x in sched) for g, sched in keep.items()}
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
        fits.append(
            GroupFit(
                g,
                service[g],
                staffing[g],
                rmse_before,
                rmse_fit,
                rmse_hold,
                corr,
                hourly.get(g, ()),
            )
        )
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
        raise NotFoundError(
            Message(
                "no full year {year} of BTS crossings for port {port_code}",
                year=year,
                port_code=port_code,
            )
        )
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
    hourly_iterations: int = 4,
    limits: RunLimits = DEFAULT_LIMITS,
) -> CalibrationResult:
    """Calibrate a shipped scenario against its CBP wait profiles in the warehouse."""
    limits.check_counts(days=days + 1, replications=len(seeds))
    limits.check_rounds(hourly_iterations)
    if name not in WAIT_PORTS:
        raise InputError(
            "port",
            name,
            Message(
                "no observed wait profile (known: {wait_ports})", wait_ports=", ".join(WAIT_PORTS)
            ),
        )
    for field_name, months in (("--fit-months", fit_months), ("--holdout-months", holdout_months)):
        bad = [m for m in months if not 1 <= m <= 12]
        if bad or not months:
            raise InputError(field_name, months, Message("months must be 1–12, at least one"))
    if set(fit_months) & set(holdout_months):
        raise InputError(
            "--holdout-months", holdout_months, Message("must not overlap the fit months")
        )
    wait_port, base_year = WAIT_PORTS[name]
    year = year or base_year
    code = scenario.port.port_code
    if code is None:
        raise InputError("port.port_code", None, Message("needed to read BTS volumes"))
    obs_fit = observed_profiles(store, scenario, wait_port, fit_months)
    obs_hold = observed_profiles(store, scenario, wait_port, holdout_months)
    if not obs_fit:
        raise NotFoundError(
            Message(
                "no CBP wait times for {wait_port} in the warehouse; run `border21 data init`",
                wait_port=wait_port,
            )
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
        hourly_iterations=hourly_iterations,
        limits=limits,
    )

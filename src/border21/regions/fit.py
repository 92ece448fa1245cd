"""`border21 region fit`: the behaviour fitted, and the model held against CBP's waits.

What is fitted today: each port's bias constant (its ``bias_utils``), so that the
equilibrium reproduces each port's counted crossings — the volumes its scenario
carries, from BTS or the Texas bridge counts — by the standard update for a
logit's constants, ``bias ← bias + ln(counted / modelled)``, a few rounds. The
choice parameters (β, the port-time weight) stay SANDAG's; service times and the
officers' bands stay as shipped. Not fitted yet: hour shifting and not
travelling, zones, service and bands against the waits (docs/regions.md).

What is measured, per port and segment with a CBP counterpart
(:mod:`~border21.regions.observed`), on the fit months and, apart, on the
held-out months: on the hour-of-day profile, the mean absolute error and the
correlation; at the finest cells CBP publishes (month × weekday × hour), the
model's mean absolute error beside the naive forecast's, which repeats the fit
months' weekday × hour averages. Months differ in volume: with a volume year (by
default the year CBP's waits most likely cover), the fitted region is solved once
per month with each port's demand scaled by its counted crossings that month (BTS
for San Diego, the Texas bridge counts for El Paso), so each month's cells get that
month's prediction; weekdays are not modelled (no weekday volumes exist for these
ports).

Two more figures say how much any mechanism of that kind could gain: the naive
forecast scaled by each month's true level (``naive_known_level_cell_mae_min``:
knowing every month's mean wait, what the naive forecast's error would be) and
the correlation of the monthly mean waits with the counted crossings
(``volume_wait_corr``). Where the second is weak or negative, volumes cannot
tell the months apart, whatever the queue model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store
    from border21.regions.config import Region
    from border21.regions.equilibrium import RegionResult

DEFAULT_HOLDOUT = (3, 6, 9, 12)  # every third month: each season keeps three fit months
MAX_ROUNDS = 20
MIN_VOLUME_YEAR, MAX_VOLUME_YEAR = 1996, 2100  # BTS's monthly counts begin in 1996


@dataclass(frozen=True)
class Fit:
    """A region's fitted bias constants, the rounds that got there, and the figures."""

    region: str
    bias_utils: dict[str, float]
    rounds: list[dict[str, Any]]  # per round: the largest |ln(counted / modelled)| left
    result: RegionResult
    groups: list[dict[str, Any]]
    volume_year: int = 0  # 0: one average day for every month
    # port → segment → 12 factors: the month's counted crossings a day over the year's mean
    month_scales: dict[str, dict[str, list[float]]] = field(default_factory=dict)


def counted_per_day(region: Region) -> dict[str, float]:
    """Each existing port's counted crossings a day: its scenario's volumes of the streams
    the region's segments take (the base the choice redistributes)."""
    from border21.regions.equilibrium import _port_setup

    return {
        p: float(sum(f.sum() for f in _port_setup(region, p).base_flows.values()))
        for p, port in region.ports.items()
        if not port.build
    }


def fit_bias(
    region: Region, *, rounds: int = 4, seed: int = 0, replications: int = 2
) -> tuple[Region, list[dict[str, Any]], RegionResult]:
    """Bias constants that reproduce each port's counted crossings (see the module)."""
    from border21.regions.config import validate_region
    from border21.regions.equilibrium import solve

    if not 0 <= rounds <= MAX_ROUNDS:  # 0: as shipped (El Paso with San Diego's behaviour)
        raise InputError("--rounds", rounds, Message("must be 0–{most}", most=MAX_ROUNDS))
    counted = counted_per_day(region)
    data = region.model_dump()
    trace = []
    result = solve(region, seed=seed, replications=replications)
    for k in range(1, rounds + 1):
        modelled = {p: v["crossings_per_day"] for p, v in result.port_totals().items()}
        ratios = {
            p: math.log(counted[p] / modelled[p])
            for p in counted
            if counted[p] > 0 and modelled.get(p, 0) > 0
        }
        trace.append({"round": k, "max_abs_log_ratio": max(map(abs, ratios.values()), default=0)})
        for p, r in ratios.items():
            old = data["ports"][p]["bias_utils"]
            data["ports"][p]["bias_utils"] = float(np.clip(old + r, -50.0, 50.0))
        region = validate_region(data)
        result = solve(region, seed=seed, replications=replications)
    return region, trace, result


def _predictions(results: Mapping[int, RegionResult]) -> pd.Series:
    """(port, segment, month, hour) → the simulated wait: month ``0`` stands for every month."""
    import pandas as pd

    from border21.regions.observed import simulated_profiles

    frames = [simulated_profiles(r).assign(month=m) for m, r in results.items()]
    sim = pd.concat(frames, ignore_index=True)
    return sim.set_index(["port", "segment", "month", "hour"])["simulated_min"].sort_index()


def held_out_figures(
    cells: pd.DataFrame,
    results: RegionResult | Mapping[int, RegionResult],
    holdout: tuple[int, ...],
    volumes: Mapping[tuple[str, str], np.ndarray] | None = None,
) -> list[dict[str, Any]]:
    """Per port, segment and split (fit, holdout): the figures the module describes.

    ``results`` is one equilibrium (the same prediction in every month) or one per month
    (1–12, each with that month's volumes). ``volumes`` gives, per (port, segment), the
    port's counted crossings a day in each month, for the correlation of the monthly mean
    waits with them.
    """
    from border21.regions.observed import TARGET_MIN_OBSERVED

    per_month = isinstance(results, Mapping)
    sim = _predictions(results if isinstance(results, Mapping) else {0: results})
    out = []
    for (port, segment), mine in cells.groupby(["port", "segment"], sort=False):
        fit = mine[~mine["month"].isin(holdout)]
        naive = fit.groupby(["weekday", "hour"])["observed_min"].mean()
        month_mean = mine.groupby("month")["observed_min"].mean()
        fit_level = float(fit.groupby("month")["observed_min"].mean().mean())
        target = bool(mine["observed_min"].mean() >= TARGET_MIN_OBSERVED)
        counted = (volumes or {}).get((port, segment))
        volume_corr = (
            float(np.corrcoef(counted, month_mean.reindex(range(1, 13)).to_numpy(float))[0, 1])
            if counted is not None and len(month_mean) == 12 and np.std(counted) > 0
            else None
        )
        for split, part in (("fit", fit), ("holdout", mine[mine["month"].isin(holdout)])):
            months = part["month"].to_numpy() if per_month else np.zeros(len(part), dtype=int)
            keys = list(zip([port] * len(part), [segment] * len(part), months, part["hour"],
                            strict=True))  # fmt: skip
            modelled = sim.reindex(keys).to_numpy(float)
            have = ~np.isnan(modelled)
            if not have.any():
                continue
            seen = part[have].assign(model=modelled[have])
            profiles = seen.groupby("hour")[["observed_min", "model"]].mean()
            obs_profile = profiles["observed_min"].to_numpy(float)
            model_profile = profiles["model"].to_numpy(float)
            corr = (
                float(np.corrcoef(obs_profile, model_profile)[0, 1])
                if len(profiles) > 2 and obs_profile.std() > 0 and model_profile.std() > 0
                else float("nan")
            )
            guess = naive.reindex(list(zip(part["weekday"], part["hour"], strict=True)))
            guess_np = guess.to_numpy(float)
            level = month_mean.reindex(part["month"]).to_numpy(float) / fit_level
            values = part["observed_min"].to_numpy(float)
            both = have & ~np.isnan(guess_np)
            out.append(
                {
                    "port": port,
                    "lane_group": segment,
                    "split": split,
                    "months": sorted(int(m) for m in part["month"].unique()),
                    "target": target,
                    "mae_min": float(np.abs(obs_profile - model_profile).mean()),
                    "corr": None if math.isnan(corr) else corr,
                    "observed_mean_min": float(values.mean()),
                    "cell_mae_min": float(np.abs(values[have] - modelled[have]).mean()),
                    "naive_cell_mae_min": (
                        float(np.abs(values[both] - guess_np[both]).mean()) if both.any() else None
                    ),
                    "naive_known_level_cell_mae_min": (
                        float(np.abs(values[both] - (guess_np * level)[both]).mean())
                        if both.any() and fit_level > 0
                        else None
                    ),
                    "volume_wait_corr": volume_corr,
                }
            )
    return out


def month_scales(
    store: Store, region: Region, year: int
) -> tuple[dict[int, dict[str, dict[str, float]]], dict[tuple[str, str], np.ndarray]]:
    """Per month (1–12): port → segment → the port's counted crossings a day that month over
    the year's mean (cars or trucks, by the segment's stream there), and per (port, segment)
    the counts a day. A port without a complete year of counts keeps its average day."""
    from border21.regions.observed import monthly_per_day

    scales: dict[int, dict[str, dict[str, float]]] = {m: {} for m in range(1, 13)}
    counted: dict[tuple[str, str], np.ndarray] = {}
    for pname, port in region.ports.items():
        if port.build:
            continue
        for sname, segment in region.segments.items():
            stream = segment.streams.get(pname)
            if stream is None:
                continue
            per_day = monthly_per_day(store, pname, "trucks" if "truck" in stream else "cars", year)
            if per_day is None or not per_day.mean() > 0:
                continue
            counted[(pname, sname)] = per_day
            for m in range(1, 13):
                scales[m].setdefault(pname, {})[sname] = float(per_day[m - 1] / per_day.mean())
    return scales, counted


def default_volume_year(ports: tuple[str, ...] | list[str]) -> int:
    """The year CBP's waits at the region's ports most likely cover (0 when none has waits)."""
    from border21.regions.observed import WAITS_YEAR

    return max((WAITS_YEAR[p] for p in ports if p in WAITS_YEAR), default=0)


def fit_region(
    store: Store,
    region: Region,
    *,
    holdout: tuple[int, ...] = DEFAULT_HOLDOUT,
    rounds: int = 4,
    seed: int = 0,
    replications: int = 2,
    volume_year: int | None = None,
) -> Fit:
    """Fit ``region``'s bias constants to its counted crossings and measure it against
    CBP's waits with ``holdout`` months held out.

    With a ``volume_year`` (default: the year the waits most likely cover; 0: none), the
    fitted region is solved once per month with each port's demand scaled by that month's
    counted crossings (:func:`month_scales`), so the cells of each month get that month's
    prediction; the same seed in every month, so months differ by their volumes alone.
    """
    from border21.regions.observed import observed_cells

    bad = [m for m in holdout if not 1 <= m <= 12]
    if bad or not holdout or len(set(holdout)) >= 12:
        raise InputError(
            "--holdout", ",".join(map(str, holdout)),
            Message("months 1–12, at least one held out and one left to fit"),
        )  # fmt: skip
    year = default_volume_year(list(region.ports)) if volume_year is None else volume_year
    if year != 0 and not MIN_VOLUME_YEAR <= year <= MAX_VOLUME_YEAR:
        raise InputError(
            "--volume-year", year,
            Message("must be 0 (one average day) or a year {lo}–{hi}",
                    lo=MIN_VOLUME_YEAR, hi=MAX_VOLUME_YEAR),
        )  # fmt: skip
    scales: dict[int, dict[str, dict[str, float]]] = {}
    counted: dict[tuple[str, str], np.ndarray] = {}
    if year:
        scales, counted = month_scales(store, region, year)
        if not counted:
            raise InputError(
                "--volume-year", year,
                Message("no port of the region has 12 months of counted crossings that year"),
            )  # fmt: skip
    fitted, trace, result = fit_bias(region, rounds=rounds, seed=seed, replications=replications)
    cells = observed_cells(store, result.ports)
    months: RegionResult | dict[int, RegionResult] = result
    if year:
        from border21.regions.equilibrium import solve

        months = {
            m: solve(fitted, seed=seed, replications=replications, demand_scale=scales[m])
            for m in range(1, 13)
        }
    return Fit(
        region=region.region.name,
        bias_utils={p: port.bias_utils for p, port in fitted.ports.items()},
        rounds=trace,
        result=result,
        groups=held_out_figures(cells, months, tuple(holdout), counted),
        volume_year=year,
        month_scales={
            p: {sname: [scales[m][p][sname] for m in range(1, 13)] for sname in by_segment}
            for p, by_segment in (scales[1] if year else {}).items()
        },
    )

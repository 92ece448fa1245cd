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
months' weekday × hour averages. The model's demand is one average day, the same
in every month and weekday, so at the cells it predicts each hour's wait alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Fit:
    """A region's fitted bias constants, the rounds that got there, and the figures."""

    region: str
    bias_utils: dict[str, float]
    rounds: list[dict[str, Any]]  # per round: the largest |ln(counted / modelled)| left
    result: RegionResult
    groups: list[dict[str, Any]]


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


def held_out_figures(
    cells: pd.DataFrame, result: RegionResult, holdout: tuple[int, ...]
) -> list[dict[str, Any]]:
    """Per port, segment and split (fit, holdout): the figures the module describes."""
    from border21.regions.observed import TARGET_MIN_OBSERVED, simulated_profiles

    sim = (
        simulated_profiles(result).set_index(["port", "segment", "hour"])["simulated_min"]
    ).sort_index()
    out = []
    for (port, segment), mine in cells.groupby(["port", "segment"], sort=False):
        fit = mine[~mine["month"].isin(holdout)]
        naive = fit.groupby(["weekday", "hour"])["observed_min"].mean()
        target = bool(mine["observed_min"].mean() >= TARGET_MIN_OBSERVED)
        for split, part in (("fit", fit), ("holdout", mine[mine["month"].isin(holdout)])):
            keys = list(zip([port] * len(part), [segment] * len(part), part["hour"], strict=True))
            modelled = sim.reindex(keys).to_numpy(float)
            have = ~np.isnan(modelled)
            if not have.any():
                continue
            profile = part[have].groupby("hour")["observed_min"].mean()
            model_profile = sim.loc[(port, segment)].reindex(profile.index).to_numpy(float)
            obs_profile = profile.to_numpy(float)
            corr = (
                float(np.corrcoef(obs_profile, model_profile)[0, 1])
                if len(profile) > 2 and obs_profile.std() > 0 and model_profile.std() > 0
                else float("nan")
            )
            guess = naive.reindex(list(zip(part["weekday"], part["hour"], strict=True)))
            guess_np = guess.to_numpy(float)
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
                }
            )
    return out


def fit_region(
    store: Store,
    region: Region,
    *,
    holdout: tuple[int, ...] = DEFAULT_HOLDOUT,
    rounds: int = 4,
    seed: int = 0,
    replications: int = 2,
) -> Fit:
    """Fit ``region``'s bias constants to its counted crossings and measure it against
    CBP's waits with ``holdout`` months held out."""
    from border21.regions.observed import observed_cells

    bad = [m for m in holdout if not 1 <= m <= 12]
    if bad or not holdout or len(set(holdout)) >= 12:
        raise InputError(
            "--holdout", ",".join(map(str, holdout)),
            Message("months 1–12, at least one held out and one left to fit"),
        )  # fmt: skip
    fitted, trace, result = fit_bias(region, rounds=rounds, seed=seed, replications=replications)
    cells = observed_cells(store, result.ports)
    return Fit(
        region=region.region.name,
        bias_utils={p: port.bias_utils for p, port in fitted.ports.items()},
        rounds=trace,
        result=result,
        groups=held_out_figures(cells, result, tuple(holdout)),
    )

"""Event-study difference-in-differences with staggered adoption (Callaway &
Sant'Anna 2021), for programs that reach units at different dates.

Units are grouped by the period they were first treated (their *cohort* ``g``).
Each group-time effect compares the cohort's change since the period before
adoption with the change of the never-treated units over the same span::

    ATT(g, t) = E[Y_t − Y_{g−1} | G = g] − E[Y_t − Y_{g−1} | never treated]

(no covariates; "universal" base period ``g − 1``, so ``ATT(g, g − 1) = 0`` and
the pre-adoption coefficients are long differences, comparable with the
post-adoption ones). They are averaged by event time ``e = t − g`` with cohort
sizes as weights, ``θ(e) = Σ_g n_g·ATT(g, g + e) / Σ_g n_g``, and the overall
effect is the mean of ``θ(e)`` over ``e = 0 … horizon``. Unlike a two-way
fixed-effects regression on a ``treated × post`` dummy, no already-treated unit
ever serves as a control, so effects that grow with time since adoption do not
bias the estimate (Goodman-Bacon 2021): the static TWFE figure is reported
alongside for that contrast.

Inference is by in-space placebos: the cohorts (same sizes, same dates) are
assigned at random to never-treated units, and the estimate is recomputed
against the remaining never-treated units; ``p`` ranks ``|θ|`` among the
placebos' and the interval is ``θ ± c`` with ``c`` the placebos' ``1 − alpha``
quantile of ``|θ|``. The pre-trend check ranks the mean squared pre-adoption
coefficient the same way.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> cohort = {u: 2005 if u < 5 else 2008 if u < 10 else 0 for u in range(30)}
>>> rows = [(u, y, rng.normal(0, 0.1) + (1 + y - g if g and y >= g else 0))
...         for u, g in cohort.items() for y in range(2000, 2012)]
>>> panel = pd.DataFrame(rows, columns=["unit", "period", "value"])
>>> est = staggered_did(panel, {u: g for u, g in cohort.items() if g}, seed=0)
>>> [round(v, 1) for v in est.event_times.set_index("event_time").loc[0:3, "att"]]
[1.0, 2.0, 3.0, 4.0]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from border21.errors import InputError
from border21.i18n.message import Message

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

INFERENCE = "in-space placebos (the cohorts assigned at random to never-treated units; rank of |θ|)"

JOINT_OPERATIONS: dict[str, tuple[str, ...]] = {
    "calderon_michoacan": ("Michoacán",),
    "operativo_baja_california": ("Baja California",),
    "operativo_guerrero": ("Guerrero",),
    "operativo_sierra_madre": ("Chihuahua", "Durango", "Sinaloa"),
    "operativo_nl_tamaulipas": ("Nuevo León", "Tamaulipas"),
    "operativo_chihuahua": ("Chihuahua",),
    "operativo_culiacan_navolato": ("Sinaloa",),
    "operativo_veracruz": ("Veracruz",),
}
"""The states each federal Joint Operation (Operativo Conjunto) of the timeline reached
(titles in ``events.csv``; CRS R41576). A state is treated from its first operation."""

PROGRAMS = {"joint_operations": JOINT_OPERATIONS}


def adoption_year(event_date: Any) -> int:
    """The first year a unit counts as treated: the event's year when the program began
    by June, else the next year (Michoacán, 11 Dec 2006 → 2007).

    >>> import pandas as pd
    >>> adoption_year(pd.Timestamp("2006-12-11")), adoption_year(pd.Timestamp("2008-03-01"))
    (2007, 2008)
    """
    return int(event_date.year) + (1 if int(event_date.month) > 6 else 0)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class StaggeredEstimate:
    """Callaway–Sant'Anna estimate: the overall effect (mean of ``θ(e)``, ``e = 0 …
    horizon``), the event-time coefficients with placebo intervals, the group-time
    effects, and the static TWFE figure for contrast."""

    series: str
    program: str
    groups: tuple[tuple[int, tuple[str, ...]], ...]  # (first treated year, units)
    n_never_treated: int
    estimate: float
    ci: tuple[float, float]
    p: float
    twfe_estimate: float
    pretrend_p: float | None
    horizon: int
    n_placebos: int
    seed: int
    alpha: float
    other_events: tuple[str, ...]
    warnings: tuple[str, ...]
    event_times: pd.DataFrame = field(repr=False)  # event_time, att, ci_low, ci_high, p, …
    group_time: pd.DataFrame = field(repr=False)  # cohort, period, event_time, att, n_units

    method = "event-study DiD, staggered adoption (Callaway–Sant'Anna, never-treated controls)"

    @property
    def caveat(self) -> str:
        """One line for a reader: empty when every diagnostic passes."""
        from border21.data.diagnostics import caveat

        return caveat(self.warnings)

    def as_dict(self) -> dict[str, Any]:
        """Plain fields for JSON and tables (event-time rows as ``e: att [lo, hi]``)."""
        pre = self.event_times[self.event_times["event_time"] < -1]
        return {
            "method": self.method, "series": self.series, "program": self.program,
            "inference": INFERENCE, "estimate": self.estimate,
            "ci_low": _finite(self.ci[0]), "ci_high": _finite(self.ci[1]), "p": self.p,
            "twfe_estimate": self.twfe_estimate, "pretrend_p": self.pretrend_p,
            "pretrend_coefficients": [f"{e:+d}: {a:.3g}" for e, a in
                                      zip(pre["event_time"], pre["att"], strict=True)],
            "event_time_effects": [
                {"event_time": int(r.event_time), "att": float(r.att),
                 "ci_low": _finite(float(r.ci_low)), "ci_high": _finite(float(r.ci_high)),
                 "p": float(r.p), "n_units": int(r.n_units)}
                for r in self.event_times.itertuples()
            ],
            "groups": [f"{g}: {', '.join(units)}" for g, units in self.groups],
            "n_treated": sum(len(u) for _, u in self.groups),
            "n_never_treated": self.n_never_treated, "horizon_years": self.horizon,
            "n_placebos": self.n_placebos, "seed": self.seed, "alpha": self.alpha,
            "other_events": list(self.other_events), "warnings": list(self.warnings),
            "caveat": self.caveat,
        }  # fmt: skip


def group_time_effects(
    y: np.ndarray, years: np.ndarray, cohort: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``ATT(g, t)`` for every cohort ``g`` (rows) and year ``t`` (columns) of a balanced
    ``units × years`` matrix, against the never-treated units (``cohort == 0``); also the
    cohorts and their sizes. Cohorts adopting in the first year (no base year) are left
    out."""
    import numpy as np

    never = y[cohort == 0]
    cohorts = np.asarray(sorted(g for g in set(cohort.tolist()) if g > years[0]), dtype=int)
    att = np.empty((len(cohorts), len(years)))
    sizes = np.empty(len(cohorts), dtype=int)
    for i, g in enumerate(cohorts):
        base = int(np.searchsorted(years, g - 1))
        members = y[cohort == g]
        att[i] = (members - members[:, [base]]).mean(axis=0) - (never - never[:, [base]]).mean(
            axis=0
        )
        sizes[i] = len(members)
    return att, cohorts, sizes


def by_event_time(
    att: np.ndarray, cohorts: np.ndarray, sizes: np.ndarray, years: np.ndarray,
    event_times: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """``θ(e)``: the cohort-size-weighted mean of ``ATT(g, g + e)`` over the cohorts
    observed at ``g + e`` (NaN where none is)."""
    import numpy as np

    out = np.full(len(event_times), np.nan)
    for k, e in enumerate(event_times):
        cols = np.searchsorted(years, cohorts + e)
        ok = (cohorts + e >= years[0]) & (cohorts + e <= years[-1])
        if ok.any():
            vals = att[np.flatnonzero(ok), cols[ok]]
            out[k] = float(np.average(vals, weights=sizes[ok]))
    return out


def twfe_static(y: np.ndarray, years: np.ndarray, cohort: np.ndarray) -> float:
    """The two-way fixed-effects coefficient of ``1{t ≥ g}`` (unit and year effects):
    the figure staggered adoption with dynamic effects biases."""
    import numpy as np

    n_units, n_years = y.shape
    d = ((cohort[:, None] > 0) & (years[None, :] >= cohort[:, None])).astype(float)
    units = np.repeat(np.eye(n_units), n_years, axis=0)
    periods = np.tile(np.eye(n_years), (n_units, 1))[:, 1:]
    x = np.column_stack([d.ravel(), units, periods])
    beta = np.linalg.lstsq(x, y.ravel(), rcond=None)[0]
    return float(beta[0])


@dataclass(frozen=True, slots=True)
class _Draw:
    theta: np.ndarray  # by event time
    overall: float
    pretrend: float  # mean squared pre-adoption coefficient (e ≤ −2)


def _draw(y: np.ndarray, years: np.ndarray, cohort: np.ndarray, event_times: np.ndarray) -> _Draw:
    import numpy as np

    att, cohorts, sizes = group_time_effects(y, years, cohort)
    theta = by_event_time(att, cohorts, sizes, years, event_times)
    post = theta[(event_times >= 0) & np.isfinite(theta)]
    pre = theta[(event_times <= -2) & np.isfinite(theta)]
    return _Draw(
        theta,
        float(post.mean()) if len(post) else math.nan,
        float(np.mean(pre**2)) if len(pre) else math.nan,
    )


def _rank_p(value: float, placebo: np.ndarray) -> float:
    import numpy as np

    ok = placebo[np.isfinite(placebo)]
    return float((1 + np.sum(np.abs(ok) >= abs(value))) / (1 + len(ok)))


def _crit(placebo: np.ndarray, alpha: float) -> float:
    import numpy as np

    ok = np.sort(np.abs(placebo[np.isfinite(placebo)]))
    rank = math.ceil((1 - alpha) * (len(ok) + 1))
    return float(ok[rank - 1]) if rank <= len(ok) else math.inf


def _balanced(panel: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    wide = panel.pivot_table(index="unit", columns="period", values="value", aggfunc="first")
    incomplete = tuple(str(u) for u in wide.index[wide.isna().any(axis=1)])
    return wide.dropna(), incomplete


def staggered_did(
    panel: pd.DataFrame,
    adoption: Mapping[Any, int],
    *,
    horizon: int | None = 5,
    n_placebos: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    name: str = "series",
    program: str = "program",
    events: pd.DataFrame | None = None,
) -> StaggeredEstimate:
    """Callaway–Sant'Anna on a panel with columns ``unit, period, value`` (``period`` an
    integer year); ``adoption`` maps each treated unit to its first treated year; units
    not in it are the never-treated controls. ``horizon`` bounds the event times shown
    and averaged (``None``: every one the data has)."""
    import numpy as np
    import pandas as pd

    wide, incomplete = _balanced(panel)
    years = wide.columns.to_numpy(dtype=int)
    unknown = [u for u in adoption if u not in wide.index]
    if unknown:
        raise InputError(
            "adoption", unknown, Message("units without a complete series in the panel")
        )
    cohort = np.asarray([int(adoption.get(u, 0)) for u in wide.index], dtype=int)
    late = sorted({int(g) for g in cohort if g > years[-1] or (0 < g <= years[0])})
    if late:
        raise InputError(
            "adoption",
            late,
            Message("needs years inside {first}–{last}", first=years[0] + 1, last=years[-1]),
        )
    never_idx = np.flatnonzero(cohort == 0)
    if len(never_idx) < 2:
        raise InputError(
            "adoption", len(never_idx), Message("needs at least 2 never-treated units")
        )
    span = horizon if horizon is not None else int(years[-1] - years[0])
    event_times = np.arange(-span, span + 1)
    y = wide.to_numpy(dtype=float)
    main = _draw(y, years, cohort, event_times)
    keep = np.isfinite(main.theta)
    event_times, main_theta = event_times[keep], main.theta[keep]
    draws = _placebo_draws(y, years, cohort, event_times, n_placebos, seed)
    thetas = np.asarray([d.theta for d in draws]).reshape(len(draws), len(event_times))
    overall = np.asarray([d.overall for d in draws])
    crit = _crit(overall, alpha)
    crits = np.asarray([_crit(thetas[:, k], alpha) for k in range(len(event_times))])
    att, cohorts, sizes = group_time_effects(y, years, cohort)
    frame = pd.DataFrame({
        "event_time": event_times, "att": main_theta,
        "ci_low": main_theta - crits, "ci_high": main_theta + crits,
        "p": [_rank_p(v, thetas[:, k]) for k, v in enumerate(main_theta)],
        "n_units": [int(sizes[(cohorts + e >= years[0]) & (cohorts + e <= years[-1])].sum())
                    for e in event_times],
    })  # fmt: skip
    group_time = pd.DataFrame(
        [(int(g), int(t), int(t - g), float(att[i, j]), int(sizes[i]))
         for i, g in enumerate(cohorts) for j, t in enumerate(years)],
        columns=["cohort", "period", "event_time", "att", "n_units"],
    )  # fmt: skip
    pre_p = (
        _rank_p(math.sqrt(main.pretrend), np.sqrt([d.pretrend for d in draws]))
        if math.isfinite(main.pretrend) else None
    )  # fmt: skip
    names = wide.index.astype(str)
    groups = tuple((int(g), tuple(names[cohort == g])) for g in cohorts)
    p = _rank_p(main.overall, overall)
    other = _other_events(events, program, int(cohorts.min()) - span, int(cohorts.max()) + span)
    return StaggeredEstimate(
        series=name, program=program, groups=groups, n_never_treated=len(never_idx),
        estimate=main.overall, ci=(main.overall - crit, main.overall + crit), p=p,
        twfe_estimate=twfe_static(y, years, cohort), pretrend_p=pre_p, horizon=span,
        n_placebos=len(draws), seed=seed, alpha=alpha, other_events=other,
        warnings=_warnings(groups, pre_p, alpha, len(draws), incomplete, other),
        event_times=frame, group_time=group_time,
    )  # fmt: skip


def _placebo_draws(
    y: np.ndarray, years: np.ndarray, cohort: np.ndarray, event_times: np.ndarray,
    n: int, seed: int,
) -> list[_Draw]:  # fmt: skip
    """The estimate with the treated cohorts reassigned at random among the never-treated
    units (the treated units left out), against the never-treated units not drawn."""
    import numpy as np

    rng = np.random.default_rng(seed)
    never = y[cohort == 0]
    fake = np.sort(cohort[cohort > 0])
    if len(fake) > len(never) - 2:
        return []
    out = []
    for _ in range(n):
        labels = np.zeros(len(never), dtype=int)
        labels[rng.choice(len(never), size=len(fake), replace=False)] = fake
        out.append(_draw(never, years, labels, event_times))
    return out


def _other_events(
    events: pd.DataFrame | None, program: str, first_year: int, last_year: int
) -> tuple[str, ...]:
    if events is None or events.empty:
        return ()
    import pandas as pd

    own = set(PROGRAMS.get(program, {}))
    rows = [
        f"{pd.Timestamp(r.event_date):%Y-%m} {r.event_id}"
        for r in events.itertuples()
        if first_year <= pd.Timestamp(r.event_date).year <= last_year
        and r.event_id not in own
        and r.category != "election"
    ]
    return tuple(rows)


def _warnings(
    groups: tuple[tuple[int, tuple[str, ...]], ...], pretrend_p: float | None, alpha: float,
    n_placebos: int, incomplete: tuple[str, ...], other: tuple[str, ...],
) -> tuple[str, ...]:  # fmt: skip
    out = []
    if n_placebos == 0:
        out.append("too few never-treated units for placebos: no p-value or interval")
    elif math.ceil(1 / alpha) - 1 > n_placebos:
        out.append(f"only {n_placebos} placebos: too few to reach {alpha:g}")
    if pretrend_p is None:
        out.append("no pre-adoption years to test for a pre-trend")
    elif pretrend_p < alpha:
        out.append(f"the treated already diverged before adoption (pre-trend p = {pretrend_p:.2g})")
    single = [f"{g} ({units[0]})" for g, units in groups if len(units) == 1]
    if single:
        out.append(f"cohorts of one unit: {', '.join(single)}")
    if incomplete:
        out.append(f"{len(incomplete)} units dropped for missing years ({', '.join(incomplete)})")
    if other:
        shown = ", ".join(other[:4]) + (" …" if len(other) > 4 else "")
        out.append(f"{len(other)} other events in the window ({shown})")
    return tuple(out)


def program_adoption(events: pd.DataFrame, program: str) -> dict[str, int]:
    """Each unit's first treated year under ``program`` (the first of its events in the
    timeline, by :func:`adoption_year`)."""
    import pandas as pd

    if program not in PROGRAMS:
        raise InputError(
            "event",
            program,
            Message("staggered programs: {programs}", programs=", ".join(PROGRAMS)),
        )
    dates = events.set_index("event_id")["event_date"]
    adoption: dict[str, int] = {}
    for event_id, units in PROGRAMS[program].items():
        if event_id not in dates.index:
            raise InputError("event", event_id, Message("is not in the loaded timeline"))
        year = adoption_year(pd.Timestamp(dates[event_id]))
        for unit in units:
            adoption[unit] = min(adoption.get(unit, year), year)
    return adoption


def estimate_staggered(
    store: Any,
    series: str,
    program: str,
    *,
    window_months: int | None = 60,
    alpha: float = 0.05,
    seed: int = 0,
) -> StaggeredEstimate:
    """:func:`staggered_did` on the annual state homicide panel (rate per 100,000) for a
    program of the timeline (``joint_operations``), as the CLI computes it; the event-time
    horizon is ``window_months // 12`` years (``None``: all)."""
    import pandas as pd

    from border21.data import indicators as ind

    if series != "homicides":
        raise InputError("series", series, Message("staggered adoption runs on homicides by state"))
    timeline = ind.events(store)
    rates = ind.homicide_rate(store, states="all", freq="year", by_state=True)
    panel = pd.DataFrame(
        {"unit": rates["group"], "period": rates["period"].dt.year,
         "value": rates["rate_per_100k"]}
    )  # fmt: skip
    horizon = window_months // 12 if window_months else None
    if horizon == 0:
        raise InputError("window", window_months, Message("needs at least 12 months (one year)"))
    return staggered_did(
        panel, program_adoption(timeline, program), horizon=horizon, alpha=alpha, seed=seed,
        name="homicide rate per 100k, Mexican states (annual)", program=program,
        events=timeline,
    )  # fmt: skip

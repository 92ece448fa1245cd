"""Synthetic control for one treated unit (a state or a port) against a donor pool,
with in-space placebos and a confidence set from inverting the placebo test.

The synthetic unit is the convex combination of donors (weights ``w ≥ 0``,
``Σw = 1``) that best reproduces the treated unit's pre-event path (Abadie,
Diamond & Hainmueller 2010). The weights come from :class:`pysyncon.Synth`
with the predictors set to the pre-event months themselves and equal ``V``
weights (``custom_V``): the outcome path is the predictor, so no nested
optimisation of ``V`` is needed and a donor pool of 20–30 units fits in
milliseconds. The effect is the mean post-event gap ``treated − synthetic``.

Inference is in space (Abadie et al. 2010, §2.4): each donor is treated in turn
against the other donors, and the treated unit's ``post/pre`` RMSPE ratio is
ranked among the donors'; ``p = rank / (n_donors + 1)``. The interval is the
set of constant effects ``c`` the same test does not reject (Firpo & Possebom
2018): subtracting ``c`` from the post-event gaps leaves the weights and the
placebos unchanged, so the set is ``mean_gap ± sqrt(R²·pre_rmspe² − var_gap)``
with ``R`` the critical placebo ratio, in closed form.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> t = pd.date_range("2000-01-01", periods=48, freq="MS")
>>> donors = {f"d{j}": 10 + rng.normal(0, 1, 48).cumsum() for j in range(19)}
>>> treated = 0.6 * donors["d0"] + 0.4 * donors["d1"] + 5.0 * (t >= "2003-01-01")
>>> rows = [(u, p, v) for u, y in {**donors, "T": treated}.items() for p, v in zip(t, y)]
>>> panel = pd.DataFrame(rows, columns=["unit", "period", "value"])
>>> est = synthetic_control(panel, "T", "2003-01", window_months=None)
>>> round(est.estimate, 2), est.placebo_rank, est.weights["d0"].round(2)
(5.0, 1, np.float64(0.6))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from border21.data.diagnostics import events_in_window
from border21.data.placebos import month_key
from border21.errors import InputError
from border21.i18n.message import Message

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

INFERENCE = (
    "in-space placebos (rank of the post/pre RMSPE ratio among the donors, each treated "
    "in turn); interval: constant effects the same test does not reject"
)
MIN_PRE_MONTHS = 12
MIN_POST_MONTHS = 3
OUTSIDE_HULL_SHARE = 0.5
"""Warn when the treated unit is above every donor (or below) in more pre months than this."""
CONCENTRATED_WEIGHT = 0.8


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class SynthEstimate:
    """A synthetic-control estimate: the mean post-event gap, its placebo p-value and
    interval, the pre-period fit and the donor weights."""

    series: str
    treated: str
    event: str
    estimate: float
    ci: tuple[float, float]
    p: float
    placebo_rank: int
    n_placebos: int
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    pre_mean: float
    n_pre: int
    n_post: int
    weights: pd.Series = field(repr=False)  # donor -> weight, largest first
    donors_dropped: tuple[str, ...]
    other_events: tuple[str, ...]
    alpha: float
    warnings: tuple[str, ...]
    path: pd.DataFrame = field(repr=False)  # period, treated, synthetic, gap
    placebo_gaps: pd.DataFrame = field(repr=False)  # period, unit, gap, pre_rmspe, ratio

    method = "synthetic control (pysyncon Synth on the pre-event path, in-space placebos)"

    @property
    def caveat(self) -> str:
        """One line for a reader: empty when every diagnostic passes."""
        from border21.data.diagnostics import caveat

        return caveat(self.warnings)

    def as_dict(self) -> dict[str, Any]:
        """Plain fields for JSON and tables; infinite bounds are None."""
        top = self.weights[self.weights >= 0.005]
        return {
            "method": self.method, "series": self.series, "treated": self.treated,
            "event": self.event, "inference": INFERENCE, "estimate": self.estimate,
            "ci_low": _finite(self.ci[0]), "ci_high": _finite(self.ci[1]), "p": self.p,
            "placebo_rank": self.placebo_rank, "n_placebos": self.n_placebos,
            "pre_rmspe": self.pre_rmspe, "post_rmspe": self.post_rmspe,
            "rmspe_ratio": self.rmspe_ratio, "pre_mean": self.pre_mean,
            "n_pre": self.n_pre, "n_post": self.n_post, "n_donors": len(self.weights),
            "weights": [f"{name}: {w:.3f}" for name, w in top.items()],
            "donors_dropped": list(self.donors_dropped),
            "other_events": list(self.other_events), "alpha": self.alpha,
            "warnings": list(self.warnings), "caveat": self.caveat,
        }  # fmt: skip


def synth_weights(pre_treated: np.ndarray, pre_donors: np.ndarray) -> np.ndarray:
    """Convex weights of the donors' pre-event paths (columns of ``pre_donors``) that best
    reproduce ``pre_treated``, by :class:`pysyncon.Synth` with equal ``V``."""
    import numpy as np
    import pandas as pd
    from pysyncon import Synth

    z0 = pd.DataFrame(pre_donors, columns=[f"d{j}" for j in range(pre_donors.shape[1])])
    z1 = pd.Series(pre_treated, name="treated")
    model = Synth()
    model.fit(X0=z0, X1=z1, Z0=z0, Z1=z1, custom_V=np.ones(len(pre_treated)))
    w: np.ndarray = np.clip(np.asarray(model.W, dtype=float), 0.0, None)
    out: np.ndarray = w / w.sum()
    return out


@dataclass(frozen=True, slots=True)
class _Fit:
    gap: np.ndarray
    weights: np.ndarray
    pre_rmspe: float
    post_rmspe: float


def _fit(y: np.ndarray, donors: np.ndarray, n_pre: int) -> _Fit:
    import numpy as np

    w = synth_weights(y[:n_pre], donors[:n_pre])
    gap = y - donors @ w
    pre = float(np.sqrt(np.mean(gap[:n_pre] ** 2)))
    post = float(np.sqrt(np.mean(gap[n_pre:] ** 2)))
    return _Fit(gap, w, pre, post)


def _ratio(fit: _Fit) -> float:
    return fit.post_rmspe / fit.pre_rmspe if fit.pre_rmspe > 0 else math.inf


def constant_effect_interval(
    post_gap: np.ndarray, pre_rmspe: float, placebo_ratios: np.ndarray, alpha: float
) -> tuple[float, float]:
    """The constant effects ``c`` whose test (treated ratio with ``post_gap − c``, ranked
    among ``placebo_ratios``) has ``p > alpha``: an interval, unbounded when too few
    placebos can reach ``alpha``, ``(nan, nan)`` when no constant effect fits."""
    import numpy as np

    ratios = np.sort(np.asarray(placebo_ratios, dtype=float))[::-1]
    n = len(ratios)
    # p(c) = (1 + #{ratio_j ≥ ratio(c)}) / (n + 1) > alpha needs at least m placebos above
    m = math.floor(alpha * (n + 1) - 1) + 1
    if m <= 0 or m > n:
        return (-math.inf, math.inf)
    bound = float(ratios[m - 1]) * pre_rmspe
    mean, var = float(np.mean(post_gap)), float(np.var(post_gap))
    if bound**2 < var:
        return (math.nan, math.nan)
    half = math.sqrt(bound**2 - var)
    return (mean - half, mean + half)


def _wide(panel: pd.DataFrame, lo: float, hi: float) -> pd.DataFrame:
    import pandas as pd

    frame = panel.dropna(subset=["value"]).copy()
    frame["period"] = pd.to_datetime(frame["period"]).dt.to_period("M").dt.to_timestamp()
    keys = frame["period"].dt.year * 12 + frame["period"].dt.month
    frame = frame[(keys >= lo) & (keys < hi)]
    return frame.pivot_table(index="period", columns="unit", values="value", aggfunc="first")


def _warnings(
    *, wide: pd.DataFrame, treated: str, n_pre: int, pre_rmspe: float,
    placebo_pre: np.ndarray, weights: pd.Series, n_placebos: int, alpha: float,
    other_events: tuple[str, ...], dropped: tuple[str, ...],
) -> tuple[str, ...]:  # fmt: skip
    import numpy as np

    out = []
    if math.ceil(1 / alpha) - 1 > n_placebos:
        out.append(
            f"only {n_placebos} donors: too few for any estimate to reach {alpha:g}; "
            "the interval is unbounded"
        )
    pre = wide.iloc[:n_pre]
    donors = pre.drop(columns=treated)
    outside = int(((pre[treated] > donors.max(axis=1)) | (pre[treated] < donors.min(axis=1))).sum())
    if outside > OUTSIDE_HULL_SHARE * n_pre:
        out.append(
            f"{treated} lies outside the donors' range in {outside} of {n_pre} pre-event "
            "months: no convex combination can match it"
        )
    worse = int(np.sum(placebo_pre > pre_rmspe))
    if worse < 0.25 * len(placebo_pre):
        out.append(
            f"poor pre-event fit: pre-RMSPE {pre_rmspe:.3g} is worse than "
            f"{len(placebo_pre) - worse} of the {len(placebo_pre)} donors' own synthetic fits"
        )
    if float(weights.iloc[0]) >= CONCENTRATED_WEIGHT:
        out.append(f"the synthetic unit is mostly one donor ({weights.index[0]})")
    if dropped:
        out.append(f"{len(dropped)} donors dropped for missing months ({', '.join(dropped)})")
    if other_events:
        shown = ", ".join(other_events[:4]) + (" …" if len(other_events) > 4 else "")
        out.append(f"{len(other_events)} other events in the window ({shown})")
    return tuple(out)


def synthetic_control(
    panel: pd.DataFrame,
    treated: str,
    event: str,
    *,
    donors: Sequence[str] | None = None,
    window_months: int | None = 60,
    alpha: float = 0.05,
    name: str = "series",
    events: pd.DataFrame | None = None,
) -> SynthEstimate:
    """Synthetic control of ``treated`` at ``event`` on a panel with columns
    ``unit, period, value`` (monthly). ``donors`` defaults to every other unit; donors
    with a missing month in the window are dropped (and listed)."""
    import numpy as np
    import pandas as pd

    from border21.data.effects import event_start

    t0 = event_start(event)
    event_k = month_key(t0)
    lo, hi = (event_k - window_months, event_k + window_months) if window_months else (
        -math.inf, math.inf)  # fmt: skip
    wide = _wide(panel, lo, hi)
    if treated not in wide.columns:
        raise InputError("treated", treated, Message("has no data in the window"))
    pool = [u for u in (donors if donors is not None else wide.columns) if u != treated]
    wide = wide.reindex(columns=[treated, *pool])  # a donor without data is dropped
    wide = wide[wide[treated].notna()]
    dropped = tuple(u for u in pool if wide[u].isna().any())
    pool = [u for u in pool if u not in dropped]
    if len(pool) < 2:
        raise InputError(
            "donors", len(pool), Message("a synthetic control needs at least 2 donors")
        )
    wide = wide[[treated, *pool]]
    n_pre = int((wide.index < t0).sum())
    n_post = len(wide) - n_pre
    if n_pre < MIN_PRE_MONTHS or n_post < MIN_POST_MONTHS:
        raise InputError(
            "event",
            event,
            Message(
                "needs ≥ {min_pre_months} months before and ≥ {min_post_months} after "
                "with data (have {n_pre} before, {n_post} after)",
                min_pre_months=MIN_PRE_MONTHS,
                min_post_months=MIN_POST_MONTHS,
                n_pre=n_pre,
                n_post=n_post,
            ),
        )
    values = wide.to_numpy(dtype=float)
    main = _fit(values[:, 0], values[:, 1:], n_pre)
    placebo_fits = []
    for j in range(1, values.shape[1]):
        others = np.delete(values[:, 1:], j - 1, axis=1)
        placebo_fits.append(_fit(values[:, j], others, n_pre))
    ratios = np.asarray([_ratio(f) for f in placebo_fits])
    ratio = _ratio(main)
    rank = int(1 + np.sum(ratios >= ratio))
    weights = pd.Series(main.weights, index=pool).sort_values(ascending=False)
    placebo_pre = np.asarray([f.pre_rmspe for f in placebo_fits])
    other = events_in_window(events, event_k, month_key(wide.index[0]),
                             month_key(wide.index[-1]) + 1)  # fmt: skip
    periods = wide.index
    placebo_gaps = pd.concat(
        [
            pd.DataFrame({"period": periods, "unit": u, "gap": f.gap,
                          "pre_rmspe": f.pre_rmspe, "ratio": _ratio(f)})
            for u, f in zip(pool, placebo_fits, strict=True)
        ],
        ignore_index=True,
    )  # fmt: skip
    return SynthEstimate(
        series=name, treated=str(treated), event=t0.strftime("%Y-%m"),
        estimate=float(main.gap[n_pre:].mean()),
        ci=constant_effect_interval(main.gap[n_pre:], main.pre_rmspe, ratios, alpha),
        p=rank / (len(ratios) + 1), placebo_rank=rank, n_placebos=len(ratios),
        pre_rmspe=main.pre_rmspe, post_rmspe=main.post_rmspe, rmspe_ratio=ratio,
        pre_mean=float(values[:n_pre, 0].mean()), n_pre=n_pre, n_post=n_post,
        weights=weights, donors_dropped=dropped, other_events=other, alpha=alpha,
        warnings=_warnings(
            wide=wide, treated=treated, n_pre=n_pre, pre_rmspe=main.pre_rmspe,
            placebo_pre=placebo_pre, weights=weights, n_placebos=len(ratios), alpha=alpha,
            other_events=other, dropped=dropped,
        ),
        path=pd.DataFrame({"period": periods, "treated": values[:, 0],
                           "synthetic": values[:, 0] - main.gap, "gap": main.gap}),
        placebo_gaps=placebo_gaps,
    )  # fmt: skip


SYNTH_SERIES = ("homicides", "crossings")


def synth_panel(
    store: Any, series: str, treated: str, *, measure: str = "Personal Vehicles"
) -> tuple[pd.DataFrame, str, list[str], str]:
    """The monthly panel a synthetic control runs on, the treated unit's name in it, the
    default donors and a label: ``homicides`` by state (rate per 100,000, annualised;
    donors: the states no Joint Operation of the timeline reached), or ``crossings`` of
    ``measure`` by port (donors: every other port)."""
    from border21.data import indicators as ind
    from border21.data.names import state_code, state_name
    from border21.data.staggered import JOINT_OPERATIONS

    if series == "homicides":
        name = state_name(state_code(treated))
        panel = ind.homicide_panel(store).rename(columns={"unit": "code"})
        panel["unit"] = panel["state_name"]
        reached = {s for states in JOINT_OPERATIONS.values() for s in states}
        donors = sorted(set(panel["unit"]) - reached - {name})
        return panel, name, donors, f"homicide rate per 100k, {name}"
    if series == "crossings":
        code = ind.resolve_ports(store, [treated])[0]
        frame = ind.crossings(store, measure=measure, by="port")
        name = str(store.scalar("SELECT port_name FROM ports WHERE port_code = ?", [code]))
        panel = frame.rename(columns={"group": "unit"})[["unit", "period", "value"]]
        donors = sorted(set(panel["unit"]) - {name})
        return panel, name, donors, f"{measure}, {name}"
    raise InputError(
        "series",
        series,
        Message("synthetic control runs on {synth_series}", synth_series=" or ".join(SYNTH_SERIES)),
    )


def estimate_synth(
    store: Any,
    series: str,
    treated: str,
    event: str,
    *,
    donors: Sequence[str] | None = None,
    measure: str = "Personal Vehicles",
    window_months: int | None = 60,
    alpha: float = 0.05,
) -> SynthEstimate:
    """:func:`synthetic_control` on a warehouse series, as the CLI computes it: ``event``
    a date or timeline id, ``donors`` state names/codes or ports (default: see
    :func:`synth_panel`), the timeline's events in the diagnostics."""
    from border21.data import indicators as ind
    from border21.data.effects import event_month

    month = event_month(store, event)
    panel, name, default, label = synth_panel(store, series, treated, measure=measure)
    pool = default if not donors else _resolve_donors(store, series, donors)
    if name in pool:
        raise InputError("donor", name, Message("is the treated unit"))
    return synthetic_control(
        panel, name, month, donors=pool, window_months=window_months, alpha=alpha,
        name=label, events=ind.events(store),
    )  # fmt: skip


def _resolve_donors(store: Any, series: str, donors: Sequence[str]) -> list[str]:
    from border21.data.indicators import resolve_ports
    from border21.data.names import state_code, state_name

    if series == "homicides":
        return [state_name(state_code(d)) for d in donors]
    return [
        str(store.scalar("SELECT port_name FROM ports WHERE port_code = ?", [code]))
        for code in resolve_ports(store, list(donors))
    ]

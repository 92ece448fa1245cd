"""Program-effect estimates: interrupted time series and difference-in-differences,
with calibrated inference and diagnostics on every estimate.

Interrupted time series (segmented regression), monthly data::

    y_t = b0 + b1·t + b2·post_t + b3·(t − t0)·post_t + Σ month dummies + e_t

``b2`` is the level change at the event and ``b3`` the change in monthly
slope. Difference-in-differences compares treated units (e.g. the six Mexican
border states) with controls (interior states)::

    y_it = a_i + g_t + d·(treated_i × post_t) + e_it

with unit and period fixed effects and standard errors clustered by unit.

The p-value and interval of the level change (``level_p``, ``level_ci``) are
**calibrated by in-time placebos** (:mod:`border21.data.placebos`): the same
model at every admissible month where the event did not happen; the event's
rank among them is the p-value. Newey–West (HAC) or cluster-robust figures are
kept as secondary (``hac_p``, ``hac_ci``): on the shipped real series they call
40–70 % of event-free months significant. Every estimate carries
:class:`~border21.data.diagnostics.Diagnostics` (pre-trend, placebo rank,
break timing, other events in the window, missing and zero months) and a
one-line caveat when one fails. Both designs are descriptive: they do not
prove causation.

>>> import numpy as np, pandas as pd
>>> t = pd.date_range("2000-01-01", periods=120, freq="MS")
>>> noise = np.random.default_rng(0).normal(0, 1, 120)
>>> y = pd.Series(10 + 0.1 * np.arange(120) + 5 * (t >= "2005-01-01") + noise, index=t)
>>> est = interrupted_time_series(y, "2005-01", seasonal=False)
>>> round(est.level_change), est.level_p < 0.05, est.diagnostics.placebo_rank
(5, True, 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from border21.data.diagnostics import Diagnostics, Evidence, diagnose, events_in_window
from border21.data.placebos import (
    GUARD_MONTHS,
    FitAt,
    calibrated_p,
    critical_t,
    in_time_placebos,
    month_key,
    ols_hac,
    rank_of,
)
from border21.errors import InputError
from border21.i18n.message import Message

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

INFERENCE = "in-time placebos (rank of |b/se| among the same model at event-free months)"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class EffectEstimate:
    """Result of an effect model. ``level_ci``, ``level_p`` (and for ITS ``slope_ci``,
    ``slope_p``) are calibrated by in-time placebos; ``hac_ci``, ``hac_p`` and
    ``slope_hac_*`` are the model-based figures, kept for comparison.
    Intervals are two-sided ``1 − alpha``; an interval is ``(-inf, inf)`` when the series
    has too few placebo months to reach ``alpha``."""

    method: str
    series: str
    event: str
    level_change: float
    level_se: float
    level_ci: tuple[float, float]
    level_p: float
    hac_ci: tuple[float, float]
    hac_p: float
    slope_change: float | None
    slope_ci: tuple[float, float] | None
    slope_p: float | None
    slope_hac_ci: tuple[float, float] | None
    slope_hac_p: float | None
    pre_mean: float
    n_pre: int
    n_post: int
    alpha: float
    detail: str
    diagnostics: Diagnostics
    fitted: pd.DataFrame = field(repr=False)
    placebos: pd.DataFrame = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain fields (no DataFrame), for JSON and tables; infinite bounds are None."""
        return {
            "method": self.method, "series": self.series, "event": self.event,
            "inference": INFERENCE,
            "level_change": self.level_change, "level_se": self.level_se,
            "level_ci_low": _finite(self.level_ci[0]),
            "level_ci_high": _finite(self.level_ci[1]),
            "level_p": self.level_p,
            "hac_ci_low": self.hac_ci[0], "hac_ci_high": self.hac_ci[1], "hac_p": self.hac_p,
            "slope_change_per_month": self.slope_change,
            "slope_ci_low": _finite(self.slope_ci[0]) if self.slope_ci else None,
            "slope_ci_high": _finite(self.slope_ci[1]) if self.slope_ci else None,
            "slope_p": self.slope_p,
            "slope_hac_ci_low": self.slope_hac_ci[0] if self.slope_hac_ci else None,
            "slope_hac_ci_high": self.slope_hac_ci[1] if self.slope_hac_ci else None,
            "slope_hac_p": self.slope_hac_p, "pre_mean": self.pre_mean, "n_pre": self.n_pre,
            "n_post": self.n_post, "alpha": self.alpha, "detail": self.detail,
            **self.diagnostics.as_dict(),
        }  # fmt: skip


def event_start(event: str) -> pd.Timestamp:
    """The month start of an event date given as ``2008-03`` or ``2008-03-27``."""
    import pandas as pd

    try:
        return (
            pd.Timestamp(event + "-01" if len(event.strip()) == 7 else event)
            .to_period("M")
            .to_timestamp()
        )
    except (ValueError, TypeError):
        raise InputError(
            "event", event, Message("must be a date like 2008-03 or 2008-03-27")
        ) from None


def _min_points(n_pre: int, n_post: int, need: int, event: str) -> None:
    if n_pre < need or n_post < need:
        raise InputError(
            "event",
            event,
            Message(
                "needs ≥ {need} months on each side (have {n_pre} before, {n_post} after)",
                need=need,
                n_pre=n_pre,
                n_post=n_post,
            ),
        )


def _span(event_k: int, window: int | None) -> tuple[float, float]:
    return (event_k - window, event_k + window) if window else (-math.inf, math.inf)


@dataclass(frozen=True, slots=True)
class _Calibration:
    p: float
    ci: tuple[float, float]
    diagnostics: Diagnostics
    placebos: pd.DataFrame


def _calibrate(
    fit: FitAt,
    keys: Any,
    event_k: int,
    *,
    window: int | None,
    coef: float,
    se: float,
    hac_p: float,
    alpha: float,
    events: pd.DataFrame | None,
    data_span: tuple[int, int],
    gaps: tuple[int, int],
    own_side: bool = True,
) -> _Calibration:
    """Placebo p-value and interval for ``coef`` (``se``), and the diagnostics."""
    plac = in_time_placebos(fit, keys, event_k, window, own_side=own_side)
    t_event = coef / se if se > 0 else math.copysign(math.inf, coef)
    crit = critical_t(plac.t, alpha)
    p = calibrated_p(t_event, plac.t)
    # pre-trend: a placebo 12 months before the event, on pre-event data only
    pretrend = None
    pre_k = event_k - GUARD_MONTHS
    got = fit(pre_k, _span(pre_k, window)[0], event_k)
    if got is not None and got[1] > 0:
        others = plac.t[plac.months != pre_k]
        pretrend = (pre_k, calibrated_p(got[0] / got[1], others))
    near = []
    for k in range(event_k - GUARD_MONTHS + 1, event_k + GUARD_MONTHS):
        lo, hi = _span(k, window)
        got = fit(k, lo, hi)
        if got is not None and got[1] > 0:
            near.append((k, got[0] / got[1]))
    sharpest = max(near, key=lambda kt: abs(kt[1])) if near else None
    evidence = Evidence(
        alpha=alpha, event_k=event_k, t_event=t_event, hac_p=hac_p, p=p,
        rank=rank_of(t_event, plac.t), n_placebos=len(plac.t), critical_t=crit,
        timing_t=critical_t(plac.t, min(2 * alpha, 0.5)),
        pretrend=pretrend, sharpest=sharpest,
        other_events=events_in_window(events, event_k, *data_span),
        missing_months=gaps[0], zero_months=gaps[1],
    )  # fmt: skip
    ci = (coef - crit * se, coef + crit * se) if math.isfinite(crit) else (-math.inf, math.inf)
    return _Calibration(p, ci, diagnose(evidence), plac.frame())


def _calibrated_slope(
    fit: FitAt, keys: Any, event_k: int, window: int | None, coef: float, se: float,
    alpha: float,
) -> tuple[float, tuple[float, float]]:  # fmt: skip
    """Placebo p-value and interval of the ITS slope change, as for the level change."""
    plac = in_time_placebos(fit, keys, event_k, window)
    t_event = coef / se if se > 0 else math.copysign(math.inf, coef)
    crit = critical_t(plac.t, alpha)
    ci = (coef - crit * se, coef + crit * se) if math.isfinite(crit) else (-math.inf, math.inf)
    return calibrated_p(t_event, plac.t), ci


def _its_design(keys: np.ndarray, month: np.ndarray, event_k: int, seasonal: bool) -> np.ndarray:
    import numpy as np

    post = (keys >= event_k).astype(float)
    cols = [np.ones(len(keys)), (keys - keys[0]).astype(float), post, post * (keys - event_k)]
    if seasonal:
        cols += [(month == m).astype(float) for m in range(2, 13)]
    return np.column_stack(cols)


def _newey_west_lags(n: int) -> int:
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


def _its_fit(
    values: np.ndarray, keys: np.ndarray, month: np.ndarray, *, seasonal: bool,
    need: int, hac_lags: int | None, index: int = 2,
) -> FitAt:  # fmt: skip
    """The ITS level change (``index`` 2; 3 for the slope change) and its HAC standard
    error at any month and data span."""

    def fit(event_k: int, lo: float, hi: float) -> tuple[float, float] | None:
        sel = (keys >= lo) & (keys < hi)
        n_post = int((keys[sel] >= event_k).sum())
        if n_post < need or int(sel.sum()) - n_post < need:
            return None
        x = _its_design(keys[sel], month[sel], event_k, seasonal)
        lags = hac_lags if hac_lags is not None else _newey_west_lags(int(sel.sum()))
        beta, se = ols_hac(values[sel], x, lags)
        return float(beta[index]), float(se[index])

    return fit


def interrupted_time_series(
    series: pd.Series,
    event: str,
    *,
    seasonal: bool = True,
    hac_lags: int | None = None,
    alpha: float = 0.05,
    name: str = "series",
    window_months: int | None = None,
    events: pd.DataFrame | None = None,
) -> EffectEstimate:
    """Segmented regression around ``event`` on a monthly series indexed by month start.

    ``hac_lags`` defaults to the Newey–West rule ``floor(4·(n/100)^(2/9))``;
    ``window_months`` keeps only that many months either side of the event (and of
    each placebo month); ``events`` is the timeline (``event_id, event_date,
    category``) the diagnostics list confounders from.
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import norm

    full = series.dropna().sort_index()
    t0 = event_start(event)
    event_k = month_key(t0)
    keys_all = np.asarray([month_key(d) for d in full.index], dtype=int)
    lo, hi = _span(event_k, window_months)
    sel = (keys_all >= lo) & (keys_all < hi)
    y = full[sel]
    keys = keys_all[sel]
    n_post = int((keys >= event_k).sum())
    n_pre = len(keys) - n_post
    need = 12 if seasonal else 3
    _min_points(n_pre, n_post, need, event)
    x = _its_design(keys, y.index.month.to_numpy(), event_k, seasonal)
    lags = hac_lags if hac_lags is not None else _newey_west_lags(len(y))
    values = y.to_numpy(dtype=float)
    params, bse = ols_hac(values, x, lags)
    z = float(norm.ppf(1 - alpha / 2))
    hac_p = [
        float(2 * norm.sf(abs(b / s))) if s > 0 else 0.0 for b, s in zip(params, bse, strict=True)
    ]
    fit = _its_fit(
        full.to_numpy(dtype=float), keys_all, full.index.month.to_numpy(),
        seasonal=seasonal, need=need, hac_lags=hac_lags,
    )  # fmt: skip
    span = (int(keys[0]), int(keys[-1]) + 1)
    cal = _calibrate(
        fit, keys_all, event_k, window=window_months, coef=float(params[2]),
        se=float(bse[2]), hac_p=hac_p[2], alpha=alpha, events=events, data_span=span,
        gaps=(span[1] - span[0] - len(keys), int((values == 0).sum())),
    )  # fmt: skip
    slope_p, slope_ci = _calibrated_slope(
        _its_fit(
            full.to_numpy(dtype=float), keys_all, full.index.month.to_numpy(),
            seasonal=seasonal, need=need, hac_lags=hac_lags, index=3,
        ),
        keys_all, event_k, window_months, float(params[3]), float(bse[3]), alpha,
    )  # fmt: skip
    counterfactual = x.copy()
    counterfactual[:, 2:4] = 0.0
    fitted = pd.DataFrame(
        {
            "period": y.index,
            "observed": values,
            "fitted": x @ params,
            "counterfactual": counterfactual @ params,
        }  # fmt: skip
    )
    return EffectEstimate(
        method="interrupted time series (segmented OLS, month dummies, Newey–West HAC)",
        series=name, event=t0.strftime("%Y-%m"),
        level_change=float(params[2]), level_se=float(bse[2]), level_ci=cal.ci,
        level_p=cal.p, hac_ci=(float(params[2] - z * bse[2]), float(params[2] + z * bse[2])),
        hac_p=hac_p[2], slope_change=float(params[3]), slope_ci=slope_ci, slope_p=slope_p,
        slope_hac_ci=(float(params[3] - z * bse[3]), float(params[3] + z * bse[3])),
        slope_hac_p=hac_p[3], pre_mean=float(values[keys < event_k].mean()),
        n_pre=n_pre, n_post=n_post, alpha=alpha,
        detail=f"HAC maxlags={lags}, n={len(y)}, {cal.diagnostics.n_placebos} placebo months",
        diagnostics=cal.diagnostics, fitted=fitted, placebos=cal.placebos,
    )  # fmt: skip


def _two_way_demean(
    values: Any, unit_idx: Any, time_idx: Any, *, tol: float = 1e-10, max_iter: int = 500
) -> Any:
    """Remove unit and period means (alternating projections; exact in one pass when the
    panel is balanced). By Frisch–Waugh–Lovell, regressing demeaned y on demeaned x gives
    the two-way fixed-effects coefficient without building thousands of dummies."""
    import numpy as np

    out = values - values.mean()
    for _ in range(max_iter):
        before = out.copy()
        out = out - (np.bincount(unit_idx, out) / np.bincount(unit_idx))[unit_idx]
        out = out - (np.bincount(time_idx, out) / np.bincount(time_idx))[time_idx]
        if np.max(np.abs(out - before)) < tol:
            break
    return out


def _clustered_slope(y: Any, x: Any, groups: Any, *, n_params: int) -> tuple[float, float, int]:
    """OLS slope of y on x (no constant; both demeaned), its cluster-robust standard error
    with the Stata/statsmodels small-sample factor, and G − 1 degrees of freedom."""
    import numpy as np

    sxx = float(x @ x)
    coef = float(x @ y) / sxx
    resid = y - coef * x
    scores = np.bincount(groups, x * resid)
    n, g = len(y), int(groups.max()) + 1
    factor = g / (g - 1) * (n - 1) / (n - n_params)
    se = float(np.sqrt(factor * float(scores @ scores)) / sxx)
    return coef, se, g - 1


def _did_fit(values: Any, unit: Any, period_k: Any, treated: Any, need: int) -> FitAt:
    """The DiD coefficient and its clustered standard error at any month and data span."""
    import numpy as np
    import pandas as pd

    def fit(event_k: int, lo: float, hi: float) -> tuple[float, float] | None:
        sel = (period_k >= lo) & (period_k < hi)
        months = period_k[sel]
        n_post = len(np.unique(months[months >= event_k]))
        if n_post < need or len(np.unique(months)) - n_post < need:
            return None
        unit_idx = pd.factorize(unit[sel])[0]
        time_idx = pd.factorize(months)[0]
        did = ((months >= event_k) & treated[sel]).astype(float)
        y_w = _two_way_demean(values[sel], unit_idx, time_idx)
        d_w = _two_way_demean(did, unit_idx, time_idx)
        if not float(d_w @ d_w) > 0:
            return None
        coef, se, _ = _clustered_slope(
            y_w, d_w, unit_idx, n_params=unit_idx.max() + time_idx.max() + 2
        )
        return coef, se

    return fit


def difference_in_differences(
    panel: pd.DataFrame,
    event: str,
    *,
    alpha: float = 0.05,
    name: str = "series",
    window_months: int | None = None,
    events: pd.DataFrame | None = None,
) -> EffectEstimate:
    """Two-way fixed-effects DiD on a panel with columns ``unit, period, treated, value``.

    ``window_months`` keeps only that many months either side of the event (and of
    each placebo month). The calibrated p-value ranks the event's ``coef/se`` among
    in-time placebo DiDs; the secondary (``hac_*``) figures use standard errors
    clustered by unit and t with (units − 1) df.
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import t as scipy_t

    t0 = event_start(event)
    event_k = month_key(t0)
    full = panel.dropna(subset=["value"]).copy()
    full["period"] = pd.to_datetime(full["period"])
    full_k = (full["period"].dt.year * 12 + full["period"].dt.month).to_numpy(dtype=int)
    treated_all = full["treated"].astype(bool).to_numpy()
    if treated_all.all() or not treated_all.any():
        raise InputError("panel", name, Message("needs both treated and control units"))
    lo, hi = _span(event_k, window_months)
    in_window = (full_k >= lo) & (full_k < hi)
    df = full[in_window].copy()
    df_k = full_k[in_window]
    treated = treated_all[in_window]
    n_pre = len(np.unique(df_k[df_k < event_k]))
    n_post = len(np.unique(df_k[df_k >= event_k]))
    _min_points(n_pre, n_post, 3, event)
    if treated.all() or not treated.any():
        raise InputError(
            "panel", name, Message("needs both treated and control units in the window")
        )
    unit_idx = pd.factorize(df["unit"])[0]
    time_idx = pd.factorize(df_k)[0]
    did = ((df_k >= event_k) & treated).astype(float)
    y_w = _two_way_demean(df["value"].to_numpy(dtype=float), unit_idx, time_idx)
    d_w = _two_way_demean(did, unit_idx, time_idx)
    coef, se, dof = _clustered_slope(
        y_w, d_w, unit_idx, n_params=unit_idx.max() + time_idx.max() + 2
    )
    crit = float(scipy_t.ppf(1 - alpha / 2, dof))
    hac_p = float(2 * scipy_t.sf(abs(coef / se), dof)) if se > 0 else 0.0
    fit = _did_fit(
        full["value"].to_numpy(dtype=float), full["unit"].to_numpy(), full_k, treated_all, 3
    )
    span = (int(df_k.min()), int(df_k.max()) + 1)
    n_units = df["unit"].nunique()
    cal = _calibrate(
        fit, full_k, event_k, window=window_months, coef=coef, se=se, hac_p=hac_p,
        alpha=alpha, events=events, data_span=span,
        gaps=(n_units * (span[1] - span[0]) - len(df), int((df["value"] == 0).sum())),
        own_side=False,
    )  # fmt: skip
    means = (
        df.assign(group=np.where(treated, "treated", "control"))
        .groupby(["period", "group"], as_index=False)["value"]
        .mean()
    )
    pre_treated = df.loc[treated & (df_k < event_k), "value"].mean()
    n_treated = int(pd.Series(treated).groupby(df["unit"].to_numpy()).first().sum())
    return EffectEstimate(
        method="difference-in-differences (unit and month fixed effects, SE clustered by unit)",
        series=name, event=t0.strftime("%Y-%m"),
        level_change=coef, level_se=se, level_ci=cal.ci, level_p=cal.p,
        hac_ci=(coef - crit * se, coef + crit * se), hac_p=hac_p,
        slope_change=None, slope_ci=None, slope_p=None, slope_hac_ci=None, slope_hac_p=None,
        pre_mean=float(pre_treated),
        n_pre=n_pre, n_post=n_post, alpha=alpha,
        detail=f"{n_treated} treated vs {n_units - n_treated} control units, {len(df)} obs, "
        f"{cal.diagnostics.n_placebos} placebo months",
        diagnostics=cal.diagnostics, fitted=means, placebos=cal.placebos,
    )  # fmt: skip


def event_month(store: Any, event: str) -> str:
    """An event id from the timeline (e.g. ``merida_announced``) as ``YYYY-MM``, or a
    date as given."""
    if event[:4].isdigit():
        return event
    from border21.errors import NotFoundError

    when = store.scalar(
        "SELECT strftime(event_date, '%Y-%m') FROM events WHERE event_id = ?", [event]
    )
    if when is None:
        raise NotFoundError(
            Message("unknown event {event!r}; see `border21 indicators events`", event=event)
        )
    return str(when)


def estimate_effect(
    store: Any,
    series: str,
    event: str,
    *,
    method: str = "its",
    window_months: int | None = 60,
    alpha: float = 0.05,
    **selection: Any,
) -> EffectEstimate:
    """The effect of ``event`` (date or timeline id) on a warehouse series, as the CLI,
    the API and the report compute it: ``its`` on :func:`effect_series` (``selection``
    picks state, port, measure, …) or ``did`` on the border-vs-interior homicide panel,
    with the timeline's events in the diagnostics."""
    from border21.data import indicators as ind

    month = event_month(store, event)
    timeline = ind.events(store)
    if method == "its":
        y, label = effect_series(store, series, **selection)
        return interrupted_time_series(
            y, month, alpha=alpha, name=label, window_months=window_months, events=timeline
        )
    if method != "did":
        raise InputError("method", method, Message("must be its or did"))
    if series != "homicides":
        raise InputError(
            "method", method, Message("difference-in-differences is for series homicides")
        )
    return difference_in_differences(
        ind.homicide_panel(store), month, alpha=alpha, window_months=window_months,
        name="homicide rate per 100k: border vs interior states", events=timeline,
    )  # fmt: skip


SERIES = ("homicides", "crossings", "apprehensions", "seizures", "trade")


# What picks each series' units (everything else is refused, not ignored).
SELECTORS: dict[str, tuple[str, ...]] = {
    "homicides": ("state",),
    "crossings": ("port", "measure"),
    "apprehensions": ("region",),
    "seizures": ("drug",),
    "trade": ("trade_type",),
}


def effect_series(
    store: Any,
    series: str,
    *,
    state: str | None = None,
    port: str | None = None,
    measure: str = "Personal Vehicles",
    region: str = "Southwest Border",
    drug: str | None = None,
    trade_type: str = "Import",
) -> tuple[pd.Series, str]:
    """The monthly series an effect is estimated on, and a label for it.

    * ``homicides``: homicide rate per 100,000 (annualised) of ``state`` (name or
      code), or of ``border`` / ``interior`` / ``all`` states (default border);
    * ``crossings``: inbound ``measure`` at ``port`` (default: whole border);
    * ``apprehensions``: Border Patrol apprehensions in ``region`` or a sector;
    * ``seizures``: OFO+USBP southwest-border seizure events (``drug`` filter);
    * ``trade``: monthly US ``trade_type`` (Import/Export) with Mexico, USD.
    """
    from border21.data import indicators as ind

    if series not in SERIES:
        raise InputError(
            "series", series, Message("must be one of {series}", series=", ".join(SERIES))
        )
    given = {
        "state": state,
        "port": port,
        "measure": None if measure == "Personal Vehicles" else measure,
        "region": None if region == "Southwest Border" else region,
        "drug": drug,
        "trade_type": None if trade_type == "Import" else trade_type,
    }
    for key, value in given.items():
        if value is not None and key not in SELECTORS[series]:
            takes = ", ".join(SELECTORS[series]) or "nothing"
            raise InputError(
                key,
                value,
                Message(
                    "does not apply to series {series} (it takes {takes})",
                    series=series,
                    takes=takes,
                ),
            )
    if series == "homicides":
        frame = ind.homicide_rate(store, states=state or "border", freq="month")
        label = f"homicide rate per 100k, {state or 'border states'}"
        return frame.set_index("period")["rate_per_100k"], label
    if series == "crossings":
        frame = ind.crossings(store, measure=measure, ports=[port] if port else None)
        return frame.set_index("period")["value"], f"{measure}, {port or 'US–Mexico border'}"
    if series == "apprehensions":
        by = "region" if region.lower().endswith("border") else "sector"
        frame = ind.apprehensions(store, by=by, freq="month")
        frame = frame[frame["group"].str.lower() == region.lower()]
        if frame.empty:
            raise InputError(
                "region", region, Message("no apprehensions for that region or sector")
            )
        return frame.set_index("period")["value"], f"apprehensions, {region}"
    if series == "seizures":
        frame = store.sql(
            """SELECT month AS period, sum(events)::DOUBLE AS value FROM seizures
               WHERE region = 'Southwest Border' AND (? IS NULL OR drug_type ILIKE ?)
               GROUP BY 1 ORDER BY 1""",
            [drug, drug],
        )
        frame["period"] = frame["period"].astype("datetime64[ns]")
        return frame.set_index("period")[
            "value"
        ], f"SW-border seizure events{', ' + drug if drug else ''}"
    frame = ind.trade(store, by="trade_type", freq="month")
    frame = frame[frame["group"] == trade_type]
    return frame.set_index("period")["value_usd"], f"US {trade_type.lower()}s with Mexico, USD"

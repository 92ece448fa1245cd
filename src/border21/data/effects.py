"""Program-effect estimates: interrupted time series and difference-in-differences.

Interrupted time series (segmented regression), monthly data::

    y_t = b0 + b1·t + b2·post_t + b3·(t − t0)·post_t + Σ month dummies + e_t

``b2`` is the level change at the event and ``b3`` the change in monthly
slope. Standard errors are Newey–West (HAC), robust to autocorrelation and
heteroskedasticity. Difference-in-differences compares treated units (e.g.
the six Mexican border states) with controls (interior states)::

    y_it = a_i + g_t + d·(treated_i × post_t) + e_it

with unit and period fixed effects and standard errors clustered by unit.
Both are descriptive: they do not prove causation (other things changed at
the same time; with six treated clusters the DiD interval is approximate).

>>> import numpy as np, pandas as pd
>>> t = pd.date_range("2000-01-01", periods=120, freq="MS")
>>> y = pd.Series(10 + 0.1 * np.arange(120) + 5 * (t >= "2005-01-01"), index=t)
>>> est = interrupted_time_series(y, "2005-01", seasonal=False)
>>> round(est.level_change, 6), est.level_ci[0] < 5 < est.level_ci[1] or est.level_se < 1e-6
(5.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from border21.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class EffectEstimate:
    """Result of an effect model. ``*_ci`` are two-sided ``1 − alpha`` intervals."""

    method: str
    series: str
    event: str
    level_change: float
    level_se: float
    level_ci: tuple[float, float]
    level_p: float
    slope_change: float | None
    slope_ci: tuple[float, float] | None
    slope_p: float | None
    pre_mean: float
    n_pre: int
    n_post: int
    alpha: float
    detail: str
    fitted: pd.DataFrame = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain fields (no DataFrame), for JSON and tables."""
        return {
            "method": self.method, "series": self.series, "event": self.event,
            "level_change": self.level_change, "level_se": self.level_se,
            "level_ci_low": self.level_ci[0], "level_ci_high": self.level_ci[1],
            "level_p": self.level_p, "slope_change_per_month": self.slope_change,
            "slope_ci_low": self.slope_ci[0] if self.slope_ci else None,
            "slope_ci_high": self.slope_ci[1] if self.slope_ci else None,
            "slope_p": self.slope_p, "pre_mean": self.pre_mean, "n_pre": self.n_pre,
            "n_post": self.n_post, "alpha": self.alpha, "detail": self.detail,
        }  # fmt: skip


def _event_ts(event: str) -> pd.Timestamp:
    import pandas as pd

    try:
        return (
            pd.Timestamp(event + "-01" if len(event.strip()) == 7 else event)
            .to_period("M")
            .to_timestamp()
        )
    except (ValueError, TypeError):
        raise InputError("event", event, "must be a date like 2008-03 or 2008-03-27") from None


def _min_points(n_pre: int, n_post: int, need: int, event: str) -> None:
    if n_pre < need or n_post < need:
        raise InputError(
            "event",
            event,
            f"needs ≥ {need} months on each side (have {n_pre} before, {n_post} after)",
        )


def interrupted_time_series(
    series: pd.Series,
    event: str,
    *,
    seasonal: bool = True,
    hac_lags: int | None = None,
    alpha: float = 0.05,
    name: str = "series",
    window_months: int | None = None,
) -> EffectEstimate:
    """Segmented regression around ``event`` on a monthly series indexed by month start.

    ``hac_lags`` defaults to the Newey–West rule ``floor(4·(n/100)^(2/9))``;
    ``window_months`` keeps only that many months either side of the event.
    """
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm

    y = series.dropna().sort_index()
    t0 = _event_ts(event)
    if window_months:
        lo, hi = t0 - pd.DateOffset(months=window_months), t0 + pd.DateOffset(months=window_months)
        y = y[(y.index >= lo) & (y.index < hi)]
    post = (y.index >= t0).astype(float)
    n_pre, n_post = int((post == 0).sum()), int(post.sum())
    _min_points(n_pre, n_post, 12 if seasonal else 3, event)
    months_since = np.asarray(
        [(d.year - y.index[0].year) * 12 + d.month - y.index[0].month for d in y.index], dtype=float
    )
    k0 = months_since[n_pre] if n_pre < len(y) else months_since[-1]
    cols = {"const": np.ones(len(y)), "trend": months_since, "post": np.asarray(post),
            "post_trend": np.asarray(post) * (months_since - k0)}  # fmt: skip
    if seasonal:
        for m in range(2, 13):
            cols[f"m{m}"] = (y.index.month == m).astype(float)
    x = np.column_stack(list(cols.values()))
    lags = hac_lags if hac_lags is not None else int(np.floor(4 * (len(y) / 100) ** (2 / 9)))
    fit = sm.OLS(y.to_numpy(dtype=float), x).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    ci = fit.conf_int(alpha=alpha)
    params, bse, pvalues = fit.params, fit.bse, fit.pvalues
    counterfactual = x.copy()
    counterfactual[:, 2:4] = 0.0
    fitted = pd.DataFrame(
        {
            "period": y.index,
            "observed": y.to_numpy(dtype=float),
            "fitted": fit.fittedvalues,
            "counterfactual": counterfactual @ params,
        }  # fmt: skip
    )
    return EffectEstimate(
        method="interrupted time series (segmented OLS, month dummies, Newey–West HAC)",
        series=name, event=t0.strftime("%Y-%m"),
        level_change=float(params[2]), level_se=float(bse[2]),
        level_ci=(float(ci[2][0]), float(ci[2][1])), level_p=float(pvalues[2]),
        slope_change=float(params[3]), slope_ci=(float(ci[3][0]), float(ci[3][1])),
        slope_p=float(pvalues[3]), pre_mean=float(y[post == 0].mean()),
        n_pre=n_pre, n_post=n_post, alpha=alpha, detail=f"HAC maxlags={lags}, n={len(y)}",
        fitted=fitted,
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


def difference_in_differences(
    panel: pd.DataFrame,
    event: str,
    *,
    alpha: float = 0.05,
    name: str = "series",
    window_months: int | None = None,
) -> EffectEstimate:
    """Two-way fixed-effects DiD on a panel with columns ``unit, period, treated, value``.

    ``window_months`` keeps only that many months either side of the event.
    Standard errors are clustered by unit; the interval uses t with (units − 1) df,
    which is honest with few clusters (six border states).
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import t as scipy_t

    t0 = _event_ts(event)
    df = panel.dropna(subset=["value"]).copy()
    if window_months:
        lo, hi = t0 - pd.DateOffset(months=window_months), t0 + pd.DateOffset(months=window_months)
        df = df[(df["period"] >= lo) & (df["period"] < hi)]
    df["post"] = (df["period"] >= t0).astype(float)
    treated = df["treated"].astype(bool)
    if treated.all() or not treated.any():
        raise InputError("panel", name, "needs both treated and control units")
    n_pre = int(df.loc[df.post == 0, "period"].nunique())
    n_post = int(df.loc[df.post == 1, "period"].nunique())
    _min_points(n_pre, n_post, 3, event)
    df["did"] = df["post"] * treated.astype(float)
    unit_idx = pd.factorize(df["unit"])[0]
    time_idx = pd.factorize(df["period"])[0]
    y_w = _two_way_demean(df["value"].to_numpy(dtype=float), unit_idx, time_idx)
    d_w = _two_way_demean(df["did"].to_numpy(dtype=float), unit_idx, time_idx)
    coef, se, dof = _clustered_slope(
        y_w, d_w, unit_idx, n_params=unit_idx.max() + time_idx.max() + 2
    )
    crit = float(scipy_t.ppf(1 - alpha / 2, dof))
    p_value = float(2 * scipy_t.sf(abs(coef / se), dof)) if se > 0 else 0.0
    means = (
        df.assign(group=np.where(treated, "treated", "control"))
        .groupby(["period", "group"], as_index=False)["value"]
        .mean()
    )
    pre_treated = df.loc[treated & (df.post == 0), "value"].mean()
    return EffectEstimate(
        method="difference-in-differences (unit and month fixed effects, SE clustered by unit)",
        series=name, event=t0.strftime("%Y-%m"),
        level_change=coef, level_se=se,
        level_ci=(coef - crit * se, coef + crit * se), level_p=p_value,
        slope_change=None, slope_ci=None, slope_p=None, pre_mean=float(pre_treated),
        n_pre=n_pre, n_post=n_post, alpha=alpha,
        detail=f"{int(treated.groupby(df['unit']).first().sum())} treated vs "
        f"{int((~treated).groupby(df['unit']).first().sum())} control units, {len(df)} obs",
        fitted=means,
    )  # fmt: skip


SERIES = ("homicides", "crossings", "apprehensions", "seizures", "trade")


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
        raise InputError("series", series, f"must be one of {', '.join(SERIES)}")
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
            raise InputError("region", region, "no apprehensions for that region or sector")
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

"""Frontier charts: detection against delay, one line per policy, CI bars."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from border21.i18n import DEFAULT, translate
from border21.reports.charts import HEIGHT, WIDTH, Chart, to_records

if TYPE_CHECKING:
    import pandas as pd


def frontier_chart(
    summary: pd.DataFrame,
    *,
    x: str = "mean_delay_min",
    y: str = "detection_rate",
    title: str | None = None,
    lang: str = DEFAULT,
) -> Chart:
    """Detection (y) against mean delay per crossing (x) with 95% CI bars.

    One colour per policy, one panel per cooperation variant when there are
    several; points are budgets, labelled in the tooltip. With a ``grid``
    column (``border21 frontier --vary``) every grid point and budget is a
    dot and each policy's frontier the line through its frontier points. Titles, axes,
    legend, tooltips and the words of the variant and policy columns in ``lang``.
    """
    import altair as alt

    from border21.reports.terms import translate_frame

    _ = partial(translate, lang)
    if title is None:
        title = _("Security–trade frontier")
    cols = ["variant", "grid", "policy", "rate", x, y, f"{x}_ci95", f"{y}_ci95", "licit_per_1000"]
    cols += ["on_frontier"]
    frame = translate_frame(summary[[c for c in cols if c in summary.columns]], lang, *WORDS)
    frame = frame.copy()
    grid = "grid" in frame.columns
    frame["budget_pct"] = 100 * frame["rate"]
    frame["x_lo"] = frame[x] - frame[f"{x}_ci95"].fillna(0)
    frame["x_hi"] = frame[x] + frame[f"{x}_ci95"].fillna(0)
    frame["y_lo"] = frame[y] - frame[f"{y}_ci95"].fillna(0)
    frame["y_hi"] = frame[y] + frame[f"{y}_ci95"].fillna(0)
    data = alt.Data(values=to_records(frame))
    base = alt.Chart(data)
    color = alt.Color("policy:N", title=_("policy"))
    xq = alt.X(
        f"{x}:Q", title=_("mean northbound delay per crossing (min)"), scale=alt.Scale(zero=False)
    )
    yq = alt.Y(
        f"{y}:Q", title=_("share of northbound carriers caught"), scale=alt.Scale(domain=[0, 1])
    )
    tooltip: list[Any] = [
        "variant:N",
        *(["grid:N"] if grid else []),
        "policy:N",
        alt.Tooltip("budget_pct:Q", title=_("budget %")),
        alt.Tooltip(f"{y}:Q", format=".3f"),
        alt.Tooltip(f"{x}:Q", format=".2f"),
        alt.Tooltip("licit_per_1000:Q", format=".1f", title=_("licit inspections / 1,000")),
    ]
    if lang != DEFAULT:
        named = {"variant": _("variant"), "grid": _("grid point"), "policy": _("policy"),
                 x: _("mean delay (min)"), y: _("share caught")}  # fmt: skip
        tooltip = [_titled(tip, named) for tip in tooltip]
    if grid:  # every grid point and budget a dot; each policy's frontier a line
        dots = base.mark_circle(size=25, opacity=0.5).encode(
            x=xq, y=yq, color=color, tooltip=tooltip
        )
        front = (
            base.transform_filter("datum.on_frontier")
            .mark_line(point=True)
            .encode(x=xq, y=yq, color=color, order=f"{x}:Q", tooltip=tooltip)
        )
        line: Any = alt.layer(dots, front)
    else:
        line = base.mark_line(point=True).encode(
            x=xq, y=yq, color=color, order="rate:Q", tooltip=tooltip
        )
    ybar = base.mark_rule(opacity=0.5).encode(x=xq, y="y_lo:Q", y2="y_hi:Q", color=color)
    xbar = base.mark_rule(opacity=0.5).encode(x="x_lo:Q", x2="x_hi:Q", y=yq, color=color)
    layered = alt.layer(ybar, xbar, line).properties(width=WIDTH // 2 + 40, height=HEIGHT)
    if frame["variant"].nunique() > 1:
        chart = layered.facet(facet=alt.Facet("variant:N", title=None), columns=2).properties(
            title=title
        )
    else:
        chart = layered.properties(title=title)
    return Chart(chart, {})


# the words a frontier or calibration chart shows as data (border21.reports.terms)
WORDS = ("variant", "policy")


def _titled(tip: Any, named: dict[str, str]) -> Any:
    """A tooltip channel (``"field:N"`` or ``alt.Tooltip``) titled by ``named[field]``."""
    import altair as alt

    if isinstance(tip, str):
        field = tip.split(":")[0]
        return alt.Tooltip(tip, title=named[field]) if field in named else tip
    spec = tip.to_dict(validate=False)
    if spec.get("field") in named and "title" not in spec:
        return alt.Tooltip(**spec, title=named[spec["field"]])
    return tip


def calibration_chart(
    profiles: pd.DataFrame, *, title: str | None = None, lang: str = DEFAULT
) -> Chart:
    """Observed and simulated (before/after calibration) mean wait by hour, per lane group;
    its words in ``lang``."""
    import altair as alt

    from border21.reports.terms import term, translate_frame

    _ = partial(translate, lang)
    if title is None:
        title = _("Hourly waits: CBP vs simulated")
    long = profiles.melt(
        id_vars=["group", "set", "hour"],
        value_vars=["observed", "before", "after"],
        var_name="series",
        value_name="wait_min",
    )
    long = translate_frame(long, lang, "set", "series")
    tooltip: list[Any] = ["group:N", "set:N", "series:N", "hour:Q",
                          alt.Tooltip("wait_min:Q", format=".1f")]  # fmt: skip
    if lang != DEFAULT:
        named = {"group": _("lane group"), "set": _("months"), "series": _("series"),
                 "hour": _("hour"), "wait_min": _("mean wait (min)")}  # fmt: skip
        tooltip = [_titled(tip, named) for tip in tooltip]
    chart = (
        alt.Chart(alt.Data(values=to_records(long)))
        .mark_line(point=True)
        .encode(
            x=alt.X("hour:Q", title=_("hour of day"), scale=alt.Scale(domain=[0, 23])),
            y=alt.Y("wait_min:Q", title=_("mean wait (min)")),
            color=alt.Color(
                "series:N",
                sort=[term(lang, s) for s in ("observed", "before", "after")],
                title=alt.Undefined if lang == DEFAULT else _("series"),
            ),
            strokeDash=alt.StrokeDash("set:N", title=_("months")),
            tooltip=tooltip,
        )
        .properties(width=260, height=160)
        .facet(facet=alt.Facet("group:N", title=None), columns=3)
        .properties(title=title)
    )
    return Chart(chart, {})


def sweep_chart(summary: pd.DataFrame, color: str, *, title: str) -> Chart:
    """Every grid variant as a point (detection against mean delay), the frontier as a line.

    Points are coloured by the axis ``color``; the tooltip shows the variant.
    """
    import altair as alt

    cols = ["variant", color, "mean_delay_min", "detection_rate", "licit_per_1000", "on_frontier"]
    frame = summary[cols].rename(columns={color: "axis"}).copy()
    frame["axis"] = frame["axis"].astype(str)
    data = alt.Data(values=to_records(frame))
    base = alt.Chart(data)
    xq = alt.X("mean_delay_min:Q", title="mean northbound delay per crossing (min)")
    yq = alt.Y(
        "detection_rate:Q", title="share of northbound carriers caught", scale=alt.Scale(zero=False)
    )
    tooltip: list[Any] = [
        "variant:N",
        alt.Tooltip("detection_rate:Q", format=".3f"),
        alt.Tooltip("mean_delay_min:Q", format=".2f"),
        alt.Tooltip("licit_per_1000:Q", format=".1f", title="licit inspections / 1,000"),
    ]
    points = base.mark_circle(size=30, opacity=0.6).encode(
        x=xq, y=yq, color=alt.Color("axis:N", title=color), tooltip=tooltip
    )
    line = (
        base.transform_filter("datum.on_frontier")
        .mark_line(color="black", strokeDash=[4, 2])
        .encode(x=xq, y=yq, order="mean_delay_min:Q")
    )
    chart = alt.layer(points, line).properties(width=WIDTH, height=HEIGHT, title=title)
    return Chart(chart, {})

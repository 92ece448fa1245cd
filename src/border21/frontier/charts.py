"""Frontier charts: detection against delay, one line per policy, CI bars."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from border21.reports.charts import HEIGHT, WIDTH, Chart, to_records

if TYPE_CHECKING:
    import pandas as pd


def frontier_chart(
    summary: pd.DataFrame,
    *,
    x: str = "mean_delay_min",
    y: str = "detection_rate",
    title: str = "Security–trade frontier",
) -> Chart:
    """Detection (y) against mean delay per crossing (x) with 95% CI bars.

    One colour per policy, one panel per cooperation variant when there are
    several; points are budgets, labelled in the tooltip. With a ``grid``
    column (``border21 frontier --vary``) every grid point and budget is a
    dot and each policy's frontier the line through its frontier points.
    """
    import altair as alt

    cols = ["variant", "grid", "policy", "rate", x, y, f"{x}_ci95", f"{y}_ci95", "licit_per_1000"]
    cols += ["on_frontier"]
    frame = summary[[c for c in cols if c in summary.columns]].copy()
    grid = "grid" in frame.columns
    frame["budget_pct"] = 100 * frame["rate"]
    frame["x_lo"] = frame[x] - frame[f"{x}_ci95"].fillna(0)
    frame["x_hi"] = frame[x] + frame[f"{x}_ci95"].fillna(0)
    frame["y_lo"] = frame[y] - frame[f"{y}_ci95"].fillna(0)
    frame["y_hi"] = frame[y] + frame[f"{y}_ci95"].fillna(0)
    data = alt.Data(values=to_records(frame))
    base = alt.Chart(data)
    color = alt.Color("policy:N", title="policy")
    xq = alt.X(
        f"{x}:Q", title="mean northbound delay per crossing (min)", scale=alt.Scale(zero=False)
    )
    yq = alt.Y(
        f"{y}:Q", title="share of northbound carriers caught", scale=alt.Scale(domain=[0, 1])
    )
    tooltip: list[Any] = [
        "variant:N",
        *(["grid:N"] if grid else []),
        "policy:N",
        alt.Tooltip("budget_pct:Q", title="budget %"),
        alt.Tooltip(f"{y}:Q", format=".3f"),
        alt.Tooltip(f"{x}:Q", format=".2f"),
        alt.Tooltip("licit_per_1000:Q", format=".1f", title="licit inspections / 1,000"),
    ]
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


def calibration_chart(
    profiles: pd.DataFrame, *, title: str = "Hourly waits: CBP vs simulated"
) -> Chart:
    """Observed and simulated (before/after calibration) mean wait by hour, per lane group."""
    import altair as alt

    long = profiles.melt(
        id_vars=["group", "set", "hour"],
        value_vars=["observed", "before", "after"],
        var_name="series",
        value_name="wait_min",
    )
    chart = (
        alt.Chart(alt.Data(values=to_records(long)))
        .mark_line(point=True)
        .encode(
            x=alt.X("hour:Q", title="hour of day", scale=alt.Scale(domain=[0, 23])),
            y=alt.Y("wait_min:Q", title="mean wait (min)"),
            color=alt.Color("series:N", sort=["observed", "before", "after"]),
            strokeDash=alt.StrokeDash("set:N", title="months"),
            tooltip=[
                "group:N",
                "set:N",
                "series:N",
                "hour:Q",
                alt.Tooltip("wait_min:Q", format=".1f"),
            ],
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

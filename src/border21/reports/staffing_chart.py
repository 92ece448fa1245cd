"""The staffing chart: booths open by hour, the optimiser against SIPP and lagged SIPP.

>>> import pandas as pd
>>> frame = pd.DataFrame({"lane_group": ["general"] * 2, "hour": [0, 0],
...                       "schedule": ["optimiser", "SIPP"], "booths": [3, 4]})
>>> spec = staffing_chart(frame).to_dict()
>>> spec["facet"]["field"], spec["spec"]["mark"]["type"]
('lane_group', 'line')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from border21.reports.charts import Chart, to_records

if TYPE_CHECKING:
    import pandas as pd

SCHEDULES = ("optimiser", "SIPP", "lagged SIPP")


def staffing_chart(frame: pd.DataFrame, *, title: str = "Booths open by hour") -> Chart:
    """One panel per lane group: booths by hour of day, one line per schedule.

    ``frame`` has columns ``lane_group``, ``hour``, ``schedule``, ``booths``.
    """
    import altair as alt

    chart = (
        alt.Chart(alt.Data(values=to_records(frame)))
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X("hour:Q", title="hour of day", scale=alt.Scale(domain=[0, 23])),
            y=alt.Y("booths:Q", title="booths open"),
            color=alt.Color("schedule:N", sort=list(SCHEDULES)),
            strokeDash=alt.StrokeDash("schedule:N", sort=list(SCHEDULES), legend=None),
            tooltip=["lane_group:N", "schedule:N", "hour:Q", "booths:Q"],
        )
        .properties(width=260, height=160)
        .facet(facet=alt.Facet("lane_group:N", title=None), columns=3)
        .resolve_scale(y="independent")
        .properties(title=title)
    )
    return Chart(chart, {})

"""The staffing chart: booths open by hour, the optimiser against SIPP and lagged SIPP.

>>> import pandas as pd
>>> frame = pd.DataFrame({"lane_group": ["general"] * 2, "hour": [0, 0],
...                       "schedule": ["optimiser", "SIPP"], "booths": [3, 4]})
>>> spec = staffing_chart(frame).to_dict()
>>> spec["facet"]["field"], spec["spec"]["mark"]["type"]
('lane_group', 'line')
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from border21.i18n import DEFAULT, N_, translate
from border21.reports.charts import Chart, to_records

if TYPE_CHECKING:
    import pandas as pd

SCHEDULES = ("optimiser", "SIPP", "lagged SIPP")
_SCHEDULE_NAMES = {"optimiser": N_("optimiser"), "lagged SIPP": N_("lagged SIPP")}


def staffing_chart(frame: pd.DataFrame, *, title: str | None = None, lang: str = DEFAULT) -> Chart:
    """One panel per lane group: booths by hour of day, one line per schedule; its words
    in ``lang``.

    ``frame`` has columns ``lane_group``, ``hour``, ``schedule``, ``booths``.
    """
    import altair as alt

    _ = partial(translate, lang)
    if title is None:
        title = _("Booths open by hour")
    names = {s: translate(lang, _SCHEDULE_NAMES.get(s, s)) for s in SCHEDULES}
    order = [names[s] for s in SCHEDULES]
    tooltip: list[object] = ["lane_group:N", "schedule:N", "hour:Q", "booths:Q"]
    if lang != DEFAULT:
        frame = frame.assign(schedule=[names.get(s, s) for s in frame["schedule"]])
        tooltip = [
            alt.Tooltip("lane_group:N", title=_("lane group")),
            alt.Tooltip("schedule:N", title=_("schedule")),
            alt.Tooltip("hour:Q", title=_("hour")),
            alt.Tooltip("booths:Q", title=_("booths open")),
        ]
    chart = (
        alt.Chart(alt.Data(values=to_records(frame)))
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X("hour:Q", title=_("hour of day"), scale=alt.Scale(domain=[0, 23])),
            y=alt.Y("booths:Q", title=_("booths open")),
            color=alt.Color(
                "schedule:N", sort=order, title=alt.Undefined if lang == DEFAULT else _("schedule")
            ),
            strokeDash=alt.StrokeDash("schedule:N", sort=order, legend=None),
            tooltip=tooltip,
        )
        .properties(width=260, height=160)
        .facet(facet=alt.Facet("lane_group:N", title=None), columns=3)
        .resolve_scale(y="independent")
        .properties(title=title)
    )
    return Chart(chart, {})

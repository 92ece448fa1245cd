"""Altair charts for the indicators, with program events marked on time axes.

Charts carry their data inline (no URLs) and are written through vl-convert,
so HTML output embeds the Vega JavaScript itself: no CDN, no network.

>>> import pandas as pd
>>> frame = pd.DataFrame({"period": pd.to_datetime(["2008-01-01", "2009-01-01"]),
...                       "group": ["US-Mexico"] * 2, "value": [1.0, 2.0]})
>>> spec = time_chart(frame, title="demo").to_dict()
>>> spec["layer"][0]["mark"]["type"], len(spec["datasets"])
('line', 1)
"""

from __future__ import annotations

import json
import math
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from border21.errors import InputError
from border21.i18n import DEFAULT, N_, translate
from border21.i18n.message import Message

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

    from border21.data.effects import EffectEstimate
    from border21.data.staggered import StaggeredEstimate
    from border21.data.synth import SynthEstimate

CHART_FORMATS = (".html", ".svg", ".png", ".json")
EVENT_CATEGORIES = ("program", "security", "policy", "trade", "shock", "economy")
WIDTH, HEIGHT = 640, 260


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe records: timestamps as ISO dates, NaN as null."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    records: list[dict[str, Any]] = out.to_dict(orient="records")
    for rec in records:
        for key, value in rec.items():
            if isinstance(value, float) and math.isnan(value):
                rec[key] = None
            elif hasattr(value, "item"):
                rec[key] = value.item()
    return records


class Chart:
    """An Altair chart plus the records it draws, kept out of Altair's validator.

    Altair validates inline values record by record (slow for thousands of
    rows), so data go to the spec's top-level ``datasets`` and charts refer to
    them by name.
    """

    def __init__(self, chart: Any, datasets: dict[str, list[dict[str, Any]]]) -> None:
        self.chart = chart
        self.datasets = datasets

    def to_dict(self) -> dict[str, Any]:
        """The Vega-Lite spec, datasets included."""
        spec: dict[str, Any] = self.chart.to_dict(validate=False)
        spec.setdefault("datasets", {}).update(self.datasets)
        return spec


def _data(frame: pd.DataFrame, datasets: dict[str, list[dict[str, Any]]]) -> alt.NamedData:
    import hashlib

    import altair as alt

    records = to_records(frame)
    name = "d" + hashlib.sha1(json.dumps(records).encode()).hexdigest()[:12]
    datasets[name] = records
    return alt.NamedData(name=name)


def event_rules(
    events: pd.DataFrame | None,
    start: Any,
    end: Any,
    datasets: dict[str, list[dict[str, Any]]],
    categories: tuple[str, ...] = EVENT_CATEGORIES,
    lang: str = DEFAULT,
) -> Any:
    """Vertical rules (with tooltips) for events between ``start`` and ``end``; the legend
    and tooltips in ``lang`` (event titles are data and stay as they are)."""
    import altair as alt

    from border21.reports.terms import translate_frame

    _ = partial(translate, lang)
    if events is None or events.empty:
        return None
    sel = events[
        events["category"].isin(categories)
        & (events["event_date"] >= start)
        & (events["event_date"] <= end)
    ]
    if sel.empty:
        return None
    cols = ["event_date", "title", "category", "source_url"]
    base = alt.Chart(_data(translate_frame(sel[cols], lang, "category"), datasets))
    rules = base.mark_rule(strokeDash=[4, 3], opacity=0.6).encode(
        x="event_date:T",
        color=alt.Color("category:N", scale=alt.Scale(scheme="dark2"), title=_("event")),
        tooltip=_tooltips(
            lang, ("event_date:T", _("date")), ("title:N", _("event")),
            ("category:N", _("category")), ("source_url:N", _("source")),
        ),
    )  # fmt: skip
    return rules


def _tooltips(lang: str, *fields: tuple[str, str]) -> list[Any]:
    """Tooltip channels, each titled in ``lang`` (English: Vega's own, the field's name)."""
    import altair as alt

    if lang == DEFAULT:
        return [field for field, _title in fields]
    return [alt.Tooltip(field, title=title) for field, title in fields]


def _layer(
    main: Any,
    frame: pd.DataFrame,
    x: str,
    events: pd.DataFrame | None,
    datasets: dict[str, list[dict[str, Any]]],
    lang: str = DEFAULT,
) -> Any:
    import altair as alt

    layers: list[Any] = [main]
    if not frame.empty:
        rules = event_rules(events, frame[x].min(), frame[x].max(), datasets, lang=lang)
        if rules is not None:
            layers.append(rules)
    return (
        alt.layer(*layers).resolve_scale(color="independent").properties(width=WIDTH, height=HEIGHT)
    )


def time_chart(
    frame: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "value",
    color: str = "group",
    title: str = "",
    y_title: str | None = None,
    events: pd.DataFrame | None = None,
    lang: str = DEFAULT,
) -> Chart:
    """Line chart of ``y`` over time, one line per ``color`` value, events marked; its
    tooltips and the events' legend in ``lang`` (the titles given are the caller's)."""
    import altair as alt

    _ = partial(translate, lang)
    datasets: dict[str, list[dict[str, Any]]] = {}
    value = alt.Tooltip(f"{y}:Q", format=",.4~g")
    tooltip: list[Any] = [f"{x}:T", f"{color}:N", value]
    if lang != DEFAULT:
        value = alt.Tooltip(f"{y}:Q", format=",.4~g", title=y_title or y)
        tooltip = [*_tooltips(lang, (f"{x}:T", _("date")), (f"{color}:N", _("series"))), value]
    main = (
        alt.Chart(_data(frame[[x, y, color]], datasets))
        .mark_line()
        .encode(
            x=alt.X(f"{x}:T", title=None),
            y=alt.Y(f"{y}:Q", title=y_title or y),
            color=alt.Color(f"{color}:N", title=None),
            tooltip=tooltip,
        )
    )
    chart = _layer(main, frame, x, events, datasets, lang)
    return Chart(chart.properties(title=title), datasets)


def effect_chart(estimate: EffectEstimate, *, events: pd.DataFrame | None = None) -> Chart:
    """Observed series, fitted model and the no-event counterfactual (ITS), or the
    treated/control means (DiD), with the event date marked."""
    import altair as alt
    import pandas as pd

    datasets: dict[str, list[dict[str, Any]]] = {}
    frame = estimate.fitted
    if "observed" in frame.columns:
        long = frame.melt("period", ["observed", "fitted", "counterfactual"], "line", "value")
    else:
        long = frame.rename(columns={"group": "line"})
    main = (
        alt.Chart(_data(long, datasets))
        .mark_line()
        .encode(
            x=alt.X("period:T", title=None),
            y=alt.Y("value:Q", title=estimate.series),
            color=alt.Color("line:N", title=None),
            strokeDash=alt.condition(
                alt.datum.line == "counterfactual", alt.value([5, 4]), alt.value([1, 0])
            ),
            tooltip=["period:T", "line:N", alt.Tooltip("value:Q", format=",.4~g")],
        )
    )
    marker = pd.DataFrame(
        {"event_date": [pd.Timestamp(estimate.event)], "title": [f"event {estimate.event}"]}
    )
    rule = (
        alt.Chart(_data(marker, datasets))
        .mark_rule(color="black")
        .encode(x="event_date:T", tooltip=["title:N"])
    )
    lo, hi = estimate.level_ci
    title = (
        f"{estimate.series}: level change {estimate.level_change:,.3g} "
        f"[{lo:,.3g}, {hi:,.3g}] at {estimate.event}"
    )
    chart = _layer(alt.layer(main, rule), frame, "period", events, datasets)
    return Chart(chart.properties(title=title), datasets)


def placebo_chart(estimate: EffectEstimate, *, lang: str = DEFAULT) -> Chart:
    """The studentized level change at every placebo month, by months from the event,
    with the band the calibrated test uses (± the placebos' critical |t|) and the event
    itself in red: an estimate is significant when its point leaves the band. Titles,
    axes and tooltips in ``lang``."""
    import altair as alt
    import pandas as pd

    _ = partial(translate, lang)
    datasets: dict[str, list[dict[str, Any]]] = {}
    event = pd.Timestamp(estimate.event)
    frame = estimate.placebos.copy()
    frame["months_from_event"] = (frame["period"].dt.year - event.year) * 12 + (
        frame["period"].dt.month - event.month
    )
    t_event = estimate.level_change / estimate.level_se if estimate.level_se > 0 else 0.0
    points = (
        alt.Chart(_data(frame, datasets))
        .mark_circle(size=14, color="#888")
        .encode(
            x=alt.X("months_from_event:Q", title=_("months from the event (placebo months)")),
            y=alt.Y("t:Q", title=_("level change / its HAC s.e.")),
            tooltip=_placebo_tooltips(lang),
        )
    )
    layers = [points]
    crit = estimate.diagnostics.critical_t
    if math.isfinite(crit):
        band = pd.DataFrame({"lo": [-crit], "hi": [crit]})
        layers.insert(
            0,
            alt.Chart(_data(band, datasets))
            .mark_rect(opacity=0.15, color="#4c78a8")
            .encode(y="lo:Q", y2="hi:Q"),
        )
    mark = pd.DataFrame({"months_from_event": [0], "t": [t_event], "label": [estimate.event]})
    layers.append(
        alt.Chart(_data(mark, datasets))
        .mark_point(size=90, color="#d62728", filled=True)
        .encode(
            x="months_from_event:Q",
            y="t:Q",
            tooltip=_tooltips(lang, ("label:N", _("event")), ("t:Q", _("level change / s.e."))),
        )
    )
    d = estimate.diagnostics
    title = _(
        "{series} at {event}: rank {rank} of {of}, p = {p}",
        series=estimate.series, event=estimate.event, rank=d.placebo_rank,
        of=d.n_placebos + 1, p=format(estimate.level_p, ".3g"),
    )  # fmt: skip
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=title)
    return Chart(chart, datasets)


def _placebo_tooltips(lang: str) -> list[Any]:
    import altair as alt

    if lang == DEFAULT:
        return [
            "period:T",
            alt.Tooltip("level_change:Q", format=",.4~g"),
            alt.Tooltip("t:Q", format=".2f"),
        ]
    _ = partial(translate, lang)
    return [
        alt.Tooltip("period:T", title=_("month")),
        alt.Tooltip("level_change:Q", format=",.4~g", title=_("level change")),
        alt.Tooltip("t:Q", format=".2f", title=_("level change / s.e.")),
    ]


def synth_chart(estimate: SynthEstimate) -> Chart:
    """The gap treated − synthetic over time (red) over every donor's own placebo gap
    (grey), the event marked: the treated gap should stand out after the event only."""
    import altair as alt
    import pandas as pd

    datasets: dict[str, list[dict[str, Any]]] = {}
    placebos = (
        alt.Chart(_data(estimate.placebo_gaps[["period", "unit", "gap"]], datasets))
        .mark_line(color="#999", opacity=0.35, strokeWidth=1)
        .encode(x=alt.X("period:T", title=None), y=alt.Y("gap:Q", title="treated − synthetic"),
                detail="unit:N",
                tooltip=["unit:N", "period:T", alt.Tooltip("gap:Q", format=",.4~g")])
    )  # fmt: skip
    treated = (
        alt.Chart(_data(estimate.path[["period", "gap"]].assign(unit=estimate.treated), datasets))
        .mark_line(color="#d62728", strokeWidth=2.5)
        .encode(x="period:T", y="gap:Q",
                tooltip=["unit:N", "period:T", alt.Tooltip("gap:Q", format=",.4~g")])
    )  # fmt: skip
    marker = pd.DataFrame({"event_date": [pd.Timestamp(estimate.event)]})
    rule = alt.Chart(_data(marker, datasets)).mark_rule(color="black").encode(x="event_date:T")
    lo, hi = estimate.ci
    title = (
        f"{estimate.treated} vs its synthetic at {estimate.event}: gap {estimate.estimate:,.3g} "
        f"[{lo:,.3g}, {hi:,.3g}], rank {estimate.placebo_rank} of {estimate.n_placebos + 1}"
    )
    chart = alt.layer(placebos, treated, rule).properties(width=WIDTH, height=HEIGHT, title=title)
    return Chart(chart, datasets)


def event_study_chart(estimate: StaggeredEstimate) -> Chart:
    """The effect by event time (years from adoption) with its placebo band; 0 at −1,
    the base year, by construction."""
    import altair as alt

    datasets: dict[str, list[dict[str, Any]]] = {}
    frame = estimate.event_times[["event_time", "att", "ci_low", "ci_high", "p"]]
    base = alt.Chart(_data(frame, datasets))
    x = alt.X("event_time:Q", title="years from adoption (−1 = base year)",
              axis=alt.Axis(tickMinStep=1, format="d"))  # fmt: skip
    band = base.mark_area(opacity=0.2, color="#4c78a8").encode(x=x, y="ci_low:Q", y2="ci_high:Q")
    line = base.mark_line(point=True, color="#4c78a8").encode(
        x=x, y=alt.Y("att:Q", title=f"effect on {estimate.series}"),
        tooltip=["event_time:Q", alt.Tooltip("att:Q", format=",.4~g"),
                 alt.Tooltip("ci_low:Q", format=",.4~g"),
                 alt.Tooltip("ci_high:Q", format=",.4~g"), "p:Q"],
    )  # fmt: skip
    zero = base.mark_rule(color="black", strokeDash=[4, 3]).encode(y=alt.datum(0))
    lo, hi = estimate.ci
    title = (
        f"{estimate.program}: {estimate.estimate:,.3g} [{lo:,.3g}, {hi:,.3g}] "
        f"(mean of e = 0…{estimate.horizon}), p = {estimate.p:.3g}"
    )
    chart = alt.layer(band, line, zero).properties(width=WIDTH, height=HEIGHT, title=title)
    return Chart(chart, datasets)


# the axis and legend titles of xy_chart's usual columns, in the report's language
XY_TITLES = {
    "hour": N_("hour"),
    "wait_minutes": N_("wait (min)"),
    "port": N_("port"),
    "volume": N_("volume"),
    "lane_type": N_("lane type"),
}


def xy_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    color: str,
    title: str = "",
    line: bool = True,
    lang: str = DEFAULT,
) -> Chart:
    """A plain x–y chart (e.g. wait by hour, wait vs volume) without time events. In
    English its axes and legend are titled by the columns' names; in another ``lang`` by
    their translations (:data:`XY_TITLES`)."""
    import altair as alt

    datasets: dict[str, list[dict[str, Any]]] = {}
    base = alt.Chart(_data(frame[[x, y, color]], datasets))
    mark = base.mark_line(point=True) if line else base.mark_circle(size=40, opacity=0.6)
    if lang == DEFAULT:
        chart = mark.encode(
            x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), color=f"{color}:N",
            tooltip=[f"{color}:N", f"{x}:Q", alt.Tooltip(f"{y}:Q", format=",.4~g")],
        )  # fmt: skip
    else:
        names = {c: translate(lang, XY_TITLES[c]) if c in XY_TITLES else c for c in (x, y, color)}
        chart = mark.encode(
            x=alt.X(f"{x}:Q", title=names[x]), y=alt.Y(f"{y}:Q", title=names[y]),
            color=alt.Color(f"{color}:N", title=names[color]),
            tooltip=[alt.Tooltip(f"{color}:N", title=names[color]),
                     alt.Tooltip(f"{x}:Q", title=names[x]),
                     alt.Tooltip(f"{y}:Q", format=",.4~g", title=names[y])],
        )  # fmt: skip
    return Chart(chart.properties(title=title, width=WIDTH, height=HEIGHT), datasets)


def vega_lite_version() -> str:
    """The Vega-Lite major.minor Altair targets, as vl-convert names it."""
    import altair as alt

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def border_map(
    ports: pd.DataFrame,
    *,
    size: str,
    size_title: str,
    color: str | None = None,
    color_title: str = "",
    diverging: bool = True,
    title: str,
    top: tuple[str, str],
    closing: str,
    lang: str = DEFAULT,
) -> Chart:
    """The US–Mexico border with a circle per port (``longitude``, ``latitude``, ``name``):
    its area by ``size``, its colour by ``color`` (a diverging scale around 0, or a
    sequential one for a quantity that starts at 0), drawn offline on Natural Earth's
    1:110m country outlines (``reports/assets``). Its text alternative says what the area
    and colour show and names the three ports highest in ``top`` (a column and the format
    of its figure), then ``closing`` (where the reader finds every figure). The titles
    given are the caller's; the tooltips' and the text alternative's own words are in
    ``lang``."""
    from importlib import resources

    import altair as alt

    _ = partial(translate, lang)
    outlines = resources.files("border21.reports") / "assets" / "countries-110m.json"
    datasets: dict[str, Any] = {"countries_110m": json.loads(outlines.read_text())}
    outline = (
        alt.Chart(alt.NamedData(name="countries_110m", format=alt.DataFormat(
            type="topojson", feature="countries")))
        .mark_geoshape(fill="#f2f2f2", stroke="#888", strokeWidth=0.8, aria=False)  # backdrop
        .transform_filter("datum.id == '840' || datum.id == '484'")
    )  # fmt: skip
    tooltip = [
        *_tooltips(lang, ("name:N", _("port")), ("port_code:N", _("port code"))),
        alt.Tooltip(f"{size}:Q", format=",.0f", title=size_title),
    ]
    encoding: dict[str, Any] = {
        "longitude": "longitude:Q",
        "latitude": "latitude:Q",
        "size": alt.Size(f"{size}:Q", title=size_title, scale=alt.Scale(range=[10, 900])),
    }
    if color is not None:
        tooltip.append(alt.Tooltip(f"{color}:Q", format=",.0f", title=color_title))
        scale = (
            alt.Scale(scheme="redblue", domainMid=0) if diverging else alt.Scale(scheme="oranges")
        )
        encoding["color"] = alt.Color(f"{color}:Q", title=color_title, scale=scale)
    points = (
        alt.Chart(_data(ports, datasets))
        .mark_circle(opacity=0.8, stroke="black", strokeWidth=0.5)
        .encode(**encoding, tooltip=tooltip)
    )
    chart = (
        alt.layer(outline, points)
        .project(type="mercator", center=[-107.0, 29.8], scale=1500)
        .properties(
            width=WIDTH,
            height=int(WIDTH * 0.5),
            title=title,
            description=_map_description(
                ports, size_title, color_title if color else "", top, closing, lang
            ),
        )  # fmt: skip
    )
    return Chart(chart, datasets)


def _map_description(
    ports: pd.DataFrame,
    size_title: str,
    color_title: str,
    top: tuple[str, str],
    closing: str,
    lang: str = DEFAULT,
) -> str:
    _ = partial(translate, lang)
    column, fmt = top
    highest = ports.sort_values(column, ascending=False).head(3)
    named = ", ".join(f"{r['name']} ({fmt.format(r[column])})" for _i, r in highest.iterrows())
    if color_title:
        return _(
            "Map of the US–Mexico border with a circle per land port, its area the {size} and "
            "its colour the {color}; the highest are {named}. {closing}",
            size=size_title, color=color_title, named=named, closing=closing,
        )  # fmt: skip
    return _(
        "Map of the US–Mexico border with a circle per land port, its area the {size}; the "
        "highest are {named}. {closing}",
        size=size_title, named=named, closing=closing,
    )  # fmt: skip


def save_chart(chart: Chart, path: Path) -> Path:
    """Write ``chart`` to ``.html`` (self-contained), ``.svg``, ``.png`` or ``.json``."""
    import vl_convert as vlc

    suffix = path.suffix.lower()
    if suffix not in CHART_FORMATS:
        formats = ", ".join(CHART_FORMATS)
        raise InputError(
            "chart", str(path), Message("extension must be one of {formats}", formats=formats)
        )
    spec = chart.to_dict()
    version = vega_lite_version()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        path.write_text(json.dumps(spec, indent=1))
    elif suffix == ".html":
        path.write_text(vlc.vegalite_to_html(spec, vl_version=version, bundle=True))
    elif suffix == ".svg":
        path.write_text(vlc.vegalite_to_svg(spec, vl_version=version))
    else:
        path.write_bytes(vlc.vegalite_to_png(spec, vl_version=version, scale=2))
    return path

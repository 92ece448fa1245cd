"""The trends report: one self-contained HTML file over the whole warehouse.

Sections: crossings, trade, seizures, apprehensions, homicides, wait times,
plus the event timeline and the data provenance (``loads``). The Vega,
Vega-Lite and vega-embed JavaScript comes from vl-convert and is inlined, so
the file opens offline.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from border21.data.store import Store


@dataclass(frozen=True, slots=True)
class Section:
    """One report section: a heading, a paragraph and charts (Vega-Lite specs)."""

    title: str
    text: str
    charts: tuple[dict[str, Any], ...]
    table_html: str = ""


def _table(frame: pd.DataFrame, *, floatfmt: str = "{:,.1f}") -> str:
    text: str = frame.to_html(
        index=False,
        border=0,
        classes="t",
        na_rep="",
        float_format=lambda v: floatfmt.format(v),
    )
    return text


def _ports_section() -> Section:
    """Every US–Mexico land port on a map: its northbound crossings a day (BTS) and the
    northbound mean wait its scenario simulates."""
    from border21.ports.allocate import simulated_waits
    from border21.ports.catalog import border_ports_frame
    from border21.reports.charts import border_map
    from border21.stats import NONNEGATIVE, pm

    waits = simulated_waits()
    ports = border_ports_frame().merge(waits, on="port_code", how="left")
    top = ports.sort_values("crossings_per_day", ascending=False)
    chart = border_map(
        ports,
        size="crossings_per_day",
        size_title="crossings a day (BTS)",
        color="nb_mean_wait_min",
        color_title="northbound mean wait (min, simulated)",
        diverging=False,
        title="US–Mexico land ports: crossings a day and simulated northbound wait",
        top=("nb_mean_wait_min", "{:.0f} min"),
        closing="The table below lists every port.",
    )
    table = top.assign(
        crossings_per_day=top["crossings_per_day"].map("{:,.0f}".format),
        nb_mean_wait_min=[
            pm(v, h, "{:.1f}", NONNEGATIVE)
            for v, h in zip(top["nb_mean_wait_min"], top["nb_mean_wait_min_ci95"], strict=True)
        ],
    )[["port_code", "name", "state", "scenario", "crossings_per_day", "nb_mean_wait_min"]]
    return Section(
        "The border's ports",
        f"The {len(ports)} US–Mexico land ports, each a circle sized by its northbound "
        "crossings a day (BTS, every mode, the shipped year) and coloured by the northbound "
        "mean wait at primary its scenario simulates (one day after a warm-up day, 3 "
        "replications; ± the 95% interval), on Natural Earth's country outlines. Generated "
        "scenarios size their booths from volumes, not real staffing, so their waits are "
        "short; San Ysidro and Otay Mesa are curated and calibrated (`border21 border list`).",
        (chart.to_dict(),),
        _table(table.rename(columns={"nb_mean_wait_min": "northbound mean wait (min)"})),
    )


def build_sections(store: Store) -> list[Section]:
    """Compute every indicator and chart of the report (pure over the store)."""
    import pandas as pd

    from border21.data import indicators as ind
    from border21.reports import charts as ch

    ev = ind.events(store)
    out: list[Section] = []
    counts = store.table_counts()

    if counts["crossings"]:
        pv = ind.seasonal_adjust(
            ind.crossings(store, measure=["Personal Vehicles", "Trucks"], by="measure")
        )
        pv_long = pv.melt(["period", "group"], ["value", "trend"], "kind", "v")
        pv_long["series"] = (
            pv_long["group"] + " (" + pv_long["kind"].str.replace("value", "monthly") + ")"
        )
        gaps = ind.crossing_gaps(store)
        mix = ind.vehicle_mix(store, by="border")
        out.append(
            Section(
                "Crossings",
                "Inbound crossings at US–Mexico land ports (BTS), monthly, with the STL trend. "
                "Known publisher gaps are listed below and are not filled.",
                (
                    *(
                        ch.time_chart(
                            pv_long[pv_long["group"] == measure].rename(columns={"v": "value"}),
                            color="series",
                            title=f"{measure}, monthly and STL trend",
                            y_title="crossings per month",
                            events=ev,
                        ).to_dict()
                        for measure in ("Personal Vehicles", "Trucks")
                    ),
                    ch.time_chart(
                        mix,
                        y="truck_share",
                        title="Truck share of trucks + personal vehicles",
                        y_title="share",
                        events=ev,
                    ).to_dict(),
                ),
                "<h3>Reporting gaps (all measures zero or no rows)</h3>" + _table(gaps),
            )
        )
    out.append(_ports_section())
    if counts["trade"]:
        tr = ind.trade(store, by="trade_type", freq="year")
        tr = tr.assign(value_bn=tr["value_usd"] / 1e9)
        out.append(
            Section(
                "Trade",
                "US trade with Mexico (BTS TransBorder), nominal USD bn. Before 2004 TransBorder "
                "covered surface modes only and its totals are not comparable with Census.",
                (
                    ch.time_chart(
                        tr,
                        y="value_bn",
                        title="US exports to / imports from Mexico",
                        y_title="USD bn",
                        events=ev,
                    ).to_dict(),
                ),
            )
        )
    if counts["seizures"]:
        sz = ind.seizures_per_1000_crossings(store)
        sz["period"] = sz["fiscal_year"].map(lambda y: datetime(int(y), 1, 1))
        out.append(
            Section(
                "Seizures",
                "CBP Office of Field Operations drug-seizure events per 1,000 inbound crossings "
                "(personal vehicles, trucks, buses, pedestrians) by field office, fiscal years.",
                (
                    ch.time_chart(
                        sz,
                        y="per_1000",
                        color="region",
                        title="Seizure events per 1,000 crossings",
                        y_title="events per 1,000",
                        events=ev,
                    ).to_dict(),
                ),
                _table(sz.drop(columns=["period"]), floatfmt="{:,.3f}"),
            )
        )
    if counts["apprehensions"]:
        ap = ind.apprehensions(store, by="region", freq="month")
        out.append(
            Section(
                "Apprehensions",
                "U.S. Border Patrol apprehensions by border region, monthly (fiscal-year months "
                "placed on calendar months).",
                (
                    ch.time_chart(
                        ap, title="Border Patrol apprehensions", y_title="per month", events=ev
                    ).to_dict(),
                ),
            )
        )
    if counts["homicides"] and counts["population"]:
        rates = [ind.homicide_rate(store, states=s) for s in ("border", "interior")]
        hr = pd.concat(rates, ignore_index=True)
        out.append(
            Section(
                "Homicides",
                "Homicides per 100,000 (INEGI death registrations; CONAPO 2023 mid-year "
                "population): the six border states against the 26 interior states.",
                (
                    ch.time_chart(
                        hr,
                        y="rate_per_100k",
                        title="Homicide rate per 100,000",
                        y_title="per 100,000",
                        events=ev,
                    ).to_dict(),
                ),
            )
        )
    if counts["wait_times"]:
        ports = store.sql(
            "SELECT DISTINCT port FROM wait_times WHERE lane = 'Passenger' AND sub_lane = 'General'"
        )["port"].tolist()
        prof = pd.concat(
            [ind.hourly_wait_profile(store, p).assign(port=p) for p in sorted(ports)],
            ignore_index=True,
        )
        out.append(
            Section(
                "Wait times",
                "Average wait to primary inspection, general passenger-vehicle lanes, by local "
                "hour (CBP historical wait times; San Ysidro ~2020, El Paso ~2025).",
                (
                    ch.xy_chart(
                        prof,
                        x="hour",
                        y="wait_minutes",
                        color="port",
                        title="Average wait by hour, general lanes",
                    ).to_dict(),
                ),
            )
        )
    if counts["homicides"] and counts["crossings"] and not ev.empty:
        out.append(_effects_section(store))
    if not ev.empty:
        out.append(
            Section(
                "Events timeline",
                "Programs and events marked on the charts, with sources.",
                (),
                _events_table(ev),
            )
        )
    return out


# (series, selection, event id): the report's standard program-effect questions
EFFECTS: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("homicides", {"state": "Chihuahua"}, "operativo_chihuahua"),
    ("homicides", {"state": "Chihuahua"}, "merida_announced"),
    ("crossings", {"port": "San Ysidro"}, "merida_announced"),
    ("crossings", {"port": "San Ysidro"}, "ready_lane_san_ysidro"),
)


def _effects_section(store: Store) -> Section:
    """Each standard estimate with its diagnostics, and a placebo chart for each."""
    from border21.data import effects
    from border21.errors import InputError, NotFoundError
    from border21.reports import charts as ch

    estimates = []
    for series, selection, event in EFFECTS:
        try:
            estimates.append(effects.estimate_effect(store, series, event, **selection))
        except (NotFoundError, InputError):  # a partial warehouse: event, port or months
            continue
    rows = "".join(_effect_row(e) for e in estimates)
    table = (
        "<table class='t'><tr><th>series</th><th>event</th><th>level change</th>"
        "<th>calibrated interval</th><th>p (placebo)</th><th>p (HAC)</th><th>placebo rank</th>"
        "<th>pre-trend p</th><th>sharpest break</th><th>caveat</th></tr>"
        f"{rows}</table>"
    )
    return Section(
        "Program effects",
        "Interrupted time series (±60 months). The p-value and interval are calibrated by "
        "in-time placebos: the same model at every month where the event did not happen, "
        "each placebo fitted on data of its own side of the event; the HAC p-value is shown "
        "for comparison and is not calibrated. Charts: each placebo month's level change in "
        "standard errors, the band the test uses, and the event in red. Descriptive, not "
        "causal: read each estimate with its caveat.",
        tuple(ch.placebo_chart(e).to_dict() for e in estimates),
        table,
    )


def _effect_row(est: Any) -> str:
    d = est.diagnostics
    lo, hi = est.level_ci
    interval = f"{lo:,.3g} to {hi:,.3g}" if abs(lo) != float("inf") else "unbounded"
    pre = f"{d.pretrend_p:.2g}" if d.pretrend_p is not None else "n/a"
    cells = (
        est.series, est.event, f"{est.level_change:,.3g}", interval, f"{est.level_p:.3g}",
        f"{est.hac_p:.2g}", f"{d.placebo_rank} of {d.n_placebos + 1}", pre,
        d.break_month or "", d.caveat or "none",
    )  # fmt: skip
    return "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"


def _events_table(ev: pd.DataFrame) -> str:
    rows = "".join(
        f"<tr><td>{r.event_date:%Y-%m-%d}</td><td>{html.escape(r.title)}</td>"
        f"<td>{html.escape(r.category)}</td><td>{html.escape(r.date_precision)}</td>"
        f'<td><a href="{html.escape(r.source_url)}">source</a></td></tr>'
        for r in ev.itertuples()
    )
    return (
        "<table class='t'><tr><th>date</th><th>event</th><th>category</th><th>precision</th>"
        f"<th>source</th></tr>{rows}</table>"
    )


# exposes the bundled libraries to the page's inline scripts
_GLOBALS_SNIPPET = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
# Draws one chart, then names the summary of vega-embed's actions menu, which holds only
# an icon (axe-core: summary-name; WCAG 4.1.2). The menu keeps what works offline (save
# as SVG or PNG, view the source), not the link to the online Vega Editor.
_EMBED_JS = """function embed(id, spec) {
  var actions = {export: true, source: true, compiled: false, editor: false};
  return vegaEmbed(id, spec, {renderer: 'svg', actions: actions}).then(function () {
    var menu = document.querySelector(id + ' details > summary');
    if (menu) menu.setAttribute('aria-label', 'Chart actions: save as SVG or PNG, view the source');
  });
}
"""

_CSS = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table.t{border-collapse:collapse;font-size:.85em}table.t td,table.t th{padding:2px 8px;
border-bottom:1px solid #eee;text-align:right}.chart{margin:1em 0}.muted{color:#666}"""


def chart_description(spec: dict[str, Any], section: Section) -> str:
    """A chart's text alternative (Vega makes it the chart's aria-label): its title, and
    where the report gives its figures in words. Vega labels the axes itself.

    >>> chart_description({"title": "Truck share"}, Section("Crossings", "…", ()))
    "Chart: Truck share (Crossings); the section's text describes it."
    """
    title = spec.get("title") or ""
    if isinstance(title, dict):
        title = title.get("text") or ""
    if isinstance(title, list):
        title = " ".join(map(str, title))
    name = section.title if str(title) in section.title else f"{title} ({section.title})"
    where = "the section's text describes it"
    if section.table_html:
        where += " and the table below gives its key figures"
    return f"Chart: {name}; {where}."


def render_html(sections: list[Section], provenance: pd.DataFrame, *, title: str) -> str:
    """Assemble the sections into one HTML page with the Vega bundle inlined."""
    import vl_convert as vlc

    from border21.reports.charts import vega_lite_version

    bundle = vlc.javascript_bundle(_GLOBALS_SNIPPET, vl_version=vega_lite_version())
    body, scripts, n = [], [], 0
    for sec in sections:
        body.append(f"<h2>{html.escape(sec.title)}</h2><p>{html.escape(sec.text)}</p>")
        for spec in sec.charts:
            body.append(f'<div class="chart" id="chart{n}"></div>')
            described = {"description": chart_description(spec, sec)} | spec
            payload = json.dumps(described).replace("</", "<\\/")
            scripts.append(f"embed('#chart{n}', {payload});")
            n += 1
        body.append(sec.table_html)
    body.append("<h2>Data provenance</h2>" + _table(provenance))
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    safe_bundle = bundle.replace("</script", "<\\/script")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_CSS}</style><script>{safe_bundle}</script></head>
<body><h1>{html.escape(title)}</h1><p class="muted">Generated {stamp} by border21 from the
local warehouse. Dashed vertical lines mark program events (hover for title and source).</p>
{"".join(body)}
<script>{_EMBED_JS}{"".join(scripts)}</script></body></html>"""


def trends_report(store: Store, *, title: str = "US–Mexico border trends") -> str:
    """The full HTML report as a string."""
    sections = build_sections(store)
    provenance = store.sql(
        """SELECT source, file_name, left(sha256, 12) AS sha256, rows_read, rows_loaded,
                  rows_quarantined, finished_at::VARCHAR AS loaded_at FROM loads ORDER BY load_id"""
    )
    return render_html(sections, provenance, title=title)

"""The trends report: one self-contained HTML file over the whole warehouse.

Sections: crossings, trade, seizures, apprehensions, homicides, wait times,
plus the event timeline and the data provenance (``loads``). The Vega,
Vega-Lite and vega-embed JavaScript comes from vl-convert and is inlined, so
the file opens offline.

Every word a reader sees is in the report's language (``lang``, ``en`` or ``es``):
headings, paragraphs, table headers and word cells, chart titles, axes, legends,
tooltips and text alternatives, Vega's month names and the chart menu. Numbers keep
one format in both languages (``1,234.5``), as the dashboard's do; names (ports,
states, field offices, series and source ids) and what the cores and the data write
(effect caveats, event titles) stay as they are.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from border21.i18n import DEFAULT, N_, translate
from border21.reports.terms import term, translate_frame

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


def _table(
    frame: pd.DataFrame, *, floatfmt: str = "{:,.1f}", columns: dict[str, str] | None = None
) -> str:
    """``frame`` as an HTML table, its columns renamed by ``columns`` (their translations)."""
    if columns:
        frame = frame.rename(columns=columns)
    text: str = frame.to_html(
        index=False,
        border=0,
        classes="t",
        na_rep="",
        float_format=lambda v: floatfmt.format(v),
    )
    return text


def _ports_section(lang: str = DEFAULT) -> Section:
    """Every US–Mexico land port on a map: its northbound crossings a day (BTS) and the
    northbound mean wait its scenario simulates."""
    from border21.ports.allocate import simulated_waits
    from border21.ports.catalog import border_ports_frame
    from border21.reports.charts import border_map
    from border21.stats import NONNEGATIVE, pm

    _ = partial(translate, lang)
    waits = simulated_waits()
    ports = border_ports_frame().merge(waits, on="port_code", how="left")
    top = ports.sort_values("crossings_per_day", ascending=False)
    chart = border_map(
        ports,
        size="crossings_per_day",
        size_title=_("crossings a day (BTS)"),
        color="nb_mean_wait_min",
        color_title=_("northbound mean wait (min, simulated)"),
        diverging=False,
        title=_("US–Mexico land ports: crossings a day and simulated northbound wait"),
        top=("nb_mean_wait_min", "{:.0f} min"),
        closing=_("The table below lists every port."),
        lang=lang,
    )
    table = top.assign(
        crossings_per_day=top["crossings_per_day"].map("{:,.0f}".format),
        nb_mean_wait_min=[
            pm(v, h, "{:.1f}", NONNEGATIVE)
            for v, h in zip(top["nb_mean_wait_min"], top["nb_mean_wait_min_ci95"], strict=True)
        ],
    )[["port_code", "name", "state", "scenario", "crossings_per_day", "nb_mean_wait_min"]]
    columns = {
        "port_code": _("port code"), "name": _("port"), "state": _("state"),
        "scenario": _("scenario"), "crossings_per_day": _("crossings a day"),
        "nb_mean_wait_min": _("northbound mean wait (min)"),
    }  # fmt: skip
    return Section(
        _("The border's ports"),
        _(
            "The {n} US–Mexico land ports, each a circle sized by its northbound "
            "crossings a day (BTS, every mode, the shipped year) and coloured by the northbound "
            "mean wait at primary its scenario simulates (one day after a warm-up day, 3 "
            "replications; ± the 95% interval), on Natural Earth's country outlines. Generated "
            "scenarios size their booths from volumes, not real staffing, so their waits are "
            "short; San Ysidro and Otay Mesa are curated and calibrated (`border21 border list`).",
            n=len(ports),
        ),
        (chart.to_dict(),),
        _table(table, columns=columns),
    )


def build_sections(store: Store, lang: str = DEFAULT) -> list[Section]:
    """Compute every indicator and chart of the report (pure over the store), in ``lang``."""
    import pandas as pd

    from border21.data import indicators as ind
    from border21.reports import charts as ch

    _ = partial(translate, lang)
    ev = ind.events(store)
    out: list[Section] = []
    counts = store.table_counts()

    if counts["crossings"]:
        pv = ind.seasonal_adjust(
            ind.crossings(store, measure=["Personal Vehicles", "Trucks"], by="measure")
        )
        pv_long = pv.melt(["period", "group"], ["value", "trend"], "kind", "v")
        series = {"value": _("{measure} (monthly)"), "trend": _("{measure} (trend)")}
        pv_long["series"] = [
            series[k].format(measure=term(lang, g))
            for g, k in zip(pv_long["group"], pv_long["kind"], strict=True)
        ]
        gaps = ind.crossing_gaps(store)
        mix = translate_frame(ind.vehicle_mix(store, by="border"), lang, "group")
        gap_columns = {
            "port_code": _("port code"), "port_name": _("port"), "first_month": _("first month"),
            "last_month": _("last month"), "months": _("months"),
        }  # fmt: skip
        out.append(
            Section(
                _("Crossings"),
                _(
                    "Inbound crossings at US–Mexico land ports (BTS), monthly, with the STL "
                    "trend. Known publisher gaps are listed below and are not filled."
                ),
                (
                    *(
                        ch.time_chart(
                            pv_long[pv_long["group"] == measure].rename(columns={"v": "value"}),
                            color="series",
                            title=_(
                                "{measure}, monthly and STL trend", measure=term(lang, measure)
                            ),
                            y_title=_("crossings per month"),
                            events=ev,
                            lang=lang,
                        ).to_dict()
                        for measure in ("Personal Vehicles", "Trucks")
                    ),
                    ch.time_chart(
                        mix,
                        y="truck_share",
                        title=_("Truck share of trucks + personal vehicles"),
                        y_title=_("share"),
                        events=ev,
                        lang=lang,
                    ).to_dict(),
                ),
                _heading(3, _("Reporting gaps (all measures zero or no rows)"))
                + _table(gaps, columns=gap_columns),
            )
        )
    out.append(_ports_section(lang))
    if counts["trade"]:
        tr = translate_frame(ind.trade(store, by="trade_type", freq="year"), lang, "group")
        tr = tr.assign(value_bn=tr["value_usd"] / 1e9)
        out.append(
            Section(
                _("Trade"),
                _(
                    "US trade with Mexico (BTS TransBorder), nominal USD bn. Before 2004 "
                    "TransBorder covered surface modes only and its totals are not comparable "
                    "with Census."
                ),
                (
                    ch.time_chart(
                        tr,
                        y="value_bn",
                        title=_("US exports to / imports from Mexico"),
                        y_title=_("USD bn"),
                        events=ev,
                        lang=lang,
                    ).to_dict(),
                ),
            )
        )
    if counts["seizures"]:
        sz = ind.seizures_per_1000_crossings(store)
        sz["period"] = sz["fiscal_year"].map(lambda y: datetime(int(y), 1, 1))
        sz_columns = {
            "fiscal_year": _("fiscal year"), "region": _("field office"), "events": _("events"),
            "pounds": _("pounds"), "crossings": _("crossings"), "per_1000": _("per 1,000"),
        }  # fmt: skip
        out.append(
            Section(
                _("Seizures"),
                _(
                    "CBP Office of Field Operations drug-seizure events per 1,000 inbound "
                    "crossings (personal vehicles, trucks, buses, pedestrians) by field office, "
                    "fiscal years."
                ),
                (
                    ch.time_chart(
                        sz,
                        y="per_1000",
                        color="region",
                        title=_("Seizure events per 1,000 crossings"),
                        y_title=_("events per 1,000"),
                        events=ev,
                        lang=lang,
                    ).to_dict(),
                ),
                _table(sz.drop(columns=["period"]), floatfmt="{:,.3f}", columns=sz_columns),
            )
        )
    if counts["apprehensions"]:
        ap = translate_frame(ind.apprehensions(store, by="region", freq="month"), lang, "group")
        out.append(
            Section(
                _("Apprehensions"),
                _(
                    "U.S. Border Patrol apprehensions by border region, monthly (fiscal-year "
                    "months placed on calendar months)."
                ),
                (
                    ch.time_chart(
                        ap,
                        title=_("Border Patrol apprehensions"),
                        y_title=_("per month"),
                        events=ev,
                        lang=lang,
                    ).to_dict(),
                ),
            )
        )
    if counts["homicides"] and counts["population"]:
        rates = [ind.homicide_rate(store, states=s) for s in ("border", "interior")]
        hr = translate_frame(pd.concat(rates, ignore_index=True), lang, "group")
        out.append(
            Section(
                _("Homicides"),
                _(
                    "Homicides per 100,000 (INEGI death registrations; CONAPO 2023 mid-year "
                    "population): the six border states against the 26 interior states."
                ),
                (
                    ch.time_chart(
                        hr,
                        y="rate_per_100k",
                        title=_("Homicide rate per 100,000"),
                        y_title=_("per 100,000"),
                        events=ev,
                        lang=lang,
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
                _("Wait times"),
                _(
                    "Average wait to primary inspection, general passenger-vehicle lanes, by "
                    "local hour (CBP historical wait times; San Ysidro ~2020, El Paso ~2025)."
                ),
                (
                    ch.xy_chart(
                        prof,
                        x="hour",
                        y="wait_minutes",
                        color="port",
                        title=_("Average wait by hour, general lanes"),
                        lang=lang,
                    ).to_dict(),
                ),
            )
        )
    if counts["homicides"] and counts["crossings"] and not ev.empty:
        out.append(_effects_section(store, lang))
    if not ev.empty:
        out.append(
            Section(
                _("Events timeline"),
                _("Programs and events marked on the charts, with sources."),
                (),
                _events_table(ev, lang),
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


def _effects_section(store: Store, lang: str = DEFAULT) -> Section:
    """Each standard estimate with its diagnostics, and a placebo chart for each."""
    from dataclasses import replace

    from border21.data import effects
    from border21.errors import InputError, NotFoundError
    from border21.reports import charts as ch

    _ = partial(translate, lang)
    estimates = []
    for series, selection, event in EFFECTS:
        try:
            est = effects.estimate_effect(store, series, event, **selection)
        except (NotFoundError, InputError):  # a partial warehouse: event, port or months
            continue
        estimates.append(replace(est, series=_effect_label(series, selection, est.series, lang)))
    rows = "".join(_effect_row(e, lang) for e in estimates)
    table = _header_row(
        _("series"), _("event"), _("level change"), _("calibrated interval"), _("p (placebo)"),
        _("p (HAC)"), _("placebo rank"), _("pre-trend p"), _("sharpest break"), _("caveat"),
    )  # fmt: skip
    return Section(
        _("Program effects"),
        _(
            "Interrupted time series (±60 months). The p-value and interval are calibrated by "
            "in-time placebos: the same model at every month where the event did not happen, "
            "each placebo fitted on data of its own side of the event; the HAC p-value is shown "
            "for comparison and is not calibrated. Charts: each placebo month's level change in "
            "standard errors, the band the test uses, and the event in red. Descriptive, not "
            "causal: read each estimate with its caveat."
        ),
        tuple(ch.placebo_chart(e, lang=lang).to_dict() for e in estimates),
        f"<table class='t'>{table}{rows}</table>",
    )


def _effect_label(series: str, selection: dict[str, Any], label: str, lang: str) -> str:
    """The name of a standard effect's series in ``lang`` (the core's English ``label``
    otherwise)."""
    if lang == DEFAULT:
        return label
    _ = partial(translate, lang)
    if series == "homicides" and "state" in selection:
        return _("homicide rate per 100k, {state}", state=selection["state"])
    if series == "crossings" and "port" in selection:
        measure = term(lang, selection.get("measure", "Personal Vehicles"))
        return _("{measure}, {port}", measure=measure, port=selection["port"])
    return label


def _heading(level: int, text: str) -> str:
    return f"<h{level}>{html.escape(text)}</h{level}>"


def _header_row(*names: str) -> str:
    return "<tr>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"


def _effect_row(est: Any, lang: str = DEFAULT) -> str:
    _ = partial(translate, lang)
    d = est.diagnostics
    lo, hi = est.level_ci
    interval = (
        _("{low} to {high}", low=format(lo, ",.3g"), high=format(hi, ",.3g"))
        if abs(lo) != float("inf")
        else _("unbounded")
    )
    pre = f"{d.pretrend_p:.2g}" if d.pretrend_p is not None else _("n/a")
    cells = (
        est.series, est.event, f"{est.level_change:,.3g}", interval, f"{est.level_p:.3g}",
        f"{est.hac_p:.2g}", _("{rank} of {of}", rank=d.placebo_rank, of=d.n_placebos + 1), pre,
        d.break_month or "", d.caveat or _("none"),
    )  # fmt: skip
    return "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"


def _events_table(ev: pd.DataFrame, lang: str = DEFAULT) -> str:
    _ = partial(translate, lang)
    source = html.escape(_("source"))
    rows = "".join(
        f"<tr><td>{r.event_date:%Y-%m-%d}</td><td>{html.escape(r.title)}</td>"
        f"<td>{html.escape(term(lang, r.category))}</td>"
        f"<td>{html.escape(term(lang, r.date_precision))}</td>"
        f'<td><a href="{html.escape(r.source_url)}">{source}</a></td></tr>'
        for r in ev.itertuples()
    )
    header = _header_row(_("date"), _("event"), _("category"), _("precision"), _("source"))
    return f"<table class='t'>{header}{rows}</table>"


# exposes the bundled libraries to the page's inline scripts
_GLOBALS_SNIPPET = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
# Draws one chart, then names the summary of vega-embed's actions menu, which holds only
# an icon (axe-core: summary-name; WCAG 4.1.2). The menu keeps what works offline (save
# as SVG or PNG, view the source), not the link to the online Vega Editor. OPTIONS holds
# the page's language: the menu's words (vega-embed's i18n) and, in Spanish, the month
# and day names of Vega's time axes (d3's es-MX locale, as the dashboard's).
_EMBED_JS = """function embed(id, spec) {
  var actions = {export: true, source: true, compiled: false, editor: false};
  var options = Object.assign({renderer: 'svg', actions: actions}, OPTIONS.embed);
  return vegaEmbed(id, spec, options).then(function () {
    var menu = document.querySelector(id + ' details > summary');
    if (menu) menu.setAttribute('aria-label', OPTIONS.menu);
  });
}
"""
# Spanish month and day names for Vega's time axes (the dashboard's TIME_LOCALE)
_TIME_LOCALE_ES = {
    "dateTime": "%x, %X",
    "date": "%d/%m/%Y",
    "time": "%-I:%M:%S %p",
    "periods": ["a. m.", "p. m."],
    "days": ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
    "shortDays": ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
    "months": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
               "septiembre", "octubre", "noviembre", "diciembre"],
    "shortMonths": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct",
                    "nov", "dic"],
}  # fmt: skip


def _embed_options(lang: str) -> str:
    """The script's OPTIONS: the actions menu's name and words, Vega's time locale."""
    _ = partial(translate, lang)
    embed: dict[str, Any] = {}
    if lang != DEFAULT:
        embed["i18n"] = {
            "CLICK_TO_VIEW_ACTIONS": _("Click to view actions"),
            "SVG_ACTION": _("Save as SVG"),
            "PNG_ACTION": _("Save as PNG"),
            "SOURCE_ACTION": _("View Source"),
        }
    if lang == "es":
        embed["timeFormatLocale"] = _TIME_LOCALE_ES
    if lang != DEFAULT:  # Vega's own ARIA text for axes and legends is English: off
        embed["config"] = {"axis": {"aria": False}, "legend": {"aria": False}}
    options = {"menu": _("Chart actions: save as SVG or PNG, view the source"), "embed": embed}
    return "var OPTIONS = " + json.dumps(options, ensure_ascii=False).replace("</", "<\\/") + ";\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table.t{border-collapse:collapse;font-size:.85em}table.t td,table.t th{padding:2px 8px;
border-bottom:1px solid #eee;text-align:right}.chart{margin:1em 0}.muted{color:#666}"""


def chart_description(spec: dict[str, Any], section: Section, lang: str = DEFAULT) -> str:
    """A chart's text alternative (Vega makes it the chart's aria-label): its title, and
    where the report gives its figures in words. Vega labels the axes itself.

    >>> chart_description({"title": "Truck share"}, Section("Crossings", "…", ()))
    "Chart: Truck share (Crossings); the section's text describes it."
    >>> chart_description({"title": "Camiones"}, Section("Cruces", "…", ()), "es")
    'Gráfica: Camiones (Cruces); el texto de la sección la describe.'
    """
    _ = partial(translate, lang)
    title = spec.get("title") or ""
    if isinstance(title, dict):
        title = title.get("text") or ""
    if isinstance(title, list):
        title = " ".join(map(str, title))
    name = (
        section.title
        if str(title) in section.title
        else _("{title} ({section})", title=title, section=section.title)
    )
    if section.table_html:
        return _("Chart: {name}; the section's text describes it and the table below gives "
                 "its key figures.", name=name)  # fmt: skip
    return _("Chart: {name}; the section's text describes it.", name=name)


def provenance_columns(lang: str = DEFAULT) -> dict[str, str]:
    """The provenance table's headers in ``lang``."""
    _ = partial(translate, lang)
    return {
        "source": _("source"), "file_name": _("file"), "sha256": _("SHA-256 (first 12 digits)"),
        "rows_read": _("rows read"), "rows_loaded": _("rows loaded"),
        "rows_quarantined": _("rows quarantined"), "loaded_at": _("loaded at"),
    }  # fmt: skip


def render_html(
    sections: list[Section], provenance: pd.DataFrame, *, title: str, lang: str = DEFAULT
) -> str:
    """Assemble the sections into one HTML page with the Vega bundle inlined, in ``lang``
    (the page's ``lang``, its own words and the charts' menu and month names)."""
    import vl_convert as vlc

    from border21.reports.charts import vega_lite_version

    _ = partial(translate, lang)
    bundle = vlc.javascript_bundle(_GLOBALS_SNIPPET, vl_version=vega_lite_version())
    body, scripts, n = [], [], 0
    for sec in sections:
        body.append(f"<h2>{html.escape(sec.title)}</h2><p>{html.escape(sec.text)}</p>")
        for spec in sec.charts:
            body.append(f'<div class="chart" id="chart{n}"></div>')
            described = {"description": chart_description(spec, sec, lang)} | spec
            payload = json.dumps(described).replace("</", "<\\/")
            scripts.append(f"embed('#chart{n}', {payload});")
            n += 1
        body.append(sec.table_html)
    body.append(
        _heading(2, _("Data provenance")) + _table(provenance, columns=provenance_columns(lang))
    )
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    generated = _(
        "Generated {stamp} by border21 from the local warehouse. Dashed vertical lines mark "
        "program events (hover for title and source).",
        stamp=stamp,
    )
    safe_bundle = bundle.replace("</script", "<\\/script")
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_CSS}</style><script>{safe_bundle}</script></head>
<body><h1>{html.escape(title)}</h1><p class="muted">{html.escape(generated)}</p>
{"".join(body)}
<script>{_embed_options(lang)}{_EMBED_JS}{"".join(scripts)}</script></body></html>"""


def default_title() -> str:
    """The trends report's title (a message: translate it)."""
    return N_("US–Mexico border trends")


def trends_report(store: Store, *, title: str | None = None, lang: str = DEFAULT) -> str:
    """The full HTML report as a string, in ``lang`` (its title by default
    "US–Mexico border trends", translated)."""
    sections = build_sections(store, lang)
    provenance = store.sql(
        """SELECT source, file_name, left(sha256, 12) AS sha256, rows_read, rows_loaded,
                  rows_quarantined, finished_at::VARCHAR AS loaded_at FROM loads ORDER BY load_id"""
    )
    if title is None:
        title = translate(lang, default_title())
    return render_html(sections, provenance, title=title, lang=lang)

"""The HTML reports in Spanish: the demo's (its own sections and the warehouse trends) and
`border21 report trends`. Every heading, paragraph, table header and chart text
alternative of the English report is translated; only names and notation stay."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

# Texts equal in both languages by design: notation, and headings that are names
SAME_IN_BOTH = {"p (HAC)", "p (placebo)"}
TAGS = ("title", "h1", "h2", "h3", "p", "th")


def texts(page: str, tag: str) -> list[str]:
    """The text of every ``tag`` element outside the scripts."""
    body = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    found = re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", body, re.S)
    return [html.unescape(re.sub(r"<[^>]+>|\s+", " ", t)).strip() for t in found]


def specs(page: str) -> list[dict]:  # type: ignore[type-arg]
    """Every chart's Vega-Lite spec, as the page embeds it."""
    return [
        json.loads(s.replace("<\\/", "</"))
        for s in re.findall(r"embed\('#chart\d+', (\{.*?\})\);(?=embed|\Z)", _script(page), re.S)
    ]


def _script(page: str) -> str:
    last = page.rindex("<script>")
    return page[last + len("<script>") : page.rindex("</script>")]


def titles(spec: object) -> set[str]:
    """Every axis, legend, header and chart title in a spec."""
    found: set[str] = set()
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                found.add(value)
            elif key != "datasets" and key != "data":
                found |= titles(value)
    elif isinstance(spec, list):
        for item in spec:
            found |= titles(item)
    return found


@pytest.fixture(scope="module")
def pages(demo_reports: dict[str, Path]) -> dict[str, str]:
    return {lang: path.read_text(encoding="utf-8") for lang, path in demo_reports.items()}


def test_spanish_report_is_spanish(pages: dict[str, str]) -> None:
    es = pages["es"]
    assert '<html lang="es">' in es and '<html lang="en">' in pages["en"]
    headings = texts(es, "h2")
    for heading in (
        "Frontera de eficiencia seguridad–comercio: San Ysidro",
        "Perfiles de tiempo de espera: simulados frente a observados (San Ysidro)",
        "Dónde más oficiales ahorran más demora",
        "Cruces", "Las garitas de la frontera", "Comercio", "Decomisos", "Detenciones",
        "Homicidios", "Tiempos de espera", "Efectos de los programas",
        "Cronología de eventos", "Procedencia de los datos",
    ):  # fmt: skip
        assert heading in headings
    assert texts(es, "h1") == ["border21: una frontera del siglo XXI, medida"]
    assert texts(es, "p")[0].startswith("Generado el ")
    for word in ("variante", "política", "DN detectados %", "fecha", "fuente", "archivo"):
        assert word in texts(es, "th")
    assert "<td>dirigida por riesgo</td>" in es and "<td>escenario base</td>" in es
    assert "Filas sobrecargadas" in es and "la fila crece en esas horas" in es
    assert '"timeFormatLocale"' in es and '"Guardar como SVG"' in es
    assert "Las detecciones no cambian" in es  # the allocation's note, a core Message


def test_the_report_maps_where_more_officers_go(pages: dict[str, str]) -> None:
    """The demo's border-wide allocation: its map, and a table of the ports that gain
    officer-hours, each saving ± its interval, in both languages."""
    en = pages["en"]
    assert "Where more officers save the most delay" in texts(en, "h2")
    assert "10 more officers \\u00d7 8 h: delay cost saved a day" in en  # the chart's title
    section = en.split("Where more officers save the most delay")[1].split("<h2>")[0]
    assert "San Ysidro" in section and "±" in section and "+" in section
    assert "Oficiales más" not in section and "more officers" in section


def test_the_report_shows_the_regions(pages: dict[str, str]) -> None:
    """Both regions against CBP's observed waits by hour, with the issue's bar, and the
    Otay Mesa East demand curve by toll, with each port's wait ± its interval."""
    en, es = pages["en"], pages["es"]
    headings = texts(en, "h2")
    assert "Regions: simulated against CBP's observed waits" in headings
    assert "Otay Mesa East: the demand curve by toll" in headings
    regions = en.split("<h2>Regions: simulated against CBP")[1].split("<h2>")[0]
    for name in ("san_ysidro", "el_paso_bota", "el_paso_ysleta", "car_general", "target group"):
        assert name in regions, name
    # SANDAG's observed 2017 weekday beside CBP's (the charts' data are embedded at the end
    # of the page): Otay Mesa's car lanes gain a chart
    assert "SANDAG" in regions
    # each group's officers' band, or the scenario's schedule its lanes keep (SENTRI)
    assert "officers' band (min)" in texts(en, "th") and "officers" in regions
    rows = [
        [html.unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in re.findall(r"<tr>.*?</tr>", regions, re.S)
    ]
    general = next(r for r in rows if r[1:3] == ["san_ysidro", "car_general"])
    sentri = next(r for r in rows if r[1:3] == ["san_ysidro", "car_sentri"])
    assert "60–65" in general and "none: the scenario's booths" in sentri
    # the bar is a target group's: SENTRI (10 min) is not one, so no "no" is read as a miss
    assert general[-3:] == ["yes", "≤ 10, ≥ 0.8", "yes"] and sentri[-3:] == ["no", "—", "—"]
    assert "banda de los oficiales (min)" in texts(es, "th")
    assert "observed (SANDAG, 2017 weekday)" in en and "otay_mesa \\u00b7 car_ready" in en
    curve = en.split("<h2>Otay Mesa East: the demand curve by toll")[1].split("<h2>")[0]
    assert "otay_mesa_east" in curve and "±" in curve and "truck_fast" in curve
    assert "Otay Mesa East: la curva de demanda según la cuota" in texts(es, "h2")


def test_no_english_text_survives(pages: dict[str, str]) -> None:
    """Every heading, paragraph and table header with letters differs from its English
    counterpart (same structure, one to one), except notation."""
    for tag in TAGS:
        en, es = texts(pages["en"], tag), texts(pages["es"], tag)
        assert len(en) == len(es), tag
        same = [
            e for e, s in zip(en, es, strict=True)
            if e == s and re.search("[A-Za-z]", e) and e not in SAME_IN_BOTH
        ]  # fmt: skip
        assert not same, f"<{tag}> not translated: {same}"


def test_charts_speak_spanish(pages: dict[str, str]) -> None:
    """Each chart's text alternative, and its titles (chart, axes, legends, headers)
    differ from the English ones but for names (a chart titled by its port)."""
    en, es = specs(pages["en"]), specs(pages["es"])
    assert len(en) == len(es) >= 10
    for e, s in zip(en, es, strict=True):
        assert s["description"].startswith(("Gráfica", "Mapa ")), s["description"]
        assert e["description"] != s["description"]
    english = set().union(*(titles(e) for e in en))
    spanish = set().union(*(titles(s) for s in es))
    names = {"San Ysidro", "Laredo World Trade Bridge"}
    assert not (english & spanish) - names
    for word in ("hora del día", "espera media (min)", "evento", "política"):
        assert word in spanish

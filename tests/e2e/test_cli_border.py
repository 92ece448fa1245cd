"""`border21 border list` and the provenance column of `border21 ports list`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from border21.cli.main import app

runner = CliRunner()


def test_border_list_json_has_every_port_with_its_fields() -> None:
    res = runner.invoke(app, ["border", "list", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert len(rows) == 28
    assert {r["state"] for r in rows} == {"California", "Arizona", "New Mexico", "Texas"}
    by_code = {r["port_code"]: r for r in rows}
    sy = by_code["2504"]
    assert (sy["name"], sy["latitude"], sy["longitude"]) == ("San Ysidro", 32.543, -117.029)
    assert sy["provenance"] == "curated"
    assert sy["scenarios"] == [{"name": "san_ysidro", "provenance": "curated"}]
    assert by_code["2410"]["modes"] == ["pedestrians"]  # Boquillas: a footbridge
    assert by_code["2304"]["provenance"] == "curated+generated"  # WTB curated, the port generated
    assert by_code["2604"]["modes"] == ["personal_vehicles", "pedestrians", "trucks", "buses"]
    assert by_code["2604"]["crossings_per_year"]["trucks"] == 404_588
    assert by_code["2505"]["provenance"] == "curated+generated"  # Tecate: the region's 2017 one
    assert by_code["2401"]["provenance"] == "curated+generated"  # Ysleta: the el_paso region's
    assert sum(r["provenance"] == "generated" for r in rows) == 22


def test_border_list_table_names_ports_and_provenance() -> None:
    res = runner.invoke(app, ["border", "list"])
    assert res.exit_code == 0, res.output
    # the code and coordinate columns never wrap, whatever the terminal's width
    assert "2582" in res.output and "32.543" in res.output and "-117.029" in res.output
    assert "28 ports; 6 with a curated scenario, 26 with a generated one" in " ".join(
        res.output.split()
    )


def test_border_list_refuses_an_unknown_option_with_exit_2() -> None:
    res = runner.invoke(app, ["border", "list", "--state", "TX"])
    assert res.exit_code == 2
    assert "--state" in res.output and "Traceback" not in res.output


def test_ports_list_says_curated_or_generated() -> None:
    res = runner.invoke(app, ["ports", "list"])
    assert res.exit_code == 0, res.output
    rows = [ln.split("│") for ln in res.output.splitlines() if ln.count("│") > 3]
    by_code = {cells[3].strip(): cells[4].strip() for cells in rows if cells[3].strip()}
    assert by_code["2504"].startswith("curat")  # San Ysidro
    assert by_code["2604"].startswith("gener")  # Nogales

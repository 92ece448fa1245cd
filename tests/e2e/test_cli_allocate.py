"""`border21 border allocate`: JSON shape, files, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from border21.cli.main import app


def test_allocate_json_and_files(tmp_path: Path) -> None:
    args = ["border", "allocate", "--officers", "1", "--shift-hours", "2", "--ports", "2408",
            "-r", "2", "--json", "--out", str(tmp_path)]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["total_officers"] == 1
    (row,) = data["allocation"]
    assert {"port_code", "officers", "delay_cost_saved_usd"} <= set(row)
    assert row["port_code"] == "2408" and row["officers"] == 1.0
    assert (tmp_path / "allocation.json").exists() and (tmp_path / "allocation.csv").exists()


def test_allocate_table_and_refusals() -> None:
    runner = CliRunner()
    res = runner.invoke(
        app, ["border", "allocate", "--officers", "1", "--ports", "2408", "-r", "2"]
    )
    assert res.exit_code == 0, res.output
    assert "Santa Teresa" in res.output and "Detections do not change" in " ".join(
        res.output.split()
    )
    for bad in (["--officers", "0"], ["--officers", "1", "--ports", "0000"],
                ["--officers", "1", "--seed", "-1"], ["--officers", "1", "-r", "1"]):  # fmt: skip
        res = runner.invoke(app, ["border", "allocate", *bad])
        assert res.exit_code == 2, (bad, res.output)
        assert "Traceback" not in res.output


def test_allocation_and_volume_maps_are_drawn_offline(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "alloc"
    args = [
        "border",
        "allocate",
        "--officers",
        "1",
        "--ports",
        "2408",
        "-r",
        "2",
        "--out",
        str(out),
    ]
    assert runner.invoke(app, args).exit_code == 0
    html = (out / "allocation_map.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in html and "topojson" in html and "Santa Teresa" in html
    spec_path = tmp_path / "volumes.json"
    res = runner.invoke(app, ["border", "list", "--chart", str(spec_path)])
    assert res.exit_code == 0, res.output
    spec = json.loads(spec_path.read_text())
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["geoshape", "circle"]
    points = next(v for k, v in spec["datasets"].items() if k != "countries_110m")
    assert len(points) == 28
    # the text alternative says what the circles show and names the busiest ports
    assert spec["description"].startswith("Map of the US–Mexico border with a circle per")
    assert "San Ysidro (59," in spec["description"]
    bad = runner.invoke(app, ["border", "list", "--chart", str(tmp_path / "map.xyz")])
    assert bad.exit_code == 2 and "--chart" in bad.output

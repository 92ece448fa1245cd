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
    assert "Santa Teresa" in res.output and "detections do not change" in " ".join(
        res.output.split()
    )
    for bad in (["--officers", "0"], ["--officers", "1", "--ports", "0000"],
                ["--officers", "1", "--seed", "-1"], ["--officers", "1", "-r", "1"]):  # fmt: skip
        res = runner.invoke(app, ["border", "allocate", *bad])
        assert res.exit_code == 2, (bad, res.output)
        assert "Traceback" not in res.output

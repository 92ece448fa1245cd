"""The main job, end to end, on a fresh database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from border21.cli.main import app


def test_demo_builds_db_runs_everything_and_writes_report(tmp_path: Path):
    db = tmp_path / "demo.duckdb"
    report = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["demo", "--db", str(db), "--out", str(report), "-r", "2"])
    assert res.exit_code == 0, res.output
    assert db.exists()
    for needle in (
        "San Ysidro, northbound, at a 5%",
        "Laredo World Trade Bridge, northbound, at a 5%",
        "targeted",
        "UCP",
        "southbound",
        "shared intel",
        "AUC",
    ):
        assert needle in res.output
    html = report.read_text(encoding="utf-8")
    assert "Security–trade frontier: San Ysidro" in html
    assert "Security–trade frontier: Laredo World Trade Bridge" in html
    assert "simulated vs observed" in html
    assert "vegaEmbed" in html and "cdn.jsdelivr" not in html
    assert html.count('class="chart"') >= 5

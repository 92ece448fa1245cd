from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from border21.cli.main import app

runner = CliRunner()


def test_calibrate_el_paso_from_shipped_samples(tmp_path: Path):
    out = tmp_path / "cal"
    res = runner.invoke(
        app,
        [
            "calibrate",
            "el_paso_bota",
            "--db",
            str(tmp_path / "w.duckdb"),
            "--days",
            "1",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "held-out" in res.output and "general" in res.output
    fits = pd.read_csv(out / "fits.csv")
    assert {"general", "ready"} <= set(fits["group"])
    assert (fits["rmse_fit"] <= fits["rmse_before"] + 1e-9).all()
    assert (out / "el_paso_bota_calibrated.toml").read_text().count("[lanes.") >= 5
    assert (out / "profiles.png").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["calibrate", "laredo_wtb"], "no observed wait profile"),
        (["calibrate", "el_paso_bota", "--fit-months", "1,13"], "months must be 1–12"),
        (
            ["calibrate", "el_paso_bota", "--fit-months", "1,2", "--holdout-months", "2"],
            "must not overlap",
        ),
        (["calibrate", "el_paso_bota", "--fit-months", "jan"], "month numbers"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, args, needle):
    res = runner.invoke(app, [*args, "--db", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 2, res.output
    assert needle in res.output

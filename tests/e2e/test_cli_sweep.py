"""`border21 sweep`: a what-if grid on the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from border21.cli.main import app

runner = CliRunner()
GRID = [
    "--vary",
    "streams.trucks.referral_probability=0.05:0.25:3",
    "--vary",
    "secondary.truck_secondary.bays=8,24",
    "--vary",
    "lanes.general.staffed_booths=11,13",
]


def test_sweep_writes_grid_table_chart_and_run(tmp_path: Path):
    out = tmp_path / "sw"
    res = runner.invoke(
        app, ["sweep", "laredo_wtb", *GRID, "--days", "2", "-r", "2", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "frontier" in res.output and "12 scenarios × 2 replications" in res.output
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 12 and table["on_frontier"].any()
    assert set(table["secondary.truck_secondary.bays"]) == {8, 24}
    assert set(table["lanes.general.staffed_booths"]) == {11, 13}
    assert (table["replications"] == 2).all()
    # More referral at the same staffing and bays: more referred, same primary waits.
    same = table[
        (table["secondary.truck_secondary.bays"] == 24)
        & (table["lanes.general.staffed_booths"] == 11)
    ].sort_values("streams.trucks.referral_probability")
    assert same["referred"].is_monotonic_increasing
    assert same["mean_wait_min"].nunique() == 1
    # Fewer staffed booths: longer primary waits.
    by_staff = table.groupby("lanes.general.staffed_booths")["mean_wait_min"].mean()
    assert by_staff[11] > by_staff[13]
    assert len(pd.read_csv(out / "replications.csv")) == 24
    assert (out / "sweep.html").stat().st_size > 10_000
    run = json.loads((out / "run.json").read_text())
    assert run["axes"]["secondary.truck_secondary.bays"] == [8, 24] and run["seed"] == 0
    assert len(run["config_hash"]) == 12


def test_same_seed_same_table(tmp_path: Path):
    args = ["sweep", "laredo_wtb", *GRID[:2], "--days", "1", "-r", "2", "--seed", "5"]
    a = runner.invoke(app, [*args, "--out", str(tmp_path / "a"), "--workers", "1"])
    b = runner.invoke(app, [*args, "--out", str(tmp_path / "b")])
    assert a.exit_code == b.exit_code == 0
    assert (tmp_path / "a" / "sweep.csv").read_text() == (tmp_path / "b" / "sweep.csv").read_text()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "--vary"),
        (["--vary", "streams.trucks.referral_probability"], "expected key=VALUES"),
        (["--vary", "streams.trucks.referral_probability=1.5"], "referral_probability"),
        (["--vary", "streams.trucks.referral_probability=0:1:zero"], "START:STOP:COUNT"),
        (["--vary", "lanes.general.staffed_booths=30"], "exceeds the group's 15 booths"),
        (["--vary", "lanes.nowhere.staffed_booths=3"], "no such lane group"),
        (["--vary", "lanes.general.staffed_booths=2.5"], "valid integer"),
        (["--vary", "streams.trucks.flux=1"], "unknown key"),
        (["--vary", "secondary.truck_secondary.bays=1,2", "--days", "0"], "--days"),
    ],
)
def test_bad_input_exits_2(args, needle):
    res = runner.invoke(app, ["sweep", "laredo_wtb", *args])
    assert res.exit_code == 2, res.output
    assert needle in res.output
    assert "Traceback" not in res.output


def test_unreachable_scheduler_fails_fast():
    started = time.perf_counter()
    res = runner.invoke(
        app, ["sweep", "laredo_wtb", *GRID[:2], "--days", "1", "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert res.exit_code == 2 and "run without --scheduler" in res.output
    assert time.perf_counter() - started < 12

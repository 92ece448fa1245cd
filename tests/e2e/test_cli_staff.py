"""`border21 staff`: the staffing search on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from border21.cli.main import app
from border21.ports.catalog import load_scenario

runner = CliRunner()

SMALL = """
[port]
name = "Small"

[streams.cars]
kind = "personal_vehicle"
crossings_per_day = 240
hour_of_day_shape = [0, 0, 0, 0, 0, 0, 30, 80, 60, 40, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
program_shares = { general = 0.8, sentri = 0.2 }

[streams.cars.primary_service]
distribution = "lognormal"
mean_seconds = 150.0
cv = 0.8
mean_seconds_by_program = { sentri = 40.0 }

[lanes.general]
streams = ["cars"]
lanes = 4
booths_per_lane = 2

[lanes.sentri]
program = "sentri"
streams = ["cars"]
lanes = 2
"""
QUICK = ["--days", "2", "-r", "4"]


@pytest.fixture
def small(tmp_path: Path) -> str:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return str(path)


def staff_json(*args: str) -> dict[str, object]:
    res = runner.invoke(app, ["staff", *args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def test_json_has_every_group_with_24_hours_and_sipp_beside(small: str):
    out = staff_json(small, "--target-p95", "10", *QUICK)
    groups = out["groups"]
    assert isinstance(groups, list) and [g["lane_group"] for g in groups] == ["general", "sentri"]
    for g in groups:
        booths = g["booths_by_hour"]
        assert len(booths) == 24 and all(isinstance(b, int) and b >= 0 for b in booths)
        assert g["officer_hours"] == sum(booths)
        assert max(booths) <= g["physical_booths"]
        assert isinstance(g["p95_min"], float) and isinstance(g["p95_ci95"], float)
        assert isinstance(g["sipp_officer_hours"], int) and isinstance(g["sipp_p95_min"], float)
        assert g["unmet_hours"] == []
        # Meets the target in every hour with crossings: the interval's upper end ≤ 10 min.
        for p95, half in zip(g["p95_by_hour_min"], g["p95_by_hour_ci95"], strict=True):
            assert p95 is None or p95 + (half or 0.0) <= 10.0 + 1e-9
        assert sum(booths[:6]) == 0 and sum(booths[12:]) == 0  # nobody arrives then


def test_out_writes_a_scenario_that_simulate_runs_as_is(small: str, tmp_path: Path):
    out = tmp_path / "staffed"
    res = runner.invoke(app, ["staff", small, "--target-p95", "10", *QUICK, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "SIPP" in res.output and "officer-h/day" in res.output
    result = json.loads((out / "staffing.json").read_text())
    staffed = load_scenario(str(out / "small_staffed.toml"))
    for g in result["groups"]:
        assert staffed.lanes[g["lane_group"]].open_booths() == g["booths_by_hour"]
    assert (out / "staffing.png").stat().st_size > 0 and (out / "staffing.html").exists()
    assert (out / "staffing_by_hour.csv").read_text().startswith("lane_group,schedule,hour")
    sim = runner.invoke(app, ["simulate", str(out / "small_staffed.toml"), "--days", "2"])
    assert sim.exit_code == 0, sim.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target-p95", "0"], "--target-p95 = 0.0: must be a finite number of minutes above 0"),
        (["--target-p95", "-5"], "--target-p95 = -5.0: must be a finite"),
        (["--target-p95", "nan"], "--target-p95 = nan: must be a finite"),
        (["--target-mean", "inf"], "--target-mean = inf: must be a finite"),
        ([], "give a target: --target-p95 or --target-mean"),
        (["--target-p95", "9", "--group-target", "nowhere=3"], "unknown lane group 'nowhere'"),
        (["--target-p95", "9", "--officers-max", "0"], "--officers-max = 0: must be at least 1"),
        (["--target-p95", "9", "--officers-max", "1"], "--officers-max = 1: too small"),
        (["--target-p95", "9", "--days", "29"], "days = 29: at most 28 days in a search"),
        (["--target-p95", "9", "-r", "0"], "replications = 0: must be at least 1"),
        (["--target-p95", "9", "--warm-up-days", "2", "--days", "2"], "warm_up_days = 2"),
        (["--target-p95", "9", "--set", "lanes.general.lanes=0"], "lanes.general.lanes = 0"),
        (["--target-p95", "9", "--holdout", "-1"], "--holdout = -1: must be 0"),
        (["--target-p95", "9", "--holdout", "101"], "replications = 101: at most 100"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(small: str, args: list[str], message: str):
    res = runner.invoke(app, ["staff", small, *args])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output


def test_targeting_only_switches_are_refused(small: str, tmp_path: Path):
    res = runner.invoke(
        app, ["staff", small, "--target-p95", "9", "--set", "cooperation.shared_intelligence=true"]
    )
    assert res.exit_code == 2 and "cooperation.shared_intelligence" in res.output


@pytest.mark.parametrize(
    "extra",
    [
        ["--target-mean", "2"],
        ["--group-target", "general=4"],
        ["--group-target", "sentri.p95=0.5"],
        ["--officers-max", "4"],
        ["--seed", "7"],
        ["--days", "3"],
        ["-r", "6"],
        ["--warm-up-days", "0"],
        ["--set", "streams.cars.crossings_per_day=400"],
        ["--holdout", "3"],
    ],
)
def test_every_option_changes_the_result(small: str, extra: list[str]):
    """The groups' figures change, not only the echo of the option in the JSON."""
    base = staff_json(small, "--target-p95", "10", *QUICK)["groups"]
    other = staff_json(small, "--target-p95", "10", *QUICK, *extra)["groups"]
    assert other != base


def test_holdout_rechecks_every_schedule_on_fresh_replications(small: str):
    out = staff_json(small, "--target-p95", "10", *QUICK, "--holdout", "4")
    for g in out["groups"]:  # type: ignore[union-attr]
        assert g["holdout_replications"] == 4
        assert set(g["holdout"]) == {"optimiser", "sipp", "lagged"}
        for miss in g["holdout"].values():
            assert set(miss["estimate_missed_hours"]) <= set(miss["upper_missed_hours"])
            assert all(6 <= h <= 11 for h in miss["upper_missed_hours"])  # hours with arrivals
            assert (miss["worst_over_target_min"] > 0) == bool(miss["estimate_missed_hours"])
    res = runner.invoke(app, ["staff", small, "--target-p95", "10", *QUICK, "--holdout", "4"])
    assert res.exit_code == 0 and "held-out check on 4 fresh replications" in res.output

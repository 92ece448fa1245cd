"""CLI: bounded input and bounded work (exit 2, one line naming key and bound, no traceback),
and ``lanes.NAME.staffed_booths`` as a scenario key of ``simulate --set``."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from border21.cli.main import app

runner = CliRunner()
VARY = ["--vary", "streams.trucks.referral_probability=0.1,0.2"]

BAD = [
    (["simulate", "laredo_wtb", "--set", "streams.trucks.primary_service.mean_seconds=inf"],
     "streams.trucks.primary_service.mean_seconds = inf: Input should be a finite number"),
    (["simulate", "laredo_wtb", "--set", "streams.trucks.primary_service.mean_seconds=nan"],
     "streams.trucks.primary_service.mean_seconds = nan: Input should be a finite number"),
    (["simulate", "laredo_wtb", "--set", "lanes.general.lanes=1000000000"],
     "lanes.general.lanes = 1000000000: Input should be less than or equal to 200"),
    (["simulate", "laredo_wtb", "--set", "streams.trucks.crossings_per_day=2e6"],
     "less than or equal to 1000000"),
    (["simulate", "laredo_wtb", "--set", "lanes.fast.staffed_booths=9"],
     "lanes.fast.staffed_booths = 9: exceeds the group's 4 booths"),
    (["simulate", "laredo_wtb", "--days", "4000"], "days = 4000: at most 3,660 days"),
    (["simulate", "laredo_wtb", "-r", "1001"], "replications = 1001: at most 1,000"),
    (["simulate", "san_ysidro", "--days", "365", "-r", "2"],
     "days × replications = '365 × 2': expects 75,919,124 crossings; at most 50,000,000"),
    (["sweep", "laredo_wtb", "--vary", "streams.trucks.referral_probability=0:1:1000000000"],
     "COUNT at most 100,000"),
    (["sweep", "laredo_wtb", "--vary", "secondary.truck_secondary.bays=1:500:500",
      "--vary", "streams.trucks.referral_probability=0:1:201"], "at most 100,000 scenarios"),
    (["sweep", "laredo_wtb", *VARY, "-r", "1000", "--vary", "lanes.fast.lanes=1:4:4",
      "--vary", "secondary.truck_secondary.bays=1:100:100"], "sweep = '800,000 tasks'"),
    (["sweep", "laredo_wtb", "--vary", "secondary.truck_secondary.bays=1:500:500", "-r", "1000"],
     "too many tasks (at most 200,000"),
    (["sweep", "laredo_wtb", *VARY, "--vary", "streams.trucks.primary_service.cv=inf"],
     "streams.trucks.primary_service.cv = inf: Input should be a finite number"),
    (["sweep", "laredo_wtb", *VARY, "--days", "5000"], "days = 5000: at most 3,660"),
    (["frontier", "laredo_wtb", "--days", "5000"], "days = 5000: at most 3,660"),
    (["frontier", "laredo_wtb", "--set", "lanes.general.lanes=1e9"],
     "lanes.general.lanes = 1000000000.0: Input should be less than or equal to 200"),
    (["frontier", "laredo_wtb", "--vary", "lanes.general.staffed_booths=99"],
     "lanes.general.staffed_booths = 99: exceeds the group's 15 booths"),
    (["frontier", "laredo_wtb", "--vary", "secondary.truck_secondary.bays=1:500:500", "-r", "100"],
     "too many tasks (at most 200,000"),
    (["calibrate", "san_ysidro", "--hourly-rounds", "51"],
     "--hourly-rounds = 51: must be in [0, 50]"),
    (["calibrate", "san_ysidro", "--days", "9000"], "days = 9000: at most 3,660"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "needle"), BAD, ids=[" ".join(a[:4]) for a, _ in BAD])
def test_out_of_bounds_exits_2_with_one_line(args: list[str], needle: str) -> None:
    started = time.perf_counter()
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.output
    assert needle in lines[0], lines[0]
    assert time.perf_counter() - started < 10  # refused before any simulation


def test_inf_is_refused_by_the_installed_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "border21", "simulate", "laredo_wtb",
         "--set", "streams.trucks.primary_service.mean_seconds=inf"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: streams.trucks.primary_service.mean_seconds = inf: Input should be a finite number"
    ]


def test_simulate_set_staffed_booths(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = runner.invoke(
        app,
        ["simulate", "laredo_wtb", "--set", "lanes.fast.staffed_booths=1", "--out", str(out),
         "--no-records"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    run = json.loads((out / "run.json").read_text())
    group = run["scenario"]["lanes"]["fast"]
    assert group["staffed_booths"] == 1
    assert group["open_booths_by_hour"][:7] == [0] * 7  # closed hours stay closed


SEEDED = [
    ["simulate", "laredo_wtb"],
    ["sweep", "laredo_wtb", *VARY],
    ["frontier", "laredo_wtb"],
    ["demo"],
    ["target", "generate", "--out", "x.csv"],
]


@pytest.mark.parametrize("args", SEEDED, ids=[a[0] for a in SEEDED])
def test_a_negative_seed_is_refused(args: list[str]) -> None:
    # NumPy's SeedSequence raised a ValueError traceback for a negative seed.
    res = runner.invoke(app, [*args, "--seed", "-5"])
    assert res.exit_code == 2, res.output
    assert "--seed" in res.output and "Traceback" not in res.output


def test_a_negative_seed_is_refused_by_the_library() -> None:
    from border21 import load_scenario, simulate
    from border21.errors import InputError
    from border21.frontier import build_grid, parse_axis

    scenario = load_scenario("laredo_wtb")
    with pytest.raises(InputError, match="seed = -5: must be a non-negative integer"):
        simulate(scenario, days=1, seed=-5)
    grid = build_grid(scenario, [parse_axis("streams.trucks.referral_probability=0.1")])
    with pytest.raises(InputError, match="seed = -1"):
        grid.tasks(replications=1, days=1, seed=-1)


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "laredo_wtb", "--days", "30"],
        ["sweep", "laredo_wtb", *VARY, "--days", "30"],
        ["frontier", "laredo_wtb", "--days", "30"],
        ["calibrate", "san_ysidro"],
    ],
    ids=lambda a: a[0],
)
def test_an_unusable_out_fails_before_the_work(args: list[str], tmp_path: Path) -> None:
    # --out was made only after the run: an hour simulated, then "Not a directory".
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    started = time.perf_counter()
    res = runner.invoke(app, [*args, "--out", str(blocker / "out")])
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Not a directory" in lines[0], res.output  # nothing ran
    assert time.perf_counter() - started < 5

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from border21.cli.main import app

runner = CliRunner()
SMALL = ["--budgets", "5,20", "-r", "2", "--days", "1"]


def test_frontier_writes_table_chart_and_shifts(tmp_path: Path):
    out = tmp_path / "fr"
    res = runner.invoke(
        app,
        [
            "frontier",
            "laredo_wtb",
            "--policies",
            "random,trusted",
            "--variants",
            "baseline,ucp,enrolment",
            *SMALL,
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Shift against baseline" in res.output
    table = pd.read_csv(out / "frontier.csv")
    assert set(table["variant"]) == {"baseline", "ucp", "enrolment"}
    assert table["on_overall_frontier"].any()
    assert (out / "frontier.html").stat().st_size > 10_000
    assert (out / "frontier.png").read_bytes()[:4] == b"\x89PNG"
    shifts = pd.read_csv(out / "shifts.csv")
    assert set(shifts["variant"]) == {"ucp", "enrolment"}
    assert "unstable" in table.columns


def test_frontier_flags_budgets_that_overload_an_exam_area(tmp_path: Path) -> None:
    out = tmp_path / "fr"
    res = runner.invoke(
        app,
        ["frontier", "laredo_wtb", "--policies", "random", "--budgets", "2,60", "-r", "2",
         "--days", "1", "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "warning: variant baseline at budget(s) 60%" in text
    assert "secondary:truck_secondary" in text and "stable NO" in text
    table = pd.read_csv(out / "frontier.csv", keep_default_na=False).sort_values("rate")
    assert table["unstable"].tolist()[0] == ""
    assert table["unstable"].tolist()[1].startswith("secondary:truck_secondary")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--policies", "psychic"], "unknown policy"),
        (["--budgets", "0"], "each budget must be in (0, 100]"),
        (["--budgets", "150"], "each budget must be in (0, 100]"),
        (["--budgets", "five"], "expected comma-separated numbers"),
        (["--variants", "nope"], "unknown variant"),
        (["--variants", "southbound"], "no southbound stream"),
        (["--southbound-budget", "0"], "--southbound-budget"),
        (["--policies", "semaforo"], "export_inspection.semaforo_probability"),
    ],
)
def test_bad_input_exits_2(args, needle):
    res = runner.invoke(app, ["frontier", "laredo_wtb", *args])
    assert res.exit_code == 2, res.output
    assert needle in res.output
    assert "Traceback" not in res.output


def test_unknown_scenario_exits_2():
    res = runner.invoke(app, ["frontier", "atlantis"])
    assert res.exit_code == 2 and "unknown scenario" in res.output


def test_unreachable_scheduler_fails_fast_with_offer():
    started = time.perf_counter()
    res = runner.invoke(
        app,
        [
            "frontier",
            "laredo_wtb",
            "--policies",
            "random",
            *SMALL,
            "--scheduler",
            "tcp://127.0.0.1:9",
        ],
    )
    assert res.exit_code == 2, res.output
    assert time.perf_counter() - started < 30
    assert "no Dask scheduler answered" in res.output
    assert "run without --scheduler" in res.output


def test_frontier_over_budgets_and_a_grid(tmp_path: Path):
    out = tmp_path / "grid"
    res = runner.invoke(
        app,
        [
            "frontier",
            "laredo_wtb",
            "--policies",
            "random",
            "--variants",
            "baseline,ucp",
            "--vary",
            "secondary.truck_secondary.bays=8,24",
            *SMALL,
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "frontier.csv")
    assert set(table["grid"]) == {"truck_secondary.bays=8", "truck_secondary.bays=24"}
    assert len(table) == 2 * 2 * 2  # variants × grid points × budgets
    # Each policy's frontier is taken over budgets and grid points together.
    for _, sub in table.groupby("variant"):
        front = sub[sub["on_frontier"]].sort_values("mean_delay_min")
        assert front["detection_rate"].is_monotonic_increasing
    shifts = pd.read_csv(out / "shifts.csv")
    assert set(shifts["grid"]) == set(table["grid"]) and set(shifts["variant"]) == {"ucp"}
    assert (out / "frontier.png").read_bytes()[:4] == b"\x89PNG"


def test_frontier_grid_refuses_cooperation_keys():
    res = runner.invoke(
        app,
        ["frontier", "laredo_wtb", "--vary", "cooperation.unified_cargo_processing=true,false"],
    )
    assert res.exit_code == 2 and "--variants" in res.output

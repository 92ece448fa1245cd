from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from border21.cli.main import app

runner = CliRunner()

TOML = """
[port]
name = "Tiny"
[streams.cars]
kind = "personal_vehicle"
crossings_per_day = 3000
referral_probability = 0.05
secondary = "veh"
[streams.cars.primary_service]
mean_seconds = 40
[lanes.general]
streams = ["cars"]
lanes = 2
[secondary.veh]
bays = 2
[secondary.veh.service]
mean_seconds = 600
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TOML)
    return path


def test_simulate_writes_records_and_summaries(tiny: Path, tmp_path: Path):
    out = tmp_path / "out"
    res = runner.invoke(
        app, ["simulate", str(tiny), "--days", "2", "-r", "2", "--seed", "4", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "Tiny" in res.output and "general" in res.output
    records = pq.read_table(out / "records_rep000.parquet").to_pandas()
    assert {
        "arrival_s",
        "service_start_s",
        "departure_s",
        "stream",
        "lane",
        "booth",
        "referred",
        "carrier",
        "detected",
    } <= set(records.columns)
    assert (out / "wait_by_hour.parquet").exists() and (out / "summary.parquet").exists()
    assert not list(out.glob("*.csv"))  # Parquet by default: CSV only when asked
    meta = json.loads((out / "run.json").read_text())
    assert meta["seed"] == 4 and len(meta["config_hash"]) == 16


def test_simulate_writes_csv_when_asked_and_says_when_it_is_large(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    from border21.ports import output

    out = tmp_path / "out"
    args = ["simulate", str(tiny), "--days", "2", "--out", str(out), "--csv"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "note:" not in res.output
    stems = {p.stem for p in out.glob("*.parquet")}
    assert stems == {p.stem for p in out.glob("*.csv")} and "records_rep000" in stems
    csv = pd.read_csv(out / "records_rep000.csv")
    assert len(csv) == pq.read_metadata(out / "records_rep000.parquet").num_rows
    size = (out / "records_rep000.csv").stat().st_size
    monkeypatch.setattr(output, "CSV_WARN_BYTES", size // 2)
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    estimate = float(text.split("CSVs take about ")[1].split(" MB")[0].replace(",", ""))
    assert estimate == pytest.approx(size / 1e6, rel=0.1, abs=0.01)


@pytest.mark.parametrize("flag", ["--csv", "--no-records"])
def test_output_switches_without_out_are_refused(tiny: Path, flag: str) -> None:
    res = runner.invoke(app, ["simulate", str(tiny), flag])
    assert res.exit_code == 2
    assert flag in res.output and "--out" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("name", ["san_ysidro", "otay_mesa", "el_paso_bota", "laredo_wtb"])
def test_ports_show_toml_round_trips_at_80_columns(name: str) -> None:
    import tomllib

    from border21.ports.catalog import resolve_scenario

    res = runner.invoke(app, ["ports", "show", name, "--toml"], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    shipped = resolve_scenario(name).read_text(encoding="utf-8")
    assert res.output == (shipped if shipped.endswith("\n") else shipped + "\n")
    assert tomllib.loads(res.output) == tomllib.loads(shipped)


def test_set_override_changes_result(tiny: Path):
    a = runner.invoke(app, ["simulate", str(tiny)])
    b = runner.invoke(app, ["simulate", str(tiny), "--set", "lanes.general.lanes=1"])
    assert a.exit_code == b.exit_code == 0
    assert a.output != b.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["simulate", "no_such_port"], "unknown scenario"),
        (
            ["simulate", "{tiny}", "--set", "streams.cars.referral_probability=2"],
            "streams.cars.referral_probability = 2",
        ),
        (["simulate", "{tiny}", "--set", "lanes.general.lanes=-1"], "lanes.general.lanes = -1"),
        (["simulate", "{tiny}", "--set", "lanes.general.speed=3"], "unknown key"),
        (["simulate", "{tiny}", "--set", "garbage"], "expected key=value"),
        (["simulate", "/no/such/file.toml"], "file not found"),
        (["ports", "show", "atlantis"], "unknown scenario"),
    ],
)
def test_bad_input_exits_2_without_traceback(tiny: Path, args, needle):
    args = [a.replace("{tiny}", str(tiny)) for a in args]
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert needle in res.output
    assert "Traceback" not in res.output


def test_unstable_queue_warns_but_completes(tiny: Path):
    res = runner.invoke(
        app, ["simulate", str(tiny), "--set", "streams.cars.crossings_per_day=9000"]
    )
    assert res.exit_code == 0
    assert "utilisation ≥ 1" in res.output and "cars" in res.output


def test_console_script_help_is_fast_and_light():
    code = (
        "import sys, border21.cli.main; "
        "print(','.join(m for m in ('numpy', 'numba', 'pandas', 'duckdb', 'lightgbm') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

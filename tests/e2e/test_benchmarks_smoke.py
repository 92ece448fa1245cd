"""The port, frontier and staffing benchmarks still run against the code (tiny sizes).

docs/benchmarks.md quotes their commands; an import they depend on that moves
must break a test, not the next person who measures. Timings are not checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_port_benchmark_runs_quick() -> None:
    pytest.importorskip("simpy")
    pytest.importorskip("ciw")
    out = _run("benchmarks/bench_ports.py", "--quick", "--rounds", "1")
    for row in ("one-pass", "replay driver", "SimPy", "Ciw", "San Ysidro", "Laredo"):
        assert row in out, row


@pytest.mark.parametrize(
    "args",
    [
        ("--days", "2", "--staffing", "2", "--bays", "1", "--rates", "2", "--skip-dask"),
        ("--mode", "coupled", "--days", "2", "--scenarios", "1", "--skip-dask"),
    ],
    ids=["port", "coupled"],
)
def test_frontier_benchmark_runs_small(args: tuple[str, ...]) -> None:
    out = _run("benchmarks/bench_frontier.py", *args)
    assert "core-ns per scenario-crossing" in out


def test_staffing_benchmark_runs_on_laredo() -> None:
    out = _run(
        "benchmarks/bench_staffing.py", "--ports", "laredo_wtb", "--holdout-replications", "2"
    )
    assert "Laredo World Trade Bridge" in out and "schedules simulated" in out


def test_border_benchmark_runs_on_two_ports() -> None:
    out = _run("benchmarks/bench_border.py", "--ports", "Laredo,Nogales")
    assert "whole border: 2 ports" in out and "core-ns per crossing" in out


def test_region_benchmark_runs_once() -> None:
    out = _run(
        "benchmarks/bench_regions.py", "--regions", "san_diego", "--repeats", "1",
        "--replications", "1",
    )  # fmt: skip
    assert "| san_diego | base |" in out and "otay_mesa_east, 20 USD" in out

"""Unit: per-role work limits, and the limits file `border21 serve --limits` reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from border21.cli.main import app
from border21.errors import InputError
from border21.ports.catalog import load_scenario
from border21.service.budget import (
    DEFAULT_ROLE_LIMITS,
    check_simulation,
    load_role_limits,
    port_size,
)


def test_every_shipped_port_fits_the_viewer_limits() -> None:
    from border21.ports.catalog import shipped_scenarios

    viewer = DEFAULT_ROLE_LIMITS["viewer"]
    for name in shipped_scenarios():
        size = port_size(load_scenario(name))
        assert size["lanes"] <= viewer.max_lanes and size["booths"] <= viewer.max_booths
        assert size["bays"] <= viewer.max_bays


def test_a_limits_file_overrides_one_role_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "limits.toml"
    path.write_text("[viewer]\nmax_days_x_replications = 7\n")
    limits = load_role_limits(path)
    assert limits["viewer"].max_days_x_replications == 7
    assert limits["viewer"].max_lanes == DEFAULT_ROLE_LIMITS["viewer"].max_lanes
    assert limits["admin"] == DEFAULT_ROLE_LIMITS["admin"]
    with pytest.raises(InputError, match="days × replications = '4 × 2': at most 7"):
        check_simulation(load_scenario("laredo_wtb"), days=4, replications=2,
                         limits=limits["viewer"], role="viewer")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[root]\nmax_lanes = 1\n", "root"),
        ("[viewer]\nmax_lane = 1\n", "viewer.max_lane"),
        ("[viewer]\nmax_lanes = 0\n", "positive integer"),
        ("[viewer]\nmax_lanes = 1.5\n", "positive integer"),
        ("[viewer]\nmax_lanes = true\n", "positive integer"),
        ("[viewer\n", "not TOML"),
    ],
)
def test_a_bad_limits_file_is_refused_naming_the_entry(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "limits.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_role_limits(path)
    result = CliRunner().invoke(
        app, ["serve", "--limits", str(path), "--data-dir", str(tmp_path / "svc")]
    )
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output

"""`border21 region simulate` through Typer's runner: output, JSON, tolls, bad input exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from border21.cli.main import app
from border21.regions.fit import EQUILIBRIA

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "regions"))
from _toy import toy_region  # noqa: E402

runner = CliRunner()


def _toy_file(tmp_path: Path) -> Path:
    import tomli_w

    path = tmp_path / "toy_region.toml"
    path.write_bytes(tomli_w.dumps(toy_region(tmp_path)).encode())
    return path


def test_simulate_prints_iterations_gap_and_waits_by_port(tmp_path: Path) -> None:
    result = runner.invoke(app, ["region", "simulate", str(_toy_file(tmp_path)), "-r", "2"])
    assert result.exit_code == 0, result.output
    assert "converged after" in result.output and "flow gap" in result.output
    assert "west" in result.output and "car_ready" in result.output
    # two replications: the toy's quiet lanes' t intervals reach below 0, marked, with the note
    assert "‡" in result.output and "run more (-r)" in result.output
    # each group's officers' band: west's General lanes hold 5–15, east's keep the schedule
    rows = [line for line in result.output.splitlines() if "car_general" in line]
    assert any("west" in r and "5–15" in r for r in rows), rows
    assert any("east" in r and "—" in r for r in rows), rows
    assert "Officers' band" in result.output


def test_json_gives_every_hour_and_one_run_per_toll(tmp_path: Path) -> None:
    path = _toy_file(tmp_path)
    data = toy_region(tmp_path)
    data["ports"]["east"]["build"] = True
    args = [
        "region",
        "simulate",
        str(path),
        "--build",
        "east",
        "--toll",
        "0,20",
        "--json",
        "-r",
        "2",
    ]
    import tomli_w

    path.write_bytes(tomli_w.dumps(data).encode())
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)
    assert [r["toll_usd"] for r in runs] == [0.0, 20.0]
    east = [r["port_totals"]["east"]["crossings_per_day"] for r in runs]
    assert east[1] < east[0]  # a toll drives travellers away
    hours = {row["hour"] for row in runs[0]["rows"]}
    assert hours == set(range(-1, 24))  # -1: the day
    # the answer per toll: shares (all, and per segment) and waits by port and segment
    for run in runs:
        assert sum(run["share"].values()) == pytest.approx(1.0)
        for seg, share in run["share_by_segment"].items():
            assert sum(share.values()) == pytest.approx(1.0), seg
        for port, waits in run["wait_min"].items():
            assert set(waits) == set(run["wait_min_ci95"][port]) and waits
    assert runs[1]["share"]["east"] < runs[0]["share"]["east"]
    daily = {(r["port"], r["segment"]): r for r in runs[0]["rows"] if r["hour"] == -1}
    for (port, seg), row in daily.items():
        assert runs[0]["wait_min"][port][seg] == row["wait_minutes"]
    table = runner.invoke(app, [a for a in args if a != "--json"])
    assert table.exit_code == 0, table.output
    assert "Demand curve" in table.output and "wait_min_ci95" in table.output
    spanish = subprocess.run(
        [sys.executable, "-m", "border21", "--lang", "es",
         *(a for a in args if a != "--json")],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "COLUMNS": "200", "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert spanish.returncode == 0, spanish.stderr
    assert "Curva de demanda" in spanish.stdout and "peaje USD" in spanish.stdout
    assert "Demand curve" not in spanish.stdout and "Shares are" not in spanish.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["region", "simulate", "atlantis"],
        ["region", "simulate", "san_diego", "--set", "choice.port_time_weight=-1"],
        ["region", "simulate", "san_diego", "--set", "zones.tijuana_west.colour=1"],
        ["region", "simulate", "san_diego", "--build", "san_ysidro"],
        ["region", "simulate", "san_diego", "--toll", "5"],
        ["region", "simulate", "san_diego", "--build", "otay_mesa_east", "--toll", "five"],
        ["region", "simulate", "san_diego", "--build", "otay_mesa_east", "--toll", ","],
        [
            "region",
            "simulate",
            "san_diego",
            "--build",
            "otay_mesa_east",
            "--toll",
            ",".join(str(usd) for usd in range(21)),
        ],  # fmt: skip
        ["region", "simulate", "san_diego", "--days", "0"],
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "error" in result.output.lower() or "invalid" in result.output.lower()


def test_every_toll_is_checked_before_any_equilibrium(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad toll late in the list fails before the first one is solved, naming it."""
    import border21.regions.equilibrium as equilibrium

    def solve(*_a: object, **_k: object) -> None:
        raise AssertionError("solved before every toll was checked")

    monkeypatch.setattr(equilibrium, "solve", solve)
    for tolls, named in (("5,nan", "nan"), ("5,-1", "-1")):
        args = ["region", "simulate", "san_diego", "--build", "otay_mesa_east", "--toll", tolls]
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "toll_usd" in result.output and named in result.output


def test_el_paso_simulates_from_the_command_line() -> None:
    args = ["region", "simulate", "el_paso", "--days", "1", "-r", "2"]
    result = runner.invoke(app, [*args, "--set", "equilibrium.max_iterations=2"])
    assert result.exit_code == 0, result.output
    assert "El Paso–Ciudad Juárez" in result.output and "el_paso_ysleta" in result.output
    result = runner.invoke(app, [*args, "--set", "equilibrium.max_iterations=2", "--json"])
    assert result.exit_code == 0, result.output
    (run,) = json.loads(result.stdout)
    assert set(run["port_totals"]) == {
        "el_paso_bota", "el_paso_pdn", "el_paso_stanton", "el_paso_ysleta"
    }  # fmt: skip
    assert {row["hour"] for row in run["rows"]} == set(range(-1, 24))


def test_fit_measures_against_cbp_with_months_held_out(tmp_path: Path) -> None:
    """`region fit`: bias constants fitted to the counted crossings, the issue's figures
    per port, segment and split, the naive forecast beside; bad months exit 2."""
    db = str(tmp_path / "w.duckdb")
    result = runner.invoke(
        app, ["region", "fit", "san_diego", "--rounds", "1", "--json", "--db", db,
              "--holdout", "1,7", "--search", "0"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["holdout_months"] == [1, 7] and len(data["rounds"]) == 1
    assert set(data["bias_utils"]) >= {"san_ysidro", "otay_mesa", "tecate"}
    groups = {(g["port"], g["lane_group"], g["split"]): g for g in data["groups"]}
    general = groups[("san_ysidro", "car_general", "holdout")]
    assert general["months"] == [1, 7] and general["target"]
    # CBP's San Ysidro General lanes wait about 57 min in January and July
    assert 30 < general["observed_mean_min"] < 90
    assert general["mae_min"] > 0 and general["cell_mae_min"] >= general["mae_min"] - 1e-9
    assert general["naive_cell_mae_min"] > 0 and -1 <= general["corr"] <= 1
    # the model's level beside CBP's, with its interval over the prediction's equilibria
    assert 20 < general["modelled_mean_min"] < 150 and 0 < general["modelled_mean_ci95"] < 30
    assert 0 < general["mae_ci95"] < general["mae_min"] + 30 and 0 < general["corr_ci95"] < 2
    assert groups[("san_ysidro", "car_general", "fit")]["months"] == [
        m for m in range(1, 13) if m not in (1, 7)
    ]
    assert not groups[("san_ysidro", "car_sentri", "fit")]["target"]  # under 15 min
    # whether officers hold the group's wait in a band: SENTRI's lanes keep their schedule
    assert general["banded"] and not groups[("san_ysidro", "car_sentri", "fit")]["banded"]
    # SANDAG's observed 2017 weekday, San Ysidro and Otay Mesa's three car lanes, measured
    sandag = {(g["port"], g["lane_group"]): g for g in data["sandag_2017"]}
    assert set(sandag) == {(p, s) for p in ("san_ysidro", "otay_mesa")
                           for s in ("car_general", "car_ready", "car_sentri")}  # fmt: skip
    sy = sandag[("san_ysidro", "car_general")]
    assert sy["observed_per_day"] == pytest.approx(9998.7, abs=1) and sy["target"]
    assert 0.7 < sy["modelled_per_day"] / sy["observed_per_day"] < 1.3 and sy["mae_min"] > 0
    printed = runner.invoke(
        app, ["region", "fit", "san_diego", "--rounds", "0", "--db", db,
              "--set", "equilibrium.max_iterations=2"],
    )  # fmt: skip
    assert printed.exit_code == 0 and "SANDAG" in printed.output, printed.output
    assert "modelled mean" in printed.output and "6 equilibria" in printed.output
    assert "jackknife" in printed.output
    no_band = " ".join(printed.output.split()).split("No officers' band")[1]
    assert "san_ysidro car_sentri" in no_band and "san_ysidro car_general" not in no_band
    # two tables, each whole at 80 columns (the runner's width): no name cut to "san_…"
    assert "hour-of-day profile" in printed.output and "naive forecast" in printed.output
    assert "persistence forecast" in " ".join(printed.output.split())
    assert "…" not in printed.output
    for bad in (["--holdout", "13"], ["--holdout", ",".join(map(str, range(1, 13)))],
                ["--holdout", "may"], ["--rounds", "21"], ["--volume-year", "1800"],
                ["--volume-year", "2099"],  # 2099: no counts that year
                ["--elasticities", "--rounds", "0"],
                ["--search", "5", "--rounds", "0"]):  # fmt: skip
        res = runner.invoke(app, ["region", "fit", "san_diego", "--db", db, *bad])
        assert res.exit_code == 2, (bad, res.output)
        assert "Traceback" not in res.output
        assert bad[0] in res.output


def test_fit_chooses_the_elasticities_from_the_grid_and_prints_it(tmp_path: Path) -> None:
    """`--elasticities`: every pair of the grid scored, one chosen, the region's choice set to
    it (and said in the JSON and in the printed table)."""
    from border21.regions.fit import ELASTICITY_GRID

    db = str(tmp_path / "w.duckdb")
    quick = ["region", "fit", "el_paso", "--rounds", "1", "--search", "0", "--elasticities",
             "--db", db, "--set", "equilibrium.max_iterations=2"]  # fmt: skip
    result = runner.invoke(app, [*quick, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    grid = data["elasticities"]
    assert [(e["shift_hour_minutes"], e["forgo_minutes"]) for e in grid] == [
        tuple(pair) for pair in ELASTICITY_GRID
    ]
    chosen = [e for e in grid if e["chosen"]]
    beyond_noise = [e for e in grid if e["vs_off_ci95"][1] < 0.0]  # beats off on every count
    best = min(beyond_noise, key=lambda e: e["vs_off"]) if beyond_noise else grid[0]
    assert chosen == [best]
    assert data["choice"] == {
        "shift_hour_minutes": chosen[0]["shift_hour_minutes"],
        "forgo_minutes": chosen[0]["forgo_minutes"],
    }
    assert grid[0]["forgone_share"] == 0.0  # off: nobody stays home
    assert all(0.0 <= e["forgone_share"] < 1.0 for e in grid)
    printed = runner.invoke(app, quick)
    assert printed.exit_code == 0 and "no-travel elasticities" in printed.output, printed.output


def test_fit_reports_el_paso_s_transfer_beside_nothing_from_sandag(tmp_path: Path) -> None:
    """`region fit el_paso --rounds 0`: El Paso as shipped, with San Diego's behaviour (the
    transfer), against CBP's waits at the four bridges, Ysleta's trucks among the targets;
    SANDAG observed no El Paso port."""
    db = str(tmp_path / "w.duckdb")
    result = runner.invoke(
        app, ["region", "fit", "el_paso", "--rounds", "0", "--json", "--db", db,
              "--set", "equilibrium.max_iterations=3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rounds"] == [] and data["search"] == [] and data["sandag_2017"] == []
    targets = {(g["port"], g["lane_group"]) for g in data["groups"] if g["target"]}
    assert ("el_paso_ysleta", "truck_general") in targets
    assert {p for p, _s in targets} == {"el_paso_bota", "el_paso_pdn", "el_paso_ysleta"}


def test_fit_solves_each_month_with_its_volumes(tmp_path: Path) -> None:
    """`--volume-year YEAR` solves each month with its counted crossings of that year (BTS
    2020 at San Diego's ports); the default, 0, one average day; each changes the figures."""
    db = str(tmp_path / "w.duckdb")
    quick = ["--rounds", "0", "--json", "--db", db, "--set", "equilibrium.max_iterations=2"]
    runs = {}
    for year in (None, "2019", "2020"):
        extra = [] if year is None else ["--volume-year", year]
        result = runner.invoke(app, ["region", "fit", "san_diego", *quick, *extra])
        assert result.exit_code == 0, result.output
        runs[year] = json.loads(result.stdout)
    assert runs[None]["volume_year"] == 0 and runs["2020"]["volume_year"] == 2020
    assert runs[None]["month_scales"] == {} and runs[None]["equilibria"] == EQUILIBRIA
    sy = runs["2020"]["month_scales"]["san_ysidro"]["car_general"]
    # BTS 2020: April's cars a day (618,579 / 30) against the year's mean, about 0.65
    assert len(sy) == 12 and sum(sy) == pytest.approx(12.0) and 0.55 < sy[3] < 0.75
    assert set(runs["2020"]["month_scales"]) == {"san_ysidro", "otay_mesa", "tecate"}

    def cells(run: dict) -> dict:
        return {(g["port"], g["lane_group"], g["split"]): g["cell_mae_min"] for g in run["groups"]}

    assert cells(runs[None]) != cells(runs["2019"]) != cells(runs["2020"])
    general = next(g for g in runs["2020"]["groups"] if g["lane_group"] == "car_general")
    # 2020's monthly waits fall as its volumes rise (COVID restrictions cut both)
    assert general["volume_wait_corr"] < 0
    assert general["naive_known_level_cell_mae_min"] < general["naive_cell_mae_min"]
    # each held-out month's level from the fit months beside it gains a part of what knowing
    # it would (San Ysidro's General cars: 18.0 min → 15.8, against 12.8)
    held = next(g for g in runs[None]["groups"]
                if (g["port"], g["lane_group"], g["split"]) == ("san_ysidro", "car_general",
                                                                 "holdout"))  # fmt: skip
    assert held["naive_known_level_cell_mae_min"] == pytest.approx(12.8, abs=0.05)
    assert held["naive_neighbour_level_cell_mae_min"] == pytest.approx(15.8, abs=0.05)
    assert held["naive_cell_mae_min"] == pytest.approx(18.0, abs=0.05)


def test_fit_searches_the_officers_and_reports_the_search(tmp_path: Path) -> None:
    """With rounds, `region fit` searches the officers on duty by shift and the band minima
    behind the target groups (San Ysidro's General and Ready cars and General pedestrians,
    each kind with its own officers), keeps the best, and says so;
    `--search 0` keeps them as shipped; the search's size is bounded."""
    db = str(tmp_path / "w.duckdb")
    quick = ["--rounds", "1", "--json", "--db", db, "--set", "equilibrium.max_iterations=3",
             "--set", "equilibrium.lane_rule_until=2"]  # fmt: skip
    searched = runner.invoke(app, ["region", "fit", "san_diego", *quick, "--search", "4"])
    assert searched.exit_code == 0, searched.output
    data = json.loads(searched.stdout)
    stages = data["search"]
    # each staff in turn, on its share of the 4 candidates by its knobs (cars 5 of 9: 3)
    assert [(t["staff"], t["stage"]) for t in stages] == [
        ("san_ysidro.personal_vehicle", "random"),
        ("san_ysidro.pedestrian", "random"),
    ]
    assert [t["candidates"] for t in stages] == [2, 1]  # 1 drawn + as is; as is
    knobs = [{k for k in t if k.startswith("ports.")} for t in stages]
    assert knobs == [
        {
            "ports.san_ysidro.officers_on_duty.personal_vehicle[day]",
            "ports.san_ysidro.officers_on_duty.personal_vehicle[swing]",
            "ports.san_ysidro.officers_on_duty.personal_vehicle[night]",
            "ports.san_ysidro.bands.general.min_wait_minutes",
            "ports.san_ysidro.bands.ready.min_wait_minutes",
        },
        {
            "ports.san_ysidro.officers_on_duty.pedestrian[day]",
            "ports.san_ysidro.officers_on_duty.pedestrian[swing]",
            "ports.san_ysidro.officers_on_duty.pedestrian[night]",
            "ports.san_ysidro.bands.ped_general.min_wait_minutes",
        },
    ]
    chosen = data["officers"]["san_ysidro"]
    assert (
        chosen["officers_on_duty"]["personal_vehicle"][6]
        == stages[0]["ports.san_ysidro.officers_on_duty.personal_vehicle[day]"]
    )
    assert (
        chosen["bands"]["general"][0]
        == stages[0]["ports.san_ysidro.bands.general.min_wait_minutes"]
    )
    assert (
        chosen["officers_on_duty"]["pedestrian"][6]
        == (stages[1]["ports.san_ysidro.officers_on_duty.pedestrian[day]"])
    )
    as_shipped = runner.invoke(app, ["region", "fit", "san_diego", *quick, "--search", "0"])
    assert as_shipped.exit_code == 0 and json.loads(as_shipped.stdout)["search"] == []
    bad = runner.invoke(app, ["region", "fit", "san_diego", "--db", db, "--search", "201"])
    assert bad.exit_code == 2 and "--search" in bad.output
    idle = runner.invoke(app, ["region", "fit", "san_diego", "--db", db, "--rounds", "0",
                               "--search", "10"])  # fmt: skip
    assert idle.exit_code == 2 and "--search" in idle.output and "--rounds 0" in idle.output


def test_the_fit_s_table_output_names_what_each_staff_s_search_kept() -> None:
    """Without --json a user sees, per staff, the candidates tried and the knobs kept, each
    shift named (a knob's "[day]" is not taken for a style)."""
    from border21.cli import region as region_cli

    knobs = {"ports.san_ysidro.officers_on_duty.pedestrian[day]": 9.0,
             "ports.san_ysidro.bands.ped_general.min_wait_minutes": 5.0}  # fmt: skip
    data = {
        "region": "San Diego", "equilibria": 6, "rounds": [], "bias_utils": {}, "groups": [],
        "sandag_2017": [],
        "elasticities": [], "volume_year": 0,
        "search": [
            {"staff": "san_ysidro.pedestrian", "stage": "random", "candidates": 9,
             "objective": 10.4, **knobs},
            {"staff": "san_ysidro.pedestrian", "stage": "refine", "candidates": 8,
             "objective": 9.5, **knobs, "ports.san_ysidro.officers_on_duty.pedestrian[day]": 10.0},
        ],
    }  # fmt: skip
    with region_cli.console.capture() as captured:
        region_cli._print_fit(data)
    text = " ".join(captured.get().split())
    assert (
        "officers' search, san_ysidro.pedestrian: 17 candidates, score 9.50 on its targets; kept "
        "officers_on_duty.pedestrian[day] 10, bands.ped_general.min_wait_minutes 5" in text
    ), text


def test_the_fit_s_table_marks_an_interval_outside_what_the_figure_can_be(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A correlation of 0.95 ± 0.10 reaches past 1: marked ‡, with the note under the table;
    intervals inside their range, or none (one equilibrium), are not."""
    from border21.cli import region as region_cli

    group = {"port": "san_ysidro", "lane_group": "car_general", "split": "holdout",
             "target": True, "observed_mean_min": 57.3, "modelled_mean_min": 62.9,
             "modelled_mean_ci95": 8.0, "mae_min": 6.7, "mae_ci95": 4.8, "corr": 0.88,
             "corr_ci95": 0.05, "cell_mae_min": 20.0, "naive_cell_mae_min": 18.0,
             "naive_known_level_cell_mae_min": 12.8, "volume_wait_corr": None,
             "naive_neighbour_level_cell_mae_min": 15.8,
             "banded": True}  # fmt: skip
    data = {"region": "San Diego", "equilibria": 6, "rounds": [], "bias_utils": {},
            "sandag_2017": [], "elasticities": [], "volume_year": 0, "search": []}  # fmt: skip
    from rich.console import Console

    monkeypatch.setattr(region_cli, "console", Console(width=250))
    for groups, marked in (
        ([group], False),
        ([{**group, "mae_ci95": None, "corr_ci95": None, "modelled_mean_ci95": None}], False),
        ([group, {**group, "split": "fit", "corr": 0.95, "corr_ci95": 0.10}], True),
        ([{**group, "mae_min": 3.5, "mae_ci95": 4.6}], True),
    ):
        with region_cli.console.capture() as captured:
            region_cli._print_fit({**data, "groups": groups})
        text = captured.get()
        assert ("0.95 ± 0.10 ‡" in text or "3.5 ± 4.6 ‡" in text) == marked, text
        assert ("reaches outside what the figure can be" in text) == marked, text
        assert "62.9 ± 8.0" in text or "62.9 " in text

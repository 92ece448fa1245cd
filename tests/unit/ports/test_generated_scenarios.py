"""Generated scenarios: every US–Mexico port, from the shipped BTS sample.

Checks the committed TOML files against the generator, the volumes against
BTS annual totals summed independently (plain SQL over the shipped sample) and
BTS's published border totals, the sizing rule, and that every generated port
simulates a stable day.
"""

from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from border21.ports.catalog import border_ports, load_scenario, shipped_scenarios
from border21.ports.generate import (
    MEASURES,
    TARGET_UTILISATION,
    PortVolumes,
    generated_scenario,
    ports_table_csv,
    scenario_name,
    scenario_toml,
    volumes_from_rows,
)
from border21.ports.results import offered_load
from border21.ports.runs import simulate

SCENARIOS = Path(str(resources.files("border21.ports") / "scenarios"))
SAMPLE = Path(str(resources.files("border21.data") / "samples")) / (
    "crossings_us_mexico_1996_2025.parquet"
)
GENERATED = sorted(
    n for n in shipped_scenarios() if load_scenario(n).port.provenance == "generated"
)
STREAM_OF = {
    "Personal Vehicles": "cars",
    "Pedestrians": "pedestrians",
    "Trucks": "trucks",
    "Buses": "buses",
}


def _builder() -> ModuleType:
    path = SCENARIOS / "build_generated.py"
    spec = importlib.util.spec_from_file_location("build_generated", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def volumes() -> list[PortVolumes]:
    return volumes_from_rows(_builder().bts_rows(SAMPLE))


@pytest.fixture(scope="module")
def bts_2024() -> dict[tuple[str, str], int]:
    """Annual BTS totals per port and measure, summed with SQL, not with the generator."""
    rows = (
        duckdb.connect()
        .execute(
            """SELECT "Port Code", "Measure", sum("Value"::BIGINT) FROM read_parquet(?)
           WHERE "Date" LIKE '% 2024' GROUP BY ALL""",
            [str(SAMPLE)],
        )
        .fetchall()
    )
    return {(code, measure): int(total) for code, measure, total in rows}


def test_the_committed_files_are_what_the_generator_writes(volumes: list[PortVolumes]) -> None:
    assert len(volumes) == 28  # BTS's US–Mexico land ports
    assert {v.year for v in volumes} == {2024}  # the latest complete year (2025 is Jan–Feb)
    for v in volumes:
        path = SCENARIOS / f"{scenario_name(v.port_name)}.toml"
        if load_scenario(path.stem).port.provenance == "curated":
            continue
        assert path.read_text(encoding="utf-8") == scenario_toml(v), f"{path.name} is stale"
    csv_text = (SCENARIOS / "border_ports.csv").read_text(encoding="utf-8")
    assert csv_text == ports_table_csv(volumes)


def test_every_bts_port_has_a_scenario_and_26_are_generated() -> None:
    ports = border_ports()
    assert len(ports) == 28
    assert all(p.scenarios for p in ports), [p.name for p in ports if not p.scenarios]
    assert len(GENERATED) == 26
    curated = {n for p in ports for n, v in p.scenarios.items() if v == "curated"}
    # otay_mesa_east is a planned port: no BTS code, so no port of this list
    assert curated == {
        "san_ysidro", "otay_mesa", "laredo_wtb", "tecate_2017",
        "el_paso_bota", "el_paso_pdn", "el_paso_stanton", "el_paso_ysleta",
    }  # fmt: skip


def test_generated_volumes_are_the_bts_annual_totals(bts_2024: dict[tuple[str, str], int]) -> None:
    checked = 0
    for name in GENERATED:
        sc = load_scenario(name)
        code = sc.port.port_code
        assert code is not None
        for measure in MEASURES:
            annual = bts_2024.get((code, measure), 0)
            stream = sc.streams.get(STREAM_OF[measure])
            if annual == 0:
                assert stream is None, f"{name}: {measure} has no BTS crossings in 2024"
                continue
            assert stream is not None, f"{name}: {measure} {annual:,} in BTS 2024 but no stream"
            # one decimal per day over 366 days: within 0.05 × 366 of the annual total
            gap = abs(stream.crossings_per_day * 366 - annual)
            assert gap <= 0.05 * 366 + 1e-6, (name, measure, gap)
            checked += 1
    assert checked > 80
    # two figures by hand: Laredo trucks and Nogales pedestrians, BTS 2024
    assert load_scenario("laredo").streams["trucks"].crossings_per_day == round(3_026_632 / 366, 1)
    assert load_scenario("nogales").streams["pedestrians"].crossings_per_day == round(
        3_257_542 / 366, 1
    )


def test_the_ports_table_adds_up_to_bts_published_border_totals() -> None:
    ports = border_ports()
    cars = sum(p.crossings_per_year["personal_vehicles"] for p in ports)
    trucks = sum(p.crossings_per_year["trucks"] for p in ports)
    # data/crossings/PROVENANCE.md: 2024 personal vehicles 76.88 M, trucks 7.62 M
    assert round(cars / 1e6, 2) == 76.88
    assert round(trucks / 1e6, 2) == 7.62
    laredo = next(p for p in ports if p.port_code == "2304")
    assert (laredo.latitude, laredo.longitude) == (27.5, -99.507)  # BTS's port location


def _port(monthly_cars: tuple[int, ...], trucks: int = 0) -> PortVolumes:
    monthly = {"Personal Vehicles": monthly_cars, "Trucks": (trucks,) * 12}
    return PortVolumes("9999", "Test Port", "Arizona", 31.0, -110.0, 2023, monthly)


def _booths(sc_port: PortVolumes, group: str) -> list[int]:
    return generated_scenario(sc_port).lanes[group].open_booths()


def test_booths_are_sized_for_the_busiest_month_below_the_target_utilisation() -> None:
    """A busy December adds booths; the average day stays below the target utilisation."""
    flat = _port((90_000,) * 12)
    peaked = _port((60_000,) * 11 + (420_000,))  # same annual total, December carries a third
    assert flat.annual("Personal Vehicles") == peaked.annual("Personal Vehicles")
    assert sum(_booths(peaked, "cars")) > 2 * sum(_booths(flat, "cars"))
    for v in (flat, peaked):
        sc = generated_scenario(v)
        load = offered_load(sc)
        # the average day runs below the target; the design (peak) day at it
        assert load["utilisation"].max() < TARGET_UTILISATION
    # below the program thresholds a port has one general group per mode
    small = generated_scenario(_port((1_000,) * 12, trucks=100))
    assert set(small.lanes) == {"cars", "trucks"}
    big = generated_scenario(_port((90_000,) * 12, trucks=30_000))
    assert set(big.lanes) == {"cars", "cars_ready", "cars_sentri", "trucks", "trucks_fast"}


def test_small_groups_are_staffed_for_the_wait_target_not_only_the_load() -> None:
    from border21.ports.generate import DESIGN_WAIT_SECONDS, DESIGN_WAIT_SHARE
    from border21.ports.sipp import wait_tail

    # ~1 bus an hour at 10 minutes each is 0.17 erlangs: one booth by load, but a bus
    # that finds it busy waits ~10 min, so the wait target opens a second
    buses = PortVolumes("9999", "Test Port", "Arizona", 31.0, -110.0, 2023, {"Buses": (750,) * 12})
    sc = generated_scenario(buses)
    group = sc.lanes["buses"]
    assert max(group.open_booths()) == 2
    # a bus terminal is one line for every booth, not a lane per booth
    assert (group.lanes, group.booths_per_lane) == (1, 2)
    load = offered_load(sc)
    assert load["utilisation"].max() < 0.2
    rate = 750 * 12 / 365 / 24 / 3600  # the flat design hour, per second
    assert wait_tail(1, rate, 600.0, 0.36, DESIGN_WAIT_SECONDS) > DESIGN_WAIT_SHARE
    assert wait_tail(2, rate, 600.0, 0.36, DESIGN_WAIT_SECONDS) <= DESIGN_WAIT_SHARE


@pytest.mark.parametrize("name", GENERATED)
def test_every_generated_scenario_simulates_a_stable_day(name: str) -> None:
    sc = load_scenario(name)
    assert sc.port.provenance == "generated"
    load = offered_load(sc)
    assert load["utilisation"].max() < 1.0, load.loc[load["utilisation"].idxmax()].to_dict()
    result = simulate(sc, days=1, seed=1)
    assert result.warnings == []
    primary = [
        r for r in result.summary_rows if r["stage"] == "primary" and r["crossings_per_day"] > 0
    ]
    assert primary and all(r["mean_wait_min"] < 30 for r in primary), primary

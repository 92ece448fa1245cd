"""Every scenario key changes what ``simulate`` runs, or is refused naming the key.

The test walks every leaf key of the scenario schema (found from the pydantic
models, so a new key fails here until it is listed): for each it sets a value
in a context where the key can act, runs ``simulate`` and asserts that the
output (the waits table, interdictions, warnings, the labels) changes, or
that the run is refused with a message naming the key. Labels (the port's
name, code, description and provenance) change only what the output says about the port.
A change that cannot act in its context is said so in one line (see
``test_a_change_that_cannot_act_says_so``).
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from border21.cli.main import app
from border21.errors import InputError
from border21.ports.catalog import load_scenario
from border21.ports.config import PortScenario, validate_scenario
from border21.ports.edits import inert_overrides, with_value, with_values
from border21.ports.runs import SimulationResult, simulate

DAYS = 1


def _toy() -> PortScenario:
    """Two lane groups sharing cars, a walkers' hall, secondary areas, referral and carriers."""
    return validate_scenario(
        {
            "port": {"name": "Toy"},
            "streams": {
                "cars": {
                    "kind": "personal_vehicle",
                    "crossings_per_day": 6000,
                    "program_shares": {"general": 0.7, "ready": 0.3},
                    "primary_service": {
                        "distribution": "lognormal",
                        "mean_seconds": 40,
                        "cv": 0.6,
                        "mean_seconds_by_program": {"ready": 30},
                    },
                    "referral_probability": 0.08,
                    "secondary": "lot",
                    "carrier_probability": 0.02,
                    "primary_detection_probability": 0.4,
                    "secondary_detection_probability": 0.7,
                },
                "walkers": {
                    "kind": "pedestrian",
                    "direction": "southbound",
                    "crossings_per_day": 3000,
                    "primary_service": {"mean_seconds": 30},
                },
            },
            "lanes": {
                "general": {
                    "streams": ["cars"],
                    "accepts": ["general", "ready"],
                    "lanes": 3,
                    "booths_per_lane": 2,
                    "open_booths_by_hour": [2] * 6 + [6] * 16 + [4] * 2,
                },
                "ready": {"program": "ready", "streams": ["cars"], "lanes": 2},
                "hall": {"streams": ["walkers"], "lanes": 3},
            },
            "secondary": {
                "lot": {"bays": 3, "service": {"distribution": "lognormal", "mean_seconds": 900}}
            },
        }
    )


def _contexts() -> dict[str, PortScenario]:
    sy = load_scenario("san_ysidro")
    south = with_values(
        sy,
        {
            "cooperation.southbound_inspection_probability": 0.05,
            "cooperation.southbound_carrier_probability": 0.05,
        },
    )
    imports2 = with_values(
        sy,
        {
            "streams.walkers_southbound": {
                "kind": "pedestrian",
                "direction": "southbound",
                "crossings_per_day": 8000,
                "primary_service": {"mean_seconds": 20},
            },
            "lanes.ped_southbound": {"streams": ["walkers_southbound"], "lanes": 4},
        },
    )
    laredo = load_scenario("laredo_wtb")
    rich = with_value(laredo, "streams.trucks.carrier_probability", 0.05)
    export2 = with_values(
        laredo,
        {
            "streams.vans": {
                "kind": "truck",
                "crossings_per_day": 800,
                "primary_service": {"mean_seconds": 60},
            },
            "lanes.general.streams": ["trucks", "vans"],
        },
    )
    return {
        "toy": _toy(),
        "sy": sy,
        "south": south,
        "imports2": imports2,
        "sbrich": with_value(sy, "streams.cars_southbound.carrier_probability", 0.05),
        "laredo": laredo,
        "rich": rich,
        "ucp": with_value(rich, "cooperation.unified_cargo_processing", True),
        "open": with_value(laredo, "cooperation.export_inspection.open_booths_by_hour", None),
        "export2": export2,
    }


REFUSED = "refused"

# key template -> (context, concrete key, value); REFUSED as value: the key is
# refused whatever it is set to in that context (it cannot act).
CHANGES: dict[str, tuple[str, str, Any]] = {
    "port.name": ("toy", "port.name", "Elsewhere"),
    "port.port_code": ("toy", "port.port_code", "9999"),
    "port.description": ("toy", "port.description", "a port somewhere else"),
    "port.start_weekday": ("laredo", "port.start_weekday", 5),
    "port.provenance": ("toy", "port.provenance", "generated"),
    "streams.*.kind": ("toy", "streams.walkers.kind", "bus"),
    "streams.*.direction": ("toy", "streams.walkers.direction", "northbound"),
    "streams.*.crossings_per_day": ("toy", "streams.cars.crossings_per_day", 5000),
    "streams.*.hour_of_day_shape": ("toy", "streams.cars.hour_of_day_shape", [1] * 12 + [3] * 12),
    "streams.*.weekday_shape": ("laredo", "streams.trucks.weekday_shape", [1] * 7),
    "streams.*.program_shares": (
        "toy",
        "streams.cars.program_shares",
        {"general": 0.9, "ready": 0.1},
    ),
    "streams.*.primary_service.distribution": (
        "toy",
        "streams.cars.primary_service.distribution",
        "gamma",
    ),
    "streams.*.primary_service.mean_seconds": (
        "toy",
        "streams.cars.primary_service.mean_seconds",
        50,
    ),
    "streams.*.primary_service.cv": ("toy", "streams.cars.primary_service.cv", 1.2),
    "streams.*.primary_service.mean_seconds_by_program": (
        "toy",
        "streams.cars.primary_service.mean_seconds_by_program",
        {"ready": 10},
    ),
    "streams.*.primary_service.factor_by_hour": (
        "toy",
        "streams.cars.primary_service.factor_by_hour",
        [2.0] * 12 + [1.0] * 12,
    ),
    "streams.*.referral_probability": ("toy", "streams.cars.referral_probability", 0.2),
    "streams.*.referral_probability_by_program": (
        "toy",
        "streams.cars.referral_probability_by_program",
        {"ready": 0.5},
    ),
    "streams.*.secondary": ("sy", "streams.pedestrians.secondary", "vehicle_secondary"),
    "streams.*.carrier_probability": ("toy", "streams.cars.carrier_probability", 0.1),
    "streams.*.primary_detection_probability": (
        "toy",
        "streams.cars.primary_detection_probability",
        1.0,
    ),
    "streams.*.secondary_detection_probability": (
        "toy",
        "streams.cars.secondary_detection_probability",
        0.05,
    ),
    "lanes.*.program": ("toy", "lanes.ready.program", "sentri"),
    "lanes.*.streams": ("toy", "lanes.hall.streams", ["walkers", "cars"]),
    "lanes.*.accepts": ("toy", "lanes.general.accepts", ["general"]),
    "lanes.*.lanes": ("toy", "lanes.hall.lanes", 2),
    "lanes.*.booths_per_lane": ("toy", "lanes.hall.booths_per_lane", 2),
    "lanes.*.open_booths_by_hour": ("toy", "lanes.general.open_booths_by_hour", [3] * 24),
    "lanes.*.staffed_booths": ("toy", "lanes.general.staffed_booths", 3),
    "secondary.*.bays": ("toy", "secondary.lot.bays", 1),
    "secondary.*.open_bays_by_hour": ("toy", "secondary.lot.open_bays_by_hour", [1] * 24),
    "secondary.*.service.distribution": ("toy", "secondary.lot.service.distribution", "gamma"),
    "secondary.*.service.mean_seconds": ("toy", "secondary.lot.service.mean_seconds", 1800),
    "secondary.*.service.cv": ("toy", "secondary.lot.service.cv", 2.0),
    "secondary.*.service.mean_seconds_by_program": (
        "toy",
        "secondary.lot.service.mean_seconds_by_program",
        REFUSED,
    ),
    "secondary.*.service.factor_by_hour": (
        "toy",
        "secondary.lot.service.factor_by_hour",
        REFUSED,
    ),
    "cooperation.shared_intelligence": ("toy", "cooperation.shared_intelligence", REFUSED),
    "cooperation.unified_cargo_processing": ("rich", "cooperation.unified_cargo_processing", True),
    "cooperation.trusted_enrolment_scale": ("sy", "cooperation.trusted_enrolment_scale", 1.5),
    "cooperation.southbound_inspection_probability": (
        "sy",
        "cooperation.southbound_inspection_probability",
        0.05,
    ),
    "cooperation.southbound_screening_seconds": (
        "south",
        "cooperation.southbound_screening_seconds",
        0.5,
    ),
    "cooperation.southbound_bays": ("south", "cooperation.southbound_bays", 2),
    "cooperation.southbound_service.distribution": (
        "south",
        "cooperation.southbound_service.distribution",
        "gamma",
    ),
    "cooperation.southbound_service.mean_seconds": (
        "south",
        "cooperation.southbound_service.mean_seconds",
        1800,
    ),
    "cooperation.southbound_service.cv": ("south", "cooperation.southbound_service.cv", 2.0),
    "cooperation.southbound_service.mean_seconds_by_program": (
        "south",
        "cooperation.southbound_service.mean_seconds_by_program",
        REFUSED,
    ),
    "cooperation.southbound_service.factor_by_hour": (
        "south",
        "cooperation.southbound_service.factor_by_hour",
        REFUSED,
    ),
    "cooperation.southbound_carrier_probability": (
        "south",
        "cooperation.southbound_carrier_probability",
        0.2,
    ),
    "cooperation.southbound_detection_probability": (
        "south",
        "cooperation.southbound_detection_probability",
        0.1,
    ),
    "cooperation.export_inspection": ("laredo", "cooperation.export_inspection", None),
    "cooperation.export_inspection.streams": (
        "export2",
        "cooperation.export_inspection.streams",
        ["trucks", "vans"],
    ),
    "cooperation.export_inspection.booths": ("open", "cooperation.export_inspection.booths", 3),
    "cooperation.export_inspection.open_booths_by_hour": (
        "laredo",
        "cooperation.export_inspection.open_booths_by_hour",
        [3] * 24,
    ),
    "cooperation.export_inspection.service.distribution": (
        "laredo",
        "cooperation.export_inspection.service.distribution",
        "gamma",
    ),
    "cooperation.export_inspection.service.mean_seconds": (
        "laredo",
        "cooperation.export_inspection.service.mean_seconds",
        400,
    ),
    "cooperation.export_inspection.service.cv": (
        "laredo",
        "cooperation.export_inspection.service.cv",
        2.0,
    ),
    "cooperation.export_inspection.service.mean_seconds_by_program": (
        "laredo",
        "cooperation.export_inspection.service.mean_seconds_by_program",
        REFUSED,
    ),
    "cooperation.export_inspection.service.factor_by_hour": (
        "laredo",
        "cooperation.export_inspection.service.factor_by_hour",
        REFUSED,
    ),
    "cooperation.export_inspection.semaforo_probability": (
        "laredo",
        "cooperation.export_inspection.semaforo_probability",
        0.3,
    ),
    "cooperation.export_inspection.bays": ("laredo", "cooperation.export_inspection.bays", 1),
    "cooperation.export_inspection.secondary_service.distribution": (
        "laredo",
        "cooperation.export_inspection.secondary_service.distribution",
        "gamma",
    ),
    "cooperation.export_inspection.secondary_service.mean_seconds": (
        "laredo",
        "cooperation.export_inspection.secondary_service.mean_seconds",
        7200,
    ),
    "cooperation.export_inspection.secondary_service.cv": (
        "laredo",
        "cooperation.export_inspection.secondary_service.cv",
        2.0,
    ),
    "cooperation.export_inspection.secondary_service.mean_seconds_by_program": (
        "laredo",
        "cooperation.export_inspection.secondary_service.mean_seconds_by_program",
        REFUSED,
    ),
    "cooperation.export_inspection.secondary_service.factor_by_hour": (
        "laredo",
        "cooperation.export_inspection.secondary_service.factor_by_hour",
        REFUSED,
    ),
    "cooperation.export_inspection.detection_probability": (
        "rich",
        "cooperation.export_inspection.detection_probability",
        1.0,
    ),
    "cooperation.export_inspection.transit_seconds": (
        "laredo",
        "cooperation.export_inspection.transit_seconds",
        3600,
    ),
    "cooperation.export_inspection.joint_primary_extra_seconds": (
        "ucp",
        "cooperation.export_inspection.joint_primary_extra_seconds",
        60,
    ),
    "cooperation.import_inspection": ("sy", "cooperation.import_inspection", None),
    "cooperation.import_inspection.streams": (
        "imports2",
        "cooperation.import_inspection.streams",
        ["cars_southbound", "walkers_southbound"],
    ),
    "cooperation.import_inspection.semaforo_probability": (
        "sy",
        "cooperation.import_inspection.semaforo_probability",
        0.3,
    ),
    "cooperation.import_inspection.bays": ("sy", "cooperation.import_inspection.bays", 2),
    "cooperation.import_inspection.service.distribution": (
        "sy",
        "cooperation.import_inspection.service.distribution",
        "gamma",
    ),
    "cooperation.import_inspection.service.mean_seconds": (
        "sy",
        "cooperation.import_inspection.service.mean_seconds",
        900,
    ),
    "cooperation.import_inspection.service.cv": (
        "sy",
        "cooperation.import_inspection.service.cv",
        2.0,
    ),
    "cooperation.import_inspection.service.mean_seconds_by_program": (
        "sy",
        "cooperation.import_inspection.service.mean_seconds_by_program",
        REFUSED,
    ),
    "cooperation.import_inspection.service.factor_by_hour": (
        "sy",
        "cooperation.import_inspection.service.factor_by_hour",
        REFUSED,
    ),
    "cooperation.import_inspection.detection_probability": (
        "sbrich",
        "cooperation.import_inspection.detection_probability",
        1.0,
    ),
}
BY_PROGRAM_REFUSED = {"ready": 60}  # the value a REFUSED per-program mean is set to
HOURLY_REFUSED = [2.0] * 24  # … and a REFUSED hourly factor


def _leaf_keys(model: type[BaseModel], prefix: str) -> list[str]:
    """Dotted leaf keys of a pydantic model; ``*`` for the name of a stream, group or area."""
    out = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        kind = field.annotation
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        nested = kind if isinstance(kind, type) else (args[0] if len(args) == 1 else None)
        if typing.get_origin(kind) is dict:
            value = typing.get_args(kind)[1]
            if isinstance(value, type) and issubclass(value, BaseModel):
                out += _leaf_keys(value, f"{key}.*.")
                continue
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            if nested is not kind:  # optional table: the table itself is a key too
                out.append(key)
            out += _leaf_keys(nested, f"{key}.")
            continue
        out.append(key)
    return out


def test_the_walk_covers_every_scenario_key() -> None:
    keys = set(_leaf_keys(PortScenario, ""))
    assert keys == set(CHANGES), (
        f"keys without a change: {sorted(keys - set(CHANGES))}; "
        f"changes without a key: {sorted(set(CHANGES) - keys)}"
    )


def _output(result: SimulationResult) -> str:
    """What a user reads: the labels, the waits table, interdictions and warnings."""
    port = result.scenario.port
    return repr(
        (
            (port.name, port.port_code, port.description, port.provenance),
            result.summary_rows,
            result.interdiction_totals(),
            result.warnings,
        )
    )


@pytest.fixture(scope="module")
def contexts() -> dict[str, PortScenario]:
    return _contexts()


@pytest.fixture(scope="module")
def baselines(contexts: dict[str, PortScenario]) -> dict[str, str]:
    return {name: _output(simulate(sc, days=DAYS, seed=1)) for name, sc in contexts.items()}


@pytest.mark.parametrize("template", sorted(CHANGES))
def test_every_key_changes_the_output_or_is_refused(
    template: str, contexts: dict[str, PortScenario], baselines: dict[str, str]
) -> None:
    context, key, value = CHANGES[template]
    base = contexts[context]
    if value is REFUSED:
        value = (
            BY_PROGRAM_REFUSED
            if key.endswith("by_program")
            else HOURLY_REFUSED
            if key.endswith("factor_by_hour")
            else True
        )
        with pytest.raises(InputError) as refused:
            simulate(with_value(base, key, value), days=DAYS, seed=1)
        assert key.split(".")[-1] in str(refused.value)
        assert "cannot act" in str(refused.value) or "frontier" in str(refused.value)
        return
    out = _output(simulate(with_value(base, key, value), days=DAYS, seed=1))
    assert out != baselines[context], f"{key} = {value!r} changed nothing"


def test_a_change_that_cannot_act_says_so() -> None:
    """Raising a group's lanes beyond what its schedule opens is noted in one line."""
    laredo = load_scenario("laredo_wtb")
    notes = inert_overrides(laredo, ["lanes.fast.lanes=6", "lanes.fast.staffed_booths=4"])
    assert len(notes) == 1
    assert notes[0].startswith("lanes.fast.lanes = 6 cannot act")
    assert "at most 3 booth(s)" in notes[0]
    assert inert_overrides(laredo, ["port.name='Other'"]) == [
        "port.name = 'Other' changes labels only, not what is simulated"
    ]
    runner = CliRunner()
    res = runner.invoke(app, ["simulate", "laredo_wtb", "--set", "lanes.fast.lanes=6"])
    assert res.exit_code == 0
    lines = [ln for ln in res.output.splitlines() if "cannot act" in ln]
    assert len(lines) == 1 or "cannot act" in " ".join(res.output.split())


def test_simulate_refuses_a_switch_for_another_command_naming_both() -> None:
    runner = CliRunner()
    res = runner.invoke(
        app, ["simulate", "laredo_wtb", "--set", "cooperation.shared_intelligence=true"]
    )
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "cooperation.shared_intelligence" in text and "border21 frontier" in text
    assert "Traceback" not in res.output


def test_labels_are_written_with_the_results(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "simulate",
            "laredo_wtb",
            "--set",
            "port.description='a description'",
            "--out",
            str(tmp_path),
            "--no-records",
        ],
    )
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta["description"] == "a description"
    assert meta["port_code"] == "2304"
    assert meta["provenance"] == "curated"
    assert meta["warm_up_days"] == 0

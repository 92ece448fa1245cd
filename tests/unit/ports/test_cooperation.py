from __future__ import annotations

from typing import Any

import pytest

from border21.errors import InputError
from border21.frontier.variants import build_variants
from border21.ports.catalog import load_scenario
from border21.ports.config import PortScenario, validate_scenario
from border21.ports.cooperation import (
    effective_scenario,
    export_scenario,
    with_enrolment,
    with_southbound_inspection,
    with_switches,
    with_unified_cargo_processing,
)
from border21.ports.edits import with_values


def _volumes(sc, kind, direction):
    out: dict[str, float] = {}
    for st in sc.streams.values():
        if st.kind == kind and st.direction == direction:
            for p, share in st.program_shares.items():
                out[p] = out.get(p, 0.0) + st.crossings_per_day * share
    return out


@pytest.mark.parametrize("name", ["san_ysidro", "laredo_wtb"])
def test_enrolment_moves_general_to_trusted_conserving_total(name):
    sc = load_scenario(name)
    kind = "truck" if name == "laredo_wtb" else "personal_vehicle"
    before = _volumes(sc, kind, "northbound")
    after = _volumes(with_enrolment(sc, 1.2), kind, "northbound")
    assert sum(after.values()) == pytest.approx(sum(before.values()))
    trusted = [p for p in before if p != "general"]
    assert sum(after[p] for p in trusted) == pytest.approx(1.2 * sum(before[p] for p in trusted))
    assert after["general"] < before["general"]


def test_enrolment_scale_caps_at_all_traffic():
    sc = load_scenario("laredo_wtb")
    after = _volumes(with_enrolment(sc, 100.0), "truck", "northbound")
    assert after["general"] == pytest.approx(0.0, abs=1e-6)


def test_southbound_inspection_adds_bays_and_screening():
    sc = with_switches(
        load_scenario("san_ysidro"),
        southbound_inspection_probability=0.05,
        southbound_screening_seconds=2.0,
    )
    out = with_southbound_inspection(sc)
    south = out.streams["cars_southbound"]
    assert south.secondary == "southbound_secondary"
    assert south.referral_probability == 0.05
    assert south.primary_service.mean_seconds == pytest.approx(
        sc.streams["cars_southbound"].primary_service.mean_seconds
        + sc.cooperation.southbound_screening_seconds
    )
    assert out.secondary["southbound_secondary"].bays == sc.cooperation.southbound_bays
    assert with_southbound_inspection(load_scenario("san_ysidro")) == load_scenario("san_ysidro")


def test_export_stage_and_ucp_bays():
    sc = load_scenario("laredo_wtb")
    mx = export_scenario(sc)
    assert mx is not None and list(mx.streams) == ["trucks"]
    assert mx.lanes["mx_export"].lanes == sc.cooperation.export_inspection.booths
    joint = with_unified_cargo_processing(with_switches(sc, ucp=True))
    assert joint.secondary["truck_secondary"].bays == (
        sc.secondary["truck_secondary"].bays + sc.cooperation.export_inspection.bays
    )


def test_variants_validate_their_preconditions():
    with pytest.raises(InputError, match="no \\[cooperation.export_inspection\\]"):
        build_variants(load_scenario("san_ysidro"), ["ucp"])
    with pytest.raises(InputError, match="no southbound stream"):
        build_variants(load_scenario("laredo_wtb"), ["southbound"])
    with pytest.raises(InputError, match="unknown variant"):
        build_variants(load_scenario("laredo_wtb"), ["teleport"])


def test_ucp_requires_export_description():
    with pytest.raises(InputError, match="needs cooperation.export_inspection"):
        with_switches(load_scenario("san_ysidro"), ucp=True)


def test_each_transform_is_applied_once_and_resets_its_switch():
    sc = with_switches(
        load_scenario("san_ysidro"),
        trusted_enrolment_scale=1.5,
        southbound_inspection_probability=0.05,
    )
    once = effective_scenario(sc)
    assert once.cooperation.trusted_enrolment_scale == 1.0
    assert once.cooperation.southbound_inspection_probability == 0.0
    assert effective_scenario(once) == once  # nothing left to apply
    assert once != sc


def _enrolment_toy(per_day: float) -> PortScenario:
    def stream(kind: str, shares: dict[str, float]) -> dict[str, Any]:
        return {"kind": kind, "crossings_per_day": per_day, "program_shares": shares,
                "primary_service": {"mean_seconds": 30}}  # fmt: skip

    return validate_scenario(
        {
            "port": {"name": "Toy"},
            "streams": {
                "walkers": stream("pedestrian", {"general": 1.0}),  # nobody to enrol
                "cars": stream("personal_vehicle", {"general": 0.5, "sentri": 0.5}),
                "cars_general": stream("personal_vehicle", {"general": 1.0}),
                "fast_trucks": stream("truck", {"fast": 1.0}),  # nobody to trade with
            },
            "lanes": {
                "walk": {"streams": ["walkers"], "lanes": 1},
                "general": {"streams": ["cars", "cars_general"], "lanes": 1},
                "sentri": {"program": "sentri", "streams": ["cars"], "lanes": 1},
                "fast": {"program": "fast", "streams": ["fast_trucks"], "lanes": 1},
            },
        }
    )


def _per_program(sc: PortScenario) -> dict[tuple[str, str], float]:
    return {
        (name, p): st.crossings_per_day * share
        for name, st in sc.streams.items()
        for p, share in st.program_shares.items()
    }


@pytest.mark.parametrize("per_day", [1000.0, 0.5])  # 0.5: a crossing every other day
def test_enrolment_takes_general_crossings_from_every_stream_of_the_flow(per_day):
    sc = _enrolment_toy(per_day)
    out = _per_program(with_enrolment(sc, 1.5))
    # SENTRI: 0.5 × 1.5; the 0.25 moved comes from the 1.5 general crossings in proportion
    assert out == pytest.approx(
        {
            ("walkers", "general"): per_day,
            ("cars", "general"): per_day * 0.5 * (1 - 0.25 / 1.5),
            ("cars", "sentri"): per_day * 0.75,
            ("cars_general", "general"): per_day * (1 - 0.25 / 1.5),
            ("fast_trucks", "fast"): per_day,
        }
    )
    for st in with_enrolment(sc, 1.5).streams.values():
        assert sum(st.program_shares.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("scale", [0.0, 0.5])
def test_less_enrolment_returns_crossings_to_general_lanes(scale):
    sc = _enrolment_toy(1000.0)
    out = _per_program(with_enrolment(sc, scale))
    assert out[("cars", "sentri")] == pytest.approx(500.0 * scale)
    general = out[("cars", "general")] + out[("cars_general", "general")]
    assert general == pytest.approx(1500.0 + 500.0 * (1 - scale))
    # a flow without general crossings has nobody to hand its trusted crossings to: unchanged
    assert out[("fast_trucks", "fast")] == 1000.0
    assert sum(out.values()) == pytest.approx(4000.0)


def test_enrolment_exhausting_general_leaves_a_general_stream_empty():
    out = with_enrolment(_enrolment_toy(1000.0), 100.0)
    assert out.streams["cars_general"].crossings_per_day == pytest.approx(0.0, abs=1e-9)
    assert out.streams["cars_general"].program_shares == {"general": 1.0}
    assert out.streams["cars"].program_shares == pytest.approx({"general": 0.0, "sentri": 1.0})


def test_southbound_screening_adds_to_every_programs_service():
    sc = with_values(
        load_scenario("san_ysidro"),
        {
            "streams.cars_southbound.primary_service.mean_seconds_by_program": {"general": 6.0},
            "cooperation.southbound_inspection_probability": 0.05,
            "cooperation.southbound_screening_seconds": 2.0,
        },
    )
    service = with_southbound_inspection(sc).streams["cars_southbound"].primary_service
    assert (service.mean_seconds, service.mean_for("general")) == (6.5, 8.0)


def test_ucp_opens_the_mexican_bays_in_every_hour_of_a_schedule():
    hours = [10] * 12 + [20] * 12
    sc = with_values(
        load_scenario("laredo_wtb"),
        {
            "secondary.truck_secondary.open_bays_by_hour": hours,
            "cooperation.unified_cargo_processing": True,
        },
    )
    area = with_unified_cargo_processing(sc).secondary["truck_secondary"]
    assert (area.bays, area.open_bays()) == (48, [h + 24 for h in hours])


def test_draws_keep_common_random_numbers_when_a_variant_adds_an_exam_area():
    """Giving southbound cars an exam area must not move any crossing's draws: the
    frontier pairs each variant with the baseline replication by replication."""
    import numpy as np

    from border21.ports.catalog import load_scenario
    from border21.ports.cooperation import with_switches
    from border21.ports.model import PortModel

    base = load_scenario("san_ysidro")
    variant = with_switches(base, southbound_inspection_probability=0.05)
    a = PortModel(base).draw(1, np.random.default_rng(4))
    b = PortModel(variant).draw(1, np.random.default_rng(4))
    assert len(a) == len(b)
    for name in ("arrival", "stream", "cls", "primary_seconds", "tie_u"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    north = np.array([st.direction == "northbound" for st in base.streams.values()])[a.stream]
    assert np.array_equal(a.secondary_seconds[north], b.secondary_seconds[north])
    assert np.array_equal(a.carrier[north], b.carrier[north])
    south = ~north
    assert (a.secondary_seconds[south] == 0).all() and (b.secondary_seconds[south] > 0).all()

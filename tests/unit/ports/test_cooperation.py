from __future__ import annotations

import pytest

from border21.errors import InputError
from border21.frontier.variants import build_variants
from border21.ports.catalog import load_scenario
from border21.ports.cooperation import (
    effective_scenario,
    export_scenario,
    with_enrolment,
    with_southbound_inspection,
    with_switches,
    with_unified_cargo_processing,
)


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

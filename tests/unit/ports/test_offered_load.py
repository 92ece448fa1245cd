"""Offered load at every queue, by hour: primary lanes, secondary areas, the
southbound inspection and the Mexican export stage; checked by hand on a port
with a flat hourly shape (so every hour carries 1/24 of the day)."""

from __future__ import annotations

from typing import Any

import pytest

from border21.ports.config import PortScenario, validate_scenario
from border21.ports.cooperation import effective_scenario
from border21.ports.edits import with_values
from border21.ports.results import hour_ranges, offered_load_rows, overloaded, unstable_hours

TRUCKS_PER_DAY = 2400  # 100 an hour


def port(**coop: Any) -> PortScenario:
    return validate_scenario(
        {
            "port": {"name": "flat"},
            "streams": {
                "trucks": {
                    "kind": "truck",
                    "crossings_per_day": TRUCKS_PER_DAY,
                    "primary_service": {"mean_seconds": 90},
                    "referral_probability": 0.1,
                    "secondary": "dock",
                    "carrier_probability": 0.01,
                    "primary_detection_probability": 0.5,
                },
                "cars_sb": {
                    "kind": "personal_vehicle",
                    "direction": "southbound",
                    "crossings_per_day": 4800,  # 200 an hour
                    "primary_service": {"mean_seconds": 10},
                },
            },
            "lanes": {
                "general": {"streams": ["trucks"], "lanes": 4},
                "south": {"streams": ["cars_sb"], "lanes": 2},
            },
            "secondary": {"dock": {"bays": 6, "service": {"mean_seconds": 1800}}},
            "cooperation": {
                "export_inspection": {
                    "streams": ["trucks"],
                    "booths": 3,
                    "service": {"mean_seconds": 72},
                    "semaforo_probability": 0.1,
                    "bays": 2,
                    "secondary_service": {"mean_seconds": 1080},
                },
                **coop,
            },
        }
    )


def at(scenario: PortScenario, where: str, **kw: Any) -> dict[str, Any]:
    rows = [r for r in offered_load_rows(scenario, **kw) if r["where"] == where]
    assert len(rows) == 24, where
    assert len({round(r["offered_erlangs"], 9) for r in rows}) == 1  # flat: every hour alike
    return rows[0]


def test_every_queue_by_hand() -> None:
    sc = port()
    # primary: 100 trucks an hour × 90 s = 2.5 erlangs on 4 booths
    assert at(sc, "general")["offered_erlangs"] == pytest.approx(2.5)
    assert at(sc, "general")["utilisation"] == pytest.approx(2.5 / 4)
    # secondary: 100 × (10% referred + 1% carriers × 50% detected) × 1,800 s = 5.25 on 6 bays
    assert at(sc, "secondary:dock")["offered_erlangs"] == pytest.approx(5.25)
    # the Mexican export booths: 100 × 72 s = 2 erlangs on 3 booths
    assert at(sc, "mx_export:booths")["utilisation"] == pytest.approx(2 / 3)
    # its red-light bays: 100 × 10% × 1,080 s = 3 erlangs on 2 bays: overloaded all day
    assert at(sc, "mx_export:bays")["utilisation"] == pytest.approx(1.5)
    (bays,) = overloaded(sc)
    assert bays.where == "mx_export:bays" and bays.hours == list(range(24))
    assert bays.day_utilisation == pytest.approx(1.5) and not bays.clears
    (line,) = unstable_hours(sc)
    assert "mx_export:bays" in line and "00–24h" in line and "does not clear" in line


def test_the_budget_replaces_the_referral_of_governed_streams() -> None:
    sc = port()
    # a 2% budget: 100 × (2% + 0.5%) × 1,800 s = 1.25 erlangs at the dock
    dock = at(sc, "secondary:dock", governed_referral=0.02)
    assert dock["offered_erlangs"] == pytest.approx(1.25)
    # a 40% budget overloads it: 100 × 40.5% × 1,800 s = 20.25 on 6 bays
    wheres = {o.where for o in overloaded(sc, governed_referral=0.4)}
    assert "secondary:dock" in wheres


def test_under_ucp_the_red_lights_join_the_joint_exam() -> None:
    sc = effective_scenario(port(unified_cargo_processing=True))
    rows = offered_load_rows(sc)
    assert not any(r["where"].startswith("mx_export:") for r in rows)
    # 100 × (10% + 0.5% + 10% red) × 1,800 s = 10.25 erlangs on 6 + 2 bays
    dock = at(sc, "secondary:dock")
    assert dock["offered_erlangs"] == pytest.approx(10.25)
    assert dock["open_booths"] == 8


def test_the_southbound_inspection_is_a_queue_too() -> None:
    on = with_values(
        port(),
        {
            "cooperation.southbound_inspection_probability": 0.05,
            "cooperation.southbound_bays": 2,
            "cooperation.southbound_service.mean_seconds": 900,
        },
    )
    sc = effective_scenario(on)
    # 200 cars an hour × (5% + the southbound carriers it detects) × 900 s ≈ 2.5 erlangs on 2 bays
    south = at(sc, "secondary:southbound_secondary")
    assert south["utilisation"] > 1
    assert any(o.where == "secondary:southbound_secondary" for o in overloaded(sc))


def rich_port() -> PortScenario:
    """Two export streams, per-program times and referrals, a weekday shape, closed hours."""
    hours = [0.0] * 6 + [1.0] * 18  # nobody 00–06h
    return validate_scenario(
        {
            "port": {"name": "rich"},
            "streams": {
                "loaded": {
                    "kind": "truck",
                    "crossings_per_day": 1800,  # peak weekday 1800 × 2 / 1.25 = 2880: 160 an hour
                    "hour_of_day_shape": hours,
                    "weekday_shape": [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.75],
                    "program_shares": {"general": 0.75, "fast": 0.25},
                    "primary_service": {
                        "mean_seconds": 120,
                        "cv": 1.0,
                        "mean_seconds_by_program": {"fast": 60},
                    },
                    "referral_probability": 0.2,
                    "referral_probability_by_program": {"fast": 0.0},
                    "secondary": "dock",
                },
                "empty": {
                    "kind": "truck",
                    "crossings_per_day": 720,  # flat week: 40 an hour in the open hours
                    "hour_of_day_shape": hours,
                    "program_shares": {"fast": 0.0, "general": 1.0},  # a zero share first
                    "primary_service": {"mean_seconds": 90},
                    "secondary": "dock",
                },
            },
            "lanes": {
                "general": {"streams": ["loaded", "empty"], "lanes": 4},
                "fast": {
                    "streams": ["loaded"],
                    "program": "fast",
                    "lanes": 1,
                    "open_booths_by_hour": [0] * 7 + [1] * 17,  # opens at 07:00
                },
            },
            "secondary": {"dock": {"bays": 10, "service": {"mean_seconds": 900}}},
            "cooperation": {
                "export_inspection": {
                    "streams": ["loaded", "empty"],
                    "booths": 4,
                    "open_booths_by_hour": [2] * 12 + [4] * 12,
                    "service": {"mean_seconds": 45},
                    "semaforo_probability": 0.25,
                    "bays": 3,
                    "secondary_service": {"mean_seconds": 360},
                }
            },
        }
    )


def test_every_stream_program_and_hour_counts() -> None:
    rows = {(r["where"], r["hour"]): r for r in offered_load_rows(rich_port())}
    # general lanes at 12:00: loaded general 160 × 0.75 × 120 s + empty 40 × 90 s = 4 + 1 erlangs
    general = rows[("general", 12)]
    assert general["offered_erlangs"] == pytest.approx(5.0)
    assert general["streams"] == "empty,loaded" and general["utilisation"] == pytest.approx(1.25)
    assert rows[("general", 3)]["offered_erlangs"] == 0 and rows[("general", 3)]["utilisation"] == 0
    # the FAST lane: 160 × 0.25 × 60 s = 0.667 erlangs; closed at 06:00 with load: infinite
    assert rows[("fast", 12)]["offered_erlangs"] == pytest.approx(2 / 3)
    assert rows[("fast", 6)]["utilisation"] == float("inf")
    assert rows[("fast", 3)]["utilisation"] == 0  # closed and nobody comes
    # the dock: loaded general 160 × 0.75 × 20% × 900 s = 6 erlangs (FAST is not referred)
    assert rows[("secondary:dock", 12)]["offered_erlangs"] == pytest.approx(6.0)
    # Mexican booths: (160 + 40) × 45 s = 2.5 erlangs; 2 booths until noon, then 4
    assert rows[("mx_export:booths", 11)]["utilisation"] == pytest.approx(1.25)
    assert rows[("mx_export:booths", 12)]["utilisation"] == pytest.approx(0.625)
    assert rows[("mx_export:booths", 12)]["streams"] == "empty,loaded"
    # red-light bays: 200 × 25% × 360 s = 5 erlangs on 3 bays
    assert rows[("mx_export:bays", 12)]["utilisation"] == pytest.approx(5 / 3)


def test_overloads_are_described_with_their_servers_and_day() -> None:
    found = {o.where: o for o in overloaded(rich_port())}
    assert set(found) == {"general", "fast", "mx_export:booths", "mx_export:bays"}
    booths = found["mx_export:booths"]
    assert booths.hours == list(range(6, 12))
    # the day: 18 open hours × 2.5 erlangs over 12 × 2 + 12 × 4 booth-hours
    assert booths.day_utilisation == pytest.approx(45 / 72) and booths.clears
    text = booths.describe()
    assert text.startswith("stream empty,loaded at mx_export:booths: utilisation ≥ 1 in hours")
    assert "on 2 open booths" in text and "06–12h" in text and "clears off-peak" in text
    bays = found["mx_export:bays"].describe()
    # 18 open hours × 5 erlangs over 24 × 3 bay-hours
    assert found["mx_export:bays"].day_utilisation == pytest.approx(90 / 72)
    assert "on 3 open bays" in bays and "does not clear from day to day" in bays


def test_exactly_one_is_overloaded_and_the_budget_reaches_the_warnings() -> None:
    sc = port()
    # at 2,400 trucks a day the dock takes 6 bays × 3,600 s / 1,800 s = 12 exams an hour:
    # a budget of 11.5% plus 0.5% detected carriers is exactly 1
    exact = {o.where for o in overloaded(sc, governed_referral=0.115)}
    assert "secondary:dock" in exact
    assert not any("dock" in w for w in unstable_hours(sc, governed_referral=0.02))
    assert any("dock" in w for w in unstable_hours(sc, governed_referral=0.115))
    dock = [w for w in unstable_hours(sc, governed_referral=0.5) if "dock" in w][0]
    assert "on 6 open bays" in dock and "does not clear from day to day" in dock


def test_referrals_are_capped_at_everyone() -> None:
    # a 100% budget plus 0.5% detected carriers sends every truck, not 100.5% of them
    dock = at(port(), "secondary:dock", governed_referral=1.0)
    assert dock["offered_erlangs"] == pytest.approx(100 * 1800 / 3600)


def test_ucp_red_lights_come_only_from_the_export_streams() -> None:
    sc = effective_scenario(
        with_values(
            port(unified_cargo_processing=True),
            {
                "streams.cars_sb.direction": "northbound",
                "streams.cars_sb.secondary": "dock",
                "streams.cars_sb.referral_probability": 0.0,
            },
        )
    )
    # trucks 10.25 erlangs as before; the cars (not exported) bring no red lights
    assert at(sc, "secondary:dock")["offered_erlangs"] == pytest.approx(10.25)


def test_a_port_without_export_inspection_and_a_class_with_two_groups() -> None:
    sc = validate_scenario(
        {
            "port": {"name": "plain"},
            "streams": {
                "cars": {
                    "kind": "personal_vehicle",
                    "crossings_per_day": 2400,
                    "primary_service": {"mean_seconds": 36},
                    "referral_probability": 0.1,
                    "secondary": "lot",
                }
            },
            "lanes": {
                "east": {"streams": ["cars"], "lanes": 1},
                "west": {"streams": ["cars"], "lanes": 1},
            },
            "secondary": {"lot": {"bays": 1, "service": {"mean_seconds": 360}}},
        }
    )
    both = at(sc, "east+west")  # the class may join either group: one queue of 2 booths
    assert both["offered_erlangs"] == pytest.approx(1.0) and both["open_booths"] == 2
    assert at(sc, "secondary:lot")["utilisation"] == pytest.approx(1.0)
    assert not any(r["where"].startswith("mx_export") for r in offered_load_rows(sc))
    assert hour_ranges([0, 1, 2, 5, 9]) == "00–03h, 05–06h, 09–10h"


def test_an_hours_service_factor_scales_its_offered_load() -> None:
    """``factor_by_hour`` makes an hour's booths slower or faster: 100 trucks × 90 s × the
    factor of the hour."""
    factors = [2.0] * 6 + [1.0] * 12 + [0.5] * 6
    sc = with_values(port(), {"streams.trucks.primary_service.factor_by_hour": factors})
    rows = [r for r in offered_load_rows(sc) if r["where"] == "general"]
    assert [r["offered_erlangs"] for r in rows] == pytest.approx([2.5 * f for f in factors])

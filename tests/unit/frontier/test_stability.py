"""The frontier checks every exam queue's offered load at each variant and budget,
marks overloaded points, and the shipped southbound variant is stable at its defaults."""

from __future__ import annotations

import pandas as pd

from border21.frontier.sweep import (
    build_tasks,
    mark_unstable,
    unstable_points,
    unstable_warnings,
)
from border21.frontier.variants import build_variants
from border21.ports.catalog import load_scenario
from border21.ports.edits import with_values


def _exam_queues(unstable, key):
    return {o.where for o in unstable.get(key, []) if o.where.startswith(("secondary:", "mx_"))}


def test_the_default_southbound_variant_is_stable_and_the_old_one_is_flagged() -> None:
    base = load_scenario("san_ysidro")
    variants = build_variants(base, ["baseline", "southbound"])
    old = with_values(
        build_variants(base, ["southbound"], southbound_rate=0.05)["southbound"],
        {"cooperation.southbound_service.mean_seconds": 900},
    )
    variants["old_southbound"] = old
    tasks = build_tasks(variants, ["random"], [0.02], replications=1, days=1, seed=0)
    unstable = unstable_points(tasks)
    assert _exam_queues(unstable, ("southbound", "", 0.02)) == set()
    assert _exam_queues(unstable, ("old_southbound", "", 0.02)) == {
        "secondary:southbound_secondary"
    }
    (south,) = [o for o in unstable[("old_southbound", "", 0.02)] if "southbound" in o.where]
    assert south.day_utilisation > 2.5  # ~2,180 exams a day for bays that take ~770

    table = pd.DataFrame(
        {"variant": ["baseline", "southbound", "old_southbound"], "rate": [0.02] * 3}
    )
    marked = mark_unstable(table, unstable)
    assert marked["unstable"].tolist()[:2] == ["", ""]  # primary overloads do not mark points
    assert marked["unstable"].iloc[2].startswith("secondary:southbound_secondary ")

    lines = unstable_warnings(unstable)
    south_lines = [ln for ln in lines if "southbound_secondary" in ln]
    assert len(south_lines) == 1 and south_lines[0].startswith("variant old_southbound at budget")
    assert "does not clear from day to day" in south_lines[0]
    # a primary lane group is named once per variant, without budgets
    assert any(ln.startswith("variant baseline: stream cars_general at general") for ln in lines)


def test_a_budget_that_overloads_secondary_marks_only_its_points() -> None:
    variants = build_variants(load_scenario("laredo_wtb"), ["baseline"])
    tasks = build_tasks(variants, ["random"], [0.02, 0.6], replications=1, days=1, seed=0)
    unstable = unstable_points(tasks)
    assert _exam_queues(unstable, ("baseline", "", 0.02)) == set()
    assert "secondary:truck_secondary" in _exam_queues(unstable, ("baseline", "", 0.6))
    table = pd.DataFrame({"variant": ["baseline"] * 2, "rate": [0.02, 0.6]})
    assert [bool(m) for m in mark_unstable(table, unstable)["unstable"]] == [False, True]


def test_precision_says_when_a_run_is_too_small_and_how_many_would_do() -> None:
    from border21.frontier.sweep import precision

    table = pd.DataFrame(
        {
            "detection_rate": [0.30, 0.30, 0.02, float("nan")],
            "detection_rate_ci95": [0.02, 0.10, 0.03, float("nan")],  # ±10 pp: twice the bound
            "mean_delay_min": [20.0, 20.0, 20.0, 10.0],
            "mean_delay_min_ci95": [1.0, 1.0, 1.0, 3.0],  # the last: ±30%, three times
            "replications": [4, 4, 4, 4],
        }
    )
    p = precision(table)
    assert p.imprecise == [1, 3] and p.replications == 4
    assert p.needed == 36  # 4 × 3²: the half-width shrinks with √replications
    assert p.out_of_range.tolist() == [False, False, True, False]  # 2% ± 3 pp reaches below 0
    notes = p.notes()
    assert len(notes) == 1 and "at 2 of 4 points" in notes[0] and "(-r 36)" in notes[0]
    fine = table.iloc[[0]]
    assert precision(fine).notes() == [] and precision(fine).needed == 4

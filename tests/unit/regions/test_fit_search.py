"""The officers' search: a lucky quick score does not choose; the confirmed scores do."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from border21.regions import fit
from border21.regions.config import load_region

TARGETS = {("san_ysidro", s): np.zeros(24) for s in ("car_general", "car_ready", "ped_general")}


def _day(data: dict[str, Any]) -> int:
    return int(data["ports"]["san_ysidro"]["officers_on_duty"][6])


def test_the_search_chooses_on_confirmed_scores_not_on_the_luckiest_quick_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each candidate's "equilibria" are numbers: on the quick seeds a candidate with 38
    day officers looks best (luck), on the confirming seeds it is the worst; the search
    must keep the one whose confirmed score is best, and never take a refinement step
    whose confirmed score is no better."""
    truth = {day: abs(day - 33) for day in range(20, 50)}  # 33 day officers is best

    def solved(candidates: list[dict[str, Any]], seeds: range, *_a: Any) -> list[list[float]]:
        out = []
        for data in candidates:
            day = _day(data)
            quick = seeds.start < fit.SEARCH_EQUILIBRIA
            value = (
                -10.0
                if (day == 38 and quick)
                else truth[day] + (0 if quick else 100.0 * (day == 38))
            )
            out.append([value] * len(seeds))
        return out

    monkeypatch.setattr(fit, "_solved", solved)
    monkeypatch.setattr(fit, "objective", lambda runs, targets: float(np.mean(runs)))
    region = load_region("san_diego")
    best, trace = fit.search_officers(region, TARGETS, size=40, seed=0)
    days = [t["ports.san_ysidro.officers_on_duty[day]"] for t in trace]
    assert 38.0 not in days and days[-1] == 33.0, trace
    assert best.ports["san_ysidro"].officers_on_duty[6] == 33
    scores = [t["objective"] for t in trace]
    assert all(a > b for a, b in zip(scores, scores[1:], strict=False))


def test_the_search_scores_only_the_groups_officers_act_on() -> None:
    """SY pedestrians have no band: their profile would only add noise to the score."""
    kept = fit.officered(load_region("san_diego"), TARGETS)
    assert set(kept) == {("san_ysidro", "car_general"), ("san_ysidro", "car_ready")}


def test_the_cli_default_search_is_the_fit_s() -> None:
    import inspect

    from border21.cli import region

    default = inspect.signature(region.fit).parameters["search"].default.default
    assert default == fit.DEFAULT_SEARCH

"""The conformance suite: every driver, the same rules.

Where drivers share draws their records must be identical; where they draw
their own numbers, their metrics must agree statistically. The scenarios
cover closing and reopening booths, ties between lanes, several lanes per
class, referral to secondary and the Mexican export stage.

* The replay driver against the event-driven reference (``_reference.py``),
  through the Mexican export stage and CBP: identical lanes, booths, starts
  and departures.
* The downstream driver against the replay driver, on the same primary
  stage, referrals and exam times: identical secondary starts and departures.
* The one-pass, replay and staged drivers on the same scenario, each with its
  own random numbers: mean waits, referral and detection agree (Welch
  intervals at a 99% family-wise level).
* On every shipped port and every driver, no crossing waits more than three
  times its lane group's 99th percentile, or 30 minutes, whichever is larger
  (nobody is stranded behind a closing booth).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from _reference import ReferencePort
from scipy import stats

from border21.ports.catalog import load_scenario, shipped_scenarios
from border21.ports.config import PortScenario, validate_scenario
from border21.ports.kernels.replay import serve_lanes
from border21.ports.kernels.rng import reading_source
from border21.ports.model import CrossingRecords, PortModel
from border21.ports.staged import run_downstream, run_primary

HOUR_SHAPE = [1, 1, 1, 2, 4, 8, 10, 9, 7, 6, 6, 6, 7, 8, 9, 9, 8, 6, 4, 3, 2, 2, 1, 1]


def closures() -> PortScenario:
    """Booths that close and reopen, lanes shared between classes, referral, carriers."""
    return validate_scenario(
        {
            "port": {"name": "closures"},
            "streams": {
                "cars": {
                    "kind": "personal_vehicle",
                    "crossings_per_day": 7000,
                    "hour_of_day_shape": HOUR_SHAPE,
                    "program_shares": {"general": 0.6, "ready": 0.3, "sentri": 0.1},
                    "primary_service": {
                        "distribution": "lognormal",
                        "mean_seconds": 60,
                        "cv": 0.6,
                        "mean_seconds_by_program": {"ready": 40, "sentri": 25},
                    },
                    "referral_probability": 0.05,
                    "secondary": "lot",
                    "carrier_probability": 0.01,
                    "primary_detection_probability": 0.5,
                    "secondary_detection_probability": 0.7,
                },
            },
            "lanes": {
                "general": {
                    "streams": ["cars"],
                    "lanes": 3,
                    "booths_per_lane": 2,
                    "open_booths_by_hour": [2] * 6
                    + [4] * 4
                    + [6] * 6
                    + [3] * 4
                    + [0] * 2
                    + [1] * 2,
                },
                "ready": {
                    "program": "ready",
                    "accepts": ["ready", "sentri"],
                    "streams": ["cars"],
                    "lanes": 2,
                    "booths_per_lane": 2,
                },
                "sentri": {
                    "program": "sentri",
                    "streams": ["cars"],
                    "lanes": 1,
                    "booths_per_lane": 3,
                    "open_booths_by_hour": [0] * 3 + [1] * 5 + [3] * 10 + [2] * 6,
                },
            },
            "secondary": {
                "lot": {
                    "bays": 3,
                    "open_bays_by_hour": [1] * 7 + [3] * 12 + [2] * 5,
                    "service": {"mean_seconds": 900},
                }
            },
        }
    )


def _reference(model: PortModel, draws: Any, referred: np.ndarray) -> Any:
    lay = model.layout
    return ReferencePort(lay.primary, lay.secondary).run(
        draws.arrival,
        draws.cls,
        draws.primary_seconds,
        draws.tie_u,
        referred=referred,
        area=lay.stream_area[draws.stream],
        secondary_service=draws.secondary_seconds,
    )


def _assert_same(records: CrossingRecords, ref: Any) -> None:
    np.testing.assert_array_equal(records.lane, ref.lane)
    np.testing.assert_array_equal(records.booth, ref.booth)
    np.testing.assert_array_equal(records.service_start, ref.start)
    np.testing.assert_array_equal(records.primary_departure, ref.depart)
    referred = records.referred
    np.testing.assert_array_equal(records.secondary_start[referred], ref.secondary_start[referred])
    np.testing.assert_array_equal(records.departure[referred], ref.secondary_depart[referred])


def test_replay_matches_the_reference_through_closures_ties_and_secondary() -> None:
    model = PortModel(closures())
    draws = model.draw(2, np.random.default_rng(3))
    records = model.run(draws, 2)
    ref = _reference(model, draws, draws.referred)
    _assert_same(records, ref)
    assert ref.jsq_ties > 100 and ref.closed_choices > 10 and ref.waited_for_opening > 0
    assert records.referred.sum() > 300


def test_replay_matches_the_reference_through_the_export_stage_and_cbp() -> None:
    """Laredo: the Mexican booths and bays, then CBP, each against the reference."""
    model = PortModel(load_scenario("laredo_wtb"))
    assert model.export is not None and model.export.model is not None
    draws = model.draw(2, np.random.default_rng(5))
    crossing = model.export.cross(draws, 2, np.random.default_rng(6))
    mx = crossing.upstream
    assert mx is not None
    mx_model = model.export.model
    mx_draws = crossing.upstream_draws
    assert mx_draws is not None
    _assert_same(mx, _reference(mx_model, mx_draws, mx.referred))
    at_cbp = crossing.draws
    records = model.run(at_cbp, 2)
    _assert_same(records, _reference(model, at_cbp, at_cbp.referred))
    assert mx.referred.sum() > 50 and (mx.wait_seconds > 0).sum() > 10


def test_downstream_queues_as_the_replay_driver_on_shared_draws() -> None:
    """The staged downstream pass and the replay driver, fed the same referred crossings
    and exam times, give identical secondary starts and departures."""
    sc = closures()
    stage = run_primary(sc, np.random.SeedSequence(12), days=2)
    rec = run_downstream(stage, sc, keep_records=True).records
    assert rec is not None
    model = PortModel(sc)
    ref = np.flatnonzero(rec.referred)
    order = ref[np.argsort(rec.primary_departure[ref], kind="stable")]
    area = model.layout.stream_area[rec.stream[order]].astype(np.int32)
    exam = rec.departure[order] - rec.secondary_start[order]
    _, _, start, depart = serve_lanes(
        rec.primary_departure[order],
        area,
        exam,
        reading_source(np.zeros(order.size)),
        model.layout.secondary.tables,
    )
    np.testing.assert_array_equal(start, rec.secondary_start[order])
    np.testing.assert_array_equal(depart, rec.departure[order])
    assert (start > rec.primary_departure[order]).sum() > 20  # the bays queued


def _one_pass(model: PortModel, seed: np.random.SeedSequence) -> CrossingRecords:
    return model.simulate(1, np.random.default_rng(seed))


def _replay(model: PortModel, seed: np.random.SeedSequence) -> CrossingRecords:
    return model.run(model.draw(1, np.random.default_rng(seed)), 1)


def _staged(model: PortModel, seed: np.random.SeedSequence) -> CrossingRecords:
    stage = run_primary(model.scenario, seed, days=1)
    rec = run_downstream(stage, model.scenario, keep_records=True).records
    assert rec is not None
    return rec


def _metrics(rec: CrossingRecords) -> list[float]:
    wait = rec.wait_seconds / 60.0
    groups = [float(wait[rec.group == g].mean()) for g in range(len(rec.group_names))]
    referred = rec.referred
    return [
        *groups,
        float(len(rec)),
        float(referred.mean()),
        float(rec.secondary_wait_seconds[referred].mean()) / 60.0,
        float(rec.carrier.sum()),
        float(rec.detected.sum()),
    ]


@pytest.mark.slow
def test_drivers_agree_in_distribution_on_closures() -> None:
    model = PortModel(closures())
    reps = 40
    drivers: dict[str, Callable[[PortModel, np.random.SeedSequence], CrossingRecords]] = {
        "one-pass": _one_pass,
        "replay": _replay,
        "staged": _staged,
    }
    rows = {
        name: np.array(
            [_metrics(run(model, s)) for s in np.random.SeedSequence(70 + k).spawn(reps)]
        )
        for k, (name, run) in enumerate(drivers.items())
    }
    labels = [
        *model.layout.primary.group_names,
        "crossings",
        "referred",
        "sec wait",
        "carriers",
        "detected",
    ]
    k = len(labels)
    pairs = [("one-pass", "replay"), ("one-pass", "staged"), ("replay", "staged")]
    level = 1 - 0.01 / (k * len(pairs))
    for a_name, b_name in pairs:
        for j in range(k):
            a, b = rows[a_name][:, j], rows[b_name][:, j]
            ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(level)
            assert ci.low <= 0 <= ci.high, (
                f"{labels[j]}: {a_name} {a.mean():.4g} vs {b_name} {b.mean():.4g}, "
                f"difference CI [{ci.low:.4g}, {ci.high:.4g}]"
            )
    # The comparison has teeth where the day-to-day spread allows.
    general = rows["one-pass"][:, 0]
    assert general.std(ddof=1) / np.sqrt(reps) < 0.1 * general.mean()


def _stranded(rec: CrossingRecords) -> list[str]:
    out = []
    wait = rec.wait_seconds / 60.0
    for g, name in enumerate(rec.group_names):
        w = wait[rec.group == g]
        if w.size < 20:
            continue
        bound = max(3.0 * float(np.quantile(w, 0.99)), 30.0)
        if w.max() > bound:
            out.append(f"{name}: max {w.max():.0f} min > {bound:.0f}")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
@pytest.mark.parametrize("driver", ["one-pass", "replay", "staged"])
def test_nobody_is_stranded_on_any_shipped_port(name: str, driver: str) -> None:
    """No crossing waits more than max(3 × its group's p99, 30 min), on 3 days × 3 seeds."""
    model = PortModel(load_scenario(name))
    for k in range(3):
        seed = np.random.SeedSequence(900 + k)
        if driver == "one-pass":
            rec = model.simulate(3, np.random.default_rng(seed))
        elif driver == "replay":
            rec = model.run(model.draw(3, np.random.default_rng(seed)), 3)
        else:
            stage = run_primary(model.given, seed, days=3)
            got = run_downstream(stage, model.given, keep_records=True).records
            assert got is not None
            rec = got
        assert not _stranded(rec), f"{name}, {driver}, seed {k}: {_stranded(rec)}"
